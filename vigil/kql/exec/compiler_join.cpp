// Planning of join and lookup: key binding ($left/$right and common columns), the join kinds,
// build-side choice, and pushing the build side's keys into the probe side's scan as a filter.
#include <algorithm>

#include "vigil/kql/exec/compiler_internal.h"
#include "vigil/kql/exec/scan_op.h"

namespace vigil::kql {

KResult<PhysOpPtr> PlanJoin(Compiler& c, const Operator& op, PhysOpPtr left, ScopePtr scope) {
  const bool lookup = op.kind == OpKind::kLookup;
  std::string kind_text = lookup ? "leftouter" : "innerunique";
  for (const auto& [k, v] : op.params) {
    if (k == "kind") {
      kind_text = v;
    }
  }
  JoinKind kind;
  if (kind_text == "innerunique") kind = JoinKind::kInnerUnique;
  else if (kind_text == "inner") kind = JoinKind::kInner;
  else if (kind_text == "leftouter") kind = JoinKind::kLeftOuter;
  else if (kind_text == "rightouter") kind = JoinKind::kRightOuter;
  else if (kind_text == "fullouter" || kind_text == "outer") kind = JoinKind::kFullOuter;
  else if (kind_text == "leftanti" || kind_text == "anti" || kind_text == "leftantisemi") kind = JoinKind::kLeftAnti;
  else if (kind_text == "rightanti" || kind_text == "rightantisemi") kind = JoinKind::kRightAnti;
  else if (kind_text == "leftsemi") kind = JoinKind::kLeftSemi;
  else if (kind_text == "rightsemi") kind = JoinKind::kRightSemi;
  else return KErr("KQL0110", "unknown join kind '" + kind_text + "'", op.pos);
  if (!op.right) {
    return KErr("KQL0110", "join needs a right side", op.pos);
  }
  auto right = c.PlanPipeline(*op.right, scope);
  if (!right) {
    return right;
  }
  const Schema ls = left->schema();
  const Schema rs = (*right)->schema();
  std::vector<BExprPtr> lkeys;
  std::vector<BExprPtr> rkeys;
  std::vector<std::string> common_keys;
  auto join_scope = std::make_shared<Scope>(scope);
  join_scope->left = &ls;
  join_scope->right = &rs;
  for (const auto& on : op.on) {
    if (on->kind == ExprKind::kName) {
      const int li = FindColumn(ls, on->name);
      const int ri = FindColumn(rs, on->name);
      if (li < 0 || ri < 0) {
        return KErr("KQL0101",
                    "join key '" + on->name + "' is missing on the " +
                        (li < 0 ? "left" : "right") + " side",
                    on->pos);
      }
      lkeys.push_back(MakeColumn(li, ls[static_cast<size_t>(li)].type, on->name));
      rkeys.push_back(MakeColumn(ri, rs[static_cast<size_t>(ri)].type, on->name));
      common_keys.push_back(on->name);
      continue;
    }
    if (on->kind == ExprKind::kBinary && on->op == "==") {
      auto side_of = [](const Expr& x) -> int {
        if (x.kind == ExprKind::kMember && x.args[0]->kind == ExprKind::kName) {
          if (x.args[0]->name == "$left") return 0;
          if (x.args[0]->name == "$right") return 1;
        }
        return -1;
      };
      const Expr* a = on->args[0].get();
      const Expr* b = on->args[1].get();
      if (side_of(*a) == 1 && side_of(*b) == 0) {
        std::swap(a, b);
      }
      if (side_of(*a) != 0 || side_of(*b) != 1) {
        return KErr("KQL0110", "join condition must compare $left.Column == $right.Column",
                    on->pos);
      }
      auto lb = c.BindExpr(*a, Schema{}, join_scope);
      if (!lb) {
        return tl::unexpected(lb.error());
      }
      auto rb = c.BindExpr(*b, Schema{}, join_scope);
      if (!rb) {
        return tl::unexpected(rb.error());
      }
      lkeys.push_back(*lb);
      rkeys.push_back(*rb);
      if (a->name == b->name) {
        common_keys.push_back(a->name);
      }
      continue;
    }
    return KErr("KQL0110", "unsupported join condition: " + ExprText(*on), on->pos);
  }
  if (lkeys.empty()) {
    return KErr("KQL0110", "join needs 'on' keys", op.pos);
  }
  Schema schema;
  std::vector<int> right_out(rs.size(), -1);
  const bool emit_left = kind != JoinKind::kRightSemi && kind != JoinKind::kRightAnti;
  const bool emit_right = kind != JoinKind::kLeftSemi && kind != JoinKind::kLeftAnti;
  if (emit_left) {
    schema = ls;
  }
  if (emit_right) {
    for (size_t i = 0; i < rs.size(); ++i) {
      if (lookup && std::find(common_keys.begin(), common_keys.end(), rs[i].name) !=
                        common_keys.end()) {
        continue;  // lookup keeps the key columns once
      }
      right_out[i] = static_cast<int>(schema.size());
      schema.push_back({emit_left ? UniqueName(schema, rs[i].name) : rs[i].name, rs[i].type});
    }
  }
  std::string label = (lookup ? "Lookup kind=" : "HashJoin kind=") + kind_text + " on [";
  for (size_t i = 0; i < lkeys.size(); ++i) {
    label += (i ? ", " : "") + lkeys[i]->text + (lkeys[i]->text == rkeys[i]->text ? "" : " == " + rkeys[i]->text);
  }
  label += "] build=right";
  return PhysOpPtr(std::make_unique<JoinOp>(std::move(left), std::move(*right), kind, lkeys, rkeys,
                                            schema, right_out, label, c.ctx()));
}

}  // namespace vigil::kql

// Planning of project, extend, project-away, project-keep, project-rename, project-reorder and
// project-by-names: column selection by names and wildcards (TimeGenerated* also matches the
// Timestamp columns), expression projection with Kusto's output names.
#include <algorithm>

#include "vigil/kql/exec/compiler_internal.h"

namespace vigil::kql {
namespace {

void CollectNames(const Expr& e, std::vector<std::string>& out) {
  if (e.kind == ExprKind::kName) {
    out.push_back(e.name);
  }
  for (const auto& a : e.args) {
    CollectNames(*a, out);
  }
}

}  // namespace

KResult<PhysOpPtr> PlanProject(Compiler& c, const Operator& op, PhysOpPtr input, ScopePtr scope) {
  const Schema& in = input->schema();
  Schema schema;
  std::vector<BExprPtr> exprs;
  std::string label = "Project [";
  const std::vector<NamedExpr> items = ExpandTupleItems(op.exprs);
  for (size_t i = 0; i < items.size(); ++i) {
    const NamedExpr& ne = items[i];
    auto b = c.BindExpr(*ne.expr, in, scope);
    if (!b) {
      return tl::unexpected(b.error());
    }
    std::string name = ne.name.empty() ? DefaultColumnName(*ne.expr, i + 1) : ne.name;
    if (ne.name.empty() && ne.expr->kind == ExprKind::kName && name == "TimeGenerated" &&
        FindColumn(in, "TimeGenerated") < 0) {
      name = "TimeGenerated";
    }
    const int existing = FindColumn(schema, name);
    if (existing >= 0) {
      if (!ne.name.empty()) {
        return KErr("KQL0110", "column '" + name + "' is projected twice", ne.pos);
      }
      name = UniqueName(schema, name);
    }
    schema.push_back({name, (*b)->type});
    exprs.push_back(*b);
    label += (i ? ", " : "") + (ne.name.empty() ? (*b)->text : name + "=" + (*b)->text);
  }
  return PhysOpPtr(std::make_unique<ProjectOp>(std::move(input), schema, exprs, label + "]",
                                               c.ctx()));
}

KResult<PhysOpPtr> PlanExtend(Compiler& c, const std::vector<NamedExpr>& given, PhysOpPtr input,
                              ScopePtr scope, const std::string& verb) {
  const std::vector<NamedExpr> items = ExpandTupleItems(given);
  size_t i = 0;
  while (i < items.size()) {
    const Schema in = input->schema();
    Schema schema = in;
    std::vector<BExprPtr> exprs;
    for (size_t c2 = 0; c2 < in.size(); ++c2) {
      exprs.push_back(MakeColumn(static_cast<int>(c2), in[c2].type, in[c2].name));
    }
    std::vector<std::string> defined;
    std::string label = verb + " [";
    bool first = true;
    for (; i < items.size(); ++i) {
      const NamedExpr& ne = items[i];
      std::vector<std::string> refs;
      CollectNames(*ne.expr, refs);
      bool depends = false;
      for (const auto& r : refs) {
        depends = depends || std::find(defined.begin(), defined.end(), r) != defined.end();
      }
      if (depends) {
        break;  // needs the columns defined so far: start a new layer
      }
      auto b = c.BindExpr(*ne.expr, in, scope);
      if (!b) {
        return tl::unexpected(b.error());
      }
      std::vector<std::string> names = ne.names;
      if (names.empty()) {
        names.push_back(ne.name.empty() ? DefaultColumnName(*ne.expr, schema.size() + 1)
                                        : ne.name);
      }
      const std::string& name = names[0];
      const int existing = FindColumn(schema, name);
      if (existing >= 0) {
        schema[static_cast<size_t>(existing)].type = (*b)->type;
        exprs[static_cast<size_t>(existing)] = *b;
      } else {
        schema.push_back({name, (*b)->type});
        exprs.push_back(*b);
      }
      defined.push_back(name);
      label += (first ? "" : ", ") + name + "=" + (*b)->text;
      first = false;
    }
    input = std::make_unique<ProjectOp>(std::move(input), schema, exprs, label + "]", c.ctx());
  }
  return input;
}

// Columns matching a name or wildcard pattern, in schema order.
namespace {

std::vector<int> MatchColumnsExact(const Schema& schema, const std::string& pattern);

std::vector<int> MatchColumns(const Schema& schema, const std::string& pattern) {
  std::vector<int> out = MatchColumnsExact(schema, pattern);
  if (out.empty() && pattern.rfind("TimeGenerated", 0) == 0) {
    out = MatchColumnsExact(schema, "Timestamp" + pattern.substr(13));
  }
  return out;
}

std::vector<int> MatchColumnsExact(const Schema& schema, const std::string& pattern) {
  std::vector<int> out;
  const bool wildcard = pattern.find('*') != std::string::npos;
  for (size_t i = 0; i < schema.size(); ++i) {
    if (!wildcard) {
      if (schema[i].name == pattern) {
        out.push_back(static_cast<int>(i));
      }
      continue;
    }
    // simple glob
    const std::string& n = schema[i].name;
    size_t p = 0, t = 0, star = std::string::npos, mark = 0;
    bool ok = true;
    while (t < n.size()) {
      if (p < pattern.size() && pattern[p] == '*') {
        star = p++;
        mark = t;
      } else if (p < pattern.size() && pattern[p] == n[t]) {
        ++p;
        ++t;
      } else if (star != std::string::npos) {
        p = star + 1;
        t = ++mark;
      } else {
        ok = false;
        break;
      }
    }
    while (ok && p < pattern.size() && pattern[p] == '*') {
      ++p;
    }
    if (ok && p == pattern.size()) {
      out.push_back(static_cast<int>(i));
    }
  }
  return out;
}

PhysOpPtr SelectColumns(PhysOpPtr input, const std::vector<int>& cols,
                        const std::vector<std::string>& names, const std::string& label,
                        ExecContext* ctx) {
  const Schema& in = input->schema();
  Schema schema;
  std::vector<BExprPtr> exprs;
  for (size_t i = 0; i < cols.size(); ++i) {
    const auto& col = in[static_cast<size_t>(cols[i])];
    schema.push_back({names.empty() ? col.name : names[i], col.type});
    exprs.push_back(MakeColumn(cols[i], col.type, col.name));
  }
  return std::make_unique<ProjectOp>(std::move(input), schema, exprs, label, ctx);
}

// project-by-names: each expression is a constant string or array of strings naming columns
// (wildcards allowed); the columns come out in the order named, each once; names that match
// nothing are ignored.
KResult<PhysOpPtr> PlanProjectByNames(Compiler& c, const Operator& op, PhysOpPtr input,
                                      ScopePtr scope) {
  const Schema& in = input->schema();
  std::vector<std::string> patterns;
  for (const auto& ne : op.exprs) {
    auto b = c.BindExpr(*ne.expr, Schema{}, scope);
    if (!b) {
      return tl::unexpected(b.error());
    }
    if ((*b)->kind != BKind::kConst) {
      return KErr("KQL0110", "project-by-names expects constant column names", ne.pos);
    }
    const Value& v = (*b)->constant;
    if (v.is_string()) {
      patterns.push_back(v.AsString());
    } else if (v.is_array()) {
      for (const Value& item : v.AsArray()) {
        if (!item.is_string()) {
          return KErr("KQL0110", "project-by-names expects string column names", ne.pos);
        }
        patterns.push_back(item.AsString());
      }
    } else if (!v.is_null()) {
      return KErr("KQL0110", "project-by-names expects string column names", ne.pos);
    }
  }
  std::vector<bool> used(in.size(), false);
  std::vector<int> cols;
  for (const auto& pattern : patterns) {
    // A name that matches no column is skipped (the documented lookup example names one).
    for (int i : MatchColumns(in, pattern)) {
      if (!used[static_cast<size_t>(i)]) {
        used[static_cast<size_t>(i)] = true;
        cols.push_back(i);
      }
    }
  }
  return SelectColumns(std::move(input), cols, {}, "ProjectByNames", c.ctx());
}

}  // namespace

KResult<PhysOpPtr> PlanProjectVariants(Compiler& c, const Operator& op, PhysOpPtr input,
                                       ScopePtr scope) {
  if (op.kind == OpKind::kProjectKeep && !op.exprs.empty()) {
    return PlanProjectByNames(c, op, std::move(input), std::move(scope));
  }
  const Schema& in = input->schema();
  std::vector<int> cols;
  std::vector<std::string> names;
  if (op.kind == OpKind::kProjectAway || op.kind == OpKind::kProjectKeep) {
    std::vector<bool> hit(in.size(), false);
    for (const auto& pattern : op.names) {
      auto m = MatchColumns(in, pattern);
      if (m.empty() && pattern.find('*') == std::string::npos) {
        return KErr("KQL0101", "unknown column '" + pattern + "'", op.pos);
      }
      for (int i : m) {
        hit[static_cast<size_t>(i)] = true;
      }
    }
    const bool keep = op.kind == OpKind::kProjectKeep;
    for (size_t i = 0; i < in.size(); ++i) {
      if (hit[i] == keep) {
        cols.push_back(static_cast<int>(i));
      }
    }
    return SelectColumns(std::move(input), cols, {}, keep ? "ProjectKeep" : "ProjectAway",
                         c.ctx());
  }
  if (op.kind == OpKind::kProjectRename) {
    for (size_t i = 0; i < in.size(); ++i) {
      cols.push_back(static_cast<int>(i));
      names.push_back(in[i].name);
    }
    for (const auto& ne : op.exprs) {
      if (ne.expr->kind != ExprKind::kName) {
        return KErr("KQL0110", "project-rename expects NewName = ExistingName", ne.pos);
      }
      const auto found = MatchColumns(in, ne.expr->name);
      if (found.size() != 1) {
        return KErr("KQL0101", "unknown column '" + ne.expr->name + "'", ne.expr->pos);
      }
      names[static_cast<size_t>(found[0])] = ne.name;
    }
    return SelectColumns(std::move(input), cols, names, "ProjectRename", c.ctx());
  }
  // project-reorder: listed columns first, then the rest in their order.
  std::vector<bool> used(in.size(), false);
  for (const auto& pattern : op.names) {
    for (int i : MatchColumns(in, pattern)) {
      if (!used[static_cast<size_t>(i)]) {
        used[static_cast<size_t>(i)] = true;
        cols.push_back(i);
      }
    }
  }
  for (size_t i = 0; i < in.size(); ++i) {
    if (!used[i]) {
      cols.push_back(static_cast<int>(i));
    }
  }
  return SelectColumns(std::move(input), cols, {}, "ProjectReorder", c.ctx());
}

}  // namespace vigil::kql

// Binding of scalar expressions: names, operators, in-lists, constant folding. Calls and
// user functions are in compiler_call.cpp.
#include <re2/re2.h>

#include <algorithm>

#include "vigil/kql/exec/expr_binder.h"

namespace vigil::kql {

namespace binder {

bool IsStringLike(Type t) { return t == Type::kString || t == Type::kGuid; }

std::string Lower(std::string s) {
  for (auto& c : s) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c + 32);
    }
  }
  return s;
}

// Folds an expression whose arguments are all constant.
BExprPtr Fold(BExprPtr e, ExecContext* ctx) {
  for (const auto& a : e->args) {
    if (!IsConst(a)) {
      return e;
    }
  }
  if (e->kind == BKind::kCall && (e->fn == nullptr || !e->fn->deterministic)) {
    return e;
  }
  if (e->kind == BKind::kRowNumber || e->kind == BKind::kPrevNext || e->kind == BKind::kPackAll ||
      e->kind == BKind::kRowWindow ||
      e->kind == BKind::kColumn || e->kind == BKind::kConst) {
    return e;
  }
  Chunk empty;
  Value v = Eval(*e, empty, 0, ctx->eval);
  auto c = std::make_shared<BExpr>();
  c->kind = BKind::kConst;
  c->constant = CoerceTo(v, e->type);
  c->type = e->type;
  c->text = e->text;
  return c;
}

const std::vector<std::string>& CompareOps() {
  static const std::vector<std::string> ops = {"==", "!=", "<", "<=", ">", ">="};
  return ops;
}

}  // namespace binder

using binder::CompareOps;
using binder::Fold;
using binder::IsConst;
using binder::IsStringLike;
using binder::Lower;

KResult<BExprPtr> ExprBinder::Bind(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kLiteral:
      return MakeConst(e.literal, e.literal_type, ExprText(e));
    case ExprKind::kName:
      return BindName(e);
    case ExprKind::kUnary: {
      auto a = Bind(*e.args[0]);
      if (!a) {
        return a;
      }
      if (e.op == "+") {
        return a;
      }
      auto out = std::make_shared<BExpr>();
      out->kind = BKind::kNeg;
      out->type = (*a)->type;
      out->args = {*a};
      out->text = ExprText(e);
      return Fold(out, compiler->ctx());
    }
    case ExprKind::kBinary:
      return BindBinary(e);
    case ExprKind::kCall:
      return BindCall(e);
    case ExprKind::kMember: {
      const Expr& base = *e.args[0];
      if (base.kind == ExprKind::kName && (base.name == "$left" || base.name == "$right")) {
        const Schema* side = base.name == "$left" ? scope->left : scope->right;
        if (side == nullptr) {
          return KErr("KQL0101", base.name + " can only be used in join conditions", e.pos);
        }
        const int idx = FindColumn(*side, e.name);
        if (idx < 0) {
          return KErr("KQL0101", "unknown column '" + e.name + "' on the " +
                                     base.name.substr(1) + " side of the join",
                      e.pos);
        }
        return MakeColumn(idx, (*side)[static_cast<size_t>(idx)].type, ExprText(e));
      }
      // `T.Column` where T is a table alias is rare; treat as dynamic member access.
      auto a = Bind(base);
      if (!a) {
        return a;
      }
      auto out = std::make_shared<BExpr>();
      out->kind = BKind::kMember;
      out->member = e.name;
      out->type = Type::kDynamic;
      out->args = {*a};
      out->text = ExprText(e);
      return Fold(out, compiler->ctx());
    }
    case ExprKind::kIndex: {
      auto a = Bind(*e.args[0]);
      if (!a) {
        return a;
      }
      auto i = Bind(*e.args[1]);
      if (!i) {
        return i;
      }
      auto out = std::make_shared<BExpr>();
      out->type = Type::kDynamic;
      out->text = ExprText(e);
      if (IsConst(*i) && (*i)->constant.is_string()) {
        out->kind = BKind::kMember;
        out->member = (*i)->constant.AsString();
        out->args = {*a};
      } else {
        out->kind = BKind::kIndex;
        out->args = {*a, *i};
      }
      return Fold(out, compiler->ctx());
    }
    case ExprKind::kList:
      if (e.args.size() == 1) {
        return Bind(*e.args[0]);
      }
      return KErr("KQL0110", "a list is only valid after in, has_any or has_all", e.pos);
    case ExprKind::kRange:
      return KErr("KQL0110", "a range (a .. b) is only valid after between", e.pos);
    case ExprKind::kTabular:
      return KErr("KQL0109",
                  "a tabular expression cannot be used as a scalar; wrap it in toscalar()",
                  e.pos);
    case ExprKind::kStar:
      return KErr("KQL0110", "'*' is only valid as an argument of arg_max/arg_min", e.pos);
  }
  return KErr("KQL0110", "unsupported expression", e.pos);
}

KResult<BExprPtr> ExprBinder::BindName(const Expr& e) {
  int idx = FindColumn(schema, e.name);
  if (idx < 0 && e.name.rfind("TimeGenerated", 0) == 0) {
    // TimeGenerated (Sentinel) is another name for Timestamp, also with join suffixes.
    idx = FindColumn(schema, "Timestamp" + e.name.substr(13));
  }
  if (idx >= 0) {
    return MakeColumn(idx, schema[static_cast<size_t>(idx)].type, e.name);
  }
  if (const LetValue* let = scope->Find(e.name)) {
    if (let->kind == LetValue::Kind::kScalar) {
      return let->scalar;
    }
    if (let->kind == LetValue::Kind::kFunction && let->function->params.empty()) {
      Expr call;
      call.kind = ExprKind::kCall;
      call.name = e.name;
      call.pos = e.pos;
      return BindCall(call);
    }
    return KErr("KQL0109",
                "'" + e.name + "' is a tabular expression and cannot be used as a scalar; "
                "use toscalar(" + e.name + ")",
                e.pos);
  }
  if (e.name == "true" || e.name == "false") {
    return MakeConst(Value::Bool(e.name == "true"), Type::kBool);
  }
  if (compiler->ctx()->check_only && FindColumn(schema, std::string(kOpenSchemaColumn)) >= 0) {
    return MakeConst(Value(), Type::kDynamic, e.name);
  }
  std::vector<std::string> candidates;
  for (const auto& c : schema) {
    candidates.push_back(c.name);
  }
  scope->CollectNames(candidates);
  std::string msg = "unknown name '" + e.name + "'";
  const std::string s = Suggest(e.name, candidates);
  if (!s.empty()) {
    msg += "; did you mean '" + s + "'?";
  }
  return KErr("KQL0101", msg, e.pos);
}

KResult<BExprPtr> ExprBinder::BindBinary(const Expr& e) {
  const std::string& op = e.op;
  if (op == "=") {
    // `name = expr` inside a call (a named argument or Kusto's column-naming form such as
    // `bin(Minute = Timestamp, 5m)`): the value is the right side.
    return Bind(*e.args[1]);
  }
  if (op == "in" || op == "!in" || op == "in~" || op == "!in~") {
    return BindIn(e);
  }
  if (op == "has_any" || op == "has_all") {
    return BindHasAny(e);
  }
  if (op == "between" || op == "!between") {
    auto a = Bind(*e.args[0]);
    if (!a) {
      return a;
    }
    const Expr& range = *e.args[1];
    if (range.kind != ExprKind::kRange) {
      return KErr("KQL0110", "between expects (low .. high)", range.pos);
    }
    auto lo = Bind(*range.args[0]);
    if (!lo) {
      return lo;
    }
    auto hi = Bind(*range.args[1]);
    if (!hi) {
      return hi;
    }
    auto out = std::make_shared<BExpr>();
    out->kind = BKind::kBetween;
    out->negated = op == "!between";
    out->type = Type::kBool;
    out->args = {*a, *lo, *hi};
    out->text = ExprText(e);
    return Fold(out, compiler->ctx());
  }
  auto a = Bind(*e.args[0]);
  if (!a) {
    return a;
  }
  auto b = Bind(*e.args[1]);
  if (!b) {
    return b;
  }
  auto out = std::make_shared<BExpr>();
  out->text = ExprText(e);
  out->args = {*a, *b};
  if (op == "and" || op == "or") {
    out->kind = op == "and" ? BKind::kAnd : BKind::kOr;
    out->type = Type::kBool;
    return Fold(out, compiler->ctx());
  }
  if (op == "+" || op == "-" || op == "*" || op == "/" || op == "%") {
    out->kind = BKind::kArith;
    out->op = op;
    out->type = ArithType(op, (*a)->type, (*b)->type);
    if (IsStringLike((*a)->type) || IsStringLike((*b)->type)) {
      return KErr("KQL0107",
                  "operator '" + op + "' cannot be applied to " +
                      std::string(TypeName((*a)->type)) + " and " +
                      std::string(TypeName((*b)->type)) + "; use strcat() for strings",
                  e.pos);
    }
    return Fold(out, compiler->ctx());
  }
  if (op == "matches regex") {
    out->kind = BKind::kRegex;
    out->type = Type::kBool;
    if (IsConst(*b)) {
      RE2::Options options;
      options.set_log_errors(false);
      options.set_max_mem(64 << 20);
      auto re = std::make_shared<RE2>(TranslateRegex((*b)->constant.ToText()), options);
      if (!re->ok()) {
        return KErr("KQL0110", "invalid regular expression: " + re->error(), e.args[1]->pos);
      }
      out->regex = std::move(re);
    }
    return Fold(out, compiler->ctx());
  }
  const bool is_compare =
      std::find(CompareOps().begin(), CompareOps().end(), op) != CompareOps().end();
  if (is_compare) {
    out->kind = BKind::kCompare;
    out->op = op;
    out->type = Type::kBool;
    return Fold(out, compiler->ctx());
  }
  bool negated = false;
  auto sop = ParseStringOp(op, &negated);
  if (!sop) {
    return KErr("KQL0110", "unsupported operator '" + op + "'", e.pos);
  }
  out->kind = BKind::kStrOp;
  out->str_op = *sop;
  out->negated = negated;
  out->type = Type::kBool;
  if (IsConst(*b)) {
    out->matcher = std::make_shared<StringMatcher>(*sop, (*b)->constant.ToText());
  }
  return Fold(out, compiler->ctx());
}

KResult<bool> ExprBinder::CollectListItems(const Expr& list, std::vector<BExprPtr>& items) {
  std::vector<ExprPtr> raw;
  if (list.kind == ExprKind::kList) {
    raw = list.args;
  } else {
    raw.push_back(std::make_shared<Expr>(list));
  }
  for (const auto& item : raw) {
    if (IsTabular(*item)) {
      auto op = compiler->PlanTabularExpr(*item, scope);
      if (!op) {
        return tl::unexpected(op.error());
      }
      auto table = compiler->Execute(std::move(*op));
      if (!table) {
        return tl::unexpected(table.error());
      }
      if ((*table)->schema.empty()) {
        continue;
      }
      for (const auto& v : (*table)->cols[0]) {
        items.push_back(MakeConst(v, (*table)->schema[0].type));
      }
      continue;
    }
    auto b = Bind(*item);
    if (!b) {
      return tl::unexpected(b.error());
    }
    items.push_back(*b);
  }
  return true;
}

bool ExprBinder::IsTabular(const Expr& e) const {
  auto function_is_tabular = [](const LetValue* let) {
    return let != nullptr && let->kind == LetValue::Kind::kFunction && let->function->value &&
           let->function->value->kind == ExprKind::kTabular &&
           TrivialPipelineScalar(*let->function->value, let->defining_scope()) == nullptr;
  };
  switch (e.kind) {
    case ExprKind::kTabular:
      return TrivialPipelineScalar(e, scope) == nullptr;
    case ExprKind::kName: {
      if (FindColumn(schema, e.name) >= 0) {
        return false;
      }
      const LetValue* let = scope->Find(e.name);
      if (let == nullptr) {
        return sources_has_table(e.name);
      }
      return let->kind == LetValue::Kind::kTabular || let->kind == LetValue::Kind::kTable ||
             (function_is_tabular(let) && let->function->params.empty());
    }
    case ExprKind::kCall:
      if (e.name == "materialize" || e.name == "table" || e.name == "view") {
        return true;
      }
      return function_is_tabular(scope->Find(e.name));
    default:
      return false;
  }
}

bool ExprBinder::sources_has_table(const std::string& name) const {
  const auto& s = compiler->sources();
  return s.memory_tables.count(name) > 0 ||
         (s.catalog != nullptr && s.catalog->Find(name) != nullptr);
}

KResult<std::vector<BExprPtr>> ExprBinder::BindListOperands(const Expr& e, BExpr& out) {
  auto a = Bind(*e.args[0]);
  if (!a) {
    return tl::unexpected(a.error());
  }
  out.args.push_back(*a);
  out.type = Type::kBool;
  out.text = ExprText(e);
  std::vector<BExprPtr> items;
  auto ok = CollectListItems(*e.args[1], items);
  if (!ok) {
    return tl::unexpected(ok.error());
  }
  return items;
}

KResult<BExprPtr> ExprBinder::BindIn(const Expr& e) {
  auto out = std::make_shared<BExpr>();
  out->kind = BKind::kIn;
  out->negated = e.op[0] == '!';
  out->case_insensitive = e.op.back() == '~';
  auto items = BindListOperands(e, *out);
  if (!items) {
    return tl::unexpected(items.error());
  }
  if (!AllConst(*items)) {
    out->args.insert(out->args.end(), items->begin(), items->end());
    return Fold(out, compiler->ctx());
  }
  auto set = std::make_shared<std::unordered_set<Value, ValueHash, ValueEq>>();
  ForEachConstValue(*items, [&](const Value& v, bool from_array) {
    if (!from_array && v.is_null() && out->case_insensitive) {
      return;  // in~ never matches a null item
    }
    if (out->case_insensitive) {
      set->insert(Value::String(Lower(v.ToText())));
    } else if (v.kind() == Kind::kGuid) {
      set->insert(Value::String(v.AsString()));
    } else {
      set->insert(v);
    }
  });
  out->set = std::move(set);
  return Fold(out, compiler->ctx());
}

KResult<BExprPtr> ExprBinder::BindHasAny(const Expr& e) {
  auto out = std::make_shared<BExpr>();
  out->kind = BKind::kHasAny;
  out->all = e.op == "has_all";
  auto items = BindListOperands(e, *out);
  if (!items) {
    return tl::unexpected(items.error());
  }
  if (!AllConst(*items)) {
    out->args.insert(out->args.end(), items->begin(), items->end());
    return Fold(out, compiler->ctx());
  }
  ForEachConstValue(*items, [&](const Value& v, bool) {
    out->matchers.push_back(std::make_shared<StringMatcher>(StringOp::kHas, v.ToText()));
  });
  return Fold(out, compiler->ctx());
}

// Shared with compiler_plan.cpp: binds a let statement into `scope`.
KResult<bool> BindLet(Compiler* compiler, const Statement& st, ScopePtr scope);

KResult<bool> ExprBinder::BindLetInto(const Statement& st, ScopePtr target) {
  return BindLet(compiler, st, std::move(target));
}

KResult<BExprPtr> Compiler::BindExpr(const Expr& e, const Schema& schema,
                                     std::shared_ptr<Scope> scope) {
  ExprBinder binder{this, schema, std::move(scope)};
  return binder.Bind(e);
}

}  // namespace vigil::kql

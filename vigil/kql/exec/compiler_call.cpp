// Binding of function calls: built-in functions from the registry, special forms (toscalar,
// column_ifexists, column_names_of, pack_all, row_number/prev/next, typeof casts), and
// user-function inlining.
#include <re2/re2.h>

#include <algorithm>

#include "vigil/kql/exec/expr_binder.h"

namespace vigil::kql {

using binder::CompareOps;
using binder::Fold;
using binder::IsConst;
using binder::IsStringLike;
using binder::Lower;

KResult<BExprPtr> ExprBinder::BindCall(const Expr& e) {
  const std::string& name = e.name;
  // User functions first (they may shadow built-ins).
  if (const LetValue* let = scope->Find(name); let != nullptr) {
    if (let->kind == LetValue::Kind::kFunction) {
      return InlineUserFunction(e, *let);
    }
    return KErr("KQL0103", "'" + name + "' is not a function", e.pos);
  }
  if (name == "toscalar") {
    if (e.args.size() != 1) {
      return KErr("KQL0104", "toscalar() expects one argument", e.pos);
    }
    const Expr& arg = *e.args[0];
    if (!IsTabular(arg)) {
      if (const Expr* scalar = TrivialPipelineScalar(arg, scope)) {
        return Bind(*scalar);
      }
      return Bind(arg);
    }
    auto op = compiler->PlanTabularExpr(arg, scope);
    if (!op) {
      return tl::unexpected(op.error());
    }
    auto table = compiler->Execute(std::move(*op));
    if (!table) {
      return tl::unexpected(table.error());
    }
    const Table& t = **table;
    if (t.schema.empty()) {
      return MakeConst(Value(), Type::kDynamic, "toscalar(...)");
    }
    return MakeConst(t.rows > 0 ? t.cols[0][0] : Value(), t.schema[0].type, "toscalar(...)");
  }
  if (name == "column_names_of") {
    // column_names_of(T): the column names of a tabular expression, known at plan time.
    if (e.args.size() != 1) {
      return KErr("KQL0104", "column_names_of() expects one tabular argument", e.pos);
    }
    auto op = compiler->PlanTabularExpr(*e.args[0], scope);
    if (!op) {
      return tl::unexpected(op.error());
    }
    Array names;
    for (const auto& col : (*op)->schema()) {
      names.push_back(Value::String(col.name));
    }
    return MakeConst(Value::MakeArray(std::move(names)), Type::kDynamic, ExprText(e));
  }
  if (name == "column_ifexists") {
    if (e.args.size() != 2) {
      return KErr("KQL0104", "column_ifexists() expects a column name and a default", e.pos);
    }
    ExprBinder consts{compiler, Schema{}, scope};
    auto name_expr = consts.Bind(*e.args[0]);
    if (!name_expr || !IsConst(*name_expr)) {
      return KErr("KQL0104", "column_ifexists(): the column name must be a constant string",
                  e.pos);
    }
    const std::string col = (*name_expr)->constant.ToText();
    const int idx = FindColumn(schema, col);
    if (idx >= 0) {
      return MakeColumn(idx, schema[static_cast<size_t>(idx)].type, col);
    }
    return Bind(*e.args[1]);
  }
  if (name == "bag_pack_columns") {
    // bag_pack_columns(A, B) is bag_pack("A", A, "B", B): each argument names a column.
    if (e.args.empty()) {
      return KErr("KQL0104", "bag_pack_columns() expects at least one column", e.pos);
    }
    std::vector<ExprPtr> pairs;
    for (const ExprPtr& arg : e.args) {
      if (arg->kind != ExprKind::kName) {
        return KErr("KQL0104", "bag_pack_columns(): each argument must be a column name",
                    arg->pos);
      }
      pairs.push_back(MakeLiteralExpr(Value::String(arg->name), Type::kString, arg->pos));
      pairs.push_back(arg);
    }
    return Bind(*MakeCallExpr("bag_pack", std::move(pairs), e.pos));
  }
  if (name == "pack_all" || name == "row_number" || name == "prev" || name == "next") {
    auto out = std::make_shared<BExpr>();
    out->text = ExprText(e);
    if (name == "pack_all") {
      out->kind = BKind::kPackAll;
      out->type = Type::kDynamic;
      if (!e.args.empty()) {
        // pack_all(ignore_null_empty): drop null and empty values from the bag
        auto flag = Bind(*e.args[0]);
        if (!flag) {
          return flag;
        }
        if (!IsConst(*flag) || (*flag)->constant.kind() != Kind::kBool) {
          return KErr("KQL0104", "pack_all(): the argument must be a constant bool", e.pos);
        }
        out->all = (*flag)->constant.AsBool();
      }
      for (size_t i = 0; i < schema.size(); ++i) {
        out->args.push_back(MakeColumn(static_cast<int>(i), schema[i].type, schema[i].name));
        out->matchers.push_back(
            std::make_shared<StringMatcher>(StringOp::kEquals, schema[i].name));
      }
      return BExprPtr(out);
    }
    if (name == "row_number") {
      out->kind = BKind::kRowNumber;
      out->type = Type::kLong;
      if (!e.args.empty()) {
        auto s = Bind(*e.args[0]);
        if (!s) {
          return s;
        }
        out->args.push_back(*s);
      }
      return BExprPtr(out);
    }
    if (e.args.empty() || e.args.size() > 3) {
      return KErr("KQL0104", name + "() expects 1 to 3 arguments", e.pos);
    }
    out->kind = BKind::kPrevNext;
    out->op = name;
    auto col = Bind(*e.args[0]);
    if (!col) {
      return col;
    }
    out->type = (*col)->type;
    out->args.push_back(*col);
    if (e.args.size() >= 2) {
      auto off = Bind(*e.args[1]);
      if (!off) {
        return off;
      }
      if (!IsConst(*off) || !(*off)->constant.is_integral()) {
        return KErr("KQL0104", name + "(): the offset must be a constant integer", e.pos);
      }
      out->offset = (*off)->constant.AsInt64();
    }
    if (e.args.size() == 3) {
      auto def = Bind(*e.args[2]);
      if (!def) {
        return def;
      }
      out->args.push_back(*def);
    }
    return BExprPtr(out);
  }
  if (name == "row_cumsum" || name == "row_rank_dense" || name == "row_rank_min" ||
      name == "row_window_session") {
    return BindRowWindow(e, name);
  }
  const Registry& reg = Registry::Default();
  // A trailing `typeof(T)` argument (extract, extractjson, ...) converts the result to T.
  if (!e.args.empty() && e.args.back()->kind == ExprKind::kCall &&
      e.args.back()->name == "typeof" && e.args.back()->args.size() == 1 &&
      e.args.back()->args[0]->kind == ExprKind::kName && name != "typeof") {
    const auto target = ParseTypeName(e.args.back()->args[0]->name);
    if (!target) {
      return KErr("KQL0104", "unknown type '" + e.args.back()->args[0]->name + "'",
                  e.args.back()->pos);
    }
    Expr inner = e;
    inner.args.pop_back();
    auto bound = BindCall(inner);
    if (!bound) {
      return bound;
    }
    static const std::pair<Type, const char*> kConverters[] = {
        {Type::kBool, "tobool"},         {Type::kInt, "toint"},
        {Type::kLong, "tolong"},         {Type::kReal, "toreal"},
        {Type::kDecimal, "toreal"},      {Type::kString, "tostring"},
        {Type::kDateTime, "todatetime"}, {Type::kTimeSpan, "totimespan"},
        {Type::kGuid, "toguid"},         {Type::kDynamic, "todynamic"}};
    for (const auto& [t, conv] : kConverters) {
      const ScalarFunction* cfn = reg.FindScalar(conv);
      if (t == *target && cfn != nullptr) {
        auto out = std::make_shared<BExpr>();
        out->kind = BKind::kCall;
        out->fn = cfn;
        out->op = conv;
        out->type = *target;
        out->text = ExprText(e);
        out->args = {*bound};
        return Fold(out, compiler->ctx());
      }
    }
    return bound;
  }
  const ScalarFunction* fn = reg.FindScalar(name);
  if (fn == nullptr) {
    if (reg.FindAggregate(name) != nullptr) {
      return KErr("KQL0105",
                  "aggregate function '" + name +
                      "' can only be used in summarize, make-series or top-nested",
                  e.pos);
    }
    std::vector<std::string> names = reg.ScalarNames();
    std::string msg = "unknown function '" + name + "'";
    const std::string s = Suggest(name, names);
    if (!s.empty()) {
      msg += "; did you mean '" + s + "'?";
    }
    return KErr("KQL0103", msg, e.pos);
  }
  const int n = static_cast<int>(e.args.size());
  if (n < fn->min_args || (fn->max_args >= 0 && n > fn->max_args)) {
    return KErr("KQL0104",
                name + "() expects " +
                    (fn->min_args == fn->max_args
                         ? std::to_string(fn->min_args)
                         : std::to_string(fn->min_args) + " to " +
                               (fn->max_args < 0 ? std::string("any number of")
                                                 : std::to_string(fn->max_args))) +
                    " argument(s), got " + std::to_string(n),
                e.pos);
  }
  auto out = std::make_shared<BExpr>();
  out->kind = BKind::kCall;
  out->fn = fn;
  out->op = name;
  out->text = ExprText(e);
  std::vector<Type> types;
  for (const auto& a : e.args) {
    if (a->kind == ExprKind::kStar && name == "estimate_data_size") {
      // estimate_data_size(*) sizes every column of the row.
      for (size_t i = 0; i < schema.size(); ++i) {
        types.push_back(schema[i].type);
        out->args.push_back(MakeColumn(static_cast<int>(i), schema[i].type, schema[i].name));
      }
      continue;
    }
    auto b = Bind(*a);
    if (!b) {
      return b;
    }
    types.push_back((*b)->type);
    out->args.push_back(*b);
  }
  std::string error;
  auto type = fn->return_type ? fn->return_type(types, &error) : std::optional<Type>(Type::kDynamic);
  if (!type) {
    return KErr("KQL0104", error.empty() ? name + "(): invalid arguments" : error, e.pos);
  }
  out->type = *type;
  return Fold(out, compiler->ctx());
}

KResult<BExprPtr> ExprBinder::InlineUserFunction(const Expr& call, const LetValue& let) {
  const Statement& fn = *let.function;
  auto inner = std::make_shared<Scope>(let.defining_scope());
  if (call.args.size() > fn.params.size()) {
    return KErr("KQL0104",
                call.name + "() expects at most " + std::to_string(fn.params.size()) +
                    " argument(s)",
                call.pos);
  }
  std::vector<const Expr*> given;
  auto mapped = MapArguments(fn, call);
  if (!mapped) {
    return tl::unexpected(mapped.error());
  }
  given = *mapped;
  for (size_t i = 0; i < fn.params.size(); ++i) {
    const FunctionParam& p = fn.params[i];
    if (p.tabular) {
      return KErr("KQL0109", call.name + "() takes a table; call it with invoke or as a source",
                  call.pos);
    }
    LetValue v;
    v.kind = LetValue::Kind::kScalar;
    if (given[i] != nullptr) {
      auto b = Bind(*given[i]);
      if (!b) {
        return b;
      }
      v.scalar = *b;
    } else if (p.default_value) {
      ExprBinder def{compiler, schema, let.defining_scope()};
      auto b = def.Bind(*p.default_value);
      if (!b) {
        return b;
      }
      v.scalar = *b;
    } else {
      return KErr("KQL0104", call.name + "(): missing argument '" + p.name + "'", call.pos);
    }
    inner->Set(p.name, std::move(v));
  }
  for (const auto& st : fn.body) {
    auto ok = BindLetInto(*st, inner);
    if (!ok) {
      return tl::unexpected(ok.error());
    }
  }
  if (!fn.value) {
    return KErr("KQL0110", call.name + "(): the function has no result expression", call.pos);
  }
  const Expr* value = fn.value.get();
  if (const Expr* scalar = TrivialPipelineScalar(*value, inner)) {
    value = scalar;
  }
  if (value->kind == ExprKind::kTabular) {
    return KErr("KQL0109", call.name + "() returns a table and cannot be used as a scalar",
                call.pos);
  }
  ExprBinder body{compiler, schema, inner};
  return body.Bind(*value);
}

}  // namespace vigil::kql

// Planning of the less common tabular operators: mv-expand, and the operators whose planning
// lives in compiler_ops3.cpp (parse family, make-series, mv-apply, top-nested, search,
// evaluate plugins, externaldata).
#include "vigil/kql/exec/compiler_internal.h"

namespace vigil::kql {

KResult<PhysOpPtr> PlanMoreOperators(Compiler& c, const Operator& op, PhysOpPtr input,
                                     ScopePtr scope);

namespace {

KResult<PhysOpPtr> PlanMvExpand(Compiler& c, const Operator& op, PhysOpPtr input,
                                ScopePtr scope) {
  const Schema in = input->schema();
  Schema schema = in;
  std::vector<int> columns;
  std::vector<BExprPtr> exprs;
  std::vector<Type> types;
  bool bag_as_array = false;
  std::string index_name;
  for (const auto& [k, v] : op.params) {
    if (k == "bagexpansion") {
      bag_as_array = v == "array";
    } else if (k == "with_itemindex") {
      index_name = v;
    }
  }
  size_t limit = SIZE_MAX;
  if (op.count) {
    auto b = c.BindExpr(*op.count, Schema{}, scope);
    if (!b) {
      return tl::unexpected(b.error());
    }
    if ((*b)->kind == BKind::kConst && (*b)->constant.is_integral()) {
      limit = static_cast<size_t>(std::max<int64_t>(0, (*b)->constant.AsInt64()));
    }
  }
  for (size_t i = 0; i < op.exprs.size(); ++i) {
    const NamedExpr& ne = op.exprs[i];
    auto b = c.BindExpr(*ne.expr, in, scope);
    if (!b) {
      return tl::unexpected(b.error());
    }
    const Type to = i < op.types.size() ? op.types[i] : Type::kDynamic;
    std::string name = ne.name.empty() ? DefaultColumnName(*ne.expr, schema.size() + 1) : ne.name;
    int idx = FindColumn(schema, name);
    if (idx < 0) {
      idx = static_cast<int>(schema.size());
      schema.push_back({name, to});
    } else {
      schema[static_cast<size_t>(idx)].type = to;
    }
    columns.push_back(idx);
    exprs.push_back(*b);
    types.push_back(to);
  }
  int index_col = -1;
  if (!index_name.empty()) {
    index_col = static_cast<int>(schema.size());
    schema.push_back({index_name, Type::kLong});
  }
  return PhysOpPtr(std::make_unique<MvExpandOp>(std::move(input), schema, columns, exprs, types,
                                                bag_as_array, index_col, limit, c.ctx()));
}

}  // namespace

KResult<PhysOpPtr> PlanExtraOperator(Compiler& c, const Operator& op, PhysOpPtr input,
                                     ScopePtr scope) {
  if (op.kind == OpKind::kMvExpand && input) {
    return PlanMvExpand(c, op, std::move(input), scope);
  }
  return PlanMoreOperators(c, op, std::move(input), scope);
}

}  // namespace vigil::kql

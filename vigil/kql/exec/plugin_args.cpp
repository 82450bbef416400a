// Argument helpers shared by the evaluate plugins in plugin_*.cpp: constant arguments (start,
// end, window sizes, percentiles) and column-name arguments. Called at plan time only.
#include "vigil/kql/exec/operators3.h"

namespace vigil::kql {

KResult<Value> PluginConstant(Compiler& c, const Expr& arg, const ScopePtr& scope,
                              const std::string& plugin) {
  auto b = c.BindExpr(arg, Schema{}, scope);
  if (!b) {
    return tl::unexpected(b.error());
  }
  if ((*b)->kind != BKind::kConst) {
    return KErr("KQL0104", plugin + ": expected a constant argument", arg.pos);
  }
  return (*b)->constant;
}

KResult<int> PluginColumn(const Schema& schema, const Expr& arg, const std::string& plugin) {
  if (arg.kind != ExprKind::kName) {
    return KErr("KQL0104", plugin + ": expected a column name", arg.pos);
  }
  const int idx = FindColumn(schema, arg.name);
  if (idx < 0) {
    return KErr("KQL0101", "unknown name '" + arg.name + "' in " + plugin, arg.pos);
  }
  return idx;
}

}  // namespace vigil::kql

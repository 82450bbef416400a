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

KResult<WindowPluginArgs> ParseWindowPluginArgs(Compiler& c, const Expr& call, const Schema& in,
                                                const ScopePtr& scope, const std::string& plugin,
                                                size_t constants, const std::string& usage) {
  if (call.args.size() < 2 + constants) {
    return KErr("KQL0104", plugin + " expects " + usage, call.pos);
  }
  WindowPluginArgs out;
  auto id = PluginColumn(in, *call.args[0], plugin);
  auto time = PluginColumn(in, *call.args[1], plugin);
  if (!id || !time) {
    return tl::unexpected(!id ? id.error() : time.error());
  }
  out.id_col = *id;
  out.time_col = *time;
  for (size_t i = 0; i < constants; ++i) {
    auto k = PluginConstant(c, *call.args[2 + i], scope, plugin);
    if (!k) {
      return tl::unexpected(k.error());
    }
    out.constants.push_back(*k);
  }
  out.schema.push_back({in[static_cast<size_t>(out.time_col)].name, Type::kDateTime});
  for (size_t i = 2 + constants; i < call.args.size(); ++i) {
    auto d = PluginColumn(in, *call.args[i], plugin);
    if (!d) {
      return tl::unexpected(d.error());
    }
    out.dims.push_back(*d);
    out.schema.push_back(in[static_cast<size_t>(*d)]);
  }
  return out;
}

}  // namespace vigil::kql

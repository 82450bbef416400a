// Planner of the geo_polygon_lookup / geo_line_lookup evaluate plugins (plugin_geo_lookup.cpp),
// called by PlanEvaluate in compiler_ops3.cpp. Planning runs on the query's thread.
#pragma once

#include "vigil/kql/exec/compiler_internal.h"

namespace vigil::kql {

// `call` is the plugin call (its name selects polygon or line matching); `input` is required.
KResult<PhysOpPtr> PlanGeoLookup(Compiler& c, const Expr& call, PhysOpPtr input, ScopePtr scope);

}  // namespace vigil::kql

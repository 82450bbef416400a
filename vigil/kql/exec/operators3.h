// Planning entry points of the sequence and partitioning operators (scan, partition) and of the
// evaluate plugins added with them. Dispatched by PlanMoreOperators / PlanEvaluate in
// compiler_ops3.cpp; each lives in its own ops_*.cpp / plugin_*.cpp file. Like every operator,
// the physical operators they build run on the query's one thread.
#pragma once

#include "vigil/kql/exec/operators2.h"

namespace vigil::kql {

// `scan [with_match_id=Id] [declare (...)] with (step ...;)` (ops_scan.cpp).
KResult<PhysOpPtr> PlanScan(Compiler& c, const Operator& op, PhysOpPtr input, ScopePtr scope);
// `partition [hint.*] by Column (ops)` / `{ subquery }` (ops_partition.cpp).
KResult<PhysOpPtr> PlanPartition(Compiler& c, const Operator& op, PhysOpPtr input, ScopePtr scope);

// `find [withsource=C] [in (T, ...)] where P [project a[:type], ..., pack_all()]` (ops_find.cpp).
KResult<PhysOpPtr> PlanFind(Compiler& c, const Operator& op, PhysOpPtr input, ScopePtr scope);
// evaluate plugins (plugin_*.cpp), given the plugin call and the input.
KResult<PhysOpPtr> PlanRowsNear(Compiler& c, const Expr& call, PhysOpPtr input, ScopePtr scope);
KResult<PhysOpPtr> PlanIpLookup(Compiler& c, const Expr& call, PhysOpPtr input, ScopePtr scope);
KResult<PhysOpPtr> PlanSlidingWindowCounts(Compiler& c, const Expr& call, PhysOpPtr input,
                                           ScopePtr scope);
KResult<PhysOpPtr> PlanActiveUsersCount(Compiler& c, const Expr& call, PhysOpPtr input,
                                        ScopePtr scope);
KResult<PhysOpPtr> PlanRollingPercentile(Compiler& c, const Expr& call, PhysOpPtr input,
                                         ScopePtr scope);
// Plugin argument helpers (plugin_args.cpp): a constant argument (bound without columns) and a
// column argument (a plain name of an input column) with the plugin's name in the errors.
KResult<Value> PluginConstant(Compiler& c, const Expr& arg, const ScopePtr& scope,
                              const std::string& plugin);
KResult<int> PluginColumn(const Schema& schema, const Expr& arg, const std::string& plugin);
// The argument shape of the sliding-window plugins: (IdColumn, TimelineColumn, `constants`
// constant arguments, dim1, ...). `schema` starts the output: the timeline column, then the
// dimensions. `usage` completes "<plugin> expects ..." when arguments are missing.
struct WindowPluginArgs {
  int id_col = -1;
  int time_col = -1;
  std::vector<Value> constants;
  std::vector<int> dims;
  Schema schema;
};
KResult<WindowPluginArgs> ParseWindowPluginArgs(Compiler& c, const Expr& call, const Schema& in,
                                                const ScopePtr& scope, const std::string& plugin,
                                                size_t constants, const std::string& usage);
// The search/find predicate (terms, `*`, `col:term`) as a filter over one input
// (compiler_ops3.cpp).
KResult<PhysOpPtr> PlanSearchFilter(Compiler& c, const Operator& op, PhysOpPtr input,
                                    ScopePtr scope, bool case_sensitive);

}  // namespace vigil::kql

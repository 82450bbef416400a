// Internal to the graph-match implementation: the variables and matches of a pattern, and the
// step between matching (graph_match.cpp) and the where/project clauses (graph_rewrite.cpp):
// graph references in the clauses become columns of a per-match table. One query, one thread.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "vigil/kql/exec/graph_model.h"

namespace vigil::kql::graph {

struct Var {
  bool is_edge = false;
  size_t index = 0;  // into node vars or edge vars
};

struct Match {
  std::vector<size_t> nodes;               // per node variable
  std::vector<std::vector<size_t>> edges;  // per edge variable, in path order
  std::vector<std::vector<size_t>> inner;  // per edge variable: nodes strictly inside the path
};

struct MatchClauses {
  ExprPtr predicate;             // `where` over `table` (null when absent)
  std::vector<NamedExpr> items;  // `project` over `table`, every item named
  TablePtr table;                // __match (index into the matches), then one column per reference
};

// Rewrites op's where/project (without project: every named variable) and evaluates the graph
// references for every match. `variable`: per edge variable, whether it is variable-length;
// `named`: the named variables in order of appearance.
KResult<MatchClauses> BuildMatchTable(Compiler& c, const Graph& g,
                                      const std::map<std::string, Var>& vars,
                                      const std::vector<bool>& variable,
                                      const std::vector<std::string>& named, const Operator& op,
                                      const std::vector<Match>& matches, ScopePtr scope);

}  // namespace vigil::kql::graph

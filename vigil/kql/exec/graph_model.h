// The graph value of Kusto's graph semantics: make-graph builds a Graph (nodes and edges with
// their properties, materialised and charged to the query's memory budget) and hands it to the
// next operator as a GraphOp, a graph-typed relation with no columns that cannot be read as
// rows. graph-mark-components yields a new GraphOp; graph-match, graph-shortest-paths and
// graph-to-table turn it back into a table. Planned from compiler_ops3.cpp; one query, one thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "vigil/kql/exec/compiler_internal.h"

namespace vigil::kql {

struct Graph {
  Schema node_schema;                          // node properties (union of the node tables)
  std::vector<std::vector<Value>> node_props;  // per node, one value per node_schema column
  std::vector<Value> node_ids;                 // the id each node was keyed by
  Schema edge_schema;                          // the edge table's columns
  std::vector<std::vector<Value>> edge_props;  // per edge
  std::vector<size_t> edge_source;
  std::vector<size_t> edge_target;
  std::vector<std::vector<size_t>> out_edges;  // per node: edges leaving it
  std::vector<std::vector<size_t>> in_edges;   // per node: edges entering it
  bool undirected = false;                     // make-graph `a -- b`
  size_t charged_bytes = 0;
};
using GraphPtr = std::shared_ptr<const Graph>;

// A planned graph: carries the Graph between graph operators. Reading it as rows is an error
// (a query cannot end with make-graph).
class GraphOp : public PhysOp {
 public:
  explicit GraphOp(GraphPtr graph) : graph_(std::move(graph)) {}
  KResult<bool> Next(Chunk& out) override;
  std::string Describe() const override;
  const GraphPtr& graph() const { return graph_; }

 private:
  GraphPtr graph_;
};

// The graph operators (make-graph and graph-*); `input` is the edge table for make-graph and a
// GraphOp otherwise.
KResult<PhysOpPtr> PlanGraphOperator(Compiler& c, const Operator& op, PhysOpPtr input,
                                     ScopePtr scope);
// graph-match and graph-shortest-paths over a built graph (graph_match.cpp).
KResult<PhysOpPtr> PlanGraphMatch(Compiler& c, const Operator& op, const GraphPtr& graph,
                                  ScopePtr scope);

}  // namespace vigil::kql

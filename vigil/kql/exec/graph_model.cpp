// make-graph (building the Graph from edge and node tables, partitioned-by),
// graph-mark-components and graph-to-table, and the dispatch of the graph operators
// (PlanGraphOperator, called from compiler_ops3.cpp). graph-match lives in graph_match.cpp.
#include "vigil/kql/exec/graph_model.h"

#include <algorithm>
#include <cctype>
#include <unordered_map>
#include <utility>

#include "vigil/kql/exec/operators2.h"

namespace vigil::kql {

KResult<bool> GraphOp::Next(Chunk& out) {
  (void)out;
  return KErr("KQL0110",
              "a graph cannot be read as a table: follow make-graph with graph-match, "
              "graph-shortest-paths or graph-to-table");
}

std::string GraphOp::Describe() const {
  return "Graph nodes=" + std::to_string(graph_->node_ids.size()) +
         " edges=" + std::to_string(graph_->edge_props.size());
}

namespace {

constexpr size_t kBytesPerElement = 64;

size_t RowBytes(size_t width) { return kBytesPerElement + width * (sizeof(Value) + 16); }

KResult<bool> ChargeGraph(Graph& g, size_t bytes, ExecContext& ctx) {
  g.charged_bytes += bytes;
  return ctx.Charge(bytes);
}

const GraphOp* AsGraph(const PhysOpPtr& input) { return dynamic_cast<const GraphOp*>(input.get()); }

// The node for `id`, created (with null properties) when new.
size_t NodeFor(Graph& g, std::unordered_map<Value, size_t, ValueHash, ValueEq>& index,
               const Value& id) {
  auto [it, inserted] = index.emplace(id, g.node_ids.size());
  if (inserted) {
    g.node_ids.push_back(id);
    g.node_props.emplace_back(g.node_schema.size());
  }
  return it->second;
}

KResult<GraphPtr> BuildGraph(Compiler& c, const Operator& op, const Table& edges,
                             const std::vector<TablePtr>& node_tables) {
  ExecContext& ctx = *c.ctx();
  auto g = std::make_shared<Graph>();
  g->undirected = op.text == "--";
  g->edge_schema = edges.schema;
  const int source_col = FindColumn(edges.schema, op.names[0]);
  const int target_col = FindColumn(edges.schema, op.names[1]);
  if (source_col < 0 || target_col < 0) {
    const std::string& missing = source_col < 0 ? op.names[0] : op.names[1];
    return KErr("KQL0101", "unknown column '" + missing + "' in the make-graph edge table", op.pos);
  }
  std::vector<int> key_cols;
  for (size_t t = 0; t < node_tables.size(); ++t) {
    const Table& nodes = *node_tables[t];
    const int key = FindColumn(nodes.schema, op.on[t]->name);
    if (key < 0) {
      return KErr("KQL0101", "unknown column '" + op.on[t]->name + "' in make-graph node table",
                  op.on[t]->pos);
    }
    key_cols.push_back(key);
    for (const ColumnInfo& col : nodes.schema) {
      if (FindColumn(g->node_schema, col.name) < 0) {
        g->node_schema.push_back(col);
      }
    }
  }
  for (const auto& [key, value] : op.params) {
    if (key == "with_node_id") {
      g->node_schema.push_back({value, edges.schema[source_col].type});
    }
  }
  const bool id_property = node_tables.empty() && !g->node_schema.empty();
  std::unordered_map<Value, size_t, ValueHash, ValueEq> index;
  for (size_t t = 0; t < node_tables.size(); ++t) {
    const Table& nodes = *node_tables[t];
    std::vector<int> target;
    for (const ColumnInfo& col : nodes.schema) {
      target.push_back(FindColumn(g->node_schema, col.name));
    }
    for (size_t row = 0; row < nodes.rows; ++row) {
      const Value id = CellOrNull(nodes.cols[key_cols[t]], row);
      const size_t node = NodeFor(*g, index, id);
      for (size_t col = 0; col < nodes.schema.size(); ++col) {
        Value& slot = g->node_props[node][target[col]];
        if (slot.is_null()) {  // the same id in two tables merges their properties
          slot = CellOrNull(nodes.cols[col], row);
        }
      }
      auto ok = ChargeGraph(*g, RowBytes(g->node_schema.size()), ctx);
      if (!ok) {
        return tl::unexpected(ok.error());
      }
    }
  }
  size_t skipped = 0;
  for (size_t row = 0; row < edges.rows; ++row) {
    const Value source = CellOrNull(edges.cols[source_col], row);
    const Value target = CellOrNull(edges.cols[target_col], row);
    if (source.is_null() || target.is_null()) {
      ++skipped;
      continue;
    }
    const size_t from = NodeFor(*g, index, source);
    const size_t to = NodeFor(*g, index, target);
    std::vector<Value> props(edges.schema.size());
    for (size_t col = 0; col < edges.schema.size(); ++col) {
      props[col] = CellOrNull(edges.cols[col], row);
    }
    g->edge_props.push_back(std::move(props));
    g->edge_source.push_back(from);
    g->edge_target.push_back(to);
    auto ok = ChargeGraph(*g, RowBytes(edges.schema.size()) * 2, ctx);
    if (!ok) {
      return tl::unexpected(ok.error());
    }
  }
  if (skipped > 0) {
    ctx.Warn("make-graph skipped " + std::to_string(skipped) +
             " edge(s) with a null source or target id");
  }
  if (id_property) {
    for (size_t node = 0; node < g->node_ids.size(); ++node) {
      g->node_props[node][0] = g->node_ids[node];
    }
  }
  g->out_edges.assign(g->node_ids.size(), {});
  g->in_edges.assign(g->node_ids.size(), {});
  for (size_t e = 0; e < g->edge_source.size(); ++e) {
    g->out_edges[g->edge_source[e]].push_back(e);
    g->in_edges[g->edge_target[e]].push_back(e);
  }
  return GraphPtr(std::move(g));
}

KResult<TablePtr> CollectOp(Compiler& c, KResult<PhysOpPtr> planned) {
  if (!planned) {
    return tl::unexpected(planned.error());
  }
  return Collect(**planned, *c.ctx());
}

// Rows of `t` whose `col` equals `value`.
TablePtr FilterRows(const Table& t, int col, const Value& value) {
  auto out = std::make_shared<Table>();
  out->Reset(t.schema);
  for (size_t row = 0; row < t.rows; ++row) {
    if (ValuesEqual(CellOrNull(t.cols[col], row), value)) {
      std::vector<Value> cells(t.schema.size());
      for (size_t k = 0; k < cells.size(); ++k) {
        cells[k] = CellOrNull(t.cols[k], row);
      }
      out->AppendRow(cells);
    }
  }
  return out;
}

KResult<PhysOpPtr> PlanMakeGraph(Compiler& c, const Operator& op, PhysOpPtr input, ScopePtr scope) {
  if (op.names.size() != 2 || op.on.size() != op.legs.size()) {
    return KErr("KQL0110", "make-graph expects 'source --> target'", op.pos);
  }
  auto edges = Collect(*input, *c.ctx());
  if (!edges) {
    return tl::unexpected(edges.error());
  }
  std::vector<TablePtr> node_tables;
  for (const PipelinePtr& leg : op.legs) {
    auto nodes = CollectOp(c, c.PlanPipeline(*leg, scope));
    if (!nodes) {
      return tl::unexpected(nodes.error());
    }
    node_tables.push_back(std::move(*nodes));
  }
  if (!op.right) {
    auto graph = BuildGraph(c, op, **edges, node_tables);
    if (!graph) {
      return tl::unexpected(graph.error());
    }
    return PhysOpPtr(std::make_unique<GraphOp>(std::move(*graph)));
  }
  // partitioned-by: one graph per distinct value of the column, the subquery applied to each.
  const std::string& column = op.by[0].expr->name;
  const int edge_col = FindColumn((*edges)->schema, column);
  if (edge_col < 0) {
    return KErr("KQL0101", "unknown partition column '" + column + "' in the edge table",
                op.by[0].pos);
  }
  std::vector<int> node_cols;
  for (const TablePtr& nodes : node_tables) {
    node_cols.push_back(FindColumn(nodes->schema, column));
    if (node_cols.back() < 0) {
      return KErr("KQL0101", "unknown partition column '" + column + "' in a node table",
                  op.by[0].pos);
    }
  }
  std::vector<Value> keys;
  {
    std::unordered_map<Value, bool, ValueHash, ValueEq> seen;
    for (size_t row = 0; row < (*edges)->rows; ++row) {
      const Value key = CellOrNull((*edges)->cols[edge_col], row);
      if (seen.emplace(key, true).second) {
        keys.push_back(key);
      }
    }
  }
  std::vector<PhysOpPtr> parts;
  std::vector<std::string> labels;
  for (const Value& key : keys) {
    std::vector<TablePtr> part_nodes;
    for (size_t t = 0; t < node_tables.size(); ++t) {
      part_nodes.push_back(FilterRows(*node_tables[t], node_cols[t], key));
    }
    auto graph = BuildGraph(c, op, *FilterRows(**edges, edge_col, key), part_nodes);
    if (!graph) {
      return tl::unexpected(graph.error());
    }
    auto result = CollectOp(
        c, c.PlanPipeline(*op.right, scope, std::make_unique<GraphOp>(std::move(*graph))));
    if (!result) {
      return tl::unexpected(result.error());
    }
    parts.push_back(std::make_unique<TableOp>(std::move(*result), "GraphPartition"));
    labels.push_back(key.ToText());
  }
  if (parts.empty()) {
    return PhysOpPtr(std::make_unique<TableOp>(std::make_shared<Table>(), "GraphPartition"));
  }
  return MakeUnion(std::move(parts), std::move(labels), "", false, c.ctx());
}

// Component index per node, numbered in order of each component's first node.
std::vector<int64_t> Components(const Graph& g, bool strong) {
  const size_t n = g.node_ids.size();
  std::vector<int64_t> comp(n, -1);
  if (!strong) {
    int64_t next = 0;
    std::vector<size_t> stack;
    for (size_t start = 0; start < n; ++start) {
      if (comp[start] >= 0) {
        continue;
      }
      comp[start] = next;
      stack.push_back(start);
      while (!stack.empty()) {
        const size_t u = stack.back();
        stack.pop_back();
        for (int dir = 0; dir < 2; ++dir) {
          for (const size_t e : dir == 0 ? g.out_edges[u] : g.in_edges[u]) {
            const size_t v = dir == 0 ? g.edge_target[e] : g.edge_source[e];
            if (comp[v] < 0) {
              comp[v] = next;
              stack.push_back(v);
            }
          }
        }
      }
      ++next;
    }
    return comp;
  }
  // Kosaraju, iteratively: finish order on the graph, then sweep the reversed graph.
  std::vector<size_t> order;
  std::vector<bool> seen(n, false);
  for (size_t start = 0; start < n; ++start) {
    if (seen[start]) {
      continue;
    }
    std::vector<std::pair<size_t, size_t>> stack = {{start, 0}};
    seen[start] = true;
    while (!stack.empty()) {
      auto& [u, next_edge] = stack.back();
      if (next_edge < g.out_edges[u].size()) {
        const size_t v = g.edge_target[g.out_edges[u][next_edge++]];
        if (!seen[v]) {
          seen[v] = true;
          stack.emplace_back(v, 0);
        }
      } else {
        order.push_back(u);
        stack.pop_back();
      }
    }
  }
  std::vector<int64_t> raw(n, -1);
  int64_t count = 0;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    if (raw[*it] >= 0) {
      continue;
    }
    std::vector<size_t> stack = {*it};
    raw[*it] = count;
    while (!stack.empty()) {
      const size_t u = stack.back();
      stack.pop_back();
      for (const size_t e : g.in_edges[u]) {
        const size_t v = g.edge_source[e];
        if (raw[v] < 0) {
          raw[v] = count;
          stack.push_back(v);
        }
      }
    }
    ++count;
  }
  std::vector<int64_t> renumber(static_cast<size_t>(count), -1);
  int64_t next = 0;
  for (size_t u = 0; u < n; ++u) {
    int64_t& id = renumber[static_cast<size_t>(raw[u])];
    if (id < 0) {
      id = next++;
    }
    comp[u] = id;
  }
  return comp;
}

KResult<PhysOpPtr> PlanMarkComponents(Compiler& c, const Operator& op, const Graph& in) {
  std::string column = "ComponentId";
  bool strong = false;
  for (const auto& [key, value] : op.params) {
    if (key == "with_component_id") {
      column = value;
    } else if (key == "kind") {
      std::string kind = value;
      std::transform(kind.begin(), kind.end(), kind.begin(),
                     [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
      if (kind != "weak" && kind != "strong") {
        return KErr("KQL0110", "graph-mark-components kind must be weak or strong", op.pos);
      }
      strong = kind == "strong";
    }
  }
  auto g = std::make_shared<Graph>(in);
  auto ok = ChargeGraph(*g, in.charged_bytes, *c.ctx());
  if (!ok) {
    return tl::unexpected(ok.error());
  }
  const std::vector<int64_t> comp = Components(in, strong);
  int slot = FindColumn(g->node_schema, column);
  if (slot < 0) {
    g->node_schema.push_back({column, Type::kLong});
    slot = static_cast<int>(g->node_schema.size()) - 1;
    for (auto& props : g->node_props) {
      props.emplace_back();
    }
  }
  g->node_schema[slot].type = Type::kLong;
  for (size_t node = 0; node < comp.size(); ++node) {
    g->node_props[node][slot] = Value::Long(comp[node]);
  }
  return PhysOpPtr(std::make_unique<GraphOp>(std::move(g)));
}

KResult<PhysOpPtr> PlanGraphToTable(Compiler& c, const Operator& op, const Graph& g) {
  if (op.names.size() != 1) {
    return KErr("KQL0106",
                "graph-to-table with both nodes and edges (two outputs) is not supported", op.pos);
  }
  auto out = std::make_shared<Table>();
  Schema schema;
  std::vector<std::string> id_columns;  // node: node id; edges: source id, target id
  for (const char* key : {"with_node_id", "with_source_id", "with_target_id"}) {
    std::string name;
    for (const auto& [k, v] : op.params) {
      if (k == key) {
        name = v;
      }
    }
    id_columns.push_back(name);
  }
  const bool nodes = op.names[0] == "nodes";
  const std::vector<std::string> used =
      nodes ? std::vector<std::string>{id_columns[0]}
            : std::vector<std::string>{id_columns[1], id_columns[2]};
  for (const std::string& name : used) {
    if (!name.empty()) {
      schema.push_back({name, Type::kLong});
    }
  }
  for (const ColumnInfo& col : nodes ? g.node_schema : g.edge_schema) {
    schema.push_back({UniqueName(schema, col.name), col.type});
  }
  out->Reset(schema);
  const size_t count = nodes ? g.node_ids.size() : g.edge_props.size();
  for (size_t i = 0; i < count; ++i) {
    std::vector<Value> row;
    if (nodes) {
      if (!used[0].empty()) {
        row.push_back(Value::Long(static_cast<int64_t>(i)));
      }
    } else {
      if (!used[0].empty()) {
        row.push_back(Value::Long(static_cast<int64_t>(g.edge_source[i])));
      }
      if (!used[1].empty()) {
        row.push_back(Value::Long(static_cast<int64_t>(g.edge_target[i])));
      }
    }
    const auto& props = nodes ? g.node_props[i] : g.edge_props[i];
    row.insert(row.end(), props.begin(), props.end());
    auto ok = AppendCharged(*out, row, *c.ctx());
    if (!ok) {
      return tl::unexpected(ok.error());
    }
  }
  return PhysOpPtr(std::make_unique<TableOp>(std::move(out),
                                             nodes ? "GraphToTable nodes" : "GraphToTable edges"));
}

}  // namespace

KResult<PhysOpPtr> PlanGraphOperator(Compiler& c, const Operator& op, PhysOpPtr input,
                                     ScopePtr scope) {
  if (!input) {
    return KErr("KQL0110", "this operator needs an input: start the query with a table", op.pos);
  }
  const GraphOp* graph = AsGraph(input);
  if (op.kind == OpKind::kMakeGraph) {
    if (graph != nullptr) {
      return KErr("KQL0110", "make-graph expects a table of edges, not a graph", op.pos);
    }
    return PlanMakeGraph(c, op, std::move(input), std::move(scope));
  }
  if (graph == nullptr) {
    return KErr("KQL0110", "graph operators expect a graph: use make-graph first", op.pos);
  }
  switch (op.kind) {
    case OpKind::kGraphMarkComponents:
      return PlanMarkComponents(c, op, *graph->graph());
    case OpKind::kGraphToTable:
      return PlanGraphToTable(c, op, *graph->graph());
    default:
      return PlanGraphMatch(c, op, graph->graph(), std::move(scope));
  }
}

}  // namespace vigil::kql

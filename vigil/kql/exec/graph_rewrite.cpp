// The where/project clauses of graph-match and graph-shortest-paths: graph references (n.prop,
// e.prop, bare elements, node_degree_in/out(), node_id(), inner_nodes(), any()/all()/map() over
// an edge or inner_nodes()) are replaced by columns of a per-match table, which this file fills.
// any/all/map conditions are evaluated for all elements of all matches in one extend.
#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <utility>

#include "vigil/kql/exec/graph_match_internal.h"
#include "vigil/kql/exec/operators2.h"

namespace vigil::kql::graph {
namespace {

enum class ColKind : uint8_t {
  kNodeProp,
  kEdgeProp,
  kNodeBag,
  kEdgeBag,
  kDegreeIn,
  kDegreeOut,
  kNodeId,
  kInnerNodes,
  kAny,
  kAll,
  kMap,
};

struct SynthCol {
  ColKind kind = ColKind::kNodeProp;
  size_t var = 0;
  int prop = -1;
  bool over_nodes = false;  // lambdas: inner_nodes(e) rather than e's edges
  ExprPtr element;          // lambdas: the expression per element
  std::string name;
  Type type = Type::kDynamic;
};

// The type of node_id(): the ids' common type, dynamic when they differ.
Type NodeIdType(const Graph& g) {
  std::optional<Type> type;
  for (const Value& id : g.node_ids) {
    const Type t = TypeOfValue(id);
    if (type && *type != t) {
      return Type::kDynamic;
    }
    type = t;
  }
  return type.value_or(Type::kDynamic);
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return s;
}

class Rewriter {
 public:
  Rewriter(const Graph& g, const std::map<std::string, Var>& vars) : g_(g), vars_(vars) {}

  const std::vector<SynthCol>& columns() const { return cols_; }

  KResult<ExprPtr> Rewrite(const ExprPtr& e) {
    if (e->kind == ExprKind::kMember && e->args[0]->kind == ExprKind::kName) {
      const Var* var = Find(e->args[0]->name);
      if (var != nullptr) {
        const Schema& schema = var->is_edge ? g_.edge_schema : g_.node_schema;
        const int prop = FindColumn(schema, e->name);
        if (prop < 0) {
          return KErr(
              "KQL0101",
              "unknown property '" + e->name + "' of graph element '" + e->args[0]->name + "'",
              e->pos);
        }
        SynthCol col;
        col.kind = var->is_edge ? ColKind::kEdgeProp : ColKind::kNodeProp;
        col.var = var->index;
        col.prop = prop;
        col.type = var->is_edge && variable_[var->index] ? Type::kDynamic : schema[prop].type;
        return Add(std::move(col), e->args[0]->name + "_" + e->name, e->pos);
      }
    }
    if (e->kind == ExprKind::kName) {
      const Var* var = Find(e->name);
      if (var != nullptr) {
        SynthCol col;
        col.kind = var->is_edge ? ColKind::kEdgeBag : ColKind::kNodeBag;
        col.var = var->index;
        return Add(std::move(col), e->name, e->pos);
      }
      return e;
    }
    if (e->kind == ExprKind::kCall) {
      const std::string fn = Lower(e->name);
      if (fn == "node_degree_in" || fn == "node_degree_out" || fn == "node_id") {
        const Var* var = e->args.size() == 1 && e->args[0]->kind == ExprKind::kName
                             ? Find(e->args[0]->name)
                             : nullptr;
        if (var == nullptr || var->is_edge) {
          return KErr("KQL0104", fn + "() expects a node of the pattern", e->pos);
        }
        SynthCol col;
        col.kind = fn == "node_id"          ? ColKind::kNodeId
                   : fn == "node_degree_in" ? ColKind::kDegreeIn
                                            : ColKind::kDegreeOut;
        col.var = var->index;
        col.type = fn == "node_id" ? IdType() : Type::kLong;
        return Add(std::move(col), fn + "_" + e->args[0]->name, e->pos);
      }
      if (fn == "inner_nodes") {
        auto var = EdgeArg(*e);
        if (!var) {
          return tl::unexpected(var.error());
        }
        SynthCol col;
        col.kind = ColKind::kInnerNodes;
        col.var = *var;
        return Add(std::move(col), "inner_nodes_" + e->args[0]->name, e->pos);
      }
      if (fn == "any" || fn == "all" || fn == "map") {
        return Lambda(*e, fn);
      }
    }
    return RewriteArgs(e);
  }

 private:
  const Var* Find(const std::string& name) const {
    auto it = vars_.find(name);
    return it == vars_.end() ? nullptr : &it->second;
  }

  Type IdType() const { return NodeIdType(g_); }

  // `e` with every argument passed through `rewrite`; `e` itself when none changed.
  template <typename F>
  static KResult<ExprPtr> MapArgs(const ExprPtr& e, F&& rewrite) {
    std::vector<ExprPtr> args;
    bool changed = false;
    for (const ExprPtr& arg : e->args) {
      auto r = rewrite(arg);
      if (!r) {
        return r;
      }
      changed = changed || *r != arg;
      args.push_back(std::move(*r));
    }
    if (!changed) {
      return e;
    }
    auto copy = std::make_shared<Expr>(*e);
    copy->args = std::move(args);
    return ExprPtr(std::move(copy));
  }

  KResult<ExprPtr> RewriteArgs(const ExprPtr& e) {
    return MapArgs(e, [this](const ExprPtr& arg) { return Rewrite(arg); });
  }

  KResult<size_t> EdgeArg(const Expr& call) const {
    const Var* var = call.args.size() == 1 && call.args[0]->kind == ExprKind::kName
                         ? Find(call.args[0]->name)
                         : nullptr;
    if (var == nullptr || !var->is_edge) {
      return KErr("KQL0104", call.name + "() expects an edge of the pattern", call.pos);
    }
    return var->index;
  }

  KResult<ExprPtr> Lambda(const Expr& call, const std::string& fn) {
    if (call.args.size() != 2) {
      return KErr("KQL0104", fn + "() expects an edge (or inner_nodes(edge)) and an expression",
                  call.pos);
    }
    SynthCol col;
    col.kind = fn == "any" ? ColKind::kAny : fn == "all" ? ColKind::kAll : ColKind::kMap;
    col.type = fn == "map" ? Type::kDynamic : Type::kBool;
    const Expr& target = *call.args[0];
    std::string label;
    if (target.kind == ExprKind::kCall && Lower(target.name) == "inner_nodes") {
      auto var = EdgeArg(target);
      if (!var) {
        return tl::unexpected(var.error());
      }
      col.var = *var;
      col.over_nodes = true;
      label = target.args[0]->name;
    } else {
      const Var* var = target.kind == ExprKind::kName ? Find(target.name) : nullptr;
      if (var == nullptr || !var->is_edge) {
        return KErr("KQL0104", fn + "() expects an edge of the pattern or inner_nodes(edge)",
                    call.pos);
      }
      col.var = var->index;
      label = target.name;
    }
    auto element = ElementExpr(call.args[1], col.over_nodes);
    if (!element) {
      return tl::unexpected(element.error());
    }
    col.element = std::move(*element);
    return Add(std::move(col), fn + "_" + label, call.pos, /*shared=*/false);
  }

  // The per-element expression: node_degree_in()/node_degree_out()/node_id() without an
  // argument refer to the current inner node.
  KResult<ExprPtr> ElementExpr(const ExprPtr& e, bool over_nodes) {
    if (e->kind == ExprKind::kCall && e->args.empty()) {
      const std::string fn = Lower(e->name);
      if (fn == "node_degree_in" || fn == "node_degree_out" || fn == "node_id") {
        if (!over_nodes) {
          return KErr("KQL0104", fn + "() without an argument needs inner_nodes()", e->pos);
        }
        return MakeNameExpr("__" + fn, e->pos);
      }
    }
    return MapArgs(e, [this, over_nodes](const ExprPtr& arg) {
      return ElementExpr(arg, over_nodes);
    });
  }

  ExprPtr Add(SynthCol col, const std::string& base, Pos pos, bool shared = true) {
    const std::string key = std::to_string(static_cast<int>(col.kind)) + ":" +
                            std::to_string(col.var) + ":" + std::to_string(col.prop);
    if (shared) {
      auto it = keys_.find(key);
      if (it != keys_.end()) {
        return MakeNameExpr(cols_[it->second].name, pos);
      }
    }
    Schema names;
    for (const SynthCol& c : cols_) {
      names.push_back({c.name, c.type});
    }
    names.push_back({"__match", Type::kLong});
    col.name = UniqueName(names, base);
    if (shared) {
      keys_[key] = cols_.size();
    }
    cols_.push_back(std::move(col));
    return MakeNameExpr(cols_.back().name, pos);
  }

 public:
  std::vector<bool> variable_;  // per edge variable: variable-length

 private:
  const Graph& g_;
  const std::map<std::string, Var>& vars_;
  std::vector<SynthCol> cols_;
  std::map<std::string, size_t> keys_;
};

Value PropsBag(const Schema& schema, const std::vector<Value>& props) {
  Bag bag;
  for (size_t i = 0; i < schema.size(); ++i) {
    if (!props[i].is_null()) {
      bag.emplace_back(schema[i].name, props[i]);
    }
  }
  return Value::MakeBag(std::move(bag));
}

// Values of one lambda column, per match: any/all as bool, map as an array.
KResult<std::vector<Value>> EvalLambda(Compiler& c, const SynthCol& col, const Graph& g,
                                       const std::vector<Match>& matches, ScopePtr scope) {
  auto elements = std::make_shared<Table>();
  Schema schema = {{"__match", Type::kLong}};
  const Schema& props = col.over_nodes ? g.node_schema : g.edge_schema;
  schema.insert(schema.end(), props.begin(), props.end());
  if (col.over_nodes) {
    schema.push_back({"__node_degree_in", Type::kLong});
    schema.push_back({"__node_degree_out", Type::kLong});
    schema.push_back({"__node_id", NodeIdType(g)});
  }
  elements->Reset(schema);
  for (size_t m = 0; m < matches.size(); ++m) {
    const auto& items = col.over_nodes ? matches[m].inner[col.var] : matches[m].edges[col.var];
    for (const size_t item : items) {
      std::vector<Value> row = {Value::Long(static_cast<int64_t>(m))};
      const auto& values = col.over_nodes ? g.node_props[item] : g.edge_props[item];
      row.insert(row.end(), values.begin(), values.end());
      if (col.over_nodes) {
        row.push_back(Value::Long(static_cast<int64_t>(g.in_edges[item].size())));
        row.push_back(Value::Long(static_cast<int64_t>(g.out_edges[item].size())));
        row.push_back(g.node_ids[item]);
      }
      auto ok = AppendCharged(*elements, row, *c.ctx());
      if (!ok) {
        return tl::unexpected(ok.error());
      }
    }
  }
  NamedExpr item;
  item.name = "__value";
  item.expr = col.element;
  item.pos = col.element->pos;
  auto planned = PlanExtend(c, {item}, std::make_unique<TableOp>(elements, "GraphElements"),
                            std::move(scope), "Extend");
  if (!planned) {
    return tl::unexpected(planned.error());
  }
  const int value_col = FindColumn((*planned)->schema(), "__value");
  if (col.kind != ColKind::kMap && (*planned)->schema()[value_col].type != Type::kBool) {
    return KErr(
        "KQL0107",
        std::string(col.kind == ColKind::kAny ? "any" : "all") + "() expects a boolean condition",
        item.pos);
  }
  auto evaluated = Collect(**planned, *c.ctx());
  if (!evaluated) {
    return tl::unexpected(evaluated.error());
  }
  std::vector<Value> out(matches.size());
  std::vector<Array> lists(col.kind == ColKind::kMap ? matches.size() : 0);
  std::vector<int> truth(matches.size(), col.kind == ColKind::kAll ? 1 : 0);
  const Table& t = **evaluated;
  for (size_t row = 0; row < t.rows; ++row) {
    const size_t m = static_cast<size_t>(CellOrNull(t.cols[0], row).AsInt64());
    const Value v = CellOrNull(t.cols[value_col], row);
    if (col.kind == ColKind::kMap) {
      lists[m].push_back(v);
    } else {
      const bool b = !v.is_null() && v.AsBool();
      truth[m] = col.kind == ColKind::kAny ? (truth[m] | static_cast<int>(b))
                                           : (truth[m] & static_cast<int>(b));
    }
  }
  for (size_t m = 0; m < matches.size(); ++m) {
    out[m] = col.kind == ColKind::kMap ? Value::MakeArray(std::move(lists[m]))
                                       : Value::Bool(truth[m] != 0);
  }
  return out;
}

Value PlainColumn(const SynthCol& col, const Graph& g, const Match& m, bool variable) {
  switch (col.kind) {
    case ColKind::kNodeProp:
      return g.node_props[m.nodes[col.var]][col.prop];
    case ColKind::kEdgeProp: {
      if (!variable) {
        return m.edges[col.var].empty() ? Value() : g.edge_props[m.edges[col.var][0]][col.prop];
      }
      Array items;
      for (const size_t e : m.edges[col.var]) {
        items.push_back(g.edge_props[e][col.prop]);
      }
      return Value::MakeArray(std::move(items));
    }
    case ColKind::kNodeBag:
      return PropsBag(g.node_schema, g.node_props[m.nodes[col.var]]);
    case ColKind::kEdgeBag: {
      Array items;
      for (const size_t e : m.edges[col.var]) {
        items.push_back(PropsBag(g.edge_schema, g.edge_props[e]));
      }
      if (!variable) {
        return items.empty() ? Value() : items[0];
      }
      return Value::MakeArray(std::move(items));
    }
    case ColKind::kDegreeIn:
      return Value::Long(static_cast<int64_t>(g.in_edges[m.nodes[col.var]].size()));
    case ColKind::kDegreeOut:
      return Value::Long(static_cast<int64_t>(g.out_edges[m.nodes[col.var]].size()));
    case ColKind::kNodeId:
      return g.node_ids[m.nodes[col.var]];
    case ColKind::kInnerNodes: {
      Array items;
      for (const size_t n : m.inner[col.var]) {
        items.push_back(PropsBag(g.node_schema, g.node_props[n]));
      }
      return Value::MakeArray(std::move(items));
    }
    default:
      return Value();
  }
}

}  // namespace

KResult<MatchClauses> BuildMatchTable(Compiler& c, const Graph& g,
                                      const std::map<std::string, Var>& vars,
                                      const std::vector<bool>& variable,
                                      const std::vector<std::string>& named, const Operator& op,
                                      const std::vector<Match>& matches, ScopePtr scope) {
  // Rewrite the clauses; without project, every named variable is returned.
  Rewriter rewriter(g, vars);
  rewriter.variable_ = variable;
  ExprPtr predicate;
  if (op.predicate) {
    auto r = rewriter.Rewrite(op.predicate);
    if (!r) {
      return tl::unexpected(r.error());
    }
    predicate = std::move(*r);
  }
  std::vector<NamedExpr> items = op.exprs;
  if (items.empty()) {
    for (const std::string& name : named) {
      NamedExpr item;
      item.expr = MakeNameExpr(name, op.pos);
      item.pos = op.pos;
      items.push_back(std::move(item));
    }
  }
  Schema given;  // names so far: an unnamed graph function call is named after the function
  for (size_t i = 0; i < items.size(); ++i) {
    NamedExpr& item = items[i];
    if (item.name.empty() && item.names.empty()) {
      const Expr& e = *item.expr;
      const std::string fn = e.kind == ExprKind::kCall ? Lower(e.name) : std::string();
      const bool graph_fn = fn == "node_degree_in" || fn == "node_degree_out" || fn == "node_id" ||
                            fn == "any" || fn == "all" || fn == "map" || fn == "inner_nodes";
      item.name = UniqueName(given, graph_fn ? fn : DefaultColumnName(e, i + 1));
    }
    given.push_back({item.name, Type::kDynamic});
    auto r = rewriter.Rewrite(item.expr);
    if (!r) {
      return tl::unexpected(r.error());
    }
    item.expr = std::move(*r);
  }
  // The per-match table: __match, then one column per graph reference.
  const auto& cols = rewriter.columns();
  std::vector<std::vector<Value>> lambda_values(cols.size());
  for (size_t k = 0; k < cols.size(); ++k) {
    if (cols[k].element) {
      auto values = EvalLambda(c, cols[k], g, matches, scope);
      if (!values) {
        return tl::unexpected(values.error());
      }
      lambda_values[k] = std::move(*values);
    }
  }
  auto table = std::make_shared<Table>();
  Schema schema = {{"__match", Type::kLong}};
  for (const SynthCol& col : cols) {
    schema.push_back({col.name, col.type});
  }
  table->Reset(schema);
  for (size_t m = 0; m < matches.size(); ++m) {
    std::vector<Value> row = {Value::Long(static_cast<int64_t>(m))};
    for (size_t k = 0; k < cols.size(); ++k) {
      row.push_back(cols[k].element ? lambda_values[k][m]
                                    : PlainColumn(cols[k], g, matches[m],
                                                  cols[k].kind == ColKind::kEdgeProp ||
                                                          cols[k].kind == ColKind::kEdgeBag
                                                      ? variable[cols[k].var]
                                                      : false));
    }
    auto ok = AppendCharged(*table, row, *c.ctx());
    if (!ok) {
      return tl::unexpected(ok.error());
    }
  }
  MatchClauses out;
  out.predicate = std::move(predicate);
  out.items = std::move(items);
  out.table = std::move(table);
  return out;
}

}  // namespace vigil::kql::graph

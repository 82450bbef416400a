// Graph operators after `|`: make-graph, graph-match, graph-shortest-paths,
// graph-mark-components and graph-to-table (see the OpKind comments in ast.h for where each
// part lands). Dispatched from Parser::ParseOperator (parser_ops.cpp); planned by
// vigil/kql/exec/graph_ops.cpp.
#include <utility>

#include "vigil/kql/syntax/parser_impl.h"

namespace vigil::kql::internal {
namespace {

constexpr int64_t kMaxHopsLimit = 1'000;

}  // namespace

bool Parser::ParseMakeGraph(Operator& op) {
  op.kind = OpKind::kMakeGraph;
  std::string source;
  std::string target;
  if (!ParseNameToken(source) || !ExpectPunct("-") || !ExpectPunct("-")) {
    return false;
  }
  op.text = "--";
  if (AcceptPunct(">")) {
    op.text = "-->";
  }
  if (Failed() || !ParseNameToken(target)) {
    return false;
  }
  op.names = {std::move(source), std::move(target)};
  if (AtWord("with_node_id")) {
    if (!ParseParams(op, {"with_node_id"})) {
      return false;
    }
    if (op.params.empty()) {
      FailExpected("'=' after with_node_id");
      return false;
    }
  } else if (AcceptWord("with")) {
    do {
      PipelinePtr nodes = ParseLegPipeline(false);
      std::string key;
      if (!nodes || !ExpectWord("on") || !ParseNameToken(key)) {
        return false;
      }
      op.legs.push_back(std::move(nodes));
      op.on.push_back(MakeName(std::move(key), PosOf(cur_)));
    } while (AcceptPunct(","));
  }
  if (!Failed() && AtWord("partitioned")) {
    // `partitioned-by Column ( graph operators )`
    Advance();
    if (!ExpectPunct("-") || !ExpectWord("by")) {
      return false;
    }
    NamedExpr key;
    key.pos = PosOf(cur_);
    std::string column;
    if (!ParseNameToken(column) || !ExpectPunct("(")) {
      return false;
    }
    key.expr = MakeName(std::move(column), key.pos);
    op.by.push_back(std::move(key));
    op.right = ParseSubquery();
    return op.right != nullptr && ExpectPunct(")");
  }
  return !Failed();
}

bool Parser::ParseGraphHops(GraphElement& edge) {
  // `*`, `*n`, `*n..m`, `*..m`
  edge.variable = true;
  edge.min_hops = 1;
  edge.max_hops = 1;
  bool has_min = false;
  if (cur_.kind == TokKind::kInt) {
    edge.min_hops = cur_.int_value;
    edge.max_hops = cur_.int_value;
    has_min = true;
    Advance();
  }
  if (AcceptPunct("..")) {
    if (cur_.kind != TokKind::kInt) {
      FailExpected("the maximum number of hops");
      return false;
    }
    edge.max_hops = cur_.int_value;
    Advance();
  } else if (!has_min) {
    FailExpected("a number of hops");
    return false;
  }
  if (edge.min_hops < 0 || edge.max_hops < edge.min_hops || edge.max_hops > kMaxHopsLimit) {
    Fail("KQL0004",
         "variable-length edge bounds must satisfy 0 <= min <= max <= " +
             std::to_string(kMaxHopsLimit),
         cur_);
    return false;
  }
  return !Failed();
}

bool Parser::ParseGraphPattern(std::vector<GraphElement>& pattern) {
  while (!Failed()) {
    GraphElement node;
    node.pos = PosOf(cur_);
    if (!ExpectPunct("(")) {
      return false;
    }
    if (!AtPunct(")") && !ParseNameToken(node.name)) {
      return false;
    }
    if (!ExpectPunct(")")) {
      return false;
    }
    pattern.push_back(std::move(node));
    // An edge: `-[e]->`, `<-[e]-`, `-[e]-`, `-->`, `<--`, `--`.
    if (!AtPunct("-") && !(AtPunct("<") && Peek().IsPunct("-"))) {
      return true;
    }
    GraphElement edge;
    edge.is_edge = true;
    edge.pos = PosOf(cur_);
    const bool backward = AcceptPunct("<");
    if (!ExpectPunct("-")) {
      return false;
    }
    if (AcceptPunct("[")) {
      if (cur_.kind == TokKind::kIdent || AtPunct("[")) {
        if (!ParseNameToken(edge.name)) {
          return false;
        }
      }
      if (AcceptPunct("*") && !ParseGraphHops(edge)) {
        return false;
      }
      if (!ExpectPunct("]")) {
        return false;
      }
    }
    if (!ExpectPunct("-")) {
      return false;
    }
    const bool forward = AcceptPunct(">");
    if (backward && forward) {
      Fail("KQL0004", "a graph edge cannot point both ways", cur_);
      return false;
    }
    edge.direction = forward ? 1 : backward ? -1 : 0;
    pattern.push_back(std::move(edge));
  }
  return false;
}

bool Parser::ParseGraphMatch(Operator& op, bool shortest) {
  op.kind = shortest ? OpKind::kGraphShortestPaths : OpKind::kGraphMatch;
  if (!ParseParams(op, {"cycles", "output"})) {
    return false;
  }
  do {
    std::vector<GraphElement> pattern;
    if (!ParseGraphPattern(pattern)) {
      return false;
    }
    op.graph_patterns.push_back(std::move(pattern));
  } while (AcceptPunct(","));
  if (AcceptWord("where")) {
    op.predicate = ParseExpr();
    if (op.predicate == nullptr) {
      return false;
    }
  }
  if (AcceptWord("project")) {
    return ParseNamedExprList(op.exprs, false);
  }
  return !Failed();
}

bool Parser::ParseGraphMarkComponents(Operator& op) {
  op.kind = OpKind::kGraphMarkComponents;
  return ParseParams(op, {"kind", "with_component_id"});
}

bool Parser::ParseGraphToTable(Operator& op) {
  op.kind = OpKind::kGraphToTable;
  do {
    std::string what;
    const Token what_tok = cur_;
    if (!ParseNameToken(what)) {
      return false;
    }
    what = ToLower(what);
    if (what != "nodes" && what != "edges") {
      Fail("KQL0004", "graph-to-table expects 'nodes' or 'edges', found '" + what + "'", what_tok);
      return false;
    }
    op.names.push_back(std::move(what));
    for (int pass = 0; pass < 2; ++pass) {  // `as Name` may come before or after the ids
      if (!ParseParams(op, {"with_node_id", "with_source_id", "with_target_id"})) {
        return false;
      }
      if (pass == 0 && AcceptWord("as")) {
        std::string alias;
        if (!ParseNameToken(alias)) {
          return false;
        }
        op.text += op.text.empty() ? alias : "," + alias;
      }
    }
  } while (AcceptPunct(","));
  return !Failed();
}

}  // namespace vigil::kql::internal

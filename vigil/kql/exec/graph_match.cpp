// graph-match and graph-shortest-paths: enumerates the pattern's matches in a Graph (bounded
// by variable-length edge limits, a match cap, the memory budget and the query deadline), then
// runs the where/project clauses as ordinary where/project over the table of per-match values
// built by graph_rewrite.cpp. Used by graph_model.cpp.
#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <unordered_map>
#include <utility>

#include "vigil/kql/exec/graph_match_internal.h"
#include "vigil/kql/exec/graph_model.h"
#include "vigil/kql/exec/operators2.h"

namespace vigil::kql {
namespace {

using graph::Match;
using graph::Var;

constexpr size_t kMaxMatches = 1'000'000;
constexpr int64_t kMaxTotalHops = 1'000;  // bounds the search's recursion depth
constexpr size_t kNone = static_cast<size_t>(-1);

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return s;
}

enum class Cycles : uint8_t { kUniqueEdges, kNone, kAll };

struct Step {
  bool is_edge = false;
  bool starts_pattern = false;
  size_t var = 0;
  int direction = 1;
  int64_t min_hops = 1;
  int64_t max_hops = 1;
};

class Matcher {
 public:
  Matcher(const Graph& g, std::vector<Step> steps, size_t node_vars, size_t edge_vars,
          Cycles cycles, ExecContext& ctx)
      : g_(g), steps_(std::move(steps)), cycles_(cycles), ctx_(ctx) {
    current_.nodes.assign(node_vars, kNone);
    current_.edges.resize(edge_vars);
    current_.inner.resize(edge_vars);
    visits_.assign(g.node_ids.size(), 0);
    edge_used_.assign(g.edge_props.size(), 0);
  }

  KResult<bool> Run(std::vector<Match>& out) {
    out_ = &out;
    return Visit(0, kNone);
  }

 private:
  KResult<bool> Tick() {
    if ((++work_ & 4095) == 0) {
      return ctx_.Check();
    }
    return true;
  }

  KResult<bool> Record() {
    if (out_->size() >= kMaxMatches) {
      return KErr("KQL0902", "graph pattern has more than 1,000,000 matches: narrow it down");
    }
    out_->push_back(current_);
    size_t bytes = 64 + current_.nodes.size() * sizeof(size_t);
    for (size_t e = 0; e < current_.edges.size(); ++e) {
      bytes += (current_.edges[e].size() + current_.inner[e].size()) * sizeof(size_t) + 48;
    }
    return ctx_.Charge(bytes);
  }

  // Binds node step `step` to `node` and continues; `counted`: already visited by a walk.
  KResult<bool> BindAndVisit(size_t step, size_t node, bool counted) {
    size_t& slot = current_.nodes[steps_[step].var];
    if (slot != kNone) {
      return slot == node ? Visit(step + 1, node) : KResult<bool>(true);
    }
    if (!counted) {
      if (cycles_ == Cycles::kNone && visits_[node] > 0) {
        return true;
      }
      ++visits_[node];
    }
    slot = node;
    auto ok = Visit(step + 1, node);
    slot = kNone;
    if (!counted) {
      --visits_[node];
    }
    return ok;
  }

  KResult<bool> Visit(size_t step, size_t at) {
    auto tick = Tick();
    if (!tick) {
      return tick;
    }
    if (step == steps_.size()) {
      return Record();
    }
    const Step& s = steps_[step];
    if (!s.is_edge) {
      if (!s.starts_pattern) {
        return BindAndVisit(step, at, true);
      }
      const size_t bound = current_.nodes[s.var];
      if (bound != kNone) {
        return Visit(step + 1, bound);
      }
      for (size_t node = 0; node < g_.node_ids.size(); ++node) {
        auto ok = BindAndVisit(step, node, false);
        if (!ok) {
          return ok;
        }
      }
      return true;
    }
    walk_.clear();
    return Walk(step, at, 0);
  }

  KResult<bool> TryEdge(size_t step, size_t edge, size_t next, int64_t hops) {
    auto tick = Tick();
    if (!tick) {
      return tick;
    }
    if (cycles_ != Cycles::kAll && edge_used_[edge] != 0) {
      return true;
    }
    if (cycles_ == Cycles::kNone && visits_[next] > 0) {
      return true;
    }
    ++edge_used_[edge];
    ++visits_[next];
    current_.edges[steps_[step].var].push_back(edge);
    walk_.push_back(next);
    auto ok = Walk(step, next, hops + 1);
    walk_.pop_back();
    current_.edges[steps_[step].var].pop_back();
    --visits_[next];
    --edge_used_[edge];
    return ok;
  }

  KResult<bool> Walk(size_t step, size_t at, int64_t hops) {
    const Step& s = steps_[step];
    if (hops >= s.min_hops) {
      auto& inner = current_.inner[s.var];
      inner.assign(walk_.begin(), walk_.empty() ? walk_.end() : walk_.end() - 1);
      std::vector<size_t> saved_walk = walk_;
      auto ok = Visit(step + 1, at);
      walk_ = std::move(saved_walk);
      if (!ok) {
        return ok;
      }
    }
    if (hops >= s.max_hops) {
      return true;
    }
    const bool forward = s.direction >= 0 || g_.undirected;
    const bool backward = s.direction <= 0 || g_.undirected;
    if (forward) {
      for (const size_t e : g_.out_edges[at]) {
        auto ok = TryEdge(step, e, g_.edge_target[e], hops);
        if (!ok) {
          return ok;
        }
      }
    }
    if (backward) {
      for (const size_t e : g_.in_edges[at]) {
        if (forward && g_.edge_source[e] == g_.edge_target[e]) {
          continue;  // a self-loop was already tried forward
        }
        auto ok = TryEdge(step, e, g_.edge_source[e], hops);
        if (!ok) {
          return ok;
        }
      }
    }
    return true;
  }

  const Graph& g_;
  std::vector<Step> steps_;
  Cycles cycles_;
  ExecContext& ctx_;
  Match current_;
  std::vector<size_t> walk_;
  std::vector<uint32_t> visits_;
  std::vector<uint32_t> edge_used_;
  std::vector<Match>* out_ = nullptr;
  uint64_t work_ = 0;
};

}  // namespace

KResult<PhysOpPtr> PlanGraphMatch(Compiler& c, const Operator& op, const GraphPtr& graph,
                                  ScopePtr scope) {
  const Graph& g = *graph;
  const bool shortest = op.kind == OpKind::kGraphShortestPaths;
  Cycles cycles = shortest ? Cycles::kNone : Cycles::kUniqueEdges;
  bool output_all = false;
  for (const auto& [key, value] : op.params) {
    const std::string v = Lower(value);
    if (key == "cycles" && !shortest) {
      if (v != "all" && v != "none" && v != "unique_edges") {
        return KErr("KQL0110", "cycles must be all, none or unique_edges", op.pos);
      }
      cycles = v == "all" ? Cycles::kAll : v == "none" ? Cycles::kNone : Cycles::kUniqueEdges;
    } else if (key == "output" && shortest) {
      if (v != "any" && v != "all") {
        return KErr("KQL0110", "output must be any or all", op.pos);
      }
      output_all = v == "all";
    } else if (key == "cycles" || key == "output") {
      return KErr("KQL0110", "'" + key + "' is not a parameter of this operator", op.pos);
    }
  }
  // Variables and the flattened steps of all patterns.
  std::map<std::string, Var> vars;
  std::vector<std::string> named;  // named variables in order of appearance
  std::vector<bool> variable;
  std::vector<Step> steps;
  size_t node_vars = 0;
  int64_t total_hops = 0;
  for (const auto& pattern : op.graph_patterns) {
    for (size_t i = 0; i < pattern.size(); ++i) {
      const GraphElement& el = pattern[i];
      Step step;
      step.is_edge = el.is_edge;
      step.starts_pattern = i == 0;
      auto it = el.name.empty() ? vars.end() : vars.find(el.name);
      if (it != vars.end()) {
        if (el.is_edge || it->second.is_edge) {
          return KErr("KQL0110", "graph variable '" + el.name + "' is used more than once", el.pos);
        }
        step.var = it->second.index;
      } else {
        Var var;
        var.is_edge = el.is_edge;
        var.index = el.is_edge ? variable.size() : node_vars;
        if (el.is_edge) {
          variable.push_back(el.variable);
        } else {
          ++node_vars;
        }
        step.var = var.index;
        if (!el.name.empty()) {
          vars[el.name] = var;
          named.push_back(el.name);
        }
      }
      step.direction = el.direction;
      step.min_hops = el.is_edge ? el.min_hops : 0;
      step.max_hops = el.is_edge ? el.max_hops : 0;
      total_hops += step.max_hops;
      steps.push_back(step);
    }
  }
  if (steps.empty()) {
    return KErr("KQL0110", "graph-match expects a pattern", op.pos);
  }
  if (total_hops > kMaxTotalHops) {
    return KErr("KQL0110", "graph pattern allows more than 1000 hops in total", op.pos);
  }
  std::vector<Match> matches;
  Matcher matcher(g, steps, node_vars, variable.size(), cycles, *c.ctx());
  auto ran = matcher.Run(matches);
  if (!ran) {
    return tl::unexpected(ran.error());
  }
  auto clauses = graph::BuildMatchTable(c, g, vars, variable, named, op, matches, scope);
  if (!clauses) {
    return tl::unexpected(clauses.error());
  }
  ExprPtr predicate = clauses->predicate;
  std::vector<NamedExpr> items = std::move(clauses->items);
  const TablePtr table = clauses->table;
  PhysOpPtr current =
      std::make_unique<TableOp>(table, shortest ? "GraphShortestPaths" : "GraphMatch");
  if (predicate) {
    Operator where;
    where.kind = OpKind::kWhere;
    where.pos = op.pos;
    where.predicate = predicate;
    auto filtered = PlanOperator(c, where, std::move(current), scope);
    if (!filtered) {
      return filtered;
    }
    current = std::move(*filtered);
  }
  if (shortest) {
    // Per binding of the pattern's nodes, the paths with the fewest edges (one, or all).
    auto kept = Collect(*current, *c.ctx());
    if (!kept) {
      return tl::unexpected(kept.error());
    }
    const Table& t = **kept;
    std::map<std::vector<size_t>, std::vector<size_t>> best;  // node binding -> rows
    std::map<std::vector<size_t>, size_t> best_len;
    std::vector<std::vector<size_t>> order;
    for (size_t row = 0; row < t.rows; ++row) {
      const Match& m = matches[static_cast<size_t>(CellOrNull(t.cols[0], row).AsInt64())];
      size_t len = 0;
      for (const auto& edges : m.edges) {
        len += edges.size();
      }
      auto it = best_len.find(m.nodes);
      if (it == best_len.end()) {
        best_len[m.nodes] = len;
        best[m.nodes] = {row};
        order.push_back(m.nodes);
      } else if (len < it->second) {
        it->second = len;
        best[m.nodes] = {row};
      } else if (len == it->second && output_all) {
        best[m.nodes].push_back(row);
      }
    }
    auto out = std::make_shared<Table>();
    out->Reset(t.schema);
    for (const auto& key : order) {
      for (const size_t row : best[key]) {
        std::vector<Value> cells;
        for (const auto& col : t.cols) {
          cells.push_back(CellOrNull(col, row));
        }
        auto ok = AppendCharged(*out, cells, *c.ctx());
        if (!ok) {
          return tl::unexpected(ok.error());
        }
      }
    }
    current = std::make_unique<TableOp>(std::move(out), "GraphShortestPaths");
  }
  Operator project;
  project.kind = OpKind::kProject;
  project.pos = op.pos;
  project.exprs = std::move(items);
  return PlanOperator(c, project, std::move(current), scope);
}

}  // namespace vigil::kql

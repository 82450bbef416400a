// Planning of the rarer operators: parse, parse-where, parse-kv, make-series, mv-apply,
// top-nested, search, evaluate (bag_unpack, pivot), externaldata, invoke FileProfile. The
// heavier ones live in ops_parse.cpp, ops_series.cpp and ops_misc2.cpp; search, evaluate and
// mv-apply are here.
#include <algorithm>
#include <map>
#include <unordered_map>

#include "vigil/kql/exec/graph_model.h"
#include "vigil/kql/exec/operators2.h"
#include "vigil/kql/exec/operators3.h"
#include "vigil/kql/exec/plugin_geo_lookup.h"

namespace vigil::kql {

// Shared with compiler_plan.cpp / compiler_ops.cpp.

namespace {

std::string OpName(OpKind kind) {
  switch (kind) {
    case OpKind::kFork: return "fork";
    case OpKind::kFacet: return "facet";
    case OpKind::kPartition: return "partition";
    case OpKind::kScan: return "scan";
    case OpKind::kFind: return "find";
    case OpKind::kSampleDistinct: return "sample-distinct";
    default: return "this operator";
  }
}

// ---------------------------------------------------------------------------------------------
// search

// `term` against one column: has / hasprefix / hassuffix / contains / regex by its wildcards.
ExprPtr TermOnColumn(const ColumnInfo& col, const std::string& term, bool cs, Pos pos) {
  ExprPtr subject = MakeNameExpr(col.name, pos);
  if (col.type != Type::kString) {
    subject = MakeCallExpr("tostring", {subject}, pos);
  }
  std::string t = term;
  const bool lead = !t.empty() && t.front() == '*';
  const bool trail = t.size() > 1 && t.back() == '*';
  if (lead) t.erase(0, 1);
  if (trail && !t.empty()) t.pop_back();
  if (t.find('*') != std::string::npos) {
    std::string rx = cs ? "" : "(?i)";
    rx += lead ? "" : "\\b";
    size_t start = 0;
    while (true) {
      const size_t star = t.find('*', start);
      const size_t len = star == std::string::npos ? std::string::npos : star - start;
      const std::string part = t.substr(start, len);
      for (char ch : part) {
        if (std::string_view("\\.+*?()|[]{}^$").find(ch) != std::string_view::npos) rx += '\\';
        rx += ch;
      }
      if (star == std::string::npos) break;
      rx += ".*";
      start = star + 1;
    }
    rx += trail ? "" : "\\b";
    return MakeBinaryExpr("matches regex", subject, MakeLiteralExpr(Value::String(rx), Type::kString, pos));
  }
  std::string op = lead && trail ? "contains" : lead ? "hassuffix" : trail ? "hasprefix" : "has";
  if (cs) op += "_cs";
  return MakeBinaryExpr(op, subject, MakeLiteralExpr(Value::String(t), Type::kString, pos));
}

ExprPtr TermAnyColumn(const Schema& schema, const std::string& term, bool cs, Pos pos) {
  if (term == "*") {
    return MakeLiteralExpr(Value::Bool(true), Type::kBool, pos);
  }
  ExprPtr out;
  for (const auto& col : schema) {
    if (col.type != Type::kString && col.type != Type::kGuid && col.type != Type::kDynamic) {
      continue;
    }
    ExprPtr one = TermOnColumn(col, term, cs, pos);
    out = out ? MakeBinaryExpr("or", out, one) : one;
  }
  return out ? out : MakeLiteralExpr(Value::Bool(false), Type::kBool, pos);
}

// Rewrites search syntax (bare terms, Col:term) into an ordinary predicate over `schema`.
KResult<ExprPtr> RewriteSearch(const ExprPtr& e, const Schema& schema, bool cs) {
  if (e->kind == ExprKind::kLiteral && e->literal.is_string()) {
    return TermAnyColumn(schema, e->literal.AsString(), cs, e->pos);
  }
  if (e->kind == ExprKind::kBinary && e->op == ":") {
    const Expr& lhs = *e->args[0];
    const Expr& rhs = *e->args[1];
    if (rhs.kind != ExprKind::kLiteral) {
      return KErr("KQL0110", "search: expected a string after ':'", rhs.pos);
    }
    const std::string term = rhs.literal.ToText();
    if (lhs.kind == ExprKind::kStar || (lhs.kind == ExprKind::kName && lhs.name == "*")) {
      return TermAnyColumn(schema, term, cs, e->pos);
    }
    if (lhs.kind != ExprKind::kName) {
      return KErr("KQL0110", "search: expected a column name before ':'", lhs.pos);
    }
    const int idx = FindColumn(schema, lhs.name);
    if (idx < 0) {
      return MakeLiteralExpr(Value::Bool(false), Type::kBool, e->pos);
    }
    return TermOnColumn(schema[static_cast<size_t>(idx)], term, cs, e->pos);
  }
  if ((e->kind == ExprKind::kBinary && (e->op == "and" || e->op == "or")) ||
      (e->kind == ExprKind::kCall && e->name == "not" && e->args.size() == 1)) {
    auto copy = std::make_shared<Expr>(*e);
    for (auto& a : copy->args) {
      auto r = RewriteSearch(a, schema, cs);
      if (!r) {
        return r;
      }
      a = *r;
    }
    return ExprPtr(copy);
  }
  return e;
}

KResult<PhysOpPtr> FilterSearch(Compiler& c, const Operator& op, PhysOpPtr input, ScopePtr scope,
                                bool cs) {
  auto pred = RewriteSearch(op.predicate, input->schema(), cs);
  if (!pred) {
    return tl::unexpected(pred.error());
  }
  Operator where;
  where.kind = OpKind::kWhere;
  where.pos = op.pos;
  where.predicate = *pred;
  return PlanOperator(c, where, std::move(input), scope);
}

KResult<PhysOpPtr> PlanSearch(Compiler& c, const Operator& op, PhysOpPtr input, ScopePtr scope) {
  if (!op.predicate) {
    return KErr("KQL0110", "search needs a predicate", op.pos);
  }
  bool cs = false;
  for (const auto& [k, v] : op.params) {
    if (k == "kind") {
      cs = v == "case_sensitive";
    }
  }
  if (input) {
    return FilterSearch(c, op, std::move(input), scope, cs);
  }
  std::vector<PhysOpPtr> inputs;
  std::vector<std::string> labels;
  auto add_named = [&](const std::string& name, Pos pos) -> KResult<bool> {
    auto planned = PlanNamedTable(c, name, pos, scope);
    if (!planned) {
      return tl::unexpected(planned.error());
    }
    inputs.push_back(std::move(*planned));
    labels.push_back(name);
    return true;
  };
  if (!op.legs.empty()) {
    for (const auto& leg : op.legs) {
      if (leg->ops.size() == 1 && leg->ops[0].kind == OpKind::kSource &&
          leg->ops[0].source->kind == ExprKind::kName) {
        const std::string& name = leg->ops[0].source->name;
        std::vector<std::string> names =
            name.find('*') != std::string::npos ? MatchTableNames(c, name)
                                                : std::vector<std::string>{name};
        for (const auto& n : names) {
          auto ok = add_named(n, leg->pos);
          if (!ok) {
            return tl::unexpected(ok.error());
          }
        }
        continue;
      }
      auto planned = c.PlanPipeline(*leg, scope);
      if (!planned) {
        return planned;
      }
      inputs.push_back(std::move(*planned));
      labels.push_back("search arg" + std::to_string(labels.size()));
    }
  } else {
    for (const auto& n : AllTableNames(c)) {
      auto ok = add_named(n, op.pos);
      if (!ok) {
        return tl::unexpected(ok.error());
      }
    }
  }
  std::vector<PhysOpPtr> filtered;
  std::vector<std::string> kept;
  std::optional<KqlError> first_error;
  for (size_t i = 0; i < inputs.size(); ++i) {
    auto f = FilterSearch(c, op, std::move(inputs[i]), scope, cs);
    if (!f) {
      // A predicate naming a column this table lacks matches nothing in it.
      if (!first_error) {
        first_error = f.error();
      }
      continue;
    }
    filtered.push_back(std::move(*f));
    kept.push_back(labels[i]);
  }
  if (filtered.empty()) {
    if (first_error) {
      return tl::unexpected(*first_error);
    }
    return KErr("KQL0102", "search has no tables to read", op.pos);
  }
  return MakeUnion(std::move(filtered), std::move(kept), "$table", false, c.ctx());
}

// ---------------------------------------------------------------------------------------------
// evaluate bag_unpack / pivot

KResult<PhysOpPtr> PlanBagUnpack(Compiler& c, const Operator& op, const Expr& call,
                                 PhysOpPtr input, ScopePtr scope) {
  if (call.args.empty() || call.args.size() > 4) {
    return KErr("KQL0104", "bag_unpack(): expects a dynamic column [, prefix [, conflict]]",
                call.pos);
  }
  std::string prefix;
  std::string conflict = "error";
  // Positional (column, prefix, columnsConflict) or named arguments (`columnsConflict='x'`,
  // `OutputColumnPrefix='p_'`).
  size_t positional = 0;
  for (size_t i = 1; i < call.args.size(); ++i) {
    const Expr& a = *call.args[i];
    if (a.kind == ExprKind::kBinary && a.op == "=" && a.args[0]->kind == ExprKind::kName) {
      const std::string& key = a.args[0]->name;
      if (a.args[1]->kind != ExprKind::kLiteral) {
        return KErr("KQL0104", "bag_unpack(): '" + key + "' must be a string constant", a.pos);
      }
      if (key == "columnsConflict") {
        conflict = a.args[1]->literal.ToText();
      } else if (key == "OutputColumnPrefix") {
        prefix = a.args[1]->literal.ToText();
      } else if (key != "ignoredProperties") {
        return KErr("KQL0104", "bag_unpack(): unknown argument '" + key + "'", a.pos);
      }
      continue;
    }
    if (a.kind != ExprKind::kLiteral) {
      return KErr("KQL0104", "bag_unpack(): the prefix must be a string constant", call.pos);
    }
    if (positional++ == 0) {
      prefix = a.literal.ToText();
    } else {
      conflict = a.literal.ToText();
    }
  }
  const Schema in = input->schema();
  auto bag = c.BindExpr(*call.args[0], in, scope);
  if (!bag) {
    return tl::unexpected(bag.error());
  }
  const int bag_col = (*bag)->kind == BKind::kColumn ? (*bag)->column : -1;
  auto table = c.Execute(std::move(input));
  if (!table) {
    return tl::unexpected(table.error());
  }
  const Table& t = **table;
  const Chunk data = TableChunk(t);
  std::vector<std::string> keys;
  std::map<std::string, size_t> key_index;
  std::vector<Value> bags(t.rows);
  for (size_t r = 0; r < t.rows; ++r) {
    bags[r] = Eval(**bag, data, r, c.ctx()->eval);
    for (const auto& [k, v] : bags[r].AsBag()) {
      if (key_index.emplace(k, keys.size()).second) {
        keys.push_back(k);
        if (keys.size() > 5000) {
          return KErr("KQL0110", "bag_unpack(): more than 5000 distinct keys", call.pos);
        }
      }
    }
  }
  Schema schema;
  std::vector<int> src_cols;  // input column per output column, or -1 - key index
  for (size_t i = 0; i < in.size(); ++i) {
    if (static_cast<int>(i) != bag_col) {
      schema.push_back(in[i]);
      src_cols.push_back(static_cast<int>(i));
    }
  }
  for (size_t k = 0; k < keys.size(); ++k) {
    const std::string name = prefix + keys[k];
    const int existing = FindColumn(schema, name);
    if (existing >= 0) {
      if (conflict == "keep_source") {
        continue;
      }
      if (conflict == "replace_source") {
        schema[static_cast<size_t>(existing)].type = Type::kDynamic;
        src_cols[static_cast<size_t>(existing)] = -1 - static_cast<int>(k);
        continue;
      }
      return KErr("KQL0110",
                  "bag_unpack(): column '" + name +
                      "' already exists; rename it or pass a prefix or 'replace_source'",
                  call.pos);
    }
    schema.push_back({name, Type::kDynamic});
    src_cols.push_back(-1 - static_cast<int>(k));
  }
  if (c.ctx()->check_only && op.schema.empty()) {
    // Without data the unpacked columns are unknown: like Kusto's binder, Check treats the
    // result as an open schema in which later operators may name any column.
    schema.push_back({std::string(kOpenSchemaColumn), Type::kDynamic});
    src_cols.push_back(INT32_MIN);
  }
  // A declared output schema (`evaluate bag_unpack(x) : (a:string, ...)`) picks and types columns.
  std::vector<Type> types;
  if (!op.schema.empty()) {
    Schema declared;
    std::vector<int> picked;
    for (const auto& [n, ty] : op.schema) {
      const int idx = FindColumn(schema, n);
      declared.push_back({n, ty});
      picked.push_back(idx < 0 ? INT32_MIN : src_cols[static_cast<size_t>(idx)]);
      types.push_back(ty);
    }
    schema = declared;
    src_cols = picked;
  } else {
    for (const auto& col : schema) {
      types.push_back(col.type);
    }
  }
  auto out = std::make_shared<Table>();
  out->Reset(schema);
  std::vector<Value> row(schema.size());
  for (size_t r = 0; r < t.rows; ++r) {
    for (size_t i = 0; i < schema.size(); ++i) {
      const int src = src_cols[i];
      Value v;
      if (src == INT32_MIN) {
        v = Value();
      } else if (src >= 0) {
        v = t.cols[static_cast<size_t>(src)][r];
      } else {
        const Value* x = bags[r].Find(keys[static_cast<size_t>(-1 - src)]);
        v = x != nullptr ? *x : Value();
      }
      row[i] = op.schema.empty() ? v : ToDeclared(v, types[i], c.ctx()->eval.fn);
    }
    auto ok = AppendCharged(*out, row, *c.ctx());
    if (!ok) {
      return tl::unexpected(ok.error());
    }
  }
  return PhysOpPtr(std::make_unique<TableOp>(out, "BagUnpack " + (*bag)->text));
}

KResult<PhysOpPtr> PlanPivot(Compiler& c, const Operator& op, const Expr& call, PhysOpPtr input,
                             ScopePtr scope) {
  if (call.args.empty()) {
    return KErr("KQL0104", "pivot(): expects a pivot column", call.pos);
  }
  const Schema in = input->schema();
  auto pivot = c.BindExpr(*call.args[0], in, scope);
  if (!pivot) {
    return tl::unexpected(pivot.error());
  }
  size_t next = 1;
  const AggregateFunction* fn = Registry::Default().FindAggregate("count");
  std::vector<BExprPtr> agg_args;
  std::vector<Type> agg_types;
  std::string agg_text = "count()";
  if (call.args.size() > 1 && call.args[1]->kind == ExprKind::kCall &&
      Registry::Default().FindAggregate(call.args[1]->name) != nullptr) {
    fn = Registry::Default().FindAggregate(call.args[1]->name);
    agg_text = ExprText(*call.args[1]);
    for (const auto& a : call.args[1]->args) {
      auto b = c.BindExpr(*a, in, scope);
      if (!b) {
        return tl::unexpected(b.error());
      }
      agg_args.push_back(*b);
      agg_types.push_back((*b)->type);
    }
    next = 2;
  }
  std::string error;
  auto out_types = fn->output_types(agg_types, &error);
  if (!out_types || out_types->empty()) {
    return KErr("KQL0104", error.empty() ? "pivot(): invalid aggregation" : error, call.pos);
  }
  Schema schema;
  std::vector<BExprPtr> keys;
  for (; next < call.args.size(); ++next) {
    auto b = c.BindExpr(*call.args[next], in, scope);
    if (!b) {
      return tl::unexpected(b.error());
    }
    keys.push_back(*b);
    schema.push_back({DefaultColumnName(*call.args[next], next + 1), (*b)->type});
  }
  if (keys.empty()) {
    // No key columns named: Kusto groups by every column other than the pivot column and the
    // columns the aggregation reads.
    std::vector<bool> skip(in.size(), false);
    if ((*pivot)->kind == BKind::kColumn) {
      skip[static_cast<size_t>((*pivot)->column)] = true;
    }
    for (const auto& a : agg_args) {
      if (a->kind == BKind::kColumn) {
        skip[static_cast<size_t>(a->column)] = true;
      }
    }
    for (size_t i = 0; i < in.size(); ++i) {
      if (!skip[i]) {
        Expr ref;
        ref.kind = ExprKind::kName;
        ref.name = in[i].name;
        ref.pos = call.pos;
        auto b = c.BindExpr(ref, in, scope);
        if (!b) {
          return tl::unexpected(b.error());
        }
        keys.push_back(*b);
        schema.push_back(in[i]);
      }
    }
  }
  auto table = c.Execute(std::move(input));
  if (!table) {
    return tl::unexpected(table.error());
  }
  const Chunk data = TableChunk(**table);
  // Group keys (first-seen order) x pivot values (sorted) -> aggregate state.
  std::vector<std::vector<Value>> groups;
  std::map<std::string, size_t> group_index;  // JSON of the key tuple
  std::map<std::string, Value> pivot_values;   // column name -> value, sorted by name
  std::map<std::pair<size_t, std::string>, std::unique_ptr<AggregateState>> states;
  std::vector<Value> args(agg_args.size());
  for (size_t r = 0; r < data.rows; ++r) {
    std::vector<Value> key;
    for (const auto& k : keys) {
      key.push_back(Eval(*k, data, r, c.ctx()->eval));
    }
    const std::string key_text = Value::MakeArray(key).ToJson();
    auto [git, inserted] = group_index.emplace(key_text, groups.size());
    if (inserted) {
      groups.push_back(key);
    }
    const Value pv = Eval(**pivot, data, r, c.ctx()->eval);
    const std::string col = pv.ToText();
    pivot_values.emplace(col, pv);
    if (pivot_values.size() > 5000) {
      return KErr("KQL0110", "pivot(): more than 5000 distinct pivot values", call.pos);
    }
    auto& state = states[{git->second, col}];
    if (!state) {
      state = fn->create();
    }
    for (size_t i = 0; i < agg_args.size(); ++i) {
      args[i] = Eval(*agg_args[i], data, r, c.ctx()->eval);
    }
    state->Add(args);
  }
  std::vector<std::string> cols;
  for (const auto& [name, v] : pivot_values) {
    cols.push_back(name);
    schema.push_back({UniqueName(schema, name), (*out_types)[0]});
  }
  Schema declared;
  for (const auto& [n, ty] : op.schema) {
    declared.push_back({n, ty});
  }
  auto out = std::make_shared<Table>();
  out->Reset(op.schema.empty() ? schema : declared);
  for (size_t g = 0; g < groups.size(); ++g) {
    std::vector<Value> row = groups[g];
    for (const auto& col : cols) {
      std::vector<Value> result;
      auto it = states.find({g, col});
      if (it != states.end()) {
        it->second->Finish(result);
      } else {
        fn->create()->Finish(result);
      }
      row.push_back(result.empty() ? Value() : CoerceTo(result[0], (*out_types)[0]));
    }
    if (!op.schema.empty()) {
      // A declared output schema (`evaluate pivot(...) : (a:string, ...)`) picks and types
      // columns; a declared column the data did not produce is null.
      std::vector<Value> picked;
      for (const auto& [n, ty] : op.schema) {
        const int idx = FindColumn(schema, n);
        picked.push_back(idx < 0 ? Value()
                                 : ToDeclared(row[static_cast<size_t>(idx)], ty, c.ctx()->eval.fn));
      }
      row = std::move(picked);
    }
    auto ok = AppendCharged(*out, row, *c.ctx());
    if (!ok) {
      return tl::unexpected(ok.error());
    }
  }
  return PhysOpPtr(std::make_unique<TableOp>(out, "Pivot " + (*pivot)->text + " " + agg_text));
}

KResult<PhysOpPtr> PlanEvaluate(Compiler& c, const Operator& op, PhysOpPtr input, ScopePtr scope) {
  if (op.exprs.empty() || !op.exprs[0].expr || op.exprs[0].expr->kind != ExprKind::kCall) {
    return KErr("KQL0110", "evaluate expects a plugin call", op.pos);
  }
  const Expr& call = *op.exprs[0].expr;
  if (call.name == "bag_unpack" && input) {
    return PlanBagUnpack(c, op, call, std::move(input), scope);
  }
  if (call.name == "pivot" && input) {
    return PlanPivot(c, op, call, std::move(input), scope);
  }
  if ((call.name == "geo_polygon_lookup" || call.name == "geo_line_lookup") && input) {
    return PlanGeoLookup(c, call, std::move(input), scope);
  }
  if (call.name == "sliding_window_counts" && input) {
    return PlanSlidingWindowCounts(c, call, std::move(input), scope);
  }
  if (call.name == "active_users_count" && input) {
    return PlanActiveUsersCount(c, call, std::move(input), scope);
  }
  if (call.name == "rolling_percentile" && input) {
    return PlanRollingPercentile(c, call, std::move(input), scope);
  }
  if (call.name == "rows_near" && input) {
    return PlanRowsNear(c, call, std::move(input), scope);
  }
  if ((call.name == "ipv4_lookup" || call.name == "ipv6_lookup") && input) {
    return PlanIpLookup(c, call, std::move(input), scope);
  }
  return KErr("KQL0106", "evaluate plugin '" + call.name + "' is not supported", call.pos);
}

}  // namespace

KResult<PhysOpPtr> PlanSearchFilter(Compiler& c, const Operator& op, PhysOpPtr input,
                                    ScopePtr scope, bool case_sensitive) {
  return FilterSearch(c, op, std::move(input), std::move(scope), case_sensitive);
}

KResult<PhysOpPtr> PlanMoreOperators(Compiler& c, const Operator& op, PhysOpPtr input,
                                     ScopePtr scope) {
  switch (op.kind) {
    case OpKind::kSearch:
      return PlanSearch(c, op, std::move(input), scope);
    case OpKind::kFind:
      return PlanFind(c, op, std::move(input), scope);
    case OpKind::kExternalData:
      return PlanExternalData(c, op);
    case OpKind::kMakeGraph:
    case OpKind::kGraphMatch:
    case OpKind::kGraphShortestPaths:
    case OpKind::kGraphMarkComponents:
    case OpKind::kGraphToTable:
      return PlanGraphOperator(c, op, std::move(input), scope);
    default:
      break;
  }
  switch (op.kind) {
    case OpKind::kFork:
    case OpKind::kFacet:
    case OpKind::kSampleDistinct:
      return KErr("KQL0106", "operator '" + OpName(op.kind) + "' is not supported", op.pos);
    default:
      break;
  }
  if (!input) {
    return KErr("KQL0110", "this operator needs an input: start the query with a table", op.pos);
  }
  switch (op.kind) {
    case OpKind::kScan:
      return PlanScan(c, op, std::move(input), scope);
    case OpKind::kPartition:
      return PlanPartition(c, op, std::move(input), scope);
    case OpKind::kParse:
    case OpKind::kParseWhere:
      return PlanParse(c, op, std::move(input), scope);
    case OpKind::kParseKv:
      return PlanParseKv(c, op, std::move(input), scope);
    case OpKind::kMakeSeries:
      return PlanMakeSeries(c, op, std::move(input), scope);
    case OpKind::kTopNested:
      return PlanTopNested(c, op, std::move(input), scope);
    case OpKind::kMvApply:
      return PlanMvApply(c, op, std::move(input), scope);
    case OpKind::kEvaluate:
      return PlanEvaluate(c, op, std::move(input), scope);
    case OpKind::kInvoke: {
      const Expr* call = op.exprs.empty() ? nullptr : op.exprs[0].expr.get();
      if (call != nullptr && call->kind == ExprKind::kCall && call->name == "FileProfile") {
        return PlanFileProfile(c, op, std::move(input), scope);
      }
      return KErr("KQL0103",
                  "unknown function '" + (call != nullptr ? call->name : std::string()) +
                      "' for invoke (define it with let, or use FileProfile)",
                  op.pos);
    }
    default:
      return KErr("KQL0106", "operator is not supported", op.pos);
  }
}

}  // namespace vigil::kql

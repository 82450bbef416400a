// Planning of summarize: group keys, aggregate calls (possibly nested in expressions, e.g.
// `sum(x) / count()`), Kusto's default output names, arg_max/arg_min with `*`.
#include "vigil/kql/exec/compiler_internal.h"
#include "vigil/kql/exec/extreme_prefilter_op.h"
#include "vigil/kql/exec/scan_aggregate_op.h"

namespace vigil::kql {

namespace {

// Kusto's default column name prefix for an aggregate.
std::string AggPrefix(const std::string& fn) {
  if (fn == "make_set" || fn == "makeset") return "set";
  if (fn == "make_list" || fn == "makelist") return "list";
  if (fn == "make_set_if") return "set";
  if (fn == "make_list_if") return "list";
  if (fn == "make_bag" || fn == "make_bag_if") return "bag";
  if (fn == "take_any" || fn == "any") return "any";
  if (fn == "take_anyif" || fn == "anyif") return "anyif";
  return fn;
}

const Expr* FirstAggregate(const Expr& e) {
  if (e.kind == ExprKind::kCall && Registry::Default().FindAggregate(e.name) != nullptr) {
    return &e;
  }
  for (const auto& a : e.args) {
    if (const Expr* found = FirstAggregate(*a)) {
      return found;
    }
  }
  return nullptr;
}

// Default output name of a one-output aggregate: `count_`, `sum_X`, `set_X`, `dcount_X`...
std::string DefaultAggName(const Expr& call) {
  std::string arg;
  if (!call.args.empty() && call.args[0]->kind == ExprKind::kName) {
    arg = call.args[0]->name;
  }
  if (call.name == "count" || call.name == "countif") {
    arg.clear();
  }
  return AggPrefix(call.name) + "_" + arg;
}

struct AggCollector {
  Compiler& c;
  const Schema& in;
  ScopePtr scope;
  std::vector<AggSpec> aggs;
  Schema agg_schema;  // output columns of the aggregates (after the keys)
  std::vector<std::string> key_names;
  size_t key_count = 0;

  // Adds one aggregate call; returns the index of its first output in agg_schema.
  KResult<size_t> AddAggregate(const Expr& call, const std::string& explicit_name,
                               const std::vector<std::string>& tuple_names) {
    const AggregateFunction* fn = Registry::Default().FindAggregate(call.name);
    AggSpec spec;
    spec.fn = fn;
    spec.text = ExprText(call);
    std::vector<Type> types;
    std::vector<std::string> out_names;
    const bool is_arg = call.name == "arg_max" || call.name == "arg_min" ||
                        call.name == "argmax" || call.name == "argmin";
    for (size_t i = 0; i < call.args.size(); ++i) {
      const Expr& a = *call.args[i];
      if (a.kind == ExprKind::kStar) {
        for (size_t k = 0; k < in.size(); ++k) {
          bool is_key = false;
          for (const auto& kn : key_names) {
            is_key = is_key || kn == in[k].name;
          }
          const bool is_first = call.args[0]->kind == ExprKind::kName && call.args[0]->name == in[k].name;
          if (is_key || is_first) {
            continue;
          }
          spec.args.push_back(MakeColumn(static_cast<int>(k), in[k].type, in[k].name));
          types.push_back(in[k].type);
          out_names.push_back(in[k].name);
        }
        continue;
      }
      auto b = c.BindExpr(a, in, scope);
      if (!b) {
        return tl::unexpected(b.error());
      }
      spec.args.push_back(*b);
      types.push_back((*b)->type);
      if (is_arg) {
        out_names.push_back(a.kind == ExprKind::kName ? a.name : DefaultColumnName(a, i + 1));
      }
    }
    const int n = static_cast<int>(call.args.size());
    if (n < fn->min_args || (fn->max_args >= 0 && n > fn->max_args && !is_arg)) {
      return KErr("KQL0104", call.name + "(): wrong number of arguments", call.pos);
    }
    std::string error;
    auto out_types = fn->output_types(types, &error);
    if (!out_types) {
      return KErr("KQL0104", error.empty() ? call.name + "(): invalid arguments" : error,
                  call.pos);
    }
    spec.outputs = out_types->size();
    // Names.
    std::string arg_name;
    if (!call.args.empty() && call.args[0]->kind == ExprKind::kName) {
      arg_name = call.args[0]->name;
    }
    std::vector<std::string> names;
    if (!tuple_names.empty()) {
      names = tuple_names;
    } else if (is_arg) {
      names = out_names;
      if (!explicit_name.empty() && !names.empty()) {
        names[0] = explicit_name;
      }
    } else if (call.name == "percentiles" || call.name == "percentiles_array" ||
               (call.name == "percentile" && spec.outputs == 1)) {
      for (size_t i = 1; i < call.args.size(); ++i) {
        std::string p = call.args[i]->kind == ExprKind::kLiteral
                            ? call.args[i]->literal.ToText()
                            : std::to_string(i);
        for (auto& ch : p) {
          if (ch == '.') ch = '_';
        }
        names.push_back("percentile_" + arg_name + "_" + p);
      }
      if (!explicit_name.empty()) {
        names.assign(1, explicit_name);
      }
    } else if (!explicit_name.empty()) {
      names.push_back(explicit_name);
    } else {
      names.push_back(DefaultAggName(call));
    }
    while (names.size() < spec.outputs) {
      names.push_back(AggPrefix(call.name) + "_" + std::to_string(names.size()));
    }
    const size_t first = agg_schema.size();
    for (size_t i = 0; i < spec.outputs; ++i) {
      Schema taken = agg_schema;
      for (size_t k = 0; k < key_count; ++k) {
        taken.insert(taken.begin(), ColumnInfo{key_names[k], Type::kDynamic});
      }
      agg_schema.push_back({UniqueName(taken, names[i]), (*out_types)[i]});
    }
    aggs.push_back(std::move(spec));
    return first;
  }

  // Replaces aggregate calls in `e` with hidden column names; returns the rewritten expression.
  KResult<ExprPtr> Rewrite(const ExprPtr& e) {
    if (e->kind == ExprKind::kCall && Registry::Default().FindAggregate(e->name) != nullptr) {
      auto idx = AddAggregate(*e, "__agg" + std::to_string(aggs.size()), {});
      if (!idx) {
        return tl::unexpected(idx.error());
      }
      auto name = std::make_shared<Expr>();
      name->kind = ExprKind::kName;
      name->name = agg_schema[*idx].name;
      name->pos = e->pos;
      return ExprPtr(name);
    }
    if (e->args.empty()) {
      return e;
    }
    auto copy = std::make_shared<Expr>(*e);
    for (auto& a : copy->args) {
      auto r = Rewrite(a);
      if (!r) {
        return r;
      }
      a = *r;
    }
    return ExprPtr(copy);
  }
};

}  // namespace

namespace {

// `T | summarize arg_max(X, *) by K` straight over a scan: reading every column of every row
// is the cost, so a first pass over X and K finds each group's extreme and the wide pass reads
// only rows carrying one (ExtremePrefilterOp). Only for wide arg_max/arg_min (the `*` form):
// narrow ones are cheaper in one pass.
PhysOpPtr MaybePrefilterExtremes(PhysOpPtr input, const std::vector<BExprPtr>& keys,
                                 const std::vector<AggSpec>& aggs, ExecContext* ctx) {
  constexpr size_t kMinWidth = 8;
  auto* scan = dynamic_cast<ScanOp*>(input.get());
  if (scan == nullptr || scan->started() || keys.empty() || aggs.empty()) {
    return input;
  }
  int value_col = -1;
  bool is_max = true;
  for (size_t i = 0; i < aggs.size(); ++i) {
    const AggSpec& a = aggs[i];
    const bool max = a.fn->name == "arg_max";
    if ((!max && a.fn->name != "arg_min") || a.args.size() < kMinWidth ||
        a.args[0]->kind != BKind::kColumn || (i > 0 && (max != is_max ||
                                                        a.args[0]->column != value_col))) {
      return input;
    }
    is_max = max;
    value_col = a.args[0]->column;
  }
  std::vector<int> key_cols;
  for (const auto& k : keys) {
    if (k->kind != BKind::kColumn) {
      return input;
    }
    key_cols.push_back(k->column);
  }
  return std::make_unique<ExtremePrefilterOp>(std::move(input), scan, value_col,
                                              std::move(key_cols), is_max, ctx);
}

}  // namespace

KResult<PhysOpPtr> PlanSummarize(Compiler& c, const Operator& op, PhysOpPtr input,
                                 ScopePtr scope) {
  const Schema in = input->schema();
  // Keys.
  Schema key_schema;
  std::vector<BExprPtr> keys;
  std::string label = "Aggregate keys=[";
  for (size_t i = 0; i < op.by.size(); ++i) {
    const NamedExpr& ne = op.by[i];
    auto b = c.BindExpr(*ne.expr, in, scope);
    if (!b) {
      return tl::unexpected(b.error());
    }
    std::string name = ne.name;
    if (name.empty()) {
      const Expr& e = *ne.expr;
      if (e.kind == ExprKind::kCall && (e.name == "bin" || e.name == "floor" || e.name == "bin_at") &&
          !e.args.empty() && e.args[0]->kind == ExprKind::kName) {
        name = e.args[0]->name;
      } else {
        name = DefaultColumnName(e, i + 1);
      }
    }
    name = UniqueName(key_schema, name);
    key_schema.push_back({name, (*b)->type});
    keys.push_back(*b);
    label += (i ? ", " : "") + (ne.name.empty() ? (*b)->text : name + "=" + (*b)->text);
  }
  AggCollector col{c, in, scope, {}, {}, {}, key_schema.size()};
  for (const auto& k : key_schema) {
    col.key_names.push_back(k.name);
  }
  // Aggregates; expressions around aggregates are computed by a projection afterwards.
  struct Post {
    std::string name;
    ExprPtr expr;  // null: the aggregate column itself
    size_t agg_col = 0;
  };
  std::vector<Post> post;
  bool needs_post = false;
  for (size_t i = 0; i < op.exprs.size(); ++i) {
    const NamedExpr& ne = op.exprs[i];
    const Expr& e = *ne.expr;
    if (e.kind == ExprKind::kCall && Registry::Default().FindAggregate(e.name) != nullptr) {
      const size_t before = col.agg_schema.size();
      auto idx = col.AddAggregate(e, ne.name, ne.names);
      if (!idx) {
        return tl::unexpected(idx.error());
      }
      for (size_t k = before; k < col.agg_schema.size(); ++k) {
        post.push_back({col.agg_schema[k].name, nullptr, k});
      }
      continue;
    }
    if (!ContainsAggregate(e)) {
      return KErr("KQL0110",
                  "summarize expects aggregate functions; '" + ExprText(e) + "' has none",
                  ne.expr->pos);
    }
    auto rewritten = col.Rewrite(ne.expr);
    if (!rewritten) {
      return tl::unexpected(rewritten.error());
    }
    needs_post = true;
    std::string name = ne.name;
    if (name.empty()) {
      const bool named_arg = e.kind == ExprKind::kCall && !e.args.empty() &&
                             e.args[0]->kind == ExprKind::kBinary && e.args[0]->op == "=";
      const Expr* agg = FirstAggregate(e);
      if (named_arg || agg == nullptr) {
        name = DefaultColumnName(e, i + 1);
      } else {
        // `tostring(make_set(x))`: Kusto names the column after the aggregate inside
        name = DefaultAggName(*agg);
      }
    }
    post.push_back({name, *rewritten, 0});
  }
  Schema schema = key_schema;
  for (const auto& a : col.agg_schema) {
    schema.push_back(a);
  }
  label += "] aggs=[";
  for (size_t i = 0; i < col.aggs.size(); ++i) {
    label += (i ? ", " : "") + col.agg_schema[i < col.agg_schema.size() ? i : 0].name + "=" +
             col.aggs[i].text;
  }
  label += "]";
  input = MaybePrefilterExtremes(std::move(input), keys, col.aggs, c.ctx());
  PhysOpPtr out = MakeScanAggregate(input, schema, keys, col.aggs, label, c.ctx());
  if (!out) {
    out = std::make_unique<SummarizeOp>(std::move(input), schema, keys, col.aggs, label, c.ctx());
  }
  if (!needs_post) {
    return out;
  }
  // Projection: keys, then each requested output in order.
  Schema final_schema = key_schema;
  std::vector<BExprPtr> exprs;
  for (size_t k = 0; k < key_schema.size(); ++k) {
    exprs.push_back(MakeColumn(static_cast<int>(k), key_schema[k].type, key_schema[k].name));
  }
  for (const auto& p : post) {
    if (!p.expr) {
      const size_t idx = key_schema.size() + p.agg_col;
      exprs.push_back(MakeColumn(static_cast<int>(idx), schema[idx].type, schema[idx].name));
      final_schema.push_back(schema[idx]);
      continue;
    }
    auto b = c.BindExpr(*p.expr, schema, scope);
    if (!b) {
      return tl::unexpected(b.error());
    }
    exprs.push_back(*b);
    final_schema.push_back({UniqueName(final_schema, p.name), (*b)->type});
  }
  return PhysOpPtr(std::make_unique<ProjectOp>(std::move(out), final_schema, exprs,
                                               "Project (summarize expressions)", c.ctx()));
}

}  // namespace vigil::kql

// Planning of make-series (a summarize by key and axis bin, then one array per aggregate and
// key), top-nested (recursive grouping of the materialised input) and mv-apply (the subquery
// planned and run over each row's expanded values).
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "vigil/kql/exec/operators2.h"

namespace vigil::kql {

KResult<PhysOpPtr> PlanSummarize(Compiler& c, const Operator& op, PhysOpPtr input, ScopePtr scope);

namespace {

constexpr size_t kMaxSeriesBins = 1'000'000;

KResult<Value> ConstValue(Compiler& c, const Expr& e, ScopePtr scope) {
  auto b = c.BindExpr(e, Schema{}, scope);
  if (!b) {
    return tl::unexpected(b.error());
  }
  Chunk empty;
  return Eval(**b, empty, 0, c.ctx()->eval);
}

// A bin position as a number (ticks for datetime/timespan).
double AxisNumber(const Value& v) {
  return v.kind() == Kind::kReal ? v.AsReal() : static_cast<double>(v.AsInt64());
}

Value AxisValue(Kind kind, double x) {
  switch (kind) {
    case Kind::kDateTime:
      return Value::DateTime(static_cast<int64_t>(std::llround(x)));
    case Kind::kTimeSpan:
      return Value::TimeSpan(static_cast<int64_t>(std::llround(x)));
    case Kind::kReal:
      return Value::Real(x);
    default:
      return Value::Long(static_cast<int64_t>(std::llround(x)));
  }
}

}  // namespace

KResult<PhysOpPtr> PlanMakeSeries(Compiler& c, const Operator& op, PhysOpPtr input,
                                  ScopePtr scope) {
  if (!op.on_expr || op.range_exprs.size() < 3 || !op.range_exprs[2] || op.exprs.empty()) {
    return KErr("KQL0110", "make-series expects: make-series Agg on Axis [from A] [to B] step S",
                op.pos);
  }
  std::optional<Value> from;
  std::optional<Value> to;
  if (op.range_exprs[0]) {
    auto v = ConstValue(c, *op.range_exprs[0], scope);
    if (!v) {
      return tl::unexpected(v.error());
    }
    from = *v;
  }
  if (op.range_exprs[1]) {
    auto v = ConstValue(c, *op.range_exprs[1], scope);
    if (!v) {
      return tl::unexpected(v.error());
    }
    to = *v;
  }
  auto step_v = ConstValue(c, *op.range_exprs[2], scope);
  if (!step_v) {
    return tl::unexpected(step_v.error());
  }
  if (!(step_v->is_number() || step_v->kind() == Kind::kTimeSpan) || AxisNumber(*step_v) <= 0) {
    return KErr("KQL0110", "make-series: step must be a positive constant", op.range_exprs[2]->pos);
  }
  const double step = AxisNumber(*step_v);
  std::vector<Value> defaults;
  for (size_t i = 0; i < op.exprs.size(); ++i) {
    if (i < op.defaults.size() && op.defaults[i]) {
      auto v = ConstValue(c, *op.defaults[i], scope);
      if (!v) {
        return tl::unexpected(v.error());
      }
      defaults.push_back(*v);
    } else {
      defaults.push_back(Value::Long(0));
    }
  }
  // summarize Aggs by Keys..., __bin = bin[_at](Axis, step[, from])
  Operator sum;
  sum.kind = OpKind::kSummarize;
  sum.pos = op.pos;
  sum.exprs = op.exprs;
  sum.by = op.by;
  NamedExpr bin;
  bin.name = "__series_bin";
  bin.pos = op.on_expr->pos;
  bin.expr = from ? MakeCallExpr("bin_at", {op.on_expr, op.range_exprs[2], op.range_exprs[0]}, bin.pos)
                  : MakeCallExpr("bin", {op.on_expr, op.range_exprs[2]}, bin.pos);
  sum.by.push_back(bin);
  auto summarized = PlanSummarize(c, sum, std::move(input), scope);
  if (!summarized) {
    return summarized;
  }
  const Schema sschema = (*summarized)->schema();
  const size_t nkeys = op.by.size();
  const size_t naggs = sschema.size() - nkeys - 1;
  Schema schema;
  for (size_t k = 0; k < nkeys; ++k) {
    schema.push_back(sschema[k]);
  }
  for (size_t a = 0; a < naggs; ++a) {
    schema.push_back({sschema[nkeys + 1 + a].name, Type::kDynamic});
  }
  std::string axis_name = DefaultColumnName(*op.on_expr, 1);
  schema.push_back({UniqueName(schema, axis_name), Type::kDynamic});
  ExecContext* ctx = c.ctx();
  const Pos pos = op.pos;
  auto transform = [ctx, schema, nkeys, naggs, from, to, step, defaults,
                    pos](const Table& t) -> KResult<TablePtr> {
    auto out = std::make_shared<Table>();
    out->Reset(schema);
    const size_t bin_col = nkeys;
    Kind axis_kind = from ? from->kind() : Kind::kNull;
    double start = from ? AxisNumber(*from) : 0;
    bool have_start = from.has_value() && !from->is_null();
    double max_bin = 0;
    bool any = false;
    for (size_t r = 0; r < t.rows; ++r) {
      const Value& b = t.cols[bin_col][r];
      if (b.is_null()) {
        continue;
      }
      axis_kind = axis_kind == Kind::kNull ? b.kind() : axis_kind;
      const double x = AxisNumber(b);
      if (!from) {
        start = have_start ? std::min(start, x) : x;
        have_start = true;
      }
      max_bin = any ? std::max(max_bin, x) : x;
      any = true;
    }
    if (!any || !have_start) {
      return TablePtr(out);
    }
    const double end = to && !to->is_null() ? AxisNumber(*to) : max_bin + step;
    const double span = std::ceil((end - start) / step);
    if (span > static_cast<double>(kMaxSeriesBins)) {
      return KErr("KQL0110", "make-series would produce more than 1,000,000 bins per series",
                  pos);
    }
    const size_t nbins = span > 0 ? static_cast<size_t>(span) : 0;
    // Group by the key columns, first-seen order.
    std::unordered_map<std::vector<Value>, size_t, std::function<size_t(const std::vector<Value>&)>,
                       std::function<bool(const std::vector<Value>&, const std::vector<Value>&)>>
        groups(16,
               [](const std::vector<Value>& v) {
                 size_t h = 0;
                 for (const auto& x : v) h = h * 31 + HashValue(x);
                 return h;
               },
               [](const std::vector<Value>& a, const std::vector<Value>& b) {
                 for (size_t i = 0; i < a.size(); ++i) {
                   if (!ValuesEqual(a[i], b[i]) || a[i].kind() != b[i].kind()) return false;
                 }
                 return true;
               });
    std::vector<std::vector<Value>> keys;
    std::vector<std::vector<Array>> series;
    for (size_t r = 0; r < t.rows; ++r) {
      const Value& b = t.cols[bin_col][r];
      if (b.is_null()) {
        continue;
      }
      const double idx_d = std::floor((AxisNumber(b) - start) / step + 1e-9);
      if (idx_d < 0 || idx_d >= static_cast<double>(nbins)) {
        continue;
      }
      std::vector<Value> key;
      for (size_t k = 0; k < nkeys; ++k) {
        key.push_back(t.cols[k][r]);
      }
      auto [it, inserted] = groups.try_emplace(key, keys.size());
      if (inserted) {
        auto charged = ctx->Charge(nbins * naggs * sizeof(Value));
        if (!charged) {
          return tl::unexpected(charged.error());
        }
        keys.push_back(key);
        std::vector<Array> arrays;
        for (size_t a = 0; a < naggs; ++a) {
          arrays.emplace_back(nbins, defaults[std::min(a, defaults.size() - 1)]);
        }
        series.push_back(std::move(arrays));
      }
      for (size_t a = 0; a < naggs; ++a) {
        const Value& v = t.cols[nkeys + 1 + a][r];
        series[it->second][a][static_cast<size_t>(idx_d)] =
            v.is_null() ? defaults[std::min(a, defaults.size() - 1)] : v;
      }
    }
    Array axis;
    for (size_t i = 0; i < nbins; ++i) {
      axis.push_back(AxisValue(axis_kind, start + static_cast<double>(i) * step));
    }
    const Value axis_value = Value::MakeArray(std::move(axis));
    for (size_t g = 0; g < keys.size(); ++g) {
      std::vector<Value> row = keys[g];
      for (auto& arr : series[g]) {
        row.push_back(Value::MakeArray(std::move(arr)));
      }
      row.push_back(axis_value);
      out->AppendRow(row);
    }
    return TablePtr(out);
  };
  return PhysOpPtr(std::make_unique<MaterializeOp>(std::move(*summarized), schema, transform,
                                                   "MakeSeries", ctx));
}

// ---------------------------------------------------------------------------------------------
// top-nested

namespace {

struct NestLevel {
  BExprPtr of;
  const AggregateFunction* fn = nullptr;
  std::vector<BExprPtr> args;
  size_t limit = SIZE_MAX;
  bool with_others = false;
  Value others;
  bool ascending = false;
};

struct Nester {
  const std::vector<NestLevel>& levels;
  const Chunk& data;
  ExecContext* ctx;
  Table& out;

  Value Aggregate(const NestLevel& l, const std::vector<size_t>& rows) {
    auto state = l.fn->create();
    std::vector<Value> args(l.args.size());
    for (size_t r : rows) {
      for (size_t i = 0; i < l.args.size(); ++i) {
        args[i] = Eval(*l.args[i], data, r, ctx->eval);
      }
      state->Add(args);
    }
    std::vector<Value> result;
    state->Finish(result);
    return result.empty() ? Value() : result[0];
  }

  KResult<bool> Run(size_t level, const std::vector<size_t>& rows, std::vector<Value>& prefix) {
    auto ok = ctx->Check();
    if (!ok) {
      return ok;
    }
    const NestLevel& l = levels[level];
    std::unordered_map<Value, size_t, ValueHash, ValueEq> index;
    std::vector<Value> values;
    std::vector<std::vector<size_t>> members;
    for (size_t r : rows) {
      Value v = Eval(*l.of, data, r, ctx->eval);
      auto [it, inserted] = index.try_emplace(v, values.size());
      if (inserted) {
        values.push_back(v);
        members.emplace_back();
      }
      members[it->second].push_back(r);
    }
    std::vector<Value> aggs;
    std::vector<size_t> order(values.size());
    for (size_t g = 0; g < values.size(); ++g) {
      aggs.push_back(Aggregate(l, members[g]));
      order[g] = g;
    }
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      const int cmp = CompareValues(aggs[a], aggs[b]);
      if (cmp != 0) {
        return l.ascending ? cmp < 0 : cmp > 0;
      }
      return CompareValues(values[a], values[b]) < 0;
    });
    const size_t keep = std::min(l.limit, order.size());
    for (size_t i = 0; i < keep; ++i) {
      const size_t g = order[i];
      prefix.push_back(values[g]);
      prefix.push_back(aggs[g]);
      if (level + 1 < levels.size()) {
        auto r = Run(level + 1, members[g], prefix);
        if (!r) {
          return r;
        }
      } else {
        auto r = AppendCharged(out, prefix, *ctx);
        if (!r) {
          return r;
        }
      }
      prefix.resize(prefix.size() - 2);
    }
    if (l.with_others && keep < order.size()) {
      std::vector<size_t> rest;
      for (size_t i = keep; i < order.size(); ++i) {
        rest.insert(rest.end(), members[order[i]].begin(), members[order[i]].end());
      }
      std::vector<Value> row = prefix;
      row.push_back(l.others);
      row.push_back(Aggregate(l, rest));
      row.resize(out.schema.size());
      auto r = AppendCharged(out, row, *ctx);
      if (!r) {
        return r;
      }
    }
    return true;
  }
};

}  // namespace

KResult<PhysOpPtr> PlanTopNested(Compiler& c, const Operator& op, PhysOpPtr input,
                                 ScopePtr scope) {
  const Schema in = input->schema();
  std::vector<NestLevel> levels;
  Schema schema;
  for (const auto& lv : op.levels) {
    NestLevel l;
    auto of = c.BindExpr(*lv.of.expr, in, scope);
    if (!of) {
      return tl::unexpected(of.error());
    }
    l.of = *of;
    std::string of_name =
        lv.of.name.empty() ? DefaultColumnName(*lv.of.expr, schema.size() + 1) : lv.of.name;
    const Expr& agg = *lv.by.expr;
    l.fn = agg.kind == ExprKind::kCall ? Registry::Default().FindAggregate(agg.name) : nullptr;
    if (l.fn == nullptr) {
      return KErr("KQL0110", "top-nested: 'by' needs an aggregate such as count() or sum(x)",
                  agg.pos);
    }
    std::vector<Type> types;
    for (const auto& a : agg.args) {
      auto b = c.BindExpr(*a, in, scope);
      if (!b) {
        return tl::unexpected(b.error());
      }
      l.args.push_back(*b);
      types.push_back((*b)->type);
    }
    std::string error;
    auto out_types = l.fn->output_types(types, &error);
    if (!out_types || out_types->empty()) {
      return KErr("KQL0104", error.empty() ? agg.name + "(): invalid arguments" : error, agg.pos);
    }
    if (lv.count) {
      auto n = ConstValue(c, *lv.count, scope);
      if (!n) {
        return tl::unexpected(n.error());
      }
      if (!n->is_integral() || n->AsInt64() < 0) {
        return KErr("KQL0110", "top-nested: expected a non-negative row count", lv.count->pos);
      }
      l.limit = static_cast<size_t>(n->AsInt64());
    }
    if (lv.with_others && lv.others) {
      auto v = ConstValue(c, *lv.others, scope);
      if (!v) {
        return tl::unexpected(v.error());
      }
      l.with_others = true;
      l.others = CoerceTo(*v, l.of->type);
    }
    l.ascending = lv.ascending;
    const std::string agg_name = lv.by.name.empty() ? "aggregated_" + of_name : lv.by.name;
    schema.push_back({UniqueName(schema, of_name), l.of->type});
    schema.push_back({UniqueName(schema, agg_name), (*out_types)[0]});
    levels.push_back(std::move(l));
  }
  if (levels.empty()) {
    return KErr("KQL0110", "top-nested needs at least one level", op.pos);
  }
  ExecContext* ctx = c.ctx();
  auto transform = [ctx, schema, levels](const Table& t) -> KResult<TablePtr> {
    Chunk data;
    data.rows = t.rows;
    data.cols = t.cols;
    auto out = std::make_shared<Table>();
    out->Reset(schema);
    std::vector<size_t> all(t.rows);
    for (size_t r = 0; r < t.rows; ++r) {
      all[r] = r;
    }
    Nester nester{levels, data, ctx, *out};
    std::vector<Value> prefix;
    auto ok = nester.Run(0, all, prefix);
    if (!ok) {
      return tl::unexpected(ok.error());
    }
    return TablePtr(out);
  };
  return PhysOpPtr(std::make_unique<MaterializeOp>(std::move(input), schema, transform,
                                                   "TopNested levels=" +
                                                       std::to_string(levels.size()),
                                                   ctx));
}

// ---------------------------------------------------------------------------------------------
// mv-apply

namespace {

}  // namespace

KResult<PhysOpPtr> PlanMvApply(Compiler& c, const Operator& op, PhysOpPtr input,
                               ScopePtr scope) {
  if (!op.right || op.exprs.empty()) {
    return KErr("KQL0110", "mv-apply expects: mv-apply Column on (Subquery)", op.pos);
  }
  const Schema in = input->schema();
  std::string index_name;
  for (const auto& [k, v] : op.params) {
    if (k == "with_itemindex" || k == "itemindex") {
      index_name = v;
    }
  }
  size_t limit = SIZE_MAX;
  if (op.count) {
    auto b = c.BindExpr(*op.count, Schema{}, scope);
    if (!b) {
      return tl::unexpected(b.error());
    }
    if ((*b)->kind == BKind::kConst && (*b)->constant.is_integral()) {
      limit = static_cast<size_t>(std::max<int64_t>(0, (*b)->constant.AsInt64()));
    }
  }
  // Each subtable is the mv-expand of one record, so it holds the record's other columns too
  // (the subquery may read them); an expanded column replaces the input column of its name.
  Schema sub_schema = in;
  std::vector<int> expanded_at;  // sub_schema position per expression
  std::vector<bool> replaced(in.size(), false);
  std::vector<BExprPtr> exprs;
  std::vector<Type> types;
  for (size_t i = 0; i < op.exprs.size(); ++i) {
    const NamedExpr& ne = op.exprs[i];
    auto b = c.BindExpr(*ne.expr, in, scope);
    if (!b) {
      return tl::unexpected(b.error());
    }
    const Type to = i < op.types.size() ? op.types[i] : Type::kDynamic;
    const std::string name = ne.name.empty() ? DefaultColumnName(*ne.expr, i + 1) : ne.name;
    const int same = FindColumn(in, name);
    if (same >= 0 && !replaced[static_cast<size_t>(same)]) {
      replaced[static_cast<size_t>(same)] = true;
      sub_schema[static_cast<size_t>(same)].type = to;
      expanded_at.push_back(same);
    } else {
      expanded_at.push_back(static_cast<int>(sub_schema.size()));
      sub_schema.push_back({UniqueName(sub_schema, name), to});
    }
    exprs.push_back(*b);
    types.push_back(to);
  }
  if (!index_name.empty()) {
    sub_schema.push_back({index_name, Type::kLong});
  }
  // Plan the subquery once over an empty table for its output schema (and its errors).
  auto empty = std::make_shared<Table>();
  empty->Reset(sub_schema);
  auto probe = c.PlanPipeline(*op.right, scope, std::make_unique<TableOp>(empty, "MvApplyRows"));
  if (!probe) {
    return probe;
  }
  const Schema sub_out = (*probe)->schema();
  Schema schema;
  std::vector<int> kept;  // input columns the subquery dropped, added back to its rows
  for (size_t i = 0; i < in.size(); ++i) {
    if (!replaced[i] && FindColumn(sub_out, in[i].name) < 0) {
      kept.push_back(static_cast<int>(i));
      schema.push_back(in[i]);
    }
  }
  for (const auto& col : sub_out) {
    schema.push_back({UniqueName(schema, col.name), col.type});
  }
  Compiler* cp = &c;
  PipelinePtr right = op.right;
  auto transform = [cp, scope, right, schema, sub_schema, sub_out, kept, exprs, types, limit,
                    expanded_at,
                    has_index = !index_name.empty()](const Table& t) -> KResult<TablePtr> {
    ExecContext* ctx = cp->ctx();
    const Chunk data = TableChunk(t);
    auto out = std::make_shared<Table>();
    out->Reset(schema);
    for (size_t r = 0; r < t.rows; ++r) {
      auto ok = ctx->Check();
      if (!ok) {
        return tl::unexpected(ok.error());
      }
      std::vector<Array> lists(exprs.size());
      size_t n = 0;
      for (size_t i = 0; i < exprs.size(); ++i) {
        Value v = Eval(*exprs[i], data, r, ctx->eval);
        if (v.is_array()) {
          lists[i] = v.AsArray();
        } else if (v.is_bag()) {
          for (const auto& [k, x] : v.AsBag()) {
            lists[i].push_back(Value::MakeBag({{k, x}}));
          }
        } else if (!v.is_null()) {
          lists[i].push_back(v);
        }
        n = std::max(n, lists[i].size());
      }
      n = std::min(n, limit);
      auto rows = std::make_shared<Table>();
      rows->Reset(sub_schema);
      for (size_t k = 0; k < n; ++k) {
        std::vector<Value> row(sub_schema.size());
        for (size_t col = 0; col < t.cols.size(); ++col) {
          row[col] = t.cols[col][r];
        }
        for (size_t i = 0; i < exprs.size(); ++i) {
          Value v = k < lists[i].size() ? lists[i][k] : Value();
          row[static_cast<size_t>(expanded_at[i])] =
              types[i] == Type::kDynamic ? v : ToDeclared(v, types[i], ctx->eval.fn);
        }
        if (has_index) {
          row.back() = Value::Long(static_cast<int64_t>(k));
        }
        rows->AppendRow(row);
      }
      auto plan = cp->PlanPipeline(*right, scope, std::make_unique<TableOp>(rows, "MvApplyRows"));
      if (!plan) {
        return tl::unexpected(plan.error());
      }
      auto result = cp->Execute(std::move(*plan));
      if (!result) {
        return tl::unexpected(result.error());
      }
      const Table& sub = **result;
      if (sub.schema.size() != sub_out.size()) {
        return KErr("KQL0110", "mv-apply: the subquery's columns depend on the data");
      }
      for (size_t sr = 0; sr < sub.rows; ++sr) {
        std::vector<Value> row;
        for (int col : kept) {
          row.push_back(t.cols[static_cast<size_t>(col)][r]);
        }
        for (size_t col = 0; col < sub.cols.size(); ++col) {
          row.push_back(sub.cols[col][sr]);
        }
        auto appended = AppendCharged(*out, row, *ctx);
        if (!appended) {
          return tl::unexpected(appended.error());
        }
      }
    }
    return TablePtr(out);
  };
  return PhysOpPtr(std::make_unique<MaterializeOp>(std::move(input), schema, transform,
                                                   "MvApply", c.ctx()));
}


}  // namespace vigil::kql

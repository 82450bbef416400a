// evaluate rolling_percentile(ValueColumn, Percentile, IndexColumn, BinSize, BinsToLookback
// [, dim1, ...]): for each bin of IndexColumn that has rows (per dimension values), the
// nearest-rank percentile of ValueColumn over that bin and the BinsToLookback - 1 bins before
// it. Output: IndexColumn (the bin), dims, rolling_<N>_percentile_<Value>_<Percentile>.
// Planned from PlanEvaluate (compiler_ops3.cpp); reads its input to the end.
#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>
#include <utility>

#include "vigil/kql/exec/operators3.h"

namespace vigil::kql {

KResult<PhysOpPtr> PlanRollingPercentile(Compiler& c, const Expr& call, PhysOpPtr input,
                                         ScopePtr scope) {
  const std::string name = "rolling_percentile";
  if (call.args.size() < 5) {
    return KErr("KQL0104",
                name +
                    " expects (ValueColumn, Percentile, IndexColumn, BinSize, "
                    "BinsToLookback [, dim1, ...])",
                call.pos);
  }
  const Schema in = input->schema();
  auto value = PluginColumn(in, *call.args[0], name);
  auto index = PluginColumn(in, *call.args[2], name);
  if (!value || !index) {
    return tl::unexpected(!value ? value.error() : index.error());
  }
  auto pct = PluginConstant(c, *call.args[1], scope, name);
  auto size = PluginConstant(c, *call.args[3], scope, name);
  auto lookback = PluginConstant(c, *call.args[4], scope, name);
  if (!pct || !size || !lookback) {
    return tl::unexpected(!pct ? pct.error() : !size ? size.error() : lookback.error());
  }
  const Type index_type = in[static_cast<size_t>(*index)].type;
  const bool time_index = index_type == Type::kDateTime || index_type == Type::kTimeSpan;
  const bool int_index = index_type == Type::kInt || index_type == Type::kLong;
  if (!pct->is_number() || pct->AsReal() < 0 || pct->AsReal() > 100 || !lookback->is_number() ||
      lookback->AsReal() < 1 || (!time_index && !int_index) ||
      (time_index && size->kind() != Kind::kTimeSpan) || (int_index && !size->is_number()) ||
      size->AsReal() <= 0) {
    return KErr("KQL0104",
                name +
                    ": Percentile must be 0..100, IndexColumn a datetime, timespan or "
                    "integer with a matching positive BinSize, BinsToLookback at least 1",
                call.pos);
  }
  const double p = pct->AsReal();
  const int64_t bin = size->kind() == Kind::kTimeSpan
                          ? size->AsInt64()
                          : std::max<int64_t>(1, static_cast<int64_t>(size->AsReal()));
  const int64_t bins_back = static_cast<int64_t>(lookback->AsReal());
  std::vector<int> dims;
  Schema schema{in[static_cast<size_t>(*index)]};
  for (size_t i = 5; i < call.args.size(); ++i) {
    auto d = PluginColumn(in, *call.args[i], name);
    if (!d) {
      return tl::unexpected(d.error());
    }
    dims.push_back(*d);
    schema.push_back(in[static_cast<size_t>(*d)]);
  }
  std::string pct_text = pct->ToText();
  std::replace(pct_text.begin(), pct_text.end(), '.', '_');
  const Schema::value_type& value_col = in[static_cast<size_t>(*value)];
  schema.push_back(
      {"rolling_" + std::to_string(bins_back) + "_percentile_" + value_col.name + "_" + pct_text,
       value_col.type});
  Compiler* cp = &c;
  const int value_idx = *value;
  const int index_idx = *index;
  auto make_index = [index_type](int64_t v) {
    switch (index_type) {
      case Type::kDateTime:
        return Value::DateTime(v);
      case Type::kTimeSpan:
        return Value::TimeSpan(v);
      case Type::kInt:
        return Value::Int(v);
      default:
        return Value::Long(v);
    }
  };
  auto transform = [cp, schema, dims, value_idx, index_idx, bin, bins_back, p,
                    make_index](const Table& t) -> KResult<TablePtr> {
    ExecContext* ctx = cp->ctx();
    std::unordered_map<Value, size_t, ValueHash, ValueEq> order;
    std::vector<Array> keys;
    std::vector<std::map<int64_t, std::vector<Value>>> bins;  // per key: bin -> values
    for (size_t r = 0; r < t.rows; ++r) {
      const Value idx = CellOrNull(t.cols[static_cast<size_t>(index_idx)], r);
      const Value v = CellOrNull(t.cols[static_cast<size_t>(value_idx)], r);
      if (idx.is_null() || !v.is_number()) {
        continue;
      }
      Array key;
      for (int d : dims) {
        key.push_back(CellOrNull(t.cols[static_cast<size_t>(d)], r));
      }
      auto [it, fresh] = order.emplace(Value::MakeArray(key), keys.size());
      if (fresh) {
        keys.push_back(std::move(key));
        bins.emplace_back();
      }
      const int64_t raw = idx.AsInt64();
      const int64_t b = (raw / bin - ((raw % bin != 0) && (raw < 0))) * bin;
      bins[it->second][b].push_back(v);
    }
    auto out = std::make_shared<Table>();
    out->Reset(schema);
    for (size_t k = 0; k < keys.size(); ++k) {
      for (const auto& [b, unused] : bins[k]) {
        std::vector<Value> window;
        for (auto it = bins[k].lower_bound(b - (bins_back - 1) * bin);
             it != bins[k].end() && it->first <= b; ++it) {
          window.insert(window.end(), it->second.begin(), it->second.end());
        }
        std::sort(window.begin(), window.end(),
                  [](const Value& x, const Value& y) { return x.AsReal() < y.AsReal(); });
        const double rank = std::ceil(p / 100.0 * static_cast<double>(window.size()));
        const size_t pos =
            static_cast<size_t>(std::clamp(rank, 1.0, static_cast<double>(window.size()))) - 1;
        std::vector<Value> row{make_index(b)};
        row.insert(row.end(), keys[k].begin(), keys[k].end());
        row.push_back(window[pos]);
        auto ok = AppendCharged(*out, row, *ctx);
        if (!ok) {
          return tl::unexpected(ok.error());
        }
      }
    }
    return TablePtr(out);
  };
  return PhysOpPtr(std::make_unique<MaterializeOp>(std::move(input), schema, transform,
                                                   "RollingPercentile", c.ctx()));
}

}  // namespace vigil::kql

// evaluate active_users_count(IdColumn, TimelineColumn, Start, End, LookbackWindow, Period,
// ActivePeriodsCount, Bin [, dim1, ...]): per Bin step (aligned to Start) and dimension values,
// the distinct ids with at least one "active" appearance in that step: an appearance between
// Start and End is active when the id appeared in at least ActivePeriodsCount distinct Periods
// within (appearance - LookbackWindow, appearance]. Earlier rows count for the lookback. Steps
// without active ids are left out. Planned from PlanEvaluate (compiler_ops3.cpp).
#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
#include <utility>

#include "vigil/kql/exec/operators3.h"

namespace vigil::kql {

KResult<PhysOpPtr> PlanActiveUsersCount(Compiler& c, const Expr& call, PhysOpPtr input,
                                        ScopePtr scope) {
  const std::string name = "active_users_count";
  const Schema in = input->schema();
  auto args = ParseWindowPluginArgs(c, call, in, scope, name, 6,
                                    "(IdColumn, TimelineColumn, Start, End, LookbackWindow, "
                                    "Period, ActivePeriodsCount, Bin [, dim1, ...])");
  if (!args) {
    return tl::unexpected(args.error());
  }
  const std::vector<Value>& v = args->constants;
  if (v[0].kind() != Kind::kDateTime || v[1].kind() != Kind::kDateTime ||
      v[2].kind() != Kind::kTimeSpan || v[3].kind() != Kind::kTimeSpan || !v[4].is_number() ||
      v[5].kind() != Kind::kTimeSpan || v[3].AsInt64() <= 0 || v[5].AsInt64() <= 0 ||
      v[2].AsInt64() < 0) {
    return KErr("KQL0104",
                name +
                    ": Start and End must be datetimes, LookbackWindow, Period and Bin "
                    "timespans (Period and Bin positive), ActivePeriodsCount a number",
                call.pos);
  }
  const int64_t start = v[0].AsInt64();
  const int64_t end = v[1].AsInt64();
  const int64_t lookback = v[2].AsInt64();
  const int64_t period = v[3].AsInt64();
  const int64_t min_periods = static_cast<int64_t>(v[4].AsReal());
  const int64_t bin = v[5].AsInt64();
  const std::vector<int> dims = args->dims;
  Schema schema = args->schema;
  schema.push_back({"dcount", Type::kLong});
  Compiler* cp = &c;
  const int id_col = args->id_col;
  const int time_col = args->time_col;
  auto floor_div = [](int64_t a, int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
  };
  auto transform = [cp, schema, dims, id_col, time_col, start, end, lookback, period, min_periods,
                    bin, floor_div](const Table& t) -> KResult<TablePtr> {
    ExecContext* ctx = cp->ctx();
    // (dims..., id) -> appearance times; dims -> first-seen order.
    std::unordered_map<Value, std::vector<int64_t>, ValueHash, ValueEq> times;
    std::unordered_map<Value, size_t, ValueHash, ValueEq> dim_order;
    std::vector<Array> dim_keys;
    for (size_t r = 0; r < t.rows; ++r) {
      const Value ts = CellOrNull(t.cols[static_cast<size_t>(time_col)], r);
      const Value idv = CellOrNull(t.cols[static_cast<size_t>(id_col)], r);
      if (ts.kind() != Kind::kDateTime || idv.is_null()) {
        continue;
      }
      Array key;
      for (int d : dims) {
        key.push_back(CellOrNull(t.cols[static_cast<size_t>(d)], r));
      }
      if (dim_order.emplace(Value::MakeArray(key), dim_keys.size()).second) {
        dim_keys.push_back(key);
      }
      key.push_back(idv);
      times[Value::MakeArray(std::move(key))].push_back(ts.AsInt64());
    }
    std::map<std::pair<size_t, int64_t>, std::set<size_t>> active;  // (dims, step) -> ids
    std::unordered_map<Value, size_t, ValueHash, ValueEq> id_index;
    for (auto& [key, ts] : times) {
      std::sort(ts.begin(), ts.end());
      const Array& parts = key.AsArray();
      const Array dim_part(parts.begin(), parts.end() - 1);
      const size_t dim_idx = dim_order.at(Value::MakeArray(dim_part));
      const size_t id_idx = id_index.emplace(parts.back(), id_index.size()).first->second;
      std::map<int64_t, int> periods;  // period -> appearances in the window
      size_t left = 0;
      size_t right = 0;
      for (size_t i = 0; i < ts.size(); ++i) {
        const int64_t now = ts[i];
        while (right < ts.size() && ts[right] <= now) {
          ++periods[floor_div(ts[right], period)];
          ++right;
        }
        while (left < right && ts[left] <= now - lookback) {
          auto it = periods.find(floor_div(ts[left], period));
          if (--it->second == 0) {
            periods.erase(it);
          }
          ++left;
        }
        if (now < start || now > end || static_cast<int64_t>(periods.size()) < min_periods) {
          continue;
        }
        active[{dim_idx, start + floor_div(now - start, bin) * bin}].insert(id_idx);
      }
    }
    auto out = std::make_shared<Table>();
    out->Reset(schema);
    for (const auto& [where, ids] : active) {
      std::vector<Value> row{Value::DateTime(where.second)};
      row.insert(row.end(), dim_keys[where.first].begin(), dim_keys[where.first].end());
      row.push_back(Value::Long(static_cast<int64_t>(ids.size())));
      auto ok = AppendCharged(*out, row, *ctx);
      if (!ok) {
        return tl::unexpected(ok.error());
      }
    }
    return TablePtr(out);
  };
  return PhysOpPtr(std::make_unique<MaterializeOp>(std::move(input), schema, transform,
                                                   "ActiveUsersCount", c.ctx()));
}

}  // namespace vigil::kql

// evaluate sliding_window_counts(IdColumn, TimelineColumn, Start, End, LookbackWindow, Bin
// [, dim1, ...]): for each Bin-wide step from Start to End (and each combination of the
// dimensions), the number of rows and of distinct ids in the LookbackWindow ending with that
// step. Output: TimelineColumn, dims, Count, dcount. Planned from PlanEvaluate
// (compiler_ops3.cpp); reads its input to the end.
#include <algorithm>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "vigil/kql/exec/operators3.h"

namespace vigil::kql {
namespace {

constexpr int64_t kMaxBins = 1'000'000;

}  // namespace

KResult<PhysOpPtr> PlanSlidingWindowCounts(Compiler& c, const Expr& call, PhysOpPtr input,
                                           ScopePtr scope) {
  const std::string name = "sliding_window_counts";
  const Schema in = input->schema();
  auto args = ParseWindowPluginArgs(
      c, call, in, scope, name, 4,
      "(IdColumn, TimelineColumn, Start, End, LookbackWindow, Bin [, dim1, ...])");
  if (!args) {
    return tl::unexpected(args.error());
  }
  const std::vector<Value>& v = args->constants;
  if (v[0].kind() != Kind::kDateTime || v[1].kind() != Kind::kDateTime ||
      v[2].kind() != Kind::kTimeSpan || v[3].kind() != Kind::kTimeSpan || v[2].AsInt64() <= 0 ||
      v[3].AsInt64() <= 0) {
    return KErr("KQL0104",
                name +
                    ": Start and End must be datetimes, LookbackWindow and Bin positive "
                    "timespans",
                call.pos);
  }
  const int64_t start = v[0].AsInt64();
  const int64_t end = v[1].AsInt64();
  const int64_t lookback = v[2].AsInt64();
  const int64_t bin = v[3].AsInt64();
  if (end >= start && (end - start) / bin >= kMaxBins) {
    return KErr("KQL0110", name + ": too many bins between Start and End", call.pos);
  }
  const std::vector<int> dims = args->dims;
  Schema schema = args->schema;
  schema.push_back({"Count", Type::kLong});
  schema.push_back({"dcount", Type::kLong});
  Compiler* cp = &c;
  const int id_col = args->id_col;
  const int time_col = args->time_col;
  auto transform = [cp, schema, dims, id_col, time_col, start, end, lookback,
                    bin](const Table& t) -> KResult<TablePtr> {
    ExecContext* ctx = cp->ctx();
    std::vector<std::vector<Value>> keys;
    std::vector<std::vector<std::pair<int64_t, size_t>>> events;  // (time, row) per key
    std::unordered_map<Value, size_t, ValueHash, ValueEq> index;
    for (size_t r = 0; r < t.rows; ++r) {
      const Value ts = CellOrNull(t.cols[static_cast<size_t>(time_col)], r);
      if (ts.kind() != Kind::kDateTime) {
        continue;
      }
      Array key;
      for (int d : dims) {
        key.push_back(CellOrNull(t.cols[static_cast<size_t>(d)], r));
      }
      auto [it, fresh] = index.emplace(Value::MakeArray(key), keys.size());
      if (fresh) {
        keys.emplace_back(key.begin(), key.end());
        events.emplace_back();
      }
      events[it->second].emplace_back(ts.AsInt64(), r);
    }
    if (dims.empty() && keys.empty()) {
      keys.emplace_back();
      events.emplace_back();
    }
    auto out = std::make_shared<Table>();
    out->Reset(schema);
    for (size_t k = 0; k < keys.size(); ++k) {
      auto& ev = events[k];
      std::sort(ev.begin(), ev.end());
      for (int64_t b = start; b <= end; b += bin) {
        const int64_t hi = b + bin;  // window [hi - lookback, hi)
        const auto from =
            std::lower_bound(ev.begin(), ev.end(), std::make_pair(hi - lookback, size_t{0}));
        const auto to = std::lower_bound(ev.begin(), ev.end(), std::make_pair(hi, size_t{0}));
        std::unordered_set<Value, ValueHash, ValueEq> ids;
        for (auto it = from; it != to; ++it) {
          const Value idv = CellOrNull(t.cols[static_cast<size_t>(id_col)], it->second);
          if (!idv.is_null()) {
            ids.insert(idv);
          }
        }
        std::vector<Value> row{Value::DateTime(b)};
        row.insert(row.end(), keys[k].begin(), keys[k].end());
        row.push_back(Value::Long(static_cast<int64_t>(to - from)));
        row.push_back(Value::Long(static_cast<int64_t>(ids.size())));
        auto ok = AppendCharged(*out, row, *ctx);
        if (!ok) {
          return tl::unexpected(ok.error());
        }
      }
    }
    return TablePtr(out);
  };
  return PhysOpPtr(std::make_unique<MaterializeOp>(std::move(input), schema, transform,
                                                   "SlidingWindowCounts", c.ctx()));
}

}  // namespace vigil::kql

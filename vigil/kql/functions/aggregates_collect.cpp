// Aggregates that keep values: make_set/make_list/make_bag (and _if forms, deprecated
// aliases), arg_max/arg_min and percentile/percentiles/percentiles_array.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "vigil/kql/functions/internal/aggregate_util.h"
#include "vigil/kql/functions/registry.h"

namespace vigil::kql {

namespace {

using internal::ArgError;
using internal::CheckOptionalInteger;
using internal::CheckPredicate;
using internal::ConstantInt;
using internal::IsTrueValue;
using internal::MakeAggregate;
using internal::OutputTypes;

constexpr int64_t kMaxCollectSize = 1048576;     // Kusto's default and maximum
constexpr int64_t kDeprecatedCollectSize = 128;  // makeset/makelist default

bool PassesAt(std::span<const Value> args, int pred_index) {
  return pred_index < 0 ||
         (static_cast<size_t>(pred_index) < args.size() && IsTrueValue(args[pred_index]));
}

// Size limit from the constant argument at `index` (fixed on the first row).
size_t LimitFrom(std::span<const Value> args, size_t index, int64_t fallback) {
  int64_t limit = ConstantInt(args, index, fallback);
  if (limit <= 0 || limit > kMaxCollectSize) {
    limit = limit <= 0 ? fallback : kMaxCollectSize;
  }
  return static_cast<size_t>(limit);
}

// ---- make_set / make_list ----

enum class CollectMode : uint8_t { kSet, kList, kListWithNulls };

class CollectState final : public AggregateState {
 public:
  CollectState(CollectMode mode, int pred_index, size_t limit_index, int64_t default_limit)
      : mode_(mode),
        pred_index_(pred_index),
        limit_index_(limit_index),
        default_limit_(default_limit) {}

  void Add(std::span<const Value> args) override {
    if (limit_ == 0) {
      limit_ = LimitFrom(args, limit_index_, default_limit_);
    }
    if (args.empty() || !PassesAt(args, pred_index_)) {
      return;
    }
    const Value& v = args[0];
    if ((mode_ == CollectMode::kSet || mode_ == CollectMode::kList) && v.is_array()) {
      // make_set and make_list over an array column collect the elements (the documentation's
      // MultiPolygon recipes build `make_list(pack_array(polygon.coordinates))`).
      for (const Value& item : v.AsArray()) {
        Offer(item);
      }
      return;
    }
    Offer(v);
  }

  void Merge(AggregateState& other) override {
    auto* o = dynamic_cast<CollectState*>(&other);
    if (o == nullptr) {
      return;
    }
    if (limit_ == 0) {
      limit_ = o->limit_;
    }
    for (const Value& v : o->items_) {
      Offer(v);
    }
  }

  void Finish(std::vector<Value>& out) override { out.push_back(Value::MakeArray(items_)); }

 private:
  void Offer(const Value& v) {
    if (v.is_null() && mode_ != CollectMode::kListWithNulls) {
      return;
    }
    if (items_.size() >= (limit_ == 0 ? static_cast<size_t>(default_limit_) : limit_)) {
      return;
    }
    if (mode_ == CollectMode::kSet && !seen_.insert(v).second) {
      return;
    }
    items_.push_back(v);
  }

  CollectMode mode_;
  int pred_index_;
  size_t limit_index_;
  int64_t default_limit_;
  size_t limit_ = 0;  // 0 until the first row fixes it
  std::vector<Value> items_;
  std::unordered_set<Value, ValueHash, ValueEq> seen_;
};

// ---- make_bag ----

// Merges property bags; the first value seen for a key wins. Non-bag values are ignored.
class BagState final : public AggregateState {
 public:
  BagState(int pred_index, size_t limit_index)
      : pred_index_(pred_index), limit_index_(limit_index) {}

  void Add(std::span<const Value> args) override {
    if (limit_ == 0) {
      limit_ = LimitFrom(args, limit_index_, kMaxCollectSize);
    }
    if (args.empty() || !args[0].is_bag() || !PassesAt(args, pred_index_)) {
      return;
    }
    AddBag(args[0].AsBag());
  }

  void Merge(AggregateState& other) override {
    auto* o = dynamic_cast<BagState*>(&other);
    if (o == nullptr) {
      return;
    }
    if (limit_ == 0) {
      limit_ = o->limit_;
    }
    AddBag(o->bag_);
  }

  void Finish(std::vector<Value>& out) override { out.push_back(Value::MakeBag(bag_)); }

 private:
  void AddBag(const Bag& bag) {
    const size_t limit = limit_ == 0 ? static_cast<size_t>(kMaxCollectSize) : limit_;
    for (const auto& [key, value] : bag) {
      if (bag_.size() >= limit) {
        return;
      }
      if (keys_.insert(key).second) {
        bag_.emplace_back(key, value);
      }
    }
  }

  int pred_index_;
  size_t limit_index_;
  size_t limit_ = 0;
  Bag bag_;
  std::unordered_set<std::string> keys_;
};

OutputTypes DynamicOutput(std::span<const Type> types, std::string* error, const char* name,
                          int pred_index, size_t limit_index) {
  if (pred_index >= 0 && !CheckPredicate(types, static_cast<size_t>(pred_index), name, error)) {
    return std::nullopt;
  }
  if (!CheckOptionalInteger(types, limit_index, name, error)) {
    return std::nullopt;
  }
  return std::vector<Type>{Type::kDynamic};
}

// ---- arg_max / arg_min ----

// Keeps the row (expression value and extra columns) with the largest / smallest non-null
// expression value; the first such row wins ties. Rows whose expression is null only count
// when no row has a value, in which case the first row is returned.
class ArgExtremeState final : public AggregateState {
 public:
  explicit ArgExtremeState(bool is_max) : is_max_(is_max) {}

  void Add(std::span<const Value> args) override {
    if (args.empty()) {
      return;
    }
    Offer(args);
  }

  void Merge(AggregateState& other) override {
    auto* o = dynamic_cast<ArgExtremeState*>(&other);
    if (o != nullptr && !o->row_.empty()) {
      Offer(o->row_);
    }
  }

  void Finish(std::vector<Value>& out) override { out.insert(out.end(), row_.begin(), row_.end()); }

 private:
  void Offer(std::span<const Value> row) {
    const Value& v = row[0];
    const bool usable = !v.is_null() && !(v.kind() == Kind::kReal && std::isnan(v.AsReal()));
    if (row_.empty()) {
      row_.assign(row.begin(), row.end());
      has_value_ = usable;
      return;
    }
    if (!usable) {
      return;
    }
    if (has_value_) {
      const int c = CompareValues(v, row_[0]);
      if (is_max_ ? c <= 0 : c >= 0) {
        return;
      }
    }
    row_.assign(row.begin(), row.end());
    has_value_ = true;
  }

  bool is_max_;
  bool has_value_ = false;
  std::vector<Value> row_;
};

// ---- percentile / percentiles / percentiles_array ----

// Exact nearest-rank percentiles over the kept values. Beyond kMaxSamples values per group,
// a deterministic reservoir sample keeps memory bounded (the result becomes approximate,
// as Kusto's own percentiles are).
class PercentileState final : public AggregateState {
 public:
  static constexpr size_t kMaxSamples = size_t{1} << 20;

  explicit PercentileState(bool as_array) : as_array_(as_array) {}

  void Add(std::span<const Value> args) override {
    if (!percents_set_) {
      SetPercents(args.size() > 1 ? args.subspan(1) : std::span<const Value>());
    }
    if (args.empty()) {
      return;
    }
    const Value& v = args[0];
    if (v.is_null() ||
        (!v.is_number() && v.kind() != Kind::kDateTime && v.kind() != Kind::kTimeSpan)) {
      return;
    }
    if (v.kind() == Kind::kReal && std::isnan(v.AsReal())) {
      return;
    }
    Offer(v);
  }

  void Merge(AggregateState& other) override {
    auto* o = dynamic_cast<PercentileState*>(&other);
    if (o == nullptr) {
      return;
    }
    if (!percents_set_ && o->percents_set_) {
      percents_ = o->percents_;
      percents_set_ = true;
    }
    for (const Value& v : o->values_) {
      Offer(v);
    }
  }

  void Finish(std::vector<Value>& out) override {
    std::sort(values_.begin(), values_.end(),
              [](const Value& a, const Value& b) { return CompareValues(a, b) < 0; });
    Array results;
    for (const double p : percents_) {
      results.push_back(Pick(p));
    }
    if (as_array_) {
      out.push_back(Value::MakeArray(std::move(results)));
      return;
    }
    out.insert(out.end(), results.begin(), results.end());
  }

 private:
  void SetPercents(std::span<const Value> args) {
    percents_set_ = true;
    for (const Value& p : args) {
      if (p.is_array()) {  // percentiles_array(x, dynamic([50, 95]))
        for (const Value& item : p.AsArray()) {
          percents_.push_back(item.is_number() ? item.AsReal() : -1);
        }
      } else {
        percents_.push_back(p.is_number() ? p.AsReal() : -1);
      }
    }
  }

  void Offer(const Value& v) {
    ++seen_;
    if (values_.size() < kMaxSamples) {
      values_.push_back(v);
      return;
    }
    // Algorithm R with a fixed-seed generator: deterministic for a given input order.
    rng_ = rng_ * 6364136223846793005ULL + 1442695040888963407ULL;
    const uint64_t slot = (rng_ >> 11) % seen_;
    if (slot < kMaxSamples) {
      values_[slot] = v;
    }
  }

  Value Pick(double percent) const {
    if (values_.empty() || !(percent >= 0 && percent <= 100)) {
      return Value();
    }
    const double n = static_cast<double>(values_.size());
    auto rank = static_cast<size_t>(std::ceil(percent / 100.0 * n));
    rank = std::clamp<size_t>(rank, 1, values_.size());
    return values_[rank - 1];
  }

  bool as_array_;
  bool percents_set_ = false;
  std::vector<double> percents_;
  std::vector<Value> values_;
  uint64_t seen_ = 0;
  uint64_t rng_ = 0x9e3779b97f4a7c15ULL;
};

bool IsPercentileInput(Type t) {
  return IsNumeric(t) || t == Type::kDateTime || t == Type::kTimeSpan || t == Type::kDynamic;
}

void RegisterCollect(Registry& r, const char* name, CollectMode mode, bool is_if,
                     int64_t default_limit, std::initializer_list<const char*> aliases) {
  const int pred_index = is_if ? 1 : -1;
  const size_t limit_index = is_if ? 2 : 1;
  internal::AddAggregateWithAliases(
      r,
      MakeAggregate<CollectState>(
          name, is_if ? 2 : 1, is_if ? 3 : 2,
          [name, pred_index, limit_index](std::span<const Type> t, std::string* e) {
            return DynamicOutput(t, e, name, pred_index, limit_index);
          },
          mode, pred_index, limit_index, default_limit),
      aliases);
}

}  // namespace

namespace internal {

void RegisterCollectAggregates(Registry& r) {
  RegisterCollect(r, "make_set", CollectMode::kSet, false, kMaxCollectSize, {});
  RegisterCollect(r, "makeset", CollectMode::kSet, false, kDeprecatedCollectSize, {});
  RegisterCollect(r, "make_set_if", CollectMode::kSet, true, kMaxCollectSize, {});
  RegisterCollect(r, "make_list", CollectMode::kList, false, kMaxCollectSize, {});
  RegisterCollect(r, "makelist", CollectMode::kList, false, kDeprecatedCollectSize, {});
  RegisterCollect(r, "make_list_if", CollectMode::kList, true, kMaxCollectSize, {});
  RegisterCollect(r, "make_list_with_nulls", CollectMode::kListWithNulls, false, kMaxCollectSize,
                  {});

  r.AddAggregate(MakeAggregate<BagState>(
      "make_bag", 1, 2,
      [](std::span<const Type> t, std::string* e) {
        return DynamicOutput(t, e, "make_bag", -1, 1);
      },
      -1, size_t{1}));
  r.AddAggregate(MakeAggregate<BagState>(
      "make_bag_if", 2, 3,
      [](std::span<const Type> t, std::string* e) {
        return DynamicOutput(t, e, "make_bag_if", 1, 2);
      },
      1, size_t{2}));

  auto row_types = [](std::span<const Type> types, std::string*) -> OutputTypes {
    return std::vector<Type>(types.begin(), types.end());
  };
  internal::AddAggregateWithAliases(
      r, MakeAggregate<ArgExtremeState>("arg_max", 1, -1, row_types, true), {"argmax"});
  internal::AddAggregateWithAliases(
      r, MakeAggregate<ArgExtremeState>("arg_min", 1, -1, row_types, false), {"argmin"});

  r.AddAggregate(MakeAggregate<PercentileState>(
      "percentile", 2, 2,
      [](std::span<const Type> types, std::string* error) -> OutputTypes {
        if (types.empty() || !IsPercentileInput(types[0])) {
          return ArgError(error, "percentile", 0, "numeric, datetime or timespan");
        }
        if (types.size() > 1 && !internal::IsNumericOrDynamic(types[1])) {
          return ArgError(error, "percentile", 1, "numeric");
        }
        return std::vector<Type>{types[0]};
      },
      false));
  r.AddAggregate(MakeAggregate<PercentileState>(
      "percentiles", 2, -1,
      [](std::span<const Type> types, std::string* error) -> OutputTypes {
        if (types.empty() || !IsPercentileInput(types[0])) {
          return ArgError(error, "percentiles", 0, "numeric, datetime or timespan");
        }
        for (size_t i = 1; i < types.size(); ++i) {
          if (!internal::IsNumericOrDynamic(types[i])) {
            return ArgError(error, "percentiles", i, "numeric");
          }
        }
        return std::vector<Type>(types.size() - 1, types[0]);
      },
      false));
  r.AddAggregate(MakeAggregate<PercentileState>(
      "percentiles_array", 2, -1,
      [](std::span<const Type> types, std::string* error) -> OutputTypes {
        if (types.empty() || !IsPercentileInput(types[0])) {
          return ArgError(error, "percentiles_array", 0, "numeric, datetime or timespan");
        }
        return std::vector<Type>{Type::kDynamic};
      },
      true));
}

}  // namespace internal

}  // namespace vigil::kql

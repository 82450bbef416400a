// Counting, arithmetic and pick-one aggregates: count, countif, sum(if), avg(if),
// min/max(if), take_any(if) and the variance family. RegisterAggregates also pulls in the
// distinct-count and collecting aggregates from the sibling aggregates_*.cpp files.
#include <cmath>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "vigil/kql/functions/internal/aggregate_util.h"
#include "vigil/kql/functions/registry.h"

namespace vigil::kql {

namespace {

using internal::ArgError;
using internal::CheckPredicate;
using internal::IsNullOrEmpty;
using internal::IsNumericOrDynamic;
using internal::IsTrueValue;
using internal::MakeAggregate;
using internal::OutputTypes;

// ---- count / countif ----

// count() counts rows; count(x) counts rows where x is not null.
class CountState final : public AggregateState {
 public:
  void Add(std::span<const Value> args) override {
    if (args.empty() || !args[0].is_null()) {
      ++count_;
    }
  }
  void Merge(AggregateState& other) override {
    if (auto* o = dynamic_cast<CountState*>(&other)) {
      count_ += o->count_;
    }
  }
  void Finish(std::vector<Value>& out) override { out.push_back(Value::Long(count_)); }

 private:
  int64_t count_ = 0;
};

class CountIfState final : public AggregateState {
 public:
  void Add(std::span<const Value> args) override {
    if (!args.empty() && IsTrueValue(args[0])) {
      ++count_;
    }
  }
  void Merge(AggregateState& other) override {
    if (auto* o = dynamic_cast<CountIfState*>(&other)) {
      count_ += o->count_;
    }
  }
  void Finish(std::vector<Value>& out) override { out.push_back(Value::Long(count_)); }

 private:
  int64_t count_ = 0;
};

// Predicate check for the *if forms: the predicate sits at `pred_index` (or no predicate).
bool Passes(std::span<const Value> args, int pred_index) {
  return pred_index < 0 ||
         (static_cast<size_t>(pred_index) < args.size() && IsTrueValue(args[pred_index]));
}

// ---- sum / sumif ----

// Integers add with wrap-around (no UB on overflow, as Kusto's long arithmetic); any real
// input turns the result real; timespans stay timespans.
class SumState final : public AggregateState {
 public:
  explicit SumState(int pred_index) : pred_index_(pred_index) {}
  void Add(std::span<const Value> args) override {
    if (args.empty() || !Passes(args, pred_index_)) {
      return;
    }
    const Value& v = args[0];
    switch (v.kind()) {
      case Kind::kReal:
        real_sum_ += v.AsReal();
        any_real_ = true;
        break;
      case Kind::kTimeSpan:
        any_timespan_ = true;
        [[fallthrough]];
      case Kind::kInt:
      case Kind::kLong:
        int_sum_ += static_cast<uint64_t>(v.AsInt64());
        break;
      default:
        break;  // null and non-numeric dynamic values are ignored
    }
  }
  void Merge(AggregateState& other) override {
    if (auto* o = dynamic_cast<SumState*>(&other)) {
      int_sum_ += o->int_sum_;
      real_sum_ += o->real_sum_;
      any_real_ = any_real_ || o->any_real_;
      any_timespan_ = any_timespan_ || o->any_timespan_;
    }
  }
  void Finish(std::vector<Value>& out) override {
    const auto int_sum = static_cast<int64_t>(int_sum_);
    if (any_real_) {
      out.push_back(Value::Real(real_sum_ + static_cast<double>(int_sum)));
    } else if (any_timespan_) {
      out.push_back(Value::TimeSpan(int_sum));
    } else {
      out.push_back(Value::Long(int_sum));
    }
  }

 private:
  int pred_index_;
  uint64_t int_sum_ = 0;
  double real_sum_ = 0;
  bool any_real_ = false;
  bool any_timespan_ = false;
};

OutputTypes SumTypes(std::span<const Type> types, std::string* error, const char* name,
                     bool has_pred) {
  if (has_pred && !CheckPredicate(types, 1, name, error)) {
    return std::nullopt;
  }
  const Type t = types.empty() ? Type::kLong : types[0];
  if (t == Type::kInt || t == Type::kLong) {
    return std::vector<Type>{Type::kLong};
  }
  if (t == Type::kReal || t == Type::kDecimal || t == Type::kDynamic) {
    return std::vector<Type>{Type::kReal};
  }
  if (t == Type::kTimeSpan) {
    return std::vector<Type>{Type::kTimeSpan};
  }
  return ArgError(error, name, 0, "numeric");
}

// ---- avg / avgif ----

class AvgState final : public AggregateState {
 public:
  explicit AvgState(int pred_index) : pred_index_(pred_index) {}
  void Add(std::span<const Value> args) override {
    if (args.empty() || !Passes(args, pred_index_)) {
      return;
    }
    const Value& v = args[0];
    switch (v.kind()) {
      case Kind::kReal:
        if (std::isnan(v.AsReal())) {
          return;
        }
        real_sum_ += v.AsReal();
        any_real_ = true;
        break;
      case Kind::kDateTime:
      case Kind::kTimeSpan:
        tick_kind_ = v.kind();
        [[fallthrough]];
      case Kind::kInt:
      case Kind::kLong:
        int_sum_ += v.AsInt64();
        break;
      default:
        return;
    }
    ++count_;
  }
  void Merge(AggregateState& other) override {
    if (auto* o = dynamic_cast<AvgState*>(&other)) {
      int_sum_ += o->int_sum_;
      real_sum_ += o->real_sum_;
      count_ += o->count_;
      any_real_ = any_real_ || o->any_real_;
      if (o->tick_kind_ != Kind::kNull) {
        tick_kind_ = o->tick_kind_;
      }
    }
  }
  void Finish(std::vector<Value>& out) override {
    if (count_ == 0) {
      out.emplace_back();
      return;
    }
    if (tick_kind_ != Kind::kNull && !any_real_) {
      const auto ticks = static_cast<int64_t>(int_sum_ / count_);
      out.push_back(tick_kind_ == Kind::kDateTime ? Value::DateTime(ticks)
                                                  : Value::TimeSpan(ticks));
      return;
    }
    const double total = real_sum_ + static_cast<double>(int_sum_);
    out.push_back(Value::Real(total / static_cast<double>(count_)));
  }

 private:
  int pred_index_;
  __int128 int_sum_ = 0;  // exact for any number of 64-bit ticks
  double real_sum_ = 0;
  int64_t count_ = 0;
  bool any_real_ = false;
  Kind tick_kind_ = Kind::kNull;
};

OutputTypes AvgTypes(std::span<const Type> types, std::string* error, const char* name,
                     bool has_pred) {
  if (has_pred && !CheckPredicate(types, 1, name, error)) {
    return std::nullopt;
  }
  const Type t = types.empty() ? Type::kReal : types[0];
  if (IsNumericOrDynamic(t)) {
    return std::vector<Type>{Type::kReal};
  }
  if (t == Type::kDateTime || t == Type::kTimeSpan) {
    return std::vector<Type>{t};
  }
  return ArgError(error, name, 0, "numeric, datetime or timespan");
}

// ---- min / max / minif / maxif ----

class ExtremeState final : public AggregateState {
 public:
  ExtremeState(bool is_max, int pred_index) : is_max_(is_max), pred_index_(pred_index) {}
  void Add(std::span<const Value> args) override {
    if (args.empty() || !Passes(args, pred_index_)) {
      return;
    }
    Offer(args[0]);
  }
  void Merge(AggregateState& other) override {
    if (auto* o = dynamic_cast<ExtremeState*>(&other)) {
      Offer(o->best_);
    }
  }
  void Finish(std::vector<Value>& out) override { out.push_back(best_); }

 private:
  void Offer(const Value& v) {
    if (v.is_null() || (v.kind() == Kind::kReal && std::isnan(v.AsReal()))) {
      return;
    }
    if (best_.is_null()) {
      best_ = v;
      return;
    }
    const int c = CompareValues(v, best_);
    if (is_max_ ? c > 0 : c < 0) {
      best_ = v;
    }
  }

  bool is_max_;
  int pred_index_;
  Value best_;
};

OutputTypes SameTypeAsFirst(std::span<const Type> types, std::string* error, const char* name,
                            bool has_pred) {
  if (has_pred && !CheckPredicate(types, 1, name, error)) {
    return std::nullopt;
  }
  if (types.empty()) {
    return ArgError(error, name, 0, "given");
  }
  return std::vector<Type>{types[0]};
}

// ---- take_any / take_anyif ----

// With one argument, prefers the first non-null, non-empty value (Kusto tries to return a
// non-empty value for a single column); with several, returns the first row's values.
class AnyState final : public AggregateState {
 public:
  explicit AnyState(bool is_if) : is_if_(is_if) {}
  void Add(std::span<const Value> args) override {
    if (good_ || args.empty()) {
      return;
    }
    if (is_if_) {
      if (!Passes(args, 1)) {
        return;
      }
      args = args.first(1);
    }
    const bool single = args.size() == 1;
    const bool good = !single || !IsNullOrEmpty(args[0]);
    if (!set_ || good) {
      values_.assign(args.begin(), args.end());
      set_ = true;
      good_ = good;
    }
  }
  void Merge(AggregateState& other) override {
    auto* o = dynamic_cast<AnyState*>(&other);
    if (o == nullptr || !o->set_ || good_) {
      return;
    }
    if (!set_ || o->good_) {
      values_ = o->values_;
      set_ = true;
      good_ = o->good_;
    }
  }
  void Finish(std::vector<Value>& out) override {
    if (!set_) {
      return;  // the executor fills missing outputs with nulls
    }
    out.insert(out.end(), values_.begin(), values_.end());
  }

 private:
  bool is_if_;
  bool set_ = false;
  bool good_ = false;
  std::vector<Value> values_;
};

// ---- variance / stdev ----

// Welford's running mean and sum of squared deviations; merged with Chan's formula.
class VarianceState final : public AggregateState {
 public:
  VarianceState(bool sample, bool root, int pred_index)
      : sample_(sample), root_(root), pred_index_(pred_index) {}
  void Add(std::span<const Value> args) override {
    if (args.empty() || !Passes(args, pred_index_) || !args[0].is_number()) {
      return;
    }
    const double x = args[0].AsReal();
    if (!std::isfinite(x)) {
      return;
    }
    ++n_;
    const double delta = x - mean_;
    mean_ += delta / static_cast<double>(n_);
    m2_ += delta * (x - mean_);
  }
  void Merge(AggregateState& other) override {
    auto* o = dynamic_cast<VarianceState*>(&other);
    if (o == nullptr || o->n_ == 0) {
      return;
    }
    if (n_ == 0) {
      n_ = o->n_;
      mean_ = o->mean_;
      m2_ = o->m2_;
      return;
    }
    const double na = static_cast<double>(n_);
    const double nb = static_cast<double>(o->n_);
    const double delta = o->mean_ - mean_;
    const double total = na + nb;
    mean_ += delta * nb / total;
    m2_ += o->m2_ + delta * delta * na * nb / total;
    n_ += o->n_;
  }
  void Finish(std::vector<Value>& out) override {
    const int64_t denominator = sample_ ? n_ - 1 : n_;
    double variance = denominator > 0 ? m2_ / static_cast<double>(denominator) : 0.0;
    if (variance < 0) {
      variance = 0;  // rounding
    }
    out.push_back(Value::Real(root_ ? std::sqrt(variance) : variance));
  }

 private:
  bool sample_;
  bool root_;
  int pred_index_;
  int64_t n_ = 0;
  double mean_ = 0;
  double m2_ = 0;
};

OutputTypes RealOfNumeric(std::span<const Type> types, std::string* error, const char* name,
                          bool has_pred) {
  if (has_pred && !CheckPredicate(types, 1, name, error)) {
    return std::nullopt;
  }
  if (types.empty() || !IsNumericOrDynamic(types[0])) {
    return ArgError(error, name, 0, "numeric");
  }
  return std::vector<Type>{Type::kReal};
}

void RegisterBasicAggregates(Registry& r) {
  r.AddAggregate(MakeAggregate<CountState>("count", 0, 1,
                                           [](std::span<const Type>, std::string*) -> OutputTypes {
                                             return std::vector<Type>{Type::kLong};
                                           }));
  r.AddAggregate(MakeAggregate<CountIfState>(
      "countif", 1, 1, [](std::span<const Type> types, std::string* error) -> OutputTypes {
        if (!CheckPredicate(types, 0, "countif", error)) {
          return std::nullopt;
        }
        return std::vector<Type>{Type::kLong};
      }));

  r.AddAggregate(MakeAggregate<SumState>(
      "sum", 1, 1,
      [](std::span<const Type> t, std::string* e) { return SumTypes(t, e, "sum", false); }, -1));
  r.AddAggregate(MakeAggregate<SumState>(
      "sumif", 2, 2,
      [](std::span<const Type> t, std::string* e) { return SumTypes(t, e, "sumif", true); }, 1));
  r.AddAggregate(MakeAggregate<AvgState>(
      "avg", 1, 1,
      [](std::span<const Type> t, std::string* e) { return AvgTypes(t, e, "avg", false); }, -1));
  r.AddAggregate(MakeAggregate<AvgState>(
      "avgif", 2, 2,
      [](std::span<const Type> t, std::string* e) { return AvgTypes(t, e, "avgif", true); }, 1));

  struct Extreme {
    const char* name;
    bool is_max;
    bool is_if;
  };
  for (const Extreme& x : {Extreme{"min", false, false}, Extreme{"max", true, false},
                           Extreme{"minif", false, true}, Extreme{"maxif", true, true}}) {
    const char* name = x.name;
    const bool is_if = x.is_if;
    r.AddAggregate(MakeAggregate<ExtremeState>(
        name, is_if ? 2 : 1, is_if ? 2 : 1,
        [name, is_if](std::span<const Type> t, std::string* e) {
          return SameTypeAsFirst(t, e, name, is_if);
        },
        x.is_max, is_if ? 1 : -1));
  }

  auto any_types = [](std::span<const Type> types, std::string*) -> OutputTypes {
    return std::vector<Type>(types.begin(), types.end());
  };
  internal::AddAggregateWithAliases(r, MakeAggregate<AnyState>("take_any", 1, -1, any_types, false),
                                    {"any"});
  internal::AddAggregateWithAliases(r,
                                    MakeAggregate<AnyState>(
                                        "take_anyif", 2, 2,
                                        [](std::span<const Type> t, std::string* e) {
                                          return SameTypeAsFirst(t, e, "take_anyif", true);
                                        },
                                        true),
                                    {"anyif"});

  struct Spread {
    const char* name;
    bool sample;
    bool root;
    bool is_if;
  };
  for (const Spread& s :
       {Spread{"stdev", true, true, false}, Spread{"stdevp", false, true, false},
        Spread{"variance", true, false, false}, Spread{"variancep", false, false, false},
        Spread{"stdevif", true, true, true}, Spread{"varianceif", true, false, true}}) {
    const char* name = s.name;
    const bool is_if = s.is_if;
    r.AddAggregate(MakeAggregate<VarianceState>(
        name, is_if ? 2 : 1, is_if ? 2 : 1,
        [name, is_if](std::span<const Type> t, std::string* e) {
          return RealOfNumeric(t, e, name, is_if);
        },
        s.sample, s.root, is_if ? 1 : -1));
  }
}

}  // namespace

namespace internal {
void RegisterMoreAggregates(Registry& r);  // aggregates_more.cpp
}  // namespace internal

void RegisterAggregates(Registry& r) {
  RegisterBasicAggregates(r);
  internal::RegisterDistinctAggregates(r);
  internal::RegisterCollectAggregates(r);
  internal::RegisterMoreAggregates(r);
}

}  // namespace vigil::kql

// Less common aggregates: covariance(p)(if), variancepif/stdevpif, percentilesw(_array),
// binary_all_and/or/xor and buildschema. The sketch aggregates (tdigest, hll) live in
// aggregates_sketch.cpp.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "vigil/kql/functions/function_util2.h"
#include "vigil/kql/functions/internal/aggregate_util.h"
#include "vigil/kql/functions/registry.h"
#include "vigil/kql/value.h"

namespace vigil::kql {
namespace {

using internal::ArgError;
using internal::IsTrueValue;
using internal::MakeAggregate;
using internal::OutputTypes;

bool Passes(std::span<const Value> args, int pred_index) {
  return pred_index < 0 ||
         (static_cast<size_t>(pred_index) < args.size() && IsTrueValue(args[pred_index]));
}

// ---- co-moments: covariance and variance with Chan's parallel merge ----

class MomentState final : public AggregateState {
 public:
  MomentState(bool two_vars, bool sample, bool root, int pred_index)
      : two_vars_(two_vars), sample_(sample), root_(root), pred_index_(pred_index) {}

  void Add(std::span<const Value> args) override {
    const size_t need = two_vars_ ? 2 : 1;
    if (args.size() < need || !Passes(args, pred_index_) || !args[0].is_number() ||
        (two_vars_ && !args[1].is_number())) {
      return;
    }
    const double x = args[0].AsReal();
    const double y = two_vars_ ? args[1].AsReal() : x;
    if (!std::isfinite(x) || !std::isfinite(y)) {
      return;
    }
    ++n_;
    const double dx = x - mx_;
    mx_ += dx / static_cast<double>(n_);
    my_ += (y - my_) / static_cast<double>(n_);
    cxy_ += dx * (y - my_);
  }

  void Merge(AggregateState& other) override {
    auto* o = dynamic_cast<MomentState*>(&other);
    if (o == nullptr || o->n_ == 0) {
      return;
    }
    if (n_ == 0) {
      n_ = o->n_;
      mx_ = o->mx_;
      my_ = o->my_;
      cxy_ = o->cxy_;
      return;
    }
    const double na = static_cast<double>(n_);
    const double nb = static_cast<double>(o->n_);
    const double total = na + nb;
    const double dx = o->mx_ - mx_;
    const double dy = o->my_ - my_;
    cxy_ += o->cxy_ + dx * dy * na * nb / total;
    mx_ += dx * nb / total;
    my_ += dy * nb / total;
    n_ += o->n_;
  }

  void Finish(std::vector<Value>& out) override {
    const int64_t denominator = sample_ ? n_ - 1 : n_;
    double v = denominator > 0 ? cxy_ / static_cast<double>(denominator) : 0.0;
    if (!two_vars_ && v < 0) {
      v = 0;
    }
    out.push_back(Value::Real(root_ ? std::sqrt(v) : v));
  }

 private:
  bool two_vars_;
  bool sample_;
  bool root_;
  int pred_index_;
  int64_t n_ = 0;
  double mx_ = 0;
  double my_ = 0;
  double cxy_ = 0;
};

// ---- percentilesw ----

class WeightedPercentileState final : public AggregateState {
 public:
  static constexpr size_t kMaxEntries = size_t{1} << 20;
  explicit WeightedPercentileState(bool as_array) : as_array_(as_array) {}

  void Add(std::span<const Value> args) override {
    if (!percents_set_) {
      percents_set_ = true;
      for (size_t i = 2; i < args.size(); ++i) {
        if (args[i].is_array()) {
          for (const Value& p : args[i].AsArray()) {
            percents_.push_back(p.is_number() ? p.AsReal() : -1);
          }
        } else {
          percents_.push_back(args[i].is_number() ? args[i].AsReal() : -1);
        }
      }
    }
    if (args.size() < 2 || args[0].is_null() || entries_.size() >= kMaxEntries) {
      return;
    }
    const auto w = fn2::IntegerOf(args[1]);
    if (!w || *w <= 0) {
      return;
    }
    entries_.emplace_back(args[0], *w);
  }

  void Merge(AggregateState& other) override {
    auto* o = dynamic_cast<WeightedPercentileState*>(&other);
    if (o == nullptr) {
      return;
    }
    if (!percents_set_ && o->percents_set_) {
      percents_set_ = true;
      percents_ = o->percents_;
    }
    for (const auto& e : o->entries_) {
      if (entries_.size() < kMaxEntries) {
        entries_.push_back(e);
      }
    }
  }

  void Finish(std::vector<Value>& out) override {
    std::sort(entries_.begin(), entries_.end(),
              [](const auto& a, const auto& b) { return CompareValues(a.first, b.first) < 0; });
    double total = 0;
    for (const auto& e : entries_) {
      total += static_cast<double>(e.second);
    }
    Array results;
    for (const double p : percents_) {
      results.push_back(Pick(p, total));
    }
    if (as_array_) {
      out.push_back(Value::MakeArray(std::move(results)));
      return;
    }
    out.insert(out.end(), results.begin(), results.end());
  }

 private:
  // Nearest rank over the weights: the first value whose cumulative weight reaches
  // ceil(p / 100 * total).
  Value Pick(double p, double total) const {
    if (entries_.empty() || !(p >= 0 && p <= 100)) {
      return Value();
    }
    const double rank = std::max(1.0, std::ceil(p / 100.0 * total));
    double seen = 0;
    for (const auto& e : entries_) {
      seen += static_cast<double>(e.second);
      if (seen >= rank) {
        return e.first;
      }
    }
    return entries_.back().first;
  }

  bool as_array_;
  bool percents_set_ = false;
  std::vector<double> percents_;
  std::vector<std::pair<Value, int64_t>> entries_;
};

// ---- binary_all_and / or / xor ----

enum class BitOp : uint8_t { kAnd, kOr, kXor };

class BitState final : public AggregateState {
 public:
  explicit BitState(BitOp op) : op_(op) {}
  void Add(std::span<const Value> args) override {
    if (args.empty()) {
      return;
    }
    const auto v = fn2::IntegerOf(args[0]);
    if (!v) {
      return;
    }
    Fold(static_cast<uint64_t>(*v));
  }
  void Merge(AggregateState& other) override {
    auto* o = dynamic_cast<BitState*>(&other);
    if (o != nullptr && o->any_) {
      Fold(o->acc_);
    }
  }
  void Finish(std::vector<Value>& out) override {
    out.push_back(any_ ? Value::Long(static_cast<int64_t>(acc_)) : Value());
  }

 private:
  void Fold(uint64_t v) {
    if (!any_) {
      acc_ = v;
      any_ = true;
      return;
    }
    acc_ = op_ == BitOp::kAnd ? (acc_ & v) : op_ == BitOp::kOr ? (acc_ | v) : (acc_ ^ v);
  }
  BitOp op_;
  bool any_ = false;
  uint64_t acc_ = 0;
};

// ---- buildschema ----

// The schema of dynamic values: the scalar type names seen plus, for bags (and arrays, whose
// elements sit under the key "`indexer`"), the merged schema of each property.
struct Schema {
  std::vector<std::string> alternatives;  // scalar type names, "{}" marks the bag slot
  std::vector<std::pair<std::string, std::unique_ptr<Schema>>> props;

  Schema* Prop(const std::string& key) {
    for (auto& [k, s] : props) {
      if (k == key) {
        return s.get();
      }
    }
    props.emplace_back(key, std::make_unique<Schema>());
    return props.back().second.get();
  }
  void Note(const std::string& alt) {
    if (std::find(alternatives.begin(), alternatives.end(), alt) == alternatives.end()) {
      alternatives.push_back(alt);
    }
  }
  void Add(const Value& v, int depth) {
    if (depth > 64) {
      return;
    }
    switch (v.kind()) {
      case Kind::kNull:
        return;
      case Kind::kBag:
        Note("{}");
        for (const auto& [k, item] : v.AsBag()) {
          Prop(k)->Add(item, depth + 1);
        }
        return;
      case Kind::kArray: {
        Note("{}");
        Schema* elements = Prop("`indexer`");
        for (const Value& item : v.AsArray()) {
          elements->Add(item, depth + 1);
        }
        return;
      }
      case Kind::kBool:
        Note("bool");
        return;
      case Kind::kInt:
        Note("int");
        return;
      case Kind::kLong:
        Note("long");
        return;
      case Kind::kReal:
        Note("double");
        return;
      case Kind::kString:
        Note("string");
        return;
      case Kind::kDateTime:
        Note("datetime");
        return;
      case Kind::kTimeSpan:
        Note("timespan");
        return;
      case Kind::kGuid:
        Note("guid");
        return;
    }
  }
  void Merge(const Schema& o) {
    for (const auto& alt : o.alternatives) {
      Note(alt);
    }
    for (const auto& [k, s] : o.props) {
      Prop(k)->Merge(*s);
    }
  }
  Value ToValue() const {
    Array alts;
    for (const auto& alt : alternatives) {
      if (alt != "{}") {
        alts.push_back(Value::String(alt));
        continue;
      }
      Bag bag;
      for (const auto& [k, s] : props) {
        bag.emplace_back(k, s->ToValue());
      }
      alts.push_back(Value::MakeBag(std::move(bag)));
    }
    if (alts.empty()) {
      return Value();
    }
    if (alts.size() == 1) {
      return alts[0];
    }
    return Value::MakeArray(std::move(alts));
  }
};

class SchemaState final : public AggregateState {
 public:
  void Add(std::span<const Value> args) override {
    if (!args.empty()) {
      schema_.Add(args[0], 0);
    }
  }
  void Merge(AggregateState& other) override {
    auto* o = dynamic_cast<SchemaState*>(&other);
    if (o != nullptr) {
      schema_.Merge(o->schema_);
    }
  }
  void Finish(std::vector<Value>& out) override { out.push_back(schema_.ToValue()); }

 private:
  Schema schema_;
};

}  // namespace

namespace internal {

void RegisterSketchAggregates(Registry& r);  // aggregates_sketch.cpp

void RegisterMoreAggregates(Registry& r) {
  struct Moment {
    const char* name;
    bool two_vars;
    bool sample;
    bool root;
    bool is_if;
  };
  for (const Moment& m : {Moment{"covariance", true, true, false, false},
                          Moment{"covariancep", true, false, false, false},
                          Moment{"covarianceif", true, true, false, true},
                          Moment{"covariancepif", true, false, false, true},
                          Moment{"variancepif", false, false, false, true},
                          Moment{"stdevpif", false, false, true, true}}) {
    const char* name = m.name;
    const int values = m.two_vars ? 2 : 1;
    const int arity = values + (m.is_if ? 1 : 0);
    const bool is_if = m.is_if;
    r.AddAggregate(MakeAggregate<MomentState>(
        name, arity, arity,
        [name, values, is_if](std::span<const Type> types, std::string* error) -> OutputTypes {
          for (int i = 0; i < values && i < static_cast<int>(types.size()); ++i) {
            if (!IsNumericOrDynamic(types[i])) {
              return ArgError(error, name, static_cast<size_t>(i), "numeric");
            }
          }
          if (is_if && !CheckPredicate(types, static_cast<size_t>(values), name, error)) {
            return std::nullopt;
          }
          return std::vector<Type>{Type::kReal};
        },
        m.two_vars, m.sample, m.root, is_if ? values : -1));
  }

  for (const bool as_array : {false, true}) {
    const char* name = as_array ? "percentilesw_array" : "percentilesw";
    r.AddAggregate(MakeAggregate<WeightedPercentileState>(
        name, 3, -1,
        [name, as_array](std::span<const Type> types, std::string* error) -> OutputTypes {
          if (types.size() > 1 && !IsIntegerOrDynamic(types[1])) {
            return ArgError(error, name, 1, "an integer weight");
          }
          if (as_array) {
            return std::vector<Type>{Type::kDynamic};
          }
          return std::vector<Type>(types.size() - 2, types[0]);
        },
        as_array));
  }

  const std::pair<const char*, BitOp> bit_ops[] = {{"binary_all_and", BitOp::kAnd},
                                                   {"binary_all_or", BitOp::kOr},
                                                   {"binary_all_xor", BitOp::kXor}};
  for (const auto& [name, op] : bit_ops) {
    const char* n = name;
    r.AddAggregate(MakeAggregate<BitState>(
        name, 1, 1,
        [n](std::span<const Type> types, std::string* error) -> OutputTypes {
          if (!types.empty() && !IsIntegerOrDynamic(types[0])) {
            return ArgError(error, n, 0, "an integer");
          }
          return std::vector<Type>{Type::kLong};
        },
        op));
  }

  r.AddAggregate(MakeAggregate<SchemaState>("buildschema", 1, 1,
                                            [](std::span<const Type>, std::string*) -> OutputTypes {
                                              return std::vector<Type>{Type::kDynamic};
                                            }));

  RegisterSketchAggregates(r);
}

}  // namespace internal
}  // namespace vigil::kql

// Sketch aggregates and their scalar readers: tdigest / tdigest_merge with
// percentile_tdigest, percentiles_array_tdigest and merge_tdigest; hll / hll_if / hll_merge
// with dcount_hll and the hll_merge scalar.
//
// Our sketches are not Kusto's binary formats (they are opaque in Kusto too):
// - tdigest is the sorted list of (value, weight) pairs in {"tdigest": [[value, weight], ...]}:
//   exact up to kMaxCentroids distinct values, then neighbours are merged pairwise (the
//   percentiles become approximate, as in a t-digest).
// - hll is a k-minimum-values sketch, {"hll": [hash, ...]}: the kKmv smallest 64-bit hashes of
//   the distinct values; exact below kKmv distinct values, then about 1.6% standard error
//   (Kusto's default hll accuracy).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
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

using internal::MakeAggregate;
using internal::OutputTypes;

constexpr size_t kMaxCentroids = 50000;
constexpr size_t kKmv = 4096;

using Centroids = std::vector<std::pair<Value, double>>;

// Sorts, folds equal values, and halves the list while it is too long.
void Normalize(Centroids& c) {
  std::sort(c.begin(), c.end(),
            [](const auto& a, const auto& b) { return CompareValues(a.first, b.first) < 0; });
  Centroids out;
  out.reserve(c.size());
  for (auto& e : c) {
    if (!out.empty() && ValuesEqual(out.back().first, e.first)) {
      out.back().second += e.second;
    } else {
      out.push_back(std::move(e));
    }
  }
  while (out.size() > kMaxCentroids) {
    Centroids half;
    half.reserve(out.size() / 2 + 1);
    for (size_t i = 0; i < out.size(); i += 2) {
      if (i + 1 < out.size()) {
        // The pair keeps the value that holds most of its weight.
        Value v = out[i].second >= out[i + 1].second ? out[i].first : out[i + 1].first;
        half.emplace_back(std::move(v), out[i].second + out[i + 1].second);
      } else {
        half.push_back(out[i]);
      }
    }
    out = std::move(half);
  }
  c = std::move(out);
}

bool ReadDigest(const Value& digest, Centroids& into) {
  const Value* list = digest.Find("tdigest");
  if (list == nullptr || !list->is_array()) {
    return false;
  }
  for (const Value& pair : list->AsArray()) {
    if (pair.is_array() && pair.AsArray().size() == 2 && pair.AsArray()[1].is_number()) {
      into.emplace_back(pair.AsArray()[0], pair.AsArray()[1].AsReal());
    }
  }
  return true;
}

Value WriteDigest(Centroids c) {
  Normalize(c);
  Array list;
  list.reserve(c.size());
  for (auto& [v, w] : c) {
    const double rounded = std::round(w);
    list.push_back(Value::MakeArray(
        {std::move(v), rounded == w ? Value::Long(static_cast<int64_t>(w)) : Value::Real(w)}));
  }
  return Value::MakeBag({{"tdigest", Value::MakeArray(std::move(list))}});
}

// Nearest rank over the weights, as percentile().
Value DigestPercentile(const Centroids& c, double p) {
  if (c.empty() || !(p >= 0 && p <= 100)) {
    return Value();
  }
  double total = 0;
  for (const auto& e : c) {
    total += e.second;
  }
  const double rank = std::max(1.0, std::ceil(p / 100.0 * total - 1e-9));
  double seen = 0;
  for (const auto& e : c) {
    seen += e.second;
    if (seen >= rank) {
      return e.first;
    }
  }
  return c.back().first;
}

class DigestState final : public AggregateState {
 public:
  explicit DigestState(bool merge_input) : merge_input_(merge_input) {}
  void Add(std::span<const Value> args) override {
    if (args.empty() || args[0].is_null()) {
      return;
    }
    if (merge_input_) {
      ReadDigest(args[0], c_);
    } else {
      const Value& v = args[0];
      if (!v.is_number() && v.kind() != Kind::kDateTime && v.kind() != Kind::kTimeSpan) {
        return;
      }
      double w = 1;
      if (args.size() > 1 && args[1].is_number()) {
        w = args[1].AsReal();
      }
      if (!(w > 0) || !std::isfinite(w)) {
        return;
      }
      c_.emplace_back(v, w);
    }
    if (c_.size() > 2 * kMaxCentroids) {
      Normalize(c_);
    }
  }
  void Merge(AggregateState& other) override {
    auto* o = dynamic_cast<DigestState*>(&other);
    if (o != nullptr) {
      c_.insert(c_.end(), o->c_.begin(), o->c_.end());
      if (c_.size() > 2 * kMaxCentroids) {
        Normalize(c_);
      }
    }
  }
  void Finish(std::vector<Value>& out) override {
    out.push_back(c_.empty() ? Value() : WriteDigest(std::move(c_)));
  }

 private:
  bool merge_input_;
  Centroids c_;
};

// ---- hll (k minimum values) ----

uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

class Kmv {
 public:
  void AddHash(uint64_t h) {
    if (hashes_.size() >= kKmv && h >= hashes_.back()) {
      return;
    }
    const auto it = std::lower_bound(hashes_.begin(), hashes_.end(), h);
    if (it != hashes_.end() && *it == h) {
      return;
    }
    hashes_.insert(it, h);
    if (hashes_.size() > kKmv) {
      hashes_.pop_back();
    }
  }
  bool Read(const Value& sketch) {
    const Value* list = sketch.Find("hll");
    if (list == nullptr || !list->is_array()) {
      return false;
    }
    for (const Value& h : list->AsArray()) {
      if (h.kind() == Kind::kLong || h.kind() == Kind::kInt) {
        AddHash(static_cast<uint64_t>(h.AsInt64()));
      }
    }
    return true;
  }
  Value Write() const {
    Array list;
    list.reserve(hashes_.size());
    for (const uint64_t h : hashes_) {
      list.push_back(Value::Long(static_cast<int64_t>(h)));
    }
    return Value::MakeBag({{"hll", Value::MakeArray(std::move(list))}});
  }
  int64_t Estimate() const {
    if (hashes_.size() < kKmv) {
      return static_cast<int64_t>(hashes_.size());
    }
    const double kth = static_cast<double>(hashes_.back()) / 18446744073709551616.0;
    return kth > 0 ? static_cast<int64_t>(std::llround(static_cast<double>(kKmv - 1) / kth))
                   : static_cast<int64_t>(hashes_.size());
  }
  const std::vector<uint64_t>& hashes() const { return hashes_; }

 private:
  std::vector<uint64_t> hashes_;  // ascending
};

class HllState final : public AggregateState {
 public:
  HllState(bool merge_input, int pred_index) : merge_input_(merge_input), pred_(pred_index) {}
  void Add(std::span<const Value> args) override {
    if (args.empty() || args[0].is_null()) {
      return;
    }
    if (pred_ >= 0 &&
        (static_cast<size_t>(pred_) >= args.size() || !internal::IsTrueValue(args[pred_]))) {
      return;
    }
    if (merge_input_) {
      kmv_.Read(args[0]);
      return;
    }
    kmv_.AddHash(Mix(HashValue(args[0])));
  }
  void Merge(AggregateState& other) override {
    auto* o = dynamic_cast<HllState*>(&other);
    if (o != nullptr) {
      for (const uint64_t h : o->kmv_.hashes()) {
        kmv_.AddHash(h);
      }
    }
  }
  void Finish(std::vector<Value>& out) override { out.push_back(kmv_.Write()); }

 private:
  bool merge_input_;
  int pred_;
  Kmv kmv_;
};

OutputTypes DynamicOut(std::span<const Type>, std::string*) {
  return std::vector<Type>{Type::kDynamic};
}

}  // namespace

namespace internal {

void RegisterSketchAggregates(Registry& r) {
  r.AddAggregate(MakeAggregate<DigestState>("tdigest", 1, 2, DynamicOut, false));
  r.AddAggregate(MakeAggregate<DigestState>("tdigest_merge", 1, 1, DynamicOut, true));
  r.AddAggregate(MakeAggregate<HllState>("hll", 1, 2, DynamicOut, false, -1));
  r.AddAggregate(MakeAggregate<HllState>("hll_if", 2, 3, DynamicOut, false, 1));
  r.AddAggregate(MakeAggregate<HllState>("hll_merge", 1, 1, DynamicOut, true, -1));

  using fn2::Add;
  using fn2::Returns;
  Add(r, "merge_tdigest", 1, -1, Returns("merge_tdigest", Type::kDynamic),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        Centroids c;
        for (const Value& d : args) {
          ReadDigest(d, c);
        }
        return c.empty() ? Value() : WriteDigest(std::move(c));
      });
  // The optional third argument (typeof(T)) names the result type; our digests keep each
  // value's own kind, so the result is a dynamic value of that kind.
  Add(r, "percentile_tdigest", 2, 3, Returns("percentile_tdigest", Type::kDynamic),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        Centroids c;
        if (!ReadDigest(args[0], c) || !args[1].is_number()) {
          return Value();
        }
        Normalize(c);
        return DigestPercentile(c, args[1].AsReal());
      });
  Add(r, "percentiles_array_tdigest", 2, -1, Returns("percentiles_array_tdigest", Type::kDynamic),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        Centroids c;
        if (!ReadDigest(args[0], c)) {
          return Value();
        }
        Normalize(c);
        Array out;
        for (size_t i = 1; i < args.size(); ++i) {
          if (args[i].is_array()) {
            for (const Value& p : args[i].AsArray()) {
              out.push_back(p.is_number() ? DigestPercentile(c, p.AsReal()) : Value());
            }
          } else {
            out.push_back(args[i].is_number() ? DigestPercentile(c, args[i].AsReal()) : Value());
          }
        }
        return Value::MakeArray(std::move(out));
      });
  Add(r, "dcount_hll", 1, 1, Returns("dcount_hll", Type::kLong),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        Kmv kmv;
        return kmv.Read(args[0]) ? Value::Long(kmv.Estimate()) : Value();
      });
  Add(r, "hll_merge", 1, -1, Returns("hll_merge", Type::kDynamic),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        Kmv kmv;
        bool any = false;
        for (const Value& v : args) {
          any = kmv.Read(v) || any;
        }
        return any ? kmv.Write() : Value();
      });
}

}  // namespace internal
}  // namespace vigil::kql

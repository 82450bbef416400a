// Distinct counting: dcount/dcountif (exact while small, then HyperLogLog as Kusto does) and
// count_distinct/count_distinctif (exact).
#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "vigil/base/hash_set64.h"
#include "vigil/kql/functions/internal/aggregate_util.h"
#include "vigil/kql/functions/registry.h"

namespace vigil::kql {

namespace {

using internal::CheckOptionalInteger;
using internal::CheckPredicate;
using internal::ConstantInt;
using internal::IsTrueValue;
using internal::MakeAggregate;
using internal::OutputTypes;

}  // namespace

uint64_t DistinctHashOfString(std::string_view text) {
  return XXH3_64bits_withSeed(text.data(), text.size(), 5);
}

uint64_t DistinctHash(const Value& v) {
  auto hash_int = [](int64_t x, uint64_t seed) {
    return XXH3_64bits_withSeed(&x, sizeof(x), seed);
  };
  switch (v.kind()) {
    case Kind::kNull:
      return 0;
    case Kind::kInt:
    case Kind::kLong:
      return hash_int(v.AsInt64(), 2);
    case Kind::kReal: {
      const double r = v.AsReal();
      if (r == std::floor(r) && std::abs(r) < 9.2e18) {
        return hash_int(static_cast<int64_t>(r), 2);
      }
      return XXH3_64bits_withSeed(&r, sizeof(r), 2);
    }
    case Kind::kBool:
      return hash_int(v.AsInt64(), 1);
    case Kind::kDateTime:
      return hash_int(v.AsInt64(), 3);
    case Kind::kTimeSpan:
      return hash_int(v.AsInt64(), 4);
    case Kind::kString:
    case Kind::kGuid:
      return DistinctHashOfString(v.AsString());
    case Kind::kArray:
    case Kind::kBag: {
      const std::string json = v.ToJson();
      return XXH3_64bits_withSeed(json.data(), json.size(), v.is_array() ? 6 : 7);
    }
  }
  return 0;
}

namespace {

// Kusto's accuracy levels 0..4 map to 2^12, 2^14, 2^16, 2^17, 2^18 one-byte registers.
int PrecisionForAccuracy(int64_t accuracy) {
  switch (accuracy) {
    case 0:
      return 12;
    case 2:
      return 16;
    case 3:
      return 17;
    case 4:
      return 18;
    default:
      return 14;
  }
}

class DcountState final : public AggregateState {
 public:
  // `pred_index` < 0: dcount; otherwise dcountif with the predicate there. The accuracy
  // level is the constant argument at `accuracy_index`.
  DcountState(int pred_index, size_t accuracy_index)
      : pred_index_(pred_index), accuracy_index_(accuracy_index) {}

  void Add(std::span<const Value> args) override {
    if (precision_ == 0) {
      const int64_t accuracy = ConstantInt(args, accuracy_index_, 1);
      precision_ = PrecisionForAccuracy(accuracy);
      exact_limit_ = accuracy >= 2 ? 8192 : 1024;
    }
    if (args.empty() || args[0].is_null()) {
      return;
    }
    if (pred_index_ >= 0 &&
        (static_cast<size_t>(pred_index_) >= args.size() || !IsTrueValue(args[pred_index_]))) {
      return;
    }
    AddHash(DistinctHash(args[0]));
  }

  void AddDistinctHashes(std::span<const uint64_t> hashes, int64_t accuracy) override {
    Init(accuracy);
    AddDistinct(hashes);
  }

  bool AddDistinctBitmap(std::vector<uint64_t>& bits,
                         const std::shared_ptr<const DistinctValueHashes>& table,
                         int64_t accuracy) override {
    if (bit_table_ != nullptr && bit_table_ != table) {
      return false;
    }
    Init(accuracy);
    if (bit_table_ == nullptr) {
      bit_table_ = table;
      bits_ = std::move(bits);
      bits = {};
    } else {
      OrBits(bits);
    }
    return true;
  }

  void Merge(AggregateState& other) override {
    auto* o = dynamic_cast<DcountState*>(&other);
    if (o == nullptr || o->precision_ == 0) {
      return;
    }
    if (o->bit_table_ != nullptr) {
      if (o->bit_table_ == bit_table_) {
        OrBits(o->bits_);
      } else if (bit_table_ == nullptr && precision_ == 0) {
        bit_table_ = o->bit_table_;
        bits_ = std::move(o->bits_);
      } else {
        o->FlattenBits();
      }
      o->bits_ = {};
      o->bit_table_ = nullptr;
    }
    MergeValues(*o);
  }

  void Finish(std::vector<Value>& out) override {
    if (bit_table_ != nullptr && registers_.empty() && exact_.size() == 0) {
      // Only a bitmap: its values are distinct, so while they fit the exact limit their count
      // is the answer, without hashing them into a set.
      size_t count = 0;
      for (const uint64_t word : bits_) {
        count += static_cast<size_t>(std::popcount(word));
      }
      if (count <= exact_limit_) {
        out.push_back(Value::Long(static_cast<int64_t>(count)));
        return;
      }
    }
    FlattenBits();
    if (registers_.empty()) {
      out.push_back(Value::Long(static_cast<int64_t>(exact_.size())));
      return;
    }
    const double estimate = std::max(Estimate(), fallback_floor_);
    out.push_back(Value::Long(static_cast<int64_t>(std::llround(estimate))));
  }

 private:
  void Init(int64_t accuracy) {
    if (precision_ == 0) {
      precision_ = PrecisionForAccuracy(accuracy);
      exact_limit_ = accuracy >= 2 ? 8192 : 1024;
    }
  }

  void OrBits(const std::vector<uint64_t>& bits) {
    if (bits.size() > bits_.size()) {
      bits_.resize(bits.size(), 0);
    }
    for (size_t i = 0; i < bits.size(); ++i) {
      bits_[i] |= bits[i];
    }
  }

  // The bitmap's values into the exact set or sketch (after the scan: the table is complete).
  void FlattenBits() {
    if (bit_table_ == nullptr) {
      return;
    }
    std::vector<uint64_t> hashes;
    for (size_t w = 0; w < bits_.size(); ++w) {
      for (uint64_t word = bits_[w]; word != 0; word &= word - 1) {
        hashes.push_back(
            bit_table_->hashes[w * 64 + static_cast<size_t>(std::countr_zero(word))]);
      }
    }
    bits_ = {};
    bit_table_ = nullptr;
    AddDistinct(hashes);
  }

  // Hashes distinct from each other (not necessarily from those already held).
  void AddDistinct(std::span<const uint64_t> hashes) {
    if (registers_.empty() && hashes.size() > exact_limit_) {
      // The hashes are distinct, so the count passes the exact limit: go to the sketch now
      // rather than growing the exact set first (the registers come out the same).
      StartSketch();
    }
    if (!registers_.empty()) {
      for (const uint64_t h : hashes) {
        AddToSketch(h);
      }
      return;
    }
    exact_.Reserve(std::min(exact_.size() + hashes.size(), exact_limit_ + 1));
    for (const uint64_t h : hashes) {
      AddHash(h);
    }
  }

  // Merge of the exact sets and sketches.
  void MergeValues(DcountState& other) {
    DcountState* o = &other;
    if (precision_ == 0) {
      precision_ = o->precision_;
      exact_limit_ = o->exact_limit_;
    }
    if (o->registers_.empty()) {
      if (registers_.empty()) {
        exact_.Reserve(std::min(exact_.size() + o->exact_.size(), exact_limit_ + 1));
      }
      for (const uint64_t h : o->exact_) {
        AddHash(h);
      }
      return;
    }
    if (registers_.empty()) {
      // Adopt the other sketch and fold our exact values into it.
      std::vector<uint64_t> mine(exact_.begin(), exact_.end());
      exact_ = {};
      precision_ = o->precision_;
      registers_ = o->registers_;
      histogram_ = o->histogram_;
      for (const uint64_t h : mine) {
        AddToSketch(h);
      }
      return;
    }
    if (o->precision_ != precision_) {
      // Only possible when the accuracy argument was not constant: registers of different
      // sizes do not combine, so keep the larger estimate as a floor.
      fallback_floor_ = std::max(fallback_floor_, o->Estimate());
      return;
    }
    for (size_t i = 0; i < registers_.size(); ++i) {
      registers_[i] = std::max(registers_[i], o->registers_[i]);
    }
    histogram_ = HistogramOf(registers_, precision_);
  }

  // From exact counting to the sketch: the registers, their histogram, the exact values.
  void StartSketch() {
    const size_t m = size_t{1} << precision_;
    registers_.assign(m, 0);
    histogram_.assign(static_cast<size_t>(64 - precision_) + 2, 0);
    histogram_[0] = static_cast<uint32_t>(m);
    for (const uint64_t x : exact_) {
      AddToSketch(x);
    }
    exact_ = {};
  }

  void AddHash(uint64_t h) {
    if (!registers_.empty()) {
      AddToSketch(h);
      return;
    }
    exact_.Insert(h);
    if (exact_.size() > exact_limit_) {
      StartSketch();
    }
  }

  void AddToSketch(uint64_t h) {
    const size_t index = static_cast<size_t>(h >> (64 - precision_));
    const uint64_t rest = (h << precision_) | (uint64_t{1} << (precision_ - 1));
    const auto rank = static_cast<uint8_t>(std::countl_zero(rest) + 1);  // at most q + 1
    const uint8_t old = registers_[index];
    if (rank > old) {
      registers_[index] = rank;
      --histogram_[old];
      ++histogram_[rank];
    }
  }

  // Ertl's improved raw estimator ("New cardinality estimation algorithms for HyperLogLog
  // sketches", 2017): works from the histogram of register values and stays unbiased from
  // small to large cardinalities without empirical bias tables.
  // The histogram of register values (index = value, 0..q + 1).
  static std::vector<uint32_t> HistogramOf(const std::vector<uint8_t>& registers, int precision) {
    const int q = 64 - precision;
    // Four interleaved integer histograms: runs of equal registers (most of a sketch holds
    // the same few values) would otherwise wait on the previous increment of the same counter.
    const size_t buckets = static_cast<size_t>(q) + 2;
    std::vector<uint32_t> counts(4 * buckets, 0);
    const size_t last = buckets - 1;
    size_t i = 0;
    for (; i + 4 <= registers.size(); i += 4) {
      ++counts[std::min<size_t>(registers[i], last)];
      ++counts[buckets + std::min<size_t>(registers[i + 1], last)];
      ++counts[2 * buckets + std::min<size_t>(registers[i + 2], last)];
      ++counts[3 * buckets + std::min<size_t>(registers[i + 3], last)];
    }
    for (; i < registers.size(); ++i) {
      ++counts[std::min<size_t>(registers[i], last)];
    }
    for (size_t b = 0; b < buckets; ++b) {
      counts[b] += counts[buckets + b] + counts[2 * buckets + b] + counts[3 * buckets + b];
    }
    counts.resize(buckets);
    return counts;
  }

  // Ertl's improved raw estimator ("New cardinality estimation algorithms for HyperLogLog
  // sketches", 2017): works from the histogram of register values (kept up to date as
  // registers rise, so an estimate does not read the registers) and stays unbiased from small
  // to large cardinalities without empirical bias tables.
  double Estimate() const {
    const int q = 64 - precision_;
    const double m = static_cast<double>(registers_.size());
    std::vector<double> histogram(histogram_.begin(), histogram_.end());
    if (histogram[0] == m) {
      return 0;
    }
    double z = m * Tau(1.0 - histogram[static_cast<size_t>(q) + 1] / m);
    for (int k = q; k >= 1; --k) {
      z = 0.5 * (z + histogram[static_cast<size_t>(k)]);
    }
    z += m * Sigma(histogram[0] / m);
    constexpr double kAlphaInf = 0.7213475204444817;  // 1 / (2 ln 2)
    return kAlphaInf * m * m / z;
  }

  static double Sigma(double x) {
    if (x >= 1.0) {
      return std::numeric_limits<double>::infinity();
    }
    double y = 1.0;
    double z = x;
    for (int i = 0; i < 1100; ++i) {
      x *= x;
      const double previous = z;
      z += x * y;
      y += y;
      if (z == previous) {
        break;
      }
    }
    return z;
  }

  static double Tau(double x) {
    if (x <= 0.0 || x >= 1.0) {
      return 0.0;
    }
    double y = 1.0;
    double z = 1.0 - x;
    for (int i = 0; i < 1100; ++i) {
      x = std::sqrt(x);
      const double previous = z;
      y *= 0.5;
      z -= (1.0 - x) * (1.0 - x) * y;
      if (z == previous) {
        break;
      }
    }
    return z / 3.0;
  }

  int pred_index_;
  size_t accuracy_index_;
  int precision_ = 0;  // 0 until the first Add fixes the accuracy
  size_t exact_limit_ = 1024;
  HashSet64 exact_;
  std::vector<uint8_t> registers_;    // empty while counting exactly
  std::vector<uint32_t> histogram_;  // how many registers hold each value (with registers_)
  double fallback_floor_ = 0;
  // Values given as a bitmap over a shared numbering (AddDistinctBitmap), not yet hashed in.
  std::vector<uint64_t> bits_;
  std::shared_ptr<const DistinctValueHashes> bit_table_;
};

// Exact distinct count over the values themselves.
class CountDistinctState final : public AggregateState {
 public:
  explicit CountDistinctState(int pred_index) : pred_index_(pred_index) {}
  void Add(std::span<const Value> args) override {
    if (args.empty() || args[0].is_null()) {
      return;
    }
    if (pred_index_ >= 0 &&
        (static_cast<size_t>(pred_index_) >= args.size() || !IsTrueValue(args[pred_index_]))) {
      return;
    }
    seen_.insert(args[0]);
  }
  void Merge(AggregateState& other) override {
    if (auto* o = dynamic_cast<CountDistinctState*>(&other)) {
      seen_.insert(o->seen_.begin(), o->seen_.end());
    }
  }
  void Finish(std::vector<Value>& out) override {
    out.push_back(Value::Long(static_cast<int64_t>(seen_.size())));
  }

 private:
  int pred_index_;
  std::unordered_set<Value, ValueHash, ValueEq> seen_;
};

}  // namespace

namespace internal {

void RegisterDistinctAggregates(Registry& r) {
  r.AddAggregate(MakeAggregate<DcountState>(
      "dcount", 1, 2,
      [](std::span<const Type> types, std::string* error) -> OutputTypes {
        if (!CheckOptionalInteger(types, 1, "dcount", error)) {
          return std::nullopt;
        }
        return std::vector<Type>{Type::kLong};
      },
      -1, size_t{1}));
  r.AddAggregate(MakeAggregate<DcountState>(
      "dcountif", 2, 3,
      [](std::span<const Type> types, std::string* error) -> OutputTypes {
        if (!CheckPredicate(types, 1, "dcountif", error) ||
            !CheckOptionalInteger(types, 2, "dcountif", error)) {
          return std::nullopt;
        }
        return std::vector<Type>{Type::kLong};
      },
      1, size_t{2}));
  r.AddAggregate(MakeAggregate<CountDistinctState>(
      "count_distinct", 1, 1,
      [](std::span<const Type>, std::string*) -> OutputTypes {
        return std::vector<Type>{Type::kLong};
      },
      -1));
  r.AddAggregate(MakeAggregate<CountDistinctState>(
      "count_distinctif", 2, 2,
      [](std::span<const Type> types, std::string* error) -> OutputTypes {
        if (!CheckPredicate(types, 1, "count_distinctif", error)) {
          return std::nullopt;
        }
        return std::vector<Type>{Type::kLong};
      },
      1));
}

}  // namespace internal

}  // namespace vigil::kql

// The catalogue of KQL scalar and aggregate functions. The binder looks functions up by name
// (case-sensitive, as Kusto; deprecated aliases such as `makeset`, `parsejson`, `iif` are
// registered as their own entries) to type-check calls, and the executor calls `impl` row by
// row. Functions never throw: bad input yields null (and, where Kusto does, a warning).
// Registration: each functions/*.cpp file defines `void Register<Group>Functions(Registry&)`
// and registry.cpp calls them all.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/kql/value.h"

namespace re2 {
class RE2;
}

namespace vigil::kql {

// Compiled RE2 patterns keyed by pattern text, shared by one query's evaluation (one thread).
class RegexCache {
 public:
  RegexCache();
  ~RegexCache();
  // Returns nullptr (and sets *error) when the pattern does not compile. Kusto regex syntax is
  // RE2-compatible for the common subset; flags such as (?i) are accepted inline.
  const re2::RE2* Get(std::string_view pattern, std::string* error = nullptr);

 private:
  std::map<std::string, std::unique_ptr<re2::RE2>, std::less<>> cache_;
};

// Kusto patterns follow .NET regex syntax; RE2 covers the common subset. Rewrites the .NET-only
// spellings RE2 rejects: `\uXXXX` escapes become `\x{XXXX}`.
std::string TranslateRegex(std::string_view pattern);

// Per-evaluation context handed to every function call. Not shared across threads.
struct FunctionContext {
  int64_t now_ticks = 0;             // now() / ago() reference point, fixed per query
  RegexCache* regex = nullptr;       // never null during execution
  std::vector<std::string>* warnings = nullptr;  // may be null; de-duplicated by the caller
  std::string geoip_db_path;         // MaxMind DB for geo_info_from_ip_address; empty = none
  void Warn(std::string message) const {
    if (warnings != nullptr) {
      warnings->push_back(std::move(message));
    }
  }
};

// Result type of a call given its argument types; nullopt + *error when the arguments do not
// fit (message such as "tolower(): argument 1 must be string"). `literal_args` holds the
// argument values that are constants (null Value where the argument is not constant), for
// functions whose result type depends on a constant (e.g. `todynamic`, `bin`, `make_datetime`).
using ReturnTypeFn = std::function<std::optional<Type>(std::span<const Type> arg_types,
                                                       std::string* error)>;

using ScalarImpl = std::function<Value(std::span<const Value> args, FunctionContext& ctx)>;

struct ScalarFunction {
  std::string name;
  int min_args = 0;
  int max_args = 0;  // -1 = variadic
  ReturnTypeFn return_type;
  ScalarImpl impl;
  bool deterministic = true;  // false for rand(), new_guid(), now() (evaluated once per query)
};

// The DistinctHash of each value of a numbering (value i has hashes[i]); bit i of a bitmap
// handed to AggregateState::AddDistinctBitmap stands for hashes[i].
struct DistinctValueHashes {
  std::vector<uint64_t> hashes;
};

// Aggregation state for one group. Add is called once per input row with the evaluated
// arguments (constants included, e.g. make_set(x, 100) gets {x, 100}). Finish appends the
// output values: one for most aggregates, several for arg_max/arg_min (the arg then each
// extra column) and percentiles (one per requested percentile).
class AggregateState {
 public:
  virtual ~AggregateState() = default;
  virtual void Add(std::span<const Value> args) = 0;
  // Combines another state of the same aggregate (parallel partial aggregation).
  virtual void Merge(AggregateState& other) = 0;
  virtual void Finish(std::vector<Value>& out) = 0;
  // dcount only (fused scans feed it hashes instead of Values): adds non-null values given as
  // their DistinctHash, with the accuracy argument; the hashes of one call are distinct from
  // each other. Other aggregates ignore it.
  virtual void AddDistinctHashes(std::span<const uint64_t> hashes, int64_t accuracy) {
    (void)hashes;
    (void)accuracy;
  }
  // dcount only: adds the values whose bits are set in `bits` (bit i is value i of `table`),
  // taking the bitmap when it returns true. States holding bitmaps of the same table merge by
  // OR. `table` may still be growing while a scan runs: it is read only by Merge and Finish,
  // which run after the scan. Returns false, and leaves `bits` alone, where the state keeps no
  // bitmaps (or holds one of another table).
  virtual bool AddDistinctBitmap(std::vector<uint64_t>& bits,
                                 const std::shared_ptr<const DistinctValueHashes>& table,
                                 int64_t accuracy) {
    (void)bits;
    (void)table;
    (void)accuracy;
    return false;
  }
};

// 64-bit hash of a value's identity under grouping equality (what dcount counts): numbers hash
// by numeric value (1 and 1.0 are the same), other kinds by their bytes, each kind family with
// its own seed.
uint64_t DistinctHash(const Value& v);
// DistinctHash of a string (or guid) value with text `text`, without building the Value.
uint64_t DistinctHashOfString(std::string_view text);

struct AggregateFunction {
  std::string name;
  int min_args = 0;
  int max_args = 0;  // -1 = variadic
  // Output types, in Finish order. Receives the argument types (the `*` of arg_max(x, *) is
  // already expanded into the columns by the binder).
  std::function<std::optional<std::vector<Type>>(std::span<const Type> arg_types,
                                                 std::string* error)>
      output_types;
  std::function<std::unique_ptr<AggregateState>()> create;
};

class Registry {
 public:
  // The process-wide catalogue with every built-in function (built once, thread-safe).
  static const Registry& Default();

  void AddScalar(ScalarFunction fn);
  void AddAggregate(AggregateFunction fn);
  const ScalarFunction* FindScalar(std::string_view name) const;
  const AggregateFunction* FindAggregate(std::string_view name) const;
  std::vector<std::string> ScalarNames() const;
  std::vector<std::string> AggregateNames() const;

 private:
  std::map<std::string, ScalarFunction, std::less<>> scalars_;
  std::map<std::string, AggregateFunction, std::less<>> aggregates_;
};

// Group registration functions (one per functions/*.cpp group file).
void RegisterStringFunctions(Registry& r);     // functions/string_functions.cpp
void RegisterRegexFunctions(Registry& r);      // functions/regex_functions.cpp
void RegisterParseFunctions(Registry& r);      // functions/parse_functions.cpp (url, path, ...)
void RegisterEncodingFunctions(Registry& r);   // functions/encoding_functions.cpp (base64, hash)
void RegisterIpFunctions(Registry& r);         // functions/ip_functions.cpp
void RegisterDateTimeFunctions(Registry& r);   // functions/datetime_functions.cpp
void RegisterConversionFunctions(Registry& r); // functions/conversion_functions.cpp
void RegisterMathFunctions(Registry& r);       // functions/math_functions.cpp
void RegisterDynamicFunctions(Registry& r);    // functions/dynamic_functions.cpp (arrays, bags, sets)
void RegisterConditionalFunctions(Registry& r);// functions/conditional_functions.cpp (iff, case, ...)
void RegisterSeriesFunctions(Registry& r);     // functions/series_functions.cpp
void RegisterAggregates(Registry& r);          // functions/aggregates.cpp (+ aggregates_*.cpp)
void RegisterGeoFunctions(Registry& r);         // functions/geo_functions.cpp (+ geo_*.cpp)
void RegisterMoreFunctions(Registry& r);       // functions/more_functions.cpp (+ more_*.cpp)
void RegisterXmlFunctions(Registry& r);         // functions/xml_functions.cpp (parse_xml)

}  // namespace vigil::kql

// Function catalogue and the per-query RE2 cache.
#include "vigil/kql/functions/registry.h"

#include <cctype>

#include <re2/re2.h>

#include <utility>

#include "vigil/kql/functions/geo_h3.h"

namespace vigil::kql {

namespace {

// Bounds for untrusted patterns: RE2 runs in linear time, and these cap its memory and the
// number of compiled programs one query can keep alive.
constexpr int64_t kRegexMaxMem = int64_t{8} << 20;
constexpr size_t kRegexCacheMaxEntries = 1000;
constexpr size_t kRegexMaxPatternBytes = 64 * 1024;

}  // namespace

RegexCache::RegexCache() = default;
RegexCache::~RegexCache() = default;

std::string TranslateRegex(std::string_view pattern) {
  std::string out;
  out.reserve(pattern.size());
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\' && i + 1 < pattern.size()) {
      if (pattern[i + 1] == 'u' && i + 5 < pattern.size() + 0 && i + 6 <= pattern.size()) {
        bool hex = true;
        for (size_t k = i + 2; k < i + 6; ++k) {
          hex = hex && std::isxdigit(static_cast<unsigned char>(pattern[k])) != 0;
        }
        if (hex) {
          out += "\\x{";
          out.append(pattern.substr(i + 2, 4));
          out += '}';
          i += 5;
          continue;
        }
      }
      out += pattern[i];
      out += pattern[i + 1];
      ++i;
      continue;
    }
    out += pattern[i];
  }
  return out;
}

const re2::RE2* RegexCache::Get(std::string_view pattern, std::string* error) {
  if (pattern.size() > kRegexMaxPatternBytes) {
    if (error != nullptr) {
      *error = "regular expression is too long";
    }
    return nullptr;
  }
  if (auto it = cache_.find(pattern); it != cache_.end()) {
    return it->second.get();
  }
  re2::RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(kRegexMaxMem);
  options.set_encoding(re2::RE2::Options::EncodingUTF8);
  const std::string translated = TranslateRegex(pattern);
  auto re = std::make_unique<re2::RE2>(translated, options);
  if (!re->ok()) {
    if (error != nullptr) {
      *error = "invalid regular expression '" + std::string(pattern) + "': " + re->error();
    }
    return nullptr;
  }
  const re2::RE2* out = re.get();
  if (cache_.size() >= kRegexCacheMaxEntries) {
    // A query building patterns per row: keep the cached ones (their pointers may be held
    // across rows) and park the newcomer in one overflow slot, replaced on the next miss.
    // Its key is longer than any accepted pattern, so no lookup can hit it.
    cache_.insert_or_assign(std::string(kRegexMaxPatternBytes + 1, '\0'), std::move(re));
    return out;
  }
  cache_.emplace(std::string(pattern), std::move(re));
  return out;
}

const Registry& Registry::Default() {
  // Built on first use; C++ guarantees one thread initialises it while others wait.
  static const Registry registry = [] {
    Registry r;
    RegisterStringFunctions(r);
    RegisterRegexFunctions(r);
    RegisterParseFunctions(r);
    RegisterEncodingFunctions(r);
    RegisterIpFunctions(r);
    RegisterDateTimeFunctions(r);
    RegisterConversionFunctions(r);
    RegisterMathFunctions(r);
    RegisterDynamicFunctions(r);
    RegisterConditionalFunctions(r);
    RegisterSeriesFunctions(r);
    RegisterMoreFunctions(r);
    RegisterXmlFunctions(r);
    RegisterGeoFunctions(r);
    RegisterGeoH3Functions(r);
    RegisterAggregates(r);
    return r;
  }();
  return registry;
}

void Registry::AddScalar(ScalarFunction fn) {
  std::string name = fn.name;
  scalars_.insert_or_assign(std::move(name), std::move(fn));
}

void Registry::AddAggregate(AggregateFunction fn) {
  std::string name = fn.name;
  aggregates_.insert_or_assign(std::move(name), std::move(fn));
}

const ScalarFunction* Registry::FindScalar(std::string_view name) const {
  auto it = scalars_.find(name);
  return it == scalars_.end() ? nullptr : &it->second;
}

const AggregateFunction* Registry::FindAggregate(std::string_view name) const {
  auto it = aggregates_.find(name);
  return it == aggregates_.end() ? nullptr : &it->second;
}

std::vector<std::string> Registry::ScalarNames() const {
  std::vector<std::string> names;
  names.reserve(scalars_.size());
  for (const auto& [name, fn] : scalars_) {
    names.push_back(name);
  }
  return names;
}

std::vector<std::string> Registry::AggregateNames() const {
  std::vector<std::string> names;
  names.reserve(aggregates_.size());
  for (const auto& [name, fn] : aggregates_) {
    names.push_back(name);
  }
  return names;
}

}  // namespace vigil::kql

// Test helpers for the correlation engine tests: hand-built rule sets and events (the Sigma
// loader is not needed to exercise the engine). Test-only; not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/detect/correlate/correlation_engine.h"
#include "vigil/detect/sigma/rule.h"

namespace vigil::detect::correlate::testing {

constexpr int64_t kSec = 1'000'000;

inline sigma::Rule MakeRule(const std::string& id, const std::string& name = "") {
  sigma::Rule rule;
  rule.id = id;
  rule.name = name;
  rule.title = "rule " + id;
  return rule;
}

inline sigma::Correlation MakeCorrelation(const std::string& id, sigma::CorrelationType type,
                                          std::vector<std::string> rules,
                                          std::vector<std::string> group_by,
                                          int64_t timespan_seconds) {
  sigma::Correlation c;
  c.id = id;
  c.title = "correlation " + id;
  c.type = type;
  c.rules = std::move(rules);
  c.group_by = std::move(group_by);
  c.timespan_seconds = timespan_seconds;
  return c;
}

// An event as a field map; the getter reads from it.
using Fields = std::map<std::string, std::string, std::less<>>;

inline FieldGetter Getter(const Fields& fields) {
  return [&fields](std::string_view name) -> std::optional<std::string> {
    auto it = fields.find(name);
    if (it == fields.end()) {
      return std::nullopt;
    }
    return it->second;
  };
}

inline std::unique_ptr<CorrelationEngine> MustCreate(const sigma::RuleSet& rules,
                                                     const EngineOptions& options = {}) {
  auto engine = CorrelationEngine::Create(rules, options);
  if (!engine.ok()) {
    return nullptr;
  }
  return std::move(*engine);
}

}  // namespace vigil::detect::correlate::testing

// yaml-cpp adapter for the `detection:` section of rules and the `filter:` section of meta
// filters: YAML nodes -> Search list + Condition. Internal to the sigma loader; callers must
// catch YAML::Exception around it (loader.cpp does). Pure functions.
#pragma once

#include <yaml-cpp/yaml.h>

#include <set>
#include <string>
#include <vector>

#include "vigil/base/status.h"
#include "vigil/detect/sigma/modifiers.h"
#include "vigil/detect/sigma/rule.h"

namespace vigil::detect::sigma::internal {

// Upper bound on the values of one detection (YAML aliases can multiply a small text).
inline constexpr size_t kMaxValuesPerDetection = 100000;

struct ParsedDetection {
  std::vector<Search> searches;
  Condition condition;
  std::string condition_text;
};

// `map[key]`, or a null node when `map` is not a map or has no such key (yaml-cpp's invalid
// nodes throw on most calls, so every lookup goes through here).
YAML::Node Child(const YAML::Node& map, const std::string& key);
bool HasChild(const YAML::Node& map, const std::string& key);

// 1-based line of a node, 0 when unknown.
int NodeLine(const YAML::Node& node);

// A scalar node as a RawValue (plain `null`/`~`/empty -> kNull, plain numbers -> kNumber,
// plain true/false -> kBool with text "true"/"false").
RawValue ToRawValue(const YAML::Node& node);

// Parses a detection map. Keys in `skip` (besides `condition` and `timeframe`) are not
// searches. Errors carry the line of the offending node.
Result<ParsedDetection> ParseDetection(const YAML::Node& node, const PlaceholderMap& placeholders,
                                       const std::set<std::string>& skip);

}  // namespace vigil::detect::sigma::internal

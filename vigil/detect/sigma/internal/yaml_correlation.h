// yaml-cpp adapter for Sigma correlation documents (`correlation:`). Internal to the sigma
// loader; callers catch YAML::Exception around it (loader.cpp does). Pure functions.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string_view>

#include "vigil/base/status.h"
#include "vigil/detect/sigma/rule.h"

namespace vigil::detect::sigma::internal {

// `30s`, `5m`, `1h`, `2d`, `1w` -> seconds; anything else is an error.
Result<int64_t> ParseTimespan(std::string_view text);

// Parses a whole correlation document (metadata + `correlation:` map). Error messages start
// with "correlation: ".
Result<Correlation> ParseCorrelation(const YAML::Node& document);

// Shared metadata helpers (also used by the rule and filter parsers).
std::string ScalarOr(const YAML::Node& map, const char* key);
std::vector<std::string> StringList(const YAML::Node& map, const char* key);
Result<Level> ParseLevel(const YAML::Node& document);

}  // namespace vigil::detect::sigma::internal

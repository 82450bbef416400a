#include "vigil/incidents/correlation_config.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <fstream>
#include <sstream>

#include "vigil/incidents/entities.h"

namespace vigil::incidents {
namespace {

constexpr size_t kMaxListItems = 10000;

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  }
  return out;
}

Status FieldError(std::string_view name, const YAML::Node& node, std::string_view field,
                  std::string_view what) {
  return InvalidArgumentError("{}:{}: field '{}': {}", name, node.Mark().line + 1, field, what);
}

Result<std::string> Scalar(std::string_view name, const YAML::Node& node, std::string_view field) {
  if (!node.IsScalar()) {
    return FieldError(name, node, field, "expected a scalar");
  }
  return node.Scalar();
}

Result<std::vector<std::string>> StringList(std::string_view name, const YAML::Node& node,
                                            std::string_view field) {
  if (!node.IsSequence()) {
    return FieldError(name, node, field, "expected a list");
  }
  if (node.size() > kMaxListItems) {
    return FieldError(name, node, field, "too many items");
  }
  std::vector<std::string> out;
  for (const auto& item : node) {
    VIGIL_ASSIGN_OR_RETURN(std::string text, Scalar(name, item, field));
    out.push_back(std::move(text));
  }
  return out;
}

Result<int64_t> Count(std::string_view name, const YAML::Node& node, std::string_view field) {
  VIGIL_ASSIGN_OR_RETURN(std::string text, Scalar(name, node, field));
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < 1 || value > 1000000) {
    return FieldError(name, node, field, "expected a whole number from 1 to 1000000");
  }
  return value;
}

Result<int64_t> Duration(std::string_view name, const YAML::Node& node, std::string_view field) {
  VIGIL_ASSIGN_OR_RETURN(std::string text, Scalar(name, node, field));
  auto value = ParseDurationMicros(text);
  if (!value.ok()) {
    return FieldError(name, node, field, value.status().message());
  }
  return *value;
}

Status ParseRoot(std::string_view name, const YAML::Node& root, CorrelationConfig& config) {
  if (root.IsNull()) {
    return Status::Ok();
  }
  if (!root.IsMap()) {
    return FieldError(name, root, "(root)", "expected a mapping");
  }
  for (const auto& entry : root) {
    const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : std::string();
    const YAML::Node& value = entry.second;
    if (key == "window") {
      VIGIL_ASSIGN_OR_RETURN(config.window_us, Duration(name, value, key));
    } else if (key == "max_incidents_per_entity") {
      VIGIL_ASSIGN_OR_RETURN(int64_t n, Count(name, value, key));
      config.max_incidents_per_entity = static_cast<size_t>(n);
    } else if (key == "max_alerts_per_entity") {
      VIGIL_ASSIGN_OR_RETURN(int64_t n, Count(name, value, key));
      config.max_alerts_per_entity = static_cast<size_t>(n);
    } else if (key == "max_entities_per_incident") {
      VIGIL_ASSIGN_OR_RETURN(int64_t n, Count(name, value, key));
      config.max_entities_per_incident = static_cast<size_t>(n);
    } else if (key == "ignore_private_ips") {
      VIGIL_ASSIGN_OR_RETURN(std::string text, Scalar(name, value, key));
      const std::string folded = Lower(text);
      if (folded != "true" && folded != "false") {
        return FieldError(name, value, key, "expected true or false");
      }
      config.ignore_private_ips = folded == "true";
    } else if (key == "infrastructure_cidrs") {
      VIGIL_ASSIGN_OR_RETURN(config.infrastructure_cidrs, StringList(name, value, key));
      for (const auto& cidr : config.infrastructure_cidrs) {
        if (!ParseCidr(cidr).ok()) {
          return FieldError(name, value, key, "bad CIDR '" + cidr + "'");
        }
      }
    } else if (key == "ignored_entities") {
      VIGIL_ASSIGN_OR_RETURN(config.ignored_entities, StringList(name, value, key));
    } else if (key == "account_domains") {
      if (!value.IsMap()) {
        return FieldError(name, value, key, "expected a mapping of NETBIOS: upn.suffix");
      }
      for (const auto& pair : value) {
        VIGIL_ASSIGN_OR_RETURN(std::string netbios, Scalar(name, pair.first, key));
        VIGIL_ASSIGN_OR_RETURN(std::string suffix, Scalar(name, pair.second, key));
        config.account_domains[Lower(netbios)] = Lower(suffix);
      }
    } else if (key == "domains") {
      if (!value.IsSequence() || value.size() > 32) {
        return FieldError(name, value, key, "expected a list of at most 32 domains");
      }
      config.domains.clear();
      for (const auto& item : value) {
        if (!item.IsMap()) {
          return FieldError(name, item, key, "expected a mapping");
        }
        CorrelationDomain domain;
        for (const auto& field : item) {
          const std::string f = field.first.IsScalar() ? field.first.Scalar() : std::string();
          const std::string path = "domains." + f;
          if (f == "name") {
            VIGIL_ASSIGN_OR_RETURN(domain.name, Scalar(name, field.second, path));
          } else if (f == "sources") {
            VIGIL_ASSIGN_OR_RETURN(domain.sources, StringList(name, field.second, path));
          } else if (f == "tables") {
            VIGIL_ASSIGN_OR_RETURN(domain.tables, StringList(name, field.second, path));
          } else if (f == "categories") {
            VIGIL_ASSIGN_OR_RETURN(domain.categories, StringList(name, field.second, path));
          } else {
            return FieldError(name, field.first, path, "unknown field");
          }
        }
        if (domain.name.empty()) {
          return FieldError(name, item, "domains.name", "missing");
        }
        config.domains.push_back(std::move(domain));
      }
    } else if (key == "sequences") {
      if (!value.IsSequence() || value.size() > 1000) {
        return FieldError(name, value, key, "expected a list of at most 1000 rules");
      }
      config.sequences.clear();
      for (const auto& item : value) {
        if (!item.IsMap()) {
          return FieldError(name, item, key, "expected a mapping");
        }
        SequenceRule rule;
        for (const auto& field : item) {
          const std::string f = field.first.IsScalar() ? field.first.Scalar() : std::string();
          const std::string path = "sequences." + f;
          if (f == "from") {
            VIGIL_ASSIGN_OR_RETURN(rule.from, Scalar(name, field.second, path));
          } else if (f == "to") {
            VIGIL_ASSIGN_OR_RETURN(rule.to, Scalar(name, field.second, path));
          } else if (f == "window") {
            VIGIL_ASSIGN_OR_RETURN(rule.window_us, Duration(name, field.second, path));
          } else {
            return FieldError(name, field.first, path, "unknown field");
          }
        }
        config.sequences.push_back(std::move(rule));
      }
    } else if (key == "actor") {
      VIGIL_ASSIGN_OR_RETURN(config.actor, Scalar(name, value, key));
    } else {
      return FieldError(name, entry.first, key, "unknown field");
    }
  }
  for (const auto& rule : config.sequences) {
    for (const std::string* domain : {&rule.from, &rule.to}) {
      bool known = false;
      for (const auto& d : config.domains) {
        known = known || d.name == *domain;
      }
      if (!known) {
        return InvalidArgumentError("{}: field 'sequences': unknown domain '{}'", name, *domain);
      }
    }
  }
  return Status::Ok();
}

}  // namespace

std::vector<CorrelationDomain> CorrelationConfig::DefaultDomains() {
  return {
      {"email", {"office 365", "email"}, {"Email*"}, {}},
      {"click", {}, {"UrlClickEvents"}, {}},
      {"endpoint", {"endpoint"}, {"Device*"}, {}},
      {"identity", {"identity", "entra"}, {"Identity*", "AADSignIn*", "EntraId*"}, {}},
      {"cloud", {"cloud app"}, {"CloudAppEvents"}, {}},
  };
}

std::vector<SequenceRule> CorrelationConfig::DefaultSequences() {
  const int64_t window = 72 * kMicrosPerHour;
  return {
      {"email", "click", window},    {"email", "endpoint", window},
      {"click", "endpoint", window}, {"endpoint", "identity", window},
      {"click", "identity", window}, {"identity", "cloud", window},
      {"endpoint", "cloud", window},
  };
}

Result<int64_t> ParseDurationMicros(std::string_view text) {
  if (text.empty()) {
    return InvalidArgumentError("empty duration");
  }
  int64_t unit = 1'000'000;
  std::string_view digits = text;
  switch (text.back()) {
    case 's':
      digits.remove_suffix(1);
      break;
    case 'm':
      unit = kMicrosPerMinute;
      digits.remove_suffix(1);
      break;
    case 'h':
      unit = kMicrosPerHour;
      digits.remove_suffix(1);
      break;
    case 'd':
      unit = 24 * kMicrosPerHour;
      digits.remove_suffix(1);
      break;
    default:
      break;
  }
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || ptr != digits.data() + digits.size() || value < 1 ||
      value > 366 * 24 * kMicrosPerHour / unit) {
    return InvalidArgumentError("bad duration '{}' (expected e.g. 90s, 35m, 24h, 7d, up to 366d)",
                                text);
  }
  return value * unit;
}

Result<CorrelationConfig> ParseCorrelationConfig(std::string_view yaml, std::string_view name) {
  CorrelationConfig config;
  try {
    const YAML::Node root = YAML::Load(std::string(yaml));
    VIGIL_RETURN_IF_ERROR(ParseRoot(name, root, config));
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError("{}:{}: {}", name, e.mark.line + 1, e.msg);
  } catch (const std::exception& e) {
    return InvalidArgumentError("{}: {}", name, e.what());
  }
  return config;
}

Result<CorrelationConfig> LoadCorrelationConfig(const std::string& yaml_path) {
  std::ifstream in(yaml_path, std::ios::binary);
  if (!in) {
    return IoError("cannot read correlation config '{}'", yaml_path);
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > (1u << 20)) {
    return InvalidArgumentError("correlation config '{}' is larger than 1 MiB", yaml_path);
  }
  return ParseCorrelationConfig(text.str(), yaml_path);
}

}  // namespace vigil::incidents

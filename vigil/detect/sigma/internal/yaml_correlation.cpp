#include "vigil/detect/sigma/internal/yaml_correlation.h"

#include <charconv>
#include <limits>

#include "vigil/detect/sigma/internal/yaml_detection.h"

namespace vigil::detect::sigma::internal {

namespace {

Status WithLine(Status status, const YAML::Node& node) {
  const int line = NodeLine(node);
  if (line > 0) {
    status.WithSpan(SourceSpan{static_cast<uint32_t>(line), 0});
  }
  return status;
}

Result<double> NumberOf(const YAML::Node& node, const std::string& key) {
  if (node.IsScalar()) {
    const RawValue raw = ToRawValue(node);
    if (raw.number) {
      return *raw.number;
    }
  }
  return WithLine(InvalidArgumentError("correlation: condition '{}' needs a number", key), node);
}

Result<CorrelationType> ParseType(const std::string& text) {
  if (text == "event_count") return CorrelationType::kEventCount;
  if (text == "value_count") return CorrelationType::kValueCount;
  if (text == "temporal") return CorrelationType::kTemporal;
  if (text == "temporal_ordered") return CorrelationType::kTemporalOrdered;
  if (text == "value_sum") return CorrelationType::kValueSum;
  if (text == "value_avg") return CorrelationType::kValueAvg;
  if (text == "value_percentile") return CorrelationType::kValuePercentile;
  if (text.empty()) {
    return InvalidArgumentError("correlation: missing type");
  }
  return InvalidArgumentError("correlation: unknown type '{}'", text);
}

Result<bool> BoolOf(const YAML::Node& node, const char* key) {
  const RawValue raw = ToRawValue(node);
  if (raw.kind != RawValue::Kind::kBool) {
    return WithLine(InvalidArgumentError("correlation: '{}' must be true or false", key), node);
  }
  return raw.text == "true";
}

}  // namespace

std::string ScalarOr(const YAML::Node& map, const char* key) {
  if (!map.IsMap()) {
    return {};
  }
  const YAML::Node node = Child(map, key);
  return node.IsScalar() ? node.Scalar() : std::string();
}

std::vector<std::string> StringList(const YAML::Node& map, const char* key) {
  std::vector<std::string> out;
  if (!map.IsMap()) {
    return out;
  }
  const YAML::Node node = Child(map, key);
  if (node.IsScalar()) {
    out.push_back(node.Scalar());
  } else if (node.IsSequence()) {
    for (const auto& item : node) {
      if (item.IsScalar()) {
        out.push_back(item.Scalar());
      }
    }
  }
  return out;
}

Result<Level> ParseLevel(const YAML::Node& document) {
  const YAML::Node node = Child(document, "level");
  if (!node.IsDefined() || node.IsNull()) {
    return Level::kMedium;
  }
  const std::string text = node.IsScalar() ? node.Scalar() : std::string();
  if (text == "informational") return Level::kInformational;
  if (text == "low") return Level::kLow;
  if (text == "medium") return Level::kMedium;
  if (text == "high") return Level::kHigh;
  if (text == "critical") return Level::kCritical;
  return WithLine(InvalidArgumentError("unknown level '{}'", text), node);
}

Result<int64_t> ParseTimespan(std::string_view text) {
  if (text.size() < 2) {
    return InvalidArgumentError(
        "correlation: invalid timespan '{}' (expected e.g. 30s, 5m, 1h, 2d)", text);
  }
  const char unit = text.back();
  int64_t scale = 0;
  switch (unit) {
    case 's':
      scale = 1;
      break;
    case 'm':
      scale = 60;
      break;
    case 'h':
      scale = 3600;
      break;
    case 'd':
      scale = 86400;
      break;
    case 'w':
      scale = 7 * 86400;
      break;
    default:
      break;
  }
  int64_t amount = 0;
  const std::string_view digits = text.substr(0, text.size() - 1);
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), amount);
  if (scale == 0 || ec != std::errc() || ptr != digits.data() + digits.size() || amount <= 0 ||
      amount > std::numeric_limits<int64_t>::max() / scale / 1000) {
    return InvalidArgumentError(
        "correlation: invalid timespan '{}' (expected e.g. 30s, 5m, 1h, 2d)", text);
  }
  return amount * scale;
}

Result<Correlation> ParseCorrelation(const YAML::Node& document) {
  Correlation out;
  out.id = ScalarOr(document, "id");
  out.name = ScalarOr(document, "name");
  out.title = ScalarOr(document, "title");
  out.description = ScalarOr(document, "description");
  out.author = ScalarOr(document, "author");
  out.status = ScalarOr(document, "status");
  out.date = ScalarOr(document, "date");
  out.modified = ScalarOr(document, "modified");
  out.references = StringList(document, "references");
  out.tags = StringList(document, "tags");
  out.falsepositives = StringList(document, "falsepositives");
  auto level = ParseLevel(document);
  if (!level.ok()) {
    return Status(level.error().code(), "correlation: " + level.error().message())
        .WithSpan(level.error().span());
  }
  out.level = *level;

  const YAML::Node body = Child(document, "correlation");
  if (!body.IsMap()) {
    return WithLine(InvalidArgumentError("correlation: 'correlation' is not a map"), body);
  }
  VIGIL_ASSIGN_OR_RETURN(out.type, ParseType(ScalarOr(body, "type")));
  out.rules = StringList(body, "rules");
  if (out.rules.empty()) {
    return WithLine(InvalidArgumentError("correlation: missing rules"), body);
  }
  out.group_by = StringList(body, "group-by");
  const YAML::Node timespan = Child(body, "timespan");
  if (!timespan.IsScalar()) {
    return WithLine(InvalidArgumentError("correlation: missing timespan"), body);
  }
  auto seconds = ParseTimespan(timespan.Scalar());
  if (!seconds.ok()) {
    return WithLine(seconds.error(), timespan);
  }
  out.timespan_seconds = *seconds;

  const YAML::Node condition = Child(body, "condition");
  const bool temporal =
      out.type == CorrelationType::kTemporal || out.type == CorrelationType::kTemporalOrdered;
  if (condition.IsMap()) {
    for (const auto& item : condition) {
      const std::string key = item.first.IsScalar() ? item.first.Scalar() : std::string();
      std::optional<double>* slot = key == "gt"           ? &out.condition.gt
                                    : key == "gte"        ? &out.condition.gte
                                    : key == "lt"         ? &out.condition.lt
                                    : key == "lte"        ? &out.condition.lte
                                    : key == "eq"         ? &out.condition.eq
                                    : key == "neq"        ? &out.condition.neq
                                    : key == "percentile" ? &out.condition.percentile
                                                          : nullptr;
      if (slot != nullptr) {
        VIGIL_ASSIGN_OR_RETURN(const double number, NumberOf(item.second, key));
        *slot = number;
      } else if (key == "field") {
        if (!item.second.IsScalar()) {
          return WithLine(InvalidArgumentError("correlation: condition field is not a string"),
                          item.second);
        }
        out.condition.field = item.second.Scalar();
      } else {
        return WithLine(InvalidArgumentError("correlation: unknown condition key '{}'", key),
                        item.first);
      }
    }
  } else if (condition.IsDefined() && !condition.IsNull()) {
    return WithLine(InvalidArgumentError("correlation: condition is not a map"), condition);
  } else if (!temporal) {
    return WithLine(InvalidArgumentError("correlation: missing condition"), body);
  }
  const auto& c = out.condition;
  if (condition.IsMap() && !c.gt && !c.gte && !c.lt && !c.lte && !c.eq && !c.neq) {
    return WithLine(InvalidArgumentError("correlation: condition has no gt/gte/lt/lte/eq/neq"),
                    condition);
  }
  const bool needs_field =
      out.type == CorrelationType::kValueCount || out.type == CorrelationType::kValueSum ||
      out.type == CorrelationType::kValueAvg || out.type == CorrelationType::kValuePercentile;
  if (needs_field && c.field.empty()) {
    return WithLine(
        InvalidArgumentError("correlation: {} needs condition.field", ScalarOr(body, "type")),
        body);
  }
  if (out.type == CorrelationType::kValuePercentile) {
    if (!out.condition.percentile && Child(body, "percentile").IsScalar()) {
      VIGIL_ASSIGN_OR_RETURN(const double percentile,
                             NumberOf(Child(body, "percentile"), "percentile"));
      out.condition.percentile = percentile;
    }
    if (!out.condition.percentile || *out.condition.percentile < 0 ||
        *out.condition.percentile > 100) {
      return WithLine(
          InvalidArgumentError("correlation: value_percentile needs a percentile 0-100"), body);
    }
  }

  const YAML::Node aliases = Child(body, "aliases");
  if (aliases.IsMap()) {
    for (const auto& alias : aliases) {
      if (!alias.first.IsScalar() || !alias.second.IsMap()) {
        return WithLine(InvalidArgumentError("correlation: alias must map rule -> field"),
                        alias.first);
      }
      auto& per_rule = out.aliases[alias.first.Scalar()];
      for (const auto& entry : alias.second) {
        if (!entry.first.IsScalar() || !entry.second.IsScalar()) {
          return WithLine(InvalidArgumentError("correlation: alias '{}' must map rule -> field",
                                               alias.first.Scalar()),
                          entry.first);
        }
        per_rule[entry.first.Scalar()] = entry.second.Scalar();
      }
    }
  } else if (aliases.IsDefined() && !aliases.IsNull()) {
    return WithLine(InvalidArgumentError("correlation: aliases is not a map"), aliases);
  }

  for (const YAML::Node& holder : {body, document}) {
    const YAML::Node generate = Child(holder, "generate");
    if (generate.IsDefined() && !generate.IsNull()) {
      VIGIL_ASSIGN_OR_RETURN(out.generate, BoolOf(generate, "generate"));
    }
  }
  return out;
}

}  // namespace vigil::detect::sigma::internal

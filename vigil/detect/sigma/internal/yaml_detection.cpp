#include "vigil/detect/sigma/internal/yaml_detection.h"

#include <charconv>
#include <cstdlib>
#include <optional>

#include "vigil/detect/sigma/condition.h"

namespace vigil::detect::sigma::internal {

namespace {

Status WithLine(Status status, const YAML::Node& node) {
  const int line = NodeLine(node);
  if (line > 0) {
    status.WithSpan(SourceSpan{static_cast<uint32_t>(line), 0});
  }
  return status;
}

bool LooksLikeNumber(const std::string& s, double* out) {
  if (s.empty() || s.size() > 64) {
    return false;
  }
  size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (s.size() > i + 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
    uint64_t v = 0;
    const char* begin = s.data() + i + 2;
    const auto [ptr, ec] = std::from_chars(begin, s.data() + s.size(), v, 16);
    if (ec != std::errc() || ptr != s.data() + s.size()) {
      return false;
    }
    *out = (s[0] == '-' ? -1.0 : 1.0) * static_cast<double>(v);
    return true;
  }
  bool digits = false;
  for (size_t k = i; k < s.size(); ++k) {
    const char c = s[k];
    if (c >= '0' && c <= '9') {
      digits = true;
    } else if (c != '.' && c != 'e' && c != 'E' && c != '-' && c != '+') {
      return false;
    }
  }
  if (!digits) {
    return false;
  }
  const char* begin = s.data() + (s[0] == '+' ? 1 : 0);
  const auto [ptr, ec] = std::from_chars(begin, s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

class Budget {
 public:
  Status Take(size_t n) {
    used_ += n;
    if (used_ > kMaxValuesPerDetection) {
      return ResourceExhaustedError("detection has more than {} values", kMaxValuesPerDetection);
    }
    return Status::Ok();
  }

 private:
  size_t used_ = 0;
};

Result<std::vector<RawValue>> ValueList(const YAML::Node& node, const std::string& key,
                                        Budget* budget) {
  std::vector<RawValue> out;
  if (node.IsSequence()) {
    VIGIL_RETURN_IF_ERROR(budget->Take(node.size()));
    for (const auto& item : node) {
      if (!item.IsScalar() && !item.IsNull()) {
        return WithLine(InvalidArgumentError("field '{}' holds a nested list or map", key), item);
      }
      out.push_back(ToRawValue(item));
    }
    return out;
  }
  if (node.IsMap()) {
    return WithLine(InvalidArgumentError("field '{}' holds a map, expected values", key), node);
  }
  VIGIL_RETURN_IF_ERROR(budget->Take(1));
  out.push_back(ToRawValue(node));
  return out;
}

Result<std::vector<FieldTest>> MapAlternative(const YAML::Node& node,
                                              const PlaceholderMap& placeholders, Budget* budget) {
  std::vector<FieldTest> tests;
  if (node.size() == 0) {
    return WithLine(InvalidArgumentError("empty map in search"), node);
  }
  for (const auto& item : node) {
    if (!item.first.IsScalar()) {
      return WithLine(InvalidArgumentError("field name is not a string"), item.first);
    }
    const std::string key = item.first.Scalar();
    VIGIL_ASSIGN_OR_RETURN(std::vector<RawValue> values, ValueList(item.second, key, budget));
    auto test = BuildFieldTest(key, values, placeholders);
    if (!test.ok()) {
      return WithLine(test.error(), item.second);
    }
    tests.push_back(std::move(*test));
  }
  return tests;
}

Result<Search> ParseSearch(const std::string& name, const YAML::Node& node,
                           const PlaceholderMap& placeholders, Budget* budget) {
  Search search;
  search.name = name;
  if (node.IsMap()) {
    VIGIL_ASSIGN_OR_RETURN(auto tests, MapAlternative(node, placeholders, budget));
    search.any_of.push_back(std::move(tests));
    return search;
  }
  if (node.IsSequence()) {
    std::vector<RawValue> keywords;
    VIGIL_RETURN_IF_ERROR(budget->Take(node.size()));
    for (const auto& item : node) {
      if (item.IsMap()) {
        VIGIL_ASSIGN_OR_RETURN(auto tests, MapAlternative(item, placeholders, budget));
        search.any_of.push_back(std::move(tests));
      } else if (item.IsScalar()) {
        keywords.push_back(ToRawValue(item));
      } else {
        return WithLine(InvalidArgumentError("search '{}' holds a nested list or null", name),
                        item);
      }
    }
    if (!keywords.empty()) {
      auto test = BuildFieldTest("", keywords, placeholders);
      if (!test.ok()) {
        return WithLine(test.error(), node);
      }
      search.any_of.push_back({std::move(*test)});
    }
    if (search.any_of.empty()) {
      return WithLine(InvalidArgumentError("search '{}' is empty", name), node);
    }
    return search;
  }
  if (node.IsScalar() && !node.IsNull()) {
    VIGIL_RETURN_IF_ERROR(budget->Take(1));
    auto test = BuildFieldTest("", {ToRawValue(node)}, placeholders);
    if (!test.ok()) {
      return WithLine(test.error(), node);
    }
    search.any_of.push_back({std::move(*test)});
    return search;
  }
  return WithLine(InvalidArgumentError("search '{}' is empty", name), node);
}

}  // namespace

YAML::Node Child(const YAML::Node& map, const std::string& key) {
  if (!map.IsMap()) {
    return YAML::Node();
  }
  const YAML::Node child = map[key];
  return child.IsDefined() ? child : YAML::Node();
}

bool HasChild(const YAML::Node& map, const std::string& key) {
  return map.IsMap() && map[key].IsDefined();
}

int NodeLine(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  return mark.line >= 0 ? mark.line + 1 : 0;
}

RawValue ToRawValue(const YAML::Node& node) {
  RawValue value;
  if (node.IsNull()) {
    value.kind = RawValue::Kind::kNull;
    return value;
  }
  value.text = node.Scalar();
  if (node.Tag() != "?") {  // quoted or explicitly tagged: a string
    return value;
  }
  if (value.text == "true" || value.text == "True" || value.text == "TRUE") {
    value.kind = RawValue::Kind::kBool;
    value.text = "true";
    return value;
  }
  if (value.text == "false" || value.text == "False" || value.text == "FALSE") {
    value.kind = RawValue::Kind::kBool;
    value.text = "false";
    return value;
  }
  double number = 0;
  if (LooksLikeNumber(value.text, &number)) {
    value.kind = RawValue::Kind::kNumber;
    value.number = number;
  }
  return value;
}

Result<ParsedDetection> ParseDetection(const YAML::Node& node, const PlaceholderMap& placeholders,
                                       const std::set<std::string>& skip) {
  if (!node.IsMap()) {
    return WithLine(InvalidArgumentError("detection is not a map"), node);
  }
  ParsedDetection out;
  Budget budget;
  std::vector<std::string> names;
  std::optional<YAML::Node> condition_holder;
  for (const auto& item : node) {
    if (!item.first.IsScalar()) {
      return WithLine(InvalidArgumentError("search identifier is not a string"), item.first);
    }
    const std::string name = item.first.Scalar();
    if (name == "condition") {
      condition_holder.emplace(item.second);
      continue;
    }
    if (name == "timeframe" || skip.count(name)) {
      continue;
    }
    VIGIL_ASSIGN_OR_RETURN(Search search, ParseSearch(name, item.second, placeholders, &budget));
    names.push_back(name);
    out.searches.push_back(std::move(search));
  }
  if (!condition_holder || condition_holder->IsNull()) {
    return WithLine(InvalidArgumentError("missing condition"), node);
  }
  const YAML::Node& condition_node = *condition_holder;
  std::vector<std::string> texts;
  if (condition_node.IsSequence()) {
    for (const auto& item : condition_node) {
      if (!item.IsScalar()) {
        return WithLine(InvalidArgumentError("condition list holds a non-string"), item);
      }
      texts.push_back(item.Scalar());
    }
  } else if (condition_node.IsScalar()) {
    texts.push_back(condition_node.Scalar());
  } else {
    return WithLine(InvalidArgumentError("condition is not a string"), condition_node);
  }
  auto condition = ParseConditionList(texts, names);
  if (!condition.ok()) {
    return WithLine(condition.error(), condition_node);
  }
  out.condition = std::move(*condition);
  for (size_t i = 0; i < texts.size(); ++i) {
    out.condition_text += (i ? " or " : "") + texts[i];
  }
  return out;
}

}  // namespace vigil::detect::sigma::internal

#include "vigil/detect/custom_detection_file.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "vigil/detect/sigma/internal/yaml_correlation.h"
#include "vigil/detect/sigma/internal/yaml_detection.h"
#include "vigil/detect/sigma/yaml_documents.h"

namespace vigil::detect {
namespace {

namespace fs = std::filesystem;

using sigma::internal::Child;
using sigma::internal::ScalarOr;

std::string Text(const YAML::Node& map, const char* key) { return ScalarOr(map, key); }

Result<std::vector<std::string>> List(const YAML::Node& map, const char* key) {
  const YAML::Node n = Child(map, key);
  std::vector<std::string> out;
  if (!n.IsDefined() || n.IsNull()) {
    return out;
  }
  if (n.IsScalar()) {
    out.push_back(n.Scalar());
    return out;
  }
  if (!n.IsSequence()) {
    return InvalidArgumentError("'{}' must be a list", key);
  }
  for (const auto& item : n) {
    if (!item.IsScalar()) {
      return InvalidArgumentError("'{}' must be a list of strings", key);
    }
    out.push_back(item.Scalar());
  }
  return out;
}

Result<CustomDetectionRule> ParseOne(const YAML::Node& doc) {
  if (!doc.IsMap()) {
    return InvalidArgumentError("a custom detection is a YAML map");
  }
  CustomDetectionRule rule;
  rule.id = Text(doc, "id");
  rule.name = Text(doc, "name");
  if (rule.name.empty()) {
    rule.name = Text(doc, "displayName");
  }
  rule.query = Text(doc, "query");
  if (rule.name.empty()) {
    return InvalidArgumentError("missing 'name'");
  }
  if (rule.id.empty()) {
    rule.id = rule.name;
  }
  if (rule.query.empty()) {
    return InvalidArgumentError("detection '{}' has no 'query'", rule.name);
  }
  const std::string frequency = Text(doc, "frequency");
  if (!frequency.empty()) {
    VIGIL_ASSIGN_OR_RETURN(rule.period, ParseDetectionPeriod(frequency));
  }
  if (const std::string severity = Text(doc, "severity"); !severity.empty()) {
    const auto parsed = ParseSeverityName(severity);
    if (!parsed) {
      return InvalidArgumentError("unknown severity '{}' (Informational, Low, Medium or High)",
                                  severity);
    }
    rule.severity = *parsed;
  }
  rule.title = Text(doc, "title");
  rule.description = Text(doc, "description");
  if (const std::string category = Text(doc, "category"); !category.empty()) {
    rule.category = category;
  }
  rule.recommended_actions = Text(doc, "recommendedActions");
  rule.created_by = Text(doc, "createdBy");
  VIGIL_ASSIGN_OR_RETURN(rule.techniques, List(doc, "techniques"));
  VIGIL_ASSIGN_OR_RETURN(rule.impacted_columns, List(doc, "impactedAssets"));
  if (const std::string enabled = Text(doc, "enabled"); !enabled.empty()) {
    if (enabled != "true" && enabled != "false") {
      return InvalidArgumentError("'enabled' must be true or false");
    }
    rule.enabled = enabled == "true";
  }
  return rule;
}

}  // namespace

CustomDetectionLoad ParseCustomDetections(std::string_view text, std::string_view source) {
  CustomDetectionLoad out;
  const sigma::YamlDocuments stream = sigma::LoadYamlDocuments(text);
  for (const sigma::YamlDocumentError& bad : stream.errors) {
    out.errors.push_back(std::string(source) + ":" + std::to_string(bad.line) +
                         ": yaml syntax error: " + bad.message);
  }
  for (const sigma::YamlDocument& doc : stream.documents) {
    if (doc.node.IsNull()) {
      continue;
    }
    Result<CustomDetectionRule> rule = InvalidArgumentError("unreadable document");
    try {
      rule = ParseOne(doc.node);
    } catch (const YAML::Exception& e) {
      rule = InvalidArgumentError("{}", e.what());
    }
    if (!rule.ok()) {
      out.errors.push_back(std::string(source) + ": document " + std::to_string(doc.index + 1) +
                           " (line " + std::to_string(doc.first_line) +
                           "): " + rule.status().message());
      continue;
    }
    out.rules.push_back(std::move(*rule));
  }
  return out;
}

CustomDetectionLoad LoadCustomDetections(const std::vector<std::string>& paths) {
  CustomDetectionLoad out;
  std::vector<std::string> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      for (const auto& entry : fs::recursive_directory_iterator(p, ec)) {
        const auto ext = entry.path().extension();
        if (entry.is_regular_file() && (ext == ".yml" || ext == ".yaml")) {
          files.push_back(entry.path().string());
        }
      }
    } else {
      files.push_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      out.errors.push_back(file + ": cannot read the file");
      continue;
    }
    std::stringstream text;
    text << in.rdbuf();
    auto loaded = ParseCustomDetections(text.str(), file);
    for (auto& r : loaded.rules) {
      out.rules.push_back(std::move(r));
    }
    for (auto& e : loaded.errors) {
      out.errors.push_back(std::move(e));
    }
  }
  return out;
}

}  // namespace vigil::detect

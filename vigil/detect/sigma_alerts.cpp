#include "vigil/detect/sigma_alerts.h"

#include <algorithm>
#include <cctype>

namespace vigil::detect {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

Severity SeverityForLevel(sigma::Level level) {
  switch (level) {
    case sigma::Level::kInformational:
      return Severity::kInformational;
    case sigma::Level::kLow:
      return Severity::kLow;
    case sigma::Level::kMedium:
      return Severity::kMedium;
    case sigma::Level::kHigh:
    case sigma::Level::kCritical:
      return Severity::kHigh;
  }
  return Severity::kMedium;
}

std::string_view LevelName(sigma::Level level) {
  switch (level) {
    case sigma::Level::kInformational:
      return "informational";
    case sigma::Level::kLow:
      return "low";
    case sigma::Level::kMedium:
      return "medium";
    case sigma::Level::kHigh:
      return "high";
    case sigma::Level::kCritical:
      return "critical";
  }
  return "medium";
}

std::string TacticFromTags(const std::vector<std::string>& tags) {
  for (const auto& tag : tags) {
    const std::string t = Lower(tag);
    if (!StartsWith(t, "attack.") || t.size() <= 7) {
      continue;
    }
    const std::string name = t.substr(7);
    // Techniques (t1059), groups (g0016), software (s0002) and campaigns are not tactics.
    if (name.size() >= 2 && (name[0] == 't' || name[0] == 'g' || name[0] == 's' ||
                             name[0] == 'c') &&
        std::isdigit(static_cast<unsigned char>(name[1]))) {
      continue;
    }
    std::string out;
    bool upper = true;
    for (char c : name) {
      if (c == '_' || c == '-') {
        upper = true;
        continue;
      }
      out.push_back(upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
      upper = false;
    }
    return out;
  }
  return "";
}

std::vector<std::string> TechniquesFromTags(const std::vector<std::string>& tags) {
  std::vector<std::string> out;
  for (const auto& tag : tags) {
    const std::string t = Lower(tag);
    if (!StartsWith(t, "attack.t") || t.size() < 9 ||
        !std::isdigit(static_cast<unsigned char>(t[8]))) {
      continue;
    }
    std::string id = t.substr(7);
    std::transform(id.begin(), id.end(), id.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (std::find(out.begin(), out.end(), id) == out.end()) {
      out.push_back(std::move(id));
    }
  }
  return out;
}

std::string_view ServiceSourceForTable(std::string_view table) {
  if (StartsWith(table, "Device")) {
    return "Endpoint";
  }
  if (StartsWith(table, "Identity")) {
    return "Identity";
  }
  if (StartsWith(table, "Email") || table == "UrlClickEvents") {
    return "Email";
  }
  if (StartsWith(table, "CloudApp") || StartsWith(table, "AAD") || StartsWith(table, "Cloud")) {
    return "CloudApps";
  }
  return "Vigil";
}

std::string RuleLink(std::string_view absolute_rule_path) {
  std::string path(absolute_rule_path);
  std::replace(path.begin(), path.end(), '\\', '/');
  // The last folder named rules, rules-emerging-threats, rules-threat-hunting, ... is the root
  // of SigmaHQ's layout.
  size_t best = std::string::npos;
  for (size_t pos = path.find("/rules"); pos != std::string::npos;
       pos = path.find("/rules", pos + 1)) {
    const size_t end = path.find('/', pos + 1);
    if (end == std::string::npos) {
      break;
    }
    const std::string_view folder = std::string_view(path).substr(pos + 1, end - pos - 1);
    if (folder == "rules" || StartsWith(folder, "rules-")) {
      best = pos + 1;
    }
  }
  if (best != std::string::npos && path.find("/content/rules/") == std::string::npos) {
    return "https://github.com/SigmaHQ/sigma/blob/master/" + path.substr(best);
  }
  return "file://" + path;
}

AlertDraft DraftForRule(const sigma::Rule& rule, std::string_view link) {
  AlertDraft d;
  d.title = rule.title;
  d.description = rule.description;
  d.severity = SeverityForLevel(rule.level);
  d.category = TacticFromTags(rule.tags);
  if (d.category.empty()) {
    d.category = "SuspiciousActivity";
  }
  d.attack_techniques = TechniquesFromTags(rule.tags);
  d.detection_source = "Sigma";
  d.rule_id = rule.id.empty() ? rule.title : rule.id;
  d.rule_title = rule.title;
  d.rule_author = rule.author;
  d.rule_link = std::string(link);
  // SigmaHQ's rules are under the Detection Rule License 1.1; others carry their own.
  const bool sigmahq = link.find("github.com/SigmaHQ/") != std::string_view::npos;
  d.rule_license = !rule.license.empty() ? rule.license : (sigmahq ? "DRL-1.1" : "");
  return d;
}

}  // namespace vigil::detect

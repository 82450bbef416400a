#include "vigil/incidents/incident.h"

#include <algorithm>
#include <array>
#include <string>

namespace vigil::incidents {
namespace {

// Lower-case, without spaces, '_', '-'.
std::string Fold(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == ' ' || c == '_' || c == '-' || c == ',' || c == '&') {
      continue;
    }
    out.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c);
  }
  return out;
}

struct Tactic {
  std::string_view folded;
  std::string_view display;
};

// ATT&CK tactics in kill-chain order; the title lists categories in this order.
constexpr std::array<Tactic, 15> kTactics = {{
    {"reconnaissance", "Reconnaissance"},
    {"resourcedevelopment", "Resource development"},
    {"initialaccess", "Initial access"},
    {"execution", "Execution"},
    {"persistence", "Persistence"},
    {"privilegeescalation", "Privilege escalation"},
    {"defenseevasion", "Defense evasion"},
    {"credentialaccess", "Credential access"},
    {"discovery", "Discovery"},
    {"lateralmovement", "Lateral movement"},
    {"collection", "Collection"},
    {"commandandcontrol", "Command and control"},
    {"exfiltration", "Exfiltration"},
    {"impact", "Impact"},
    {"malware", "Malware"},
}};

size_t TacticRank(std::string_view category) {
  const std::string folded = Fold(category);
  for (size_t i = 0; i < kTactics.size(); ++i) {
    if (kTactics[i].folded == folded) {
      return i;
    }
  }
  return kTactics.size();
}

}  // namespace

std::string_view IncidentStatusName(IncidentStatus status) {
  switch (status) {
    case IncidentStatus::kActive:
      return "Active";
    case IncidentStatus::kInProgress:
      return "InProgress";
    case IncidentStatus::kResolved:
      return "Resolved";
    case IncidentStatus::kRedirected:
      return "Redirected";
  }
  return "Active";
}

Result<IncidentStatus> ParseIncidentStatus(std::string_view text) {
  const std::string folded = Fold(text);
  if (folded == "active" || folded == "new") {
    return IncidentStatus::kActive;
  }
  if (folded == "inprogress") {
    return IncidentStatus::kInProgress;
  }
  if (folded == "resolved" || folded == "closed") {
    return IncidentStatus::kResolved;
  }
  if (folded == "redirected") {
    return IncidentStatus::kRedirected;
  }
  return InvalidArgumentError(
      "unknown incident status '{}' (expected Active, InProgress, Resolved or Redirected)", text);
}

bool InsertSorted(std::vector<std::string>& list, std::string value) {
  auto it = std::lower_bound(list.begin(), list.end(), value);
  if (it != list.end() && *it == value) {
    return false;
  }
  list.insert(it, std::move(value));
  return true;
}

std::string CategoryDisplayName(std::string_view category) {
  const size_t rank = TacticRank(category);
  if (rank < kTactics.size()) {
    return std::string(kTactics[rank].display);
  }
  return std::string(category);
}

std::string GenerateTitle(const IncidentFacts& facts) {
  std::vector<std::string> categories;
  for (const auto& c : facts.categories) {
    if (!c.empty()) {
      categories.push_back(c);
    }
  }
  std::stable_sort(
      categories.begin(), categories.end(),
      [](const std::string& a, const std::string& b) { return TacticRank(a) < TacticRank(b); });
  std::string title;
  if (categories.empty()) {
    title = "Incident";
  } else if (categories.size() == 1) {
    title = CategoryDisplayName(categories[0]) + " incident";
  } else if (categories.size() == 2) {
    title = "Multi-stage incident involving " + CategoryDisplayName(categories[0]) + " & " +
            CategoryDisplayName(categories[1]);
  } else {
    title = "Multi-stage incident";
  }
  if (facts.devices.size() == 1) {
    title += " on one endpoint";
  } else if (facts.devices.size() > 1) {
    title += " on multiple endpoints";
  } else if (facts.users.size() == 1) {
    title += categories.size() == 2 ? " for one user" : " involving one user";
  } else if (facts.users.size() > 1) {
    title += categories.size() == 2 ? " for multiple users" : " involving multiple users";
  }
  if (facts.service_sources.size() > 1) {
    title += " reported by multiple sources";
  }
  return title;
}

void AddAlertSummary(Incident& incident, Severity severity, int64_t first_activity_us,
                     int64_t last_activity_us, const std::string& service_source,
                     const std::string& detection_source, const std::string& category) {
  incident.alerts_severity = std::max(incident.alerts_severity, severity);
  if (first_activity_us != 0 &&
      (incident.first_activity_us == 0 || first_activity_us < incident.first_activity_us)) {
    incident.first_activity_us = first_activity_us;
  }
  incident.last_activity_us = std::max(incident.last_activity_us, last_activity_us);
  auto add = [](std::vector<std::string>& list, const std::string& value) {
    if (!value.empty() && list.size() < kMaxFactValues) {
      InsertSorted(list, value);
    }
  };
  add(incident.facts.service_sources, service_source);
  add(incident.facts.detection_sources, detection_source);
  add(incident.facts.categories, category);
}

void RefreshDerived(Incident& incident) {
  if (!incident.title_custom) {
    incident.title = GenerateTitle(incident.facts);
  }
  if (!incident.severity_override) {
    incident.severity = incident.alerts_severity;
  }
}

}  // namespace vigil::incidents

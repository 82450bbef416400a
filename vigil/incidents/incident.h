// Incident: a group of correlated alerts with triage state (status, assignment, classification,
// tags) and the summary facts its generated title is built from. Used by IncidentStore, the
// Correlator, the story builder and the CLI. Plain data and pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/base/status.h"
#include "vigil/detect/alert.h"
#include "vigil/detect/alerts/alert_enums.h"

namespace vigil::incidents {

using detect::Severity;
using detect::alerts::AlertClassification;
using detect::alerts::AlertDetermination;

// M365D API statuses; the portal's "In progress" and Graph's camelCase parse too.
enum class IncidentStatus : uint8_t { kActive, kInProgress, kResolved, kRedirected };

std::string_view IncidentStatusName(IncidentStatus status);
Result<IncidentStatus> ParseIncidentStatus(std::string_view text);
// Active and InProgress incidents take new alerts and merges; Resolved/Redirected do not.
inline bool IsOpen(IncidentStatus status) {
  return status == IncidentStatus::kActive || status == IncidentStatus::kInProgress;
}

// Summary lists keep at most this many values each (the title only needs "one" or "multiple").
inline constexpr size_t kMaxFactValues = 100;

// What the generated title is made of: sorted, de-duplicated lists.
struct IncidentFacts {
  std::vector<std::string> service_sources;
  std::vector<std::string> detection_sources;
  std::vector<std::string> categories;
  std::vector<std::string> devices;  // device names (or ids), case-folded
  std::vector<std::string> users;    // account labels, case-folded
};

// Times are UTC microseconds since the Unix epoch.
struct Incident {
  int64_t id = 0;  // 1, 2, ... (Defender's incidentId is an integer)
  std::string title;
  bool title_custom = false;  // set by an analyst; merges keep it
  Severity severity = Severity::kInformational;
  bool severity_override = false;  // else: the highest severity of its alerts
  Severity alerts_severity = Severity::kInformational;
  IncidentStatus status = IncidentStatus::kActive;
  AlertClassification classification = AlertClassification::kUnknown;
  AlertDetermination determination = AlertDetermination::kNotAvailable;
  std::string assigned_to;  // empty = unassigned
  std::vector<std::string> custom_tags;
  std::vector<std::string> system_tags;
  int64_t redirect_incident_id = 0;  // 0 = none
  int64_t created_us = 0;
  int64_t last_update_us = 0;
  int64_t first_activity_us = 0;
  int64_t last_activity_us = 0;
  std::vector<std::string> alert_ids;  // in link order
  IncidentFacts facts;
};

// Inserts `value` into a sorted unique list; returns true when it was new.
bool InsertSorted(std::vector<std::string>& list, std::string value);

// Defender-style generated name, e.g. "Multi-stage incident involving Initial access &
// Credential access on multiple endpoints reported by multiple sources" or "Execution incident
// on one endpoint".
std::string GenerateTitle(const IncidentFacts& facts);

// "CredentialAccess" / "credential access" -> "Credential access"; unknown names are kept.
std::string CategoryDisplayName(std::string_view category);

// Folds the severity/activity/facts of one more alert into `incident` (title not touched).
void AddAlertSummary(Incident& incident, Severity severity, int64_t first_activity_us,
                     int64_t last_activity_us, const std::string& service_source,
                     const std::string& detection_source, const std::string& category);

// Regenerates the title unless custom, and the severity unless overridden.
void RefreshDerived(Incident& incident);

}  // namespace vigil::incidents

// AlertDraft: what every detector (Sigma matcher, indicators, correlations, custom KQL
// detections) hands to the alert pipeline (alerts/). The pipeline groups identical drafts,
// assigns AlertIds, writes AlertInfo/AlertEvidence rows and keeps the alert records
// (status, assignment, classification) for the incidents work. Plain data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::detect {

// Defender's alert severities (AlertInfo.Severity / API `severity`).
enum class Severity : uint8_t { kInformational, kLow, kMedium, kHigh };

// "Informational", "Low", "Medium", "High", as Defender writes them.
inline std::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kInformational:
      return "Informational";
    case Severity::kLow:
      return "Low";
    case Severity::kMedium:
      return "Medium";
    case Severity::kHigh:
      return "High";
  }
  return "Medium";
}

// The names above in any case (and "info"); nullopt otherwise.
inline std::optional<Severity> ParseSeverityName(std::string_view text) {
  std::string folded(text);
  for (char& c : folded) {
    c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  }
  if (folded == "informational" || folded == "info") {
    return Severity::kInformational;
  }
  if (folded == "low") {
    return Severity::kLow;
  }
  if (folded == "medium") {
    return Severity::kMedium;
  }
  if (folded == "high") {
    return Severity::kHigh;
  }
  return std::nullopt;
}

// One entity of an alert: a row of AlertEvidence. EntityType is Defender's: "Machine",
// "User", "Process", "File", "Ip", "Url", "RegistryKey", "RegistryValue", "MailMessage",
// "Mailbox", "CloudApplication". EvidenceRole: "Impacted" or "Related". Only the members that
// apply to the type are set; empty strings are written as nulls.
struct Evidence {
  std::string entity_type;
  std::string evidence_role = "Related";
  std::string device_id, device_name;
  std::string account_name, account_domain, account_sid, account_upn, account_object_id;
  std::string file_name, folder_path, sha1, sha256, md5;
  std::string process_command_line;
  int64_t process_id = -1;
  std::string remote_ip, local_ip, remote_url;
  std::string registry_key, registry_value_name, registry_value_data;
  std::string network_message_id, email_subject, mailbox;  // mail entities
  std::string application;                                  // cloud app
};

struct AlertDraft {
  int64_t timestamp_us = 0;      // event time (UTC microseconds since the Unix epoch)
  std::string title;
  std::string description;
  std::string category;          // ATT&CK tactic name: "Execution", "CredentialAccess", ...
  std::vector<std::string> attack_techniques;  // "T1059.001", ...
  Severity severity = Severity::kMedium;
  std::string service_source = "Vigil";  // product area: "Microsoft Defender for Endpoint"-like
  std::string detection_source;  // "Sigma", "customTi", "customDetection", "Correlation"
  // Where the alert comes from, for grouping and for the console: the rule (Sigma id, custom
  // detection id, indicator id) with its author and a link (DRL 1.1 requires both for Sigma).
  std::string rule_id;
  std::string rule_title;
  std::string rule_author;
  std::string rule_link;
  std::string rule_license;      // "DRL-1.1" for SigmaHQ rules
  // The event that fired it: table and ReportId (when known), and the raw row as JSON.
  std::string source_table;
  std::string source_report_id;
  std::string source_row_json;
  std::vector<Evidence> evidence;
};

}  // namespace vigil::detect

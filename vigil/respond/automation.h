// Automation levels (Defender's device-group levels, applied per domain) and the decision they
// give for a proposed remediation: take it automatically, wait for approval, or propose nothing.
// The policy is read from a YAML file (<data>/automation.yml). Used by Investigator and the CLI.
// Plain data and pure functions; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "vigil/base/status.h"
#include "vigil/respond/action.h"

namespace vigil::respond {

enum class AutomationLevel : uint8_t {
  kFull,
  kSemiRequireApprovalAllFolders,
  kSemiRequireApprovalCoreFolders,     // files under \Windows\ need approval
  kSemiRequireApprovalNonTempFolders,  // files in temp folders are automatic
  kNoAutomatedResponse,                // the investigation proposes nothing
};

std::string_view AutomationLevelName(AutomationLevel level);  // "Full", "NoAutomatedResponse"
// Case-insensitive, ignoring spaces, '-' and '_'; also "none", "semi" (= all folders).
std::optional<AutomationLevel> ParseAutomationLevel(std::string_view text);

struct DomainLevels {
  AutomationLevel endpoint = AutomationLevel::kFull;
  AutomationLevel email = AutomationLevel::kSemiRequireApprovalAllFolders;
  AutomationLevel identity = AutomationLevel::kSemiRequireApprovalAllFolders;
  AutomationLevel cloud = AutomationLevel::kSemiRequireApprovalAllFolders;

  AutomationLevel& For(Domain domain);
  AutomationLevel For(Domain domain) const;
};

// Defaults: Full for devices, approval for email, identity and cloud. A device group
// (DeviceInfo.MachineGroup, compared case-insensitively) overrides the levels it names.
struct AutomationPolicy {
  DomainLevels defaults;
  std::map<std::string, DomainLevels> device_groups;  // key lower-cased

  AutomationLevel LevelFor(Domain domain, std::string_view device_group) const;
};

enum class Decision : uint8_t { kAutomatic, kRequireApproval, kNone };
std::string_view DecisionName(Decision decision);

// Defender's outcome table: nothing for NoThreatsFound/Unknown or NoAutomatedResponse;
// approval for Suspicious and for every email remediation; Malicious device evidence is
// automatic under Full (and under the semi levels for files their folder rule allows);
// Malicious (compromised) users and cloud apps are automatic under Full.
// `file_path` is the folder path of the file acted on ("" when the action is not on a file).
Decision Decide(AutomationLevel level, Domain domain, Verdict verdict, std::string_view file_path);

bool IsCoreFolder(std::string_view path);  // \Windows\ (any drive), case-insensitive
bool IsTempFolder(std::string_view path);  // \Temp\, \Tmp\, /tmp/, /var/tmp/

// YAML:
//   defaults: {endpoint: Full, email: SemiRequireApprovalAllFolders, identity: ..., cloud: ...}
//   device_groups:
//     Servers: SemiRequireApprovalCoreFolders          # endpoint level of the group
//     Finance: {endpoint: Full, identity: Full}
// Unknown keys, domains or levels are errors naming `file_name`, line and field.
Result<AutomationPolicy> ParseAutomationPolicy(std::string_view yaml, std::string_view file_name);
// A missing file gives the default policy; an unreadable or invalid one an error.
Result<AutomationPolicy> LoadAutomationPolicy(const std::string& path);

}  // namespace vigil::respond

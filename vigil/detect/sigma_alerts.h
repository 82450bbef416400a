// How a Sigma rule becomes an alert: severity from `level`, ATT&CK category and techniques from
// `tags`, the Detection Rule License attribution (author, link, licence) and the source domain
// from the event's table. Used by the Detector and `vigil detect`. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vigil/detect/alert.h"
#include "vigil/detect/sigma/rule.h"

namespace vigil::detect {

Severity SeverityForLevel(sigma::Level level);  // critical and high -> High
std::string_view LevelName(sigma::Level level);  // "informational" ... "critical"

// `attack.credential_access` -> "CredentialAccess" (the first tactic tag; "" when none).
std::string TacticFromTags(const std::vector<std::string>& tags);
// `attack.t1059.001` -> "T1059.001", in tag order, de-duplicated.
std::vector<std::string> TechniquesFromTags(const std::vector<std::string>& tags);

// The product area an event's table belongs to: "Endpoint" (Device*), "Identity" (Identity*),
// "Email" (Email*, UrlClickEvents), "CloudApps" (CloudApp*, AAD*), else "Vigil".
std::string_view ServiceSourceForTable(std::string_view table);

// A link back to the rule, as the DRL asks: SigmaHQ rules (a path below a `rules*` folder) link
// to the SigmaHQ repository; other rules to their file (`file://` + absolute path).
std::string RuleLink(std::string_view absolute_rule_path);

// The alert fields of a rule (no event yet): title, description, severity, category,
// techniques, detection source "Sigma", rule id/title/author/link/licence.
AlertDraft DraftForRule(const sigma::Rule& rule, std::string_view link);

}  // namespace vigil::detect

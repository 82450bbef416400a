// Investigation playbooks (content/playbooks/*.yml): per entity type, the hunting queries that
// collect evidence (KQL templates with {{placeholders}} filled from the entity as escaped KQL
// string literals), the scoring rules that turn results and alert facts into a verdict with
// reasons, and the remediations to propose per verdict. Used by Investigator.
// Plain data and pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/base/status.h"
#include "vigil/detect/alert.h"
#include "vigil/respond/action.h"

namespace vigil::respond {

// Evidence entity types a playbook can cover (Defender's AlertEvidence EntityType values).
// "device"/"machine", "user"/"account", "mail"/"mailmessage", "cloudapp" are accepted too.
std::optional<std::string> CanonicalEntityType(std::string_view text);

struct PlaybookQuery {
  std::string name;
  std::string kql;  // template
  // Values read from the first result row into the entity's placeholders for later queries,
  // scoring and remediation targets: placeholder name -> result column (e.g. sender ->
  // SenderFromAddress).
  std::map<std::string, std::string> capture;
  int line = 0;
};

enum class CompareOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe, kContains };

// All set members must hold. The query condition reads `column` of the query's first result
// row (`$rows` = the number of rows); numbers compare numerically, text case-insensitively.
struct ScoreCondition {
  std::string query;
  std::string column;
  CompareOp op = CompareOp::kGe;
  std::string value;
  std::optional<detect::Severity> min_alert_severity;  // an alert naming the entity has >= this
  std::string alert_category;                          // an alert naming it has this category
  int64_t min_alerts = 0;                              // at least this many alerts name it
  std::string role;                                    // "Impacted" / "Related" in some alert
};

struct ScoreRule {
  ScoreCondition when;
  Verdict verdict = Verdict::kSuspicious;
  std::string reason;
  int line = 0;
};

struct EntityPlaybook {
  std::string entity_type;  // canonical: "File", "Machine", "User", "MailMessage", ...
  std::vector<PlaybookQuery> queries;
  std::vector<ScoreRule> rules;  // the entity's verdict is the worst verdict matched
  Verdict default_verdict = Verdict::kNoThreatsFound;
  std::map<Verdict, std::vector<ActionType>> remediations;
};

struct Playbook {
  std::string name;
  int64_t lookback_days = 30;
  std::vector<EntityPlaybook> entities;

  const EntityPlaybook* For(std::string_view entity_type) const;
};

// Placeholders a template may use: sha256, sha1, md5, file_name, folder_path, device_id,
// device_name, account_name, account_domain, account_sid, account_upn, account_object_id,
// mailbox, network_message_id, sender, url, ip, application, process_command_line.
bool IsKnownPlaceholder(std::string_view name);

// `"..."` with backslash, quote and control characters escaped: safe inside any KQL query.
std::string KqlStringLiteral(std::string_view value);

// Replaces every {{name}} by the quoted value. kNotFound when a used placeholder has no value
// (or an empty one): the query is then skipped. kInvalidArgument for an unknown or unclosed
// placeholder.
Result<std::string> FillTemplate(std::string_view kql,
                                 const std::map<std::string, std::string>& values);

// Errors: "<file>:<line>: <field>: <what>", lower-case.
Result<Playbook> ParsePlaybook(std::string_view yaml, std::string_view file_name);
Result<Playbook> LoadPlaybookFile(const std::string& path);

}  // namespace vigil::respond

// Remediation actions as Defender's Action center models them: the action type, its target
// entity, the connector that carries it out, its status and approval state. Used by
// ActionStore (persistence), the automation policy, playbooks and the CLI.
// Plain data and pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::respond {

// Persisted by name (ActionTypeName), so the order may change.
enum class ActionType : uint8_t {
  kIsolateDevice,
  kUnisolateDevice,
  kStopAndQuarantineFile,
  kReleaseFromQuarantine,
  kKillProcess,
  kRestrictCodeExecution,
  kUnrestrictCodeExecution,
  kRunAntivirusScan,
  kCollectInvestigationPackage,
  kSoftDeleteEmail,  // every copy of one NetworkMessageId
  kBlockSender,
  kBlockUrl,
  kDisableUser,
  kEnableUser,
  kForcePasswordReset,
  kRevokeSessions,
  kBlockCloudApp,
  kUnblockCloudApp,
  kAddIndicator,  // delivery of an indicator (target.indicator_id) to one connector
};

// Who carries an action out; connectors pull their queue (ActionStore::Pull).
enum class Connector : uint8_t { kEndpoint, kMail, kDirectory, kProxy, kCloudApp };

// Defender machineAction statuses.
enum class ActionStatus : uint8_t {
  kPending,
  kInProgress,
  kSucceeded,
  kFailed,
  kTimeOut,
  kCancelled
};

enum class ApprovalState : uint8_t { kNotRequired, kPending, kApproved, kRejected };

// Workload an action belongs to; automation levels are set per domain.
enum class Domain : uint8_t { kEndpoint, kEmail, kIdentity, kCloud };

// Verdict of an investigated entity (Defender's evidence verdicts).
enum class Verdict : uint8_t { kUnknown, kNoThreatsFound, kSuspicious, kMalicious };

// The entity an action applies to: the identifying members for its type are set.
struct ActionTarget {
  std::string entity_type;  // "Machine", "File", "Process", "User", "MailMessage", "Url", ...
  std::string device_id, device_name;
  std::string sha256, file_path;
  std::string sha1;  // StopAndQuarantineFile by SHA-1 (the MDE API's parameter)
  std::string account_sid, account_upn, account_name;
  std::string network_message_id, sender;
  std::string url, ip, application;
  std::string indicator_id;  // kAddIndicator
  int64_t process_id = -1;
};

// Times are UTC microseconds since the Unix epoch.
struct Action {
  int64_t id = 0;  // assigned by ActionStore::Propose
  ActionType type = ActionType::kRunAntivirusScan;
  ActionTarget target;
  Connector connector = Connector::kEndpoint;
  ActionStatus status = ActionStatus::kPending;
  ApprovalState approval = ApprovalState::kNotRequired;
  std::string source;     // "Automated device action", "Manual email action", ...
  std::string requestor;  // "automation" or the analyst
  std::string reason;     // why it was proposed (verdict and evidence)
  int64_t incident_id = 0;
  int64_t investigation_id = 0;
  int64_t created_us = 0;
  int64_t updated_us = 0;
  std::string decided_by;  // approver / rejecter
  std::string decision_comment;
  std::string result_message;  // from the connector's report
  int64_t undo_of = 0;         // the action this one reverses
  int64_t undone_by = 0;       // the action that reversed this one
  std::string scope;           // "Full"/"Selective" isolation, "Quick"/"Full" scan, or empty
};

std::string_view ActionTypeName(ActionType type);                  // "IsolateDevice", ...
std::optional<ActionType> ParseActionType(std::string_view text);  // case-insensitive
std::string_view ConnectorName(Connector connector);               // "endpoint", "mail", ...
std::optional<Connector> ParseConnector(std::string_view text);
std::string_view ActionStatusName(ActionStatus status);  // "Pending", "TimeOut", ...
std::optional<ActionStatus> ParseActionStatus(std::string_view text);
std::string_view ApprovalStateName(ApprovalState state);  // "NotRequired", ...
std::optional<ApprovalState> ParseApprovalState(std::string_view text);
std::string_view DomainName(Domain domain);  // "endpoint", "email", "identity", "cloud"
std::optional<Domain> ParseDomain(std::string_view text);
std::string_view VerdictName(Verdict verdict);  // "Malicious", "NoThreatsFound", ...
std::optional<Verdict> ParseVerdict(std::string_view text);

// The connector that carries out `type` (kAddIndicator: the endpoint; callers pick one).
Connector DefaultConnector(ActionType type);
Domain DomainOf(ActionType type);
// Defender's "Action source" column: "Automated device action", "Manual email action", ...
// Identity and cloud-app actions use "... identity action" / "... cloud app action".
std::string ActionSource(ActionType type, bool automated);

// The reversing action of an undoable type (Isolate -> Unisolate, quarantine -> release,
// restrict -> unrestrict, disable -> enable user, block -> unblock cloud app); nullopt when the
// action cannot be undone.
std::optional<ActionType> ReverseOf(ActionType type);
inline bool IsUndoable(ActionType type) { return ReverseOf(type).has_value(); }

bool IsTerminal(ActionStatus status);  // Succeeded, Failed, TimeOut, Cancelled

// One JSON object per action, the connector queue's wire format (docs/RESPONSE.md): id, type,
// connector, status, approval, source, requestor, reason, incidentId, investigationId,
// createdUs, updatedUs, decidedBy, decisionComment, resultMessage, undoOf, undoneBy and a
// "target" object holding the non-empty target members.
std::string ActionToJson(const Action& action);

// Identity of (type, target, connector) used to avoid proposing the same action twice.
std::string ActionKey(const Action& action);

}  // namespace vigil::respond

#include "vigil/respond/action.h"

#include <fmt/format.h>

#include <array>
#include <cctype>

#include "vigil/base/json_escape.h"

namespace vigil::respond {
namespace {

bool SameIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

template <typename Enum, size_t N>
std::optional<Enum> ParseByName(std::string_view text, std::string_view (*name)(Enum)) {
  for (size_t i = 0; i < N; ++i) {
    const auto value = static_cast<Enum>(i);
    if (SameIgnoringCase(text, name(value))) {
      return value;
    }
  }
  return std::nullopt;
}

constexpr std::array<std::string_view, 19> kActionTypeNames = {"IsolateDevice",
                                                               "UnisolateDevice",
                                                               "StopAndQuarantineFile",
                                                               "ReleaseFromQuarantine",
                                                               "KillProcess",
                                                               "RestrictCodeExecution",
                                                               "UnrestrictCodeExecution",
                                                               "RunAntivirusScan",
                                                               "CollectInvestigationPackage",
                                                               "SoftDeleteEmail",
                                                               "BlockSender",
                                                               "BlockUrl",
                                                               "DisableUser",
                                                               "EnableUser",
                                                               "ForcePasswordReset",
                                                               "RevokeSessions",
                                                               "BlockCloudApp",
                                                               "UnblockCloudApp",
                                                               "AddIndicator"};

}  // namespace

std::string_view ActionTypeName(ActionType type) {
  const auto i = static_cast<size_t>(type);
  return i < kActionTypeNames.size() ? kActionTypeNames[i] : "Unknown";
}

std::optional<ActionType> ParseActionType(std::string_view text) {
  return ParseByName<ActionType, kActionTypeNames.size()>(text, ActionTypeName);
}

std::string_view ConnectorName(Connector connector) {
  switch (connector) {
    case Connector::kEndpoint:
      return "endpoint";
    case Connector::kMail:
      return "mail";
    case Connector::kDirectory:
      return "directory";
    case Connector::kProxy:
      return "proxy";
    case Connector::kCloudApp:
      return "cloudapp";
  }
  return "endpoint";
}

std::optional<Connector> ParseConnector(std::string_view text) {
  return ParseByName<Connector, 5>(text, ConnectorName);
}

std::string_view ActionStatusName(ActionStatus status) {
  switch (status) {
    case ActionStatus::kPending:
      return "Pending";
    case ActionStatus::kInProgress:
      return "InProgress";
    case ActionStatus::kSucceeded:
      return "Succeeded";
    case ActionStatus::kFailed:
      return "Failed";
    case ActionStatus::kTimeOut:
      return "TimeOut";
    case ActionStatus::kCancelled:
      return "Cancelled";
  }
  return "Pending";
}

std::optional<ActionStatus> ParseActionStatus(std::string_view text) {
  return ParseByName<ActionStatus, 6>(text, ActionStatusName);
}

std::string_view ApprovalStateName(ApprovalState state) {
  switch (state) {
    case ApprovalState::kNotRequired:
      return "NotRequired";
    case ApprovalState::kPending:
      return "Pending";
    case ApprovalState::kApproved:
      return "Approved";
    case ApprovalState::kRejected:
      return "Rejected";
  }
  return "NotRequired";
}

std::optional<ApprovalState> ParseApprovalState(std::string_view text) {
  return ParseByName<ApprovalState, 4>(text, ApprovalStateName);
}

std::string_view DomainName(Domain domain) {
  switch (domain) {
    case Domain::kEndpoint:
      return "endpoint";
    case Domain::kEmail:
      return "email";
    case Domain::kIdentity:
      return "identity";
    case Domain::kCloud:
      return "cloud";
  }
  return "endpoint";
}

std::optional<Domain> ParseDomain(std::string_view text) {
  return ParseByName<Domain, 4>(text, DomainName);
}

std::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kUnknown:
      return "Unknown";
    case Verdict::kNoThreatsFound:
      return "NoThreatsFound";
    case Verdict::kSuspicious:
      return "Suspicious";
    case Verdict::kMalicious:
      return "Malicious";
  }
  return "Unknown";
}

std::optional<Verdict> ParseVerdict(std::string_view text) {
  if (SameIgnoringCase(text, "No threats found")) {
    return Verdict::kNoThreatsFound;
  }
  return ParseByName<Verdict, 4>(text, VerdictName);
}

Connector DefaultConnector(ActionType type) {
  switch (DomainOf(type)) {
    case Domain::kEndpoint:
      return Connector::kEndpoint;
    case Domain::kEmail:
      return type == ActionType::kBlockUrl ? Connector::kProxy : Connector::kMail;
    case Domain::kIdentity:
      return Connector::kDirectory;
    case Domain::kCloud:
      return Connector::kCloudApp;
  }
  return Connector::kEndpoint;
}

Domain DomainOf(ActionType type) {
  switch (type) {
    case ActionType::kSoftDeleteEmail:
    case ActionType::kBlockSender:
    case ActionType::kBlockUrl:
      return Domain::kEmail;
    case ActionType::kDisableUser:
    case ActionType::kEnableUser:
    case ActionType::kForcePasswordReset:
    case ActionType::kRevokeSessions:
      return Domain::kIdentity;
    case ActionType::kBlockCloudApp:
    case ActionType::kUnblockCloudApp:
      return Domain::kCloud;
    default:
      return Domain::kEndpoint;
  }
}

std::string ActionSource(ActionType type, bool automated) {
  std::string_view what = "device";
  switch (DomainOf(type)) {
    case Domain::kEndpoint:
      break;
    case Domain::kEmail:
      what = "email";
      break;
    case Domain::kIdentity:
      what = "identity";
      break;
    case Domain::kCloud:
      what = "cloud app";
      break;
  }
  return fmt::format("{} {} action", automated ? "Automated" : "Manual", what);
}

std::optional<ActionType> ReverseOf(ActionType type) {
  switch (type) {
    case ActionType::kIsolateDevice:
      return ActionType::kUnisolateDevice;
    case ActionType::kStopAndQuarantineFile:
      return ActionType::kReleaseFromQuarantine;
    case ActionType::kRestrictCodeExecution:
      return ActionType::kUnrestrictCodeExecution;
    case ActionType::kDisableUser:
      return ActionType::kEnableUser;
    case ActionType::kBlockCloudApp:
      return ActionType::kUnblockCloudApp;
    default:
      return std::nullopt;
  }
}

bool IsTerminal(ActionStatus status) {
  return status != ActionStatus::kPending && status != ActionStatus::kInProgress;
}

std::string ActionKey(const Action& action) {
  const ActionTarget& t = action.target;
  std::string key = fmt::format("{}@{}|{}", ActionTypeName(action.type),
                                ConnectorName(action.connector), t.entity_type);
  for (const std::string* part :
       {&t.device_id, &t.device_name, &t.sha256, &t.file_path, &t.account_sid, &t.account_upn,
        &t.account_name, &t.network_message_id, &t.sender, &t.url, &t.ip, &t.application,
        &t.indicator_id}) {
    key += '|';
    for (char c : *part) {
      key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  if (t.process_id >= 0) {
    key += fmt::format("|pid{}", t.process_id);
  }
  return key;
}

std::string ActionToJson(const Action& a) {
  std::string out = fmt::format("{{\"id\":{},\"type\":", a.id);
  auto text = [&out](std::string_view key, std::string_view value) {
    out += ",\"";
    out += key;
    out += "\":";
    AppendJsonQuoted(out, value);
  };
  auto number = [&out](std::string_view key, int64_t value) {
    out += fmt::format(",\"{}\":{}", key, value);
  };
  AppendJsonQuoted(out, ActionTypeName(a.type));
  text("connector", ConnectorName(a.connector));
  text("status", ActionStatusName(a.status));
  text("approval", ApprovalStateName(a.approval));
  text("source", a.source);
  text("requestor", a.requestor);
  text("reason", a.reason);
  number("incidentId", a.incident_id);
  number("investigationId", a.investigation_id);
  number("createdUs", a.created_us);
  number("updatedUs", a.updated_us);
  text("decidedBy", a.decided_by);
  text("decisionComment", a.decision_comment);
  text("resultMessage", a.result_message);
  number("undoOf", a.undo_of);
  number("undoneBy", a.undone_by);
  if (!a.scope.empty()) {
    text("scope", a.scope);
  }
  out += ",\"target\":{";
  const ActionTarget& t = a.target;
  bool first = true;
  auto member = [&](std::string_view key, const std::string& value) {
    if (value.empty()) {
      return;
    }
    out += first ? "\"" : ",\"";
    first = false;
    out += key;
    out += "\":";
    AppendJsonQuoted(out, value);
  };
  member("entityType", t.entity_type);
  member("deviceId", t.device_id);
  member("deviceName", t.device_name);
  member("sha256", t.sha256);
  member("sha1", t.sha1);
  member("filePath", t.file_path);
  member("accountSid", t.account_sid);
  member("accountUpn", t.account_upn);
  member("accountName", t.account_name);
  member("networkMessageId", t.network_message_id);
  member("sender", t.sender);
  member("url", t.url);
  member("ip", t.ip);
  member("application", t.application);
  member("indicatorId", t.indicator_id);
  if (t.process_id >= 0) {
    out += fmt::format("{}\"processId\":{}", first ? "" : ",", t.process_id);
  }
  out += "}}";
  return out;
}

}  // namespace vigil::respond

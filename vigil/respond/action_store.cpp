#include "vigil/respond/action_store.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <chrono>

#include "vigil/base/sqlite_db.h"

namespace vigil::respond {
namespace {

constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE actions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  type TEXT NOT NULL, connector TEXT NOT NULL, status TEXT NOT NULL, approval TEXT NOT NULL,
  source TEXT NOT NULL, requestor TEXT NOT NULL, reason TEXT NOT NULL,
  incident_id INTEGER NOT NULL, investigation_id INTEGER NOT NULL,
  created_us INTEGER NOT NULL, updated_us INTEGER NOT NULL,
  decided_by TEXT NOT NULL, decision_comment TEXT NOT NULL, result_message TEXT NOT NULL,
  undo_of INTEGER NOT NULL, undone_by INTEGER NOT NULL,
  entity_type TEXT NOT NULL, device_id TEXT NOT NULL, device_name TEXT NOT NULL,
  sha256 TEXT NOT NULL, file_path TEXT NOT NULL, account_sid TEXT NOT NULL,
  account_upn TEXT NOT NULL, account_name TEXT NOT NULL, network_message_id TEXT NOT NULL,
  sender TEXT NOT NULL, url TEXT NOT NULL, ip TEXT NOT NULL, application TEXT NOT NULL,
  indicator_id TEXT NOT NULL, process_id INTEGER NOT NULL);
CREATE INDEX actions_queue ON actions(connector, status, approval);
CREATE INDEX actions_investigation ON actions(investigation_id);
CREATE TABLE action_audit (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, action_id INTEGER NOT NULL, time_us INTEGER NOT NULL,
  actor TEXT NOT NULL, operation TEXT NOT NULL, details TEXT NOT NULL);
CREATE INDEX action_audit_action ON action_audit(action_id);
CREATE TABLE investigations (
  id INTEGER PRIMARY KEY AUTOINCREMENT, incident_id INTEGER NOT NULL UNIQUE,
  state TEXT NOT NULL, playbook TEXT NOT NULL, created_us INTEGER NOT NULL,
  updated_us INTEGER NOT NULL, alert_ids TEXT NOT NULL);
CREATE TABLE investigation_evidence (
  investigation_id INTEGER NOT NULL, seq INTEGER NOT NULL, entity_key TEXT NOT NULL,
  entity_json TEXT NOT NULL, sender TEXT NOT NULL, verdict TEXT NOT NULL, reasons TEXT NOT NULL,
  PRIMARY KEY (investigation_id, seq));
CREATE TABLE investigation_log (
  investigation_id INTEGER NOT NULL, seq INTEGER NOT NULL, time_us INTEGER NOT NULL,
  message TEXT NOT NULL, PRIMARY KEY (investigation_id, seq));
)sql";

// 2: the parameters of manual machine actions (MDE's IsolationType/ScanType scope and the
// Sha1 of StopAndQuarantineFile), so GET /api/machineactions shows them.
constexpr std::string_view kSchemaV2 =
    "ALTER TABLE actions ADD COLUMN sha1 TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE actions ADD COLUMN scope TEXT NOT NULL DEFAULT '';";

constexpr std::array<std::string_view, 2> kMigrations = {kSchemaV1, kSchemaV2};

constexpr std::string_view kColumns =
    "id, type, connector, status, approval, source, requestor, reason, incident_id, "
    "investigation_id, created_us, updated_us, decided_by, decision_comment, result_message, "
    "undo_of, undone_by, entity_type, device_id, device_name, sha256, file_path, account_sid, "
    "account_upn, account_name, network_message_id, sender, url, ip, application, indicator_id, "
    "process_id, sha1, scope";

Action ReadAction(const SqliteStatement& st) {
  Action a;
  a.id = st.Int(0);
  a.type = ParseActionType(st.Text(1)).value_or(ActionType::kRunAntivirusScan);
  a.connector = ParseConnector(st.Text(2)).value_or(Connector::kEndpoint);
  a.status = ParseActionStatus(st.Text(3)).value_or(ActionStatus::kPending);
  a.approval = ParseApprovalState(st.Text(4)).value_or(ApprovalState::kNotRequired);
  a.source = st.Text(5);
  a.requestor = st.Text(6);
  a.reason = st.Text(7);
  a.incident_id = st.Int(8);
  a.investigation_id = st.Int(9);
  a.created_us = st.Int(10);
  a.updated_us = st.Int(11);
  a.decided_by = st.Text(12);
  a.decision_comment = st.Text(13);
  a.result_message = st.Text(14);
  a.undo_of = st.Int(15);
  a.undone_by = st.Int(16);
  ActionTarget& t = a.target;
  t.entity_type = st.Text(17);
  t.device_id = st.Text(18);
  t.device_name = st.Text(19);
  t.sha256 = st.Text(20);
  t.file_path = st.Text(21);
  t.account_sid = st.Text(22);
  t.account_upn = st.Text(23);
  t.account_name = st.Text(24);
  t.network_message_id = st.Text(25);
  t.sender = st.Text(26);
  t.url = st.Text(27);
  t.ip = st.Text(28);
  t.application = st.Text(29);
  t.indicator_id = st.Text(30);
  t.process_id = st.Int(31);
  t.sha1 = st.Text(32);
  a.scope = st.Text(33);
  return a;
}

std::string Change(std::string_view field, std::string_view from, std::string_view to) {
  return fmt::format("{}: {} -> {}", field, from, to);
}

}  // namespace

ActionStore::ActionStore(std::unique_ptr<SqliteDb> db, ActionStoreOptions options)
    : db_(std::move(db)), options_(std::move(options)) {}

ActionStore::~ActionStore() = default;

Result<std::unique_ptr<ActionStore>> ActionStore::Open(const std::string& path,
                                                       ActionStoreOptions options) {
  VIGIL_ASSIGN_OR_RETURN(auto db, SqliteDb::Open(path, "action store", kMigrations));
  return std::unique_ptr<ActionStore>(new ActionStore(std::move(db), std::move(options)));
}

int64_t ActionStore::Now() const {
  if (options_.clock) {
    return options_.clock();
  }
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status ActionStore::Audit(int64_t action_id, std::string_view actor, std::string_view operation,
                          std::string_view details) {
  VIGIL_ASSIGN_OR_RETURN(
      auto st, db_->Prepare("INSERT INTO action_audit (action_id, time_us, actor, operation, "
                            "details) VALUES (?1, ?2, ?3, ?4, ?5)",
                            "audit an action change"));
  st.Bind(1, action_id);
  st.Bind(2, Now());
  st.Bind(3, actor);
  st.Bind(4, operation);
  st.Bind(5, details);
  return st.Run();
}

Result<int64_t> ActionStore::InsertLocked(const Action& a, std::string_view actor) {
  VIGIL_ASSIGN_OR_RETURN(
      auto st,
      db_->Prepare(fmt::format("INSERT INTO actions ({}) VALUES (NULL, ?1, ?2, ?3, ?4, ?5, ?6, "
                               "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, "
                               "?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, "
                               "?33)",
                               kColumns),
                   "insert an action"));
  const int64_t now = Now();
  const ActionTarget& t = a.target;
  st.Bind(1, ActionTypeName(a.type));
  st.Bind(2, ConnectorName(a.connector));
  st.Bind(3, ActionStatusName(ActionStatus::kPending));
  st.Bind(4, ApprovalStateName(a.approval));
  st.Bind(5, a.source);
  st.Bind(6, a.requestor.empty() ? std::string(actor) : a.requestor);
  st.Bind(7, a.reason);
  st.Bind(8, a.incident_id);
  st.Bind(9, a.investigation_id);
  st.Bind(10, now);
  st.Bind(11, now);
  st.Bind(12, "");
  st.Bind(13, "");
  st.Bind(14, "");
  st.Bind(15, a.undo_of);
  st.Bind(16, int64_t{0});
  int index = 17;
  for (const std::string* field :
       {&t.entity_type, &t.device_id, &t.device_name, &t.sha256, &t.file_path, &t.account_sid,
        &t.account_upn, &t.account_name, &t.network_message_id, &t.sender, &t.url, &t.ip,
        &t.application, &t.indicator_id}) {
    st.Bind(index++, *field);
  }
  st.Bind(index++, t.process_id);
  st.Bind(index++, t.sha1);
  st.Bind(index, a.scope);
  VIGIL_RETURN_IF_ERROR(st.Run());
  const int64_t id = db_->LastInsertRowId();
  VIGIL_RETURN_IF_ERROR(
      Audit(id, actor, "propose",
            fmt::format("{} on {} via {}; approval {}", ActionTypeName(a.type), t.entity_type,
                        ConnectorName(a.connector), ApprovalStateName(a.approval))));
  return id;
}

Result<int64_t> ActionStore::Propose(Action action, std::string_view actor) {
  if (action.approval != ApprovalState::kNotRequired &&
      action.approval != ApprovalState::kPending) {
    return InvalidArgumentError("a new action's approval must be NotRequired or Pending, not {}",
                                ApprovalStateName(action.approval));
  }
  if (action.source.empty()) {
    action.source = ActionSource(action.type, actor == "automation");
  }
  std::lock_guard lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(auto tx, db_->Begin());
  VIGIL_ASSIGN_OR_RETURN(const int64_t id, InsertLocked(action, actor));
  VIGIL_RETURN_IF_ERROR(tx.Commit());
  return id;
}

Status ActionStore::WriteState(const Action& a) {
  VIGIL_ASSIGN_OR_RETURN(
      auto st, db_->Prepare("UPDATE actions SET status = ?2, approval = ?3, updated_us = ?4, "
                            "decided_by = ?5, decision_comment = ?6, result_message = ?7, "
                            "undone_by = ?8 WHERE id = ?1",
                            "update an action"));
  st.Bind(1, a.id);
  st.Bind(2, ActionStatusName(a.status));
  st.Bind(3, ApprovalStateName(a.approval));
  st.Bind(4, Now());
  st.Bind(5, a.decided_by);
  st.Bind(6, a.decision_comment);
  st.Bind(7, a.result_message);
  st.Bind(8, a.undone_by);
  return st.Run();
}

Result<std::vector<Action>> ActionStore::Select(std::string_view where_sql,
                                                const std::vector<Arg>& args,
                                                std::string_view order_sql, int64_t limit) {
  VIGIL_ASSIGN_OR_RETURN(
      auto st, db_->Prepare(fmt::format("SELECT {} FROM actions WHERE {} ORDER BY {} LIMIT {}",
                                        kColumns, where_sql.empty() ? "1" : where_sql, order_sql,
                                        std::clamp<int64_t>(limit, 1, 100000)),
                            "list actions"));
  int index = 1;
  for (const Arg& arg : args) {
    if (const auto* number = std::get_if<int64_t>(&arg)) {
      st.Bind(index++, *number);
    } else {
      st.Bind(index++, std::get<std::string>(arg));
    }
  }
  std::vector<Action> out;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(const bool row, st.Step());
    if (!row) {
      break;
    }
    out.push_back(ReadAction(st));
  }
  return out;
}

Result<Action> ActionStore::GetLocked(int64_t id) {
  VIGIL_ASSIGN_OR_RETURN(auto found, Select("id = ?1", {Arg(id)}, "id", 1));
  if (found.empty()) {
    return NotFoundError("action {} not found", id);
  }
  return std::move(found.front());
}

Result<Action> ActionStore::Get(int64_t id) {
  std::lock_guard lock(mu_);
  return GetLocked(id);
}

Result<Action> ActionStore::Approve(int64_t id, std::string_view actor, std::string_view comment) {
  std::lock_guard lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(auto tx, db_->Begin());
  VIGIL_ASSIGN_OR_RETURN(Action a, GetLocked(id));
  if (a.approval != ApprovalState::kPending || a.status != ActionStatus::kPending) {
    return FailedPreconditionError("action {} is not awaiting approval (approval {}, status {})",
                                   id, ApprovalStateName(a.approval), ActionStatusName(a.status));
  }
  if (Now() - a.created_us >= kApprovalTimeoutUs) {
    // Past the 7-day window the action counts as rejected, even before ExpirePending ran.
    a.approval = ApprovalState::kRejected;
    a.status = ActionStatus::kTimeOut;
    a.decided_by = "system";
    a.decision_comment = "approval timed out after 7 days";
    VIGIL_RETURN_IF_ERROR(WriteState(a));
    VIGIL_RETURN_IF_ERROR(Audit(
        id, "system", "expire",
        Change("approval", "Pending", "Rejected") + "; " + Change("status", "Pending", "TimeOut")));
    VIGIL_RETURN_IF_ERROR(tx.Commit());
    return FailedPreconditionError("action {} timed out: approvals expire after 7 days", id);
  }
  a.approval = ApprovalState::kApproved;
  a.decided_by = std::string(actor);
  a.decision_comment = std::string(comment);
  VIGIL_RETURN_IF_ERROR(WriteState(a));
  VIGIL_RETURN_IF_ERROR(Audit(id, actor, "approve",
                              Change("approval", "Pending", "Approved") +
                                  (comment.empty() ? "" : fmt::format("; comment: {}", comment))));
  VIGIL_RETURN_IF_ERROR(tx.Commit());
  return a;
}

Result<Action> ActionStore::Reject(int64_t id, std::string_view actor, std::string_view comment) {
  std::lock_guard lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(auto tx, db_->Begin());
  VIGIL_ASSIGN_OR_RETURN(Action a, GetLocked(id));
  if (a.approval != ApprovalState::kPending || a.status != ActionStatus::kPending) {
    return FailedPreconditionError("action {} is not awaiting approval (approval {}, status {})",
                                   id, ApprovalStateName(a.approval), ActionStatusName(a.status));
  }
  a.approval = ApprovalState::kRejected;
  a.status = ActionStatus::kCancelled;
  a.decided_by = std::string(actor);
  a.decision_comment = std::string(comment);
  VIGIL_RETURN_IF_ERROR(WriteState(a));
  VIGIL_RETURN_IF_ERROR(Audit(id, actor, "reject",
                              Change("approval", "Pending", "Rejected") + "; " +
                                  Change("status", "Pending", "Cancelled") +
                                  (comment.empty() ? "" : fmt::format("; comment: {}", comment))));
  VIGIL_RETURN_IF_ERROR(tx.Commit());
  return a;
}

Result<size_t> ActionStore::ExpirePending(int64_t now_us) {
  std::lock_guard lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(auto tx, db_->Begin());
  VIGIL_ASSIGN_OR_RETURN(auto due,
                         Select("approval = 'Pending' AND status = 'Pending' AND created_us <= ?1",
                                {Arg(now_us - kApprovalTimeoutUs)}, "id", 100000));
  for (Action& a : due) {
    a.approval = ApprovalState::kRejected;
    a.status = ActionStatus::kTimeOut;
    a.decided_by = "system";
    a.decision_comment = "approval timed out after 7 days";
    VIGIL_RETURN_IF_ERROR(WriteState(a));
    VIGIL_RETURN_IF_ERROR(Audit(
        a.id, "system", "expire",
        Change("approval", "Pending", "Rejected") + "; " + Change("status", "Pending", "TimeOut")));
  }
  VIGIL_RETURN_IF_ERROR(tx.Commit());
  return due.size();
}

Result<std::vector<Action>> ActionStore::Pull(Connector connector, size_t max,
                                              std::string_view actor) {
  std::lock_guard lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(auto tx, db_->Begin());
  VIGIL_ASSIGN_OR_RETURN(
      auto ready,
      Select("connector = ?1 AND status = 'Pending' AND approval IN ('NotRequired', 'Approved')",
             {Arg(std::string(ConnectorName(connector)))}, "id",
             static_cast<int64_t>(std::min<size_t>(max, 100000))));
  if (max == 0) {
    ready.clear();
  }
  for (Action& a : ready) {
    a.status = ActionStatus::kInProgress;
    VIGIL_RETURN_IF_ERROR(WriteState(a));
    VIGIL_RETURN_IF_ERROR(Audit(a.id, actor, "pull", Change("status", "Pending", "InProgress")));
  }
  VIGIL_RETURN_IF_ERROR(tx.Commit());
  return ready;
}

Result<Action> ActionStore::Report(int64_t id, bool succeeded, std::string_view message,
                                   std::string_view actor) {
  std::lock_guard lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(auto tx, db_->Begin());
  VIGIL_ASSIGN_OR_RETURN(Action a, GetLocked(id));
  if (a.status != ActionStatus::kInProgress) {
    return FailedPreconditionError("action {} is {}, not InProgress: pull it before reporting", id,
                                   ActionStatusName(a.status));
  }
  a.status = succeeded ? ActionStatus::kSucceeded : ActionStatus::kFailed;
  a.result_message = std::string(message);
  VIGIL_RETURN_IF_ERROR(WriteState(a));
  VIGIL_RETURN_IF_ERROR(Audit(id, actor, "report",
                              Change("status", "InProgress", ActionStatusName(a.status)) +
                                  (message.empty() ? "" : fmt::format("; message: {}", message))));
  VIGIL_RETURN_IF_ERROR(tx.Commit());
  return a;
}

Result<Action> ActionStore::Undo(int64_t id, std::string_view actor) {
  std::lock_guard lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(auto tx, db_->Begin());
  VIGIL_ASSIGN_OR_RETURN(Action a, GetLocked(id));
  const auto reverse = ReverseOf(a.type);
  if (!reverse) {
    return FailedPreconditionError("action {} ({}) cannot be undone", id, ActionTypeName(a.type));
  }
  if (a.status != ActionStatus::kSucceeded) {
    return FailedPreconditionError("action {} is {}: only a succeeded action can be undone", id,
                                   ActionStatusName(a.status));
  }
  if (a.undone_by != 0) {
    return FailedPreconditionError("action {} was already undone by action {}", id, a.undone_by);
  }
  Action undo;
  undo.type = *reverse;
  undo.target = a.target;
  undo.connector = a.connector;
  undo.approval = ApprovalState::kNotRequired;
  undo.source = ActionSource(undo.type, /*automated=*/false);
  undo.requestor = std::string(actor);
  undo.reason = fmt::format("undo of action {} ({})", id, ActionTypeName(a.type));
  undo.incident_id = a.incident_id;
  undo.investigation_id = a.investigation_id;
  undo.undo_of = id;
  VIGIL_ASSIGN_OR_RETURN(const int64_t undo_id, InsertLocked(undo, actor));
  a.undone_by = undo_id;
  VIGIL_RETURN_IF_ERROR(WriteState(a));
  VIGIL_RETURN_IF_ERROR(Audit(id, actor, "undo", fmt::format("undone by action {}", undo_id)));
  VIGIL_ASSIGN_OR_RETURN(Action created, GetLocked(undo_id));
  VIGIL_RETURN_IF_ERROR(tx.Commit());
  return created;
}

Result<Action> ActionStore::Cancel(int64_t id, std::string_view actor, std::string_view comment) {
  std::lock_guard lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(auto tx, db_->Begin());
  VIGIL_ASSIGN_OR_RETURN(Action a, GetLocked(id));
  if (IsTerminal(a.status)) {
    return FailedPreconditionError("action {} is already {}", id, ActionStatusName(a.status));
  }
  const std::string old_status(ActionStatusName(a.status));
  a.status = ActionStatus::kCancelled;
  a.decided_by = std::string(actor);
  a.decision_comment = std::string(comment);
  VIGIL_RETURN_IF_ERROR(WriteState(a));
  VIGIL_RETURN_IF_ERROR(Audit(id, actor, "cancel", Change("status", old_status, "Cancelled")));
  VIGIL_RETURN_IF_ERROR(tx.Commit());
  return a;
}

Result<std::vector<Action>> ActionStore::List(const ActionFilter& filter) {
  std::vector<std::string> where;
  std::vector<Arg> args;
  auto add = [&](std::string_view column, Arg value) {
    args.push_back(std::move(value));
    where.push_back(fmt::format("{} = ?{}", column, args.size()));
  };
  if (filter.view == ActionView::kPendingApproval) {
    where.emplace_back("approval = 'Pending' AND status = 'Pending'");
  } else if (filter.view == ActionView::kHistory) {
    where.emplace_back("NOT (approval = 'Pending' AND status = 'Pending')");
  }
  if (filter.incident_id) {
    add("incident_id", *filter.incident_id);
  }
  if (filter.investigation_id) {
    add("investigation_id", *filter.investigation_id);
  }
  if (filter.connector) {
    add("connector", std::string(ConnectorName(*filter.connector)));
  }
  if (filter.status) {
    add("status", std::string(ActionStatusName(*filter.status)));
  }
  std::lock_guard lock(mu_);
  return Select(fmt::format("{}", fmt::join(where, " AND ")), args, "id DESC", filter.limit);
}

Result<std::vector<ActionAuditEntry>> ActionStore::AuditLog(int64_t id) {
  std::lock_guard lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(
      auto st, db_->Prepare("SELECT seq, action_id, time_us, actor, operation, details FROM "
                            "action_audit WHERE action_id = ?1 ORDER BY seq",
                            "read the action audit log"));
  st.Bind(1, id);
  std::vector<ActionAuditEntry> out;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(const bool row, st.Step());
    if (!row) {
      break;
    }
    out.push_back({st.Int(0), st.Int(1), st.Int(2), st.Text(3), st.Text(4), st.Text(5)});
  }
  return out;
}

}  // namespace vigil::respond

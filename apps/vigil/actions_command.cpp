// `vigil actions`: the Action center over <data>/response.db. `list` shows the Pending
// (awaiting approval) or History view; `show ID` one action with its audit log; `approve`,
// `reject`, `undo`, `cancel` are the analyst decisions (audited under --actor); `pull` and
// `report` are the connector queue protocol (JSON lines); `expire` times out approvals older
// than 7 days. Every change refreshes the state of the action's investigation.
#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <string>

#include "apps/vigil/commands.h"
#include "vigil/base/time.h"
#include "vigil/kql/exec/engine.h"
#include "vigil/respond/action_store.h"
#include "vigil/respond/investigation.h"

namespace vigil::app {
namespace {

namespace fs = std::filesystem;
using respond::Action;
using respond::ActionStore;

struct ActionsArgs {
  bool pending = false;
  bool history = false;
  std::string format = "table";
  int64_t incident = 0;
  int64_t investigation = 0;
  std::string connector;
  std::string status;
  int64_t limit = 100;
  int64_t id = 0;
  std::string comment;
  std::string actor = "cli";
  int64_t max = 10;
  std::string message;
};

Result<std::unique_ptr<ActionStore>> OpenActions(const GlobalOptions& global, bool create) {
  const fs::path path = fs::path(global.data_dir) / "response.db";
  if (!create && !fs::exists(path)) {
    return NotFoundError("no response actions yet: '{}' does not exist", path.string());
  }
  std::error_code ec;
  fs::create_directories(global.data_dir, ec);
  return ActionStore::Open(path.string());
}

std::string Time(int64_t us) { return us == 0 ? std::string("-") : FormatDateTime(us * 10); }

// The entity acted on, named by what identifies it for its type ("User jdoe@contoso.com",
// "Process C:\\...\\updater.exe on ws-0142").
std::string TargetText(const respond::ActionTarget& t) {
  auto first = [](std::initializer_list<const std::string*> values) -> std::string {
    for (const std::string* v : values) {
      if (!v->empty()) {
        return *v;
      }
    }
    return "";
  };
  std::string what;
  const std::string& type = t.entity_type;
  if (!t.indicator_id.empty()) {
    what = "indicator " + t.indicator_id + " (" + first({&t.sha256, &t.url, &t.ip, &t.sender}) +
           ")";
  } else if (type == "User" || type == "Mailbox") {
    what = first({&t.account_upn, &t.account_name, &t.account_sid});
  } else if (type == "Process" || type == "File") {
    what = first({&t.file_path, &t.sha256});
    if (!t.device_name.empty()) {
      what += " on " + t.device_name;
    }
  } else if (type == "MailMessage") {
    what = first({&t.network_message_id, &t.sender});
  } else {
    what = first({&t.device_name, &t.device_id, &t.url, &t.ip, &t.application, &t.sender,
                  &t.sha256, &t.account_upn, &t.account_name});
  }
  return what.empty() ? type : type + " " + what;
}

int Fail(const Status& status) {
  fmt::print(stderr, "vigil actions: {}\n", status.message());
  return kExitError;
}

// Keeps the investigation's state in step with its actions (best effort: the action change
// itself already succeeded).
void RefreshInvestigation(ActionStore& store, const Action& action) {
  if (action.investigation_id == 0) {
    return;
  }
  kql::Engine no_data(nullptr, nullptr);
  respond::Investigator investigator(no_data, store, nullptr, {}, {});
  auto refreshed = investigator.Refresh(action.investigation_id);
  if (!refreshed.ok()) {
    fmt::print(stderr, "vigil actions: warning: investigation {} not refreshed: {}\n",
               action.investigation_id, refreshed.status().message());
  }
}

void PrintRow(const Action& a) {
  fmt::print("{:>6}  {:<27}  {:<9}  {:<10}  {:<11}  {:<26}  {}\n", a.id,
             respond::ActionTypeName(a.type), respond::ConnectorName(a.connector),
             respond::ActionStatusName(a.status), respond::ApprovalStateName(a.approval), a.source,
             TargetText(a.target));
}

void PrintAction(const Action& a) {
  fmt::print("ActionId:        {}\n", a.id);
  fmt::print("Type:            {}\n", respond::ActionTypeName(a.type));
  fmt::print("Target:          {}\n", TargetText(a.target));
  fmt::print("Connector:       {}\n", respond::ConnectorName(a.connector));
  fmt::print("Status:          {}\n", respond::ActionStatusName(a.status));
  fmt::print("Approval:        {}{}\n", respond::ApprovalStateName(a.approval),
             a.decided_by.empty() ? "" : fmt::format(" by {}", a.decided_by));
  if (!a.decision_comment.empty()) {
    fmt::print("Comment:         {}\n", a.decision_comment);
  }
  fmt::print("Source:          {} (requested by {})\n", a.source, a.requestor);
  fmt::print("Reason:          {}\n", a.reason.empty() ? "-" : a.reason);
  fmt::print("Incident:        {}  Investigation: {}\n", a.incident_id, a.investigation_id);
  fmt::print("Created:         {}  Updated: {}\n", Time(a.created_us), Time(a.updated_us));
  if (!a.result_message.empty()) {
    fmt::print("Result:          {}\n", a.result_message);
  }
  if (a.undo_of != 0) {
    fmt::print("Undoes:          action {}\n", a.undo_of);
  }
  if (a.undone_by != 0) {
    fmt::print("Undone by:       action {}\n", a.undone_by);
  }
  fmt::print("Undoable:        {}\n", respond::IsUndoable(a.type) ? "yes" : "no");
}

int RunList(const GlobalOptions& global, const ActionsArgs& args) {
  if (args.pending && args.history) {
    return Fail(InvalidArgumentError("--pending and --history exclude each other"));
  }
  if (args.format != "table" && args.format != "json") {
    return Fail(InvalidArgumentError("unknown --format '{}' (table or json)", args.format));
  }
  respond::ActionFilter filter;
  filter.view = args.pending   ? respond::ActionView::kPendingApproval
                : args.history ? respond::ActionView::kHistory
                               : respond::ActionView::kAll;
  filter.limit = args.limit;
  if (args.incident != 0) {
    filter.incident_id = args.incident;
  }
  if (args.investigation != 0) {
    filter.investigation_id = args.investigation;
  }
  if (!args.connector.empty()) {
    filter.connector = respond::ParseConnector(args.connector);
    if (!filter.connector) {
      return Fail(InvalidArgumentError(
          "unknown connector '{}' (endpoint, mail, directory, proxy, cloudapp)", args.connector));
    }
  }
  if (!args.status.empty()) {
    filter.status = respond::ParseActionStatus(args.status);
    if (!filter.status) {
      return Fail(InvalidArgumentError(
          "unknown status '{}' (Pending, InProgress, Succeeded, Failed, TimeOut, Cancelled)",
          args.status));
    }
  }
  auto store = OpenActions(global, false);
  if (!store.ok()) {
    return Fail(store.status());
  }
  auto actions = (*store)->List(filter);
  if (!actions.ok()) {
    return Fail(actions.status());
  }
  if (args.format == "json") {
    fmt::print("[");
    for (size_t i = 0; i < actions->size(); ++i) {
      fmt::print("{}{}", i == 0 ? "" : ",\n", respond::ActionToJson((*actions)[i]));
    }
    fmt::print("]\n");
    return kExitOk;
  }
  fmt::print("{:>6}  {:<27}  {:<9}  {:<10}  {:<11}  {:<26}  {}\n", "Id", "Type", "Connector",
             "Status", "Approval", "Source", "Target");
  for (const auto& a : *actions) {
    PrintRow(a);
  }
  fmt::print("({} actions)\n", actions->size());
  return kExitOk;
}

int RunShow(const GlobalOptions& global, const ActionsArgs& args) {
  auto store = OpenActions(global, false);
  if (!store.ok()) {
    return Fail(store.status());
  }
  auto action = (*store)->Get(args.id);
  if (!action.ok()) {
    return Fail(action.status());
  }
  PrintAction(*action);
  auto audit = (*store)->AuditLog(args.id);
  if (audit.ok() && !audit->empty()) {
    fmt::print("Audit:\n");
    for (const auto& e : *audit) {
      fmt::print("  {}  {:<10}  {:<8}  {}\n", Time(e.time_us), e.actor, e.operation, e.details);
    }
  }
  return kExitOk;
}

enum class Change { kApprove, kReject, kUndo, kCancel, kReport };

int RunChange(const GlobalOptions& global, const ActionsArgs& args, Change change) {
  auto store = OpenActions(global, false);
  if (!store.ok()) {
    return Fail(store.status());
  }
  ActionStore& s = **store;
  Result<Action> result = NotFoundError("no change");
  switch (change) {
    case Change::kApprove:
      result = s.Approve(args.id, args.actor, args.comment);
      break;
    case Change::kReject:
      result = s.Reject(args.id, args.actor, args.comment);
      break;
    case Change::kUndo:
      result = s.Undo(args.id, args.actor);
      break;
    case Change::kCancel:
      result = s.Cancel(args.id, args.actor, args.comment);
      break;
    case Change::kReport: {
      if (args.status != "succeeded" && args.status != "failed") {
        return Fail(
            InvalidArgumentError("--status must be succeeded or failed, not '{}'", args.status));
      }
      result = s.Report(args.id, args.status == "succeeded", args.message, args.actor);
      break;
    }
  }
  if (!result.ok()) {
    return Fail(result.status());
  }
  RefreshInvestigation(s, *result);
  PrintAction(*result);
  return kExitOk;
}

int RunPull(const GlobalOptions& global, const ActionsArgs& args) {
  const auto connector = respond::ParseConnector(args.connector);
  if (!connector) {
    return Fail(InvalidArgumentError(
        "unknown connector '{}' (endpoint, mail, directory, proxy, cloudapp)", args.connector));
  }
  if (args.max < 1) {
    return Fail(InvalidArgumentError("--max must be at least 1"));
  }
  auto store = OpenActions(global, true);
  if (!store.ok()) {
    return Fail(store.status());
  }
  auto pulled = (*store)->Pull(*connector, static_cast<size_t>(args.max), args.actor);
  if (!pulled.ok()) {
    return Fail(pulled.status());
  }
  for (const auto& a : *pulled) {
    fmt::print("{}\n", respond::ActionToJson(a));
    RefreshInvestigation(**store, a);
  }
  return kExitOk;
}

int RunExpire(const GlobalOptions& global) {
  auto store = OpenActions(global, false);
  if (!store.ok()) {
    return Fail(store.status());
  }
  respond::ActionFilter awaiting;
  awaiting.view = respond::ActionView::kPendingApproval;
  awaiting.limit = 100000;
  auto pending = (*store)->List(awaiting);
  auto expired = (*store)->ExpirePending((*store)->Now());
  if (!expired.ok()) {
    return Fail(expired.status());
  }
  if (pending.ok()) {
    for (const auto& a : *pending) {
      auto now = (*store)->Get(a.id);
      if (now.ok() && now->status == respond::ActionStatus::kTimeOut) {
        RefreshInvestigation(**store, *now);
      }
    }
  }
  fmt::print("{} pending actions timed out\n", *expired);
  return kExitOk;
}

}  // namespace

void RegisterActionsCommand(CLI::App& app, GlobalOptions& global, int& exit_code) {
  CLI::App* actions = app.add_subcommand("actions", "Action center: remediation actions");
  actions->require_subcommand(1);
  auto args = std::make_shared<ActionsArgs>();

  CLI::App* list = actions->add_subcommand("list", "List actions, newest first");
  list->add_flag("--pending", args->pending, "only actions awaiting approval");
  list->add_flag("--history", args->history, "only actions not awaiting approval");
  list->add_option("--format", args->format, "table or json")->capture_default_str();
  list->add_option("--incident", args->incident, "incident id");
  list->add_option("--investigation", args->investigation, "investigation id");
  list->add_option("--connector", args->connector, "endpoint, mail, directory, proxy, cloudapp");
  list->add_option("--status", args->status, "Pending, InProgress, Succeeded, Failed, ...");
  list->add_option("--limit", args->limit, "at most this many")->capture_default_str();
  list->callback([&global, &exit_code, args] { exit_code = RunList(global, *args); });

  CLI::App* show = actions->add_subcommand("show", "Show one action with its audit log");
  show->add_option("id", args->id, "action id")->required();
  show->callback([&global, &exit_code, args] { exit_code = RunShow(global, *args); });

  auto decision = [&](const char* name, const char* help, Change change, bool comment) {
    CLI::App* sub = actions->add_subcommand(name, help);
    sub->add_option("id", args->id, "action id")->required();
    if (comment) {
      sub->add_option("--comment", args->comment, "why (kept in the audit log)");
    }
    sub->add_option("--actor", args->actor, "who decides (audit)")->capture_default_str();
    sub->callback(
        [&global, &exit_code, args, change] { exit_code = RunChange(global, *args, change); });
    return sub;
  };
  decision("approve", "Approve an action awaiting approval", Change::kApprove, true);
  decision("reject", "Reject an action awaiting approval (it is cancelled)", Change::kReject, true);
  decision("undo", "Reverse a succeeded action (isolate, quarantine, disable user, ...)",
           Change::kUndo, false);
  decision("cancel", "Cancel a pending or in-progress action", Change::kCancel, true);
  CLI::App* report = decision("report", "Connector: report the outcome of a pulled action",
                              Change::kReport, false);
  report->add_option("--status", args->status, "succeeded or failed")->required();
  report->add_option("--message", args->message, "outcome details");

  CLI::App* pull = actions->add_subcommand(
      "pull", "Connector: take deliverable actions (JSON lines), marking them InProgress");
  pull->add_option("connector", args->connector, "endpoint, mail, directory, proxy, cloudapp")
      ->required();
  pull->add_option("--max", args->max, "at most this many")->capture_default_str();
  pull->add_option("--actor", args->actor, "connector name (audit)")->capture_default_str();
  pull->callback([&global, &exit_code, args] { exit_code = RunPull(global, *args); });

  CLI::App* expire =
      actions->add_subcommand("expire", "Time out actions awaiting approval for 7 days or more");
  expire->callback([&global, &exit_code] { exit_code = RunExpire(global); });
}

}  // namespace vigil::app

// `vigil investigations`: the automated investigations kept in <data>/response.db. `list`
// shows one line per investigation (state refreshed from its actions); `show ID` prints the
// evidence with verdicts and reasons, the proposed actions and the step log.
#include <fmt/format.h>
#include <fmt/ranges.h>

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
using respond::ActionStore;
using respond::InvestigationRecord;

struct InvestigationsArgs {
  int64_t id = 0;
  int64_t limit = 50;
};

Result<std::unique_ptr<ActionStore>> OpenStore(const GlobalOptions& global) {
  const fs::path path = fs::path(global.data_dir) / "response.db";
  if (!fs::exists(path)) {
    return NotFoundError("no investigations yet: '{}' does not exist", path.string());
  }
  return ActionStore::Open(path.string());
}

std::string Time(int64_t us) { return us == 0 ? std::string("-") : FormatDateTime(us * 10); }

int Fail(const Status& status) {
  fmt::print(stderr, "vigil investigations: {}\n", status.message());
  return kExitError;
}

std::string EntityText(const respond::EvidenceVerdict& e) {
  const detect::Evidence& x = e.entity;
  for (const std::string* v :
       {&x.device_name, &x.device_id, &x.account_upn, &x.account_name, &x.file_name, &x.sha256,
        &x.network_message_id, &x.mailbox, &x.remote_url, &x.remote_ip, &x.application,
        &x.process_command_line}) {
    if (!v->empty()) {
      return *v;
    }
  }
  return e.entity_key;
}

int RunList(const GlobalOptions& global, const InvestigationsArgs& args) {
  auto store = OpenStore(global);
  if (!store.ok()) {
    return Fail(store.status());
  }
  auto records = (*store)->ListInvestigations(args.limit);
  if (!records.ok()) {
    return Fail(records.status());
  }
  kql::Engine no_data(nullptr, nullptr);
  respond::Investigator investigator(no_data, **store, nullptr, {}, {});
  fmt::print("{:>6}  {:>8}  {:<24}  {:<28}  {:>8}  {:>9}  {:>9}\n", "Id", "Incident", "State",
             "Updated", "Alerts", "Entities", "Threats");
  for (auto& r : *records) {
    auto refreshed = investigator.Refresh(r.id);
    if (refreshed.ok()) {
      r = std::move(*refreshed);
    }
    size_t threats = 0;
    for (const auto& e : r.evidence) {
      threats +=
          (e.verdict == respond::Verdict::kMalicious || e.verdict == respond::Verdict::kSuspicious)
              ? 1
              : 0;
    }
    fmt::print("{:>6}  {:>8}  {:<24}  {:<28}  {:>8}  {:>9}  {:>9}\n", r.id, r.incident_id,
               respond::InvestigationStateName(r.state), Time(r.updated_us), r.alert_ids.size(),
               r.evidence.size(), threats);
  }
  fmt::print("({} investigations)\n", records->size());
  return kExitOk;
}

int RunShow(const GlobalOptions& global, const InvestigationsArgs& args) {
  auto store = OpenStore(global);
  if (!store.ok()) {
    return Fail(store.status());
  }
  kql::Engine no_data(nullptr, nullptr);
  respond::Investigator investigator(no_data, **store, nullptr, {}, {});
  auto record = investigator.Refresh(args.id);
  if (!record.ok()) {
    return Fail(record.status());
  }
  const InvestigationRecord& r = *record;
  fmt::print("InvestigationId: {}\n", r.id);
  fmt::print("Incident:        {}\n", r.incident_id);
  fmt::print("State:           {}\n", respond::InvestigationStateName(r.state));
  fmt::print("Playbook:        {}\n", r.playbook);
  fmt::print("Started:         {}  Updated: {}\n", Time(r.created_us), Time(r.updated_us));
  fmt::print("Alerts:          {}\n", fmt::join(r.alert_ids, ", "));
  fmt::print("Evidence:\n");
  for (const auto& e : r.evidence) {
    fmt::print("  {:<14}  {:<16}  {}\n", e.entity.entity_type, respond::VerdictName(e.verdict),
               EntityText(e));
    for (const auto& reason : e.reasons) {
      fmt::print("      - {}\n", reason);
    }
  }
  respond::ActionFilter filter;
  filter.investigation_id = r.id;
  filter.limit = 10000;
  auto actions = (*store)->List(filter);
  if (actions.ok()) {
    fmt::print("Actions:\n");
    for (auto it = actions->rbegin(); it != actions->rend(); ++it) {
      fmt::print("  {:>6}  {:<27}  {:<9}  {:<10}  {}\n", it->id, respond::ActionTypeName(it->type),
                 respond::ConnectorName(it->connector), respond::ActionStatusName(it->status),
                 respond::ApprovalStateName(it->approval));
    }
  }
  fmt::print("Log:\n");
  for (const auto& entry : r.log) {
    fmt::print("  {}  {}\n", Time(entry.time_us), entry.message);
  }
  return kExitOk;
}

}  // namespace

void RegisterInvestigationsCommand(CLI::App& app, GlobalOptions& global, int& exit_code) {
  CLI::App* cmd = app.add_subcommand("investigations", "Automated investigations of incidents");
  cmd->require_subcommand(1);
  auto args = std::make_shared<InvestigationsArgs>();
  CLI::App* list = cmd->add_subcommand("list", "List investigations, newest first");
  list->add_option("--limit", args->limit, "at most this many")->capture_default_str();
  list->callback([&global, &exit_code, args] { exit_code = RunList(global, *args); });
  CLI::App* show =
      cmd->add_subcommand("show", "Show evidence, verdicts, actions and log of one investigation");
  show->add_option("id", args->id, "investigation id")->required();
  show->callback([&global, &exit_code, args] { exit_code = RunShow(global, *args); });
}

}  // namespace vigil::app

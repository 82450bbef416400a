// `vigil incidents`: the incidents in <data>/incidents.db. `list` and `show` read them, `story`
// prints the attack story JSON, `update` triages (audited), `merge` and `link` are the manual
// correlation operations, and `correlate` runs the correlator over every alert of
// <data>/alerts.db that has no incident yet, oldest first.
#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "apps/vigil/commands.h"
#include "vigil/base/time.h"
#include "vigil/detect/alerts/alert_store.h"
#include "vigil/incidents/correlator.h"
#include "vigil/incidents/incident_store.h"
#include "vigil/incidents/story.h"

namespace vigil::app {
namespace {

namespace fs = std::filesystem;
using detect::alerts::AlertStore;
using incidents::Correlator;
using incidents::Incident;
using incidents::IncidentStore;

struct IncidentsArgs {
  std::string status, severity, assigned_to, format = "table";
  int64_t limit = 50;
  int64_t id = 0;
  std::vector<int64_t> ids;
  std::string alert_id, target;
  std::string config;
  std::string actor = "cli";
  incidents::IncidentPatch patch;
};

int Fail(const Status& status) {
  fmt::print(stderr, "vigil incidents: {}\n", status.message());
  return kExitError;
}

Result<std::unique_ptr<IncidentStore>> OpenIncidents(const GlobalOptions& global, bool create) {
  const fs::path path = fs::path(global.data_dir) / "incidents.db";
  if (!create && !fs::exists(path)) {
    return NotFoundError("no incidents yet: '{}' does not exist (run `vigil incidents correlate`)",
                         path.string());
  }
  std::error_code ec;
  fs::create_directories(global.data_dir, ec);
  return IncidentStore::Open(path.string());
}

// The alert store, or null when <data>/alerts.db does not exist and `required` is false.
Result<std::unique_ptr<AlertStore>> OpenAlerts(const GlobalOptions& global, bool required) {
  const fs::path path = fs::path(global.data_dir) / "alerts.db";
  if (!fs::exists(path)) {
    if (required) {
      return NotFoundError("no alerts yet: '{}' does not exist (ingest events first)",
                           path.string());
    }
    return std::unique_ptr<AlertStore>();
  }
  return AlertStore::Open(path.string());
}

Result<incidents::CorrelationConfig> Config(const GlobalOptions& global,
                                            const IncidentsArgs& args) {
  std::string path = args.config;
  if (path.empty()) {
    const fs::path fallback = fs::path(global.data_dir) / "correlation.yml";
    if (!fs::exists(fallback)) {
      return incidents::CorrelationConfig();
    }
    path = fallback.string();
  }
  return incidents::LoadCorrelationConfig(path);
}

Result<std::unique_ptr<Correlator>> MakeCorrelator(IncidentStore* store, AlertStore* alerts,
                                                   const GlobalOptions& global,
                                                   const IncidentsArgs& args) {
  VIGIL_ASSIGN_OR_RETURN(incidents::CorrelationConfig config, Config(global, args));
  return Correlator::Create(store, alerts, std::move(config));
}

std::string Time(int64_t us) { return us == 0 ? std::string("-") : FormatDateTime(us * 10); }

void PrintIncident(IncidentStore& store, const Incident& inc) {
  fmt::print("IncidentId:      {}\n", inc.id);
  fmt::print("Title:           {}{}\n", inc.title, inc.title_custom ? " (custom)" : "");
  fmt::print("Severity:        {}{}\n", detect::SeverityName(inc.severity),
             inc.severity_override ? " (set by analyst)" : "");
  fmt::print("Status:          {}\n", incidents::IncidentStatusName(inc.status));
  if (inc.redirect_incident_id != 0) {
    fmt::print("Redirected to:   {}\n", inc.redirect_incident_id);
  }
  fmt::print("Classification:  {} / {}\n", detect::alerts::ClassificationName(inc.classification),
             detect::alerts::DeterminationName(inc.determination));
  fmt::print("AssignedTo:      {}\n", inc.assigned_to.empty() ? "-" : inc.assigned_to);
  fmt::print("Tags:            {}\n", fmt::join(inc.custom_tags, ", "));
  fmt::print("System tags:     {}\n", fmt::join(inc.system_tags, ", "));
  fmt::print("Activity:        {} .. {}\n", Time(inc.first_activity_us),
             Time(inc.last_activity_us));
  fmt::print("Created:         {} (updated {})\n", Time(inc.created_us), Time(inc.last_update_us));
  fmt::print("Sources:         {}\n", fmt::join(inc.facts.service_sources, ", "));
  fmt::print("Categories:      {}\n", fmt::join(inc.facts.categories, ", "));
  fmt::print("Devices:         {}\n", fmt::join(inc.facts.devices, ", "));
  fmt::print("Users:           {}\n", fmt::join(inc.facts.users, ", "));
  auto links = store.Links(inc.id);
  if (links.ok()) {
    fmt::print("Alerts ({}):\n", links->size());
    for (const auto& link : *links) {
      fmt::print("  {}  {}  ({})\n", link.alert_id, link.reason, link.actor);
    }
  }
  auto comments = store.Comments(inc.id);
  if (comments.ok()) {
    for (const auto& c : *comments) {
      fmt::print("Comment ({} at {}): {}\n", c.created_by, Time(c.created_time_us), c.comment);
    }
  }
  auto audit = store.AuditLog(inc.id);
  if (audit.ok() && !audit->empty()) {
    fmt::print("Audit:\n");
    for (const auto& e : *audit) {
      fmt::print("  {}  {}  {}: '{}' -> '{}'\n", Time(e.time_us), e.actor, e.field, e.old_value,
                 e.new_value);
    }
  }
}

int RunList(const GlobalOptions& global, const IncidentsArgs& args) {
  auto store = OpenIncidents(global, false);
  if (!store.ok()) {
    return Fail(store.status());
  }
  incidents::IncidentFilter filter;
  filter.limit = args.limit;
  if (!args.status.empty()) {
    auto status = incidents::ParseIncidentStatus(args.status);
    if (!status.ok()) {
      return Fail(status.status());
    }
    filter.status = *status;
  }
  if (!args.severity.empty()) {
    auto severity = detect::alerts::ParseSeverity(args.severity);
    if (!severity.ok()) {
      return Fail(severity.status());
    }
    filter.min_severity = *severity;
  }
  if (!args.assigned_to.empty()) {
    filter.assigned_to = args.assigned_to;
  }
  auto list = (*store)->List(filter);
  if (!list.ok()) {
    return Fail(list.status());
  }
  if (args.format == "json") {
    fmt::print("[");
    for (size_t i = 0; i < list->size(); ++i) {
      fmt::print("{}{}", i == 0 ? "" : ",\n", incidents::IncidentJson((*list)[i]));
    }
    fmt::print("]\n");
    return kExitOk;
  }
  if (args.format != "table") {
    return Fail(InvalidArgumentError("unknown format '{}' (table or json)", args.format));
  }
  fmt::print("{:>6}  {:<28}  {:<13}  {:<10}  {:>6}  {:<12}  {}\n", "Id", "LastUpdate", "Severity",
             "Status", "Alerts", "AssignedTo", "Title");
  for (const auto& inc : *list) {
    fmt::print("{:>6}  {:<28}  {:<13}  {:<10}  {:>6}  {:<12}  {}\n", inc.id,
               Time(inc.last_update_us), detect::SeverityName(inc.severity),
               incidents::IncidentStatusName(inc.status), inc.alert_ids.size(),
               inc.assigned_to.empty() ? "-" : inc.assigned_to, inc.title);
  }
  fmt::print("({} incidents)\n", list->size());
  return kExitOk;
}

int RunShow(const GlobalOptions& global, const IncidentsArgs& args) {
  auto store = OpenIncidents(global, false);
  if (!store.ok()) {
    return Fail(store.status());
  }
  auto inc = (*store)->Get(args.id);
  if (!inc.ok()) {
    return Fail(inc.status());
  }
  if (args.format == "json") {
    fmt::print("{}\n", incidents::IncidentJson(*inc));
  } else {
    PrintIncident(**store, *inc);
  }
  return kExitOk;
}

int RunStory(const GlobalOptions& global, const IncidentsArgs& args) {
  auto store = OpenIncidents(global, false);
  auto alerts = OpenAlerts(global, true);
  if (!store.ok() || !alerts.ok()) {
    return Fail(!store.ok() ? store.status() : alerts.status());
  }
  auto json = incidents::StoryJson(**store, **alerts, args.id);
  if (!json.ok()) {
    return Fail(json.status());
  }
  fmt::print("{}\n", *json);
  return kExitOk;
}

int RunUpdate(const GlobalOptions& global, const IncidentsArgs& args) {
  auto store = OpenIncidents(global, false);
  auto alerts = OpenAlerts(global, false);
  if (!store.ok() || !alerts.ok()) {
    return Fail(!store.ok() ? store.status() : alerts.status());
  }
  auto updated = (*store)->Update(args.id, args.patch, args.actor, alerts->get());
  if (!updated.ok()) {
    return Fail(updated.status());
  }
  PrintIncident(**store, *updated);
  return kExitOk;
}

int RunMerge(const GlobalOptions& global, const IncidentsArgs& args) {
  auto store = OpenIncidents(global, false);
  auto alerts = OpenAlerts(global, false);
  if (!store.ok() || !alerts.ok()) {
    return Fail(!store.ok() ? store.status() : alerts.status());
  }
  auto correlator = MakeCorrelator(store->get(), alerts->get(), global, args);
  if (!correlator.ok()) {
    return Fail(correlator.status());
  }
  auto target = (*correlator)->Merge(args.ids, args.actor);
  if (!target.ok()) {
    return Fail(target.status());
  }
  fmt::print("merged into incident {}\n", *target);
  return kExitOk;
}

int RunLink(const GlobalOptions& global, const IncidentsArgs& args) {
  std::optional<int64_t> target;
  if (args.target != "new") {
    try {
      size_t used = 0;
      target = std::stoll(args.target, &used);
      if (used != args.target.size()) {
        throw std::invalid_argument("trailing");
      }
    } catch (const std::exception&) {
      return Fail(InvalidArgumentError("expected an incident id or 'new', got '{}'", args.target));
    }
  }
  auto store = OpenIncidents(global, true);
  auto alerts = OpenAlerts(global, true);
  if (!store.ok() || !alerts.ok()) {
    return Fail(!store.ok() ? store.status() : alerts.status());
  }
  auto correlator = MakeCorrelator(store->get(), alerts->get(), global, args);
  if (!correlator.ok()) {
    return Fail(correlator.status());
  }
  auto assignment = (*correlator)->LinkAlert(args.alert_id, target, args.actor);
  if (!assignment.ok()) {
    return Fail(assignment.status());
  }
  fmt::print("alert {} is in incident {}{}\n", args.alert_id, assignment->incident_id,
             assignment->created ? " (new)" : "");
  return kExitOk;
}

int RunCorrelate(const GlobalOptions& global, const IncidentsArgs& args) {
  auto alerts = OpenAlerts(global, true);
  if (!alerts.ok()) {
    return Fail(alerts.status());
  }
  auto store = OpenIncidents(global, true);
  if (!store.ok()) {
    return Fail(store.status());
  }
  auto correlator = MakeCorrelator(store->get(), alerts->get(), global, args);
  if (!correlator.ok()) {
    return Fail(correlator.status());
  }
  constexpr int64_t kPage = 2000;
  int64_t created = 0, joined = 0, merged = 0;
  detect::alerts::AlertFilter filter;
  filter.order_by = detect::alerts::AlertOrder::kFirstActivity;
  filter.descending = false;
  filter.limit = kPage;
  for (filter.offset = 0;; filter.offset += kPage) {
    auto page = (*alerts)->List(filter);
    if (!page.ok()) {
      return Fail(page.status());
    }
    std::vector<detect::alerts::AlertRecord> todo;
    for (auto& record : *page) {
      if (!record.incident_id.has_value() || record.incident_id->empty()) {
        todo.push_back(std::move(record));
      }
    }
    if (!todo.empty()) {
      auto assignments = (*correlator)->OnAlerts(todo);
      if (!assignments.ok()) {
        return Fail(assignments.status());
      }
      for (const auto& a : *assignments) {
        (a.created ? created : joined) += 1;
        merged += static_cast<int64_t>(a.merged_incidents.size());
      }
    }
    if (static_cast<int64_t>(page->size()) < kPage) {
      break;
    }
  }
  fmt::print("{} alerts correlated: {} new incidents, {} joined existing ones, {} merges\n",
             created + joined, created, joined, merged);
  return kExitOk;
}

}  // namespace

void RegisterIncidentsCommand(CLI::App& app, GlobalOptions& global, int& exit_code) {
  CLI::App* cmd = app.add_subcommand("incidents", "List, triage, merge and correlate incidents");
  cmd->require_subcommand(1);
  auto args = std::make_shared<IncidentsArgs>();
  cmd->add_option("--config", args->config,
                  "correlation config YAML (default: <data>/correlation.yml when present)");

  CLI::App* list = cmd->add_subcommand("list", "List incidents, most recently updated first");
  list->add_option("--status", args->status, "Active, InProgress, Resolved or Redirected");
  list->add_option("--severity", args->severity, "this severity or higher");
  list->add_option("--assigned-to", args->assigned_to, "assignee");
  list->add_option("--limit", args->limit, "at most this many")->capture_default_str();
  list->add_option("--format", args->format, "table or json")->capture_default_str();
  list->callback([&global, &exit_code, args] { exit_code = RunList(global, *args); });

  CLI::App* show = cmd->add_subcommand("show", "Show one incident with its alerts and audit");
  show->add_option("id", args->id, "incident id")->required();
  show->add_option("--format", args->format, "table or json")->capture_default_str();
  show->callback([&global, &exit_code, args] { exit_code = RunShow(global, *args); });

  CLI::App* story = cmd->add_subcommand("story", "Print the attack story (JSON) of an incident");
  story->add_option("id", args->id, "incident id")->required();
  story->callback([&global, &exit_code, args] { exit_code = RunStory(global, *args); });

  CLI::App* update = cmd->add_subcommand("update", "Change an incident (audited)");
  update->add_option("id", args->id, "incident id")->required();
  update->add_option("--status", args->patch.status, "Active, InProgress, Resolved");
  update->add_option("--assign", args->patch.assigned_to, "user or group (\"\" unassigns)");
  update->add_option("--classification", args->patch.classification,
                     "TruePositive, InformationalExpectedActivity, FalsePositive");
  update->add_option("--determination", args->patch.determination,
                     "MultiStagedAttack, Malware, Phishing, ... (with TruePositive)");
  update->add_option("--tag", args->patch.add_tags, "add a tag (repeatable)");
  update->add_option("--remove-tag", args->patch.remove_tags, "remove a tag (repeatable)");
  update->add_option("--comment", args->patch.comment, "comment to add (<= 30,000 bytes)");
  update->add_option("--title", args->patch.title, "custom title (\"\" = generated)");
  update->add_option("--severity", args->patch.severity, "override (\"\" = from alerts)");
  update->add_option("--actor", args->actor, "who makes the change")->capture_default_str();
  update->callback([&global, &exit_code, args] { exit_code = RunUpdate(global, *args); });

  CLI::App* merge = cmd->add_subcommand("merge", "Merge 2 to 5 incidents");
  merge->add_option("ids", args->ids, "incident ids")->required()->expected(2, 5);
  merge->add_option("--actor", args->actor, "who merges")->capture_default_str();
  merge->callback([&global, &exit_code, args] { exit_code = RunMerge(global, *args); });

  CLI::App* link = cmd->add_subcommand("link", "Move an alert to an incident or a new one");
  link->add_option("alert", args->alert_id, "AlertId")->required();
  link->add_option("incident", args->target, "incident id or 'new'")->required();
  link->add_option("--actor", args->actor, "who links")->capture_default_str();
  link->callback([&global, &exit_code, args] { exit_code = RunLink(global, *args); });

  CLI::App* correlate =
      cmd->add_subcommand("correlate", "Correlate every alert without an incident, oldest first");
  correlate->callback([&global, &exit_code, args] { exit_code = RunCorrelate(global, *args); });
}

}  // namespace vigil::app

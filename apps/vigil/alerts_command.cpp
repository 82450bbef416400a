// `vigil alerts`: the alert records in <data>/alerts.db. `list` filters by status, severity and
// rule; `show ID` prints one alert with its evidence, rule attribution and audit trail;
// `update ID` changes status, assignment, classification/determination or adds a comment
// (audited under --actor).
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "apps/vigil/commands.h"
#include "vigil/base/time.h"
#include "vigil/detect/alerts/alert_store.h"

namespace vigil::app {
namespace {

namespace fs = std::filesystem;
using detect::alerts::AlertStore;

struct AlertsArgs {
  std::string status, severity, rule;
  int64_t limit = 50;
  std::string id;
  detect::alerts::AlertPatch patch;
  std::string actor = "cli";
};

Result<std::unique_ptr<AlertStore>> OpenAlerts(const GlobalOptions& global) {
  const fs::path path = fs::path(global.data_dir) / "alerts.db";
  if (!fs::exists(path)) {
    return NotFoundError("no alerts yet: '{}' does not exist (ingest events first)",
                         path.string());
  }
  return AlertStore::Open(path.string());
}

std::string Time(int64_t us) { return us == 0 ? std::string("-") : FormatDateTime(us * 10); }

int RunList(const GlobalOptions& global, const AlertsArgs& args) {
  auto store = OpenAlerts(global);
  if (!store.ok()) {
    fmt::print(stderr, "vigil alerts: {}\n", store.status().message());
    return kExitError;
  }
  detect::alerts::AlertFilter filter;
  filter.limit = args.limit;
  if (!args.status.empty()) {
    auto status = detect::alerts::ParseAlertStatus(args.status);
    if (!status.ok()) {
      fmt::print(stderr, "vigil alerts: {}\n", status.status().message());
      return kExitError;
    }
    filter.status = *status;
  }
  if (!args.severity.empty()) {
    auto severity = detect::alerts::ParseSeverity(args.severity);
    if (!severity.ok()) {
      fmt::print(stderr, "vigil alerts: {}\n", severity.status().message());
      return kExitError;
    }
    filter.min_severity = *severity;
  }
  if (!args.rule.empty()) {
    filter.rule_id = args.rule;
  }
  auto alerts = (*store)->List(filter);
  auto total = (*store)->Count(filter);
  if (!alerts.ok() || !total.ok()) {
    fmt::print(stderr, "vigil alerts: {}\n",
               (!alerts.ok() ? alerts.status() : total.status()).message());
    return kExitError;
  }
  fmt::print("{:<34}  {:<28}  {:<13}  {:<10}  {:>5}  {}\n", "AlertId", "LastActivity", "Severity",
             "Status", "Count", "Title");
  for (const auto& a : *alerts) {
    fmt::print("{:<34}  {:<28}  {:<13}  {:<10}  {:>5}  {}\n", a.id, Time(a.last_activity_us),
               detect::SeverityName(a.severity),
               detect::alerts::AlertStatusName(a.status), a.event_count, a.title);
  }
  fmt::print("({} of {} alerts)\n", alerts->size(), *total);
  return kExitOk;
}

void PrintAlert(const detect::alerts::AlertRecord& a) {
  fmt::print("AlertId:         {}\n", a.id);
  fmt::print("Title:           {}\n", a.title);
  fmt::print("Severity:        {}\n", detect::SeverityName(a.severity));
  fmt::print("Status:          {}\n", detect::alerts::AlertStatusName(a.status));
  fmt::print("Classification:  {} / {}\n", detect::alerts::ClassificationName(a.classification),
             detect::alerts::DeterminationName(a.determination));
  fmt::print("AssignedTo:      {}\n", a.assigned_to.empty() ? "-" : a.assigned_to);
  fmt::print("Category:        {}\n", a.category);
  fmt::print("Techniques:      {}\n", fmt::join(a.attack_techniques, ", "));
  fmt::print("Detection:       {} ({})\n", a.detection_source, a.service_source);
  fmt::print("Activity:        {} .. {} ({} events)\n", Time(a.first_activity_us),
             Time(a.last_activity_us), a.event_count);
  fmt::print("Rule:            {} ({})\n", a.rule_title, a.rule_id);
  fmt::print("Rule author:     {}\n", a.rule_author.empty() ? "-" : a.rule_author);
  fmt::print("Rule link:       {}\n", a.rule_link.empty() ? "-" : a.rule_link);
  if (!a.rule_license.empty()) {
    fmt::print("Rule license:    {}\n", a.rule_license);
  }
  fmt::print("Source event:    {} ReportId {}\n", a.source_table, a.source_report_id);
  fmt::print("Evidence:        {}\n", a.evidence_json);
  for (const auto& c : a.comments) {
    fmt::print("Comment ({} at {}): {}\n", c.created_by, Time(c.created_time_us), c.comment);
  }
}

int RunShow(const GlobalOptions& global, const AlertsArgs& args) {
  auto store = OpenAlerts(global);
  if (!store.ok()) {
    fmt::print(stderr, "vigil alerts: {}\n", store.status().message());
    return kExitError;
  }
  auto alert = (*store)->Get(args.id);
  if (!alert.ok()) {
    fmt::print(stderr, "vigil alerts: {}\n", alert.status().message());
    return kExitError;
  }
  PrintAlert(*alert);
  auto audit = (*store)->AuditLog(args.id);
  if (audit.ok() && !audit->empty()) {
    fmt::print("Audit:\n");
    for (const auto& e : *audit) {
      fmt::print("  {}  {}  {}: '{}' -> '{}'\n", Time(e.time_us), e.actor, e.field, e.old_value,
                 e.new_value);
    }
  }
  return kExitOk;
}

int RunUpdate(const GlobalOptions& global, const AlertsArgs& args) {
  auto store = OpenAlerts(global);
  if (!store.ok()) {
    fmt::print(stderr, "vigil alerts: {}\n", store.status().message());
    return kExitError;
  }
  auto updated = (*store)->Update(args.id, args.patch, args.actor);
  if (!updated.ok()) {
    fmt::print(stderr, "vigil alerts: {}\n", updated.status().message());
    return kExitError;
  }
  PrintAlert(*updated);
  return kExitOk;
}

}  // namespace

void RegisterAlertsCommand(CLI::App& app, GlobalOptions& global, int& exit_code) {
  CLI::App* alerts = app.add_subcommand("alerts", "List, show and triage alerts");
  alerts->require_subcommand(1);
  auto args = std::make_shared<AlertsArgs>();
  CLI::App* list = alerts->add_subcommand("list", "List alerts, most recent activity first");
  list->add_option("--status", args->status, "New, InProgress or Resolved");
  list->add_option("--severity", args->severity, "this severity or higher");
  list->add_option("--rule", args->rule, "rule id");
  list->add_option("--limit", args->limit, "at most this many")->capture_default_str();
  list->callback([&global, &exit_code, args] { exit_code = RunList(global, *args); });

  CLI::App* show = alerts->add_subcommand("show", "Show one alert with evidence and audit trail");
  show->add_option("id", args->id, "AlertId")->required();
  show->callback([&global, &exit_code, args] { exit_code = RunShow(global, *args); });

  CLI::App* update = alerts->add_subcommand("update", "Change an alert (audited)");
  update->add_option("id", args->id, "AlertId")->required();
  update->add_option("--status", args->patch.status, "New, InProgress, Resolved");
  update->add_option("--assigned-to", args->patch.assigned_to, "user (\"\" unassigns)");
  update->add_option("--classification", args->patch.classification,
                     "TruePositive, InformationalExpectedActivity, FalsePositive, ...");
  update->add_option("--determination", args->patch.determination,
                     "MultiStagedAttack, Malware, Phishing, ... (fits the classification)");
  update->add_option("--comment", args->patch.comment, "comment to add");
  update->add_option("--actor", args->actor, "who makes the change (audit)")
      ->capture_default_str();
  update->callback([&global, &exit_code, args] { exit_code = RunUpdate(global, *args); });
}

}  // namespace vigil::app

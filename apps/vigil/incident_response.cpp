#include "apps/vigil/incident_response.h"

#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include <fmt/format.h>

#include "apps/vigil/detection_setup.h"
#include "apps/vigil/ingest_command.h"
#include "vigil/base/time.h"
#include "vigil/detect/alerts/alert_store.h"
#include "vigil/detect/ioc/indicator_store.h"
#include "vigil/incidents/correlation_config.h"
#include "vigil/incidents/correlator.h"
#include "vigil/incidents/incident_store.h"
#include "vigil/kql/exec/engine.h"
#include "vigil/respond/action_store.h"
#include "vigil/respond/automation.h"
#include "vigil/respond/investigation.h"
#include "vigil/respond/playbook.h"

namespace vigil::app {
namespace {

namespace fs = std::filesystem;
using detect::alerts::AlertFilter;
using detect::alerts::AlertOrder;
using detect::alerts::AlertRecord;

// Alerts correlated per Correlator::OnAlerts call (one incidents.db transaction each).
constexpr int64_t kCorrelationBatch = 1000;

std::string Cell(const kql::Value& v) { return v.is_null() ? std::string() : v.ToText(); }

// Directory data for the correlator: the identities IdentityInfo says are one account.
size_t LoadAccountAliases(const kql::Engine& engine, incidents::Correlator& correlator) {
  kql::QueryOptions options;
  options.limits.max_result_rows = 200000;
  auto result = engine.Run(
      "IdentityInfo | where isnotempty(OnPremSid) or isnotempty(AccountUpn) "
      "| distinct OnPremSid, AccountUpn, AccountName, AccountDomain",
      options);
  if (!result || !result->table) {
    return 0;  // no IdentityInfo yet: nothing to add
  }
  const kql::Table& t = *result->table;
  for (size_t r = 0; r < t.rows; ++r) {
    correlator.AddAccountAlias(Cell(t.cols[0][r]), Cell(t.cols[1][r]), Cell(t.cols[2][r]),
                               Cell(t.cols[3][r]));
  }
  return t.rows;
}

Result<std::vector<AlertRecord>> AlertsOf(detect::alerts::AlertStore& alerts, int64_t incident) {
  std::vector<AlertRecord> out;
  AlertFilter filter;
  filter.incident_id = std::to_string(incident);
  filter.order_by = AlertOrder::kFirstActivity;
  filter.descending = false;
  filter.limit = 10000;
  for (int64_t offset = 0;; offset += filter.limit) {
    filter.offset = offset;
    VIGIL_ASSIGN_OR_RETURN(std::vector<AlertRecord> page, alerts.List(filter));
    const size_t n = page.size();
    out.insert(out.end(), std::make_move_iterator(page.begin()),
               std::make_move_iterator(page.end()));
    if (static_cast<int64_t>(n) < filter.limit) {
      break;
    }
  }
  return out;
}

}  // namespace

Result<ResponseRunSummary> CorrelateAndRespond(const GlobalOptions& global,
                                               const ResponseRunOptions& options) {
  const fs::path data(global.data_dir);
  std::error_code ec;
  if (!fs::exists(data / "alerts.db", ec)) {
    return ResponseRunSummary{};  // no alert was ever written
  }
  VIGIL_ASSIGN_OR_RETURN(auto alerts, detect::alerts::AlertStore::Open((data / "alerts.db").string()));
  VIGIL_ASSIGN_OR_RETURN(auto incident_store,
                         incidents::IncidentStore::Open((data / "incidents.db").string()));
  VIGIL_ASSIGN_OR_RETURN(incidents::CorrelationConfig config, LoadCorrelationConfigFor(data));
  VIGIL_ASSIGN_OR_RETURN(auto correlator, incidents::Correlator::Create(
                                              incident_store.get(), alerts.get(), config));
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<store::Store> store, OpenStore(global));
  kql::Engine engine(store.get(), &schema::Catalog::Default());
  std::unique_ptr<respond::ActionStore> actions;
  std::unique_ptr<detect::ioc::IndicatorStore> indicators;
  if (options.investigate) {
    VIGIL_ASSIGN_OR_RETURN(actions, respond::ActionStore::Open((data / "response.db").string()));
    VIGIL_ASSIGN_OR_RETURN(indicators,
                           detect::ioc::IndicatorStore::Open((data / "indicators.db").string()));
  }
  ResponseStores stores{global.data_dir, alerts.get(), incident_store.get(), correlator.get(),
                        &engine,         actions.get(), indicators.get()};
  return CorrelateAndRespond(stores, options);
}

Result<incidents::CorrelationConfig> LoadCorrelationConfigFor(const std::filesystem::path& data) {
  std::error_code ec;
  if (fs::exists(data / "correlation.yml", ec)) {
    return incidents::LoadCorrelationConfig((data / "correlation.yml").string());
  }
  return incidents::CorrelationConfig{};
}

Result<ResponseRunSummary> CorrelateAndRespond(const ResponseStores& stores,
                                               const ResponseRunOptions& options) {
  const fs::path data(stores.data_dir);
  std::error_code ec;
  ResponseRunSummary summary;
  detect::alerts::AlertStore* alerts = stores.alerts;
  incidents::IncidentStore* incident_store = stores.incidents;
  incidents::Correlator* correlator = stores.correlator;
  const kql::Engine& engine = *stores.engine;
  LoadAccountAliases(engine, *correlator);

  // Correlate, oldest activity first, as the alerts would have arrived.
  std::set<int64_t> touched;
  std::set<int64_t> created;
  AlertFilter pending;
  pending.without_incident = true;
  pending.order_by = AlertOrder::kFirstActivity;
  pending.descending = false;
  pending.limit = kCorrelationBatch;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(std::vector<AlertRecord> batch, alerts->List(pending));
    if (batch.empty()) {
      break;
    }
    VIGIL_ASSIGN_OR_RETURN(auto assignments, correlator->OnAlerts(batch));
    for (const auto& a : assignments) {
      ++summary.alerts;
      touched.insert(a.incident_id);
      if (a.created) {
        created.insert(a.incident_id);
      }
      summary.merges += a.merged_incidents.size();
      for (int64_t merged : a.merged_incidents) {
        touched.erase(merged);
        created.erase(merged);
      }
    }
    if (static_cast<int64_t>(batch.size()) < kCorrelationBatch) {
      break;
    }
  }
  summary.incidents_created = created.size();
  summary.incidents_joined = touched.size() - created.size();
  if (!options.investigate) {
    return summary;
  }
  // Approvals wait at most 7 days (by the wall clock the actions were stamped with).
  respond::ActionStore* actions = stores.actions;
  if (actions == nullptr) {
    return FailedPreconditionError("investigations need the action store");
  }
  VIGIL_ASSIGN_OR_RETURN(summary.actions_expired, actions->ExpirePending(NowTicks() / 10));
  if (touched.empty()) {
    return summary;
  }

  // Investigate every incident that gained alerts.
  respond::AutomationPolicy policy;
  if (fs::exists(data / "automation.yml", ec)) {
    VIGIL_ASSIGN_OR_RETURN(policy, respond::LoadAutomationPolicy((data / "automation.yml").string()));
  }
  std::string playbook_path = (data / "playbook.yml").string();
  if (!fs::exists(playbook_path, ec)) {
    playbook_path = DefaultContentPath("playbooks/default.yml");
  }
  if (playbook_path.empty()) {
    return FailedPreconditionError(
        "no playbook: put one at {} or set VIGIL_CONTENT_DIR", (data / "playbook.yml").string());
  }
  VIGIL_ASSIGN_OR_RETURN(respond::Playbook playbook, respond::LoadPlaybookFile(playbook_path));
  respond::Investigator investigator(engine, *actions, stores.indicators, std::move(playbook),
                                     policy);
  const int64_t now_us = options.now_us != 0 ? options.now_us : NowTicks() / 10;
  for (int64_t id : touched) {
    VIGIL_ASSIGN_OR_RETURN(incidents::Incident incident, incident_store->Get(id));
    if (incident.status == incidents::IncidentStatus::kRedirected ||
        incident.status == incidents::IncidentStatus::kResolved) {
      continue;
    }
    VIGIL_ASSIGN_OR_RETURN(std::vector<AlertRecord> incident_alerts, AlertsOf(*alerts, id));
    auto record = investigator.Run(id, incident_alerts, now_us);
    if (!record.ok()) {
      ++summary.investigation_failures;
      if (summary.first_error.empty()) {
        summary.first_error = fmt::format("incident {}: {}", id, record.status().message());
      }
      continue;
    }
    ++summary.investigations;
  }
  respond::ActionFilter open_actions;
  open_actions.view = respond::ActionView::kPendingApproval;
  open_actions.limit = 10000;
  VIGIL_ASSIGN_OR_RETURN(auto waiting, actions->List(open_actions));
  summary.actions_pending_approval = waiting.size();
  respond::ActionFilter queued;
  queued.status = respond::ActionStatus::kPending;
  queued.limit = 10000;
  VIGIL_ASSIGN_OR_RETURN(auto deliverable, actions->List(queued));
  for (const auto& action : deliverable) {
    if (action.approval == respond::ApprovalState::kNotRequired ||
        action.approval == respond::ApprovalState::kApproved) {
      ++summary.actions_queued;
    }
  }
  return summary;
}

void PrintResponseSummary(const ResponseRunSummary& s, std::FILE* out) {
  if (s.alerts == 0) {
    if (s.actions_expired > 0) {
      fmt::print(out, "Actions: {} awaited approval for 7 days and timed out\n", s.actions_expired);
    }
    return;
  }
  fmt::print(out,
             "Incidents: {} alert(s) correlated -> {} new incident(s), {} existing incident(s) "
             "updated, {} merged\n",
             s.alerts, s.incidents_created, s.incidents_joined, s.merges);
  if (s.investigations + s.investigation_failures > 0) {
    fmt::print(out,
               "Investigations: {} run; actions: {} awaiting approval, {} queued for connectors "
               "(`vigil actions list`)\n",
               s.investigations, s.actions_pending_approval, s.actions_queued);
  }
  if (s.actions_expired > 0) {
    fmt::print(out, "Actions: {} awaited approval for 7 days and timed out\n", s.actions_expired);
  }
  if (s.investigation_failures > 0) {
    fmt::print(out, "  {} investigation(s) failed; first: {}\n", s.investigation_failures,
               s.first_error);
  }
}

}  // namespace vigil::app

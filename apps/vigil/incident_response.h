// What happens after alerts are written (by `vigil ingest`, `vigil detections run`, `vigil
// demo`): every alert not yet in an incident is correlated into <data>/incidents.db (oldest
// first), then each incident that gained alerts is investigated (playbook, hunting over the
// store) and the proposed actions are queued in <data>/response.db per the automation policy.
// Used only by the CLI commands; not thread-safe.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include "apps/vigil/commands.h"
#include "vigil/base/status.h"
#include "vigil/incidents/correlation_config.h"

namespace vigil::store {
class Store;
}  // namespace vigil::store
namespace vigil::kql {
class Engine;
}  // namespace vigil::kql
namespace vigil::detect::alerts {
class AlertStore;
}  // namespace vigil::detect::alerts
namespace vigil::detect::ioc {
class IndicatorStore;
}  // namespace vigil::detect::ioc
namespace vigil::incidents {
class IncidentStore;
class Correlator;
}  // namespace vigil::incidents
namespace vigil::respond {
class ActionStore;
}  // namespace vigil::respond

namespace vigil::app {

struct ResponseRunOptions {
  bool investigate = true;
  int64_t now_us = 0;  // investigation time; 0 = wall clock
};

struct ResponseRunSummary {
  size_t alerts = 0;  // alerts correlated in this run
  size_t incidents_created = 0;
  size_t incidents_joined = 0;  // distinct existing incidents that gained alerts
  size_t merges = 0;            // incidents redirected into others
  size_t investigations = 0;
  size_t investigation_failures = 0;
  size_t actions_pending_approval = 0;  // across the investigated incidents
  size_t actions_queued = 0;            // approved or automatic, waiting for a connector
  size_t actions_expired = 0;           // pending approval for 7 days: timed out in this run
  std::string first_error;              // an investigation that failed (the run goes on)
};

// The open stores a run works on. `actions` and `indicators` may be null when
// ResponseRunOptions::investigate is false.
struct ResponseStores {
  std::string data_dir;
  detect::alerts::AlertStore* alerts = nullptr;
  incidents::IncidentStore* incidents = nullptr;
  incidents::Correlator* correlator = nullptr;
  const kql::Engine* engine = nullptr;
  respond::ActionStore* actions = nullptr;
  detect::ioc::IndicatorStore* indicators = nullptr;
};

// One run over open stores (`vigil serve` keeps them open; calls must not overlap).
Result<ResponseRunSummary> CorrelateAndRespond(const ResponseStores& stores,
                                               const ResponseRunOptions& options);

// <data>/correlation.yml when present, else the defaults.
Result<incidents::CorrelationConfig> LoadCorrelationConfigFor(const std::filesystem::path& data);

// Opens the stores of the data directory, then runs as above. Configuration read from the data
// directory when present: correlation.yml (CorrelationConfig),
// automation.yml (AutomationPolicy), playbook.yml (else the shipped playbooks/default.yml).
// Account aliases come from the IdentityInfo table of the store.
Result<ResponseRunSummary> CorrelateAndRespond(const GlobalOptions& global,
                                               const ResponseRunOptions& options);

void PrintResponseSummary(const ResponseRunSummary& summary, std::FILE* out);

}  // namespace vigil::app

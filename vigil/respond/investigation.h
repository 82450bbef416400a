// Investigator: Vigil's automated investigation (AIR) of one incident. It gathers the entities
// of the incident's alerts, collects evidence about each by hunting (playbook KQL over the
// store, last N days), scores verdicts, proposes remediations into the ActionStore as the
// automation policy allows, turns malicious files, URLs and senders into indicators delivered
// to every connector that enforces them, and keeps the investigation record up to date.
// Thread-compatible: one Investigator per caller; the engine and stores it uses are
// thread-safe and must outlive it.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/base/status.h"
#include "vigil/detect/alerts/alert_store.h"
#include "vigil/detect/ioc/indicator_store.h"
#include "vigil/kql/exec/engine.h"
#include "vigil/respond/action_store.h"
#include "vigil/respond/automation.h"
#include "vigil/respond/investigation_record.h"
#include "vigil/respond/playbook.h"

namespace vigil::respond {

struct InvestigatorOptions {
  size_t max_result_rows = 1000;  // per collection query
  size_t memory_budget_bytes = size_t{256} << 20;
  std::chrono::milliseconds query_timeout{std::chrono::seconds(30)};
  size_t max_entities = 500;  // entities investigated per incident (the rest are logged)
};

// State of an investigation from the actions it proposed (undo actions ignored): any awaiting
// approval -> PendingApproval; any Pending/InProgress -> Running; all Succeeded ->
// SuccessfullyRemediated; some not Succeeded -> PartiallyRemediated; none -> Benign when no
// threat was found, else PartiallyRemediated (threats left to the analyst).
InvestigationState StateFromActions(const std::vector<Action>& actions, bool threats_found);

class Investigator {
 public:
  // `indicators` may be null (no indicator is then created; deliveries are still queued with
  // the value as target).
  Investigator(const kql::Engine& engine, ActionStore& actions,
               detect::ioc::IndicatorStore* indicators, Playbook playbook, AutomationPolicy policy,
               InvestigatorOptions options = {});

  // Investigates (or re-investigates: one investigation per incident, actions already proposed
  // are not proposed again) the incident with these alerts at `now_us`.
  Result<InvestigationRecord> Run(int64_t incident_id,
                                  const std::vector<detect::alerts::AlertRecord>& alerts,
                                  int64_t now_us);
  // Recomputes the state from the current action states (Failed and TerminatedByUser stay).
  Result<InvestigationRecord> Refresh(int64_t investigation_id);
  // Cancels the investigation's open actions and marks it TerminatedByUser.
  Result<InvestigationRecord> Terminate(int64_t investigation_id, std::string_view actor);

 private:
  struct Entity;
  struct Collected;

  Result<Collected> Collect(const Entity& entity, const EntityPlaybook& book, int64_t now_us,
                            InvestigationRecord& record, bool& failed);
  std::string DeviceGroup(const std::string& device_id, int64_t now_us);
  kql::QueryOptions Options(int64_t now_us) const;

  const kql::Engine& engine_;
  ActionStore& actions_;
  detect::ioc::IndicatorStore* indicators_;
  Playbook playbook_;
  AutomationPolicy policy_;
  InvestigatorOptions options_;
  std::map<std::string, std::string> device_groups_;  // device id -> MachineGroup (cache)
};

}  // namespace vigil::respond

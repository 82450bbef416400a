// Investigation state from action states, and the investigation operations that only follow
// the actions (refresh, terminate).
#include <fmt/format.h>

#include <algorithm>

#include "vigil/respond/investigation.h"

namespace vigil::respond {

InvestigationState StateFromActions(const std::vector<Action>& actions, bool threats_found) {
  bool any = false;
  bool awaiting = false;
  bool open = false;
  bool all_succeeded = true;
  for (const Action& a : actions) {
    if (a.undo_of != 0) {
      continue;
    }
    any = true;
    if (a.status == ActionStatus::kPending && a.approval == ApprovalState::kPending) {
      awaiting = true;
    } else if (!IsTerminal(a.status)) {
      open = true;
    }
    all_succeeded = all_succeeded && a.status == ActionStatus::kSucceeded;
  }
  if (!any) {
    return threats_found ? InvestigationState::kPartiallyRemediated : InvestigationState::kBenign;
  }
  if (awaiting) {
    return InvestigationState::kPendingApproval;
  }
  if (open) {
    return InvestigationState::kRunning;
  }
  return all_succeeded ? InvestigationState::kSuccessfullyRemediated
                       : InvestigationState::kPartiallyRemediated;
}

Result<InvestigationRecord> Investigator::Refresh(int64_t investigation_id) {
  VIGIL_ASSIGN_OR_RETURN(auto record, actions_.GetInvestigation(investigation_id));
  if (record.state == InvestigationState::kFailed ||
      record.state == InvestigationState::kTerminatedByUser) {
    return record;
  }
  ActionFilter mine;
  mine.investigation_id = investigation_id;
  mine.limit = 100000;
  VIGIL_ASSIGN_OR_RETURN(auto all, actions_.List(mine));
  const bool threats = std::any_of(record.evidence.begin(), record.evidence.end(), [](auto& e) {
    return e.verdict == Verdict::kMalicious || e.verdict == Verdict::kSuspicious;
  });
  const InvestigationState state = StateFromActions(all, threats);
  if (state != record.state) {
    const int64_t now = actions_.Now();
    record.log.push_back({now, fmt::format("state {} -> {}", InvestigationStateName(record.state),
                                           InvestigationStateName(state))});
    record.state = state;
    record.updated_us = now;
    VIGIL_RETURN_IF_ERROR(actions_.SaveInvestigation(record).status());
  }
  return record;
}

Result<InvestigationRecord> Investigator::Terminate(int64_t investigation_id,
                                                    std::string_view actor) {
  VIGIL_ASSIGN_OR_RETURN(auto record, actions_.GetInvestigation(investigation_id));
  ActionFilter mine;
  mine.investigation_id = investigation_id;
  mine.limit = 100000;
  VIGIL_ASSIGN_OR_RETURN(auto all, actions_.List(mine));
  for (const Action& a : all) {
    if (!IsTerminal(a.status)) {
      VIGIL_RETURN_IF_ERROR(actions_.Cancel(a.id, actor, "investigation terminated").status());
    }
  }
  const int64_t now = actions_.Now();
  record.log.push_back({now, fmt::format("terminated by {}", actor)});
  record.state = InvestigationState::kTerminatedByUser;
  record.updated_us = now;
  VIGIL_RETURN_IF_ERROR(actions_.SaveInvestigation(record).status());
  return record;
}

}  // namespace vigil::respond

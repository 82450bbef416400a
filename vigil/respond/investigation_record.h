// InvestigationRecord: the persisted state of one automated investigation (state, evidence with
// verdicts and reasons, step log). Written by Investigator, stored by ActionStore, read by the
// CLI. Plain data; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/detect/alert.h"
#include "vigil/respond/action.h"

namespace vigil::respond {

// The API `investigationState` values Vigil uses.
enum class InvestigationState : uint8_t {
  kUnknown,
  kRunning,
  kPendingApproval,
  kSuccessfullyRemediated,
  kPartiallyRemediated,
  kBenign,
  kFailed,
  kTerminatedByUser,
};

std::string_view InvestigationStateName(InvestigationState state);  // "PendingApproval", ...
std::optional<InvestigationState> ParseInvestigationState(std::string_view text);

// One investigated entity: the entity (alert evidence shape), what collection found and the
// verdict with its reasons.
struct EvidenceVerdict {
  std::string entity_key;  // detect::alerts::EntityKey
  detect::Evidence entity;
  std::string sender;  // captured by collection (mail messages)
  Verdict verdict = Verdict::kUnknown;
  std::vector<std::string> reasons;
};

struct InvestigationLogEntry {
  int64_t time_us = 0;
  std::string message;
};

struct InvestigationRecord {
  int64_t id = 0;  // assigned by ActionStore::SaveInvestigation
  int64_t incident_id = 0;
  InvestigationState state = InvestigationState::kRunning;
  std::string playbook;
  int64_t created_us = 0;
  int64_t updated_us = 0;
  std::vector<std::string> alert_ids;
  std::vector<EvidenceVerdict> evidence;
  std::vector<InvestigationLogEntry> log;  // oldest first
};

}  // namespace vigil::respond

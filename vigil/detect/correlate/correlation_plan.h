// CorrelationPlan: the static half of the correlation engine. Resolves every Sigma correlation's
// `rules` references (base rules or other correlations), rejects cycles and invalid conditions,
// and works out which fields each base rule's events must supply. Built once by
// CorrelationEngine::Create; immutable afterwards, so it may be read from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vigil/detect/sigma/rule.h"

namespace vigil::detect::correlate {

// One field the caller must read from a base rule's event (a Sigma field name, aliases already
// applied for that rule).
struct FieldNeed {
  std::string field;
};

// A correlation that cannot run, and why (lower-case message naming the correlation).
struct CorrelationProblem {
  uint32_t correlation = 0;  // index into RuleSet::correlations
  std::string id;
  std::string title;
  std::string reason;
};

// One distinct source feeding a correlation: a base rule or another correlation.
struct PlannedSource {
  bool is_correlation = false;
  uint32_t index = 0;  // rule index or correlation index
  // For each group-by key of the correlation: where its value comes from. Base rule: index into
  // the rule's FieldNeed list; correlation: index into that correlation's group-by list.
  // -1 = the source cannot supply it (its events are then skipped).
  std::vector<int> group_slots;
  int value_slot = -1;               // condition.field, same indexing; -1 = none
  std::vector<uint32_t> base_rules;  // base rules behind this source (transitively), sorted
};

struct PlannedCorrelation {
  bool ok = false;
  sigma::CorrelationType type = sigma::CorrelationType::kEventCount;
  sigma::CorrelationCondition condition;
  int64_t span_us = 0;
  std::vector<std::string> group_by;
  std::vector<PlannedSource> sources;  // distinct referenced rules/correlations
  std::vector<uint32_t> order;         // temporal_ordered: source index per listed position
  bool generate = false;
  // Eager: evaluated on every event over sliding windows (only lower bounds, monotone value).
  // Deferred: evaluated when a window anchored at its first event closes.
  bool eager = true;
};

// Who consumes a source's events: correlation `correlation`, as its source `source`.
struct Consumer {
  uint32_t correlation = 0;
  uint32_t source = 0;
};

struct CorrelationPlan {
  std::vector<PlannedCorrelation> correlations;  // parallel to RuleSet::correlations
  std::vector<CorrelationProblem> problems;
  std::vector<std::vector<FieldNeed>> rule_needs;     // per base rule
  std::vector<std::vector<Consumer>> rule_consumers;  // per base rule (resolved correlations)
  std::vector<std::vector<Consumer>> correlation_consumers;  // per correlation
  std::vector<bool> rule_emit;                               // ShouldEmitBaseRule
  std::vector<bool> correlation_emit;                        // ShouldEmitCorrelation
};

// Resolves `rules`. Never fails as a whole: every correlation that cannot run gets a problem
// entry and ok == false; the others are planned.
CorrelationPlan BuildCorrelationPlan(const sigma::RuleSet& rules);

// True when `value` satisfies every bound present in `condition`.
bool ConditionHolds(const sigma::CorrelationCondition& condition, double value);

}  // namespace vigil::detect::correlate

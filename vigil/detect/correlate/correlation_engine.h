// CorrelationEngine: evaluates Sigma correlation rules (event_count, value_count, temporal,
// temporal_ordered, value_sum, value_avg, value_percentile; chained) over the stream of base-rule
// hits produced by the Sigma matcher, with bounded per-group state. Used by the detection
// pipeline. Not thread-safe: one engine per pipeline thread (the plan inside is immutable).
//
// Semantics (see docs in the .cpp header comment for details):
//  - Event time only. Each group keeps its own clock (its newest event); an event more than
//    max_disorder_us older than that, or inside an already reported window, is dropped (counted).
//  - Eager conditions (only gt/gte on count, distinct count, sum, temporal rules seen): sliding
//    windows [s, s + timespan], decided when an event arrives. After a hit whose last event is at
//    L, the group's events up to L are consumed and it re-arms for windows whose last event is
//    after L + timespan: at most one hit per group per timespan.
//  - Deferred conditions (any lt/lte/eq/neq bound, and every value_avg / value_percentile):
//    windows anchored at the group's first pending event, [a, a + timespan], decided when the
//    window closes: when an event of the group, or AdvanceTo, passes a + timespan +
//    max_disorder_us. Windows do not overlap (an approximation of sliding windows).
#pragma once

#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "vigil/base/status.h"
#include "vigil/detect/correlate/correlation_plan.h"
#include "vigil/detect/correlate/correlation_types.h"
#include "vigil/detect/correlate/group_window.h"
#include "vigil/detect/sigma/rule.h"

namespace vigil::detect::correlate {

class CorrelationEngine {
 public:
  // Resolves the correlations of `rules` (nothing of `rules` is kept by reference). Fails only
  // on invalid options, or, with options.fail_on_unresolved, when a correlation cannot run;
  // otherwise such correlations are listed by Problems() and the others run.
  static Result<std::unique_ptr<CorrelationEngine>> Create(const sigma::RuleSet& rules,
                                                           const EngineOptions& options);

  const std::vector<CorrelationProblem>& Problems() const { return plan_.problems; }
  bool IsActive(uint32_t correlation_index) const;

  // True when a runnable correlation uses the rule's hits (callers may skip the others).
  bool IsReferenced(uint32_t rule_index) const;
  // Fields to read (through the FieldGetter) from an event that hit the rule. Empty for rules
  // no correlation uses, or whose correlations group by nothing.
  const std::vector<FieldNeed>& NeededFields(uint32_t rule_index) const;
  // False for a rule referenced only by runnable correlations without `generate: true`.
  bool ShouldEmitBaseRule(uint32_t rule_index) const;
  // Same for a correlation referenced by other correlations; false for one that cannot run.
  bool ShouldEmitCorrelation(uint32_t correlation_index) const;

  // One event matched base rule `rule_index` at `timestamp_us` (UTC microseconds).
  void OnRuleHit(uint32_t rule_index, int64_t timestamp_us, const FieldGetter& get);
  // The stream's event time reached `now_us`: closes deferred windows and drops idle groups.
  // Walks every group: call it once per batch or on a timer, not per event.
  void AdvanceTo(int64_t now_us);
  // Hits since the last call, in production order.
  std::vector<CorrelationHit> TakeHits();

  const EngineCounters& counters() const { return counters_; }
  size_t GroupCountForTest(uint32_t correlation_index) const;

 private:
  struct Group {
    std::string key;
    std::vector<std::string> values;
    GroupWindow window;
  };
  struct CorrelationState {
    std::list<Group> lru;  // most recently updated first
    std::unordered_map<std::string, std::list<Group>::iterator> by_key;
  };
  // Values of a source event, indexed as PlannedSource slots.
  using SlotValues = std::vector<std::optional<std::string>>;

  CorrelationEngine(CorrelationPlan plan, const EngineOptions& options);
  void Feed(uint32_t correlation, uint32_t source, int64_t ts_us, const SlotValues& values);
  void Emit(uint32_t correlation, const Group& group, const WindowResult& result);
  void DrainChain();

  CorrelationPlan plan_;
  EngineOptions options_;
  WindowLimits limits_;
  std::vector<CorrelationState> states_;
  std::vector<CorrelationHit> pending_;
  std::deque<CorrelationHit> chain_;  // hits still to feed to the correlations that use them
  std::vector<WindowResult> results_scratch_;
  EngineCounters counters_;
  static const std::vector<FieldNeed> kNoNeeds;
};

}  // namespace vigil::detect::correlate

// Plain types of the correlation engine's interface: options, counters, the field getter the
// caller supplies, and the hits the engine hands back. Used by CorrelationEngine and its
// callers (the detection pipeline). Plain data; no synchronisation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::detect::correlate {

// Reads one Sigma field (a name from NeededFields) of the event that produced a rule hit;
// nullopt when the event has no such field. The caller maps Sigma names to its row columns.
using FieldGetter = std::function<std::optional<std::string>(std::string_view sigma_field)>;

struct EngineOptions {
  // Groups kept per correlation; the least recently updated group is evicted beyond it.
  size_t max_groups_per_correlation = 10'000;
  // Events (timestamps and their values) kept per group; the oldest is dropped beyond it.
  size_t max_events_per_group = 1'000;
  // How far behind its group's newest event an event may arrive and still be counted.
  int64_t max_disorder_us = 10'000'000;  // 10 s
  // Hits waiting for TakeHits; further hits are counted and dropped (still chained).
  size_t max_pending_hits = 10'000;
  // Create fails (instead of reporting Problems()) when a correlation cannot run.
  bool fail_on_unresolved = false;
};

// Monotonic counters since Create; every degraded path has one.
struct EngineCounters {
  uint64_t rule_hits = 0;            // OnRuleHit calls for referenced rules
  uint64_t events_added = 0;         // events stored in a group window
  uint64_t late_dropped = 0;         // beyond max_disorder_us, or inside an already reported window
  uint64_t missing_group_field = 0;  // event lacked a group-by field: skipped
  uint64_t missing_value_field = 0;  // event lacked condition.field: skipped
  uint64_t non_numeric_value = 0;    // value_sum/avg/percentile field not a number: skipped
  uint64_t events_evicted = 0;       // dropped from a full group (max_events_per_group)
  uint64_t groups_evicted = 0;       // LRU evictions (max_groups_per_correlation)
  uint64_t groups_expired = 0;       // groups removed by AdvanceTo once idle
  uint64_t hits = 0;                 // correlation hits produced (chained ones included)
  uint64_t hits_dropped = 0;         // hits beyond max_pending_hits
};

struct CorrelationHit {
  uint32_t correlation = 0;  // index into RuleSet::correlations
  int64_t first_us = 0;      // first and last event of the window that met the condition
  int64_t last_us = 0;
  std::vector<std::pair<std::string, std::string>> group;  // group-by field -> value, in order
  double value = 0;                  // count / distinct count / sum / avg / percentile / rules seen
  uint64_t events = 0;               // events in the window
  std::vector<uint32_t> rules_seen;  // base rules (transitively) with events in the window
};

}  // namespace vigil::detect::correlate

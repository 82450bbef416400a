// GroupWindow: the time-ordered events of one group of one correlation, and the window logic
// that decides when the correlation's condition is met (sliding windows for eager conditions,
// windows anchored at their first event for deferred ones). Owned by CorrelationEngine; not
// thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <string>
#include <vector>

#include "vigil/detect/correlate/correlation_plan.h"
#include "vigil/detect/correlate/correlation_types.h"

namespace vigil::detect::correlate {

struct WindowEntry {
  int64_t ts_us = 0;
  uint32_t source = 0;  // index into PlannedCorrelation::sources
  double number = 0;    // value_sum / value_avg / value_percentile
  std::string text;     // value_count: the value counted distinctly
};

struct WindowResult {
  int64_t first_us = 0;
  int64_t last_us = 0;
  double value = 0;
  uint64_t events = 0;
  std::vector<uint32_t> sources_seen;  // sorted
};

struct WindowLimits {
  int64_t disorder_us = 0;
  size_t max_events = 1;
};

class GroupWindow {
 public:
  // Stores one event and appends the windows it completes (at most one for eager conditions;
  // deferred windows that the event's time closes) to `out`.
  void Add(const PlannedCorrelation& pc, const WindowLimits& limits, WindowEntry entry,
           std::vector<WindowResult>* out, EngineCounters* counters);

  // Closes deferred windows and drops events that no window ending after `now_us` can use.
  void Advance(const PlannedCorrelation& pc, const WindowLimits& limits, int64_t now_us,
               std::vector<WindowResult>* out);

  // True when the group holds nothing that matters at `now_us` (no events, no suppression).
  bool Idle(int64_t now_us) const { return entries_.empty() && now_us >= suppress_until_us_; }

  size_t EventCountForTest() const { return entries_.size(); }

 private:
  void ExpireBefore(int64_t ts_us);
  void EvaluateEager(const PlannedCorrelation& pc, int64_t ts_us, std::vector<WindowResult>* out);
  void EvaluateOrdered(const PlannedCorrelation& pc, int64_t ts_us, std::vector<WindowResult>* out);
  void CloseFront(const PlannedCorrelation& pc, std::vector<WindowResult>* out);
  WindowResult MakeResult(size_t begin, size_t end, double value) const;
  // Reports [begin, end): drops every event up to its last one and mutes the group for a span.
  void Consume(const PlannedCorrelation& pc, size_t end);

  static constexpr int64_t kNever = std::numeric_limits<int64_t>::min();
  std::deque<WindowEntry> entries_;  // sorted by ts_us, ties in arrival order
  int64_t newest_us_ = kNever;
  int64_t consumed_until_us_ = kNever;  // events at or before it were reported or closed
  int64_t suppress_until_us_ = kNever;  // eager: no hit whose last event is at or before it
};

// The correlation's value over entries [begin, end) (count, distinct count, sum, avg,
// nearest-rank percentile, or distinct sources for temporal types).
double WindowValue(const PlannedCorrelation& pc, const std::deque<WindowEntry>& entries,
                   size_t begin, size_t end);

}  // namespace vigil::detect::correlate

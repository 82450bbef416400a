#include "vigil/detect/correlate/group_window.h"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace vigil::detect::correlate {
namespace {

using sigma::CorrelationType;

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

// Saturating arithmetic: event timestamps come from untrusted input.
int64_t SatAdd(int64_t a, int64_t b) {
  if (b > 0 && a > kMax - b) {
    return kMax;
  }
  if (b < 0 && a < kMin - b) {
    return kMin;
  }
  return a + b;
}
int64_t SatSub(int64_t a, int64_t b) { return SatAdd(a, b == kMin ? kMax : -b); }

// Incremental value of a sliding window for the eager types (count, distinct count, sum,
// distinct sources).
class SlidingValue {
 public:
  SlidingValue(const PlannedCorrelation& pc) : type_(pc.type), per_source_(pc.sources.size()) {}

  void Add(const WindowEntry& e) {
    ++count_;
    sum_ += e.number;
    if (e.source < per_source_.size() && per_source_[e.source]++ == 0) {
      ++sources_;
    }
    if (type_ == CorrelationType::kValueCount) {
      ++distinct_[e.text];
    }
  }
  void Remove(const WindowEntry& e) {
    --count_;
    sum_ -= e.number;
    if (e.source < per_source_.size() && --per_source_[e.source] == 0) {
      --sources_;
    }
    if (type_ == CorrelationType::kValueCount) {
      auto it = distinct_.find(e.text);
      if (it != distinct_.end() && --it->second == 0) {
        distinct_.erase(it);
      }
    }
  }
  double Value() const {
    switch (type_) {
      case CorrelationType::kEventCount:
        return static_cast<double>(count_);
      case CorrelationType::kValueCount:
        return static_cast<double>(distinct_.size());
      case CorrelationType::kValueSum:
        return sum_;
      case CorrelationType::kValueAvg:
        return count_ == 0 ? 0 : sum_ / static_cast<double>(count_);
      case CorrelationType::kTemporal:
      case CorrelationType::kTemporalOrdered:
      case CorrelationType::kValuePercentile:
        return static_cast<double>(sources_);
    }
    return 0;
  }

 private:
  CorrelationType type_;
  std::vector<uint32_t> per_source_;
  size_t sources_ = 0;
  size_t count_ = 0;
  double sum_ = 0;
  std::unordered_map<std::string_view, uint32_t> distinct_;
};

}  // namespace

double WindowValue(const PlannedCorrelation& pc, const std::deque<WindowEntry>& entries,
                   size_t begin, size_t end) {
  const size_t n = end - begin;
  switch (pc.type) {
    case CorrelationType::kEventCount:
      return static_cast<double>(n);
    case CorrelationType::kValueCount: {
      std::unordered_set<std::string_view> values;
      for (size_t i = begin; i < end; ++i) {
        values.insert(entries[i].text);
      }
      return static_cast<double>(values.size());
    }
    case CorrelationType::kValueSum:
    case CorrelationType::kValueAvg: {
      double sum = 0;
      for (size_t i = begin; i < end; ++i) {
        sum += entries[i].number;
      }
      if (pc.type == CorrelationType::kValueSum) {
        return sum;
      }
      return n == 0 ? 0 : sum / static_cast<double>(n);
    }
    case CorrelationType::kValuePercentile: {
      if (n == 0) {
        return 0;
      }
      std::vector<double> numbers;
      numbers.reserve(n);
      for (size_t i = begin; i < end; ++i) {
        numbers.push_back(entries[i].number);
      }
      std::sort(numbers.begin(), numbers.end());
      // Nearest rank: the smallest value with at least p% of the values at or below it.
      const double p = pc.condition.percentile.value_or(50);
      auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(n)));
      rank = std::clamp<size_t>(rank, 1, n);
      return numbers[rank - 1];
    }
    case CorrelationType::kTemporal:
    case CorrelationType::kTemporalOrdered: {
      std::vector<bool> seen(pc.sources.size(), false);
      size_t distinct = 0;
      for (size_t i = begin; i < end; ++i) {
        const uint32_t s = entries[i].source;
        if (s < seen.size() && !seen[s]) {
          seen[s] = true;
          ++distinct;
        }
      }
      return static_cast<double>(distinct);
    }
  }
  return 0;
}

void GroupWindow::Add(const PlannedCorrelation& pc, const WindowLimits& limits, WindowEntry entry,
                      std::vector<WindowResult>* out, EngineCounters* counters) {
  const int64_t ts = entry.ts_us;
  if (ts <= consumed_until_us_ ||
      (newest_us_ != kNever && ts < SatSub(newest_us_, limits.disorder_us))) {
    ++counters->late_dropped;
    return;
  }
  newest_us_ = std::max(newest_us_, ts);
  if (pc.eager) {
    // Keep what a late event (up to disorder_us old) could still share a window with.
    ExpireBefore(SatSub(SatSub(newest_us_, pc.span_us), limits.disorder_us));
  } else {
    while (!entries_.empty() &&
           newest_us_ > SatAdd(SatAdd(entries_.front().ts_us, pc.span_us), limits.disorder_us)) {
      CloseFront(pc, out);
    }
  }
  auto pos = std::upper_bound(entries_.begin(), entries_.end(), ts,
                              [](int64_t t, const WindowEntry& e) { return t < e.ts_us; });
  entries_.insert(pos, std::move(entry));
  ++counters->events_added;
  while (entries_.size() > limits.max_events) {
    entries_.pop_front();
    ++counters->events_evicted;
  }
  if (!pc.eager) {
    return;
  }
  if (pc.type == CorrelationType::kTemporalOrdered) {
    EvaluateOrdered(pc, ts, out);
  } else {
    EvaluateEager(pc, ts, out);
  }
}

void GroupWindow::Advance(const PlannedCorrelation& pc, const WindowLimits& limits, int64_t now_us,
                          std::vector<WindowResult>* out) {
  if (pc.eager) {
    ExpireBefore(SatSub(SatSub(now_us, pc.span_us), limits.disorder_us));
    return;
  }
  while (!entries_.empty() &&
         now_us > SatAdd(SatAdd(entries_.front().ts_us, pc.span_us), limits.disorder_us)) {
    CloseFront(pc, out);
  }
}

void GroupWindow::ExpireBefore(int64_t ts_us) {
  while (!entries_.empty() && entries_.front().ts_us < ts_us) {
    entries_.pop_front();
  }
}

// Windows [s, s + span] that contain `ts_us` start at an event in [ts_us - span, ts_us]. The
// first that meets the condition and ends after the mute period is reported.
void GroupWindow::EvaluateEager(const PlannedCorrelation& pc, int64_t ts_us,
                                std::vector<WindowResult>* out) {
  const int64_t lowest = SatSub(ts_us, pc.span_us);
  size_t start = static_cast<size_t>(
      std::lower_bound(entries_.begin(), entries_.end(), lowest,
                       [](const WindowEntry& e, int64_t t) { return e.ts_us < t; }) -
      entries_.begin());
  SlidingValue value(pc);
  size_t end = start;
  for (; start < entries_.size() && entries_[start].ts_us <= ts_us; ++start) {
    const int64_t window_end = SatAdd(entries_[start].ts_us, pc.span_us);
    while (end < entries_.size() && entries_[end].ts_us <= window_end) {
      value.Add(entries_[end++]);
    }
    const double v = value.Value();
    if (entries_[end - 1].ts_us > suppress_until_us_ && ConditionHolds(pc.condition, v)) {
      out->push_back(MakeResult(start, end, v));
      Consume(pc, end);
      return;
    }
    value.Remove(entries_[start]);
  }
}

// temporal_ordered: from each candidate start (an event of the first listed rule), take the
// earliest event of each next listed rule; ties in time count in arrival order.
void GroupWindow::EvaluateOrdered(const PlannedCorrelation& pc, int64_t ts_us,
                                  std::vector<WindowResult>* out) {
  if (pc.order.empty()) {
    return;
  }
  const int64_t lowest = SatSub(ts_us, pc.span_us);
  for (size_t start = 0; start < entries_.size() && entries_[start].ts_us <= ts_us; ++start) {
    if (entries_[start].ts_us < lowest || entries_[start].source != pc.order[0]) {
      continue;
    }
    const int64_t window_end = SatAdd(entries_[start].ts_us, pc.span_us);
    size_t matched = 1;
    size_t j = start + 1;
    for (; matched < pc.order.size() && j < entries_.size() && entries_[j].ts_us <= window_end;
         ++j) {
      if (entries_[j].source == pc.order[matched]) {
        ++matched;
      }
    }
    if (matched == pc.order.size() && entries_[j - 1].ts_us > suppress_until_us_) {
      out->push_back(MakeResult(start, j, static_cast<double>(matched)));
      Consume(pc, j);
      return;
    }
  }
}

void GroupWindow::CloseFront(const PlannedCorrelation& pc, std::vector<WindowResult>* out) {
  const int64_t window_end = SatAdd(entries_.front().ts_us, pc.span_us);
  const size_t end = static_cast<size_t>(
      std::upper_bound(entries_.begin(), entries_.end(), window_end,
                       [](int64_t t, const WindowEntry& e) { return t < e.ts_us; }) -
      entries_.begin());
  const double v = WindowValue(pc, entries_, 0, end);
  if (ConditionHolds(pc.condition, v)) {
    out->push_back(MakeResult(0, end, v));
  }
  entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(end));
  consumed_until_us_ = std::max(consumed_until_us_, window_end);
}

WindowResult GroupWindow::MakeResult(size_t begin, size_t end, double value) const {
  WindowResult r;
  r.first_us = entries_[begin].ts_us;
  r.last_us = entries_[end - 1].ts_us;
  r.value = value;
  r.events = end - begin;
  for (size_t i = begin; i < end; ++i) {
    r.sources_seen.push_back(entries_[i].source);
  }
  std::sort(r.sources_seen.begin(), r.sources_seen.end());
  r.sources_seen.erase(std::unique(r.sources_seen.begin(), r.sources_seen.end()),
                       r.sources_seen.end());
  return r;
}

void GroupWindow::Consume(const PlannedCorrelation& pc, size_t end) {
  const int64_t last = entries_[end - 1].ts_us;
  while (!entries_.empty() && entries_.front().ts_us <= last) {
    entries_.pop_front();
  }
  consumed_until_us_ = std::max(consumed_until_us_, last);
  suppress_until_us_ = SatAdd(last, pc.span_us);
}

}  // namespace vigil::detect::correlate

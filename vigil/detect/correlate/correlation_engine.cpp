#include "vigil/detect/correlate/correlation_engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string_view>
#include <utility>

namespace vigil::detect::correlate {
namespace {

using sigma::CorrelationType;

std::optional<double> ParseNumber(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
  }
  double value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() ||
      !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

// Unambiguous key: each value length-prefixed.
std::string GroupKey(const std::vector<std::string>& values) {
  std::string key;
  for (const auto& v : values) {
    key += std::to_string(v.size());
    key += ':';
    key += v;
  }
  return key;
}

}  // namespace

const std::vector<FieldNeed> CorrelationEngine::kNoNeeds;

Result<std::unique_ptr<CorrelationEngine>> CorrelationEngine::Create(const sigma::RuleSet& rules,
                                                                     const EngineOptions& options) {
  if (options.max_groups_per_correlation == 0) {
    return InvalidArgumentError("correlation engine option max_groups_per_correlation must be > 0");
  }
  if (options.max_events_per_group == 0) {
    return InvalidArgumentError("correlation engine option max_events_per_group must be > 0");
  }
  if (options.max_disorder_us < 0) {
    return InvalidArgumentError("correlation engine option max_disorder_us must be >= 0");
  }
  CorrelationPlan plan = BuildCorrelationPlan(rules);
  if (options.fail_on_unresolved && !plan.problems.empty()) {
    std::string reasons;
    for (const auto& p : plan.problems) {
      reasons += reasons.empty() ? "" : "; ";
      reasons += p.reason;
    }
    return InvalidArgumentError("{} correlation(s) cannot run: {}", plan.problems.size(), reasons);
  }
  return std::unique_ptr<CorrelationEngine>(new CorrelationEngine(std::move(plan), options));
}

CorrelationEngine::CorrelationEngine(CorrelationPlan plan, const EngineOptions& options)
    : plan_(std::move(plan)), options_(options) {
  limits_.disorder_us = options_.max_disorder_us;
  limits_.max_events = options_.max_events_per_group;
  states_.resize(plan_.correlations.size());
}

bool CorrelationEngine::IsActive(uint32_t correlation_index) const {
  return correlation_index < plan_.correlations.size() && plan_.correlations[correlation_index].ok;
}

bool CorrelationEngine::IsReferenced(uint32_t rule_index) const {
  return rule_index < plan_.rule_consumers.size() && !plan_.rule_consumers[rule_index].empty();
}

const std::vector<FieldNeed>& CorrelationEngine::NeededFields(uint32_t rule_index) const {
  return rule_index < plan_.rule_needs.size() ? plan_.rule_needs[rule_index] : kNoNeeds;
}

bool CorrelationEngine::ShouldEmitBaseRule(uint32_t rule_index) const {
  return rule_index >= plan_.rule_emit.size() || plan_.rule_emit[rule_index];
}

bool CorrelationEngine::ShouldEmitCorrelation(uint32_t correlation_index) const {
  return correlation_index < plan_.correlation_emit.size() &&
         plan_.correlation_emit[correlation_index];
}

size_t CorrelationEngine::GroupCountForTest(uint32_t correlation_index) const {
  return correlation_index < states_.size() ? states_[correlation_index].lru.size() : 0;
}

void CorrelationEngine::OnRuleHit(uint32_t rule_index, int64_t timestamp_us,
                                  const FieldGetter& get) {
  if (!IsReferenced(rule_index)) {
    return;
  }
  ++counters_.rule_hits;
  const auto& needs = plan_.rule_needs[rule_index];
  SlotValues values;
  values.reserve(needs.size());
  for (const auto& need : needs) {
    values.push_back(get ? get(need.field) : std::nullopt);
  }
  for (const Consumer& c : plan_.rule_consumers[rule_index]) {
    Feed(c.correlation, c.source, timestamp_us, values);
  }
  DrainChain();
}

void CorrelationEngine::Feed(uint32_t correlation, uint32_t source, int64_t ts_us,
                             const SlotValues& values) {
  const PlannedCorrelation& pc = plan_.correlations[correlation];
  const PlannedSource& src = pc.sources[source];
  std::vector<std::string> group_values;
  group_values.reserve(src.group_slots.size());
  for (int slot : src.group_slots) {
    if (slot < 0 || static_cast<size_t>(slot) >= values.size() || !values[slot]) {
      ++counters_.missing_group_field;
      return;
    }
    group_values.push_back(*values[slot]);
  }
  WindowEntry entry;
  entry.ts_us = ts_us;
  entry.source = source;
  if (pc.type == CorrelationType::kValueCount || pc.type == CorrelationType::kValueSum ||
      pc.type == CorrelationType::kValueAvg || pc.type == CorrelationType::kValuePercentile) {
    const int slot = src.value_slot;
    if (slot < 0 || static_cast<size_t>(slot) >= values.size() || !values[slot]) {
      ++counters_.missing_value_field;
      return;
    }
    if (pc.type == CorrelationType::kValueCount) {
      entry.text = *values[slot];
    } else {
      const auto number = ParseNumber(*values[slot]);
      if (!number) {
        ++counters_.non_numeric_value;
        return;
      }
      entry.number = *number;
    }
  }

  CorrelationState& state = states_[correlation];
  std::string key = GroupKey(group_values);
  auto found = state.by_key.find(key);
  if (found != state.by_key.end()) {
    state.lru.splice(state.lru.begin(), state.lru, found->second);
  } else {
    while (state.lru.size() >= options_.max_groups_per_correlation) {
      state.by_key.erase(state.lru.back().key);
      state.lru.pop_back();
      ++counters_.groups_evicted;
    }
    state.lru.push_front(Group{key, std::move(group_values), GroupWindow()});
    state.by_key.emplace(std::move(key), state.lru.begin());
  }
  Group& group = state.lru.front();
  results_scratch_.clear();
  group.window.Add(pc, limits_, std::move(entry), &results_scratch_, &counters_);
  for (const auto& result : results_scratch_) {
    Emit(correlation, group, result);
  }
}

void CorrelationEngine::Emit(uint32_t correlation, const Group& group, const WindowResult& result) {
  const PlannedCorrelation& pc = plan_.correlations[correlation];
  CorrelationHit hit;
  hit.correlation = correlation;
  hit.first_us = result.first_us;
  hit.last_us = result.last_us;
  hit.value = result.value;
  hit.events = result.events;
  for (size_t i = 0; i < pc.group_by.size() && i < group.values.size(); ++i) {
    hit.group.emplace_back(pc.group_by[i], group.values[i]);
  }
  for (uint32_t s : result.sources_seen) {
    if (s < pc.sources.size()) {
      const auto& rules = pc.sources[s].base_rules;
      hit.rules_seen.insert(hit.rules_seen.end(), rules.begin(), rules.end());
    }
  }
  std::sort(hit.rules_seen.begin(), hit.rules_seen.end());
  hit.rules_seen.erase(std::unique(hit.rules_seen.begin(), hit.rules_seen.end()),
                       hit.rules_seen.end());
  ++counters_.hits;
  if (!plan_.correlation_consumers[correlation].empty()) {
    chain_.push_back(hit);
  }
  if (pending_.size() >= options_.max_pending_hits) {
    ++counters_.hits_dropped;
    return;
  }
  pending_.push_back(std::move(hit));
}

// Chained correlations: a hit is an event of the correlations that reference it, at the time
// of its last event, with its group-by values as fields. The reference graph is acyclic
// (checked by the plan), so this ends.
void CorrelationEngine::DrainChain() {
  while (!chain_.empty()) {
    CorrelationHit hit = std::move(chain_.front());
    chain_.pop_front();
    SlotValues values;
    values.reserve(hit.group.size());
    for (auto& [field, value] : hit.group) {
      values.emplace_back(value);
    }
    for (const Consumer& c : plan_.correlation_consumers[hit.correlation]) {
      Feed(c.correlation, c.source, hit.last_us, values);
    }
  }
}

void CorrelationEngine::AdvanceTo(int64_t now_us) {
  for (uint32_t ci = 0; ci < states_.size(); ++ci) {
    const PlannedCorrelation& pc = plan_.correlations[ci];
    if (!pc.ok) {
      continue;
    }
    CorrelationState& state = states_[ci];
    for (auto it = state.lru.begin(); it != state.lru.end();) {
      results_scratch_.clear();
      it->window.Advance(pc, limits_, now_us, &results_scratch_);
      for (const auto& result : results_scratch_) {
        Emit(ci, *it, result);
      }
      if (it->window.Idle(now_us)) {
        state.by_key.erase(it->key);
        it = state.lru.erase(it);
        ++counters_.groups_expired;
      } else {
        ++it;
      }
    }
  }
  DrainChain();
}

std::vector<CorrelationHit> CorrelationEngine::TakeHits() {
  std::vector<CorrelationHit> hits;
  hits.swap(pending_);
  return hits;
}

}  // namespace vigil::detect::correlate

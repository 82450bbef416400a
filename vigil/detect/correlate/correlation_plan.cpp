#include "vigil/detect/correlate/correlation_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <deque>
#include <string_view>
#include <unordered_map>

namespace vigil::detect::correlate {
namespace {

using sigma::CorrelationType;

// Longest accepted timespan: one year (keeps microsecond arithmetic far from overflow).
constexpr int64_t kMaxTimespanSeconds = 366LL * 24 * 3600;

struct Target {
  bool is_correlation = false;
  uint32_t index = 0;
  bool operator==(const Target& other) const = default;
};

class TargetIndex {
 public:
  void Add(const std::string& key, Target target) {
    if (key.empty()) {
      return;
    }
    auto& targets = map_[key];
    if (std::find(targets.begin(), targets.end(), target) == targets.end()) {
      targets.push_back(target);
    }
  }
  const std::vector<Target>* Find(const std::string& key) const {
    auto it = map_.find(key);
    return it == map_.end() ? nullptr : &it->second;
  }

 private:
  std::unordered_map<std::string, std::vector<Target>> map_;
};

bool IsValueType(CorrelationType type) {
  return type == CorrelationType::kValueCount || type == CorrelationType::kValueSum ||
         type == CorrelationType::kValueAvg || type == CorrelationType::kValuePercentile;
}

bool IsTemporal(CorrelationType type) {
  return type == CorrelationType::kTemporal || type == CorrelationType::kTemporalOrdered;
}

bool HasAnyBound(const sigma::CorrelationCondition& c) {
  return c.gt || c.gte || c.lt || c.lte || c.eq || c.neq;
}

// Only lower bounds on a value that can only grow while events are added (count, distinct
// count, sum of non-negative numbers, rules seen): the condition can be decided at arrival.
bool IsEager(CorrelationType type, const sigma::CorrelationCondition& c) {
  if (type == CorrelationType::kValueAvg || type == CorrelationType::kValuePercentile) {
    return false;
  }
  return !(c.lt || c.lte || c.eq || c.neq);
}

std::string DisplayName(const sigma::Correlation& c, uint32_t index) {
  if (!c.title.empty()) {
    return c.title;
  }
  if (!c.id.empty()) {
    return c.id;
  }
  return fmt::format("#{}", index);
}

// The field a source supplies for `field` of the correlation: aliases are looked up under the
// reference as written, then under the target's id and name.
std::string AliasedField(const sigma::Correlation& corr, const std::string& field,
                         const std::vector<std::string>& keys) {
  auto alias = corr.aliases.find(field);
  if (alias == corr.aliases.end()) {
    return field;
  }
  for (const auto& key : keys) {
    if (key.empty()) {
      continue;
    }
    auto it = alias->second.find(key);
    if (it != alias->second.end()) {
      return it->second;
    }
  }
  return field;
}

std::string ValidateShape(const sigma::Correlation& c) {
  if (c.rules.empty()) {
    return "has no referenced rules";
  }
  if (c.timespan_seconds <= 0) {
    return "needs a positive timespan";
  }
  if (c.timespan_seconds > kMaxTimespanSeconds) {
    return fmt::format("timespan of {}s is longer than one year", c.timespan_seconds);
  }
  if (IsValueType(c.type) && c.condition.field.empty()) {
    return "needs condition.field for its value type";
  }
  if (c.type == CorrelationType::kValuePercentile) {
    if (!c.condition.percentile || *c.condition.percentile < 0 || *c.condition.percentile > 100) {
      return "value_percentile needs a percentile between 0 and 100";
    }
  }
  if (!IsTemporal(c.type) && !HasAnyBound(c.condition)) {
    return "has no condition bound (gt, gte, lt, lte, eq or neq)";
  }
  for (const auto& field : c.group_by) {
    if (field.empty()) {
      return "has an empty group-by field";
    }
  }
  return "";
}

}  // namespace

bool ConditionHolds(const sigma::CorrelationCondition& c, double value) {
  if (c.gt && !(value > *c.gt)) return false;
  if (c.gte && !(value >= *c.gte)) return false;
  if (c.lt && !(value < *c.lt)) return false;
  if (c.lte && !(value <= *c.lte)) return false;
  if (c.eq && !(value == *c.eq)) return false;
  if (c.neq && !(value != *c.neq)) return false;
  return true;
}

CorrelationPlan BuildCorrelationPlan(const sigma::RuleSet& rules) {
  CorrelationPlan plan;
  const size_t n_rules = rules.rules.size();
  const size_t n_corr = rules.correlations.size();
  plan.correlations.resize(n_corr);
  plan.rule_needs.resize(n_rules);
  plan.rule_consumers.resize(n_rules);
  plan.correlation_consumers.resize(n_corr);
  plan.rule_emit.assign(n_rules, true);
  plan.correlation_emit.assign(n_corr, true);

  TargetIndex index;
  for (uint32_t i = 0; i < n_rules; ++i) {
    index.Add(rules.rules[i].id, {false, i});
    index.Add(rules.rules[i].name, {false, i});
  }
  for (uint32_t i = 0; i < n_corr; ++i) {
    index.Add(rules.correlations[i].id, {true, i});
    index.Add(rules.correlations[i].name, {true, i});
  }

  std::vector<std::string> failure(n_corr);
  // Resolved targets per correlation, in listed order (duplicates kept for temporal_ordered).
  std::vector<std::vector<Target>> listed(n_corr);
  std::vector<std::vector<std::string>> listed_refs(n_corr);
  for (uint32_t ci = 0; ci < n_corr; ++ci) {
    const auto& corr = rules.correlations[ci];
    failure[ci] = ValidateShape(corr);
    if (!failure[ci].empty()) {
      continue;
    }
    for (const auto& ref : corr.rules) {
      const auto* found = index.Find(ref);
      if (found == nullptr) {
        failure[ci] = fmt::format("references unknown rule or correlation '{}'", ref);
        break;
      }
      if (found->size() > 1) {
        failure[ci] = fmt::format("reference '{}' is ambiguous ({} rules or correlations)", ref,
                                  found->size());
        break;
      }
      if (found->front().is_correlation && found->front().index == ci) {
        failure[ci] = fmt::format("references itself through '{}' (reference cycle)", ref);
        break;
      }
      listed[ci].push_back(found->front());
      listed_refs[ci].push_back(ref);
    }
  }

  // Topological order over correlation -> correlation references (Kahn). What is left over is
  // in a cycle or depends on one.
  std::vector<int> pending(n_corr, 0);
  std::vector<std::vector<uint32_t>> dependents(n_corr);
  for (uint32_t ci = 0; ci < n_corr; ++ci) {
    if (!failure[ci].empty()) {
      continue;
    }
    for (const auto& t : listed[ci]) {
      if (t.is_correlation) {
        ++pending[ci];
        dependents[t.index].push_back(ci);
      }
    }
  }
  std::deque<uint32_t> ready;
  for (uint32_t ci = 0; ci < n_corr; ++ci) {
    if (pending[ci] == 0) {
      ready.push_back(ci);
    }
  }
  std::vector<uint32_t> topo;
  while (!ready.empty()) {
    const uint32_t ci = ready.front();
    ready.pop_front();
    topo.push_back(ci);
    for (uint32_t dep : dependents[ci]) {
      if (--pending[dep] == 0) {
        ready.push_back(dep);
      }
    }
  }
  for (uint32_t ci = 0; ci < n_corr; ++ci) {
    if (failure[ci].empty() && pending[ci] > 0) {
      std::string through;
      for (const auto& t : listed[ci]) {
        if (t.is_correlation && pending[t.index] > 0) {
          through = DisplayName(rules.correlations[t.index], t.index);
          break;
        }
      }
      failure[ci] = fmt::format("is in or depends on a reference cycle (through '{}')", through);
    }
  }

  // Plan in topological order so a correlation's inputs are known before its consumers.
  for (uint32_t ci : topo) {
    const auto& corr = rules.correlations[ci];
    auto& pc = plan.correlations[ci];
    if (!failure[ci].empty()) {
      continue;
    }
    pc.type = corr.type;
    pc.condition = corr.condition;
    pc.span_us = corr.timespan_seconds * 1'000'000;
    pc.group_by = corr.group_by;
    pc.generate = corr.generate;
    std::vector<std::string> source_refs;
    for (size_t pos = 0; pos < listed[ci].size() && failure[ci].empty(); ++pos) {
      const Target& t = listed[ci][pos];
      auto same = [&](const PlannedSource& s) {
        return s.is_correlation == t.is_correlation && s.index == t.index;
      };
      auto existing = std::find_if(pc.sources.begin(), pc.sources.end(), same);
      if (existing != pc.sources.end()) {
        pc.order.push_back(static_cast<uint32_t>(existing - pc.sources.begin()));
        continue;
      }
      PlannedSource src;
      src.is_correlation = t.is_correlation;
      src.index = t.index;
      if (t.is_correlation) {
        const auto& inner = plan.correlations[t.index];
        const auto& inner_corr = rules.correlations[t.index];
        if (!inner.ok) {
          failure[ci] = fmt::format("references correlation '{}' that cannot run",
                                    DisplayName(inner_corr, t.index));
          break;
        }
        src.base_rules.clear();
        for (const auto& s : inner.sources) {
          src.base_rules.insert(src.base_rules.end(), s.base_rules.begin(), s.base_rules.end());
        }
        std::sort(src.base_rules.begin(), src.base_rules.end());
        src.base_rules.erase(std::unique(src.base_rules.begin(), src.base_rules.end()),
                             src.base_rules.end());
        const std::vector<std::string> keys = {listed_refs[ci][pos], inner_corr.id,
                                               inner_corr.name};
        auto slot_of = [&](const std::string& field) {
          const std::string name = AliasedField(corr, field, keys);
          auto it = std::find(inner.group_by.begin(), inner.group_by.end(), name);
          return it == inner.group_by.end() ? -1 : static_cast<int>(it - inner.group_by.begin());
        };
        for (const auto& field : corr.group_by) {
          const int slot = slot_of(field);
          if (slot < 0) {
            failure[ci] = fmt::format(
                "group-by field '{}' is not a group-by field of referenced correlation '{}'", field,
                DisplayName(inner_corr, t.index));
            break;
          }
          src.group_slots.push_back(slot);
        }
        if (failure[ci].empty() && IsValueType(corr.type)) {
          src.value_slot = slot_of(corr.condition.field);
          if (src.value_slot < 0) {
            failure[ci] = fmt::format(
                "condition field '{}' is not a group-by field of referenced correlation '{}'",
                corr.condition.field, DisplayName(inner_corr, t.index));
          }
        }
      } else {
        src.base_rules = {t.index};
      }
      pc.order.push_back(static_cast<uint32_t>(pc.sources.size()));
      pc.sources.push_back(std::move(src));
      source_refs.push_back(listed_refs[ci][pos]);
    }
    if (!failure[ci].empty()) {
      pc.sources.clear();
      pc.order.clear();
      continue;
    }
    // Base-rule field needs (aliases resolved per rule); slots index the rule's need list.
    for (size_t si = 0; si < pc.sources.size(); ++si) {
      auto& src = pc.sources[si];
      if (src.is_correlation) {
        continue;
      }
      const auto& rule = rules.rules[src.index];
      const std::vector<std::string> keys = {source_refs[si], rule.id, rule.name};
      auto& needs = plan.rule_needs[src.index];
      auto slot_of = [&](const std::string& field) {
        const std::string name = AliasedField(corr, field, keys);
        auto it = std::find_if(needs.begin(), needs.end(),
                               [&](const FieldNeed& n) { return n.field == name; });
        if (it != needs.end()) {
          return static_cast<int>(it - needs.begin());
        }
        needs.push_back({name});
        return static_cast<int>(needs.size() - 1);
      };
      for (const auto& field : corr.group_by) {
        src.group_slots.push_back(slot_of(field));
      }
      if (IsValueType(corr.type)) {
        src.value_slot = slot_of(corr.condition.field);
      }
    }
    if (corr.type == CorrelationType::kTemporalOrdered) {
      // Every listed position must be matched in order; the value is the positions matched.
      pc.condition = {};
      pc.condition.gte = static_cast<double>(pc.order.size());
    } else if (corr.type == CorrelationType::kTemporal && !HasAnyBound(corr.condition)) {
      pc.condition.gte = static_cast<double>(pc.sources.size());
    }
    pc.eager = IsEager(pc.type, pc.condition);
    pc.ok = true;
  }

  // Consumers and the `generate` semantics: a base rule (or correlation) referenced only by
  // runnable correlations without `generate: true` is not emitted on its own.
  std::vector<bool> rule_referenced(n_rules, false);
  std::vector<bool> rule_generated(n_rules, false);
  std::vector<bool> corr_referenced(n_corr, false);
  std::vector<bool> corr_generated(n_corr, false);
  for (uint32_t ci = 0; ci < n_corr; ++ci) {
    const auto& pc = plan.correlations[ci];
    if (!pc.ok) {
      const auto& corr = rules.correlations[ci];
      plan.problems.push_back(
          {ci, corr.id, corr.title,
           fmt::format("correlation '{}' {}", DisplayName(corr, ci), failure[ci])});
      continue;
    }
    for (uint32_t si = 0; si < pc.sources.size(); ++si) {
      const auto& src = pc.sources[si];
      if (src.is_correlation) {
        plan.correlation_consumers[src.index].push_back({ci, si});
        corr_referenced[src.index] = true;
        corr_generated[src.index] = corr_generated[src.index] || pc.generate;
      } else {
        plan.rule_consumers[src.index].push_back({ci, si});
        rule_referenced[src.index] = true;
        rule_generated[src.index] = rule_generated[src.index] || pc.generate;
      }
    }
  }
  for (size_t i = 0; i < n_rules; ++i) {
    plan.rule_emit[i] = !rule_referenced[i] || rule_generated[i];
  }
  for (size_t i = 0; i < n_corr; ++i) {
    plan.correlation_emit[i] =
        plan.correlations[i].ok && (!corr_referenced[i] || corr_generated[i]);
  }
  return plan;
}

}  // namespace vigil::detect::correlate

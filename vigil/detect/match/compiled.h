// CompiledRuleSet: Sigma rules compiled into per-table matchers over normalized rows, with a
// Vectorscan literal prefilter per (table, ActionType, Channel) bucket and field. Built once by
// the detection pipeline, then shared read-only by every matching thread (each thread brings
// its own MatchScratch). Immutable after Build(); thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/base/status.h"
#include "vigil/detect/sigma/rule.h"
#include "vigil/schema/catalog.h"
#include "vigil/schema/table_batch.h"

namespace vigil::detect::match {

namespace internal {
struct TableMatcher;
struct ThreadState;
}  // namespace internal

struct BuildOptions {
  // false: evaluate every rule of the row's bucket (no literal prefilter); for tests.
  bool use_prefilter = true;
  // RE2 program memory per regex/glob.
  int64_t regex_max_mem = 8 << 20;
};

struct RuleHit {
  uint32_t rule;  // index in RuleSet::rules
  uint32_t row;
};

struct Unmapped {
  uint32_t rule;
  std::string reason;
};

// Per-thread reusable matching state (Vectorscan scratch, row caches, bitsets).
class MatchScratch {
 public:
  MatchScratch();
  ~MatchScratch();
  MatchScratch(const MatchScratch&) = delete;
  MatchScratch& operator=(const MatchScratch&) = delete;

 private:
  friend class CompiledRuleSet;
  std::unique_ptr<internal::ThreadState> state_;
};

class CompiledRuleSet {
 public:
  static Result<std::shared_ptr<const CompiledRuleSet>> Build(const sigma::RuleSet& rules,
                                                              const schema::Catalog& catalog,
                                                              const BuildOptions& options = {});
  ~CompiledRuleSet();

  // Appends one hit per (rule, row) that matches, in row order.
  void Match(const schema::TableBatch& batch, MatchScratch& scratch,
             std::vector<RuleHit>& out) const;

  // A Sigma field of a row, read through the rule's mapping for the batch's table; nullopt when
  // absent/null or the rule does not target that table.
  std::optional<std::string> ReadField(const schema::TableBatch& batch, size_t row, uint32_t rule,
                                       std::string_view sigma_field) const;

  const std::vector<Unmapped>& unmapped() const { return unmapped_; }
  // Rules compiled for at least one table.
  size_t compiled_rules() const { return compiled_rules_; }

  struct Stats {
    size_t tables = 0, buckets = 0, literal_databases = 0, literals = 0, always_rules = 0,
           prefiltered_rules = 0;
  };
  const Stats& stats() const { return stats_; }

 private:
  CompiledRuleSet();
  friend struct BuildAccess;

  std::vector<std::unique_ptr<internal::TableMatcher>> tables_;
  std::vector<Unmapped> unmapped_;
  std::vector<sigma::LogSource> logsources_;  // per rule, for ReadField
  size_t compiled_rules_ = 0;
  Stats stats_;
  uint64_t build_id_ = 0;
  size_t max_atoms_ = 0;
  size_t max_accessors_ = 0;
  size_t max_rules_ = 0;
};

}  // namespace vigil::detect::match

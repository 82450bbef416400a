// BucketPrefilter: the literal prefilter of one (table, ActionType, Channel) bucket, built by
// CompiledRuleSet::Build: registers the necessary atoms of each rule, then compiles the
// bucket's Vectorscan databases (see docs/DETECTION_MAPPING.md). Build-time only.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "vigil/base/status.h"
#include "vigil/detect/match/compiled.h"
#include "vigil/detect/match/internal/compiled_types.h"

namespace vigil::detect::match::internal {

class BucketPrefilter {
 public:
  BucketPrefilter(TableMatcher& table, Bucket& bucket);
  ~BucketPrefilter();
  BucketPrefilter(const BucketPrefilter&) = delete;
  BucketPrefilter& operator=(const BucketPrefilter&) = delete;

  // Atoms of which at least one is present on every row where the rule matches (registered
  // in the bucket), or nullopt when there is no such set (evaluate the rule on every row).
  std::optional<std::vector<uint32_t>> RuleAtoms(const CompiledRule& rule);
  bool IsKeywordAtom(uint32_t atom) const;
  // Fills bucket.databases / keyword_db / event_id_atoms / number_atoms / escape_atom.
  Status BuildDatabases(const BuildOptions& options);
  size_t literals() const;

 private:
  struct Registry;
  std::unique_ptr<Registry> registry_;
};

}  // namespace vigil::detect::match::internal

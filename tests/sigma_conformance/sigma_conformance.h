// Sigma conformance over the SigmaHQ regression data (../shared/sigma/regression_data): every
// case's EVTX and JSON recordings go through the real FileIngestor and the compiled rule set of
// every SigmaHQ rule; the case's rule must be among the hits. Used by sigma_conformance_test
// (floors and the markdown report docs/SIGMA_CONFORMANCE.md). Not thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace vigil::detect::testing {

// One recording (EVTX or JSON) of a case after ingest and matching.
struct InputResult {
  bool present = false;
  bool hit = false;        // the case's rule fired on at least one row
  uint64_t hit_rows = 0;   // rows the case's rule fired on
  uint64_t records = 0;    // events read
  uint64_t rows = 0;       // rows produced
  uint64_t skipped = 0;    // records the ingestor skipped
  std::string first_skip;  // reason of the first skip
  std::map<std::string, uint64_t> rows_by_table;
  size_t other_rules = 0;  // distinct other rules that fired
};

enum class CaseStatus {
  kPass,           // both recordings hit
  kFail,           // mapped rule, at least one recording without the hit
  kRuleNotLoaded,  // the rule id is in no loaded rule (load error or absent)
  kUnmapped,       // the rule's logsource maps to no table
};

struct CaseResult {
  std::string dir;  // relative to regression_data
  std::string rule_id;
  std::string title;
  std::string logsource;     // "windows/process_creation"
  int64_t match_count = -1;  // info.yml match_count (expected hits per recording); -1 = not given
  CaseStatus status = CaseStatus::kFail;
  std::string reason;  // for every status but kPass
  InputResult evtx, json;
};

// A loaded Windows rule (product windows) that runs on no table.
struct UnmappedRule {
  std::string path;  // source_path, relative to its rules folder
  std::string id;
  std::string reason;
};

struct ConformanceReport {
  std::vector<UnmappedRule> unmapped_windows;
  size_t rules_loaded = 0;
  size_t rule_load_errors = 0;
  size_t rules_unmapped = 0;
  std::vector<CaseResult> cases;

  size_t Mapped() const;
  size_t EvtxPassed() const;        // mapped cases whose EVTX recording hits
  size_t JsonPassed() const;        // mapped cases whose JSON recording hits
  size_t WithMatchCount() const;    // mapped cases whose info.yml gives match_count
  size_t MatchCountAgrees() const;  // ... where both recordings hit exactly that many rows
  double LoadRate() const;          // loaded / (loaded + errors)
};

// Loads every rule folder under `sigma_dir` (rules*), then runs every case under
// `sigma_dir`/regression_data. An empty report when nothing is found.
ConformanceReport RunSigmaConformance(const std::filesystem::path& sigma_dir);

// Short text summary (rates and failures) for the test log.
std::string Summary(const ConformanceReport& report);

// The markdown report (docs/SIGMA_CONFORMANCE.md).
std::string RenderReport(const ConformanceReport& report, size_t evtx_floor, size_t json_floor);

}  // namespace vigil::detect::testing

// Runtime conformance: every hunting query of the corpus that the reference binds is run on
// Vigil's demo data set (a real store written by `vigil demo`). Parsing and binding are covered
// by the bind suite; this one catches what only running shows: evaluation errors, limits hit,
// crashes. Errors a hunt gives by design (externaldata refused: no network in a hunt) are
// counted apart; data-dependent ones (a column bag_unpack did not produce on this data) are
// listed as failures with their cause, as Kusto also fails there.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tests/kql_conformance/conformance_suites.h"

namespace vigil::kql::testing {

struct RunReport {
  size_t queries = 0;               // reference_binds true
  size_t ran = 0;                   // finished without error
  size_t with_rows = 0;             // ... and returned at least one row
  size_t truncated = 0;             // ... hit the row limit
  size_t refused_externaldata = 0;  // KQL0108: externaldata refused by design
  double seconds = 0;               // wall time of the whole suite
  std::vector<Failure> failures;    // every other error
  std::map<std::string, size_t> by_code;
};

// Runs the corpus' reference-binding queries on the store in `data_dir`, with now() at
// `now_ticks` (the demo data's end), at most 1,000 result rows and 30 s each.
RunReport RunHuntingSuite(const std::filesystem::path& corpus,
                          const std::filesystem::path& data_dir, int64_t now_ticks);

std::string Summary(const RunReport& r);
// The report's section on this suite (markdown).
std::string RenderRunSection(const RunReport& r, size_t failure_ceiling);

}  // namespace vigil::kql::testing

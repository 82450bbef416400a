// Runner for KQL golden files (tests/kql/**/*.test). A file is a list of blocks separated by
// blank lines:
//   # comment / # name: / # description: / # group:
//   load <Table> from data/<file>.jsonl      (in-memory table; types from the hunting schema
//                                            when the table exists there, else inferred)
//   query <type letters> [rowsort|nosort]    then KQL lines, `----`, expected rows (tab-separated)
//   error <KQL code>                         then KQL lines, `----`, expected message (line:col)
//   plan                                     then KQL lines, `----`, expected EXPLAIN text
// Type letters: T text (string/guid), I integer (int/long), R real, B bool, D datetime,
// S timespan, J dynamic. Cells: NULL for null, (empty) for the empty string. Queries run with
// now() fixed at 2026-01-01T00:00:00Z so ago() is deterministic.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace vigil::kql::testing {

struct GoldenOutcome {
  std::vector<std::string> failures;  // one message per failing block
  std::string updated_text;           // the file with expected sections rewritten
  int blocks = 0;
};

GoldenOutcome RunGoldenFile(const std::filesystem::path& file,
                            const std::filesystem::path& suite_root);

}  // namespace vigil::kql::testing

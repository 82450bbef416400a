// Runs one Sigma golden case (tests/sigma/<case>/: rule.yml, events.jsonl, optional
// placeholders.yml) through the real path: loader -> FileIngestor (normalizer) -> Detector ->
// AlertPipeline, and renders what came out as the JSON lines of expected_alerts.jsonl (format
// in tests/sigma/README.md). Used by sigma_golden_test.cpp only. Stateless; thread-safe.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace vigil::detect::testing {

struct CaseOutput {
  std::vector<std::string> lines;  // the rendered output, one JSON object per line
  std::string error;               // set when the case could not run at all (bad files)
};

CaseOutput RunSigmaCase(const std::filesystem::path& case_dir);

}  // namespace vigil::detect::testing

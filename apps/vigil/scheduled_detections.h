// Runs scheduled custom detections (KQL) once over the store and writes their alerts
// (AlertInfo/AlertEvidence rows + <data>/alerts.db). Shared by `vigil detections run` and
// `vigil demo`. Prints one line per rule and its warnings to stdout, errors to stderr.
#pragma once

#include <cstdint>
#include <vector>

#include "apps/vigil/commands.h"
#include "vigil/base/status.h"
#include "vigil/detect/custom_detection.h"

namespace vigil::app {

struct ScheduledRunSummary {
  uint64_t alerts = 0;  // alerts written (after grouping)
  int failures = 0;     // rules that did not validate or failed to run
};

// Runs the enabled scheduled rules of `rules` as of `now_ticks` over their lookback (30 days
// when `first_run`); continuous and disabled rules are skipped with a line saying so. Fails
// only when the store or the alert store cannot be opened or written.
Result<ScheduledRunSummary> RunScheduledDetections(
    const GlobalOptions& global, const std::vector<detect::CustomDetectionRule>& rules,
    int64_t now_ticks, bool first_run);

}  // namespace vigil::app

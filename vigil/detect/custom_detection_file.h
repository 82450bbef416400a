// Custom detection definitions as YAML files (one rule per document), the form `vigil
// detections run` reads and the rule library keeps on disk:
//   id: cd-0001                    name: Encoded PowerShell from Office
//   frequency: 1H                  (0/continuous, 1H, 3H, 12H, 24H)
//   severity: High                 category: Execution
//   techniques: [T1059.001]        title, description, recommendedActions, createdBy
//   impactedAssets: [DeviceId, AccountSid]
//   enabled: true
//   query: |
//     DeviceProcessEvents | where ...
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vigil/base/status.h"
#include "vigil/detect/custom_detection.h"

namespace vigil::detect {

struct CustomDetectionLoad {
  std::vector<CustomDetectionRule> rules;
  std::vector<std::string> errors;  // "file:document: reason"
};

// Parses every YAML document of `text`; `source` names it in errors.
CustomDetectionLoad ParseCustomDetections(std::string_view text, std::string_view source);
// Files and directories (recursively, *.yml / *.yaml, sorted).
CustomDetectionLoad LoadCustomDetections(const std::vector<std::string>& paths);

}  // namespace vigil::detect

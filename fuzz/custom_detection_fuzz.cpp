// libFuzzer target for custom detection definition files (YAML): any bytes give rules or
// per-document errors without crashing. Query validation (the KQL binder) is fuzzed by
// kql_query_fuzz under the same kind of limits.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vigil/detect/custom_detection_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto loaded = vigil::detect::ParseCustomDetections(input, "fuzz.yml");
  for (const auto& rule : loaded.rules) {
    (void)vigil::detect::DetectionPeriodName(rule.period);
  }
  return 0;
}

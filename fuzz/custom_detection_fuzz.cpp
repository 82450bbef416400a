// libFuzzer target for custom detection definition files (YAML): any bytes give rules or
// per-document errors, and each rule's query is checked without crashing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vigil/detect/custom_detection_file.h"
#include "vigil/schema/catalog.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto loaded = vigil::detect::ParseCustomDetections(input, "fuzz.yml");
  static const vigil::kql::Engine engine(nullptr, &vigil::schema::Catalog::Default());
  const vigil::detect::CustomDetectionRunner runner(engine);
  for (const auto& rule : loaded.rules) {
    (void)runner.Validate(rule);
  }
  return 0;
}

// libFuzzer target for the correlation config YAML (vigil/incidents/correlation_config.h): any
// input gives a config or a Status, never a crash or a hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vigil/incidents/correlation_config.h"
#include "vigil/incidents/entities.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) {
    return 0;
  }
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto config = vigil::incidents::ParseCorrelationConfig(input, "fuzz.yml");
  if (config.has_value()) {
    vigil::incidents::EntityExtractor extractor(*config);
    (void)extractor.AddAccountAlias("S-1-5-21-1", "a@b.c", "a", "B");
  }
  return 0;
}

// libFuzzer target for the hunting API's request parsing: the JSON body (Defender and Graph
// forms), the Graph Timespan (ISO 8601 intervals) and ISO 8601 durations.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vigil/api/hunting/hunting.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  for (bool graph : {false, true}) {
    auto parsed = vigil::api::ParseHuntingRequest(input, graph);
    if (parsed.ok() && parsed->timespan.has_value()) {
      (void)vigil::api::ParseTimespan(*parsed->timespan, 0).ok();
    }
  }
  (void)vigil::api::ParseTimespan(input, int64_t{1} << 60).ok();
  (void)vigil::api::ParseIsoDuration(input);
  return 0;
}

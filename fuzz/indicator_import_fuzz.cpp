// libFuzzer target for indicator import (Defender CSV template and the API's JSON forms) and
// for building the matching set from what was imported: bad records are reported, never crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vigil/detect/ioc/import.h"
#include "vigil/detect/ioc/indicator_set.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  vigil::detect::ioc::ImportOptions options;
  options.max_records = 2000;
  auto imported = vigil::detect::ioc::ImportIndicators(input, options);
  if (!imported.has_value()) {
    return 0;
  }
  auto set = vigil::detect::ioc::IndicatorSet::Build(std::move(imported->indicators), 0);
  if (set.has_value()) {
    (void)(*set)->LookupUrlOrHost("http://evil.example.com/a?b=1", 0);
  }
  return 0;
}

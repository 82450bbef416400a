// libFuzzer target for the automation policy file (<data>/automation.yml): any bytes give a
// policy or an error Status, never a crash; a loaded policy answers every domain.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vigil/respond/automation.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto policy = vigil::respond::ParseAutomationPolicy(input, "fuzz.yml");
  if (!policy.ok()) {
    return 0;
  }
  for (auto domain : {vigil::respond::Domain::kEndpoint, vigil::respond::Domain::kEmail,
                      vigil::respond::Domain::kIdentity, vigil::respond::Domain::kCloud}) {
    (void)vigil::respond::Decide(policy->LevelFor(domain, "servers"), domain,
                                 vigil::respond::Verdict::kMalicious, "C:\\Windows\\x");
  }
  return 0;
}

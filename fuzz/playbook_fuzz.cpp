// libFuzzer target for investigation playbooks (YAML): any bytes give a playbook or an error
// Status, never a crash; every query template of a loaded playbook is filled as well.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "vigil/respond/playbook.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto playbook = vigil::respond::ParsePlaybook(input, "fuzz.yml");
  if (!playbook.ok()) {
    return 0;
  }
  const std::map<std::string, std::string> values = {
      {"sha256", "a\"b\\c"}, {"url", "http://x/{{url}}"}, {"device_id", "\n"}};
  for (const auto& entity : playbook->entities) {
    for (const auto& query : entity.queries) {
      (void)vigil::respond::FillTemplate(query.kql, values);
    }
  }
  return 0;
}

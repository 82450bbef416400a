// libFuzzer target for the KQL lexer and parser: any input must parse or fail with a KqlError,
// without crashing, hanging or unbounded recursion.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vigil/kql/syntax/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto script = vigil::kql::ParseScript(input);
  if (!script) {
    (void)script.error().ToString();
  }
  return 0;
}

// libFuzzer target for what the HTTP server parses itself beyond Beast: request targets
// (percent-decoded path and query), form bodies of the token endpoint, access tokens and
// compressed bodies (gzip and zstd with a small decode bound). The first byte picks the parser.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "vigil/api/auth/authenticator.h"
#include "vigil/api/server/body_decoder.h"
#include "vigil/api/server/url_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) {
    return 0;
  }
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 5) {
    case 0:
      (void)vigil::api::ParseTarget(input);
      break;
    case 1:
      (void)vigil::api::ParseForm(input);
      break;
    case 2: {
      const std::string key(32, 'k');
      (void)vigil::api::DecodeToken(input, key);
      break;
    }
    case 3:
      (void)vigil::api::DecodeBody("gzip", input, 1 << 20);
      break;
    default:
      (void)vigil::api::DecodeBody("zstd", input, 1 << 20);
      break;
  }
  return 0;
}

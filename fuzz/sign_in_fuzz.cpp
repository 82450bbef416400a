// libFuzzer target for the sign-in routes: the token endpoint (form bodies, HTTP Basic client
// credentials, the password grant) and the console login (JSON bodies), dispatched through a
// Router over an in-memory auth store. Input: first byte picks the route, then an
// Authorization header line, then the body.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "vigil/api/auth/auth_store.h"
#include "vigil/api/auth/authenticator.h"
#include "vigil/api/auth/token_routes.h"

namespace {

struct Fixture {
  std::unique_ptr<vigil::api::AuthStore> store;
  std::unique_ptr<vigil::api::Authenticator> authenticator;
  vigil::api::LoginThrottle throttle;
  vigil::api::Router router;

  Fixture() {
    store = std::move(*vigil::api::AuthStore::Open(":memory:"));
    (void)store->CreateUser("alice", vigil::api::Role::kAnalyst, "a long password!");
    authenticator = std::move(*vigil::api::Authenticator::Create(*store));
    vigil::api::RegisterAuthRoutes(router, *store, *authenticator, throttle);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture fixture;
  if (size == 0) {
    return 0;
  }
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const size_t newline = input.find('\n');
  vigil::api::ApiRequest request;
  request.method = "POST";
  request.path = data[0] % 2 == 0 ? "/oauth2/v2.0/token" : "/api/auth/login";
  request.remote = "127.0.0.1:1";
  if (newline != std::string_view::npos) {
    request.headers["authorization"] = std::string(input.substr(0, newline));
    request.body = std::string(input.substr(newline + 1));
  } else {
    request.body = std::string(input);
  }
  (void)fixture.router.Dispatch(request);
  return 0;
}

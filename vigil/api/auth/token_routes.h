// The sign-in routes of the API, answered without a token (HttpServer's public routes):
// the OAuth2 token endpoint as Azure AD answers it (POST /oauth2/v2.0/token, /{tenant}/oauth2/
// v2.0/token, /oauth2/token, /{tenant}/oauth2/token; form body; grant_type client_credentials
// with client_id/client_secret in the body or as HTTP Basic, or grant_type password with
// username/password for users) and the console login POST /api/auth/login ({"username",
// "password"} -> a token). Failed attempts are throttled (LoginThrottle: 429 + Retry-After).
// GET /api/auth/me (authenticated) says who the caller is. Used by `vigil serve` and tests.
#pragma once

#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/api/auth/authenticator.h"
#include "vigil/api/auth/login_throttle.h"
#include "vigil/api/http_types.h"

namespace vigil::api {

inline constexpr std::string_view kTokenRoutes[] = {
    "/oauth2/v2.0/token", "/{tenant}/oauth2/v2.0/token", "/oauth2/token",
    "/{tenant}/oauth2/token"};
inline constexpr std::string_view kLoginRoute = "/api/auth/login";

// The route patterns that need no token: the token endpoints and the console login.
std::vector<std::string> SignInRoutes();

// `throttle` must outlive the router.
void RegisterAuthRoutes(Router& router, AuthStore& store, const Authenticator& authenticator,
                        LoginThrottle& throttle);

}  // namespace vigil::api

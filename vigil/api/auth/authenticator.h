// Authenticator: turns the credentials of a request (`Authorization: Bearer <token>` with a
// token from the token endpoint, `Authorization: Bearer vk_...` or `X-Api-Key: vk_...`) into a
// Principal, or a 401 in the Defender/Graph error shape. Also issues the access tokens: compact
// HS256 tokens (base64url header.claims.signature, claims sub/name/role/iat/exp) signed with
// the key kept in auth.db. RegisterAuthRoutes adds the OAuth2 client-credentials endpoint.
// Thread-safe once constructed (AuthStore takes its own lock).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "vigil/api/auth/auth_store.h"
#include "vigil/api/http_types.h"
#include "vigil/base/status.h"

namespace vigil::api {

struct AuthOptions {
  int64_t token_lifetime_s = 3600;
  // Unix seconds; tests inject a clock to expire tokens.
  std::function<int64_t()> now_s = UnixSeconds;
};

struct TokenClaims {
  std::string sub;
  std::string name;
  Role role = Role::kViewer;
  int64_t iat = 0;
  int64_t exp = 0;
};

// Checks a token's shape and signature and decodes its claims; no expiry or revocation check.
// Exposed for the fuzz target.
Result<TokenClaims> DecodeToken(std::string_view token, std::string_view key);
std::string EncodeToken(const TokenClaims& claims, std::string_view key);

class Authenticator {
 public:
  // Reads (or creates) the token key from `store`, which must outlive the Authenticator.
  static Result<std::unique_ptr<Authenticator>> Create(AuthStore& store, AuthOptions options = {});

  // On success sets request.principal and returns nullopt; otherwise the 401 response to send
  // (with WWW-Authenticate: Bearer).
  std::optional<ApiResponse> Authenticate(ApiRequest& request) const;

  // An access token for a verified app; expires after options.token_lifetime_s.
  std::string IssueToken(const AppRecord& app) const;

  // Records a mutating call in the audit table; failures are logged, not returned.
  void Audit(const ApiRequest& request, int status) const;

  AuthStore& store() const { return store_; }
  const AuthOptions& options() const { return options_; }

 private:
  Authenticator(AuthStore& store, std::string key, AuthOptions options)
      : store_(store), key_(std::move(key)), options_(std::move(options)) {}

  AuthStore& store_;
  std::string key_;
  AuthOptions options_;
};

// The OAuth2 client-credentials token endpoint, as Azure AD answers it: POST
// /oauth2/v2.0/token, /{tenant}/oauth2/v2.0/token, /oauth2/token and /{tenant}/oauth2/token
// with a form body (grant_type=client_credentials, client_id, client_secret, scope or
// resource). These routes need no token: HttpServer skips authentication for the patterns in
// ServerOptions::public_routes, whose default is kTokenRoutes.
inline constexpr std::string_view kTokenRoutes[] = {
    "/oauth2/v2.0/token", "/{tenant}/oauth2/v2.0/token", "/oauth2/token",
    "/{tenant}/oauth2/token"};
void RegisterAuthRoutes(Router& router, AuthStore& store, const Authenticator& authenticator);

}  // namespace vigil::api

// Authenticator: turns the credentials of a request (`Authorization: Bearer <token>` with a
// token from the token endpoint, `Authorization: Bearer vk_...` or `X-Api-Key: vk_...`) into a
// Principal, or a 401 in the Defender/Graph error shape. Also issues the access tokens: compact
// HS256 tokens (base64url header.claims.signature, claims sub/name/role/iat/exp) signed with
// the key kept in auth.db, for apps (sub = client id) and users (sub = "user:<name>"). The
// current record of the credential (revoked, disabled, role) is read from auth.db and kept for
// credential_cache_ttl, so a revocation takes effect within that time. The token endpoint and
// the console login are in token_routes.h. Thread-safe once constructed.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <mutex>

#include "vigil/api/auth/auth_store.h"
#include "vigil/api/http_types.h"
#include "vigil/base/status.h"

namespace vigil::api {

struct AuthOptions {
  int64_t token_lifetime_s = 3600;
  // How long a verified credential's record (role, revoked, disabled) is reused before auth.db
  // is read again; 0 reads it on every request.
  std::chrono::milliseconds credential_cache_ttl{2000};
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

  // An access token for a verified app or user; expires after options.token_lifetime_s.
  std::string IssueToken(const AppRecord& app) const;
  std::string IssueUserToken(const UserRecord& user) const;
  // Drops the cached credential records (after a revocation in this process).
  void ForgetCachedCredentials() const;

  // Records a mutating call in the audit table; failures are logged, not returned.
  void Audit(const ApiRequest& request, int status) const;

  AuthStore& store() const { return store_; }
  const AuthOptions& options() const { return options_; }

 private:
  Authenticator(AuthStore& store, std::string key, AuthOptions options)
      : store_(store), key_(std::move(key)), options_(std::move(options)) {}

  struct CachedPrincipal {
    Principal principal;
    std::chrono::steady_clock::time_point fetched;
  };
  static constexpr size_t kMaxCachedPrincipals = 4096;
  // The principal under `cache_key`, from the cache when fresh, else from `load` (errors are
  // not cached).
  Result<Principal> Cached(const std::string& cache_key,
                           const std::function<Result<Principal>()>& load) const;

  AuthStore& store_;
  std::string key_;
  AuthOptions options_;
  mutable std::mutex cache_mu_;
  mutable std::unordered_map<std::string, CachedPrincipal> cache_;  // guarded by cache_mu_
};

// Token subjects of users start with this; app subjects are client ids (GUIDs).
inline constexpr std::string_view kUserSubjectPrefix = "user:";

}  // namespace vigil::api

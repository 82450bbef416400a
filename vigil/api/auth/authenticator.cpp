#include "vigil/api/auth/authenticator.h"

#include <simdjson.h>

#include <chrono>

#include <fmt/format.h>

#include "vigil/api/auth/crypto.h"
#include "vigil/base/json_escape.h"
#include "vigil/base/log.h"

namespace vigil::api {
namespace {

constexpr std::string_view kTokenHeader = R"({"alg":"HS256","typ":"JWT"})";
constexpr size_t kMaxTokenBytes = 4096;

ApiResponse Unauthorized(const ApiRequest& request, std::string_view message) {
  ApiResponse response =
      ErrorResponse(401, "Unauthorized", message, ErrorStyleFor(request.path));
  response.headers["WWW-Authenticate"] = "Bearer";
  return response;
}

}  // namespace

std::string EncodeToken(const TokenClaims& claims, std::string_view key) {
  std::string json = "{\"sub\":";
  AppendJsonQuoted(json, claims.sub);
  json += ",\"name\":";
  AppendJsonQuoted(json, claims.name);
  json += ",\"role\":";
  AppendJsonQuoted(json, RoleName(claims.role));
  json += fmt::format(",\"iat\":{},\"exp\":{}}}", claims.iat, claims.exp);
  std::string token = auth::Base64UrlEncode(kTokenHeader) + "." + auth::Base64UrlEncode(json);
  const std::string signature = auth::HmacSha256(key, token);
  token += ".";
  token += auth::Base64UrlEncode(signature);
  return token;
}

Result<TokenClaims> DecodeToken(std::string_view token, std::string_view key) {
  if (token.size() > kMaxTokenBytes) {
    return InvalidArgumentError("the token is too long");
  }
  const size_t first = token.find('.');
  const size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return InvalidArgumentError("the token is not header.claims.signature");
  }
  const auto signature = auth::Base64UrlDecode(token.substr(second + 1));
  if (!signature ||
      !auth::ConstantTimeEquals(*signature, auth::HmacSha256(key, token.substr(0, second)))) {
    return InvalidArgumentError("the token signature does not verify");
  }
  const auto header = auth::Base64UrlDecode(token.substr(0, first));
  if (!header || *header != kTokenHeader) {
    return InvalidArgumentError("the token header is not HS256");
  }
  const auto claims_json = auth::Base64UrlDecode(token.substr(first + 1, second - first - 1));
  if (!claims_json) {
    return InvalidArgumentError("the token claims are not base64url");
  }
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  const simdjson::padded_string padded(*claims_json);
  if (parser.parse(padded).get(root) != simdjson::SUCCESS) {
    return InvalidArgumentError("the token claims are not JSON");
  }
  TokenClaims claims;
  std::string_view sub, name, role;
  if (root["sub"].get(sub) != simdjson::SUCCESS || root["name"].get(name) != simdjson::SUCCESS ||
      root["role"].get(role) != simdjson::SUCCESS ||
      root["iat"].get(claims.iat) != simdjson::SUCCESS ||
      root["exp"].get(claims.exp) != simdjson::SUCCESS) {
    return InvalidArgumentError("the token claims lack sub, name, role, iat or exp");
  }
  const auto parsed_role = ParseRole(role);
  if (!parsed_role) {
    return InvalidArgumentError("the token names an unknown role");
  }
  claims.sub = std::string(sub);
  claims.name = std::string(name);
  claims.role = *parsed_role;
  return claims;
}

Result<std::unique_ptr<Authenticator>> Authenticator::Create(AuthStore& store,
                                                             AuthOptions options) {
  VIGIL_ASSIGN_OR_RETURN(std::string key, store.TokenKey());
  if (!options.now_s) {
    options.now_s = UnixSeconds;
  }
  return std::unique_ptr<Authenticator>(new Authenticator(store, std::move(key),
                                                          std::move(options)));
}

std::string Authenticator::IssueToken(const AppRecord& app) const {
  TokenClaims claims;
  claims.sub = app.client_id;
  claims.name = app.name;
  claims.role = app.role;
  claims.iat = options_.now_s();
  claims.exp = claims.iat + options_.token_lifetime_s;
  return EncodeToken(claims, key_);
}

std::string Authenticator::IssueUserToken(const UserRecord& user) const {
  TokenClaims claims;
  claims.sub = std::string(kUserSubjectPrefix) + user.name;
  claims.name = user.name;
  claims.role = user.role;
  claims.iat = options_.now_s();
  claims.exp = claims.iat + options_.token_lifetime_s;
  return EncodeToken(claims, key_);
}

Result<Principal> Authenticator::Cached(const std::string& cache_key,
                                        const std::function<Result<Principal>()>& load) const {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(cache_mu_);
    auto it = cache_.find(cache_key);
    if (it != cache_.end() && now - it->second.fetched < options_.credential_cache_ttl) {
      return it->second.principal;
    }
  }
  VIGIL_ASSIGN_OR_RETURN(Principal principal, load());
  std::lock_guard lock(cache_mu_);
  if (cache_.size() >= kMaxCachedPrincipals) {
    cache_.clear();
  }
  cache_[cache_key] = CachedPrincipal{principal, now};
  return principal;
}

void Authenticator::ForgetCachedCredentials() const {
  std::lock_guard lock(cache_mu_);
  cache_.clear();
}

std::optional<ApiResponse> Authenticator::Authenticate(ApiRequest& request) const {
  std::string credential;
  if (auto header = request.Header("authorization")) {
    constexpr std::string_view kBearer = "bearer ";
    if (header->size() <= kBearer.size() ||
        !std::equal(kBearer.begin(), kBearer.end(), header->begin(),
                    [](char a, char b) { return a == (b >= 'A' && b <= 'Z' ? b + 32 : b); })) {
      return Unauthorized(request, "the Authorization header must be 'Bearer <token>'");
    }
    credential = header->substr(kBearer.size());
    while (!credential.empty() && credential.front() == ' ') {
      credential.erase(0, 1);
    }
  } else if (auto api_key = request.Header("x-api-key")) {
    credential = *api_key;
  } else {
    return Unauthorized(request, "no credentials: send 'Authorization: Bearer <token>' or"
                                 " 'X-Api-Key'");
  }
  if (credential.rfind("vk_", 0) == 0) {
    auto principal =
        Cached("key:" + auth::HexEncode(auth::Sha256(credential)), [&]() -> Result<Principal> {
          VIGIL_ASSIGN_OR_RETURN(ApiKeyRecord key, store_.VerifyApiKey(credential));
          return Principal{key.id, key.name, key.role, key.source};
        });
    if (!principal.ok()) {
      return Unauthorized(request, principal.status().code() == StatusCode::kFailedPrecondition
                                       ? "the API key is revoked"
                                       : "the API key is not valid");
    }
    request.principal = std::move(*principal);
    return std::nullopt;
  }
  auto claims = DecodeToken(credential, key_);
  if (!claims.ok()) {
    return Unauthorized(request, "the access token is not valid");
  }
  if (claims->exp <= options_.now_s()) {
    return Unauthorized(request, "the access token has expired");
  }
  if (claims->sub.rfind(kUserSubjectPrefix, 0) == 0) {
    const std::string name = claims->sub.substr(kUserSubjectPrefix.size());
    auto principal = Cached("user:" + name, [&]() -> Result<Principal> {
      VIGIL_ASSIGN_OR_RETURN(UserRecord user, store_.FindUser(name));
      if (user.disabled) {
        return FailedPreconditionError("user '{}' is disabled", name);
      }
      return Principal{claims->sub, user.name, user.role, {}};
    });
    if (!principal.ok()) {
      return Unauthorized(request, "the user of this access token is disabled or unknown");
    }
    request.principal = std::move(*principal);
    // A user's current role wins over the one in the token, so a change takes effect now.
    return std::nullopt;
  }
  auto principal = Cached("app:" + claims->sub, [&]() -> Result<Principal> {
    VIGIL_ASSIGN_OR_RETURN(AppRecord app, store_.FindApp(claims->sub));
    if (app.revoked) {
      return FailedPreconditionError("app '{}' is revoked", app.client_id);
    }
    return Principal{app.client_id, app.name, app.role, app.source};
  });
  if (!principal.ok()) {
    return Unauthorized(request, "the app of this access token is revoked or unknown");
  }
  request.principal = std::move(*principal);
  return std::nullopt;
}

void Authenticator::Audit(const ApiRequest& request, int status) const {
  AuditEntry entry;
  entry.time_s = options_.now_s();
  entry.principal = request.principal.id;
  entry.method = request.method;
  entry.path = request.path;
  entry.status = status;
  Status result = store_.Audit(entry);
  if (!result.ok()) {
    VIGIL_LOG_WARN("api", "cannot record the audit entry for {} {}: {}", request.method,
                   request.path, result.message());
  }
}

}  // namespace vigil::api

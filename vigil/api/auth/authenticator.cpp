#include "vigil/api/auth/authenticator.h"

#include <simdjson.h>

#include <fmt/format.h>

#include "vigil/api/auth/crypto.h"
#include "vigil/api/server/url_codec.h"
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

ApiResponse OAuthError(int status, std::string_view error, std::string_view description) {
  ApiResponse response;
  response.status = status;
  std::string body = "{\"error\":";
  AppendJsonQuoted(body, error);
  body += ",\"error_description\":";
  AppendJsonQuoted(body, description);
  body += "}";
  response.body = std::move(body);
  response.headers["Cache-Control"] = "no-store";
  return response;
}

std::string FirstValue(const std::multimap<std::string, std::string>& form,
                       const std::string& name) {
  auto it = form.find(name);
  return it == form.end() ? std::string() : it->second;
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
    auto key = store_.VerifyApiKey(credential);
    if (!key.ok()) {
      return Unauthorized(request, key.status().code() == StatusCode::kFailedPrecondition
                                       ? "the API key is revoked"
                                       : "the API key is not valid");
    }
    request.principal = Principal{key->id, key->name, key->role};
    return std::nullopt;
  }
  auto claims = DecodeToken(credential, key_);
  if (!claims.ok()) {
    return Unauthorized(request, "the access token is not valid");
  }
  if (claims->exp <= options_.now_s()) {
    return Unauthorized(request, "the access token has expired");
  }
  auto app = store_.FindApp(claims->sub);
  if (!app.ok() || app->revoked) {
    return Unauthorized(request, "the app of this access token is revoked or unknown");
  }
  // The app's current role wins over the one in the token, so a downgrade takes effect now.
  request.principal = Principal{app->client_id, app->name, std::min(app->role, claims->role)};
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

void RegisterAuthRoutes(Router& router, AuthStore& store, const Authenticator& authenticator) {
  Handler handler = [&store, &authenticator](const ApiRequest& request) -> ApiResponse {
    const auto form = ParseForm(request.body);
    if (!form) {
      return OAuthError(400, "invalid_request", "the body is not a valid form encoding");
    }
    const std::string grant_type = FirstValue(*form, "grant_type");
    if (grant_type.empty()) {
      return OAuthError(400, "invalid_request", "grant_type is missing");
    }
    if (grant_type != "client_credentials") {
      return OAuthError(400, "unsupported_grant_type",
                        "only the client_credentials grant is supported");
    }
    const std::string client_id = FirstValue(*form, "client_id");
    const std::string client_secret = FirstValue(*form, "client_secret");
    if (client_id.empty() || client_secret.empty()) {
      return OAuthError(400, "invalid_request", "client_id and client_secret are required");
    }
    auto app = store.VerifyClientSecret(client_id, client_secret);
    if (!app.ok()) {
      if (app.status().code() == StatusCode::kNotFound ||
          app.status().code() == StatusCode::kInvalidArgument ||
          app.status().code() == StatusCode::kFailedPrecondition) {
        return OAuthError(401, "invalid_client",
                          app.status().code() == StatusCode::kFailedPrecondition
                              ? "the app is revoked"
                              : "unknown client or wrong client secret");
      }
      VIGIL_LOG_ERROR("api", "token endpoint: {}", app.status().message());
      return OAuthError(500, "server_error", "cannot verify the client");
    }
    ApiResponse response;
    response.headers["Cache-Control"] = "no-store";
    const int64_t lifetime = authenticator.options().token_lifetime_s;
    std::string body = fmt::format(
        "{{\"token_type\":\"Bearer\",\"expires_in\":{},\"ext_expires_in\":{},\"access_token\":",
        lifetime, lifetime);
    AppendJsonQuoted(body, authenticator.IssueToken(*app));
    body += "}";
    response.body = std::move(body);
    return response;
  };
  for (std::string_view route : kTokenRoutes) {
    router.Add("POST", std::string(route), Role::kViewer, handler);
  }
}

}  // namespace vigil::api

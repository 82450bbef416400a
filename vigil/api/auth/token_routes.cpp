#include "vigil/api/auth/token_routes.h"

#include <simdjson.h>

#include <fmt/format.h>

#include "vigil/api/auth/crypto.h"
#include "vigil/api/server/url_codec.h"
#include "vigil/base/json_escape.h"
#include "vigil/base/log.h"

namespace vigil::api {
namespace {

constexpr size_t kMaxFieldBytes = 1024;

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

ApiResponse Throttled(int64_t retry_after_s, bool oauth_shape, const ApiRequest& request) {
  const std::string message = fmt::format(
      "too many failed sign-ins; retry after {} seconds", retry_after_s);
  ApiResponse response = oauth_shape ? OAuthError(429, "temporarily_unavailable", message)
                                     : ErrorResponse(429, "TooManyRequests", message,
                                                     ErrorStyleFor(request.path));
  response.headers["Retry-After"] = std::to_string(retry_after_s);
  return response;
}

std::string FirstValue(const std::multimap<std::string, std::string>& form,
                       const std::string& name) {
  auto it = form.find(name);
  return it == form.end() ? std::string() : it->second;
}

// RFC 6749 2.3.1: `Authorization: Basic base64(urlencode(id):urlencode(secret))`.
bool BasicCredentials(const ApiRequest& request, std::string& id, std::string& secret) {
  auto header = request.Header("authorization");
  constexpr std::string_view kBasic = "basic ";
  if (!header || header->size() <= kBasic.size()) {
    return false;
  }
  for (size_t i = 0; i < kBasic.size(); ++i) {
    const char c = (*header)[i];
    if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c) != kBasic[i]) {
      return false;
    }
  }
  std::string text = header->substr(kBasic.size());
  for (char& c : text) {
    c = c == '+' ? '-' : c == '/' ? '_' : c;
  }
  while (!text.empty() && (text.back() == '=' || text.back() == ' ')) {
    text.pop_back();
  }
  const auto decoded = auth::Base64UrlDecode(text);
  if (!decoded) {
    return false;
  }
  const size_t colon = decoded->find(':');
  if (colon == std::string::npos) {
    return false;
  }
  auto pair = ParseForm("i=" + decoded->substr(0, colon) + "&s=" + decoded->substr(colon + 1));
  if (!pair) {
    return false;
  }
  id = FirstValue(*pair, "i");
  secret = FirstValue(*pair, "s");
  return true;
}

std::string TokenBody(std::string_view token, int64_t lifetime) {
  std::string body = fmt::format(
      "{{\"token_type\":\"Bearer\",\"expires_in\":{},\"ext_expires_in\":{},\"access_token\":",
      lifetime, lifetime);
  AppendJsonQuoted(body, token);
  return body;
}

struct SignIn {
  AuthStore& store;
  const Authenticator& authenticator;
  LoginThrottle& throttle;

  ApiResponse ClientCredentials(const ApiRequest& request, std::string client_id,
                                std::string secret) const {
    if (client_id.empty() || secret.empty()) {
      return OAuthError(400, "invalid_request", "client_id and client_secret are required");
    }
    if (client_id.size() > kMaxFieldBytes || secret.size() > kMaxFieldBytes) {
      return OAuthError(400, "invalid_request", "client_id or client_secret is too long");
    }
    const std::string address = AddressOf(request.remote);
    if (int64_t wait = throttle.RetryAfter("app:" + client_id, address); wait > 0) {
      return Throttled(wait, true, request);
    }
    auto app = store.VerifyClientSecret(client_id, secret);
    if (!app.ok()) {
      const StatusCode code = app.status().code();
      if (code == StatusCode::kNotFound || code == StatusCode::kInvalidArgument ||
          code == StatusCode::kFailedPrecondition) {
        throttle.RecordFailure("app:" + client_id, address);
        VIGIL_LOG_WARN("api", "token request from {} refused for client {}", address,
                       client_id.substr(0, 64));
        return OAuthError(401, "invalid_client", code == StatusCode::kFailedPrecondition
                                                     ? "the app is revoked"
                                                     : "unknown client or wrong client secret");
      }
      VIGIL_LOG_ERROR("api", "token endpoint: {}", app.status().message());
      return OAuthError(500, "server_error", "cannot verify the client");
    }
    throttle.RecordSuccess("app:" + client_id);
    ApiResponse response;
    response.headers["Cache-Control"] = "no-store";
    response.body = TokenBody(authenticator.IssueToken(*app),
                              authenticator.options().token_lifetime_s) +
                    "}";
    return response;
  }

  // A user's sign-in; `oauth_shape` picks the OAuth2 or the Defender error body.
  ApiResponse Password(const ApiRequest& request, const std::string& user,
                       const std::string& password, bool oauth_shape) const {
    auto fail = [&](int status, std::string_view oauth_code, std::string_view message) {
      return oauth_shape ? OAuthError(status, oauth_code, message)
                         : ErrorResponse(status, status == 400 ? "InvalidRequestBody"
                                                               : "Unauthorized",
                                         message, ErrorStyleFor(request.path));
    };
    if (user.empty() || password.empty()) {
      return fail(400, "invalid_request", "username and password are required");
    }
    if (user.size() > kMaxFieldBytes || password.size() > kMaxFieldBytes) {
      return fail(400, "invalid_request", "username or password is too long");
    }
    const std::string address = AddressOf(request.remote);
    std::string account = "user:" + user;
    for (char& c : account) {
      c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    }
    if (int64_t wait = throttle.RetryAfter(account, address); wait > 0) {
      return Throttled(wait, oauth_shape, request);
    }
    auto record = store.VerifyPassword(user, password);
    if (!record.ok()) {
      const StatusCode code = record.status().code();
      if (code == StatusCode::kNotFound || code == StatusCode::kInvalidArgument ||
          code == StatusCode::kFailedPrecondition) {
        throttle.RecordFailure(account, address);
        VIGIL_LOG_WARN("api", "sign-in from {} refused for user {}", address, user.substr(0, 64));
        return fail(oauth_shape ? 400 : 401, "invalid_grant",
                    code == StatusCode::kFailedPrecondition ? "the user is disabled"
                                                            : "unknown user or wrong password");
      }
      VIGIL_LOG_ERROR("api", "sign-in: {}", record.status().message());
      return fail(500, "server_error", "cannot verify the password");
    }
    throttle.RecordSuccess(account);
    ApiResponse response;
    response.headers["Cache-Control"] = "no-store";
    std::string body = TokenBody(authenticator.IssueUserToken(*record),
                                 authenticator.options().token_lifetime_s);
    body += ",\"user\":{\"name\":";
    AppendJsonQuoted(body, record->name);
    body += ",\"role\":";
    AppendJsonQuoted(body, RoleName(record->role));
    body += "}}";
    response.body = std::move(body);
    return response;
  }

  ApiResponse Token(const ApiRequest& request) const {
    const auto form = ParseForm(request.body);
    if (!form) {
      return OAuthError(400, "invalid_request", "the body is not a valid form encoding");
    }
    const std::string grant_type = FirstValue(*form, "grant_type");
    if (grant_type.empty()) {
      return OAuthError(400, "invalid_request", "grant_type is missing");
    }
    if (grant_type == "password") {
      return Password(request, FirstValue(*form, "username"), FirstValue(*form, "password"),
                      true);
    }
    if (grant_type != "client_credentials") {
      return OAuthError(400, "unsupported_grant_type",
                        "the supported grants are client_credentials and password");
    }
    std::string id = FirstValue(*form, "client_id");
    std::string secret = FirstValue(*form, "client_secret");
    std::string basic_id;
    std::string basic_secret;
    if (BasicCredentials(request, basic_id, basic_secret)) {
      if (!secret.empty()) {
        return OAuthError(400, "invalid_request",
                          "send the client secret either as HTTP Basic or in the body, not both");
      }
      if (!id.empty() && id != basic_id) {
        return OAuthError(400, "invalid_request", "client_id differs from the Basic credentials");
      }
      id = std::move(basic_id);
      secret = std::move(basic_secret);
    }
    return ClientCredentials(request, std::move(id), std::move(secret));
  }

  ApiResponse Login(const ApiRequest& request) const {
    simdjson::dom::parser parser;
    simdjson::dom::object root;
    const simdjson::padded_string padded(request.body);
    if (parser.parse(padded).get(root) != simdjson::SUCCESS) {
      return ErrorResponse(400, "InvalidRequestBody",
                           "the body must be a JSON object {\"username\",\"password\"}",
                           ErrorStyle::kDefender);
    }
    std::string user;
    std::string password;
    for (auto field : root) {
      std::string_view value;
      if (field.key != "username" && field.key != "password") {
        return ErrorResponse(400, "InvalidRequestBody",
                             fmt::format("unknown field '{}' (expected username and password)",
                                         std::string_view(field.key).substr(0, 64)),
                             ErrorStyle::kDefender);
      }
      if (field.value.get(value) != simdjson::SUCCESS) {
        return ErrorResponse(400, "InvalidRequestBody",
                             fmt::format("'{}' must be a string", std::string_view(field.key)),
                             ErrorStyle::kDefender);
      }
      (field.key == "username" ? user : password) = std::string(value);
    }
    return Password(request, user, password, false);
  }
};

ApiResponse Me(const ApiRequest& request) {
  std::string body = "{\"id\":";
  AppendJsonQuoted(body, request.principal.id);
  body += ",\"name\":";
  AppendJsonQuoted(body, request.principal.name);
  body += ",\"role\":";
  AppendJsonQuoted(body, RoleName(request.principal.role));
  if (!request.principal.source.empty()) {
    body += ",\"source\":";
    AppendJsonQuoted(body, request.principal.source);
  }
  body += "}";
  ApiResponse response;
  response.body = std::move(body);
  return response;
}

}  // namespace

std::vector<std::string> SignInRoutes() {
  std::vector<std::string> out(std::begin(kTokenRoutes), std::end(kTokenRoutes));
  out.emplace_back(kLoginRoute);
  return out;
}

void RegisterAuthRoutes(Router& router, AuthStore& store, const Authenticator& authenticator,
                        LoginThrottle& throttle) {
  auto sign_in = std::make_shared<SignIn>(SignIn{store, authenticator, throttle});
  for (std::string_view route : kTokenRoutes) {
    router.Add("POST", std::string(route), Role::kViewer,
               [sign_in](const ApiRequest& request) { return sign_in->Token(request); });
  }
  router.Add("POST", std::string(kLoginRoute), Role::kViewer,
             [sign_in](const ApiRequest& request) { return sign_in->Login(request); });
  router.Add("GET", "/api/auth/me", Role::kViewer, Me);
  for (const std::string& pattern : SignInRoutes()) {
    router.SetWrites("POST", pattern, kAreaNone);  // sign-ins change no cached data
  }
}

}  // namespace vigil::api

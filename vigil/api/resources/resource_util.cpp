#include "vigil/api/resources/resource_util.h"

#include <cassert>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <utility>

#include "vigil/api/resources/resource_routes.h"
#include "vigil/base/time.h"

namespace vigil::api {

void RegisterResourceRoutes(Router& router, const ApiContext& ctx) {
  resources::RegisterIncidentRoutes(router, ctx);
  resources::RegisterAlertRoutes(router, ctx);
  resources::RegisterMachineRoutes(router, ctx);
  resources::RegisterIndicatorRoutes(router, ctx);
  resources::RegisterActionRoutes(router, ctx);
  // Reads that depend only on the target and the stored data (the connector pulls change
  // state and are left out), with the data areas they read. Incidents embed their alerts, but
  // alerts join incidents only in correlation runs (which invalidate everything); an embedded
  // alert's own changes by ingestion show within the cache's TTL.
  const std::pair<std::string_view, uint32_t> kCacheable[] = {
      {"/api/incidents", kAreaIncidents},
      {"/api/incidents/{id}", kAreaIncidents},
      {"/api/incidents/{id}/story", kAreaIncidents | kAreaAlerts | kAreaResponse},
      {"/v1.0/security/incidents", kAreaIncidents},
      {"/v1.0/security/incidents/{id}", kAreaIncidents},
      {"/api/alerts", kAreaAlerts},
      {"/api/alerts/{id}", kAreaAlerts | kAreaTelemetry},  // sourceEvent.raw is read from the store
      {"/v1.0/security/alerts_v2", kAreaAlerts},
      {"/v1.0/security/alerts_v2/{id}", kAreaAlerts},
      {"/api/machines", kAreaTelemetry | kAreaAlerts},
      {"/api/machines/{id}", kAreaTelemetry | kAreaAlerts},
      {"/api/machines/{id}/alerts", kAreaAlerts},
      {"/api/machines/{id}/alerts/$count", kAreaAlerts},
      {"/api/machineactions", kAreaResponse},
      {"/api/machineactions/{id}", kAreaResponse},
      {"/api/indicators", kAreaIndicators},
      {"/api/investigations", kAreaResponse | kAreaIncidents},
      {"/api/investigations/{id}", kAreaResponse | kAreaIncidents},
  };
  for (const auto& [pattern, reads] : kCacheable) {
    const bool marked = router.MarkCacheable(pattern, reads);
    assert(marked && "a cacheable pattern without a GET route");
    (void)marked;
  }
}

namespace resources {
namespace {

bool IsGraph(const ApiRequest& request) {
  return ErrorStyleFor(request.path) == ErrorStyle::kGraph;
}

void AppendEncoded(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '_' || c == '.' || c == '~' || c == '$' ||
        c == '/' || c == '\'' || c == ',' || c == '(' || c == ')') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
    }
  }
}

}  // namespace

ApiResponse JsonResponse(int status, const JsonValue& body) {
  ApiResponse response;
  response.status = status;
  response.body = body.Dump();
  return response;
}

ApiResponse StatusResponse(const Status& status, const ApiRequest& request) {
  const bool graph = IsGraph(request);
  const ErrorStyle style = ErrorStyleFor(request.path);
  switch (status.code()) {
    case StatusCode::kNotFound:
      return ErrorResponse(404, graph ? "itemNotFound" : "ResourceNotFound", status.message(),
                           style);
    case StatusCode::kInvalidArgument:
    case StatusCode::kOutOfRange:
    case StatusCode::kAlreadyExists:
      return ErrorResponse(400, graph ? "invalidRequest" : "InvalidRequestBody", status.message(),
                           style);
    case StatusCode::kFailedPrecondition:
      return ErrorResponse(400, graph ? "invalidRequest" : "BadRequest", status.message(), style);
    case StatusCode::kResourceExhausted:
      return ErrorResponse(400, graph ? "quotaLimitReached" : "BadRequest", status.message(),
                           style);
    case StatusCode::kUnavailable:
      return ErrorResponse(503, graph ? "serviceNotAvailable" : "ServiceUnavailable",
                           status.message(), style);
    default:
      return ErrorResponse(500, graph ? "generalException" : "InternalServerError",
                           status.message(), style);
  }
}

ApiResponse BadRequest(const ApiRequest& request, std::string_view message, std::string_view code) {
  const bool graph = IsGraph(request);
  return ErrorResponse(400, graph ? std::string_view("invalidRequest") : code, message,
                       ErrorStyleFor(request.path));
}

ApiResponse NotFound(const ApiRequest& request, std::string_view message) {
  return ErrorResponse(404, IsGraph(request) ? "itemNotFound" : "ResourceNotFound", message,
                       ErrorStyleFor(request.path));
}

ApiResponse Unavailable(const ApiRequest& request, std::string_view what) {
  return ErrorResponse(503, IsGraph(request) ? "serviceNotAvailable" : "ServiceUnavailable",
                       fmt::format("{} is not available in this server", what),
                       ErrorStyleFor(request.path));
}

std::string BaseUrl(const ApiRequest& request) {
  std::string scheme = request.Header("x-forwarded-proto").value_or(request.scheme);
  if (scheme != "https") {
    scheme = "http";
  }
  std::string host = request.Header("host").value_or("localhost");
  // A Host header is echoed into links: keep only characters a host:port may hold.
  std::erase_if(host, [](char c) {
    return !(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' ||
             c == '[' || c == ']');
  });
  if (host.empty()) {
    host = "localhost";
  }
  return scheme + "://" + host;
}

std::string ContextUrl(const ApiRequest& request, std::string_view entity_set) {
  if (IsGraph(request)) {
    return fmt::format("{}/v1.0/$metadata#{}", BaseUrl(request), entity_set);
  }
  return fmt::format("{}/api/$metadata#{}", BaseUrl(request), entity_set);
}

std::optional<odata::QueryOptions> ParseOptions(const ApiRequest& request,
                                                const odata::QueryLimits& limits,
                                                ApiResponse& error) {
  auto options = odata::ParseQueryOptions(request.query, limits);
  if (!options.has_value()) {
    error = BadRequest(request, options.error().message(), "ODataError");
    return std::nullopt;
  }
  return std::move(*options);
}

ApiResponse ListResponse(const ApiRequest& request, std::string_view entity_set,
                         const odata::QueryOptions& options, odata::Page page) {
  JsonValue body = JsonValue::Object();
  body.Set("@odata.context", JsonValue::String(ContextUrl(request, entity_set)));
  if (options.count) {
    body.Set("@odata.count", JsonValue::Int(page.total));
  }
  const auto returned = static_cast<int64_t>(page.items.size());
  JsonValue value = JsonValue::Array();
  value.items() = std::move(page.items);
  body.Set("value", std::move(value));
  if (page.more && returned > 0) {
    std::string link = BaseUrl(request);
    AppendEncoded(link, request.path);
    char separator = '?';
    for (const auto& [name, text] : request.query) {
      std::string lower = name;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (lower == "$skip" || lower == "skip" || lower == "$top" || lower == "top") {
        continue;
      }
      link += separator;
      separator = '&';
      AppendEncoded(link, name);
      link += '=';
      AppendEncoded(link, text);
    }
    link += fmt::format("{}$top={}&$skip={}", separator, options.top, options.skip + returned);
    body.Set("@odata.nextLink", JsonValue::String(std::move(link)));
  }
  return JsonResponse(200, body);
}

std::optional<JsonValue> ParseBody(const ApiRequest& request,
                                   const std::vector<std::string_view>& allowed,
                                   ApiResponse& error) {
  std::string_view text = request.body;
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    text = "{}";
  }
  auto body = odata::ParseJson(text);
  if (!body.has_value()) {
    error = BadRequest(request, body.error().message(), "InvalidRequestBody");
    return std::nullopt;
  }
  if (body->kind() != JsonValue::Kind::kObject) {
    error = BadRequest(request, "request body must be a JSON object", "InvalidRequestBody");
    return std::nullopt;
  }
  for (const std::string& key : body->keys()) {
    if (key.rfind("@odata.", 0) == 0) {
      continue;
    }
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string names;
      for (std::string_view name : allowed) {
        names += names.empty() ? "" : ", ";
        names += name;
      }
      error = BadRequest(
          request,
          fmt::format("unknown property '{}' in the request body (allowed: {})", key, names),
          "InvalidRequestBody");
      return std::nullopt;
    }
  }
  return std::move(*body);
}

std::optional<std::string> StringMember(const JsonValue& body, std::string_view key, bool& bad) {
  const JsonValue* value = body.Find(key);
  if (value == nullptr) {
    return std::nullopt;
  }
  if (value->is_null()) {
    return std::string();
  }
  if (!value->is_string()) {
    bad = true;
    return std::nullopt;
  }
  return value->string_value();
}

std::optional<int64_t> PositiveIdParam(const ApiRequest& request, std::string_view name) {
  const std::string& text = request.params.at(std::string(name));
  int64_t id = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, id);
  if (ec != std::errc() || ptr != end || id <= 0) {
    return std::nullopt;
  }
  return id;
}

JsonValue TimeValue(int64_t time_us) {
  if (time_us == 0) {
    return JsonValue();
  }
  return JsonValue::String(FormatDateTime(time_us * kTicksPerMicrosecond));
}

std::string GraphEnum(std::string_view pascal) {
  if (pascal == "NotAvailable" || pascal.empty()) {
    return "unknown";
  }
  std::string out(pascal);
  out[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[0])));
  return out;
}

}  // namespace resources
}  // namespace vigil::api

// Shared helpers of the resource handlers: JSON responses, Status -> error body mapping, OData
// list envelopes with @odata.context and @odata.nextLink, times and enum spellings, and the
// per-area registration functions RegisterResourceRoutes calls. Internal to
// vigil/api/resources. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/api/api_context.h"
#include "vigil/api/http_types.h"
#include "vigil/api/odata/json_value.h"
#include "vigil/api/odata/query.h"
#include "vigil/base/status.h"

namespace vigil::respond {
struct Action;
}  // namespace vigil::respond

namespace vigil::api::resources {

using odata::JsonValue;

inline constexpr int64_t kDefenderMaxTop = 10000;
inline constexpr int64_t kGraphDefaultTop = 100;

ApiResponse JsonResponse(int status, const JsonValue& body);
// 400 InvalidRequestBody / 404 ResourceNotFound / 400 BadRequest (failed precondition) /
// 429 / 500, in the route's error style.
ApiResponse StatusResponse(const Status& status, const ApiRequest& request);
ApiResponse BadRequest(const ApiRequest& request, std::string_view message,
                       std::string_view code = "BadRequest");
ApiResponse NotFound(const ApiRequest& request, std::string_view message);
ApiResponse Unavailable(const ApiRequest& request, std::string_view what);

// "http(s)://host" from the Host header (X-Forwarded-Proto picks the scheme; default http).
std::string BaseUrl(const ApiRequest& request);
// "<base>/api/$metadata#Incidents" or "<base>/v1.0/$metadata#security/incidents".
std::string ContextUrl(const ApiRequest& request, std::string_view entity_set);

// Parses the request's OData options; on error fills `error` with the 400 response.
std::optional<odata::QueryOptions> ParseOptions(const ApiRequest& request,
                                                const odata::QueryLimits& limits,
                                                ApiResponse& error);

// {"@odata.context", ["@odata.count"], "value", ["@odata.nextLink"]}: the nextLink (Graph
// style, always emitted when more rows remain) repeats the request's query with $skip advanced.
ApiResponse ListResponse(const ApiRequest& request, std::string_view entity_set,
                         const odata::QueryOptions& options, odata::Page page);

// Parses a JSON object body; unknown members (other than "@odata.*") are a 400 naming them.
std::optional<JsonValue> ParseBody(const ApiRequest& request,
                                   const std::vector<std::string_view>& allowed,
                                   ApiResponse& error);
// A string member (nullopt when absent; "" for null); a non-string value sets `bad`.
std::optional<std::string> StringMember(const JsonValue& body, std::string_view key, bool& bad);
// The path parameter `name` as a positive integer id ("12"); nullopt for anything else
// ("0", "-1", "12x", ""), which the caller answers with its 404.
std::optional<int64_t> PositiveIdParam(const ApiRequest& request, std::string_view name = "id");

// ISO 8601 (7 fractional digits) of UTC microseconds; null for 0.
JsonValue TimeValue(int64_t time_us);
// "TruePositive" -> "truePositive"; "NotAvailable" -> "unknown" (Graph spelling).
std::string GraphEnum(std::string_view pascal);

// MDE MachineAction (api_shapes.md 1.4) of a device action.
JsonValue MachineActionJson(const respond::Action& action);

// Registration per area (resource_routes.cpp calls them).
void RegisterIncidentRoutes(Router& router, const ApiContext& ctx);
void RegisterAlertRoutes(Router& router, const ApiContext& ctx);
void RegisterMachineRoutes(Router& router, const ApiContext& ctx);
void RegisterIndicatorRoutes(Router& router, const ApiContext& ctx);
void RegisterActionRoutes(Router& router, const ApiContext& ctx);

}  // namespace vigil::api::resources

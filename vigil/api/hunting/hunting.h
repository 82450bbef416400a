// The hunting API: POST /api/advancedhunting/run and /api/advancedqueries/run (Defender shape,
// `{"Schema","Results","Stats"}` exactly as `vigil hunt --format json`) and Graph POST
// /v1.0/security/runHuntingQuery (`{"@odata.context","schema","results"}`, Timespan scoping).
// Registered by `vigil serve`; handlers are thread-safe (the engine runs one query per call).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "vigil/api/api_context.h"
#include "vigil/api/http_types.h"
#include "vigil/api/hunting/hunting_quota.h"
#include "vigil/base/status.h"

namespace vigil::kql {
struct QueryResult;
}  // namespace vigil::kql

namespace vigil::api {

struct HuntingOptions {
  size_t max_rows = 100'000;                       // more are cut and flagged (Truncated)
  size_t memory_budget_bytes = size_t{1} << 30;    // per query
  std::chrono::milliseconds timeout{std::chrono::minutes(3)};
  size_t scan_threads = 0;                         // kql::QueryLimits::scan_threads
  size_t max_query_bytes = 100'000;                // longer query text: 400
  int default_timespan_days = 30;                  // Graph calls without Timespan
  HuntingQuotaOptions quota;                       // per principal id
  // A query is charged at least this many seconds against the CPU budget.
  double min_charge_seconds = 0.001;
  // Query time reference for Timespan; null: the wall clock (vigil::NowTicks()).
  std::function<int64_t()> now_ticks;
};

// Adds the three query routes and GET /api/hunting/schema (all viewer role). The quota state
// lives in the handlers.
void RegisterHuntingRoutes(Router& router, const ApiContext& context, HuntingOptions options);

// What a hunting request body holds.
struct HuntingRequest {
  std::string query;
  std::optional<std::string> timespan;  // Graph only
};

// Parses `{"Query": "..."}` (Defender; names are case-sensitive) or `{"Query","Timespan"}`
// (Graph; "query"/"timespan" accepted too). Unknown members, a missing or empty Query, or a
// body that is not a JSON object are InvalidArgument with a message for the client.
Result<HuntingRequest> ParseHuntingRequest(std::string_view body, bool graph);

// ISO 8601 Timespan of the Graph API: "P30D", "PT12H", "start/end", "P7D/end", "start/P7D" or a
// single datetime (from it to now). Returns inclusive [min, max] ticks, or InvalidArgument.
Result<std::pair<int64_t, int64_t>> ParseTimespan(std::string_view text, int64_t now_ticks);

// An ISO 8601 duration ("P1DT2H30M", "PT0.5S", "P2W"; Y = 365 days, M before T = 30 days) in
// ticks; nullopt when malformed, negative or too large.
std::optional<int64_t> ParseIsoDuration(std::string_view text);

// The Graph huntingQueryResults body (lower-case keys; cells as in FormatJson).
std::string FormatGraphHuntingJson(const kql::QueryResult& result);

}  // namespace vigil::api

#include "vigil/api/hunting/hunting.h"

#include <simdjson.h>

#include <charconv>
#include <memory>

#include <fmt/format.h>

#include "vigil/base/json_escape.h"
#include "vigil/base/time.h"
#include "vigil/kql/exec/engine.h"
#include "vigil/schema/catalog.h"

namespace vigil::api {
namespace {

constexpr std::string_view kGraphContext =
    "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.security.huntingQueryResults";
constexpr size_t kMaxResultBytes = size_t{124} << 20;  // the documented result size limit

bool IsMember(std::string_view key, std::string_view exact, bool graph) {
  if (key == exact) {
    return true;
  }
  // Graph bodies are camelCase elsewhere; accept the lower-case initial too.
  return graph && key.size() == exact.size() && !key.empty() &&
         key[0] == static_cast<char>(exact[0] - 'A' + 'a') && key.substr(1) == exact.substr(1);
}

// Non-negative decimal with an optional fraction, scaled to `unit` ticks; nullopt on overflow.
std::optional<int64_t> ScaledNumber(std::string_view digits, int64_t unit) {
  const size_t dot = digits.find_first_of(".,");
  const std::string_view whole = digits.substr(0, dot);
  if (whole.empty() || whole.size() > 9) {
    return std::nullopt;
  }
  int64_t n = 0;
  for (char c : whole) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  if (n > INT64_MAX / unit) {
    return std::nullopt;
  }
  int64_t ticks = n * unit;
  if (dot != std::string_view::npos) {
    const std::string_view frac = digits.substr(dot + 1);
    if (frac.empty() || frac.size() > 7) {
      return std::nullopt;
    }
    int64_t scale = unit;
    for (char c : frac) {
      if (c < '0' || c > '9') return std::nullopt;
      scale /= 10;
      ticks += (c - '0') * scale;
    }
  }
  return ticks;
}

ApiResponse KqlErrorResponse(const kql::KqlError& e, ErrorStyle style) {
  return ErrorResponse(400, style == ErrorStyle::kGraph ? "badRequest" : "BadRequest",
                       fmt::format("Query failed: {} at line {}:{}: {}", e.code, e.pos.line,
                                   e.pos.col, e.message),
                       style);
}

struct Handlers {
  ApiContext context;
  HuntingOptions options;
  HuntingQuota quota;

  Handlers(ApiContext c, HuntingOptions o)
      : context(std::move(c)), options(std::move(o)), quota(options.quota) {}

  int64_t Now() const { return options.now_ticks ? options.now_ticks() : NowTicks(); }

  ApiResponse Run(const ApiRequest& request, bool graph) {
    const ErrorStyle style = graph ? ErrorStyle::kGraph : ErrorStyle::kDefender;
    if (context.engine == nullptr) {
      return ErrorResponse(503, graph ? "serviceNotAvailable" : "InternalServerError",
                           "the hunting engine is not available", style);
    }
    if (request.body.size() > options.max_query_bytes + 4096) {
      return ErrorResponse(413, graph ? "invalidRequest" : "InvalidRequestBody",
                           fmt::format("the request body exceeds {} bytes",
                                       options.max_query_bytes + 4096),
                           style);
    }
    auto parsed = ParseHuntingRequest(request.body, graph);
    if (!parsed.ok()) {
      return ErrorResponse(400, graph ? "invalidRequest" : "InvalidRequestBody",
                           parsed.status().message(), style);
    }
    if (parsed->query.size() > options.max_query_bytes) {
      return ErrorResponse(400, graph ? "invalidRequest" : "InvalidRequestBody",
                           fmt::format("Query exceeds {} characters", options.max_query_bytes),
                           style);
    }
    kql::QueryOptions q;
    q.limits.max_result_rows = options.max_rows;
    q.limits.memory_budget_bytes = options.memory_budget_bytes;
    q.limits.timeout = options.timeout;
    q.limits.scan_threads = options.scan_threads;
    const int64_t now = Now();
    q.now_ticks = now;
    if (graph) {
      if (parsed->timespan.has_value()) {
        auto span = ParseTimespan(*parsed->timespan, now);
        if (!span.ok()) {
          return ErrorResponse(400, "invalidRequest", span.status().message(), style);
        }
        q.scope_min_ticks = span->first;
        q.scope_max_ticks = span->second;
      } else if (options.default_timespan_days > 0) {
        q.scope_min_ticks = now - int64_t{options.default_timespan_days} * kTicksPerDay;
        q.scope_max_ticks = now;
      }
    }
    const std::string& caller = request.principal.id;
    const QuotaDecision decision = quota.Acquire(caller);
    if (!decision.allowed) {
      ApiResponse r = ErrorResponse(
          429, graph ? "activityLimitReached" : "TooManyRequests",
          fmt::format("Hunting quota exceeded ({}); retry in {} seconds", decision.limit,
                      decision.retry_after_seconds),
          style);
      r.headers["Retry-After"] = std::to_string(decision.retry_after_seconds);
      return r;
    }
    const auto started = std::chrono::steady_clock::now();
    auto result = context.engine->Run(parsed->query, q);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    quota.Charge(caller, std::max(seconds, options.min_charge_seconds));
    if (!result) {
      return KqlErrorResponse(result.error(), style);
    }
    ApiResponse r;
    r.body = graph ? FormatGraphHuntingJson(*result) : kql::FormatJson(*result);
    if (r.body.size() > kMaxResultBytes) {
      return ErrorResponse(400, graph ? "badRequest" : "BadRequest",
                           "Query execution has exceeded the allowed result size; narrow the "
                           "query with filters, project or take",
                           style);
    }
    if (result->truncated) {
      r.headers["X-Vigil-Truncated"] = "true";
    }
    return r;
  }
};

}  // namespace

Result<HuntingRequest> ParseHuntingRequest(std::string_view body, bool graph) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS) {
    return InvalidArgumentError("the request body is not valid JSON");
  }
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) {
    return InvalidArgumentError("the request body must be a JSON object");
  }
  HuntingRequest out;
  bool have_query = false;
  for (auto field : object) {
    const std::string_view key = field.key;
    if (IsMember(key, "Query", graph)) {
      std::string_view text;
      if (field.value.get_string().get(text) != simdjson::SUCCESS) {
        return InvalidArgumentError("'Query' must be a string");
      }
      out.query.assign(text);
      have_query = true;
    } else if (graph && IsMember(key, "Timespan", graph)) {
      std::string_view text;
      if (field.value.is_null()) {
        continue;
      }
      if (field.value.get_string().get(text) != simdjson::SUCCESS) {
        return InvalidArgumentError("'Timespan' must be an ISO 8601 string");
      }
      out.timespan.emplace(text);
    } else {
      return InvalidArgumentError("unknown member '{}' in the request body (expected {})",
                                  key.substr(0, 64), graph ? "Query, Timespan" : "Query");
    }
  }
  if (!have_query) {
    return InvalidArgumentError("missing required parameter 'Query'");
  }
  if (out.query.find_first_not_of(" \t\r\n") == std::string::npos) {
    return InvalidArgumentError("'Query' is empty");
  }
  return out;
}

std::optional<int64_t> ParseIsoDuration(std::string_view text) {
  if (text.size() < 3 || text.size() > 64 || text[0] != 'P') {
    return std::nullopt;
  }
  int64_t total = 0;
  bool in_time = false;
  bool any = false;
  bool any_time = false;  // "P1DT" (a T without time parts) is malformed
  size_t i = 1;
  while (i < text.size()) {
    if (text[i] == 'T') {
      if (in_time) return std::nullopt;
      in_time = true;
      ++i;
      continue;
    }
    size_t j = i;
    while (j < text.size() && ((text[j] >= '0' && text[j] <= '9') || text[j] == '.' ||
                               text[j] == ',')) {
      ++j;
    }
    if (j == i || j == text.size()) {
      return std::nullopt;
    }
    int64_t unit = 0;
    switch (text[j]) {
      case 'Y': unit = in_time ? 0 : 365 * kTicksPerDay; break;
      case 'W': unit = in_time ? 0 : 7 * kTicksPerDay; break;
      case 'D': unit = in_time ? 0 : kTicksPerDay; break;
      case 'H': unit = in_time ? 3600 * kTicksPerSecond : 0; break;
      case 'M': unit = in_time ? 60 * kTicksPerSecond : 30 * kTicksPerDay; break;
      case 'S': unit = in_time ? kTicksPerSecond : 0; break;
      default: break;
    }
    if (unit == 0) {
      return std::nullopt;
    }
    auto part = ScaledNumber(text.substr(i, j - i), unit);
    if (!part || *part > INT64_MAX / 4 - total) {
      return std::nullopt;
    }
    total += *part;
    any = true;
    any_time = any_time || in_time;
    i = j + 1;
  }
  if (!any || (in_time && !any_time)) {
    return std::nullopt;
  }
  return total;
}

Result<std::pair<int64_t, int64_t>> ParseTimespan(std::string_view text, int64_t now_ticks) {
  auto bad = [&] {
    return InvalidArgumentError(
        "invalid Timespan '{}': expected an ISO 8601 duration (P30D), interval (start/end, "
        "P30D/end, start/P30D) or datetime",
        text.substr(0, 80));
  };
  auto point = [](std::string_view part) -> std::optional<int64_t> {
    if (part.empty() || part[0] == 'P') return std::nullopt;
    return ParseDateTime(part);
  };
  const size_t slash = text.find('/');
  int64_t lo = 0;
  int64_t hi = 0;
  if (slash == std::string_view::npos) {
    if (!text.empty() && text[0] == 'P') {
      auto d = ParseIsoDuration(text);
      if (!d) return bad();
      lo = now_ticks - *d;
      hi = now_ticks;
    } else {
      auto start = point(text);
      if (!start) return bad();
      lo = *start;
      hi = std::max(now_ticks, *start);
    }
  } else {
    const std::string_view a = text.substr(0, slash);
    const std::string_view b = text.substr(slash + 1);
    auto start = point(a);
    auto end = point(b);
    if (start && end) {
      lo = *start;
      hi = *end;
    } else if (start && !b.empty() && b[0] == 'P') {
      auto d = ParseIsoDuration(b);
      if (!d) return bad();
      lo = *start;
      hi = *start + *d;
    } else if (end && !a.empty() && a[0] == 'P') {
      auto d = ParseIsoDuration(a);
      if (!d) return bad();
      lo = *end - *d;
      hi = *end;
    } else {
      return bad();
    }
  }
  if (hi < lo) {
    return InvalidArgumentError("invalid Timespan '{}': the end is before the start",
                                text.substr(0, 80));
  }
  return std::make_pair(lo, hi);
}

std::string FormatGraphHuntingJson(const kql::QueryResult& result) {
  const kql::Table& t = *result.table;
  std::string out = "{\"@odata.context\":";
  AppendJsonQuoted(out, kGraphContext);
  out += ',';
  kql::AppendSchemaAndResults(out, t, kql::JsonTableKeys{"schema", "name", "type", "results"});
  if (result.truncated) {
    // An OData instance annotation: clients that do not know it ignore it.
    out += ",\"@vigil.truncated\":true";
  }
  out += '}';
  return out;
}

void RegisterHuntingRoutes(Router& router, const ApiContext& context, HuntingOptions options) {
  auto handlers = std::make_shared<Handlers>(context, std::move(options));
  auto defender = [handlers](const ApiRequest& r) { return handlers->Run(r, false); };
  router.Add("POST", "/api/advancedhunting/run", Role::kViewer, defender);
  router.Add("POST", "/api/advancedqueries/run", Role::kViewer, defender);
  router.Add("POST", "/v1.0/security/runHuntingQuery", Role::kViewer,
             [handlers](const ApiRequest& r) { return handlers->Run(r, true); });
  // The hunting tables for the console's editor (completion, schema pane): Kusto type names.
  router.Add("GET", "/api/hunting/schema", Role::kViewer, [](const ApiRequest&) {
    std::string body = "{\"Tables\":[";
    bool first_table = true;
    for (const auto& table : schema::Catalog::Default().tables()) {
      body += first_table ? "{\"Name\":" : ",{\"Name\":";
      first_table = false;
      AppendJsonQuoted(body, table->name());
      body += ",\"Columns\":[";
      bool first_column = true;
      for (const schema::ColumnDef& column : table->columns()) {
        body += first_column ? "{\"Name\":" : ",{\"Name\":";
        first_column = false;
        AppendJsonQuoted(body, column.name);
        body += ",\"Type\":";
        AppendJsonQuoted(body, schema::ColumnTypeName(column.type));
        body += '}';
      }
      body += "]}";
    }
    body += "]}";
    ApiResponse response;
    response.body = std::move(body);
    return response;
  });
  // Queries read; they leave the response cache alone.
  for (std::string_view pattern :
       {"/api/advancedhunting/run", "/api/advancedqueries/run", "/v1.0/security/runHuntingQuery"}) {
    router.SetWrites("POST", pattern, kAreaNone);
  }
}

}  // namespace vigil::api

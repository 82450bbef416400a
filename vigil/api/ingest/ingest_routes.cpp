#include "vigil/api/ingest/ingest_routes.h"

#include <fmt/format.h>

#include "vigil/base/json_escape.h"
#include "vigil/base/time.h"

namespace vigil::api {
namespace {

// `accepted` and `skipped` receive the counts of a stored batch.
ApiResponse Ingest(IngestService& service, const ApiRequest& request, uint64_t& accepted,
                   uint64_t& skipped) {
  constexpr ErrorStyle kStyle = ErrorStyle::kDefender;
  const std::string format_name = request.Query("format").value_or("jsonl");
  IngestFormat format;
  if (format_name == "jsonl" || format_name == "json-lines" || format_name == "ndjson") {
    format = IngestFormat::kJsonLines;
  } else if (format_name == "windows-json") {
    format = IngestFormat::kWindowsJson;
  } else {
    return ErrorResponse(400, "InvalidInput",
                         fmt::format("unknown format '{}' (expected jsonl or windows-json)",
                                     format_name.substr(0, 64)),
                         kStyle);
  }
  const std::string table = request.Query("table").value_or("");
  if (format == IngestFormat::kJsonLines && table.empty()) {
    return ErrorResponse(400, "MissingRequiredParameter",
                         "the 'table' query parameter is required for format=jsonl", kStyle);
  }
  if (request.body.empty()) {
    return ErrorResponse(400, "InvalidRequestBody", "the request body is empty", kStyle);
  }
  if (request.body.size() > service.max_bytes_in_flight()) {
    return ErrorResponse(413, "InvalidRequestBody",
                         fmt::format("the request body exceeds {} bytes; send smaller batches",
                                     service.max_bytes_in_flight()),
                         kStyle);
  }
  if (!service.TryAdmit(request.body.size())) {
    ApiResponse r = ErrorResponse(
        503, "ServiceUnavailable",
        "the ingest queue is full; retry after the Retry-After seconds (nothing was dropped)",
        kStyle);
    r.headers["Retry-After"] = std::to_string(service.retry_after_seconds());
    return r;
  }
  auto outcome = service.Ingest(table, format, request.body);
  service.Release(request.body.size());
  if (!outcome.ok()) {
    if (outcome.status().code() == StatusCode::kNotFound) {
      return ErrorResponse(400, "InvalidInput", outcome.status().message(), kStyle);
    }
    if (outcome.status().code() == StatusCode::kFailedPrecondition) {
      ApiResponse r = ErrorResponse(503, "ServiceUnavailable", outcome.status().message(), kStyle);
      r.headers["Retry-After"] = std::to_string(service.retry_after_seconds());
      return r;
    }
    return ErrorResponse(500, "InternalServerError",
                         "storing the rows failed: " + outcome.status().message(), kStyle);
  }
  if (outcome->accepted == 0) {
    std::string message = "the body holds no valid record";
    if (!outcome->skipped.empty()) {
      message += fmt::format(" ({} skipped; first: {}: {})", outcome->skipped_total,
                             outcome->skipped.front().position, outcome->skipped.front().reason);
    }
    return ErrorResponse(400, "InvalidRequestBody", message, kStyle);
  }
  accepted = outcome->accepted;
  skipped = outcome->skipped_total;
  ApiResponse r;
  r.body = IngestOutcomeJson(*outcome);
  return r;
}

}  // namespace

std::string IngestOutcomeJson(const IngestOutcome& outcome) {
  std::string out = "{\"accepted\":" + std::to_string(outcome.accepted);
  out += ",\"skippedCount\":" + std::to_string(outcome.skipped_total);
  out += ",\"skipped\":[";
  for (size_t i = 0; i < outcome.skipped.size(); ++i) {
    const IngestSkip& s = outcome.skipped[i];
    if (i) out += ',';
    out += '{';
    if (s.line > 0) {
      out += "\"line\":" + std::to_string(s.line);
    } else {
      out += "\"line\":null,\"position\":";
      AppendJsonQuoted(out, s.position);
    }
    out += ",\"reason\":";
    AppendJsonQuoted(out, s.reason);
    out += '}';
  }
  out += "],\"tables\":{";
  bool first = true;
  for (const auto& [name, rows] : outcome.tables) {
    if (!first) out += ',';
    first = false;
    AppendJsonQuoted(out, name);
    out += ':' + std::to_string(rows);
  }
  out += "},\"detections\":" + std::to_string(outcome.detections) + '}';
  return out;
}

void RegisterIngestRoutes(Router& router, IngestService& service, IngestSources& sources) {
  router.Add("POST", "/api/ingest", Role::kIngest,
             [&service, &sources](const ApiRequest& request) {
               uint64_t accepted = 0;
               uint64_t skipped = 0;
               ApiResponse response = Ingest(service, request, accepted, skipped);
               const std::string& source = !request.principal.source.empty()
                                               ? request.principal.source
                                           : !request.principal.name.empty()
                                               ? request.principal.name
                                               : request.principal.id;
               sources.Record(source, accepted, skipped, response.status != 200,
                              NowTicks() / 10);
               return response;
             });
  // Ingestion stores events and may write alerts; incidents change only on correlation runs.
  router.SetWrites("POST", "/api/ingest", kAreaTelemetry | kAreaAlerts);
  router.Add("GET", "/api/ingest/sources", Role::kResponder, [&sources](const ApiRequest&) {
    std::string body = "{\"value\":[";
    bool first = true;
    for (const SourceCounters& c : sources.Snapshot()) {
      body += first ? "{" : ",{";
      first = false;
      body += "\"source\":";
      AppendJsonQuoted(body, c.source);
      body += fmt::format(
          ",\"requests\":{},\"acceptedRows\":{},\"skippedLines\":{},\"refusedRequests\":{},"
          "\"firstSeen\":\"{}\",\"lastSeen\":\"{}\"}}",
          c.requests, c.accepted, c.skipped, c.refused,
          FormatDateTime(c.first_seen_us * 10), FormatDateTime(c.last_seen_us * 10));
    }
    body += "]}";
    ApiResponse response;
    response.body = std::move(body);
    return response;
  });
}

}  // namespace vigil::api

// Alerts: MDE GET/PATCH /api/alerts(/{id}), POST /api/alerts/batchUpdate, GET
// /api/machines/{id}/alerts(/$count), and Graph /v1.0/security/alerts_v2(/{id}), plus Graph
// alert comments.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <utility>

#include "vigil/api/resources/resource_util.h"
#include "vigil/api/resources/shapes.h"
#include "vigil/base/time.h"
#include "vigil/detect/alerts/alert_store.h"
#include "vigil/kql/exec/engine.h"
#include "vigil/schema/catalog.h"

namespace vigil::api::resources {
namespace {

using detect::alerts::AlertFilter;
using detect::alerts::AlertPatch;
using detect::alerts::AlertRecord;

const std::vector<std::string>& DefenderFields() {
  static const std::vector<std::string> fields = FieldsOf(DefenderAlertJson(AlertRecord{}, true));
  return fields;
}

const std::vector<std::string>& GraphFields() {
  static const std::vector<std::string> fields = FieldsOf(GraphAlertJson(AlertRecord{}, ""));
  return fields;
}

Result<std::vector<AlertRecord>> AllAlerts(detect::alerts::AlertStore& store) {
  AlertFilter filter;
  filter.limit = 10000;
  return store.List(filter);
}

// Applies a PATCH body (already checked for unknown members) as `actor`.
ApiResponse Patch(const ApiContext& ctx, const ApiRequest& request, const JsonValue& body,
                  bool graph) {
  AlertPatch patch;
  bool bad = false;
  patch.status = StringMember(body, "status", bad);
  patch.assigned_to = StringMember(body, "assignedTo", bad);
  patch.classification = StringMember(body, "classification", bad);
  patch.determination = StringMember(body, "determination", bad);
  if (!graph) {
    patch.comment = StringMember(body, "comment", bad);
  }
  if (bad) {
    return BadRequest(request, "alert properties must be strings", "InvalidRequestBody");
  }
  auto updated = ctx.alerts->Update(request.params.at("id"), patch, request.principal.name);
  if (!updated.has_value()) {
    return StatusResponse(updated.error(), request);
  }
  return JsonResponse(
      200, graph ? GraphAlertJson(*updated, BaseUrl(request)) : DefenderAlertJson(*updated, true));
}

constexpr size_t kMaxBatchAlerts = 1000;

// POST /api/alerts/batchUpdate: {"alertIds":[...], "status", "assignedTo", "classification",
// "determination", "comment"}. Every id must exist (else 404 and nothing changes); 200 with an
// empty body as MDE answers.
ApiResponse BatchUpdate(const ApiContext& ctx, const ApiRequest& request) {
  ApiResponse error;
  auto body = ParseBody(request,
                        {"alertIds", "status", "assignedTo", "classification", "determination",
                         "comment"},
                        error);
  if (!body) {
    return error;
  }
  const JsonValue* ids = body->Find("alertIds");
  if (ids == nullptr || ids->kind() != JsonValue::Kind::kArray || ids->items().empty()) {
    return BadRequest(request, "alertIds must be a non-empty array of alert ids",
                      "MissingRequiredParameter");
  }
  if (ids->items().size() > kMaxBatchAlerts) {
    return BadRequest(request,
                      fmt::format("at most {} alerts per batch update", kMaxBatchAlerts),
                      "MaximumBatchSizeExceeded");
  }
  if (body->keys().size() == 1) {
    return BadRequest(request, "nothing to update: give status, assignedTo, classification,"
                               " determination or comment", "InvalidRequestBody");
  }
  std::vector<std::string> alert_ids;
  for (const JsonValue& id : ids->items()) {
    if (!id.is_string() || id.string_value().empty()) {
      return BadRequest(request, "alertIds must hold alert id strings", "InvalidRequestBody");
    }
    auto found = ctx.alerts->Get(id.string_value());
    if (!found.has_value()) {
      return StatusResponse(found.error(), request);
    }
    alert_ids.push_back(id.string_value());
  }
  for (const std::string& id : alert_ids) {
    ApiRequest one = request;
    one.params["id"] = id;
    ApiResponse updated = Patch(ctx, one, *body, false);
    if (updated.status != 200) {
      return updated;
    }
  }
  ApiResponse ok;
  ok.body.clear();
  return ok;
}

// Alerts as MDE JSON: all of them, or those of one machine (by machine id or DNS name).
Result<std::vector<JsonValue>> DefenderAlerts(const ApiContext& ctx, const std::string& machine,
                                              bool evidence) {
  auto alerts = AllAlerts(*ctx.alerts);
  if (!alerts.has_value()) {
    return tl::unexpected(alerts.error());
  }
  std::vector<JsonValue> out;
  for (const AlertRecord& alert : *alerts) {
    JsonValue json = DefenderAlertJson(alert, evidence);
    if (machine.empty()) {
      out.push_back(std::move(json));
      continue;
    }
    const JsonValue* id = json.Find("machineId");
    const JsonValue* name = json.Find("computerDnsName");
    const bool same_id = id != nullptr && id->is_string() && id->string_value() == machine;
    const bool same_name = name != nullptr && name->is_string() &&
                           name->string_value().size() == machine.size() &&
                           std::equal(machine.begin(), machine.end(),
                                      name->string_value().begin(), [](char a, char b) {
                                        return std::tolower(static_cast<unsigned char>(a)) ==
                                               std::tolower(static_cast<unsigned char>(b));
                                      });
    if (same_id || same_name) {
      out.push_back(std::move(json));
    }
  }
  return out;
}

// GET /api/alerts (`machine` empty) and /api/machines/{id}/alerts[/$count].
ApiResponse ListDefenderAlerts(const ApiContext& ctx, const ApiRequest& request,
                               const std::string& machine, bool count_only) {
  odata::QueryLimits limits;
  limits.default_top = kDefenderMaxTop;
  limits.max_top = kDefenderMaxTop;
  limits.fields = DefenderFields();
  limits.expandable = {"evidence"};
  ApiResponse error;
  auto options = ParseOptions(request, limits, error);
  if (!options) {
    return error;
  }
  auto alerts = DefenderAlerts(ctx, machine, options->Expands("evidence"));
  if (!alerts.has_value()) {
    return StatusResponse(alerts.error(), request);
  }
  odata::Page page = odata::ApplyQuery(*options, std::move(*alerts));
  if (count_only) {
    ApiResponse response;
    response.body = std::to_string(page.total);
    return response;
  }
  return ListResponse(request, "Alerts", *options, std::move(page));
}

// The rule behind an alert for the console; null when the alert names none.
JsonValue DetectionRuleJson(const AlertRecord& alert) {
  if (alert.rule_id.empty() && alert.rule_title.empty()) {
    return JsonValue();
  }
  const std::string& source = alert.detection_source;
  std::string kind = source == "Sigma"             ? "sigma"
                     : source == "Correlation"     ? "correlation"
                     : source == "customDetection" ? "custom"
                     : source == "customTi"        ? "indicator"
                                                   : source;
  std::transform(kind.begin(), kind.end(), kind.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  JsonValue out = JsonValue::Object();
  out.Set("id", JsonValue::StringOrNull(alert.rule_id))
      .Set("title", JsonValue::StringOrNull(alert.rule_title))
      .Set("author", JsonValue::StringOrNull(alert.rule_author))
      .Set("link", JsonValue::StringOrNull(alert.rule_link))
      .Set("license", JsonValue::StringOrNull(alert.rule_license))
      .Set("kind", JsonValue::StringOrNull(kind));
  return out;
}

// A KQL literal for `text` in a column of `type`; "" when it cannot be one (a non-numeric
// ReportId for a long column).
std::string KqlLiteral(std::string_view text, schema::ColumnType type) {
  if (schema::IsIntegerBacked(type)) {
    const size_t start = !text.empty() && text[0] == '-' ? 1 : 0;
    if (text.size() <= start || text.size() > 20 ||
        text.find_first_not_of("0123456789", start) != std::string_view::npos) {
      return "";
    }
    return std::string(text);
  }
  std::string out = "\"";
  for (const char c : text) {
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    if (c == '"' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return out + "\"";
}

// The event that fired the alert, read back from the store by table and ReportId within the
// alert's activity window (alerts.db keeps no copy of the row); `raw` is null when the event is
// not found (retention, or no ReportId). Null when the alert names no source table.
JsonValue SourceEventJson(const ApiContext& ctx, const AlertRecord& alert) {
  if (alert.source_table.empty()) {
    return JsonValue();
  }
  JsonValue out = JsonValue::Object();
  out.Set("table", JsonValue::String(alert.source_table))
      .Set("reportId", JsonValue::StringOrNull(alert.source_report_id))
      .Set("time", TimeValue(alert.first_activity_us))
      .Set("raw", JsonValue());
  const schema::TableSchema* table = schema::Catalog::Default().Find(alert.source_table);
  if (ctx.engine == nullptr || table == nullptr || alert.source_report_id.empty()) {
    return out;
  }
  const int report_column = table->FindColumn("ReportId");
  if (report_column < 0) {
    return out;
  }
  const std::string literal = KqlLiteral(
      alert.source_report_id, table->column(static_cast<size_t>(report_column)).type);
  if (literal.empty()) {
    return out;
  }
  kql::QueryOptions options;
  options.scope_min_ticks = (alert.first_activity_us - 1'000'000) * kTicksPerMicrosecond;
  options.scope_max_ticks =
      (std::max(alert.last_activity_us, alert.first_activity_us) + 1'000'000) *
      kTicksPerMicrosecond;
  auto result = ctx.engine->Run(
      fmt::format("{} | where ReportId == {} | order by Timestamp asc | take 1", table->name(),
                  literal),
      options);
  if (!result.has_value()) {
    return out;
  }
  auto parsed = odata::ParseJson(kql::FormatJson(*result), size_t{64} << 20);
  const JsonValue* rows = parsed.has_value() ? parsed->Find("Results") : nullptr;
  if (rows != nullptr && !rows->items().empty()) {
    out.Set("raw", rows->items().front());
  }
  return out;
}

}  // namespace

void RegisterAlertRoutes(Router& router, const ApiContext& ctx) {
  const auto guarded = [ctx](auto body) {
    return [ctx, body](const ApiRequest& request) {
      if (ctx.alerts == nullptr) {
        return Unavailable(request, "the alert store");
      }
      return body(ctx, request);
    };
  };
  router.Add("POST", "/api/alerts/batchUpdate", Role::kAnalyst, guarded(BatchUpdate));
  router.Add("GET", "/api/machines/{id}/alerts", Role::kViewer,
             guarded([](const ApiContext& c, const ApiRequest& r) {
               return ListDefenderAlerts(c, r, r.params.at("id"), false);
             }));
  router.Add("GET", "/api/machines/{id}/alerts/$count", Role::kViewer,
             guarded([](const ApiContext& c, const ApiRequest& r) {
               return ListDefenderAlerts(c, r, r.params.at("id"), true);
             }));
  router.Add("GET", "/api/alerts", Role::kViewer,
             guarded([](const ApiContext& c, const ApiRequest& r) {
               return ListDefenderAlerts(c, r, "", false);
             }));
  router.Add("GET", "/api/alerts/{id}", Role::kViewer, [ctx](const ApiRequest& request) {
    if (ctx.alerts == nullptr) {
      return Unavailable(request, "the alert store");
    }
    auto alert = ctx.alerts->Get(request.params.at("id"));
    if (!alert.has_value()) {
      return StatusResponse(alert.error(), request);
    }
    JsonValue body = DefenderAlertJson(*alert, true);
    JsonValue with_context = JsonValue::Object();
    with_context.Set("@odata.context", JsonValue::String(ContextUrl(request, "Alerts/$entity")));
    for (size_t i = 0; i < body.keys().size(); ++i) {
      with_context.Set(body.keys()[i], body.items()[i]);
    }
    // Console extras, only on the single alert (lists stay Defender-shaped).
    with_context.Set("detectionRule", DetectionRuleJson(*alert))
        .Set("sourceEvent", SourceEventJson(ctx, *alert));
    return JsonResponse(200, with_context);
  });
  router.Add("PATCH", "/api/alerts/{id}", Role::kAnalyst, [ctx](const ApiRequest& request) {
    if (ctx.alerts == nullptr) {
      return Unavailable(request, "the alert store");
    }
    ApiResponse error;
    auto body = ParseBody(
        request, {"status", "assignedTo", "classification", "determination", "comment"}, error);
    if (!body) {
      return error;
    }
    return Patch(ctx, request, *body, false);
  });

  router.Add("GET", "/v1.0/security/alerts_v2", Role::kViewer, [ctx](const ApiRequest& request) {
    if (ctx.alerts == nullptr) {
      return Unavailable(request, "the alert store");
    }
    odata::QueryLimits limits;
    limits.default_top = kGraphDefaultTop;
    limits.max_top = kDefenderMaxTop;
    limits.fields = GraphFields();
    limits.expandable = {"evidence"};
    ApiResponse error;
    auto options = ParseOptions(request, limits, error);
    if (!options) {
      return error;
    }
    auto alerts = AllAlerts(*ctx.alerts);
    if (!alerts.has_value()) {
      return StatusResponse(alerts.error(), request);
    }
    const std::string base = BaseUrl(request);
    std::vector<JsonValue> records;
    records.reserve(alerts->size());
    for (const AlertRecord& alert : *alerts) {
      records.push_back(GraphAlertJson(alert, base));
    }
    return ListResponse(request, "security/alerts_v2", *options,
                        odata::ApplyQuery(*options, std::move(records)));
  });
  router.Add("GET", "/v1.0/security/alerts_v2/{id}", Role::kViewer,
             [ctx](const ApiRequest& request) {
               if (ctx.alerts == nullptr) {
                 return Unavailable(request, "the alert store");
               }
               auto alert = ctx.alerts->Get(request.params.at("id"));
               if (!alert.has_value()) {
                 return StatusResponse(alert.error(), request);
               }
               return JsonResponse(200, GraphAlertJson(*alert, BaseUrl(request)));
             });
  router.Add(
      "PATCH", "/v1.0/security/alerts_v2/{id}", Role::kAnalyst, [ctx](const ApiRequest& request) {
        if (ctx.alerts == nullptr) {
          return Unavailable(request, "the alert store");
        }
        ApiResponse error;
        auto body =
            ParseBody(request, {"status", "assignedTo", "classification", "determination"}, error);
        if (!body) {
          return error;
        }
        return Patch(ctx, request, *body, true);
      });
  router.Add(
      "POST", "/v1.0/security/alerts_v2/{id}/comments", Role::kAnalyst,
      [ctx](const ApiRequest& request) {
        if (ctx.alerts == nullptr) {
          return Unavailable(request, "the alert store");
        }
        ApiResponse error;
        auto body = ParseBody(request, {"comment"}, error);
        if (!body) {
          return error;
        }
        bool bad = false;
        AlertPatch patch;
        patch.comment = StringMember(*body, "comment", bad);
        if (bad || !patch.comment || patch.comment->empty()) {
          return BadRequest(request, "a non-empty string 'comment' is required");
        }
        auto updated = ctx.alerts->Update(request.params.at("id"), patch, request.principal.name);
        if (!updated.has_value()) {
          return StatusResponse(updated.error(), request);
        }
        JsonValue graph = GraphAlertJson(*updated, BaseUrl(request));
        JsonValue out = JsonValue::Object();
        out.Set("@odata.context",
                JsonValue::String(ContextUrl(request, "microsoft.graph.security.alertComment")))
            .Set("value", *graph.Find("comments"));
        return JsonResponse(200, out);
      });
}

}  // namespace vigil::api::resources

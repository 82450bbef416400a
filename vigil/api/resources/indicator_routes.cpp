// Indicators: GET/POST /api/indicators, DELETE /api/indicators/{id}, POST
// /api/indicators/import (MDE shapes, api_shapes.md 1.5) and the connector view
// GET /api/connectors/{connector}/indicators (active indicators).
#include <fmt/format.h>

#include <utility>

#include "vigil/api/resources/resource_util.h"
#include "vigil/base/time.h"
#include "vigil/detect/ioc/import.h"
#include "vigil/detect/ioc/indicator_store.h"
#include "vigil/respond/action.h"

namespace vigil::api::resources {
namespace {

using detect::ioc::Indicator;

int64_t NowUs() { return NowTicks() / kTicksPerMicrosecond; }

JsonValue IndicatorJson(const Indicator& indicator) {
  JsonValue v = JsonValue::Object();
  v.Set("id", JsonValue::String(indicator.id))
      .Set("indicatorValue", JsonValue::String(indicator.indicator_value))
      .Set("indicatorType",
           JsonValue::String(std::string(detect::ioc::IndicatorTypeName(indicator.indicator_type))))
      .Set("action",
           JsonValue::String(std::string(detect::ioc::IndicatorActionName(indicator.action))))
      .Set("application", JsonValue::StringOrNull(indicator.application))
      .Set("source", JsonValue::String(indicator.created_by))
      .Set("sourceType", JsonValue::String("User"))
      .Set("createdBy", JsonValue::String(indicator.created_by))
      .Set("createdBySource", JsonValue::String("PublicApi"))
      .Set("severity", JsonValue::String(std::string(detect::SeverityName(indicator.severity))))
      .Set("category", JsonValue::StringOrNull(indicator.category))
      .Set("title", JsonValue::String(indicator.title))
      .Set("description", JsonValue::String(indicator.description))
      .Set("recommendedActions", JsonValue::StringOrNull(indicator.recommended_actions))
      .Set("creationTimeDateTimeUtc", TimeValue(indicator.creation_time_us))
      .Set("expirationTime", TimeValue(indicator.expiration_time_us))
      .Set("lastUpdateTime", TimeValue(indicator.last_update_time_us))
      .Set("lastUpdatedBy", JsonValue::StringOrNull(indicator.last_updated_by))
      .Set("rbacGroupNames", JsonValue::StringArray(indicator.rbac_group_names))
      .Set("rbacGroupIds", JsonValue::Array())
      .Set("generateAlert", JsonValue::Bool(indicator.generate_alert))
      .Set("educateUrl", JsonValue::StringOrNull(indicator.educate_url))
      .Set("mitreTechniques", JsonValue::StringArray(indicator.mitre_techniques))
      .Set("externalID", JsonValue::StringOrNull(indicator.external_id));
  return v;
}

detect::ioc::ImportOptions ImportOptionsFor(const ApiRequest& request) {
  detect::ioc::ImportOptions options;
  options.now_us = NowUs();
  options.created_by = request.principal.name;
  options.max_records = 15000;
  options.max_input_bytes = size_t{16} << 20;
  return options;
}

ApiResponse ListIndicators(const ApiContext& ctx, const ApiRequest& request, bool active_only) {
  odata::QueryLimits limits;
  limits.default_top = kDefenderMaxTop;
  limits.max_top = kDefenderMaxTop;
  static const std::vector<std::string> kFields = IndicatorJson(Indicator{}).keys();
  limits.fields = kFields;
  ApiResponse error;
  auto options = ParseOptions(request, limits, error);
  if (!options) {
    return error;
  }
  detect::ioc::IndicatorListFilter filter;
  filter.include_expired = !active_only;
  filter.now_us = NowUs();
  auto list = ctx.indicators->List(filter);
  if (!list.has_value()) {
    return StatusResponse(list.error(), request);
  }
  std::vector<JsonValue> records;
  records.reserve(list->size());
  for (const Indicator& indicator : *list) {
    records.push_back(IndicatorJson(indicator));
  }
  return ListResponse(request, "Indicators", *options,
                      odata::ApplyQuery(*options, std::move(records)));
}

ApiResponse SubmitIndicator(const ApiContext& ctx, const ApiRequest& request) {
  auto body = odata::ParseJson(request.body);
  if (!body.has_value() || body->kind() != JsonValue::Kind::kObject) {
    return BadRequest(
        request, body.has_value() ? "request body must be a JSON object" : body.error().message(),
        "InvalidRequestBody");
  }
  for (std::string_view required :
       {"indicatorValue", "indicatorType", "action", "title", "description"}) {
    if (body->FindCaseless(required) == nullptr) {
      return BadRequest(request, fmt::format("'{}' is required", required),
                        "MissingRequiredParameter");
    }
  }
  auto imported = detect::ioc::ImportJson(request.body, ImportOptionsFor(request));
  if (!imported.has_value()) {
    return StatusResponse(imported.error(), request);
  }
  if (!imported->errors.empty() || imported->indicators.size() != 1) {
    return BadRequest(
        request, imported->errors.empty() ? "expected one indicator" : imported->errors[0].message,
        "InvalidInput");
  }
  auto stored =
      ctx.indicators->Submit(std::move(imported->indicators[0]), request.principal.name, NowUs());
  if (!stored.has_value()) {
    return StatusResponse(stored.error(), request);
  }
  JsonValue out = IndicatorJson(*stored);
  JsonValue with_context = JsonValue::Object();
  with_context.Set("@odata.context", JsonValue::String(ContextUrl(request, "Indicators/$entity")));
  for (size_t i = 0; i < out.keys().size(); ++i) {
    with_context.Set(out.keys()[i], out.items()[i]);
  }
  return JsonResponse(200, with_context);
}

ApiResponse ImportIndicators(const ApiContext& ctx, const ApiRequest& request) {
  auto imported = detect::ioc::ImportIndicators(request.body, ImportOptionsFor(request));
  if (!imported.has_value()) {
    return StatusResponse(imported.error(), request);
  }
  JsonValue results = JsonValue::Array();
  for (const auto& failure : imported->errors) {
    JsonValue item = JsonValue::Object();
    item.Set("id", JsonValue())
        .Set("indicator", JsonValue())
        .Set("isFailed", JsonValue::Bool(true))
        .Set("failureReason",
             JsonValue::String(fmt::format("record {}: {}", failure.record, failure.message)));
    results.Push(std::move(item));
  }
  const int64_t now = NowUs();
  for (Indicator& indicator : imported->indicators) {
    const std::string value = indicator.indicator_value;
    auto stored = ctx.indicators->Submit(std::move(indicator), request.principal.name, now);
    JsonValue item = JsonValue::Object();
    item.Set("id", stored.has_value() ? JsonValue::String(stored->id) : JsonValue())
        .Set("indicator", JsonValue::String(value))
        .Set("isFailed", JsonValue::Bool(!stored.has_value()))
        .Set("failureReason",
             stored.has_value() ? JsonValue() : JsonValue::String(stored.error().message()));
    results.Push(std::move(item));
  }
  JsonValue out = JsonValue::Object();
  out.Set("@odata.context",
          JsonValue::String(ContextUrl(
              request, "Collection(microsoft.windowsDefenderATP.api.ImportIndicatorResult)")))
      .Set("value", std::move(results));
  return JsonResponse(200, out);
}

}  // namespace

void RegisterIndicatorRoutes(Router& router, const ApiContext& ctx) {
  const auto guarded = [ctx](auto body) {
    return [ctx, body](const ApiRequest& request) {
      if (ctx.indicators == nullptr) {
        return Unavailable(request, "the indicator store");
      }
      return body(ctx, request);
    };
  };
  router.Add("GET", "/api/indicators", Role::kViewer,
             guarded([](const ApiContext& c, const ApiRequest& r) {
               return ListIndicators(c, r, false);
             }));
  router.Add("POST", "/api/indicators/import", Role::kResponder, guarded(ImportIndicators));
  router.Add("POST", "/api/indicators", Role::kResponder, guarded(SubmitIndicator));
  router.Add("DELETE", "/api/indicators/{id}", Role::kResponder,
             guarded([](const ApiContext& c, const ApiRequest& request) {
               const Status deleted =
                   c.indicators->Delete(request.params.at("id"), request.principal.name, NowUs());
               if (!deleted.ok()) {
                 return StatusResponse(deleted, request);
               }
               ApiResponse response;
               response.status = 204;
               return response;
             }));
  router.Add("GET", "/api/connectors/{connector}/indicators", Role::kResponder,
             guarded([](const ApiContext& c, const ApiRequest& request) {
               if (!respond::ParseConnector(request.params.at("connector"))) {
                 return NotFound(request, fmt::format("unknown connector '{}'",
                                                      request.params.at("connector")));
               }
               return ListIndicators(c, request, true);
             }));
}

}  // namespace vigil::api::resources

// Alerts: MDE GET/PATCH /api/alerts(/{id}) and Graph /v1.0/security/alerts_v2(/{id}),
// plus Graph alert comments.
#include <fmt/format.h>

#include <utility>

#include "vigil/api/resources/resource_util.h"
#include "vigil/api/resources/shapes.h"
#include "vigil/detect/alerts/alert_store.h"

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

}  // namespace

void RegisterAlertRoutes(Router& router, const ApiContext& ctx) {
  router.Add("GET", "/api/alerts", Role::kViewer, [ctx](const ApiRequest& request) {
    if (ctx.alerts == nullptr) {
      return Unavailable(request, "the alert store");
    }
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
    auto alerts = AllAlerts(*ctx.alerts);
    if (!alerts.has_value()) {
      return StatusResponse(alerts.error(), request);
    }
    std::vector<JsonValue> records;
    records.reserve(alerts->size());
    for (const AlertRecord& alert : *alerts) {
      records.push_back(DefenderAlertJson(alert, options->Expands("evidence")));
    }
    return ListResponse(request, "Alerts", *options,
                        odata::ApplyQuery(*options, std::move(records)));
  });
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

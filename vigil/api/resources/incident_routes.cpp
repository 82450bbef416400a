// Incidents: M365D GET/PATCH /api/incidents(/{id}) and Graph /v1.0/security/incidents(/{id})
// with PATCH, comments and $expand=alerts. Changes go through the Correlator when there is one
// (it keeps its in-memory state in step), else straight to the IncidentStore.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <utility>

#include "vigil/api/resources/resource_util.h"
#include "vigil/api/resources/shapes.h"
#include "vigil/incidents/correlator.h"
#include "vigil/incidents/incident_store.h"
#include "vigil/incidents/story.h"

namespace vigil::api::resources {
namespace {

using detect::alerts::AlertRecord;
using incidents::Incident;
using incidents::IncidentPatch;

constexpr int64_t kDefenderIncidentMaxTop = 100;  // M365D's documented $top limit

ApiResponse IncidentNotFound(const ApiRequest& request) {
  return NotFound(request, fmt::format("incident {} was not found", request.params.at("id")));
}

std::vector<incidents::IncidentComment> CommentsOf(const ApiContext& ctx, int64_t id) {
  auto comments = ctx.incidents->Comments(id);
  return comments.has_value() ? std::move(*comments) : std::vector<incidents::IncidentComment>{};
}

std::vector<AlertRecord> AlertsOf(const ApiContext& ctx, const Incident& incident) {
  std::vector<AlertRecord> alerts;
  if (ctx.alerts == nullptr) {
    return alerts;
  }
  for (const std::string& id : incident.alert_ids) {
    auto alert = ctx.alerts->Get(id);
    if (alert.has_value()) {
      alerts.push_back(std::move(*alert));
    }
  }
  return alerts;
}

JsonValue DefenderJson(const ApiContext& ctx, const Incident& incident) {
  const std::vector<AlertRecord> alerts = AlertsOf(ctx, incident);
  return DefenderIncidentJson(incident, CommentsOf(ctx, incident.id), &alerts);
}

JsonValue GraphJson(const ApiContext& ctx, const Incident& incident, const std::string& base,
                    bool with_alerts) {
  JsonValue v = GraphIncidentJson(incident, CommentsOf(ctx, incident.id), base);
  if (with_alerts) {
    JsonValue alerts = JsonValue::Array();
    for (const AlertRecord& alert : AlertsOf(ctx, incident)) {
      alerts.Push(GraphAlertJson(alert, base));
    }
    v.Set("alerts", std::move(alerts));
  }
  return v;
}

Result<Incident> ApplyPatch(const ApiContext& ctx, int64_t id, const IncidentPatch& patch,
                            std::string_view actor) {
  if (ctx.correlator != nullptr) {
    return ctx.correlator->Update(id, patch, actor);
  }
  return ctx.incidents->Update(id, patch, actor, ctx.alerts);
}

// Reads the common members and the tag list (`tags_key`: "tags" or "customTags"), turning the
// replacement list into add/remove sets against the current tags.
ApiResponse PatchIncident(const ApiContext& ctx, const ApiRequest& request, bool graph) {
  const std::optional<int64_t> id = PositiveIdParam(request);
  if (!id) {
    return IncidentNotFound(request);
  }
  ApiResponse error;
  std::vector<std::string_view> allowed = {"status", "assignedTo", "classification",
                                           "determination"};
  const std::string_view tags_key = graph ? "customTags" : "tags";
  allowed.push_back(tags_key);
  if (!graph) {
    allowed.push_back("comment");
  }
  auto body = ParseBody(request, allowed, error);
  if (!body) {
    return error;
  }
  IncidentPatch patch;
  bool bad = false;
  patch.status = StringMember(*body, "status", bad);
  patch.assigned_to = StringMember(*body, "assignedTo", bad);
  patch.classification = StringMember(*body, "classification", bad);
  patch.determination = StringMember(*body, "determination", bad);
  patch.comment = StringMember(*body, "comment", bad);
  if (bad) {
    return BadRequest(request, "incident properties must be strings", "InvalidRequestBody");
  }
  if (const JsonValue* tags = body->Find(tags_key)) {
    if (tags->kind() != JsonValue::Kind::kArray) {
      return BadRequest(request, fmt::format("'{}' must be an array of strings", tags_key),
                        "InvalidRequestBody");
    }
    auto current = ctx.incidents->Get(*id);
    if (!current.has_value()) {
      return StatusResponse(current.error(), request);
    }
    std::vector<std::string> wanted;
    for (const JsonValue& tag : tags->items()) {
      if (!tag.is_string()) {
        return BadRequest(request, fmt::format("'{}' must be an array of strings", tags_key),
                          "InvalidRequestBody");
      }
      wanted.push_back(tag.string_value());
    }
    for (const std::string& tag : wanted) {
      if (std::find(current->custom_tags.begin(), current->custom_tags.end(), tag) ==
          current->custom_tags.end()) {
        patch.add_tags.push_back(tag);
      }
    }
    for (const std::string& tag : current->custom_tags) {
      if (std::find(wanted.begin(), wanted.end(), tag) == wanted.end()) {
        patch.remove_tags.push_back(tag);
      }
    }
  }
  auto updated = ApplyPatch(ctx, *id, patch, request.principal.name);
  if (!updated.has_value()) {
    return StatusResponse(updated.error(), request);
  }
  return JsonResponse(
      200, graph ? GraphJson(ctx, *updated, BaseUrl(request), false) : DefenderJson(ctx, *updated));
}

ApiResponse ListIncidents(const ApiContext& ctx, const ApiRequest& request, bool graph) {
  const std::string base = BaseUrl(request);
  odata::QueryLimits limits;
  limits.default_top = graph ? kGraphDefaultTop : kDefenderIncidentMaxTop;
  limits.max_top = graph ? kDefenderMaxTop : kDefenderIncidentMaxTop;
  static const std::vector<std::string> kDefenderFields =
      FieldsOf(DefenderIncidentJson(Incident{}, {}, nullptr));
  static const std::vector<std::string> kGraphFields =
      FieldsOf(GraphIncidentJson(Incident{}, {}, ""));
  limits.fields = graph ? kGraphFields : kDefenderFields;
  limits.expandable = {"alerts"};
  ApiResponse error;
  auto options = ParseOptions(request, limits, error);
  if (!options) {
    return error;
  }
  incidents::IncidentFilter filter;
  filter.limit = 100000;
  auto list = ctx.incidents->List(filter);
  if (!list.has_value()) {
    return StatusResponse(list.error(), request);
  }
  // Filter and page the incident fields first; alerts are attached to the page only.
  std::vector<JsonValue> records;
  records.reserve(list->size());
  for (const Incident& incident : *list) {
    records.push_back(graph
                          ? GraphIncidentJson(incident, CommentsOf(ctx, incident.id), base)
                          : DefenderIncidentJson(incident, CommentsOf(ctx, incident.id), nullptr));
  }
  odata::Page page = odata::ApplyQuery(*options, std::move(records));
  const bool with_alerts = !graph || options->Expands("alerts");
  if (with_alerts && options->select.empty()) {
    for (JsonValue& record : page.items) {
      const JsonValue* id_value = record.Find(graph ? "id" : "incidentId");
      if (id_value == nullptr) {
        continue;
      }
      int64_t id = id_value->int_value();
      if (graph) {
        const std::string& text = id_value->string_value();
        (void)std::from_chars(text.data(), text.data() + text.size(), id);
      }
      auto it = std::find_if(list->begin(), list->end(),
                             [&](const Incident& incident) { return incident.id == id; });
      if (it == list->end()) {
        continue;
      }
      JsonValue alerts = JsonValue::Array();
      for (const AlertRecord& alert : AlertsOf(ctx, *it)) {
        alerts.Push(graph ? GraphAlertJson(alert, base) : IncidentAlertJson(alert));
      }
      record.Set("alerts", std::move(alerts));
    }
  }
  return ListResponse(request, graph ? "security/incidents" : "Incidents", *options,
                      std::move(page));
}

ApiResponse GetIncident(const ApiContext& ctx, const ApiRequest& request, bool graph) {
  const std::optional<int64_t> id = PositiveIdParam(request);
  if (!id) {
    return IncidentNotFound(request);
  }
  auto incident = ctx.incidents->Get(*id);
  if (!incident.has_value()) {
    return StatusResponse(incident.error(), request);
  }
  if (!graph) {
    return JsonResponse(200, DefenderJson(ctx, *incident));
  }
  const auto expand = request.Query("$expand");
  const bool with_alerts = expand && odata::EqualsIgnoreCase(*expand, "alerts");
  return JsonResponse(200, GraphJson(ctx, *incident, BaseUrl(request), with_alerts));
}

}  // namespace

void RegisterIncidentRoutes(Router& router, const ApiContext& ctx) {
  const auto guarded = [ctx](bool graph, auto body) {
    return [ctx, graph, body](const ApiRequest& request) {
      if (ctx.incidents == nullptr) {
        return Unavailable(request, "the incident store");
      }
      return body(ctx, request, graph);
    };
  };
  router.Add("GET", "/api/incidents", Role::kViewer, guarded(false, ListIncidents));
  router.Add("GET", "/api/incidents/{id}", Role::kViewer, guarded(false, GetIncident));
  router.Add("PATCH", "/api/incidents/{id}", Role::kAnalyst, guarded(false, PatchIncident));
  // The attack story, the same JSON as `vigil incidents story ID` (vigil/incidents/story.h).
  router.Add("GET", "/api/incidents/{id}/story", Role::kViewer,
             guarded(false, [](const ApiContext& c, const ApiRequest& request, bool) {
               const std::optional<int64_t> id = PositiveIdParam(request);
               if (!id) {
                 return IncidentNotFound(request);
               }
               if (c.alerts == nullptr) {
                 return Unavailable(request, "the alert store");
               }
               auto story = incidents::StoryJson(*c.incidents, *c.alerts, *id);
               if (!story.has_value()) {
                 return story.error().code() == StatusCode::kNotFound
                            ? IncidentNotFound(request)
                            : StatusResponse(story.error(), request);
               }
               ApiResponse response;
               response.body = std::move(*story);
               return response;
             }));
  router.Add("GET", "/v1.0/security/incidents", Role::kViewer, guarded(true, ListIncidents));
  router.Add("GET", "/v1.0/security/incidents/{id}", Role::kViewer, guarded(true, GetIncident));
  router.Add("PATCH", "/v1.0/security/incidents/{id}", Role::kAnalyst,
             guarded(true, PatchIncident));
  router.Add("POST", "/v1.0/security/incidents/{id}/comments", Role::kAnalyst,
             guarded(true, [](const ApiContext& c, const ApiRequest& request, bool) {
               const std::optional<int64_t> id = PositiveIdParam(request);
               if (!id) {
                 return IncidentNotFound(request);
               }
               ApiResponse error;
               auto body = ParseBody(request, {"comment"}, error);
               if (!body) {
                 return error;
               }
               bool bad = false;
               IncidentPatch patch;
               patch.comment = StringMember(*body, "comment", bad);
               if (bad || !patch.comment || patch.comment->empty()) {
                 return BadRequest(request, "a non-empty string 'comment' is required");
               }
               auto updated = ApplyPatch(c, *id, patch, request.principal.name);
               if (!updated.has_value()) {
                 return StatusResponse(updated.error(), request);
               }
               JsonValue graph = GraphIncidentJson(*updated, CommentsOf(c, *id), "");
               JsonValue out = JsonValue::Object();
               out.Set("@odata.context", JsonValue::String(ContextUrl(
                                             request, "microsoft.graph.security.alertComment")))
                   .Set("value", *graph.Find("comments"));
               return JsonResponse(200, out);
             }));
}

}  // namespace vigil::api::resources

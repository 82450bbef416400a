// The Action center (pending / history, approve, reject, undo), automated investigations, and
// the connector queue (pull deliverable actions, report results).
#include <fmt/format.h>

#include <charconv>
#include <utility>

#include "vigil/api/resources/resource_util.h"
#include "vigil/respond/action_store.h"

namespace vigil::api::resources {
namespace {

using respond::Action;

constexpr size_t kMaxPull = 1000;

JsonValue ActionJson(const Action& action) {
  auto parsed = odata::ParseJson(respond::ActionToJson(action));
  return parsed.has_value() ? std::move(*parsed) : JsonValue::Object();
}

ApiResponse ActionList(const ApiRequest& request, std::string_view entity_set,
                       const std::vector<Action>& actions) {
  odata::QueryLimits limits;
  limits.default_top = kDefenderMaxTop;
  limits.max_top = kDefenderMaxTop;
  ApiResponse error;
  auto options = ParseOptions(request, limits, error);
  if (!options) {
    return error;
  }
  std::vector<JsonValue> records;
  records.reserve(actions.size());
  for (const Action& action : actions) {
    records.push_back(ActionJson(action));
  }
  return ListResponse(request, entity_set, *options,
                      odata::ApplyQuery(*options, std::move(records)));
}

JsonValue InvestigationJson(const respond::InvestigationRecord& record) {
  JsonValue evidence = JsonValue::Array();
  for (const auto& item : record.evidence) {
    JsonValue e = JsonValue::Object();
    e.Set("entityKey", JsonValue::String(item.entity_key))
        .Set("entityType", JsonValue::String(item.entity.entity_type))
        .Set("verdict", JsonValue::String(std::string(respond::VerdictName(item.verdict))))
        .Set("reasons", JsonValue::StringArray(item.reasons));
    evidence.Push(std::move(e));
  }
  JsonValue log = JsonValue::Array();
  for (const auto& entry : record.log) {
    JsonValue l = JsonValue::Object();
    l.Set("time", TimeValue(entry.time_us)).Set("message", JsonValue::String(entry.message));
    log.Push(std::move(l));
  }
  JsonValue v = JsonValue::Object();
  v.Set("id", JsonValue::Int(record.id))
      .Set("incidentId", JsonValue::Int(record.incident_id))
      .Set("investigationState",
           JsonValue::String(std::string(respond::InvestigationStateName(record.state))))
      .Set("playbook", JsonValue::String(record.playbook))
      .Set("startTime", TimeValue(record.created_us))
      .Set("lastUpdateTime", TimeValue(record.updated_us))
      .Set("alertIds", JsonValue::StringArray(record.alert_ids))
      .Set("evidence", std::move(evidence))
      .Set("log", std::move(log));
  return v;
}

// approve / reject / undo with an optional {"comment": "..."} body.
ApiResponse Decide(const ApiContext& ctx, const ApiRequest& request, std::string_view what) {
  const std::optional<int64_t> id = PositiveIdParam(request);
  if (!id) {
    return NotFound(request, fmt::format("action {} was not found", request.params.at("id")));
  }
  ApiResponse error;
  auto body = ParseBody(request, {"comment", "Comment"}, error);
  if (!body) {
    return error;
  }
  bool bad = false;
  std::string comment = StringMember(*body, "comment", bad).value_or("");
  if (comment.empty()) {
    comment = StringMember(*body, "Comment", bad).value_or("");
  }
  if (bad) {
    return BadRequest(request, "'comment' must be a string", "InvalidRequestBody");
  }
  const std::string& actor = request.principal.name;
  Result<Action> result = what == "approve"  ? ctx.actions->Approve(*id, actor, comment)
                          : what == "reject" ? ctx.actions->Reject(*id, actor, comment)
                                             : ctx.actions->Undo(*id, actor);
  if (!result.has_value()) {
    return StatusResponse(result.error(), request);
  }
  return JsonResponse(what == "undo" ? 201 : 200, ActionJson(*result));
}

}  // namespace

void RegisterActionRoutes(Router& router, const ApiContext& ctx) {
  const auto guarded = [ctx](auto body) {
    return [ctx, body](const ApiRequest& request) {
      if (ctx.actions == nullptr) {
        return Unavailable(request, "the action store");
      }
      return body(ctx, request);
    };
  };
  const auto list_view = [](respond::ActionView view, std::string_view set) {
    return [view, set](const ApiContext& c, const ApiRequest& request) {
      respond::ActionFilter filter;
      filter.view = view;
      filter.limit = 100000;
      auto actions = c.actions->List(filter);
      if (!actions.has_value()) {
        return StatusResponse(actions.error(), request);
      }
      return ActionList(request, set, *actions);
    };
  };
  router.Add("GET", "/api/actioncenter/pending", Role::kViewer,
             guarded(list_view(respond::ActionView::kPendingApproval, "ActionCenterPending")));
  router.Add("GET", "/api/actioncenter/history", Role::kViewer,
             guarded(list_view(respond::ActionView::kHistory, "ActionCenterHistory")));
  for (std::string_view what : {"approve", "reject", "undo"}) {
    router.Add("POST", fmt::format("/api/actions/{{id}}/{}", what), Role::kResponder,
               guarded([what](const ApiContext& c, const ApiRequest& request) {
                 return Decide(c, request, what);
               }));
  }

  router.Add("GET", "/api/investigations", Role::kViewer,
             guarded([](const ApiContext& c, const ApiRequest& request) {
               odata::QueryLimits limits;
               limits.default_top = kDefenderMaxTop;
               limits.max_top = kDefenderMaxTop;
               ApiResponse error;
               auto options = ParseOptions(request, limits, error);
               if (!options) {
                 return error;
               }
               auto list = c.actions->ListInvestigations(100000);
               if (!list.has_value()) {
                 return StatusResponse(list.error(), request);
               }
               std::vector<JsonValue> records;
               for (const auto& record : *list) {
                 records.push_back(InvestigationJson(record));
               }
               return ListResponse(request, "Investigations", *options,
                                   odata::ApplyQuery(*options, std::move(records)));
             }));
  router.Add("GET", "/api/investigations/{id}", Role::kViewer,
             guarded([](const ApiContext& c, const ApiRequest& request) {
               const std::optional<int64_t> id = PositiveIdParam(request);
               if (!id) {
                 return NotFound(request, fmt::format("investigation {} was not found",
                                                      request.params.at("id")));
               }
               auto record = c.actions->GetInvestigation(*id);
               if (!record.has_value()) {
                 return StatusResponse(record.error(), request);
               }
               return JsonResponse(200, InvestigationJson(*record));
             }));

  router.Add("GET", "/api/connectors/{connector}/actions", Role::kResponder,
             guarded([](const ApiContext& c, const ApiRequest& request) {
               const auto connector = respond::ParseConnector(request.params.at("connector"));
               if (!connector) {
                 return NotFound(request, fmt::format("unknown connector '{}'",
                                                      request.params.at("connector")));
               }
               size_t max = 100;
               if (auto text = request.Query("max")) {
                 auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), max);
                 if (ec != std::errc() || ptr != text->data() + text->size() || max == 0 ||
                     max > kMaxPull) {
                   return BadRequest(request, fmt::format("'max' must be 1..{}", kMaxPull));
                 }
               }
               auto pulled = c.actions->Pull(*connector, max, request.principal.name);
               if (!pulled.has_value()) {
                 return StatusResponse(pulled.error(), request);
               }
               JsonValue value = JsonValue::Array();
               for (const Action& action : *pulled) {
                 value.Push(ActionJson(action));
               }
               JsonValue out = JsonValue::Object();
               out.Set("value", std::move(value));
               return JsonResponse(200, out);
             }));
  router.Add("POST", "/api/connectors/{connector}/actions/{id}/result", Role::kResponder,
             guarded([](const ApiContext& c, const ApiRequest& request) {
               const auto connector = respond::ParseConnector(request.params.at("connector"));
               const std::optional<int64_t> id = PositiveIdParam(request);
               if (!connector || !id) {
                 return NotFound(request, "unknown connector or action");
               }
               ApiResponse error;
               auto body = ParseBody(request, {"status", "message"}, error);
               if (!body) {
                 return error;
               }
               bool bad = false;
               const std::string status = StringMember(*body, "status", bad).value_or("");
               const std::string message = StringMember(*body, "message", bad).value_or("");
               const bool succeeded = odata::EqualsIgnoreCase(status, "succeeded");
               if (bad || (!succeeded && !odata::EqualsIgnoreCase(status, "failed"))) {
                 return BadRequest(request, "'status' must be \"succeeded\" or \"failed\"",
                                   "InvalidRequestBody");
               }
               auto action = c.actions->Get(*id);
               if (!action.has_value()) {
                 return StatusResponse(action.error(), request);
               }
               if (action->connector != *connector) {
                 return NotFound(request, fmt::format("action {} does not belong to connector '{}'",
                                                      *id, respond::ConnectorName(*connector)));
               }
               auto reported = c.actions->Report(*id, succeeded, message, request.principal.name);
               if (!reported.has_value()) {
                 return StatusResponse(reported.error(), request);
               }
               return JsonResponse(200, ActionJson(*reported));
             }));
}

}  // namespace vigil::api::resources

// Custom detection rules (GET/POST /api/detectionrules, PATCH /api/detectionrules/{id}) and the
// switches of the Sigma/correlation rules the server runs (GET /api/rules, PATCH
// /api/rules/{id}), over ConsoleDetections. Changes apply to ingestion from the next request;
// they change no cached data area (alerts made later invalidate as usual).
#include <fmt/format.h>

#include "vigil/api/console/console_detections.h"
#include "vigil/api/console/console_route_util.h"
#include "vigil/api/console/console_routes.h"
#include "vigil/api/resources/resource_util.h"

namespace vigil::api::console {
namespace {

constexpr size_t kMaxNameBytes = 800;  // 200 characters of up to 4 bytes
constexpr size_t kMaxQueryBytes = 64 * 1024;
constexpr size_t kMaxTextBytes = 8192;

JsonValue DetectionJson(const DetectionView& view) {
  const detect::CustomDetectionRule& r = view.rule;
  JsonValue out = JsonValue::Object();
  out.Set("id", JsonValue::String(r.id))
      .Set("name", JsonValue::String(r.name))
      .Set("title", JsonValue::String(r.title.empty() ? r.name : r.title))
      .Set("query", JsonValue::String(r.query))
      .Set("severity", JsonValue::String(std::string(detect::SeverityName(r.severity))))
      .Set("category", JsonValue::String(r.category))
      .Set("frequency", JsonValue::String(std::string(detect::DetectionPeriodName(r.period))))
      .Set("description", JsonValue::String(r.description))
      .Set("techniques", JsonValue::StringArray(r.techniques))
      .Set("impactedAssets", JsonValue::StringArray(r.impacted_columns))
      .Set("enabled", JsonValue::Bool(view.enabled))
      .Set("origin", JsonValue::String(view.origin))
      .Set("createdBy", JsonValue::StringOrNull(r.created_by));
  return out;
}

JsonValue RuleJson(const RuleView& view) {
  JsonValue out = JsonValue::Object();
  out.Set("id", JsonValue::String(view.id))
      .Set("title", JsonValue::String(view.title))
      .Set("level", JsonValue::String(view.level))
      .Set("status", JsonValue::StringOrNull(view.status))
      .Set("author", JsonValue::StringOrNull(view.author))
      .Set("kind", JsonValue::String(view.kind))
      .Set("enabled", JsonValue::Bool(view.enabled))
      .Set("tags", JsonValue::StringArray(view.tags));
  return out;
}

// `{"enabled": bool}`; nullopt with `error` set otherwise.
std::optional<bool> EnabledBody(const ApiRequest& request, ApiResponse& error) {
  auto body = resources::ParseBody(request, {"enabled"}, error);
  if (!body) {
    return std::nullopt;
  }
  const JsonValue* enabled = body->Find("enabled");
  if (enabled == nullptr || enabled->kind() != JsonValue::Kind::kBool) {
    error = BadRequest(request, "'enabled' (true or false) is required", "InvalidRequestBody");
    return std::nullopt;
  }
  return enabled->bool_value();
}

// The handler of PATCH .../{id} with `{"enabled": bool}`: `set` is the ConsoleDetections method
// that switches the object (returning its view), `to_json` the view's JSON.
template <typename View>
auto EnabledPatch(Result<View> (ConsoleDetections::*set)(std::string_view, bool, std::string_view),
                  JsonValue (*to_json)(const View&)) {
  return [set, to_json](ConsoleDetections& d, const ApiRequest& request) {
    ApiResponse error;
    const std::optional<bool> enabled = EnabledBody(request, error);
    if (!enabled) {
      return error;
    }
    auto changed = (d.*set)(request.params.at("id"), *enabled, request.principal.name);
    if (!changed.has_value()) {
      return StatusResponse(changed.error(), request);
    }
    return JsonResponse(200, to_json(*changed));
  };
}

// A list member of strings; false when present and not such a list.
bool StringList(const JsonValue& body, std::string_view key, std::vector<std::string>& out) {
  const JsonValue* list = body.Find(key);
  if (list == nullptr || list->is_null()) {
    return true;
  }
  if (list->kind() != JsonValue::Kind::kArray || list->items().size() > 64) {
    return false;
  }
  for (const JsonValue& item : list->items()) {
    if (!item.is_string() || item.string_value().empty() || item.string_value().size() > 64) {
      return false;
    }
    out.push_back(item.string_value());
  }
  return true;
}

// The rule a POST describes; "" when valid, else the message for the 400.
std::string ReadRule(const JsonValue& body, detect::CustomDetectionRule& rule) {
  bool bad = false;
  const auto name = resources::StringMember(body, "name", bad);
  if (bad || !name || name->empty() || name->size() > kMaxNameBytes ||
      name->find('\n') != std::string::npos) {
    return "'name' must be a one-line string of 1 to 200 characters";
  }
  rule.name = *name;
  const auto query = resources::StringMember(body, "query", bad);
  if (bad || !query || query->find_first_not_of(" \t\r\n") == std::string::npos ||
      query->size() > kMaxQueryBytes) {
    return fmt::format("'query' must be a non-empty string of at most {} bytes", kMaxQueryBytes);
  }
  rule.query = *query;
  if (const auto severity = resources::StringMember(body, "severity", bad);
      severity && !severity->empty()) {
    const auto parsed = detect::ParseSeverityName(*severity);
    if (!parsed) {
      return fmt::format("unknown severity '{}' (Informational, Low, Medium, High)",
                         severity->substr(0, 64));
    }
    rule.severity = *parsed;
  }
  if (const auto frequency = resources::StringMember(body, "frequency", bad);
      frequency && !frequency->empty()) {
    auto period = detect::ParseDetectionPeriod(frequency->substr(0, 64));
    if (!period.has_value()) {
      return period.error().message();
    }
    rule.period = *period;
  } else {
    rule.period = detect::DetectionPeriod::kContinuous;  // the console's default: live rules
  }
  for (const auto& [key, field] :
       {std::pair<std::string_view, std::string*>{"category", &rule.category},
        {"description", &rule.description},
        {"title", &rule.title},
        {"recommendedActions", &rule.recommended_actions}}) {
    auto text = resources::StringMember(body, key, bad);
    if (bad || (text && text->size() > kMaxTextBytes)) {
      return fmt::format("'{}' must be a string of at most {} bytes", key, kMaxTextBytes);
    }
    if (text && !text->empty()) {
      *field = std::move(*text);
    }
  }
  if (!StringList(body, "techniques", rule.techniques)) {
    return "'techniques' must be a list of ATT&CK technique ids (\"T1059.001\")";
  }
  if (!StringList(body, "impactedAssets", rule.impacted_columns)) {
    return "'impactedAssets' must be a list of column names";
  }
  if (bad) {
    return "string members must be strings";
  }
  return "";
}

}  // namespace

void RegisterDetectionRuleRoutes(Router& router, const ConsoleContext& ctx) {
  const auto guarded = GuardedBy(ctx.detections, "live detection");
  router.Add("GET", "/api/detectionrules", Role::kViewer,
             guarded([](ConsoleDetections& d, const ApiRequest&) {
               return ValueListResponse(d.ListDetections(), DetectionJson);
             }));
  router.Add("POST", "/api/detectionrules", Role::kResponder,
             guarded([](ConsoleDetections& d, const ApiRequest& request) {
               ApiResponse error;
               auto body = resources::ParseBody(
                   request,
                   {"name", "query", "severity", "category", "frequency", "description",
                    "techniques", "title", "impactedAssets", "recommendedActions"},
                   error);
               if (!body) {
                 return error;
               }
               detect::CustomDetectionRule rule;
               if (std::string why = ReadRule(*body, rule); !why.empty()) {
                 return BadRequest(request, why, "InvalidRequestBody");
               }
               rule.created_by = request.principal.name;
               auto added = d.AddDetection(std::move(rule));
               if (!added.has_value()) {
                 const StatusCode code = added.error().code();
                 if (code == StatusCode::kIoError || code == StatusCode::kInternal) {
                   return StatusResponse(added.error(), request);
                 }
                 // The query does not bind or lacks a required column: say which.
                 return BadRequest(
                     request, fmt::format("invalid detection rule: {}", added.error().message()),
                     "InvalidRequestBody");
               }
               return JsonResponse(201, DetectionJson(*added));
             }));
  router.Add("PATCH", "/api/detectionrules/{id}", Role::kResponder,
             guarded(EnabledPatch(&ConsoleDetections::SetDetectionEnabled, DetectionJson)));
  router.Add("GET", "/api/rules", Role::kViewer,
             guarded([](ConsoleDetections& d, const ApiRequest&) {
               return ValueListResponse(d.ListRules(), RuleJson);
             }));
  router.Add("PATCH", "/api/rules/{id}", Role::kAdmin,
             guarded(EnabledPatch(&ConsoleDetections::SetRuleEnabled, RuleJson)));
  router.SetWrites("POST", "/api/detectionrules", kAreaNone);
  router.SetWrites("PATCH", "/api/detectionrules/{id}", kAreaNone);
  router.SetWrites("PATCH", "/api/rules/{id}", kAreaNone);
}

}  // namespace vigil::api::console

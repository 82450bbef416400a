// Machines (devices seen in DeviceInfo and the device event tables, via the KQL engine) and
// machine actions: POST /api/machines/{id}/<action> proposes a manual device action to the
// Action center (approval NotRequired) and answers 201 + MachineAction; GET /api/machineactions.
#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <chrono>
#include <map>
#include <utility>

#include "vigil/api/resources/resource_util.h"
#include "vigil/api/resources/shapes.h"
#include "vigil/detect/alerts/alert_store.h"
#include "vigil/base/time.h"
#include "vigil/kql/exec/engine.h"
#include "vigil/respond/action_store.h"

namespace vigil::api::resources {
namespace {

using respond::Action;
using respond::ActionStatus;
using respond::ActionType;

constexpr std::string_view kMachinesQuery = R"(union isfuzzy=true
 (DeviceInfo | project Timestamp, DeviceId, DeviceName, OSPlatform, OSArchitecture, OSBuild,
    PublicIP, MachineGroup, AadDeviceId, ClientVersion, OnboardingStatus, ExposureLevel, AssetValue),
 (DeviceProcessEvents | project Timestamp, DeviceId, DeviceName),
 (DeviceNetworkEvents | project Timestamp, DeviceId, DeviceName),
 (DeviceFileEvents | project Timestamp, DeviceId, DeviceName),
 (DeviceLogonEvents | project Timestamp, DeviceId, DeviceName)
| where isnotempty(DeviceId)
| summarize FirstSeen = min(Timestamp), LastSeen = max(Timestamp),
    DeviceName = take_anyif(DeviceName, isnotempty(DeviceName)),
    OSPlatform = take_anyif(OSPlatform, isnotempty(OSPlatform)),
    OSArchitecture = take_anyif(OSArchitecture, isnotempty(OSArchitecture)),
    OSBuild = take_anyif(OSBuild, isnotnull(OSBuild)),
    PublicIP = take_anyif(PublicIP, isnotempty(PublicIP)),
    MachineGroup = take_anyif(MachineGroup, isnotempty(MachineGroup)),
    AadDeviceId = take_anyif(AadDeviceId, isnotempty(AadDeviceId)),
    ClientVersion = take_anyif(ClientVersion, isnotempty(ClientVersion)),
    OnboardingStatus = take_anyif(OnboardingStatus, isnotempty(OnboardingStatus)),
    ExposureLevel = take_anyif(ExposureLevel, isnotempty(ExposureLevel)),
    AssetValue = take_anyif(AssetValue, isnotempty(AssetValue))
  by DeviceId)";

constexpr int64_t kInactiveAfterUs = int64_t{7} * 24 * 3600 * 1'000'000;

std::string Text(const JsonValue& row, std::string_view key) {
  const JsonValue* value = row.Find(key);
  return value != nullptr && value->is_string() ? value->string_value() : std::string();
}

JsonValue TextOr(const JsonValue& row, std::string_view key, std::string fallback) {
  std::string text = Text(row, key);
  return JsonValue::StringOrNull(text.empty() ? std::move(fallback) : std::move(text));
}

JsonValue MachineJson(const JsonValue& row, int64_t now_us) {
  const std::string last_seen = Text(row, "LastSeen");
  const std::optional<int64_t> last_ticks = ParseDateTime(last_seen);
  const bool active = last_ticks && now_us - *last_ticks / kTicksPerMicrosecond < kInactiveAfterUs;
  const JsonValue* build = row.Find("OSBuild");
  JsonValue v = JsonValue::Object();
  v.Set("id", JsonValue::String(Text(row, "DeviceId")))
      .Set("computerDnsName", TextOr(row, "DeviceName", ""))
      .Set("firstSeen", TextOr(row, "FirstSeen", ""))
      .Set("lastSeen", TextOr(row, "LastSeen", ""))
      .Set("osPlatform", TextOr(row, "OSPlatform", ""))
      .Set("onboardingStatus", TextOr(row, "OnboardingStatus", "Onboarded"))
      .Set("osProcessor", JsonValue())
      .Set("osArchitecture", TextOr(row, "OSArchitecture", ""))
      .Set("version", TextOr(row, "ClientVersion", ""))
      .Set("osBuild", build != nullptr && build->is_number() ? *build : JsonValue())
      .Set("lastIpAddress", JsonValue())
      .Set("lastExternalIpAddress", TextOr(row, "PublicIP", ""))
      .Set("healthStatus", JsonValue::String(active ? "Active" : "Inactive"))
      .Set("rbacGroupName", TextOr(row, "MachineGroup", ""))
      .Set("rbacGroupId", JsonValue())
      .Set("riskScore", JsonValue::String("None"))
      .Set("exposureLevel", TextOr(row, "ExposureLevel", "None"))
      .Set("deviceValue", TextOr(row, "AssetValue", "Normal"))
      .Set("aadDeviceId", TextOr(row, "AadDeviceId", ""))
      .Set("machineTags", JsonValue::Array())
      .Set("ipAddresses", JsonValue::Array());
  return v;
}

Result<std::vector<JsonValue>> Machines(const ApiContext& ctx, std::string_view only_id) {
  std::string query(kMachinesQuery);
  if (!only_id.empty()) {
    query += fmt::format("\n| where DeviceId == '{}'", only_id);  // id checked by the caller
  }
  kql::QueryOptions options;
  options.limits.max_result_rows = 100000;
  options.limits.timeout = std::chrono::seconds(60);
  auto result = ctx.engine->Run(query, options);
  if (!result.has_value()) {
    return InternalError("machine query failed: {}", result.error().ToString());
  }
  VIGIL_ASSIGN_OR_RETURN(JsonValue table,
                         odata::ParseJson(kql::FormatJson(*result), size_t{1} << 30));
  std::vector<JsonValue> machines;
  const JsonValue* rows = table.Find("Results");
  if (rows == nullptr) {
    return machines;
  }
  std::map<std::string, detect::Severity> risk;
  if (ctx.alerts != nullptr) {
    detect::alerts::AlertFilter filter;
    filter.limit = 100000;
    VIGIL_ASSIGN_OR_RETURN(auto alerts, ctx.alerts->List(filter));
    risk = DeviceRisk(alerts);
  }
  const int64_t now_us = NowTicks() / kTicksPerMicrosecond;
  for (const JsonValue& row : rows->items()) {
    JsonValue machine = MachineJson(row, now_us);
    if (auto it = risk.find(Text(row, "DeviceId")); it != risk.end()) {
      machine.Set("riskScore", JsonValue::String(std::string(detect::SeverityName(it->second))));
    }
    machines.push_back(std::move(machine));
  }
  return machines;
}

bool SafeId(std::string_view id) {
  if (id.empty() || id.size() > 128) {
    return false;
  }
  for (const char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
      return false;
    }
  }
  return true;
}

std::string_view DefenderActionType(ActionType type) {
  switch (type) {
    case ActionType::kIsolateDevice:
      return "Isolate";
    case ActionType::kUnisolateDevice:
      return "Unisolate";
    case ActionType::kRunAntivirusScan:
      return "RunAntiVirusScan";
    case ActionType::kCollectInvestigationPackage:
      return "CollectInvestigationPackage";
    default:
      return respond::ActionTypeName(type);
  }
}

struct MachineActionRoute {
  std::string_view path;
  ActionType type;
  std::string_view scope_key;  // "IsolationType", "ScanType" or ""
};

constexpr MachineActionRoute kMachineActions[] = {
    {"isolate", ActionType::kIsolateDevice, "IsolationType"},
    {"unisolate", ActionType::kUnisolateDevice, ""},
    {"runAntiVirusScan", ActionType::kRunAntivirusScan, "ScanType"},
    {"StopAndQuarantineFile", ActionType::kStopAndQuarantineFile, ""},
    {"collectInvestigationPackage", ActionType::kCollectInvestigationPackage, ""},
    {"restrictCodeExecution", ActionType::kRestrictCodeExecution, ""},
    {"unrestrictCodeExecution", ActionType::kUnrestrictCodeExecution, ""},
};

bool IsHex(std::string_view text) {
  for (const char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return !text.empty();
}

ApiResponse ProposeMachineAction(const ApiContext& ctx, const ApiRequest& request,
                                 const MachineActionRoute& route) {
  const std::string& machine_id = request.params.at("id");
  if (!SafeId(machine_id)) {
    return NotFound(request, fmt::format("Machine {} was not found", machine_id));
  }
  std::vector<std::string_view> allowed = {"Comment"};
  if (!route.scope_key.empty()) {
    allowed.push_back(route.scope_key);
  }
  if (route.type == ActionType::kStopAndQuarantineFile) {
    allowed.push_back("Sha1");
  }
  ApiResponse error;
  auto body = ParseBody(request, allowed, error);
  if (!body) {
    return error;
  }
  bool bad = false;
  const std::string comment = StringMember(*body, "Comment", bad).value_or("");
  std::string scope =
      route.scope_key.empty() ? "" : StringMember(*body, route.scope_key, bad).value_or("");
  const std::string sha1 = StringMember(*body, "Sha1", bad).value_or("");
  if (bad) {
    return BadRequest(request, "machine action properties must be strings", "InvalidRequestBody");
  }
  if (comment.empty()) {
    return BadRequest(request, "'Comment' is required", "MissingRequiredParameter");
  }
  if (route.type == ActionType::kIsolateDevice) {
    scope = scope.empty() ? "Full" : scope;
    if (scope != "Full" && scope != "Selective" && scope != "UnManagedDevice") {
      return BadRequest(request, "IsolationType must be Full, Selective or UnManagedDevice",
                        "InvalidInput");
    }
  }
  if (route.type == ActionType::kRunAntivirusScan) {
    scope = scope.empty() ? "Full" : scope;
    if (scope != "Quick" && scope != "Full") {
      return BadRequest(request, "ScanType must be Quick or Full", "InvalidInput");
    }
  }
  if (route.type == ActionType::kStopAndQuarantineFile && !(sha1.size() == 40 && IsHex(sha1))) {
    return BadRequest(request, "'Sha1' must be a SHA-1 hash (40 hex digits)", "InvalidHashValue");
  }
  std::string machine_name;
  if (ctx.engine != nullptr) {
    auto found = Machines(ctx, machine_id);
    if (!found.has_value()) {
      return StatusResponse(found.error(), request);
    }
    if (found->empty()) {
      return NotFound(request, fmt::format("Machine {} was not found", machine_id));
    }
    const JsonValue* name = (*found)[0].Find("computerDnsName");
    machine_name = name != nullptr && name->is_string() ? name->string_value() : "";
  }
  respond::ActionFilter filter;
  filter.connector = respond::Connector::kEndpoint;
  filter.limit = 100000;
  auto existing = ctx.actions->List(filter);
  if (!existing.has_value()) {
    return StatusResponse(existing.error(), request);
  }
  for (const Action& action : *existing) {
    if (action.type == route.type && action.target.device_id == machine_id &&
        (action.status == ActionStatus::kPending || action.status == ActionStatus::kInProgress)) {
      return BadRequest(request,
                        fmt::format("Action is already in progress (machine action {})", action.id),
                        "ActiveRequestAlreadyExists");
    }
  }
  Action action;
  action.type = route.type;
  action.target.entity_type = "Machine";
  action.target.device_id = machine_id;
  action.target.device_name = machine_name;
  action.connector = respond::DefaultConnector(route.type);
  action.approval = respond::ApprovalState::kNotRequired;
  action.source = respond::ActionSource(route.type, /*automated=*/false);
  action.requestor = request.principal.name;
  action.reason = comment;
  action.scope = scope;
  action.target.sha1 = sha1;
  auto id = ctx.actions->Propose(std::move(action), request.principal.name);
  if (!id.has_value()) {
    return StatusResponse(id.error(), request);
  }
  auto stored = ctx.actions->Get(*id);
  if (!stored.has_value()) {
    return StatusResponse(stored.error(), request);
  }
  return JsonResponse(201, MachineActionJson(*stored));
}

}  // namespace

JsonValue MachineActionJson(const Action& action) {
  JsonValue v = JsonValue::Object();
  const bool cancelled = action.status == ActionStatus::kCancelled;
  v.Set("id", JsonValue::String(std::to_string(action.id)))
      .Set("type", JsonValue::String(std::string(DefenderActionType(action.type))))
      .Set("title", JsonValue::String(action.source))
      .Set("requestor", JsonValue::String(action.requestor))
      .Set("requestorComment", JsonValue::String(action.reason))
      .Set("requestSource", JsonValue::String("PublicApi"))
      .Set("status", JsonValue::String(std::string(respond::ActionStatusName(action.status))))
      .Set("machineId", JsonValue::StringOrNull(action.target.device_id))
      .Set("computerDnsName", JsonValue::StringOrNull(action.target.device_name))
      .Set("creationDateTimeUtc", TimeValue(action.created_us))
      .Set("lastUpdateDateTimeUtc", TimeValue(action.updated_us))
      .Set("cancellationRequestor",
           cancelled ? JsonValue::StringOrNull(action.decided_by) : JsonValue())
      .Set("cancellationComment",
           cancelled ? JsonValue::StringOrNull(action.decision_comment) : JsonValue())
      .Set("cancellationDateTimeUtc", cancelled ? TimeValue(action.updated_us) : JsonValue())
      .Set("errorHResult", JsonValue::Int(action.status == ActionStatus::kFailed ? -1 : 0))
      .Set("scope", JsonValue::StringOrNull(action.scope))
      .Set("externalId", JsonValue())
      .Set("commands", JsonValue::Array());
  if (!action.target.sha1.empty() || !action.target.sha256.empty()) {
    const bool sha1 = !action.target.sha1.empty();
    JsonValue file = JsonValue::Object();
    file.Set("fileIdentifier", JsonValue::String(sha1 ? action.target.sha1 : action.target.sha256))
        .Set("fileIdentifierType", JsonValue::String(sha1 ? "Sha1" : "Sha256"));
    v.Set("relatedFileInfo", std::move(file));
  } else {
    v.Set("relatedFileInfo", JsonValue());
  }
  return v;
}

void RegisterMachineRoutes(Router& router, const ApiContext& ctx) {
  router.Add("GET", "/api/machines", Role::kViewer, [ctx](const ApiRequest& request) {
    if (ctx.engine == nullptr) {
      return Unavailable(request, "the telemetry store");
    }
    odata::QueryLimits limits;
    limits.default_top = kDefenderMaxTop;
    limits.max_top = kDefenderMaxTop;
    static const std::vector<std::string> kFields = MachineJson(JsonValue::Object(), 0).keys();
    limits.fields = kFields;
    ApiResponse error;
    auto options = ParseOptions(request, limits, error);
    if (!options) {
      return error;
    }
    auto machines = Machines(ctx, "");
    if (!machines.has_value()) {
      return StatusResponse(machines.error(), request);
    }
    return ListResponse(request, "Machines", *options,
                        odata::ApplyQuery(*options, std::move(*machines)));
  });
  router.Add("GET", "/api/machines/{id}", Role::kViewer, [ctx](const ApiRequest& request) {
    if (ctx.engine == nullptr) {
      return Unavailable(request, "the telemetry store");
    }
    const std::string& id = request.params.at("id");
    if (!SafeId(id)) {
      return NotFound(request, fmt::format("Machine {} was not found", id));
    }
    auto machines = Machines(ctx, id);
    if (!machines.has_value()) {
      return StatusResponse(machines.error(), request);
    }
    if (machines->empty()) {
      return NotFound(request, fmt::format("Machine {} was not found", id));
    }
    return JsonResponse(200, (*machines)[0]);
  });
  for (const MachineActionRoute& route : kMachineActions) {
    router.Add("POST", fmt::format("/api/machines/{{id}}/{}", route.path), Role::kResponder,
               [ctx, route](const ApiRequest& request) {
                 if (ctx.actions == nullptr) {
                   return Unavailable(request, "the action store");
                 }
                 return ProposeMachineAction(ctx, request, route);
               });
  }
  router.Add("GET", "/api/machineactions", Role::kViewer, [ctx](const ApiRequest& request) {
    if (ctx.actions == nullptr) {
      return Unavailable(request, "the action store");
    }
    odata::QueryLimits limits;
    limits.default_top = kDefenderMaxTop;
    limits.max_top = kDefenderMaxTop;
    static const std::vector<std::string> kFields = MachineActionJson(Action{}).keys();
    limits.fields = kFields;
    ApiResponse error;
    auto options = ParseOptions(request, limits, error);
    if (!options) {
      return error;
    }
    respond::ActionFilter filter;
    filter.limit = 100000;
    auto actions = ctx.actions->List(filter);
    if (!actions.has_value()) {
      return StatusResponse(actions.error(), request);
    }
    std::vector<JsonValue> records;
    for (const Action& action : *actions) {
      if (!action.target.device_id.empty()) {
        records.push_back(MachineActionJson(action));
      }
    }
    return ListResponse(request, "MachineActions", *options,
                        odata::ApplyQuery(*options, std::move(records)));
  });
  router.Add("GET", "/api/machineactions/{id}", Role::kViewer, [ctx](const ApiRequest& request) {
    if (ctx.actions == nullptr) {
      return Unavailable(request, "the action store");
    }
    int64_t id = 0;
    const std::string& text = request.params.at("id");
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc() || ptr != text.data() + text.size()) {
      return NotFound(request, fmt::format("Machine action {} was not found", text));
    }
    auto action = ctx.actions->Get(id);
    if (!action.has_value()) {
      return StatusResponse(action.error(), request);
    }
    return JsonResponse(200, MachineActionJson(*action));
  });
  // Cancel a pending or running machine action: {"Comment":"..."} -> 200 + the MachineAction
  // (status Cancelled); 400 when it has already finished.
  router.Add("POST", "/api/machineactions/{id}/cancel", Role::kResponder,
             [ctx](const ApiRequest& request) {
               if (ctx.actions == nullptr) {
                 return Unavailable(request, "the action store");
               }
               ApiResponse error;
               auto body = ParseBody(request, {"Comment"}, error);
               if (!body) {
                 return error;
               }
               bool bad = false;
               const std::string comment = StringMember(*body, "Comment", bad).value_or("");
               if (bad || comment.empty()) {
                 return BadRequest(request, "Comment is required", "MissingRequiredParameter");
               }
               int64_t id = 0;
               const std::string& text = request.params.at("id");
               auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
               if (ec != std::errc() || ptr != text.data() + text.size()) {
                 return NotFound(request, fmt::format("Machine action {} was not found", text));
               }
               auto cancelled = ctx.actions->Cancel(id, request.principal.name, comment);
               if (!cancelled.has_value()) {
                 return StatusResponse(cancelled.error(), request);
               }
               return JsonResponse(200, MachineActionJson(*cancelled));
             });
}

}  // namespace vigil::api::resources

// Settings: the automation policy (GET/PUT /api/settings/automation over
// <data>/automation.yml) and API apps and keys (GET/POST /api/settings/apps, DELETE
// /api/settings/apps/{id} over AuthStore). Secrets appear once, in the POST answer; the server
// audits method, path and status only. Nothing here changes a cached data area.
#include <fmt/format.h>

#include <filesystem>

#include "vigil/api/auth/auth_store.h"
#include "vigil/api/auth/authenticator.h"
#include "vigil/api/console/console_detections.h"
#include "vigil/api/console/console_route_util.h"
#include "vigil/api/console/console_routes.h"
#include "vigil/api/resources/resource_util.h"
#include "vigil/respond/automation.h"

namespace vigil::api::console {
namespace {

namespace fs = std::filesystem;

constexpr respond::AutomationLevel kLevels[] = {
    respond::AutomationLevel::kFull, respond::AutomationLevel::kSemiRequireApprovalAllFolders,
    respond::AutomationLevel::kSemiRequireApprovalCoreFolders,
    respond::AutomationLevel::kSemiRequireApprovalNonTempFolders,
    respond::AutomationLevel::kNoAutomatedResponse};
constexpr std::string_view kDomains[] = {"endpoint", "email", "identity", "cloud"};
constexpr respond::Domain kDomainValues[] = {respond::Domain::kEndpoint, respond::Domain::kEmail,
                                             respond::Domain::kIdentity, respond::Domain::kCloud};

JsonValue LevelsJson(const respond::DomainLevels& levels) {
  JsonValue out = JsonValue::Object();
  for (size_t i = 0; i < std::size(kDomains); ++i) {
    out.Set(
        kDomains[i],
        JsonValue::String(std::string(respond::AutomationLevelName(levels.For(kDomainValues[i])))));
  }
  return out;
}

JsonValue PolicyJson(const respond::AutomationPolicy& policy) {
  JsonValue groups = JsonValue::Object();
  for (const auto& [name, levels] : policy.device_groups) {
    groups.Set(name, LevelsJson(levels));
  }
  JsonValue levels = JsonValue::Array();
  for (const auto level : kLevels) {
    levels.Push(JsonValue::String(std::string(respond::AutomationLevelName(level))));
  }
  JsonValue out = JsonValue::Object();
  out.Set("defaults", LevelsJson(policy.defaults))
      .Set("deviceGroups", std::move(groups))
      .Set("levels", std::move(levels));
  return out;
}

// `{"endpoint": "Full", ...}` as YAML flow-map text; "" when valid, else the 400 message.
std::string LevelsYaml(const JsonValue& levels, std::string_view where, std::string& out) {
  if (levels.kind() != JsonValue::Kind::kObject) {
    return fmt::format("'{}' must be an object of domain: level", where);
  }
  out = "{";
  for (size_t i = 0; i < levels.keys().size(); ++i) {
    const std::string& domain = levels.keys()[i];
    const JsonValue& value = levels.items()[i];
    if (std::find(std::begin(kDomains), std::end(kDomains), domain) == std::end(kDomains)) {
      return fmt::format("unknown domain '{}.{}' (endpoint, email, identity, cloud)", where,
                         domain.substr(0, 64));
    }
    if (!value.is_string() || !respond::ParseAutomationLevel(value.string_value())) {
      return fmt::format(
          "'{}.{}' must be one of Full, SemiRequireApprovalAllFolders, "
          "SemiRequireApprovalCoreFolders, SemiRequireApprovalNonTempFolders, NoAutomatedResponse",
          where, domain);
    }
    out += fmt::format(
        "{}{}: {}", i == 0 ? "" : ", ", domain,
        respond::AutomationLevelName(*respond::ParseAutomationLevel(value.string_value())));
  }
  out += "}";
  return "";
}

// The YAML of a PUT body; "" when valid, else the 400 message.
std::string PolicyYaml(const JsonValue& body, std::string& yaml) {
  yaml = "# Automation levels, written by the Vigil console (PUT /api/settings/automation).\n";
  if (const JsonValue* defaults = body.Find("defaults"); defaults != nullptr) {
    std::string levels;
    if (std::string why = LevelsYaml(*defaults, "defaults", levels); !why.empty()) {
      return why;
    }
    yaml += "defaults: " + levels + "\n";
  }
  const JsonValue* groups = body.Find("deviceGroups");
  if (groups == nullptr || groups->is_null()) {
    return "";
  }
  if (groups->kind() != JsonValue::Kind::kObject) {
    return "'deviceGroups' must be an object of group name: levels";
  }
  if (!groups->keys().empty()) {
    yaml += "device_groups:\n";
  }
  for (size_t i = 0; i < groups->keys().size(); ++i) {
    const std::string& name = groups->keys()[i];
    if (name.empty() || name.size() > 256) {
      return "device group names must have 1 to 256 characters";
    }
    std::string levels;
    if (std::string why = LevelsYaml(groups->items()[i], "deviceGroups." + name, levels);
        !why.empty()) {
      return why;
    }
    yaml += fmt::format("  {}: {}\n", YamlQuoted(name), levels);
  }
  return "";
}

std::string IsoSeconds(int64_t unix_s) {
  return resources::TimeValue(unix_s * 1'000'000).string_value();
}

JsonValue AppJson(std::string_view id, std::string_view name, Role role, std::string_view kind,
                  std::string_view source, int64_t created_s, bool revoked) {
  JsonValue out = JsonValue::Object();
  out.Set("id", JsonValue::String(std::string(id)))
      .Set("name", JsonValue::String(std::string(name)))
      .Set("role", JsonValue::String(std::string(RoleName(role))))
      .Set("kind", JsonValue::String(std::string(kind)))
      .Set("source", JsonValue::StringOrNull(std::string(source)))
      .Set("createdTime", JsonValue::String(IsoSeconds(created_s)))
      .Set("revoked", JsonValue::Bool(revoked));
  return out;
}

void RegisterAutomationRoutes(Router& router, const ConsoleContext& ctx) {
  // Investigations in `vigil serve` load <data>/automation.yml on every run
  // (apps/vigil/incident_response.cpp), so a PUT applies from the next run without a reload.
  const fs::path path = fs::path(ctx.data_dir) / "automation.yml";
  router.Add("GET", "/api/settings/automation", Role::kViewer, [path](const ApiRequest& request) {
    auto policy = respond::LoadAutomationPolicy(path.string());
    if (!policy.has_value()) {
      return StatusResponse(policy.error(), request);
    }
    return JsonResponse(200, PolicyJson(*policy));
  });
  router.Add("PUT", "/api/settings/automation", Role::kAdmin, [path](const ApiRequest& request) {
    ApiResponse error;
    auto body = resources::ParseBody(request, {"defaults", "deviceGroups", "levels"}, error);
    if (!body) {
      return error;
    }
    std::string yaml;
    if (std::string why = PolicyYaml(*body, yaml); !why.empty()) {
      return BadRequest(request, why, "InvalidRequestBody");
    }
    auto policy = respond::ParseAutomationPolicy(yaml, "automation.yml");
    if (!policy.has_value()) {
      return BadRequest(request, policy.error().message(), "InvalidRequestBody");
    }
    if (Status written = WriteFileAtomically(path, yaml); !written.ok()) {
      return StatusResponse(written, request);
    }
    return JsonResponse(200, PolicyJson(*policy));
  });
  router.SetWrites("PUT", "/api/settings/automation", kAreaNone);
}

void RegisterAppRoutes(Router& router, const ConsoleContext& ctx) {
  const Authenticator* authenticator = ctx.authenticator;
  const auto guarded = GuardedBy(ctx.auth, "the credential store");
  router.Add(
      "GET", "/api/settings/apps", Role::kAdmin,
      guarded([](AuthStore& store, const ApiRequest& request) {
        auto apps = store.ListApps();
        auto keys = store.ListApiKeys();
        if (!apps.has_value() || !keys.has_value()) {
          return StatusResponse(!apps.has_value() ? apps.error() : keys.error(), request);
        }
        JsonValue items = JsonValue::Array();
        for (const AppRecord& a : *apps) {
          items.Push(AppJson(a.client_id, a.name, a.role, "app", a.source, a.created_s, a.revoked));
        }
        for (const ApiKeyRecord& k : *keys) {
          items.Push(AppJson(k.id, k.name, k.role, "key", k.source, k.created_s, k.revoked));
        }
        return JsonResponse(200, ValueList(std::move(items)));
      }));
  router.Add(
      "POST", "/api/settings/apps", Role::kAdmin,
      guarded([](AuthStore& store, const ApiRequest& request) {
        ApiResponse error;
        auto body = resources::ParseBody(request, {"name", "role", "kind", "source"}, error);
        if (!body) {
          return error;
        }
        bool bad = false;
        const auto name = resources::StringMember(*body, "name", bad);
        const auto role_text = resources::StringMember(*body, "role", bad);
        const auto kind = resources::StringMember(*body, "kind", bad);
        const auto source = resources::StringMember(*body, "source", bad);
        if (bad || !name || name->empty() || name->size() > 200) {
          return BadRequest(request, "'name' must be a string of 1 to 200 characters",
                            "InvalidRequestBody");
        }
        const std::optional<Role> role = role_text ? ParseRole(*role_text) : std::optional<Role>();
        if (!role) {
          return BadRequest(request, "'role' must be viewer, analyst, responder, admin or ingest",
                            "InvalidRequestBody");
        }
        if (!kind || (*kind != "app" && *kind != "key")) {
          return BadRequest(request, "'kind' must be \"app\" or \"key\"", "InvalidRequestBody");
        }
        const std::string source_text = source.value_or("");
        JsonValue out = JsonValue::Object();
        if (*kind == "key") {
          auto key = store.CreateApiKey(*name, *role, source_text);
          if (!key.has_value()) {
            return StatusResponse(key.error(), request);
          }
          out.Set("id", JsonValue::String(key->id)).Set("apiKey", JsonValue::String(key->key));
        } else {
          auto app = store.CreateApp(*name, *role, source_text);
          if (!app.has_value()) {
            return StatusResponse(app.error(), request);
          }
          out.Set("id", JsonValue::String(app->client_id))
              .Set("clientId", JsonValue::String(app->client_id))
              .Set("clientSecret", JsonValue::String(app->client_secret));
        }
        out.Set("name", JsonValue::String(*name))
            .Set("role", JsonValue::String(std::string(RoleName(*role))))
            .Set("kind", JsonValue::String(*kind));
        ApiResponse response = JsonResponse(201, out);
        response.headers["Cache-Control"] = "no-store";  // the secret is shown once
        return response;
      }));
  router.Add("DELETE", "/api/settings/apps/{id}", Role::kAdmin,
             guarded([authenticator](AuthStore& store, const ApiRequest& request) {
               if (Status revoked = store.Revoke(request.params.at("id")); !revoked.ok()) {
                 return StatusResponse(revoked, request);
               }
               if (authenticator != nullptr) {
                 authenticator->ForgetCachedCredentials();  // takes effect now, not after the TTL
               }
               return NoContent();
             }));
  router.SetWrites("POST", "/api/settings/apps", kAreaNone);
  router.SetWrites("DELETE", "/api/settings/apps/{id}", kAreaNone);
}

}  // namespace

void RegisterSettingsRoutes(Router& router, const ConsoleContext& ctx) {
  RegisterAutomationRoutes(router, ctx);
  RegisterAppRoutes(router, ctx);
}

}  // namespace vigil::api::console

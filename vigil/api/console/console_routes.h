// The routes the web console needs beyond the Defender-shaped API: saved hunting queries
// (/api/hunting/queries), custom detection rules (/api/detectionrules), Sigma/correlation rule
// switches (/api/rules), the automation policy (/api/settings/automation) and API apps
// (/api/settings/apps). Registered by `vigil serve`; handlers are thread-safe as far as the
// objects in ConsoleContext are (all of them are).
#pragma once

#include <string>

#include "vigil/api/http_types.h"

namespace vigil::api {
class AuthStore;
class Authenticator;
}  // namespace vigil::api

namespace vigil::api::console {

class ConsoleStore;
class ConsoleDetections;

struct ConsoleContext {
  std::string data_dir;                          // automation.yml lives here
  ConsoleStore* store = nullptr;                 // saved queries; routes answer 503 when null
  ConsoleDetections* detections = nullptr;       // detection rules and rule switches
  AuthStore* auth = nullptr;                     // API apps
  const Authenticator* authenticator = nullptr;  // forgets cached credentials after a revoke
};

// Adds every console route (roles: see docs/API.md). The objects `ctx` points to must outlive
// the router.
void RegisterConsoleRoutes(Router& router, const ConsoleContext& ctx);

// Per area (console_routes.cpp calls them).
void RegisterSavedQueryRoutes(Router& router, const ConsoleContext& ctx);
void RegisterDetectionRuleRoutes(Router& router, const ConsoleContext& ctx);
void RegisterSettingsRoutes(Router& router, const ConsoleContext& ctx);

}  // namespace vigil::api::console

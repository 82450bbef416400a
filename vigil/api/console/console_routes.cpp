#include "vigil/api/console/console_routes.h"

namespace vigil::api::console {

void RegisterConsoleRoutes(Router& router, const ConsoleContext& ctx) {
  RegisterSavedQueryRoutes(router, ctx);
  RegisterDetectionRuleRoutes(router, ctx);
  RegisterSettingsRoutes(router, ctx);
}

}  // namespace vigil::api::console

// The Defender- and Graph-shaped resources of `vigil serve`: incidents, alerts, machines and
// machine actions, indicators, investigations, the Action center and the connector queue
// (/api/...), and Graph security v1.0 incidents and alerts_v2 (/v1.0/security/...). Called by
// the server at startup; the handlers are thread-safe as far as the stores in ApiContext are.
#pragma once

#include "vigil/api/api_context.h"
#include "vigil/api/http_types.h"

namespace vigil::api {

// Adds every resource route. Reads need the viewer role, triage changes (PATCH, comments) the
// analyst role, device actions, action approval and connector calls the responder role, and
// indicator changes the responder role. `ctx` is copied; the stores it points to must outlive
// the router. Routes whose store is null answer 503.
void RegisterResourceRoutes(Router& router, const ApiContext& ctx);

}  // namespace vigil::api

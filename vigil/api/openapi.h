// The OpenAPI 3.0 document of the running server, built from the Router's routes: paths,
// methods, path parameters, bearer security and each route's least role (x-vigil-role).
// Served by `vigil serve` at GET /api/openapi.json (public). Pure function; thread-safe.
#pragma once

#include <string>

#include "vigil/api/http_types.h"

namespace vigil::api {

std::string OpenApiJson(const Router& router);

// Adds GET /api/openapi.json answering OpenApiJson(router) as it is when the first request
// comes (register it last). Role viewer: the server treats this path as public.
void RegisterOpenApiRoute(Router& router);

}  // namespace vigil::api

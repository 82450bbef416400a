// Helpers shared by the console route files (saved_query_routes.cpp, detection_rule_routes.cpp,
// settings_routes.cpp): the 503 guard for an optional backing object and the common response
// shapes. Internal to vigil/api/console. Pure functions; thread-safe.
#pragma once

#include <string_view>
#include <utility>

#include "vigil/api/http_types.h"
#include "vigil/api/odata/json_value.h"
#include "vigil/api/resources/resource_util.h"

namespace vigil::api::console {

using odata::JsonValue;
using resources::BadRequest;
using resources::JsonResponse;
using resources::StatusResponse;

// Wraps handlers `body(T&, const ApiRequest&)` over `object` into route handlers that answer
// 503 ("<what> is not available in this server") while `object` is null. `what` must outlive
// the router (a string literal).
template <typename T>
auto GuardedBy(T* object, std::string_view what) {
  return [object, what](auto body) {
    return [object, what, body](const ApiRequest& request) {
      if (object == nullptr) {
        return resources::Unavailable(request, what);
      }
      return body(*object, request);
    };
  };
}

// {"value": items}.
JsonValue ValueList(JsonValue items);

// 200 {"value": [to_json(item), ...]}.
template <typename Range, typename ToJson>
ApiResponse ValueListResponse(const Range& items, ToJson to_json) {
  JsonValue list = JsonValue::Array();
  for (const auto& item : items) {
    list.Push(to_json(item));
  }
  return JsonResponse(200, ValueList(std::move(list)));
}

// 204 with no body.
ApiResponse NoContent();

}  // namespace vigil::api::console

#include "vigil/api/console/console_route_util.h"

namespace vigil::api::console {

JsonValue ValueList(JsonValue items) {
  JsonValue out = JsonValue::Object();
  out.Set("value", std::move(items));
  return out;
}

ApiResponse NoContent() {
  ApiResponse response;
  response.status = 204;
  return response;
}

}  // namespace vigil::api::console

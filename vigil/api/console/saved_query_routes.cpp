// Saved hunting queries: GET/POST /api/hunting/queries, PATCH/DELETE /api/hunting/queries/{id}.
// A query is private to its owner (Principal::name) unless shared; only the owner or an admin
// changes or deletes it. Answers depend on the caller, so none is cacheable; they change no
// cached data area.
#include <fmt/format.h>

#include "vigil/api/console/console_route_util.h"
#include "vigil/api/console/console_routes.h"
#include "vigil/api/console/console_store.h"
#include "vigil/api/resources/resource_util.h"
#include "vigil/base/time.h"

namespace vigil::api::console {
namespace {

constexpr size_t kMaxNameChars = 200;
constexpr size_t kMaxQueryBytes = 64 * 1024;
constexpr size_t kMaxDescriptionBytes = 4096;

// UTF-8 characters (code points) of `text`.
size_t CharCount(std::string_view text) {
  size_t n = 0;
  for (const char c : text) {
    n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  }
  return n;
}

JsonValue QueryJson(const SavedQuery& q) {
  JsonValue out = JsonValue::Object();
  out.Set("id", JsonValue::String(std::to_string(q.id)))
      .Set("name", JsonValue::String(q.name))
      .Set("query", JsonValue::String(q.query))
      .Set("description", JsonValue::String(q.description))
      .Set("shared", JsonValue::Bool(q.shared))
      .Set("owner", JsonValue::String(q.owner))
      .Set("createdTime", resources::TimeValue(q.created_us))
      .Set("lastUpdateTime", resources::TimeValue(q.updated_us));
  return out;
}

// Reads the members of a POST (`create`) or PATCH body into `patch`; "" when valid, else the
// message for the 400.
std::string ReadPatch(const JsonValue& body, bool create, SavedQueryPatch& patch) {
  bool bad = false;
  patch.name = resources::StringMember(body, "name", bad);
  if (bad || (create && !patch.name) ||
      (patch.name && (patch.name->empty() || CharCount(*patch.name) > kMaxNameChars))) {
    return fmt::format("'name' must be a string of 1 to {} characters", kMaxNameChars);
  }
  patch.query = resources::StringMember(body, "query", bad);
  if (bad || (create && !patch.query) ||
      (patch.query && (patch.query->find_first_not_of(" \t\r\n") == std::string::npos ||
                       patch.query->size() > kMaxQueryBytes))) {
    return fmt::format("'query' must be a non-empty string of at most {} bytes", kMaxQueryBytes);
  }
  patch.description = resources::StringMember(body, "description", bad);
  if (bad || (patch.description && patch.description->size() > kMaxDescriptionBytes)) {
    return fmt::format("'description' must be a string of at most {} bytes", kMaxDescriptionBytes);
  }
  if (const JsonValue* shared = body.Find("shared"); shared != nullptr) {
    if (shared->kind() != JsonValue::Kind::kBool) {
      return "'shared' must be true or false";
    }
    patch.shared = shared->bool_value();
  }
  return "";
}

// The patch a POST (`create`) or PATCH body describes; nullopt with `error` set (400) otherwise.
std::optional<SavedQueryPatch> ParsePatch(const ApiRequest& request, bool create,
                                          ApiResponse& error) {
  auto body = resources::ParseBody(request, {"name", "query", "description", "shared"}, error);
  if (!body) {
    return std::nullopt;
  }
  SavedQueryPatch patch;
  if (std::string why = ReadPatch(*body, create, patch); !why.empty()) {
    error = BadRequest(request, why, "InvalidRequestBody");
    return std::nullopt;
  }
  return patch;
}

// The query the caller may change: 404 when it does not exist or is another user's private
// query (its existence is not revealed), 403 when it is shared but not the caller's.
std::optional<SavedQuery> Changeable(ConsoleStore& store, const ApiRequest& request,
                                     ApiResponse& error) {
  const std::optional<int64_t> id = resources::PositiveIdParam(request);
  const auto not_found = [&] {
    return resources::NotFound(
        request, fmt::format("saved query '{}' was not found", request.params.at("id")));
  };
  if (!id) {
    error = not_found();
    return std::nullopt;
  }
  auto query = store.GetQuery(*id);
  if (!query.has_value()) {
    error = query.error().code() == StatusCode::kNotFound ? not_found()
                                                          : StatusResponse(query.error(), request);
    return std::nullopt;
  }
  const bool admin = request.principal.role == Role::kAdmin;
  const bool owner = query->owner == request.principal.name;
  if (!owner && !admin) {
    if (!query->shared) {
      error = not_found();
    } else {
      error = ErrorResponse(403, "Forbidden",
                            "only the owner of a saved query or an admin may change it",
                            ErrorStyle::kDefender);
    }
    return std::nullopt;
  }
  return std::move(*query);
}

}  // namespace

void RegisterSavedQueryRoutes(Router& router, const ConsoleContext& ctx) {
  const auto guarded = GuardedBy(ctx.store, "the console store");
  router.Add("GET", "/api/hunting/queries", Role::kViewer,
             guarded([](ConsoleStore& s, const ApiRequest& request) {
               auto list = s.ListQueries(request.principal.name);
               if (!list.has_value()) {
                 return StatusResponse(list.error(), request);
               }
               return ValueListResponse(*list, QueryJson);
             }));
  router.Add("POST", "/api/hunting/queries", Role::kViewer,
             guarded([](ConsoleStore& s, const ApiRequest& request) {
               ApiResponse error;
               const std::optional<SavedQueryPatch> patch = ParsePatch(request, true, error);
               if (!patch) {
                 return error;
               }
               SavedQuery q;
               q.name = *patch->name;
               q.query = *patch->query;
               q.description = patch->description.value_or("");
               q.shared = patch->shared.value_or(false);
               q.owner = request.principal.name;
               auto added = s.AddQuery(std::move(q), NowTicks() / 10);
               if (!added.has_value()) {
                 return StatusResponse(added.error(), request);
               }
               return JsonResponse(201, QueryJson(*added));
             }));
  router.Add("PATCH", "/api/hunting/queries/{id}", Role::kViewer,
             guarded([](ConsoleStore& s, const ApiRequest& request) {
               ApiResponse error;
               const std::optional<SavedQueryPatch> patch = ParsePatch(request, false, error);
               if (!patch) {
                 return error;
               }
               auto query = Changeable(s, request, error);
               if (!query) {
                 return error;
               }
               auto updated = s.UpdateQuery(query->id, *patch, NowTicks() / 10);
               if (!updated.has_value()) {
                 return StatusResponse(updated.error(), request);
               }
               return JsonResponse(200, QueryJson(*updated));
             }));
  router.Add("DELETE", "/api/hunting/queries/{id}", Role::kViewer,
             guarded([](ConsoleStore& s, const ApiRequest& request) {
               ApiResponse error;
               auto query = Changeable(s, request, error);
               if (!query) {
                 return error;
               }
               if (Status deleted = s.DeleteQuery(query->id); !deleted.ok()) {
                 return StatusResponse(deleted, request);
               }
               return NoContent();
             }));
  router.SetWrites("POST", "/api/hunting/queries", kAreaNone);
  router.SetWrites("PATCH", "/api/hunting/queries/{id}", kAreaNone);
  router.SetWrites("DELETE", "/api/hunting/queries/{id}", kAreaNone);
}

}  // namespace vigil::api::console

// The transport-independent shape of an API call: the server (server/) parses HTTP into an
// ApiRequest, the Router finds the route, checks the caller's role and runs its handler, and
// the handler returns an ApiResponse. Handlers are plain functions, so resources and the
// hunting API are tested without sockets. Plain data; Router is immutable after setup and
// then thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace vigil::api {

// Roles in increasing power; a route names the least role it needs. kIngest stands apart: an
// ingestion credential of one source (a sensor, a forwarder) may only call the routes whose
// least role is kIngest (the ingestion endpoint), and those routes also admit responders and
// admins.
enum class Role : uint8_t { kViewer, kAnalyst, kResponder, kAdmin, kIngest };
std::string_view RoleName(Role role);  // "viewer", "analyst", "responder", "admin", "ingest"
std::optional<Role> ParseRole(std::string_view text);
// Whether a caller with `have` may call a route whose least role is `need`.
bool RoleAllows(Role have, Role need);

// Areas of stored data, for the server's response cache: a cacheable read route names the
// areas its answer depends on, a mutating route the areas it may change (all by default).
enum DataArea : uint32_t {
  kAreaNone = 0,
  kAreaTelemetry = 1u << 0,   // the event store (machines are derived from it)
  kAreaAlerts = 1u << 1,      // alerts.db
  kAreaIncidents = 1u << 2,   // incidents.db
  kAreaResponse = 1u << 3,    // response.db: actions, investigations
  kAreaIndicators = 1u << 4,  // indicators.db
  kAreaAll = 0xffffffffu,
};
inline constexpr int kDataAreaBits = 5;

// Who is calling (set by authentication before routing).
struct Principal {
  std::string id;    // app client id, API key id or user name
  std::string name;  // display name for audit entries ("soc-script", "alice")
  Role role = Role::kViewer;
  // For ingestion credentials: the source the credential belongs to ("mail-gw-1"); events it
  // sends are counted under this name. Empty for other callers.
  std::string source;
};

struct ApiRequest {
  std::string method;  // "GET", "POST", "PATCH", "DELETE", upper case
  std::string path;    // decoded path without the query: "/api/incidents/7"
  std::multimap<std::string, std::string> query;  // decoded query parameters ("$filter", ...)
  std::map<std::string, std::string> headers;     // names lower-cased
  std::string body;                               // decoded (gzip/zstd already undone)
  std::map<std::string, std::string> params;      // path parameters, filled by the Router
  Principal principal;
  std::string remote;  // "127.0.0.1:53412"
  std::string scheme = "http";  // "https" on TLS connections (for absolute links)

  // First value of a query parameter, if present.
  std::optional<std::string> Query(std::string_view name) const;
  std::optional<std::string> Header(std::string_view lower_name) const;
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::map<std::string, std::string> headers;  // extra headers (Retry-After, Location, ...)
  std::string body;
  // Set by Router::Dispatch for 200 answers of routes marked cacheable: the server may answer
  // the same GET from its response cache until the data changes.
  bool cacheable = false;
  uint32_t reads = kAreaAll;   // the data areas a cacheable answer depends on
  uint32_t writes = kAreaAll;  // the data areas the call may have changed (mutating methods)
  // Filled by Router::Dispatch: the least role of the route that answered (the cache checks it
  // before serving a cached answer to another caller).
  Role route_role = Role::kViewer;
};

using Handler = std::function<ApiResponse(const ApiRequest&)>;

// The two error bodies clients expect (../shared/reference/api_shapes.md 1.6 and 3.6):
// Defender `{"error":{"code","message","target"}}` for /api/..., Graph
// `{"error":{"code","message","innerError":{"date","request-id"}}}` for /v1.0/... .
enum class ErrorStyle : uint8_t { kDefender, kGraph };
ErrorStyle ErrorStyleFor(std::string_view path);
ApiResponse ErrorResponse(int status, std::string_view code, std::string_view message,
                          ErrorStyle style);

// Routes by method and pattern ("/api/incidents/{id}", "/api/machines/{id}/isolate"); a
// segment in braces binds ApiRequest::params. Dispatch answers 404 for an unknown path, 405
// when the path exists with another method, 403 when the caller's role is below the route's.
class Router {
 public:
  void Add(std::string method, std::string pattern, Role least_role, Handler handler);
  // Marks registered GET routes whose 200 answers depend only on the target and the stored
  // data (not on the caller or the clock): Dispatch then sets ApiResponse::cacheable. Returns
  // kNotFound-style false when a pattern has no GET route (a typo in the list).
  bool MarkCacheable(std::string_view pattern, uint32_t reads = kAreaAll);
  // Narrows the data areas a mutating route may change (kAreaNone for calls that change no
  // stored data, such as hunting queries); false when no such route exists.
  bool SetWrites(std::string_view method, std::string_view pattern, uint32_t areas);
  ApiResponse Dispatch(ApiRequest& request) const;
  // Every route, for the OpenAPI document: (method, pattern, least role).
  std::vector<std::tuple<std::string, std::string, Role>> Routes() const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    std::string pattern;
    Role least_role;
    Handler handler;
    bool cacheable = false;
    uint32_t reads = kAreaAll;
    uint32_t writes = kAreaAll;
  };
  std::vector<Route> routes_;
};

}  // namespace vigil::api

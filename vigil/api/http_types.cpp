#include "vigil/api/http_types.h"

#include <chrono>

#include <fmt/format.h>

#include "vigil/base/json_escape.h"
#include "vigil/base/time.h"

namespace vigil::api {
namespace {

std::vector<std::string> Segments(std::string_view path) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < path.size()) {
    if (path[pos] == '/') {
      ++pos;
      continue;
    }
    size_t end = path.find('/', pos);
    if (end == std::string_view::npos) {
      end = path.size();
    }
    out.emplace_back(path.substr(pos, end - pos));
    pos = end;
  }
  return out;
}

bool IsParam(const std::string& segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

// Path segments match case-insensitively (Defender's paths are documented in mixed case:
// /api/machines/{id}/runAntiVirusScan vs. runantivirusscan); parameters keep their case.
bool SegmentEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    const char x = (a[i] >= 'A' && a[i] <= 'Z') ? static_cast<char>(a[i] + 32) : a[i];
    const char y = (b[i] >= 'A' && b[i] <= 'Z') ? static_cast<char>(b[i] + 32) : b[i];
    if (x != y) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kViewer:
      return "viewer";
    case Role::kAnalyst:
      return "analyst";
    case Role::kResponder:
      return "responder";
    case Role::kAdmin:
      return "admin";
    case Role::kIngest:
      return "ingest";
  }
  return "viewer";
}

bool RoleAllows(Role have, Role need) {
  if (have == Role::kIngest || need == Role::kIngest) {
    return need == Role::kIngest &&
           (have == Role::kIngest || have == Role::kResponder || have == Role::kAdmin);
  }
  return have >= need;
}

std::optional<Role> ParseRole(std::string_view text) {
  for (Role role :
       {Role::kViewer, Role::kAnalyst, Role::kResponder, Role::kAdmin, Role::kIngest}) {
    if (SegmentEquals(text, RoleName(role))) {
      return role;
    }
  }
  return std::nullopt;
}

std::optional<std::string> ApiRequest::Query(std::string_view name) const {
  auto it = query.find(std::string(name));
  if (it == query.end()) {
    return std::nullopt;
  }
  return it->second;
}

std::optional<std::string> ApiRequest::Header(std::string_view lower_name) const {
  auto it = headers.find(std::string(lower_name));
  if (it == headers.end()) {
    return std::nullopt;
  }
  return it->second;
}

ErrorStyle ErrorStyleFor(std::string_view path) {
  return path.rfind("/v1.0/", 0) == 0 || path.rfind("/beta/", 0) == 0 ? ErrorStyle::kGraph
                                                                       : ErrorStyle::kDefender;
}

ApiResponse ErrorResponse(int status, std::string_view code, std::string_view message,
                          ErrorStyle style) {
  ApiResponse response;
  response.status = status;
  std::string body = "{\"error\":{\"code\":";
  AppendJsonQuoted(body, code);
  body += ",\"message\":";
  AppendJsonQuoted(body, message);
  if (style == ErrorStyle::kGraph) {
    body += ",\"innerError\":{\"date\":";
    AppendJsonQuoted(body, FormatDateTime(NowTicks()).substr(0, 19));
    body += ",\"request-id\":";
    AppendJsonQuoted(body, fmt::format("{:016x}", static_cast<uint64_t>(NowTicks())));
    body += "}";
  } else {
    body += ",\"target\":";
    AppendJsonQuoted(body, fmt::format("{:016x}", static_cast<uint64_t>(NowTicks())));
  }
  body += "}}";
  response.body = std::move(body);
  return response;
}

void Router::Add(std::string method, std::string pattern, Role least_role, Handler handler) {
  Route route;
  route.method = std::move(method);
  route.segments = Segments(pattern);
  route.pattern = std::move(pattern);
  route.least_role = least_role;
  route.handler = std::move(handler);
  routes_.push_back(std::move(route));
}

bool Router::MarkCacheable(std::string_view pattern, uint32_t reads) {
  for (Route& route : routes_) {
    if (route.method == "GET" && route.pattern == pattern) {
      route.cacheable = true;
      route.reads = reads;
      return true;
    }
  }
  return false;
}

bool Router::SetWrites(std::string_view method, std::string_view pattern, uint32_t areas) {
  bool found = false;
  for (Route& route : routes_) {
    if (route.method == method && route.pattern == pattern) {
      route.writes = areas;
      found = true;
    }
  }
  return found;
}

ApiResponse Router::Dispatch(ApiRequest& request) const {
  const std::vector<std::string> segments = Segments(request.path);
  const ErrorStyle style = ErrorStyleFor(request.path);
  bool path_matched = false;
  for (const Route& route : routes_) {
    if (route.segments.size() != segments.size()) {
      continue;
    }
    std::map<std::string, std::string> params;
    bool match = true;
    for (size_t i = 0; i < segments.size() && match; ++i) {
      if (IsParam(route.segments[i])) {
        params[route.segments[i].substr(1, route.segments[i].size() - 2)] = segments[i];
      } else {
        match = SegmentEquals(route.segments[i], segments[i]);
      }
    }
    if (!match) {
      continue;
    }
    path_matched = true;
    if (route.method != request.method) {
      continue;
    }
    if (!RoleAllows(request.principal.role, route.least_role)) {
      ApiResponse denied =
          ErrorResponse(403, "Forbidden",
                        fmt::format("{} {} needs the {} role; the caller has {}", route.method,
                                    route.pattern, RoleName(route.least_role),
                                    RoleName(request.principal.role)),
                        style);
      denied.writes = kAreaNone;
      return denied;
    }
    request.params = std::move(params);
    ApiResponse response = route.handler(request);
    response.route_role = route.least_role;
    response.cacheable = route.cacheable && response.status == 200;
    response.reads = route.reads;
    response.writes = route.writes;
    return response;
  }
  ApiResponse unmatched =
      path_matched
          ? ErrorResponse(405, "MethodNotAllowed",
                          fmt::format("{} is not allowed on {}", request.method, request.path),
                          style)
          : ErrorResponse(404, "NotFound", fmt::format("no resource at {}", request.path), style);
  unmatched.writes = kAreaNone;
  return unmatched;
}

std::vector<std::tuple<std::string, std::string, Role>> Router::Routes() const {
  std::vector<std::tuple<std::string, std::string, Role>> out;
  for (const Route& route : routes_) {
    out.emplace_back(route.method, route.pattern, route.least_role);
  }
  return out;
}

}  // namespace vigil::api

#include "vigil/api/openapi.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "vigil/base/json_escape.h"

namespace vigil::api {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::vector<std::string> PathParameters(const std::string& pattern) {
  std::vector<std::string> out;
  size_t i = 0;
  while ((i = pattern.find('{', i)) != std::string::npos) {
    const size_t end = pattern.find('}', i);
    if (end == std::string::npos) break;
    out.push_back(pattern.substr(i + 1, end - i - 1));
    i = end + 1;
  }
  return out;
}

std::string OperationId(const std::string& method, const std::string& pattern) {
  std::string id = Lower(method);
  bool upper = true;
  for (char c : pattern) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      id += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
      upper = false;
    } else {
      upper = true;
    }
  }
  return id;
}

}  // namespace

std::string OpenApiJson(const Router& router) {
  // pattern -> (method -> role), sorted for a stable document.
  std::map<std::string, std::map<std::string, Role>> paths;
  for (const auto& [method, pattern, role] : router.Routes()) {
    paths[pattern][method] = role;
  }
  std::string out =
      "{\"openapi\":\"3.0.3\",\"info\":{\"title\":\"Vigil API\",\"version\":\"1.0\","
      "\"description\":\"Defender- and Graph-shaped security API of vigil serve\"},"
      "\"components\":{\"securitySchemes\":{\"bearer\":{\"type\":\"http\",\"scheme\":\"bearer\"}}"
      "},\"security\":[{\"bearer\":[]}],\"paths\":{";
  bool first_path = true;
  for (const auto& [pattern, methods] : paths) {
    if (!first_path) out += ',';
    first_path = false;
    AppendJsonQuoted(out, pattern);
    out += ":{";
    const std::vector<std::string> params = PathParameters(pattern);
    if (!params.empty()) {
      out += "\"parameters\":[";
      for (size_t i = 0; i < params.size(); ++i) {
        if (i) out += ',';
        out += "{\"name\":";
        AppendJsonQuoted(out, params[i]);
        out += ",\"in\":\"path\",\"required\":true,\"schema\":{\"type\":\"string\"}}";
      }
      out += "],";
    }
    bool first_method = true;
    for (const auto& [method, role] : methods) {
      if (!first_method) out += ',';
      first_method = false;
      AppendJsonQuoted(out, Lower(method));
      out += ":{\"operationId\":";
      AppendJsonQuoted(out, OperationId(method, pattern));
      out += ",\"x-vigil-role\":";
      AppendJsonQuoted(out, RoleName(role));
      if (pattern == "/api/openapi.json") {
        out += ",\"security\":[]";
      }
      out += ",\"responses\":{\"200\":{\"description\":\"OK\"},"
             "\"400\":{\"description\":\"Bad request\"},"
             "\"401\":{\"description\":\"Unauthorized\"},"
             "\"403\":{\"description\":\"Forbidden: the role is below x-vigil-role\"},"
             "\"429\":{\"description\":\"Too many requests (Retry-After)\"}}}";
    }
    out += '}';
  }
  out += "}}";
  return out;
}

void RegisterOpenApiRoute(Router& router) {
  // The document describes the finished router, which is complete once requests arrive.
  const Router* self = &router;
  auto cache = std::make_shared<std::pair<std::once_flag, std::string>>();
  router.Add("GET", "/api/openapi.json", Role::kViewer, [self, cache](const ApiRequest&) {
    std::call_once(cache->first, [&] { cache->second = OpenApiJson(*self); });
    ApiResponse r;
    r.body = cache->second;
    return r;
  });
}

}  // namespace vigil::api

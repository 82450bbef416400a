// Percent-decoding of request targets and application/x-www-form-urlencoded bodies, shared by
// HttpServer (path and query) and the OAuth2 token endpoint (form body). Pure functions,
// thread-safe. Bad escapes ("%zz", a lone "%") are errors, not guesses.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::api {

// Decodes %XX escapes; with `plus_is_space` (query strings and forms) '+' becomes ' '.
// nullopt for a malformed escape or a decoded NUL byte.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);

// "a=1&b=x+y" -> {a:1, b:"x y"}; a name without '=' gets an empty value, empty pairs are
// skipped. nullopt when any part is malformed.
std::optional<std::multimap<std::string, std::string>> ParseForm(std::string_view text);

struct ParsedTarget {
  std::string path;
  std::multimap<std::string, std::string> query;
};

// "/api/alerts?$top=5" -> path "/api/alerts", query {$top: 5}. The target must start with '/'
// (origin form); nullopt otherwise or when decoding fails.
std::optional<ParsedTarget> ParseTarget(std::string_view target);

}  // namespace vigil::api

// The web console's static files (web/dist, built by tools/setup.sh), answered by `vigil serve`
// for GET paths outside the API: the file itself when it exists under the root, a 404 for a
// missing build asset (/assets/...), index.html for anything else (the single-page app's routes:
// /incidents/7, /users/jdoe@contoso.com). Serves the
// precompressed `.gz` sibling when the client accepts gzip. Hashed build assets under /assets/
// are cached for a year (their name changes with their content); everything else is
// revalidated by ETag. Adds the console's Content-Security-Policy and related headers.
// Paths with "..", backslashes or NULs never reach the file system. Thread-safe: files are read
// on each request (the OS caches them), nothing is shared.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/api/http_types.h"

namespace vigil::api {

class StaticFiles {
 public:
  // `root` must contain index.html for the single-page fallback.
  explicit StaticFiles(std::filesystem::path root);

  // Whether this request is the console's (GET outside /api, /v1.0 and the token endpoints).
  static bool Handles(const ApiRequest& request);
  // The answer for a GET the console handles.
  ApiResponse Serve(const ApiRequest& request) const;

  const std::filesystem::path& root() const { return root_; }

  // The Content-Type for a file name ("app.js" -> "text/javascript; charset=utf-8").
  static std::string_view ContentTypeFor(std::string_view file_name);

 private:
  std::optional<std::filesystem::path> Resolve(std::string_view url_path) const;

  std::filesystem::path root_;
};

// The console's directory for `vigil serve`: `explicit_dir` when given, else $VIGIL_WEB_DIR,
// else the first of `fallbacks` (an installed share/vigil/web, the source tree's web/dist);
// only a directory holding index.html counts. nullopt when none does.
std::optional<std::filesystem::path> FindConsoleDir(
    const std::string& explicit_dir, const std::vector<std::filesystem::path>& fallbacks);

}  // namespace vigil::api

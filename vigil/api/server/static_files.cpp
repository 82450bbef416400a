#include "vigil/api/server/static_files.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <system_error>

#include <fmt/format.h>

namespace vigil::api {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; worker-src 'self' blob:; "
    "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'";

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::optional<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::ostringstream out;
  out << in.rdbuf();
  return std::move(out).str();
}

bool AcceptsGzip(const ApiRequest& request) {
  const auto accept = request.Header("accept-encoding");
  return accept && accept->find("gzip") != std::string::npos;
}

ApiResponse PlainError(int status, std::string_view message) {
  ApiResponse response;
  response.status = status;
  response.content_type = "text/plain; charset=utf-8";
  response.body = std::string(message);
  response.headers["X-Content-Type-Options"] = "nosniff";
  return response;
}

}  // namespace

StaticFiles::StaticFiles(fs::path root) : root_(std::move(root)) {}

bool StaticFiles::Handles(const ApiRequest& request) {
  if (request.method != "GET") {
    return false;
  }
  const std::string_view path = request.path;
  for (std::string_view api_prefix : {"/api/", "/v1.0/", "/oauth2/"}) {
    if (StartsWith(path, api_prefix) || path == api_prefix.substr(0, api_prefix.size() - 1)) {
      return false;
    }
  }
  // "/{tenant}/oauth2/..." (token endpoints are POST, but keep their GETs API-shaped too)
  return path.find("/oauth2/") == std::string_view::npos;
}

std::string_view StaticFiles::ContentTypeFor(std::string_view name) {
  struct Type {
    std::string_view suffix;
    std::string_view type;
  };
  static constexpr Type kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".ttf", "font/ttf"},
      {".wasm", "application/wasm"},
      {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json; charset=utf-8"},
  };
  for (const Type& type : kTypes) {
    if (EndsWith(name, type.suffix)) {
      return type.type;
    }
  }
  return "application/octet-stream";
}

std::optional<fs::path> StaticFiles::Resolve(std::string_view url_path) const {
  if (url_path.find('\0') != std::string_view::npos ||
      url_path.find('\\') != std::string_view::npos) {
    return std::nullopt;
  }
  fs::path relative;
  size_t pos = 0;
  while (pos < url_path.size()) {
    size_t end = url_path.find('/', pos);
    if (end == std::string_view::npos) {
      end = url_path.size();
    }
    const std::string_view segment = url_path.substr(pos, end - pos);
    pos = end + 1;
    if (segment.empty() || segment == ".") {
      continue;
    }
    if (segment == ".." || segment.front() == '.') {
      return std::nullopt;  // no parent references, no hidden files
    }
    relative /= std::string(segment);
  }
  return root_ / relative;
}

ApiResponse StaticFiles::Serve(const ApiRequest& request) const {
  // Build assets live under /assets/: a missing one is a 404 (a stale page asking for an old
  // chunk must fail, not get HTML). Any other path that is not a file is a route of the
  // single-page app (/incidents/7, /users/jdoe@contoso.com, /users/CONTOSO\jdoe) and gets
  // index.html; a path that could escape the root never reaches the file system.
  const bool asset_path = StartsWith(request.path, "/assets/");
  std::optional<fs::path> file = Resolve(request.path);
  std::error_code ec;
  if (file && fs::is_directory(*file, ec)) {
    *file /= "index.html";
  }
  if (!file || !fs::is_regular_file(*file, ec)) {
    if (asset_path) {
      return PlainError(404, "not found");
    }
    file = root_ / "index.html";
  }
  const auto size = fs::file_size(*file, ec);
  const auto mtime = fs::last_write_time(*file, ec);
  if (ec) {
    return PlainError(404, "not found");
  }
  const std::string name = file->filename().string();
  ApiResponse response;
  response.content_type = std::string(ContentTypeFor(name));
  const bool hashed_asset = StartsWith(request.path, "/assets/");
  response.headers["Cache-Control"] =
      hashed_asset ? "public, max-age=31536000, immutable" : "no-cache";
  response.headers["X-Content-Type-Options"] = "nosniff";
  response.headers["Referrer-Policy"] = "no-referrer";
  if (EndsWith(name, ".html")) {
    response.headers["Content-Security-Policy"] = std::string(kSecurityPolicy);
    response.headers["X-Frame-Options"] = "DENY";
  }
  const std::string etag = fmt::format(
      "W/\"{:x}-{:x}\"", size,
      static_cast<uint64_t>(mtime.time_since_epoch().count()));
  response.headers["ETag"] = etag;
  response.headers["Vary"] = "Accept-Encoding";
  if (auto if_none_match = request.Header("if-none-match");
      if_none_match && if_none_match->find(etag) != std::string::npos) {
    response.status = 304;
    return response;
  }
  if (AcceptsGzip(request)) {
    fs::path gz = *file;
    gz += ".gz";
    if (fs::is_regular_file(gz, ec)) {
      if (auto body = ReadFile(gz)) {
        response.body = std::move(*body);
        response.headers["Content-Encoding"] = "gzip";
        return response;
      }
    }
  }
  auto body = ReadFile(*file);
  if (!body) {
    return PlainError(404, "not found");
  }
  response.body = std::move(*body);
  return response;
}

std::optional<fs::path> FindConsoleDir(const std::string& explicit_dir,
                                       const std::vector<fs::path>& fallbacks) {
  std::error_code ec;
  auto usable = [&ec](const fs::path& dir) { return fs::is_regular_file(dir / "index.html", ec); };
  if (!explicit_dir.empty()) {
    if (usable(explicit_dir)) {
      return fs::path(explicit_dir);
    }
    return std::nullopt;
  }
  if (const char* env = std::getenv("VIGIL_WEB_DIR"); env != nullptr && *env != '\0') {
    if (usable(env)) {
      return fs::path(env);
    }
    return std::nullopt;
  }
  for (const fs::path& candidate : fallbacks) {
    if (usable(candidate)) {
      return fs::weakly_canonical(candidate, ec);
    }
  }
  return std::nullopt;
}

}  // namespace vigil::api

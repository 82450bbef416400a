// HttpServer: the HTTP/1.1 listener of `vigil serve` on Boost.Beast/Asio. TLS (OpenSSL) by
// default with the configured certificate or a self-signed one under <data>/tls/; plain HTTP
// only when asked (--insecure-http). Each request is parsed into an ApiRequest (decoded path
// and query, lower-case header names, gzip/zstd bodies undone), authenticated (except the
// public routes, by default the OAuth2 token endpoint), dispatched by the Router and answered
// with keep-alive. Start/Stop/port are thread-safe; the Router and Authenticator must outlive
// the server.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vigil/api/auth/authenticator.h"
#include "vigil/api/auth/token_routes.h"
#include "vigil/api/http_types.h"
#include "vigil/api/server/response_cache.h"
#include "vigil/base/status.h"

namespace vigil::api {

struct TlsOptions {
  bool enabled = true;       // false only for --insecure-http
  std::string cert_file;     // PEM chain; with key_file, used as is
  std::string key_file;      // PEM private key
  std::string generated_dir;  // "<data>/tls": where the self-signed pair lives when no files
};

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 0;  // 0 = ephemeral; HttpServer::port() reports the bound one
  TlsOptions tls;
  int threads = 2;
  size_t max_body_bytes = size_t{64} << 20;   // raw and decoded; over it -> 413
  size_t max_header_bytes = size_t{64} << 10;  // over it -> 431
  std::chrono::milliseconds read_timeout{30'000};
  std::chrono::milliseconds drain_timeout{10'000};  // Stop() waits this long for requests
  // Route patterns answered without authentication (same syntax as Router::Add).
  std::vector<std::string> public_routes = SignInRoutes();
  // GET answers of cacheable routes (ResponseCache); cache.ttl = 0 turns it off.
  ResponseCacheOptions cache;
  // The web console's built files (StaticFiles): GET paths outside /api, /v1.0 and the token
  // endpoints are answered from here without authentication. Unset: no console.
  std::optional<std::filesystem::path> web_root;
};

class HttpServer {
 public:
  HttpServer(ServerOptions options, const Router& router, const Authenticator& authenticator);
  ~HttpServer();  // Stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Loads or generates the certificate, binds, listens and starts the thread pool.
  Status Start();
  // The bound port once started (0 before).
  uint16_t port() const;
  // Stops accepting, closes idle connections, lets in-flight requests finish (up to
  // drain_timeout), then stops and joins the threads. Idempotent.
  void Stop();

  // Authentication, the response cache, routing, audit of mutating calls: what happens to one
  // parsed request.
  ApiResponse Handle(ApiRequest& request) const;
  // Tells the response cache that stored data of `areas` (DataArea bits) changed outside an
  // API request (the background correlation and response runs of `vigil serve`).
  void InvalidateCache(uint32_t areas = kAreaAll) const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Catches SIGINT and SIGTERM from construction on (so a signal between construction and Wait()
// is not lost and does not kill the process); Wait() blocks until one arrives and returns its
// number. For `vigil serve`: construct, Start() the server, Wait(), then Stop().
class TerminationSignals {
 public:
  TerminationSignals();
  ~TerminationSignals();
  TerminationSignals(const TerminationSignals&) = delete;
  TerminationSignals& operator=(const TerminationSignals&) = delete;
  int Wait();

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::api

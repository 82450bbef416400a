#include "vigil/api/server/http_server.h"

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "vigil/api/server/body_decoder.h"
#include "vigil/api/server/static_files.h"
#include "vigil/api/server/tls_cert.h"
#include "vigil/api/server/url_codec.h"
#include "vigil/base/log.h"

namespace vigil::api {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

std::string_view View(beast::string_view text) { return {text.data(), text.size()}; }

bool IsMutating(std::string_view method) {
  return method == "POST" || method == "PATCH" || method == "PUT" || method == "DELETE";
}

bool IsHttpParseError(const beast::error_code& ec) {
  return &ec.category() == &http::make_error_code(http::error::bad_method).category();
}

bool SegmentMatches(std::string_view pattern, std::string_view path) {
  auto next = [](std::string_view text, size_t& pos) {
    while (pos < text.size() && text[pos] == '/') {
      ++pos;
    }
    size_t end = text.find('/', pos);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    std::string_view segment = text.substr(pos, end - pos);
    pos = end;
    return segment;
  };
  size_t p = 0;
  size_t q = 0;
  while (true) {
    std::string_view a = next(pattern, p);
    std::string_view b = next(path, q);
    if (a.empty() || b.empty()) {
      return a.empty() && b.empty();
    }
    if (a.size() >= 2 && a.front() == '{' && a.back() == '}') {
      continue;
    }
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
  }
}

}  // namespace

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Runs on the session's strand: closes an idle connection, or marks a busy one to close
  // after its response.
  virtual void Shutdown() = 0;
};

class HttpServer::Impl {
 public:
  Impl(ServerOptions options, const Router& router, const Authenticator& authenticator)
      : options_(std::move(options)),
        router_(router),
        authenticator_(authenticator),
        cache_(options_.cache),
        console_(options_.web_root ? std::make_optional<StaticFiles>(*options_.web_root)
                                   : std::nullopt),
        ssl_ctx_(ssl::context::tls_server),
        acceptor_(ioc_) {}

  Status Start();
  void Stop();
  ApiResponse Handle(ApiRequest& request) const;
  void InvalidateCache(uint32_t areas) const;
  void Accept();

  uint64_t Register(const std::shared_ptr<SessionBase>& session) {
    std::lock_guard lock(mu_);
    const uint64_t id = next_session_id_++;
    sessions_[id] = session;
    return id;
  }
  void Deregister(uint64_t id) {
    std::lock_guard lock(mu_);
    sessions_.erase(id);
    cv_.notify_all();
  }

  ServerOptions options_;
  const Router& router_;
  const Authenticator& authenticator_;
  mutable ResponseCache cache_;
  std::optional<StaticFiles> console_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint16_t> port_{0};
  bool started_ = false;
  bool stopped_ = false;
  std::mutex lifecycle_mu_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<uint64_t, std::weak_ptr<SessionBase>> sessions_;  // guarded by mu_
  uint64_t next_session_id_ = 1;                             // guarded by mu_

  ssl::context ssl_ctx_;  // outlives the streams, which live in handlers owned by ioc_
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  std::vector<std::jthread> threads_;
};

namespace {

template <typename Stream>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(HttpServer::Impl& server, Stream stream, std::string remote)
      : server_(server), stream_(std::move(stream)), remote_(std::move(remote)) {}
  ~Session() override {
    if (id_ != 0) {
      server_.Deregister(id_);
    }
  }

  void Run(uint64_t id) {
    id_ = id;
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
        beast::get_lowest_layer(self->stream_).expires_after(self->server_.options_.read_timeout);
        self->stream_.async_handshake(ssl::stream_base::server,
                                      [self](const beast::error_code& ec) {
                                        if (ec) {
                                          self->CloseNow();
                                          return;
                                        }
                                        self->Read();
                                      });
      } else {
        self->Read();
      }
    });
  }

  void Shutdown() override {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if (self->busy_) {
        self->close_after_ = true;
      } else {
        self->CloseNow();
      }
    });
  }

 private:
  void Read() {
    if (server_.stopping_) {
      Close();
      return;
    }
    parser_.emplace();
    parser_->body_limit(server_.options_.max_body_bytes);
    parser_->header_limit(static_cast<uint32_t>(server_.options_.max_header_bytes));
    beast::get_lowest_layer(stream_).expires_after(server_.options_.read_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](const beast::error_code& ec, size_t) {
                       self->OnRead(ec);
                     });
  }

  void OnRead(const beast::error_code& ec) {
    if (ec == http::error::body_limit) {
      WriteError(413, "RequestEntityTooLarge",
                 fmt::format("the body exceeds {} bytes", server_.options_.max_body_bytes));
      return;
    }
    if (ec == http::error::header_limit) {
      WriteError(431, "RequestHeaderFieldsTooLarge", "the request headers are too large");
      return;
    }
    if (ec && IsHttpParseError(ec) && ec != http::error::end_of_stream &&
        ec != http::error::partial_message) {
      WriteError(400, "BadRequest", "malformed HTTP request: " + ec.message());
      return;
    }
    if (ec) {
      CloseNow();
      return;
    }
    busy_ = true;
    const auto started = std::chrono::steady_clock::now();
    http::request<http::string_body> req = parser_->release();
    ApiResponse response = Process(req);
    const bool keep_alive = req.keep_alive() && !server_.stopping_ && !close_after_;
    VIGIL_LOG_INFO("api", "{} {} {} {} {}B {}ms", remote_, View(req.method_string()), path_for_log_,
                   response.status, response.body.size(),
                   std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - started)
                       .count());
    Write(std::move(response), keep_alive, req.version());
  }

  ApiResponse Process(http::request<http::string_body>& req) {
    ApiRequest request;
    request.method = std::string(View(req.method_string()));
    request.remote = remote_;
    request.scheme =
        std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>> ? "https" : "http";
    auto target = ParseTarget(View(req.target()));
    path_for_log_ = "-";
    if (!target) {
      close_after_ = true;  // a target we cannot read: treat like any malformed request
      return ErrorResponse(400, "BadRequest", "the request target is not a valid path",
                           ErrorStyle::kDefender);
    }
    request.path = std::move(target->path);
    request.query = std::move(target->query);
    path_for_log_ = request.path;
    for (const auto& field : req) {
      std::string name(View(field.name_string()));
      for (char& c : name) {
        c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
      }
      auto [it, inserted] = request.headers.emplace(name, std::string(View(field.value())));
      if (!inserted) {
        it->second += ", ";
        it->second += std::string(View(field.value()));
      }
    }
    auto body = DecodeBody(request.Header("content-encoding").value_or(""), req.body(),
                           server_.options_.max_body_bytes);
    if (!body.ok()) {
      const StatusCode code = body.status().code();
      const int status = code == StatusCode::kResourceExhausted ? 413
                         : code == StatusCode::kUnimplemented   ? 415
                                                                : 400;
      return ErrorResponse(status,
                           status == 413   ? "RequestEntityTooLarge"
                           : status == 415 ? "UnsupportedMediaType"
                                           : "BadRequest",
                           body.status().message(), ErrorStyleFor(request.path));
    }
    request.body = std::move(*body);
    req.body().clear();
    req.body().shrink_to_fit();
    return server_.Handle(request);
  }

  void WriteError(int status, std::string_view code, std::string message) {
    busy_ = true;
    close_after_ = true;
    VIGIL_LOG_INFO("api", "{} - - {} ({})", remote_, status, message);
    Write(ErrorResponse(status, code, message, ErrorStyle::kDefender), false, 11);
  }

  void Write(ApiResponse response, bool keep_alive, unsigned version) {
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(version);
    res->result(static_cast<unsigned>(response.status));
    res->set(http::field::server, "vigil");
    res->set(http::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) {
      res->set(name, value);
    }
    res->body() = std::move(response.body);
    res->keep_alive(keep_alive);
    res->prepare_payload();
    beast::get_lowest_layer(stream_).expires_after(server_.options_.read_timeout);
    http::async_write(stream_, *res,
                      [self = this->shared_from_this(), res, keep_alive](
                          const beast::error_code& ec, size_t) {
                        self->busy_ = false;
                        if (ec || !keep_alive || self->close_after_) {
                          self->Close();
                          return;
                        }
                        self->Read();
                      });
  }

  // Orderly close: TLS close_notify (bounded by the timeout) or a TCP half-close.
  void Close() {
    if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(2));
      stream_.async_shutdown(
          [self = this->shared_from_this()](const beast::error_code&) { self->CloseNow(); });
    } else {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      CloseNow();
    }
  }

  void CloseNow() {
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().close(ignored);
  }

  HttpServer::Impl& server_;
  Stream stream_;
  std::string remote_;
  uint64_t id_ = 0;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string path_for_log_;
  bool busy_ = false;
  bool close_after_ = false;
};

}  // namespace

Status HttpServer::Impl::Start() {
  std::lock_guard lifecycle(lifecycle_mu_);
  if (started_) {
    return FailedPreconditionError("the HTTP server is already started");
  }
  if (options_.tls.enabled) {
    std::string cert = options_.tls.cert_file;
    std::string key = options_.tls.key_file;
    if (cert.empty() != key.empty()) {
      return InvalidArgumentError("tls: give both a certificate and a key file, or neither");
    }
    if (cert.empty()) {
      if (options_.tls.generated_dir.empty()) {
        return InvalidArgumentError("tls: no certificate configured and no directory for one");
      }
      VIGIL_ASSIGN_OR_RETURN(TlsFiles files,
                             EnsureSelfSignedCertificate(options_.tls.generated_dir));
      if (files.generated) {
        VIGIL_LOG_INFO("api", "generated a self-signed certificate in {}",
                       options_.tls.generated_dir);
      }
      cert = files.cert_file;
      key = files.key_file;
    }
    beast::error_code ec;
    ssl_ctx_.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                             ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                             ssl::context::no_tlsv1_1,
                         ec);
    ssl_ctx_.use_certificate_chain_file(cert, ec);
    if (ec) {
      return IoError("tls: cannot load certificate '{}': {}", cert, ec.message());
    }
    ssl_ctx_.use_private_key_file(key, ssl::context::pem, ec);
    if (ec) {
      return IoError("tls: cannot load key '{}': {}", key, ec.message());
    }
  }
  beast::error_code ec;
  const auto address = net::ip::make_address(options_.address, ec);
  if (ec) {
    return InvalidArgumentError("bad listen address '{}'", options_.address);
  }
  const tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) {
    acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  }
  if (!ec) {
    acceptor_.bind(endpoint, ec);
  }
  if (!ec) {
    acceptor_.listen(net::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    return IoError("cannot listen on {}:{}: {}", options_.address, options_.port, ec.message());
  }
  port_ = acceptor_.local_endpoint(ec).port();
  started_ = true;
  Accept();
  const int threads = std::max(1, options_.threads);
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this] {
      try {
        ioc_.run();
      } catch (const std::exception& e) {
        VIGIL_LOG_ERROR("api", "server thread stopped: {}", e.what());
      }
    });
  }
  VIGIL_LOG_INFO("api", "listening on {}://{}:{}", options_.tls.enabled ? "https" : "http",
                 options_.address, port_.load());
  return Status();
}

void HttpServer::Impl::Accept() {
  acceptor_.async_accept(net::make_strand(ioc_), [this](const beast::error_code& ec,
                                                        tcp::socket socket) {
    if (ec) {
      if (!stopping_ && acceptor_.is_open()) {
        Accept();
      }
      return;
    }
    if (stopping_) {
      return;
    }
    beast::error_code ignored;
    const auto remote_ep = socket.remote_endpoint(ignored);
    std::string remote = fmt::format("{}:{}", remote_ep.address().to_string(), remote_ep.port());
    if (options_.tls.enabled) {
      auto session = std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
          *this, beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)),
                                                      ssl_ctx_),
          std::move(remote));
      session->Run(Register(session));
    } else {
      auto session = std::make_shared<Session<beast::tcp_stream>>(
          *this, beast::tcp_stream(std::move(socket)), std::move(remote));
      session->Run(Register(session));
    }
    Accept();
  });
}

void HttpServer::Impl::Stop() {
  std::lock_guard lifecycle(lifecycle_mu_);
  if (!started_ || stopped_) {
    return;
  }
  stopped_ = true;
  stopping_ = true;
  net::post(acceptor_.get_executor(), [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
  });
  std::vector<std::shared_ptr<SessionBase>> live;
  {
    std::lock_guard lock(mu_);
    for (auto& [id, weak] : sessions_) {
      if (auto session = weak.lock()) {
        live.push_back(std::move(session));
      }
    }
  }
  for (auto& session : live) {
    session->Shutdown();
  }
  live.clear();
  {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, options_.drain_timeout, [this] { return sessions_.empty(); })) {
      VIGIL_LOG_WARN("api", "stopping with {} connection(s) still open after {}ms",
                     sessions_.size(), options_.drain_timeout.count());
    }
  }
  ioc_.stop();
  for (auto& thread : threads_) {
    thread.join();
  }
  threads_.clear();
  VIGIL_LOG_INFO("api", "stopped");
}

ApiResponse HttpServer::Impl::Handle(ApiRequest& request) const {
  if (console_ && StaticFiles::Handles(request)) {
    return console_->Serve(request);  // the console's files are public; its data calls are not
  }
  bool is_public = false;
  for (const std::string& pattern : options_.public_routes) {
    if (SegmentMatches(pattern, request.path)) {
      is_public = true;
      break;
    }
  }
  if (!is_public) {
    if (auto denied = authenticator_.Authenticate(request)) {
      return std::move(*denied);
    }
  }
  const std::optional<std::string> cache_key = cache_.KeyFor(request);
  std::optional<ApiResponse> cached;
  if (cache_key) {
    cached = cache_.Find(*cache_key, request.principal.role);
  }
  ApiResponse response;
  if (cached) {
    response = std::move(*cached);
    response.headers["X-Cache"] = "hit";
  } else {
    const ResponseCache::Generations before = cache_.Snapshot();
    try {
      response = router_.Dispatch(request);
    } catch (const std::exception& e) {
      VIGIL_LOG_ERROR("api", "handler for {} {} failed: {}", request.method, request.path,
                      e.what());
      response = ErrorResponse(500, "InternalServerError", "the request failed on the server",
                               ErrorStyleFor(request.path));
    }
    if (response.cacheable) {
      response.headers["ETag"] = WeakEtag(response.body);
      response.headers["Cache-Control"] = "private, no-cache";
      if (cache_key) {
        cache_.Store(*cache_key, response, before);
      }
    }
    if (IsMutating(request.method)) {
      cache_.Invalidate(response.writes);
    }
  }
  if (response.cacheable) {
    if (auto etag = response.headers.find("ETag"); etag != response.headers.end()) {
      if (auto if_none_match = request.Header("if-none-match");
          if_none_match && EtagMatches(*if_none_match, etag->second)) {
        response.status = 304;
        response.body.clear();
      }
    }
  }
  if (!is_public && IsMutating(request.method)) {
    authenticator_.Audit(request, response.status);
  }
  return response;
}

void HttpServer::Impl::InvalidateCache(uint32_t areas) const { cache_.Invalidate(areas); }

HttpServer::HttpServer(ServerOptions options, const Router& router,
                       const Authenticator& authenticator)
    : impl_(std::make_unique<Impl>(std::move(options), router, authenticator)) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() { return impl_->Start(); }
uint16_t HttpServer::port() const { return impl_->port_; }
void HttpServer::Stop() { impl_->Stop(); }
ApiResponse HttpServer::Handle(ApiRequest& request) const { return impl_->Handle(request); }
void HttpServer::InvalidateCache(uint32_t areas) const { impl_->InvalidateCache(areas); }

class TerminationSignals::Impl {
 public:
  net::io_context ioc;
  net::signal_set signals{ioc, SIGINT, SIGTERM};
};

TerminationSignals::TerminationSignals() : impl_(std::make_unique<Impl>()) {}
TerminationSignals::~TerminationSignals() = default;

int TerminationSignals::Wait() {
  int received = 0;
  impl_->signals.async_wait([&received](const beast::error_code& ec, int signal_number) {
    if (!ec) {
      received = signal_number;
    }
  });
  impl_->ioc.run();
  impl_->ioc.restart();
  return received;
}

}  // namespace vigil::api

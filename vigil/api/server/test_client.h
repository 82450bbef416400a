// Test helpers for the server tests (not part of the library): a blocking HTTP/1.1 client on
// one connection (plain or TLS without verification), request builders, gzip/zstd bodies and
// a JSON string reader. Header-only; used by http_server_test.cpp and sign_in_cache_test.cpp.
#pragma once

#include <zlib.h>
#include <zstd.h>

#include <filesystem>
#include <string>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <simdjson.h>

namespace vigil::api::test {

namespace fs = std::filesystem;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

inline std::string Gzip(const std::string& data) {
  z_stream zs{};
  deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, data.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

inline std::string Zstd(const std::string& data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3));
  return out;
}

// A blocking HTTP/1.1 client on one connection (plain or TLS without verification).
class Client {
 public:
  Client(uint16_t port, bool tls) : tls_(tls) {
    ctx_.set_verify_mode(ssl::verify_none);
    tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), port);
    if (tls_) {
      beast::get_lowest_layer(tls_stream_).connect(endpoint);
      tls_stream_.handshake(ssl::stream_base::client);
    } else {
      plain_.connect(endpoint);
    }
  }

  Response Send(Request req, beast::error_code* out_ec = nullptr) {
    req.version(11);
    req.set(http::field::host, "127.0.0.1");
    req.prepare_payload();
    beast::error_code ec;
    Response res;
    if (tls_) {
      http::write(tls_stream_, req, ec);
      if (!ec) {
        http::read(tls_stream_, buffer_, res, ec);
      }
    } else {
      http::write(plain_, req, ec);
      if (!ec) {
        http::read(plain_, buffer_, res, ec);
      }
    }
    if (out_ec != nullptr) {
      *out_ec = ec;
    }
    return res;
  }

  // Writes raw bytes and reads until the server closes.
  std::string Raw(const std::string& bytes) {
    beast::error_code ec;
    net::write(plain_.socket(), net::buffer(bytes), ec);
    std::string out;
    char chunk[4096];
    while (true) {
      const size_t n = plain_.socket().read_some(net::buffer(chunk), ec);
      out.append(chunk, n);
      if (ec) {
        break;
      }
    }
    return out;
  }

 private:
  bool tls_;
  net::io_context ioc_;
  ssl::context ctx_{ssl::context::tls_client};
  beast::tcp_stream plain_{ioc_};
  beast::ssl_stream<beast::tcp_stream> tls_stream_{ioc_, ctx_};
  beast::flat_buffer buffer_;
};

inline Request Make(http::verb verb, std::string target, std::string token = "",
             std::string body = "") {
  Request req(verb, target, 11);
  if (!token.empty()) {
    req.set(http::field::authorization, "Bearer " + token);
  }
  req.body() = std::move(body);
  return req;
}

inline std::string JsonString(const std::string& json, const char* field) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json).get(root) != simdjson::SUCCESS) {
    return "<not json>";
  }
  std::string_view value;
  if (root[field].get(value) != simdjson::SUCCESS) {
    return "<missing>";
  }
  return std::string(value);
}

}  // namespace vigil::api::test

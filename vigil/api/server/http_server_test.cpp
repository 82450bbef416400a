#include "vigil/api/server/http_server.h"

#include <signal.h>
#include <sys/stat.h>
#include <zlib.h>
#include <zstd.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <string>
#include <thread>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <gtest/gtest.h>
#include <simdjson.h>

#include "vigil/api/auth/auth_store.h"
#include "vigil/api/auth/authenticator.h"
#include "vigil/api/server/test_client.h"

namespace vigil::api {
namespace {

using namespace test;  // NOLINT: the helpers of test_client.h

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vigil_srv_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto store = AuthStore::Open((dir_ / "auth.db").string());
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(*store);
    AuthOptions auth_options;
    auth_options.now_s = [this] { return now_.load(); };
    auth_options.credential_cache_ttl = std::chrono::milliseconds(0);  // revocations at once
    auto authenticator = Authenticator::Create(*store_, auth_options);
    ASSERT_TRUE(authenticator.ok());
    authenticator_ = std::move(*authenticator);
    RegisterAuthRoutes(router_, *store_, *authenticator_, throttle_);
    router_.Add("POST", "/api/echo", Role::kViewer, [](const ApiRequest& r) {
      ApiResponse res;
      res.content_type = "text/plain";
      res.body = r.principal.id + "|" + r.body + "|" + r.Query("$filter").value_or("") + "|" +
                 r.Header("x-custom").value_or("");
      return res;
    });
    router_.Add("GET", "/api/admin", Role::kAdmin, [](const ApiRequest&) {
      ApiResponse res;
      res.body = "{}";
      return res;
    });
    router_.Add("GET", "/api/slow", Role::kViewer, [this](const ApiRequest&) {
      entered_.set_value();
      release_.get_future().wait();
      ApiResponse res;
      res.body = "{\"slow\":true}";
      return res;
    });
    auto viewer = store_->CreateApp("viewer-app", Role::kViewer);
    auto admin = store_->CreateApp("admin-app", Role::kAdmin);
    ASSERT_TRUE(viewer.ok() && admin.ok());
    viewer_ = *viewer;
    admin_ = *admin;
  }

  void StartServer(bool tls = false, size_t max_body = 64 << 10) {
    ServerOptions options;
    options.tls.enabled = tls;
    options.tls.generated_dir = (dir_ / "tls").string();
    options.max_body_bytes = max_body;
    server_ = std::make_unique<HttpServer>(options, router_, *authenticator_);
    Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.message();
    ASSERT_NE(server_->port(), 0);
  }

  void TearDown() override {
    server_.reset();
    fs::remove_all(dir_);
  }

  std::string TokenFor(Client& client, const AppCredentials& app) {
    Request req = Make(http::verb::post, "/my-tenant/oauth2/v2.0/token", "",
                       "grant_type=client_credentials&client_id=" + app.client_id +
                           "&client_secret=" + app.client_secret +
                           "&scope=https%3A%2F%2Fapi.securitycenter.microsoft.com%2F.default");
    req.set(http::field::content_type, "application/x-www-form-urlencoded");
    Response res = client.Send(req);
    EXPECT_EQ(res.result_int(), 200u) << res.body();
    return JsonString(res.body(), "access_token");
  }

  fs::path dir_;
  std::atomic<int64_t> now_{1'700'000'000};
  std::unique_ptr<AuthStore> store_;
  std::unique_ptr<Authenticator> authenticator_;
  LoginThrottle throttle_;
  Router router_;
  std::unique_ptr<HttpServer> server_;
  AppCredentials viewer_;
  AppCredentials admin_;
  std::promise<void> entered_;
  std::promise<void> release_;
};

TEST_F(HttpServerTest, KeepAliveTokenAndSeveralRequests) {
  StartServer();
  Client client(server_->port(), false);
  const std::string token = TokenFor(client, viewer_);
  ASSERT_FALSE(token.empty());
  for (int i = 0; i < 3; ++i) {
    Request req = Make(http::verb::post, "/api/Echo?%24filter=a%20eq%201", token, "body");
    req.set("X-Custom", "v");
    Response res = client.Send(req);
    ASSERT_EQ(res.result_int(), 200u);
    EXPECT_EQ(res.body(), viewer_.client_id + "|body|a eq 1|v");
    EXPECT_TRUE(res.keep_alive());
    EXPECT_EQ(res[http::field::content_type], "text/plain");
  }
  auto audit = store_->ListAudit(10);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 3u);  // the POSTs to /api/echo, not the token call
  EXPECT_EQ(audit->front().principal, viewer_.client_id);
}

TEST_F(HttpServerTest, GzipAndZstdBodies) {
  StartServer();
  Client client(server_->port(), false);
  const std::string token = TokenFor(client, viewer_);
  const std::string payload(5000, 'z');
  Request gz = Make(http::verb::post, "/api/echo", token, Gzip(payload));
  gz.set(http::field::content_encoding, "gzip");
  Response res = client.Send(gz);
  ASSERT_EQ(res.result_int(), 200u) << res.body();
  EXPECT_EQ(res.body(), viewer_.client_id + "|" + payload + "||");
  Request zs = Make(http::verb::post, "/api/echo", token, Zstd(payload));
  zs.set(http::field::content_encoding, "zstd");
  res = client.Send(zs);
  ASSERT_EQ(res.result_int(), 200u) << res.body();
  EXPECT_EQ(res.body(), viewer_.client_id + "|" + payload + "||");
  Request bad = Make(http::verb::post, "/api/echo", token, "not gzip");
  bad.set(http::field::content_encoding, "gzip");
  res = client.Send(bad);
  EXPECT_EQ(res.result_int(), 400u);
  Request unknown = Make(http::verb::post, "/api/echo", token, "x");
  unknown.set(http::field::content_encoding, "br");
  res = client.Send(unknown);
  EXPECT_EQ(res.result_int(), 415u);
}

TEST_F(HttpServerTest, OversizeBodiesAre413) {
  StartServer(false, 4096);
  Client client(server_->port(), false);
  const std::string token = TokenFor(client, viewer_);
  // Decoded size over the limit although the compressed body is small.
  Request bomb = Make(http::verb::post, "/api/echo", token, Zstd(std::string(100000, 'a')));
  bomb.set(http::field::content_encoding, "zstd");
  Response res = client.Send(bomb);
  EXPECT_EQ(res.result_int(), 413u);
  Request gz_bomb = Make(http::verb::post, "/api/echo", token, Gzip(std::string(100000, 'a')));
  gz_bomb.set(http::field::content_encoding, "gzip");
  res = client.Send(gz_bomb);
  EXPECT_EQ(res.result_int(), 413u);
  // Raw size over the limit: answered, then closed.
  beast::error_code ec;
  res = client.Send(Make(http::verb::post, "/api/echo", token, std::string(10000, 'b')), &ec);
  EXPECT_EQ(res.result_int(), 413u);
  EXPECT_NE(res.body().find("\"code\":\"RequestEntityTooLarge\""), std::string::npos);
}

TEST_F(HttpServerTest, MalformedRequestIs400AndClosed) {
  StartServer();
  Client client(server_->port(), false);
  const std::string out = client.Raw("G\x01T / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 400", 0), 0u) << out;
  Client client2(server_->port(), false);
  const std::string bad_escape = client2.Raw("GET /api/%zz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(bad_escape.rfind("HTTP/1.1 400", 0), 0u) << bad_escape;
}

TEST_F(HttpServerTest, AuthFailures) {
  StartServer();
  Client client(server_->port(), false);
  Response res = client.Send(Make(http::verb::get, "/api/admin"));
  EXPECT_EQ(res.result_int(), 401u);
  EXPECT_EQ(res[http::field::www_authenticate], "Bearer");
  EXPECT_NE(res.body().find("\"target\""), std::string::npos);  // Defender shape
  res = client.Send(Make(http::verb::get, "/v1.0/security/alerts_v2"));
  EXPECT_EQ(res.result_int(), 401u);
  EXPECT_NE(res.body().find("\"innerError\""), std::string::npos);  // Graph shape
  res = client.Send(Make(http::verb::get, "/api/admin", "garbage.token.here"));
  EXPECT_EQ(res.result_int(), 401u);

  const std::string viewer_token = TokenFor(client, viewer_);
  res = client.Send(Make(http::verb::get, "/api/admin", viewer_token));
  EXPECT_EQ(res.result_int(), 403u);
  const std::string admin_token = TokenFor(client, admin_);
  res = client.Send(Make(http::verb::get, "/api/admin", admin_token));
  EXPECT_EQ(res.result_int(), 200u);

  // Expired: the clock moves past the one-hour lifetime.
  now_ += 3601;
  res = client.Send(Make(http::verb::get, "/api/admin", admin_token));
  EXPECT_EQ(res.result_int(), 401u);
  EXPECT_NE(res.body().find("expired"), std::string::npos);

  // Revoked: a fresh token stops working once the app is revoked.
  const std::string fresh = TokenFor(client, admin_);
  ASSERT_TRUE(store_->Revoke(admin_.client_id).ok());
  res = client.Send(Make(http::verb::get, "/api/admin", fresh));
  EXPECT_EQ(res.result_int(), 401u);
}

TEST_F(HttpServerTest, TokenEndpointErrors) {
  StartServer();
  Client client(server_->port(), false);
  Request bad_secret = Make(http::verb::post, "/oauth2/v2.0/token", "",
                            "grant_type=client_credentials&client_id=" + viewer_.client_id +
                                "&client_secret=wrong");
  Response res = client.Send(bad_secret);
  EXPECT_EQ(res.result_int(), 401u);
  EXPECT_EQ(JsonString(res.body(), "error"), "invalid_client");
  res = client.Send(Make(http::verb::post, "/oauth2/token", "", "grant_type=authorization_code"));
  EXPECT_EQ(res.result_int(), 400u);
  EXPECT_EQ(JsonString(res.body(), "error"), "unsupported_grant_type");
  res = client.Send(Make(http::verb::post, "/oauth2/token", "", "grant_type=password"));
  EXPECT_EQ(res.result_int(), 400u);
  EXPECT_EQ(JsonString(res.body(), "error"), "invalid_request");
  res = client.Send(Make(http::verb::post, "/oauth2/token", "", "grant_type=client_credentials"));
  EXPECT_EQ(res.result_int(), 400u);
  EXPECT_EQ(JsonString(res.body(), "error"), "invalid_request");
  res = client.Send(Make(http::verb::post, "/oauth2/token", "", "a=%"));
  EXPECT_EQ(res.result_int(), 400u);
  // Token endpoint happy path answers in Azure AD's shape.
  Request ok = Make(http::verb::post, "/oauth2/token", "",
                    "grant_type=client_credentials&client_id=" + viewer_.client_id +
                        "&client_secret=" + viewer_.client_secret);
  res = client.Send(ok);
  ASSERT_EQ(res.result_int(), 200u);
  EXPECT_EQ(JsonString(res.body(), "token_type"), "Bearer");
  EXPECT_NE(res.body().find("\"expires_in\":3600"), std::string::npos);
}

TEST_F(HttpServerTest, ApiKeys) {
  StartServer();
  auto key = store_->CreateApiKey("ingest-key", Role::kAdmin);
  ASSERT_TRUE(key.ok());
  Client client(server_->port(), false);
  Response res = client.Send(Make(http::verb::get, "/api/admin", key->key));
  EXPECT_EQ(res.result_int(), 200u);
  Request header = Make(http::verb::get, "/api/admin");
  header.set("X-Api-Key", key->key);
  res = client.Send(header);
  EXPECT_EQ(res.result_int(), 200u);
  ASSERT_TRUE(store_->Revoke(key->id).ok());
  res = client.Send(header);
  EXPECT_EQ(res.result_int(), 401u);
  res = client.Send(Make(http::verb::get, "/api/admin", "vk_unknown"));
  EXPECT_EQ(res.result_int(), 401u);
}

TEST_F(HttpServerTest, TlsWithGeneratedCertificate) {
  StartServer(true);
  const fs::path key_file = dir_ / "tls" / "server.key";
  ASSERT_TRUE(fs::exists(key_file));
  struct stat st {};
  ASSERT_EQ(::stat(key_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  Client client(server_->port(), true);
  const std::string token = TokenFor(client, viewer_);
  Response res = client.Send(Make(http::verb::post, "/api/echo", token, "tls"));
  ASSERT_EQ(res.result_int(), 200u);
  EXPECT_EQ(res.body(), viewer_.client_id + "|tls||");
  res = client.Send(Make(http::verb::post, "/api/echo", token, "again"));
  EXPECT_EQ(res.result_int(), 200u);
}

TEST_F(HttpServerTest, StopLetsInFlightRequestFinish) {
  StartServer();
  Client client(server_->port(), false);
  const std::string token = TokenFor(client, viewer_);
  Client idle(server_->port(), false);  // an idle keep-alive connection must not block Stop
  auto response = std::async(std::launch::async, [&] {
    return client.Send(Make(http::verb::get, "/api/slow", token));
  });
  entered_.get_future().wait();
  std::thread stopper([this] { server_->Stop(); });
  release_.set_value();
  const Response res = response.get();
  stopper.join();
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(res.body(), "{\"slow\":true}");
}

TEST_F(HttpServerTest, HandleWithoutSockets) {
  ServerOptions options;
  options.tls.enabled = false;
  HttpServer server(options, router_, *authenticator_);
  ApiRequest req;
  req.method = "GET";
  req.path = "/api/nothing";
  EXPECT_EQ(server.Handle(req).status, 401);
  req.headers["x-api-key"] = "vk_x";
  EXPECT_EQ(server.Handle(req).status, 401);
}

TEST(TerminationSignalsTest, CatchesSigterm) {
  TerminationSignals signals;
  ASSERT_EQ(::raise(SIGTERM), 0);
  EXPECT_EQ(signals.Wait(), SIGTERM);
}

}  // namespace
}  // namespace vigil::api

// Sign-in (password grant, console login, HTTP Basic client credentials, throttling), the
// ingest role and the response cache, over a real HttpServer on 127.0.0.1.
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "vigil/api/auth/auth_store.h"
#include "vigil/api/auth/authenticator.h"
#include "vigil/api/auth/crypto.h"
#include "vigil/api/auth/token_routes.h"
#include "vigil/api/server/http_server.h"
#include "vigil/api/server/test_client.h"

namespace vigil::api {
namespace {

using namespace test;  // NOLINT: the helpers of test_client.h

class SignInCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vigil_signin_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto store = AuthStore::Open((dir_ / "auth.db").string());
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(*store);
    AuthOptions auth_options;
    auth_options.credential_cache_ttl = std::chrono::milliseconds(0);
    auto authenticator = Authenticator::Create(*store_, auth_options);
    ASSERT_TRUE(authenticator.ok());
    authenticator_ = std::move(*authenticator);
    RegisterAuthRoutes(router_, *store_, *authenticator_, throttle_);
    router_.Add("GET", "/api/things", Role::kViewer, [this](const ApiRequest& request) {
      ++reads_;
      ApiResponse res;
      res.body = "{\"version\":" + std::to_string(version_.load()) + ",\"top\":\"" +
                 request.Query("$top").value_or("") + "\"}";
      return res;
    });
    router_.Add("GET", "/api/secret", Role::kAdmin, [this](const ApiRequest&) {
      ++reads_;
      ApiResponse res;
      res.body = "{\"secret\":1}";
      return res;
    });
    router_.Add("PATCH", "/api/things", Role::kAnalyst, [this](const ApiRequest&) {
      ++version_;
      ApiResponse res;
      res.body = "{}";
      return res;
    });
    router_.Add("POST", "/api/ingest", Role::kIngest, [](const ApiRequest& request) {
      ApiResponse res;
      res.body = "{\"source\":\"" + request.principal.source + "\"}";
      return res;
    });
    router_.Add("GET", "/api/telemetry", Role::kViewer, [this](const ApiRequest&) {
      ++telemetry_reads_;
      ApiResponse res;
      res.body = "{}";
      return res;
    });
    router_.Add("POST", "/api/query", Role::kViewer, [](const ApiRequest&) {
      ApiResponse res;
      res.body = "{}";
      return res;
    });
    ASSERT_TRUE(router_.MarkCacheable("/api/things", kAreaIncidents));
    ASSERT_TRUE(router_.MarkCacheable("/api/telemetry", kAreaTelemetry));
    ASSERT_TRUE(router_.SetWrites("POST", "/api/ingest", kAreaTelemetry));
    ASSERT_TRUE(router_.SetWrites("POST", "/api/query", kAreaNone));
    ASSERT_TRUE(router_.MarkCacheable("/api/secret"));
    EXPECT_FALSE(router_.MarkCacheable("/api/nothing"));
    ServerOptions options;
    options.tls.enabled = false;
    options.cache.ttl = std::chrono::hours(1);  // only invalidation ends an entry here
    server_ = std::make_unique<HttpServer>(options, router_, *authenticator_);
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(dir_);
  }

  Response Form(Client& client, const std::string& body, const std::string& basic = "") {
    Request req = Make(http::verb::post, "/oauth2/v2.0/token", "", body);
    req.set(http::field::content_type, "application/x-www-form-urlencoded");
    if (!basic.empty()) {
      req.set(http::field::authorization, "Basic " + basic);
    }
    return client.Send(req);
  }

  fs::path dir_;
  std::unique_ptr<AuthStore> store_;
  std::unique_ptr<Authenticator> authenticator_;
  LoginThrottle throttle_;
  Router router_;
  std::unique_ptr<HttpServer> server_;
  std::atomic<int> reads_{0};
  std::atomic<int> telemetry_reads_{0};
  std::atomic<int> version_{0};
};

TEST_F(SignInCacheTest, PasswordGrantAndConsoleLoginGiveUserTokens) {
  ASSERT_TRUE(store_->CreateUser("alice", Role::kAnalyst, "correct horse battery").ok());
  Client client(server_->port(), false);
  Response res = Form(client, "grant_type=password&username=alice&password=correct%20horse%20battery");
  ASSERT_EQ(res.result_int(), 200u) << res.body();
  const std::string token = JsonString(res.body(), "access_token");
  Response me = client.Send(Make(http::verb::get, "/api/auth/me", token));
  ASSERT_EQ(me.result_int(), 200u) << me.body();
  EXPECT_EQ(JsonString(me.body(), "name"), "alice");
  EXPECT_EQ(JsonString(me.body(), "role"), "analyst");

  Request login = Make(http::verb::post, "/api/auth/login", "",
                       R"({"username":"ALICE","password":"correct horse battery"})");
  res = client.Send(login);
  ASSERT_EQ(res.result_int(), 200u) << res.body();  // names are case-insensitive
  EXPECT_NE(res.body().find("\"role\":\"analyst\""), std::string::npos);

  res = client.Send(Make(http::verb::post, "/api/auth/login", "",
                         R"({"username":"alice","password":"wrong password!"})"));
  EXPECT_EQ(res.result_int(), 401u);
  res = client.Send(Make(http::verb::post, "/api/auth/login", "",
                         R"({"username":"alice","password":"x","extra":1})"));
  EXPECT_EQ(res.result_int(), 400u);
  EXPECT_NE(res.body().find("unknown field 'extra'"), std::string::npos);

  // Disabling the user ends its tokens at once (cache time 0 here).
  ASSERT_TRUE(store_->SetUserDisabled("alice", true).ok());
  me = client.Send(Make(http::verb::get, "/api/auth/me", token));
  EXPECT_EQ(me.result_int(), 401u);
}

TEST_F(SignInCacheTest, ClientCredentialsAsHttpBasic) {
  auto app = store_->CreateApp("script", Role::kViewer);
  ASSERT_TRUE(app.ok());
  Client client(server_->port(), false);
  std::string basic = auth::Base64UrlEncode(app->client_id + ":" + app->client_secret);
  for (char& c : basic) {
    c = c == '-' ? '+' : c == '_' ? '/' : c;
  }
  while (basic.size() % 4 != 0) {
    basic += '=';
  }
  Response res = Form(client, "grant_type=client_credentials", basic);
  ASSERT_EQ(res.result_int(), 200u) << res.body();
  EXPECT_NE(JsonString(res.body(), "access_token"), "<missing>");
  res = Form(client, "grant_type=client_credentials&client_secret=x", basic);
  EXPECT_EQ(res.result_int(), 400u);  // secret in both places
}

TEST_F(SignInCacheTest, RepeatedFailuresAreThrottledWithRetryAfter) {
  ASSERT_TRUE(store_->CreateUser("bob", Role::kViewer, "a long enough password").ok());
  Client client(server_->port(), false);
  for (int i = 0; i < 5; ++i) {
    Response res = Form(client, "grant_type=password&username=bob&password=guess" +
                                    std::to_string(i));
    EXPECT_EQ(res.result_int(), 400u) << res.body();
    EXPECT_EQ(JsonString(res.body(), "error"), "invalid_grant");
  }
  // Even the right password waits now: the account is locked for the window.
  Response res = Form(client, "grant_type=password&username=bob&password=a%20long%20enough%20password");
  EXPECT_EQ(res.result_int(), 429u) << res.body();
  EXPECT_FALSE(res[http::field::retry_after].empty());
  EXPECT_EQ(JsonString(res.body(), "error"), "temporarily_unavailable");
}

TEST_F(SignInCacheTest, IngestCredentialsOnlyIngestAndCarryTheirSource) {
  auto key = store_->CreateApiKey("postfix-gw", Role::kIngest, "mail-gw-1");
  auto viewer = store_->CreateApiKey("reader", Role::kViewer);
  auto responder = store_->CreateApiKey("ops", Role::kResponder);
  ASSERT_TRUE(key.ok() && viewer.ok() && responder.ok());
  EXPECT_FALSE(store_->CreateApiKey("bad", Role::kViewer, "src").ok());  // source needs ingest
  Client client(server_->port(), false);
  Response res = client.Send(Make(http::verb::post, "/api/ingest", key->key, "{}"));
  ASSERT_EQ(res.result_int(), 200u) << res.body();
  EXPECT_EQ(JsonString(res.body(), "source"), "mail-gw-1");
  EXPECT_EQ(client.Send(Make(http::verb::get, "/api/things", key->key)).result_int(), 403u);
  EXPECT_EQ(client.Send(Make(http::verb::post, "/api/ingest", viewer->key, "{}")).result_int(),
            403u);
  EXPECT_EQ(
      client.Send(Make(http::verb::post, "/api/ingest", responder->key, "{}")).result_int(),
      200u);
}

TEST_F(SignInCacheTest, CachedReadsUntilAMutationAndEtagRevalidation) {
  auto analyst = store_->CreateApiKey("analyst", Role::kAnalyst);
  auto viewer = store_->CreateApiKey("viewer", Role::kViewer);
  auto admin = store_->CreateApiKey("admin", Role::kAdmin);
  ASSERT_TRUE(analyst.ok() && viewer.ok() && admin.ok());
  Client client(server_->port(), false);
  Response first = client.Send(Make(http::verb::get, "/api/things?$top=2", viewer->key));
  ASSERT_EQ(first.result_int(), 200u);
  const std::string etag(first[http::field::etag]);
  ASSERT_FALSE(etag.empty());
  Response second = client.Send(Make(http::verb::get, "/api/things?$top=2", analyst->key));
  EXPECT_EQ(second.body(), first.body());
  EXPECT_EQ(second["X-Cache"], "hit");
  EXPECT_EQ(reads_.load(), 1);
  // Another query string is another entry.
  client.Send(Make(http::verb::get, "/api/things?$top=3", viewer->key));
  EXPECT_EQ(reads_.load(), 2);
  // If-None-Match answers 304 without a body.
  Request revalidate = Make(http::verb::get, "/api/things?$top=2", viewer->key);
  revalidate.set(http::field::if_none_match, etag);
  Response not_modified = client.Send(revalidate);
  EXPECT_EQ(not_modified.result_int(), 304u);
  EXPECT_TRUE(not_modified.body().empty());
  // A mutation empties the cache: the next read sees the new version and a new ETag.
  ASSERT_EQ(client.Send(Make(http::verb::patch, "/api/things", analyst->key, "{}")).result_int(),
            200u);
  Response after = client.Send(Make(http::verb::get, "/api/things?$top=2", viewer->key));
  EXPECT_NE(after.body().find("\"version\":1"), std::string::npos) << after.body();
  EXPECT_NE(std::string(after[http::field::etag]), etag);
  // So does a change announced by the server's owner.
  const int before = reads_.load();
  server_->InvalidateCache();
  client.Send(Make(http::verb::get, "/api/things?$top=2", viewer->key));
  EXPECT_EQ(reads_.load(), before + 1);
  // no-cache skips the cache.
  Request fresh = Make(http::verb::get, "/api/things?$top=2", viewer->key);
  fresh.set(http::field::cache_control, "no-cache");
  client.Send(fresh);
  EXPECT_EQ(reads_.load(), before + 2);
}

TEST_F(SignInCacheTest, AMutationInvalidatesOnlyTheDataAreasItWrites) {
  auto responder = store_->CreateApiKey("ops", Role::kResponder);
  ASSERT_TRUE(responder.ok());
  Client client(server_->port(), false);
  const std::string key = responder->key;
  client.Send(Make(http::verb::get, "/api/things", key));
  client.Send(Make(http::verb::get, "/api/telemetry", key));
  ASSERT_EQ(reads_.load(), 1);
  ASSERT_EQ(telemetry_reads_.load(), 1);
  // A query changes nothing: both stay cached.
  ASSERT_EQ(client.Send(Make(http::verb::post, "/api/query", key, "{}")).result_int(), 200u);
  client.Send(Make(http::verb::get, "/api/things", key));
  client.Send(Make(http::verb::get, "/api/telemetry", key));
  EXPECT_EQ(reads_.load(), 1);
  EXPECT_EQ(telemetry_reads_.load(), 1);
  // Ingestion writes telemetry: the incident-like read stays cached, the telemetry read not.
  ASSERT_EQ(client.Send(Make(http::verb::post, "/api/ingest", key, "{}")).result_int(), 200u);
  client.Send(Make(http::verb::get, "/api/things", key));
  client.Send(Make(http::verb::get, "/api/telemetry", key));
  EXPECT_EQ(reads_.load(), 1);
  EXPECT_EQ(telemetry_reads_.load(), 2);
  // A refused mutation (403) changes nothing either.
  auto viewer = store_->CreateApiKey("viewer", Role::kViewer);
  ASSERT_TRUE(viewer.ok());
  ASSERT_EQ(client.Send(Make(http::verb::patch, "/api/things", viewer->key, "{}")).result_int(),
            403u);
  client.Send(Make(http::verb::get, "/api/things", key));
  EXPECT_EQ(reads_.load(), 1);
  // The owner can invalidate one area.
  server_->InvalidateCache(kAreaIncidents);
  client.Send(Make(http::verb::get, "/api/things", key));
  client.Send(Make(http::verb::get, "/api/telemetry", key));
  EXPECT_EQ(reads_.load(), 2);
  EXPECT_EQ(telemetry_reads_.load(), 2);
}

TEST_F(SignInCacheTest, CachedAnswersStillCheckTheCallersRole) {
  auto admin = store_->CreateApiKey("admin", Role::kAdmin);
  auto viewer = store_->CreateApiKey("viewer", Role::kViewer);
  ASSERT_TRUE(admin.ok() && viewer.ok());
  Client client(server_->port(), false);
  ASSERT_EQ(client.Send(Make(http::verb::get, "/api/secret", admin->key)).result_int(), 200u);
  Response denied = client.Send(Make(http::verb::get, "/api/secret", viewer->key));
  EXPECT_EQ(denied.result_int(), 403u);
  EXPECT_EQ(denied.body().find("secret\":1"), std::string::npos);
}

}  // namespace
}  // namespace vigil::api

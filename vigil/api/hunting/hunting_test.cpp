// Hunting API over a real store: both response shapes, KQL errors, truncation, the quota and
// Graph Timespan scoping, through Router::Dispatch (no sockets).
#include "vigil/api/hunting/hunting.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <chrono>
#include <memory>

#include "vigil/kql/exec/engine.h"
#include "vigil/store/store.h"
#include "vigil/store/store_test_util.h"

namespace vigil::api {
namespace {

using store::testing::AddProcessRows;
using store::testing::DayStart;

class HuntingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::StoreOptions options;
    options.dir = dir_.path();
    options.background_flush = false;
    options.retention_days = 0;
    auto opened = store::Store::Open(options, schema::Catalog::Default());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(*opened);
    schema::TableBatch recent(*schema::Catalog::Default().Find("DeviceProcessEvents"));
    AddProcessRows(recent, 100, DayStart(2026, 10, 24), 1);
    ASSERT_TRUE(store_->Append(recent).ok());
    schema::TableBatch old(*schema::Catalog::Default().Find("DeviceProcessEvents"));
    AddProcessRows(old, 50, DayStart(2026, 8, 1), 1000);
    ASSERT_TRUE(store_->Append(old).ok());
    engine_ = std::make_unique<kql::Engine>(store_.get(), &schema::Catalog::Default());
    context_.data_dir = dir_.path().string();
    context_.store = store_.get();
    context_.engine = engine_.get();
  }
  void TearDown() override {
    if (store_) {
      ASSERT_TRUE(store_->Close().ok());
    }
  }

  HuntingOptions Options() {
    HuntingOptions o;
    o.now_ticks = [] { return DayStart(2026, 10, 25); };
    o.quota.clock = [this] { return clock_; };
    return o;
  }

  ApiResponse Post(const Router& router, const std::string& path, const std::string& body,
                   const std::string& caller = "app-1") {
    ApiRequest r;
    r.method = "POST";
    r.path = path;
    r.body = body;
    r.principal.id = caller;
    r.principal.role = Role::kViewer;
    return router.Dispatch(r);
  }

  store::testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<kql::Engine> engine_;
  ApiContext context_;
  std::chrono::steady_clock::time_point clock_{};
  simdjson::dom::parser parser_;
};

TEST_F(HuntingTest, DefenderShapeMatchesTheCliFormatter) {
  Router router;
  RegisterHuntingRoutes(router, context_, Options());
  for (const char* path : {"/api/advancedhunting/run", "/api/advancedqueries/run"}) {
    const ApiResponse r = Post(router, path,
                               R"j({"Query":"DeviceProcessEvents | summarize n=count()"})j");
    ASSERT_EQ(r.status, 200) << r.body;
    simdjson::dom::element doc;
    ASSERT_EQ(parser_.parse(r.body).get(doc), simdjson::SUCCESS) << r.body;
    EXPECT_EQ(std::string_view(doc["Schema"].at(0)["Name"]), "n");
    EXPECT_EQ(std::string_view(doc["Schema"].at(0)["Type"]), "long");
    EXPECT_EQ(int64_t(doc["Results"].at(0)["n"]), 150);  // Defender routes are not scoped
    EXPECT_FALSE(bool(doc["Stats"]["Truncated"]));
    // Same text as `vigil hunt --format json` up to the timing-dependent Stats.
    auto direct = engine_->Run("DeviceProcessEvents | summarize n=count()");
    ASSERT_TRUE(direct);
    const std::string cli = kql::FormatJson(*direct);
    EXPECT_EQ(r.body.substr(0, r.body.find("\"Stats\"")), cli.substr(0, cli.find("\"Stats\"")));
  }
}

TEST_F(HuntingTest, SchemaListsEveryTableWithKustoTypes) {
  Router router;
  RegisterHuntingRoutes(router, context_, Options());
  ApiRequest r;
  r.method = "GET";
  r.path = "/api/hunting/schema";
  r.principal.role = Role::kViewer;
  const ApiResponse response = router.Dispatch(r);
  ASSERT_EQ(response.status, 200) << response.body;
  simdjson::dom::element doc;
  ASSERT_EQ(parser_.parse(response.body).get(doc), simdjson::SUCCESS);
  simdjson::dom::array tables = doc["Tables"];
  EXPECT_EQ(tables.size(), schema::Catalog::Default().tables().size());
  bool found = false;
  for (simdjson::dom::element table : tables) {
    if (std::string_view(table["Name"]) != "DeviceProcessEvents") {
      continue;
    }
    found = true;
    for (simdjson::dom::element column : simdjson::dom::array(table["Columns"])) {
      if (std::string_view(column["Name"]) == "Timestamp") {
        EXPECT_EQ(std::string_view(column["Type"]), "datetime");
      }
      if (std::string_view(column["Name"]) == "ProcessId") {
        EXPECT_EQ(std::string_view(column["Type"]), "long");
      }
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(HuntingTest, GraphShapeAndTimespanScoping) {
  Router router;
  RegisterHuntingRoutes(router, context_, Options());
  auto count = [&](const std::string& body) -> int64_t {
    const ApiResponse r = Post(router, "/v1.0/security/runHuntingQuery", body);
    EXPECT_EQ(r.status, 200) << r.body;
    simdjson::dom::element doc;
    if (parser_.parse(r.body).get(doc) != simdjson::SUCCESS) return -1;
    EXPECT_EQ(std::string_view(doc["@odata.context"]),
              "https://graph.microsoft.com/v1.0/"
              "$metadata#microsoft.graph.security.huntingQueryResults");
    EXPECT_EQ(std::string_view(doc["schema"].at(0)["name"]), "n");
    EXPECT_EQ(std::string_view(doc["schema"].at(0)["type"]), "long");
    EXPECT_TRUE(doc["Schema"].error() == simdjson::NO_SUCH_FIELD);
    return int64_t(doc["results"].at(0)["n"]);
  };
  const std::string q = R"j("Query":"DeviceProcessEvents | summarize n=count()")j";
  EXPECT_EQ(count("{" + q + "}"), 100);  // default: the last 30 days
  EXPECT_EQ(count("{" + q + R"(,"Timespan":"P100D"})"), 150);
  EXPECT_EQ(count("{" + q + R"(,"Timespan":"2026-08-01T00:00:00Z/2026-08-02T00:00:00Z"})"), 50);
  EXPECT_EQ(count("{" + q + R"(,"Timespan":"P1D/2026-08-02T00:00:00Z"})"), 50);
  EXPECT_EQ(count("{" + q + R"(,"Timespan":"2026-10-24T00:00:00Z"})"), 100);
  EXPECT_EQ(count(R"j({"query":"DeviceProcessEvents | summarize n=count()","timespan":"PT1H"})j"),
            0);
  const ApiResponse bad = Post(router, "/v1.0/security/runHuntingQuery",
                               "{" + q + R"(,"Timespan":"P1X"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("Timespan"), std::string::npos) << bad.body;
}

TEST_F(HuntingTest, KqlErrorIs400WithCodeAndPosition) {
  Router router;
  RegisterHuntingRoutes(router, context_, Options());
  const ApiResponse r =
      Post(router, "/api/advancedhunting/run", R"({"Query":"DeviceProcessEvents\n| whre x"})");
  ASSERT_EQ(r.status, 400) << r.body;
  simdjson::dom::element doc;
  ASSERT_EQ(parser_.parse(r.body).get(doc), simdjson::SUCCESS);
  EXPECT_EQ(std::string_view(doc["error"]["code"]), "BadRequest");
  const std::string message{std::string_view(doc["error"]["message"])};
  EXPECT_NE(message.find("KQL"), std::string::npos) << message;
  EXPECT_NE(message.find("line 2:"), std::string::npos) << message;
  const ApiResponse g =
      Post(router, "/v1.0/security/runHuntingQuery", R"({"Query":"NoSuchTable | take 1"})");
  EXPECT_EQ(g.status, 400);
  EXPECT_NE(g.body.find("innerError"), std::string::npos) << g.body;
}

TEST_F(HuntingTest, BadBodiesAre400) {
  Router router;
  RegisterHuntingRoutes(router, context_, Options());
  for (const char* body : {"", "not json", "[1]", R"({"Query":5})", R"({"Query":""})", R"({})",
                           R"({"Query":"DeviceProcessEvents","Extra":1})",
                           R"({"query":"DeviceProcessEvents"})"}) {
    const ApiResponse r = Post(router, "/api/advancedhunting/run", body);
    EXPECT_EQ(r.status, 400) << body << " -> " << r.body;
    EXPECT_NE(r.body.find("InvalidRequestBody"), std::string::npos) << r.body;
  }
}

TEST_F(HuntingTest, TruncationIsFlagged) {
  HuntingOptions o = Options();
  o.max_rows = 10;
  Router router;
  RegisterHuntingRoutes(router, context_, o);
  const ApiResponse r = Post(router, "/api/advancedhunting/run", R"({"Query":"DeviceProcessEvents"})");
  ASSERT_EQ(r.status, 200);
  simdjson::dom::element doc;
  ASSERT_EQ(parser_.parse(r.body).get(doc), simdjson::SUCCESS);
  EXPECT_EQ(simdjson::dom::array(doc["Results"]).size(), 10u);
  EXPECT_TRUE(bool(doc["Stats"]["Truncated"]));
  EXPECT_EQ(r.headers.at("X-Vigil-Truncated"), "true");
  const ApiResponse g = Post(router, "/v1.0/security/runHuntingQuery",
                             R"({"Query":"DeviceProcessEvents","Timespan":"P365D"})");
  ASSERT_EQ(g.status, 200);
  ASSERT_EQ(parser_.parse(g.body).get(doc), simdjson::SUCCESS);
  EXPECT_EQ(simdjson::dom::array(doc["results"]).size(), 10u);
  EXPECT_TRUE(bool(doc["@vigil.truncated"]));
}

TEST_F(HuntingTest, CallQuotaPerPrincipalGives429WithRetryAfter) {
  HuntingOptions o = Options();
  o.quota.calls_per_minute = 2;
  Router router;
  RegisterHuntingRoutes(router, context_, o);
  const std::string body = R"({"Query":"DeviceProcessEvents | take 1"})";
  EXPECT_EQ(Post(router, "/api/advancedhunting/run", body).status, 200);
  EXPECT_EQ(Post(router, "/v1.0/security/runHuntingQuery", body).status, 200);
  const ApiResponse refused = Post(router, "/api/advancedhunting/run", body);
  ASSERT_EQ(refused.status, 429) << refused.body;
  EXPECT_EQ(refused.headers.at("Retry-After"), "30");
  EXPECT_NE(refused.body.find("TooManyRequests"), std::string::npos);
  EXPECT_EQ(Post(router, "/api/advancedhunting/run", body, "app-2").status, 200);
  clock_ += std::chrono::seconds(30);
  EXPECT_EQ(Post(router, "/api/advancedhunting/run", body).status, 200);
  const ApiResponse graph = Post(router, "/v1.0/security/runHuntingQuery", body);
  EXPECT_EQ(graph.status, 429);
  EXPECT_NE(graph.body.find("activityLimitReached"), std::string::npos);
}

TEST_F(HuntingTest, CpuBudgetGives429) {
  HuntingOptions o = Options();
  o.quota.cpu_seconds_per_hour = 0.0005;
  o.min_charge_seconds = 0.001;
  Router router;
  RegisterHuntingRoutes(router, context_, o);
  const std::string body = R"({"Query":"DeviceProcessEvents | take 1"})";
  EXPECT_EQ(Post(router, "/api/advancedhunting/run", body).status, 200);
  const ApiResponse refused = Post(router, "/api/advancedhunting/run", body);
  ASSERT_EQ(refused.status, 429);
  EXPECT_GE(std::stoi(refused.headers.at("Retry-After")), 1);
  EXPECT_NE(refused.body.find("CPU"), std::string::npos);
}

TEST(HuntingParse, IsoDurations) {
  constexpr int64_t kS = 10'000'000;
  EXPECT_EQ(ParseIsoDuration("P30D"), 30 * 86400 * kS);
  EXPECT_EQ(ParseIsoDuration("PT1H30M"), 5400 * kS);
  EXPECT_EQ(ParseIsoDuration("P1DT0.5S"), 86400 * kS + kS / 2);
  EXPECT_EQ(ParseIsoDuration("P2W"), 14 * 86400 * kS);
  for (const char* bad : {"", "P", "PT", "P1", "P1H", "PT1D", "P-1D", "P1DT", "P99999999999D",
                          "30D", "P1.D", "PTT1H"}) {
    EXPECT_FALSE(ParseIsoDuration(bad).has_value()) << bad;
  }
  const int64_t now = DayStart(2026, 10, 25);
  auto span = ParseTimespan("2026-10-20/P2D", now);
  ASSERT_TRUE(span.ok());
  EXPECT_EQ(span->first, DayStart(2026, 10, 20));
  EXPECT_EQ(span->second, DayStart(2026, 10, 22));
  EXPECT_FALSE(ParseTimespan("2026-10-22/2026-10-20", now).ok());
  EXPECT_FALSE(ParseTimespan("P1D/P1D", now).ok());
  EXPECT_FALSE(ParseTimespan("/", now).ok());
}

}  // namespace
}  // namespace vigil::api

// POST /api/ingest over a real store: rows become durable and huntable, per-line errors are
// reported, bad tables and bodies are 400, a full queue is 503 + Retry-After, and indicators
// raise alerts inline.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "vigil/api/hunting/hunting.h"
#include "vigil/api/ingest/ingest_routes.h"
#include "vigil/api/ingest/ingest_service.h"
#include "vigil/detect/ioc/indicator.h"
#include "vigil/kql/exec/engine.h"
#include "vigil/store/store.h"
#include "vigil/store/store_test_util.h"

namespace vigil::api {
namespace {

constexpr std::string_view kBadHash =
    "aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11";

std::string Line(int i, std::string_view sha256) {
  return fmt::format(
      R"({{"Timestamp":"2026-10-24T10:00:{:02}Z","DeviceId":"dev1","DeviceName":"ws-1",)"
      R"("ActionType":"ProcessCreated","FileName":"tool{}.exe","SHA256":"{}",)"
      R"("ProcessCommandLine":"tool{}.exe -x","AccountName":"alice","ReportId":{}}})"
      "\n",
      i, i, sha256, i, i + 1);
}

class IngestTest : public ::testing::Test {
 protected:
  void Open(IngestServiceOptions options = {}) {
    store::StoreOptions so;
    so.dir = dir_.path() / "store";
    so.background_flush = false;
    so.retention_days = 0;
    auto opened = store::Store::Open(so, schema::Catalog::Default());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(*opened);
    engine_ = std::make_unique<kql::Engine>(store_.get(), &schema::Catalog::Default());
    auto service = IngestService::Create(dir_.path().string(), store_.get(), std::move(options));
    ASSERT_TRUE(service.ok()) << service.status().ToString();
    service_ = std::move(*service);
    RegisterIngestRoutes(router_, *service_, sources_);
    ApiContext context;
    context.store = store_.get();
    context.engine = engine_.get();
    RegisterHuntingRoutes(router_, context, HuntingOptions{});
  }
  void TearDown() override {
    service_.reset();
    if (store_) {
      ASSERT_TRUE(store_->Close().ok());
    }
  }
  ApiResponse Post(const std::string& path, std::multimap<std::string, std::string> query,
                   std::string body, Role role = Role::kResponder) {
    ApiRequest r;
    r.method = "POST";
    r.path = path;
    r.query = std::move(query);
    r.body = std::move(body);
    r.principal.id = "ingest-app";
    r.principal.role = role;
    return router_.Dispatch(r);
  }
  ApiResponse Ingest(std::string body, std::string table = "DeviceProcessEvents") {
    return Post("/api/ingest", {{"table", table}, {"format", "jsonl"}}, std::move(body));
  }
  int64_t Count(const std::string& query) {
    auto r = engine_->Run(query + " | summarize n=count()");
    EXPECT_TRUE(r) << (r ? "" : r.error().ToString());
    return r ? r->table->cols[0][0].AsInt64() : -1;
  }

  store::testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<kql::Engine> engine_;
  std::unique_ptr<IngestService> service_;
  IngestSources sources_;
  Router router_;
  simdjson::dom::parser parser_;
};

TEST_F(IngestTest, RowsAreStoredAndHuntableWithPerLineErrors) {
  Open();
  const std::string body = Line(1, kBadHash) + "{not json\n" + Line(2, kBadHash) + "[1,2]\n";
  const ApiResponse r = Ingest(body);
  ASSERT_EQ(r.status, 200) << r.body;
  simdjson::dom::element doc;
  ASSERT_EQ(parser_.parse(r.body).get(doc), simdjson::SUCCESS) << r.body;
  EXPECT_EQ(int64_t(doc["accepted"]), 2);
  EXPECT_EQ(int64_t(doc["tables"]["DeviceProcessEvents"]), 2);
  simdjson::dom::array skipped = doc["skipped"];
  ASSERT_EQ(skipped.size(), 2u);
  EXPECT_EQ(int64_t(skipped.at(0)["line"]), 2);
  EXPECT_EQ(int64_t(skipped.at(1)["line"]), 4);
  EXPECT_NE(std::string_view(skipped.at(0)["reason"]).find("JSON"), std::string_view::npos);

  EXPECT_EQ(Count("DeviceProcessEvents | where DeviceName == 'ws-1'"), 2);
  const ApiResponse hunt =
      Post("/api/advancedhunting/run", {},
           R"({"Query":"DeviceProcessEvents | where FileName == 'tool2.exe' | project ProcessCommandLine"})",
           Role::kViewer);
  ASSERT_EQ(hunt.status, 200) << hunt.body;
  EXPECT_NE(hunt.body.find("tool2.exe -x"), std::string::npos) << hunt.body;
}

TEST_F(IngestTest, EveryCallIsCountedUnderItsSource) {
  Open();
  ASSERT_EQ(Ingest(Line(1, kBadHash) + "{bad\n").status, 200);
  EXPECT_EQ(Ingest("", "DeviceProcessEvents").status, 400);
  ApiRequest sensor;
  sensor.method = "POST";
  sensor.path = "/api/ingest";
  sensor.query = {{"table", "DeviceProcessEvents"}, {"format", "jsonl"}};
  sensor.body = Line(2, kBadHash) + Line(3, kBadHash);
  sensor.principal = Principal{"key-1", "sensor-7", Role::kIngest, "edge-sensor"};
  ASSERT_EQ(router_.Dispatch(sensor).status, 200);
  ApiRequest list;
  list.method = "GET";
  list.path = "/api/ingest/sources";
  list.principal.role = Role::kResponder;
  const ApiResponse r = router_.Dispatch(list);
  ASSERT_EQ(r.status, 200) << r.body;
  simdjson::dom::element doc;
  ASSERT_EQ(parser_.parse(r.body).get(doc), simdjson::SUCCESS) << r.body;
  simdjson::dom::array value = doc["value"];
  ASSERT_EQ(value.size(), 2u);
  EXPECT_EQ(std::string_view(value.at(0)["source"]), "edge-sensor");
  EXPECT_EQ(int64_t(value.at(0)["acceptedRows"]), 2);
  EXPECT_EQ(std::string_view(value.at(1)["source"]), "ingest-app");  // no name: the id
  EXPECT_EQ(int64_t(value.at(1)["requests"]), 2);
  EXPECT_EQ(int64_t(value.at(1)["acceptedRows"]), 1);
  EXPECT_EQ(int64_t(value.at(1)["skippedLines"]), 1);
  EXPECT_EQ(int64_t(value.at(1)["refusedRequests"]), 1);
  // A sensor credential cannot read the list.
  list.principal.role = Role::kIngest;
  EXPECT_EQ(router_.Dispatch(list).status, 403);
}

TEST_F(IngestTest, BadRequestsAre400AndViewerIsForbidden) {
  Open();
  EXPECT_EQ(Ingest(Line(1, kBadHash), "NoSuchTable").status, 400);
  EXPECT_EQ(Post("/api/ingest", {{"format", "jsonl"}}, Line(1, kBadHash)).status, 400);
  EXPECT_EQ(Post("/api/ingest", {{"table", "DeviceProcessEvents"}, {"format", "xml"}},
                 Line(1, kBadHash))
                .status,
            400);
  EXPECT_EQ(Ingest("").status, 400);
  const ApiResponse none = Ingest("{bad\n[]\n");
  EXPECT_EQ(none.status, 400);
  EXPECT_NE(none.body.find("line 1"), std::string::npos) << none.body;
  EXPECT_EQ(Post("/api/ingest", {{"table", "DeviceProcessEvents"}}, Line(1, kBadHash),
                 Role::kViewer)
                .status,
            403);
  EXPECT_EQ(Count("DeviceProcessEvents"), 0);
}

TEST_F(IngestTest, FullQueueIs503WithRetryAfterAndNothingIsDropped) {
  IngestServiceOptions options;
  options.max_bytes_in_flight = 4096;
  options.retry_after_seconds = 7;
  Open(std::move(options));
  ASSERT_TRUE(service_->TryAdmit(4000));  // another request is being written
  const ApiResponse full = Ingest(Line(1, kBadHash));
  ASSERT_EQ(full.status, 503) << full.body;
  EXPECT_EQ(full.headers.at("Retry-After"), "7");
  EXPECT_EQ(Count("DeviceProcessEvents"), 0);
  service_->Release(4000);
  EXPECT_EQ(Ingest(Line(1, kBadHash)).status, 200);
  EXPECT_EQ(service_->bytes_in_flight(), 0u);
  EXPECT_EQ(Ingest(std::string(5000, ' ')).status, 413);
  EXPECT_EQ(Count("DeviceProcessEvents"), 1);
}

TEST_F(IngestTest, IndicatorsRaiseAlertsInline) {
  detect::ioc::Indicator bad;
  bad.indicator_value = std::string(kBadHash);
  bad.indicator_type = detect::ioc::IndicatorType::kFileSha256;
  bad.action = detect::ioc::IndicatorAction::kAudit;
  bad.generate_alert = true;
  bad.severity = detect::Severity::kHigh;
  bad.title = "Known bad tool";
  bad.description = "test indicator";
  auto set = detect::ioc::IndicatorSet::Build({bad}, 0);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  IngestServiceOptions options;
  options.indicators = *set;
  Open(std::move(options));
  ASSERT_TRUE(service_->detection_enabled());
  const ApiResponse r = Ingest(Line(1, kBadHash) + Line(2, std::string(64, 'b')));
  ASSERT_EQ(r.status, 200) << r.body;
  simdjson::dom::element doc;
  ASSERT_EQ(parser_.parse(r.body).get(doc), simdjson::SUCCESS);
  EXPECT_GE(int64_t(doc["detections"]), 1);
  // The group stays open while the stream may still add to it; a timer tick past its window
  // writes the rows without stopping the service.
  EXPECT_EQ(Count("AlertInfo | where Title == 'Known bad tool'"), 0);
  ASSERT_TRUE(service_->AdvanceTo(int64_t{4102444800} * 1'000'000).ok());  // 2100-01-01
  EXPECT_GE(Count("AlertInfo | where Title == 'Known bad tool'"), 1);
  EXPECT_GE(Count("AlertEvidence"), 1);
  ASSERT_TRUE(service_->Finish().ok());
}

TEST_F(IngestTest, ContinuousCustomDetectionsRunOnEveryBatch) {
  detect::CustomDetectionRule rule;
  rule.id = "cd-test";
  rule.name = "Tool two ran";
  rule.period = detect::DetectionPeriod::kContinuous;
  rule.severity = detect::Severity::kHigh;
  rule.query =
      "DeviceProcessEvents | where FileName == 'tool2.exe' | project Timestamp, ReportId, "
      "DeviceId, DeviceName, AccountName";
  IngestServiceOptions options;
  options.continuous.push_back(rule);
  Open(std::move(options));
  ASSERT_TRUE(service_->detection_enabled());
  EXPECT_EQ(service_->continuous_detections(), 1u);
  const ApiResponse r = Ingest(Line(1, kBadHash) + Line(2, kBadHash));
  ASSERT_EQ(r.status, 200) << r.body;
  simdjson::dom::element doc;
  ASSERT_EQ(parser_.parse(r.body).get(doc), simdjson::SUCCESS);
  EXPECT_EQ(int64_t(doc["detections"]), 1);  // tool2 only
  ASSERT_TRUE(service_->AdvanceTo(int64_t{4102444800} * 1'000'000).ok());
  EXPECT_EQ(Count("AlertInfo | where Title == 'Tool two ran'"), 1);
  ASSERT_TRUE(service_->Finish().ok());
}

TEST_F(IngestTest, WindowsEventJsonIsNormalized) {
  Open();
  const std::string body =
      R"j({"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"ws-9",)j"
      R"j("TimeCreated":"2026-10-24T10:00:00Z","UtcTime":"2026-10-24 10:00:00.000",)j"
      R"j("Image":"C:\\Windows\\System32\\cmd.exe","CommandLine":"cmd.exe /c whoami",)j"
      R"j("ProcessId":"4242","User":"CORP\\bob","ParentImage":"C:\\x\\explorer.exe"})j"
      "\n";
  const ApiResponse r = Post("/api/ingest", {{"format", "windows-json"}}, body);
  ASSERT_EQ(r.status, 200) << r.body;
  simdjson::dom::element doc;
  ASSERT_EQ(parser_.parse(r.body).get(doc), simdjson::SUCCESS);
  EXPECT_EQ(int64_t(doc["tables"]["DeviceProcessEvents"]), 1) << r.body;
  EXPECT_EQ(Count("DeviceProcessEvents | where ProcessCommandLine has 'whoami'"), 1);
}

TEST_F(IngestTest, ConcurrentRequestsAreAllStored) {
  Open();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        const int n = t * 10 + i;
        if (Ingest(Line(n, kBadHash) + Line(n + 100, kBadHash)).status == 200) ++ok;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 20);
  EXPECT_EQ(Count("DeviceProcessEvents"), 40);
  EXPECT_EQ(service_->bytes_in_flight(), 0u);
}

}  // namespace
}  // namespace vigil::api

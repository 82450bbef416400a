// Custom detections over a real store (lookback scoping, the 100-alert cap) and over ingested
// batches (continuous rules), plus the validation Defender applies to rule queries.
#include "vigil/detect/custom_detection.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "vigil/detect/custom_detection_file.h"
#include "vigil/store/store.h"
#include "vigil/store/store_test_util.h"

namespace vigil::detect {
namespace {

using store::testing::AddProcessRows;
using store::testing::DayStart;
using store::testing::TempDir;

constexpr int64_t kHour = int64_t{3600} * 10'000'000;

class CustomDetectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::StoreOptions options;
    options.dir = dir_.path();
    options.background_flush = false;
    options.retention_days = 0;
    auto opened = store::Store::Open(options, schema::Catalog::Default());
    ASSERT_TRUE(opened.has_value()) << opened.error().ToString();
    store_ = std::move(*opened);
    // Three days of one row per second from midnight (6,000 rows a day, until 01:40).
    for (int day = 0; day < 3; ++day) {
      schema::TableBatch batch(*schema::Catalog::Default().Find("DeviceProcessEvents"));
      AddProcessRows(batch, 6000, DayStart(2026, 10, 20 + day), day * 100000, 7 + day);
      ASSERT_TRUE(store_->Append(batch).ok());
    }
    ASSERT_TRUE(store_->Flush().ok());
    engine_ = std::make_unique<kql::Engine>(store_.get(), &schema::Catalog::Default());
  }

  static CustomDetectionRule Rule(std::string query, DetectionPeriod period) {
    CustomDetectionRule rule;
    rule.id = "cd-1";
    rule.name = "Encoded shell";
    rule.query = std::move(query);
    rule.period = period;
    rule.severity = Severity::kHigh;
    rule.category = "Execution";
    rule.techniques = {"T1059"};
    return rule;
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<kql::Engine> engine_;
};

TEST(DetectionPeriodTest, ParsesGraphAndShortFormsWithDefenderLookbacks) {
  EXPECT_EQ(*ParseDetectionPeriod("0"), DetectionPeriod::kContinuous);
  EXPECT_EQ(*ParseDetectionPeriod("3H"), DetectionPeriod::kEvery3h);
  EXPECT_EQ(*ParseDetectionPeriod("24h"), DetectionPeriod::kEvery24h);
  EXPECT_FALSE(ParseDetectionPeriod("5m").has_value());
  EXPECT_EQ(LookbackTicks(DetectionPeriod::kEvery1h), 4 * kHour);
  EXPECT_EQ(LookbackTicks(DetectionPeriod::kEvery3h), 12 * kHour);
  EXPECT_EQ(LookbackTicks(DetectionPeriod::kEvery12h), 48 * kHour);
  EXPECT_EQ(LookbackTicks(DetectionPeriod::kEvery24h), 30 * 24 * kHour);
  EXPECT_EQ(DetectionPeriodName(DetectionPeriod::kEvery12h), "12H");
}

TEST(CustomDetectionFileTest, EachDocumentLoadsOrFailsOnItsOwn) {
  constexpr char kText[] = R"(id: cd-1
name: First
frequency: 1H
severity: High
category: Execution
impactedAssets: [DeviceId]
query: |
  DeviceProcessEvents | project Timestamp, ReportId, DeviceId
---
id: cd-2
name: [broken
---
id: cd-3
name: Third
frequency: continuous
severity: Low
category: Discovery
impactedAssets: [DeviceId]
query: DeviceProcessEvents | project Timestamp, ReportId, DeviceId
)";
  const CustomDetectionLoad loaded = ParseCustomDetections(kText, "pack.yml");
  ASSERT_EQ(loaded.rules.size(), 2u);
  EXPECT_EQ(loaded.rules[0].id, "cd-1");
  EXPECT_EQ(loaded.rules[1].id, "cd-3");
  ASSERT_EQ(loaded.errors.size(), 1u);
  EXPECT_NE(loaded.errors[0].find("pack.yml:"), std::string::npos) << loaded.errors[0];
  EXPECT_NE(loaded.errors[0].find("yaml syntax error"), std::string::npos) << loaded.errors[0];
}

TEST(CustomDetectionFileTest, MalformedStreamEndsWithAnError) {
  // yaml-cpp's LoadAll never returned on this (custom_detection_fuzz).
  const CustomDetectionLoad loaded = ParseCustomDetections(
      ",d: vigil-cd-0002\nfrequen !)cy: 1H\nseverity: Mediu\ntechniques", "fuzz.yml");
  EXPECT_TRUE(loaded.rules.empty());
}

TEST_F(CustomDetectionTest, ValidateRequiresTimestampReportIdAndAnEntity) {
  CustomDetectionRunner runner(*engine_);
  EXPECT_TRUE(runner.Validate(Rule("DeviceProcessEvents | where FileName == 'cmd.exe'",
                                   DetectionPeriod::kEvery1h)).ok());
  auto no_report = runner.Validate(
      Rule("DeviceProcessEvents | project Timestamp, DeviceId", DetectionPeriod::kEvery1h));
  ASSERT_FALSE(no_report.ok());
  EXPECT_NE(no_report.message().find("'ReportId'"), std::string::npos) << no_report.message();
  auto no_entity = runner.Validate(
      Rule("DeviceProcessEvents | project Timestamp, ReportId", DetectionPeriod::kEvery1h));
  ASSERT_FALSE(no_entity.ok());
  EXPECT_NE(no_entity.message().find("entity column"), std::string::npos);
  auto bad = runner.Validate(Rule("DeviceProcessEvents | where FileNam == 1",
                                  DetectionPeriod::kEvery1h));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("does not bind"), std::string::npos) << bad.message();
  auto rule = Rule("DeviceProcessEvents", DetectionPeriod::kEvery1h);
  rule.impacted_columns = {"AccountObjectId2"};
  EXPECT_FALSE(runner.Validate(rule).ok());
}

TEST_F(CustomDetectionTest, ContinuousRulesReadOneNearRealTimeTable) {
  CustomDetectionRunner runner(*engine_);
  EXPECT_TRUE(runner.Validate(Rule("DeviceProcessEvents | where FileName =~ 'cmd.exe'",
                                   DetectionPeriod::kContinuous)).ok());
  auto joined = runner.Validate(
      Rule("DeviceProcessEvents | join kind=inner (DeviceNetworkEvents) on DeviceId",
           DetectionPeriod::kContinuous));
  ASSERT_FALSE(joined.ok());
  EXPECT_NE(joined.message().find("cannot run continuously"), std::string::npos);
  std::string why;
  EXPECT_EQ(CustomDetectionRunner::ContinuousTable("DeviceTvmSoftwareInventory", &why), "");
  EXPECT_NE(why.find("does not support continuous"), std::string::npos) << why;
  EXPECT_EQ(CustomDetectionRunner::ContinuousTable("let x = 5; DeviceLogonEvents | take x", &why),
            "DeviceLogonEvents");
}

TEST_F(CustomDetectionTest, ScheduledRunSeesOnlyItsLookback) {
  CustomDetectionRunner runner(*engine_);
  // 1H rule at 02:00 on the third day: lookback 4h covers only that day's rows (00:00-01:40).
  auto rule = Rule("DeviceProcessEvents | where FileName == 'cmd.exe' | summarize "
                   "Timestamp = max(Timestamp), ReportId = max(ReportId) by DeviceId",
                   DetectionPeriod::kEvery1h);
  const int64_t now = DayStart(2026, 10, 22) + 2 * kHour;
  auto run = runner.Run(rule, now, /*first_run=*/false);
  ASSERT_TRUE(run.has_value()) << run.error().ToString();
  EXPECT_EQ(run->window_start_ticks, now - 4 * kHour);
  ASSERT_FALSE(run->alerts.empty());
  for (const auto& alert : run->alerts) {
    EXPECT_GE(alert.timestamp_us * 10, DayStart(2026, 10, 22));
    EXPECT_GE(std::stoll(alert.source_report_id), 200000);
    EXPECT_EQ(alert.detection_source, "customDetection");
    EXPECT_EQ(alert.service_source, "Endpoint");  // from the table the query reads
    EXPECT_EQ(alert.severity, Severity::kHigh);
    ASSERT_FALSE(alert.evidence.empty());
    EXPECT_EQ(alert.evidence[0].entity_type, "Machine");
    EXPECT_EQ(alert.evidence[0].evidence_role, "Impacted");
  }
  // The first run looks back 30 days and reaches the older days. The service source is that
  // of the table the last statement reads, past `let`s, strings and comments.
  auto all_days = runner.Run(
      Rule("let x = 'IdentityLogonEvents;'; // EmailEvents;\n DeviceProcessEvents | summarize Timestamp = min(Timestamp), ReportId = min(ReportId) "
           "by DeviceId",
           DetectionPeriod::kEvery1h),
      now, /*first_run=*/true);
  ASSERT_TRUE(all_days.has_value());
  ASSERT_FALSE(all_days->alerts.empty());
  for (const auto& alert : all_days->alerts) {
    EXPECT_LT(std::stoll(alert.source_report_id), 100000);
    EXPECT_EQ(alert.service_source, "Endpoint");
  }
}

TEST_F(CustomDetectionTest, AtMostOneHundredAlertsPerRun) {
  CustomDetectionRunner runner(*engine_);
  auto run = runner.Run(Rule("DeviceProcessEvents | where FileName == 'svchost.exe'",
                             DetectionPeriod::kEvery24h),
                        DayStart(2026, 10, 23), /*first_run=*/false);
  ASSERT_TRUE(run.has_value()) << run.error().ToString();
  EXPECT_GT(run->result_rows, 100u);
  EXPECT_EQ(run->alerts.size(), kMaxAlertsPerRun);
  EXPECT_TRUE(run->capped);
  ASSERT_FALSE(run->warnings.empty());
  // Row evidence: the device, the account, the file.
  const auto& ev = run->alerts[0].evidence;
  auto type = [&](const char* t) {
    return std::count_if(ev.begin(), ev.end(), [&](const Evidence& e) { return e.entity_type == t; });
  };
  EXPECT_EQ(type("Machine"), 1);
  EXPECT_EQ(type("User"), 1);
  EXPECT_EQ(type("File"), 1);
}

TEST_F(CustomDetectionTest, ContinuousRuleRunsOnEachIngestedBatch) {
  CustomDetectionRunner runner(*engine_);
  schema::TableBatch batch(*schema::Catalog::Default().Find("DeviceProcessEvents"));
  AddProcessRows(batch, 50, DayStart(2026, 10, 23), 900000, 99);
  auto rule = Rule("DeviceProcessEvents | where FileName =~ 'CMD.EXE'",
                   DetectionPeriod::kContinuous);
  auto run = runner.RunOnBatch(rule, batch, DayStart(2026, 10, 23) + kHour);
  ASSERT_TRUE(run.has_value()) << run.error().ToString();
  ASSERT_GT(run->alerts.size(), 0u);
  for (const auto& alert : run->alerts) {
    // Only the batch's rows, never the stored ones.
    EXPECT_GE(std::stoll(alert.source_report_id), 900000);
  }
  schema::TableBatch other(*schema::Catalog::Default().Find("DeviceNetworkEvents"));
  auto none = runner.RunOnBatch(rule, other, DayStart(2026, 10, 23));
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->alerts.empty());
}

}  // namespace
}  // namespace vigil::detect

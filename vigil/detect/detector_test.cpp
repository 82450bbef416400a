// The Detector end to end: Windows events read and normalized by the real FileIngestor, Sigma
// rules, a correlation across tables, indicators (hits and Allowed suppression) and the alert
// pipeline's grouping.
#include "vigil/detect/detector.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "vigil/detect/ioc/indicator_set.h"
#include "vigil/detect/sigma/loader.h"
#include "vigil/ingest/file_ingestor.h"

namespace vigil::detect {
namespace {

constexpr const char* kRules = R"(title: Encoded PowerShell
id: 11111111-1111-4111-8111-111111111111
name: enc_ps
status: test
author: Test Author
tags: [attack.execution, attack.t1059.001]
logsource: {product: windows, category: process_creation}
detection:
  selection:
    Image|endswith: '\powershell.exe'
    CommandLine|contains|windash: ' -enc '
  condition: selection
level: high
---
title: LSASS Access
id: 22222222-2222-4222-8222-222222222222
name: lsass
status: test
author: Test Author
logsource: {product: windows, category: process_access}
detection:
  selection:
    TargetImage|endswith: '\lsass.exe'
    GrantedAccess: '0x1010'
  condition: selection
level: high
---
title: Encoded PowerShell then LSASS
id: 33333333-3333-4333-8333-333333333333
correlation:
  type: temporal
  rules: [enc_ps, lsass]
  group-by: [Computer]
  timespan: 10m
  generate: true
level: critical
)";

std::string Sysmon(int event_id, const std::string& host, const std::string& time,
                   const std::string& fields) {
  return R"({"Hostname":")" + host +
         R"(","Channel":"Microsoft-Windows-Sysmon/Operational","SourceName":"Microsoft-Windows-Sysmon","EventID":)" +
         std::to_string(event_id) + R"(,"TimeCreated":")" + time + R"(","UtcTime":")" + time +
         "\"," + fields + "}\n";
}

std::string EncodedPowerShell(const std::string& host, const std::string& time) {
  return Sysmon(1, host, time,
                R"("ProcessId":"100","Image":"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe","CommandLine":"powershell.exe -nop /enc SQBFAFgA","User":"CORP\\bob","Hashes":"SHA256=AAAA000000000000000000000000000000000000000000000000000000000001")");
}

std::string LsassAccess(const std::string& host, const std::string& time) {
  return Sysmon(10, host, time,
                R"("SourceProcessId":"200","SourceImage":"C:\\Temp\\x.exe","TargetProcessId":"684","TargetImage":"C:\\Windows\\System32\\lsass.exe","GrantedAccess":"0x1010","SourceUser":"CORP\\bob")");
}

std::string Noise(const std::string& host, const std::string& time) {
  return Sysmon(1, host, time,
                R"("ProcessId":"300","Image":"C:\\Windows\\System32\\notepad.exe","CommandLine":"notepad.exe a.txt","User":"CORP\\bob")");
}

struct Outcome {
  std::vector<std::string> titles;  // in detection order
  DetectorStats stats;
  alerts::AlertPipelineStats pipeline;
};

Outcome Detect(const std::string& events, std::shared_ptr<const ioc::IndicatorSet> indicators = {}) {
  auto loaded = sigma::LoadRuleText(kRules, "test.yml", {});
  EXPECT_TRUE(loaded.has_value());
  EXPECT_TRUE(loaded->errors.empty()) << loaded->errors[0].reason;
  Outcome run;
  auto pipeline = alerts::AlertPipeline::Create({}, {}, nullptr);
  EXPECT_TRUE(pipeline.has_value());
  DetectorOptions options;
  options.indicators = std::move(indicators);
  auto detector = Detector::Create(
      std::move(*loaded), std::move(options), pipeline->get(),
      [&](const DetectionEvent& e) { run.titles.push_back(e.draft.title); });
  EXPECT_TRUE(detector.has_value()) << detector.error().ToString();
  ingest::IngestReport report;
  ingest::FileIngestor ingestor(schema::Catalog::Default(), {},
                                [&](schema::TableBatch& b) { (*detector)->OnBatch(b); }, report);
  ingestor.IngestBuffer("events.jsonl", events);
  ingestor.Finish();
  (*detector)->Finish();
  run.stats = (*detector)->stats();
  run.pipeline = (*pipeline)->stats();
  return run;
}

int Count(const Outcome& run, const std::string& title) {
  return static_cast<int>(std::count(run.titles.begin(), run.titles.end(), title));
}

TEST(DetectorTest, CorrelatesAcrossTablesWhateverTheBatchOrder) {
  // The process events span two days and reach the detector (DeviceProcessEvents batch) before
  // the LSASS access (DeviceEvents batch): the temporal correlation must still see both.
  std::string events = EncodedPowerShell("ws1.corp.local", "2026-03-01 10:00:00.000") +
                       LsassAccess("ws1.corp.local", "2026-03-01 10:04:00.000") +
                       Noise("ws1.corp.local", "2026-03-03 10:00:00.000") +
                       EncodedPowerShell("ws2.corp.local", "2026-03-01 11:00:00.000") +
                       LsassAccess("ws2.corp.local", "2026-03-01 11:30:00.000");
  const Outcome run = Detect(events);
  EXPECT_EQ(Count(run, "Encoded PowerShell"), 2);
  EXPECT_EQ(Count(run, "LSASS Access"), 2);
  // ws2's two events are 30 minutes apart: outside the 10-minute span.
  EXPECT_EQ(Count(run, "Encoded PowerShell then LSASS"), 1);
  EXPECT_EQ(run.stats.correlation_hits, 1u);
}

TEST(DetectorTest, IdenticalDetectionsInTheWindowBecomeOneAlert) {
  std::string events;
  for (int minute = 0; minute < 5; ++minute) {
    events += EncodedPowerShell("ws1.corp.local",
                                "2026-03-01 10:0" + std::to_string(minute) + ":00.000");
  }
  const Outcome run = Detect(events);
  EXPECT_EQ(Count(run, "Encoded PowerShell"), 5);
  EXPECT_EQ(run.pipeline.drafts, 5u);
  EXPECT_EQ(run.pipeline.alerts, 1u);
  EXPECT_EQ(run.pipeline.grouped, 4u);
}

TEST(DetectorTest, IndicatorsAlertAndAllowedOnesSuppress) {
  ioc::Indicator block;
  block.indicator_type = ioc::IndicatorType::kFileSha256;
  block.indicator_value = "aaaa000000000000000000000000000000000000000000000000000000000001";
  block.action = ioc::IndicatorAction::kAudit;
  block.generate_alert = true;
  block.title = "Known bad loader";
  block.description = "test";
  block.severity = Severity::kHigh;
  auto set = ioc::IndicatorSet::Build({block}, 0);
  ASSERT_TRUE(set.has_value()) << set.error().ToString();
  const Outcome hit = Detect(EncodedPowerShell("ws1.corp.local", "2026-03-01 10:00:00.000"), *set);
  EXPECT_EQ(hit.stats.indicator_hits, 1u);
  EXPECT_EQ(Count(hit, "Known bad loader"), 1);

  block.action = ioc::IndicatorAction::kAllowed;
  block.generate_alert = false;
  auto allowed = ioc::IndicatorSet::Build({block}, 0);
  ASSERT_TRUE(allowed.has_value());
  const Outcome quiet = Detect(EncodedPowerShell("ws1.corp.local", "2026-03-01 10:00:00.000"),
                           *allowed);
  EXPECT_EQ(quiet.stats.indicator_hits, 0u);
  EXPECT_EQ(Count(quiet, "Encoded PowerShell"), 0);
  EXPECT_EQ(quiet.stats.suppressed_by_allow, 1u);
}

}  // namespace
}  // namespace vigil::detect

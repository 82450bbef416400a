#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "vigil/base/time.h"
#include "vigil/detect/alerts/alert_pipeline.h"
#include "vigil/detect/alerts/alert_store.h"
#include "vigil/detect/alerts/evidence.h"

namespace vigil::detect::alerts {
namespace {

constexpr int64_t kMinute = int64_t{60} * 1'000'000;
const int64_t kT0 = *ParseDateTime("2024-05-01T10:00:00Z") / kTicksPerMicrosecond;

Evidence Machine(std::string name) {
  Evidence e;
  e.entity_type = "Machine";
  e.evidence_role = "Impacted";
  e.device_id = "id-" + name;
  e.device_name = std::move(name);
  return e;
}

Evidence Process(std::string command_line, int64_t pid) {
  Evidence e;
  e.entity_type = "Process";
  e.file_name = "powershell.exe";
  e.folder_path = "C:\\Windows\\powershell.exe";
  e.process_command_line = std::move(command_line);
  e.process_id = pid;
  e.md5 = "abcd";
  return e;
}

AlertDraft Draft(int64_t ts, std::string device, int64_t pid = 1) {
  AlertDraft d;
  d.timestamp_us = ts;
  d.title = "Encoded PowerShell";
  d.description = "PowerShell ran an encoded command";
  d.category = "Execution";
  d.attack_techniques = {"T1059.001"};
  d.severity = Severity::kHigh;
  d.service_source = "Vigil";
  d.detection_source = "Sigma";
  d.rule_id = "rule-1";
  d.rule_title = "Encoded PowerShell";
  d.rule_author = "Someone";
  d.rule_link = "https://example.test/rule-1";
  d.rule_license = "DRL-1.1";
  d.source_table = "DeviceProcessEvents";
  d.source_report_id = "42";
  d.evidence = {Machine(std::move(device)), Process("powershell -enc AAA", pid)};
  return d;
}

// Collects sink batches by table.
struct Sink {
  std::vector<schema::TableBatch> info;
  std::vector<schema::TableBatch> evidence;
  size_t calls = 0;

  AlertPipeline::RowSink Fn() {
    return [this](schema::TableBatch& batch) {
      ++calls;
      (batch.schema().name() == "AlertInfo" ? info : evidence).push_back(batch);
    };
  }
  size_t Rows(const std::vector<schema::TableBatch>& batches) const {
    size_t n = 0;
    for (const auto& b : batches) {
      n += b.rows();
    }
    return n;
  }
};

std::optional<std::string> Str(const schema::TableBatch& batch, std::string_view column,
                               size_t row = 0) {
  const int col = batch.schema().FindColumn(column);
  if (col < 0 || batch.column(static_cast<size_t>(col)).IsNull(row)) {
    return std::nullopt;
  }
  return std::string(batch.column(static_cast<size_t>(col)).GetBytes(row));
}

std::optional<int64_t> Int(const schema::TableBatch& batch, std::string_view column,
                           size_t row = 0) {
  const int col = batch.schema().FindColumn(column);
  if (col < 0 || batch.column(static_cast<size_t>(col)).IsNull(row)) {
    return std::nullopt;
  }
  return batch.column(static_cast<size_t>(col)).ints[row];
}

std::unique_ptr<AlertPipeline> MakePipeline(Sink& sink, AlertStore* store = nullptr,
                                            AlertPipelineOptions options = {}) {
  auto pipeline = AlertPipeline::Create(std::move(options), sink.Fn(), store);
  EXPECT_TRUE(pipeline.ok()) << pipeline.status().ToString();
  return std::move(*pipeline);
}

TEST(AlertsPipelineTest, IdenticalDraftsInTheWindowAreOneAlert) {
  Sink sink;
  auto pipeline = MakePipeline(sink);
  const std::string a = pipeline->Add(Draft(kT0, "ws01", 100));
  const std::string b = pipeline->Add(Draft(kT0 + 10 * kMinute, "ws01", 200));  // other pid
  const std::string c = pipeline->Add(Draft(kT0 + 59 * kMinute, "ws01", 300));
  EXPECT_EQ(a, b);
  EXPECT_EQ(a, c);
  EXPECT_EQ(pipeline->stats().alerts, 1u);
  EXPECT_EQ(pipeline->stats().grouped, 2u);
  EXPECT_EQ(sink.calls, 0u);  // rows wait for the window to close
  pipeline->Finish();
  ASSERT_EQ(sink.Rows(sink.info), 1u);
  ASSERT_EQ(sink.Rows(sink.evidence), 2u);
  const std::string extra = Str(sink.info[0], "AdditionalFields").value_or("");
  EXPECT_NE(extra.find("\"Count\":3"), std::string::npos) << extra;
  EXPECT_NE(extra.find("\"LastActivity\":\"2024-05-01T10:59:00.0000000Z\""), std::string::npos)
      << extra;
}

TEST(AlertsPipelineTest, DifferentEntityIsAnotherAlert) {
  Sink sink;
  auto pipeline = MakePipeline(sink);
  const std::string a = pipeline->Add(Draft(kT0, "ws01"));
  const std::string b = pipeline->Add(Draft(kT0, "ws02"));
  AlertDraft other_rule = Draft(kT0, "ws01");
  other_rule.rule_id = "rule-2";
  const std::string c = pipeline->Add(std::move(other_rule));
  EXPECT_NE(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(pipeline->stats().alerts, 3u);
  EXPECT_EQ(pipeline->open_groups(), 3u);
}

TEST(AlertsPipelineTest, AfterTheWindowANewAlertStarts) {
  Sink sink;
  auto pipeline = MakePipeline(sink);
  const std::string a = pipeline->Add(Draft(kT0, "ws01"));
  const std::string b = pipeline->Add(Draft(kT0 + 60 * kMinute, "ws01"));
  EXPECT_NE(a, b);
  EXPECT_EQ(pipeline->stats().alerts, 2u);
  // The first group closed when its successor opened: its rows are out with count 1.
  pipeline->Flush();
  ASSERT_EQ(sink.Rows(sink.info), 1u);
  EXPECT_EQ(Str(sink.info[0], "AlertId"), a);
}

TEST(AlertsPipelineTest, GroupsExpireAsEventTimeAdvances) {
  Sink sink;
  AlertPipelineOptions options;
  options.window_us = 10 * kMinute;
  options.allowed_lateness_us = kMinute;
  auto pipeline = MakePipeline(sink, nullptr, options);
  pipeline->Add(Draft(kT0, "ws01"));
  pipeline->Add(Draft(kT0 + 10 * kMinute, "ws02"));  // window end of ws01, within lateness
  EXPECT_EQ(pipeline->open_groups(), 2u);
  pipeline->Add(Draft(kT0 + 11 * kMinute, "ws03"));  // past end + lateness: ws01 closes
  EXPECT_EQ(pipeline->open_groups(), 2u);
  EXPECT_EQ(pipeline->stats().closed, 1u);
  pipeline->AdvanceTo(kT0 + 60 * kMinute);
  EXPECT_EQ(pipeline->open_groups(), 0u);
  EXPECT_EQ(pipeline->stats().closed, 3u);
}

TEST(AlertsPipelineTest, CapClosesTheOldestGroup) {
  Sink sink;
  AlertPipelineOptions options;
  options.max_open_groups = 2;
  auto pipeline = MakePipeline(sink, nullptr, options);
  const std::string first = pipeline->Add(Draft(kT0, "ws01"));
  pipeline->Add(Draft(kT0 + 1, "ws02"));
  pipeline->Add(Draft(kT0 + 2, "ws03"));
  EXPECT_EQ(pipeline->open_groups(), 2u);
  EXPECT_EQ(pipeline->stats().closed_at_cap, 1u);
  pipeline->Flush();
  ASSERT_EQ(sink.Rows(sink.info), 1u);
  EXPECT_EQ(Str(sink.info[0], "AlertId"), first);
}

TEST(AlertsPipelineTest, AlertIdIsStableAndDocumented) {
  Sink sink1;
  Sink sink2;
  auto p1 = MakePipeline(sink1);
  auto p2 = MakePipeline(sink2);
  const AlertDraft draft = Draft(kT0, "ws01");
  const std::string id = p1->Add(draft);
  EXPECT_EQ(p2->Add(draft), id);
  EXPECT_EQ(id, MakeAlertId("rule-1", EntityKeys(draft.evidence), kT0));
  EXPECT_EQ(id.size(), 34u);
  EXPECT_EQ(id.substr(0, 2), "va");
  EXPECT_NE(MakeAlertId("rule-1", EntityKeys(draft.evidence), kT0 + 1), id);
}

TEST(AlertsPipelineTest, AlertInfoAndEvidenceRowsHaveExactValues) {
  Sink sink;
  auto pipeline = MakePipeline(sink);
  const std::string id = pipeline->Add(Draft(kT0, "ws01", 4242));
  pipeline->Add(Draft(kT0 + kMinute, "ws01", 4243));
  pipeline->Finish();
  ASSERT_EQ(sink.info.size(), 1u);
  ASSERT_EQ(sink.evidence.size(), 1u);
  const schema::TableBatch& info = sink.info[0];
  ASSERT_EQ(info.rows(), 1u);
  EXPECT_EQ(Int(info, "Timestamp"), kT0 * kTicksPerMicrosecond);
  EXPECT_EQ(Str(info, "AlertId"), id);
  EXPECT_EQ(Str(info, "Title"), "Encoded PowerShell");
  EXPECT_EQ(Str(info, "Category"), "Execution");
  EXPECT_EQ(Str(info, "Severity"), "High");
  EXPECT_EQ(Str(info, "ServiceSource"), "Vigil");
  EXPECT_EQ(Str(info, "DetectionSource"), "Sigma");
  EXPECT_EQ(Str(info, "AttackTechniques"), "[\"T1059.001\"]");
  EXPECT_EQ(Str(info, "AdditionalFields"),
            "{\"Count\":2,\"FirstActivity\":\"2024-05-01T10:00:00.0000000Z\","
            "\"LastActivity\":\"2024-05-01T10:01:00.0000000Z\","
            "\"Description\":\"PowerShell ran an encoded command\",\"RuleId\":\"rule-1\","
            "\"RuleTitle\":\"Encoded PowerShell\",\"RuleAuthor\":\"Someone\","
            "\"RuleLink\":\"https://example.test/rule-1\",\"RuleLicense\":\"DRL-1.1\","
            "\"SourceTable\":\"DeviceProcessEvents\",\"ReportId\":\"42\"}");

  const schema::TableBatch& ev = sink.evidence[0];
  ASSERT_EQ(ev.rows(), 2u);
  for (size_t row = 0; row < 2; ++row) {
    EXPECT_EQ(Int(ev, "Timestamp", row), kT0 * kTicksPerMicrosecond);
    EXPECT_EQ(Str(ev, "AlertId", row), id);
    EXPECT_EQ(Str(ev, "Title", row), "Encoded PowerShell");
    EXPECT_EQ(Str(ev, "Categories", row), "[\"Execution\"]");
    EXPECT_EQ(Str(ev, "AttackTechniques", row), "[\"T1059.001\"]");
    EXPECT_EQ(Str(ev, "ServiceSource", row), "Vigil");
    EXPECT_EQ(Str(ev, "DetectionSource", row), "Sigma");
    EXPECT_EQ(Str(ev, "Severity", row), "High");
  }
  EXPECT_EQ(Str(ev, "EntityType", 0), "Machine");
  EXPECT_EQ(Str(ev, "EvidenceRole", 0), "Impacted");
  EXPECT_EQ(Str(ev, "DeviceId", 0), "id-ws01");
  EXPECT_EQ(Str(ev, "DeviceName", 0), "ws01");
  EXPECT_EQ(Str(ev, "FileName", 0), std::nullopt);
  EXPECT_EQ(Str(ev, "AdditionalFields", 0), std::nullopt);
  EXPECT_EQ(Str(ev, "EntityType", 1), "Process");
  EXPECT_EQ(Str(ev, "EvidenceRole", 1), "Related");
  EXPECT_EQ(Str(ev, "FileName", 1), "powershell.exe");
  EXPECT_EQ(Str(ev, "FolderPath", 1), "C:\\Windows\\powershell.exe");
  EXPECT_EQ(Str(ev, "ProcessCommandLine", 1), "powershell -enc AAA");
  EXPECT_EQ(Str(ev, "DeviceName", 1), std::nullopt);
  // The first draft's evidence is kept.
  EXPECT_EQ(Str(ev, "AdditionalFields", 1), "{\"MD5\":\"abcd\",\"ProcessId\":4242}");
}

TEST(AlertsPipelineTest, SmallBatchesGoOutWithoutFlush) {
  Sink sink;
  AlertPipelineOptions options;
  options.batch_rows = 1;
  options.max_open_groups = 1;
  auto pipeline = MakePipeline(sink, nullptr, options);
  pipeline->Add(Draft(kT0, "ws01"));
  pipeline->Add(Draft(kT0, "ws02"));  // closes ws01 at the cap
  EXPECT_EQ(sink.Rows(sink.info), 1u);
  EXPECT_EQ(sink.Rows(sink.evidence), 2u);
  EXPECT_EQ(pipeline->stats().info_rows, 1u);
  EXPECT_EQ(pipeline->stats().evidence_rows, 2u);
}

TEST(AlertsPipelineTest, RejectsBadOptionsAndCatalog) {
  AlertPipelineOptions options;
  options.window_us = 0;
  EXPECT_EQ(AlertPipeline::Create(options, {}, nullptr).status().code(),
            StatusCode::kInvalidArgument);
  auto catalog =
      schema::Catalog::Parse("table AlertInfo\nTimestamp datetime\nAdditionalFields dynamic\n");
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  AlertPipelineOptions no_evidence;
  no_evidence.catalog = catalog->get();
  const auto result = AlertPipeline::Create(no_evidence, {}, nullptr);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("AlertEvidence"), std::string::npos);
}

TEST(AlertsPipelineTest, WritesRecordsToTheStore) {
  const std::string dir = ::testing::TempDir() + "/alerts_pipeline_store";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto store = AlertStore::Open(dir + "/alerts.db");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Sink sink;
  auto pipeline = MakePipeline(sink, store->get());
  const std::string id = pipeline->Add(Draft(kT0, "ws01"));
  pipeline->Flush();  // the new alert is visible while its group is still open
  auto first = (*store)->Get(id);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->event_count, 1);
  EXPECT_EQ(first->rule_license, "DRL-1.1");
  EXPECT_EQ(first->severity, Severity::kHigh);
  EXPECT_NE(first->evidence_json.find("\"EntityType\":\"Machine\""), std::string::npos);

  // Triage while the group is open survives later count updates.
  AlertPatch patch;
  patch.status = "inProgress";
  ASSERT_TRUE((*store)->Update(id, patch, "analyst").ok());
  pipeline->Add(Draft(kT0 + kMinute, "ws01"));
  pipeline->Add(Draft(kT0 + 2 * kMinute, "ws01"));
  pipeline->Finish();
  EXPECT_TRUE(pipeline->status().ok());
  auto updated = (*store)->Get(id);
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->event_count, 3);
  EXPECT_EQ(updated->last_activity_us, kT0 + 2 * kMinute);
  EXPECT_EQ(updated->status, AlertStatus::kInProgress);
}

}  // namespace
}  // namespace vigil::detect::alerts

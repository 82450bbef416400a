#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "vigil/detect/alerts/alert_store.h"

namespace vigil::detect::alerts {
namespace {

std::string FreshDir(const std::string& name) {
  const std::string dir = ::testing::TempDir() + "/alerts_store_" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

AlertStoreOptions FakeClock(int64_t* now) {
  AlertStoreOptions options;
  options.clock = [now] { return *now; };
  return options;
}

AlertRecord Record(std::string id, int64_t first, Severity severity = Severity::kMedium,
                   std::string rule = "rule-1") {
  AlertRecord r;
  r.id = std::move(id);
  r.title = "Suspicious thing";
  r.description = "Something happened";
  r.severity = severity;
  r.category = "Execution";
  r.attack_techniques = {"T1059.001", "T1027"};
  r.service_source = "Vigil";
  r.detection_source = "Sigma";
  r.first_activity_us = first;
  r.last_activity_us = first + 10;
  r.event_count = 2;
  r.rule_id = std::move(rule);
  r.rule_title = "Rule";
  r.rule_author = "Author";
  r.rule_link = "https://example.test";
  r.rule_license = "DRL-1.1";
  r.source_table = "DeviceProcessEvents";
  r.source_report_id = "7";
  r.evidence_json = "[{\"EntityType\":\"Machine\"}]";
  return r;
}

TEST(AlertsStoreTest, RoundTrip) {
  const std::string dir = FreshDir("round_trip");
  int64_t now = 1000;
  auto store = AlertStore::Open(dir + "/alerts.db", FakeClock(&now));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE((*store)->Upsert(Record("va1", 100)).ok());
  auto got = (*store)->Get("va1");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->title, "Suspicious thing");
  EXPECT_EQ(got->description, "Something happened");
  EXPECT_EQ(got->severity, Severity::kMedium);
  EXPECT_EQ(got->attack_techniques, (std::vector<std::string>{"T1059.001", "T1027"}));
  EXPECT_EQ(got->status, AlertStatus::kNew);
  EXPECT_EQ(got->classification, AlertClassification::kUnknown);
  EXPECT_EQ(got->determination, AlertDetermination::kNotAvailable);
  EXPECT_FALSE(got->incident_id.has_value());
  EXPECT_EQ(got->first_activity_us, 100);
  EXPECT_EQ(got->last_activity_us, 110);
  EXPECT_EQ(got->event_count, 2);
  EXPECT_EQ(got->rule_author, "Author");
  EXPECT_EQ(got->rule_license, "DRL-1.1");
  EXPECT_EQ(got->source_report_id, "7");
  EXPECT_EQ(got->evidence_json, "[{\"EntityType\":\"Machine\"}]");
  EXPECT_EQ(got->created_time_us, 1000);
  EXPECT_EQ(got->last_update_time_us, 1000);
  EXPECT_TRUE(got->comments.empty());

  EXPECT_EQ((*store)->Get("nope").status().code(), StatusCode::kNotFound);
}

TEST(AlertsStoreTest, UpsertRefreshesCountsAndKeepsTriage) {
  const std::string dir = FreshDir("upsert");
  int64_t now = 1000;
  auto store = AlertStore::Open(dir + "/alerts.db", FakeClock(&now));
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Upsert(Record("va1", 100)).ok());
  AlertPatch patch;
  patch.assigned_to = "bob@contoso.com";
  ASSERT_TRUE((*store)->Update("va1", patch, "alice").ok());
  now = 2000;
  AlertRecord later = Record("va1", 50);
  later.event_count = 9;
  later.last_activity_us = 500;
  ASSERT_TRUE((*store)->Upsert(later).ok());
  AlertRecord fewer = Record("va1", 100);
  fewer.event_count = 1;  // a replay with fewer events never lowers the count
  ASSERT_TRUE((*store)->Upsert(fewer).ok());
  auto got = (*store)->Get("va1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->event_count, 9);
  EXPECT_EQ(got->first_activity_us, 50);
  EXPECT_EQ(got->last_activity_us, 500);
  EXPECT_EQ(got->assigned_to, "bob@contoso.com");
  EXPECT_EQ(got->created_time_us, 1000);
  EXPECT_EQ(got->last_update_time_us, 2000);
}

TEST(AlertsStoreTest, UpdateIsAudited) {
  const std::string dir = FreshDir("update");
  int64_t now = 1000;
  auto store = AlertStore::Open(dir + "/alerts.db", FakeClock(&now));
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Upsert(Record("va1", 100)).ok());
  now = 5000;
  AlertPatch patch;
  patch.status = "In progress";
  patch.assigned_to = "alice@contoso.com";
  patch.classification = "truePositive";
  patch.determination = "compromisedUser";
  patch.incident_id = "42";
  patch.comment = "looking at it";
  auto updated = (*store)->Update("va1", patch, "alice");
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(updated->status, AlertStatus::kInProgress);
  EXPECT_EQ(updated->assigned_to, "alice@contoso.com");
  EXPECT_EQ(updated->classification, AlertClassification::kTruePositive);
  EXPECT_EQ(updated->determination, AlertDetermination::kCompromisedAccount);
  EXPECT_EQ(updated->incident_id, "42");
  EXPECT_EQ(updated->last_update_time_us, 5000);
  ASSERT_EQ(updated->comments.size(), 1u);
  EXPECT_EQ(updated->comments[0].comment, "looking at it");
  EXPECT_EQ(updated->comments[0].created_by, "alice");
  EXPECT_EQ(updated->comments[0].created_time_us, 5000);

  auto audit = (*store)->AuditLog("va1");
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 6u);
  const AuditEntry& status = (*audit)[0];
  EXPECT_EQ(status.field, "status");
  EXPECT_EQ(status.old_value, "New");
  EXPECT_EQ(status.new_value, "InProgress");
  EXPECT_EQ(status.actor, "alice");
  EXPECT_EQ(status.time_us, 5000);
  EXPECT_EQ((*audit)[1].field, "assignedTo");
  EXPECT_EQ((*audit)[2].field, "classification");
  EXPECT_EQ((*audit)[2].new_value, "TruePositive");
  EXPECT_EQ((*audit)[3].field, "determination");
  EXPECT_EQ((*audit)[3].old_value, "NotAvailable");
  EXPECT_EQ((*audit)[3].new_value, "CompromisedAccount");
  EXPECT_EQ((*audit)[4].field, "incidentId");
  EXPECT_EQ((*audit)[5].field, "comment");

  // Re-classifying as FalsePositive voids the TruePositive determination (audited too).
  now = 6000;
  AlertPatch fp;
  fp.classification = "False positive";
  fp.status = "resolved";
  fp.incident_id = "";
  auto resolved = (*store)->Update("va1", fp, "bob");
  ASSERT_TRUE(resolved.ok()) << resolved.status().ToString();
  EXPECT_EQ(resolved->status, AlertStatus::kResolved);
  EXPECT_EQ(resolved->determination, AlertDetermination::kNotAvailable);
  EXPECT_FALSE(resolved->incident_id.has_value());
  audit = (*store)->AuditLog("va1");
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 10u);
  EXPECT_EQ((*audit)[8].field, "determination");
  EXPECT_EQ((*audit)[8].old_value, "CompromisedAccount");
  EXPECT_EQ((*audit)[9].field, "incidentId");
  EXPECT_EQ((*audit)[9].old_value, "42");
  EXPECT_EQ((*audit)[9].new_value, "");

  // A patch that changes nothing writes no audit entry.
  auto same = (*store)->Update("va1", fp, "bob");
  ASSERT_TRUE(same.ok());
  EXPECT_EQ((*store)->AuditLog("va1")->size(), 10u);
}

TEST(AlertsStoreTest, BadValuesAreClearErrorsAndChangeNothing) {
  const std::string dir = FreshDir("errors");
  auto store = AlertStore::Open(dir + "/alerts.db");
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Upsert(Record("va1", 100)).ok());

  AlertPatch bad_status;
  bad_status.status = "Closed";
  bad_status.assigned_to = "mallory";
  auto result = (*store)->Update("va1", bad_status, "x");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message(),
            "unknown alert status 'Closed' (expected New, InProgress or Resolved)");
  EXPECT_EQ((*store)->Get("va1")->assigned_to, "");

  AlertPatch bad_class;
  bad_class.classification = "Maybe";
  EXPECT_EQ((*store)->Update("va1", bad_class, "x").status().code(), StatusCode::kInvalidArgument);

  AlertPatch orphan;  // a determination needs a classification
  orphan.determination = "Malware";
  result = (*store)->Update("va1", orphan, "x");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(),
            "determination 'Malware' does not fit classification 'Unknown' of alert 'va1'");

  AlertPatch mismatch;
  mismatch.classification = "TruePositive";
  mismatch.determination = "NotMalicious";  // Clean: a FalsePositive determination
  EXPECT_EQ((*store)->Update("va1", mismatch, "x").status().code(), StatusCode::kInvalidArgument);

  AlertPatch long_comment;
  long_comment.comment = std::string(AlertStore::kMaxCommentBytes + 1, 'x');
  EXPECT_EQ((*store)->Update("va1", long_comment, "x").status().code(),
            StatusCode::kInvalidArgument);

  AlertPatch fine;
  fine.status = "Resolved";
  auto missing = (*store)->Update("va-missing", fine, "x");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "alert 'va-missing' not found");

  EXPECT_TRUE((*store)->AuditLog("va1")->empty());
  EXPECT_EQ((*store)->Get("va1")->status, AlertStatus::kNew);
}

TEST(AlertsStoreTest, ParsersAcceptEveryDocumentedSpelling) {
  EXPECT_EQ(ParseAlertStatus("inProgress").value(), AlertStatus::kInProgress);
  EXPECT_EQ(ParseAlertStatus("InProgress").value(), AlertStatus::kInProgress);
  EXPECT_EQ(ParseAlertStatus("new").value(), AlertStatus::kNew);
  EXPECT_FALSE(ParseAlertStatus("Active").ok());
  EXPECT_EQ(ParseSeverity("high").value(), Severity::kHigh);
  EXPECT_EQ(ParseClassification("Informational, expected activity").value(),
            AlertClassification::kInformationalExpectedActivity);
  EXPECT_EQ(ParseClassification("informationalExpectedActivity").value(),
            AlertClassification::kInformationalExpectedActivity);
  EXPECT_EQ(ParseClassification("").value(), AlertClassification::kUnknown);
  EXPECT_EQ(ParseDetermination("NoEnoughDataToValidate").value(),
            AlertDetermination::kInsufficientData);
  EXPECT_EQ(ParseDetermination("notEnoughDataToValidate").value(),
            AlertDetermination::kInsufficientData);
  EXPECT_EQ(ParseDetermination("confirmedUserActivity").value(),
            AlertDetermination::kConfirmedActivity);
  EXPECT_EQ(ParseDetermination("multiStagedAttack").value(),
            AlertDetermination::kMultiStagedAttack);
  EXPECT_EQ(ParseDetermination("notMalicious").value(), AlertDetermination::kClean);
  EXPECT_FALSE(ParseDetermination("Evil").ok());
  EXPECT_TRUE(DeterminationFits(AlertClassification::kFalsePositive,
                                AlertDetermination::kInsufficientData));
  EXPECT_FALSE(
      DeterminationFits(AlertClassification::kFalsePositive, AlertDetermination::kMalware));
  EXPECT_TRUE(DeterminationFits(AlertClassification::kInformationalExpectedActivity,
                                AlertDetermination::kOther));
}

TEST(AlertsStoreTest, ListFiltersOrdersAndPages) {
  const std::string dir = FreshDir("list");
  auto store = AlertStore::Open(dir + "/alerts.db");
  ASSERT_TRUE(store.ok());
  std::vector<AlertRecord> records = {
      Record("va1", 100, Severity::kLow), Record("va2", 200, Severity::kHigh),
      Record("va3", 300, Severity::kMedium, "rule-2"), Record("va4", 400, Severity::kHigh)};
  ASSERT_TRUE((*store)->Upsert(records).ok());
  AlertPatch resolve;
  resolve.status = "Resolved";
  ASSERT_TRUE((*store)->Update("va4", resolve, "x").ok());

  auto ids = [](const Result<std::vector<AlertRecord>>& list) {
    std::vector<std::string> out;
    for (const auto& r : *list) {
      out.push_back(r.id);
    }
    return out;
  };
  AlertFilter all;
  EXPECT_EQ(ids((*store)->List(all)), (std::vector<std::string>{"va4", "va3", "va2", "va1"}));
  AlertFilter open;
  open.status = AlertStatus::kNew;
  open.descending = false;
  EXPECT_EQ(ids((*store)->List(open)), (std::vector<std::string>{"va1", "va2", "va3"}));
  AlertFilter high;
  high.min_severity = Severity::kMedium;
  high.order_by = AlertOrder::kSeverity;
  EXPECT_EQ(ids((*store)->List(high)), (std::vector<std::string>{"va4", "va2", "va3"}));
  AlertFilter rule;
  rule.rule_id = "rule-2";
  EXPECT_EQ(ids((*store)->List(rule)), (std::vector<std::string>{"va3"}));
  AlertFilter window;  // activity overlapping [150, 310)
  window.from_us = 150;
  window.to_us = 310;
  EXPECT_EQ(ids((*store)->List(window)), (std::vector<std::string>{"va3", "va2"}));
  EXPECT_EQ((*store)->Count(window).value(), 2);
  AlertFilter page;
  page.order_by = AlertOrder::kFirstActivity;
  page.descending = false;
  page.limit = 2;
  page.offset = 1;
  EXPECT_EQ(ids((*store)->List(page)), (std::vector<std::string>{"va2", "va3"}));
  EXPECT_EQ((*store)->Count(AlertFilter{}).value(), 4);
  AlertPatch link;
  link.incident_id = "7";
  ASSERT_TRUE((*store)->Update("va2", link, "x").ok());
  AlertFilter unlinked;
  unlinked.without_incident = true;
  EXPECT_EQ(ids((*store)->List(unlinked)), (std::vector<std::string>{"va4", "va3", "va1"}));
}

TEST(AlertsStoreTest, ReopenKeepsEverything) {
  const std::string dir = FreshDir("reopen");
  {
    auto store = AlertStore::Open(dir + "/alerts.db");
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->Upsert(Record("va1", 100)).ok());
    AlertPatch patch;
    patch.status = "Resolved";
    patch.comment = "done";
    ASSERT_TRUE((*store)->Update("va1", patch, "alice").ok());
  }
  EXPECT_TRUE(std::filesystem::exists(dir + "/alerts.db"));
  auto store = AlertStore::Open(dir + "/alerts.db");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto got = (*store)->Get("va1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->status, AlertStatus::kResolved);
  ASSERT_EQ(got->comments.size(), 1u);
  EXPECT_EQ(got->comments[0].comment, "done");
  EXPECT_EQ((*store)->AuditLog("va1")->size(), 2u);
}

TEST(AlertsStoreTest, WalModeAndSchemaVersion) {
  const std::string dir = FreshDir("version");
  const std::string path = dir + "/alerts.db";
  ASSERT_TRUE(AlertStore::Open(path).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  auto scalar = [&](const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return out;
  };
  EXPECT_EQ(scalar("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(scalar("PRAGMA user_version"), "1");
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version=99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto newer = AlertStore::Open(path);
  ASSERT_FALSE(newer.ok());
  EXPECT_EQ(newer.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(newer.status().message().find("schema version 99"), std::string::npos);
}

TEST(AlertsStoreTest, ConcurrentWritersAreSerialized) {
  const std::string dir = FreshDir("threads");
  auto store = AlertStore::Open(dir + "/alerts.db");
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Upsert(Record("shared", 1)).ok());
  AlertStore* s = store->get();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([s, t] {
      for (int i = 0; i < 20; ++i) {
        EXPECT_TRUE(s->Upsert(Record(fmt::format("va-{}-{}", t, i), i)).ok());
        AlertPatch patch;
        patch.comment = fmt::format("{}/{}", t, i);
        EXPECT_TRUE(s->Update("shared", patch, "t").ok());
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(s->Count(AlertFilter{}).value(), 81);
  EXPECT_EQ(s->Get("shared")->comments.size(), 80u);
  EXPECT_EQ(s->AuditLog("shared")->size(), 80u);
}

TEST(AlertsStoreTest, UnopenablePathIsAnError) {
  const std::string dir = FreshDir("bad_path");
  auto store = AlertStore::Open(dir + "/missing/dir/alerts.db");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kIoError);
  std::filesystem::create_directories(dir + "/not_a_file.db");
  EXPECT_FALSE(AlertStore::Open(dir + "/not_a_file.db").ok());
}

}  // namespace
}  // namespace vigil::detect::alerts

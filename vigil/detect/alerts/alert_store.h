// AlertStore: the alert records (triage state, counts, evidence, comments) in SQLite (WAL) at
// <data dir>/alerts.db, with an audit trail of every analyst change. Written by AlertPipeline
// (Upsert) and by the API/console (Update); read by the incidents work and the console.
// Thread-safe: every public method takes one internal mutex, so calls are serialized; the
// SQLite handle is used only under that mutex.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/base/status.h"
#include "vigil/detect/alert.h"
#include "vigil/detect/alerts/alert_enums.h"

namespace vigil {
class SqliteDb;
}  // namespace vigil

namespace vigil::detect::alerts {

struct AlertComment {
  std::string comment;
  std::string created_by;
  int64_t created_time_us = 0;
};

// Times are UTC microseconds since the Unix epoch, like AlertDraft::timestamp_us.
struct AlertRecord {
  std::string id;
  std::string title;
  std::string description;
  Severity severity = Severity::kMedium;
  std::string category;
  std::vector<std::string> attack_techniques;
  std::string service_source;
  std::string detection_source;
  AlertStatus status = AlertStatus::kNew;
  std::string assigned_to;  // empty = unassigned
  AlertClassification classification = AlertClassification::kUnknown;
  AlertDetermination determination = AlertDetermination::kNotAvailable;
  std::optional<std::string> incident_id;
  int64_t first_activity_us = 0;
  int64_t last_activity_us = 0;
  int64_t event_count = 0;
  std::string rule_id, rule_title, rule_author, rule_link, rule_license;
  std::string source_table, source_report_id;
  std::string evidence_json = "[]";    // EvidenceToJson()
  int64_t created_time_us = 0;         // set by the store on first insert
  int64_t last_update_time_us = 0;     // set by the store on every change
  std::vector<AlertComment> comments;  // oldest first
};

// Analyst change. Unset members are left alone. Enum members take any accepted spelling.
// assigned_to "" unassigns; incident_id "" detaches; comment is appended (<= 30,000 bytes).
struct AlertPatch {
  std::optional<std::string> status;
  std::optional<std::string> assigned_to;
  std::optional<std::string> classification;
  std::optional<std::string> determination;
  std::optional<std::string> incident_id;
  std::optional<std::string> comment;
};

// One audited change: `field` went from `old_value` to `new_value` ("" for none).
struct AuditEntry {
  int64_t seq = 0;
  std::string alert_id;
  std::string actor;
  int64_t time_us = 0;
  std::string field;
  std::string old_value;
  std::string new_value;
};

enum class AlertOrder : uint8_t {
  kFirstActivity,
  kLastActivity,
  kSeverity,
  kCreatedTime,
  kLastUpdateTime,
  kEventCount,
};

struct AlertFilter {
  std::optional<AlertStatus> status;
  std::optional<Severity> min_severity;  // this severity or higher
  std::optional<std::string> rule_id;
  std::optional<std::string> incident_id;
  bool without_incident = false;  // only alerts not linked to an incident yet
  // Alerts whose activity [first, last] overlaps [from_us, to_us).
  std::optional<int64_t> from_us;
  std::optional<int64_t> to_us;
  AlertOrder order_by = AlertOrder::kLastActivity;
  bool descending = true;
  int64_t limit = 100;  // clamped to [1, 10000]
  int64_t offset = 0;
};

struct AlertStoreOptions {
  // Clock for created/lastUpdate/audit times (UTC microseconds); default: wall clock.
  std::function<int64_t()> clock;
};

class AlertStore {
 public:
  static constexpr int kSchemaVersion = 1;
  static constexpr size_t kMaxCommentBytes = 30000;

  // Opens or creates the database at `path` (WAL mode, schema version kSchemaVersion).
  // Fails on an unreadable file or a newer schema version.
  static Result<std::unique_ptr<AlertStore>> Open(const std::string& path,
                                                  AlertStoreOptions options = {});
  ~AlertStore();
  AlertStore(const AlertStore&) = delete;
  AlertStore& operator=(const AlertStore&) = delete;

  // Inserts new records or, for existing ids, refreshes what detection owns: event count
  // (the larger of the two), first/last activity (widened), evidence and last update time.
  // Triage state (status, assignment, classification, incident, comments) is kept. One
  // transaction for the whole span.
  Status Upsert(std::span<const AlertRecord> records);
  Status Upsert(const AlertRecord& record) { return Upsert(std::span(&record, 1)); }

  Result<AlertRecord> Get(std::string_view id);
  Result<std::vector<AlertRecord>> List(const AlertFilter& filter);
  Result<int64_t> Count(const AlertFilter& filter);

  // Applies an analyst change in one transaction, auditing each changed field (actor, time,
  // old -> new). Errors: not found for an unknown id; invalid argument for a bad enum value, a
  // determination that does not fit the classification, or an over-long comment (nothing is
  // changed then). Returns the updated record.
  Result<AlertRecord> Update(std::string_view id, const AlertPatch& patch, std::string_view actor);

  // Audit entries of one alert, oldest first.
  Result<std::vector<AuditEntry>> AuditLog(std::string_view id);

 private:
  struct Statements;

  AlertStore(std::unique_ptr<SqliteDb> db, AlertStoreOptions options);
  Status Prepare();
  int64_t Now() const;
  Result<AlertRecord> GetLocked(std::string_view id);
  Status LoadComments(AlertRecord& record);

  std::mutex mu_;
  std::unique_ptr<SqliteDb> db_;
  AlertStoreOptions options_;
  std::unique_ptr<Statements> stmts_;  // destroyed before db_
};

}  // namespace vigil::detect::alerts

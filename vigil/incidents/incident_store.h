// IncidentStore: incidents, their alert links (with the reason each alert joined), tags,
// comments, the correlator's entity rows and an audit trail, in SQLite (WAL) at
// <data dir>/incidents.db. Used by the Correlator, the CLI and the API.
// Thread-safe: every public method takes one internal (recursive) mutex; WithTransaction runs a
// body holding it, so a batch of writes is one transaction.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/base/status.h"
#include "vigil/incidents/incident.h"

namespace vigil {
class SqliteDb;
}  // namespace vigil

namespace vigil::detect::alerts {
class AlertStore;
}  // namespace vigil::detect::alerts

namespace vigil::incidents {

struct IncidentStoreOptions {
  std::function<int64_t()> clock;  // UTC microseconds; default: wall clock
};

// Why an alert is in an incident.
struct AlertLink {
  std::string alert_id;
  int64_t incident_id = 0;
  std::string reason;
  std::string actor;
  int64_t time_us = 0;
};

struct IncidentComment {
  std::string comment;
  std::string created_by;
  int64_t created_time_us = 0;
};

struct IncidentAuditEntry {
  int64_t seq = 0;
  int64_t incident_id = 0;
  std::string actor;
  int64_t time_us = 0;
  std::string field;
  std::string old_value;
  std::string new_value;
};

// One entity the correlator indexed for an incident (persisted so the index survives restarts).
struct EntityRow {
  int64_t incident_id = 0;
  std::string key;                       // primary identifier, e.g. "device:id:abc"
  std::string label;                     // "device ws-0142"
  std::vector<std::string> identifiers;  // every identifier it is looked up by (key first)
  int64_t last_seen_us = 0;
  uint32_t domains = 0;     // bit i = correlation domain i saw it
  int64_t alert_count = 0;  // alerts of the incident that had it
};

// Analyst change; unset members are left alone. Enums take any accepted spelling.
struct IncidentPatch {
  std::optional<std::string> status;
  std::optional<std::string> assigned_to;  // "" unassigns
  std::optional<std::string> classification;
  std::optional<std::string> determination;  // only with classification TruePositive
  std::optional<std::string> title;          // "" = back to the generated title
  std::optional<std::string> severity;       // "" = back to the highest alert severity
  std::vector<std::string> add_tags;
  std::vector<std::string> remove_tags;
  std::optional<std::string> comment;  // <= 30,000 bytes
};

enum class IncidentOrder : uint8_t { kLastUpdate, kCreated, kSeverity, kId };

struct IncidentFilter {
  std::optional<IncidentStatus> status;
  std::optional<Severity> min_severity;
  std::optional<std::string> assigned_to;
  IncidentOrder order_by = IncidentOrder::kLastUpdate;
  bool descending = true;
  int64_t limit = 100;  // clamped to [1, 100000]
  int64_t offset = 0;
};

class IncidentStore {
 public:
  static constexpr size_t kMaxCommentBytes = 30000;

  static Result<std::unique_ptr<IncidentStore>> Open(const std::string& path,
                                                     IncidentStoreOptions options = {});
  ~IncidentStore();
  IncidentStore(const IncidentStore&) = delete;
  IncidentStore& operator=(const IncidentStore&) = delete;

  int64_t Now() const;

  Result<Incident> Get(int64_t id);
  Result<std::vector<Incident>> List(const IncidentFilter& filter);
  // Ids of Active/InProgress incidents, ascending.
  Result<std::vector<int64_t>> OpenIncidentIds();

  // Applies an analyst change in one transaction, auditing each changed field. With `alerts`,
  // resolving resolves the incident's alerts and assigning assigns them. Errors: not found,
  // invalid argument (bad enum, determination without TruePositive, comment too long).
  Result<Incident> Update(int64_t id, const IncidentPatch& patch, std::string_view actor,
                          detect::alerts::AlertStore* alerts = nullptr);

  Result<std::vector<IncidentAuditEntry>> AuditLog(int64_t id);
  Result<std::vector<AlertLink>> Links(int64_t id);
  Result<std::optional<AlertLink>> LinkOf(std::string_view alert_id);
  Result<std::vector<IncidentComment>> Comments(int64_t id);

  // --- Writes used by the Correlator (inside WithTransaction for batching). ---
  // Runs `body` in one write transaction (nested calls join the outer one).
  Status WithTransaction(const std::function<Status()>& body);
  // Inserts a new incident (id assigned, returned); created/last_update set to now.
  Result<int64_t> Create(Incident& incident);
  // Writes every field of an existing incident and its tags (not alert links).
  Status Save(const Incident& incident);
  // Links (or re-links) an alert.
  Status Link(const AlertLink& link);
  // Moves every alert link of incident `from` to `to` (a merge).
  Status MoveLinks(int64_t from, int64_t to);
  Status Audit(int64_t incident_id, std::string_view actor, std::string_view field,
               std::string_view old_value, std::string_view new_value);
  Status SaveEntity(const EntityRow& row);
  Status DeleteEntities(int64_t incident_id);
  Result<std::vector<EntityRow>> Entities(int64_t incident_id);

 private:
  struct Statements;

  IncidentStore(std::unique_ptr<SqliteDb> db, IncidentStoreOptions options);
  Status Prepare();
  Result<Incident> GetLocked(int64_t id);
  Status AddComment(int64_t id, std::string_view comment, std::string_view actor, int64_t now);
  Status UpdateLocked(Incident& incident, const IncidentPatch& patch, std::string_view actor,
                      bool& resolved, bool& assigned);

  std::recursive_mutex mu_;
  std::unique_ptr<SqliteDb> db_;
  IncidentStoreOptions options_;
  std::unique_ptr<Statements> stmts_;  // destroyed before db_
  int tx_depth_ = 0;
};

}  // namespace vigil::incidents

#include "vigil/detect/alerts/alert_store.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <utility>

#include "vigil/base/time.h"

namespace vigil::detect::alerts {
namespace {

std::string JoinTechniques(const std::vector<std::string>& techniques) {
  std::string out;
  for (const std::string& technique : techniques) {
    if (!out.empty()) {
      out += ',';
    }
    for (char c : technique) {
      if (c != ',') {
        out += c;
      }
    }
  }
  return out;
}

std::vector<std::string> SplitTechniques(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    if (!item.empty()) {
      out.emplace_back(item);
    }
    if (comma == std::string_view::npos) {
      break;
    }
    text.remove_prefix(comma + 1);
  }
  return out;
}

// Owns one prepared statement.
class Stmt {
 public:
  Stmt() = default;
  explicit Stmt(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Stmt(Stmt&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}
  Stmt& operator=(Stmt&& other) noexcept {
    std::swap(stmt_, other.stmt_);
    return *this;
  }
  ~Stmt() { sqlite3_finalize(stmt_); }
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// Resets a cached statement when the use ends, whatever the path out.
class StmtUse {
 public:
  explicit StmtUse(const Stmt& stmt) : stmt_(stmt.get()) {}
  ~StmtUse() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_;
};

void BindText(sqlite3_stmt* stmt, int index, std::string_view text) {
  sqlite3_bind_text(stmt, index, text.empty() ? "" : text.data(), static_cast<int>(text.size()),
                    SQLITE_TRANSIENT);
}

std::string ColumnText(sqlite3_stmt* stmt, int index) {
  const unsigned char* text = sqlite3_column_text(stmt, index);
  if (text == nullptr) {
    return {};
  }
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt, index)));
}

constexpr const char* kSchemaSql = R"sql(
CREATE TABLE IF NOT EXISTS alerts(
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  description TEXT NOT NULL,
  severity INTEGER NOT NULL,
  category TEXT NOT NULL,
  techniques TEXT NOT NULL,
  service_source TEXT NOT NULL,
  detection_source TEXT NOT NULL,
  status TEXT NOT NULL,
  assigned_to TEXT NOT NULL,
  classification TEXT NOT NULL,
  determination TEXT NOT NULL,
  incident_id TEXT,
  first_activity INTEGER NOT NULL,
  last_activity INTEGER NOT NULL,
  event_count INTEGER NOT NULL,
  rule_id TEXT NOT NULL,
  rule_title TEXT NOT NULL,
  rule_author TEXT NOT NULL,
  rule_link TEXT NOT NULL,
  rule_license TEXT NOT NULL,
  source_table TEXT NOT NULL,
  source_report_id TEXT NOT NULL,
  evidence TEXT NOT NULL,
  created_time INTEGER NOT NULL,
  last_update_time INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS alerts_by_last_activity ON alerts(last_activity);
CREATE INDEX IF NOT EXISTS alerts_by_rule ON alerts(rule_id);
CREATE INDEX IF NOT EXISTS alerts_by_status ON alerts(status);
CREATE INDEX IF NOT EXISTS alerts_by_incident ON alerts(incident_id);
CREATE TABLE IF NOT EXISTS alert_comments(
  seq INTEGER PRIMARY KEY,
  alert_id TEXT NOT NULL,
  comment TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_time INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS alert_comments_by_alert ON alert_comments(alert_id, seq);
CREATE TABLE IF NOT EXISTS alert_audit(
  seq INTEGER PRIMARY KEY,
  alert_id TEXT NOT NULL,
  actor TEXT NOT NULL,
  time INTEGER NOT NULL,
  field TEXT NOT NULL,
  old_value TEXT NOT NULL,
  new_value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS alert_audit_by_alert ON alert_audit(alert_id, seq);
)sql";

constexpr const char* kColumnsSql =
    "id, title, description, severity, category, techniques, service_source, detection_source, "
    "status, assigned_to, classification, determination, incident_id, first_activity, "
    "last_activity, event_count, rule_id, rule_title, rule_author, rule_link, rule_license, "
    "source_table, source_report_id, evidence, created_time, last_update_time";

AlertRecord ReadRecord(sqlite3_stmt* stmt) {
  AlertRecord r;
  r.id = ColumnText(stmt, 0);
  r.title = ColumnText(stmt, 1);
  r.description = ColumnText(stmt, 2);
  r.severity = static_cast<Severity>(std::clamp<int64_t>(sqlite3_column_int64(stmt, 3), 0, 3));
  r.category = ColumnText(stmt, 4);
  r.attack_techniques = SplitTechniques(ColumnText(stmt, 5));
  r.service_source = ColumnText(stmt, 6);
  r.detection_source = ColumnText(stmt, 7);
  // Stored values were written from the canonical names; anything else reads as the default.
  r.status = ParseAlertStatus(ColumnText(stmt, 8)).value_or(AlertStatus::kNew);
  r.assigned_to = ColumnText(stmt, 9);
  r.classification =
      ParseClassification(ColumnText(stmt, 10)).value_or(AlertClassification::kUnknown);
  r.determination =
      ParseDetermination(ColumnText(stmt, 11)).value_or(AlertDetermination::kNotAvailable);
  if (sqlite3_column_type(stmt, 12) != SQLITE_NULL) {
    r.incident_id = ColumnText(stmt, 12);
  }
  r.first_activity_us = sqlite3_column_int64(stmt, 13);
  r.last_activity_us = sqlite3_column_int64(stmt, 14);
  r.event_count = sqlite3_column_int64(stmt, 15);
  r.rule_id = ColumnText(stmt, 16);
  r.rule_title = ColumnText(stmt, 17);
  r.rule_author = ColumnText(stmt, 18);
  r.rule_link = ColumnText(stmt, 19);
  r.rule_license = ColumnText(stmt, 20);
  r.source_table = ColumnText(stmt, 21);
  r.source_report_id = ColumnText(stmt, 22);
  r.evidence_json = ColumnText(stmt, 23);
  r.created_time_us = sqlite3_column_int64(stmt, 24);
  r.last_update_time_us = sqlite3_column_int64(stmt, 25);
  return r;
}

std::string_view OrderColumn(AlertOrder order) {
  switch (order) {
    case AlertOrder::kFirstActivity:
      return "first_activity";
    case AlertOrder::kLastActivity:
      return "last_activity";
    case AlertOrder::kSeverity:
      return "severity";
    case AlertOrder::kCreatedTime:
      return "created_time";
    case AlertOrder::kLastUpdateTime:
      return "last_update_time";
    case AlertOrder::kEventCount:
      return "event_count";
  }
  return "last_activity";
}

// WHERE clause of a filter and its bound values (all bound as text or integers in order).
struct WhereValue {
  bool is_int = false;
  int64_t int_value = 0;
  std::string text;
};
struct WhereClause {
  std::string sql;
  std::vector<WhereValue> values;  // bound in order from ?1
};

WhereClause BuildWhere(const AlertFilter& filter) {
  WhereClause where;
  std::vector<std::string> terms;
  if (filter.status) {
    terms.emplace_back("status = ?");
    where.values.push_back({false, 0, std::string(AlertStatusName(*filter.status))});
  }
  if (filter.min_severity) {
    terms.emplace_back("severity >= ?");
    where.values.push_back({true, static_cast<int64_t>(*filter.min_severity), {}});
  }
  if (filter.rule_id) {
    terms.emplace_back("rule_id = ?");
    where.values.push_back({false, 0, *filter.rule_id});
  }
  if (filter.incident_id) {
    terms.emplace_back("incident_id = ?");
    where.values.push_back({false, 0, *filter.incident_id});
  }
  if (filter.from_us) {
    terms.emplace_back("last_activity >= ?");
    where.values.push_back({true, *filter.from_us, {}});
  }
  if (filter.to_us) {
    terms.emplace_back("first_activity < ?");
    where.values.push_back({true, *filter.to_us, {}});
  }
  for (size_t i = 0; i < terms.size(); ++i) {
    where.sql += i == 0 ? " WHERE " : " AND ";
    where.sql += terms[i];
  }
  return where;
}

void BindWhere(sqlite3_stmt* stmt, const WhereClause& where) {
  int index = 1;
  for (const WhereValue& value : where.values) {
    if (value.is_int) {
      sqlite3_bind_int64(stmt, index, value.int_value);
    } else {
      BindText(stmt, index, value.text);
    }
    ++index;
  }
}

}  // namespace

struct AlertStore::Statements {
  Stmt upsert;
  Stmt get;
  Stmt comments;
  Stmt insert_comment;
  Stmt insert_audit;
  Stmt update_triage;
  Stmt audit;
};

AlertStore::AlertStore(sqlite3* db, AlertStoreOptions options)
    : db_(db), options_(std::move(options)), stmts_(std::make_unique<Statements>()) {}

AlertStore::~AlertStore() {
  stmts_.reset();  // finalize before closing
  sqlite3_close(db_);
}

int64_t AlertStore::Now() const {
  if (options_.clock) {
    return options_.clock();
  }
  return NowTicks() / kTicksPerMicrosecond;
}

Status AlertStore::Exec(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error != nullptr ? error : sqlite3_errmsg(db_);
    sqlite3_free(error);
    return IoError("alert store: {}", message);
  }
  return Status::Ok();
}

Status AlertStore::Commit() {
  Status status = Exec("COMMIT");
  if (!status.ok()) {
    Exec("ROLLBACK").IgnoreError();
  }
  return status;
}

Result<std::unique_ptr<AlertStore>> AlertStore::Open(const std::string& path,
                                                     AlertStoreOptions options) {
  sqlite3* db = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return IoError("cannot open alert store '{}': {}", path, message);
  }
  std::unique_ptr<AlertStore> store(new AlertStore(db, std::move(options)));
  sqlite3_busy_timeout(db, 5000);
  VIGIL_RETURN_IF_ERROR(store->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
                            .Annotate(fmt::format("alert store '{}'", path)));
  int64_t version = 0;
  {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &raw, nullptr) != SQLITE_OK) {
      return IoError("alert store '{}': {}", path, sqlite3_errmsg(db));
    }
    const Stmt stmt(raw);
    if (sqlite3_step(raw) == SQLITE_ROW) {
      version = sqlite3_column_int64(raw, 0);
    }
  }
  if (version > kSchemaVersion) {
    return FailedPreconditionError(
        "alert store '{}' has schema version {}, newer than the supported {}", path, version,
        kSchemaVersion);
  }
  if (version < kSchemaVersion) {
    VIGIL_RETURN_IF_ERROR(store->Exec("BEGIN IMMEDIATE"));
    Status status = store->Exec(kSchemaSql);
    if (status.ok()) {
      status = store->Exec(fmt::format("PRAGMA user_version={}", kSchemaVersion).c_str());
    }
    if (!status.ok()) {
      store->Exec("ROLLBACK").IgnoreError();
      return status.Annotate(fmt::format("alert store '{}'", path));
    }
    VIGIL_RETURN_IF_ERROR(store->Commit());
  }
  VIGIL_RETURN_IF_ERROR(store->Prepare().Annotate(fmt::format("alert store '{}'", path)));
  return store;
}

Status AlertStore::Prepare() {
  auto prepare = [&](Stmt& out, const std::string& sql) -> Status {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
      return InternalError("cannot prepare statement: {}", sqlite3_errmsg(db_));
    }
    out = Stmt(raw);
    return Status::Ok();
  };
  VIGIL_RETURN_IF_ERROR(prepare(
      stmts_->upsert,
      fmt::format("INSERT INTO alerts({}) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,"
                  "?15,?16,?17,?18,?19,?20,?21,?22,?23,?24,?25,?26) ON CONFLICT(id) DO UPDATE SET "
                  "event_count = max(event_count, excluded.event_count), "
                  "first_activity = min(first_activity, excluded.first_activity), "
                  "last_activity = max(last_activity, excluded.last_activity), "
                  "evidence = excluded.evidence, last_update_time = excluded.last_update_time",
                  kColumnsSql)));
  VIGIL_RETURN_IF_ERROR(
      prepare(stmts_->get, fmt::format("SELECT {} FROM alerts WHERE id = ?1", kColumnsSql)));
  VIGIL_RETURN_IF_ERROR(prepare(stmts_->comments,
                                "SELECT comment, created_by, created_time FROM alert_comments "
                                "WHERE alert_id = ?1 ORDER BY seq"));
  VIGIL_RETURN_IF_ERROR(prepare(stmts_->insert_comment,
                                "INSERT INTO alert_comments(alert_id, comment, created_by, "
                                "created_time) VALUES(?1, ?2, ?3, ?4)"));
  VIGIL_RETURN_IF_ERROR(prepare(stmts_->insert_audit,
                                "INSERT INTO alert_audit(alert_id, actor, time, field, old_value, "
                                "new_value) VALUES(?1, ?2, ?3, ?4, ?5, ?6)"));
  VIGIL_RETURN_IF_ERROR(prepare(stmts_->update_triage,
                                "UPDATE alerts SET status = ?2, assigned_to = ?3, "
                                "classification = ?4, determination = ?5, incident_id = ?6, "
                                "last_update_time = ?7 WHERE id = ?1"));
  VIGIL_RETURN_IF_ERROR(prepare(stmts_->audit,
                                "SELECT seq, alert_id, actor, time, field, old_value, new_value "
                                "FROM alert_audit WHERE alert_id = ?1 ORDER BY seq"));
  return Status::Ok();
}

Status AlertStore::Upsert(std::span<const AlertRecord> records) {
  const std::lock_guard lock(mu_);
  if (records.empty()) {
    return Status::Ok();
  }
  const int64_t now = Now();
  VIGIL_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  for (const AlertRecord& r : records) {
    const StmtUse use(stmts_->upsert);
    sqlite3_stmt* s = use.get();
    BindText(s, 1, r.id);
    BindText(s, 2, r.title);
    BindText(s, 3, r.description);
    sqlite3_bind_int64(s, 4, static_cast<int64_t>(r.severity));
    BindText(s, 5, r.category);
    BindText(s, 6, JoinTechniques(r.attack_techniques));
    BindText(s, 7, r.service_source);
    BindText(s, 8, r.detection_source);
    BindText(s, 9, AlertStatusName(r.status));
    BindText(s, 10, r.assigned_to);
    BindText(s, 11, ClassificationName(r.classification));
    BindText(s, 12, DeterminationName(r.determination));
    if (r.incident_id) {
      BindText(s, 13, *r.incident_id);
    } else {
      sqlite3_bind_null(s, 13);
    }
    sqlite3_bind_int64(s, 14, r.first_activity_us);
    sqlite3_bind_int64(s, 15, r.last_activity_us);
    sqlite3_bind_int64(s, 16, r.event_count);
    BindText(s, 17, r.rule_id);
    BindText(s, 18, r.rule_title);
    BindText(s, 19, r.rule_author);
    BindText(s, 20, r.rule_link);
    BindText(s, 21, r.rule_license);
    BindText(s, 22, r.source_table);
    BindText(s, 23, r.source_report_id);
    BindText(s, 24, r.evidence_json);
    sqlite3_bind_int64(s, 25, r.created_time_us != 0 ? r.created_time_us : now);
    sqlite3_bind_int64(s, 26, now);
    if (sqlite3_step(s) != SQLITE_DONE) {
      Status status =
          IoError("alert store: cannot upsert alert '{}': {}", r.id, sqlite3_errmsg(db_));
      Exec("ROLLBACK").IgnoreError();
      return status;
    }
  }
  return Commit();
}

Status AlertStore::LoadComments(AlertRecord& record) {
  const StmtUse use(stmts_->comments);
  BindText(use.get(), 1, record.id);
  int rc = 0;
  while ((rc = sqlite3_step(use.get())) == SQLITE_ROW) {
    record.comments.push_back(
        {ColumnText(use.get(), 0), ColumnText(use.get(), 1), sqlite3_column_int64(use.get(), 2)});
  }
  if (rc != SQLITE_DONE) {
    return IoError("alert store: cannot read comments of alert '{}': {}", record.id,
                   sqlite3_errmsg(db_));
  }
  return Status::Ok();
}

Result<AlertRecord> AlertStore::GetLocked(std::string_view id) {
  AlertRecord record;
  {
    const StmtUse use(stmts_->get);
    BindText(use.get(), 1, id);
    const int rc = sqlite3_step(use.get());
    if (rc == SQLITE_DONE) {
      return NotFoundError("alert '{}' not found", id);
    }
    if (rc != SQLITE_ROW) {
      return IoError("alert store: cannot read alert '{}': {}", id, sqlite3_errmsg(db_));
    }
    record = ReadRecord(use.get());
  }
  VIGIL_RETURN_IF_ERROR(LoadComments(record));
  return record;
}

Result<AlertRecord> AlertStore::Get(std::string_view id) {
  const std::lock_guard lock(mu_);
  return GetLocked(id);
}

Result<std::vector<AlertRecord>> AlertStore::List(const AlertFilter& filter) {
  const std::lock_guard lock(mu_);
  const WhereClause where = BuildWhere(filter);
  const int64_t limit = std::clamp<int64_t>(filter.limit, 1, 10000);
  const int64_t offset = std::max<int64_t>(filter.offset, 0);
  const std::string sql = fmt::format(
      "SELECT {} FROM alerts{} ORDER BY {} {}, id {} LIMIT {} "
      "OFFSET {}",
      kColumnsSql, where.sql, OrderColumn(filter.order_by), filter.descending ? "DESC" : "ASC",
      filter.descending ? "DESC" : "ASC", limit, offset);
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
    return InternalError("alert store: cannot list alerts: {}", sqlite3_errmsg(db_));
  }
  const Stmt stmt(raw);
  BindWhere(raw, where);
  std::vector<AlertRecord> out;
  int rc = 0;
  while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
    out.push_back(ReadRecord(raw));
  }
  if (rc != SQLITE_DONE) {
    return IoError("alert store: cannot list alerts: {}", sqlite3_errmsg(db_));
  }
  for (AlertRecord& record : out) {
    VIGIL_RETURN_IF_ERROR(LoadComments(record));
  }
  return out;
}

Result<int64_t> AlertStore::Count(const AlertFilter& filter) {
  const std::lock_guard lock(mu_);
  const WhereClause where = BuildWhere(filter);
  const std::string sql = fmt::format("SELECT count(*) FROM alerts{}", where.sql);
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
    return InternalError("alert store: cannot count alerts: {}", sqlite3_errmsg(db_));
  }
  const Stmt stmt(raw);
  BindWhere(raw, where);
  if (sqlite3_step(raw) != SQLITE_ROW) {
    return IoError("alert store: cannot count alerts: {}", sqlite3_errmsg(db_));
  }
  return sqlite3_column_int64(raw, 0);
}

Result<AlertRecord> AlertStore::Update(std::string_view id, const AlertPatch& patch,
                                       std::string_view actor) {
  const std::lock_guard lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(AlertRecord record, GetLocked(id));
  AlertRecord updated = record;
  if (patch.status) {
    VIGIL_ASSIGN_OR_RETURN(updated.status, ParseAlertStatus(*patch.status));
  }
  if (patch.assigned_to) {
    updated.assigned_to = *patch.assigned_to;
  }
  if (patch.classification) {
    VIGIL_ASSIGN_OR_RETURN(updated.classification, ParseClassification(*patch.classification));
  }
  if (patch.determination) {
    VIGIL_ASSIGN_OR_RETURN(updated.determination, ParseDetermination(*patch.determination));
    if (!DeterminationFits(updated.classification, updated.determination)) {
      return InvalidArgumentError(
          "determination '{}' does not fit classification '{}' of alert "
          "'{}'",
          DeterminationName(updated.determination), ClassificationName(updated.classification), id);
    }
  } else if (!DeterminationFits(updated.classification, updated.determination)) {
    // A new classification voids a determination that belonged to the old one.
    updated.determination = AlertDetermination::kNotAvailable;
  }
  if (patch.incident_id) {
    updated.incident_id =
        patch.incident_id->empty() ? std::nullopt : std::optional<std::string>(*patch.incident_id);
  }
  if (patch.comment && patch.comment->size() > kMaxCommentBytes) {
    return InvalidArgumentError("comment on alert '{}' is {} bytes, more than the {} allowed", id,
                                patch.comment->size(), kMaxCommentBytes);
  }

  struct Change {
    std::string_view field;
    std::string old_value;
    std::string new_value;
  };
  std::vector<Change> changes;
  auto note = [&](std::string_view field, std::string old_value, std::string new_value) {
    if (old_value != new_value) {
      changes.push_back({field, std::move(old_value), std::move(new_value)});
    }
  };
  note("status", std::string(AlertStatusName(record.status)),
       std::string(AlertStatusName(updated.status)));
  note("assignedTo", record.assigned_to, updated.assigned_to);
  note("classification", std::string(ClassificationName(record.classification)),
       std::string(ClassificationName(updated.classification)));
  note("determination", std::string(DeterminationName(record.determination)),
       std::string(DeterminationName(updated.determination)));
  note("incidentId", record.incident_id.value_or(""), updated.incident_id.value_or(""));
  if (patch.comment && !patch.comment->empty()) {
    changes.push_back({"comment", "", *patch.comment});
  }
  if (changes.empty()) {
    return record;
  }

  const int64_t now = Now();
  VIGIL_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  auto fail = [&](std::string_view what) {
    Status status =
        IoError("alert store: cannot {} of alert '{}': {}", what, id, sqlite3_errmsg(db_));
    Exec("ROLLBACK").IgnoreError();
    return status;
  };
  {
    const StmtUse use(stmts_->update_triage);
    sqlite3_stmt* s = use.get();
    BindText(s, 1, id);
    BindText(s, 2, AlertStatusName(updated.status));
    BindText(s, 3, updated.assigned_to);
    BindText(s, 4, ClassificationName(updated.classification));
    BindText(s, 5, DeterminationName(updated.determination));
    if (updated.incident_id) {
      BindText(s, 6, *updated.incident_id);
    } else {
      sqlite3_bind_null(s, 6);
    }
    sqlite3_bind_int64(s, 7, now);
    if (sqlite3_step(s) != SQLITE_DONE) {
      return fail("update");
    }
  }
  if (patch.comment && !patch.comment->empty()) {
    const StmtUse use(stmts_->insert_comment);
    sqlite3_stmt* s = use.get();
    BindText(s, 1, id);
    BindText(s, 2, *patch.comment);
    BindText(s, 3, actor);
    sqlite3_bind_int64(s, 4, now);
    if (sqlite3_step(s) != SQLITE_DONE) {
      return fail("add a comment");
    }
  }
  for (const Change& change : changes) {
    const StmtUse use(stmts_->insert_audit);
    sqlite3_stmt* s = use.get();
    BindText(s, 1, id);
    BindText(s, 2, actor);
    sqlite3_bind_int64(s, 3, now);
    BindText(s, 4, change.field);
    BindText(s, 5, change.old_value);
    BindText(s, 6, change.new_value);
    if (sqlite3_step(s) != SQLITE_DONE) {
      return fail("audit a change");
    }
  }
  VIGIL_RETURN_IF_ERROR(Commit());
  return GetLocked(id);
}

Result<std::vector<AuditEntry>> AlertStore::AuditLog(std::string_view id) {
  const std::lock_guard lock(mu_);
  const StmtUse use(stmts_->audit);
  BindText(use.get(), 1, id);
  std::vector<AuditEntry> out;
  int rc = 0;
  while ((rc = sqlite3_step(use.get())) == SQLITE_ROW) {
    sqlite3_stmt* s = use.get();
    out.push_back({sqlite3_column_int64(s, 0), ColumnText(s, 1), ColumnText(s, 2),
                   sqlite3_column_int64(s, 3), ColumnText(s, 4), ColumnText(s, 5),
                   ColumnText(s, 6)});
  }
  if (rc != SQLITE_DONE) {
    return IoError("alert store: cannot read the audit log of alert '{}': {}", id,
                   sqlite3_errmsg(db_));
  }
  return out;
}

}  // namespace vigil::detect::alerts

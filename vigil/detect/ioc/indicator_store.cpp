#include "vigil/detect/ioc/indicator_store.h"

#include <sqlite3.h>

#include <utility>

#include "vigil/base/time.h"

namespace vigil::detect::ioc {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS indicators(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  type INTEGER NOT NULL,
  value TEXT NOT NULL,
  action INTEGER NOT NULL,
  severity INTEGER NOT NULL,
  title TEXT NOT NULL,
  description TEXT NOT NULL,
  recommended_actions TEXT NOT NULL,
  expiration_us INTEGER NOT NULL,
  creation_us INTEGER NOT NULL,
  last_update_us INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  last_updated_by TEXT NOT NULL,
  generate_alert INTEGER NOT NULL,
  rbac_group_names TEXT NOT NULL,
  category TEXT NOT NULL,
  mitre_techniques TEXT NOT NULL,
  application TEXT NOT NULL,
  educate_url TEXT NOT NULL,
  external_id TEXT NOT NULL,
  UNIQUE(type, value));
CREATE INDEX IF NOT EXISTS indicators_expiration ON indicators(expiration_us);
CREATE TABLE IF NOT EXISTS indicator_audit(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  time_us INTEGER NOT NULL,
  actor TEXT NOT NULL,
  operation TEXT NOT NULL,
  indicator_id TEXT NOT NULL,
  indicator_type TEXT NOT NULL,
  indicator_value TEXT NOT NULL,
  details TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS indicator_audit_id ON indicator_audit(indicator_id);
)sql";

constexpr const char* kColumns =
    "id, type, value, action, severity, title, description, recommended_actions, expiration_us, "
    "creation_us, last_update_us, created_by, last_updated_by, generate_alert, rbac_group_names, "
    "category, mitre_techniques, application, educate_url, external_id";

// A prepared statement that finalizes itself.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
        SQLITE_OK) {
      stmt_ = nullptr;
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return stmt_ != nullptr; }
  Status PrepareStatus() const {
    return ok() ? Status::Ok() : IoError("indicator store: {}", sqlite3_errmsg(db_));
  }
  void Bind(int index, std::string_view text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void Bind(int index, int64_t value) { sqlite3_bind_int64(stmt_, index, value); }
  int Step() { return sqlite3_step(stmt_); }
  Status Run() {
    const int rc = Step();
    if (rc == SQLITE_DONE || rc == SQLITE_ROW) {
      return Status::Ok();
    }
    if (rc == SQLITE_CONSTRAINT) {
      return MakeStatus(StatusCode::kAlreadyExists, "indicator store: {}", sqlite3_errmsg(db_));
    }
    return IoError("indicator store: {}", sqlite3_errmsg(db_));
  }
  std::string Text(int column) const {
    const unsigned char* text = sqlite3_column_text(stmt_, column);
    return text == nullptr ? std::string()
                           : std::string(reinterpret_cast<const char*>(text),
                                         static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
  }
  int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

std::string JoinLines(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) {
      out.push_back('\n');
    }
    out.append(item);
  }
  return out;
}

std::vector<std::string> SplitLines(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    out.emplace_back(text.substr(0, end));
    if (end == std::string_view::npos) {
      break;
    }
    text.remove_prefix(end + 1);
  }
  return out;
}

Indicator ReadRow(const Statement& row) {
  Indicator indicator;
  indicator.id = row.Text(0);
  const int64_t type = row.Int(1);
  indicator.indicator_type = type >= 0 && type < static_cast<int64_t>(kIndicatorTypeCount)
                                 ? static_cast<IndicatorType>(type)
                                 : IndicatorType::kFileSha256;
  indicator.indicator_value = row.Text(2);
  const int64_t action = row.Int(3);
  indicator.action =
      action >= 0 && action <= 4 ? static_cast<IndicatorAction>(action) : IndicatorAction::kAudit;
  const int64_t severity = row.Int(4);
  indicator.severity =
      severity >= 0 && severity <= 3 ? static_cast<Severity>(severity) : Severity::kMedium;
  indicator.title = row.Text(5);
  indicator.description = row.Text(6);
  indicator.recommended_actions = row.Text(7);
  indicator.expiration_time_us = row.Int(8);
  indicator.creation_time_us = row.Int(9);
  indicator.last_update_time_us = row.Int(10);
  indicator.created_by = row.Text(11);
  indicator.last_updated_by = row.Text(12);
  indicator.generate_alert = row.Int(13) != 0;
  indicator.rbac_group_names = SplitLines(row.Text(14));
  indicator.category = row.Text(15);
  indicator.mitre_techniques = SplitLines(row.Text(16));
  indicator.application = row.Text(17);
  indicator.educate_url = row.Text(18);
  indicator.external_id = row.Text(19);
  return indicator;
}

std::string TimeText(int64_t us) { return us == 0 ? "never" : FormatDateTime(us * 10); }

std::string Changes(const Indicator& before, const Indicator& after) {
  std::string out;
  const auto note = [&out](std::string_view field, std::string_view from, std::string_view to) {
    if (from == to) {
      return;
    }
    if (!out.empty()) {
      out.append("; ");
    }
    out.append(fmt::format("{}: {} -> {}", field, from, to));
  };
  note("indicatorType", IndicatorTypeName(before.indicator_type),
       IndicatorTypeName(after.indicator_type));
  note("indicatorValue", before.indicator_value, after.indicator_value);
  note("action", IndicatorActionName(before.action), IndicatorActionName(after.action));
  note("severity", SeverityName(before.severity), SeverityName(after.severity));
  note("title", before.title, after.title);
  note("description", before.description, after.description);
  note("recommendedActions", before.recommended_actions, after.recommended_actions);
  note("expirationTime", TimeText(before.expiration_time_us), TimeText(after.expiration_time_us));
  note("generateAlert", before.generate_alert ? "true" : "false",
       after.generate_alert ? "true" : "false");
  note("rbacGroupNames", JoinLines(before.rbac_group_names), JoinLines(after.rbac_group_names));
  note("category", before.category, after.category);
  note("mitreTechniques", JoinLines(before.mitre_techniques), JoinLines(after.mitre_techniques));
  note("educateUrl", before.educate_url, after.educate_url);
  return out;
}

}  // namespace

Result<std::unique_ptr<IndicatorStore>> IndicatorStore::Open(const std::string& path,
                                                             const StoreOptions& options) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status status = IoError("cannot open indicator store '{}': {}", path,
                            db != nullptr ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return status;
  }
  std::unique_ptr<IndicatorStore> store(new IndicatorStore(db, options));  // NOLINT: private ctor
  sqlite3_busy_timeout(db, 5000);
  VIGIL_RETURN_IF_ERROR(store->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"));
  VIGIL_RETURN_IF_ERROR(store->Exec(kSchema));
  return store;
}

IndicatorStore::~IndicatorStore() { sqlite3_close(db_); }

Status IndicatorStore::Exec(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    Status status = IoError("indicator store: {}", error != nullptr ? error : "unknown error");
    sqlite3_free(error);
    return status;
  }
  return Status::Ok();
}

Result<std::optional<Indicator>> IndicatorStore::SelectOne(std::string_view where,
                                                           std::string_view arg1,
                                                           int64_t arg2) const {
  Statement select(db_, fmt::format("SELECT {} FROM indicators WHERE {}", kColumns, where));
  VIGIL_RETURN_IF_ERROR(select.PrepareStatus());
  select.Bind(1, arg1);
  if (where.find("?2") != std::string_view::npos) {
    select.Bind(2, arg2);
  }
  const int rc = select.Step();
  if (rc == SQLITE_ROW) {
    return std::optional<Indicator>(ReadRow(select));
  }
  if (rc != SQLITE_DONE) {
    return IoError("indicator store: {}", sqlite3_errmsg(db_));
  }
  return std::optional<Indicator>();
}

Status IndicatorStore::Write(const Indicator& indicator, bool insert) {
  const std::string sql =
      insert ? fmt::format(
                   "INSERT INTO indicators({}) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,"
                   "?12,?13,?14,?15,?16,?17,?18,?19,?20)",
                   kColumns)
             : std::string(
                   "UPDATE indicators SET type=?2, value=?3, action=?4, severity=?5, "
                   "title=?6, description=?7, recommended_actions=?8, expiration_us=?9, "
                   "creation_us=?10, last_update_us=?11, created_by=?12, "
                   "last_updated_by=?13, generate_alert=?14, rbac_group_names=?15, "
                   "category=?16, mitre_techniques=?17, application=?18, educate_url=?19, "
                   "external_id=?20 WHERE id=?1");
  Statement write(db_, sql);
  VIGIL_RETURN_IF_ERROR(write.PrepareStatus());
  write.Bind(1, indicator.id);
  write.Bind(2, static_cast<int64_t>(indicator.indicator_type));
  write.Bind(3, indicator.indicator_value);
  write.Bind(4, static_cast<int64_t>(indicator.action));
  write.Bind(5, static_cast<int64_t>(indicator.severity));
  write.Bind(6, indicator.title);
  write.Bind(7, indicator.description);
  write.Bind(8, indicator.recommended_actions);
  write.Bind(9, indicator.expiration_time_us);
  write.Bind(10, indicator.creation_time_us);
  write.Bind(11, indicator.last_update_time_us);
  write.Bind(12, indicator.created_by);
  write.Bind(13, indicator.last_updated_by);
  write.Bind(14, int64_t{indicator.generate_alert ? 1 : 0});
  write.Bind(15, JoinLines(indicator.rbac_group_names));
  write.Bind(16, indicator.category);
  write.Bind(17, JoinLines(indicator.mitre_techniques));
  write.Bind(18, indicator.application);
  write.Bind(19, indicator.educate_url);
  write.Bind(20, indicator.external_id);
  return write.Run();
}

Status IndicatorStore::Audit(int64_t now_us, std::string_view actor, std::string_view operation,
                             const Indicator& indicator, std::string_view details) {
  Statement insert(db_,
                   "INSERT INTO indicator_audit(time_us, actor, operation, indicator_id, "
                   "indicator_type, indicator_value, details) VALUES(?1,?2,?3,?4,?5,?6,?7)");
  VIGIL_RETURN_IF_ERROR(insert.PrepareStatus());
  insert.Bind(1, now_us);
  insert.Bind(2, actor);
  insert.Bind(3, operation);
  insert.Bind(4, indicator.id);
  insert.Bind(5, IndicatorTypeName(indicator.indicator_type));
  insert.Bind(6, indicator.indicator_value);
  insert.Bind(7, details);
  return insert.Run();
}

Result<Indicator> IndicatorStore::Submit(Indicator indicator, std::string_view actor,
                                         int64_t now_us) {
  ValidateOptions validate;
  validate.now_us = now_us;
  validate.allow_internal_ips = options_.allow_internal_ips;
  VIGIL_RETURN_IF_ERROR(NormalizeIndicator(indicator, validate));
  std::lock_guard<std::mutex> lock(mu_);
  VIGIL_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  Result<Indicator> result = [&]() -> Result<Indicator> {
    VIGIL_ASSIGN_OR_RETURN(std::optional<Indicator> existing,
                           SelectOne("type=?2 AND value=?1", indicator.indicator_value,
                                     static_cast<int64_t>(indicator.indicator_type)));
    indicator.last_update_time_us = now_us;
    indicator.last_updated_by = std::string(actor);
    if (existing) {
      indicator.id = existing->id;
      indicator.creation_time_us = existing->creation_time_us;
      indicator.created_by = existing->created_by;
      indicator.application = existing->application;
      VIGIL_RETURN_IF_ERROR(Write(indicator, /*insert=*/false));
      VIGIL_RETURN_IF_ERROR(
          Audit(now_us, actor, "update", indicator, Changes(*existing, indicator)));
      return indicator;
    }
    Statement count(
        db_, "SELECT COUNT(*) FROM indicators WHERE expiration_us = 0 OR expiration_us > ?1");
    VIGIL_RETURN_IF_ERROR(count.PrepareStatus());
    count.Bind(1, now_us);
    if (count.Step() == SQLITE_ROW && static_cast<size_t>(count.Int(0)) >= options_.max_active) {
      return ResourceExhaustedError("indicator limit reached: {} active indicators per tenant",
                                    options_.max_active);
    }
    if (indicator.creation_time_us == 0) {
      indicator.creation_time_us = now_us;
    }
    if (indicator.created_by.empty()) {
      indicator.created_by = std::string(actor);
    }
    const bool assign_id = indicator.id.empty();
    if (assign_id) {
      indicator.id = fmt::format("pending-{}", now_us);
    }
    VIGIL_RETURN_IF_ERROR(Write(indicator, /*insert=*/true));
    if (assign_id) {
      const int64_t seq = sqlite3_last_insert_rowid(db_);
      for (const std::string& candidate : {std::to_string(seq), fmt::format("ioc-{}", seq)}) {
        Statement rename(db_, "UPDATE indicators SET id=?1 WHERE seq=?2");
        VIGIL_RETURN_IF_ERROR(rename.PrepareStatus());
        rename.Bind(1, candidate);
        rename.Bind(2, seq);
        if (rename.Run().ok()) {
          indicator.id = candidate;
          break;
        }
      }
    }
    VIGIL_RETURN_IF_ERROR(Audit(now_us, actor, "create", indicator, ""));
    return indicator;
  }();
  const Status end = Exec(result.ok() ? "COMMIT" : "ROLLBACK");
  if (result.ok() && !end.ok()) {
    return end;
  }
  return result;
}

Result<Indicator> IndicatorStore::Update(std::string_view id, Indicator indicator,
                                         std::string_view actor, int64_t now_us) {
  ValidateOptions validate;
  validate.now_us = now_us;
  validate.allow_internal_ips = options_.allow_internal_ips;
  VIGIL_RETURN_IF_ERROR(NormalizeIndicator(indicator, validate));
  std::lock_guard<std::mutex> lock(mu_);
  VIGIL_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  Result<Indicator> result = [&]() -> Result<Indicator> {
    VIGIL_ASSIGN_OR_RETURN(std::optional<Indicator> existing, SelectOne("id=?1", id, 0));
    if (!existing) {
      return NotFoundError("indicator '{}' not found", id);
    }
    indicator.id = existing->id;
    indicator.creation_time_us = existing->creation_time_us;
    indicator.created_by = existing->created_by;
    indicator.last_update_time_us = now_us;
    indicator.last_updated_by = std::string(actor);
    const Status written = Write(indicator, /*insert=*/false);
    if (written.code() == StatusCode::kAlreadyExists) {
      return MakeStatus(StatusCode::kAlreadyExists, "another indicator already has {} '{}'",
                        IndicatorTypeName(indicator.indicator_type), indicator.indicator_value);
    }
    VIGIL_RETURN_IF_ERROR(written);
    VIGIL_RETURN_IF_ERROR(Audit(now_us, actor, "update", indicator, Changes(*existing, indicator)));
    return indicator;
  }();
  const Status end = Exec(result.ok() ? "COMMIT" : "ROLLBACK");
  if (result.ok() && !end.ok()) {
    return end;
  }
  return result;
}

Result<Indicator> IndicatorStore::Get(std::string_view id) const {
  std::lock_guard<std::mutex> lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(std::optional<Indicator> found, SelectOne("id=?1", id, 0));
  if (!found) {
    return NotFoundError("indicator '{}' not found", id);
  }
  return std::move(*found);
}

Result<std::optional<Indicator>> IndicatorStore::Find(IndicatorType type,
                                                      std::string_view value) const {
  ValidateOptions lenient;
  lenient.allow_internal_ips = true;
  Result<std::string> canonical = NormalizeIndicatorValue(type, value, lenient);
  if (!canonical.ok()) {
    return std::optional<Indicator>();
  }
  std::lock_guard<std::mutex> lock(mu_);
  return SelectOne("type=?2 AND value=?1", *canonical, static_cast<int64_t>(type));
}

Result<std::vector<Indicator>> IndicatorStore::List(const IndicatorListFilter& filter) const {
  std::string sql = fmt::format("SELECT {} FROM indicators WHERE 1", kColumns);
  if (filter.type) {
    sql += " AND type=?1";
  }
  if (!filter.include_expired) {
    sql += " AND (expiration_us = 0 OR expiration_us > ?2)";
  }
  sql += " ORDER BY seq";
  if (filter.limit > 0) {
    sql += fmt::format(" LIMIT {}", filter.limit);
  }
  std::lock_guard<std::mutex> lock(mu_);
  Statement select(db_, sql);
  VIGIL_RETURN_IF_ERROR(select.PrepareStatus());
  if (filter.type) {
    select.Bind(1, static_cast<int64_t>(*filter.type));
  }
  if (!filter.include_expired) {
    select.Bind(2, filter.now_us);
  }
  std::vector<Indicator> out;
  int rc = 0;
  while ((rc = select.Step()) == SQLITE_ROW) {
    out.push_back(ReadRow(select));
  }
  if (rc != SQLITE_DONE) {
    return IoError("indicator store: {}", sqlite3_errmsg(db_));
  }
  return out;
}

Status IndicatorStore::Delete(std::string_view id, std::string_view actor, int64_t now_us) {
  std::lock_guard<std::mutex> lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(std::optional<Indicator> existing, SelectOne("id=?1", id, 0));
  if (!existing) {
    return NotFoundError("indicator '{}' not found", id);
  }
  VIGIL_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  Statement remove(db_, "DELETE FROM indicators WHERE id=?1");
  Status status = remove.PrepareStatus();
  if (status.ok()) {
    remove.Bind(1, id);
    status = remove.Run();
  }
  if (status.ok()) {
    status = Audit(now_us, actor, "delete", *existing, "");
  }
  const Status end = Exec(status.ok() ? "COMMIT" : "ROLLBACK");
  return status.ok() ? end : status;
}

Result<size_t> IndicatorStore::SweepExpired(int64_t now_us, std::string_view actor) {
  std::lock_guard<std::mutex> lock(mu_);
  VIGIL_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  Result<size_t> result = [&]() -> Result<size_t> {
    Statement select(db_, fmt::format("SELECT {} FROM indicators WHERE expiration_us != 0 AND "
                                      "expiration_us <= ?1",
                                      kColumns));
    VIGIL_RETURN_IF_ERROR(select.PrepareStatus());
    select.Bind(1, now_us);
    std::vector<Indicator> expired;
    while (select.Step() == SQLITE_ROW) {
      expired.push_back(ReadRow(select));
    }
    for (const Indicator& indicator : expired) {
      Statement remove(db_, "DELETE FROM indicators WHERE id=?1");
      VIGIL_RETURN_IF_ERROR(remove.PrepareStatus());
      remove.Bind(1, indicator.id);
      VIGIL_RETURN_IF_ERROR(remove.Run());
      VIGIL_RETURN_IF_ERROR(Audit(now_us, actor, "expire", indicator,
                                  "expirationTime " + TimeText(indicator.expiration_time_us)));
    }
    return expired.size();
  }();
  const Status end = Exec(result.ok() ? "COMMIT" : "ROLLBACK");
  if (result.ok() && !end.ok()) {
    return end;
  }
  return result;
}

Result<size_t> IndicatorStore::CountActive(int64_t now_us) const {
  std::lock_guard<std::mutex> lock(mu_);
  Statement count(db_,
                  "SELECT COUNT(*) FROM indicators WHERE expiration_us = 0 OR expiration_us > ?1");
  VIGIL_RETURN_IF_ERROR(count.PrepareStatus());
  count.Bind(1, now_us);
  if (count.Step() != SQLITE_ROW) {
    return IoError("indicator store: {}", sqlite3_errmsg(db_));
  }
  return static_cast<size_t>(count.Int(0));
}

Result<std::vector<IndicatorAuditEntry>> IndicatorStore::AuditLog(std::string_view indicator_id,
                                                                  size_t limit) const {
  std::lock_guard<std::mutex> lock(mu_);
  Statement select(db_, fmt::format("SELECT seq, time_us, actor, operation, indicator_id, "
                                    "indicator_type, indicator_value, details FROM "
                                    "indicator_audit {} ORDER BY seq DESC LIMIT {}",
                                    indicator_id.empty() ? "" : "WHERE indicator_id=?1",
                                    limit == 0 ? 1000 : limit));
  VIGIL_RETURN_IF_ERROR(select.PrepareStatus());
  if (!indicator_id.empty()) {
    select.Bind(1, indicator_id);
  }
  std::vector<IndicatorAuditEntry> out;
  while (select.Step() == SQLITE_ROW) {
    IndicatorAuditEntry entry;
    entry.seq = select.Int(0);
    entry.time_us = select.Int(1);
    entry.actor = select.Text(2);
    entry.operation = select.Text(3);
    entry.indicator_id = select.Text(4);
    entry.indicator_type = select.Text(5);
    entry.indicator_value = select.Text(6);
    entry.details = select.Text(7);
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace vigil::detect::ioc

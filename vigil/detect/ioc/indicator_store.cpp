#include "vigil/detect/ioc/indicator_store.h"

#include <fmt/format.h>

#include <array>
#include <utility>

#include "vigil/base/sqlite_db.h"
#include "vigil/base/time.h"

namespace vigil::detect::ioc {
namespace {

// One migration step: the first version. Files written before the store kept a schema version
// (user_version 0) hold the same tables; the IF NOT EXISTS clauses let the step run over them.
constexpr std::array<std::string_view, 1> kSchema = {R"sql(
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
)sql"};

constexpr const char* kColumns =
    "id, type, value, action, severity, title, description, recommended_actions, expiration_us, "
    "creation_us, last_update_us, created_by, last_updated_by, generate_alert, rbac_group_names, "
    "category, mitre_techniques, application, educate_url, external_id";

Indicator ReadRow(const SqliteStatement& row) {
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
  indicator.rbac_group_names = SplitTextList(row.Text(14));
  indicator.category = row.Text(15);
  indicator.mitre_techniques = SplitTextList(row.Text(16));
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
  note("rbacGroupNames", JoinTextList(before.rbac_group_names), JoinTextList(after.rbac_group_names));
  note("category", before.category, after.category);
  note("mitreTechniques", JoinTextList(before.mitre_techniques), JoinTextList(after.mitre_techniques));
  note("educateUrl", before.educate_url, after.educate_url);
  return out;
}

}  // namespace

IndicatorStore::IndicatorStore(std::unique_ptr<SqliteDb> db, StoreOptions options)
    : db_(std::move(db)), options_(options) {}

IndicatorStore::~IndicatorStore() = default;

Result<std::unique_ptr<IndicatorStore>> IndicatorStore::Open(const std::string& path,
                                                             const StoreOptions& options) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db,
                         SqliteDb::Open(path, "indicator store", kSchema));
  return std::unique_ptr<IndicatorStore>(new IndicatorStore(std::move(db), options));
}

Result<std::optional<Indicator>> IndicatorStore::SelectOne(std::string_view where,
                                                           std::string_view arg1,
                                                           int64_t arg2) const {
  VIGIL_ASSIGN_OR_RETURN(
      SqliteStatement select,
      db_->Prepare(fmt::format("SELECT {} FROM indicators WHERE {}", kColumns, where),
                   "read an indicator"));
  select.Bind(1, arg1);
  if (where.find("?2") != std::string_view::npos) {
    select.Bind(2, arg2);
  }
  VIGIL_ASSIGN_OR_RETURN(const bool row, select.Step());
  if (!row) {
    return std::optional<Indicator>();
  }
  return std::optional<Indicator>(ReadRow(select));
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
  VIGIL_ASSIGN_OR_RETURN(SqliteStatement write,
                         db_->Prepare(sql, insert ? "add an indicator" : "update an indicator"));
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
  write.Bind(15, JoinTextList(indicator.rbac_group_names));
  write.Bind(16, indicator.category);
  write.Bind(17, JoinTextList(indicator.mitre_techniques));
  write.Bind(18, indicator.application);
  write.Bind(19, indicator.educate_url);
  write.Bind(20, indicator.external_id);
  return write.Run();
}

Status IndicatorStore::Audit(int64_t now_us, std::string_view actor, std::string_view operation,
                             const Indicator& indicator, std::string_view details) {
  VIGIL_ASSIGN_OR_RETURN(
      SqliteStatement insert,
      db_->Prepare("INSERT INTO indicator_audit(time_us, actor, operation, indicator_id, "
                   "indicator_type, indicator_value, details) VALUES(?1,?2,?3,?4,?5,?6,?7)",
                   "audit an indicator change"));
  insert.Bind(1, now_us);
  insert.Bind(2, actor);
  insert.Bind(3, operation);
  insert.Bind(4, indicator.id);
  insert.Bind(5, IndicatorTypeName(indicator.indicator_type));
  insert.Bind(6, indicator.indicator_value);
  insert.Bind(7, details);
  return insert.Run();
}

Result<size_t> IndicatorStore::CountActiveLocked(int64_t now_us) const {
  VIGIL_ASSIGN_OR_RETURN(
      SqliteStatement count,
      db_->Prepare("SELECT COUNT(*) FROM indicators WHERE expiration_us = 0 OR expiration_us > ?1",
                   "count active indicators"));
  count.Bind(1, now_us);
  VIGIL_ASSIGN_OR_RETURN(const bool row, count.Step());
  return row ? static_cast<size_t>(count.Int(0)) : size_t{0};
}

Result<Indicator> IndicatorStore::Submit(Indicator indicator, std::string_view actor,
                                         int64_t now_us) {
  ValidateOptions validate;
  validate.now_us = now_us;
  validate.allow_internal_ips = options_.allow_internal_ips;
  VIGIL_RETURN_IF_ERROR(NormalizeIndicator(indicator, validate));
  std::lock_guard<std::mutex> lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(SqliteTransaction transaction, db_->Begin());  // rolls back on error
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
    VIGIL_RETURN_IF_ERROR(Audit(now_us, actor, "update", indicator, Changes(*existing, indicator)));
    VIGIL_RETURN_IF_ERROR(transaction.Commit());
    return indicator;
  }
  VIGIL_ASSIGN_OR_RETURN(const size_t active, CountActiveLocked(now_us));
  if (active >= options_.max_active) {
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
    const int64_t seq = db_->LastInsertRowId();
    VIGIL_ASSIGN_OR_RETURN(
        SqliteStatement rename,
        db_->Prepare("UPDATE indicators SET id=?1 WHERE seq=?2", "assign an indicator id"));
    // The plain number unless a user-chosen id already took it.
    for (const std::string& candidate : {std::to_string(seq), fmt::format("ioc-{}", seq)}) {
      rename.Bind(1, candidate);
      rename.Bind(2, seq);
      if (rename.Run().ok()) {
        indicator.id = candidate;
        break;
      }
    }
  }
  VIGIL_RETURN_IF_ERROR(Audit(now_us, actor, "create", indicator, ""));
  VIGIL_RETURN_IF_ERROR(transaction.Commit());
  return indicator;
}

Result<Indicator> IndicatorStore::Update(std::string_view id, Indicator indicator,
                                         std::string_view actor, int64_t now_us) {
  ValidateOptions validate;
  validate.now_us = now_us;
  validate.allow_internal_ips = options_.allow_internal_ips;
  VIGIL_RETURN_IF_ERROR(NormalizeIndicator(indicator, validate));
  std::lock_guard<std::mutex> lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(SqliteTransaction transaction, db_->Begin());  // rolls back on error
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
  VIGIL_RETURN_IF_ERROR(transaction.Commit());
  return indicator;
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
  VIGIL_ASSIGN_OR_RETURN(SqliteStatement select, db_->Prepare(sql, "list indicators"));
  if (filter.type) {
    select.Bind(1, static_cast<int64_t>(*filter.type));
  }
  if (!filter.include_expired) {
    select.Bind(2, filter.now_us);
  }
  std::vector<Indicator> out;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(const bool row, select.Step());
    if (!row) {
      return out;
    }
    out.push_back(ReadRow(select));
  }
}

Status IndicatorStore::Delete(std::string_view id, std::string_view actor, int64_t now_us) {
  std::lock_guard<std::mutex> lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(std::optional<Indicator> existing, SelectOne("id=?1", id, 0));
  if (!existing) {
    return NotFoundError("indicator '{}' not found", id);
  }
  VIGIL_ASSIGN_OR_RETURN(SqliteTransaction transaction, db_->Begin());  // rolls back on error
  VIGIL_ASSIGN_OR_RETURN(SqliteStatement remove,
                         db_->Prepare("DELETE FROM indicators WHERE id=?1", "delete an indicator"));
  remove.Bind(1, id);
  VIGIL_RETURN_IF_ERROR(remove.Run());
  VIGIL_RETURN_IF_ERROR(Audit(now_us, actor, "delete", *existing, ""));
  return transaction.Commit();
}

Result<size_t> IndicatorStore::SweepExpired(int64_t now_us, std::string_view actor) {
  std::lock_guard<std::mutex> lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(SqliteTransaction transaction, db_->Begin());  // rolls back on error
  std::vector<Indicator> expired;
  {
    VIGIL_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db_->Prepare(fmt::format("SELECT {} FROM indicators WHERE expiration_us != 0 AND "
                                 "expiration_us <= ?1",
                                 kColumns),
                     "find expired indicators"));
    select.Bind(1, now_us);
    while (true) {
      VIGIL_ASSIGN_OR_RETURN(const bool row, select.Step());
      if (!row) {
        break;
      }
      expired.push_back(ReadRow(select));
    }
  }
  VIGIL_ASSIGN_OR_RETURN(SqliteStatement remove,
                         db_->Prepare("DELETE FROM indicators WHERE id=?1", "delete an indicator"));
  for (const Indicator& indicator : expired) {
    remove.Bind(1, indicator.id);
    VIGIL_RETURN_IF_ERROR(remove.Run());
    VIGIL_RETURN_IF_ERROR(Audit(now_us, actor, "expire", indicator,
                                "expirationTime " + TimeText(indicator.expiration_time_us)));
  }
  VIGIL_RETURN_IF_ERROR(transaction.Commit());
  return expired.size();
}

Result<size_t> IndicatorStore::CountActive(int64_t now_us) const {
  std::lock_guard<std::mutex> lock(mu_);
  return CountActiveLocked(now_us);
}

Result<std::vector<IndicatorAuditEntry>> IndicatorStore::AuditLog(std::string_view indicator_id,
                                                                  size_t limit) const {
  std::lock_guard<std::mutex> lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(
      SqliteStatement select,
      db_->Prepare(fmt::format("SELECT seq, time_us, actor, operation, indicator_id, "
                               "indicator_type, indicator_value, details FROM "
                               "indicator_audit {} ORDER BY seq DESC LIMIT {}",
                               indicator_id.empty() ? "" : "WHERE indicator_id=?1",
                               limit == 0 ? 1000 : limit),
                   "read the indicator audit log"));
  if (!indicator_id.empty()) {
    select.Bind(1, indicator_id);
  }
  std::vector<IndicatorAuditEntry> out;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(const bool row, select.Step());
    if (!row) {
      return out;
    }
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
}

}  // namespace vigil::detect::ioc

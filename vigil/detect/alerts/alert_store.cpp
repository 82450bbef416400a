#include "vigil/detect/alerts/alert_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "vigil/base/sqlite_db.h"
#include "vigil/base/time.h"
#include "vigil/detect/alerts/alert_store_rows.h"

namespace vigil::detect::alerts {

using internal::BindWhere;
using internal::BuildWhere;
using internal::kAlertColumns;
using internal::ReadAlertRow;
using internal::WhereClause;

// Statements used on every call, prepared once at Open.
struct AlertStore::Statements {
  SqliteStatement upsert;
  SqliteStatement get;
  SqliteStatement comments;
  SqliteStatement insert_comment;
  SqliteStatement insert_audit;
  SqliteStatement update_triage;
  SqliteStatement audit;
};

AlertStore::AlertStore(std::unique_ptr<SqliteDb> db, AlertStoreOptions options)
    : db_(std::move(db)), options_(std::move(options)), stmts_(std::make_unique<Statements>()) {}

AlertStore::~AlertStore() {
  stmts_.reset();  // finalize before closing
}

int64_t AlertStore::Now() const {
  if (options_.clock) {
    return options_.clock();
  }
  return NowTicks() / kTicksPerMicrosecond;
}

Result<std::unique_ptr<AlertStore>> AlertStore::Open(const std::string& path,
                                                     AlertStoreOptions options) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db,
                         SqliteDb::Open(path, "alert store", internal::kAlertSchema));
  std::unique_ptr<AlertStore> store(new AlertStore(std::move(db), std::move(options)));
  VIGIL_RETURN_IF_ERROR(store->Prepare().Annotate(fmt::format("alert store '{}'", path)));
  return store;
}

Status AlertStore::Prepare() {
  auto prepare = [&](SqliteStatement& out, std::string_view sql, std::string_view purpose) {
    return db_->PrepareInto(out, sql, purpose);
  };
  VIGIL_RETURN_IF_ERROR(prepare(
      stmts_->upsert,
      fmt::format("INSERT INTO alerts({}) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,"
                  "?15,?16,?17,?18,?19,?20,?21,?22,?23,?24,?25,?26) ON CONFLICT(id) DO UPDATE SET "
                  "event_count = max(event_count, excluded.event_count), "
                  "first_activity = min(first_activity, excluded.first_activity), "
                  "last_activity = max(last_activity, excluded.last_activity), "
                  "evidence = excluded.evidence, last_update_time = excluded.last_update_time",
                  kAlertColumns),
      "upsert an alert"));
  VIGIL_RETURN_IF_ERROR(prepare(stmts_->get,
                                fmt::format("SELECT {} FROM alerts WHERE id = ?1", kAlertColumns),
                                "read an alert"));
  VIGIL_RETURN_IF_ERROR(prepare(stmts_->comments,
                                "SELECT comment, created_by, created_time FROM alert_comments "
                                "WHERE alert_id = ?1 ORDER BY seq",
                                "read the comments of an alert"));
  VIGIL_RETURN_IF_ERROR(prepare(stmts_->insert_comment,
                                "INSERT INTO alert_comments(alert_id, comment, created_by, "
                                "created_time) VALUES(?1, ?2, ?3, ?4)",
                                "add a comment to an alert"));
  VIGIL_RETURN_IF_ERROR(prepare(stmts_->insert_audit,
                                "INSERT INTO alert_audit(alert_id, actor, time, field, old_value, "
                                "new_value) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
                                "audit a change of an alert"));
  VIGIL_RETURN_IF_ERROR(prepare(stmts_->update_triage,
                                "UPDATE alerts SET status = ?2, assigned_to = ?3, "
                                "classification = ?4, determination = ?5, incident_id = ?6, "
                                "last_update_time = ?7 WHERE id = ?1",
                                "update an alert"));
  VIGIL_RETURN_IF_ERROR(prepare(stmts_->audit,
                                "SELECT seq, alert_id, actor, time, field, old_value, new_value "
                                "FROM alert_audit WHERE alert_id = ?1 ORDER BY seq",
                                "read the audit log of an alert"));
  return Status::Ok();
}

Status AlertStore::Upsert(std::span<const AlertRecord> records) {
  const std::lock_guard lock(mu_);
  if (records.empty()) {
    return Status::Ok();
  }
  const int64_t now = Now();
  VIGIL_ASSIGN_OR_RETURN(SqliteTransaction transaction, db_->Begin());
  for (const AlertRecord& r : records) {
    const auto use = stmts_->upsert.Use();
    internal::BindAlertRow(stmts_->upsert, r, now);
    VIGIL_RETURN_IF_ERROR(stmts_->upsert.Run().Annotate(fmt::format("alert '{}'", r.id)));
  }
  return transaction.Commit();
}

Status AlertStore::LoadComments(AlertRecord& record) {
  SqliteStatement& select = stmts_->comments;
  const auto use = select.Use();
  select.Bind(1, record.id);
  while (true) {
    const Result<bool> row = select.Step();
    if (!row.ok()) {
      return row.status().Annotate(fmt::format("alert '{}'", record.id));
    }
    if (!*row) {
      return Status::Ok();
    }
    record.comments.push_back({select.Text(0), select.Text(1), select.Int(2)});
  }
}

Result<AlertRecord> AlertStore::GetLocked(std::string_view id) {
  AlertRecord record;
  {
    SqliteStatement& select = stmts_->get;
    const auto use = select.Use();
    select.Bind(1, id);
    const Result<bool> row = select.Step();
    if (!row.ok()) {
      return row.status().Annotate(fmt::format("alert '{}'", id));
    }
    if (!*row) {
      return NotFoundError("alert '{}' not found", id);
    }
    record = ReadAlertRow(select);
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
  const std::string_view direction = filter.descending ? "DESC" : "ASC";
  VIGIL_ASSIGN_OR_RETURN(
      SqliteStatement select,
      db_->Prepare(fmt::format("SELECT {} FROM alerts{} ORDER BY {} {}, id {} LIMIT {} OFFSET {}",
                               kAlertColumns, where.sql, internal::OrderColumn(filter.order_by),
                               direction, direction, limit, offset),
                   "list alerts"));
  BindWhere(select, where);
  std::vector<AlertRecord> out;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(const bool row, select.Step());
    if (!row) {
      break;
    }
    out.push_back(ReadAlertRow(select));
  }
  for (AlertRecord& record : out) {
    VIGIL_RETURN_IF_ERROR(LoadComments(record));
  }
  return out;
}

Result<int64_t> AlertStore::Count(const AlertFilter& filter) {
  const std::lock_guard lock(mu_);
  const WhereClause where = BuildWhere(filter);
  VIGIL_ASSIGN_OR_RETURN(
      SqliteStatement count,
      db_->Prepare(fmt::format("SELECT count(*) FROM alerts{}", where.sql), "count alerts"));
  BindWhere(count, where);
  VIGIL_ASSIGN_OR_RETURN(const bool row, count.Step());
  return row ? count.Int(0) : int64_t{0};
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
  VIGIL_ASSIGN_OR_RETURN(SqliteTransaction transaction, db_->Begin());
  const std::string context = fmt::format("alert '{}'", id);
  {
    SqliteStatement& s = stmts_->update_triage;
    const auto use = s.Use();
    s.Bind(1, id);
    s.Bind(2, AlertStatusName(updated.status));
    s.Bind(3, updated.assigned_to);
    s.Bind(4, ClassificationName(updated.classification));
    s.Bind(5, DeterminationName(updated.determination));
    if (updated.incident_id) {
      s.Bind(6, *updated.incident_id);
    } else {
      s.BindNull(6);
    }
    s.Bind(7, now);
    VIGIL_RETURN_IF_ERROR(s.Run().Annotate(context));
  }
  if (patch.comment && !patch.comment->empty()) {
    SqliteStatement& s = stmts_->insert_comment;
    const auto use = s.Use();
    s.Bind(1, id);
    s.Bind(2, *patch.comment);
    s.Bind(3, actor);
    s.Bind(4, now);
    VIGIL_RETURN_IF_ERROR(s.Run().Annotate(context));
  }
  for (const Change& change : changes) {
    SqliteStatement& s = stmts_->insert_audit;
    const auto use = s.Use();
    s.Bind(1, id);
    s.Bind(2, actor);
    s.Bind(3, now);
    s.Bind(4, change.field);
    s.Bind(5, change.old_value);
    s.Bind(6, change.new_value);
    VIGIL_RETURN_IF_ERROR(s.Run().Annotate(context));
  }
  VIGIL_RETURN_IF_ERROR(transaction.Commit());
  return GetLocked(id);
}

Result<std::vector<AuditEntry>> AlertStore::AuditLog(std::string_view id) {
  const std::lock_guard lock(mu_);
  SqliteStatement& s = stmts_->audit;
  const auto use = s.Use();
  s.Bind(1, id);
  std::vector<AuditEntry> out;
  while (true) {
    const Result<bool> row = s.Step();
    if (!row.ok()) {
      return row.status().Annotate(fmt::format("alert '{}'", id));
    }
    if (!*row) {
      return out;
    }
    out.push_back({s.Int(0), s.Text(1), s.Text(2), s.Int(3), s.Text(4), s.Text(5), s.Text(6)});
  }
}

}  // namespace vigil::detect::alerts

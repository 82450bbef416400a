#include "vigil/api/console/console_store.h"

#include <array>

namespace vigil::api::console {
namespace {

constexpr std::array<std::string_view, 1> kMigrations = {
    "CREATE TABLE saved_queries (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL,"
    " query TEXT NOT NULL, description TEXT NOT NULL, shared INTEGER NOT NULL,"
    " owner TEXT NOT NULL, created INTEGER NOT NULL, updated INTEGER NOT NULL);"
    "CREATE INDEX saved_queries_owner ON saved_queries (owner);"
    "CREATE TABLE switches (scope TEXT NOT NULL, id TEXT NOT NULL, enabled INTEGER NOT NULL,"
    " actor TEXT NOT NULL, time INTEGER NOT NULL, PRIMARY KEY (scope, id));"};

constexpr std::string_view kQueryColumns =
    "id, name, query, description, shared, owner, created, updated";

SavedQuery ReadQuery(const SqliteStatement& stmt) {
  SavedQuery q;
  q.id = stmt.Int(0);
  q.name = stmt.Text(1);
  q.query = stmt.Text(2);
  q.description = stmt.Text(3);
  q.shared = stmt.Int(4) != 0;
  q.owner = stmt.Text(5);
  q.created_us = stmt.Int(6);
  q.updated_us = stmt.Int(7);
  return q;
}

std::string_view ScopeName(SwitchScope scope) {
  return scope == SwitchScope::kRule ? "rule" : "detection";
}

Result<SavedQuery> GetLocked(SqliteDb& db, int64_t id) {
  VIGIL_ASSIGN_OR_RETURN(
      SqliteStatement stmt,
      db.Prepare(fmt::format("SELECT {} FROM saved_queries WHERE id = ?1", kQueryColumns),
                 "read a saved query"));
  stmt.Bind(1, id);
  VIGIL_ASSIGN_OR_RETURN(const bool row, stmt.Step());
  if (!row) {
    return NotFoundError("saved query {} was not found", id);
  }
  return ReadQuery(stmt);
}

}  // namespace

Result<std::unique_ptr<ConsoleStore>> ConsoleStore::Open(const std::string& path) {
  VIGIL_ASSIGN_OR_RETURN(auto db, SqliteDb::Open(path, "console store", kMigrations));
  return std::unique_ptr<ConsoleStore>(new ConsoleStore(std::move(db)));
}

Result<std::vector<SavedQuery>> ConsoleStore::ListQueries(std::string_view owner) {
  std::lock_guard lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(
      SqliteStatement stmt,
      db_->Prepare(fmt::format("SELECT {} FROM saved_queries WHERE owner = ?1 OR shared != 0"
                               " ORDER BY updated DESC, id DESC",
                               kQueryColumns),
                   "list saved queries"));
  stmt.Bind(1, owner);
  std::vector<SavedQuery> out;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(const bool row, stmt.Step());
    if (!row) {
      break;
    }
    out.push_back(ReadQuery(stmt));
  }
  return out;
}

Result<SavedQuery> ConsoleStore::GetQuery(int64_t id) {
  std::lock_guard lock(mu_);
  return GetLocked(*db_, id);
}

Result<SavedQuery> ConsoleStore::AddQuery(SavedQuery query, int64_t now_us) {
  std::lock_guard lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(
      SqliteStatement stmt,
      db_->Prepare("INSERT INTO saved_queries (name, query, description, shared, owner, created,"
                   " updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                   "save a query"));
  stmt.Bind(1, query.name);
  stmt.Bind(2, query.query);
  stmt.Bind(3, query.description);
  stmt.Bind(4, int64_t{query.shared ? 1 : 0});
  stmt.Bind(5, query.owner);
  stmt.Bind(6, now_us);
  VIGIL_RETURN_IF_ERROR(stmt.Run());
  query.id = db_->LastInsertRowId();
  query.created_us = now_us;
  query.updated_us = now_us;
  return query;
}

Result<SavedQuery> ConsoleStore::UpdateQuery(int64_t id, const SavedQueryPatch& patch,
                                             int64_t now_us) {
  std::lock_guard lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(SavedQuery q, GetLocked(*db_, id));
  q.name = patch.name.value_or(q.name);
  q.query = patch.query.value_or(q.query);
  q.description = patch.description.value_or(q.description);
  q.shared = patch.shared.value_or(q.shared);
  q.updated_us = now_us;
  VIGIL_ASSIGN_OR_RETURN(
      SqliteStatement stmt,
      db_->Prepare("UPDATE saved_queries SET name = ?2, query = ?3, description = ?4,"
                   " shared = ?5, updated = ?6 WHERE id = ?1",
                   "update a saved query"));
  stmt.Bind(1, id);
  stmt.Bind(2, q.name);
  stmt.Bind(3, q.query);
  stmt.Bind(4, q.description);
  stmt.Bind(5, int64_t{q.shared ? 1 : 0});
  stmt.Bind(6, now_us);
  VIGIL_RETURN_IF_ERROR(stmt.Run());
  return q;
}

Status ConsoleStore::DeleteQuery(int64_t id) {
  std::lock_guard lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(
      SqliteStatement stmt,
      db_->Prepare("DELETE FROM saved_queries WHERE id = ?1", "delete a saved query"));
  stmt.Bind(1, id);
  VIGIL_RETURN_IF_ERROR(stmt.Run());
  if (db_->Changes() == 0) {
    return NotFoundError("saved query {} was not found", id);
  }
  return Status::Ok();
}

Result<std::map<std::string, bool>> ConsoleStore::Switches(SwitchScope scope) {
  std::lock_guard lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(
      SqliteStatement stmt,
      db_->Prepare("SELECT id, enabled FROM switches WHERE scope = ?1", "read rule switches"));
  stmt.Bind(1, ScopeName(scope));
  std::map<std::string, bool> out;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(const bool row, stmt.Step());
    if (!row) {
      break;
    }
    out[stmt.Text(0)] = stmt.Int(1) != 0;
  }
  return out;
}

Status ConsoleStore::SetSwitch(SwitchScope scope, std::string_view id, bool enabled,
                               std::string_view actor, int64_t now_us) {
  std::lock_guard lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(
      SqliteStatement stmt,
      db_->Prepare("INSERT INTO switches (scope, id, enabled, actor, time) VALUES"
                   " (?1, ?2, ?3, ?4, ?5) ON CONFLICT (scope, id) DO UPDATE SET"
                   " enabled = excluded.enabled, actor = excluded.actor, time = excluded.time",
                   "switch a rule"));
  stmt.Bind(1, ScopeName(scope));
  stmt.Bind(2, id);
  stmt.Bind(3, int64_t{enabled ? 1 : 0});
  stmt.Bind(4, actor);
  stmt.Bind(5, now_us);
  return stmt.Run();
}

}  // namespace vigil::api::console

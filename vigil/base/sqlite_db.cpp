#include "vigil/base/sqlite_db.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <limits>

namespace vigil {
namespace {

bool OnlyBlanks(std::string_view text) {
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != ';') {
      return false;
    }
  }
  return true;
}

}  // namespace

// ---- SqliteStatement ----

SqliteStatement::SqliteStatement(SqliteDb* db, sqlite3_stmt* stmt, std::string purpose)
    : db_(db), stmt_(stmt), purpose_(std::move(purpose)) {}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      stmt_(std::exchange(other.stmt_, nullptr)),
      purpose_(std::move(other.purpose_)),
      bind_rc_(std::exchange(other.bind_rc_, SQLITE_OK)),
      bind_index_(std::exchange(other.bind_index_, 0)) {}

SqliteStatement& SqliteStatement::operator=(SqliteStatement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = std::exchange(other.db_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
    purpose_ = std::move(other.purpose_);
    bind_rc_ = std::exchange(other.bind_rc_, SQLITE_OK);
    bind_index_ = std::exchange(other.bind_index_, 0);
  }
  return *this;
}

void SqliteStatement::NoteBind(int rc, int index) {
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) {
    bind_rc_ = rc;
    bind_index_ = index;
  }
}

void SqliteStatement::Bind(int index, int64_t value) {
  if (stmt_ != nullptr) {
    NoteBind(sqlite3_bind_int64(stmt_, index, value), index);
  }
}

void SqliteStatement::Bind(int index, double value) {
  if (stmt_ != nullptr) {
    NoteBind(sqlite3_bind_double(stmt_, index, value), index);
  }
}

void SqliteStatement::Bind(int index, std::string_view text) {
  if (stmt_ != nullptr) {
    // A null data pointer would bind SQL NULL; an empty view is the empty string.
    NoteBind(sqlite3_bind_text64(stmt_, index, text.empty() ? "" : text.data(), text.size(),
                                 SQLITE_TRANSIENT, SQLITE_UTF8),
             index);
  }
}

void SqliteStatement::BindNull(int index) {
  if (stmt_ != nullptr) {
    NoteBind(sqlite3_bind_null(stmt_, index), index);
  }
}

Status SqliteStatement::StepError(int rc) const { return db_->Error(rc, purpose_); }

Result<bool> SqliteStatement::Step() {
  if (stmt_ == nullptr) {
    return FailedPreconditionError("sqlite: cannot {}: the statement is not prepared",
                                   purpose_.empty() ? "step" : purpose_);
  }
  if (bind_rc_ != SQLITE_OK) {
    return InvalidArgumentError("{}: cannot {}: cannot bind parameter {}: {}", db_->name(),
                                purpose_, bind_index_, sqlite3_errstr(bind_rc_));
  }
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc == SQLITE_DONE) {
    sqlite3_reset(stmt_);
    return false;
  }
  Status status = StepError(rc);
  sqlite3_reset(stmt_);
  return status;
}

Status SqliteStatement::Run() {
  VIGIL_ASSIGN_OR_RETURN(const bool row, Step());
  if (row) {
    sqlite3_reset(stmt_);
  }
  return Status::Ok();
}

void SqliteStatement::Reset() {
  if (stmt_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  bind_rc_ = SQLITE_OK;
  bind_index_ = 0;
}

int64_t SqliteStatement::Int(int column) const {
  return stmt_ == nullptr ? 0 : sqlite3_column_int64(stmt_, column);
}

double SqliteStatement::Double(int column) const {
  return stmt_ == nullptr ? 0.0 : sqlite3_column_double(stmt_, column);
}

std::string SqliteStatement::Text(int column) const {
  if (stmt_ == nullptr) {
    return {};
  }
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) {
    return {};
  }
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

bool SqliteStatement::IsNull(int column) const {
  return stmt_ == nullptr || sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

// ---- SqliteDb ----

Result<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path, std::string_view name,
                                                 std::span<const std::string_view> migrations,
                                                 int busy_timeout_ms) {
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    const std::string message = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    sqlite3_close_v2(raw);
    return IoError("cannot open {} '{}': {}", name, path, message);
  }
  // Errors while opening name the file; later ones only the database.
  std::unique_ptr<SqliteDb> db(new SqliteDb(raw, fmt::format("{} '{}'", name, path)));
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  VIGIL_RETURN_IF_ERROR(
      db->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", "set the journal mode"));
  VIGIL_RETURN_IF_ERROR(db->Migrate(migrations));
  db->name_ = std::string(name);
  return db;
}

SqliteDb::~SqliteDb() { sqlite3_close_v2(db_); }

Status SqliteDb::Migrate(std::span<const std::string_view> migrations) {
  const auto latest = static_cast<int64_t>(migrations.size());
  auto check = [&](int64_t version) -> Status {
    if (version > latest) {
      // name_ is "<name> '<path>'" while opening.
      return FailedPreconditionError("{} has schema version {}, newer than the supported {}", name_,
                                     version, latest);
    }
    if (version < 0) {
      return DataLossError("{} has an invalid schema version {}", name_, version);
    }
    return Status::Ok();
  };
  VIGIL_ASSIGN_OR_RETURN(int64_t version, SchemaVersion());
  VIGIL_RETURN_IF_ERROR(check(version));
  if (version == latest) {
    return Status::Ok();
  }
  VIGIL_ASSIGN_OR_RETURN(SqliteTransaction transaction, Begin());
  // Another process may have migrated while this one waited for the write lock.
  VIGIL_ASSIGN_OR_RETURN(version, SchemaVersion());
  VIGIL_RETURN_IF_ERROR(check(version));
  for (int64_t step = version; step < latest; ++step) {
    VIGIL_RETURN_IF_ERROR(Exec(migrations[static_cast<size_t>(step)],
                               fmt::format("migrate the schema to version {}", step + 1)));
  }
  VIGIL_RETURN_IF_ERROR(
      Exec(fmt::format("PRAGMA user_version={}", latest), "record the schema version"));
  return transaction.Commit();
}

Result<int64_t> SqliteDb::SchemaVersion() {
  VIGIL_ASSIGN_OR_RETURN(SqliteStatement statement,
                         Prepare("PRAGMA user_version", "read the schema version"));
  VIGIL_ASSIGN_OR_RETURN(const bool row, statement.Step());
  return row ? statement.Int(0) : int64_t{0};
}

Status SqliteDb::Exec(std::string_view sql, std::string_view purpose) {
  const std::string text(sql);  // sqlite3_exec wants a terminated string
  char* error = nullptr;
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  if (rc == SQLITE_OK) {
    return Status::Ok();
  }
  Status status = Error(rc, purpose);
  sqlite3_free(error);  // the same text as sqlite3_errmsg(), which Error() used
  return status;
}

Result<SqliteStatement> SqliteDb::Prepare(std::string_view sql, std::string_view purpose) {
  if (sql.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return InvalidArgumentError("{}: cannot {}: the SQL text is too long", name_, purpose);
  }
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &raw, &tail);
  if (rc != SQLITE_OK) {
    Status status = Error(rc, purpose);
    sqlite3_finalize(raw);
    if (rc == SQLITE_ERROR) {
      return Status(StatusCode::kInternal, status.message());
    }
    return status;
  }
  SqliteStatement statement(this, raw, std::string(purpose));
  if (raw == nullptr) {
    return InvalidArgumentError("{}: cannot {}: no SQL statement", name_, purpose);
  }
  const size_t used = tail != nullptr ? static_cast<size_t>(tail - sql.data()) : sql.size();
  if (used < sql.size() && !OnlyBlanks(sql.substr(used))) {
    return InvalidArgumentError("{}: cannot {}: more than one SQL statement", name_, purpose);
  }
  return statement;
}

Result<SqliteTransaction> SqliteDb::Begin() {
  VIGIL_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE", "begin a transaction"));
  return SqliteTransaction(this);
}

int64_t SqliteDb::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }
int64_t SqliteDb::Changes() const { return sqlite3_changes(db_); }

Status SqliteDb::Error(int rc, std::string_view purpose) const {
  const char* message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  if ((rc & 0xff) == SQLITE_CONSTRAINT) {
    const int extended = db_ != nullptr ? sqlite3_extended_errcode(db_) : rc;
    if (extended == SQLITE_CONSTRAINT_UNIQUE || extended == SQLITE_CONSTRAINT_PRIMARYKEY ||
        extended == SQLITE_CONSTRAINT_ROWID) {
      return MakeStatus(StatusCode::kAlreadyExists, "{}: cannot {}: {}", name_, purpose, message);
    }
  }
  return IoError("{}: cannot {}: {}", name_, purpose, message);
}

// ---- SqliteTransaction ----

SqliteTransaction::SqliteTransaction(SqliteTransaction&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)) {}

SqliteTransaction::~SqliteTransaction() { Rollback(); }

Status SqliteTransaction::Commit() {
  if (db_ == nullptr) {
    return FailedPreconditionError("sqlite: cannot commit: the transaction has ended");
  }
  Status status = db_->Exec("COMMIT", "commit");
  if (!status.ok()) {
    Rollback();
    return status;
  }
  db_ = nullptr;
  return Status::Ok();
}

void SqliteTransaction::Rollback() {
  SqliteDb* db = std::exchange(db_, nullptr);
  // SQLite itself ends the transaction after some errors (disk full, out of memory).
  if (db != nullptr && sqlite3_get_autocommit(db->db_) == 0) {
    db->Exec("ROLLBACK", "roll back").IgnoreError();
  }
}

Status SqliteDb::PrepareInto(SqliteStatement& out, std::string_view sql,
                             std::string_view purpose) {
  Result<SqliteStatement> statement = Prepare(sql, purpose);
  if (!statement.ok()) {
    return statement.status();
  }
  out = std::move(*statement);
  return Status::Ok();
}

std::string JoinTextList(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) {
      out.push_back('\n');
    }
    out.append(item);
  }
  return out;
}

std::vector<std::string> SplitTextList(std::string_view text) {
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

}  // namespace vigil

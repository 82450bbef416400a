// SqliteDb: one SQLite connection (WAL, synchronous=NORMAL, schema version in PRAGMA
// user_version) with prepared statements and RAII transactions whose every failure is a Status
// naming the database and what was being done. Used by the alert and indicator stores.
// Not thread-safe: a SqliteDb and its statements belong to one caller at a time (the stores
// hold a mutex around every use).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>
#include <string_view>
#include <utility>

#include "vigil/base/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace vigil {

class SqliteDb;

// One prepared statement; finalized on destruction. A default-constructed or moved-from
// statement is empty: Step() and Run() return an error, column reads return 0 or "".
// Bind errors (bad index, text too long) are kept and reported by the next Step() or Run().
class SqliteStatement {
 public:
  SqliteStatement() = default;
  ~SqliteStatement();
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&& other) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  // Parameters are 1-based (?1, ?2, ...). Text is copied.
  void Bind(int index, int64_t value);
  void Bind(int index, int value) { Bind(index, static_cast<int64_t>(value)); }
  void Bind(int index, double value);
  void Bind(int index, std::string_view text);
  void Bind(int index, const char* text) { Bind(index, std::string_view(text)); }
  void BindNull(int index);

  // Advances: true when a row is ready to read, false when the statement is done (it is then
  // reset, so it can be stepped again with the same bindings).
  Result<bool> Step();
  // Runs a statement whose rows, if any, are not wanted (INSERT, UPDATE, DELETE, ...).
  Status Run();
  // Rewinds and clears the bindings (and any pending bind error).
  void Reset();

  // Resets the statement when it goes out of scope, so a cached statement holds neither a read
  // snapshot nor stale values between uses, whatever the path out.
  class [[nodiscard]] ResetOnExit {
   public:
    explicit ResetOnExit(SqliteStatement& statement) : statement_(statement) {}
    ~ResetOnExit() { statement_.Reset(); }
    ResetOnExit(const ResetOnExit&) = delete;
    ResetOnExit& operator=(const ResetOnExit&) = delete;

   private:
    SqliteStatement& statement_;
  };
  ResetOnExit Use() { return ResetOnExit(*this); }

  // Columns of the current row, 0-based. NULL reads as 0, 0.0 or "".
  int64_t Int(int column) const;
  double Double(int column) const;
  std::string Text(int column) const;
  bool IsNull(int column) const;

  bool empty() const { return stmt_ == nullptr; }

 private:
  friend class SqliteDb;
  SqliteStatement(SqliteDb* db, sqlite3_stmt* stmt, std::string purpose);
  Status StepError(int rc) const;
  void NoteBind(int rc, int index);

  SqliteDb* db_ = nullptr;  // outlives the statement
  sqlite3_stmt* stmt_ = nullptr;
  std::string purpose_;  // "upsert an alert": completes "cannot ..." in error messages
  int bind_rc_ = 0;      // first failed bind since the last Reset()
  int bind_index_ = 0;
};

class SqliteTransaction;

class SqliteDb {
 public:
  // Opens or creates `path` (a file or ":memory:"), turns on WAL and synchronous=NORMAL, then
  // brings the schema up to date: migrations[i] takes a database from version i to i + 1
  // (migrations[0] creates the tables), so the current version is migrations.size(). Missing
  // steps run in one transaction together with the new PRAGMA user_version. A database with a
  // newer version than migrations.size() is refused (kFailedPrecondition). `name` ("alert
  // store") starts every error message.
  static Result<std::unique_ptr<SqliteDb>> Open(const std::string& path, std::string_view name,
                                                std::span<const std::string_view> migrations,
                                                int busy_timeout_ms = 5000);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Runs one or more statements. `purpose` completes "cannot ..." in the error message.
  Status Exec(std::string_view sql, std::string_view purpose);
  // Compiles exactly one statement (trailing SQL other than blanks and ';' is an error; SQL
  // that SQLite rejects is kInternal, a bug in the caller's SQL).
  Result<SqliteStatement> Prepare(std::string_view sql, std::string_view purpose);
  // The same into `out` (left alone on error), for stores that keep prepared statements.
  Status PrepareInto(SqliteStatement& out, std::string_view sql, std::string_view purpose);
  // BEGIN IMMEDIATE: takes the write lock now, so the transaction cannot fail half-way on a
  // busy database.
  Result<SqliteTransaction> Begin();

  Result<int64_t> SchemaVersion();
  int64_t LastInsertRowId() const;
  // Rows changed by the last INSERT/UPDATE/DELETE on this connection.
  int64_t Changes() const;
  const std::string& name() const { return name_; }

  // "<name>: cannot <purpose>: <SQLite's message>". A unique or primary-key violation is
  // kAlreadyExists; any other failure `rc` is kIoError.
  Status Error(int rc, std::string_view purpose) const;

 private:
  SqliteDb(sqlite3* db, std::string name) : db_(db), name_(std::move(name)) {}
  Status Migrate(std::span<const std::string_view> migrations);

  friend class SqliteStatement;
  friend class SqliteTransaction;

  sqlite3* db_;  // owned; closed by the destructor (after the last statement is finalized)
  std::string name_;
};

// An open write transaction: rolled back on destruction unless Commit() succeeded.
class SqliteTransaction {
 public:
  ~SqliteTransaction();
  SqliteTransaction(SqliteTransaction&& other) noexcept;
  SqliteTransaction& operator=(SqliteTransaction&& other) = delete;
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;

  // Commits; when COMMIT fails the transaction is rolled back and the error returned.
  Status Commit();
  // Rolls back now (also what the destructor does).
  void Rollback();

 private:
  friend class SqliteDb;
  explicit SqliteTransaction(SqliteDb* db) : db_(db) {}

  SqliteDb* db_;  // null once committed or rolled back
};

// Lists of strings kept in one TEXT column, one item per line (items never hold '\n'): the
// tags, alert ids, reasons, ... of the stores built on SqliteDb.
std::string JoinTextList(const std::vector<std::string>& items);
std::vector<std::string> SplitTextList(std::string_view text);

}  // namespace vigil

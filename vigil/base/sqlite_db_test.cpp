#include "vigil/base/sqlite_db.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace vigil {
namespace {

std::string FreshDir(const std::string& name) {
  const std::string dir = ::testing::TempDir() + "/sqlite_db_" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

constexpr std::array<std::string_view, 1> kV1 = {
    "CREATE TABLE IF NOT EXISTS items(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, "
    "score REAL, note TEXT)"};
constexpr std::array<std::string_view, 2> kV2 = {
    kV1[0], "CREATE TABLE IF NOT EXISTS tags(item INTEGER NOT NULL, tag TEXT NOT NULL)"};

std::unique_ptr<SqliteDb> OpenOrDie(const std::string& path,
                                    std::span<const std::string_view> migrations = kV1) {
  auto db = SqliteDb::Open(path, "test db", migrations);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(*db) : nullptr;
}

int64_t CountItems(SqliteDb& db) {
  auto count = db.Prepare("SELECT count(*) FROM items", "count items");
  EXPECT_TRUE(count.ok()) << count.status().ToString();
  EXPECT_TRUE(count->Step().value_or(false));
  return count->Int(0);
}

TEST(SqliteDbTest, CreatesWithWalAndSchemaVersion) {
  const std::string path = FreshDir("create") + "/t.db";
  auto db = OpenOrDie(path);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->name(), "test db");
  EXPECT_EQ(db->SchemaVersion().value(), 1);
  auto mode = db->Prepare("PRAGMA journal_mode", "read the journal mode");
  ASSERT_TRUE(mode.ok());
  ASSERT_TRUE(mode->Step().value());
  EXPECT_EQ(mode->Text(0), "wal");
  EXPECT_EQ(CountItems(*db), 0);
}

TEST(SqliteDbTest, MigratesOnlyTheMissingSteps) {
  const std::string path = FreshDir("migrate") + "/t.db";
  {
    auto db = OpenOrDie(path);
    ASSERT_NE(db, nullptr);
    ASSERT_TRUE(db->Exec("INSERT INTO items(name) VALUES('kept')", "insert").ok());
  }
  // A step 1 that is not idempotent proves step 0 does not run again.
  constexpr std::array<std::string_view, 2> kAlter = {
      kV1[0], "ALTER TABLE items ADD COLUMN extra INTEGER NOT NULL DEFAULT 7"};
  auto db = OpenOrDie(path, kAlter);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->SchemaVersion().value(), 2);
  auto row = db->Prepare("SELECT name, extra FROM items", "read");
  ASSERT_TRUE(row.ok());
  ASSERT_TRUE(row->Step().value());
  EXPECT_EQ(row->Text(0), "kept");
  EXPECT_EQ(row->Int(1), 7);
  // Reopening at the same version runs nothing (the ALTER would fail a second time).
  db.reset();
  EXPECT_NE(OpenOrDie(path, kAlter), nullptr);
}

TEST(SqliteDbTest, RefusesNewerSchemaVersion) {
  const std::string path = FreshDir("newer") + "/t.db";
  {
    auto db = OpenOrDie(path, kV2);
    ASSERT_NE(db, nullptr);
  }
  auto older = SqliteDb::Open(path, "test db", kV1);
  ASSERT_FALSE(older.ok());
  EXPECT_EQ(older.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(older.status().message(),
            "test db '" + path + "' has schema version 2, newer than the supported 1");
}

TEST(SqliteDbTest, FailedMigrationChangesNothing) {
  const std::string path = FreshDir("bad_migration") + "/t.db";
  constexpr std::array<std::string_view, 2> kBroken = {kV1[0], "CREATE TABLE oops("};
  auto db = SqliteDb::Open(path, "test db", kBroken);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), StatusCode::kIoError);
  EXPECT_NE(db.status().message().find("cannot migrate the schema to version 2"), std::string::npos)
      << db.status().message();
  // Step 1 was rolled back with step 2: the file is still at version 0 and empty.
  auto again = OpenOrDie(path, std::span<const std::string_view>());
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->SchemaVersion().value(), 0);
  EXPECT_FALSE(again->Prepare("SELECT 1 FROM items", "read").ok());
}

TEST(SqliteDbTest, OpenErrorsAreStatuses) {
  const std::string dir = FreshDir("open_errors");
  auto missing = SqliteDb::Open(dir + "/no/such/dir/t.db", "test db", kV1);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kIoError);
  EXPECT_EQ(missing.status().message().rfind("cannot open test db '", 0), 0u);

  std::filesystem::create_directories(dir + "/a_directory.db");
  EXPECT_FALSE(SqliteDb::Open(dir + "/a_directory.db", "test db", kV1).ok());

  std::ofstream(dir + "/garbage.db") << std::string(8192, 'x');
  auto garbage = SqliteDb::Open(dir + "/garbage.db", "test db", kV1);
  ASSERT_FALSE(garbage.ok());
  EXPECT_NE(garbage.status().message().find("garbage.db"), std::string::npos);
}

TEST(SqliteDbTest, BindsAndReadsEveryType) {
  auto db = OpenOrDie(":memory:");
  ASSERT_NE(db, nullptr);
  auto insert =
      db->Prepare("INSERT INTO items(id, name, score, note) VALUES(?1, ?2, ?3, ?4)", "insert");
  ASSERT_TRUE(insert.ok()) << insert.status().ToString();
  const std::string with_nul("a\0b", 3);
  insert->Bind(1, int64_t{1} << 40);
  insert->Bind(2, std::string_view(with_nul));
  insert->Bind(3, 2.5);
  insert->BindNull(4);
  ASSERT_TRUE(insert->Run().ok());
  EXPECT_EQ(db->LastInsertRowId(), int64_t{1} << 40);
  insert->Reset();
  insert->Bind(1, 2);
  insert->Bind(2, std::string_view());  // empty, not NULL: name is NOT NULL
  insert->Bind(4, "note");
  ASSERT_TRUE(insert->Run().ok());

  auto select = db->Prepare("SELECT id, name, score, note FROM items ORDER BY id", "list");
  ASSERT_TRUE(select.ok());
  ASSERT_TRUE(select->Step().value());
  EXPECT_EQ(select->Int(0), 2);
  EXPECT_EQ(select->Text(1), "");
  EXPECT_FALSE(select->IsNull(1));
  EXPECT_TRUE(select->IsNull(2));  // unbound after Reset()
  EXPECT_EQ(select->Double(2), 0.0);
  EXPECT_EQ(select->Text(3), "note");
  ASSERT_TRUE(select->Step().value());
  EXPECT_EQ(select->Int(0), int64_t{1} << 40);
  EXPECT_EQ(select->Text(1), with_nul);
  EXPECT_EQ(select->Double(2), 2.5);
  EXPECT_TRUE(select->IsNull(3));
  EXPECT_EQ(select->Text(3), "");
  EXPECT_FALSE(select->Step().value());
  // Done resets the statement: stepping again starts over.
  ASSERT_TRUE(select->Step().value());
  EXPECT_EQ(select->Int(0), 2);
}

TEST(SqliteDbTest, ResetOnExitRewindsACachedStatement) {
  auto db = OpenOrDie(":memory:");
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->Exec("INSERT INTO items(name) VALUES('a'), ('b')", "insert").ok());
  auto select = db->Prepare("SELECT name FROM items WHERE name >= ?1 ORDER BY name", "find");
  ASSERT_TRUE(select.ok());
  for (int pass = 0; pass < 2; ++pass) {
    const auto use = select->Use();
    select->Bind(1, "a");
    ASSERT_TRUE(select->Step().value());
    EXPECT_EQ(select->Text(0), "a");  // the first row again: the early exit was rewound
  }
  // Bindings were cleared too: NULL matches nothing.
  EXPECT_FALSE(select->Step().value());
}

TEST(SqliteDbTest, UniqueViolationIsAlreadyExists) {
  auto db = OpenOrDie(":memory:");
  ASSERT_NE(db, nullptr);
  auto insert = db->Prepare("INSERT INTO items(name) VALUES(?1)", "add item");
  ASSERT_TRUE(insert.ok());
  insert->Bind(1, "x");
  ASSERT_TRUE(insert->Run().ok());
  const Status again = insert->Run();
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(again.message().rfind("test db: cannot add item: UNIQUE constraint failed", 0), 0u)
      << again.message();
  insert->Reset();  // NOT NULL violation: an i/o error, not "already exists"
  EXPECT_EQ(insert->Run().code(), StatusCode::kIoError);
}

TEST(SqliteDbTest, TransactionRollsBackUnlessCommitted) {
  auto db = OpenOrDie(FreshDir("tx") + "/t.db");
  ASSERT_NE(db, nullptr);
  {
    auto tx = db->Begin();
    ASSERT_TRUE(tx.ok()) << tx.status().ToString();
    ASSERT_TRUE(db->Exec("INSERT INTO items(name) VALUES('dropped')", "insert").ok());
  }
  EXPECT_EQ(CountItems(*db), 0);
  {
    auto tx = db->Begin();
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(db->Exec("INSERT INTO items(name) VALUES('kept')", "insert").ok());
    ASSERT_TRUE(tx->Commit().ok());
    EXPECT_EQ(tx->Commit().code(), StatusCode::kFailedPrecondition);
  }
  EXPECT_EQ(CountItems(*db), 1);
  {
    auto tx = db->Begin();
    ASSERT_TRUE(tx.ok());
    // A nested BEGIN fails cleanly; the outer transaction is untouched.
    EXPECT_FALSE(db->Begin().ok());
    ASSERT_TRUE(db->Exec("INSERT INTO items(name) VALUES('later')", "insert").ok());
    tx->Rollback();
    tx->Rollback();  // a second rollback is a no-op
  }
  EXPECT_EQ(CountItems(*db), 1);
}

TEST(SqliteDbTest, ErrorsNeverCrash) {
  auto db = OpenOrDie(":memory:");
  ASSERT_NE(db, nullptr);
  auto bad = db->Prepare("SELEC nothing", "read nothing");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInternal);
  EXPECT_EQ(bad.status().message().rfind("test db: cannot read nothing: ", 0), 0u);
  EXPECT_EQ(db->Prepare("SELECT 1; SELECT 2", "read").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(db->Prepare("SELECT 1; \n", "read").ok());
  EXPECT_EQ(db->Prepare("  -- only a comment", "read").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(db->Exec("DROP TABLE missing", "drop").code(), StatusCode::kIoError);

  auto one = db->Prepare("SELECT ?1", "echo");
  ASSERT_TRUE(one.ok());
  one->Bind(5, 1);  // no such parameter: reported by the next step
  const Result<bool> stepped = one->Step();
  ASSERT_FALSE(stepped.ok());
  EXPECT_EQ(stepped.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(stepped.status().message().find("parameter 5"), std::string::npos);
  one->Reset();
  one->Bind(1, 9);
  ASSERT_TRUE(one->Step().value());
  EXPECT_EQ(one->Int(0), 9);
  EXPECT_EQ(one->Int(99), 0);  // out-of-range column reads as NULL
  EXPECT_EQ(one->Text(-1), "");

  SqliteStatement moved = std::move(*one);
  EXPECT_TRUE(one->empty());
  EXPECT_FALSE(one->Step().ok());
  EXPECT_FALSE(one->Run().ok());
  one->Bind(1, "x");
  EXPECT_EQ(one->Text(0), "");
  EXPECT_TRUE(one->IsNull(0));
  EXPECT_EQ(moved.Int(0), 9);

  SqliteStatement empty;
  EXPECT_EQ(empty.Step().status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace vigil

namespace vigil {
namespace {

TEST(TextListTest, JoinAndSplitRoundTrip) {
  const std::vector<std::string> items = {"a", "b c", "", "d"};
  EXPECT_EQ(JoinTextList(items), "a\nb c\n\nd");
  EXPECT_EQ(SplitTextList(JoinTextList(items)), items);
  EXPECT_TRUE(SplitTextList("").empty());
  EXPECT_EQ(JoinTextList({}), "");
  EXPECT_EQ(SplitTextList("x\n"), (std::vector<std::string>{"x"}));
}

}  // namespace
}  // namespace vigil

// Crash and corruption recovery of the store: WAL replay after a crash, a torn WAL tail, a
// corrupt segment block, and crashes between writing a segment (or compacting) and the
// checkpoint. The broader store tests are in store_test.cpp.
#include <gtest/gtest.h>

#include <fstream>

#include "vigil/base/time.h"
#include "vigil/store/internal/local_snapshot.h"
#include "vigil/store/store.h"
#include "vigil/store/store_scan_test_util.h"
#include "vigil/store/store_test_util.h"

namespace vigil::store {
namespace {

namespace fs = std::filesystem;
using schema::TableBatch;
using testing::AddProcessRows;
using testing::DayStart;
using testing::OpenOrDie;
using testing::Options;
using testing::ReportIds;
using testing::ScanRows;
using testing::TempDir;

const schema::Catalog& Hunting() { return schema::Catalog::Default(); }

TEST(StoreTest, WalIsReplayedAfterCrashWithoutFlush) {
  TempDir dir;
  const schema::TableSchema& t = *Hunting().Find("DeviceProcessEvents");
  {
    auto store = OpenOrDie(Options(dir.path()), Hunting());
    TableBatch batch(t);
    AddProcessRows(batch, 123, DayStart(2026, 10, 24), 0);
    ASSERT_TRUE(store->Append(batch).ok());
    store->AbandonForTest();
  }
  EXPECT_TRUE(fs::is_empty(dir.path() / "tables"));
  auto store = OpenOrDie(Options(dir.path()), Hunting());
  EXPECT_EQ(ReportIds(*store->GetSnapshot()).size(), 123u);
  EXPECT_EQ(store->Stats()[0].unflushed_rows, 123u);
  EXPECT_EQ(store->Health().wal_torn_tails, 0u);
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_EQ(ReportIds(*store->GetSnapshot()).size(), 123u);
}

TEST(StoreTest, TornWalTailIsTruncatedAndOnlyTheTailIsLost) {
  TempDir dir;
  const schema::TableSchema& t = *Hunting().Find("DeviceProcessEvents");
  {
    auto store = OpenOrDie(Options(dir.path()), Hunting());
    for (int b = 0; b < 3; ++b) {
      TableBatch batch(t);
      AddProcessRows(batch, 10, DayStart(2026, 10, 24), b * 10);
      ASSERT_TRUE(store->Append(batch).ok());
    }
    store->AbandonForTest();
  }
  fs::path wal;
  for (const auto& entry : fs::directory_iterator(dir.path() / "wal")) {
    if (fs::file_size(entry.path()) > 100) {
      wal = entry.path();
    }
  }
  ASSERT_FALSE(wal.empty());
  fs::resize_file(wal, fs::file_size(wal) - 7);
  {
    auto store = OpenOrDie(Options(dir.path()), Hunting());
    const auto ids = ReportIds(*store->GetSnapshot());
    ASSERT_EQ(ids.size(), 20u);
    EXPECT_EQ(ids.back(), 19);
    EXPECT_EQ(store->Health().wal_torn_tails, 1u);
    EXPECT_GT(store->Health().wal_bytes_truncated, 0u);
    // New appends after the truncated tail are durable too.
    TableBatch batch(t);
    AddProcessRows(batch, 5, DayStart(2026, 10, 24), 100);
    ASSERT_TRUE(store->Append(batch).ok());
    store->AbandonForTest();
  }
  auto store = OpenOrDie(Options(dir.path()), Hunting());
  EXPECT_EQ(ReportIds(*store->GetSnapshot()).size(), 25u);
  EXPECT_EQ(store->Health().wal_torn_tails, 0u);
}

fs::path OnlySegment(const fs::path& dir, std::string_view day) {
  fs::path found;
  for (const auto& entry :
       fs::directory_iterator(dir / "tables" / "DeviceProcessEvents" / std::string(day))) {
    found = entry.path();
  }
  return found;
}

void FlipByte(const fs::path& path, uint64_t offset) {
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  file.seekg(static_cast<std::streamoff>(offset));
  char byte = 0;
  file.read(&byte, 1);
  byte = static_cast<char>(byte ^ 0x5a);
  file.seekp(static_cast<std::streamoff>(offset));
  file.write(&byte, 1);
}

TEST(StoreTest, CorruptSegmentBlockIsReportedAndSkipped) {
  TempDir dir;
  const schema::TableSchema& t = *Hunting().Find("DeviceProcessEvents");
  {
    auto store = OpenOrDie(Options(dir.path()), Hunting());
    TableBatch batch(t);
    AddProcessRows(batch, 100, DayStart(2026, 10, 24), 0);
    AddProcessRows(batch, 100, DayStart(2026, 10, 25), 100);
    ASSERT_TRUE(store->Append(batch).ok());
    ASSERT_TRUE(store->Close().ok());
  }
  const fs::path bad = OnlySegment(dir.path(), "2026-10-24");
  FlipByte(bad, 40);  // inside one of the first column blocks (all columns are scanned)
  const uint64_t corrupt_before = internal::ScanCounters().blocks_corrupt;
  auto store = OpenOrDie(Options(dir.path()), Hunting());
  ScanStats stats;
  const auto rows = ScanRows(*store->GetSnapshot(), {.table = "DeviceProcessEvents"}, &stats);
  EXPECT_EQ(rows.size(), 100u);  // the intact day
  EXPECT_EQ(stats.blocks_corrupt, 1u);
  EXPECT_EQ(internal::ScanCounters().blocks_corrupt, corrupt_before + 1);

  // A damaged footer makes the whole file unreadable: reported at open and skipped.
  store.reset();
  const fs::path other = OnlySegment(dir.path(), "2026-10-25");
  FlipByte(other, fs::file_size(other) - 40);
  store = OpenOrDie(Options(dir.path()), Hunting());
  EXPECT_EQ(store->Health().corrupt_segments, 1u);
  EXPECT_TRUE(fs::exists(other));  // kept for inspection, not deleted
}

TEST(StoreTest, CrashBetweenSegmentWriteAndCheckpointLeavesNoDuplicates) {
  TempDir dir;
  TempDir crashed;
  const schema::TableSchema& t = *Hunting().Find("DeviceProcessEvents");
  auto store = OpenOrDie(Options(dir.path()), Hunting());
  TableBatch batch(t);
  AddProcessRows(batch, 50, DayStart(2026, 10, 24), 0);
  ASSERT_TRUE(store->Append(batch).ok());
  // State just before the flush: WAL holds the rows, no segments, no checkpoint.
  fs::copy(dir.path(), crashed.path(), fs::copy_options::recursive);
  ASSERT_TRUE(store->Flush().ok());
  // The flush's segment reached its final name but the checkpoint and WAL cleanup did not.
  for (const auto& entry : fs::recursive_directory_iterator(dir.path() / "tables")) {
    if (entry.path().extension() == ".vseg") {
      const fs::path target = crashed.path() / fs::relative(entry.path(), dir.path());
      fs::create_directories(target.parent_path());
      fs::copy_file(entry.path(), target);
    }
  }
  auto reopened = OpenOrDie(Options(crashed.path()), Hunting());
  const auto ids = ReportIds(*reopened->GetSnapshot());
  ASSERT_EQ(ids.size(), 50u);
  EXPECT_EQ(std::set<int64_t>(ids.begin(), ids.end()).size(), 50u);
  ASSERT_TRUE(reopened->Flush().ok());
  EXPECT_EQ(ReportIds(*reopened->GetSnapshot()).size(), 50u);
}

TEST(StoreTest, CrashAfterCompactionBeforeCleanupLeavesNoDuplicates) {
  TempDir dir;
  TempDir crashed;
  const schema::TableSchema& t = *Hunting().Find("DeviceProcessEvents");
  auto store = OpenOrDie(Options(dir.path()), Hunting());
  for (int b = 0; b < 3; ++b) {
    TableBatch batch(t);
    AddProcessRows(batch, 20, DayStart(2026, 10, 24), b * 100);
    ASSERT_TRUE(store->Append(batch).ok());
    ASSERT_TRUE(store->Flush().ok());
  }
  ASSERT_TRUE(store->Close().ok());
  fs::copy(dir.path(), crashed.path(), fs::copy_options::recursive);
  store = OpenOrDie(Options(dir.path()), Hunting());
  ASSERT_TRUE(store->Compact().ok());
  ASSERT_TRUE(store->Close().ok());
  // Add the compacted output next to its (not yet deleted) inputs.
  for (const auto& entry : fs::recursive_directory_iterator(dir.path() / "tables")) {
    const fs::path target = crashed.path() / fs::relative(entry.path(), dir.path());
    if (entry.path().extension() == ".vseg" && !fs::exists(target)) {
      fs::copy_file(entry.path(), target);
    }
  }
  auto reopened = OpenOrDie(Options(crashed.path()), Hunting());
  EXPECT_EQ(ReportIds(*reopened->GetSnapshot()).size(), 60u);
  EXPECT_EQ(reopened->Stats()[0].segments, 1u);
}

}  // namespace
}  // namespace vigil::store

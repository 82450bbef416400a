#include "vigil/store/store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <set>
#include <thread>

#include "vigil/base/time.h"
#include "vigil/store/internal/local_snapshot.h"
#include "vigil/store/store_scan_test_util.h"
#include "vigil/store/store_test_util.h"

namespace vigil::store {
namespace {

namespace fs = std::filesystem;
using schema::ColumnType;
using schema::TableBatch;
using testing::AddProcessRows;
using testing::CellText;
using testing::OpenOrDie;
using testing::ReportIds;
using testing::Options;
using testing::ScanRows;
using testing::DayStart;
using testing::TempDir;

constexpr std::string_view kTypesSchema = R"(table Types
Timestamp datetime
B bool
I int
L long
R real
S string
D datetime
T timespan
G guid
Y dynamic
AdditionalFields dynamic

table Inventory
DeviceId string
Version long
AdditionalFields dynamic
)";

const schema::Catalog& TypesCatalog() {
  static const std::shared_ptr<const schema::Catalog> catalog = [] {
    auto parsed = schema::Catalog::Parse(kTypesSchema);
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    return *parsed;
  }();
  return *catalog;
}

const schema::Catalog& Hunting() { return schema::Catalog::Default(); }

TableBatch TypesBatch(int64_t base_time) {
  const schema::TableSchema& t = *TypesCatalog().Find("Types");
  TableBatch batch(t);
  const std::string large(300'000, 'x');
  for (int i = 0; i < 50; ++i) {
    batch.BeginRow();
    batch.SetInt(0, base_time + i * 60 * kTicksPerSecond);
    if (i % 5 == 0) {
      continue;  // all other cells null
    }
    batch.SetBool(1, i % 2 == 0);
    batch.SetInt(2, i % 3 == 0 ? -2147483648LL : i * 1000);
    batch.SetInt(3, i % 4 == 0 ? INT64_MAX : -i * 123456789LL);
    batch.SetReal(4, i * 0.5 - 3.25);
    batch.SetBytes(5, i % 7 == 0 ? std::string_view()
                                 : (i == 11 ? std::string_view(large) : std::string_view("value")));
    batch.SetInt(6, base_time - i * kTicksPerDay);
    batch.SetInt(7, -i * kTicksPerSecond);
    batch.SetBytes(8, fmt::format("{:08x}-0000-4000-8000-{:012x}", i, i * 31));
    batch.SetBytes(9, i % 3 == 0
                          ? fmt::format(R"({{"n":{},"list":[1,"two",null],"s":"v{}"}})", i, i)
                          : std::string("[1.5,true]"));
  }
  return batch;
}

TEST(StoreTest, EveryTypeRoundTripsThroughWalSegmentsAndReopen) {
  TempDir dir;
  const int64_t base = DayStart(2026, 10, 24) + 3 * 3600 * kTicksPerSecond;
  const TableBatch batch = TypesBatch(base);
  ScanRequest request{.table = "Types"};
  std::vector<std::string> from_memory;
  {
    auto store = OpenOrDie(Options(dir.path()), TypesCatalog());
    ASSERT_TRUE(store->Append(batch).ok());
    from_memory = ScanRows(*store->GetSnapshot(), request);
    ASSERT_EQ(from_memory.size(), 50u);
    ASSERT_TRUE(store->Flush().ok());
    EXPECT_EQ(ScanRows(*store->GetSnapshot(), request), from_memory);
    ASSERT_TRUE(store->Close().ok());
  }
  auto store = OpenOrDie(Options(dir.path()), TypesCatalog());
  EXPECT_EQ(ScanRows(*store->GetSnapshot(), request), from_memory);

  // Spot-check values against the input, independent of the text rendering above.
  auto cursor = store->GetSnapshot()->Scan({.table = "Types", .columns = {"I", "L", "S", "Y"}});
  ASSERT_TRUE(cursor.ok());
  ColumnBatch out;
  size_t seen = 0;
  size_t nulls = 0;
  size_t empty_strings = 0;
  bool saw_large = false;
  while (*(*cursor)->Next(out)) {
    for (size_t r = 0; r < out.rows; ++r, ++seen) {
      if (out.column(0).IsNull(r)) {
        ++nulls;
        EXPECT_TRUE(out.column(3).IsNull(r));
        continue;
      }
      empty_strings += out.column(2).GetString(r).empty() ? 1 : 0;
      saw_large = saw_large || out.column(2).GetString(r).size() == 300'000;
      const DynamicView dyn = out.column(3).GetDynamic(r);
      EXPECT_TRUE(dyn.kind() == DynamicView::Kind::kObject ||
                  dyn.kind() == DynamicView::Kind::kArray);
      if (dyn.kind() == DynamicView::Kind::kObject) {
        EXPECT_EQ(dyn.GetProperty("list").At(1).AsString(), "two");
      }
    }
  }
  EXPECT_EQ(seen, 50u);
  EXPECT_EQ(nulls, 10u);
  EXPECT_GT(empty_strings, 0u);
  EXPECT_TRUE(saw_large);
}

TEST(StoreTest, DictionaryAndCompressionKeepSegmentsSmall) {
  TempDir dir;
  // Without the block cache a scan returns the blocks as stored, with their own dictionaries.
  StoreOptions options = Options(dir.path());
  options.block_cache_bytes = 0;
  auto store = OpenOrDie(options, Hunting());
  TableBatch batch(*Hunting().Find("DeviceProcessEvents"));
  AddProcessRows(batch, 20000, DayStart(2026, 10, 24), 1);
  ASSERT_TRUE(store->Append(batch).ok());
  ASSERT_TRUE(store->Flush().ok());
  const auto stats = store->Stats();
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0].rows, 20000u);
  EXPECT_EQ(stats[0].unflushed_rows, 0u);
  // Uncompressed the batch is several MB; encoded it should be well under 40 bytes a row.
  EXPECT_LT(stats[0].segment_bytes, 20000u * 40)
      << "bytes per row " << stats[0].segment_bytes / 20000.0;
  EXPECT_LT(stats[0].segment_bytes * 5, batch.ByteSize());

  auto cursor = store->GetSnapshot()->Scan(
      {.table = "DeviceProcessEvents", .columns = {"DeviceName", "ProcessCommandLine"}});
  ASSERT_TRUE(cursor.ok());
  ColumnBatch out;
  ASSERT_TRUE(*(*cursor)->Next(out));
  // 20 hosts: low cardinality; command lines carry the row index: high cardinality.
  EXPECT_EQ(out.column(0).dict->size(), 20u);
  EXPECT_EQ(out.column(1).dict->size(), out.rows);
  for (size_t r = 0; r < out.rows; ++r) {
    EXPECT_EQ(out.column(0).GetString(r).substr(0, 3), "ws-");
  }
}

TEST(StoreTest, RowsArePartitionedByDayAndTimeRangePrunes) {
  TempDir dir;
  auto options = Options(dir.path());
  options.block_rows = 1000;
  auto store = OpenOrDie(options, Hunting());
  TableBatch batch(*Hunting().Find("DeviceProcessEvents"));
  for (int day = 0; day < 3; ++day) {
    AddProcessRows(batch, 3000, DayStart(2026, 10, 20 + day), day * 10000);
  }
  ASSERT_TRUE(store->Append(batch).ok());
  ASSERT_TRUE(store->Flush().ok());
  const fs::path table_dir = dir.path() / "tables" / "DeviceProcessEvents";
  EXPECT_TRUE(fs::is_directory(table_dir / "2026-10-20"));
  EXPECT_TRUE(fs::is_directory(table_dir / "2026-10-21"));
  EXPECT_TRUE(fs::is_directory(table_dir / "2026-10-22"));
  EXPECT_EQ(store->Stats()[0].days, 3u);

  auto snapshot = store->GetSnapshot();
  ScanStats stats;
  ScanRequest one_day{.table = "DeviceProcessEvents",
                      .columns = {"ReportId"},
                      .min_time = DayStart(2026, 10, 21),
                      .max_time = DayStart(2026, 10, 22) - 1};
  EXPECT_EQ(ScanRows(*snapshot, one_day, &stats).size(), 3000u);
  EXPECT_EQ(stats.partitions_skipped, 2u);
  EXPECT_EQ(stats.blocks_read, 3u);

  // 1000 rows per block, one second apart: the first 10 minutes of a day touch one block.
  ScanRequest ten_minutes = one_day;
  ten_minutes.max_time = DayStart(2026, 10, 21) + 600 * kTicksPerSecond - 1;
  EXPECT_EQ(ScanRows(*snapshot, ten_minutes, &stats).size(), 600u);
  EXPECT_EQ(stats.blocks_read, 1u);
  EXPECT_EQ(stats.blocks_skipped_time, 2u);

  // Unflushed rows obey the same exact time range.
  TableBatch more(*Hunting().Find("DeviceProcessEvents"));
  AddProcessRows(more, 100, DayStart(2026, 10, 21) + 100 * kTicksPerSecond, 50000);
  ASSERT_TRUE(store->Append(more).ok());
  EXPECT_EQ(ScanRows(*store->GetSnapshot(), ten_minutes).size(), 700u);
}

TEST(StoreTest, TermHintsSkipBlocksWithoutTheTerm) {
  TempDir dir;
  auto options = Options(dir.path());
  options.block_rows = 500;
  auto store = OpenOrDie(options, Hunting());
  const schema::TableSchema& t = *Hunting().Find("DeviceProcessEvents");
  TableBatch batch(t);
  AddProcessRows(batch, 2000, DayStart(2026, 10, 24), 0);
  // One row in the last block carries a rare term.
  batch.mutable_column(t.FindColumn("ProcessCommandLine"));
  TableBatch rare(t);
  AddProcessRows(rare, 1, DayStart(2026, 10, 24) + 2000 * kTicksPerSecond, 9999);
  rare.SetBytes(t.FindColumn("ProcessCommandLine"), "powershell -EncodedCommand MIMIKATZ");
  batch.Append(rare);
  ASSERT_TRUE(store->Append(batch).ok());
  ASSERT_TRUE(store->Flush().ok());

  ScanStats stats;
  ScanRequest request{.table = "DeviceProcessEvents", .columns = {"ReportId"}};
  request.hints.push_back(
      {.kind = PredicateHint::Kind::kHasTerm, .column = "ProcessCommandLine", .text = "mimikatz"});
  const auto rows = ScanRows(*store->GetSnapshot(), request, &stats);
  EXPECT_NE(std::find(rows.begin(), rows.end(), "9999"), rows.end());
  EXPECT_EQ(stats.blocks_read + stats.blocks_skipped_hint, 5u);
  EXPECT_GE(stats.blocks_skipped_hint, 3u);  // bloom false positives are possible, not likely

  ScanRequest range{.table = "DeviceProcessEvents", .columns = {"ReportId"}};
  range.hints.push_back(
      {.kind = PredicateHint::Kind::kIntRange, .column = "ReportId", .min = 1600, .max = 1700});
  ScanRows(*store->GetSnapshot(), range, &stats);
  EXPECT_EQ(stats.blocks_read, 1u);
  EXPECT_EQ(stats.blocks_skipped_hint, 4u);
}

TEST(StoreTest, SnapshotsAreIsolatedFromLaterAppendsAndMaintenance) {
  TempDir dir;
  auto options = Options(dir.path());
  auto store = OpenOrDie(options, Hunting());
  const schema::TableSchema& t = *Hunting().Find("DeviceProcessEvents");
  TableBatch first(t);
  AddProcessRows(first, 100, DayStart(2026, 10, 24), 0);
  ASSERT_TRUE(store->Append(first).ok());
  ASSERT_TRUE(store->Flush().ok());
  TableBatch second(t);
  AddProcessRows(second, 100, DayStart(2026, 10, 24) + kTicksPerDay / 2, 100);
  ASSERT_TRUE(store->Append(second).ok());

  auto before = store->GetSnapshot();
  TableBatch third(t);
  AddProcessRows(third, 100, DayStart(2026, 10, 24) + kTicksPerDay / 3, 200);
  ASSERT_TRUE(store->Append(third).ok());
  auto after = store->GetSnapshot();
  EXPECT_EQ(ReportIds(*before).size(), 200u);
  EXPECT_EQ(ReportIds(*after).size(), 300u);

  // Flush + compaction retire the files `before` reads; it still sees exactly its rows.
  ASSERT_TRUE(store->Flush().ok());
  ASSERT_TRUE(store->Compact().ok());
  EXPECT_EQ(ReportIds(*before).size(), 200u);
  EXPECT_EQ(ReportIds(*store->GetSnapshot()).size(), 300u);
}

TEST(StoreTest, ScansDuringConcurrentAppendsSeeWholeBatches) {
  TempDir dir;
  auto options = Options(dir.path());
  options.background_flush = true;
  options.flush_rows = 1000;
  options.flush_interval = std::chrono::milliseconds(20);
  options.compact_max_rows = 5000;
  auto store = OpenOrDie(options, Hunting());
  const schema::TableSchema& t = *Hunting().Find("DeviceProcessEvents");
  std::atomic<bool> done{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < 3; ++w) {
    writers.emplace_back([&, w] {
      for (int b = 0; b < 40; ++b) {
        TableBatch batch(t);
        AddProcessRows(batch, 50, DayStart(2026, 10, 24) + b * kTicksPerSecond,
                       (w * 1000 + b) * 100, static_cast<uint32_t>(b));
        EXPECT_TRUE(store->Append(batch).ok());
      }
    });
  }
  std::thread reader([&] {
    while (!done) {
      const auto ids = ReportIds(*store->GetSnapshot());
      // Each batch has ids base..base+49: a snapshot must hold whole batches, once each.
      std::map<int64_t, int> per_batch;
      for (int64_t id : ids) {
        ++per_batch[id / 100];
      }
      for (const auto& [batch, count] : per_batch) {
        ASSERT_EQ(count, 50) << "batch " << batch;
      }
    }
  });
  for (auto& writer : writers) {
    writer.join();
  }
  done = true;
  reader.join();
  EXPECT_EQ(ReportIds(*store->GetSnapshot()).size(), 3u * 40 * 50);
  ASSERT_TRUE(store->Close().ok());
  auto reopened = OpenOrDie(Options(dir.path()), Hunting());
  EXPECT_EQ(ReportIds(*reopened->GetSnapshot()).size(), 3u * 40 * 50);
}

TEST(StoreTest, ConcurrentAppendersShareFsyncs) {
  TempDir dir;
  auto store = OpenOrDie(Options(dir.path()), Hunting());
  const schema::TableSchema& t = *Hunting().Find("DeviceProcessEvents");
  std::vector<std::thread> writers;
  for (int w = 0; w < 8; ++w) {
    writers.emplace_back([&, w] {
      for (int b = 0; b < 25; ++b) {
        TableBatch batch(t);
        AddProcessRows(batch, 4, DayStart(2026, 10, 24), (w * 100 + b) * 10);
        EXPECT_TRUE(store->Append(batch).ok());
      }
    });
  }
  for (auto& writer : writers) {
    writer.join();
  }
  const StoreHealth health = store->Health();
  EXPECT_EQ(health.wal_records, 200u);
  EXPECT_LT(health.wal_syncs, health.wal_records);  // group commit
  EXPECT_EQ(ReportIds(*store->GetSnapshot()).size(), 800u);
}

TEST(StoreTest, CompactionMergesSmallSegmentsAndKeepsAllRows) {
  TempDir dir;
  const schema::TableSchema& t = *Hunting().Find("DeviceProcessEvents");
  auto store = OpenOrDie(Options(dir.path()), Hunting());
  for (int b = 0; b < 5; ++b) {
    TableBatch batch(t);
    AddProcessRows(batch, 200, DayStart(2026, 10, 24) + b * 1000 * kTicksPerSecond, b * 1000);
    AddProcessRows(batch, 10, DayStart(2026, 10, 25), 90000 + b * 10);
    ASSERT_TRUE(store->Append(batch).ok());
    ASSERT_TRUE(store->Flush().ok());
  }
  EXPECT_EQ(store->Stats()[0].segments, 10u);
  const auto before = ReportIds(*store->GetSnapshot());
  ASSERT_TRUE(store->Compact().ok());
  EXPECT_EQ(store->Stats()[0].segments, 2u);
  EXPECT_EQ(store->Health().compactions, 2u);
  EXPECT_EQ(ReportIds(*store->GetSnapshot()), before);
  size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir.path() / "tables")) {
    files += entry.path().extension() == ".vseg" ? 1 : 0;
  }
  EXPECT_EQ(files, 2u);
  ASSERT_TRUE(store->Close().ok());
  auto reopened = OpenOrDie(Options(dir.path()), Hunting());
  EXPECT_EQ(ReportIds(*reopened->GetSnapshot()), before);
}

TEST(StoreTest, RetentionDropsOldDayPartitions) {
  TempDir dir;
  const schema::TableSchema& t = *Hunting().Find("DeviceProcessEvents");
  auto options = Options(dir.path());
  options.retention_days = 30;
  auto store = OpenOrDie(options, Hunting());
  TableBatch batch(t);
  AddProcessRows(batch, 10, DayStart(2026, 9, 1), 0);     // 53 days before "now"
  AddProcessRows(batch, 10, DayStart(2026, 9, 23), 100);  // exactly 31 days before
  AddProcessRows(batch, 10, DayStart(2026, 9, 24), 200);  // 30 days before: kept
  AddProcessRows(batch, 10, DayStart(2026, 10, 24), 300);
  ASSERT_TRUE(store->Append(batch).ok());
  ASSERT_TRUE(store->Flush().ok());
  ASSERT_TRUE(store->ApplyRetention(DayStart(2026, 10, 24) + 5).ok());
  EXPECT_EQ(store->Health().partitions_dropped, 2u);
  const auto ids = ReportIds(*store->GetSnapshot());
  ASSERT_EQ(ids.size(), 20u);
  EXPECT_EQ(ids.front(), 200);
  const fs::path table_dir = dir.path() / "tables" / "DeviceProcessEvents";
  EXPECT_FALSE(fs::exists(table_dir / "2026-09-01"));
  EXPECT_FALSE(fs::exists(table_dir / "2026-09-23"));
  EXPECT_TRUE(fs::exists(table_dir / "2026-09-24"));
  // Rows of dropped days that arrive later are discarded at flush.
  TableBatch late(t);
  AddProcessRows(late, 10, DayStart(2026, 9, 2), 400);
  ASSERT_TRUE(store->Append(late).ok());
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_EQ(ReportIds(*store->GetSnapshot()).size(), 20u);
}

TEST(StoreTest, AppendAllIsAtomicAndInventoryUsesIngestDay) {
  TempDir dir;
  auto store = OpenOrDie(Options(dir.path()), TypesCatalog());
  TableBatch types = TypesBatch(DayStart(2026, 10, 24));
  TableBatch inventory(*TypesCatalog().Find("Inventory"));
  inventory.BeginRow();
  inventory.SetBytes(0, "device-1");
  inventory.SetInt(1, 7);
  const TableBatch* both[] = {&types, &inventory};
  ASSERT_TRUE(store->AppendAll(both).ok());
  store->AbandonForTest();
  store = OpenOrDie(Options(dir.path()), TypesCatalog());
  auto stats = store->Stats();
  ASSERT_EQ(stats.size(), 2u);
  ASSERT_TRUE(store->Flush().ok());
  const fs::path today = dir.path() / "tables" / "Inventory" /
                         FormatDateTime(DayOf(NowTicks()) * kTicksPerDay).substr(0, 10);
  EXPECT_TRUE(fs::is_directory(today));
  EXPECT_EQ(ScanRows(*store->GetSnapshot(), {.table = "Inventory"}),
            std::vector<std::string>{"'device-1'|7|<null>"});
}

TEST(StoreTest, DynamicPropertiesAreReadableFromScans) {
  TempDir dir;
  auto store = OpenOrDie(Options(dir.path()), TypesCatalog());
  ASSERT_TRUE(store->Append(TypesBatch(DayStart(2026, 10, 24))).ok());
  ASSERT_TRUE(store->Flush().ok());
  auto cursor = store->GetSnapshot()->Scan({.table = "Types", .columns = {"Y"}});
  ASSERT_TRUE(cursor.ok());
  ColumnBatch out;
  std::set<int64_t> n_values;
  while (*(*cursor)->Next(out)) {
    const ColumnVector& y = out.column(0);
    for (size_t r = 0; r < out.rows; ++r) {
      const DynamicView v = y.GetDynamic(r);
      if (v.kind() == DynamicView::Kind::kObject) {
        n_values.insert(v.GetProperty("n").AsLong());
        EXPECT_EQ(v.GetProperty("s").AsString(), "v" + std::to_string(v.GetProperty("n").AsLong()));
      }
    }
  }
  EXPECT_EQ(n_values.size(), 13u);  // i % 3 == 0 and i % 5 != 0 for i < 50
}

TEST(StoreTest, ExtremeTimestampsArePartitionedAndScanned) {
  TempDir dir;
  const schema::TableSchema& t = *Hunting().Find("DeviceProcessEvents");
  const int64_t times[] = {INT64_MIN, INT64_MAX, 0, -1, -kTicksPerDay * 400 * 365};
  TableBatch batch(t);
  for (size_t i = 0; i < std::size(times); ++i) {
    batch.BeginRow();
    batch.SetInt(t.timestamp_column(), times[i]);
    batch.SetInt(t.FindColumn("ReportId"), static_cast<int64_t>(i));
  }
  batch.BeginRow();  // null Timestamp: partitioned by ingest day, never in a time range
  batch.SetInt(t.FindColumn("ReportId"), 99);
  {
    auto store = OpenOrDie(Options(dir.path()), Hunting());
    ASSERT_TRUE(store->Append(batch).ok());
    ASSERT_TRUE(store->Flush().ok());
  }
  auto store = OpenOrDie(Options(dir.path()), Hunting());
  EXPECT_EQ(store->Health().corrupt_segments, 0u);
  EXPECT_EQ(ReportIds(*store->GetSnapshot()), (std::vector<int64_t>{0, 1, 2, 3, 4, 99}));
  ScanRequest around_epoch{.table = "DeviceProcessEvents", .min_time = -1, .max_time = 0};
  EXPECT_EQ(ReportIds(*store->GetSnapshot(), around_epoch), (std::vector<int64_t>{2, 3}));
  ScanRequest everything{
      .table = "DeviceProcessEvents", .min_time = INT64_MIN, .max_time = INT64_MAX};
  EXPECT_EQ(ReportIds(*store->GetSnapshot(), everything), (std::vector<int64_t>{0, 1, 2, 3, 4}));
}

TEST(StoreTest, ADirectoryIsOpenedByOneStoreAtATime) {
  TempDir dir;
  auto store = OpenOrDie(Options(dir.path()), Hunting());
  auto second = Store::Open(Options(dir.path()), Hunting());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(store->Close().ok());
  EXPECT_TRUE(Store::Open(Options(dir.path()), Hunting()).ok());
}

TEST(StoreTest, RepeatedOpenCloseDoesNotAccumulateWalFiles) {
  TempDir dir;
  for (int i = 0; i < 4; ++i) {
    auto store = OpenOrDie(Options(dir.path()), Hunting());
    ASSERT_TRUE(store->Close().ok());
  }
  size_t files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir.path() / "wal")) {
    ++files;
  }
  EXPECT_EQ(files, 1u);
}

TEST(StoreTest, UnknownTableOrColumnIsAnError) {
  TempDir dir;
  auto store = OpenOrDie(Options(dir.path()), Hunting());
  EXPECT_FALSE(store->GetSnapshot()->Scan({.table = "NoSuchTable"}).ok());
  EXPECT_FALSE(
      store->GetSnapshot()->Scan({.table = "DeviceProcessEvents", .columns = {"Nope"}}).ok());
  // A known table without data scans as empty.
  EXPECT_TRUE(ReportIds(*store->GetSnapshot()).empty());
}

}  // namespace
}  // namespace vigil::store

namespace vigil::store {
namespace {

// Rows of every segment file of DeviceProcessEvents, segment by segment.
std::vector<TableBatch> ReadAllSegments(const fs::path& dir, const schema::TableSchema& t) {
  std::vector<TableBatch> result;
  for (const auto& entry : fs::recursive_directory_iterator(dir / "tables")) {
    if (entry.path().extension() != ".vseg") {
      continue;
    }
    auto info = internal::ReadSegmentInfo(entry.path());
    EXPECT_TRUE(info.ok());
    if (!info.ok()) {
      continue;
    }
    internal::SegmentHandle handle(entry.path(), std::move(*info));
    TableBatch rows(t);
    EXPECT_TRUE(internal::ReadWholeSegment(handle, rows).ok());
    result.push_back(std::move(rows));
  }
  return result;
}

TEST(StoreTest, FlushWritesRowsOfManyBatchesInTimeOrder) {
  TempDir dir;
  const schema::TableSchema& t = *Hunting().Find("DeviceProcessEvents");
  StoreOptions options = Options(dir.path());
  options.block_rows = 100;  // blocks made of several batches' rows
  auto store = OpenOrDie(options, Hunting());
  std::vector<TableBatch> appended;
  // Day 1: batches in time order, written from the batches as they are (segment blocks
  // straddle batches).
  for (int b = 0; b < 12; ++b) {
    TableBatch batch(t);
    AddProcessRows(batch, 310, DayStart(2026, 10, 24) + b * 310 * kTicksPerSecond, b * 310, b + 1);
    appended.push_back(std::move(batch));
  }
  // Day 2: each batch interleaves with the others (rows are reordered through a copy), and one
  // batch also holds rows of day 1 that belong after the in-order ones.
  for (int b = 0; b < 9; ++b) {
    TableBatch batch(t);
    for (int i = 0; i < 20; ++i) {
      AddProcessRows(batch, 1, DayStart(2026, 10, 25) + (i * 9 + (8 - b)) * kTicksPerSecond,
                     100000 + b * 100 + i, 100 + b * 20 + i);
    }
    if (b == 4) {
      AddProcessRows(batch, 5, DayStart(2026, 10, 24) + 20000 * kTicksPerSecond, 50000, 77);
    }
    appended.push_back(std::move(batch));
  }
  std::vector<std::string> expected;
  {
    // The same rows straight from the batches, through a snapshot of the unflushed memtable.
    for (const TableBatch& batch : appended) {
      ASSERT_TRUE(store->Append(batch).ok());
    }
    ScanRequest request;
    request.table = "DeviceProcessEvents";
    request.columns = {"Timestamp",
                       "ReportId",
                       "DeviceId",
                       "SHA256",
                       "ProcessCommandLine",
                       "FileSize",
                       "IsProcessRemoteSession"};
    expected = ScanRows(*store->GetSnapshot(), request);
    ASSERT_EQ(expected.size(), 12u * 310 + 9 * 20 + 5);
    ASSERT_TRUE(store->Flush().ok());
    EXPECT_EQ(ScanRows(*store->GetSnapshot(), request), expected);
  }
  const std::vector<TableBatch> segments = ReadAllSegments(dir.path(), t);
  ASSERT_EQ(segments.size(), 2u);
  size_t rows = 0;
  const int ts = t.timestamp_column();
  for (const TableBatch& segment : segments) {
    rows += segment.rows();
    for (size_t r = 1; r < segment.rows(); ++r) {
      EXPECT_LE(segment.column(ts).ints[r - 1], segment.column(ts).ints[r]) << r;
    }
  }
  EXPECT_EQ(rows, expected.size());
}

}  // namespace
}  // namespace vigil::store

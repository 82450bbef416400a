#include "vigil/store/internal/block_cache.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "vigil/store/internal/local_snapshot.h"
#include "vigil/store/store_scan_test_util.h"
#include "vigil/store/store_test_util.h"

namespace vigil::store {
namespace {

namespace fs = std::filesystem;
using internal::BlockCache;
using internal::BlockKey;
using testing::AddProcessRows;
using testing::DayStart;
using testing::OpenOrDie;
using testing::Options;
using testing::ScanRows;
using testing::TempDir;

std::shared_ptr<const ColumnVector> IntBlock(size_t rows, int64_t value) {
  auto block = std::make_shared<ColumnVector>();
  block->type = schema::ColumnType::kLong;
  block->valid.assign(rows, 1);
  block->ints.assign(rows, value);
  return block;
}

TEST(BlockCacheTest, KeepsBlocksUntilTheBudgetEvictsTheLeastRecentlyUsed) {
  // 16 shards: a 16 KiB budget leaves 1 KiB per shard, room for one 600-byte entry each.
  BlockCache cache(16 * 1024);
  const BlockKey a{1, 0, 0};
  cache.Insert(a, IntBlock(1, 7), 600);
  ASSERT_NE(cache.Find(a), nullptr);
  EXPECT_EQ(cache.Find(a)->ints[0], 7);
  EXPECT_TRUE(cache.Contains(a));
  EXPECT_EQ(cache.Find(BlockKey{1, 0, 1}), nullptr);

  // Fill until something goes: a shard holding two 600-byte entries must evict the older one.
  for (uint32_t b = 1; b < 200; ++b) {
    cache.Insert(BlockKey{1, b, 0}, IntBlock(1, b), 600);
  }
  const BlockCacheStats stats = cache.Stats();
  EXPECT_GT(stats.evictions, 0u);
  EXPECT_LE(stats.bytes, stats.capacity);
  EXPECT_EQ(stats.entries, stats.inserts - stats.evictions);
  EXPECT_GE(stats.hits, 2u);
  EXPECT_GE(stats.misses, 1u);
}

TEST(BlockCacheTest, ZeroBudgetCachesNothingAndOversizedBlocksAreNotKept) {
  BlockCache off(0);
  off.Insert(BlockKey{1, 0, 0}, IntBlock(4, 1), 300);
  EXPECT_EQ(off.Find(BlockKey{1, 0, 0}), nullptr);
  EXPECT_EQ(off.Stats().entries, 0u);

  BlockCache small(16 * 1024);
  small.Insert(BlockKey{1, 0, 0}, IntBlock(4, 1), 2048);  // more than a shard's 1 KiB
  EXPECT_FALSE(small.Contains(BlockKey{1, 0, 0}));
  EXPECT_EQ(small.Stats().bytes, 0u);
}

// 3 day segments of 3,000 rows in blocks of 1,000.
std::unique_ptr<Store> ProcessStore(const fs::path& dir, std::optional<size_t> cache_bytes) {
  StoreOptions options = Options(dir);
  options.block_rows = 1000;
  options.block_cache_bytes = cache_bytes;
  auto store = OpenOrDie(options, schema::Catalog::Default());
  return store;
}

void FillProcessStore(Store& store) {
  schema::TableBatch batch(*schema::Catalog::Default().Find("DeviceProcessEvents"));
  for (int day = 0; day < 3; ++day) {
    AddProcessRows(batch, 3000, DayStart(2026, 10, 20 + day), day * 3000, 7 + day);
  }
  ASSERT_TRUE(store.Append(batch).ok());
  ASSERT_TRUE(store.Flush().ok());
}

TEST(BlockCacheTest, CachedScansReturnTheSameRowsAsUncachedOnes) {
  TempDir dir;
  {
    auto store = ProcessStore(dir.path(), 0);
    FillProcessStore(*store);
    ASSERT_TRUE(store->Close().ok());
  }
  const std::vector<ScanRequest> requests = {
      {.table = "DeviceProcessEvents"},
      {.table = "DeviceProcessEvents", .columns = {"DeviceName", "FileName", "ReportId"}},
      {.table = "DeviceProcessEvents",
       .columns = {"FileName", "ProcessCommandLine"},
       .min_time = DayStart(2026, 10, 21) + 500 * kTicksPerSecond,
       .max_time = DayStart(2026, 10, 21) + 2500 * kTicksPerSecond},
      {.table = "DeviceProcessEvents",
       .columns = {"AccountName", "Timestamp"},
       .hints = {{.kind = PredicateHint::Kind::kHasTerm, .column = "FileName",
                  .text = "powershell.exe"}}},
  };
  std::vector<std::vector<std::string>> expected;
  {
    auto uncached = ProcessStore(dir.path(), 0);
    for (const ScanRequest& request : requests) {
      expected.push_back(ScanRows(*uncached->GetSnapshot(), request));
      EXPECT_FALSE(expected.back().empty());
    }
    EXPECT_EQ(uncached->CacheStats().entries, 0u);
  }
  auto cached = ProcessStore(dir.path(), std::nullopt);
  for (int pass = 0; pass < 2; ++pass) {  // the first fills the cache, the second reads it
    for (size_t i = 0; i < requests.size(); ++i) {
      EXPECT_EQ(ScanRows(*cached->GetSnapshot(), requests[i]), expected[i])
          << "request " << i << " pass " << pass;
    }
  }
  const BlockCacheStats stats = cached->CacheStats();
  EXPECT_GT(stats.hits, 0u);
  EXPECT_GT(stats.entries, 0u);
  EXPECT_LE(stats.bytes, stats.capacity);
}

TEST(BlockCacheTest, AStringColumnOfASegmentSharesOneDictionaryOnceCached) {
  TempDir dir;
  auto store = ProcessStore(dir.path(), std::nullopt);
  FillProcessStore(*store);
  ScanRequest request{.table = "DeviceProcessEvents", .columns = {"DeviceName", "ReportId"},
                      .min_time = DayStart(2026, 10, 20),
                      .max_time = DayStart(2026, 10, 21) - 1};
  auto cursor = store->GetSnapshot()->Scan(request);
  ASSERT_TRUE(cursor.ok());
  ColumnBatch batch;
  std::set<const Dictionary*> dicts;
  std::set<std::string> names;
  size_t blocks = 0;
  while (*(*cursor)->Next(batch)) {
    ++blocks;
    dicts.insert(batch.column(0).dict.get());
    for (size_t r = 0; r < batch.rows; ++r) {
      names.insert(std::string(batch.column(0).GetString(r)));
    }
  }
  EXPECT_EQ(blocks, 3u);
  ASSERT_EQ(dicts.size(), 1u);  // one dictionary for the three blocks of the day's segment
  EXPECT_EQ((*dicts.begin())->size(), names.size());  // each distinct name once
  EXPECT_EQ((*cursor)->stats().unified_columns, 1u);
}

// The per-segment dictionaries of a table column number their values table-wide: the same
// text has the same id in every segment, different texts different ids, and columns have their
// own id spaces.
TEST(BlockCacheTest, CachedDictionariesNumberTheirValuesTableWide) {
  TempDir dir;
  auto store = ProcessStore(dir.path(), std::nullopt);
  FillProcessStore(*store);
  {  // a fourth day of one block: its dictionary is numbered too
    schema::TableBatch batch(*schema::Catalog::Default().Find("DeviceProcessEvents"));
    AddProcessRows(batch, 500, DayStart(2026, 10, 23), 9000, 11);
    ASSERT_TRUE(store->Append(batch).ok());
    ASSERT_TRUE(store->Flush().ok());
  }
  ScanRequest request{.table = "DeviceProcessEvents", .columns = {"DeviceName", "FileName"}};
  auto cursor = store->GetSnapshot()->Scan(request);
  ASSERT_TRUE(cursor.ok());
  ColumnBatch batch;
  std::map<std::string, uint32_t> id_of;
  std::set<const Dictionary*> dicts;
  std::set<uint64_t> spaces;
  while (*(*cursor)->Next(batch)) {
    for (size_t c = 0; c < 2; ++c) {
      const ColumnVector& col = batch.column(c);
      ASSERT_EQ(col.dict->value_ids().size(), col.dict->size());
      ASSERT_NE(col.dict->id_space(), 0u);
      spaces.insert(col.dict->id_space());
    }
    const ColumnVector& names = batch.column(0);
    dicts.insert(names.dict.get());
    for (size_t r = 0; r < batch.rows; ++r) {
      const uint32_t id = names.dict->value_ids()[names.codes[r]];
      auto [it, inserted] = id_of.emplace(std::string(names.GetString(r)), id);
      EXPECT_EQ(it->second, id) << it->first;
    }
  }
  EXPECT_EQ(dicts.size(), 4u);  // one per day segment
  EXPECT_EQ(spaces.size(), 2u);  // one per column
  std::set<uint32_t> ids;
  for (const auto& [name, id] : id_of) {
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), id_of.size());
}

TEST(BlockCacheTest, ValueIdSpacesStopNumberingAtTheirByteLimit) {
  constexpr size_t kPer = internal::ValueIdSpaces::kBytesPerValue;
  internal::ValueIdSpaces spaces(3 * kPer + 10);
  auto dict = [](std::vector<std::string> values) {
    Dictionary d;
    std::vector<uint64_t> hashes;
    for (const auto& v : values) {
      d.Add(v);
      hashes.push_back(StringInterner::Hash(v));
    }
    d.SetHashes(std::move(hashes));
    return d;
  };
  Dictionary first = dict({"abc", "de"});
  ASSERT_TRUE(spaces.Number("T", "C", first));
  EXPECT_EQ(first.value_ids(), (std::vector<uint32_t>{0, 1}));
  Dictionary again = dict({"de", "abc"});
  ASSERT_TRUE(spaces.Number("T", "C", again));
  EXPECT_EQ(again.value_ids(), (std::vector<uint32_t>{1, 0}));
  EXPECT_EQ(again.id_space(), first.id_space());
  EXPECT_EQ(spaces.bytes(), 2 * kPer + 5);
  Dictionary other_column = dict({"abc"});
  ASSERT_TRUE(spaces.Number("T", "D", other_column));
  EXPECT_NE(other_column.id_space(), first.id_space());
  Dictionary crossing = dict({"abcdef"});  // 3 values and 8 bytes held, + 1 and 6 > the limit
  ASSERT_TRUE(spaces.Number("T", "C", crossing));  // the dictionary that crosses is numbered
  EXPECT_EQ(crossing.value_ids(), (std::vector<uint32_t>{2}));
  EXPECT_EQ(spaces.bytes(), 4 * kPer + 14);
  Dictionary too_much = dict({"abc"});  // full: nothing more is numbered, known values neither
  EXPECT_FALSE(spaces.Number("T", "C", too_much));
  EXPECT_TRUE(too_much.value_ids().empty());
  EXPECT_EQ(too_much.id_space(), 0u);
  Dictionary unhashed;
  unhashed.Add("x");
  EXPECT_FALSE(spaces.Number("T", "C", unhashed));
}

TEST(BlockCacheTest, ACorruptBlockIsStillReportedWhenItsColumnWouldBeLoadedWhole) {
  TempDir dir;
  {
    auto store = ProcessStore(dir.path(), 0);
    FillProcessStore(*store);
    ASSERT_TRUE(store->Close().ok());
  }
  fs::path segment;
  for (const auto& entry : fs::recursive_directory_iterator(dir.path() / "tables")) {
    if (entry.path().extension() == ".vseg" &&
        entry.path().parent_path().filename() == "2026-10-20") {
      segment = entry.path();
    }
  }
  ASSERT_FALSE(segment.empty());
  {
    std::fstream file(segment, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(40);  // inside the first column block of the file
    char byte = 0;
    file.read(&byte, 1);
    file.seekp(40);
    byte = static_cast<char>(byte ^ 0x5a);
    file.write(&byte, 1);
  }
  auto store = ProcessStore(dir.path(), std::nullopt);
  for (int pass = 0; pass < 2; ++pass) {
    ScanStats stats;
    const auto rows = ScanRows(*store->GetSnapshot(), {.table = "DeviceProcessEvents"}, &stats);
    EXPECT_EQ(stats.blocks_corrupt, 1u) << "pass " << pass;
    EXPECT_EQ(rows.size(), 9000u - 1000u) << "pass " << pass;  // the damaged block's rows
  }
}

}  // namespace
}  // namespace vigil::store

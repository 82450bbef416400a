// Block term filters on high-cardinality text (full, partial or none), the partial flag in the
// segment footer across format versions, and block skipping by kHasTerm / kHasAnyTerm hints.
#include "vigil/store/internal/term_filter.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "vigil/store/internal/segment.h"
#include "vigil/store/store.h"
#include "vigil/store/store_scan_test_util.h"
#include "vigil/store/store_test_util.h"

namespace vigil::store::internal {
namespace {

namespace fs = std::filesystem;
using schema::ColumnData;
using schema::ColumnType;
using schema::TableBatch;
using testing::DayStart;
using testing::TempDir;

constexpr size_t kBlockRows = 16384;
const char* const kWords[] = {"powershell", "invoke", "webrequest", "encodedcommand", "rundll",
                              "schtasks",   "create", "users",      "appdata",        "temp"};

// A command line whose per-row identifiers (ids, pids, hex, GUID parts) all hold a digit: five
// new terms per row, so a full block has ~82,000 distinct terms, 10 of them word-like.
std::string CommandLine(size_t row, std::mt19937_64& rng) {
  return fmt::format("{}.exe -{} C:\\{}\\id{}\\{} /pid:p{}x {{{:016x}-{:08x}}} {}q",
                     kWords[row % 10], kWords[(row / 10) % 10], kWords[(row / 100) % 10], row,
                     kWords[(row / 1000) % 10], row, rng() | 1, rng() | 1, row);
}

ColumnData StringColumn(const std::vector<std::string>& values) {
  ColumnData col;
  col.type = ColumnType::kString;
  for (const std::string& value : values) {
    col.valid.push_back(1);
    col.bytes += value;
    col.offsets.push_back(static_cast<uint32_t>(col.bytes.size()));
  }
  return col;
}

std::vector<std::string> CommandLines(size_t rows, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::string> values;
  for (size_t row = 0; row < rows; ++row) {
    values.push_back(CommandLine(row, rng));
  }
  return values;
}

BlockColumnMeta EncodeMeta(const std::vector<std::string>& values) {
  BlockColumnMeta meta;
  (void)EncodeColumnBlock(StringColumn(values), 0, values.size(), meta);
  return meta;
}

// How many of `words` (all absent from the block) the filter rules out.
int RuledOut(const BlockColumnMeta& meta, const std::vector<std::string>& words) {
  const TermBloom bloom = TermBloom::FromBytes(meta.bloom);
  int ruled_out = 0;
  for (const std::string& word : words) {
    ruled_out += FilterMayContainTerm(bloom, meta.bloom_partial, word) ? 0 : 1;
  }
  return ruled_out;
}

std::vector<std::string> AbsentWords(int count) {
  std::vector<std::string> words;
  for (int i = 0; i < count; ++i) {
    words.push_back(
        fmt::format("absent{}", std::string(1 + i % 20, static_cast<char>('a' + i % 26))));
  }
  return words;
}

TEST(StoreTermFilterTest, WordLikeTermsHaveNoDigitAndAtMost64Bytes) {
  EXPECT_TRUE(IsPartialFilterTerm("mimikatz"));
  EXPECT_TRUE(IsPartialFilterTerm("sekurlsa"));
  EXPECT_TRUE(IsPartialFilterTerm(std::string(64, 'a')));
  EXPECT_FALSE(IsPartialFilterTerm(std::string(65, 'a')));
  EXPECT_FALSE(IsPartialFilterTerm("win32"));
  EXPECT_FALSE(IsPartialFilterTerm("4688"));
  EXPECT_FALSE(IsPartialFilterTerm(""));
  // No filter bits: everything is "maybe", partial or not.
  EXPECT_TRUE(FilterMayContainTerm(TermBloom(), false, "mimikatz"));
  EXPECT_TRUE(FilterMayContainTerm(TermBloom(), true, "mimikatz"));
}

TEST(StoreTermFilterTest, HighCardinalityBlockGetsAPartialFilter) {
  const std::vector<std::string> values = CommandLines(kBlockRows, 1);
  const BlockColumnMeta meta = EncodeMeta(values);
  ASSERT_FALSE(meta.bloom.empty());
  EXPECT_TRUE(meta.bloom_partial);
  EXPECT_LE(meta.bloom.size(), TermBloom::kMaxBits / 8);
  const TermBloom bloom = TermBloom::FromBytes(meta.bloom);
  for (const char* word : kWords) {
    EXPECT_TRUE(FilterMayContainTerm(bloom, true, word)) << word;
  }
  EXPECT_FALSE(FilterMayContainTerm(bloom, true, "mimikatz"));
  const std::vector<std::string> absent = AbsentWords(200);
  EXPECT_GE(RuledOut(meta, absent), 190);
  // Terms outside the subset are "maybe", present or not.
  for (const char* term : {"id5", "id99999999", "p16383x", "deadbeef00", "4688"}) {
    EXPECT_TRUE(FilterMayContainTerm(bloom, true, term)) << term;
  }
  EXPECT_TRUE(FilterMayContainTerm(bloom, true, std::string(65, 'z')));
}

TEST(StoreTermFilterTest, BlockWhoseTermsFitKeepsTheFullFilter) {
  const std::vector<std::string> values = CommandLines(1000, 2);
  const BlockColumnMeta meta = EncodeMeta(values);
  ASSERT_FALSE(meta.bloom.empty());
  EXPECT_FALSE(meta.bloom_partial);
  const TermBloom bloom = TermBloom::FromBytes(meta.bloom);
  EXPECT_TRUE(FilterMayContainTerm(bloom, false, "id999"));
  EXPECT_TRUE(FilterMayContainTerm(bloom, false, "p5x"));
  // A full filter also rules out terms with digits.
  std::vector<std::string> absent_ids;
  for (int i = 0; i < 200; ++i) {
    absent_ids.push_back(fmt::format("id{}", 100000 + i));
  }
  EXPECT_GE(RuledOut(meta, absent_ids), 190);
}

TEST(StoreTermFilterTest, TooManyWordLikeTermsMeansNoFilter) {
  std::mt19937_64 rng(3);
  std::vector<std::string> values;
  for (size_t row = 0; row < kBlockRows; ++row) {
    std::string line;
    for (int word = 0; word < 5; ++word) {
      for (int letter = 0; letter < 12; ++letter) {
        line += static_cast<char>('a' + rng() % 26);
      }
      line += ' ';
    }
    values.push_back(line);
  }
  const BlockColumnMeta meta = EncodeMeta(values);
  EXPECT_TRUE(meta.bloom.empty());
  EXPECT_FALSE(meta.bloom_partial);
}

// DeviceProcessEvents rows with only Timestamp, ReportId and ProcessCommandLine set.
void AddCommandLines(TableBatch& batch, const std::vector<std::string>& lines, int64_t first_id) {
  const schema::TableSchema& t = batch.schema();
  const auto ts = static_cast<size_t>(t.FindColumn("Timestamp"));
  const auto report = static_cast<size_t>(t.FindColumn("ReportId"));
  const auto cmd = static_cast<size_t>(t.FindColumn("ProcessCommandLine"));
  for (size_t i = 0; i < lines.size(); ++i) {
    batch.BeginRow();
    const auto id = first_id + static_cast<int64_t>(i);
    batch.SetInt(ts, DayStart(2026, 10, 24) + id * kTicksPerMillisecond);
    batch.SetInt(report, id);
    batch.SetBytes(cmd, lines[i]);
  }
}

// Rewrites the header's version (and its checksum, seed 0x56534547 per docs/STORE_FORMAT.md).
void SetSegmentVersion(const fs::path& path, uint32_t version) {
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  ASSERT_GE(bytes.size(), kSegmentHeaderSize);
  for (int i = 0; i < 4; ++i) {
    bytes[8 + i] = static_cast<char>((version >> (8 * i)) & 0xff);
  }
  const uint64_t hash = Hash64(std::string_view(bytes).substr(0, 16), 0x56534547);
  for (int i = 0; i < 8; ++i) {
    bytes[16 + i] = static_cast<char>((hash >> (8 * i)) & 0xff);
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

TEST(StoreTermFilterTest, PartialFlagRoundTripsAndIsInvalidInVersion3) {
  TempDir dir;
  const schema::TableSchema& t = *schema::Catalog::Default().Find("DeviceProcessEvents");
  TableBatch batch(t);
  AddCommandLines(batch, CommandLines(kBlockRows, 4), 0);
  AddCommandLines(batch, CommandLines(100, 5), kBlockRows);
  SegmentInfo info;
  info.table = "DeviceProcessEvents";
  info.id = 1;
  const fs::path path = dir.path() / "seg.vseg";
  auto written = WriteSegment(path, batch, info, SegmentWriteOptions{});
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  auto read = ReadSegmentInfo(path);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  const int cmd = read->FindColumn("ProcessCommandLine");
  ASSERT_EQ(read->blocks.size(), 2u);
  EXPECT_TRUE(read->blocks[0].columns[cmd].bloom_partial);
  EXPECT_FALSE(read->blocks[1].columns[cmd].bloom_partial);
  EXPECT_EQ(read->blocks[0].columns[cmd].bloom, written->blocks[0].columns[cmd].bloom);

  SetSegmentVersion(path, 3);
  EXPECT_FALSE(ReadSegmentInfo(path).ok());  // version 3 had no partial filters
  SetSegmentVersion(path, kSegmentFormatVersion + 1);
  EXPECT_FALSE(ReadSegmentInfo(path).ok());
}

size_t CountRows(const Snapshot& snapshot, const ScanRequest& request, ScanStats& stats,
                 std::vector<int64_t>* ids = nullptr) {
  size_t rows = 0;
  stats = testing::ForEachBatch(snapshot, request, [&](const ColumnBatch& batch) {
    rows += batch.rows;
    for (size_t r = 0; ids != nullptr && r < batch.rows; ++r) {
      ids->push_back(batch.column(0).ints[r]);
    }
  });
  return rows;
}

ScanRequest HintRequest(PredicateHint hint) {
  ScanRequest request{.table = "DeviceProcessEvents", .columns = {"ReportId"}};
  request.hints.push_back(std::move(hint));
  return request;
}

std::unique_ptr<Store> OpenStore(const fs::path& dir, size_t block_rows) {
  StoreOptions options;
  options.dir = dir;
  options.background_flush = false;
  options.retention_days = 0;
  options.block_rows = block_rows;
  auto store = Store::Open(options, schema::Catalog::Default());
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(*store) : nullptr;
}

TEST(StoreTermFilterTest, HasTermSkipsHighCardinalityBlocksByTheirPartialFilter) {
  TempDir dir;
  auto store = OpenStore(dir.path(), kBlockRows);
  ASSERT_NE(store, nullptr);
  const schema::TableSchema& t = *schema::Catalog::Default().Find("DeviceProcessEvents");
  TableBatch batch(t);
  std::vector<std::string> lines = CommandLines(3 * kBlockRows, 6);
  lines.back() = "powershell.exe -nop IEX (New-Object Net.WebClient); Invoke-Mimikatz -dumpcreds";
  AddCommandLines(batch, lines, 0);
  ASSERT_TRUE(store->Append(batch).ok());
  ASSERT_TRUE(store->Flush().ok());
  const auto snapshot = store->GetSnapshot();

  ScanStats stats;
  std::vector<int64_t> ids;
  CountRows(*snapshot,
            HintRequest({.kind = PredicateHint::Kind::kHasTerm,
                         .column = "ProcessCommandLine",
                         .text = "MIMIKATZ"}),
            stats, &ids);
  EXPECT_EQ(stats.blocks_skipped_hint, 2u);
  EXPECT_EQ(stats.blocks_read, 1u);
  EXPECT_NE(std::find(ids.begin(), ids.end(), static_cast<int64_t>(3 * kBlockRows - 1)), ids.end());
  // A term with a digit is outside the partial filters: nothing can be skipped.
  EXPECT_EQ(CountRows(*snapshot,
                      HintRequest({.kind = PredicateHint::Kind::kHasTerm,
                                   .column = "ProcessCommandLine",
                                   .text = "id123456789"}),
                      stats),
            3 * kBlockRows);
  EXPECT_EQ(stats.blocks_skipped_hint, 0u);
  // has_any: skipped only where both needles are ruled out; the digit needle is "maybe".
  CountRows(*snapshot,
            HintRequest({.kind = PredicateHint::Kind::kHasAnyTerm,
                         .column = "ProcessCommandLine",
                         .terms = {"mimikatz", "sekurlsa"}}),
            stats);
  EXPECT_EQ(stats.blocks_skipped_hint, 2u);
  CountRows(*snapshot,
            HintRequest({.kind = PredicateHint::Kind::kHasAnyTerm,
                         .column = "ProcessCommandLine",
                         .terms = {"mimikatz", "id123456789"}}),
            stats);
  EXPECT_EQ(stats.blocks_skipped_hint, 0u);
}

TEST(StoreTermFilterTest, HasAnyTermSkipsABlockOnlyWhenNoNeedleMayBePresent) {
  TempDir dir;
  auto store = OpenStore(dir.path(), 500);
  ASSERT_NE(store, nullptr);
  const schema::TableSchema& t = *schema::Catalog::Default().Find("DeviceProcessEvents");
  TableBatch batch(t);
  testing::AddProcessRows(batch, 2000, DayStart(2026, 10, 24), 0);
  TableBatch rare(t);
  testing::AddProcessRows(rare, 1, DayStart(2026, 10, 24) + 2000 * kTicksPerSecond, 9999);
  rare.SetBytes(t.FindColumn("ProcessCommandLine"), "powershell -EncodedCommand MIMIKATZ");
  batch.Append(rare);
  ASSERT_TRUE(store->Append(batch).ok());
  ASSERT_TRUE(store->Flush().ok());
  const auto snapshot = store->GetSnapshot();
  auto has_any = [](std::vector<std::string> terms) {
    return HintRequest({.kind = PredicateHint::Kind::kHasAnyTerm,
                        .column = "ProcessCommandLine",
                        .terms = std::move(terms)});
  };

  ScanStats stats;
  std::vector<int64_t> ids;
  CountRows(*snapshot, has_any({"sekurlsa", "Mimikatz"}), stats, &ids);
  EXPECT_NE(std::find(ids.begin(), ids.end(), 9999), ids.end());
  EXPECT_EQ(stats.blocks_read + stats.blocks_skipped_hint, 5u);
  EXPECT_GE(stats.blocks_skipped_hint, 3u);  // bloom false positives are possible, not likely
  CountRows(*snapshot, has_any({"sekurlsa", "lsadump"}), stats);
  EXPECT_GE(stats.blocks_skipped_hint, 4u);
  // Every row says "echo": no block may be skipped when one needle is present everywhere.
  EXPECT_EQ(CountRows(*snapshot, has_any({"mimikatz", "echo"}), stats), 2001u);
  EXPECT_EQ(stats.blocks_skipped_hint, 0u);
  // A needle without terms, or no needle at all, rules nothing out.
  EXPECT_EQ(CountRows(*snapshot, has_any({"mimikatz", "--"}), stats), 2001u);
  EXPECT_EQ(stats.blocks_skipped_hint, 0u);
  EXPECT_EQ(CountRows(*snapshot, has_any({}), stats), 2001u);
  EXPECT_EQ(stats.blocks_skipped_hint, 0u);
}

TEST(StoreTermFilterTest, Version3SegmentsStillReadAndPrune) {
  TempDir dir;
  {
    auto store = OpenStore(dir.path(), 500);
    ASSERT_NE(store, nullptr);
    const schema::TableSchema& t = *schema::Catalog::Default().Find("DeviceProcessEvents");
    TableBatch batch(t);
    std::vector<std::string> lines = CommandLines(2000, 7);
    lines[1999] = "rundll32.exe comsvcs.dll MiniDump 624 lsass.dmp full";
    AddCommandLines(batch, lines, 0);
    ASSERT_TRUE(store->Append(batch).ok());
    ASSERT_TRUE(store->Flush().ok());
  }
  // Blocks this small have full filters, so the files are valid version-3 files once the
  // header says so.
  int segments = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir.path())) {
    if (entry.path().extension() == ".vseg") {
      SetSegmentVersion(entry.path(), 3);
      auto info = ReadSegmentInfo(entry.path());
      ASSERT_TRUE(info.ok()) << info.status().ToString();
      ++segments;
    }
  }
  ASSERT_EQ(segments, 1);
  auto store = OpenStore(dir.path(), 500);
  ASSERT_NE(store, nullptr);
  ScanStats stats;
  std::vector<int64_t> ids;
  EXPECT_EQ(CountRows(*store->GetSnapshot(),
                      HintRequest({.kind = PredicateHint::Kind::kHasTerm,
                                   .column = "ProcessCommandLine",
                                   .text = "minidump"}),
                      stats, &ids),
            500u);
  EXPECT_EQ(stats.blocks_skipped_hint, 3u);
  EXPECT_NE(std::find(ids.begin(), ids.end(), 1999), ids.end());
  ScanRequest all{.table = "DeviceProcessEvents", .columns = {"ReportId"}};
  EXPECT_EQ(CountRows(*store->GetSnapshot(), all, stats), 2000u);
}

}  // namespace
}  // namespace vigil::store::internal

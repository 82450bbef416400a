// Robustness of the store's decoders against damaged bytes: every decoder must fail cleanly
// (or decode something) and never read out of bounds. Run under ASan/UBSan in CI.
#include <gtest/gtest.h>

#include <random>

#include "vigil/store/internal/file_util.h"
#include "vigil/store/internal/local_snapshot.h"
#include "vigil/store/internal/segment.h"
#include "vigil/store/internal/wal.h"
#include "vigil/store/store_test_util.h"

namespace vigil::store::internal {
namespace {

using schema::ColumnType;

TEST(StoreCorruptionTest, DamagedWalPayloadsFailCleanly) {
  const auto& catalog = schema::Catalog::Default();
  schema::TableBatch batch(*catalog.Find("DeviceProcessEvents"));
  testing::AddProcessRows(batch, 20, testing::DayStart(2026, 10, 24), 0);
  std::vector<std::shared_ptr<MemChunk>> chunks = {MakeMemChunk(batch.schema(), batch, 0, nullptr)};
  const std::string payload = EncodeWalPayload(chunks);
  auto decoded = DecodeWalPayload(payload, catalog, nullptr);
  ASSERT_TRUE(decoded.ok());
  ASSERT_EQ(decoded->size(), 1u);
  EXPECT_EQ((*decoded)[0]->batch.rows(), 20u);

  std::mt19937 rng(42);
  for (int trial = 0; trial < 2000; ++trial) {
    std::string damaged = payload;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      damaged[rng() % damaged.size()] = static_cast<char>(rng());
    }
    if (trial % 3 == 0) {
      damaged.resize(rng() % damaged.size());
    }
    auto result = DecodeWalPayload(damaged, catalog, nullptr);
    if (result.ok()) {
      for (const auto& chunk : *result) {
        // Whatever decoded must be internally consistent.
        for (size_t c = 0; c < chunk->batch.schema().column_count(); ++c) {
          EXPECT_EQ(chunk->batch.column(c).valid.size(), chunk->batch.rows());
        }
      }
    }
  }
}

TEST(StoreCorruptionTest, DamagedColumnBlocksFailCleanly) {
  std::mt19937 rng(7);
  for (ColumnType type : {ColumnType::kLong, ColumnType::kReal, ColumnType::kString,
                          ColumnType::kDynamic, ColumnType::kBool}) {
    for (int trial = 0; trial < 2000; ++trial) {
      std::string raw(rng() % 64, '\0');
      for (char& c : raw) {
        c = static_cast<char>(rng());
      }
      ColumnVector out;
      const size_t rows = rng() % 40;
      if (DecodeColumnBlock(raw, type, rows, out).ok()) {
        EXPECT_EQ(out.valid.size(), rows);
        for (size_t r = 0; r < rows; ++r) {
          if (out.dict != nullptr && out.valid[r] != 0) {
            EXPECT_LT(out.codes[r], out.dict->size());
            (void)out.GetDynamic(r).ToJson();
          }
        }
      }
    }
  }
}

TEST(StoreCorruptionTest, DamagedSegmentFilesAreRejectedOrReadable) {
  testing::TempDir dir;
  const auto& catalog = schema::Catalog::Default();
  schema::TableBatch batch(*catalog.Find("DeviceProcessEvents"));
  testing::AddProcessRows(batch, 300, testing::DayStart(2026, 10, 24), 0);
  SegmentInfo info;
  info.table = "DeviceProcessEvents";
  info.id = 1;
  const auto path = dir.path() / "seg.vseg";
  ASSERT_TRUE(WriteSegment(path, batch, info, SegmentWriteOptions{.block_rows = 100}).ok());
  auto original = ReadWholeFile(path);
  ASSERT_TRUE(original.ok());
  ASSERT_TRUE(ReadSegmentInfo(path).ok());

  std::mt19937 rng(99);
  int rejected = 0;
  for (int trial = 0; trial < 300; ++trial) {
    std::string damaged = *original;
    damaged[rng() % damaged.size()] ^= static_cast<char>(1 + rng() % 255);
    ASSERT_TRUE(WriteFileDurably(path, damaged).ok());
    auto read = ReadSegmentInfo(path);
    if (!read.ok()) {
      ++rejected;
      EXPECT_NE(read.error().message().find("seg.vseg"), std::string::npos);
      continue;
    }
    // Header, footer and trailer intact: the flipped byte is in a block, so its checksum
    // must catch it.
    schema::TableBatch out(*catalog.Find("DeviceProcessEvents"));
    internal::SegmentHandle handle(path, std::move(*read));
    EXPECT_FALSE(ReadWholeSegment(handle, out).ok()) << "trial " << trial;
  }
  EXPECT_GT(rejected, 0);
}

}  // namespace
}  // namespace vigil::store::internal

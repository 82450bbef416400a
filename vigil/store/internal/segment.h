// Immutable columnar segment files (<dir>/tables/<Table>/<yyyy-mm-dd>/<id>.vseg): writer,
// footer reader and per-column block decoder. Layout in docs/STORE_FORMAT.md. Rows handed to
// the writer are "internal" batches: dynamic columns hold the binary dynamic encoding, not JSON.
// Functions are thread-safe; a SegmentInfo is immutable once read.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "vigil/base/status.h"
#include "vigil/schema/table_batch.h"
#include "vigil/store/internal/encoding.h"
#include "vigil/store/table_source.h"

namespace vigil::store::internal {

// Written by this build. Version 4 added partial term filters (kPartialBloom); readers still
// accept version 3 files.
inline constexpr uint32_t kSegmentFormatVersion = 4;
inline constexpr uint32_t kOldestSegmentFormatVersion = 3;
inline constexpr size_t kSegmentHeaderSize = 24;
inline constexpr size_t kSegmentTrailerSize = 32;

struct BlockColumnMeta {
  uint64_t offset = 0;  // file offset of the stored (possibly compressed) bytes
  uint32_t stored_size = 0;
  uint32_t raw_size = 0;
  uint64_t checksum = 0;  // xxh64 of the stored bytes
  Codec codec = Codec::kNone;
  uint32_t null_count = 0;
  bool has_min_max = false;  // integer-backed and real columns with a non-null value
  int64_t min = 0;           // for real: the double's bit pattern
  int64_t max = 0;
  std::string bloom;  // string/guid/dynamic: TermBloom bytes (empty = no filter)
  // The bloom covers only IsPartialFilterTerm() terms (vigil/store/internal/term_filter.h):
  // other terms are "maybe".
  bool bloom_partial = false;
};

struct BlockMeta {
  uint32_t rows = 0;
  std::vector<BlockColumnMeta> columns;  // one per SegmentInfo::columns
};

struct SegmentInfo {
  std::string table;
  int64_t day = 0;  // days since epoch
  uint64_t id = 0;
  uint64_t wal_high = 0;             // highest WAL file sequence whose rows this segment holds
  std::vector<uint64_t> supersedes;  // ids of segments this one replaced (compaction)
  std::vector<schema::ColumnDef> columns;  // as written (name, type)
  uint64_t rows = 0;
  bool has_time = false;
  int64_t min_time = 0;  // over non-null Timestamp values
  int64_t max_time = 0;
  std::vector<BlockMeta> blocks;
  uint64_t file_bytes = 0;

  int FindColumn(std::string_view name) const;
};

struct SegmentWriteOptions {
  Codec codec = Codec::kZstd;
  int zstd_level = 3;
  size_t block_rows = 16384;
};

// Consecutive rows [begin, end) of one batch.
struct RowRun {
  const schema::TableBatch* batch = nullptr;
  size_t begin = 0;
  size_t end = 0;
};

// One column's part of a RowRun.
struct ColumnPiece {
  const schema::ColumnData* col = nullptr;
  size_t begin = 0;
  size_t end = 0;
};

// Writes the rows of `runs`, in order, as a segment at `path` (every run's batch has the
// layout of `table`); the batches are read, never copied. Otherwise like the overload below.
Result<SegmentInfo> WriteSegment(const std::filesystem::path& path,
                                 const schema::TableSchema& table, std::span<const RowRun> runs,
                                 SegmentInfo info, const SegmentWriteOptions& options);

// Writes `rows` as a segment at `path` (via <path>.tmp, fsync, rename; the caller fsyncs the
// directory). `info` supplies table, day, id, wal_high and supersedes; columns, blocks, row
// counts and sizes are filled in and returned.
Result<SegmentInfo> WriteSegment(const std::filesystem::path& path, const schema::TableBatch& rows,
                                 SegmentInfo info, const SegmentWriteOptions& options);

// Validates header, trailer and footer checksums and returns the footer. Errors name the file
// and offset.
Result<SegmentInfo> ReadSegmentInfo(const std::filesystem::path& path);

// Encodes rows [begin, end) of `col` as one raw (uncompressed) column block and fills `meta`'s
// statistics. For tests and tools: WriteSegment keeps one encoder for all its blocks.
std::string EncodeColumnBlock(const schema::ColumnData& col, size_t begin, size_t end,
                              BlockColumnMeta& meta);

// Decodes one raw (decompressed) column block into `out` (`rows` rows of `type`).
Status DecodeColumnBlock(std::string_view raw, schema::ColumnType type, size_t rows,
                         ColumnVector& out);

}  // namespace vigil::store::internal

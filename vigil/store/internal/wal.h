// Write-ahead log pieces of the store: MemChunk (an acknowledged, not yet flushed batch held in
// memory), its WAL record encoding, and WAL file creation and replay with torn-tail detection.
// Layout in docs/STORE_FORMAT.md. MemChunks are immutable once built and shared between the
// memtable and snapshots; the functions here are thread-safe.
#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "vigil/base/status.h"
#include "vigil/base/time.h"
#include "vigil/schema/catalog.h"
#include "vigil/schema/table_batch.h"
#include "vigil/store/internal/file_util.h"

namespace vigil::store::internal {

inline constexpr uint32_t kWalFormatVersion = 2;
inline constexpr size_t kWalHeaderSize = 32;
inline constexpr size_t kWalRecordHeaderSize = 12;

// DayOf() that is defined for every int64 (DayOf negates its argument, which overflows for
// INT64_MIN; timestamps come from untrusted events).
inline int64_t PartitionDay(int64_t ticks) {
  return DayOf(std::max<int64_t>(ticks, INT64_MIN + kTicksPerDay));
}

// Rows of one table from one Append. Dynamic columns hold the binary dynamic encoding.
struct MemChunk {
  explicit MemChunk(const schema::TableSchema& table) : batch(table) {}

  schema::TableBatch batch;
  int64_t ingest_ticks = 0;  // partition day for rows without a Timestamp
  int64_t min_day = 0;
  int64_t max_day = 0;
  bool has_time = false;  // min/max over non-null Timestamp values
  int64_t min_time = 0;
  int64_t max_time = 0;
  uint64_t wal_bytes = 0;  // this chunk's share of the WAL, for Stats()

  int64_t RowDay(size_t row) const;
};

// Copies `batch` into a chunk: dynamic JSON text becomes the binary encoding (invalid JSON is
// kept as a string value and counted in `invalid_dynamic`), and partition stats are computed.
// `table` is the catalog's schema for the batch's table (same column layout).
std::shared_ptr<MemChunk> MakeMemChunk(const schema::TableSchema& table,
                                       const schema::TableBatch& batch, int64_t ingest_ticks,
                                       uint64_t* invalid_dynamic);
// Recomputes min/max day and time of a chunk built by other means.
void ComputeChunkStats(MemChunk& chunk);

// One WAL record body: the chunks of one Append/AppendAll.
std::string EncodeWalPayload(std::span<const std::shared_ptr<MemChunk>> chunks);
// Decodes a payload; columns are matched by name against `catalog` (missing ones become null).
// Chunks of tables unknown to the catalog are dropped and counted in `dropped_chunks`.
Result<std::vector<std::shared_ptr<MemChunk>>> DecodeWalPayload(std::string_view payload,
                                                                const schema::Catalog& catalog,
                                                                uint64_t* dropped_chunks);

// The framed record (u32 length, u64 xxh64, payload) of `chunks`, built in place in `record`
// (its old content is dropped); returns the payload size.
size_t EncodeWalRecord(std::span<const std::shared_ptr<MemChunk>> chunks, std::string& record);

// Appends the framed record (u32 length, u64 xxh64, payload) to `out`.
void FrameWalRecord(std::string_view payload, std::string& out);

std::filesystem::path WalFilePath(const std::filesystem::path& wal_dir, uint64_t seq);
// Parses "<16 hex digits>.log"; false for other names.
bool ParseWalFileName(const std::string& name, uint64_t& seq);

// Creates a WAL file with its header, fsyncs it and its directory.
Result<File> CreateWalFile(const std::filesystem::path& path, uint64_t seq);

struct WalReadResult {
  std::vector<std::string> payloads;
  bool torn = false;         // a bad or partial record ended the file early
  uint64_t valid_bytes = 0;  // file prefix holding the header and good records
  uint64_t file_bytes = 0;
  std::string torn_reason;
};
// Reads every intact record. A bad header is an error; a bad record ends reading (torn tail).
Result<WalReadResult> ReadWalFile(const std::filesystem::path& path, uint64_t seq);

// Appends the rows of `src` selected by `rows` to `dst` (same schema).
void AppendRows(schema::TableBatch& dst, const schema::TableBatch& src,
                std::span<const uint32_t> rows);

}  // namespace vigil::store::internal

// Store::Impl, shared by the store's sources: store.cpp (the public API, appends and the
// background loop), store_open.cpp (directories, checkpoint, segments and WAL replay on open)
// and store_flush.cpp (flush, compaction, retention and segment writing). Internal.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "vigil/store/internal/block_cache.h"
#include "vigil/store/internal/file_util.h"
#include "vigil/store/internal/local_snapshot.h"
#include "vigil/store/internal/segment.h"
#include "vigil/store/internal/wal.h"
#include "vigil/store/store.h"

namespace vigil::store {

namespace fs = std::filesystem;

namespace internal {

// Largest WAL record one append may write.
inline constexpr size_t kMaxWalRecordBytes = size_t{1} << 30;
// How often the background loop applies retention.
inline constexpr auto kRetentionPeriod = std::chrono::hours(1);

// "2026-10-24" for days since 1970-01-01 (the name of a day's segment directory).
std::string DayDirName(int64_t day);
// The CHECKPOINT file's contents for `wal_seq` (every WAL record up to it is in segments).
std::string EncodeCheckpoint(uint64_t wal_seq);
Result<uint64_t> DecodeCheckpoint(std::string_view data, const fs::path& path);

}  // namespace internal

struct Store::Impl {
  using File = internal::File;
  using MemChunk = internal::MemChunk;
  using SegmentHandle = internal::SegmentHandle;
  struct PendingWrite {
    std::string record;
    std::vector<std::shared_ptr<MemChunk>> chunks;
    Status status;
    bool done = false;
  };
  struct TableState {
    const schema::TableSchema* schema = nullptr;
    std::vector<std::shared_ptr<SegmentHandle>> segments;
    std::vector<std::shared_ptr<const MemChunk>> active;  // in the current WAL files
    std::vector<std::shared_ptr<const MemChunk>> frozen;  // being flushed
  };

  StoreOptions options;
  const schema::Catalog* catalog = nullptr;
  File lock_file;  // flock()ed <dir>/LOCK: one Store per directory at a time
  fs::path wal_dir;
  fs::path tables_dir;
  fs::path checkpoint_path;
  internal::SegmentWriteOptions segment_options;
  std::shared_ptr<internal::BlockCache> block_cache;

  // Guards everything below up to maint_mu. Lock order: maint_mu, then mu.
  mutable std::mutex mu;
  std::condition_variable commit_cv;
  File wal_file;
  fs::path wal_path;
  uint64_t wal_seq = 0;
  bool writing = false;
  std::vector<PendingWrite*> queue;
  Status wal_error;
  bool closed = false;
  std::map<std::string, TableState> tables;
  uint64_t unflushed_rows = 0;
  int64_t retention_cutoff_day = INT64_MIN;
  StoreHealth health;

  // Serializes Flush, Compact and ApplyRetention.
  std::mutex maint_mu;
  std::atomic<uint64_t> next_segment_id{1};
  // Written by Flush (under maint_mu), read by the background loop.
  std::atomic<std::chrono::steady_clock::rep> last_flush{
      std::chrono::steady_clock::now().time_since_epoch().count()};
  std::chrono::steady_clock::time_point last_retention{};  // background thread only

  void MarkFlushed() { last_flush = std::chrono::steady_clock::now().time_since_epoch().count(); }
  std::chrono::steady_clock::duration SinceLastFlush() const {
    return std::chrono::steady_clock::now().time_since_epoch() -
           std::chrono::steady_clock::duration(last_flush.load());
  }

  std::mutex bg_mu;
  std::condition_variable_any bg_cv;
  std::atomic<bool> flush_requested{false};
  std::jthread background;

  TableState& State(const schema::TableSchema& table) {
    TableState& state = tables[table.name()];
    state.schema = &table;
    return state;
  }

  Status OpenDirs();
  Result<uint64_t> ReadCheckpoint();
  Status LoadSegments(uint64_t checkpoint);
  Result<uint64_t> ReplayWal(uint64_t checkpoint);
  Status AppendAll(std::span<const schema::TableBatch* const> batches);
  Status Flush();
  Status Compact();
  Status ApplyRetention(int64_t now_ticks);
  Status WriteSegment(const schema::TableSchema& table, int64_t day,
                      std::span<const internal::RowRun> rows, uint64_t wal_high,
                      std::vector<uint64_t> supersedes, std::shared_ptr<SegmentHandle>& out);
  void RemoveWalFilesUpTo(uint64_t seq);
  void BackgroundLoop(std::stop_token stop);
  void StopBackground();
};

}  // namespace vigil::store

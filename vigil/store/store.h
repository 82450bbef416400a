// Store: Vigil's embedded, append-only, durable columnar event store for the hunting tables.
// Append() is acknowledged once the batch is fsynced in the write-ahead log (concurrent callers
// share one fsync); a background thread flushes the log into immutable per-table, per-day
// segments, compacts small ones and (optionally) applies retention. Readers scan consistent
// snapshots (see table_source.h). All methods are thread-safe. Format: docs/STORE_FORMAT.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "vigil/base/status.h"
#include "vigil/schema/catalog.h"
#include "vigil/schema/table_batch.h"
#include "vigil/store/table_source.h"

namespace vigil::store {

enum class Compression : uint8_t { kZstd, kLz4 };

struct StoreOptions {
  std::filesystem::path dir;          // created when missing
  int retention_days = 30;            // ApplyRetention drops days older than this; <= 0 keeps all
  bool background_flush = true;       // flush + compaction thread
  bool background_retention = false;  // also ApplyRetention(NowTicks()) once an hour
  size_t flush_rows = 200'000;        // background flush once this many rows are unflushed
  std::chrono::milliseconds flush_interval{10'000};  // ... or this long after the last flush
  size_t compact_max_rows = 1'000'000;  // segments below this row count are merged per day
  size_t compact_min_segments = 4;      // ... once a day has this many of them (>= 2)
  size_t block_rows = 16'384;           // rows per column block
  Compression compression = Compression::kZstd;
  int zstd_level = 3;
  // Budget of the cache of decoded column blocks shared by all scans (0 disables it); unset =
  // an eighth of physical memory, at most 4 GiB.
  std::optional<size_t> block_cache_bytes;
};

// The decoded-block cache since Open.
struct BlockCacheStats {
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t inserts = 0;
  uint64_t evictions = 0;
  uint64_t entries = 0;
  uint64_t bytes = 0;     // held now (approximate: payload plus a fixed per-entry overhead)
  uint64_t capacity = 0;  // the budget
};

struct TableStats {
  std::string table;
  uint64_t rows = 0;            // segment rows + unflushed rows
  uint64_t unflushed_rows = 0;  // in the WAL / memory, not yet in segments
  uint64_t segments = 0;
  uint64_t days = 0;                // day partitions with segments
  std::optional<int64_t> min_time;  // over Timestamp (ticks); nullopt without values
  std::optional<int64_t> max_time;
  uint64_t segment_bytes = 0;
  uint64_t wal_bytes = 0;      // this table's share of the WAL
  uint64_t bytes_on_disk = 0;  // segment_bytes + wal_bytes
};

// Degraded-path counters since Open (each is also logged as a WARN when it happens).
struct StoreHealth {
  uint64_t wal_torn_tails = 0;  // WAL files whose unacknowledged tail was truncated
  uint64_t wal_bytes_truncated = 0;
  uint64_t wal_chunks_dropped = 0;      // replayed rows of tables unknown to the catalog
  uint64_t corrupt_segments = 0;        // segment files skipped at open (bad header/footer)
  uint64_t invalid_dynamic_values = 0;  // dynamic cells that were not JSON (kept as strings)
  uint64_t wal_records = 0;             // acknowledged Append/AppendAll calls
  uint64_t wal_syncs = 0;               // fsyncs they needed (fewer than records under concurrency)
  uint64_t flushes = 0;
  uint64_t segments_written = 0;
  uint64_t compactions = 0;
  uint64_t partitions_dropped = 0;
  uint64_t background_errors = 0;
};

class Store final : public TableSource {
 public:
  // Opens (creating when needed) the store in options.dir and replays its WAL. A torn WAL tail
  // (crash mid-write) is truncated with a WARN and counted, never a failure; corrupt segments
  // are reported and skipped. `catalog` must outlive the store.
  static Result<std::unique_ptr<Store>> Open(StoreOptions options, const schema::Catalog& catalog);
  ~Store() override;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Durable (fsynced WAL) when it returns OK. Empty batches are accepted and ignored.
  Status Append(const schema::TableBatch& batch);
  // Several batches (any tables) atomically in one WAL record: after a crash all or none.
  Status AppendAll(std::span<const schema::TableBatch* const> batches);
  // Writes everything acknowledged so far into segments, then retires the WAL it came from.
  Status Flush();
  // Merges the segments smaller than compact_max_rows of each table/day that has at least
  // compact_min_segments of them.
  Status Compact();
  // Drops day partitions older than retention_days before DayOf(now_ticks): day d goes when
  // d < DayOf(now_ticks) - retention_days. Unflushed rows of such days are dropped at flush.
  Status ApplyRetention(int64_t now_ticks);
  // Tables holding any rows, by name.
  std::vector<TableStats> Stats() const;
  StoreHealth Health() const;
  BlockCacheStats CacheStats() const;
  // Flushes, stops background work and closes the WAL. Later calls fail; idempotent.
  Status Close();
  // Simulates a crash for tests: stops background work and closes the WAL without flushing.
  void AbandonForTest();

  const schema::Catalog& catalog() const override;
  // Flushed segments plus rows appended but not yet flushed.
  std::shared_ptr<const Snapshot> GetSnapshot() const override;

  struct Impl;

 private:
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::store

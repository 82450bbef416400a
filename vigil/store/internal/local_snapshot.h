// The local store's Snapshot and ScanCursor: an immutable list of segment files and in-memory
// chunks per table, scanned block by block with time-range and hint pruning. A snapshot keeps
// its segment handles alive, so files that compaction or retention retired are unlinked only
// after the last snapshot using them is gone. Snapshots are thread-safe; cursors are not.
#pragma once

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "vigil/store/internal/block_cache.h"
#include "vigil/store/internal/segment.h"
#include "vigil/store/internal/wal.h"
#include "vigil/store/table_source.h"

namespace vigil::store::internal {

// A live segment file. When marked obsolete it is unlinked on destruction (its day directory
// too, when that becomes empty).
struct SegmentHandle {
  SegmentHandle(std::filesystem::path file_path, SegmentInfo segment_info)
      : path(std::move(file_path)), info(std::move(segment_info)), cache_id(NextCacheId()) {}
  ~SegmentHandle();
  SegmentHandle(const SegmentHandle&) = delete;
  SegmentHandle& operator=(const SegmentHandle&) = delete;

  std::filesystem::path path;
  SegmentInfo info;
  // Names this segment in the BlockCache; never reused within a process.
  const uint64_t cache_id;
  mutable std::atomic<bool> obsolete{false};

 private:
  static uint64_t NextCacheId();
};

struct TableView {
  const schema::TableSchema* schema = nullptr;
  std::vector<std::shared_ptr<const SegmentHandle>> segments;
  std::vector<std::shared_ptr<const MemChunk>> chunks;
};

// Process-wide scan counters (monotonic), for tests and metrics.
struct GlobalScanCounters {
  std::atomic<uint64_t> blocks_read{0};
  std::atomic<uint64_t> blocks_skipped{0};
  std::atomic<uint64_t> blocks_corrupt{0};
};
GlobalScanCounters& ScanCounters();

class LocalSnapshot final : public Snapshot {
 public:
  // `cache` (may be null: no caching) keeps decoded blocks across scans and snapshots.
  LocalSnapshot(const schema::Catalog& catalog, std::map<std::string, TableView> tables,
                std::shared_ptr<BlockCache> cache = nullptr)
      : catalog_(&catalog), tables_(std::move(tables)), cache_(std::move(cache)) {}

  Result<std::unique_ptr<ScanCursor>> Scan(const ScanRequest& request) const override;

 private:
  const schema::Catalog* catalog_;
  std::map<std::string, TableView> tables_;
  std::shared_ptr<BlockCache> cache_;
};

// Decodes every block of `segment` into `out` (the table's current schema; missing columns
// null). Used by compaction. Fails on the first corrupt block.
Status ReadWholeSegment(const SegmentHandle& segment, schema::TableBatch& out);

}  // namespace vigil::store::internal

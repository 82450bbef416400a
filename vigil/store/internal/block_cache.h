// A bounded, process-local cache of decoded column blocks, shared by every scan of one Store.
// Repeated hunts over the same recent data (the common case in an analyst's session and in
// scheduled detections) then skip reading, checksumming, decompressing and decoding blocks
// they have already decoded. Entries are immutable; a hit is copied into the caller's batch
// (the dictionary is shared, not copied). Least recently used entries go first once the byte
// budget is reached. Thread-safe: the cache is split into shards, each with its own lock.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "vigil/base/string_interner.h"
#include "vigil/store/store.h"
#include "vigil/store/table_source.h"

namespace vigil::store::internal {

// One column block of one segment file. `segment` is SegmentHandle::cache_id, unique for the
// life of the process, so a retired segment's entries can never be mistaken for a new one's.
struct BlockKey {
  uint64_t segment = 0;
  uint32_t block = 0;
  uint32_t column = 0;
  bool operator==(const BlockKey&) const = default;
};

// Approximate memory held by a decoded block (vectors, fixed overhead) plus `dict_bytes` for
// its share of the dictionary (all of it when the dictionary is the block's own).
size_t DecodedBlockBytes(const ColumnVector& block, size_t dict_bytes);

// Table-wide value numbers for the dictionaries the cache keeps (Dictionary::value_ids): one
// id space per table column, each a StringInterner under a lock. Numbering stops (dictionaries
// then get no ids) once the spaces hold `max_bytes` in all (text plus kBytesPerValue a value;
// the dictionary that crosses the limit is still numbered), so a column with ever-new values
// cannot grow them without bound. Thread-safe.
class ValueIdSpaces {
 public:
  static constexpr size_t kBytesPerValue = 32;  // the interner's hash, offset and slots

  explicit ValueIdSpaces(size_t max_bytes) : max_bytes_(max_bytes) {}
  // Numbers the values of `dict` (hashes() must be set: XXH3_64bits, seed 0) in the space of
  // `table`.`column` and stores the ids in it; false (nothing stored) past the byte limit.
  bool Number(const std::string& table, const std::string& column, Dictionary& dict);
  // Memory held by all spaces, as counted against the limit.
  size_t bytes() const;

 private:
  struct Space {
    std::mutex mu;
    uint64_t id = 0;
    StringInterner values;
  };
  Space& SpaceFor(const std::string& table, const std::string& column);

  size_t max_bytes_;
  mutable std::mutex mu_;  // guards spaces_ and bytes_
  std::unordered_map<std::string, std::unique_ptr<Space>> spaces_;
  size_t bytes_ = 0;
};

class BlockCache {
 public:
  // capacity_bytes == 0 disables the cache (every Find misses, Insert drops).
  explicit BlockCache(size_t capacity_bytes);
  BlockCache(const BlockCache&) = delete;
  BlockCache& operator=(const BlockCache&) = delete;

  std::shared_ptr<const ColumnVector> Find(const BlockKey& key);
  // Whether `key` is cached, without counting a hit or miss or refreshing its place.
  bool Contains(const BlockKey& key) const;
  // Keeps `block`, accounted as `bytes`, unless that is more than a shard's share of the budget.
  void Insert(const BlockKey& key, std::shared_ptr<const ColumnVector> block, size_t bytes);
  store::BlockCacheStats Stats() const;
  size_t capacity() const { return capacity_; }
  // Value numbers for the dictionaries kept here; they hold at most a sixteenth of the budget.
  ValueIdSpaces& value_ids() { return value_ids_; }

 private:
  struct KeyHash {
    size_t operator()(const BlockKey& key) const;
  };
  struct Entry {
    BlockKey key;
    std::shared_ptr<const ColumnVector> block;
    size_t bytes = 0;
  };
  struct Shard {
    mutable std::mutex mu;
    std::list<Entry> lru;  // front = most recently used
    std::unordered_map<BlockKey, std::list<Entry>::iterator, KeyHash> index;
    size_t bytes = 0;
  };
  static constexpr size_t kShards = 16;

  Shard& ShardFor(const BlockKey& key);
  const Shard& ShardFor(const BlockKey& key) const;

  size_t capacity_;
  size_t shard_capacity_;
  std::vector<Shard> shards_;
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
  std::atomic<uint64_t> inserts_{0};
  std::atomic<uint64_t> evictions_{0};
  ValueIdSpaces value_ids_;
};

// The default budget: an eighth of physical memory, at most 4 GiB (64 MiB when the size of
// memory cannot be read).
size_t DefaultBlockCacheBytes();

}  // namespace vigil::store::internal

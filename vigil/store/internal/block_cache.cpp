#include "vigil/store/internal/block_cache.h"

#include <unistd.h>

#include <algorithm>

namespace vigil::store::internal {

namespace {
// Bookkeeping per entry beyond its payload: list node, index node, ColumnVector, control block.
constexpr size_t kEntryOverhead = 256;
}  // namespace

size_t DecodedBlockBytes(const ColumnVector& block, size_t dict_bytes) {
  return kEntryOverhead + block.valid.capacity() + block.ints.capacity() * sizeof(int64_t) +
         block.reals.capacity() * sizeof(double) + block.codes.capacity() * sizeof(uint32_t) +
         dict_bytes;
}

size_t BlockCache::KeyHash::operator()(const BlockKey& key) const {
  uint64_t h = key.segment * 0x9E3779B97F4A7C15ULL;
  h ^= (static_cast<uint64_t>(key.block) << 32 | key.column) + 0x7F4A7C159E3779B9ULL + (h << 6) +
       (h >> 2);
  return static_cast<size_t>(h ^ (h >> 29));
}

BlockCache::BlockCache(size_t capacity_bytes)
    : capacity_(capacity_bytes),
      shard_capacity_(capacity_bytes / kShards),
      shards_(kShards),
      value_ids_(capacity_bytes / 16) {}

ValueIdSpaces::Space& ValueIdSpaces::SpaceFor(const std::string& table,
                                              const std::string& column) {
  static std::atomic<uint64_t> next_id{1};
  std::lock_guard<std::mutex> lock(mu_);
  std::unique_ptr<Space>& space = spaces_[table + '\0' + column];
  if (!space) {
    space = std::make_unique<Space>();
    space->id = next_id.fetch_add(1, std::memory_order_relaxed);
  }
  return *space;
}

bool ValueIdSpaces::Number(const std::string& table, const std::string& column,
                           Dictionary& dict) {
  if (dict.hashes().size() != dict.size()) {
    return false;
  }
  Space& space = SpaceFor(table, column);
  std::lock_guard<std::mutex> lock(space.mu);
  {
    std::lock_guard<std::mutex> total(mu_);
    if (bytes_ >= max_bytes_) {
      return false;
    }
  }
  const size_t before = space.values.text_bytes() + space.values.size() * kBytesPerValue;
  std::vector<uint32_t> ids(dict.size());
  for (size_t i = 0; i < dict.size(); ++i) {
    ids[i] = space.values.Intern(dict[i], dict.hashes()[i]);
  }
  {
    std::lock_guard<std::mutex> total(mu_);
    bytes_ += space.values.text_bytes() + space.values.size() * kBytesPerValue - before;
  }
  dict.SetValueIds(space.id, std::move(ids));
  return true;
}

size_t ValueIdSpaces::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

BlockCache::Shard& BlockCache::ShardFor(const BlockKey& key) {
  return shards_[KeyHash{}(key) % kShards];
}

const BlockCache::Shard& BlockCache::ShardFor(const BlockKey& key) const {
  return shards_[KeyHash{}(key) % kShards];
}

bool BlockCache::Contains(const BlockKey& key) const {
  if (capacity_ == 0) {
    return false;
  }
  const Shard& shard = ShardFor(key);
  std::lock_guard lock(shard.mu);
  return shard.index.contains(key);
}

std::shared_ptr<const ColumnVector> BlockCache::Find(const BlockKey& key) {
  if (capacity_ == 0) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  Shard& shard = ShardFor(key);
  std::lock_guard lock(shard.mu);
  auto it = shard.index.find(key);
  if (it == shard.index.end()) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
  hits_.fetch_add(1, std::memory_order_relaxed);
  return it->second->block;
}

void BlockCache::Insert(const BlockKey& key, std::shared_ptr<const ColumnVector> block,
                        size_t bytes) {
  if (block == nullptr || bytes > shard_capacity_) {
    return;
  }
  Shard& shard = ShardFor(key);
  std::lock_guard lock(shard.mu);
  if (auto it = shard.index.find(key); it != shard.index.end()) {
    // Another scan decoded the same block at the same time: keep the first, refresh its place.
    shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
    return;
  }
  while (!shard.lru.empty() && shard.bytes + bytes > shard_capacity_) {
    Entry& victim = shard.lru.back();
    shard.bytes -= victim.bytes;
    shard.index.erase(victim.key);
    shard.lru.pop_back();
    evictions_.fetch_add(1, std::memory_order_relaxed);
  }
  shard.lru.push_front(Entry{key, std::move(block), bytes});
  shard.index.emplace(key, shard.lru.begin());
  shard.bytes += bytes;
  inserts_.fetch_add(1, std::memory_order_relaxed);
}

store::BlockCacheStats BlockCache::Stats() const {
  store::BlockCacheStats stats;
  stats.hits = hits_.load(std::memory_order_relaxed);
  stats.misses = misses_.load(std::memory_order_relaxed);
  stats.inserts = inserts_.load(std::memory_order_relaxed);
  stats.evictions = evictions_.load(std::memory_order_relaxed);
  stats.capacity = capacity_;
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mu);
    stats.entries += shard.index.size();
    stats.bytes += shard.bytes;
  }
  return stats;
}

size_t DefaultBlockCacheBytes() {
  constexpr size_t kMax = size_t{4} << 30;
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page_size = ::sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) {
    return size_t{64} << 20;
  }
  const size_t physical = static_cast<size_t>(pages) * static_cast<size_t>(page_size);
  return std::min(kMax, physical / 8);
}

}  // namespace vigil::store::internal

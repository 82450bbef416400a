// ResponseCache: the server's cache of GET answers, for the reads dashboards and scripts repeat
// (incident and alert queues, machines). Only answers the Router marked cacheable are kept,
// keyed by scheme, host, path, query and the Prefer header (links in bodies use scheme and
// host). An entry serves later callers whose role the route admits, until the data changes:
// every mutating request, and every correlation run of `vigil serve`, calls Invalidate(),
// which bumps the generation (an answer computed under an older generation is never stored or
// served); `ttl` bounds what another process's writes can leave stale. ETags (W/"<hash>") let
// clients revalidate with If-None-Match for a 304. Bounded by entry count and bytes.
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "vigil/api/http_types.h"

namespace vigil::api {

struct ResponseCacheOptions {
  std::chrono::milliseconds ttl{1000};  // 0 turns the cache off
  size_t max_entries = 1024;
  size_t max_bytes = size_t{64} << 20;
  size_t max_entry_bytes = size_t{4} << 20;  // larger answers are not kept
};

class ResponseCache {
 public:
  explicit ResponseCache(ResponseCacheOptions options = {}) : options_(options) {}

  // The cache key of a GET request, or nullopt when the request may not use the cache (not a
  // GET, the cache is off, or the client sent Cache-Control: no-cache).
  std::optional<std::string> KeyFor(const ApiRequest& request) const;

  // A cached answer for `key` that a caller with `role` may see, fresh and of the current
  // generation.
  std::optional<ApiResponse> Find(const std::string& key, Role role) const;

  // Keeps a cacheable answer computed while the generation was `generation`.
  void Store(const std::string& key, const ApiResponse& response, uint64_t generation);

  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  void Invalidate();

  size_t entries() const;

 private:
  struct Entry {
    std::shared_ptr<const ApiResponse> response;
    uint64_t generation = 0;
    std::chrono::steady_clock::time_point stored;
  };

  ResponseCacheOptions options_;
  std::atomic<uint64_t> generation_{1};
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // guarded by mu_
  size_t bytes_ = 0;                                // guarded by mu_
};

// A weak ETag over the body (64-bit hash): W/"<16 hex digits>".
std::string WeakEtag(std::string_view body);

// Whether an If-None-Match header value names `etag` (or is "*").
bool EtagMatches(std::string_view if_none_match, std::string_view etag);

}  // namespace vigil::api

// ResponseCache: the server's cache of GET answers, for the reads dashboards and scripts repeat
// (incident and alert queues, machines). Only answers the Router marked cacheable are kept,
// keyed by scheme, host, path, query and the Prefer header (links in bodies use scheme and
// host). An entry serves later callers whose role the route admits, until the data it reads
// changes: each DataArea has a generation; a mutating request invalidates the areas its route
// writes (ingestion: telemetry and alerts; hunting: none), a correlation run of `vigil serve`
// all of them. An answer computed while one of its areas changed is never stored; `ttl` bounds
// what another process's writes can leave stale. ETags (W/"<hash>") let clients revalidate
// with If-None-Match for a 304. Bounded by entry count and bytes. Thread-safe.
#pragma once

#include <array>
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

  using Generations = std::array<uint64_t, kDataAreaBits>;

  // A cached answer for `key` that a caller with `role` may see, fresh and with none of its
  // data areas changed since it was stored.
  std::optional<ApiResponse> Find(const std::string& key, Role role) const;

  // The generations now: take them before computing an answer and pass them to Store.
  Generations Snapshot() const;
  // Keeps a cacheable answer computed from the data as of `before`.
  void Store(const std::string& key, const ApiResponse& response, const Generations& before);

  // The data of `areas` (DataArea bits) changed.
  void Invalidate(uint32_t areas = kAreaAll);

  size_t entries() const;

 private:
  struct Entry {
    std::shared_ptr<const ApiResponse> response;
    Generations generations{};
    std::chrono::steady_clock::time_point stored;
  };
  // Whether no area of `reads` moved from `then` (under mu_).
  bool Unchanged(uint32_t reads, const Generations& then) const;

  ResponseCacheOptions options_;
  mutable std::mutex mu_;
  Generations generations_{};                       // guarded by mu_
  std::unordered_map<std::string, Entry> entries_;  // guarded by mu_
  size_t bytes_ = 0;                                // guarded by mu_
};

// A weak ETag over the body (64-bit hash): W/"<16 hex digits>".
std::string WeakEtag(std::string_view body);

// Whether an If-None-Match header value names `etag` (or is "*").
bool EtagMatches(std::string_view if_none_match, std::string_view etag);

}  // namespace vigil::api

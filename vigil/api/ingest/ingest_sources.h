// IngestSources: per-source counters of the ingestion endpoint. Each caller of POST /api/ingest
// is counted under its source: the source bound to an ingest-role credential (`vigil apps key
// NAME --role ingest [--source S]`), else the caller's name. GET /api/ingest/sources lists
// requests, accepted and skipped rows, refusals and first/last seen per source since the server
// started (in memory; a restart starts from zero). Thread-safe; at most kMaxSources sources
// (further ones are counted under "(other)").
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace vigil::api {

struct SourceCounters {
  std::string source;
  uint64_t requests = 0;
  uint64_t accepted = 0;  // rows stored
  uint64_t skipped = 0;   // lines skipped as invalid
  uint64_t refused = 0;   // requests answered 4xx/5xx (nothing stored)
  int64_t first_seen_us = 0;  // unix microseconds
  int64_t last_seen_us = 0;
};

class IngestSources {
 public:
  static constexpr size_t kMaxSources = 10000;

  void Record(const std::string& source, uint64_t accepted, uint64_t skipped, bool refused,
              int64_t now_us);
  std::vector<SourceCounters> Snapshot() const;  // by source name

 private:
  mutable std::mutex mu_;
  std::map<std::string, SourceCounters> sources_;  // guarded by mu_
};

}  // namespace vigil::api

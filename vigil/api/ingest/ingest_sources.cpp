#include "vigil/api/ingest/ingest_sources.h"

namespace vigil::api {

void IngestSources::Record(const std::string& source, uint64_t accepted, uint64_t skipped,
                           bool refused, int64_t now_us) {
  std::lock_guard lock(mu_);
  auto it = sources_.find(source);
  if (it == sources_.end()) {
    const std::string key = sources_.size() >= kMaxSources ? "(other)" : source;
    it = sources_.try_emplace(key).first;
    if (it->second.source.empty()) {
      it->second.source = key;
      it->second.first_seen_us = now_us;
    }
  }
  SourceCounters& c = it->second;
  ++c.requests;
  c.accepted += accepted;
  c.skipped += skipped;
  c.refused += refused ? 1 : 0;
  c.last_seen_us = now_us;
}

std::vector<SourceCounters> IngestSources::Snapshot() const {
  std::lock_guard lock(mu_);
  std::vector<SourceCounters> out;
  out.reserve(sources_.size());
  for (const auto& [name, counters] : sources_) {
    out.push_back(counters);
  }
  return out;
}

}  // namespace vigil::api

#include "vigil/api/hunting/hunting_quota.h"

#include <algorithm>
#include <cmath>

namespace vigil::api {

HuntingQuota::HuntingQuota(HuntingQuotaOptions options) : options_(std::move(options)) {}

std::chrono::steady_clock::time_point HuntingQuota::Now() const {
  return options_.clock ? options_.clock() : std::chrono::steady_clock::now();
}

HuntingQuota::Bucket& HuntingQuota::Refill(const std::string& principal_id,
                                           std::chrono::steady_clock::time_point now) {
  auto [it, inserted] = buckets_.try_emplace(principal_id);
  Bucket& b = it->second;
  if (inserted) {
    b.calls = options_.calls_per_minute;
    b.cpu = options_.cpu_seconds_per_hour;
    b.updated = now;
    return b;
  }
  const double elapsed = std::max(0.0, std::chrono::duration<double>(now - b.updated).count());
  b.updated = std::max(b.updated, now);
  if (options_.calls_per_minute > 0) {
    b.calls = std::min(options_.calls_per_minute,
                       b.calls + elapsed * options_.calls_per_minute / 60.0);
  }
  if (options_.cpu_seconds_per_hour > 0) {
    b.cpu = std::min(options_.cpu_seconds_per_hour,
                     b.cpu + elapsed * options_.cpu_seconds_per_hour / 3600.0);
  }
  return b;
}

void HuntingQuota::EvictFull() {
  if (buckets_.size() <= options_.max_principals) {
    return;
  }
  const auto now = Now();
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    Bucket& b = it->second;
    const double elapsed = std::chrono::duration<double>(now - b.updated).count();
    const bool calls_full = options_.calls_per_minute <= 0 ||
                            b.calls + elapsed * options_.calls_per_minute / 60.0 >=
                                options_.calls_per_minute;
    const bool cpu_full = options_.cpu_seconds_per_hour <= 0 ||
                          b.cpu + elapsed * options_.cpu_seconds_per_hour / 3600.0 >=
                              options_.cpu_seconds_per_hour;
    // A full bucket is the same as a fresh one: dropping it forgets nothing.
    it = (calls_full && cpu_full) ? buckets_.erase(it) : std::next(it);
  }
  if (buckets_.size() > options_.max_principals) {
    // Still over: drop the least recently used ones (a caller spraying ids gains nothing but
    // fresh buckets, which the call quota of its real id does not share anyway).
    while (buckets_.size() > options_.max_principals) {
      auto oldest = std::min_element(buckets_.begin(), buckets_.end(), [](const auto& a,
                                                                          const auto& b) {
        return a.second.updated < b.second.updated;
      });
      buckets_.erase(oldest);
    }
  }
}

QuotaDecision HuntingQuota::Acquire(const std::string& principal_id) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto now = Now();
  Bucket& b = Refill(principal_id, now);
  QuotaDecision d;
  if (options_.cpu_seconds_per_hour > 0 && b.cpu <= 0) {
    d.allowed = false;
    d.limit = "query CPU seconds per hour";
    const double rate = options_.cpu_seconds_per_hour / 3600.0;
    d.retry_after_seconds = std::max(1, static_cast<int>(std::ceil((1e-3 - b.cpu) / rate)));
    return d;
  }
  if (options_.calls_per_minute > 0 && b.calls < 1.0) {
    d.allowed = false;
    d.limit = "calls per minute";
    const double rate = options_.calls_per_minute / 60.0;
    d.retry_after_seconds = std::max(1, static_cast<int>(std::ceil((1.0 - b.calls) / rate)));
    return d;
  }
  if (options_.calls_per_minute > 0) {
    b.calls -= 1.0;
  }
  EvictFull();
  return d;
}

void HuntingQuota::Charge(const std::string& principal_id, double cpu_seconds) {
  if (options_.cpu_seconds_per_hour <= 0) {
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  Bucket& b = Refill(principal_id, Now());
  b.cpu -= std::max(0.0, cpu_seconds);
}

}  // namespace vigil::api

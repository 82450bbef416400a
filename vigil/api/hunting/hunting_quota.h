// Per-caller quota of the hunting API: two token buckets per principal id, one for calls (e.g.
// 45 a minute) and one for query seconds (e.g. 600 an hour). A refused call gets the seconds to
// wait for Retry-After. Used by the hunting routes; thread-safe (one mutex), bounded memory.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace vigil::api {

struct HuntingQuotaOptions {
  double calls_per_minute = 45;        // bucket size and refill; <= 0 disables the call quota
  double cpu_seconds_per_hour = 600;   // bucket size and refill; <= 0 disables the CPU quota
  size_t max_principals = 10'000;      // buckets kept; full (idle) ones are dropped beyond it
  // Clock for refills; null: std::chrono::steady_clock::now.
  std::function<std::chrono::steady_clock::time_point()> clock;
};

struct QuotaDecision {
  bool allowed = true;
  int retry_after_seconds = 0;  // when refused: whole seconds until the call could pass
  std::string limit;            // when refused: which limit ("calls per minute", ...)
};

class HuntingQuota {
 public:
  explicit HuntingQuota(HuntingQuotaOptions options);

  // Takes one call token when the caller has one and its CPU bucket is not empty.
  QuotaDecision Acquire(const std::string& principal_id);
  // Debits the seconds a query used (the bucket may go below zero; later calls wait for it).
  void Charge(const std::string& principal_id, double cpu_seconds);

 private:
  struct Bucket {
    double calls = 0;
    double cpu = 0;
    std::chrono::steady_clock::time_point updated;
  };
  std::chrono::steady_clock::time_point Now() const;
  Bucket& Refill(const std::string& principal_id, std::chrono::steady_clock::time_point now);
  void EvictFull();

  HuntingQuotaOptions options_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace vigil::api

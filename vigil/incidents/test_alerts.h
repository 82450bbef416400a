// Test helpers for the incidents tests: alert records with evidence, temp directories, a fake
// clock. Header-only, used by vigil/incidents/*_test.cpp only. Not thread-safe.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "vigil/detect/alert.h"
#include "vigil/detect/alerts/alert_store.h"
#include "vigil/detect/alerts/evidence.h"

namespace vigil::incidents::testing {

inline constexpr int64_t kT0 = 1'767'225'600'000'000;  // 2026-01-01T00:00:00Z
inline constexpr int64_t kMinute = 60'000'000;
inline constexpr int64_t kHour = 60 * kMinute;

inline std::string FreshDir(const std::string& name) {
  const std::string dir = ::testing::TempDir() + "/incidents_" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline detect::Evidence Machine(const std::string& id, const std::string& name) {
  detect::Evidence e;
  e.entity_type = "Machine";
  e.evidence_role = "Impacted";
  e.device_id = id;
  e.device_name = name;
  return e;
}

inline detect::Evidence User(const std::string& name, const std::string& domain,
                             const std::string& sid = "", const std::string& upn = "") {
  detect::Evidence e;
  e.entity_type = "User";
  e.evidence_role = "Impacted";
  e.account_name = name;
  e.account_domain = domain;
  e.account_sid = sid;
  e.account_upn = upn;
  return e;
}

inline detect::Evidence Ip(const std::string& ip) {
  detect::Evidence e;
  e.entity_type = "Ip";
  e.remote_ip = ip;
  return e;
}

inline detect::Evidence FileHash(const std::string& name, const std::string& sha256) {
  detect::Evidence e;
  e.entity_type = "File";
  e.file_name = name;
  e.sha256 = sha256;
  return e;
}

inline detect::alerts::AlertRecord Alert(const std::string& id, int64_t time_us,
                                         const std::vector<detect::Evidence>& evidence,
                                         const std::string& category = "Execution",
                                         detect::Severity severity = detect::Severity::kMedium) {
  detect::alerts::AlertRecord r;
  r.id = id;
  r.title = "Alert " + id;
  r.category = category;
  r.severity = severity;
  r.service_source = "Microsoft Defender for Endpoint";
  r.detection_source = "Sigma";
  r.source_table = "DeviceProcessEvents";
  r.first_activity_us = time_us;
  r.last_activity_us = time_us;
  r.event_count = 1;
  r.evidence_json = detect::alerts::EvidenceToJson(evidence);
  return r;
}

// A clock tests move by hand.
struct FakeClock {
  int64_t now = kT0;
  std::function<int64_t()> Fn() {
    return [this] { return now; };
  }
};

}  // namespace vigil::incidents::testing

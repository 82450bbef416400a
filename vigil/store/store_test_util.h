// Helpers for the store's tests and benchmark: temp directories and DeviceProcessEvents-like
// rows with realistic repetition. Test-only; not thread-safe.
#pragma once

#include <fmt/format.h>
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>

#include "vigil/base/time.h"
#include "vigil/schema/catalog.h"
#include "vigil/schema/table_batch.h"

namespace vigil::store::testing {

// A fresh directory under $TMPDIR (or /tmp), removed by the destructor.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern =
        std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/vigil_store_XXXXXX";
    path_ = ::mkdtemp(pattern.data()) != nullptr ? pattern : std::string("/tmp/vigil_store");
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline int64_t DayStart(int year, unsigned month, unsigned day) {
  return DaysFromCivil(year, month, day) * kTicksPerDay;
}

// Appends `rows` DeviceProcessEvents rows starting at `start_ticks`, one second apart; ReportId
// is `first_report_id + i`. Values repeat the way endpoint telemetry does (few hosts, few
// binaries, many distinct command lines and process ids).
inline void AddProcessRows(schema::TableBatch& batch, size_t rows, int64_t start_ticks,
                           int64_t first_report_id, uint32_t seed = 1) {
  const schema::TableSchema& t = batch.schema();
  std::mt19937 rng(seed);
  static const char* kImages[] = {"cmd.exe",      "powershell.exe", "svchost.exe", "chrome.exe",
                                  "rundll32.exe", "explorer.exe",   "conhost.exe", "msedge.exe"};
  static const char* kUsers[] = {"alice", "bob", "SYSTEM", "svc_backup", "carol"};
  auto col = [&](const char* name) { return static_cast<size_t>(t.FindColumn(name)); };
  const size_t ts = col("Timestamp");
  const size_t device_id = col("DeviceId");
  const size_t device_name = col("DeviceName");
  const size_t action = col("ActionType");
  const size_t file_name = col("FileName");
  const size_t folder = col("FolderPath");
  const size_t sha256 = col("SHA256");
  const size_t pid = col("ProcessId");
  const size_t cmd = col("ProcessCommandLine");
  const size_t account = col("AccountName");
  const size_t domain = col("AccountDomain");
  const size_t init_name = col("InitiatingProcessFileName");
  const size_t init_pid = col("InitiatingProcessId");
  const size_t creation = col("ProcessCreationTime");
  const size_t report = col("ReportId");
  const size_t integrity = col("ProcessIntegrityLevel");
  const size_t remote = col("IsProcessRemoteSession");
  const size_t file_size = col("FileSize");
  for (size_t i = 0; i < rows; ++i) {
    batch.BeginRow();
    const int64_t when = start_ticks + static_cast<int64_t>(i) * kTicksPerSecond;
    const uint32_t host = rng() % 20;
    const uint32_t image = rng() % 8;
    batch.SetInt(ts, when);
    batch.SetBytes(device_id, fmt::format("{:040x}", host * 7919u + 13u));
    batch.SetBytes(device_name, fmt::format("ws-{:03}.corp.example.com", host));
    batch.SetBytes(action, "ProcessCreated");
    batch.SetBytes(file_name, kImages[image]);
    batch.SetBytes(folder, fmt::format("C:\\Windows\\System32\\{}", kImages[image]));
    batch.SetBytes(sha256, fmt::format("{:064x}", image * 104729u + 7u));
    batch.SetInt(pid, 1000 + rng() % 60000);
    batch.SetBytes(cmd, fmt::format("{} /c echo {} --id {}", kImages[image], rng() % 5000, i));
    batch.SetBytes(account, kUsers[rng() % 5]);
    batch.SetBytes(domain, "CORP");
    batch.SetBytes(init_name, kImages[(image + 1) % 8]);
    batch.SetInt(init_pid, 1000 + rng() % 60000);
    batch.SetInt(creation, when - 5 * kTicksPerMillisecond);
    batch.SetInt(report, first_report_id + static_cast<int64_t>(i));
    batch.SetBytes(integrity, (rng() % 4) == 0 ? "High" : "Medium");
    batch.SetBool(remote, (rng() % 10) == 0);
    if (rng() % 3 != 0) {
      batch.SetInt(file_size, 10000 + (image * 1000));
    }
  }
}

}  // namespace vigil::store::testing

// The hunting benchmark's data: a seeded, realistic DeviceProcessEvents table (Zipf file names,
// thousands of devices, tens of thousands of accounts, rare mimikatz lines) and a 1,000-row
// indicator table, written into a Vigil store and as CSV for the DuckDB comparison. Used by
// vigil_hunt_bench.cpp only. Single-threaded.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace vigil::bench {

// Bump when the generator changes so cached data is rebuilt.
constexpr int kGeneratorVersion = 1;
constexpr const char* kNow = "2026-11-01T00:00:00Z";
constexpr size_t kDevices = 5'000;
constexpr size_t kAccounts = 20'000;
constexpr size_t kFiles = 2'000;
constexpr size_t kIndicators = 1'000;
constexpr size_t kQ6Device = 42;

struct FileInfo {
  std::string name;
  std::string folder;               // with trailing backslash
  std::vector<std::string> sha256;  // variants
};

// The fixed universe the rows draw from.
struct Universe {
  std::vector<std::string> device_ids;
  std::vector<std::string> device_names;
  std::vector<FileInfo> files;  // by Zipf rank
  std::vector<double> file_cdf;
  std::vector<std::string> indicators;
};

Universe MakeUniverse();

// What a work directory holds (meta.txt): row count and generator version.
struct Meta {
  size_t rows = 0;
  int version = 0;
};
Meta ReadMeta(const std::filesystem::path& path);

// Writes WORK/store (Vigil), WORK/process_events.csv, WORK/indicators.csv and WORK/meta.txt.
void Generate(const Universe& u, size_t rows, const std::filesystem::path& work);

// Prints the message and exits with status 1.
[[noreturn]] void Die(const std::string& what);

}  // namespace vigil::bench

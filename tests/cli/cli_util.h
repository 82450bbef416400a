// Shared helpers of the CLI end-to-end tests: run the `vigil` binary, read `vigil tables`, and
// a fixture with a temp directory and data directory per test.
#pragma once

#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <regex>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace vigil::cli_test {

namespace fs = std::filesystem;

struct Output {
  int exit_code = -1;
  std::string text;  // stdout and stderr together
};

inline Output RunVigil(const std::string& args) {
  const std::string command = std::string(VIGIL_BINARY) + " " + args + " 2>&1";
  Output out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    return out;
  }
  char buffer[4096];
  size_t n = 0;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
    out.text.append(buffer, n);
  }
  const int status = pclose(pipe);
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

// Rows per table from `vigil tables` output.
inline std::map<std::string, uint64_t> TableRows(const std::string& data_dir) {
  const Output out = RunVigil("--data " + data_dir + " tables");
  std::map<std::string, uint64_t> rows;
  std::istringstream lines(out.text);
  std::string line;
  const std::regex row_re(R"(^(\w+)\s+([\d,]+)\s)");
  while (std::getline(lines, line)) {
    std::smatch m;
    if (std::regex_search(line, m, row_re) && m[1] != "Total") {
      std::string digits = m[2];
      digits.erase(std::remove(digits.begin(), digits.end(), ','), digits.end());
      rows[m[1]] = std::stoull(digits);
    }
  }
  return rows;
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("vigil-cli-" + std::to_string(rd()));
    fs::create_directories(dir_);
    data_ = (dir_ / "data").string();
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const fs::path& path, const std::string& content) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << content;
  }
  fs::path dir_;
  std::string data_;
};

inline const char* kSysmonLine =
    R"({"Hostname":"ws1.contoso.local","Channel":"Microsoft-Windows-Sysmon/Operational","EventID":1,)"
    R"("SourceName":"Microsoft-Windows-Sysmon","TimeCreated":"2026-11-20 10:00:00.000",)"
    R"("Image":"C:\\Windows\\System32\\cmd.exe","CommandLine":"cmd.exe /c whoami",)"
    R"("ParentImage":"C:\\Windows\\explorer.exe","ProcessId":"4242","User":"CONTOSO\\jdoe"})";

}  // namespace vigil::cli_test

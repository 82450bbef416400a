// Sigma golden suite: one test per tests/sigma/<case>/ folder (rule.yml, events.jsonl,
// expected_alerts.jsonl, optional placeholders.yml; format in tests/sigma/README.md). Cases
// listed in tests/sigma/KNOWN_FAILURES.md are skipped with their reason. VIGIL_GOLDEN_UPDATE=1
// rewrites expected_alerts.jsonl of the other cases (review every rewritten file by hand).

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/sigma/sigma_case.h"
#include "tests/support/shared_data.h"

namespace vigil::detect::testing {
namespace {

namespace fs = std::filesystem;

fs::path SuiteRoot() { return vigil::testing::SourceDir() / "tests" / "sigma"; }

std::vector<std::string> CaseNames() {
  std::vector<std::string> names;
  const fs::path root = SuiteRoot();
  if (!fs::is_directory(root)) {
    return names;
  }
  for (const auto& entry : fs::directory_iterator(root)) {
    if (entry.is_directory() && fs::exists(entry.path() / "rule.yml")) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

// KNOWN_FAILURES.md lines "- `case`: reason" -> case -> reason.
std::map<std::string, std::string> KnownFailures() {
  std::map<std::string, std::string> known;
  std::ifstream in(SuiteRoot() / "KNOWN_FAILURES.md");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("- `", 0) != 0) {
      continue;
    }
    const size_t end = line.find('`', 3);
    if (end == std::string::npos) {
      continue;
    }
    std::string reason = line.substr(end + 1);
    const size_t start = reason.find_first_not_of(": ");
    known[line.substr(3, end - 3)] = start == std::string::npos ? "" : reason.substr(start);
  }
  return known;
}

std::vector<std::string> ReadLines(const fs::path& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    if (!line.empty()) {
      lines.push_back(line);
    }
  }
  return lines;
}

// Line diff (longest common subsequence): "-" expected only, "+" actual only.
std::string Diff(const std::vector<std::string>& expected, const std::vector<std::string>& actual) {
  const size_t n = expected.size();
  const size_t m = actual.size();
  std::vector<std::vector<uint32_t>> lcs(n + 1, std::vector<uint32_t>(m + 1, 0));
  for (size_t i = n; i-- > 0;) {
    for (size_t j = m; j-- > 0;) {
      lcs[i][j] =
          expected[i] == actual[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  std::ostringstream out;
  size_t i = 0;
  size_t j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && expected[i] == actual[j]) {
      out << "  " << expected[i] << "\n";
      ++i;
      ++j;
    } else if (j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j])) {
      out << "+ " << actual[j++] << "\n";
    } else {
      out << "- " << expected[i++] << "\n";
    }
  }
  return out.str();
}

class SigmaGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(SigmaGolden, Matches) {
  const std::string& name = GetParam();
  const auto known = KnownFailures();
  if (auto it = known.find(name); it != known.end()) {
    GTEST_SKIP() << "known failure (tests/sigma/KNOWN_FAILURES.md): " << it->second;
  }
  const fs::path dir = SuiteRoot() / name;
  const CaseOutput output = RunSigmaCase(dir);
  ASSERT_EQ(output.error, "") << name;
  const fs::path expected_path = dir / "expected_alerts.jsonl";
  const char* update = std::getenv("VIGIL_GOLDEN_UPDATE");
  if (update != nullptr && std::string_view(update) == "1") {
    std::vector<std::string> old = ReadLines(expected_path);
    if (old != output.lines) {
      std::ofstream out(expected_path, std::ios::trunc);
      for (const std::string& line : output.lines) {
        out << line << "\n";
      }
      GTEST_SKIP() << "updated " << expected_path << "; review it against the Sigma spec";
    }
    return;
  }
  ASSERT_TRUE(fs::exists(expected_path))
      << expected_path << " missing; run with VIGIL_GOLDEN_UPDATE=1 and review it";
  const std::vector<std::string> expected = ReadLines(expected_path);
  if (expected != output.lines) {
    ADD_FAILURE() << "golden mismatch for " << name << " (- expected, + actual):\n"
                  << Diff(expected, output.lines);
  }
}

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0) {
      c = '_';
    }
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Cases, SigmaGolden, ::testing::ValuesIn(CaseNames()), TestName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SigmaGolden);

// The suite must find its cases (a path mistake would otherwise pass with zero tests).
TEST(SigmaGoldenSuite, HasCases) {
  EXPECT_GE(CaseNames().size(), 30u) << "expected the Sigma golden cases under " << SuiteRoot();
  for (const auto& [name, reason] : KnownFailures()) {
    EXPECT_TRUE(fs::is_directory(SuiteRoot() / name))
        << "KNOWN_FAILURES.md lists '" << name << "', which is not a case folder";
    EXPECT_FALSE(reason.empty()) << "KNOWN_FAILURES.md: '" << name << "' has no reason";
  }
}

}  // namespace
}  // namespace vigil::detect::testing

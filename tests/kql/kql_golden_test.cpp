// One test per tests/kql/**/*.test golden file.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "tests/kql/golden_file.h"
#include "tests/support/shared_data.h"

namespace vigil::kql::testing {
namespace {

std::filesystem::path SuiteRoot() { return vigil::testing::SourceDir() / "tests" / "kql"; }

std::vector<std::string> GoldenFiles() {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(SuiteRoot())) {
    if (entry.is_regular_file() && entry.path().extension() == ".test") {
      out.push_back(std::filesystem::relative(entry.path(), SuiteRoot()).string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

class KqlGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(KqlGolden, Matches) {
  const auto path = SuiteRoot() / GetParam();
  GoldenOutcome outcome = RunGoldenFile(path, SuiteRoot());
  EXPECT_GT(outcome.blocks, 0) << "no test blocks in " << path;
  const char* update = std::getenv("VIGIL_GOLDEN_UPDATE");
  if (update != nullptr && std::string(update) == "1" && !outcome.failures.empty()) {
    std::ofstream(path) << outcome.updated_text;
    GTEST_SKIP() << "updated " << path;
  }
  for (const auto& f : outcome.failures) {
    ADD_FAILURE() << GetParam() << ": " << f;
  }
}

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (auto& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      c = '_';
    }
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Files, KqlGolden, ::testing::ValuesIn(GoldenFiles()), TestName);

}  // namespace
}  // namespace vigil::kql::testing

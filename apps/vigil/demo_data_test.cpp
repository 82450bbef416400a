#include "apps/vigil/demo_data.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "vigil/base/time.h"

namespace vigil::app {
namespace {

std::string Slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(DemoDataTest, DeterministicForSameEndTimeAndSeed) {
  const auto dir = std::filesystem::temp_directory_path() / "vigil-demo-test";
  const int64_t end = *ParseDateTime("2026-11-23T12:00:00Z");
  auto first = WriteDemoData(dir / "a", end);
  auto second = WriteDemoData(dir / "b", end);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(Slurp(first->sysmon_jsonl), Slurp(second->sysmon_jsonl));
  EXPECT_EQ(Slurp(first->security_xml), Slurp(second->security_xml));
  EXPECT_GT(first->events, 1000u);
  // The attack story is in it: the encoded PowerShell, the LSASS dump and the backdoor account.
  const std::string sysmon = Slurp(first->sysmon_jsonl);
  EXPECT_NE(sysmon.find("-enc "), std::string::npos);
  EXPECT_NE(sysmon.find("comsvcs.dll, MiniDump"), std::string::npos);
  EXPECT_NE(Slurp(first->security_xml).find("helpdesk_tmp"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vigil::app

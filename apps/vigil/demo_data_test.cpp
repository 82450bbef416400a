#include "apps/vigil/demo_data.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "vigil/base/time.h"
#include "vigil/schema/catalog.h"

namespace vigil::app {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class DemoDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("vigil-demo-test-" + std::to_string(rd()));
    options_.days = 4;
    options_.devices = 7;
    options_.end_ticks = *ParseDateTime("2026-11-23T12:00:00Z");
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Table(const DemoFiles& files, std::string_view table) {
    for (const auto& t : files.tables) {
      if (t.table == table) {
        return Slurp(t.path);
      }
    }
    return {};
  }
  fs::path dir_;
  DemoOptions options_;
};

TEST_F(DemoDataTest, DeterministicForSameSeedAndEndTime) {
  auto first = WriteDemoData(dir_ / "a", options_);
  auto second = WriteDemoData(dir_ / "b", options_);
  options_.seed = 7;
  auto other = WriteDemoData(dir_ / "c", options_);
  ASSERT_TRUE(first.ok()) << first.status().message();
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(Slurp(first->sysmon_jsonl), Slurp(second->sysmon_jsonl));
  EXPECT_EQ(Slurp(first->security_xml), Slurp(second->security_xml));
  ASSERT_EQ(first->tables.size(), second->tables.size());
  for (size_t i = 0; i < first->tables.size(); ++i) {
    EXPECT_EQ(Slurp(first->tables[i].path), Slurp(second->tables[i].path))
        << first->tables[i].table;
  }
  EXPECT_EQ(first->events, second->events);
  EXPECT_NE(Slurp(first->sysmon_jsonl), Slurp(other->sysmon_jsonl));
  EXPECT_GT(first->events, 2000u);
}

TEST_F(DemoDataTest, EveryTableRowColumnIsInTheSchema) {
  auto files = WriteDemoData(dir_, options_);
  ASSERT_TRUE(files.ok()) << files.status().message();
  simdjson::dom::parser parser;
  size_t rows = 0;
  for (const auto& t : files->tables) {
    const schema::TableSchema* table = schema::Catalog::Default().Find(t.table);
    ASSERT_NE(table, nullptr) << t.table;
    std::ifstream in(t.path);
    std::string line;
    while (std::getline(in, line)) {
      simdjson::dom::object object;
      ASSERT_EQ(parser.parse(line).get(object), simdjson::SUCCESS) << line;
      for (auto field : object) {
        EXPECT_GE(table->FindColumn(field.key), 0) << t.table << "." << field.key;
      }
      ++rows;
    }
  }
  EXPECT_GT(rows, 1000u);
}

TEST_F(DemoDataTest, AttackStagesArePresent) {
  auto files = WriteDemoData(dir_, options_);
  ASSERT_TRUE(files.ok()) << files.status().message();
  using F = DemoAttackFacts;
  const std::string attachments = Table(*files, "EmailAttachmentInfo");
  EXPECT_NE(attachments.find(std::string(F::kAttachmentSha256)), std::string::npos);
  EXPECT_NE(attachments.find("\"ThreatTypes\":\"Malware\""), std::string::npos);
  EXPECT_NE(Table(*files, "EmailUrlInfo").find(std::string(F::kPhishUrl)), std::string::npos);
  const std::string clicks = Table(*files, "UrlClickEvents");
  EXPECT_NE(clicks.find("\"ThreatTypes\":\"Phish\""), std::string::npos);
  const std::string sysmon = Slurp(files->sysmon_jsonl);
  EXPECT_NE(sysmon.find("WINWORD.EXE"), std::string::npos);
  EXPECT_NE(sysmon.find(" -enc "), std::string::npos);
  EXPECT_NE(sysmon.find("comsvcs.dll, MiniDump"), std::string::npos);
  EXPECT_NE(sysmon.find("sekurlsa::logonpasswords"), std::string::npos);
  const std::string security = Slurp(files->security_xml);
  EXPECT_NE(security.find("<Data Name='TicketEncryptionType'>0x17</Data>"), std::string::npos);
  EXPECT_NE(security.find("PSEXESVC"), std::string::npos);
  const std::string cloud = Table(*files, "CloudAppEvents");
  EXPECT_NE(cloud.find(std::string(F::kAttackerCloudIp)), std::string::npos);
  size_t downloads = 0;
  for (size_t pos = cloud.find(std::string(F::kAttackerCloudIp)); pos != std::string::npos;
       pos = cloud.find(std::string(F::kAttackerCloudIp), pos + 1)) {
    ++downloads;
  }
  EXPECT_GT(downloads, 300u);
  // Identities: every account of the attack is in IdentityInfo with its SID and UPN.
  const std::string identities = Table(*files, "IdentityInfo");
  for (std::string_view fact : {F::kVictimSid, F::kVictimUpn, F::kVictimObjectId, F::kAdminSid,
                                F::kAdminUpn, F::kAdminObjectId}) {
    EXPECT_NE(identities.find(std::string(fact)), std::string::npos) << fact;
  }
  const std::string devices = Table(*files, "DeviceInfo");
  EXPECT_NE(devices.find("\"MachineGroup\":\"Domain Controllers\""), std::string::npos);
  EXPECT_NE(devices.find(std::string(F::kVictimDevice)), std::string::npos);
  EXPECT_NE(devices.find(std::string(F::kLateralDevice)), std::string::npos);
}

TEST_F(DemoDataTest, RejectsOutOfRangeOptions) {
  options_.days = 2;
  EXPECT_FALSE(WriteDemoData(dir_, options_).ok());
  options_.days = 5;
  options_.devices = 4;
  EXPECT_FALSE(WriteDemoData(dir_, options_).ok());
}

}  // namespace
}  // namespace vigil::app

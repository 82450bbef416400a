// Automation levels: Defender's verdict -> outcome table per domain and level, the folder rules
// of the semi levels, and the policy file loader (defaults, groups, errors).
#include "vigil/respond/automation.h"

#include <gtest/gtest.h>

#include <fstream>

#include "vigil/store/store_test_util.h"

namespace vigil::respond {
namespace {

constexpr auto kAuto = Decision::kAutomatic;
constexpr auto kApproval = Decision::kRequireApproval;
constexpr auto kNone = Decision::kNone;

TEST(AutomationTest, OutcomeTableOfTheReference) {
  using L = AutomationLevel;
  // Malicious device evidence: automatic only under Full.
  EXPECT_EQ(Decide(L::kFull, Domain::kEndpoint, Verdict::kMalicious, ""), kAuto);
  EXPECT_EQ(Decide(L::kSemiRequireApprovalAllFolders, Domain::kEndpoint, Verdict::kMalicious,
                   "C:\\Users\\a\\AppData\\Local\\Temp\\x.exe"),
            kApproval);
  EXPECT_EQ(Decide(L::kNoAutomatedResponse, Domain::kEndpoint, Verdict::kMalicious, ""), kNone);
  // Suspicious: approval in every domain.
  for (Domain d : {Domain::kEndpoint, Domain::kEmail, Domain::kIdentity, Domain::kCloud}) {
    EXPECT_EQ(Decide(L::kFull, d, Verdict::kSuspicious, ""), kApproval);
    EXPECT_EQ(Decide(L::kFull, d, Verdict::kNoThreatsFound, ""), kNone);
    EXPECT_EQ(Decide(L::kFull, d, Verdict::kUnknown, ""), kNone);
  }
  // Email remediations always wait for approval.
  EXPECT_EQ(Decide(L::kFull, Domain::kEmail, Verdict::kMalicious, ""), kApproval);
  // Compromised users and malicious cloud apps: automatic under Full.
  EXPECT_EQ(Decide(L::kFull, Domain::kIdentity, Verdict::kMalicious, ""), kAuto);
  EXPECT_EQ(Decide(L::kSemiRequireApprovalAllFolders, Domain::kIdentity, Verdict::kMalicious, ""),
            kApproval);
  EXPECT_EQ(Decide(L::kFull, Domain::kCloud, Verdict::kMalicious, ""), kAuto);
}

TEST(AutomationTest, SemiLevelsLookAtTheFolder) {
  using L = AutomationLevel;
  const auto core = L::kSemiRequireApprovalCoreFolders;
  const auto non_temp = L::kSemiRequireApprovalNonTempFolders;
  EXPECT_EQ(Decide(core, Domain::kEndpoint, Verdict::kMalicious, "C:\\Windows\\System32\\x.dll"),
            kApproval);
  EXPECT_EQ(Decide(core, Domain::kEndpoint, Verdict::kMalicious, "c:\\users\\bob\\x.exe"), kAuto);
  EXPECT_EQ(Decide(core, Domain::kEndpoint, Verdict::kMalicious, ""), kApproval);
  EXPECT_EQ(Decide(non_temp, Domain::kEndpoint, Verdict::kMalicious,
                   "C:\\Users\\bob\\AppData\\Local\\Temp\\x.exe"),
            kAuto);
  EXPECT_EQ(Decide(non_temp, Domain::kEndpoint, Verdict::kMalicious, "/tmp/payload"), kAuto);
  EXPECT_EQ(Decide(non_temp, Domain::kEndpoint, Verdict::kMalicious, "C:\\Users\\bob\\x.exe"),
            kApproval);
  EXPECT_TRUE(IsCoreFolder("\\Windows\\Temp\\a"));
  EXPECT_FALSE(IsCoreFolder("C:\\Users\\x\\Windows\\a"));
  EXPECT_FALSE(IsTempFolder("C:\\Temperature\\a"));
}

TEST(AutomationTest, DefaultPolicyAndGroupOverrides) {
  auto policy = ParseAutomationPolicy(R"(
defaults:
  identity: Full
device_groups:
  Servers: SemiRequireApprovalCoreFolders
  Lab: {endpoint: none, cloud: Full}
)",
                                      "automation.yml");
  ASSERT_TRUE(policy.ok()) << policy.status().ToString();
  EXPECT_EQ(policy->LevelFor(Domain::kEndpoint, ""), AutomationLevel::kFull);
  EXPECT_EQ(policy->LevelFor(Domain::kEmail, ""), AutomationLevel::kSemiRequireApprovalAllFolders);
  EXPECT_EQ(policy->LevelFor(Domain::kIdentity, "unknown group"), AutomationLevel::kFull);
  EXPECT_EQ(policy->LevelFor(Domain::kEndpoint, "servers"),
            AutomationLevel::kSemiRequireApprovalCoreFolders);
  EXPECT_EQ(policy->LevelFor(Domain::kIdentity, "Servers"), AutomationLevel::kFull);
  EXPECT_EQ(policy->LevelFor(Domain::kEndpoint, "Lab"), AutomationLevel::kNoAutomatedResponse);
  EXPECT_EQ(policy->LevelFor(Domain::kCloud, "Lab"), AutomationLevel::kFull);
  EXPECT_EQ(policy->LevelFor(Domain::kCloud, ""), AutomationLevel::kSemiRequireApprovalAllFolders);
  auto empty = ParseAutomationPolicy("", "automation.yml");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->LevelFor(Domain::kEndpoint, "x"), AutomationLevel::kFull);
}

TEST(AutomationTest, PolicyErrorsNameFileLineAndField) {
  auto check = [](std::string_view yaml, std::string_view expected) {
    auto policy = ParseAutomationPolicy(yaml, "automation.yml");
    ASSERT_FALSE(policy.ok()) << yaml;
    EXPECT_EQ(policy.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(policy.status().message().find(expected), std::string::npos)
        << policy.status().message();
  };
  check("defaults:\n  endpoint: Sometimes\n",
        "automation.yml:2: defaults.endpoint: unknown "
        "automation level 'Sometimes'");
  check("defaults:\n  printer: Full\n", "defaults.printer: unknown domain");
  check("levels: {}\n", "automation.yml:1: levels: unknown field");
  check("device_groups: [a, b]\n", "device_groups: expected a map");
  check("defaults: [\n", "automation.yml:");
  check("- 1\n", "expected a map");
}

TEST(AutomationTest, LoadsAFileOrDefaultsWhenMissing) {
  store::testing::TempDir dir;
  const std::string path = (dir.path() / "automation.yml").string();
  auto missing = LoadAutomationPolicy(path);
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->LevelFor(Domain::kEndpoint, ""), AutomationLevel::kFull);
  std::ofstream(path) << "defaults: {endpoint: NoAutomatedResponse}\n";
  auto loaded = LoadAutomationPolicy(path);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->LevelFor(Domain::kEndpoint, ""), AutomationLevel::kNoAutomatedResponse);
  EXPECT_EQ(ParseAutomationLevel("Full - remediate threats automatically"), AutomationLevel::kFull);
  EXPECT_EQ(ParseAutomationLevel("Semi - require approval for core folders remediation"),
            AutomationLevel::kSemiRequireApprovalCoreFolders);
}

}  // namespace
}  // namespace vigil::respond

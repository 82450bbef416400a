// End-to-end test of `vigil demo`: generate, ingest and detect over a small demo data set, then
// read the alerts' evidence back with `vigil hunt` and check that the attack shows up from every
// service source and that benign alerts share no entity with it.
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "apps/vigil/demo_data.h"
#include "tests/cli/cli_util.h"

namespace vigil::cli_test {
namespace {

using Facts = app::DemoAttackFacts;

std::string Lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return text;
}

struct AlertEntities {
  std::string source;
  std::set<std::string> values;  // lower-cased entity values
};

// AlertId -> service source and entity values, from the AlertEvidence table.
std::map<std::string, AlertEntities> ReadAlerts(const std::string& data_dir) {
  const Output out = RunVigil(
      "--data " + data_dir +
      " hunt --format csv \"AlertEvidence | project AlertId, ServiceSource, AccountName, "
      "AccountUpn, AccountSid, AccountObjectId, DeviceName, RemoteIP, RemoteUrl, SHA256\"");
  EXPECT_EQ(out.exit_code, 0) << out.text;
  std::map<std::string, AlertEntities> alerts;
  std::istringstream lines(out.text);
  std::string line;
  std::getline(lines, line);  // header
  while (std::getline(lines, line)) {
    std::vector<std::string> cells;
    std::stringstream cells_in(line);
    std::string cell;
    while (std::getline(cells_in, cell, ',')) {
      cells.push_back(cell);
    }
    if (cells.size() < 2) {
      continue;
    }
    AlertEntities& a = alerts[cells[0]];
    a.source = cells[1];
    for (size_t i = 2; i < cells.size(); ++i) {
      if (!cells[i].empty()) {
        a.values.insert(Lower(cells[i]));
      }
    }
  }
  return alerts;
}

bool HasAny(const AlertEntities& a, const std::set<std::string>& values) {
  for (const auto& v : a.values) {
    if (values.count(v) > 0) {
      return true;
    }
  }
  return false;
}

class DemoCliTest : public CliTest {};

TEST_F(DemoCliTest, AttackAlertsFromEverySourceAndBenignAlertsApart) {
  const Output demo =
      RunVigil("--data " + data_ + " demo --days 3 --devices 6 --end 2026-11-23T12:00:00Z");
  ASSERT_EQ(demo.exit_code, 0) << demo.text;
  EXPECT_NE(demo.text.find(std::string(Facts::kAttachmentSha256)), std::string::npos);

  const std::set<std::string> attack = {
      Lower(std::string(Facts::kVictimAccount)), Lower(std::string(Facts::kVictimUpn)),
      Lower(std::string(Facts::kVictimSid)),     Lower(std::string(Facts::kVictimObjectId)),
      Lower(std::string(Facts::kVictimDevice)),  "ws-0142",
      Lower(std::string(Facts::kAdminAccount)),  Lower(std::string(Facts::kAdminUpn)),
      Lower(std::string(Facts::kAdminSid)),      Lower(std::string(Facts::kAdminObjectId)),
      Lower(std::string(Facts::kLateralDevice)), "srv-sql01",
      Lower(std::string(Facts::kSender)),        Lower(std::string(Facts::kAttachmentSha256)),
      Lower(std::string(Facts::kPhishUrl)),      std::string(Facts::kC2Ip),
      std::string(Facts::kAttackerCloudIp),      std::string(Facts::kVictimDeviceIp)};
  // The benign look-alikes: the admin's maintenance script on the file server, the marketing
  // manager's download and mistyped passwords.
  const std::set<std::string> benign = {"srv-fs01.contoso.com", "adm-pkumar", "lgarcia",
                                        "lgarcia@contoso.com"};

  const auto alerts = ReadAlerts(data_);
  ASSERT_FALSE(alerts.empty());
  std::map<std::string, std::set<std::string>> attack_values_by_source;
  for (const auto& [id, a] : alerts) {
    const bool is_attack = HasAny(a, attack);
    const bool is_benign = HasAny(a, benign);
    EXPECT_NE(is_attack, is_benign)
        << "alert " << id << " (" << a.source << ") must belong to exactly one of attack / benign";
    if (is_attack) {
      attack_values_by_source[a.source].insert(a.values.begin(), a.values.end());
    }
  }
  // Every service source reports the attack, with the entities that tie the stages together.
  ASSERT_EQ(attack_values_by_source.count("Email"), 1u);
  EXPECT_EQ(attack_values_by_source["Email"].count(Lower(std::string(Facts::kVictimUpn))), 1u);
  ASSERT_EQ(attack_values_by_source.count("Endpoint"), 1u);
  const auto& endpoint = attack_values_by_source["Endpoint"];
  EXPECT_EQ(endpoint.count(Lower(std::string(Facts::kVictimDevice))), 1u);
  EXPECT_EQ(endpoint.count(Lower(std::string(Facts::kVictimAccount))), 1u);
  EXPECT_EQ(endpoint.count(Lower(std::string(Facts::kLateralDevice))), 1u);
  EXPECT_EQ(endpoint.count(Lower(std::string(Facts::kAdminSid))), 1u);
  ASSERT_EQ(attack_values_by_source.count("Identity"), 1u);
  EXPECT_EQ(attack_values_by_source["Identity"].count(Lower(std::string(Facts::kAdminAccount))),
            1u);
  ASSERT_EQ(attack_values_by_source.count("CloudApps"), 1u);
  const auto& cloud = attack_values_by_source["CloudApps"];
  EXPECT_EQ(cloud.count(Lower(std::string(Facts::kAdminUpn))), 1u);
  EXPECT_EQ(cloud.count(Lower(std::string(Facts::kAdminObjectId))), 1u);
}

TEST_F(DemoCliTest, RefusesToLoadTwiceWithoutForce) {
  ASSERT_EQ(RunVigil("--data " + data_ + " demo --days 3 --devices 5 --end 2026-11-23T12:00:00Z")
                .exit_code,
            0);
  const Output again = RunVigil("--data " + data_ + " demo --days 3 --devices 5");
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.text.find("already loaded"), std::string::npos) << again.text;
  const Output bad = RunVigil("--data " + data_ + " demo --force --days 1");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.text.find("between 3 and"), std::string::npos) << bad.text;
}

}  // namespace
}  // namespace vigil::cli_test

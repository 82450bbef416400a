// End-to-end test of `vigil demo`: generate, ingest and detect over a small demo data set, then
// read the alerts' evidence back with `vigil hunt` and check that the attack shows up from every
// service source and that benign alerts share no entity with it.
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <simdjson.h>

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

// The attack entity values and the benign look-alikes' (see demo_data.h).
std::set<std::string> AttackValues() {
  return {Lower(std::string(Facts::kVictimAccount)), Lower(std::string(Facts::kVictimUpn)),
          Lower(std::string(Facts::kVictimSid)),     Lower(std::string(Facts::kVictimObjectId)),
          Lower(std::string(Facts::kVictimDevice)),  "ws-0142",
          Lower(std::string(Facts::kAdminAccount)),  Lower(std::string(Facts::kAdminUpn)),
          Lower(std::string(Facts::kAdminSid)),      Lower(std::string(Facts::kAdminObjectId)),
          Lower(std::string(Facts::kLateralDevice)), "srv-sql01",
          Lower(std::string(Facts::kSender)),        Lower(std::string(Facts::kAttachmentSha256)),
          Lower(std::string(Facts::kPhishUrl)),      std::string(Facts::kC2Ip),
          std::string(Facts::kAttackerCloudIp),      std::string(Facts::kVictimDeviceIp)};
}

struct IncidentView {
  int64_t id = 0;
  std::string severity;
  std::set<std::string> sources;
  std::set<std::string> alert_ids;
};

std::vector<IncidentView> ReadIncidents(const std::string& data_dir) {
  const Output out = RunVigil("--data " + data_dir + " incidents list --format json");
  EXPECT_EQ(out.exit_code, 0) << out.text;
  std::vector<IncidentView> incidents;
  simdjson::dom::parser parser;
  simdjson::padded_string json(out.text);
  simdjson::dom::array list;
  EXPECT_EQ(parser.parse(json).get_array().get(list), simdjson::SUCCESS) << out.text;
  for (simdjson::dom::element item : list) {
    IncidentView v;
    v.id = item["incidentId"].get_int64().value();
    v.severity = std::string(item["severity"].get_string().value());
    for (simdjson::dom::element source : item["serviceSources"].get_array()) {
      v.sources.insert(std::string(source.get_string().value()));
    }
    for (simdjson::dom::element alert : item["alertIds"].get_array()) {
      v.alert_ids.insert(std::string(alert.get_string().value()));
    }
    incidents.push_back(std::move(v));
  }
  return incidents;
}

// "Type target-value" for every action of one incident, e.g. "IsolateDevice ws-0142...".
std::multiset<std::string> ReadActions(const std::string& data_dir, int64_t incident) {
  const Output out = RunVigil("--data " + data_dir + " actions list --format json --limit 1000");
  EXPECT_EQ(out.exit_code, 0) << out.text;
  std::multiset<std::string> actions;
  simdjson::dom::parser parser;
  simdjson::padded_string json(out.text);
  simdjson::dom::array list;
  EXPECT_EQ(parser.parse(json).get_array().get(list), simdjson::SUCCESS) << out.text;
  for (simdjson::dom::element item : list) {
    if (item["incidentId"].get_int64().value() != incident) {
      continue;
    }
    std::string target;
    for (const char* key : {"accountName", "networkMessageId", "url", "sha256", "deviceName"}) {
      std::string_view value;
      if (item["target"][key].get_string().get(value) == simdjson::SUCCESS && !value.empty()) {
        target = Lower(std::string(value));
        break;
      }
    }
    actions.insert(std::string(item["type"].get_string().value()) + " " + target);
  }
  return actions;
}

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

TEST_F(DemoCliTest, OneHighIncidentForTheAttackWithItsRemediations) {
  const Output demo =
      RunVigil("--data " + data_ + " demo --days 3 --devices 6 --end 2026-11-23T12:00:00Z");
  ASSERT_EQ(demo.exit_code, 0) << demo.text;
  const std::set<std::string> attack = AttackValues();
  const auto alerts = ReadAlerts(data_);
  std::set<std::string> attack_alerts, benign_alerts;
  for (const auto& [id, a] : alerts) {
    (HasAny(a, attack) ? attack_alerts : benign_alerts).insert(id);
  }
  ASSERT_GE(attack_alerts.size(), 10u);

  // Exactly one incident holds attack alerts; it holds all of them and nothing benign.
  const auto incidents = ReadIncidents(data_);
  const IncidentView* attack_incident = nullptr;
  for (const auto& incident : incidents) {
    bool has_attack = false;
    for (const auto& id : incident.alert_ids) {
      has_attack = has_attack || attack_alerts.count(id) > 0;
      EXPECT_TRUE(attack_alerts.count(id) > 0 || benign_alerts.count(id) > 0) << id;
    }
    if (!has_attack) {
      continue;
    }
    ASSERT_EQ(attack_incident, nullptr)
        << "attack alerts in incidents " << attack_incident->id << " and " << incident.id;
    attack_incident = &incident;
  }
  ASSERT_NE(attack_incident, nullptr) << demo.text;
  EXPECT_EQ(attack_incident->alert_ids, attack_alerts);
  EXPECT_EQ(attack_incident->severity, "High");
  for (const char* source : {"Endpoint", "Identity", "Email", "CloudApps"}) {
    EXPECT_EQ(attack_incident->sources.count(source), 1u) << source;
  }

  // The investigation proposes the remediations of every domain.
  const auto actions = ReadActions(data_, attack_incident->id);
  auto has = [&](const std::string& type, const std::string& target) {
    return actions.count(type + " " + Lower(target)) > 0;
  };
  EXPECT_TRUE(has("IsolateDevice", std::string(Facts::kVictimDevice)));
  EXPECT_TRUE(has("IsolateDevice", std::string(Facts::kLateralDevice)));
  EXPECT_TRUE(has("DisableUser", std::string(Facts::kAdminAccount)));
  EXPECT_TRUE(has("SoftDeleteEmail", std::string(Facts::kNetworkMessageId)));
  EXPECT_TRUE(has("BlockUrl", std::string(Facts::kPhishUrl)));
  EXPECT_TRUE(has("AddIndicator", std::string(Facts::kAttachmentSha256)));
  for (const auto& action : actions) {
    EXPECT_EQ(action.find("lsass.exe"), std::string::npos) << action;
    EXPECT_EQ(action.rfind("DisableUser system", 0), std::string::npos) << action;
  }
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

// Golden correlation cases: tests/incidents/<case>.yml give an alert sequence (with evidence,
// optional config, directory aliases and analyst actions) and the expected incident partition
// and link reasons. Found through $VIGIL_SOURCE_DIR; skipped when it is not set.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "vigil/incidents/correlator.h"
#include "vigil/incidents/test_alerts.h"

namespace vigil::incidents {
namespace {

namespace fs = std::filesystem;
using detect::alerts::AlertRecord;
using testing::kT0;

std::string Str(const YAML::Node& node, const char* key) {
  return node[key] ? node[key].as<std::string>() : std::string();
}

int64_t At(const YAML::Node& node, const char* key = "at") {
  const std::string text = Str(node, key);
  if (text.empty() || text[0] == '0') {
    return kT0;
  }
  auto micros = ParseDurationMicros(text);
  EXPECT_TRUE(micros.ok()) << text;
  return kT0 + micros.value_or(0);
}

AlertRecord AlertFrom(const YAML::Node& node) {
  std::vector<detect::Evidence> evidence;
  for (const auto& item : node["evidence"]) {
    detect::Evidence e;
    e.entity_type = Str(item, "type");
    if (item["role"]) {
      e.evidence_role = Str(item, "role");
    }
    e.device_id = Str(item, "device_id");
    e.device_name = Str(item, "device_name");
    e.account_name = Str(item, "account_name");
    e.account_domain = Str(item, "account_domain");
    e.account_sid = Str(item, "account_sid");
    e.account_upn = Str(item, "account_upn");
    e.sha256 = Str(item, "sha256");
    e.file_name = Str(item, "file_name");
    e.process_command_line = Str(item, "command_line");
    e.remote_ip = Str(item, "ip");
    e.remote_url = Str(item, "url");
    e.mailbox = Str(item, "mailbox");
    e.application = Str(item, "application");
    e.network_message_id = Str(item, "network_message_id");
    e.email_subject = Str(item, "subject");
    evidence.push_back(std::move(e));
  }
  AlertRecord r = testing::Alert(Str(node, "alert"), At(node), evidence,
                                 node["category"] ? Str(node, "category") : "Execution");
  if (node["from"]) {
    r.first_activity_us = At(node, "from");
  }
  if (node["service_source"]) {
    r.service_source = Str(node, "service_source");
  }
  if (node["source_table"]) {
    r.source_table = Str(node, "source_table");
  }
  if (node["severity"]) {
    r.severity = detect::ParseSeverityName(Str(node, "severity")).value_or(r.severity);
  }
  if (node["title"]) {
    r.title = Str(node, "title");
  }
  return r;
}

std::vector<fs::path> CaseFiles() {
  const char* root = std::getenv("VIGIL_SOURCE_DIR");
  std::vector<fs::path> files;
  if (root == nullptr) {
    return files;
  }
  const fs::path dir = fs::path(root) / "tests" / "incidents";
  if (!fs::is_directory(dir)) {
    return files;
  }
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".yml") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

void RunCase(const fs::path& file) {
  SCOPED_TRACE(file.string());
  const YAML::Node doc = YAML::LoadFile(file.string());
  CorrelationConfig config;
  if (doc["config"]) {
    YAML::Emitter emitter;
    emitter << doc["config"];
    auto parsed = ParseCorrelationConfig(emitter.c_str(), file.string());
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    config = *parsed;
  }
  const std::string dir = testing::FreshDir("golden_" + file.stem().string());
  testing::FakeClock clock;
  auto alerts = detect::alerts::AlertStore::Open(dir + "/alerts.db", {clock.Fn()});
  auto store = IncidentStore::Open(dir + "/incidents.db", {clock.Fn()});
  ASSERT_TRUE(alerts.ok() && store.ok());
  auto correlator = Correlator::Create(store->get(), alerts->get(), config);
  ASSERT_TRUE(correlator.ok()) << correlator.status().ToString();
  for (const auto& alias : doc["aliases"]) {
    (*correlator)
        ->AddAccountAlias(Str(alias, "sid"), Str(alias, "upn"), Str(alias, "name"),
                          Str(alias, "domain"));
  }
  std::map<std::string, Assignment> assignments;
  for (const auto& step : doc["steps"]) {
    if (step["alert"]) {
      AlertRecord record = AlertFrom(step);
      clock.now = std::max(clock.now, record.last_activity_us);
      ASSERT_TRUE((*alerts)->Upsert(record).ok());
      auto assignment = (*correlator)->OnAlert(record);
      ASSERT_TRUE(assignment.ok()) << assignment.status().ToString();
      assignments[record.id] = *assignment;
      auto stored = (*alerts)->Get(record.id);
      ASSERT_TRUE(stored.ok());
      EXPECT_EQ(stored->incident_id, std::to_string(assignment->incident_id)) << record.id;
    } else if (step["update"]) {
      const YAML::Node& u = step["update"];
      const std::string of = Str(u, "incident_of");
      ASSERT_TRUE(assignments.count(of)) << "unknown alert " << of;
      IncidentPatch patch;
      if (u["assigned_to"]) {
        patch.assigned_to = Str(u, "assigned_to");
      }
      if (u["status"]) {
        patch.status = Str(u, "status");
      }
      if (u["classification"]) {
        patch.classification = Str(u, "classification");
      }
      if (u["determination"]) {
        patch.determination = Str(u, "determination");
      }
      auto link = (*store)->LinkOf(of);
      ASSERT_TRUE(link.ok() && link->has_value());
      auto updated = (*correlator)->Update((*link)->incident_id, patch, "analyst");
      ASSERT_TRUE(updated.ok()) << updated.status().ToString();
    }
  }
  // Partition: alerts grouped by the incident their link points at now.
  std::map<int64_t, std::set<std::string>> groups;
  for (const auto& [alert_id, assignment] : assignments) {
    auto link = (*store)->LinkOf(alert_id);
    ASSERT_TRUE(link.ok() && link->has_value()) << alert_id;
    groups[(*link)->incident_id].insert(alert_id);
  }
  std::set<std::set<std::string>> actual;
  for (auto& [id, group] : groups) {
    actual.insert(group);
  }
  std::set<std::set<std::string>> expected;
  for (const auto& group : doc["expect"]["incidents"]) {
    std::set<std::string> ids;
    for (const auto& id : group) {
      ids.insert(id.as<std::string>());
    }
    expected.insert(ids);
  }
  EXPECT_EQ(actual, expected);
  for (const auto& reason : doc["expect"]["reasons"]) {
    const std::string alert_id = reason.first.as<std::string>();
    ASSERT_TRUE(assignments.count(alert_id)) << alert_id;
    EXPECT_EQ(assignments[alert_id].reason, reason.second.as<std::string>()) << alert_id;
  }
  for (const auto& title : doc["expect"]["titles"]) {
    const std::string alert_id = title.first.as<std::string>();
    auto link = (*store)->LinkOf(alert_id);
    ASSERT_TRUE(link.ok() && link->has_value());
    auto incident = (*store)->Get((*link)->incident_id);
    ASSERT_TRUE(incident.ok());
    EXPECT_EQ(incident->title, title.second.as<std::string>()) << alert_id;
  }
}

TEST(IncidentGoldenTest, AllCases) {
  const auto files = CaseFiles();
  if (files.empty()) {
    GTEST_SKIP() << "VIGIL_SOURCE_DIR not set or tests/incidents missing";
  }
  EXPECT_GE(files.size(), 8u);
  for (const auto& file : files) {
    RunCase(file);
  }
}

}  // namespace
}  // namespace vigil::incidents

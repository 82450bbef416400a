// StoryJson: valid JSON (parsed back with simdjson) with the incident, alert and entity nodes,
// edges and the timeline; hostile strings are escaped.
#include "vigil/incidents/story.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <set>

#include "vigil/incidents/correlator.h"
#include "vigil/incidents/test_alerts.h"

namespace vigil::incidents {
namespace {

using testing::kMinute;
using testing::kT0;

TEST(StoryTest, ParsesBackWithNodesEdgesAndTimeline) {
  const std::string dir = testing::FreshDir("story");
  testing::FakeClock clock;
  auto alerts = detect::alerts::AlertStore::Open(dir + "/alerts.db", {clock.Fn()});
  auto store = IncidentStore::Open(dir + "/incidents.db", {clock.Fn()});
  ASSERT_TRUE(alerts.ok() && store.ok());
  auto correlator = Correlator::Create(store->get(), alerts->get(), CorrelationConfig());
  ASSERT_TRUE(correlator.ok());

  detect::Evidence process;
  process.entity_type = "Process";
  process.file_name = "powershell.exe";
  process.sha256 = "abc123";
  process.process_command_line = "powershell -c \"iex(\\\"x\\\")\"\n\t";
  auto first =
      testing::Alert("a1", kT0 + 5 * kMinute,
                     {testing::Machine("d1", "WS-1"), testing::User("jdoe", "CONTOSO"), process});
  first.title = "Suspicious \"PowerShell\" \\ run";
  auto second = testing::Alert("a0", kT0, {testing::Machine("d1", "WS-1"), testing::Ip("8.8.8.8")},
                               "InitialAccess", Severity::kHigh);
  for (const auto& alert : {first, second}) {
    ASSERT_TRUE((*alerts)->Upsert(alert).ok());
    ASSERT_TRUE((*correlator)->OnAlert(alert).ok());
  }
  auto json = StoryJson(**store, **alerts, 1);
  ASSERT_TRUE(json.ok()) << json.status().ToString();

  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(*json);
  simdjson::ondemand::document doc;
  ASSERT_EQ(parser.iterate(padded).get(doc), simdjson::SUCCESS);
  int64_t incident_id = 0;
  ASSERT_EQ(doc["incident"]["incidentId"].get_int64().get(incident_id), simdjson::SUCCESS);
  EXPECT_EQ(incident_id, 1);
  std::string_view severity;
  ASSERT_EQ(doc["incident"]["severity"].get_string().get(severity), simdjson::SUCCESS);
  EXPECT_EQ(severity, "High");

  std::set<std::string> node_ids;
  std::set<std::string> types;
  simdjson::ondemand::array nodes;
  ASSERT_EQ(doc["nodes"].get_array().get(nodes), simdjson::SUCCESS);
  for (auto node : nodes) {
    std::string_view id, type, label;
    ASSERT_EQ(node["id"].get_string().get(id), simdjson::SUCCESS);
    ASSERT_EQ(node["type"].get_string().get(type), simdjson::SUCCESS);
    ASSERT_EQ(node["label"].get_string().get(label), simdjson::SUCCESS);
    node_ids.insert(std::string(id));
    types.insert(std::string(type));
    if (id == "alert:a1") {
      EXPECT_EQ(label, "Suspicious \"PowerShell\" \\ run");
    }
  }
  EXPECT_TRUE(node_ids.count("alert:a0") && node_ids.count("alert:a1"));
  EXPECT_EQ(types, (std::set<std::string>{"Alert", "Machine", "User", "Process", "File", "Ip"}));

  std::set<std::string> relations;
  simdjson::ondemand::array edges;
  ASSERT_EQ(doc["edges"].get_array().get(edges), simdjson::SUCCESS);
  size_t edge_count = 0;
  for (auto edge : edges) {
    std::string_view from, to, relation;
    ASSERT_EQ(edge["from"].get_string().get(from), simdjson::SUCCESS);
    ASSERT_EQ(edge["to"].get_string().get(to), simdjson::SUCCESS);
    ASSERT_EQ(edge["relation"].get_string().get(relation), simdjson::SUCCESS);
    EXPECT_TRUE(node_ids.count(std::string(from))) << from;
    EXPECT_TRUE(node_ids.count(std::string(to))) << to;
    relations.insert(std::string(relation));
    ++edge_count;
  }
  EXPECT_EQ(relations, (std::set<std::string>{"Impacted", "Related", "ran on", "image file"}));
  EXPECT_EQ(edge_count, 7u);  // 5 alert->entity (device shared) + process->device + ->file

  std::vector<std::string> order;
  simdjson::ondemand::array timeline;
  ASSERT_EQ(doc["timeline"].get_array().get(timeline), simdjson::SUCCESS);
  for (auto item : timeline) {
    std::string_view alert_id, reason;
    ASSERT_EQ(item["alertId"].get_string().get(alert_id), simdjson::SUCCESS);
    ASSERT_EQ(item["reason"].get_string().get(reason), simdjson::SUCCESS);
    order.push_back(std::string(alert_id) + ":" + std::string(reason));
  }
  EXPECT_EQ(order, (std::vector<std::string>{"a0:shares device ws-1 within 5m",
                                             "a1:no related open incident"}));
  EXPECT_EQ(StoryJson(**store, **alerts, 99).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace vigil::incidents

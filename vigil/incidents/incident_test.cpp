// Model, generated titles, correlation config parsing and entity extraction.
#include "vigil/incidents/incident.h"

#include <gtest/gtest.h>

#include "vigil/incidents/correlation_config.h"
#include "vigil/incidents/entities.h"
#include "vigil/incidents/test_alerts.h"

namespace vigil::incidents {
namespace {

TEST(IncidentModelTest, ParsesStatusInAnySpelling) {
  EXPECT_EQ(*ParseIncidentStatus("In progress"), IncidentStatus::kInProgress);
  EXPECT_EQ(*ParseIncidentStatus("inProgress"), IncidentStatus::kInProgress);
  EXPECT_EQ(*ParseIncidentStatus("ACTIVE"), IncidentStatus::kActive);
  EXPECT_EQ(*ParseIncidentStatus("resolved"), IncidentStatus::kResolved);
  EXPECT_EQ(*ParseIncidentStatus("Redirected"), IncidentStatus::kRedirected);
  auto bad = ParseIncidentStatus("open-ish");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("open-ish"), std::string::npos);
  EXPECT_EQ(IncidentStatusName(IncidentStatus::kInProgress), "InProgress");
}

TEST(IncidentModelTest, GeneratesDefenderStyleTitles) {
  IncidentFacts facts;
  facts.categories = {"Execution"};
  facts.devices = {"ws-1"};
  facts.service_sources = {"MDE"};
  EXPECT_EQ(GenerateTitle(facts), "Execution incident on one endpoint");
  facts.categories = {"CredentialAccess", "InitialAccess"};
  facts.devices = {"ws-1", "ws-2"};
  facts.service_sources = {"MDE", "MDO"};
  EXPECT_EQ(GenerateTitle(facts),
            "Multi-stage incident involving Initial access & Credential access on multiple "
            "endpoints reported by multiple sources");
  facts.categories = {"Execution", "Impact", "InitialAccess"};
  EXPECT_EQ(GenerateTitle(facts),
            "Multi-stage incident on multiple endpoints reported by multiple sources");
  IncidentFacts users;
  users.categories = {"initial access"};
  users.users = {"jdoe@contoso.com"};
  EXPECT_EQ(GenerateTitle(users), "Initial access incident involving one user");
  EXPECT_EQ(GenerateTitle(IncidentFacts()), "Incident");
  EXPECT_EQ(CategoryDisplayName("CommandAndControl"), "Command and control");
  EXPECT_EQ(CategoryDisplayName("SomethingNew"), "SomethingNew");
}

TEST(IncidentModelTest, SummaryTracksHighestSeverityAndKeepsCustomTitle) {
  Incident inc;
  inc.alert_ids = {"a"};
  AddAlertSummary(inc, Severity::kLow, 100, 200, "MDE", "Sigma", "Execution");
  AddAlertSummary(inc, Severity::kHigh, 50, 150, "MDE", "Sigma", "Persistence");
  AddAlertSummary(inc, Severity::kMedium, 300, 400, "MDO", "Sigma", "Execution");
  RefreshDerived(inc);
  EXPECT_EQ(inc.severity, Severity::kHigh);
  EXPECT_EQ(inc.first_activity_us, 50);
  EXPECT_EQ(inc.last_activity_us, 400);
  EXPECT_EQ(inc.title,
            "Multi-stage incident involving Execution & Persistence reported by multiple sources");
  inc.title = "Mine";
  inc.title_custom = true;
  inc.severity = Severity::kLow;
  inc.severity_override = true;
  RefreshDerived(inc);
  EXPECT_EQ(inc.title, "Mine");
  EXPECT_EQ(inc.severity, Severity::kLow);
}

TEST(CorrelationConfigTest, ParsesEveryField) {
  auto config = ParseCorrelationConfig(R"(
window: 2h
max_incidents_per_entity: 4
max_entities_per_incident: 50
ignore_private_ips: false
infrastructure_cidrs: [10.1.0.0/16, "2001:db8::/32"]
ignored_entities: ["ip:203.0.113.5"]
account_domains: {CONTOSO: Contoso.com}
domains:
  - {name: mail, sources: [office], tables: ["Email*"]}
  - {name: host, tables: ["Device*"], categories: [Execution]}
sequences:
  - {from: mail, to: host, window: 3d}
)",
                                       "c.yml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->window_us, 2 * kMicrosPerHour);
  EXPECT_EQ(config->max_incidents_per_entity, 4u);
  EXPECT_EQ(config->max_entities_per_incident, 50u);
  EXPECT_FALSE(config->ignore_private_ips);
  EXPECT_EQ(config->infrastructure_cidrs.size(), 2u);
  EXPECT_EQ(config->account_domains.at("contoso"), "contoso.com");
  ASSERT_EQ(config->domains.size(), 2u);
  ASSERT_EQ(config->sequences.size(), 1u);
  EXPECT_EQ(config->sequences[0].window_us, 72 * kMicrosPerHour);
}

TEST(CorrelationConfigTest, DefaultsAndEmptyDocument) {
  auto config = ParseCorrelationConfig("", "empty.yml");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->window_us, 24 * kMicrosPerHour);
  EXPECT_EQ(config->max_incidents_per_entity, 10u);
  EXPECT_EQ(config->max_entities_per_incident, 500u);
  EXPECT_TRUE(config->ignore_private_ips);
  EXPECT_FALSE(config->sequences.empty());
}

TEST(CorrelationConfigTest, ErrorsNameFileLineAndField) {
  auto bad = ParseCorrelationConfig("window: 24h\nmax_incidents_per_entity: lots\n", "c.yml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "c.yml:2: field 'max_incidents_per_entity': expected a whole number from 1 to 1000000");
  auto unknown = ParseCorrelationConfig("windwo: 1h\n", "c.yml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("'windwo': unknown field"), std::string::npos);
  EXPECT_FALSE(ParseCorrelationConfig("infrastructure_cidrs: [10.0.0.0/99]", "c").ok());
  EXPECT_FALSE(ParseCorrelationConfig("sequences: [{from: nowhere, to: email}]", "c").ok());
  EXPECT_FALSE(ParseCorrelationConfig("window: [1, 2", "c").ok());
  EXPECT_FALSE(ParseCorrelationConfig("- just\n- a list\n", "c").ok());
  EXPECT_FALSE(LoadCorrelationConfig("/nonexistent/correlation.yml").ok());
}

TEST(CorrelationConfigTest, Durations) {
  EXPECT_EQ(*ParseDurationMicros("90s"), 90'000'000);
  EXPECT_EQ(*ParseDurationMicros("35m"), 35 * kMicrosPerMinute);
  EXPECT_EQ(*ParseDurationMicros("7d"), 7 * 24 * kMicrosPerHour);
  EXPECT_EQ(*ParseDurationMicros("60"), 60'000'000);
  EXPECT_FALSE(ParseDurationMicros("0m").ok());
  EXPECT_FALSE(ParseDurationMicros("-1h").ok());
  EXPECT_FALSE(ParseDurationMicros("999999d").ok());
  EXPECT_FALSE(ParseDurationMicros("h").ok());
}

TEST(EntitiesTest, NonRoutableAndCidr) {
  for (const char* ip : {"10.1.2.3", "172.16.0.1", "192.168.1.1", "127.0.0.1", "169.254.1.1",
                         "0.0.0.0", "::1", "fe80::1", "fd00::1", "::ffff:10.0.0.1"}) {
    EXPECT_TRUE(IsNonRoutableIp(ip)) << ip;
  }
  for (const char* ip : {"8.8.8.8", "172.32.0.1", "2001:4860::8888", "not-an-ip"}) {
    EXPECT_FALSE(IsNonRoutableIp(ip)) << ip;
  }
  auto cidr = ParseCidr("203.0.113.0/24");
  ASSERT_TRUE(cidr.ok());
  EXPECT_TRUE(CidrContains(*cidr, "203.0.113.77"));
  EXPECT_FALSE(CidrContains(*cidr, "203.0.114.1"));
  EXPECT_FALSE(ParseCidr("1.2.3.4/33").ok());
}

TEST(EntitiesTest, AccountIdentifiersUnifyAcrossSpellings) {
  CorrelationConfig config;
  config.account_domains["contoso"] = "contoso.com";
  EntityExtractor extractor(config);
  auto first = extractor.Extract({testing::User("", "", "S-1-5-21-1", "JDoe@Contoso.com")});
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].key, "account:sid:s-1-5-21-1");
  auto by_name = extractor.Extract({testing::User("jdoe", "CONTOSO")});
  ASSERT_EQ(by_name.size(), 1u);
  const auto& ids = by_name[0].identifiers;
  EXPECT_NE(std::find(ids.begin(), ids.end(), "account:sid:s-1-5-21-1"), ids.end());
  EXPECT_EQ(by_name[0].label, "account contoso\\jdoe");
  extractor.AddAccountAlias("S-1-5-21-2", "", "jdoe", "CONTOSO");
  auto other_sid = extractor.Extract({testing::User("", "", "S-1-5-21-2")});
  const auto& other_ids = other_sid[0].identifiers;
  EXPECT_NE(std::find(other_ids.begin(), other_ids.end(), "account:upn:jdoe@contoso.com"),
            other_ids.end());
}

TEST(EntitiesTest, ExtractsKeysAndIgnoresInfrastructure) {
  CorrelationConfig config;
  config.infrastructure_cidrs = {"198.51.100.0/24"};
  config.ignored_entities = {"ip:8.8.8.8"};
  EntityExtractor extractor(config);
  detect::Evidence process;
  process.entity_type = "Process";
  process.process_command_line = "powershell -enc AAA";
  detect::Evidence url;
  url.entity_type = "Url";
  url.remote_url = "https://Evil.Example.com/x";
  auto entities = extractor.Extract({testing::Machine("", "WS-1"), process, url,
                                     testing::Ip("8.8.8.8"), testing::Ip("198.51.100.4"),
                                     testing::Ip("192.168.0.1"), testing::Ip("9.9.9.9")});
  ASSERT_EQ(entities.size(), 8u);
  EXPECT_EQ(entities[0].key, "device:name:ws-1");
  EXPECT_EQ(entities[1].key, "process:device:name:ws-1|powershell -enc aaa");
  EXPECT_EQ(entities[3].key, "domain:evil.example.com");
  EXPECT_TRUE(extractor.Ignored(entities[4]));  // configured key
  EXPECT_TRUE(extractor.Ignored(entities[5]));  // infrastructure CIDR
  EXPECT_TRUE(extractor.Ignored(entities[6]));  // private
  EXPECT_FALSE(extractor.Ignored(entities[7]));
}

}  // namespace
}  // namespace vigil::incidents

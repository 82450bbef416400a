// temporal / temporal_ordered, aliases, chained correlations, state caps and expiry.
#include <gtest/gtest.h>

#include "vigil/detect/correlate/correlate_test_util.h"

namespace vigil::detect::correlate {
namespace {

using sigma::CorrelationType;
using testing::Fields;
using testing::Getter;
using testing::kSec;
using testing::MakeCorrelation;
using testing::MakeRule;
using testing::MustCreate;

constexpr int64_t kBase = 1'700'000'000 * kSec;

sigma::RuleSet ThreeRules() {
  sigma::RuleSet rules;
  rules.rules = {MakeRule("a", "enc_ps"), MakeRule("b", "lsass"), MakeRule("c", "dump_file")};
  return rules;
}

void HitOn(CorrelationEngine& e, uint32_t rule, int64_t seconds, const std::string& host) {
  Fields f = {{"Computer", host}};
  e.OnRuleHit(rule, kBase + seconds * kSec, Getter(f));
}

TEST(CorrelateTemporalTest, AllRulesWithinTimespanForTheSameGroup) {
  auto rules = ThreeRules();
  rules.correlations = {MakeCorrelation("t", CorrelationType::kTemporal, {"enc_ps", "lsass", "c"},
                                        {"Computer"}, 300)};
  auto e = MustCreate(rules);
  ASSERT_NE(e, nullptr);
  HitOn(*e, 0, 0, "ws1");
  HitOn(*e, 1, 10, "ws1");
  HitOn(*e, 2, 20, "ws2");  // other host
  EXPECT_TRUE(e->TakeHits().empty());
  HitOn(*e, 1, 15, "ws1");
  HitOn(*e, 2, 30, "ws1");  // reverse order allowed for plain temporal
  auto hits = e->TakeHits();
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].value, 3);
  EXPECT_EQ(hits[0].events, 4u);
  EXPECT_EQ(hits[0].first_us, kBase);
  EXPECT_EQ(hits[0].rules_seen, (std::vector<uint32_t>{0, 1, 2}));
  EXPECT_EQ(hits[0].group[0].second, "ws1");
}

TEST(CorrelateTemporalTest, TooFarApartDoesNotFire) {
  auto rules = ThreeRules();
  rules.correlations = {
      MakeCorrelation("t", CorrelationType::kTemporal, {"enc_ps", "lsass"}, {"Computer"}, 60)};
  auto e = MustCreate(rules);
  ASSERT_NE(e, nullptr);
  HitOn(*e, 0, 0, "ws1");
  HitOn(*e, 1, 61, "ws1");
  EXPECT_TRUE(e->TakeHits().empty());
  HitOn(*e, 0, 100, "ws1");
  EXPECT_EQ(e->TakeHits().size(), 1u);
}

TEST(CorrelateTemporalTest, ConditionCountsRulesSeen) {
  auto rules = ThreeRules();
  auto c = MakeCorrelation("t", CorrelationType::kTemporal, {"a", "b", "c"}, {"Computer"}, 60);
  c.condition.gte = 2;
  rules.correlations = {c};
  auto e = MustCreate(rules);
  ASSERT_NE(e, nullptr);
  HitOn(*e, 0, 0, "ws1");
  HitOn(*e, 0, 1, "ws1");
  EXPECT_TRUE(e->TakeHits().empty());
  HitOn(*e, 2, 2, "ws1");
  auto hits = e->TakeHits();
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].value, 2);
}

TEST(CorrelateTemporalTest, OrderedNeedsTheListedOrder) {
  auto rules = ThreeRules();
  rules.correlations = {MakeCorrelation("o", CorrelationType::kTemporalOrdered,
                                        {"enc_ps", "lsass", "dump_file"}, {"Computer"}, 300)};
  auto e = MustCreate(rules);
  ASSERT_NE(e, nullptr);
  HitOn(*e, 1, 0, "ws1");  // lsass before enc_ps: does not count as the second step
  HitOn(*e, 0, 10, "ws1");
  HitOn(*e, 2, 20, "ws1");
  EXPECT_TRUE(e->TakeHits().empty());
  HitOn(*e, 1, 30, "ws1");
  HitOn(*e, 2, 40, "ws1");
  auto hits = e->TakeHits();
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].first_us, kBase + 10 * kSec);
  EXPECT_EQ(hits[0].last_us, kBase + 40 * kSec);
  EXPECT_EQ(hits[0].value, 3);
}

TEST(CorrelateTemporalTest, OrderedAcceptsALateEventInItsPlace) {
  auto rules = ThreeRules();
  rules.correlations = {MakeCorrelation("o", CorrelationType::kTemporalOrdered, {"enc_ps", "lsass"},
                                        {"Computer"}, 300)};
  EngineOptions options;
  options.max_disorder_us = 20 * kSec;
  auto e = MustCreate(rules, options);
  ASSERT_NE(e, nullptr);
  HitOn(*e, 1, 30, "ws1");
  HitOn(*e, 0, 15, "ws1");  // arrives after, happened before: order is by event time
  EXPECT_EQ(e->TakeHits().size(), 1u);
}

TEST(CorrelateTemporalTest, AliasesJoinDifferentFields) {
  sigma::RuleSet rules;
  rules.rules = {MakeRule("scan", "port_scan"), MakeRule("login", "rdp_login")};
  auto c = MakeCorrelation("t", CorrelationType::kTemporal, {"port_scan", "rdp_login"},
                           {"attacker"}, 600);
  c.aliases["attacker"]["port_scan"] = "SourceIp";
  c.aliases["attacker"]["login"] = "IpAddress";  // keyed by id, referenced by name
  rules.correlations = {c};
  auto e = MustCreate(rules);
  ASSERT_NE(e, nullptr);
  Fields scan = {{"SourceIp", "203.0.113.9"}};
  Fields login = {{"IpAddress", "203.0.113.9"}};
  e->OnRuleHit(0, kBase, Getter(scan));
  e->OnRuleHit(1, kBase + 100 * kSec, Getter(login));
  auto hits = e->TakeHits();
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].group[0], (std::pair<std::string, std::string>("attacker", "203.0.113.9")));
}

TEST(CorrelateTemporalTest, ChainedCorrelationFeedsTheNextOne) {
  sigma::RuleSet rules;
  rules.rules = {MakeRule("fail", "failed_logon"), MakeRule("ok", "successful_logon")};
  auto brute = MakeCorrelation("brute", CorrelationType::kEventCount, {"failed_logon"},
                               {"IpAddress", "TargetUserName"}, 300);
  brute.name = "many_failures";
  brute.condition.gte = 3;
  auto success = MakeCorrelation("then-success", CorrelationType::kTemporalOrdered,
                                 {"many_failures", "successful_logon"}, {"TargetUserName"}, 600);
  rules.correlations = {brute, success};
  auto e = MustCreate(rules);
  ASSERT_NE(e, nullptr);
  EXPECT_FALSE(e->ShouldEmitCorrelation(0));
  EXPECT_TRUE(e->ShouldEmitCorrelation(1));
  Fields fail = {{"IpAddress", "198.51.100.7"}, {"TargetUserName", "admin"}};
  Fields ok = {{"IpAddress", "198.51.100.7"}, {"TargetUserName", "admin"}};
  e->OnRuleHit(1, kBase, Getter(ok));  // success before the failures: not the sequence
  for (int i = 1; i <= 3; ++i) {
    e->OnRuleHit(0, kBase + i * kSec, Getter(fail));
  }
  auto hits = e->TakeHits();
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].correlation, 0u);
  e->OnRuleHit(1, kBase + 20 * kSec, Getter(ok));
  hits = e->TakeHits();
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].correlation, 1u);
  EXPECT_EQ(hits[0].first_us, kBase + 3 * kSec);  // the inner hit counts at its last event
  EXPECT_EQ(hits[0].rules_seen, (std::vector<uint32_t>{0, 1}));
  ASSERT_EQ(hits[0].group.size(), 1u);
  EXPECT_EQ(hits[0].group[0].second, "admin");
  EXPECT_EQ(e->counters().hits, 2u);
}

TEST(CorrelateTemporalTest, GroupCapEvictsLeastRecentlyUpdated) {
  auto rules = ThreeRules();
  rules.correlations = {
      MakeCorrelation("t", CorrelationType::kTemporal, {"a", "b"}, {"Computer"}, 300)};
  EngineOptions options;
  options.max_groups_per_correlation = 2;
  auto e = MustCreate(rules, options);
  ASSERT_NE(e, nullptr);
  HitOn(*e, 0, 0, "ws1");
  HitOn(*e, 0, 1, "ws2");
  HitOn(*e, 0, 2, "ws1");  // ws1 is now the most recent
  HitOn(*e, 0, 3, "ws3");  // evicts ws2
  EXPECT_EQ(e->counters().groups_evicted, 1u);
  EXPECT_EQ(e->GroupCountForTest(0), 2u);
  HitOn(*e, 1, 4, "ws1");
  EXPECT_EQ(e->TakeHits().size(), 1u);
  HitOn(*e, 1, 5, "ws2");  // ws2's rule-a event was evicted with its group
  EXPECT_TRUE(e->TakeHits().empty());
  EXPECT_EQ(e->counters().groups_evicted, 2u);
}

TEST(CorrelateTemporalTest, EventCapDropsOldestEvents) {
  sigma::RuleSet rules;
  rules.rules = {MakeRule("r1")};
  auto c = MakeCorrelation("c", CorrelationType::kEventCount, {"r1"}, {}, 3600);
  c.condition.gte = 5;
  rules.correlations = {c};
  EngineOptions options;
  options.max_events_per_group = 4;
  auto e = MustCreate(rules, options);
  ASSERT_NE(e, nullptr);
  for (int i = 0; i < 10; ++i) {
    e->OnRuleHit(0, kBase + i * kSec, nullptr);
  }
  EXPECT_TRUE(e->TakeHits().empty());  // never more than 4 stored
  EXPECT_EQ(e->counters().events_evicted, 6u);
  EXPECT_EQ(e->counters().events_added, 10u);
}

TEST(CorrelateTemporalTest, QuietStreamExpiresGroups) {
  auto rules = ThreeRules();
  rules.correlations = {
      MakeCorrelation("t", CorrelationType::kTemporal, {"a", "b"}, {"Computer"}, 60)};
  EngineOptions options;
  options.max_disorder_us = 0;
  auto e = MustCreate(rules, options);
  ASSERT_NE(e, nullptr);
  for (int host = 0; host < 50; ++host) {
    HitOn(*e, 0, host, "ws" + std::to_string(host));
  }
  EXPECT_EQ(e->GroupCountForTest(0), 50u);
  e->AdvanceTo(kBase + 100 * kSec);  // drops events before 40 s
  EXPECT_EQ(e->GroupCountForTest(0), 10u);
  EXPECT_EQ(e->counters().groups_expired, 40u);
  HitOn(*e, 1, 100, "ws45");
  EXPECT_EQ(e->TakeHits().size(), 1u);
  HitOn(*e, 1, 100, "ws5");  // its rule-a event expired
  EXPECT_TRUE(e->TakeHits().empty());
}

TEST(CorrelateTemporalTest, MutedGroupIsKeptUntilTheMuteEnds) {
  auto rules = ThreeRules();
  rules.correlations = {
      MakeCorrelation("t", CorrelationType::kTemporal, {"a", "b"}, {"Computer"}, 60)};
  auto e = MustCreate(rules);
  ASSERT_NE(e, nullptr);
  HitOn(*e, 0, 0, "ws1");
  HitOn(*e, 1, 1, "ws1");
  EXPECT_EQ(e->TakeHits().size(), 1u);
  e->AdvanceTo(kBase + 30 * kSec);
  EXPECT_EQ(e->GroupCountForTest(0), 1u);  // muted until 61 s
  HitOn(*e, 0, 40, "ws1");
  HitOn(*e, 1, 41, "ws1");
  EXPECT_TRUE(e->TakeHits().empty());
  e->AdvanceTo(kBase + 200 * kSec);
  EXPECT_EQ(e->GroupCountForTest(0), 0u);
}

TEST(CorrelateTemporalTest, UnreferencedRuleIsIgnored) {
  auto rules = ThreeRules();
  rules.correlations = {
      MakeCorrelation("t", CorrelationType::kTemporal, {"a", "b"}, {"Computer"}, 60)};
  auto e = MustCreate(rules);
  ASSERT_NE(e, nullptr);
  EXPECT_FALSE(e->IsReferenced(2));
  HitOn(*e, 2, 0, "ws1");
  HitOn(*e, 99, 0, "ws1");
  EXPECT_EQ(e->counters().rule_hits, 0u);
}

}  // namespace
}  // namespace vigil::detect::correlate

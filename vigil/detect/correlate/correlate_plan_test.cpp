// Resolution of correlation references, cycles, field needs and `generate`.
#include <gtest/gtest.h>

#include "vigil/detect/correlate/correlate_test_util.h"

namespace vigil::detect::correlate {
namespace {

using sigma::CorrelationType;
using testing::MakeCorrelation;
using testing::MakeRule;
using testing::MustCreate;

bool HasProblem(const CorrelationEngine& engine, uint32_t correlation, std::string_view part) {
  for (const auto& p : engine.Problems()) {
    if (p.correlation == correlation && p.reason.find(part) != std::string::npos) {
      return true;
    }
  }
  return false;
}

TEST(CorrelatePlanTest, ResolvesRulesByIdAndByName) {
  sigma::RuleSet rules;
  rules.rules = {MakeRule("11111111-0000-4000-8000-000000000001", "failed_logon"),
                 MakeRule("11111111-0000-4000-8000-000000000002")};
  auto c = MakeCorrelation("c1", CorrelationType::kTemporal,
                           {"failed_logon", "11111111-0000-4000-8000-000000000002"}, {"Host"}, 60);
  rules.correlations = {c};
  auto engine = MustCreate(rules);
  ASSERT_NE(engine, nullptr);
  EXPECT_TRUE(engine->Problems().empty());
  EXPECT_TRUE(engine->IsActive(0));
  EXPECT_TRUE(engine->IsReferenced(0));
  EXPECT_TRUE(engine->IsReferenced(1));
  ASSERT_EQ(engine->NeededFields(0).size(), 1u);
  EXPECT_EQ(engine->NeededFields(0)[0].field, "Host");
  EXPECT_FALSE(engine->IsReferenced(7));  // out of range: no crash
  EXPECT_TRUE(engine->NeededFields(7).empty());
}

TEST(CorrelatePlanTest, UnknownReferenceIsReportedAndOthersKeepWorking) {
  sigma::RuleSet rules;
  rules.rules = {MakeRule("r1")};
  auto bad = MakeCorrelation("bad", CorrelationType::kEventCount, {"nope"}, {}, 60);
  bad.condition.gte = 2;
  auto good = MakeCorrelation("good", CorrelationType::kEventCount, {"r1"}, {}, 60);
  good.condition.gte = 2;
  rules.correlations = {bad, good};
  auto engine = MustCreate(rules);
  ASSERT_NE(engine, nullptr);
  ASSERT_EQ(engine->Problems().size(), 1u);
  EXPECT_TRUE(HasProblem(*engine, 0, "unknown rule or correlation 'nope'"));
  EXPECT_FALSE(engine->IsActive(0));
  EXPECT_TRUE(engine->IsActive(1));
  engine->OnRuleHit(0, 1 * testing::kSec, nullptr);
  engine->OnRuleHit(0, 2 * testing::kSec, nullptr);
  auto hits = engine->TakeHits();
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].correlation, 1u);
}

TEST(CorrelatePlanTest, CyclesAreRejectedWithTheirDependents) {
  sigma::RuleSet rules;
  rules.rules = {MakeRule("r1")};
  auto a = MakeCorrelation("a", CorrelationType::kTemporal, {"b", "r1"}, {}, 60);
  auto b = MakeCorrelation("b", CorrelationType::kTemporal, {"a", "r1"}, {}, 60);
  auto c = MakeCorrelation("c", CorrelationType::kTemporal, {"a"}, {}, 60);
  auto self = MakeCorrelation("self", CorrelationType::kTemporal, {"self"}, {}, 60);
  auto fine = MakeCorrelation("fine", CorrelationType::kTemporal, {"r1"}, {}, 60);
  rules.correlations = {a, b, c, self, fine};
  auto engine = MustCreate(rules);
  ASSERT_NE(engine, nullptr);
  EXPECT_EQ(engine->Problems().size(), 4u);
  EXPECT_TRUE(HasProblem(*engine, 0, "cycle"));
  EXPECT_TRUE(HasProblem(*engine, 1, "cycle"));
  EXPECT_TRUE(HasProblem(*engine, 2, "cycle"));
  EXPECT_TRUE(HasProblem(*engine, 3, "references itself"));
  EXPECT_TRUE(engine->IsActive(4));

  EngineOptions strict;
  strict.fail_on_unresolved = true;
  auto failed = CorrelationEngine::Create(rules, strict);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("4 correlation(s) cannot run"), std::string::npos);
}

TEST(CorrelatePlanTest, DependentOfBrokenCorrelationIsReported) {
  sigma::RuleSet rules;
  rules.rules = {MakeRule("r1")};
  auto broken = MakeCorrelation("broken", CorrelationType::kValueCount, {"r1"}, {}, 60);
  broken.condition.gte = 2;  // no condition.field
  auto outer = MakeCorrelation("outer", CorrelationType::kTemporal, {"broken", "r1"}, {}, 60);
  rules.correlations = {broken, outer};
  auto engine = MustCreate(rules);
  ASSERT_NE(engine, nullptr);
  EXPECT_TRUE(HasProblem(*engine, 0, "needs condition.field"));
  EXPECT_TRUE(HasProblem(*engine, 1, "cannot run"));
  EXPECT_FALSE(engine->IsReferenced(0));
  EXPECT_TRUE(engine->ShouldEmitBaseRule(0));  // its only correlations cannot run
}

TEST(CorrelatePlanTest, ShapeErrorsAreReported) {
  sigma::RuleSet rules;
  rules.rules = {MakeRule("r1"), MakeRule("dup", "x"), MakeRule("dup2", "x")};
  auto no_bound = MakeCorrelation("c0", CorrelationType::kEventCount, {"r1"}, {}, 60);
  auto no_span = MakeCorrelation("c1", CorrelationType::kEventCount, {"r1"}, {}, 0);
  no_span.condition.gte = 1;
  auto pct = MakeCorrelation("c2", CorrelationType::kValuePercentile, {"r1"}, {}, 60);
  pct.condition.field = "Bytes";
  pct.condition.gte = 1;
  pct.condition.percentile = 101;
  auto ambiguous = MakeCorrelation("c3", CorrelationType::kTemporal, {"x"}, {}, 60);
  auto empty = MakeCorrelation("c4", CorrelationType::kTemporal, {}, {}, 60);
  rules.correlations = {no_bound, no_span, pct, ambiguous, empty};
  auto engine = MustCreate(rules);
  ASSERT_NE(engine, nullptr);
  EXPECT_TRUE(HasProblem(*engine, 0, "no condition bound"));
  EXPECT_TRUE(HasProblem(*engine, 1, "positive timespan"));
  EXPECT_TRUE(HasProblem(*engine, 2, "percentile between 0 and 100"));
  EXPECT_TRUE(HasProblem(*engine, 3, "ambiguous"));
  EXPECT_TRUE(HasProblem(*engine, 4, "no referenced rules"));
}

TEST(CorrelatePlanTest, AliasesGiveEachRuleItsOwnField) {
  sigma::RuleSet rules;
  rules.rules = {MakeRule("r-out", "outbound"), MakeRule("r-in", "inbound")};
  auto c = MakeCorrelation("c", CorrelationType::kValueCount, {"outbound", "r-in"}, {"ip"}, 60);
  c.condition.field = "User";
  c.condition.gte = 2;
  c.aliases["ip"]["outbound"] = "SourceIp";
  c.aliases["ip"]["r-in"] = "DestinationIp";
  rules.correlations = {c};
  auto engine = MustCreate(rules);
  ASSERT_NE(engine, nullptr);
  ASSERT_EQ(engine->NeededFields(0).size(), 2u);
  EXPECT_EQ(engine->NeededFields(0)[0].field, "SourceIp");
  EXPECT_EQ(engine->NeededFields(0)[1].field, "User");
  ASSERT_EQ(engine->NeededFields(1).size(), 2u);
  EXPECT_EQ(engine->NeededFields(1)[0].field, "DestinationIp");
}

TEST(CorrelatePlanTest, ChainedGroupFieldMustComeFromInnerGroupBy) {
  sigma::RuleSet rules;
  rules.rules = {MakeRule("r1")};
  auto inner = MakeCorrelation("inner", CorrelationType::kEventCount, {"r1"}, {"Host"}, 60);
  inner.condition.gte = 2;
  auto outer = MakeCorrelation("outer", CorrelationType::kTemporal, {"inner", "r1"}, {"User"}, 60);
  rules.correlations = {inner, outer};
  auto engine = MustCreate(rules);
  ASSERT_NE(engine, nullptr);
  EXPECT_TRUE(HasProblem(*engine, 1, "group-by field 'User' is not a group-by field"));
  EXPECT_TRUE(engine->IsActive(0));
}

TEST(CorrelatePlanTest, GenerateDecidesWhetherBaseRulesAlertAlone) {
  sigma::RuleSet rules;
  rules.rules = {MakeRule("only-silent"), MakeRule("also-generate"), MakeRule("unused")};
  auto silent = MakeCorrelation("silent", CorrelationType::kEventCount,
                                {"only-silent", "also-generate"}, {}, 60);
  silent.condition.gte = 3;
  auto loud = MakeCorrelation("loud", CorrelationType::kEventCount, {"also-generate"}, {}, 60);
  loud.condition.gte = 3;
  loud.generate = true;
  auto outer = MakeCorrelation("outer", CorrelationType::kTemporal, {"silent", "loud"}, {}, 60);
  rules.correlations = {silent, loud, outer};
  auto engine = MustCreate(rules);
  ASSERT_NE(engine, nullptr);
  EXPECT_FALSE(engine->ShouldEmitBaseRule(0));
  EXPECT_TRUE(engine->ShouldEmitBaseRule(1));
  EXPECT_TRUE(engine->ShouldEmitBaseRule(2));
  EXPECT_FALSE(engine->ShouldEmitCorrelation(0));  // referenced by `outer` without generate
  EXPECT_FALSE(engine->ShouldEmitCorrelation(1));
  EXPECT_TRUE(engine->ShouldEmitCorrelation(2));
  EXPECT_FALSE(engine->ShouldEmitCorrelation(9));
}

TEST(CorrelatePlanTest, InvalidOptionsFail) {
  sigma::RuleSet rules;
  EngineOptions options;
  options.max_events_per_group = 0;
  EXPECT_FALSE(CorrelationEngine::Create(rules, options).ok());
  options = {};
  options.max_groups_per_correlation = 0;
  EXPECT_FALSE(CorrelationEngine::Create(rules, options).ok());
  options = {};
  options.max_disorder_us = -1;
  EXPECT_FALSE(CorrelationEngine::Create(rules, options).ok());
}

}  // namespace
}  // namespace vigil::detect::correlate

// event_count / value_count / value_sum / value_avg / value_percentile: exact thresholds,
// sliding and anchored windows, re-arm, disorder tolerance.
#include <gtest/gtest.h>

#include <limits>

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

// One rule, one correlation grouped by User; `set` adjusts type and condition.
std::unique_ptr<CorrelationEngine> OneCorrelation(CorrelationType type, int64_t span_seconds,
                                                  void (*set)(sigma::CorrelationCondition&),
                                                  const EngineOptions& options = {}) {
  sigma::RuleSet rules;
  rules.rules = {MakeRule("r1")};
  auto c = MakeCorrelation("c", type, {"r1"}, {"User"}, span_seconds);
  set(c.condition);
  rules.correlations = {c};
  return MustCreate(rules, options);
}

void Hit(CorrelationEngine& e, int64_t seconds, const std::string& user,
         const std::string& value = "") {
  Fields f = {{"User", user}};
  if (!value.empty()) {
    f["Value"] = value;
  }
  e.OnRuleHit(0, kBase + seconds * kSec, Getter(f));
}

TEST(CorrelateCountTest, EventCountGteFiresAtExactThreshold) {
  auto e = OneCorrelation(CorrelationType::kEventCount, 60, [](auto& c) { c.gte = 3; });
  ASSERT_NE(e, nullptr);
  Hit(*e, 0, "bob");
  Hit(*e, 1, "bob");
  EXPECT_TRUE(e->TakeHits().empty());
  Hit(*e, 2, "bob");
  auto hits = e->TakeHits();
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].value, 3);
  EXPECT_EQ(hits[0].events, 3u);
  EXPECT_EQ(hits[0].first_us, kBase);
  EXPECT_EQ(hits[0].last_us, kBase + 2 * kSec);
  ASSERT_EQ(hits[0].group.size(), 1u);
  EXPECT_EQ(hits[0].group[0], (std::pair<std::string, std::string>("User", "bob")));
  EXPECT_EQ(hits[0].rules_seen, std::vector<uint32_t>{0});
}

TEST(CorrelateCountTest, EventCountGtNeedsOneMore) {
  auto e = OneCorrelation(CorrelationType::kEventCount, 60, [](auto& c) { c.gt = 3; });
  ASSERT_NE(e, nullptr);
  for (int i = 0; i < 3; ++i) {
    Hit(*e, i, "bob");
  }
  EXPECT_TRUE(e->TakeHits().empty());
  Hit(*e, 3, "bob");
  auto hits = e->TakeHits();
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].value, 4);
}

TEST(CorrelateCountTest, GroupsAreCountedApart) {
  auto e = OneCorrelation(CorrelationType::kEventCount, 60, [](auto& c) { c.gte = 2; });
  ASSERT_NE(e, nullptr);
  Hit(*e, 0, "bob");
  Hit(*e, 1, "alice");
  EXPECT_TRUE(e->TakeHits().empty());
  Hit(*e, 2, "alice");
  auto hits = e->TakeHits();
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].group[0].second, "alice");
  EXPECT_EQ(e->GroupCountForTest(0), 2u);
}

TEST(CorrelateCountTest, WindowSlides) {
  auto e = OneCorrelation(CorrelationType::kEventCount, 60, [](auto& c) { c.gte = 3; });
  ASSERT_NE(e, nullptr);
  Hit(*e, 0, "bob");
  Hit(*e, 50, "bob");
  Hit(*e, 100, "bob");  // windows [0,60] and [50,110] hold two events each
  EXPECT_TRUE(e->TakeHits().empty());
  Hit(*e, 105, "bob");
  auto hits = e->TakeHits();
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].first_us, kBase + 50 * kSec);
  EXPECT_EQ(hits[0].last_us, kBase + 105 * kSec);
}

TEST(CorrelateCountTest, WindowEdgeIsInclusive) {
  auto e = OneCorrelation(CorrelationType::kEventCount, 60, [](auto& c) { c.gte = 2; });
  ASSERT_NE(e, nullptr);
  Hit(*e, 0, "bob");
  Hit(*e, 60, "bob");
  EXPECT_EQ(e->TakeHits().size(), 1u);
  Hit(*e, 100, "bob");
  Hit(*e, 110, "bob");  // meets the condition but ends before 60 + 60: muted
  EXPECT_TRUE(e->TakeHits().empty());
  Hit(*e, 121, "bob");
  auto hits = e->TakeHits();
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].first_us, kBase + 100 * kSec);
  EXPECT_EQ(hits[0].value, 3);
}

TEST(CorrelateCountTest, FiresOncePerWindowThenReArms) {
  auto e = OneCorrelation(CorrelationType::kEventCount, 60, [](auto& c) { c.gte = 3; });
  ASSERT_NE(e, nullptr);
  for (int i = 0; i < 10; ++i) {
    Hit(*e, i, "bob");  // hit at 2; 3..9 are inside the mute period (until 62)
  }
  auto hits = e->TakeHits();
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].last_us, kBase + 2 * kSec);
  Hit(*e, 61, "bob");
  Hit(*e, 62, "bob");
  EXPECT_TRUE(e->TakeHits().empty());
  Hit(*e, 63, "bob");  // window [3,63] holds 3..9, 61, 62, 63 and ends after 62
  hits = e->TakeHits();
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].first_us, kBase + 3 * kSec);
  EXPECT_EQ(hits[0].value, 10);
}

TEST(CorrelateCountTest, OutOfOrderWithinToleranceCounts) {
  EngineOptions options;
  options.max_disorder_us = 30 * kSec;
  auto e = OneCorrelation(
      CorrelationType::kEventCount, 60, [](auto& c) { c.gte = 3; }, options);
  ASSERT_NE(e, nullptr);
  Hit(*e, 100, "bob");
  Hit(*e, 75, "bob");  // 25 s late: kept
  Hit(*e, 60, "bob");  // 40 s late: dropped
  EXPECT_EQ(e->counters().late_dropped, 1u);
  EXPECT_TRUE(e->TakeHits().empty());
  Hit(*e, 80, "bob");  // 20 s late; window [75,135] holds 75, 80, 100
  auto hits = e->TakeHits();
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].first_us, kBase + 75 * kSec);
  EXPECT_EQ(hits[0].last_us, kBase + 100 * kSec);
}

TEST(CorrelateCountTest, LateEventCompletesAnOlderWindow) {
  EngineOptions options;
  options.max_disorder_us = 60 * kSec;
  auto e = OneCorrelation(
      CorrelationType::kEventCount, 60, [](auto& c) { c.gte = 3; }, options);
  ASSERT_NE(e, nullptr);
  Hit(*e, 0, "bob");
  Hit(*e, 10, "bob");
  Hit(*e, 100, "bob");
  Hit(*e, 50, "bob");  // [0,60] = {0,10,50}
  auto hits = e->TakeHits();
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].first_us, kBase);
  EXPECT_EQ(hits[0].last_us, kBase + 50 * kSec);
}

TEST(CorrelateCountTest, UpperBoundsAreDecidedWhenTheWindowCloses) {
  EngineOptions options;
  options.max_disorder_us = 5 * kSec;
  auto lt = OneCorrelation(
      CorrelationType::kEventCount, 60, [](auto& c) { c.lt = 3; }, options);
  ASSERT_NE(lt, nullptr);
  Hit(*lt, 0, "few");
  Hit(*lt, 30, "few");
  for (int i = 0; i < 3; ++i) {
    Hit(*lt, i, "many");
  }
  EXPECT_TRUE(lt->TakeHits().empty());
  lt->AdvanceTo(kBase + 65 * kSec);  // window [0,60] + 5 s disorder not yet passed
  EXPECT_TRUE(lt->TakeHits().empty());
  lt->AdvanceTo(kBase + 65 * kSec + 1);
  auto hits = lt->TakeHits();
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].group[0].second, "few");
  EXPECT_EQ(hits[0].value, 2);
  EXPECT_EQ(lt->GroupCountForTest(0), 0u);
  EXPECT_EQ(lt->counters().groups_expired, 2u);
}

TEST(CorrelateCountTest, EqLteNeqAndRanges) {
  struct Case {
    void (*set)(sigma::CorrelationCondition&);
    int events;
    bool fires;
  };
  const Case cases[] = {
      {[](auto& c) { c.eq = 3; }, 3, true},
      {[](auto& c) { c.eq = 3; }, 4, false},
      {[](auto& c) { c.lte = 3; }, 3, true},
      {[](auto& c) { c.lte = 3; }, 4, false},
      {[](auto& c) { c.neq = 3; }, 3, false},
      {[](auto& c) { c.neq = 3; }, 2, true},
      {[](auto& c) {
         c.gte = 2;
         c.lt = 4;
       },
       3, true},
      {[](auto& c) {
         c.gte = 2;
         c.lt = 4;
       },
       4, false},
      {[](auto& c) {
         c.gt = 2;
         c.lte = 4;
       },
       2, false},
  };
  for (const auto& tc : cases) {
    auto e = OneCorrelation(CorrelationType::kEventCount, 60, tc.set);
    ASSERT_NE(e, nullptr);
    for (int i = 0; i < tc.events; ++i) {
      Hit(*e, i, "bob");
    }
    e->AdvanceTo(kBase + 3600 * kSec);
    EXPECT_EQ(e->TakeHits().size(), tc.fires ? 1u : 0u) << "events=" << tc.events;
  }
}

TEST(CorrelateCountTest, DeferredWindowIsClosedByALaterEvent) {
  auto e = OneCorrelation(CorrelationType::kEventCount, 60, [](auto& c) { c.eq = 2; });
  ASSERT_NE(e, nullptr);
  Hit(*e, 0, "bob");
  Hit(*e, 59, "bob");
  Hit(*e, 200, "bob");  // closes [0,60]; opens [200,260]
  auto hits = e->TakeHits();
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].value, 2);
  Hit(*e, 30, "bob");  // inside the closed window: dropped
  EXPECT_EQ(e->counters().late_dropped, 1u);
}

TEST(CorrelateCountTest, ValueCountCountsDistinctValues) {
  auto e = OneCorrelation(CorrelationType::kValueCount, 300, [](auto& c) {
    c.field = "Value";
    c.gte = 3;
  });
  ASSERT_NE(e, nullptr);
  Hit(*e, 0, "10.0.0.5", "alice");
  Hit(*e, 1, "10.0.0.5", "alice");
  Hit(*e, 2, "10.0.0.5", "bob");
  Hit(*e, 3, "10.0.0.5", "bob");
  EXPECT_TRUE(e->TakeHits().empty());
  Hit(*e, 4, "10.0.0.5");  // no Value: skipped
  EXPECT_EQ(e->counters().missing_value_field, 1u);
  Hit(*e, 5, "10.0.0.5", "carol");
  auto hits = e->TakeHits();
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].value, 3);
  EXPECT_EQ(hits[0].events, 5u);
}

TEST(CorrelateCountTest, ValueSumAvgPercentile) {
  auto sum = OneCorrelation(CorrelationType::kValueSum, 60, [](auto& c) {
    c.field = "Value";
    c.gte = 100;
  });
  ASSERT_NE(sum, nullptr);
  Hit(*sum, 0, "h", "40");
  Hit(*sum, 1, "h", "59.5");
  Hit(*sum, 2, "h", "lots");
  EXPECT_EQ(sum->counters().non_numeric_value, 1u);
  EXPECT_TRUE(sum->TakeHits().empty());
  Hit(*sum, 3, "h", " 0.5 ");
  auto hits = sum->TakeHits();
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_DOUBLE_EQ(hits[0].value, 100);

  auto avg = OneCorrelation(CorrelationType::kValueAvg, 60, [](auto& c) {
    c.field = "Value";
    c.gt = 50;
  });
  ASSERT_NE(avg, nullptr);
  Hit(*avg, 0, "h", "200");  // an eager engine would fire here; the window's average is 50
  Hit(*avg, 1, "h", "0");
  Hit(*avg, 2, "h", "0");
  Hit(*avg, 3, "h", "0");
  Hit(*avg, 100, "k", "51");
  avg->AdvanceTo(kBase + 1000 * kSec);
  hits = avg->TakeHits();
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].group[0].second, "k");
  EXPECT_DOUBLE_EQ(hits[0].value, 51);

  auto pct = OneCorrelation(CorrelationType::kValuePercentile, 60, [](auto& c) {
    c.field = "Value";
    c.percentile = 90;
    c.gte = 100;
  });
  ASSERT_NE(pct, nullptr);
  for (int i = 1; i <= 10; ++i) {  // nearest rank 9 of 10: 100, not the outlier 1000
    Hit(*pct, i, "h", std::to_string(i == 9 ? 1000 : i * 10));
  }
  Hit(*pct, 200, "h", "1");  // closes [1,61]
  hits = pct->TakeHits();
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_DOUBLE_EQ(hits[0].value, 100);
  EXPECT_EQ(hits[0].events, 10u);
}

TEST(CorrelateCountTest, MissingGroupFieldIsSkippedAndCounted) {
  auto e = OneCorrelation(CorrelationType::kEventCount, 60, [](auto& c) { c.gte = 1; });
  ASSERT_NE(e, nullptr);
  Fields none;
  e->OnRuleHit(0, kBase, Getter(none));
  EXPECT_EQ(e->counters().missing_group_field, 1u);
  EXPECT_TRUE(e->TakeHits().empty());
}

TEST(CorrelateCountTest, TimestampExtremesDoNotOverflow) {
  auto e = OneCorrelation(CorrelationType::kEventCount, 60, [](auto& c) { c.gte = 2; });
  ASSERT_NE(e, nullptr);
  Fields f = {{"User", "x"}};
  e->OnRuleHit(0, std::numeric_limits<int64_t>::min() + 1, Getter(f));
  e->OnRuleHit(0, std::numeric_limits<int64_t>::max(), Getter(f));
  e->OnRuleHit(0, std::numeric_limits<int64_t>::max(), Getter(f));
  EXPECT_EQ(e->TakeHits().size(), 1u);
  e->AdvanceTo(std::numeric_limits<int64_t>::max());
  e->AdvanceTo(std::numeric_limits<int64_t>::min());
}

}  // namespace
}  // namespace vigil::detect::correlate

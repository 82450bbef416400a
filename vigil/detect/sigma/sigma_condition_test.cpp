// Unit tests for condition.h: every condition form, precedence and the error reasons.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "vigil/detect/sigma/condition.h"

namespace vigil::detect::sigma {
namespace {

const std::vector<std::string> kNames = {"selection", "filter_main_a", "filter_main_b",
                                         "filter_optional", "_private"};

// Compact rendering: S<i>, and(...), or(...), not(...).
std::string Show(const Condition& c) {
  switch (c.kind) {
    case Condition::Kind::kSearch:
      return "S" + std::to_string(c.search);
    case Condition::Kind::kNot:
      return "not(" + Show(c.children[0]) + ")";
    case Condition::Kind::kAnd:
    case Condition::Kind::kOr: {
      std::string out = c.kind == Condition::Kind::kAnd ? "and(" : "or(";
      for (size_t i = 0; i < c.children.size(); ++i) {
        out += (i ? "," : "") + Show(c.children[i]);
      }
      return out + ")";
    }
    case Condition::Kind::kTrue:
      return "true";
    case Condition::Kind::kFalse:
      return "false";
  }
  return "?";
}

std::string Parse(std::string_view text) {
  auto cond = ParseCondition(text, kNames);
  return cond.ok() ? Show(*cond) : "error: " + cond.error().message();
}

TEST(SigmaConditionTest, Forms) {
  EXPECT_EQ(Parse("selection"), "S0");
  EXPECT_EQ(Parse("selection and not filter_optional"), "and(S0,not(S3))");
  EXPECT_EQ(Parse("selection or filter_optional and filter_main_a"), "or(S0,and(S3,S1))");
  EXPECT_EQ(Parse("(selection or filter_optional) and filter_main_a"), "and(or(S0,S3),S1)");
  EXPECT_EQ(Parse("not not selection"), "not(not(S0))");
  EXPECT_EQ(Parse("selection and not 1 of filter_main_*"), "and(S0,not(or(S1,S2)))");
  EXPECT_EQ(Parse("all of filter_*"), "and(S1,S2,S3)");
  EXPECT_EQ(Parse("1 of them"), "or(S0,S1,S2,S3)");
  EXPECT_EQ(Parse("all of them"), "and(S0,S1,S2,S3)");
  EXPECT_EQ(Parse("1 of *_a"), "S1");
  EXPECT_EQ(Parse("1 of sel*"), "S0");
  EXPECT_EQ(Parse("_private"), "S4");
  EXPECT_EQ(Parse("selection AND NOT filter_optional"), "and(S0,not(S3))");
  EXPECT_EQ(Parse("not selection and filter_optional"), "and(not(S0),S3)");
}

TEST(SigmaConditionTest, ConditionListIsOr) {
  auto cond = ParseConditionList({"selection", "filter_optional"}, kNames);
  ASSERT_TRUE(cond.ok());
  EXPECT_EQ(Show(*cond), "or(S0,S3)");
}

TEST(SigmaConditionTest, Errors) {
  EXPECT_EQ(Parse("selektion"), "error: unknown search identifier 'selektion' in condition");
  EXPECT_EQ(Parse("1 of nothing_*"), "error: '1 of nothing_*' matches no search identifier");
  EXPECT_EQ(Parse("selection filter_optional"),
            "error: unexpected 'filter_optional' in condition 'selection filter_optional'");
  EXPECT_EQ(Parse("(selection"), "error: missing ')' in condition '(selection'");
  EXPECT_EQ(Parse("selection)"), "error: unexpected ')' in condition 'selection)'");
  EXPECT_EQ(Parse("selection and"), "error: condition 'selection and' ends unexpectedly");
  EXPECT_EQ(Parse(""), "error: empty condition");
  EXPECT_EQ(Parse("filter_*"),
            "error: pattern 'filter_*' needs '1 of' or 'all of' in condition 'filter_*'");
  EXPECT_EQ(Parse("2 of filter_*"),
            "error: unsupported quantifier '2' in condition (use 1 or all)");
  const std::string pipe =
      "error: sigma 1.x aggregation in condition is not supported; rewrite as a correlation rule";
  EXPECT_EQ(Parse("selection | count() > 5"), pipe);
  EXPECT_EQ(Parse("selection | count(User) by Host > 5"), pipe);
  EXPECT_EQ(Parse("selection near filter_optional"), pipe);
}

TEST(SigmaConditionTest, DeepNestingIsAnErrorNotACrash) {
  std::string deep(5000, '(');
  deep += "selection";
  deep += std::string(5000, ')');
  EXPECT_EQ(Parse(deep), "error: condition nested too deeply");
  std::string nots;
  for (int i = 0; i < 5000; ++i) nots += "not ";
  EXPECT_EQ(Parse(nots + "selection"), "error: condition nested too deeply");
}

TEST(SigmaConditionTest, NamePatterns) {
  EXPECT_TRUE(MatchesNamePattern("a*", "abc"));
  EXPECT_TRUE(MatchesNamePattern("*c", "abc"));
  EXPECT_TRUE(MatchesNamePattern("a*b*c", "axxbyyc"));
  EXPECT_FALSE(MatchesNamePattern("a*d", "abc"));
  EXPECT_TRUE(MatchesNamePattern("*", ""));
  EXPECT_FALSE(MatchesNamePattern("abc", "abcd"));
}

}  // namespace
}  // namespace vigil::detect::sigma

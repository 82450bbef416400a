#include "vigil/kql/functions/registry.h"

#include <gtest/gtest.h>
#include <re2/re2.h>

#include <string>

namespace vigil::kql {
namespace {

ScalarFunction Scalar(std::string name) {
  ScalarFunction fn;
  fn.name = std::move(name);
  fn.min_args = 1;
  fn.max_args = 1;
  fn.impl = [](std::span<const Value> args, FunctionContext&) { return args[0]; };
  return fn;
}

TEST(RegistryTest, AddFindAndNames) {
  Registry r;
  r.AddScalar(Scalar("tolower"));
  r.AddScalar(Scalar("strlen"));
  ASSERT_NE(r.FindScalar("tolower"), nullptr);
  EXPECT_EQ(r.FindScalar("tolower")->name, "tolower");
  EXPECT_EQ(r.FindScalar("ToLower"), nullptr);  // case-sensitive, as Kusto
  EXPECT_EQ(r.FindAggregate("tolower"), nullptr);
  EXPECT_EQ(r.ScalarNames(), (std::vector<std::string>{"strlen", "tolower"}));
  EXPECT_TRUE(r.AggregateNames().empty());
}

TEST(RegistryTest, LaterRegistrationReplacesEarlier) {
  Registry r;
  ScalarFunction a = Scalar("f");
  a.max_args = 1;
  r.AddScalar(std::move(a));
  ScalarFunction b = Scalar("f");
  b.max_args = 3;
  r.AddScalar(std::move(b));
  EXPECT_EQ(r.FindScalar("f")->max_args, 3);
  EXPECT_EQ(r.ScalarNames().size(), 1u);
}

TEST(RegexCacheTest, CompilesAndCaches) {
  RegexCache cache;
  const re2::RE2* re = cache.Get("(?i)mimi(katz)");
  ASSERT_NE(re, nullptr);
  EXPECT_TRUE(re2::RE2::PartialMatch("run MIMIKATZ.exe", *re));
  EXPECT_EQ(cache.Get("(?i)mimi(katz)"), re);
}

TEST(RegexCacheTest, InvalidPatternYieldsNullAndMessage) {
  RegexCache cache;
  std::string error;
  EXPECT_EQ(cache.Get("a(b", &error), nullptr);
  EXPECT_NE(error.find("invalid regular expression 'a(b'"), std::string::npos) << error;
  EXPECT_EQ(cache.Get("(?<=x)y"), nullptr);  // look-behind: not RE2, rejected, no crash
  EXPECT_EQ(cache.Get("\\"), nullptr);
}

TEST(RegexCacheTest, Utf8Patterns) {
  RegexCache cache;
  const re2::RE2* re = cache.Get("^caf.$");
  ASSERT_NE(re, nullptr);
  EXPECT_TRUE(re2::RE2::FullMatch("caf\xc3\xa9", *re));  // '.' matches one code point
}

TEST(RegexCacheTest, HugePatternsAreRefused) {
  RegexCache cache;
  std::string error;
  EXPECT_EQ(cache.Get(std::string(100000, 'a'), &error), nullptr);
  EXPECT_FALSE(error.empty());
  // A pattern whose program exceeds the memory budget fails to compile instead of growing.
  EXPECT_EQ(cache.Get("(((a{100}){100}){100})"), nullptr);
}

TEST(RegexCacheTest, BoundedEntriesKeepEarlierPointersValid) {
  RegexCache cache;
  const re2::RE2* first = cache.Get("first[0-9]+");
  ASSERT_NE(first, nullptr);
  for (int i = 0; i < 1500; ++i) {
    const re2::RE2* re = cache.Get("p" + std::to_string(i));
    ASSERT_NE(re, nullptr);
    EXPECT_TRUE(re2::RE2::FullMatch("p" + std::to_string(i), *re));
  }
  EXPECT_EQ(cache.Get("first[0-9]+"), first);
  EXPECT_TRUE(re2::RE2::FullMatch("first42", *first));
}

}  // namespace
}  // namespace vigil::kql

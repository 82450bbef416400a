#include "vigil/api/server/url_codec.h"

#include <gtest/gtest.h>

namespace vigil::api {
namespace {

TEST(UrlCodecTest, DecodesPathAndQuery) {
  auto target = ParseTarget("/api/alerts%2Fx?%24filter=status+eq+%27New%27&%24top=5&flag");
  ASSERT_TRUE(target.has_value());
  EXPECT_EQ(target->path, "/api/alerts/x");
  EXPECT_EQ(target->query.find("$filter")->second, "status eq 'New'");
  EXPECT_EQ(target->query.find("$top")->second, "5");
  EXPECT_EQ(target->query.find("flag")->second, "");
  auto plus_in_path = ParseTarget("/a+b");
  ASSERT_TRUE(plus_in_path.has_value());
  EXPECT_EQ(plus_in_path->path, "/a+b");
}

TEST(UrlCodecTest, RejectsBadInput) {
  EXPECT_FALSE(ParseTarget("http://host/x").has_value());
  EXPECT_FALSE(ParseTarget("").has_value());
  EXPECT_FALSE(ParseTarget("/a%2").has_value());
  EXPECT_FALSE(ParseTarget("/a%zz").has_value());
  EXPECT_FALSE(ParseTarget("/a%00b").has_value());
  EXPECT_FALSE(ParseForm("a=%").has_value());
}

TEST(UrlCodecTest, FormKeepsRepeatedNames) {
  auto form = ParseForm("a=1&&a=2&b=x%20y");
  ASSERT_TRUE(form.has_value());
  EXPECT_EQ(form->count("a"), 2u);
  EXPECT_EQ(form->find("b")->second, "x y");
}

}  // namespace
}  // namespace vigil::api

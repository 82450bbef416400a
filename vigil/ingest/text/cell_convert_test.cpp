#include "vigil/ingest/text/internal/cell_convert.h"

#include <gtest/gtest.h>

#include "vigil/base/time.h"
#include "vigil/ingest/text/internal/json_text.h"

namespace vigil::ingest::internal {
namespace {

TEST(CellConvertTest, TimeSpanForms) {
  EXPECT_EQ(ParseTimeSpanText("00:05:00"), 300 * kTicksPerSecond);
  EXPECT_EQ(ParseTimeSpanText("01:02"), (3600 + 120) * kTicksPerSecond);
  EXPECT_EQ(ParseTimeSpanText("1.02:03:04.5"),
            (((24 + 2) * 60 + 3) * 60 + 4) * kTicksPerSecond + kTicksPerSecond / 2);
  EXPECT_EQ(ParseTimeSpanText("-00:00:01.0000001"), -(kTicksPerSecond + 1));
  EXPECT_EQ(ParseTimeSpanText("2d"), 2 * kTicksPerDay);
  EXPECT_EQ(ParseTimeSpanText("1.5h"), 5400 * kTicksPerSecond);
  EXPECT_EQ(ParseTimeSpanText("100ms"), 100 * kTicksPerMillisecond);
  EXPECT_EQ(ParseTimeSpanText("7tick"), 7);
  EXPECT_FALSE(ParseTimeSpanText("25:00:00"));
  EXPECT_FALSE(ParseTimeSpanText("00:60"));
  EXPECT_FALSE(ParseTimeSpanText("abc"));
  EXPECT_FALSE(ParseTimeSpanText("5 parsecs"));
  EXPECT_FALSE(ParseTimeSpanText(""));
  EXPECT_FALSE(ParseTimeSpanText("1."));
}

TEST(CellConvertTest, NumbersAndBools) {
  EXPECT_EQ(ParseInt64Text("+12"), 12);
  EXPECT_EQ(ParseInt64Text(" -7 "), -7);
  EXPECT_FALSE(ParseInt64Text("9223372036854775808"));
  EXPECT_FALSE(ParseInt64Text("1.0"));
  EXPECT_FALSE(ParseInt64Text("+-1"));
  EXPECT_FALSE(ParseInt64Text(""));
  EXPECT_EQ(ParseRealText("1e3"), 1000.0);
  EXPECT_FALSE(ParseRealText("1,5"));
  EXPECT_EQ(ParseBoolText("TRUE"), true);
  EXPECT_EQ(ParseBoolText("0"), false);
  EXPECT_FALSE(ParseBoolText("yes"));
}

TEST(CellConvertTest, GuidsAreCanonicalised) {
  std::string out;
  EXPECT_TRUE(ParseGuidText("{ABCDEF01-2345-6789-ABCD-EF0123456789}", out));
  EXPECT_EQ(out, "abcdef01-2345-6789-abcd-ef0123456789");
  EXPECT_FALSE(ParseGuidText("ABCDEF01-2345-6789-ABCD-EF012345678", out));
  EXPECT_FALSE(ParseGuidText("ABCDEF01x2345-6789-ABCD-EF0123456789", out));
  EXPECT_FALSE(ParseGuidText("GBCDEF01-2345-6789-ABCD-EF0123456789", out));
}

TEST(CellConvertTest, JsonStringEscapingRepairsInvalidUtf8) {
  std::string out;
  AppendJsonString(out, std::string_view("a\"b\\c\n\x01\xC3\xA9\xFF", 10));
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u0001\xC3\xA9\xEF\xBF\xBD\"");
}

TEST(CellConvertTest, AdditionalFieldsBuilderMergesObjects) {
  AdditionalFieldsBuilder builder;
  EXPECT_TRUE(builder.empty());
  builder.AddString("a", "x");
  builder.MergeObject(R"( { "b" : 1 } )");
  builder.MergeObject("{}");
  builder.AddJson("c", "[1]");
  EXPECT_EQ(builder.Finish(), R"({"a":"x","b" : 1 ,"c":[1]})");
  builder.Reset();
  EXPECT_EQ(builder.Finish(), "{}");
}

}  // namespace
}  // namespace vigil::ingest::internal

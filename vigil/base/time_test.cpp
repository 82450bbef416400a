#include "vigil/base/time.h"

#include <cstdint>

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(TimeTest, ParsesIsoWithTAndZ) {
  const auto ticks = ParseDateTime("2025-11-27T07:40:10.165324Z");
  ASSERT_TRUE(ticks.has_value());
  EXPECT_EQ(FormatDateTime(*ticks), "2025-11-27T07:40:10.1653240Z");
}

TEST(TimeTest, ParsesSpaceSeparatorAndSevenDigits) {
  const auto ticks = ParseDateTime("2026-10-24 00:00:00.0695011");
  ASSERT_TRUE(ticks.has_value());
  EXPECT_EQ(FormatDateTime(*ticks), "2026-10-24T00:00:00.0695011Z");
}

TEST(TimeTest, AppliesOffsets) {
  EXPECT_EQ(ParseDateTime("2026-01-01T02:00:00+02:00"), ParseDateTime("2026-01-01T00:00:00Z"));
}

TEST(TimeTest, ParsesDateOnlyAndEpoch) {
  EXPECT_EQ(ParseDateTime("1970-01-01"), 0);
  EXPECT_EQ(ParseDateTime("1969-12-31T23:59:59Z"), -kTicksPerSecond);
  EXPECT_EQ(DayOf(-1), -1);
}

TEST(TimeTest, RejectsGarbage) {
  EXPECT_FALSE(ParseDateTime("yesterday").has_value());
  EXPECT_FALSE(ParseDateTime("2026-13-01").has_value());
  EXPECT_FALSE(ParseDateTime("2026-01-01T00:00:00Zjunk").has_value());
}

TEST(TimeTest, ExtremeTicksDoNotOverflow) {
  // Event timestamps are untrusted; the extremes must format without undefined behaviour.
  EXPECT_EQ(DayOf(INT64_MIN), INT64_MIN / kTicksPerDay - 1);
  EXPECT_EQ(DayOf(INT64_MAX), INT64_MAX / kTicksPerDay);
  EXPECT_EQ(DayOf(-kTicksPerDay), -1);
  EXPECT_EQ(DayOf(kTicksPerDay - 1), 0);
  EXPECT_FALSE(FormatDateTime(INT64_MIN).empty());
  EXPECT_EQ(FormatDateTime(INT64_MAX).substr(0, 5), "31197");
}

TEST(TimeTest, FileTimeConversion) {
  EXPECT_EQ(FileTimeToTicks(static_cast<uint64_t>(kFileTimeUnixEpochTicks)), 0);
}

}  // namespace
}  // namespace vigil

TEST(TimeTest, ParsesUsMonthDayYearForms) {
  EXPECT_EQ(vigil::FormatDateTime(*vigil::ParseDateTime("02/17/2016 08:40:00")), "2016-02-17T08:40:00.0000000Z");
  EXPECT_EQ(vigil::FormatDateTime(*vigil::ParseDateTime("2/7/2016 8:40:01 PM")), "2016-02-07T20:40:01.0000000Z");
  EXPECT_EQ(vigil::FormatDateTime(*vigil::ParseDateTime("12/31/2021")), "2021-12-31T00:00:00.0000000Z");
  EXPECT_FALSE(vigil::ParseDateTime("13/01/2016").has_value());
  EXPECT_FALSE(vigil::ParseDateTime("1/2/16").has_value());
}

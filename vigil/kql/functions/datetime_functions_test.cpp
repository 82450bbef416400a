#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "vigil/base/time.h"
#include "vigil/kql/functions/registry.h"
#include "vigil/kql/value.h"

namespace vigil::kql {
namespace {

class DateTimeFunctionsTest : public ::testing::Test {
 protected:
  DateTimeFunctionsTest() { RegisterDateTimeFunctions(registry_); }

  Value Call(std::string_view name, std::vector<Value> args, int64_t now = 0) {
    const ScalarFunction* fn = registry_.FindScalar(name);
    EXPECT_NE(fn, nullptr) << name;
    if (fn == nullptr) {
      return Value();
    }
    FunctionContext ctx;
    ctx.now_ticks = now;
    return fn->impl(args, ctx);
  }
  std::string Text(std::string_view name, std::vector<Value> args) {
    return Call(name, std::move(args)).ToText();
  }

  Registry registry_;
};

Value Dt(std::string_view text) { return Value::DateTime(*ParseDateTime(text)); }
Value Ts(int64_t seconds) { return Value::TimeSpan(seconds * kTicksPerSecond); }
Value S(const char* s) { return Value::String(s); }
Value L(int64_t v) { return Value::Long(v); }

TEST_F(DateTimeFunctionsTest, NowAndAgo) {
  const int64_t now = *ParseDateTime("2024-03-10T12:00:00Z");
  EXPECT_EQ(Call("now", {}, now).AsInt64(), now);
  EXPECT_EQ(Call("now", {Ts(-3600)}, now).ToText(), "2024-03-10T11:00:00.0000000Z");
  EXPECT_EQ(Call("ago", {Ts(86400)}, now).ToText(), "2024-03-09T12:00:00.0000000Z");
  EXPECT_TRUE(Call("ago", {Value()}, now).is_null());
  // Constant within a query (folded at plan time like ago()).
  EXPECT_TRUE(registry_.FindScalar("now")->deterministic);
}

TEST_F(DateTimeFunctionsTest, CalendarParts) {
  const Value dt = Dt("2015-12-14T02:03:04.1234567Z");
  EXPECT_EQ(Call("getyear", {dt}).AsInt64(), 2015);
  EXPECT_EQ(Call("getmonth", {dt}).AsInt64(), 12);
  EXPECT_EQ(Call("monthofyear", {dt}).AsInt64(), 12);
  EXPECT_EQ(Call("dayofmonth", {dt}).AsInt64(), 14);
  EXPECT_EQ(Call("dayofyear", {dt}).AsInt64(), 348);
  EXPECT_EQ(Call("hourofday", {dt}).AsInt64(), 2);
  EXPECT_EQ(Call("getmonth", {dt}).kind(), Kind::kInt);
  // 1947-11-30 was a Sunday; 1970-05-11 a Monday.
  EXPECT_EQ(Call("dayofweek", {Dt("1947-11-30 10:00:05")}).ToText(), "00:00:00");
  EXPECT_EQ(Call("dayofweek", {Dt("1970-05-11")}).ToText(), "1.00:00:00");
  // ISO 8601 weeks.
  EXPECT_EQ(Call("weekofyear", {Dt("2020-12-31")}).AsInt64(), 53);
  EXPECT_EQ(Call("weekofyear", {Dt("2020-06-15")}).AsInt64(), 25);
  EXPECT_EQ(Call("week_of_year", {Dt("2021-01-01")}).AsInt64(), 53);
  EXPECT_EQ(Call("week_of_year", {Dt("2019-12-30")}).AsInt64(), 1);
  EXPECT_TRUE(Call("getyear", {Value()}).is_null());
  EXPECT_TRUE(Call("getyear", {S("2015-12-14")}).is_null());
}

TEST_F(DateTimeFunctionsTest, DateTimePart) {
  const Value dt = Dt("2017-10-30 01:02:03.7654321");
  EXPECT_EQ(Call("datetime_part", {S("Year"), dt}).AsInt64(), 2017);
  EXPECT_EQ(Call("datetime_part", {S("Quarter"), dt}).AsInt64(), 4);
  EXPECT_EQ(Call("datetime_part", {S("Month"), dt}).AsInt64(), 10);
  EXPECT_EQ(Call("datetime_part", {S("week_of_year"), dt}).AsInt64(), 44);
  EXPECT_EQ(Call("datetime_part", {S("Day"), dt}).AsInt64(), 30);
  EXPECT_EQ(Call("datetime_part", {S("DayOfYear"), dt}).AsInt64(), 303);
  EXPECT_EQ(Call("datetime_part", {S("Hour"), dt}).AsInt64(), 1);
  EXPECT_EQ(Call("datetime_part", {S("Minute"), dt}).AsInt64(), 2);
  EXPECT_EQ(Call("datetime_part", {S("Second"), dt}).AsInt64(), 3);
  EXPECT_EQ(Call("datetime_part", {S("Millisecond"), dt}).AsInt64(), 765);
  EXPECT_EQ(Call("datetime_part", {S("Microsecond"), dt}).AsInt64(), 765432);
  EXPECT_EQ(Call("datetime_part", {S("Nanosecond"), dt}).AsInt64(), 765432100);
  EXPECT_TRUE(Call("datetime_part", {S("fortnight"), dt}).is_null());
}

TEST_F(DateTimeFunctionsTest, DateTimeAdd) {
  const Value dt = Dt("2017-10-30 01:02:03.7654321");
  EXPECT_EQ(Text("datetime_add", {S("year"), L(1), dt}), "2018-10-30T01:02:03.7654321Z");
  EXPECT_EQ(Text("datetime_add", {S("quarter"), L(1), dt}), "2018-01-30T01:02:03.7654321Z");
  EXPECT_EQ(Text("datetime_add", {S("month"), L(1), dt}), "2017-11-30T01:02:03.7654321Z");
  EXPECT_EQ(Text("datetime_add", {S("week"), L(1), dt}), "2017-11-06T01:02:03.7654321Z");
  EXPECT_EQ(Text("datetime_add", {S("day"), L(1), dt}), "2017-10-31T01:02:03.7654321Z");
  EXPECT_EQ(Text("datetime_add", {S("hour"), L(1), dt}), "2017-10-30T02:02:03.7654321Z");
  EXPECT_EQ(Text("datetime_add", {S("minute"), L(1), dt}), "2017-10-30T01:03:03.7654321Z");
  EXPECT_EQ(Text("datetime_add", {S("second"), L(1), dt}), "2017-10-30T01:02:04.7654321Z");
  EXPECT_EQ(Text("datetime_add", {S("millisecond"), L(1), dt}), "2017-10-30T01:02:03.7664321Z");
  EXPECT_EQ(Text("datetime_add", {S("microsecond"), L(1), dt}), "2017-10-30T01:02:03.7654331Z");
  EXPECT_EQ(Text("datetime_add", {S("nanosecond"), L(100), dt}), "2017-10-30T01:02:03.7654322Z");
  // Month ends clamp; leap years.
  EXPECT_EQ(Text("datetime_add", {S("month"), L(1), Dt("2017-01-31")}),
            "2017-02-28T00:00:00.0000000Z");
  EXPECT_EQ(Text("datetime_add", {S("year"), L(-1), Dt("2024-02-29")}),
            "2023-02-28T00:00:00.0000000Z");
  EXPECT_TRUE(Call("datetime_add", {S("year"), L(9000), dt}).is_null());
  EXPECT_TRUE(Call("datetime_add", {S("day"), L(INT64_MAX), dt}).is_null());
}

TEST_F(DateTimeFunctionsTest, DateTimeDiffDocumentedExamples) {
  auto diff = [&](const char* part, const char* a, const char* b) {
    return Call("datetime_diff", {S(part), Dt(a), Dt(b)}).AsInt64();
  };
  EXPECT_EQ(diff("year", "2017-01-01", "2000-12-31"), 17);
  EXPECT_EQ(diff("quarter", "2017-07-01", "2017-03-30"), 2);
  EXPECT_EQ(diff("month", "2017-01-01", "2015-12-30"), 13);
  EXPECT_EQ(diff("week", "2017-10-29 00:00", "2017-09-30 23:59"), 5);
  EXPECT_EQ(diff("day", "2017-10-29 00:00", "2017-09-30 23:59"), 29);
  EXPECT_EQ(diff("hour", "2017-10-31 01:00", "2017-10-30 23:59"), 2);
  EXPECT_EQ(diff("minute", "2017-10-30 23:05:01", "2017-10-30 23:00:59"), 5);
  EXPECT_EQ(diff("second", "2017-10-30 23:00:10.100", "2017-10-30 23:00:00.900"), 10);
  EXPECT_EQ(diff("millisecond", "2017-10-30 23:00:00.200100", "2017-10-30 23:00:00.100900"), 100);
  EXPECT_EQ(diff("microsecond", "2017-10-30 23:00:00.1009001", "2017-10-30 23:00:00.1008009"), 100);
  EXPECT_EQ(diff("nanosecond", "2017-10-30 23:00:00.0000000", "2017-10-30 23:00:00.0000007"), -700);
  EXPECT_EQ(Call("datetime_diff", {S("day"), Value(), Dt("2017-01-01")}).kind(), Kind::kNull);
}

TEST_F(DateTimeFunctionsTest, StartAndEndOfPeriods) {
  const Value dt = Dt("2017-01-01 10:10:17");
  EXPECT_EQ(Text("startofday", {dt}), "2017-01-01T00:00:00.0000000Z");
  EXPECT_EQ(Text("startofday", {dt, L(-1)}), "2016-12-31T00:00:00.0000000Z");
  EXPECT_EQ(Text("startofday", {dt, L(1)}), "2017-01-02T00:00:00.0000000Z");
  EXPECT_EQ(Text("startofweek", {dt}), "2017-01-01T00:00:00.0000000Z");  // a Sunday
  EXPECT_EQ(Text("startofweek", {Dt("2017-01-04")}), "2017-01-01T00:00:00.0000000Z");
  EXPECT_EQ(Text("startofweek", {dt, L(1)}), "2017-01-08T00:00:00.0000000Z");
  EXPECT_EQ(Text("startofmonth", {dt, L(-1)}), "2016-12-01T00:00:00.0000000Z");
  EXPECT_EQ(Text("startofyear", {dt, L(1)}), "2018-01-01T00:00:00.0000000Z");
  EXPECT_EQ(Text("endofday", {dt}), "2017-01-01T23:59:59.9999999Z");
  EXPECT_EQ(Text("endofday", {dt, L(1)}), "2017-01-02T23:59:59.9999999Z");
  EXPECT_EQ(Text("endofweek", {dt}), "2017-01-07T23:59:59.9999999Z");
  EXPECT_EQ(Text("endofmonth", {Dt("2016-02-10")}), "2016-02-29T23:59:59.9999999Z");
  EXPECT_EQ(Text("endofyear", {dt, L(-1)}), "2016-12-31T23:59:59.9999999Z");
  EXPECT_TRUE(Call("startofday", {Value()}).is_null());
}

TEST_F(DateTimeFunctionsTest, BinAndFloor) {
  EXPECT_EQ(Call("bin", {Value::Real(4.5), L(1)}).AsReal(), 4.0);
  EXPECT_EQ(Call("bin", {Value::Long(10), L(3)}).AsInt64(), 9);
  EXPECT_EQ(Call("bin", {Value::Long(-1), L(5)}).AsInt64(), -5);
  EXPECT_EQ(Call("bin", {Value::Real(-0.5), Value::Real(0.25)}).AsReal(), -0.5);
  EXPECT_EQ(Text("bin", {Value::TimeSpan(kTicksPerSecond * 4 + 7), Ts(1)}), "00:00:04");
  EXPECT_EQ(Text("bin", {Dt("1970-05-11 13:45:00"), Ts(86400)}), "1970-05-11T00:00:00.0000000Z");
  EXPECT_EQ(Text("bin", {Dt("2024-03-10 13:47:12"), Ts(900)}), "2024-03-10T13:45:00.0000000Z");
  EXPECT_EQ(Text("floor", {Dt("2024-03-10 13:47:12"), Ts(3600)}), "2024-03-10T13:00:00.0000000Z");
  // 7-day bins are aligned to 0001-01-01 (a Monday), as in Kusto.
  EXPECT_EQ(Text("bin", {Dt("2024-03-10"), Ts(7 * 86400)}), "2024-03-04T00:00:00.0000000Z");
  EXPECT_TRUE(Call("bin", {L(5), L(0)}).is_null());
  EXPECT_TRUE(Call("bin", {Dt("2024-03-10"), L(5)}).is_null());
  EXPECT_TRUE(Call("bin", {Value(), Ts(1)}).is_null());
  // Types: bin(int, real) is real.
  std::string error;
  const Type types[] = {Type::kLong, Type::kReal};
  EXPECT_EQ(registry_.FindScalar("bin")->return_type(types, &error), Type::kReal);
  const Type bad[] = {Type::kString, Type::kLong};
  EXPECT_FALSE(registry_.FindScalar("bin")->return_type(bad, &error).has_value());
  EXPECT_NE(error.find("bin()"), std::string::npos);
}

TEST_F(DateTimeFunctionsTest, BinAt) {
  EXPECT_EQ(Call("bin_at", {Value::Real(6.5), Value::Real(2.5), Value::Long(7)}).AsReal(), 4.5);
  EXPECT_EQ(Text("bin_at", {Value::TimeSpan(3600 * kTicksPerSecond), Ts(86400), Ts(12 * 3600)}),
            "-12:00:00");
  EXPECT_EQ(Text("bin_at", {Dt("2017-05-15 10:20:00"), Ts(86400), Dt("1970-01-01 12:00")}),
            "2017-05-14T12:00:00.0000000Z");
  EXPECT_EQ(Text("bin_at", {Dt("2017-05-17 10:20:00"), Ts(7 * 86400), Dt("2017-05-14 00:00")}),
            "2017-05-14T00:00:00.0000000Z");
}

TEST_F(DateTimeFunctionsTest, MakeDateTimeAndTimeSpan) {
  EXPECT_EQ(Text("make_datetime", {L(2017), L(10), L(1)}), "2017-10-01T00:00:00.0000000Z");
  EXPECT_EQ(Text("make_datetime", {L(2017), L(10), L(1), L(12), L(10)}),
            "2017-10-01T12:10:00.0000000Z");
  EXPECT_EQ(Text("make_datetime", {L(2017), L(10), L(1), L(12), L(11), Value::Real(0.1234567)}),
            "2017-10-01T12:11:00.1234567Z");
  EXPECT_TRUE(Call("make_datetime", {L(2017), L(2), L(30)}).is_null());
  EXPECT_TRUE(Call("make_datetime", {L(2017), L(13), L(1)}).is_null());
  EXPECT_EQ(Text("make_timespan", {L(1), L(12)}), "01:12:00");
  EXPECT_EQ(Text("make_timespan", {L(1), L(12), L(30)}), "01:12:30");
  EXPECT_EQ(Text("make_timespan", {L(1), L(12), L(30), Value::Real(55.110)}), "1.12:30:55.1100000");
}

TEST_F(DateTimeFunctionsTest, FormatDateTimeDocumentedExamples) {
  const Value dt = Dt("2015-12-14 02:03:04.12345");
  EXPECT_EQ(Text("format_datetime", {dt, S("y-M-d h:m:s.fffffff")}), "15-12-14 2:3:4.1234500");
  const Value dt2 = Dt("2017-01-29 09:00:05");
  EXPECT_EQ(Text("format_datetime", {dt2, S("yy-MM-dd [HH:mm:ss]")}), "17-01-29 [09:00:05]");
  EXPECT_EQ(Text("format_datetime", {dt2, S("yyyy-M-dd [H:mm:ss]")}), "2017-1-29 [9:00:05]");
  EXPECT_EQ(Text("format_datetime", {dt2, S("yy-MM-dd [hh:mm:ss tt]")}), "17-01-29 [09:00:05 AM]");
  EXPECT_EQ(Text("format_datetime", {Dt("2017-01-29 21:00:05"), S("h tt")}), "9 PM");
  EXPECT_EQ(Text("format_datetime", {Dt("2009-06-15T13:45:30.6170000"), S("ss.FF")}), "30.61");
  EXPECT_EQ(Text("format_datetime", {Dt("2009-06-15T13:45:30.0050000"), S("ss.FF")}), "30");
  EXPECT_EQ(Text("format_datetime", {Dt("2009-06-15T13:45:30.0001150"), S("fffffff")}), "0001150");
  EXPECT_TRUE(Call("format_datetime", {Value(), S("yyyy")}).is_null());
}

TEST_F(DateTimeFunctionsTest, FormatTimeSpanDocumentedExamples) {
  const Value ts = Value::TimeSpan(29 * kTicksPerDay + 9 * 3600 * kTicksPerSecond +
                                   5 * kTicksPerSecond + 1234500);
  EXPECT_EQ(Text("format_timespan", {ts, S("dd.hh:mm:ss [FF]")}), "29.09:00:05 [12]");
  EXPECT_EQ(Text("format_timespan", {ts, S("ddd.h:mm:ss [fffffff]")}), "029.9:00:05 [1234500]");
  EXPECT_EQ(Text("format_timespan", {Value::TimeSpan(-kTicksPerSecond * 90), S("hh:mm:ss")}),
            "-00:01:30");
}

TEST_F(DateTimeFunctionsTest, ToDateTimeAndToTimeSpan) {
  EXPECT_EQ(Text("todatetime", {S("2015-12-24")}), "2015-12-24T00:00:00.0000000Z");
  EXPECT_EQ(Text("todatetime", {S("2015-12-24T10:11:12.5+02:00")}), "2015-12-24T08:11:12.5000000Z");
  EXPECT_EQ(Text("todatetime", {S("Sat, 8 Nov 2014 15:05:02 GMT")}),
            "2014-11-08T15:05:02.0000000Z");
  EXPECT_EQ(Text("todatetime", {Dt("2015-12-24")}), "2015-12-24T00:00:00.0000000Z");
  EXPECT_TRUE(Call("todatetime", {S("not a date")}).is_null());
  EXPECT_TRUE(Call("todatetime", {Value()}).is_null());
  EXPECT_EQ(Text("totimespan", {S("0.00:01:00")}), "00:01:00");
  EXPECT_EQ(Text("totimespan", {S("1.02:03:04.5")}), "1.02:03:04.5000000");
  EXPECT_EQ(Text("totimespan", {S("00:10:00")}), "00:10:00");
  EXPECT_EQ(Text("totimespan", {S("-00:10")}), "-00:10:00");
  EXPECT_EQ(Text("totimespan", {S("1d")}), "1.00:00:00");
  EXPECT_EQ(Text("totimespan", {S("1.5h")}), "01:30:00");
  EXPECT_EQ(Text("totimespan", {S("100ms")}), "00:00:00.1000000");
  EXPECT_EQ(Text("totimespan", {L(10)}), "00:00:00.0000010");
  EXPECT_TRUE(Call("totimespan", {S("abc")}).is_null());
  EXPECT_TRUE(Call("totimespan", {S("25:00:00")}).is_null());
}

TEST_F(DateTimeFunctionsTest, UnixTime) {
  EXPECT_EQ(Text("unixtime_seconds_todatetime", {L(1546300800)}), "2019-01-01T00:00:00.0000000Z");
  EXPECT_EQ(Text("unixtime_seconds_todatetime", {Value::Real(1546300800.5)}),
            "2019-01-01T00:00:00.5000000Z");
  EXPECT_EQ(Text("unixtime_milliseconds_todatetime", {L(1546300800123)}),
            "2019-01-01T00:00:00.1230000Z");
  EXPECT_EQ(Text("unixtime_microseconds_todatetime", {L(1546300800123456)}),
            "2019-01-01T00:00:00.1234560Z");
  EXPECT_EQ(Text("unixtime_nanoseconds_todatetime", {L(1546300800123456789)}),
            "2019-01-01T00:00:00.1234567Z");
  EXPECT_TRUE(Call("unixtime_seconds_todatetime", {L(INT64_MAX)}).is_null());
  EXPECT_TRUE(Call("unixtime_seconds_todatetime", {S("1")}).is_null());
}

TEST_F(DateTimeFunctionsTest, TimeZones) {
  const Value dt = Dt("2020-01-01 10:00");
  EXPECT_EQ(Call("datetime_utc_to_local", {dt, S("UTC")}).AsInt64(), dt.AsInt64());
  EXPECT_EQ(Call("datetime_utc_to_local", {dt, S("Europe/Paris")}).AsInt64(),
            Dt("2020-01-01 11:00").AsInt64());
  EXPECT_TRUE(Call("datetime_utc_to_local", {dt, S("Nowhere/Land")}).is_null());
  EXPECT_TRUE(Call("ingestion_time", {}).is_null());
}

}  // namespace
}  // namespace vigil::kql

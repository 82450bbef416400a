// Datetime and timespan scalar functions: now/ago, calendar parts, start/end of periods,
// datetime_add/diff/part, bin/floor/bin_at and make_datetime/make_timespan. Formatting and
// parsing functions are in datetime_format.cpp. Datetimes are UTC ticks since the Unix epoch;
// calendar arithmetic is proleptic Gregorian, as Kusto's. Results outside Kusto's datetime
// range (years 1..9999) are null.

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "vigil/base/time.h"
#include "vigil/kql/functions/function_util2.h"
#include "vigil/kql/functions/registry.h"
#include "vigil/kql/value.h"

namespace vigil::kql {
namespace {

using fn2::Arg;

constexpr int64_t kTicksPerMinute = 60 * kTicksPerSecond;
constexpr int64_t kTicksPerHour = 60 * kTicksPerMinute;
constexpr int64_t kTicksPerWeek = 7 * kTicksPerDay;

struct Broken {
  fn2::Civil civil;
  int64_t days = 0;         // since epoch
  int64_t time_of_day = 0;  // ticks within the day
};

Broken BreakDown(int64_t ticks) {
  Broken b;
  b.days = DayOf(ticks);
  b.time_of_day = ticks - b.days * kTicksPerDay;
  b.civil = fn2::CivilFromDays(b.days);
  return b;
}

// 0 = Sunday .. 6 = Saturday (1970-01-01 was a Thursday).
int64_t WeekdaySundayBased(int64_t days) { return ((days % 7) + 7 + 4) % 7; }

int64_t DayOfYear(const Broken& b) { return b.days - DaysFromCivil(b.civil.year, 1, 1) + 1; }

int64_t IsoWeeksInYear(int64_t year) {
  const int64_t jan1 = WeekdaySundayBased(DaysFromCivil(year, 1, 1));
  return (jan1 == 4 || (jan1 == 3 && fn2::IsLeapYear(year))) ? 53 : 52;
}

// ISO 8601 week number (weeks start on Monday; week 1 holds the year's first Thursday).
int64_t IsoWeek(const Broken& b) {
  int64_t weekday = WeekdaySundayBased(b.days);
  if (weekday == 0) {
    weekday = 7;
  }
  const int64_t week = (DayOfYear(b) - weekday + 10) / 7;
  if (week < 1) {
    return IsoWeeksInYear(b.civil.year - 1);
  }
  if (week > IsoWeeksInYear(b.civil.year)) {
    return 1;
  }
  return week;
}

std::optional<int64_t> DateTimeArg(const Value& v) {
  if (v.kind() != Kind::kDateTime || !fn2::InDateTimeRange(v.AsInt64())) {
    return std::nullopt;
  }
  return v.AsInt64();
}

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

enum class Part : uint8_t {
  kYear,
  kQuarter,
  kMonth,
  kWeek,
  kDay,
  kDayOfYear,
  kHour,
  kMinute,
  kSecond,
  kMillisecond,
  kMicrosecond,
  kNanosecond,
};

std::optional<Part> ParsePart(const Value& v) {
  if (!v.is_string()) {
    return std::nullopt;
  }
  const std::string p = LowerAscii(v.AsString());
  if (p == "year") return Part::kYear;
  if (p == "quarter") return Part::kQuarter;
  if (p == "month") return Part::kMonth;
  if (p == "week" || p == "week_of_year" || p == "weekofyear") return Part::kWeek;
  if (p == "day") return Part::kDay;
  if (p == "dayofyear") return Part::kDayOfYear;
  if (p == "hour") return Part::kHour;
  if (p == "minute") return Part::kMinute;
  if (p == "second") return Part::kSecond;
  if (p == "millisecond") return Part::kMillisecond;
  if (p == "microsecond") return Part::kMicrosecond;
  if (p == "nanosecond") return Part::kNanosecond;
  return std::nullopt;
}

// Adds whole months, clamping the day to the target month's length (Jan 31 + 1 month = Feb 28).
std::optional<int64_t> AddMonths(int64_t ticks, int64_t months) {
  if (months > 120000 || months < -120000) {
    return std::nullopt;
  }
  const Broken b = BreakDown(ticks);
  const int64_t total = b.civil.year * 12 + (b.civil.month - 1) + months;
  const int64_t year = fn2::FloorDiv(total, 12);
  const auto month = static_cast<unsigned>(total - year * 12 + 1);
  if (year < 1 || year > 9999) {
    return std::nullopt;
  }
  const unsigned day = std::min(b.civil.day, fn2::DaysInMonth(year, month));
  return DaysFromCivil(year, month, day) * kTicksPerDay + b.time_of_day;
}

std::optional<int64_t> TicksPerFixedPart(Part part) {
  switch (part) {
    case Part::kWeek:
      return kTicksPerWeek;
    case Part::kDay:
      return kTicksPerDay;
    case Part::kHour:
      return kTicksPerHour;
    case Part::kMinute:
      return kTicksPerMinute;
    case Part::kSecond:
      return kTicksPerSecond;
    case Part::kMillisecond:
      return kTicksPerMillisecond;
    case Part::kMicrosecond:
      return kTicksPerMicrosecond;
    default:
      return std::nullopt;
  }
}

Value DateTimeAdd(std::span<const Value> args) {
  const auto part = ParsePart(args[0]);
  const auto amount = fn2::IntegerOf(args[1]);
  const auto dt = DateTimeArg(args[2]);
  if (!part || !amount || !dt) {
    return Value();
  }
  std::optional<int64_t> out;
  switch (*part) {
    case Part::kYear:
      out = (*amount > 10000 || *amount < -10000) ? std::nullopt : AddMonths(*dt, *amount * 12);
      break;
    case Part::kQuarter:
      out = (*amount > 40000 || *amount < -40000) ? std::nullopt : AddMonths(*dt, *amount * 3);
      break;
    case Part::kMonth:
      out = AddMonths(*dt, *amount);
      break;
    case Part::kNanosecond:
      out = *dt + *amount / 100;
      break;
    default: {
      const auto unit = TicksPerFixedPart(*part);
      int64_t delta = 0;
      int64_t sum = 0;
      if (!unit || __builtin_mul_overflow(*amount, *unit, &delta) ||
          __builtin_add_overflow(*dt, delta, &sum)) {
        return Value();
      }
      out = sum;
    }
  }
  return out ? fn2::DateTimeOrNull(*out) : Value();
}

int64_t StartOfWeekTicks(int64_t ticks) {
  const int64_t days = DayOf(ticks);
  return (days - WeekdaySundayBased(days)) * kTicksPerDay;
}

Value DateTimeDiff(std::span<const Value> args) {
  const auto part = ParsePart(args[0]);
  const auto a = DateTimeArg(args[1]);
  const auto b = DateTimeArg(args[2]);
  if (!part || !a || !b) {
    return Value();
  }
  const Broken x = BreakDown(*a);
  const Broken y = BreakDown(*b);
  switch (*part) {
    case Part::kYear:
      return Value::Long(x.civil.year - y.civil.year);
    case Part::kQuarter:
      return Value::Long((x.civil.year * 4 + (x.civil.month - 1) / 3) -
                         (y.civil.year * 4 + (y.civil.month - 1) / 3));
    case Part::kMonth:
      return Value::Long((x.civil.year * 12 + x.civil.month) - (y.civil.year * 12 + y.civil.month));
    case Part::kWeek:
      return Value::Long((StartOfWeekTicks(*a) - StartOfWeekTicks(*b)) / kTicksPerWeek);
    case Part::kNanosecond:
      return Value::Long((*a - *b) * 100);
    case Part::kDayOfYear:
      return Value::Long(x.days - y.days);
    default: {
      const int64_t unit = TicksPerFixedPart(*part).value_or(kTicksPerDay);
      return Value::Long(fn2::FloorDiv(*a, unit) - fn2::FloorDiv(*b, unit));
    }
  }
}

Value DateTimePart(std::span<const Value> args) {
  const auto part = ParsePart(args[0]);
  const auto dt = DateTimeArg(args[1]);
  if (!part || !dt) {
    return Value();
  }
  const Broken b = BreakDown(*dt);
  const int64_t frac = b.time_of_day % kTicksPerSecond;
  switch (*part) {
    case Part::kYear:
      return Value::Int(b.civil.year);
    case Part::kQuarter:
      return Value::Int((b.civil.month - 1) / 3 + 1);
    case Part::kMonth:
      return Value::Int(b.civil.month);
    case Part::kWeek:
      return Value::Int(IsoWeek(b));
    case Part::kDay:
      return Value::Int(b.civil.day);
    case Part::kDayOfYear:
      return Value::Int(DayOfYear(b));
    case Part::kHour:
      return Value::Int(b.time_of_day / kTicksPerHour);
    case Part::kMinute:
      return Value::Int((b.time_of_day / kTicksPerMinute) % 60);
    case Part::kSecond:
      return Value::Int((b.time_of_day / kTicksPerSecond) % 60);
    case Part::kMillisecond:
      return Value::Int(frac / kTicksPerMillisecond);
    case Part::kMicrosecond:
      return Value::Int(frac / kTicksPerMicrosecond);
    case Part::kNanosecond:
      return Value::Int(frac * 100);
  }
  return Value();
}

// Start of the period holding `ticks`, moved by `offset` periods.
enum class Period : uint8_t { kDay, kWeek, kMonth, kYear };

std::optional<int64_t> StartOf(Period period, int64_t ticks, int64_t offset) {
  if (offset > 1'000'000 || offset < -1'000'000) {
    return std::nullopt;
  }
  const Broken b = BreakDown(ticks);
  switch (period) {
    case Period::kDay:
      return (b.days + offset) * kTicksPerDay;
    case Period::kWeek:
      return StartOfWeekTicks(ticks) + offset * kTicksPerWeek;
    case Period::kMonth:
      return AddMonths(DaysFromCivil(b.civil.year, b.civil.month, 1) * kTicksPerDay, offset);
    case Period::kYear:
      return AddMonths(DaysFromCivil(b.civil.year, 1, 1) * kTicksPerDay, offset * 12);
  }
  return std::nullopt;
}

ScalarImpl StartOfImpl(Period period, bool end) {
  return [period, end](std::span<const Value> args, FunctionContext&) -> Value {
    const auto dt = DateTimeArg(args[0]);
    int64_t offset = 0;
    if (args.size() > 1) {
      const auto o = fn2::IntegerOf(args[1]);
      if (!o) {
        return Value();
      }
      offset = *o;
    }
    if (!dt) {
      return Value();
    }
    const auto start = StartOf(period, *dt, end ? offset + 1 : offset);
    if (!start) {
      return Value();
    }
    return fn2::DateTimeOrNull(end ? *start - 1 : *start);
  };
}

// floor((value - origin) / size) * size + origin over 128-bit intermediates.
std::optional<int64_t> BinTicks(int64_t value, int64_t size, int64_t origin) {
  if (size <= 0) {
    return std::nullopt;
  }
  const __int128 rel = static_cast<__int128>(value) - origin;
  __int128 q = rel / size;
  if (rel % size != 0 && rel < 0) {
    --q;
  }
  const __int128 out = q * size + origin;
  if (out > INT64_MAX || out < INT64_MIN) {
    return std::nullopt;
  }
  return static_cast<int64_t>(out);
}

// bin/floor/bin_at for numbers, datetimes and timespans. `origin` is null for bin().
Value BinValue(const Value& value, const Value& size, const Value* origin) {
  if (value.kind() == Kind::kDateTime || value.kind() == Kind::kTimeSpan) {
    if (size.kind() != Kind::kTimeSpan) {
      return Value();
    }
    int64_t base = value.kind() == Kind::kDateTime ? -fn2::kKustoEpochOffsetTicks : 0;
    if (origin != nullptr) {
      if (origin->kind() != value.kind()) {
        return Value();
      }
      base = origin->AsInt64();
    }
    const auto out = BinTicks(value.AsInt64(), size.AsInt64(), base);
    if (!out) {
      return Value();
    }
    return value.kind() == Kind::kDateTime ? fn2::DateTimeOrNull(*out) : Value::TimeSpan(*out);
  }
  if (!value.is_number() || !size.is_number()) {
    return Value();
  }
  if (origin != nullptr && !origin->is_number()) {
    return Value();
  }
  const bool integral = value.kind() != Kind::kReal && size.kind() != Kind::kReal &&
                        (origin == nullptr || origin->kind() != Kind::kReal);
  if (integral) {
    const auto out =
        BinTicks(value.AsInt64(), size.AsInt64(), origin != nullptr ? origin->AsInt64() : 0);
    if (!out) {
      return Value();
    }
    return value.kind() == Kind::kInt ? Value::Int(*out) : Value::Long(*out);
  }
  const double step = size.AsReal();
  if (!(step > 0) || !std::isfinite(step)) {
    return Value();
  }
  const double base = origin != nullptr ? origin->AsReal() : 0.0;
  return Value::Real(std::floor((value.AsReal() - base) / step) * step + base);
}

std::optional<Type> BinReturnType(std::string_view name, std::span<const Type> types,
                                  std::string* error) {
  if (!fn2::CheckArgs(std::string(name), types,
                      {Arg::kScalarForBin, Arg::kScalarForBin, Arg::kScalarForBin}, error)) {
    return std::nullopt;
  }
  if (IsNumeric(types[0]) && types.size() > 1 && types[1] == Type::kReal) {
    return Type::kReal;
  }
  return types[0];
}

Value MakeDateTime(std::span<const Value> args) {
  int64_t parts[5] = {0, 0, 0, 0, 0};
  for (size_t i = 0; i < args.size() && i < 5; ++i) {
    const auto v = fn2::IntegerOf(args[i]);
    if (!v) {
      return Value();
    }
    parts[i] = *v;
  }
  double seconds = 0;
  if (args.size() > 5) {
    const auto s = fn2::RealOf(args[5]);
    if (!s || !(*s >= 0) || *s >= 60) {
      return Value();
    }
    seconds = *s;
  }
  const int64_t year = parts[0];
  const int64_t month = parts[1];
  const int64_t day = parts[2];
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 ||
      day > fn2::DaysInMonth(year, static_cast<unsigned>(month)) || parts[3] < 0 || parts[3] > 23 ||
      parts[4] < 0 || parts[4] > 59) {
    return Value();
  }
  const int64_t ticks =
      DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * kTicksPerDay +
      parts[3] * kTicksPerHour + parts[4] * kTicksPerMinute +
      static_cast<int64_t>(std::llround(seconds * kTicksPerSecond));
  return fn2::DateTimeOrNull(ticks);
}

// make_timespan(hour, minute), (hour, minute, second), (day, hour, minute, second).
Value MakeTimeSpan(std::span<const Value> args) {
  int64_t day = 0;
  size_t first = 0;
  if (args.size() == 4) {
    const auto d = fn2::IntegerOf(args[0]);
    if (!d) {
      return Value();
    }
    day = *d;
    first = 1;
  }
  const auto hour = fn2::IntegerOf(args[first]);
  const auto minute = fn2::IntegerOf(args[first + 1]);
  double second = 0;
  if (args.size() > first + 2) {
    const auto s = fn2::RealOf(args[first + 2]);
    if (!s) {
      return Value();
    }
    second = *s;
  }
  if (!hour || !minute) {
    return Value();
  }
  const double total = (static_cast<double>(day) * 86400.0 + static_cast<double>(*hour) * 3600.0 +
                        static_cast<double>(*minute) * 60.0 + second) *
                       kTicksPerSecond;
  if (!std::isfinite(total) || std::fabs(total) > 9.2e18) {
    return Value();
  }
  return Value::TimeSpan(std::llround(total));
}

ScalarImpl PartImpl(std::string_view part) {
  Value part_value = Value::String(std::string(part));
  return [part_value](std::span<const Value> args, FunctionContext&) -> Value {
    const Value call[2] = {part_value, args[0]};
    return DateTimePart(call);
  };
}

}  // namespace

void RegisterDateTimeFunctions(Registry& r) {
  using fn2::Add;
  using fn2::Returns;
  Add(
      r, "now", 0, 1, Returns("now", Type::kDateTime, {Arg::kTimeSpan}),
      [](std::span<const Value> args, FunctionContext& ctx) -> Value {
        int64_t offset = 0;
        if (!args.empty()) {
          if (args[0].kind() != Kind::kTimeSpan) {
            return Value();
          }
          offset = args[0].AsInt64();
        }
        int64_t out = 0;
        if (__builtin_add_overflow(ctx.now_ticks, offset, &out)) {
          return Value();
        }
        return fn2::DateTimeOrNull(out);
      });
  // now() and ago() read the per-query now_ticks: as in Kusto, every use within one query sees
  // the same time, so both are deterministic within a query and fold to constants (time
  // filters such as `Timestamp between (ago(1d) .. now())` are pushed down whole, and plugins
  // that need constant arguments accept them).
  Add(r, "ago", 1, 1, Returns("ago", Type::kDateTime, {Arg::kTimeSpan}),
      [](std::span<const Value> args, FunctionContext& ctx) -> Value {
        if (args[0].kind() != Kind::kTimeSpan) {
          return Value();
        }
        int64_t out = 0;
        if (__builtin_sub_overflow(ctx.now_ticks, args[0].AsInt64(), &out)) {
          return Value();
        }
        return fn2::DateTimeOrNull(out);
      });
  Add(r, "datetime_add", 3, 3,
      Returns("datetime_add", Type::kDateTime, {Arg::kString, Arg::kNumber, Arg::kDateTime}),
      [](std::span<const Value> args, FunctionContext&) { return DateTimeAdd(args); });
  Add(r, "datetime_diff", 3, 3,
      Returns("datetime_diff", Type::kLong, {Arg::kString, Arg::kDateTime, Arg::kDateTime}),
      [](std::span<const Value> args, FunctionContext&) { return DateTimeDiff(args); });
  Add(r, "datetime_part", 2, 2,
      Returns("datetime_part", Type::kInt, {Arg::kString, Arg::kDateTime}),
      [](std::span<const Value> args, FunctionContext&) { return DateTimePart(args); });

  const std::pair<const char*, const char*> int_parts[] = {
      {"getyear", "year"},
      {"getmonth", "month"},
      {"monthofyear", "month"},
      {"dayofmonth", "day"},
      {"dayofyear", "dayofyear"},
      {"hourofday", "hour"},
      {"weekofyear", "week_of_year"},
      {"week_of_year", "week_of_year"},
  };
  for (const auto& [name, part] : int_parts) {
    Add(r, name, 1, 1, Returns(name, Type::kInt, {Arg::kDateTime}), PartImpl(part));
  }
  Add(r, "dayofweek", 1, 1, Returns("dayofweek", Type::kTimeSpan, {Arg::kDateTime}),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        const auto dt = DateTimeArg(args[0]);
        if (!dt) {
          return Value();
        }
        return Value::TimeSpan(WeekdaySundayBased(DayOf(*dt)) * kTicksPerDay);
      });

  const std::pair<const char*, Period> periods[] = {{"day", Period::kDay},
                                                    {"week", Period::kWeek},
                                                    {"month", Period::kMonth},
                                                    {"year", Period::kYear}};
  for (const auto& [suffix, period] : periods) {
    for (const bool end : {false, true}) {
      const std::string name = std::string(end ? "endof" : "startof") + suffix;
      Add(r, name, 1, 2, Returns(name, Type::kDateTime, {Arg::kDateTime, Arg::kInteger}),
          StartOfImpl(period, end));
    }
  }

  for (const char* name : {"bin", "floor"}) {
    Add(
        r, name, 2, 2,
        [name](std::span<const Type> types, std::string* error) {
          return BinReturnType(name, types, error);
        },
        [](std::span<const Value> args, FunctionContext&) {
          return BinValue(args[0], args[1], nullptr);
        });
  }
  Add(
      r, "bin_at", 3, 3,
      [](std::span<const Type> types, std::string* error) {
        return BinReturnType("bin_at", types, error);
      },
      [](std::span<const Value> args, FunctionContext&) {
        return BinValue(args[0], args[1], &args[2]);
      });

  Add(r, "make_datetime", 3, 6, Returns("make_datetime", Type::kDateTime, {Arg::kNumber}),
      [](std::span<const Value> args, FunctionContext&) { return MakeDateTime(args); });
  Add(r, "make_timespan", 2, 4, Returns("make_timespan", Type::kTimeSpan, {Arg::kNumber}),
      [](std::span<const Value> args, FunctionContext&) { return MakeTimeSpan(args); });

  fn2::RegisterDateTimeFormatFunctions(r);
}

}  // namespace vigil::kql

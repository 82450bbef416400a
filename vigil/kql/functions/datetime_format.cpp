// Datetime/timespan formatting and parsing functions: format_datetime, format_timespan,
// todatetime, totimespan, unixtime_*_todatetime, datetime_utc_to_local/local_to_utc (zones
// from the system tz database, see datetime_zones.cpp) and ingestion_time (null; the executor may
// supply the real value). Registered from RegisterDateTimeFunctions.

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "vigil/base/time.h"
#include "vigil/kql/functions/function_util2.h"
#include "vigil/kql/functions/internal/time_zone.h"
#include "vigil/kql/functions/registry.h"
#include "vigil/kql/value.h"

namespace vigil::kql::fn2 {
namespace {

constexpr std::array<std::string_view, 12> kMonthNames = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};
constexpr std::array<std::string_view, 7> kDayNames = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                       "Thursday", "Friday", "Saturday"};

void AppendPadded(std::string& out, int64_t value, size_t width) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  if (value < 0) {
    out += '-';
  }
  if (digits.size() < width) {
    out.append(width - digits.size(), '0');
  }
  out += digits;
}

// `count` leading digits of the 7-digit fraction; with `trim`, trailing zeros are dropped.
void AppendFraction(std::string& out, int64_t fraction, size_t count, bool trim) {
  std::string digits;
  AppendPadded(digits, fraction, 7);
  digits.resize(std::min<size_t>(count, 7));
  if (trim) {
    while (!digits.empty() && digits.back() == '0') {
      digits.pop_back();
    }
    if (digits.empty() && !out.empty() && out.back() == '.') {
      out.pop_back();  // as .NET: "ss.FFF" of a whole second prints no decimal point
    }
  }
  out += digits;
}

size_t RunLength(std::string_view format, size_t pos) {
  size_t n = 1;
  while (pos + n < format.size() && format[pos + n] == format[pos]) {
    ++n;
  }
  return n;
}

// Copies a quoted literal or escaped character; returns false when format[pos] is neither.
bool AppendLiteral(std::string_view format, size_t& pos, std::string& out) {
  const char c = format[pos];
  if (c == '\\' && pos + 1 < format.size()) {
    out += format[pos + 1];
    pos += 2;
    return true;
  }
  if (c == '"' || c == '\'') {
    size_t end = format.find(c, pos + 1);
    if (end == std::string_view::npos) {
      end = format.size();
    }
    out.append(format.substr(pos + 1, end - pos - 1));
    pos = std::min(end + 1, format.size());
    return true;
  }
  return false;
}

std::string FormatDateTimeWith(int64_t ticks, std::string_view format) {
  const int64_t days = DayOf(ticks);
  const int64_t tod = ticks - days * kTicksPerDay;
  const Civil c = CivilFromDays(days);
  const int64_t hour = tod / (3600 * kTicksPerSecond);
  const int64_t minute = (tod / (60 * kTicksPerSecond)) % 60;
  const int64_t second = (tod / kTicksPerSecond) % 60;
  const int64_t fraction = tod % kTicksPerSecond;
  const int64_t weekday = ((days % 7) + 7 + 4) % 7;
  std::string out;
  size_t pos = 0;
  while (pos < format.size()) {
    if (AppendLiteral(format, pos, out)) {
      continue;
    }
    const char ch = format[pos];
    const size_t n = RunLength(format, pos);
    switch (ch) {
      case 'y':
        if (n <= 2) {
          AppendPadded(out, c.year % 100, n);
        } else {
          AppendPadded(out, c.year, n);
        }
        break;
      case 'M':
        if (n <= 2) {
          AppendPadded(out, c.month, n);
        } else {
          const std::string_view name = kMonthNames[c.month - 1];
          out += n == 3 ? name.substr(0, 3) : name;
        }
        break;
      case 'd':
        if (n <= 2) {
          AppendPadded(out, c.day, n);
        } else {
          const std::string_view name = kDayNames[weekday];
          out += n == 3 ? name.substr(0, 3) : name;
        }
        break;
      case 'h':
        AppendPadded(out, hour % 12 == 0 ? 12 : hour % 12, std::min<size_t>(n, 2));
        break;
      case 'H':
        AppendPadded(out, hour, std::min<size_t>(n, 2));
        break;
      case 'm':
        AppendPadded(out, minute, std::min<size_t>(n, 2));
        break;
      case 's':
        AppendPadded(out, second, std::min<size_t>(n, 2));
        break;
      case 'f':
      case 'F':
        AppendFraction(out, fraction, n, ch == 'F');
        break;
      case 't':
        out += n == 1 ? (hour < 12 ? "A" : "P") : (hour < 12 ? "AM" : "PM");
        break;
      case 'z':
        out += n == 1 ? "+0" : (n == 2 ? "+00" : "+00:00");
        break;
      default:
        out.append(n, ch);
    }
    pos += n;
  }
  return out;
}

std::string FormatTimeSpanWith(int64_t ticks, std::string_view format) {
  std::string out;
  uint64_t t = 0;
  if (ticks < 0) {
    out += '-';
    t = static_cast<uint64_t>(-(ticks + 1)) + 1;
  } else {
    t = static_cast<uint64_t>(ticks);
  }
  const auto per_sec = static_cast<uint64_t>(kTicksPerSecond);
  const auto days = static_cast<int64_t>(t / (86400 * per_sec));
  const uint64_t rem = t % (86400 * per_sec);
  const auto hours = static_cast<int64_t>(rem / (3600 * per_sec));
  const auto minutes = static_cast<int64_t>((rem / (60 * per_sec)) % 60);
  const auto seconds = static_cast<int64_t>((rem / per_sec) % 60);
  const auto fraction = static_cast<int64_t>(rem % per_sec);
  size_t pos = 0;
  while (pos < format.size()) {
    if (AppendLiteral(format, pos, out)) {
      continue;
    }
    const char ch = format[pos];
    const size_t n = RunLength(format, pos);
    switch (ch) {
      case 'd':
        AppendPadded(out, days, std::min<size_t>(n, 8));
        break;
      case 'h':
      case 'H':
        AppendPadded(out, hours, std::min<size_t>(n, 2));
        break;
      case 'm':
        AppendPadded(out, minutes, std::min<size_t>(n, 2));
        break;
      case 's':
        AppendPadded(out, seconds, std::min<size_t>(n, 2));
        break;
      case 'f':
      case 'F':
        AppendFraction(out, fraction, n, ch == 'F');
        break;
      default:
        out.append(n, ch);
    }
    pos += n;
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
    s.remove_suffix(1);
  }
  return s;
}

bool ReadNumber(std::string_view s, size_t& pos, int64_t& out, size_t max_digits = 18) {
  const size_t start = pos;
  out = 0;
  while (pos < s.size() && pos - start < max_digits && s[pos] >= '0' && s[pos] <= '9') {
    out = out * 10 + (s[pos] - '0');
    ++pos;
  }
  return pos > start;
}

// RFC 1123 / RFC 822 style: "[Sat, ]8 Nov 2014 15:05:02 GMT" (GMT, UTC, Z or +hhmm).
std::optional<int64_t> ParseRfcDateTime(std::string_view s) {
  const size_t comma = s.find(',');
  if (comma != std::string_view::npos) {
    s = Trim(s.substr(comma + 1));
  }
  size_t pos = 0;
  int64_t day = 0;
  int64_t year = 0;
  int64_t hour = 0;
  int64_t minute = 0;
  int64_t second = 0;
  if (!ReadNumber(s, pos, day, 2) || pos >= s.size() || s[pos++] != ' ' || pos + 3 > s.size()) {
    return std::nullopt;
  }
  unsigned month = 0;
  for (unsigned i = 0; i < 12; ++i) {
    const std::string_view abbrev = kMonthNames[i].substr(0, 3);
    bool same = true;
    for (size_t k = 0; k < 3; ++k) {
      same = same && std::tolower(static_cast<unsigned char>(s[pos + k])) ==
                         std::tolower(static_cast<unsigned char>(abbrev[k]));
    }
    if (same) {
      month = i + 1;
    }
  }
  pos += 3;
  if (month == 0 || pos >= s.size() || s[pos++] != ' ' || !ReadNumber(s, pos, year, 4)) {
    return std::nullopt;
  }
  if (pos < s.size()) {
    if (s[pos++] != ' ' || !ReadNumber(s, pos, hour, 2) || pos >= s.size() || s[pos++] != ':' ||
        !ReadNumber(s, pos, minute, 2)) {
      return std::nullopt;
    }
    if (pos < s.size() && s[pos] == ':') {
      ++pos;
      if (!ReadNumber(s, pos, second, 2)) {
        return std::nullopt;
      }
    }
  }
  int64_t offset_minutes = 0;
  const std::string_view zone = Trim(s.substr(pos));
  if (zone.size() == 5 && (zone[0] == '+' || zone[0] == '-')) {
    size_t zpos = 1;
    int64_t hhmm = 0;
    if (!ReadNumber(zone, zpos, hhmm, 4) || zpos != 5) {
      return std::nullopt;
    }
    offset_minutes = (hhmm / 100 * 60 + hhmm % 100) * (zone[0] == '-' ? -1 : 1);
  } else if (!zone.empty() && zone != "GMT" && zone != "UTC" && zone != "Z" && zone != "UT") {
    return std::nullopt;
  }
  if (year < 1 || year > 9999 || day < 1 || day > DaysInMonth(year, month) || hour > 23 ||
      minute > 59 || second > 59) {
    return std::nullopt;
  }
  const int64_t secs = DaysFromCivil(year, month, static_cast<unsigned>(day)) * 86400 +
                       hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return secs * kTicksPerSecond;
}

// Timespan text: "[-][d.]hh:mm[:ss[.fffffff]]" or a literal such as "1d", "1.5h", "30m",
// "100ms", "10microseconds", "5tick".
std::optional<int64_t> ParseTimeSpanText(std::string_view text) {
  std::string_view s = Trim(text);
  bool negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) {
    return std::nullopt;
  }
  __int128 ticks = 0;
  if (s.find(':') != std::string_view::npos) {
    size_t pos = 0;
    int64_t first = 0;
    if (!ReadNumber(s, pos, first, 9)) {
      return std::nullopt;
    }
    int64_t days = 0;
    int64_t hours = first;
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      days = first;
      if (!ReadNumber(s, pos, hours, 2)) {
        return std::nullopt;
      }
    }
    int64_t minutes = 0;
    int64_t seconds = 0;
    int64_t fraction = 0;
    if (pos >= s.size() || s[pos++] != ':' || !ReadNumber(s, pos, minutes, 2)) {
      return std::nullopt;
    }
    if (pos < s.size() && s[pos] == ':') {
      ++pos;
      if (!ReadNumber(s, pos, seconds, 2)) {
        return std::nullopt;
      }
      if (pos < s.size() && s[pos] == '.') {
        ++pos;
        const size_t start = pos;
        if (!ReadNumber(s, pos, fraction, 7)) {
          return std::nullopt;
        }
        for (size_t d = pos - start; d < 7; ++d) {
          fraction *= 10;
        }
      }
    }
    if (pos != s.size() || hours > 23 || minutes > 59 || seconds > 59) {
      return std::nullopt;
    }
    ticks = ((static_cast<__int128>(days) * 24 + hours) * 60 + minutes) * 60 + seconds;
    ticks = ticks * kTicksPerSecond + fraction;
  } else {
    size_t unit_pos = 0;
    while (unit_pos < s.size() &&
           (std::isdigit(static_cast<unsigned char>(s[unit_pos])) || s[unit_pos] == '.')) {
      ++unit_pos;
    }
    if (unit_pos == 0 || unit_pos > 30) {
      return std::nullopt;
    }
    const std::string number(s.substr(0, unit_pos));
    char* end = nullptr;
    const double amount = std::strtod(number.c_str(), &end);
    if (end != number.c_str() + number.size()) {
      return std::nullopt;
    }
    std::string unit(Trim(s.substr(unit_pos)));
    for (char& c : unit) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    double per_unit = 0;
    if (unit == "d" || unit == "day" || unit == "days") {
      per_unit = static_cast<double>(kTicksPerDay);
    } else if (unit == "h" || unit == "hr" || unit == "hrs" || unit == "hour" || unit == "hours") {
      per_unit = 3600.0 * kTicksPerSecond;
    } else if (unit == "m" || unit == "min" || unit == "minute" || unit == "minutes") {
      per_unit = 60.0 * kTicksPerSecond;
    } else if (unit == "s" || unit == "sec" || unit == "second" || unit == "seconds") {
      per_unit = static_cast<double>(kTicksPerSecond);
    } else if (unit == "ms" || unit == "milli" || unit == "millis" || unit == "millisecond" ||
               unit == "milliseconds") {
      per_unit = static_cast<double>(kTicksPerMillisecond);
    } else if (unit == "microsecond" || unit == "microseconds") {
      per_unit = static_cast<double>(kTicksPerMicrosecond);
    } else if (unit == "tick" || unit == "ticks") {
      per_unit = 1;
    } else {
      return std::nullopt;
    }
    const double total = std::round(amount * per_unit);
    if (!std::isfinite(total) || total > 9.2e18) {
      return std::nullopt;
    }
    ticks = static_cast<__int128>(total);
  }
  if (ticks > INT64_MAX) {
    return std::nullopt;
  }
  return static_cast<int64_t>(negative ? -ticks : ticks);
}

Value ToDateTime(const Value& v) {
  if (v.kind() == Kind::kDateTime) {
    return v;
  }
  if (!v.is_string()) {
    return Value();
  }
  const std::string_view text = Trim(v.AsString());
  if (auto t = ParseDateTime(text)) {
    return DateTimeOrNull(*t);
  }
  if (auto t = ParseRfcDateTime(text)) {
    return DateTimeOrNull(*t);
  }
  return Value();
}

Value ToTimeSpan(const Value& v) {
  switch (v.kind()) {
    case Kind::kTimeSpan:
      return v;
    case Kind::kInt:
    case Kind::kLong:
      return Value::TimeSpan(v.AsInt64());  // a number converts as ticks
    case Kind::kString:
      if (auto t = ParseTimeSpanText(v.AsString())) {
        return Value::TimeSpan(*t);
      }
      return Value();
    default:
      return Value();
  }
}

// unixtime_*_todatetime: `ticks_per_unit` > 0 multiplies, < 0 divides (nanoseconds).
ScalarImpl UnixTimeImpl(int64_t ticks_per_unit) {
  return [ticks_per_unit](std::span<const Value> args, FunctionContext&) -> Value {
    const Value& v = args[0];
    if (v.kind() == Kind::kInt || v.kind() == Kind::kLong) {
      if (ticks_per_unit < 0) {
        return DateTimeOrNull(FloorDiv(v.AsInt64(), -ticks_per_unit));
      }
      int64_t out = 0;
      if (__builtin_mul_overflow(v.AsInt64(), ticks_per_unit, &out)) {
        return Value();
      }
      return DateTimeOrNull(out);
    }
    if (v.kind() == Kind::kReal) {
      const double scaled = ticks_per_unit < 0 ? v.AsReal() / static_cast<double>(-ticks_per_unit)
                                               : v.AsReal() * static_cast<double>(ticks_per_unit);
      if (!std::isfinite(scaled) || std::fabs(scaled) > 9.2e18) {
        return Value();
      }
      return DateTimeOrNull(static_cast<int64_t>(std::floor(scaled + 0.5)));
    }
    return Value();
  };
}

bool IsUtcZone(const Value& v) {
  if (!v.is_string()) {
    return false;
  }
  const std::string& z = v.AsString();
  return z == "UTC" || z == "Etc/UTC" || z == "GMT" || z == "Etc/GMT" || z == "utc" || z == "Z";
}

}  // namespace

void RegisterDateTimeFormatFunctions(Registry& r) {
  Add(r, "format_datetime", 2, 2,
      Returns("format_datetime", Type::kString, {Arg::kDateTime, Arg::kString}),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        if (args[0].kind() != Kind::kDateTime || !InDateTimeRange(args[0].AsInt64()) ||
            !args[1].is_string()) {
          return Value();
        }
        return Value::String(FormatDateTimeWith(args[0].AsInt64(), args[1].AsString()));
      });
  Add(r, "format_timespan", 2, 2,
      Returns("format_timespan", Type::kString, {Arg::kTimeSpan, Arg::kString}),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        if (args[0].kind() != Kind::kTimeSpan || !args[1].is_string()) {
          return Value();
        }
        return Value::String(FormatTimeSpanWith(args[0].AsInt64(), args[1].AsString()));
      });
  for (const char* name : {"todatetime", "todate"}) {
    Add(r, name, 1, 1, Returns(name, Type::kDateTime),
        [](std::span<const Value> args, FunctionContext&) { return ToDateTime(args[0]); });
  }
  for (const char* name : {"totimespan", "totime"}) {
    Add(r, name, 1, 1, Returns(name, Type::kTimeSpan),
        [](std::span<const Value> args, FunctionContext&) { return ToTimeSpan(args[0]); });
  }
  const std::pair<const char*, int64_t> unix_units[] = {
      {"unixtime_seconds_todatetime", kTicksPerSecond},
      {"unixtime_milliseconds_todatetime", kTicksPerMillisecond},
      {"unixtime_microseconds_todatetime", kTicksPerMicrosecond},
      {"unixtime_nanoseconds_todatetime", -100},
  };
  for (const auto& [name, unit] : unix_units) {
    Add(r, name, 1, 1, Returns(name, Type::kDateTime, {Arg::kNumber}), UnixTimeImpl(unit));
  }
  // Zones come from the system tz database; UTC and its aliases need no file.
  for (const bool to_local : {true, false}) {
    const char* name = to_local ? "datetime_utc_to_local" : "datetime_local_to_utc";
    Add(r, name, 2, 2, Returns(name, Type::kDateTime, {Arg::kDateTime, Arg::kString}),
        [to_local](std::span<const Value> args, FunctionContext&) -> Value {
          if (args[0].kind() != Kind::kDateTime || !args[1].is_string()) {
            return Value();
          }
          if (IsUtcZone(args[1])) {
            return args[0];
          }
          const int64_t ticks = args[0].AsInt64();
          const int64_t seconds = FloorDiv(ticks, kTicksPerSecond);
          const int64_t fraction = ticks - seconds * kTicksPerSecond;
          std::optional<int64_t> shifted;
          if (to_local) {
            const auto offset = internal::ZoneOffsetSeconds(args[1].AsString(), seconds);
            if (offset) {
              shifted = seconds + *offset;
            }
          } else {
            shifted = internal::LocalToUtcSeconds(args[1].AsString(), seconds);
          }
          if (!shifted) {
            return Value();
          }
          return DateTimeOrNull(*shifted * kTicksPerSecond + fraction);
        });
  }
  Add(
      r, "ingestion_time", 0, 0, Returns("ingestion_time", Type::kDateTime),
      [](std::span<const Value>, FunctionContext&) { return Value(); },
      /*deterministic=*/false);
}

}  // namespace vigil::kql::fn2

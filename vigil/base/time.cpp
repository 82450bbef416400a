#include "vigil/base/time.h"

#include <chrono>

#include <fmt/format.h>

namespace vigil {
namespace {

bool ReadDigits(std::string_view text, size_t& pos, size_t count, int64_t& out) {
  if (pos + count > text.size()) {
    return false;
  }
  int64_t value = 0;
  for (size_t i = 0; i < count; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') {
      return false;
    }
    value = value * 10 + (c - '0');
  }
  pos += count;
  out = value;
  return true;
}

void CivilFromDays(int64_t days, int64_t& year, unsigned& month, unsigned& day) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<int64_t>(yoe) + era * 400 + (month <= 2 ? 1 : 0);
}

}  // namespace

int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

namespace {

// `M/d/yyyy[ h:mm[:ss[.fffffff]][ AM|PM]]`, the US form Kusto also accepts (and logs use).
std::optional<int64_t> ParseUsDateTime(std::string_view text) {
  size_t pos = 0;
  auto number = [&](int max_digits, int64_t& out) {
    const size_t start = pos;
    out = 0;
    while (pos < text.size() && pos - start < static_cast<size_t>(max_digits) && text[pos] >= '0' &&
           text[pos] <= '9') {
      out = out * 10 + (text[pos++] - '0');
    }
    return pos > start;
  };
  int64_t month = 0;
  int64_t day = 0;
  int64_t year = 0;
  if (!number(2, month) || pos >= text.size() || text[pos++] != '/' || !number(2, day) ||
      pos >= text.size() || text[pos++] != '/' || !number(4, year) || year < 1000) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31) {
    return std::nullopt;
  }
  int64_t hour = 0;
  int64_t minute = 0;
  int64_t second = 0;
  int64_t fraction = 0;
  if (pos < text.size() && text[pos] == ' ') {
    ++pos;
    if (!number(2, hour) || pos >= text.size() || text[pos++] != ':' || !number(2, minute)) {
      return std::nullopt;
    }
    if (pos < text.size() && text[pos] == ':') {
      ++pos;
      if (!number(2, second)) {
        return std::nullopt;
      }
      if (pos < text.size() && text[pos] == '.') {
        ++pos;
        int digits = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
          if (digits < 7) {
            fraction = fraction * 10 + (text[pos] - '0');
          }
          ++digits;
          ++pos;
        }
        for (int d = digits; d < 7; ++d) {
          fraction *= 10;
        }
      }
    }
    if (pos + 1 < text.size() && text[pos] == ' ') {
      const std::string_view ampm = text.substr(pos + 1);
      if ((ampm == "AM" || ampm == "am" || ampm == "PM" || ampm == "pm") && hour >= 1 &&
          hour <= 12) {
        hour = hour % 12 + ((ampm[0] == 'P' || ampm[0] == 'p') ? 12 : 0);
        pos = text.size();
      }
    }
  }
  if (pos != text.size() || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  const int64_t days =
      DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return (days * 86400 + hour * 3600 + minute * 60 + second) * kTicksPerSecond + fraction;
}

}  // namespace

std::optional<int64_t> ParseDateTime(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  size_t pos = 0;
  int64_t year = 0;
  int64_t month = 0;
  int64_t day = 0;
  if (!ReadDigits(text, pos, 4, year) || pos >= text.size() || text[pos++] != '-' ||
      !ReadDigits(text, pos, 2, month) || pos >= text.size() || text[pos++] != '-' ||
      !ReadDigits(text, pos, 2, day)) {
    return ParseUsDateTime(text);
  }
  if (month < 1 || month > 12 || day < 1 || day > 31) {
    return std::nullopt;
  }
  int64_t hour = 0;
  int64_t minute = 0;
  int64_t second = 0;
  int64_t fraction_ticks = 0;
  int64_t offset_minutes = 0;
  if (pos < text.size() && (text[pos] == 'T' || text[pos] == ' ')) {
    ++pos;
    if (!ReadDigits(text, pos, 2, hour) || pos >= text.size() || text[pos++] != ':' ||
        !ReadDigits(text, pos, 2, minute)) {
      return std::nullopt;
    }
    if (pos < text.size() && text[pos] == ':') {
      ++pos;
      if (!ReadDigits(text, pos, 2, second)) {
        return std::nullopt;
      }
      if (pos < text.size() && text[pos] == '.') {
        ++pos;
        int digits = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
          if (digits < 7) {
            fraction_ticks = fraction_ticks * 10 + (text[pos] - '0');
          }
          ++digits;
          ++pos;
        }
        if (digits == 0) {
          return std::nullopt;
        }
        for (int d = digits; d < 7; ++d) {
          fraction_ticks *= 10;
        }
      }
    }
    if (hour > 23 || minute > 59 || second > 60) {
      return std::nullopt;
    }
    if (pos < text.size()) {
      const char c = text[pos];
      if (c == 'Z' || c == 'z') {
        ++pos;
      } else if (c == '+' || c == '-') {
        ++pos;
        int64_t off_h = 0;
        int64_t off_m = 0;
        if (!ReadDigits(text, pos, 2, off_h)) {
          return std::nullopt;
        }
        if (pos < text.size() && text[pos] == ':') {
          ++pos;
        }
        if (!ReadDigits(text, pos, 2, off_m)) {
          return std::nullopt;
        }
        offset_minutes = (off_h * 60 + off_m) * (c == '-' ? -1 : 1);
      }
    }
  }
  if (pos != text.size()) {
    return std::nullopt;
  }
  const int64_t days =
      DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return seconds * kTicksPerSecond + fraction_ticks;
}

std::string FormatDateTime(int64_t ticks) {
  const int64_t days = DayOf(ticks);
  int64_t rem = ticks % kTicksPerDay;  // not ticks - days * kTicksPerDay: that overflows at INT64_MIN
  if (rem < 0) {
    rem += kTicksPerDay;
  }
  int64_t year = 0;
  unsigned month = 0;
  unsigned day = 0;
  CivilFromDays(days, year, month, day);
  const int64_t seconds = rem / kTicksPerSecond;
  const int64_t fraction = rem % kTicksPerSecond;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:07}Z", year, month, day,
                     seconds / 3600, (seconds / 60) % 60, seconds % 60, fraction);
}

int64_t NowTicks() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::microseconds>(now).count() *
         kTicksPerMicrosecond;
}

}  // namespace vigil

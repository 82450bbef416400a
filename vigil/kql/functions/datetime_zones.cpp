// Time-zone offsets for datetime_utc_to_local / datetime_local_to_utc, read from the system's
// TZif files (/usr/share/zoneinfo, RFC 8536) by our own parser: the transition table, then the
// POSIX TZ footer rule for instants after the last transition. Parsed zones are cached
// process-wide (mutex-guarded, bounded); lookups are thread-safe.

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/kql/functions/function_util2.h"
#include "vigil/kql/functions/internal/time_zone.h"

namespace vigil::kql::internal {
namespace {

constexpr size_t kMaxZoneFileBytes = 1 << 20;
constexpr size_t kMaxCachedZones = 1000;
constexpr int64_t kSecondsPerDay = 86400;

// A POSIX TZ rule date: Jn (1..365, no leap day), n (0..365) or Mm.w.d.
struct RuleDate {
  char kind = 'M';  // 'J', 'N' or 'M'
  int month = 0;
  int week = 0;
  int day = 0;          // Jn / n day, or the weekday for M
  int64_t time = 7200;  // seconds after local midnight
};

struct PosixRule {
  int64_t std_offset = 0;  // seconds east of UTC
  bool has_dst = false;
  int64_t dst_offset = 0;
  RuleDate start;
  RuleDate end;
};

struct Zone {
  std::vector<int64_t> transitions;  // UTC seconds, ascending
  std::vector<int64_t> offsets;      // offset in force from each transition
  int64_t initial_offset = 0;        // before the first transition
  std::optional<PosixRule> rule;     // after the last transition
};

uint32_t Be32(const std::string& d, size_t pos) {
  return (static_cast<uint32_t>(static_cast<uint8_t>(d[pos])) << 24) |
         (static_cast<uint32_t>(static_cast<uint8_t>(d[pos + 1])) << 16) |
         (static_cast<uint32_t>(static_cast<uint8_t>(d[pos + 2])) << 8) |
         static_cast<uint32_t>(static_cast<uint8_t>(d[pos + 3]));
}

int64_t Be64(const std::string& d, size_t pos) {
  return static_cast<int64_t>((static_cast<uint64_t>(Be32(d, pos)) << 32) | Be32(d, pos + 4));
}

// [+-]hh[:mm[:ss]]
bool ParseHms(std::string_view s, size_t& pos, int64_t& out) {
  int sign = 1;
  if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    sign = s[pos] == '-' ? -1 : 1;
    ++pos;
  }
  int64_t parts[3] = {0, 0, 0};
  for (int i = 0; i < 3; ++i) {
    if (i > 0) {
      if (pos >= s.size() || s[pos] != ':') {
        break;
      }
      ++pos;
    }
    const size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9' && pos - start < 3) {
      parts[i] = parts[i] * 10 + (s[pos] - '0');
      ++pos;
    }
    if (pos == start) {
      return false;
    }
  }
  out = sign * (parts[0] * 3600 + parts[1] * 60 + parts[2]);
  return true;
}

bool SkipName(std::string_view s, size_t& pos) {
  if (pos < s.size() && s[pos] == '<') {
    const size_t close = s.find('>', pos);
    if (close == std::string_view::npos) {
      return false;
    }
    pos = close + 1;
    return true;
  }
  const size_t start = pos;
  while (pos < s.size() && ((s[pos] >= 'A' && s[pos] <= 'Z') || (s[pos] >= 'a' && s[pos] <= 'z'))) {
    ++pos;
  }
  return pos - start >= 3;
}

bool ParseInt(std::string_view s, size_t& pos, int& out) {
  const size_t start = pos;
  out = 0;
  while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9' && pos - start < 4) {
    out = out * 10 + (s[pos] - '0');
    ++pos;
  }
  return pos > start;
}

bool ParseRuleDate(std::string_view s, size_t& pos, RuleDate& d) {
  if (pos < s.size() && s[pos] == 'M') {
    ++pos;
    d.kind = 'M';
    if (!ParseInt(s, pos, d.month) || pos >= s.size() || s[pos++] != '.' ||
        !ParseInt(s, pos, d.week) || pos >= s.size() || s[pos++] != '.' ||
        !ParseInt(s, pos, d.day) || d.month < 1 || d.month > 12 || d.week < 1 || d.week > 5 ||
        d.day > 6) {
      return false;
    }
  } else if (pos < s.size() && s[pos] == 'J') {
    ++pos;
    d.kind = 'J';
    if (!ParseInt(s, pos, d.day) || d.day < 1 || d.day > 365) {
      return false;
    }
  } else {
    d.kind = 'N';
    if (!ParseInt(s, pos, d.day) || d.day > 365) {
      return false;
    }
  }
  if (pos < s.size() && s[pos] == '/') {
    ++pos;
    return ParseHms(s, pos, d.time);
  }
  return true;
}

std::optional<PosixRule> ParsePosix(std::string_view s) {
  PosixRule r;
  size_t pos = 0;
  int64_t off = 0;
  if (!SkipName(s, pos) || !ParseHms(s, pos, off)) {
    return std::nullopt;
  }
  r.std_offset = -off;  // POSIX offsets count west of UTC
  if (pos >= s.size()) {
    return r;
  }
  if (!SkipName(s, pos)) {
    return std::nullopt;
  }
  r.has_dst = true;
  r.dst_offset = r.std_offset + 3600;
  if (pos < s.size() && s[pos] != ',') {
    if (!ParseHms(s, pos, off)) {
      return std::nullopt;
    }
    r.dst_offset = -off;
  }
  if (pos >= s.size() || s[pos] != ',') {
    return std::nullopt;  // no rule: unspecified in POSIX, refuse
  }
  ++pos;
  if (!ParseRuleDate(s, pos, r.start) || pos >= s.size() || s[pos++] != ',' ||
      !ParseRuleDate(s, pos, r.end) || pos != s.size()) {
    return std::nullopt;
  }
  return r;
}

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// Local seconds (since the epoch, in local wall time) of a rule date in `year`.
int64_t RuleLocalSeconds(const RuleDate& d, int64_t year) {
  int64_t day = 0;
  if (d.kind == 'J') {
    day = DaysFromCivil(year, 1, 1) + d.day - 1;
    if (fn2::IsLeapYear(year) && d.day >= 60) {
      ++day;
    }
  } else if (d.kind == 'N') {
    day = DaysFromCivil(year, 1, 1) + d.day;
  } else {
    const int64_t first = DaysFromCivil(year, static_cast<unsigned>(d.month), 1);
    const int64_t weekday = ((first % 7) + 11) % 7;  // 1970-01-01 was a Thursday (4)
    day = first + ((d.day - weekday) % 7 + 7) % 7 + (d.week - 1) * 7;
    const int64_t days_in_month = fn2::DaysInMonth(year, static_cast<unsigned>(d.month));
    while (day - first >= days_in_month) {
      day -= 7;
    }
  }
  return day * kSecondsPerDay + d.time;
}

int64_t RuleOffset(const PosixRule& r, int64_t utc) {
  if (!r.has_dst) {
    return r.std_offset;
  }
  const int64_t year = fn2::CivilFromDays(fn2::FloorDiv(utc + r.std_offset, kSecondsPerDay)).year;
  const int64_t start = RuleLocalSeconds(r.start, year) - r.std_offset;
  const int64_t end = RuleLocalSeconds(r.end, year) - r.dst_offset;
  const bool dst = start < end ? (utc >= start && utc < end) : !(utc >= end && utc < start);
  return dst ? r.dst_offset : r.std_offset;
}

std::optional<Zone> ParseTzif(const std::string& d) {
  if (d.size() < 44 || d.compare(0, 4, "TZif") != 0) {
    return std::nullopt;
  }
  auto counts = [&](size_t at, uint32_t c[6]) {
    for (int i = 0; i < 6; ++i) {
      c[i] = Be32(d, at + 20 + 4 * static_cast<size_t>(i));
    }
  };
  uint32_t c[6];  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
  counts(0, c);
  auto block_size = [](const uint32_t k[6], size_t time_size) {
    return static_cast<size_t>(k[3]) * time_size + k[3] + static_cast<size_t>(k[4]) * 6 + k[5] +
           static_cast<size_t>(k[2]) * (time_size + 4) + k[1] + k[0];
  };
  size_t at = 44;
  size_t time_size = 4;
  if (d[4] >= '2') {
    at += block_size(c, 4);  // skip the 32-bit block
    if (at + 44 > d.size() || d.compare(at, 4, "TZif") != 0) {
      return std::nullopt;
    }
    counts(at, c);
    at += 44;
    time_size = 8;
  }
  if (c[4] == 0 || at + block_size(c, time_size) > d.size()) {
    return std::nullopt;
  }
  Zone z;
  const size_t types_at = at + static_cast<size_t>(c[3]) * time_size + c[3];
  auto type_offset = [&](size_t type) -> std::optional<int64_t> {
    if (type >= c[4]) {
      return std::nullopt;
    }
    return static_cast<int32_t>(Be32(d, types_at + type * 6));
  };
  for (uint32_t i = 0; i < c[3]; ++i) {
    const int64_t t =
        time_size == 8 ? Be64(d, at + i * 8) : static_cast<int32_t>(Be32(d, at + i * 4));
    const auto type = static_cast<uint8_t>(d[at + static_cast<size_t>(c[3]) * time_size + i]);
    const auto off = type_offset(type);
    if (!off) {
      return std::nullopt;
    }
    z.transitions.push_back(t);
    z.offsets.push_back(*off);
  }
  z.initial_offset = *type_offset(0);
  const size_t footer = at + block_size(c, time_size);
  if (time_size == 8 && footer + 1 < d.size() && d[footer] == '\n') {
    const size_t close = d.find('\n', footer + 1);
    if (close != std::string::npos && close > footer + 1) {
      z.rule = ParsePosix(std::string_view(d).substr(footer + 1, close - footer - 1));
    }
  }
  return z;
}

bool SafeZoneName(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '/' ||
      name.find("..") != std::string_view::npos) {
    return false;
  }
  for (const char ch : name) {
    const bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                    (ch >= '0' && ch <= '9') || ch == '/' || ch == '_' || ch == '-' || ch == '+';
    if (!ok) {
      return false;
    }
  }
  return true;
}

std::shared_ptr<const Zone> LoadZone(std::string_view name) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const Zone>, std::less<>> cache;
  {
    const std::lock_guard<std::mutex> lock(mu);
    if (auto it = cache.find(name); it != cache.end()) {
      return it->second;
    }
  }
  std::shared_ptr<const Zone> zone;
  if (SafeZoneName(name)) {
    std::ifstream in("/usr/share/zoneinfo/" + std::string(name), std::ios::binary);
    if (in) {
      std::string data(kMaxZoneFileBytes, '\0');
      in.read(data.data(), static_cast<std::streamsize>(data.size()));
      data.resize(static_cast<size_t>(in.gcount()));
      if (auto z = ParseTzif(data)) {
        zone = std::make_shared<const Zone>(std::move(*z));
      }
    }
  }
  const std::lock_guard<std::mutex> lock(mu);
  if (cache.size() < kMaxCachedZones) {
    cache.emplace(std::string(name), zone);
  }
  return zone;
}

int64_t OffsetAt(const Zone& z, int64_t utc) {
  if (z.transitions.empty() || utc < z.transitions.front()) {
    if (z.transitions.empty() && z.rule) {
      return RuleOffset(*z.rule, utc);
    }
    return z.initial_offset;
  }
  if (utc >= z.transitions.back() && z.rule) {
    return RuleOffset(*z.rule, utc);
  }
  const auto it = std::upper_bound(z.transitions.begin(), z.transitions.end(), utc);
  return z.offsets[static_cast<size_t>(it - z.transitions.begin()) - 1];
}

}  // namespace

std::optional<int64_t> ZoneOffsetSeconds(std::string_view zone, int64_t utc_seconds) {
  const auto z = LoadZone(zone);
  if (!z) {
    return std::nullopt;
  }
  return OffsetAt(*z, utc_seconds);
}

std::optional<int64_t> LocalToUtcSeconds(std::string_view zone, int64_t local_seconds) {
  const auto z = LoadZone(zone);
  if (!z) {
    return std::nullopt;
  }
  // The offsets in force a day either side; a local time valid under both (a repeated hour)
  // takes the earlier instant, one valid under neither (skipped by a spring-forward) takes
  // the offset after the change, as Kusto's documented example shows.
  const int64_t before = OffsetAt(*z, local_seconds - kSecondsPerDay);
  const int64_t after = OffsetAt(*z, local_seconds + kSecondsPerDay);
  const bool before_ok = OffsetAt(*z, local_seconds - before) == before;
  const bool after_ok = OffsetAt(*z, local_seconds - after) == after;
  if (before_ok && after_ok) {
    return local_seconds - std::max(before, after);
  }
  if (before_ok) {
    return local_seconds - before;
  }
  return local_seconds - after;
}

}  // namespace vigil::kql::internal

// Time values as Kusto models them: datetime and timespan are 64-bit counts of 100 ns ticks
// (datetime counted from the Unix epoch, UTC). Parsing and formatting helpers used by readers,
// the store and the CLI. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil {

inline constexpr int64_t kTicksPerMicrosecond = 10;
inline constexpr int64_t kTicksPerMillisecond = 10'000;
inline constexpr int64_t kTicksPerSecond = 10'000'000;
inline constexpr int64_t kTicksPerDay = 86'400 * kTicksPerSecond;
// Windows FILETIME counts 100 ns ticks from 1601-01-01; this is the epoch difference.
inline constexpr int64_t kFileTimeUnixEpochTicks = 116'444'736'000'000'000;

// Days since 1970-01-01 for a proleptic Gregorian civil date.
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);

// Parses ISO 8601 / Kusto-style datetimes: `2026-10-24T00:00:00Z`, `2026-10-24 00:00:00.069501`,
// up to 7 fractional digits, optional `Z` or `+hh:mm`/`-hh:mm` offset (no offset = UTC), a date
// alone. Returns ticks since the Unix epoch, or nullopt if the text is not such a datetime.
std::optional<int64_t> ParseDateTime(std::string_view text);

// Kusto's text form: `2026-10-24T00:00:00.0695010Z` (always 7 fractional digits).
std::string FormatDateTime(int64_t ticks);

inline int64_t FileTimeToTicks(uint64_t filetime) {
  return static_cast<int64_t>(filetime) - kFileTimeUnixEpochTicks;
}

// Day partition (days since epoch) of a datetime, rounding towards negative infinity.
// Defined for every int64 value (floor division, no overflow at the extremes).
inline int64_t DayOf(int64_t ticks) {
  const int64_t quotient = ticks / kTicksPerDay;
  return (ticks % kTicksPerDay < 0) ? quotient - 1 : quotient;
}

// Current wall-clock time in ticks.
int64_t NowTicks();

}  // namespace vigil

// IANA time-zone offsets from the system tz database (/usr/share/zoneinfo), for
// datetime_utc_to_local / datetime_local_to_utc. Thread-safe; parsed zones are cached.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace vigil::kql::internal {

// Offset east of UTC, in seconds, in force at `utc_seconds` (Unix time); nullopt for an
// unknown zone.
std::optional<int64_t> ZoneOffsetSeconds(std::string_view zone, int64_t utc_seconds);

// The UTC instant of a local wall time in `zone` (seconds); nullopt for an unknown zone.
std::optional<int64_t> LocalToUtcSeconds(std::string_view zone, int64_t local_seconds);

}  // namespace vigil::kql::internal

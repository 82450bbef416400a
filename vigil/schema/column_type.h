// The KQL scalar types a hunting-table column can have. Shared by the schema catalog, ingest
// batches, the store's on-disk format (the numeric values are persisted: never renumber) and the
// KQL engine. Pure data; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace vigil::schema {

enum class ColumnType : uint8_t {
  kBool = 1,
  kInt = 2,       // 32-bit
  kLong = 3,      // 64-bit
  kReal = 4,      // double
  kString = 5,    // UTF-8
  kDateTime = 6,  // int64 ticks (100 ns) since the Unix epoch, UTC
  kTimeSpan = 7,  // int64 ticks (100 ns)
  kGuid = 8,      // canonical lower-case text form
  kDynamic = 9,   // JSON value; in ingest batches as JSON text
};

std::string_view ColumnTypeName(ColumnType type);  // "datetime", "string", ...
std::optional<ColumnType> ParseColumnType(std::string_view name);

// Types held as int64 in batches: bool, int, long, datetime, timespan.
inline bool IsIntegerBacked(ColumnType type) {
  return type == ColumnType::kBool || type == ColumnType::kInt || type == ColumnType::kLong ||
         type == ColumnType::kDateTime || type == ColumnType::kTimeSpan;
}
// Types held as bytes in batches: string, guid, dynamic.
inline bool IsBytesBacked(ColumnType type) {
  return type == ColumnType::kString || type == ColumnType::kGuid ||
         type == ColumnType::kDynamic;
}

}  // namespace vigil::schema

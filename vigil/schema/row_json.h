// Renders TableBatch rows as JSON objects in Kusto's text forms (datetime as
// 2026-01-01T00:00:00.0000000Z, timespan as [-][d.]hh:mm:ss[.fffffff], dynamic embedded as JSON).
// Used by golden tests, `vigil` output and exports. Pure functions; thread-safe.
#pragma once

#include <string>

#include "vigil/schema/table_batch.h"

namespace vigil::schema {

struct RowJsonOptions {
  bool include_nulls = false;   // null columns as "Col":null instead of omitted
  bool table_field = false;     // add "$table":"<Table>" first
};

void AppendJsonString(std::string& out, std::string_view text);
std::string FormatTimeSpan(int64_t ticks);
// Appends one row as a single-line JSON object.
void AppendRowJson(const TableBatch& batch, size_t row, const RowJsonOptions& options,
                   std::string& out);
std::string RowToJson(const TableBatch& batch, size_t row, const RowJsonOptions& options = {});

}  // namespace vigil::schema

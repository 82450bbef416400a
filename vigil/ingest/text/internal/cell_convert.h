// Text-to-column conversion shared by the table readers (CSV, JSON lines): numbers, bools,
// Kusto timespans, GUIDs, datetimes and JSON (dynamic) cells, plus the builder for the
// AdditionalFields JSON object. One CellConverter per reader; not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "vigil/schema/table_batch.h"

namespace vigil::ingest::internal {

std::optional<int64_t> ParseInt64Text(std::string_view text);
std::optional<double> ParseRealText(std::string_view text);
std::optional<bool> ParseBoolText(std::string_view text);  // true/false/1/0, any case
// Kusto timespan text: `[-][d.]hh:mm[:ss[.fffffff]]`, or a number with a unit suffix
// (`2d`, `1.5h`, `30m`, `10s`, `100ms`, `5microseconds`, `7tick`). Returns ticks.
std::optional<int64_t> ParseTimeSpanText(std::string_view text);
// GUID in 8-4-4-4-12 form, optional braces, any case. Writes the canonical lower-case form
// (36 chars, no braces) to `out`.
bool ParseGuidText(std::string_view text, std::string& out);

// Column of `table` named `name`: exact match first, else case-insensitive; -1 if none.
int FindColumnLoose(const schema::TableSchema& table, std::string_view name);

// Cells of one column that did not convert, for the one warning per column.
struct BadCellStats {
  uint64_t count = 0;
  uint64_t first_line = 0;
};

class CellConverter {
 public:
  // Stores `text` (already unquoted) into the current row's cell `col` converted to the
  // column's type. Empty text leaves the cell null. Returns false if the text does not convert
  // (the cell stays null).
  bool SetFromText(schema::TableBatch& batch, size_t col, std::string_view text);
  // True if `text` is one valid JSON value; `*is_object` tells whether it is an object.
  bool IsValidJson(std::string_view text, bool* is_object = nullptr);
  simdjson::dom::parser& parser() { return parser_; }

 private:
  simdjson::dom::parser parser_;
  std::string scratch_;
};

// Builds the AdditionalFields JSON object of one row, member by member.
class AdditionalFieldsBuilder {
 public:
  void Reset() { members_.clear(); }
  bool empty() const { return members_.empty(); }
  // "name":"value" (value as a JSON string).
  void AddString(std::string_view name, std::string_view value);
  // "name":<json>, `json` being valid JSON text.
  void AddJson(std::string_view name, std::string_view json);
  // Adds the members of `object_json` (valid JSON object text).
  void MergeObject(std::string_view object_json);
  // The object text; valid until the next call.
  std::string_view Finish();

 private:
  void StartMember(std::string_view name);
  std::string members_;
  std::string out_;
};

}  // namespace vigil::ingest::internal

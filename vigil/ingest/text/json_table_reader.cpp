// ReadTableJsonLines (declared in json_reader.h): JSON lines shaped like one hunting table.
#include <cmath>
#include <cstring>
#include <limits>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>

#include "vigil/base/time.h"
#include "vigil/ingest/text/internal/cell_convert.h"
#include "vigil/ingest/text/internal/json_text.h"
#include "vigil/ingest/text/json_reader.h"

namespace vigil::ingest {
namespace {

using schema::ColumnType;
using simdjson::dom::element;
using simdjson::dom::element_type;

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};

bool IsNumberType(element_type type) {
  return type == element_type::INT64 || type == element_type::UINT64 ||
         type == element_type::DOUBLE;
}

// Converts one JSON value into the current row's cell `col`. Returns false if it does not fit
// the column type (the cell stays null).
bool SetFromJson(schema::TableBatch& batch, size_t col, element value,
                 internal::CellConverter& converter, std::string& scratch) {
  const element_type type = value.type();
  if (type == element_type::NULL_VALUE) {
    return true;
  }
  const ColumnType column_type = batch.column(col).type;
  if (type == element_type::STRING) {
    std::string_view text = value.get_string().value_unsafe();
    if (column_type == ColumnType::kDynamic) {
      // A string that holds a JSON object or array (as Defender exports dynamic columns) is
      // stored as that JSON; any other string as a JSON string.
      bool is_object = false;
      const size_t first = text.find_first_not_of(" \t\r\n");
      if (first != std::string_view::npos && (text[first] == '{' || text[first] == '[') &&
          converter.IsValidJson(text, &is_object)) {
        batch.SetBytes(col, text);
        return true;
      }
      scratch.clear();
      internal::AppendJsonString(scratch, text);
      batch.SetBytes(col, scratch);
      return true;
    }
    return converter.SetFromText(batch, col, text);
  }
  switch (column_type) {
    case ColumnType::kDynamic:
    case ColumnType::kString:
      scratch.clear();
      internal::AppendElementText(scratch, value);
      batch.SetBytes(col, scratch);
      return true;
    case ColumnType::kBool:
      if (type == element_type::BOOL) {
        batch.SetBool(col, value.get_bool().value_unsafe());
        return true;
      }
      if (type == element_type::INT64) {
        const int64_t v = value.get_int64().value_unsafe();
        if (v == 0 || v == 1) {
          batch.SetBool(col, v == 1);
          return true;
        }
      }
      return false;
    case ColumnType::kLong:
    case ColumnType::kInt: {
      int64_t v = 0;
      if (type == element_type::INT64) {
        v = value.get_int64().value_unsafe();
      } else if (type == element_type::UINT64) {
        return false;  // above the int64 range
      } else if (type == element_type::DOUBLE) {
        const double d = value.get_double().value_unsafe();
        if (!(d >= -9.2e18 && d <= 9.2e18) || d != std::trunc(d)) {
          return false;
        }
        v = static_cast<int64_t>(d);
      } else {
        return false;
      }
      if (column_type == ColumnType::kInt &&
          (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max())) {
        return false;
      }
      batch.SetInt(col, v);
      return true;
    }
    case ColumnType::kReal:
      if (!IsNumberType(type)) {
        return false;
      }
      if (type == element_type::INT64) {
        batch.SetReal(col, static_cast<double>(value.get_int64().value_unsafe()));
      } else if (type == element_type::UINT64) {
        batch.SetReal(col, static_cast<double>(value.get_uint64().value_unsafe()));
      } else {
        batch.SetReal(col, value.get_double().value_unsafe());
      }
      return true;
    case ColumnType::kDateTime:
    case ColumnType::kTimeSpan:
    case ColumnType::kGuid:
      return false;  // these come as strings
  }
  return false;
}

}  // namespace

Status ReadTableJsonLines(std::string_view input, const std::string& source,
                          const schema::TableSchema& table, const BatchSink& sink,
                          IngestReport& report) {
  const std::string_view data = internal::StripUtf8Bom(input);
  const int af_column = table.additional_fields_column();
  schema::TableBatch batch(table);
  batch.Reserve(kDefaultBatchRows);
  simdjson::dom::parser parser;
  internal::CellConverter converter;
  internal::AdditionalFieldsBuilder extra;
  std::string buffer;
  std::string scratch;
  std::string value_json;
  // Key -> column (or -1 for unknown keys), cached across lines.
  std::unordered_map<std::string, int, StringHash, std::equal_to<>> key_columns;
  std::vector<internal::BadCellStats> bad_cells(table.column_count());
  std::vector<uint8_t> seen(table.column_count(), 0);
  uint64_t total_rows = 0;
  auto flush = [&]() {
    if (batch.empty()) {
      return;
    }
    const size_t rows = batch.rows();
    report.CountRows(table.name(), rows);
    sink(batch);
    batch.Clear();
    total_rows += rows;
  };

  uint64_t line = 0;
  size_t pos = 0;
  while (pos < data.size()) {
    ++line;
    const auto* nl =
        static_cast<const char*>(std::memchr(data.data() + pos, '\n', data.size() - pos));
    const size_t line_end = nl != nullptr ? static_cast<size_t>(nl - data.data()) : data.size();
    const size_t start = pos;
    pos = line_end + 1;
    size_t first = start;
    while (first < line_end && (data[first] == ' ' || data[first] == '\t' ||
                                data[first] == '\r')) {
      ++first;
    }
    if (first == line_end) {
      continue;  // blank line
    }
    element root;
    simdjson::error_code error = simdjson::SUCCESS;
    const size_t len = line_end - first;
    if (line_end + simdjson::SIMDJSON_PADDING <= data.size()) {
      error = parser.parse(data.data() + first, len, false).get(root);
    } else {
      buffer.assign(data.data() + first, len);
      buffer.append(simdjson::SIMDJSON_PADDING, '\0');
      error = parser.parse(buffer.data(), len, false).get(root);
    }
    if (error != simdjson::SUCCESS) {
      report.Skip(source, internal::LinePosition(line), "invalid JSON",
                  simdjson::error_message(error));
      continue;
    }
    simdjson::dom::object obj;
    if (root.get_object().get(obj) != simdjson::SUCCESS) {
      report.Skip(source, internal::LinePosition(line), "not a JSON object",
                  internal::Excerpt(data.substr(first, len)));
      continue;
    }
    batch.BeginRow();
    extra.Reset();
    std::fill(seen.begin(), seen.end(), 0);
    for (simdjson::dom::key_value_pair member : obj) {
      auto it = key_columns.find(member.key);
      if (it == key_columns.end()) {
        it = key_columns.emplace(std::string(member.key),
                                 internal::FindColumnLoose(table, member.key)).first;
      }
      const int col = it->second;
      const bool duplicate = col >= 0 && seen[static_cast<size_t>(col)] != 0;
      if (col < 0 || duplicate) {
        if (member.value.type() != element_type::NULL_VALUE) {
          value_json.clear();
          internal::AppendElementJson(value_json, member.value);
          extra.AddJson(member.key, value_json);
        }
        continue;
      }
      const auto column = static_cast<size_t>(col);
      seen[column] = 1;
      if (col == af_column) {
        if (member.value.type() == element_type::OBJECT) {
          value_json.clear();
          internal::AppendElementJson(value_json, member.value);
          extra.MergeObject(value_json);
          continue;
        }
        if (member.value.type() == element_type::STRING) {
          const std::string_view text = member.value.get_string().value_unsafe();
          bool is_object = false;
          if (text.empty()) {
            continue;
          }
          if (converter.IsValidJson(text, &is_object) && is_object) {
            extra.MergeObject(text);
            continue;
          }
        }
        if (member.value.type() == element_type::NULL_VALUE) {
          continue;
        }
        if (bad_cells[column].count++ == 0) {
          bad_cells[column].first_line = line;
        }
        value_json.clear();
        internal::AppendElementJson(value_json, member.value);
        extra.AddJson(member.key, value_json);
        continue;
      }
      if (!SetFromJson(batch, column, member.value, converter, scratch)) {
        if (bad_cells[column].count++ == 0) {
          bad_cells[column].first_line = line;
        }
        value_json.clear();
        internal::AppendElementJson(value_json, member.value);
        extra.AddJson(member.key, value_json);
      }
    }
    if (!extra.empty() && af_column >= 0) {
      batch.SetBytes(static_cast<size_t>(af_column), extra.Finish());
    }
    if (batch.rows() >= kDefaultBatchRows) {
      flush();
    }
  }
  flush();
  report.CountRecord(total_rows);
  for (size_t col = 0; col < bad_cells.size(); ++col) {
    if (bad_cells[col].count == 0) {
      continue;
    }
    report.Warn(source, fmt::format("column '{}': {} value(s) not convertible to {} (first on "
                                    "line {}); raw value kept in AdditionalFields",
                                    table.column(col).name, bad_cells[col].count,
                                    schema::ColumnTypeName(table.column(col).type),
                                    bad_cells[col].first_line));
  }
  return Status::Ok();
}

}  // namespace vigil::ingest

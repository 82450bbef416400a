#include "vigil/schema/row_json.h"

#include <cmath>

#include <fmt/format.h>

#include "vigil/base/json_escape.h"
#include "vigil/base/time.h"

namespace vigil::schema {

void AppendJsonString(std::string& out, std::string_view text) { AppendJsonQuoted(out, text); }

std::string FormatTimeSpan(int64_t ticks) {
  std::string sign;
  uint64_t magnitude = static_cast<uint64_t>(ticks);
  if (ticks < 0) {
    sign = "-";
    magnitude = static_cast<uint64_t>(-(ticks + 1)) + 1;
  }
  const uint64_t per_second = static_cast<uint64_t>(kTicksPerSecond);
  const uint64_t total_seconds = magnitude / per_second;
  const uint64_t fraction = magnitude % per_second;
  const uint64_t days = total_seconds / 86400;
  std::string out = sign;
  if (days > 0) {
    out += fmt::format("{}.", days);
  }
  out += fmt::format("{:02}:{:02}:{:02}", (total_seconds / 3600) % 24, (total_seconds / 60) % 60,
                     total_seconds % 60);
  if (fraction != 0) {
    out += fmt::format(".{:07}", fraction);
  }
  return out;
}

void AppendRowJson(const TableBatch& batch, size_t row, const RowJsonOptions& options,
                   std::string& out) {
  out.push_back('{');
  bool first = true;
  auto key = [&](std::string_view name) {
    if (!first) {
      out.push_back(',');
    }
    first = false;
    AppendJsonString(out, name);
    out.push_back(':');
  };
  if (options.table_field) {
    key("$table");
    AppendJsonString(out, batch.schema().name());
  }
  for (size_t col = 0; col < batch.schema().column_count(); ++col) {
    const ColumnData& data = batch.column(col);
    if (data.IsNull(row)) {
      if (options.include_nulls) {
        key(batch.schema().column(col).name);
        out += "null";
      }
      continue;
    }
    key(batch.schema().column(col).name);
    switch (data.type) {
      case ColumnType::kBool:
        out += data.ints[row] != 0 ? "true" : "false";
        break;
      case ColumnType::kInt:
      case ColumnType::kLong:
        out += fmt::format("{}", data.ints[row]);
        break;
      case ColumnType::kReal:
        if (std::isfinite(data.reals[row])) {
          out += fmt::format("{}", data.reals[row]);
        } else {
          AppendJsonString(out, fmt::format("{}", data.reals[row]));
        }
        break;
      case ColumnType::kDateTime:
        AppendJsonString(out, FormatDateTime(data.ints[row]));
        break;
      case ColumnType::kTimeSpan:
        AppendJsonString(out, FormatTimeSpan(data.ints[row]));
        break;
      case ColumnType::kString:
      case ColumnType::kGuid:
        AppendJsonString(out, data.GetBytes(row));
        break;
      case ColumnType::kDynamic: {
        const std::string_view json = data.GetBytes(row);
        if (json.empty()) {
          out += "null";
        } else {
          out.append(json);
        }
        break;
      }
    }
  }
  out.push_back('}');
}

std::string RowToJson(const TableBatch& batch, size_t row, const RowJsonOptions& options) {
  std::string out;
  AppendRowJson(batch, row, options, out);
  return out;
}

}  // namespace vigil::schema

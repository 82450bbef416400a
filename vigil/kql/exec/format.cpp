// Result renderings: aligned text, CSV, and the hunting API's JSON shape.
#include <algorithm>

#include "vigil/base/json_escape.h"
#include "vigil/kql/exec/engine.h"

namespace vigil::kql {

std::string CellText(const Value& v) { return v.ToText(); }

std::string FormatTable(const QueryResult& result) {
  const Table& t = *result.table;
  std::vector<size_t> width(t.schema.size());
  std::vector<std::vector<std::string>> cells(t.rows, std::vector<std::string>(t.schema.size()));
  for (size_t c = 0; c < t.schema.size(); ++c) {
    width[c] = t.schema[c].name.size();
    for (size_t r = 0; r < t.rows; ++r) {
      std::string s = CellText(t.cols[c][r]);
      for (auto& ch : s) {
        if (ch == '\n' || ch == '\r' || ch == '\t') {
          ch = ' ';
        }
      }
      width[c] = std::max(width[c], std::min<size_t>(s.size(), 120));
      if (s.size() > 120) {
        s = s.substr(0, 117) + "...";
      }
      cells[r][c] = std::move(s);
    }
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& row) {
    for (size_t c = 0; c < row.size(); ++c) {
      out += row[c];
      if (c + 1 < row.size()) {
        out.append(width[c] - std::min(width[c], row[c].size()) + 2, ' ');
      }
    }
    out += '\n';
  };
  std::vector<std::string> header;
  std::vector<std::string> rule;
  for (size_t c = 0; c < t.schema.size(); ++c) {
    header.push_back(t.schema[c].name);
    rule.push_back(std::string(width[c], '-'));
  }
  line(header);
  line(rule);
  for (const auto& row : cells) {
    line(row);
  }
  return out;
}

std::string FormatCsv(const QueryResult& result) {
  const Table& t = *result.table;
  std::string out;
  auto field = [&](const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) {
      out += s;
      return;
    }
    out += '"';
    for (char ch : s) {
      if (ch == '"') {
        out += '"';
      }
      out += ch;
    }
    out += '"';
  };
  for (size_t c = 0; c < t.schema.size(); ++c) {
    if (c) out += ',';
    field(t.schema[c].name);
  }
  out += '\n';
  for (size_t r = 0; r < t.rows; ++r) {
    for (size_t c = 0; c < t.schema.size(); ++c) {
      if (c) out += ',';
      field(CellText(t.cols[c][r]));
    }
    out += '\n';
  }
  return out;
}

void AppendSchemaAndResults(std::string& out, const Table& t, const JsonTableKeys& keys) {
  AppendJsonQuoted(out, keys.schema);
  out += ":[";
  for (size_t c = 0; c < t.schema.size(); ++c) {
    if (c) out += ',';
    out += '{';
    AppendJsonQuoted(out, keys.name);
    out += ':';
    AppendJsonQuoted(out, t.schema[c].name);
    out += ',';
    AppendJsonQuoted(out, keys.type);
    out += ':';
    AppendJsonQuoted(out, TypeName(t.schema[c].type));
    out += '}';
  }
  out += "],";
  AppendJsonQuoted(out, keys.results);
  out += ":[";
  for (size_t r = 0; r < t.rows; ++r) {
    if (r) out += ',';
    out += '{';
    for (size_t c = 0; c < t.schema.size(); ++c) {
      if (c) out += ',';
      AppendJsonQuoted(out, t.schema[c].name);
      out += ':';
      t.cols[c][r].AppendJson(out);
    }
    out += '}';
  }
  out += ']';
}

std::string FormatJson(const QueryResult& result) {
  const Table& t = *result.table;
  std::string out = "{";
  AppendSchemaAndResults(out, t, JsonTableKeys{});
  out += ",\"Stats\":{";
  const auto& s = result.stats;
  out += "\"ElapsedMs\":" + std::to_string(result.elapsed_ms);
  out += ",\"RowsReturned\":" + std::to_string(t.rows);
  out += ",\"Truncated\":" + std::string(result.truncated ? "true" : "false");
  out += ",\"RowsScanned\":" + std::to_string(s.rows_scanned);
  out += ",\"BytesScanned\":" + std::to_string(s.bytes_scanned);
  out += ",\"BlocksRead\":" + std::to_string(s.blocks_read);
  out += ",\"BlocksSkipped\":" + std::to_string(s.blocks_skipped);
  out += ",\"PeakMemoryBytes\":" + std::to_string(s.peak_memory_bytes);
  out += "}";
  if (!result.render.kind.empty()) {
    out += ",\"Render\":{\"Kind\":";
    AppendJsonQuoted(out, result.render.kind);
    for (const auto& [k, v] : result.render.properties) {
      out += ',';
      AppendJsonQuoted(out, k);
      out += ':';
      AppendJsonQuoted(out, v);
    }
    out += '}';
  }
  if (!result.warnings.empty()) {
    out += ",\"Warnings\":[";
    for (size_t i = 0; i < result.warnings.size(); ++i) {
      if (i) out += ',';
      AppendJsonQuoted(out, result.warnings[i]);
    }
    out += ']';
  }
  out += "}";
  return out;
}

}  // namespace vigil::kql

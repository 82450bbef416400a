#include "vigil/ingest/text/csv_reader.h"

#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "vigil/ingest/text/internal/cell_convert.h"
#include "vigil/ingest/text/internal/json_text.h"

namespace vigil::ingest {
namespace {

using internal::AdditionalFieldsBuilder;
using internal::BadCellStats;
using internal::CellConverter;

struct Field {
  const char* ptr = nullptr;
  size_t len = 0;
  bool has_escaped_quotes = false;  // quoted field containing "" pairs
};

enum class RowResult { kRow, kEnd, kBadQuoting, kUnterminatedQuote };

// Splits the file into rows of fields without copying. Lines are counted so every row knows
// where it started.
class CsvTokenizer {
 public:
  explicit CsvTokenizer(std::string_view data) : data_(data.data()), size_(data.size()) {}

  uint64_t row_line() const { return row_line_; }

  RowResult NextRow(std::vector<Field>& fields) {
    fields.clear();
    // Blank lines between rows are ignored.
    while (pos_ < size_ && (data_[pos_] == '\n' || data_[pos_] == '\r')) {
      if (data_[pos_] == '\n') {
        ++line_;
      }
      ++pos_;
    }
    if (pos_ >= size_) {
      return RowResult::kEnd;
    }
    row_line_ = line_;
    const char* line_end = FindLineEnd(pos_);
    while (true) {
      const char* cur = data_ + pos_;
      if (pos_ < size_ && *cur == '"') {
        const RowResult quoted = ReadQuoted(fields, line_end);
        if (quoted != RowResult::kRow) {
          return quoted;
        }
        if (pos_ < size_ && data_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (AtRowEnd()) {
          return RowResult::kRow;
        }
        SkipRestOfLine();
        return RowResult::kBadQuoting;
      }
      // Unquoted field: up to the next comma on this line.
      const size_t remaining = static_cast<size_t>(line_end - cur);
      const auto* comma = static_cast<const char*>(std::memchr(cur, ',', remaining));
      if (comma != nullptr) {
        fields.push_back(Field{cur, static_cast<size_t>(comma - cur), false});
        pos_ = static_cast<size_t>(comma - data_) + 1;
        continue;
      }
      size_t len = remaining;
      if (len > 0 && cur[len - 1] == '\r') {
        --len;
      }
      fields.push_back(Field{cur, len, false});
      pos_ = static_cast<size_t>(line_end - data_);
      if (pos_ < size_) {
        ++pos_;  // the '\n'
        ++line_;
      }
      return RowResult::kRow;
    }
  }

 private:
  const char* FindLineEnd(size_t from) const {
    const auto* nl = static_cast<const char*>(std::memchr(data_ + from, '\n', size_ - from));
    return nl != nullptr ? nl : data_ + size_;
  }

  // Reads a quoted field starting at pos_ (on the opening quote). Updates `line_end` when the
  // field spans lines.
  RowResult ReadQuoted(std::vector<Field>& fields, const char*& line_end) {
    const size_t start = pos_ + 1;
    size_t scan = start;
    bool escaped = false;
    while (true) {
      const auto* quote =
          static_cast<const char*>(std::memchr(data_ + scan, '"', size_ - scan));
      if (quote == nullptr) {
        pos_ = size_;
        return RowResult::kUnterminatedQuote;
      }
      const auto q = static_cast<size_t>(quote - data_);
      if (q + 1 < size_ && data_[q + 1] == '"') {
        escaped = true;
        scan = q + 2;
        continue;
      }
      fields.push_back(Field{data_ + start, q - start, escaped});
      if (data_ + q > line_end) {
        line_ += static_cast<uint64_t>(std::count(data_ + start, data_ + q, '\n'));
        line_end = FindLineEnd(q);
      }
      pos_ = q + 1;
      return RowResult::kRow;
    }
  }

  // After a quoted field: consumes the line terminator if the row ends here.
  bool AtRowEnd() {
    if (pos_ >= size_) {
      return true;
    }
    if (data_[pos_] == '\n') {
      ++pos_;
      ++line_;
      return true;
    }
    if (data_[pos_] == '\r' && (pos_ + 1 >= size_ || data_[pos_ + 1] == '\n')) {
      pos_ += pos_ + 1 < size_ ? 2 : 1;
      ++line_;
      return true;
    }
    return false;
  }

  void SkipRestOfLine() {
    const char* end = FindLineEnd(pos_);
    pos_ = static_cast<size_t>(end - data_);
    if (pos_ < size_) {
      ++pos_;
      ++line_;
    }
  }

  const char* data_;
  size_t size_;
  size_t pos_ = 0;
  uint64_t line_ = 1;
  uint64_t row_line_ = 1;
};

enum class TargetKind { kColumn, kExtra, kAdditionalFields };

struct Target {
  TargetKind kind = TargetKind::kExtra;
  size_t column = 0;
  std::string name;  // header name
};

std::string_view FieldText(const Field& field, std::string& scratch) {
  if (!field.has_escaped_quotes) {
    return std::string_view(field.ptr, field.len);
  }
  scratch.clear();
  for (size_t i = 0; i < field.len; ++i) {
    scratch.push_back(field.ptr[i]);
    if (field.ptr[i] == '"' && i + 1 < field.len && field.ptr[i + 1] == '"') {
      ++i;
    }
  }
  return scratch;
}

std::string_view TrimHeaderName(std::string_view name) {
  while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) {
    name.remove_prefix(1);
  }
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t' || name.back() == '\r')) {
    name.remove_suffix(1);
  }
  return name;
}

}  // namespace

Status ReadTableCsv(std::string_view data, const std::string& source,
                    const schema::TableSchema& table, const BatchSink& sink,
                    IngestReport& report) {
  data = internal::StripUtf8Bom(data);
  CsvTokenizer tokenizer(data);
  std::vector<Field> fields;
  fields.reserve(64);
  std::string scratch;

  // Header row.
  RowResult header_result = tokenizer.NextRow(fields);
  if (header_result == RowResult::kEnd) {
    report.Warn(source, "empty CSV file");
    return Status::Ok();
  }
  if (header_result != RowResult::kRow) {
    return InvalidArgumentError("{}: malformed CSV header on line {}", source,
                                tokenizer.row_line());
  }
  const int af_column = table.additional_fields_column();
  std::vector<Target> targets(fields.size());
  std::vector<bool> column_taken(table.column_count(), false);
  size_t matched = 0;
  for (size_t i = 0; i < fields.size(); ++i) {
    const std::string_view name = TrimHeaderName(FieldText(fields[i], scratch));
    Target& target = targets[i];
    target.name = std::string(name);
    const int col = internal::FindColumnLoose(table, name);
    if (col < 0 || column_taken[static_cast<size_t>(col)]) {
      target.kind = TargetKind::kExtra;
      continue;
    }
    column_taken[static_cast<size_t>(col)] = true;
    target.column = static_cast<size_t>(col);
    target.kind = col == af_column ? TargetKind::kAdditionalFields : TargetKind::kColumn;
    ++matched;
  }
  if (matched == 0) {
    return InvalidArgumentError("{}: CSV header names no column of table '{}'", source,
                                table.name());
  }

  schema::TableBatch batch(table);
  batch.Reserve(kDefaultBatchRows);
  CellConverter converter;
  AdditionalFieldsBuilder extra;
  std::vector<BadCellStats> bad_cells(targets.size());
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
  auto note_bad = [&](size_t index, uint64_t line) {
    if (bad_cells[index].count++ == 0) {
      bad_cells[index].first_line = line;
    }
  };

  while (true) {
    const RowResult result = tokenizer.NextRow(fields);
    if (result == RowResult::kEnd) {
      break;
    }
    const uint64_t line = tokenizer.row_line();
    if (result == RowResult::kBadQuoting) {
      report.Skip(source, internal::LinePosition(line), "malformed CSV quoting",
                  "text after a closing quote");
      continue;
    }
    if (result == RowResult::kUnterminatedQuote) {
      report.Skip(source, internal::LinePosition(line), "malformed CSV quoting",
                  "unterminated quoted field runs to the end of the file");
      break;
    }
    if (fields.size() != targets.size()) {
      report.Skip(source, internal::LinePosition(line), "wrong CSV field count",
                  fmt::format("expected {} fields, got {}", targets.size(), fields.size()));
      continue;
    }
    batch.BeginRow();
    extra.Reset();
    for (size_t i = 0; i < fields.size(); ++i) {
      const Target& target = targets[i];
      const std::string_view text = FieldText(fields[i], scratch);
      switch (target.kind) {
        case TargetKind::kColumn:
          if (!converter.SetFromText(batch, target.column, text)) {
            note_bad(i, line);
            extra.AddString(target.name, text);
          }
          break;
        case TargetKind::kExtra:
          if (!text.empty()) {
            extra.AddString(target.name, text);
          }
          break;
        case TargetKind::kAdditionalFields: {
          if (text.empty()) {
            break;
          }
          bool is_object = false;
          if (converter.IsValidJson(text, &is_object) && is_object) {
            extra.MergeObject(text);
          } else {
            note_bad(i, line);
            extra.AddString(target.name, text);
          }
          break;
        }
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
  for (size_t i = 0; i < targets.size(); ++i) {
    if (bad_cells[i].count == 0) {
      continue;
    }
    const auto type = table.column(targets[i].column).type;
    report.Warn(source, fmt::format("column '{}': {} value(s) not convertible to {} (first on "
                                    "line {}); raw text kept in AdditionalFields",
                                    targets[i].name, bad_cells[i].count,
                                    schema::ColumnTypeName(type), bad_cells[i].first_line));
  }
  return Status::Ok();
}

}  // namespace vigil::ingest

#include "vigil/ingest/text/internal/cell_convert.h"

#include "vigil/base/hex.h"

#include <charconv>
#include <cmath>
#include <limits>

#include "vigil/base/time.h"
#include "vigil/ingest/text/internal/json_text.h"

namespace vigil::ingest::internal {
namespace {

using schema::ColumnType;

std::string_view TrimSpaces(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
    if (c != b[i]) {
      return false;
    }
  }
  return true;
}

// Reads an unsigned decimal integer at `pos`; false if there is none or it overflows.
bool ReadNumber(std::string_view text, size_t& pos, int64_t& out) {
  const size_t start = pos;
  int64_t value = 0;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    if (value > (std::numeric_limits<int64_t>::max() - 9) / 10) {
      return false;
    }
    value = value * 10 + (text[pos] - '0');
    ++pos;
  }
  out = value;
  return pos > start;
}

std::optional<int64_t> ParseClockTimeSpan(std::string_view text) {
  // [d.]hh:mm[:ss[.fffffff]]
  size_t pos = 0;
  int64_t first = 0;
  if (!ReadNumber(text, pos, first)) {
    return std::nullopt;
  }
  int64_t days = 0;
  int64_t hours = first;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    days = first;
    if (!ReadNumber(text, pos, hours)) {
      return std::nullopt;
    }
  }
  if (pos >= text.size() || text[pos] != ':') {
    return std::nullopt;
  }
  ++pos;
  int64_t minutes = 0;
  int64_t seconds = 0;
  int64_t fraction = 0;
  if (!ReadNumber(text, pos, minutes)) {
    return std::nullopt;
  }
  if (pos < text.size() && text[pos] == ':') {
    ++pos;
    if (!ReadNumber(text, pos, seconds)) {
      return std::nullopt;
    }
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      int digits = 0;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        if (digits < 7) {
          fraction = fraction * 10 + (text[pos] - '0');
        }
        ++digits;
        ++pos;
      }
      if (digits == 0) {
        return std::nullopt;
      }
      for (int d = digits; d < 7; ++d) {
        fraction *= 10;
      }
    }
  }
  if (pos != text.size() || hours > 23 || minutes > 59 || seconds > 59 ||
      days > 10'000'000) {
    return std::nullopt;
  }
  return ((days * 24 + hours) * 60 + minutes) * 60 * kTicksPerSecond + seconds * kTicksPerSecond +
         fraction;
}

std::optional<int64_t> ParseUnitTimeSpan(std::string_view text) {
  size_t unit_start = 0;
  while (unit_start < text.size() &&
         ((text[unit_start] >= '0' && text[unit_start] <= '9') || text[unit_start] == '.')) {
    ++unit_start;
  }
  if (unit_start == 0 || unit_start == text.size()) {
    return std::nullopt;
  }
  double amount = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + unit_start, amount);
  if (ec != std::errc() || ptr != text.data() + unit_start) {
    return std::nullopt;
  }
  const std::string_view unit = text.substr(unit_start);
  double ticks_per_unit = 0;
  if (unit == "d" || unit == "day" || unit == "days") {
    ticks_per_unit = static_cast<double>(kTicksPerDay);
  } else if (unit == "h" || unit == "hr" || unit == "hrs" || unit == "hour" || unit == "hours") {
    ticks_per_unit = 3600.0 * kTicksPerSecond;
  } else if (unit == "m" || unit == "min" || unit == "minute" || unit == "minutes") {
    ticks_per_unit = 60.0 * kTicksPerSecond;
  } else if (unit == "s" || unit == "sec" || unit == "second" || unit == "seconds") {
    ticks_per_unit = static_cast<double>(kTicksPerSecond);
  } else if (unit == "ms" || unit == "milli" || unit == "millis" || unit == "millisecond" ||
             unit == "milliseconds") {
    ticks_per_unit = static_cast<double>(kTicksPerMillisecond);
  } else if (unit == "microsecond" || unit == "microseconds") {
    ticks_per_unit = static_cast<double>(kTicksPerMicrosecond);
  } else if (unit == "tick" || unit == "ticks") {
    ticks_per_unit = 1.0;
  } else {
    return std::nullopt;
  }
  const double ticks = amount * ticks_per_unit;
  if (!(ticks < 9.0e18)) {
    return std::nullopt;
  }
  return static_cast<int64_t>(std::llround(ticks));
}

}  // namespace

std::optional<int64_t> ParseInt64Text(std::string_view text) {
  if (!text.empty() && (text.front() == ' ' || text.back() == ' ' || text.back() == '\r')) {
    text = TrimSpaces(text);
  }
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
    if (!text.empty() && text.front() == '-') {
      return std::nullopt;
    }
  }
  int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  return value;
}

std::optional<double> ParseRealText(std::string_view text) {
  if (!text.empty() && (text.front() == ' ' || text.back() == ' ' || text.back() == '\r')) {
    text = TrimSpaces(text);
  }
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
    if (!text.empty() && text.front() == '-') {
      return std::nullopt;
    }
  }
  double value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  return value;
}

std::optional<bool> ParseBoolText(std::string_view text) {
  text = TrimSpaces(text);
  if (text == "1" || EqualsIgnoreCase(text, "true")) {
    return true;
  }
  if (text == "0" || EqualsIgnoreCase(text, "false")) {
    return false;
  }
  return std::nullopt;
}

std::optional<int64_t> ParseTimeSpanText(std::string_view text) {
  text = TrimSpaces(text);
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text.empty()) {
    return std::nullopt;
  }
  std::optional<int64_t> ticks = text.find(':') != std::string_view::npos
                                     ? ParseClockTimeSpan(text)
                                     : ParseUnitTimeSpan(text);
  if (ticks && negative) {
    *ticks = -*ticks;
  }
  return ticks;
}

bool ParseGuidText(std::string_view text, std::string& out) {
  text = TrimSpaces(text);
  if (text.size() == 38 && text.front() == '{' && text.back() == '}') {
    text = text.substr(1, 36);
  }
  if (text.size() != 36) {
    return false;
  }
  char canonical[36];
  for (size_t i = 0; i < 36; ++i) {
    const char c = text[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') {
        return false;
      }
      canonical[i] = '-';
      continue;
    }
    if (HexDigitValue(c) < 0) {
      return false;
    }
    canonical[i] = (c >= 'A' && c <= 'F') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  out.assign(canonical, sizeof(canonical));
  return true;
}

int FindColumnLoose(const schema::TableSchema& table, std::string_view name) {
  const int exact = table.FindColumn(name);
  if (exact >= 0) {
    return exact;
  }
  for (size_t i = 0; i < table.column_count(); ++i) {
    const std::string& column = table.column(i).name;
    if (column.size() != name.size()) {
      continue;
    }
    bool same = true;
    for (size_t k = 0; k < name.size() && same; ++k) {
      auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
      same = lower(column[k]) == lower(name[k]);
    }
    if (same) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

bool CellConverter::IsValidJson(std::string_view text, bool* is_object) {
  scratch_.assign(text);
  scratch_.append(simdjson::SIMDJSON_PADDING, '\0');
  simdjson::dom::element element;
  if (parser_.parse(scratch_.data(), text.size(), false).get(element) != simdjson::SUCCESS) {
    return false;
  }
  if (is_object != nullptr) {
    *is_object = element.type() == simdjson::dom::element_type::OBJECT;
  }
  return true;
}

bool CellConverter::SetFromText(schema::TableBatch& batch, size_t col, std::string_view text) {
  if (text.empty()) {
    return true;
  }
  switch (batch.column(col).type) {
    case ColumnType::kString:
      batch.SetBytes(col, text);
      return true;
    case ColumnType::kLong: {
      const auto value = ParseInt64Text(text);
      if (!value) {
        return false;
      }
      batch.SetInt(col, *value);
      return true;
    }
    case ColumnType::kInt: {
      const auto value = ParseInt64Text(text);
      if (!value || *value < std::numeric_limits<int32_t>::min() ||
          *value > std::numeric_limits<int32_t>::max()) {
        return false;
      }
      batch.SetInt(col, *value);
      return true;
    }
    case ColumnType::kReal: {
      const auto value = ParseRealText(text);
      if (!value) {
        return false;
      }
      batch.SetReal(col, *value);
      return true;
    }
    case ColumnType::kBool: {
      const auto value = ParseBoolText(text);
      if (!value) {
        return false;
      }
      batch.SetBool(col, *value);
      return true;
    }
    case ColumnType::kDateTime: {
      const auto value = ParseDateTime(text);
      if (!value) {
        return false;
      }
      batch.SetInt(col, *value);
      return true;
    }
    case ColumnType::kTimeSpan: {
      const auto value = ParseTimeSpanText(text);
      if (!value) {
        return false;
      }
      batch.SetInt(col, *value);
      return true;
    }
    case ColumnType::kGuid: {
      std::string canonical;
      if (!ParseGuidText(text, canonical)) {
        return false;
      }
      batch.SetBytes(col, canonical);
      return true;
    }
    case ColumnType::kDynamic: {
      if (!IsValidJson(text)) {
        return false;
      }
      batch.SetBytes(col, text);
      return true;
    }
  }
  return false;
}

void AdditionalFieldsBuilder::StartMember(std::string_view name) {
  if (!members_.empty()) {
    members_.push_back(',');
  }
  AppendJsonString(members_, name);
  members_.push_back(':');
}

void AdditionalFieldsBuilder::AddString(std::string_view name, std::string_view value) {
  StartMember(name);
  AppendJsonString(members_, value);
}

void AdditionalFieldsBuilder::AddJson(std::string_view name, std::string_view json) {
  StartMember(name);
  members_.append(json);
}

void AdditionalFieldsBuilder::MergeObject(std::string_view object_json) {
  const size_t open = object_json.find('{');
  const size_t close = object_json.rfind('}');
  if (open == std::string_view::npos || close == std::string_view::npos || close <= open) {
    return;
  }
  std::string_view inner = object_json.substr(open + 1, close - open - 1);
  while (!inner.empty() && (inner.front() == ' ' || inner.front() == '\n' ||
                            inner.front() == '\r' || inner.front() == '\t')) {
    inner.remove_prefix(1);
  }
  if (inner.empty()) {
    return;
  }
  if (!members_.empty()) {
    members_.push_back(',');
  }
  members_.append(inner);
}

std::string_view AdditionalFieldsBuilder::Finish() {
  out_.clear();
  out_.push_back('{');
  out_.append(members_);
  out_.push_back('}');
  return out_;
}

}  // namespace vigil::ingest::internal

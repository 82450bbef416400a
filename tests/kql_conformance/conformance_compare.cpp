#include "tests/kql_conformance/conformance_compare.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <sstream>

#include "vigil/base/time.h"

namespace vigil::kql::testing {
namespace {

std::string Trim(std::string_view s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) {
    ++b;
  }
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) {
    --e;
  }
  return std::string(s.substr(b, e - b));
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

void ReplaceAll(std::string& s, std::string_view from, std::string_view to) {
  size_t pos = 0;
  while ((pos = s.find(from, pos)) != std::string::npos) {
    s.replace(pos, from.size(), to);
    pos += to.size();
  }
}

// Presentation-neutral text: markdown line breaks and entities decoded, whitespace runs
// collapsed to one space, trimmed.
std::string Norm(std::string_view text) {
  std::string s(text);
  for (std::string_view br : {"<br />", "<br/>", "<br>", "<BR>"}) {
    ReplaceAll(s, br, " ");
  }
  ReplaceAll(s, "&nbsp;", " ");
  ReplaceAll(s, "\xC2\xA0", " ");  // U+00A0 no-break space
  ReplaceAll(s, "&lt;", "<");
  ReplaceAll(s, "&gt;", ">");
  ReplaceAll(s, "&quot;", "\"");
  ReplaceAll(s, "&#124;", "|");
  ReplaceAll(s, "&amp;", "&");
  std::string out;
  bool space = false;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = true;
      continue;
    }
    if (space && !out.empty()) {
      out += ' ';
    }
    space = false;
    out += c;
  }
  return out;
}

std::string StripWrapping(std::string s) {
  for (;;) {
    // `code`, **bold**, and <https://...> autolinks.
    if (s.size() >= 2 &&
        ((s.front() == '`' && s.back() == '`') || (s.front() == '*' && s.back() == '*') ||
         (s.front() == '<' && s.back() == '>' && s.find("://") != std::string::npos))) {
      s = Trim(s.substr(1, s.size() - 2));
      continue;
    }
    return s;
  }
}

bool StripQuotes(std::string& s) {
  if (s.size() >= 2 &&
      ((s.front() == '"' && s.back() == '"') || (s.front() == '\'' && s.back() == '\''))) {
    s = s.substr(1, s.size() - 2);
    return true;
  }
  return false;
}

// Pages write some counts for people: "1,048,576". True for an optional sign, one to three
// digits, then groups of a comma and three digits, then an optional fraction.
bool HasThousandsSeparators(std::string_view s) {
  size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  size_t lead = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) != 0) {
    ++i;
    ++lead;
  }
  if (lead == 0 || lead > 3 || i >= s.size() || s[i] != ',') {
    return false;
  }
  while (i < s.size() && s[i] == ',') {
    for (size_t k = 1; k <= 3; ++k) {
      if (i + k >= s.size() || std::isdigit(static_cast<unsigned char>(s[i + k])) == 0) {
        return false;
      }
    }
    i += 4;
  }
  if (i == s.size()) {
    return true;
  }
  if (s[i] != '.') {
    return false;
  }
  for (++i; i < s.size(); ++i) {
    if (std::isdigit(static_cast<unsigned char>(s[i])) == 0) {
      return false;
    }
  }
  return true;
}

std::optional<double> ParseNumber(std::string_view text) {
  std::string s = Trim(text);
  const std::string low = Lower(s);
  if (low == "nan") {
    return std::nan("");
  }
  if (low == "infinity" || low == "+infinity" || low == "inf" || s == "∞") {
    return HUGE_VAL;
  }
  if (low == "-infinity" || low == "-inf" || s == "-∞") {
    return -HUGE_VAL;
  }
  if (s.empty() || !(std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-' || s[0] == '+' ||
                     s[0] == '.')) {
    return std::nullopt;
  }
  if (HasThousandsSeparators(s)) {
    std::erase(s, ',');
  }
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) {
    return std::nullopt;
  }
  return v;
}

bool NumbersClose(double expected, double actual) {
  if (std::isnan(expected) || std::isnan(actual)) {
    return std::isnan(expected) && std::isnan(actual);
  }
  if (std::isinf(expected) || std::isinf(actual)) {
    return expected == actual;
  }
  const double diff = std::fabs(expected - actual);
  const double scale = std::max(std::fabs(expected), std::fabs(actual));
  return diff <= 1e-6 * scale || diff <= 1e-9;
}

// [-][d.]hh:mm:ss[.fffffff] or Kusto literals the docs print (`1d`, `2h`, `30m`, `10s`).
std::optional<int64_t> ParseTimeSpan(std::string_view text) {
  std::string s = Trim(text);
  bool neg = false;
  if (!s.empty() && s[0] == '-') {
    neg = true;
    s = s.substr(1);
  }
  int64_t days = 0;
  int64_t h = 0;
  int64_t m = 0;
  int64_t sec = 0;
  int64_t frac = 0;
  const size_t colon = s.find(':');
  if (colon == std::string::npos) {
    return std::nullopt;
  }
  std::string head = s.substr(0, colon);
  if (const size_t dot = head.find('.'); dot != std::string::npos) {
    days = std::atoll(head.substr(0, dot).c_str());
    head = head.substr(dot + 1);
  }
  h = std::atoll(head.c_str());
  std::string rest = s.substr(colon + 1);
  const size_t colon2 = rest.find(':');
  if (colon2 == std::string::npos) {
    return std::nullopt;
  }
  m = std::atoll(rest.substr(0, colon2).c_str());
  std::string secs = rest.substr(colon2 + 1);
  if (const size_t dot = secs.find('.'); dot != std::string::npos) {
    std::string digits = secs.substr(dot + 1);
    digits.resize(7, '0');
    for (char c : digits) {
      if (!std::isdigit(static_cast<unsigned char>(c))) {
        return std::nullopt;
      }
    }
    frac = std::atoll(digits.c_str());
    secs = secs.substr(0, dot);
  }
  for (char c : secs) {
    if (!std::isdigit(static_cast<unsigned char>(c))) {
      return std::nullopt;
    }
  }
  sec = std::atoll(secs.c_str());
  const int64_t ticks =
      ((days * 24 + h) * 60 + m) * 60 * kTicksPerSecond + sec * kTicksPerSecond + frac;
  return neg ? -ticks : ticks;
}

// `M/D/YYYY h:mm:ss AM` as some pages print datetimes.
std::optional<int64_t> ParseUsDateTime(std::string_view text) {
  unsigned mo = 0;
  unsigned d = 0;
  int y = 0;
  int h = 0;
  int mi = 0;
  int s = 0;
  char ampm[3] = {0, 0, 0};
  const std::string str(text);
  const int n = std::sscanf(str.c_str(), "%u/%u/%d %d:%d:%d %2s", &mo, &d, &y, &h, &mi, &s, ampm);
  if (n < 3 || mo < 1 || mo > 12 || d < 1 || d > 31) {
    return std::nullopt;
  }
  if (n == 7) {
    const std::string ap = Lower(ampm);
    if (ap == "pm" && h < 12) {
      h += 12;
    } else if (ap == "am" && h == 12) {
      h = 0;
    }
  }
  return DaysFromCivil(y, mo, d) * kTicksPerDay +
         (static_cast<int64_t>(h) * 3600 + mi * 60 + s) * kTicksPerSecond;
}

std::optional<int64_t> ParseAnyDateTime(std::string_view text) {
  std::string s = Trim(text);
  if (auto t = ParseDateTime(s)) {
    return t;
  }
  // `2023-01-01 00:00:00.0000000 +00:00`, or a trailing ` UTC`.
  for (std::string_view suffix : {" UTC", " +00:00", "Z"}) {
    if (s.size() > suffix.size() && s.ends_with(suffix)) {
      if (auto t = ParseDateTime(Trim(s.substr(0, s.size() - suffix.size())))) {
        return t;
      }
    }
  }
  return ParseUsDateTime(s);
}

// Kusto's dynamic literals also quote strings with single quotes (`['a', 'b']`), and pages
// print dynamic values that way. The expected cell is read as such a literal: single-quoted
// strings become JSON strings, then it is parsed as JSON. Only the quoting is translated; the
// values are compared as strictly as any JSON cell.
std::optional<Value> ParseDynamicLiteral(std::string_view text) {
  if (auto v = ParseJson(text)) {
    return v;
  }
  if (text.find('\'') == std::string_view::npos) {
    return std::nullopt;
  }
  std::string json;
  json.reserve(text.size() + 8);
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote == 0) {
      if (c == '"' || c == '\'') {
        quote = c;
        json += '"';
      } else {
        json += c;
      }
      continue;
    }
    if (c == '\\' && i + 1 < text.size()) {
      if (quote == '\'' && text[i + 1] == '\'') {
        json += '\'';
      } else {
        json += c;
        json += text[i + 1];
      }
      ++i;
      continue;
    }
    if (c == quote) {
      quote = 0;
      json += '"';
      continue;
    }
    if (c == '"') {
      json += "\\\"";
      continue;
    }
    json += c;
  }
  if (quote != 0) {
    return std::nullopt;
  }
  return ParseJson(json);
}

bool JsonMatches(const Value& expected, const Value& actual);

bool CellMatchesImpl(const std::string& raw, const Value& v, [[maybe_unused]] Type type) {
  const std::string e = Norm(raw);
  if (e.empty() || e == "(null)" || Lower(e) == "null") {
    return v.is_null() || (v.is_string() && v.AsString().empty()) ||
           (v.kind() == Kind::kGuid && v.AsString().empty());
  }
  switch (v.kind()) {
    case Kind::kNull:
      return false;
    case Kind::kBool: {
      const std::string low = Lower(e);
      // Older pages print booleans as 1 and 0.
      return ((low == "true" || low == "1") && v.AsBool()) ||
             ((low == "false" || low == "0") && !v.AsBool());
    }
    case Kind::kInt:
    case Kind::kLong:
    case Kind::kReal: {
      auto n = ParseNumber(e);
      if (!n) {
        std::string unquoted = e;
        if (StripQuotes(unquoted)) {
          n = ParseNumber(unquoted);
        }
      }
      return n && NumbersClose(*n, v.AsReal());
    }
    case Kind::kDateTime: {
      std::string s = e;
      StripQuotes(s);
      auto t = ParseAnyDateTime(s);
      return t && *t == v.AsInt64();
    }
    case Kind::kTimeSpan: {
      std::string s = e;
      StripQuotes(s);
      auto t = ParseTimeSpan(s);
      return (t && *t == v.AsInt64()) || Norm(s) == FormatTimeSpanText(v.AsInt64());
    }
    case Kind::kGuid:
      return Lower(Norm(e)) == Lower(v.AsString());
    case Kind::kString: {
      const std::string& s = v.AsString();
      if (Norm(e) == Norm(s)) {
        return true;
      }
      std::string unquoted = e;
      if (StripQuotes(unquoted) && Norm(unquoted) == Norm(s)) {
        return true;
      }
      // JSON text in a string column (tostring of dynamic) and numbers formatted differently.
      if (auto je = ParseDynamicLiteral(e); je && (je->is_array() || je->is_bag())) {
        if (auto js = ParseJson(s)) {
          return JsonMatches(*je, *js);
        }
      }
      if (auto ne = ParseNumber(e)) {
        if (auto ns = ParseNumber(s)) {
          return NumbersClose(*ne, *ns);
        }
      }
      return false;
    }
    case Kind::kArray:
    case Kind::kBag: {
      if (auto je = ParseDynamicLiteral(e)) {
        return JsonMatches(*je, v);
      }
      // Pages that print arrays of strings without quotes: `[a, b]`.
      auto squeeze = [](std::string t) {
        t.erase(std::remove_if(t.begin(), t.end(), [](char c) { return c == ' ' || c == '"'; }),
                t.end());
        return t;
      };
      return squeeze(v.ToJson()) == squeeze(e);
    }
  }
  return false;
}

bool JsonMatches(const Value& expected, const Value& actual) {
  switch (expected.kind()) {
    case Kind::kNull:
      return actual.is_null();
    case Kind::kString:
      if (actual.is_string()) {
        return expected.AsString() == actual.AsString();
      }
      return CellMatchesImpl(Trim(expected.AsString()), actual, Type::kDynamic);
    case Kind::kBool:
      return actual.kind() == Kind::kBool && actual.AsBool() == expected.AsBool();
    case Kind::kInt:
    case Kind::kLong:
    case Kind::kReal:
      if (actual.is_number()) {
        return NumbersClose(expected.AsReal(), actual.AsReal());
      }
      if (actual.is_string()) {
        auto n = ParseNumber(actual.AsString());
        return n && NumbersClose(expected.AsReal(), *n);
      }
      return false;
    case Kind::kArray: {
      if (!actual.is_array() || actual.AsArray().size() != expected.AsArray().size()) {
        return false;
      }
      for (size_t i = 0; i < expected.AsArray().size(); ++i) {
        if (!JsonMatches(expected.AsArray()[i], actual.AsArray()[i])) {
          return false;
        }
      }
      return true;
    }
    case Kind::kBag: {
      if (!actual.is_bag() || actual.AsBag().size() != expected.AsBag().size()) {
        return false;
      }
      for (const auto& [key, value] : expected.AsBag()) {
        const Value* other = actual.Find(key);
        if (other == nullptr || !JsonMatches(value, *other)) {
          return false;
        }
      }
      return true;
    }
    default:
      return ValuesEqual(expected, actual);
  }
}

std::vector<std::string> SplitCells(std::string_view line) {
  std::string s = Trim(line);
  if (!s.empty() && s.front() == '|') {
    s.erase(0, 1);
  }
  if (!s.empty() && s.back() == '|' && (s.size() < 2 || s[s.size() - 2] != '\\')) {
    s.pop_back();
  }
  std::vector<std::string> cells;
  std::string cur;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == '|') {
      cur += '|';
      ++i;
      continue;
    }
    if (s[i] == '|') {
      cells.push_back(Trim(cur));
      cur.clear();
      continue;
    }
    cur += s[i];
  }
  cells.push_back(Trim(cur));
  return cells;
}

bool IsSeparator(std::string_view line) {
  const std::string s = Trim(line);
  if (s.find('-') == std::string::npos) {
    return false;
  }
  return std::all_of(s.begin(), s.end(), [](char c) {
    return c == '|' || c == '-' || c == ':' || c == ' ' || c == '\t';
  });
}

bool RowMatches(const std::vector<std::string>& expected, const Table& actual, size_t row) {
  for (size_t c = 0; c < actual.schema.size(); ++c) {
    const std::string e = c < expected.size() ? expected[c] : std::string();
    if (!CellMatches(e, actual.cols[c][row], actual.schema[c].type)) {
      return false;
    }
  }
  return expected.size() <= actual.schema.size();
}

std::string Joined(const std::vector<std::string>& cells, size_t max_chars = 160) {
  std::string out;
  for (size_t i = 0; i < cells.size(); ++i) {
    out += (i ? " | " : "") + cells[i];
  }
  if (out.size() > max_chars) {
    out = out.substr(0, max_chars) + "…";
  }
  return out;
}

}  // namespace

std::optional<MarkdownTable> ParseMarkdownTable(std::string_view text) {
  std::vector<std::string> lines;
  std::stringstream ss{std::string(text)};
  std::string line;
  while (std::getline(ss, line)) {
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    lines.push_back(line);
  }
  size_t i = 0;
  while (i < lines.size() && Trim(lines[i]).empty()) {
    ++i;
  }
  if (i + 1 >= lines.size() || !IsSeparator(lines[i + 1])) {
    return std::nullopt;
  }
  MarkdownTable table;
  table.header = SplitCells(lines[i]);
  for (auto& h : table.header) {
    h = StripWrapping(h);
  }
  for (i += 2; i < lines.size(); ++i) {
    if (Trim(lines[i]).empty()) {
      break;
    }
    auto cells = SplitCells(lines[i]);
    for (auto& c : cells) {
      c = StripWrapping(c);
    }
    table.rows.push_back(std::move(cells));
  }
  return table;
}

bool CellMatches(std::string_view expected, const Value& actual, Type type) {
  return CellMatchesImpl(StripWrapping(Trim(expected)), actual, type);
}

std::string RowText(const Table& table, size_t row, size_t max_chars) {
  std::vector<std::string> cells;
  for (size_t c = 0; c < table.schema.size(); ++c) {
    const Value& v = table.cols[c][row];
    cells.push_back(v.is_null() ? "(null)" : Norm(v.ToText()));
  }
  return Joined(cells, max_chars);
}

TableComparison CompareTables(const MarkdownTable& expected, const Table& actual,
                              bool order_sensitive) {
  TableComparison out;
  const size_t width = actual.schema.size();
  for (size_t c = 0; c < std::min(width, expected.header.size()); ++c) {
    if (expected.header[c] != actual.schema[c].name) {
      out.name_mismatches.push_back("expected '" + expected.header[c] + "', got '" +
                                    actual.schema[c].name + "'");
    }
  }
  if (expected.header.size() != width) {
    std::string got;
    for (const auto& col : actual.schema) {
      got += (got.empty() ? "" : ", ") + col.name;
    }
    out.reason = "column count: expected " + std::to_string(expected.header.size()) + " (" +
                 Joined(expected.header, 80) + "), got " + std::to_string(width) + " (" +
                 (got.size() > 80 ? got.substr(0, 80) + "…" : got) + ")";
    return out;
  }
  if (expected.rows.size() != actual.rows) {
    out.reason = "row count: expected " + std::to_string(expected.rows.size()) + ", got " +
                 std::to_string(actual.rows);
    if (!expected.rows.empty()) {
      out.reason += "; expected first row [" + Joined(expected.rows[0], 100) + "]";
    }
    if (actual.rows > 0) {
      out.reason += "; got first row [" + RowText(actual, 0, 100) + "]";
    }
    return out;
  }
  if (order_sensitive) {
    for (size_t r = 0; r < actual.rows; ++r) {
      if (!RowMatches(expected.rows[r], actual, r)) {
        out.reason = "row " + std::to_string(r + 1) + ": expected [" + Joined(expected.rows[r]) +
                     "], got [" + RowText(actual, r) + "]";
        return out;
      }
    }
    out.ok = true;
    return out;
  }
  std::vector<bool> used(actual.rows, false);
  for (size_t e = 0; e < expected.rows.size(); ++e) {
    bool found = false;
    for (size_t r = 0; r < actual.rows && !found; ++r) {
      if (!used[r] && RowMatches(expected.rows[e], actual, r)) {
        used[r] = true;
        found = true;
      }
    }
    if (!found) {
      size_t first_unused = 0;
      while (first_unused < actual.rows && used[first_unused]) {
        ++first_unused;
      }
      out.reason = "expected row not found: [" + Joined(expected.rows[e]) + "]";
      if (first_unused < actual.rows) {
        out.reason += "; first unmatched actual row [" + RowText(actual, first_unused) + "]";
      }
      return out;
    }
  }
  out.ok = true;
  return out;
}

}  // namespace vigil::kql::testing

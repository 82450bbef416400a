#include "vigil/kql/syntax/lexer.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "vigil/base/time.h"

namespace vigil::kql {
namespace {

bool IsIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }

// Length of a Unicode space (no-break, zero-width, ideographic, BOM, ...) at `i`, or 0.
size_t UnicodeSpaceLength(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) -> unsigned char {
    return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0;
  };
  if (byte(0) == 0xC2 && byte(1) == 0xA0) {
    return 2;
  }
  if (byte(0) == 0xE2 && byte(1) == 0x80 &&
      ((byte(2) >= 0x80 && byte(2) <= 0x8B) || byte(2) == 0xAF || byte(2) == 0xA8 ||
       byte(2) == 0xA9)) {
    return 3;
  }
  if ((byte(0) == 0xE2 && byte(1) == 0x81 && byte(2) == 0x9F) ||
      (byte(0) == 0xE3 && byte(1) == 0x80 && byte(2) == 0x80) ||
      (byte(0) == 0xEF && byte(1) == 0xBB && byte(2) == 0xBF)) {
    return 3;
  }
  return 0;
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) {
      return false;
    }
  }
  return true;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

Token MakeError(size_t begin, size_t end, std::string code, std::string message) {
  Token tok;
  tok.kind = TokKind::kError;
  tok.begin = begin;
  tok.end = end;
  tok.error_code = std::move(code);
  tok.text = std::move(message);
  return tok;
}

// Converts a number times a unit to ticks; nullopt on overflow.
std::optional<int64_t> ScaleTicks(double number, int64_t unit) {
  const double ticks = std::round(number * static_cast<double>(unit));
  if (!std::isfinite(ticks) || std::fabs(ticks) >= 9.2e18) {
    return std::nullopt;
  }
  return static_cast<int64_t>(ticks);
}

// Regular quoted string starting at `pos` (the opening quote).
Token LexQuoted(std::string_view text, size_t begin, size_t pos) {
  const char quote = text[pos];
  Token tok;
  tok.kind = TokKind::kString;
  tok.begin = begin;
  size_t i = pos + 1;
  while (i < text.size()) {
    const char c = text[i];
    if (c == quote) {
      tok.end = i + 1;
      return tok;
    }
    if (c == '\n' || c == '\r') {
      break;
    }
    if (c != '\\') {
      tok.text += c;
      ++i;
      continue;
    }
    if (i + 1 >= text.size()) {
      break;
    }
    const char e = text[i + 1];
    i += 2;
    switch (e) {
      case 'n':
        tok.text += '\n';
        break;
      case 't':
        tok.text += '\t';
        break;
      case 'r':
        tok.text += '\r';
        break;
      case '0':
        tok.text += '\0';
        break;
      case 'a':
        tok.text += '\a';
        break;
      case 'b':
        tok.text += '\b';
        break;
      case 'f':
        tok.text += '\f';
        break;
      case 'v':
        tok.text += '\v';
        break;
      case '\\':
      case '\'':
      case '"':
      case '/':
      case '?':
        tok.text += e;
        break;
      case 'u':
      case 'x': {
        const size_t digits = e == 'u' ? 4 : 2;
        if (i + digits > text.size() ||
            !std::all_of(text.begin() + static_cast<std::ptrdiff_t>(i),
                         text.begin() + static_cast<std::ptrdiff_t>(i + digits), IsHex)) {
          return MakeError(begin, i, "KQL0003", "invalid escape sequence in string literal");
        }
        const uint32_t cp = static_cast<uint32_t>(
            std::strtoul(std::string(text.substr(i, digits)).c_str(), nullptr, 16));
        AppendUtf8(tok.text, cp);
        i += digits;
        break;
      }
      default:
        return MakeError(begin, i, "KQL0003",
                         std::string("invalid escape sequence '\\") + e + "' in string literal");
    }
  }
  return MakeError(begin, i, "KQL0002", "unterminated string literal");
}

// Verbatim @"..." string: no escapes, a doubled quote stands for one quote.
Token LexVerbatim(std::string_view text, size_t begin, size_t pos) {
  const char quote = text[pos];
  Token tok;
  tok.kind = TokKind::kString;
  tok.begin = begin;
  size_t i = pos + 1;
  while (i < text.size()) {
    if (text[i] == quote) {
      if (i + 1 < text.size() && text[i + 1] == quote) {
        tok.text += quote;
        i += 2;
        continue;
      }
      tok.end = i + 1;
      return tok;
    }
    if (text[i] == '\n') {
      break;
    }
    tok.text += text[i++];
  }
  return MakeError(begin, i, "KQL0002", "unterminated string literal");
}

Token LexNumber(std::string_view text, size_t begin) {
  size_t i = begin;
  Token tok;
  tok.begin = begin;
  if (text[i] == '0' && i + 2 < text.size() && (text[i + 1] == 'x' || text[i + 1] == 'X') &&
      IsHex(text[i + 2])) {
    i += 2;
    uint64_t value = 0;
    bool overflow = false;
    while (i < text.size() && IsHex(text[i])) {
      const char c = Lower(text[i]);
      const uint64_t d =
          IsDigit(c) ? static_cast<uint64_t>(c - '0') : static_cast<uint64_t>(c - 'a' + 10);
      overflow = overflow || value > (std::numeric_limits<uint64_t>::max() >> 4);
      value = (value << 4) | d;
      ++i;
    }
    if (overflow || (i < text.size() && IsIdentChar(text[i]))) {
      return MakeError(begin, i, "KQL0003", "invalid hexadecimal literal");
    }
    tok.kind = TokKind::kInt;
    tok.int_value = static_cast<int64_t>(value);
    tok.end = i;
    return tok;
  }
  while (i < text.size() && IsDigit(text[i])) {
    ++i;
  }
  bool is_real = false;
  if (i + 1 < text.size() && text[i] == '.' && IsDigit(text[i + 1])) {
    is_real = true;
    i += 1;
    while (i < text.size() && IsDigit(text[i])) {
      ++i;
    }
  }
  if (!is_real && i < text.size() && text[i] == '.' &&
      (i + 1 >= text.size() || (text[i + 1] != '.' && !IsIdentStart(text[i + 1])))) {
    is_real = true;  // `1000.` is a real
    ++i;
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    size_t j = i + 1;
    if (j < text.size() && (text[j] == '+' || text[j] == '-')) {
      ++j;
    }
    if (j < text.size() && IsDigit(text[j])) {
      is_real = true;
      i = j;
      while (i < text.size() && IsDigit(text[i])) {
        ++i;
      }
    }
  }
  const std::string number(text.substr(begin, i - begin));
  if (i < text.size() && IsIdentStart(text[i])) {
    size_t j = i;
    while (j < text.size() && IsIdentChar(text[j])) {
      ++j;
    }
    const std::string_view unit = text.substr(i, j - i);
    const auto ticks_per_unit = TimeSpanUnitTicks(unit);
    if (!ticks_per_unit) {
      if (is_real) {
        return MakeError(
            begin, j, "KQL0003",
            "invalid timespan literal '" + std::string(text.substr(begin, j - begin)) + "'");
      }
      // Kusto identifiers may start with digits when letters follow: `2022MostExploited`.
      tok.kind = TokKind::kIdent;
      tok.text = std::string(text.substr(begin, j - begin));
      tok.end = j;
      return tok;
    }
    const auto ticks = ScaleTicks(std::strtod(number.c_str(), nullptr), *ticks_per_unit);
    if (!ticks) {
      return MakeError(begin, j, "KQL0003", "timespan literal out of range");
    }
    tok.kind = TokKind::kTimeSpan;
    tok.int_value = *ticks;
    tok.end = j;
    return tok;
  }
  tok.end = i;
  if (!is_real) {
    errno = 0;
    const long long v = std::strtoll(number.c_str(), nullptr, 10);
    if (errno != ERANGE) {
      tok.kind = TokKind::kInt;
      tok.int_value = v;
      return tok;
    }
  }
  tok.kind = TokKind::kReal;
  tok.real_value = std::strtod(number.c_str(), nullptr);
  return tok;
}

}  // namespace

bool Token::IsWord(std::string_view word) const {
  return kind == TokKind::kIdent && EqualsNoCase(text, word);
}

std::optional<int64_t> TimeSpanUnitTicks(std::string_view unit) {
  struct UnitDef {
    std::string_view name;
    int64_t ticks;
  };
  static constexpr UnitDef kUnits[] = {
      {"d", kTicksPerDay},
      {"day", kTicksPerDay},
      {"days", kTicksPerDay},
      {"h", 3600 * kTicksPerSecond},
      {"hr", 3600 * kTicksPerSecond},
      {"hrs", 3600 * kTicksPerSecond},
      {"hour", 3600 * kTicksPerSecond},
      {"hours", 3600 * kTicksPerSecond},
      {"m", 60 * kTicksPerSecond},
      {"min", 60 * kTicksPerSecond},
      {"minute", 60 * kTicksPerSecond},
      {"minutes", 60 * kTicksPerSecond},
      {"s", kTicksPerSecond},
      {"sec", kTicksPerSecond},
      {"second", kTicksPerSecond},
      {"seconds", kTicksPerSecond},
      {"ms", kTicksPerMillisecond},
      {"milli", kTicksPerMillisecond},
      {"millis", kTicksPerMillisecond},
      {"millisecond", kTicksPerMillisecond},
      {"milliseconds", kTicksPerMillisecond},
      {"microsecond", kTicksPerMicrosecond},
      {"microseconds", kTicksPerMicrosecond},
      {"tick", 1},
      {"ticks", 1},
  };
  for (const auto& u : kUnits) {
    if (EqualsNoCase(u.name, unit)) {
      return u.ticks;
    }
  }
  return std::nullopt;
}

std::optional<int64_t> ParseTimeSpanText(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text.empty() || !IsDigit(text.front())) {
    return std::nullopt;
  }
  std::optional<int64_t> result;
  if (text.find(':') == std::string_view::npos) {
    const Token tok = LexNumber(text, 0);
    if (tok.end != text.size()) {
      return std::nullopt;
    }
    if (tok.kind == TokKind::kTimeSpan) {
      result = tok.int_value;
    } else if (tok.kind == TokKind::kInt) {
      result = ScaleTicks(static_cast<double>(tok.int_value), kTicksPerDay);
    } else if (tok.kind == TokKind::kReal) {
      result = ScaleTicks(tok.real_value, kTicksPerDay);
    }
  } else {
    // [d.]hh:mm[:ss[.fffffff]]
    int64_t parts[4] = {0, 0, 0, 0};  // days, hours, minutes, seconds
    size_t i = 0;
    auto read_int = [&](int64_t& out) {
      const size_t start = i;
      out = 0;
      while (i < text.size() && IsDigit(text[i]) && i - start < 10) {
        out = out * 10 + (text[i] - '0');
        ++i;
      }
      return i > start;
    };
    int64_t first = 0;
    if (!read_int(first)) {
      return std::nullopt;
    }
    if (i < text.size() && text[i] == '.') {
      parts[0] = first;
      ++i;
      if (!read_int(parts[1])) {
        return std::nullopt;
      }
    } else {
      parts[1] = first;
    }
    if (i >= text.size() || text[i] != ':') {
      return std::nullopt;
    }
    ++i;
    if (!read_int(parts[2])) {
      return std::nullopt;
    }
    int64_t fraction = 0;
    if (i < text.size() && text[i] == ':') {
      ++i;
      if (!read_int(parts[3])) {
        return std::nullopt;
      }
      if (i < text.size() && text[i] == '.') {
        ++i;
        int digits = 0;
        while (i < text.size() && IsDigit(text[i])) {
          if (digits < 7) {
            fraction = fraction * 10 + (text[i] - '0');
            ++digits;
          }
          ++i;
        }
        for (; digits < 7; ++digits) {
          fraction *= 10;
        }
      }
    }
    if (i != text.size() || parts[0] > 10'000'000) {
      return std::nullopt;
    }
    result = parts[0] * kTicksPerDay + parts[1] * 3600 * kTicksPerSecond +
             parts[2] * 60 * kTicksPerSecond + parts[3] * kTicksPerSecond + fraction;
  }
  if (result && negative) {
    *result = -*result;
  }
  return result;
}

Lexer::Lexer(std::string_view text) : text_(text) {
  line_starts_.push_back(0);
  for (size_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\n') {
      line_starts_.push_back(i + 1);
    }
  }
}

Pos Lexer::PosOf(size_t offset) const {
  offset = std::min(offset, text_.size());
  const auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  const size_t line_idx = static_cast<size_t>(it - line_starts_.begin()) - 1;
  Pos pos;
  pos.line = static_cast<int>(line_idx + 1);
  pos.col = static_cast<int>(offset - line_starts_[line_idx] + 1);
  return pos;
}

size_t Lexer::SkipTrivia(size_t offset) const {
  size_t i = offset;
  while (i < text_.size()) {
    const char c = text_[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      ++i;
    } else if (c == '/' && i + 1 < text_.size() && text_[i + 1] == '/') {
      while (i < text_.size() && text_[i] != '\n') {
        ++i;
      }
    } else if (c == '#' && (i == 0 || text_[i - 1] == '\n')) {
      while (i < text_.size() && text_[i] != '\n') {  // client directive line (#connect)
        ++i;
      }
    } else if (const size_t n = UnicodeSpaceLength(text_, i); n > 0) {
      i += n;  // no-break / zero-width spaces and BOMs pasted from web pages
    } else {
      break;
    }
  }
  return i;
}

Token Lexer::Lex(size_t offset) const {
  const size_t begin = SkipTrivia(offset);
  Token tok;
  tok.begin = begin;
  tok.end = begin;
  if (begin >= text_.size()) {
    tok.kind = TokKind::kEnd;
    tok.begin = tok.end = text_.size();
    return tok;
  }
  const char c = text_[begin];
  const auto peek = [&](size_t k) -> char {
    return begin + k < text_.size() ? text_[begin + k] : '\0';
  };
  // Multi-line string ```...```.
  if (c == '`' && peek(1) == '`' && peek(2) == '`') {
    const size_t close = text_.find("```", begin + 3);
    if (close == std::string_view::npos) {
      return MakeError(begin, text_.size(), "KQL0002", "unterminated multi-line string literal");
    }
    tok.kind = TokKind::kString;
    tok.text = std::string(text_.substr(begin + 3, close - begin - 3));
    tok.end = close + 3;
    return tok;
  }
  if (c == '"' || c == '\'') {
    return LexQuoted(text_, begin, begin);
  }
  if (c == '@' && (peek(1) == '"' || peek(1) == '\'')) {
    return LexVerbatim(text_, begin, begin + 1);
  }
  if ((c == 'h' || c == 'H') && (peek(1) == '"' || peek(1) == '\'')) {
    return LexQuoted(text_, begin, begin + 1);
  }
  if ((c == 'h' || c == 'H') && peek(1) == '@' && (peek(2) == '"' || peek(2) == '\'')) {
    return LexVerbatim(text_, begin, begin + 2);
  }
  if (IsDigit(c)) {
    return LexNumber(text_, begin);
  }
  if (IsIdentStart(c) || (c == '$' && IsIdentStart(peek(1)))) {
    size_t i = begin + 1;
    while (i < text_.size() && IsIdentChar(text_[i]) && UnicodeSpaceLength(text_, i) == 0) {
      ++i;
    }
    tok.kind = TokKind::kIdent;
    tok.text = std::string(text_.substr(begin, i - begin));
    tok.end = i;
    return tok;
  }
  static constexpr std::string_view kPuncts[] = {
      "..", "==", "!=", "<>", "<=", ">=", "=~", "!~", "=>", "<|", "(", ")", "[", "]", "{", "}",
      ",",  ";",  "|",  ".",  ":",  "+",  "-",  "*",  "/",  "%",  "<", ">", "=", "!", "~", "?"};
  for (const std::string_view p : kPuncts) {
    if (text_.substr(begin, p.size()) == p) {
      tok.kind = TokKind::kPunct;
      tok.text = std::string(p);
      tok.end = begin + p.size();
      return tok;
    }
  }
  std::string shown(1, c);
  if (static_cast<unsigned char>(c) < 0x20) {
    shown = "\\x" + std::to_string(static_cast<int>(static_cast<unsigned char>(c)));
  }
  return MakeError(begin, begin + 1, "KQL0001", "unexpected character '" + shown + "'");
}

}  // namespace vigil::kql

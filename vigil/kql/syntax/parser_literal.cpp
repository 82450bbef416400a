// Literal constructors: datetime(...), timespan(...), guid(...), typed scalars int(5) /
// real(null) / bool(true), and dynamic([...]) / dynamic({...}). See parser_impl.h.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <utility>

#include "vigil/base/time.h"
#include "vigil/kql/syntax/parser_impl.h"

namespace vigil::kql::internal {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string_view StripQuotes(std::string_view s) {
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front()) {
    return s.substr(1, s.size() - 2);
  }
  return s;
}

bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

std::optional<std::string> CanonicalGuid(std::string_view s) {
  if (s.size() != 36) {
    return std::nullopt;
  }
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !IsHexDigit(s[i])) {
      return std::nullopt;
    }
    out += (s[i] >= 'A' && s[i] <= 'F') ? static_cast<char>(s[i] - 'A' + 'a') : s[i];
  }
  return out;
}

std::optional<int64_t> ParseInteger(std::string_view s) {
  const std::string text(s);
  if (text.empty()) {
    return std::nullopt;
  }
  char* end = nullptr;
  errno = 0;
  const bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  const long long v = std::strtoll(text.c_str(), &end, hex ? 16 : 10);
  if (errno == ERANGE || end != text.c_str() + text.size()) {
    return std::nullopt;
  }
  return v;
}

std::optional<double> ParseReal(std::string_view s) {
  const std::string lower = ToLower(s);
  if (lower == "nan") {
    return std::numeric_limits<double>::quiet_NaN();
  }
  if (lower == "inf" || lower == "+inf") {
    return std::numeric_limits<double>::infinity();
  }
  if (lower == "-inf") {
    return -std::numeric_limits<double>::infinity();
  }
  if (lower.empty()) {
    return std::nullopt;
  }
  char* end = nullptr;
  const double v = std::strtod(lower.c_str(), &end);
  if (end != lower.c_str() + lower.size() || lower.find_first_of("xp") != std::string::npos) {
    return std::nullopt;
  }
  return v;
}

// Formats the reference parser also accepts: `2024-5-1`, `5/1/2024 10:00:00 PM`, `01-16-2022`,
// `2025, 6, 14`. Rewritten to ISO form for ParseDateTime.
std::optional<int64_t> ParseLenientDateTime(std::string_view text) {
  if (auto ticks = ParseDateTime(text)) {
    return ticks;
  }
  std::string s(text);
  std::string time_part;
  std::vector<int> parts;
  size_t i = 0;
  while (i < s.size() && parts.size() < 3) {
    if (s[i] >= '0' && s[i] <= '9') {
      int v = 0;
      int digits = 0;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9' && digits < 5) {
        v = v * 10 + (s[i] - '0');
        ++i;
        ++digits;
      }
      parts.push_back(v);
      continue;
    }
    if (s[i] != '/' && s[i] != '-' && s[i] != ',' && s[i] != ' ' && s[i] != '.') {
      return std::nullopt;
    }
    ++i;
  }
  if (parts.size() != 3) {
    return std::nullopt;
  }
  int year = parts[0];
  int month = parts[1];
  int day = parts[2];
  if (year <= 31) {  // month/day/year
    year = parts[2];
    month = parts[0];
    day = parts[1];
  }
  std::string rest = s.substr(i);
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == 'T' || rest.front() == ',')) {
    rest.erase(rest.begin());
  }
  int add_hours = 0;
  const std::string lower = ToLower(rest);
  if (lower.size() >= 2 && (lower.ends_with("am") || lower.ends_with("pm"))) {
    const bool pm = lower.ends_with("pm");
    rest = rest.substr(0, rest.size() - 2);
    while (!rest.empty() && rest.back() == ' ') {
      rest.pop_back();
    }
    const int hour = std::atoi(rest.c_str());
    if (pm && hour < 12) {
      add_hours = 12;
    } else if (!pm && hour == 12) {
      add_hours = -12;
    }
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d", year, month, day);
  std::string iso(buf);
  if (!rest.empty()) {
    if (rest.size() >= 2 && rest[1] == ':') {
      rest = "0" + rest;
    }
    iso += " " + rest;
  }
  auto ticks = ParseDateTime(iso);
  if (ticks) {
    *ticks += static_cast<int64_t>(add_hours) * 3600 * kTicksPerSecond;
  }
  return ticks;
}

// A time of day without a date (`8:00`, `17:30:15.5`, `8:00:00 AM`): the reference reads it
// as that time today. Returns the ticks since midnight.
std::optional<int64_t> ParseTimeOfDay(std::string_view text) {
  size_t i = 0;
  auto number = [&](int max_digits, int& out) {
    int digits = 0;
    out = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9' && digits < max_digits) {
      out = out * 10 + (text[i] - '0');
      ++i;
      ++digits;
    }
    return digits > 0;
  };
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!number(2, hour) || i >= text.size() || text[i] != ':') {
    return std::nullopt;
  }
  ++i;
  if (!number(2, minute) || minute > 59) {
    return std::nullopt;
  }
  int64_t fraction = 0;
  if (i < text.size() && text[i] == ':') {
    ++i;
    if (!number(2, second) || second > 59) {
      return std::nullopt;
    }
    if (i < text.size() && text[i] == '.') {
      ++i;
      int64_t scale = kTicksPerSecond / 10;
      const size_t start = i;
      while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        fraction += (text[i] - '0') * scale;
        scale /= 10;
        ++i;
      }
      if (i == start) {
        return std::nullopt;
      }
    }
  }
  std::string_view rest = Trim(text.substr(i));
  if (!rest.empty()) {
    if (rest.size() != 2 || (rest[1] != 'M' && rest[1] != 'm') || hour < 1 || hour > 12) {
      return std::nullopt;
    }
    const bool pm = rest[0] == 'P' || rest[0] == 'p';
    if (!pm && rest[0] != 'A' && rest[0] != 'a') {
      return std::nullopt;
    }
    hour = (hour % 12) + (pm ? 12 : 0);
  }
  if (hour > 23) {
    return std::nullopt;
  }
  return (hour * 3600LL + minute * 60LL + second) * kTicksPerSecond + fraction;
}

}  // namespace

bool Parser::ReadRawParens(std::string& out) {
  if (!AtPunct("(")) {
    FailExpected("'('");
    return false;
  }
  const std::string_view text = lexer_.text();
  size_t i = cur_.end;
  int depth = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '(') {
      ++depth;
    } else if (c == ')') {
      if (depth == 0) {
        break;
      }
      --depth;
    } else if (c == '\n') {
      break;
    }
    ++i;
  }
  if (i >= text.size() || text[i] != ')') {
    Token at = cur_;
    at.begin = i;
    Fail("KQL0004", "expected ')' to close the literal", at);
    return false;
  }
  out = std::string(text.substr(cur_.end, i - cur_.end));
  prev_text_ = ")";
  prev_end_ = i + 1;
  cur_ = lexer_.Lex(i + 1);
  if (cur_.kind == TokKind::kError) {
    Fail(cur_.error_code, cur_.text, cur_);
  }
  return !Failed();
}

ExprPtr Parser::ParseTypedLiteral(const std::string& lower, const Token& name_tok) {
  const Pos pos = PosOf(name_tok);
  Advance();  // the type name
  std::string raw;
  if (!ReadRawParens(raw)) {
    return nullptr;
  }
  const std::string_view text = StripQuotes(Trim(raw));
  const bool is_null = Trim(raw) == "null";
  auto invalid = [&]() -> ExprPtr {
    Fail("KQL0003", "invalid " + lower + " literal '" + std::string(Trim(raw)) + "'", name_tok);
    return nullptr;
  };
  if (lower == "datetime" || lower == "date") {
    if (is_null) {
      return MakeLiteral(Value::Null(), Type::kDateTime, pos);
    }
    if (Trim(raw).empty()) {  // datetime(): the current time
      return MakeCallExpr("now", {}, pos);
    }
    if (const auto ticks = ParseLenientDateTime(text)) {
      return MakeLiteral(Value::DateTime(*ticks), Type::kDateTime, pos);
    }
    if (const auto time_of_day = ParseTimeOfDay(text)) {  // today at that time
      ExprPtr today = MakeCallExpr("startofday", {MakeCallExpr("now", {}, pos)}, pos);
      return MakeBinaryExpr("+", std::move(today),
                            MakeLiteral(Value::TimeSpan(*time_of_day), Type::kTimeSpan, pos));
    }
    return invalid();
  }
  if (lower == "timespan" || lower == "time") {
    if (is_null) {
      return MakeLiteral(Value::Null(), Type::kTimeSpan, pos);
    }
    const auto ticks = ParseTimeSpanText(text);
    return ticks ? MakeLiteral(Value::TimeSpan(*ticks), Type::kTimeSpan, pos) : invalid();
  }
  if (lower == "guid") {
    if (is_null) {
      return MakeLiteral(Value::Null(), Type::kGuid, pos);
    }
    const auto guid = CanonicalGuid(text);
    return guid ? MakeLiteral(Value::Guid(*guid), Type::kGuid, pos) : invalid();
  }
  if (lower == "int" || lower == "long") {
    const Type type = lower == "int" ? Type::kInt : Type::kLong;
    if (is_null) {
      return MakeLiteral(Value::Null(), type, pos);
    }
    std::string digits(Trim(raw));
    digits.erase(std::remove(digits.begin(), digits.end(), ' '), digits.end());
    const auto v = ParseInteger(digits);
    if (!v) {
      return invalid();
    }
    if (type == Type::kInt) {
      if (*v < INT32_MIN || *v > INT32_MAX) {
        return invalid();
      }
      return MakeLiteral(Value::Int(*v), type, pos);
    }
    return MakeLiteral(Value::Long(*v), type, pos);
  }
  if (lower == "real" || lower == "double" || lower == "decimal") {
    const Type type = lower == "decimal" ? Type::kDecimal : Type::kReal;
    if (is_null) {
      return MakeLiteral(Value::Null(), type, pos);
    }
    const auto v = ParseReal(Trim(raw));
    return v ? MakeLiteral(Value::Real(*v), type, pos) : invalid();
  }
  // bool / boolean
  if (is_null) {
    return MakeLiteral(Value::Null(), Type::kBool, pos);
  }
  const std::string word = ToLower(Trim(raw));
  if (word == "true" || word == "1") {
    return MakeLiteral(Value::Bool(true), Type::kBool, pos);
  }
  if (word == "false" || word == "0") {
    return MakeLiteral(Value::Bool(false), Type::kBool, pos);
  }
  return invalid();
}

ExprPtr Parser::ParseDynamicLiteral(const Token& name_tok) {
  const Pos pos = PosOf(name_tok);
  Advance();  // `dynamic`
  if (!ExpectPunct("(")) {
    return nullptr;
  }
  Value value;
  if (!ParseDynamicValue(value) || !ExpectPunct(")")) {
    return nullptr;
  }
  return MakeLiteral(std::move(value), Type::kDynamic, pos);
}

bool Parser::ParseDynamicValue(Value& out) {
  if (!Enter()) {
    return false;
  }
  struct LeaveOnExit {
    Parser* parser;
    ~LeaveOnExit() { parser->Leave(); }
  } leave_on_exit{this};
  auto invalid = [&]() {
    Fail("KQL0003", "invalid dynamic literal: unexpected " + Describe(cur_), cur_);
    return false;
  };
  switch (cur_.kind) {
    case TokKind::kString: {
      std::string text = cur_.text;
      Advance();
      while (cur_.kind == TokKind::kString && !Failed()) {  // adjacent literals concatenate
        text += cur_.text;
        Advance();
      }
      out = Value::String(std::move(text));
      return !Failed();
    }
    case TokKind::kInt:
      out = Value::Long(cur_.int_value);
      Advance();
      return !Failed();
    case TokKind::kReal:
      out = Value::Real(cur_.real_value);
      Advance();
      return !Failed();
    case TokKind::kTimeSpan:
      out = Value::TimeSpan(cur_.int_value);
      Advance();
      return !Failed();
    case TokKind::kIdent: {
      const std::string lower = ToLower(cur_.text);
      if (lower == "true" || lower == "false") {
        out = Value::Bool(lower == "true");
        Advance();
        return !Failed();
      }
      if (lower == "null") {
        out = Value::Null();
        Advance();
        return !Failed();
      }
      if (Peek().IsPunct("(") &&
          (lower == "datetime" || lower == "timespan" || lower == "time" || lower == "guid" ||
           lower == "long" || lower == "int" || lower == "real" || lower == "bool")) {
        ExprPtr lit = ParseTypedLiteral(lower, cur_);
        if (!lit) {
          return false;
        }
        out = lit->literal;
        return true;
      }
      if (lower == "dynamic" && Peek().IsPunct("(")) {
        ExprPtr lit = ParseDynamicLiteral(cur_);
        if (!lit) {
          return false;
        }
        out = lit->literal;
        return true;
      }
      return invalid();
    }
    case TokKind::kPunct:
      break;
    default:
      return invalid();
  }
  if (AtPunct("-") || AtPunct("+")) {
    const bool negative = AtPunct("-");
    Advance();
    Value inner;
    if (cur_.kind != TokKind::kInt && cur_.kind != TokKind::kReal &&
        cur_.kind != TokKind::kTimeSpan) {
      return invalid();
    }
    if (!ParseDynamicValue(inner)) {
      return false;
    }
    if (!negative) {
      out = inner;
    } else if (inner.kind() == Kind::kReal) {
      out = Value::Real(-inner.AsReal());
    } else if (inner.kind() == Kind::kTimeSpan) {
      out = Value::TimeSpan(-inner.AsInt64());
    } else {
      out = Value::Long(-inner.AsInt64());
    }
    return true;
  }
  if (AtPunct("[")) {
    Advance();
    Array items;
    while (!Failed() && !AtPunct("]")) {
      Value item;
      if (!ParseDynamicValue(item)) {
        return false;
      }
      items.push_back(std::move(item));
      if (!AcceptPunct(",")) {
        break;
      }
    }
    if (!ExpectPunct("]")) {
      return false;
    }
    out = Value::MakeArray(std::move(items));
    return true;
  }
  if (AtPunct("{")) {
    Advance();
    Bag bag;
    while (!Failed() && !AtPunct("}")) {
      if (cur_.kind != TokKind::kString && cur_.kind != TokKind::kIdent) {
        return invalid();
      }
      std::string key = cur_.text;
      Advance();
      if (!ExpectPunct(":")) {
        return false;
      }
      Value item;
      if (!ParseDynamicValue(item)) {
        return false;
      }
      bag.emplace_back(std::move(key), std::move(item));
      if (!AcceptPunct(",")) {
        break;
      }
    }
    if (!ExpectPunct("}")) {
      return false;
    }
    out = Value::MakeBag(std::move(bag));
    return true;
  }
  return invalid();
}

}  // namespace vigil::kql::internal

// Type conversion functions: tostring, toint, tolong, toreal/todouble/todecimal, tobool,
// toguid, todynamic/parse_json/parsejson, dynamic_to_json, gettype, tohex. Values that do not
// convert give null (tostring never does: null becomes "").

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "vigil/kql/functions/function_util2.h"
#include "vigil/kql/functions/registry.h"
#include "vigil/kql/value.h"

namespace vigil::kql {
namespace {

using fn2::Add;
using fn2::Arg;
using fn2::Returns;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
    s.remove_suffix(1);
  }
  return s;
}

std::optional<double> ParseReal(std::string_view text) {
  const std::string s(Trim(text));
  if (s.empty()) {
    return std::nullopt;
  }
  std::string lower = s;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "nan") {
    return std::nan("");
  }
  if (lower == "infinity" || lower == "+infinity" || lower == "inf") {
    return HUGE_VAL;
  }
  if (lower == "-infinity" || lower == "-inf") {
    return -HUGE_VAL;
  }
  char* end = nullptr;
  const double d = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || lower.find_first_of("xp") != std::string::npos) {
    return std::nullopt;  // strtod also reads hex floats; Kusto does not
  }
  return d;
}

// Integer text, or real text truncated towards zero ("2.7" -> 2).
std::optional<int64_t> ParseInteger(std::string_view text) {
  std::string_view s = Trim(text);
  if (!s.empty() && s.front() == '+') {
    s.remove_prefix(1);
  }
  int64_t out = 0;
  const auto res = std::from_chars(s.data(), s.data() + s.size(), out);
  if (res.ec == std::errc() && res.ptr == s.data() + s.size() && !s.empty()) {
    return out;
  }
  const auto d = ParseReal(s);
  if (d && std::isfinite(*d) && *d > -9.2e18 && *d < 9.2e18) {
    return static_cast<int64_t>(*d);
  }
  return std::nullopt;
}

std::optional<int64_t> ToLongOpt(const Value& v) {
  switch (v.kind()) {
    case Kind::kBool:
    case Kind::kInt:
    case Kind::kLong:
    case Kind::kTimeSpan:
      return v.AsInt64();
    case Kind::kDateTime:
      // Kusto counts datetime ticks from 0001-01-01.
      return v.AsInt64() + fn2::kKustoEpochOffsetTicks;
    case Kind::kReal:
      return fn2::IntegerOf(v);
    case Kind::kString:
      return ParseInteger(v.AsString());
    default:
      return std::nullopt;
  }
}

std::optional<double> ToRealOpt(const Value& v) {
  switch (v.kind()) {
    case Kind::kBool:
    case Kind::kInt:
    case Kind::kLong:
    case Kind::kTimeSpan:
      return static_cast<double>(v.AsInt64());
    case Kind::kDateTime:
      return static_cast<double>(v.AsInt64() + fn2::kKustoEpochOffsetTicks);
    case Kind::kReal:
      return v.AsReal();
    case Kind::kString:
      return ParseReal(v.AsString());
    default:
      return std::nullopt;
  }
}

Value ToBool(const Value& v) {
  switch (v.kind()) {
    case Kind::kBool:
      return v;
    case Kind::kInt:
    case Kind::kLong:
      return Value::Bool(v.AsInt64() != 0);
    case Kind::kReal:
      return std::isnan(v.AsReal()) ? Value() : Value::Bool(v.AsReal() != 0);
    case Kind::kString: {
      std::string s(Trim(v.AsString()));
      std::transform(s.begin(), s.end(), s.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (s == "true" || s == "1") {
        return Value::Bool(true);
      }
      if (s == "false" || s == "0") {
        return Value::Bool(false);
      }
      return Value();
    }
    default:
      return Value();
  }
}

// Accepts 32 hex digits with or without dashes, optionally in braces or parentheses.
Value ToGuid(const Value& v) {
  if (v.kind() == Kind::kGuid) {
    return v;
  }
  if (!v.is_string()) {
    return Value();
  }
  std::string_view s = Trim(v.AsString());
  if (s.size() >= 2 &&
      ((s.front() == '{' && s.back() == '}') || (s.front() == '(' && s.back() == ')'))) {
    s = s.substr(1, s.size() - 2);
  }
  // Kusto reads the first 32 hex digits, skipping hyphens between them (the documented
  // example accepts "0123456789ab-cdef-0123-456789abcdef"), and ignores the rest.
  std::string hex;
  for (size_t i = 0; i < s.size() && hex.size() < 32; ++i) {
    const char c = s[i];
    if (c == '-' && !hex.empty()) {
      continue;
    }
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return Value();
    }
    hex += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (hex.size() != 32) {
    return Value();
  }
  return Value::Guid(hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
                     hex.substr(16, 4) + "-" + hex.substr(20));
}

Value ToDynamic(const Value& v) {
  if (!v.is_string()) {
    return v;
  }
  if (v.AsString().empty()) {
    return Value();  // parse_json("") is null in Kusto
  }
  if (auto parsed = ParseJson(v.AsString())) {
    // A JSON integer that fits 32 bits is an `int` in Kusto's dynamic values (gettype of
    // parse_json('1') is "int"); only the top-level value is narrowed.
    if (parsed->kind() == Kind::kLong && parsed->AsInt64() >= INT32_MIN &&
        parsed->AsInt64() <= INT32_MAX) {
      return Value::Int(parsed->AsInt64());
    }
    return *parsed;
  }
  return v;  // not JSON: Kusto keeps the text as a dynamic string
}

// JSON with property-bag keys sorted (dynamic_to_json is deterministic in Kusto).
Value SortedKeys(const Value& v, int depth) {
  if (depth > 200) {
    return v;
  }
  if (v.is_array()) {
    Array items;
    items.reserve(v.AsArray().size());
    for (const auto& item : v.AsArray()) {
      items.push_back(SortedKeys(item, depth + 1));
    }
    return Value::MakeArray(std::move(items));
  }
  if (v.is_bag()) {
    Bag items;
    for (const auto& [k, item] : v.AsBag()) {
      items.emplace_back(k, SortedKeys(item, depth + 1));
    }
    std::stable_sort(items.begin(), items.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    return Value::MakeBag(std::move(items));
  }
  return v;
}

std::string_view RuntimeTypeName(const Value& v) {
  switch (v.kind()) {
    case Kind::kNull:
      return "null";
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
      return "int";
    case Kind::kLong:
      return "long";
    case Kind::kReal:
      return "real";
    case Kind::kString:
      return "string";
    case Kind::kDateTime:
      return "datetime";
    case Kind::kTimeSpan:
      return "timespan";
    case Kind::kGuid:
      return "guid";
    case Kind::kArray:
      return "array";
    case Kind::kBag:
      return "dictionary";
  }
  return "null";
}

Value ToHex(std::span<const Value> args) {
  const auto n = fn2::IntegerOf(args[0]);
  if (!n || args[0].kind() == Kind::kReal) {
    return Value();
  }
  char buf[32];
  // An int is 32 bits wide in Kusto: tohex(toint(-256)) is ffffff00.
  const uint64_t bits = args[0].kind() == Kind::kInt
                            ? static_cast<uint64_t>(static_cast<uint32_t>(*n))
                            : static_cast<uint64_t>(*n);
  const auto res = std::to_chars(buf, buf + sizeof(buf), bits, 16);
  std::string out(buf, res.ptr);
  if (args.size() > 1) {
    const auto width = fn2::IntegerOf(args[1]);
    if (!width) {
      return Value();
    }
    if (*width > 0 && static_cast<size_t>(*width) > out.size() && *width <= 64) {
      out.insert(0, static_cast<size_t>(*width) - out.size(), '0');
    }
  }
  return Value::String(std::move(out));
}

}  // namespace

void RegisterConversionFunctions(Registry& r) {
  Add(r, "tostring", 1, 1, Returns("tostring", Type::kString),
      [](std::span<const Value> args, FunctionContext&) {
        return Value::String(args[0].ToText());
      });
  Add(r, "toint", 1, 1, Returns("toint", Type::kInt),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        const auto v = ToLongOpt(args[0]);
        if (!v || *v < INT32_MIN || *v > INT32_MAX) {
          return Value();
        }
        return Value::Int(*v);
      });
  Add(r, "tolong", 1, 1, Returns("tolong", Type::kLong),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        const auto v = ToLongOpt(args[0]);
        return v ? Value::Long(*v) : Value();
      });
  for (const char* name : {"toreal", "todouble", "todecimal"}) {
    Add(r, name, 1, 1,
        Returns(name, std::string_view(name) == "todecimal" ? Type::kDecimal : Type::kReal),
        [](std::span<const Value> args, FunctionContext&) -> Value {
          const auto v = ToRealOpt(args[0]);
          return v ? Value::Real(*v) : Value();
        });
  }
  for (const char* name : {"tobool", "toboolean"}) {
    Add(r, name, 1, 1, Returns(name, Type::kBool),
        [](std::span<const Value> args, FunctionContext&) { return ToBool(args[0]); });
  }
  Add(r, "toguid", 1, 1, Returns("toguid", Type::kGuid),
      [](std::span<const Value> args, FunctionContext&) { return ToGuid(args[0]); });
  for (const char* name : {"todynamic", "toobject", "parse_json", "parsejson"}) {
    Add(r, name, 1, 1, Returns(name, Type::kDynamic),
        [](std::span<const Value> args, FunctionContext&) { return ToDynamic(args[0]); });
  }
  Add(r, "dynamic_to_json", 1, 1, Returns("dynamic_to_json", Type::kString),
      [](std::span<const Value> args, FunctionContext&) {
        return Value::String(SortedKeys(args[0], 0).ToJson());
      });
  Add(r, "gettype", 1, 1, Returns("gettype", Type::kString),
      [](std::span<const Value> args, FunctionContext&) {
        return Value::String(std::string(RuntimeTypeName(args[0])));
      });
  Add(r, "tohex", 1, 2, Returns("tohex", Type::kString, {Arg::kInteger, Arg::kInteger}),
      [](std::span<const Value> args, FunctionContext&) { return ToHex(args); });
}

}  // namespace vigil::kql

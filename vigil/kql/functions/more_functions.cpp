// Less common scalar functions, first part: trigonometry (sin .. atan2, cot, degrees,
// radians), gamma/loggamma/erf, hash_combine/hash_many, regex_quote, format_bytes, new_guid,
// bitset_count_ones, strcmp, assert and estimate_data_size. RegisterMoreFunctions also pulls
// in the other more_*.cpp files.

#include <bit>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <numbers>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vigil/kql/functions/function_util2.h"
#include "vigil/kql/functions/internal/more_util.h"
#include "vigil/kql/functions/registry.h"
#include "vigil/kql/value.h"

namespace vigil::kql {
namespace {

using fn2::Add;
using fn2::Arg;
using fn2::Returns;

constexpr double kPi = std::numbers::pi;

Value RealOrNull(double d) { return std::isnan(d) ? Value() : Value::Real(d); }

ScalarImpl Unary(double (*f)(double)) {
  return [f](std::span<const Value> args, FunctionContext&) -> Value {
    const auto x = fn2::RealOf(args[0]);
    return x ? RealOrNull(f(*x)) : Value();
  };
}

double Cot(double x) { return 1.0 / std::tan(x); }
double Degrees(double x) { return x * 180.0 / kPi; }
double Radians(double x) { return x * kPi / 180.0; }
double Gamma(double x) { return std::tgamma(x); }
double LogGamma(double x) {
  int sign = 0;
  return lgamma_r(x, &sign);  // lgamma() writes the global signgam: not thread-safe
}

// ---- text helpers ----

// .NET Regex.Escape: metacharacters get a backslash, white space an escape sequence.
std::string RegexQuote(std::string_view s) {
  std::string out;
  out.reserve(s.size() * 2);
  for (const char c : s) {
    switch (c) {
      case '\\':
      case '*':
      case '+':
      case '?':
      case '|':
      case '{':
      case '[':
      case '(':
      case ')':
      case '^':
      case '$':
      case '.':
      case '#':
      case ' ':
        out += '\\';
        out += c;
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// format_bytes(size [, precision = 0 [, units = auto [, base = 1024]]]).
Value FormatBytes(std::span<const Value> args) {
  const auto size = fn2::RealOf(args[0]);
  if (!size || !std::isfinite(*size)) {
    return Value();
  }
  int64_t precision = 0;
  if (args.size() > 1 && !args[1].is_null()) {
    const auto p = fn2::IntegerOf(args[1]);
    if (!p || *p < 0 || *p > 15) {
      return Value();
    }
    precision = *p;
  }
  double base = 1024;
  if (args.size() > 3 && !args[3].is_null()) {
    const auto b = fn2::IntegerOf(args[3]);
    if (!b || (*b != 1000 && *b != 1024)) {
      return Value();
    }
    base = static_cast<double>(*b);
  }
  static constexpr std::string_view kUnits[] = {"Bytes", "KB", "MB", "GB", "TB", "PB", "EB"};
  int unit = -1;
  if (args.size() > 2 && args[2].is_string() && !args[2].AsString().empty()) {
    for (int i = 0; i < 7; ++i) {
      std::string_view want = args[2].AsString();
      if (want.size() == kUnits[i].size()) {
        bool same = true;
        for (size_t k = 0; k < want.size(); ++k) {
          same = same && std::tolower(static_cast<unsigned char>(want[k])) ==
                             std::tolower(static_cast<unsigned char>(kUnits[i][k]));
        }
        unit = same ? i : unit;
      }
    }
    if (unit < 0) {
      return Value();
    }
  } else {
    unit = 0;
    double magnitude = std::fabs(*size);
    while (unit < 6 && magnitude >= base) {
      magnitude /= base;
      ++unit;
    }
  }
  const double scaled = *size / std::pow(base, unit);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f %s", static_cast<int>(precision), scaled,
                std::string(kUnits[unit]).c_str());
  return Value::String(buf);
}

Value NewGuid() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const uint64_t hi = rng();
  const uint64_t lo = rng();
  uint8_t b[16];
  for (int i = 0; i < 8; ++i) {
    b[i] = static_cast<uint8_t>(hi >> (8 * i));
    b[8 + i] = static_cast<uint8_t>(lo >> (8 * i));
  }
  b[6] = static_cast<uint8_t>((b[6] & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<uint8_t>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) {
      out += '-';
    }
    out += kHex[b[i] >> 4];
    out += kHex[b[i] & 0xF];
  }
  return Value::Guid(std::move(out));
}

// Bytes a value takes in Kusto's accounting: fixed widths for scalars, text length for
// strings, JSON length for dynamic values.
int64_t DataSize(const Value& v) {
  switch (v.kind()) {
    case Kind::kNull:
      return 0;
    case Kind::kBool:
      return 1;
    case Kind::kInt:
      return 4;
    case Kind::kLong:
    case Kind::kReal:
    case Kind::kDateTime:
    case Kind::kTimeSpan:
      return 8;
    case Kind::kGuid:
      return 16;
    case Kind::kString:
      return static_cast<int64_t>(v.AsString().size());
    case Kind::kArray:
    case Kind::kBag:
      return static_cast<int64_t>(v.ToJson().size());
  }
  return 0;
}

}  // namespace

namespace internal {

// Kusto's hash_combine: the boost-style mix of 64-bit hashes, folded left.
int64_t CombineHashes(int64_t seed, int64_t h) {
  auto s = static_cast<uint64_t>(seed);
  const auto v = static_cast<uint64_t>(h);
  s ^= v + 0x9e3779b9ULL + (s << 6) + (s >> 2);
  return static_cast<int64_t>(s);
}

}  // namespace internal

void RegisterMoreFunctions(Registry& r) {
  const Type real = Type::kReal;
  const std::pair<const char*, double (*)(double)> unary[] = {
      {"sin", [](double x) { return std::sin(x); }},
      {"cos", [](double x) { return std::cos(x); }},
      {"tan", [](double x) { return std::tan(x); }},
      {"asin", [](double x) { return std::asin(x); }},
      {"acos", [](double x) { return std::acos(x); }},
      {"atan", [](double x) { return std::atan(x); }},
      {"cot", Cot},
      {"degrees", Degrees},
      {"radians", Radians},
      {"gamma", Gamma},
      {"loggamma", LogGamma},
      {"erf", [](double x) { return std::erf(x); }},
      {"erfc", [](double x) { return std::erfc(x); }},
  };
  for (const auto& [name, f] : unary) {
    Add(r, name, 1, 1, Returns(name, real, {Arg::kNumber}), Unary(f));
  }
  Add(r, "atan2", 2, 2, Returns("atan2", real, {Arg::kNumber, Arg::kNumber}),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        const auto y = fn2::RealOf(args[0]);
        const auto x = fn2::RealOf(args[1]);
        return x && y ? RealOrNull(std::atan2(*y, *x)) : Value();
      });

  internal::RegisterUnitConversions(r);

  Add(r, "hash_combine", 2, -1, Returns("hash_combine", Type::kLong, {Arg::kInteger}),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        std::optional<int64_t> acc;
        for (const Value& v : args) {
          const auto h = fn2::IntegerOf(v);
          if (!h) {
            return Value();
          }
          acc = acc ? internal::CombineHashes(*acc, *h) : *h;
        }
        return Value::Long(*acc);
      });
  Add(r, "hash_many", 1, -1, Returns("hash_many", Type::kLong),
      [](std::span<const Value> args, FunctionContext& ctx) -> Value {
        const ScalarFunction* hash = Registry::Default().FindScalar("hash");
        if (hash == nullptr) {
          return Value();
        }
        std::optional<int64_t> acc;
        for (const Value& v : args) {
          const Value one[] = {v};
          const Value h = hash->impl(one, ctx);
          const int64_t hv = h.is_null() ? 0 : h.AsInt64();
          acc = acc ? internal::CombineHashes(*acc, hv) : hv;
        }
        return Value::Long(*acc);
      });
  Add(r, "regex_quote", 1, 1, Returns("regex_quote", Type::kString),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        return Value::String(
            RegexQuote(args[0].is_string() ? args[0].AsString() : args[0].ToText()));
      });
  Add(r, "format_bytes", 1, 4,
      Returns("format_bytes", Type::kString,
              {Arg::kNumber, Arg::kInteger, Arg::kString, Arg::kInteger}),
      [](std::span<const Value> args, FunctionContext&) { return FormatBytes(args); });
  Add(
      r, "new_guid", 0, 0, Returns("new_guid", Type::kGuid),
      [](std::span<const Value>, FunctionContext&) { return NewGuid(); }, false);
  Add(r, "bitset_count_ones", 1, 1, Returns("bitset_count_ones", Type::kLong, {Arg::kInteger}),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        const auto v = fn2::IntegerOf(args[0]);
        if (!v) {
          return Value();
        }
        if (args[0].kind() == Kind::kInt) {
          return Value::Long(std::popcount(static_cast<uint32_t>(*v)));
        }
        return Value::Long(std::popcount(static_cast<uint64_t>(*v)));
      });
  Add(r, "strcmp", 2, 2, Returns("strcmp", Type::kInt),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        const std::string a = args[0].is_string() ? args[0].AsString() : args[0].ToText();
        const std::string b = args[1].is_string() ? args[1].AsString() : args[1].ToText();
        const int c = a.compare(b);
        return Value::Int(c < 0 ? -1 : (c > 0 ? 1 : 0));
      });
  // Kusto fails the query when the condition is false; we cannot raise from a function, so
  // the message becomes a warning and the call yields false.
  Add(r, "assert", 2, 2, Returns("assert", Type::kBool, {Arg::kBool, Arg::kString}),
      [](std::span<const Value> args, FunctionContext& ctx) -> Value {
        if (args[0].kind() == Kind::kBool && args[0].AsBool()) {
          return Value::Bool(true);
        }
        ctx.Warn("assert(): " + args[1].ToText());
        return Value::Bool(false);
      });
  Add(r, "estimate_data_size", 1, -1, Returns("estimate_data_size", Type::kLong),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        int64_t total = 0;
        for (const Value& v : args) {
          total += DataSize(v);
        }
        return Value::Long(total);
      });

  internal::RegisterMoreEncodingFunctions(r);
  internal::RegisterMoreSeriesFunctions(r);
}

}  // namespace vigil::kql

// Small helpers shared by the datetime, conversion, math, dynamic, conditional and series
// function groups: argument signatures for return-type checks, numeric extraction from
// Values, and civil-calendar arithmetic on ticks. Header-only; pure functions, thread-safe.
#pragma once

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "vigil/base/time.h"
#include "vigil/kql/functions/registry.h"
#include "vigil/kql/value.h"

namespace vigil::kql::fn2 {

// Argument classes for signatures. Every class also accepts `dynamic` (checked at run time).
enum class Arg : uint8_t {
  kAny,
  kNumber,   // int, long, real, decimal
  kInteger,  // int, long
  kString,
  kBool,
  kDateTime,
  kTimeSpan,
  kDateTimeOrTimeSpan,
  kScalarForBin,  // number, datetime or timespan
};

inline bool ArgAccepts(Arg arg, Type type) {
  if (type == Type::kDynamic) {
    return true;
  }
  switch (arg) {
    case Arg::kAny:
      return true;
    case Arg::kNumber:
      return IsNumeric(type);
    case Arg::kInteger:
      return type == Type::kInt || type == Type::kLong;
    case Arg::kString:
      return type == Type::kString;
    case Arg::kBool:
      return type == Type::kBool;
    case Arg::kDateTime:
      return type == Type::kDateTime;
    case Arg::kTimeSpan:
      return type == Type::kTimeSpan;
    case Arg::kDateTimeOrTimeSpan:
      return type == Type::kDateTime || type == Type::kTimeSpan;
    case Arg::kScalarForBin:
      return IsNumeric(type) || type == Type::kDateTime || type == Type::kTimeSpan;
  }
  return true;
}

inline const char* ArgName(Arg arg) {
  switch (arg) {
    case Arg::kAny:
      return "a scalar";
    case Arg::kNumber:
      return "a number";
    case Arg::kInteger:
      return "an integer";
    case Arg::kString:
      return "string";
    case Arg::kBool:
      return "bool";
    case Arg::kDateTime:
      return "datetime";
    case Arg::kTimeSpan:
      return "timespan";
    case Arg::kDateTimeOrTimeSpan:
      return "datetime or timespan";
    case Arg::kScalarForBin:
      return "a number, datetime or timespan";
  }
  return "a scalar";
}

// Checks `arg_types` against `args` (the last class repeats for variadic functions).
inline bool CheckArgs(const std::string& name, std::span<const Type> arg_types,
                      const std::vector<Arg>& args, std::string* error) {
  for (size_t i = 0; i < arg_types.size() && !args.empty(); ++i) {
    const Arg arg = i < args.size() ? args[i] : args.back();
    if (!ArgAccepts(arg, arg_types[i])) {
      if (error != nullptr) {
        *error = name + "(): argument " + std::to_string(i + 1) + " must be " + ArgName(arg);
      }
      return false;
    }
  }
  return true;
}

// Return-type function: fixed result type after an argument check.
inline ReturnTypeFn Returns(std::string name, Type result, std::vector<Arg> args = {}) {
  return [name = std::move(name), result, args = std::move(args)](
             std::span<const Type> arg_types, std::string* error) -> std::optional<Type> {
    if (!CheckArgs(name, arg_types, args, error)) {
      return std::nullopt;
    }
    return result;
  };
}

// Return-type function: the type of argument `index` after an argument check.
inline ReturnTypeFn ReturnsArgType(std::string name, size_t index, std::vector<Arg> args = {}) {
  return [name = std::move(name), index, args = std::move(args)](
             std::span<const Type> arg_types, std::string* error) -> std::optional<Type> {
    if (!CheckArgs(name, arg_types, args, error)) {
      return std::nullopt;
    }
    return index < arg_types.size() ? arg_types[index] : Type::kDynamic;
  };
}

// Common type of two branch types (iff, case, coalesce, max_of): equal types, numeric
// widening, dynamic absorbs everything. nullopt when incompatible.
inline std::optional<Type> CommonType(Type a, Type b) {
  if (a == b) {
    return a;
  }
  if (a == Type::kDynamic || b == Type::kDynamic) {
    return Type::kDynamic;
  }
  if (IsNumeric(a) && IsNumeric(b)) {
    if (a == Type::kReal || b == Type::kReal || a == Type::kDecimal || b == Type::kDecimal) {
      return Type::kReal;
    }
    return Type::kLong;
  }
  return std::nullopt;
}

inline void Add(Registry& r, std::string name, int min_args, int max_args, ReturnTypeFn rt,
                ScalarImpl impl, bool deterministic = true) {
  ScalarFunction fn;
  fn.name = std::move(name);
  fn.min_args = min_args;
  fn.max_args = max_args;
  fn.return_type = std::move(rt);
  fn.impl = std::move(impl);
  fn.deterministic = deterministic;
  r.AddScalar(std::move(fn));
}

// Numeric payload of int/long/real Values; nullopt otherwise.
inline std::optional<double> RealOf(const Value& v) {
  if (v.is_number()) {
    return v.AsReal();
  }
  return std::nullopt;
}

// Integer payload of int/long Values, and of finite reals (truncated, in range).
inline std::optional<int64_t> IntegerOf(const Value& v) {
  if (v.kind() == Kind::kInt || v.kind() == Kind::kLong) {
    return v.AsInt64();
  }
  if (v.kind() == Kind::kReal) {
    const double d = v.AsReal();
    if (std::isfinite(d) && d >= -9.2e18 && d <= 9.2e18) {
      return static_cast<int64_t>(d);
    }
  }
  return std::nullopt;
}

inline std::optional<int64_t> TicksOf(const Value& v, Kind kind) {
  if (v.kind() == kind) {
    return v.AsInt64();
  }
  return std::nullopt;
}

// Floor division / modulo that never divide by zero (callers check divisor > 0).
inline int64_t FloorDiv(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

struct Civil {
  int64_t year = 1970;
  unsigned month = 1;
  unsigned day = 1;
};

inline Civil CivilFromDays(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  Civil c;
  c.day = doy - (153 * mp + 2) / 5 + 1;
  c.month = mp < 10 ? mp + 3 : mp - 9;
  c.year = static_cast<int64_t>(yoe) + era * 400 + (c.month <= 2 ? 1 : 0);
  return c;
}

inline bool IsLeapYear(int64_t year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

inline unsigned DaysInMonth(int64_t year, unsigned month) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && IsLeapYear(year)) {
    return 29;
  }
  return kDays[(month - 1) % 12];
}

// Kusto's datetime range: 0001-01-01 .. 9999-12-31 23:59:59.9999999 (in our epoch ticks).
inline constexpr int64_t kMinDateTimeTicks = -719162 * kTicksPerDay;
inline constexpr int64_t kMaxDateTimeTicks = 2932897 * kTicksPerDay - 1;
// Kusto counts ticks from 0001-01-01; tolong(datetime) and bin() alignment use that origin.
inline constexpr int64_t kKustoEpochOffsetTicks = 719162 * kTicksPerDay;

inline bool InDateTimeRange(int64_t ticks) {
  return ticks >= kMinDateTimeTicks && ticks <= kMaxDateTimeTicks;
}

inline Value DateTimeOrNull(int64_t ticks) {
  return InDateTimeRange(ticks) ? Value::DateTime(ticks) : Value();
}

// Second registration halves of groups split over two files.
void RegisterDateTimeFormatFunctions(Registry& r);  // datetime_format.cpp
void RegisterSetFunctions(Registry& r);             // dynamic_sets.cpp

}  // namespace vigil::kql::fn2

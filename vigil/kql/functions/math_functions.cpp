// Math scalar functions: abs, ceiling, round, sqrt, pow, exp/exp2/exp10, log/log2/log10,
// sign, pi, rand, max_of/min_of, binary_* bit operations, isnan/isinf/isfinite. (floor is
// registered with bin in datetime_functions.cpp; arithmetic operators are the executor's.)

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>

#include "vigil/kql/functions/function_util2.h"
#include "vigil/kql/functions/registry.h"
#include "vigil/kql/value.h"

namespace vigil::kql {
namespace {

using fn2::Add;
using fn2::Arg;
using fn2::Returns;
using fn2::ReturnsArgType;

Value RealOrNull(double d) { return std::isnan(d) ? Value() : Value::Real(d); }

// A real-valued function of one number; null for non-numbers and for NaN results (domain
// errors such as sqrt(-1) and log(-1) are null in Kusto).
ScalarImpl Unary(double (*f)(double)) {
  return [f](std::span<const Value> args, FunctionContext&) -> Value {
    const auto x = fn2::RealOf(args[0]);
    if (!x) {
      return Value();
    }
    return RealOrNull(f(*x));
  };
}

double LogOrNan(double x) { return x < 0 ? std::nan("") : std::log(x); }
double Log2OrNan(double x) { return x < 0 ? std::nan("") : std::log2(x); }
double Log10OrNan(double x) { return x < 0 ? std::nan("") : std::log10(x); }
double SqrtOrNan(double x) { return x < 0 ? std::nan("") : std::sqrt(x); }
double Exp10(double x) { return std::pow(10.0, x); }

// Rounds half away from zero at `digits` decimals, on the shortest decimal form of the scaled
// value so that round(2.15, 1) is 2.2 as written, not 2.1 from 2.15's binary expansion.
double RoundDigits(double x, int64_t digits) {
  if (!std::isfinite(x) || digits > 300 || digits < -300) {
    return x;
  }
  const double scale = std::pow(10.0, static_cast<double>(std::llabs(digits)));
  double scaled = digits >= 0 ? x * scale : x / scale;
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.15g", scaled);
  scaled = std::strtod(buf, nullptr);
  const double rounded = std::round(scaled);
  return digits >= 0 ? rounded / scale : rounded * scale;
}

Value Round(std::span<const Value> args) {
  int64_t digits = 0;
  if (args.size() > 1) {
    const auto d = fn2::IntegerOf(args[1]);
    if (!d) {
      return Value();
    }
    digits = *d;
  }
  const Value& v = args[0];
  if (v.kind() == Kind::kInt || v.kind() == Kind::kLong) {
    if (digits >= 0) {
      return v;
    }
    return Value::Real(RoundDigits(v.AsReal(), digits));
  }
  if (v.kind() != Kind::kReal) {
    return Value();
  }
  return Value::Real(RoundDigits(v.AsReal(), digits));
}

Value Abs(const Value& v) {
  switch (v.kind()) {
    case Kind::kInt:
      return Value::Int(v.AsInt64() < 0 ? -v.AsInt64() : v.AsInt64());
    case Kind::kLong:
      return v.AsInt64() == INT64_MIN ? Value() : Value::Long(std::llabs(v.AsInt64()));
    case Kind::kTimeSpan:
      return v.AsInt64() == INT64_MIN ? Value() : Value::TimeSpan(std::llabs(v.AsInt64()));
    case Kind::kReal:
      return Value::Real(std::fabs(v.AsReal()));
    default:
      return Value();
  }
}

Value Sign(const Value& v) {
  if (v.kind() == Kind::kInt || v.kind() == Kind::kLong) {
    const int64_t x = v.AsInt64();
    return Value::Long(x > 0 ? 1 : (x < 0 ? -1 : 0));
  }
  if (v.kind() == Kind::kReal) {
    const double x = v.AsReal();
    if (std::isnan(x)) {
      return Value();
    }
    return Value::Real(x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0));
  }
  return Value();
}

// max_of/min_of: nulls are ignored; numbers compare across int/long/real.
Value Extreme(std::span<const Value> args, bool want_max) {
  const Value* best = nullptr;
  bool any_real = false;
  for (const Value& v : args) {
    if (v.is_null()) {
      continue;
    }
    any_real = any_real || v.kind() == Kind::kReal;
    if (best == nullptr) {
      best = &v;
      continue;
    }
    const int c = CompareValues(v, *best);
    if (want_max ? c > 0 : c < 0) {
      best = &v;
    }
  }
  if (best == nullptr) {
    return Value();
  }
  if (any_real && best->is_number()) {
    return Value::Real(best->AsReal());
  }
  return *best;
}

std::optional<Type> ExtremeType(std::span<const Type> types, std::string* error) {
  std::optional<Type> out = types.empty() ? std::optional<Type>() : types[0];
  for (size_t i = 1; i < types.size() && out; ++i) {
    out = fn2::CommonType(*out, types[i]);
  }
  if (!out && error != nullptr) {
    *error = "max_of()/min_of(): arguments must all be of the same type";
  }
  return out;
}

ScalarImpl Binary(int64_t (*f)(int64_t, int64_t)) {
  return [f](std::span<const Value> args, FunctionContext&) -> Value {
    const Value& a = args[0];
    const Value& b = args[1];
    if ((a.kind() != Kind::kInt && a.kind() != Kind::kLong) ||
        (b.kind() != Kind::kInt && b.kind() != Kind::kLong)) {
      return Value();
    }
    return Value::Long(f(a.AsInt64(), b.AsInt64()));
  };
}

int64_t ShiftLeft(int64_t a, int64_t n) {
  if (n < 0 || n > 63) {
    return 0;
  }
  return static_cast<int64_t>(static_cast<uint64_t>(a) << n);
}

int64_t ShiftRight(int64_t a, int64_t n) {
  if (n < 0 || n > 63) {
    return a < 0 ? -1 : 0;
  }
  return a >> n;  // arithmetic, as C#'s >> on long
}

ScalarImpl RealPredicate(bool (*f)(double)) {
  return [f](std::span<const Value> args, FunctionContext&) -> Value {
    const auto x = fn2::RealOf(args[0]);
    if (!x) {
      return Value();
    }
    return Value::Bool(f(*x));
  };
}

std::mt19937_64& Rng() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  return rng;
}

}  // namespace

void RegisterMathFunctions(Registry& r) {
  Add(r, "abs", 1, 1, ReturnsArgType("abs", 0, {Arg::kAny}),
      [](std::span<const Value> args, FunctionContext&) { return Abs(args[0]); });
  Add(r, "ceiling", 1, 1, ReturnsArgType("ceiling", 0, {Arg::kNumber}),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        if (args[0].kind() == Kind::kInt || args[0].kind() == Kind::kLong) {
          return args[0];
        }
        const auto x = fn2::RealOf(args[0]);
        return x ? Value::Real(std::ceil(*x)) : Value();
      });
  Add(r, "round", 1, 2, ReturnsArgType("round", 0, {Arg::kNumber, Arg::kInteger}),
      [](std::span<const Value> args, FunctionContext&) { return Round(args); });
  const std::pair<const char*, double (*)(double)> unary[] = {
      {"sqrt", SqrtOrNan},
      {"exp", [](double x) { return std::exp(x); }},
      {"exp2", [](double x) { return std::exp2(x); }},
      {"exp10", Exp10},
      {"log", LogOrNan},
      {"log2", Log2OrNan},
      {"log10", Log10OrNan},
  };
  for (const auto& [name, f] : unary) {
    Add(r, name, 1, 1, Returns(name, Type::kReal, {Arg::kNumber}), Unary(f));
  }
  Add(r, "pow", 2, 2, Returns("pow", Type::kReal, {Arg::kNumber, Arg::kNumber}),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        const auto x = fn2::RealOf(args[0]);
        const auto y = fn2::RealOf(args[1]);
        return x && y ? RealOrNull(std::pow(*x, *y)) : Value();
      });
  Add(r, "sign", 1, 1, ReturnsArgType("sign", 0, {Arg::kNumber}),
      [](std::span<const Value> args, FunctionContext&) { return Sign(args[0]); });
  Add(r, "pi", 0, 0, Returns("pi", Type::kReal),
      [](std::span<const Value>, FunctionContext&) { return Value::Real(M_PI); });
  Add(
      r, "rand", 0, 1,
      [](std::span<const Type> types, std::string* error) -> std::optional<Type> {
        if (!fn2::CheckArgs("rand", types, {Arg::kInteger}, error)) {
          return std::nullopt;
        }
        return types.empty() ? Type::kReal : Type::kLong;
      },
      [](std::span<const Value> args, FunctionContext&) -> Value {
        if (args.empty()) {
          return Value::Real(std::uniform_real_distribution<double>(0.0, 1.0)(Rng()));
        }
        const auto n = fn2::IntegerOf(args[0]);
        if (!n || *n <= 0) {
          return Value();
        }
        return Value::Long(std::uniform_int_distribution<int64_t>(0, *n - 1)(Rng()));
      },
      /*deterministic=*/false);
  Add(r, "max_of", 1, -1, ExtremeType,
      [](std::span<const Value> args, FunctionContext&) { return Extreme(args, true); });
  Add(r, "min_of", 1, -1, ExtremeType,
      [](std::span<const Value> args, FunctionContext&) { return Extreme(args, false); });

  const std::pair<const char*, int64_t (*)(int64_t, int64_t)> binary[] = {
      {"binary_and", [](int64_t a, int64_t b) { return a & b; }},
      {"binary_or", [](int64_t a, int64_t b) { return a | b; }},
      {"binary_xor", [](int64_t a, int64_t b) { return a ^ b; }},
      {"binary_shift_left", ShiftLeft},
      {"binary_shift_right", ShiftRight},
  };
  for (const auto& [name, f] : binary) {
    Add(r, name, 2, 2, Returns(name, Type::kLong, {Arg::kInteger, Arg::kInteger}), Binary(f));
  }
  Add(r, "binary_not", 1, 1, Returns("binary_not", Type::kLong, {Arg::kInteger}),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        if (args[0].kind() != Kind::kInt && args[0].kind() != Kind::kLong) {
          return Value();
        }
        return Value::Long(~args[0].AsInt64());
      });
  Add(r, "isnan", 1, 1, Returns("isnan", Type::kBool, {Arg::kNumber}),
      RealPredicate([](double x) { return std::isnan(x); }));
  Add(r, "isinf", 1, 1, Returns("isinf", Type::kBool, {Arg::kNumber}),
      RealPredicate([](double x) { return std::isinf(x); }));
  Add(r, "isfinite", 1, 1, Returns("isfinite", Type::kBool, {Arg::kNumber}),
      RealPredicate([](double x) { return std::isfinite(x); }));
}

}  // namespace vigil::kql

// Series (numeric dynamic array) functions: series_stats_dynamic, series_fit_line_dynamic,
// series_outliers, series_decompose_anomalies (flags only), element-wise series_add/
// subtract/multiply/divide and series_fill_forward/backward/const/linear. Non-numeric
// elements are treated as missing (null) values.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vigil/kql/functions/function_util2.h"
#include "vigil/kql/functions/registry.h"
#include "vigil/kql/value.h"

namespace vigil::kql {
namespace {

using fn2::Add;
using fn2::Returns;
using Series = std::vector<std::optional<double>>;

Series ToSeries(const Array& a) {
  Series out;
  out.reserve(a.size());
  for (const Value& v : a) {
    out.push_back(fn2::RealOf(v));
  }
  return out;
}

Value StatsDynamic(const Array& a) {
  const Series s = ToSeries(a);
  double sum = 0;
  size_t n = 0;
  std::optional<size_t> min_idx;
  std::optional<size_t> max_idx;
  for (size_t i = 0; i < s.size(); ++i) {
    if (!s[i] || !std::isfinite(*s[i])) {
      continue;
    }
    sum += *s[i];
    ++n;
    if (!min_idx || *s[i] < *s[*min_idx]) {
      min_idx = i;
    }
    if (!max_idx || *s[i] > *s[*max_idx]) {
      max_idx = i;
    }
  }
  Bag out;
  if (n == 0) {
    for (const char* key : {"min", "min_idx", "max", "max_idx", "avg", "stdev", "variance"}) {
      out.emplace_back(key, Value());
    }
    return Value::MakeBag(std::move(out));
  }
  const double avg = sum / static_cast<double>(n);
  double squares = 0;
  for (const auto& x : s) {
    if (x && std::isfinite(*x)) {
      squares += (*x - avg) * (*x - avg);
    }
  }
  // Sample variance (n - 1), as Kusto's stdev/variance aggregates.
  const double variance = n > 1 ? squares / static_cast<double>(n - 1) : 0.0;
  out.emplace_back("min", Value::Real(*s[*min_idx]));
  out.emplace_back("min_idx", Value::Long(static_cast<int64_t>(*min_idx)));
  out.emplace_back("max", Value::Real(*s[*max_idx]));
  out.emplace_back("max_idx", Value::Long(static_cast<int64_t>(*max_idx)));
  out.emplace_back("avg", Value::Real(avg));
  out.emplace_back("stdev", Value::Real(std::sqrt(variance)));
  out.emplace_back("variance", Value::Real(variance));
  return Value::MakeBag(std::move(out));
}

// Least squares over x = 1..n (Kusto's documented example has line_fit[0] = b + a).
Value FitLineDynamic(const Array& a) {
  const Series s = ToSeries(a);
  double sx = 0;
  double sy = 0;
  double sxx = 0;
  double sxy = 0;
  double n = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (!s[i] || !std::isfinite(*s[i])) {
      continue;
    }
    const auto x = static_cast<double>(i + 1);
    sx += x;
    sy += *s[i];
    sxx += x * x;
    sxy += x * *s[i];
    n += 1;
  }
  Bag out;
  const double denom = n * sxx - sx * sx;
  if (n < 2 || denom == 0) {
    for (const char* key :
         {"rsquare", "slope", "variance", "rvariance", "interception", "line_fit"}) {
      out.emplace_back(key, Value());
    }
    return Value::MakeBag(std::move(out));
  }
  const double slope = (n * sxy - sx * sy) / denom;
  const double intercept = (sy - slope * sx) / n;
  const double mean = sy / n;
  double total = 0;
  double residual = 0;
  Array line;
  for (size_t i = 0; i < s.size(); ++i) {
    const double fit = intercept + slope * static_cast<double>(i + 1);
    line.push_back(Value::Real(fit));
    if (s[i] && std::isfinite(*s[i])) {
      total += (*s[i] - mean) * (*s[i] - mean);
      residual += (*s[i] - fit) * (*s[i] - fit);
    }
  }
  out.emplace_back("rsquare", Value::Real(total > 0 ? 1.0 - residual / total : 1.0));
  out.emplace_back("slope", Value::Real(slope));
  out.emplace_back("variance", Value::Real(total / (n - 1)));
  out.emplace_back("rvariance", Value::Real(residual / (n - 1)));
  out.emplace_back("interception", Value::Real(intercept));
  out.emplace_back("line_fit", Value::MakeArray(std::move(line)));
  return Value::MakeBag(std::move(out));
}

// Linear-interpolated percentile (0..100) of the finite values; nullopt when there are none.
std::optional<double> Percentile(std::vector<double> values, double p) {
  if (values.empty()) {
    return std::nullopt;
  }
  std::sort(values.begin(), values.end());
  const double rank = std::clamp(p, 0.0, 100.0) / 100.0 * static_cast<double>(values.size() - 1);
  const auto lo = static_cast<size_t>(std::floor(rank));
  const size_t hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (values[hi] - values[lo]) * (rank - static_cast<double>(lo));
}

std::vector<double> Finite(const Series& s) {
  std::vector<double> out;
  for (const auto& x : s) {
    if (x && std::isfinite(*x)) {
      out.push_back(*x);
    }
  }
  return out;
}

// series_outliers(series [, kind, ignore_val, min_percentile, max_percentile]): Tukey-style
// scores over the [min_percentile, max_percentile] range (default 10..90): 0 inside the
// range, else the distance beyond it in units of the range. An approximation of Kusto's
// score (same sign and ordering; exact magnitudes may differ).
Value Outliers(std::span<const Value> args) {
  const Series s = ToSeries(args[0].AsArray());
  double lo_p = 10;
  double hi_p = 90;
  if (args.size() > 3 && args[3].is_number()) {
    lo_p = args[3].AsReal();
  }
  if (args.size() > 4 && args[4].is_number()) {
    hi_p = args[4].AsReal();
  }
  const std::vector<double> finite = Finite(s);
  const auto q1 = Percentile(finite, lo_p);
  const auto q3 = Percentile(finite, hi_p);
  Array out;
  for (const auto& x : s) {
    if (!x || !q1 || !q3) {
      out.emplace_back();
      continue;
    }
    const double range = *q3 - *q1;
    double score = 0;
    if (*x > *q3) {
      score = range > 0 ? (*x - *q3) / range : HUGE_VAL;
    } else if (*x < *q1) {
      score = range > 0 ? (*x - *q1) / range : -HUGE_VAL;
    }
    out.push_back(Value::Real(score));
  }
  return Value::MakeArray(std::move(out));
}

// series_decompose_anomalies(series [, threshold = 1.5, seasonality, trend, ...]): approximates
// Kusto's decomposition without the seasonal part. The baseline is the trend ('avg': the mean,
// the default; 'linefit': the least-squares line; 'none': 0). Tukey fences on the residuals
// (series - baseline) give the flags: above Q3 + threshold * IQR is 1, below
// Q1 - threshold * IQR is -1, else 0; the score is the distance beyond the quartile in IQRs.
struct Anomalies {
  Array flags;
  Array scores;
  Array baseline;
};

Anomalies Decompose(std::span<const Value> args) {
  const Series s = ToSeries(args[0].AsArray());
  double threshold = 1.5;
  if (args.size() > 1 && args[1].is_number()) {
    threshold = args[1].AsReal();
  }
  const std::string trend = args.size() > 3 && args[3].is_string() ? args[3].AsString() : "avg";
  std::vector<double> base(s.size(), 0.0);
  if (trend != "none") {
    double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i]) {
        const auto x = static_cast<double>(i);
        n += 1;
        sx += x;
        sy += *s[i];
        sxx += x * x;
        sxy += x * *s[i];
      }
    }
    const double mean = n > 0 ? sy / n : 0;
    const double denom = n * sxx - sx * sx;
    const bool line = trend == "linefit" && n > 1 && denom != 0;
    const double slope = line ? (n * sxy - sx * sy) / denom : 0;
    const double intercept = line ? (sy - slope * sx) / n : mean;
    for (size_t i = 0; i < s.size(); ++i) {
      base[i] = intercept + slope * static_cast<double>(i);
    }
  }
  Series residual(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i]) {
      residual[i] = *s[i] - base[i];
    }
  }
  const std::vector<double> finite = Finite(residual);
  const auto q1 = Percentile(finite, 25);
  const auto q3 = Percentile(finite, 75);
  Anomalies out;
  for (size_t i = 0; i < s.size(); ++i) {
    int64_t flag = 0;
    double score = 0;
    if (const auto& r = residual[i]; r && q1 && q3) {
      const double iqr = *q3 - *q1;
      if (*r > *q3) {
        score = iqr > 0 ? (*r - *q3) / iqr : *r - *q3;
        flag = *r > *q3 + threshold * iqr ? 1 : 0;
      } else if (*r < *q1) {
        score = iqr > 0 ? (*r - *q1) / iqr : *r - *q1;
        flag = *r < *q1 - threshold * iqr ? -1 : 0;
      }
    }
    out.flags.push_back(Value::Long(flag));
    out.scores.push_back(Value::Real(score));
    out.baseline.push_back(Value::Real(base[i]));
  }
  return out;
}

Value DecomposeAnomalies(std::span<const Value> args) {
  return Value::MakeArray(Decompose(args).flags);
}

// The three outputs in one bag, for `(flag, score, baseline) = series_decompose_anomalies(...)`
// (exec/tuple_expand.cpp); not a Kusto function name.
Value DecomposeAnomaliesDynamic(std::span<const Value> args) {
  Anomalies a = Decompose(args);
  Bag out;
  out.emplace_back("ad_flag", Value::MakeArray(std::move(a.flags)));
  out.emplace_back("ad_score", Value::MakeArray(std::move(a.scores)));
  out.emplace_back("baseline", Value::MakeArray(std::move(a.baseline)));
  return Value::MakeBag(std::move(out));
}

enum class Op : uint8_t { kAdd, kSubtract, kMultiply, kDivide };

// Element-wise arithmetic; a scalar operand is broadcast; the result has the longer length.
Value ElementWise(const Value& a, const Value& b, Op op) {
  if ((!a.is_array() && !a.is_number()) || (!b.is_array() && !b.is_number())) {
    return Value();
  }
  const size_t n =
      std::max(a.is_array() ? a.AsArray().size() : 0, b.is_array() ? b.AsArray().size() : 0);
  auto at = [](const Value& v, size_t i) -> Value {
    if (!v.is_array()) {
      return v;
    }
    return i < v.AsArray().size() ? v.AsArray()[i] : Value();
  };
  Array out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const Value x = at(a, i);
    const Value y = at(b, i);
    if (!x.is_number() || !y.is_number()) {
      out.emplace_back();
      continue;
    }
    const bool integral = x.kind() != Kind::kReal && y.kind() != Kind::kReal;
    if (integral && op != Op::kDivide) {
      int64_t r = 0;
      const bool overflow = op == Op::kAdd ? __builtin_add_overflow(x.AsInt64(), y.AsInt64(), &r)
                            : op == Op::kSubtract
                                ? __builtin_sub_overflow(x.AsInt64(), y.AsInt64(), &r)
                                : __builtin_mul_overflow(x.AsInt64(), y.AsInt64(), &r);
      out.push_back(overflow ? Value() : Value::Long(r));
      continue;
    }
    const double p = x.AsReal();
    const double q = y.AsReal();
    double r = 0;
    switch (op) {
      case Op::kAdd:
        r = p + q;
        break;
      case Op::kSubtract:
        r = p - q;
        break;
      case Op::kMultiply:
        r = p * q;
        break;
      case Op::kDivide:
        r = p / q;
        break;
    }
    out.push_back(Value::Real(r));
  }
  return Value::MakeArray(std::move(out));
}

// A fill function's view of "missing": null, or equal to the optional placeholder argument.
bool IsMissing(const Value& v, const Value* placeholder) {
  if (placeholder != nullptr && !placeholder->is_null()) {
    return ValuesEqual(v, *placeholder);
  }
  return v.is_null();
}

Value FillDirectional(std::span<const Value> args, bool forward) {
  const Value* placeholder = args.size() > 1 ? &args[1] : nullptr;
  Array out = args[0].AsArray();
  const size_t n = out.size();
  Value last;
  bool have = false;
  for (size_t k = 0; k < n; ++k) {
    const size_t i = forward ? k : n - 1 - k;
    if (IsMissing(out[i], placeholder)) {
      if (have) {
        out[i] = last;
      }
    } else {
      last = out[i];
      have = true;
    }
  }
  return Value::MakeArray(std::move(out));
}

Value FillConst(std::span<const Value> args) {
  const Value* placeholder = args.size() > 2 ? &args[2] : nullptr;
  Array out = args[0].AsArray();
  for (Value& v : out) {
    if (IsMissing(v, placeholder)) {
      v = args[1];
    }
  }
  return Value::MakeArray(std::move(out));
}

// series_fill_linear(series [, missing_value_placeholder [, fill_edges = true
// [, constant_value]]]): interior gaps interpolate linearly (truncated to an integer between
// two integers); edges take the nearest value
// (or constant_value when fill_edges is false and one is given).
Value FillLinear(std::span<const Value> args) {
  const Value* placeholder = args.size() > 1 ? &args[1] : nullptr;
  const bool fill_edges = !(args.size() > 2 && args[2].kind() == Kind::kBool && !args[2].AsBool());
  const Value* constant = args.size() > 3 ? &args[3] : nullptr;
  Array out = args[0].AsArray();
  std::vector<size_t> known;
  for (size_t i = 0; i < out.size(); ++i) {
    if (!IsMissing(out[i], placeholder) && out[i].is_number()) {
      known.push_back(i);
    }
  }
  for (size_t i = 0; i < out.size(); ++i) {
    if (!IsMissing(out[i], placeholder)) {
      continue;
    }
    const auto next = std::lower_bound(known.begin(), known.end(), i);
    if (next == known.begin() || next == known.end()) {
      if (fill_edges && !known.empty()) {
        out[i] = out[next == known.end() ? known.back() : known.front()];
      } else if (constant != nullptr) {
        out[i] = *constant;
      }
      continue;
    }
    const size_t hi = *next;
    const size_t lo = *(next - 1);
    const double y0 = out[lo].AsReal();
    const double y1 = args[0].AsArray()[hi].AsReal();
    const double t = static_cast<double>(i - lo) / static_cast<double>(hi - lo);
    const double y = y0 + (y1 - y0) * t;
    // Between two integers the filled value is an integer too (truncated), as Kusto returns.
    const bool integral = out[lo].kind() != Kind::kReal &&
                          args[0].AsArray()[hi].kind() != Kind::kReal && std::fabs(y) < 9e18;
    out[i] = integral ? Value::Long(static_cast<int64_t>(y)) : Value::Real(y);
  }
  return Value::MakeArray(std::move(out));
}

ScalarImpl SeriesFn(Value (*f)(std::span<const Value>)) {
  return [f](std::span<const Value> args, FunctionContext&) -> Value {
    return args[0].is_array() ? f(args) : Value();
  };
}

}  // namespace

void RegisterSeriesFunctions(Registry& r) {
  const Type dyn = Type::kDynamic;
  Add(r, "series_stats_dynamic", 1, 2, Returns("series_stats_dynamic", dyn),
      SeriesFn([](std::span<const Value> args) { return StatsDynamic(args[0].AsArray()); }));
  Add(r, "series_fit_line_dynamic", 1, 1, Returns("series_fit_line_dynamic", dyn),
      SeriesFn([](std::span<const Value> args) { return FitLineDynamic(args[0].AsArray()); }));
  Add(r, "series_outliers", 1, 5, Returns("series_outliers", dyn), SeriesFn(Outliers));
  Add(r, "series_decompose_anomalies", 1, 7, Returns("series_decompose_anomalies", dyn),
      SeriesFn(DecomposeAnomalies));
  Add(r, "series_decompose_anomalies_dynamic", 1, 7,
      Returns("series_decompose_anomalies_dynamic", dyn), SeriesFn(DecomposeAnomaliesDynamic));
  const std::pair<const char*, Op> ops[] = {{"series_add", Op::kAdd},
                                            {"series_subtract", Op::kSubtract},
                                            {"series_multiply", Op::kMultiply},
                                            {"series_divide", Op::kDivide}};
  for (const auto& entry : ops) {
    const Op op = entry.second;
    Add(r, entry.first, 2, 2, Returns(entry.first, dyn),
        [op](std::span<const Value> args, FunctionContext&) {
          return ElementWise(args[0], args[1], op);
        });
  }
  Add(r, "series_fill_forward", 1, 2, Returns("series_fill_forward", dyn),
      SeriesFn([](std::span<const Value> args) { return FillDirectional(args, true); }));
  Add(r, "series_fill_backward", 1, 2, Returns("series_fill_backward", dyn),
      SeriesFn([](std::span<const Value> args) { return FillDirectional(args, false); }));
  Add(r, "series_fill_const", 2, 3, Returns("series_fill_const", dyn), SeriesFn(FillConst));
  Add(r, "series_fill_linear", 1, 4, Returns("series_fill_linear", dyn), SeriesFn(FillLinear));
}

}  // namespace vigil::kql

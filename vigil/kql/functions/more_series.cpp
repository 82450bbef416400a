// Less common scalar functions, series and array part: element-wise series math
// (series_abs .. series_tan, series_pow), comparisons (series_greater .. series_not_equals),
// reductions (series_sum, series_magnitude, series_dot_product, series_cosine_similarity,
// series_pearson_correlation), filters (series_fir, series_iir), series_seasonal,
// series_fit_2lines_dynamic, and array_rotate_left/right, array_split, bag_zip.
// Non-numeric elements are missing values (null in element-wise results).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "vigil/kql/functions/function_util2.h"
#include "vigil/kql/functions/internal/more_util.h"
#include "vigil/kql/functions/registry.h"
#include "vigil/kql/value.h"

namespace vigil::kql {
namespace {

using fn2::Add;
using fn2::Returns;
using Series = std::vector<std::optional<double>>;

// Elements beyond this are not processed by the quadratic algorithms (2-line fit, seasonal
// period detection), bounding CPU on hostile input.
constexpr size_t kMaxQuadratic = 20000;

Series ToSeries(const Value& v) {
  Series out;
  if (!v.is_array()) {
    return out;
  }
  out.reserve(v.AsArray().size());
  for (const Value& x : v.AsArray()) {
    out.push_back(x.is_number() ? std::optional<double>(x.AsReal()) : std::nullopt);
  }
  return out;
}

Value RealOrNull(double d) { return std::isnan(d) ? Value() : Value::Real(d); }

ScalarImpl UnaryMap(double (*f)(double), bool keep_integers) {
  return [f, keep_integers](std::span<const Value> args, FunctionContext&) -> Value {
    if (!args[0].is_array()) {
      return Value();
    }
    Array out;
    out.reserve(args[0].AsArray().size());
    for (const Value& x : args[0].AsArray()) {
      if (!x.is_number()) {
        out.emplace_back();
        continue;
      }
      const double r = f(x.AsReal());
      if (keep_integers && x.kind() != Kind::kReal && std::isfinite(r) && std::fabs(r) < 9e18) {
        out.push_back(Value::Long(static_cast<int64_t>(r)));
      } else {
        out.push_back(RealOrNull(r));
      }
    }
    return Value::MakeArray(std::move(out));
  };
}

// Element `i` of an array operand, or the scalar operand itself (broadcast).
Value At(const Value& v, size_t i) {
  if (!v.is_array()) {
    return v;
  }
  return i < v.AsArray().size() ? v.AsArray()[i] : Value();
}

bool IsSeriesOperand(const Value& v) { return v.is_array() || v.is_number(); }

size_t PairLength(const Value& a, const Value& b) {
  return std::max(a.is_array() ? a.AsArray().size() : 0, b.is_array() ? b.AsArray().size() : 0);
}

template <typename F>
Value BinaryMap(const Value& a, const Value& b, F f) {
  if (!IsSeriesOperand(a) || !IsSeriesOperand(b) || (!a.is_array() && !b.is_array())) {
    return Value();
  }
  const size_t n = PairLength(a, b);
  Array out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const Value x = At(a, i);
    const Value y = At(b, i);
    out.push_back(x.is_number() && y.is_number() ? f(x.AsReal(), y.AsReal()) : Value());
  }
  return Value::MakeArray(std::move(out));
}

// Pairs of values present in both operands (scalar operands broadcast).
std::vector<std::pair<double, double>> Pairs(const Value& a, const Value& b) {
  std::vector<std::pair<double, double>> out;
  if (!IsSeriesOperand(a) || !IsSeriesOperand(b)) {
    return out;
  }
  const size_t n = PairLength(a, b);
  for (size_t i = 0; i < n; ++i) {
    const Value x = At(a, i);
    const Value y = At(b, i);
    if (x.is_number() && y.is_number()) {
      out.emplace_back(x.AsReal(), y.AsReal());
    }
  }
  return out;
}

double DotProduct(const std::vector<std::pair<double, double>>& pairs) {
  double sum = 0;
  for (const auto& [x, y] : pairs) {
    sum += x * y;
  }
  return sum;
}

double Magnitude(const Series& s) {
  double sum = 0;
  for (const auto& x : s) {
    if (x) {
      sum += *x * *x;
    }
  }
  return std::sqrt(sum);
}

Value Pearson(const Value& a, const Value& b) {
  const auto pairs = Pairs(a, b);
  if (pairs.size() < 2) {
    return Value();
  }
  double mx = 0;
  double my = 0;
  for (const auto& [x, y] : pairs) {
    mx += x;
    my += y;
  }
  mx /= static_cast<double>(pairs.size());
  my /= static_cast<double>(pairs.size());
  double sxy = 0;
  double sxx = 0;
  double syy = 0;
  for (const auto& [x, y] : pairs) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) * (x - mx);
    syy += (y - my) * (y - my);
  }
  if (sxx == 0 || syy == 0) {
    return Value();
  }
  return RealOrNull(sxy / std::sqrt(sxx * syy));
}

// series_fir(series, filter [, normalize = true [, center = false]]): y[i] = sum_j f[j] *
// x[i - j] (missing or out-of-range inputs count as 0); center shifts the window to be
// symmetric around i; normalize divides the filter by its sum.
Value Fir(std::span<const Value> args) {
  const Series x = ToSeries(args[0]);
  Series f = ToSeries(args[1]);
  if (!args[0].is_array() || f.empty()) {
    return Value();
  }
  const bool normalize = !(args.size() > 2 && args[2].kind() == Kind::kBool && !args[2].AsBool());
  const bool center = args.size() > 3 && args[3].kind() == Kind::kBool && args[3].AsBool();
  double sum = 0;
  for (const auto& c : f) {
    sum += c.value_or(0);
  }
  if (normalize && sum == 0) {
    return Value();
  }
  const auto n = static_cast<int64_t>(x.size());
  const auto m = static_cast<int64_t>(f.size());
  const int64_t shift = center ? (m - 1) / 2 : 0;
  Array out;
  out.reserve(x.size());
  for (int64_t i = 0; i < n; ++i) {
    double acc = 0;
    for (int64_t j = 0; j < m; ++j) {
      const int64_t k = i + shift - j;
      if (k >= 0 && k < n && x[k]) {
        acc += f[j].value_or(0) * *x[k];
      }
    }
    out.push_back(RealOrNull(normalize ? acc / sum : acc));
  }
  return Value::MakeArray(std::move(out));
}

// series_iir(series, numerators b, denominators a): a[0] y[n] = sum b[k] x[n-k] - sum_{k>0}
// a[k] y[n-k].
Value Iir(std::span<const Value> args) {
  const Series x = ToSeries(args[0]);
  const Series b = ToSeries(args[1]);
  const Series a = ToSeries(args[2]);
  if (!args[0].is_array() || b.empty() || a.empty() || !a[0] || *a[0] == 0) {
    return Value();
  }
  std::vector<double> y(x.size(), 0.0);
  Array out;
  out.reserve(x.size());
  for (size_t n = 0; n < x.size(); ++n) {
    double acc = 0;
    for (size_t k = 0; k < b.size() && k <= n; ++k) {
      acc += b[k].value_or(0) * x[n - k].value_or(0);
    }
    for (size_t k = 1; k < a.size() && k <= n; ++k) {
      acc -= a[k].value_or(0) * y[n - k];
    }
    y[n] = acc / *a[0];
    out.push_back(RealOrNull(y[n]));
  }
  return Value::MakeArray(std::move(out));
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t mid = v.size() / 2;
  return v.size() % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

// Per-phase medians of `s` for period `p` (missing points skipped; 0 for an empty phase).
std::vector<double> PhaseMedians(const Series& s, size_t p) {
  std::vector<double> medians(std::min(p, s.size()), 0.0);
  for (size_t j = 0; j < medians.size(); ++j) {
    std::vector<double> values;
    for (size_t i = j; i < s.size(); i += p) {
      if (s[i]) {
        values.push_back(*s[i]);
      }
    }
    medians[j] = values.empty() ? 0.0 : Median(std::move(values));
  }
  return medians;
}

// The shortest period (at least four cycles, at most kMaxDetectedPeriod) whose per-phase
// medians explain at least 75% of the series' absolute deviation from its median (robust to
// single outliers); 0 when there is none. A simple stand-in for Kusto's spectral detection
// that agrees with its documented examples.
constexpr size_t kMaxDetectedPeriod = 256;
int64_t DetectPeriod(const Series& s) {
  const size_t n = s.size();
  if (n < 8 || n > kMaxQuadratic) {
    return 0;
  }
  std::vector<double> present;
  for (const auto& x : s) {
    if (x) {
      present.push_back(*x);
    }
  }
  if (present.empty()) {
    return 0;
  }
  const double center = Median(present);
  double total = 0;
  for (const double x : present) {
    total += std::fabs(x - center);
  }
  if (total == 0) {
    return 0;
  }
  for (size_t p = 2; p * 4 <= n && p <= kMaxDetectedPeriod; ++p) {
    const std::vector<double> medians = PhaseMedians(s, p);
    double residual = 0;
    for (size_t i = 0; i < n; ++i) {
      if (s[i]) {
        residual += std::fabs(*s[i] - medians[i % p]);
      }
    }
    if (1 - residual / total >= 0.75) {
      return static_cast<int64_t>(p);
    }
  }
  return 0;
}

// series_seasonal(series [, period = -1 (detect)]): each point's value is the median of the
// points at the same phase of the period; zeros when there is no period.
Value Seasonal(std::span<const Value> args) {
  if (!args[0].is_array()) {
    return Value();
  }
  const Series s = ToSeries(args[0]);
  int64_t period = -1;
  if (args.size() > 1 && !args[1].is_null()) {
    const auto p = fn2::IntegerOf(args[1]);
    if (!p) {
      return Value();
    }
    period = *p;
  }
  if (period < 0) {
    period = DetectPeriod(s);
  }
  Array out;
  out.reserve(s.size());
  if (period <= 0) {
    for (size_t i = 0; i < s.size(); ++i) {
      out.push_back(Value::Real(0));
    }
    return Value::MakeArray(std::move(out));
  }
  const auto p = static_cast<size_t>(period);
  const std::vector<double> phase_median = PhaseMedians(s, p);
  for (size_t i = 0; i < s.size(); ++i) {
    out.push_back(Value::Real(phase_median[i % p]));
  }
  return Value::MakeArray(std::move(out));
}

struct LineFit {
  double slope = 0;
  double intercept = 0;
  double rsquare = 0;
  double variance = 0;
  double rvariance = 0;
  double residual = 0;  // sum of squared residuals
};

// Least squares over points (x = index + 1, y) for indexes [from, to).
LineFit FitRange(const std::vector<double>& y, size_t from, size_t to) {
  LineFit fit;
  const auto n = static_cast<double>(to - from);
  double sx = 0;
  double sy = 0;
  double sxx = 0;
  double sxy = 0;
  for (size_t i = from; i < to; ++i) {
    const auto x = static_cast<double>(i + 1);
    sx += x;
    sy += y[i];
    sxx += x * x;
    sxy += x * y[i];
  }
  const double denom = n * sxx - sx * sx;
  fit.slope = denom != 0 ? (n * sxy - sx * sy) / denom : 0;
  fit.intercept = (sy - fit.slope * sx) / n;
  const double mean = sy / n;
  double total = 0;
  for (size_t i = from; i < to; ++i) {
    const double f = fit.intercept + fit.slope * static_cast<double>(i + 1);
    total += (y[i] - mean) * (y[i] - mean);
    fit.residual += (y[i] - f) * (y[i] - f);
  }
  fit.rsquare = total > 0 ? 1 - fit.residual / total : 1;
  fit.variance = n > 1 ? total / (n - 1) : 0;
  fit.rvariance = n > 1 ? fit.residual / (n - 1) : 0;
  return fit;
}

Bag FitBag(const LineFit& f) {
  Bag b;
  b.emplace_back("rsquare", Value::Real(f.rsquare));
  b.emplace_back("slope", Value::Real(f.slope));
  b.emplace_back("interception", Value::Real(f.intercept));
  b.emplace_back("variance", Value::Real(f.variance));
  b.emplace_back("rvariance", Value::Real(f.rvariance));
  return b;
}

// series_fit_2lines_dynamic: the split into two least-squares lines with the smallest total
// residual (each side at least two points).
Value Fit2Lines(const Value& arr) {
  if (!arr.is_array()) {
    return Value();
  }
  std::vector<double> y;
  for (const Value& v : arr.AsArray()) {
    y.push_back(v.is_number() ? v.AsReal() : 0.0);
  }
  const size_t n = y.size();
  if (n < 4 || n > kMaxQuadratic) {
    return Value();
  }
  size_t best_split = 2;
  double best = HUGE_VAL;
  for (size_t k = 2; k + 2 <= n; ++k) {
    const double r = FitRange(y, 0, k).residual + FitRange(y, k, n).residual;
    if (r < best) {
      best = r;
      best_split = k;
    }
  }
  const LineFit left = FitRange(y, 0, best_split);
  const LineFit right = FitRange(y, best_split, n);
  const LineFit all = FitRange(y, 0, n);
  Array line;
  for (size_t i = 0; i < n; ++i) {
    const LineFit& f = i < best_split ? left : right;
    line.push_back(Value::Real(f.intercept + f.slope * static_cast<double>(i + 1)));
  }
  const double nd = static_cast<double>(n);
  double total = 0;
  const double mean = [&] {
    double s = 0;
    for (const double v : y) {
      s += v;
    }
    return s / nd;
  }();
  for (const double v : y) {
    total += (v - mean) * (v - mean);
  }
  Bag out;
  out.emplace_back("rsquare", Value::Real(total > 0 ? 1 - best / total : 1));
  out.emplace_back("split_idx", Value::Long(static_cast<int64_t>(best_split)));
  out.emplace_back("variance", Value::Real(all.variance));
  out.emplace_back("rvariance", Value::Real(best / (nd - 1)));
  out.emplace_back("line_fit", Value::MakeArray(std::move(line)));
  out.emplace_back("right", Value::MakeBag(FitBag(right)));
  out.emplace_back("left", Value::MakeBag(FitBag(left)));
  return Value::MakeBag(std::move(out));
}

Value Rotate(const Value& arr, const Value& count, bool left) {
  const auto k = fn2::IntegerOf(count);
  if (!arr.is_array() || !k) {
    return Value();
  }
  Array out = arr.AsArray();
  const auto n = static_cast<int64_t>(out.size());
  if (n == 0) {
    return Value::MakeArray(std::move(out));
  }
  int64_t shift = (left ? *k : -*k) % n;
  if (shift < 0) {
    shift += n;
  }
  std::rotate(out.begin(), out.begin() + shift, out.end());
  return Value::MakeArray(std::move(out));
}

// array_split(array, index or indexes): the pieces between the (clamped, negative from the
// end) split points.
Value Split(const Value& arr, const Value& indexes) {
  if (!arr.is_array()) {
    return Value();
  }
  const auto n = static_cast<int64_t>(arr.AsArray().size());
  std::vector<int64_t> cuts;
  auto add = [&](const Value& v) {
    const auto i = fn2::IntegerOf(v);
    if (!i) {
      return false;
    }
    int64_t c = *i < 0 ? *i + n : *i;
    cuts.push_back(std::clamp<int64_t>(c, 0, n));
    return true;
  };
  if (indexes.is_array()) {
    for (const Value& v : indexes.AsArray()) {
      if (!add(v)) {
        return Value();
      }
    }
  } else if (!add(indexes)) {
    return Value();
  }
  Array out;
  int64_t start = 0;
  cuts.push_back(n);
  for (const int64_t c : cuts) {
    const int64_t end = std::max(start, c);
    Array piece(arr.AsArray().begin() + start, arr.AsArray().begin() + end);
    out.push_back(Value::MakeArray(std::move(piece)));
    start = end;
  }
  return Value::MakeArray(std::move(out));
}

Value BagZip(const Value& keys, const Value& values) {
  if (!keys.is_array()) {
    return Value();
  }
  Bag out;
  for (size_t i = 0; i < keys.AsArray().size(); ++i) {
    const Value& k = keys.AsArray()[i];
    if (!k.is_string()) {
      continue;
    }
    Value v;
    if (values.is_array() && i < values.AsArray().size()) {
      v = values.AsArray()[i];
    }
    out.emplace_back(k.AsString(), std::move(v));
  }
  return Value::MakeBag(std::move(out));
}

}  // namespace

namespace internal {

void RegisterMoreSeriesFunctions(Registry& r) {
  const Type dyn = Type::kDynamic;
  struct UnaryFn {
    const char* name;
    double (*f)(double);
    bool keep_integers;
  };
  const UnaryFn unary[] = {
      {"series_abs", [](double x) { return std::fabs(x); }, true},
      {"series_acos", [](double x) { return std::acos(x); }, false},
      {"series_asin", [](double x) { return std::asin(x); }, false},
      {"series_atan", [](double x) { return std::atan(x); }, false},
      {"series_ceiling", [](double x) { return std::ceil(x); }, false},
      {"series_cos", [](double x) { return std::cos(x); }, false},
      {"series_exp", [](double x) { return std::exp(x); }, false},
      {"series_floor", [](double x) { return std::floor(x); }, false},
      {"series_log", [](double x) { return x < 0 ? std::nan("") : std::log(x); }, false},
      {"series_sign", [](double x) { return x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0); }, true},
      {"series_sin", [](double x) { return std::sin(x); }, false},
      {"series_sqrt", [](double x) { return x < 0 ? std::nan("") : std::sqrt(x); }, false},
      {"series_tan", [](double x) { return std::tan(x); }, false},
  };
  for (const UnaryFn& u : unary) {
    Add(r, u.name, 1, 1, Returns(u.name, dyn), UnaryMap(u.f, u.keep_integers));
  }
  Add(r, "series_pow", 2, 2, Returns("series_pow", dyn),
      [](std::span<const Value> args, FunctionContext&) {
        return BinaryMap(args[0], args[1],
                         [](double x, double y) { return RealOrNull(std::pow(x, y)); });
      });
  struct Compare {
    const char* name;
    bool (*f)(double, double);
  };
  const Compare compares[] = {
      {"series_greater", [](double x, double y) { return x > y; }},
      {"series_greater_equals", [](double x, double y) { return x >= y; }},
      {"series_less", [](double x, double y) { return x < y; }},
      {"series_less_equals", [](double x, double y) { return x <= y; }},
      {"series_equals", [](double x, double y) { return x == y; }},
      {"series_not_equals", [](double x, double y) { return x != y; }},
  };
  for (const Compare& c : compares) {
    auto f = c.f;
    Add(r, c.name, 2, 2, Returns(c.name, dyn), [f](std::span<const Value> args, FunctionContext&) {
      return BinaryMap(args[0], args[1], [f](double x, double y) { return Value::Bool(f(x, y)); });
    });
  }
  Add(r, "series_dot_product", 2, 2, Returns("series_dot_product", Type::kReal),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        if (!args[0].is_array() && !args[1].is_array()) {
          return Value();
        }
        return RealOrNull(DotProduct(Pairs(args[0], args[1])));
      });
  Add(r, "series_sum", 1, 1, Returns("series_sum", Type::kReal),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        if (!args[0].is_array()) {
          return Value();
        }
        double sum = 0;
        for (const auto& x : ToSeries(args[0])) {
          sum += x.value_or(0);
        }
        return RealOrNull(sum);
      });
  Add(r, "series_magnitude", 1, 1, Returns("series_magnitude", Type::kReal),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        return args[0].is_array() ? RealOrNull(Magnitude(ToSeries(args[0]))) : Value();
      });
  Add(r, "series_cosine_similarity", 2, 4, Returns("series_cosine_similarity", Type::kReal),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        if (!args[0].is_array() || !args[1].is_array()) {
          return Value();
        }
        double m1 = args.size() > 2 && args[2].is_number() ? args[2].AsReal()
                                                           : Magnitude(ToSeries(args[0]));
        double m2 = args.size() > 3 && args[3].is_number() ? args[3].AsReal()
                                                           : Magnitude(ToSeries(args[1]));
        if (m1 == 0 || m2 == 0) {
          return Value();
        }
        return RealOrNull(DotProduct(Pairs(args[0], args[1])) / (m1 * m2));
      });
  Add(r, "series_pearson_correlation", 2, 2, Returns("series_pearson_correlation", Type::kReal),
      [](std::span<const Value> args, FunctionContext&) { return Pearson(args[0], args[1]); });
  Add(r, "series_fir", 2, 4, Returns("series_fir", dyn),
      [](std::span<const Value> args, FunctionContext&) { return Fir(args); });
  Add(r, "series_iir", 3, 3, Returns("series_iir", dyn),
      [](std::span<const Value> args, FunctionContext&) { return Iir(args); });
  Add(r, "series_seasonal", 1, 2, Returns("series_seasonal", dyn),
      [](std::span<const Value> args, FunctionContext&) { return Seasonal(args); });
  Add(r, "series_fit_2lines_dynamic", 1, 1, Returns("series_fit_2lines_dynamic", dyn),
      [](std::span<const Value> args, FunctionContext&) { return Fit2Lines(args[0]); });

  Add(r, "array_rotate_left", 2, 2, Returns("array_rotate_left", dyn),
      [](std::span<const Value> args, FunctionContext&) { return Rotate(args[0], args[1], true); });
  Add(r, "array_rotate_right", 2, 2, Returns("array_rotate_right", dyn),
      [](std::span<const Value> args, FunctionContext&) {
        return Rotate(args[0], args[1], false);
      });
  Add(r, "array_split", 2, 2, Returns("array_split", dyn),
      [](std::span<const Value> args, FunctionContext&) { return Split(args[0], args[1]); });
  Add(r, "bag_zip", 2, 2, Returns("bag_zip", dyn),
      [](std::span<const Value> args, FunctionContext&) { return BagZip(args[0], args[1]); });
}

}  // namespace internal
}  // namespace vigil::kql

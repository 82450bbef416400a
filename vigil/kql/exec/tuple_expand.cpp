// Functions with several outputs (series_stats, series_fit_line, series_fit_2lines,
// series_decompose_anomalies, array_sort_asc/desc over several arrays) in project, extend and
// print: `(a, b) = f(x)` or a bare `f(x)` becomes one item per output. Each output is an index
// into the function's single-value form (the *_dynamic bag, or the array of sorted arrays), so
// the binder sees ordinary expressions. The function is evaluated once per output.
// Used by PlanProject/PlanExtend (compiler_project.cpp) and print (compiler_plan.cpp); stateless.
#include <string>
#include <vector>

#include "vigil/kql/exec/compiler_internal.h"

namespace vigil::kql {

namespace {

struct TupleSpec {
  const char* name;
  const char* single;                           // the function giving all outputs in one bag
  std::vector<std::vector<const char*>> paths;  // member path of each output in that bag
};

const std::vector<TupleSpec>& Specs() {
  static const std::vector<TupleSpec> kSpecs = {
      {"series_stats",
       "series_stats_dynamic",
       {{"min"}, {"min_idx"}, {"max"}, {"max_idx"}, {"avg"}, {"stdev"}, {"variance"}}},
      {"series_fit_line",
       "series_fit_line_dynamic",
       {{"rsquare"}, {"slope"}, {"variance"}, {"rvariance"}, {"interception"}, {"line_fit"}}},
      {"series_fit_2lines",
       "series_fit_2lines_dynamic",
       {{"rsquare"},
        {"split_idx"},
        {"variance"},
        {"rvariance"},
        {"line_fit"},
        {"right", "rsquare"},
        {"right", "slope"},
        {"right", "interception"},
        {"right", "variance"},
        {"right", "rvariance"},
        {"left", "rsquare"},
        {"left", "slope"},
        {"left", "interception"},
        {"left", "variance"},
        {"left", "rvariance"}}},
      {"series_decompose_anomalies",
       "series_decompose_anomalies_dynamic",
       {{"ad_flag"}, {"ad_score"}, {"baseline"}}},
  };
  return kSpecs;
}

ExprPtr MakeIndexExpr(ExprPtr base, Value key, Type type, Pos pos) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kIndex;
  e->pos = pos;
  auto lit = std::make_shared<Expr>();
  lit->kind = ExprKind::kLiteral;
  lit->pos = pos;
  lit->literal = std::move(key);
  lit->literal_type = type;
  e->args = {std::move(base), std::move(lit)};
  return e;
}

std::string LowerAscii(std::string s) {
  for (char& ch : s) {
    if (ch >= 'A' && ch <= 'Z') {
      ch = static_cast<char>(ch - 'A' + 'a');
    }
  }
  return s;
}

// Outputs of a multi-output call with their default names; empty when `e` is not one.
std::vector<std::pair<std::string, ExprPtr>> Outputs(const Expr& e) {
  std::vector<std::pair<std::string, ExprPtr>> out;
  if (e.kind != ExprKind::kCall || e.args.empty()) {
    return out;
  }
  const std::string name = LowerAscii(e.name);
  const Expr& first = *e.args[0];
  const std::string arg_part = first.kind == ExprKind::kName ? first.name + "_" : std::string();
  if (name == "array_sort_asc" || name == "array_sort_desc") {
    size_t arrays = e.args.size();
    const Expr& last = *e.args.back();
    if (arrays > 1 && last.kind == ExprKind::kLiteral && last.literal.kind() == Kind::kBool) {
      --arrays;
    }
    if (arrays < 2) {
      return out;
    }
    auto call = std::make_shared<Expr>(e);
    for (size_t i = 0; i < arrays; ++i) {
      const Expr& a = *e.args[i];
      const std::string base = a.kind == ExprKind::kName ? a.name : "array" + std::to_string(i + 1);
      out.emplace_back(base + "_sorted", MakeIndexExpr(call, Value::Long(static_cast<int64_t>(i)),
                                                       Type::kLong, e.pos));
    }
    return out;
  }
  for (const TupleSpec& spec : Specs()) {
    if (name != spec.name) {
      continue;
    }
    auto call = std::make_shared<Expr>(e);
    call->name = spec.single;
    for (const auto& path : spec.paths) {
      ExprPtr x = call;
      std::string suffix;
      for (const char* key : path) {
        x = MakeIndexExpr(x, Value::String(key), Type::kString, e.pos);
        suffix += (suffix.empty() ? "" : "_") + std::string(key);
      }
      out.emplace_back(name + "_" + arg_part + suffix, x);
    }
    return out;
  }
  return out;
}

}  // namespace

std::vector<NamedExpr> ExpandTupleItems(const std::vector<NamedExpr>& items) {
  std::vector<NamedExpr> result;
  result.reserve(items.size());
  for (const NamedExpr& ne : items) {
    // A single explicit name keeps the call whole (array_sort_* then gives its array of
    // arrays; the others are unknown as scalars).
    const bool expand = !ne.names.empty() ? ne.names.size() > 1 : ne.name.empty();
    auto outputs = expand ? Outputs(*ne.expr) : decltype(Outputs(*ne.expr)){};
    if (outputs.empty()) {
      result.push_back(ne);
      continue;
    }
    for (size_t i = 0; i < outputs.size(); ++i) {
      if (!ne.names.empty() && i >= ne.names.size()) {
        break;  // fewer names than outputs: the rest are dropped
      }
      NamedExpr item;
      item.name = ne.names.empty() ? outputs[i].first : ne.names[i];
      item.expr = outputs[i].second;
      item.pos = ne.pos;
      result.push_back(std::move(item));
    }
  }
  return result;
}

}  // namespace vigil::kql

#include "vigil/kql/exec/extreme_prefilter_op.h"

#include <cmath>
#include <memory>
#include <optional>
#include <unordered_set>
#include <utility>

#include "vigil/kql/exec/operators.h"
#include "vigil/kql/exec/scan_aggregate_op.h"
#include "vigil/kql/functions/registry.h"

namespace vigil::kql {
namespace {

bool Usable(const Value& v) {
  return !v.is_null() && !(v.kind() == Kind::kReal && std::isnan(v.AsReal()));
}

}  // namespace

ExtremePrefilterOp::ExtremePrefilterOp(PhysOpPtr input, ScanOp* scan, int value_col,
                                       std::vector<int> key_cols, bool is_max, ExecContext* ctx)
    : scan_(scan), value_col_(value_col), key_cols_(std::move(key_cols)), is_max_(is_max),
      ctx_(ctx) {
  schema_ = input->schema();
  inputs_.push_back(std::move(input));
}

std::string ExtremePrefilterOp::Describe() const {
  std::string out = std::string("ExtremePrefilter ") + (is_max_ ? "max(" : "min(") +
                    schema_[static_cast<size_t>(value_col_)].name + ") by [";
  for (size_t i = 0; i < key_cols_.size(); ++i) {
    out += (i ? ", " : "") + schema_[static_cast<size_t>(key_cols_[i])].name;
  }
  out += "]";
  if (prepared_) {
    out += applied_ ? " groups=" + std::to_string(groups_) : " (not applied)";
  }
  return out;
}

void ExtremePrefilterOp::NeededInputs(const std::vector<bool>& out,
                                      std::vector<std::vector<bool>>& in) const {
  in[0] = out;
  in[0][static_cast<size_t>(value_col_)] = true;
  for (int k : key_cols_) {
    in[0][static_cast<size_t>(k)] = true;
  }
}

KResult<bool> ExtremePrefilterOp::Prepare() {
  prepared_ = true;
  if (scan_->started()) {
    return true;  // too late to add a filter: plain one-pass summarize
  }
  std::vector<bool> needed(schema_.size(), false);
  needed[static_cast<size_t>(value_col_)] = true;
  for (int k : key_cols_) {
    needed[static_cast<size_t>(k)] = true;
  }
  auto probe = scan_->CloneForColumns(std::move(needed));
  // Each group's extreme value: `summarize max(X) by keys` (min for arg_min), fused into the
  // probe scan where it can be. A group whose values are all null keeps a null (its rows would
  // be filtered away, so the prefilter is then not applied).
  const Type value_type = schema_[static_cast<size_t>(value_col_)].type;
  auto column_expr = [&](int c) {
    auto e = std::make_shared<BExpr>();
    e->kind = BKind::kColumn;
    e->column = c;
    e->type = schema_[static_cast<size_t>(c)].type;
    e->text = schema_[static_cast<size_t>(c)].name;
    return BExprPtr(std::move(e));
  };
  std::vector<BExprPtr> keys;
  Schema out_schema;
  for (int k : key_cols_) {
    keys.push_back(column_expr(k));
    out_schema.push_back(schema_[static_cast<size_t>(k)]);
  }
  AggSpec extreme;
  extreme.fn = Registry::Default().FindAggregate(is_max_ ? "max" : "min");
  extreme.args.push_back(column_expr(value_col_));
  extreme.text = std::string(is_max_ ? "max(" : "min(") + extreme.args[0]->text + ")";
  out_schema.push_back({"extreme", value_type});
  const std::vector<AggSpec> aggs = {extreme};
  PhysOpPtr probe_input(std::move(probe));
  PhysOpPtr grouped = MakeScanAggregate(probe_input, out_schema, keys, aggs, "extremes", ctx_);
  if (!grouped) {
    grouped = std::make_unique<SummarizeOp>(std::move(probe_input), out_schema, keys, aggs,
                                            "extremes", ctx_);
  }
  auto set = std::make_shared<std::unordered_set<Value, ValueHash, ValueEq>>();
  std::optional<Value> bound;  // the least group maximum (the greatest group minimum)
  size_t groups = 0;
  bool all_usable = true;
  auto read = ForEachChunk(*grouped, *ctx_, [&](const Chunk& in) -> KResult<bool> {
    const auto& values = in.cols[key_cols_.size()];
    for (size_t r = 0; r < in.rows && all_usable; ++r) {
      ++groups;
      const Value& v = values[r];
      if (!Usable(v)) {
        all_usable = false;
        break;
      }
      set->insert(v);
      if (!bound || (is_max_ ? CompareValues(v, *bound) < 0 : CompareValues(v, *bound) > 0)) {
        bound = v;
      }
    }
    return true;
  });
  if (!read) {
    return read;
  }
  if (!all_usable) {
    return true;  // a group with only null values: keep every row
  }
  groups_ = groups;
  // Rows beyond the bound cannot win their group: integer-backed values let the store skip
  // their blocks (and, for Timestamp, their day partitions).
  if (bound && (value_type == Type::kLong || value_type == Type::kInt ||
                value_type == Type::kDateTime || value_type == Type::kTimeSpan)) {
    const int64_t b = bound->AsInt64();
    store::PredicateHint hint;
    hint.kind = store::PredicateHint::Kind::kIntRange;
    hint.column = schema_[static_cast<size_t>(value_col_)].name;
    hint.min = is_max_ ? b : INT64_MIN;
    hint.max = is_max_ ? INT64_MAX : b;
    scan_->AddHint(hint);
    if (hint.column == "Timestamp") {
      scan_->SetTimeRange(is_max_ ? std::optional<int64_t>(b) : std::nullopt,
                          is_max_ ? std::nullopt : std::optional<int64_t>(b));
    }
  }
  auto predicate = std::make_shared<BExpr>();
  predicate->kind = BKind::kIn;
  predicate->type = Type::kBool;
  predicate->set = std::move(set);
  auto column = std::make_shared<BExpr>();
  column->kind = BKind::kColumn;
  column->column = 0;
  column->type = schema_[static_cast<size_t>(value_col_)].type;
  column->text = schema_[static_cast<size_t>(value_col_)].name;
  predicate->text = column->text + " in (" + std::to_string(groups_) + " group extremes)";
  predicate->args.push_back(std::move(column));
  scan_->AddFilter(ScanFilter{value_col_, std::move(predicate)});
  applied_ = true;
  return true;
}

KResult<bool> ExtremePrefilterOp::Next(Chunk& out) {
  if (!prepared_) {
    auto ok = Prepare();
    if (!ok) {
      return ok;
    }
  }
  return inputs_[0]->Next(out);
}

}  // namespace vigil::kql

#include "vigil/kql/exec/extreme_prefilter_op.h"

#include <cmath>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "vigil/kql/exec/row_key.h"

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
  // Each group's extreme value; a group whose values are all null keeps a null (its rows would
  // be filtered away, so the prefilter is then not applied).
  std::unordered_map<std::vector<Value>, Value, RowKeyHash, RowKeyEq<true>> best;
  std::vector<Value> key(key_cols_.size());
  size_t charged = 0;
  auto read = ForEachChunk(*probe, *ctx_, [&](const Chunk& in) -> KResult<bool> {
    const auto& values = in.cols[static_cast<size_t>(value_col_)];
    for (size_t r = 0; r < in.rows; ++r) {
      for (size_t k = 0; k < key_cols_.size(); ++k) {
        key[k] = in.cols[static_cast<size_t>(key_cols_[k])][r];
      }
      const Value& v = values[r];
      auto it = best.find(key);
      if (it == best.end()) {
        best.emplace(key, Usable(v) ? v : Value());
        const size_t bytes = 96 + 32 * key.size();
        charged += bytes;
        auto ok = ctx_->Charge(bytes);
        if (!ok) {
          return ok;
        }
        continue;
      }
      if (!Usable(v)) {
        continue;
      }
      if (it->second.is_null() || (is_max_ ? CompareValues(v, it->second) > 0
                                           : CompareValues(v, it->second) < 0)) {
        it->second = v;
      }
    }
    return true;
  });
  if (!read) {
    return read;
  }
  auto set = std::make_shared<std::unordered_set<Value, ValueHash, ValueEq>>();
  for (const auto& [k, v] : best) {
    if (v.is_null()) {
      ctx_->Release(charged);
      return true;  // a group with only null values: keep every row
    }
    set->insert(v);
  }
  groups_ = best.size();
  ctx_->Release(charged);
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

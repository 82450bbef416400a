// Column pruning: which input columns each operator needs, so scans decode only those.
#include "vigil/kql/exec/operators.h"
#include "vigil/kql/exec/scan_op.h"

namespace vigil::kql {

void MarkExprColumns(const BExpr& e, std::vector<bool>& cols) {
  if (e.kind == BKind::kColumn && e.column >= 0 && static_cast<size_t>(e.column) < cols.size()) {
    cols[static_cast<size_t>(e.column)] = true;
  }
  if (e.kind == BKind::kPackAll) {
    cols.assign(cols.size(), true);
  }
  for (const auto& a : e.args) {
    MarkExprColumns(*a, cols);
  }
}

namespace {

// Marks the columns an expression reads; pack_all() reads them all.
void MarkColumns(const BExpr& e, std::vector<bool>& cols) {
  if (e.kind == BKind::kColumn && e.column >= 0 && static_cast<size_t>(e.column) < cols.size()) {
    cols[static_cast<size_t>(e.column)] = true;
  }
  if (e.kind == BKind::kPackAll) {
    cols.assign(cols.size(), true);
  }
  for (const auto& a : e.args) {
    MarkColumns(*a, cols);
  }
}

void AllTrue(std::vector<bool>& v) { v.assign(v.size(), true); }

void Propagate(PhysOp& op, const std::vector<bool>& needed) {
  op.SetNeeded(needed);
  std::vector<std::vector<bool>> in;
  for (const auto& child : op.inputs()) {
    in.emplace_back(child->schema().size(), false);
  }
  op.NeededInputs(needed, in);
  for (size_t i = 0; i < op.inputs().size(); ++i) {
    Propagate(*op.inputs()[i], in[i]);
  }
}

}  // namespace

void PhysOp::NeededInputs(const std::vector<bool>& out,
                          std::vector<std::vector<bool>>& in) const {
  (void)out;
  for (auto& v : in) {
    AllTrue(v);
  }
}

void FilterOp::NeededInputs(const std::vector<bool>& out,
                            std::vector<std::vector<bool>>& in) const {
  in[0] = out;
  MarkColumns(*predicate_, in[0]);
}

void ProjectOp::NeededInputs(const std::vector<bool>& out,
                             std::vector<std::vector<bool>>& in) const {
  for (size_t c = 0; c < exprs_.size(); ++c) {
    if (c < out.size() && out[c]) {
      MarkColumns(*exprs_[c], in[0]);
    }
  }
}

void TakeOp::NeededInputs(const std::vector<bool>& out,
                          std::vector<std::vector<bool>>& in) const {
  in[0] = out;
}

void CountOp::NeededInputs(const std::vector<bool>&, std::vector<std::vector<bool>>&) const {}

void SortOp::NeededInputs(const std::vector<bool>& out,
                          std::vector<std::vector<bool>>& in) const {
  in[0] = out;
  for (const auto& k : keys_) {
    MarkColumns(*k.expr, in[0]);
  }
}

void ConcatOp::NeededInputs(const std::vector<bool>& out,
                            std::vector<std::vector<bool>>& in) const {
  for (size_t i = 0; i < maps_.size(); ++i) {
    for (size_t c = 0; c < maps_[i].size(); ++c) {
      const int o = maps_[i][c];
      in[i][c] = o >= 0 && static_cast<size_t>(o) < out.size() && out[static_cast<size_t>(o)];
    }
  }
}

void SummarizeOp::NeededInputs(const std::vector<bool>&,
                               std::vector<std::vector<bool>>& in) const {
  for (const auto& k : keys_) {
    MarkColumns(*k, in[0]);
  }
  for (const auto& a : aggs_) {
    for (const auto& e : a.args) {
      MarkColumns(*e, in[0]);
    }
  }
}

void DistinctOp::NeededInputs(const std::vector<bool>&,
                              std::vector<std::vector<bool>>& in) const {
  for (const auto& e : exprs_) {
    MarkColumns(*e, in[0]);
  }
}

void JoinOp::NeededInputs(const std::vector<bool>& out,
                          std::vector<std::vector<bool>>& in) const {
  const bool emit_left = kind_ != JoinKind::kRightSemi && kind_ != JoinKind::kRightAnti;
  if (emit_left) {
    for (size_t c = 0; c < in[0].size() && c < out.size(); ++c) {
      in[0][c] = out[c];
    }
  }
  for (const auto& k : left_keys_) {
    MarkColumns(*k, in[0]);
  }
  for (size_t c = 0; c < right_out_.size(); ++c) {
    const int o = right_out_[c];
    in[1][c] = o >= 0 && static_cast<size_t>(o) < out.size() && out[static_cast<size_t>(o)];
  }
  for (const auto& k : right_keys_) {
    MarkColumns(*k, in[1]);
  }
}

void PropagateNeeds(PhysOp& root) {
  Propagate(root, std::vector<bool>(root.schema().size(), true));
}

}  // namespace vigil::kql

// ExtremePrefilterOp: the first phase of a two-phase `summarize arg_max(X, *) by K` (and
// arg_min) over a table scan. Before the scan starts it reads only X and the key columns with a
// clone of the scan, finds each group's extreme X, and pushes `X in (those values)` into the
// scan as a filter, so the wide second read materialises about one row per group instead of
// every row. The summarize above it is unchanged (its arg_max over the candidate rows equals
// the arg_max over all rows: each group's winning row is a candidate). Not thread-safe.
#pragma once

#include <vector>

#include "vigil/kql/exec/physical.h"
#include "vigil/kql/exec/scan_op.h"

namespace vigil::kql {

class ExtremePrefilterOp : public PhysOp {
 public:
  // `scan` is `input` (owned through it). `value_col` is X's column, `key_cols` the group keys'.
  ExtremePrefilterOp(PhysOpPtr input, ScanOp* scan, int value_col, std::vector<int> key_cols,
                     bool is_max, ExecContext* ctx);
  KResult<bool> Next(Chunk& out) override;
  std::string Describe() const override;
  void NeededInputs(const std::vector<bool>& out,
                    std::vector<std::vector<bool>>& in) const override;

 private:
  KResult<bool> Prepare();

  ScanOp* scan_;
  int value_col_;
  std::vector<int> key_cols_;
  bool is_max_;
  ExecContext* ctx_;
  bool prepared_ = false;
  size_t groups_ = 0;
  bool applied_ = false;
};

}  // namespace vigil::kql

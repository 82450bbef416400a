// evaluate rows_near(Condition, NumRows [, RowsAfter]): the rows that match a condition and
// the NumRows rows before and RowsAfter (default NumRows) rows after each of them, in input
// order, each row once. Planned from PlanEvaluate (compiler_ops3.cpp); reads its input to the
// end (MaterializeOp), so the input should be serialized (sorted) first, as in Kusto.
#include <algorithm>
#include <utility>

#include "vigil/kql/exec/operators3.h"

namespace vigil::kql {

KResult<PhysOpPtr> PlanRowsNear(Compiler& c, const Expr& call, PhysOpPtr input, ScopePtr scope) {
  if (call.args.size() < 2 || call.args.size() > 3) {
    return KErr("KQL0104", "rows_near expects (Condition, NumRows [, RowsAfter])", call.pos);
  }
  const Schema schema = input->schema();
  auto cond = c.BindExpr(*call.args[0], schema, scope);
  if (!cond) {
    return tl::unexpected(cond.error());
  }
  if ((*cond)->type != Type::kBool) {
    return KErr("KQL0107", "rows_near: the condition must be bool", call.args[0]->pos);
  }
  int64_t counts[2] = {0, 0};
  for (size_t i = 1; i < call.args.size(); ++i) {
    auto b = c.BindExpr(*call.args[i], Schema{}, scope);
    if (!b) {
      return tl::unexpected(b.error());
    }
    if ((*b)->kind != BKind::kConst || !(*b)->constant.is_integral() ||
        (*b)->constant.AsInt64() < 0) {
      return KErr("KQL0104", "rows_near: the row counts must be constant non-negative integers",
                  call.args[i]->pos);
    }
    counts[i - 1] = (*b)->constant.AsInt64();
  }
  const size_t before = static_cast<size_t>(counts[0]);
  const size_t after = static_cast<size_t>(call.args.size() == 3 ? counts[1] : counts[0]);
  Compiler* cp = &c;
  BExprPtr pred = *cond;
  auto transform = [cp, pred, before, after, schema](const Table& t) -> KResult<TablePtr> {
    ExecContext* ctx = cp->ctx();
    const Chunk data = TableChunk(t);
    std::vector<bool> keep(t.rows, false);
    size_t covered = 0;  // rows [0, covered) already decided by an earlier match's window
    for (size_t r = 0; r < t.rows; ++r) {
      if (!IsTrue(Eval(*pred, data, r, ctx->eval))) {
        continue;
      }
      const size_t from = std::max(r >= before ? r - before : 0, std::min(covered, r));
      const size_t to = std::min(t.rows, r + after + 1);
      for (size_t k = from; k < to; ++k) {
        keep[k] = true;
      }
      covered = std::max(covered, to);
    }
    auto out = std::make_shared<Table>();
    out->Reset(schema);
    std::vector<Value> row(schema.size());
    for (size_t r = 0; r < t.rows; ++r) {
      if (!keep[r]) {
        continue;
      }
      for (size_t col = 0; col < schema.size(); ++col) {
        row[col] = CellOrNull(t.cols[col], r);
      }
      auto ok = AppendCharged(*out, row, *ctx);
      if (!ok) {
        return tl::unexpected(ok.error());
      }
    }
    return TablePtr(out);
  };
  return PhysOpPtr(
      std::make_unique<MaterializeOp>(std::move(input), schema, transform, "RowsNear", c.ctx()));
}

}  // namespace vigil::kql

// Window functions over serialized rows (row_cumsum, row_rank_dense, row_rank_min,
// row_window_session): evaluation of a bound kRowWindow expression, which keeps its running
// state in BExpr::window. Binding is ExprBinder::BindRowWindow (row_window.cpp).
#pragma once

#include "vigil/kql/exec/bound_expr.h"

namespace vigil::kql {

// The value of the window function `e` at `row` of `chunk`; rows are expected in order (the
// serialized input), a row out of order recomputes from the chunk's first row.
Value EvalRowWindow(const BExpr& e, const Chunk& chunk, size_t row, EvalContext& ctx);

}  // namespace vigil::kql

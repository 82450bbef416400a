#include "vigil/kql/exec/row_window.h"

#include "vigil/kql/exec/compiler_internal.h"
#include "vigil/kql/exec/expr_binder.h"

namespace vigil::kql {

KResult<BExprPtr> ExprBinder::BindRowWindow(const Expr& e, const std::string& name) {
  const bool session = name == "row_window_session";
  const size_t min_args = session ? 3 : 1;
  const size_t max_args = session ? 4 : 2;
  if (e.args.size() < min_args || e.args.size() > max_args) {
    return KErr("KQL0104",
                session ? name + "() expects 3 or 4 arguments (value, max from first, max "
                                 "between neighbours[, restart])"
                        : name + "() expects 1 or 2 arguments (term[, restart])",
                e.pos);
  }
  auto out = std::make_shared<BExpr>();
  out->kind = BKind::kRowWindow;
  out->op = name;
  out->text = ExprText(e);
  for (const auto& arg : e.args) {
    auto bound = Bind(*arg);
    if (!bound) {
      return bound;
    }
    out->args.push_back(*bound);
  }
  const Type term = out->args[0]->type;
  if (e.args.size() == max_args) {
    const Type restart = out->args.back()->type;
    if (restart != Type::kBool && restart != Type::kDynamic) {
      return KErr("KQL0104", name + "(): the restart argument must be a bool", e.pos);
    }
  }
  if (name == "row_cumsum") {
    if (!IsNumeric(term) && term != Type::kTimeSpan && term != Type::kDynamic) {
      return KErr("KQL0104", "row_cumsum(): the term must be a number or a timespan", e.pos);
    }
    out->type = term == Type::kInt ? Type::kLong : term;
  } else if (session) {
    if (term != Type::kDateTime && !IsNumeric(term) && term != Type::kTimeSpan &&
        term != Type::kDynamic) {
      return KErr("KQL0104", "row_window_session(): the value must be a datetime or a number",
                  e.pos);
    }
    out->type = term;
  } else {
    out->type = Type::kLong;
  }
  out->window = std::make_shared<WindowState>();
  return BExprPtr(out);
}

namespace {

bool Restarts(const BExpr& e, size_t restart_arg, const Chunk& chunk, size_t row,
              EvalContext& ctx) {
  if (e.args.size() <= restart_arg) {
    return false;
  }
  return IsTrue(Eval(*e.args[restart_arg], chunk, row, ctx));
}

bool Same(const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) {
    return a.is_null() && b.is_null();
  }
  return IsTrue(Compare("==", a, b));
}

// One step: the result at `row`, given the state after the previous row (`first` when the row
// starts the serialized input).
Value Step(const BExpr& e, WindowState& s, const Chunk& chunk, size_t row, bool first,
           EvalContext& ctx) {
  const Value term = Eval(*e.args[0], chunk, row, ctx);
  if (e.op == "row_cumsum") {
    const bool restart = first || Restarts(e, 1, chunk, row, ctx);
    if (term.is_null()) {
      s.result = restart ? Value() : s.result;  // a null term adds nothing
    } else {
      s.result = restart || s.result.is_null() ? term : Arithmetic("+", s.result, term);
    }
    return CoerceTo(s.result, e.type);
  }
  if (e.op == "row_rank_dense" || e.op == "row_rank_min") {
    const bool restart = first || Restarts(e, 1, chunk, row, ctx);
    const bool changed = restart || !Same(term, s.key);
    s.rank_row = restart ? 1 : s.rank_row + 1;
    if (e.op == "row_rank_dense") {
      s.result = Value::Long(restart ? 1 : (changed ? s.result.AsInt64() + 1 : s.result.AsInt64()));
    } else if (changed) {
      s.result = Value::Long(s.rank_row);
    }
    s.key = term;
    return s.result;
  }
  // row_window_session(value, max from the session's first value, max from the previous value)
  const Value max_first = Eval(*e.args[1], chunk, row, ctx);
  const Value max_between = Eval(*e.args[2], chunk, row, ctx);
  bool new_session = first || Restarts(e, 3, chunk, row, ctx) || s.session_start.is_null();
  if (!new_session && !term.is_null()) {
    new_session = IsTrue(Compare(">", Arithmetic("-", term, s.session_start), max_first)) ||
                  IsTrue(Compare(">", Arithmetic("-", term, s.key), max_between));
  }
  if (new_session) {
    s.session_start = term;
  }
  if (!term.is_null()) {
    s.key = term;
  }
  s.result = s.session_start;
  return s.result;
}

}  // namespace

Value EvalRowWindow(const BExpr& e, const Chunk& chunk, size_t row, EvalContext& ctx) {
  WindowState& s = *e.window;
  const int64_t index = static_cast<int64_t>(ctx.chunk_base_row + row);
  if (index == s.last_row) {
    return s.result;
  }
  if (index == s.last_row + 1) {
    Value result = Step(e, s, chunk, row, index == 0, ctx);
    s.last_row = index;
    return result;
  }
  // Out of order (a row skipped by a short-circuit, or a new run): replay from the chunk's
  // first row, which starts the state again.
  s = WindowState{};
  Value result;
  for (size_t r = 0; r <= row; ++r) {
    result = Step(e, s, chunk, r, r == 0, ctx);
  }
  s.last_row = index;
  return result;
}

}  // namespace vigil::kql

// Internal: the scalar-expression binder shared by compiler_expr.cpp (names, operators, lists)
// and compiler_call.cpp (function calls, user-function inlining). One ExprBinder binds one
// expression tree against one input schema and scope; not shared across threads.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "vigil/kql/exec/compiler_internal.h"

namespace vigil::kql {
namespace binder {

bool IsStringLike(Type t);
std::string Lower(std::string s);
inline bool IsConst(const BExprPtr& e) { return e->kind == BKind::kConst; }
// Folds an expression whose arguments are all constant.
BExprPtr Fold(BExprPtr e, ExecContext* ctx);
const std::vector<std::string>& CompareOps();

}  // namespace binder

struct ExprBinder {
  Compiler* compiler;
  const Schema& schema;
  ScopePtr scope;

  KResult<BExprPtr> Bind(const Expr& e);

  KResult<BExprPtr> BindName(const Expr& e);

  KResult<BExprPtr> BindBinary(const Expr& e);

  // Constant items of an in-list; a subquery or a tabular let contributes its first column.
  KResult<bool> CollectListItems(const Expr& list, std::vector<BExprPtr>& items);

  // True when `e` denotes a table: a pipeline, a tabular let, a stored table, or a call of a
  // user function whose body is tabular.
  bool IsTabular(const Expr& e) const;

  bool sources_has_table(const std::string& name) const;

  // Binds the left operand of a list operator (in, !in, in~, has_any, has_all) into
  // `out.args[0]` and returns the bound right-side items (subqueries already run).
  KResult<std::vector<BExprPtr>> BindListOperands(const Expr& e, BExpr& out);

  static bool AllConst(const std::vector<BExprPtr>& items) {
    return std::all_of(items.begin(), items.end(), [](const BExprPtr& i) { return binder::IsConst(i); });
  }

  // Calls fn(value, from_array) for each constant item, with dynamic arrays flattened.
  template <typename Fn>
  static void ForEachConstValue(const std::vector<BExprPtr>& items, Fn&& fn) {
    for (const auto& i : items) {
      if (i->constant.is_array()) {
        for (const auto& v : i->constant.AsArray()) {
          fn(v, true);
        }
      } else {
        fn(i->constant, false);
      }
    }
  }

  KResult<BExprPtr> BindIn(const Expr& e);

  KResult<BExprPtr> BindHasAny(const Expr& e);

  KResult<BExprPtr> BindCall(const Expr& e);
  // row_cumsum, row_rank_dense, row_rank_min, row_window_session (row_window.cpp)
  KResult<BExprPtr> BindRowWindow(const Expr& e, const std::string& name);

  KResult<BExprPtr> InlineUserFunction(const Expr& call, const LetValue& let);

  KResult<bool> BindLetInto(const Statement& st, ScopePtr target);
};

}  // namespace vigil::kql

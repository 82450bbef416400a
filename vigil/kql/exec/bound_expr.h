// Bound scalar expressions: the binder's output for one operator's expressions. Names are
// resolved to column indexes of the operator's input schema, functions to registry entries,
// constant right sides of string operators to prebuilt matchers and of `in` to hash sets.
// Evaluated row by row by Eval(). Immutable once built; the per-query state lives in EvalContext.
#pragma once

#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "vigil/kql/exec/relation.h"
#include "vigil/kql/functions/registry.h"
#include "vigil/kql/functions/string_ops.h"
#include "vigil/kql/value.h"

namespace re2 {
class RE2;
}

namespace vigil::kql {

enum class BKind : uint8_t {
  kConst,     // constant
  kColumn,    // column
  kCall,      // fn(args)
  kArith,     // op in + - * / %
  kCompare,   // op in == != < <= > >=  (== and != on strings are exact)
  kAnd,
  kOr,
  kNeg,       // unary minus
  kStrOp,     // matcher (constant needle) or args[1] (per-row needle, built per row)
  kRegex,     // matches regex: args[0] text; regex (constant) or args[1]
  kIn,        // in / !in / in~ / !in~ : args[0] in set (constant) or args[1..] per row
  kHasAny,    // has_any / has_all: args[0] has any/all of the needles
  kBetween,   // args[0] between args[1] .. args[2]; negated
  kMember,    // args[0].member (bag property); also ["x"] with a constant string
  kIndex,     // args[0][args[1]] (array index or bag key evaluated per row)
  kRowNumber, // row_number([start]) over the serialized input
  kPrevNext,  // prev/next(args[0] column expr, offset, default): op "prev" or "next"
  kPackAll,   // pack_all(): a bag of every column
  kRowWindow, // row_cumsum, row_rank_dense, row_rank_min, row_window_session (op): running
              // state over the serialized rows, in WindowState
};

// The running state of a window function (kRowWindow) over the serialized rows of one query
// run: the value of the previous row and what it carried. Rows are evaluated in order; a row
// seen out of order recomputes from the start of its chunk (row_window_session and friends only
// run over serialized input, which arrives as one chunk).
struct WindowState {
  int64_t last_row = -1;  // serialized row index of the last evaluated row
  Value result;           // its result
  Value key;              // row_rank_*: its term; row_window_session: its value
  Value session_start;    // row_window_session
  int64_t rank_row = 0;   // row_rank_min: position within the segment
};

struct BExpr;
using BExprPtr = std::shared_ptr<const BExpr>;

struct BExpr {
  BKind kind = BKind::kConst;
  Type type = Type::kDynamic;
  Value constant;  // kConst
  int column = -1;  // kColumn
  std::string op;   // kArith/kCompare/kPrevNext; function name for kCall (explain)
  std::string text;  // source text for EXPLAIN
  const ScalarFunction* fn = nullptr;
  std::vector<BExprPtr> args;
  bool negated = false;
  bool case_insensitive = false;
  bool all = false;  // has_all
  std::string member;
  std::shared_ptr<const StringMatcher> matcher;
  std::vector<std::shared_ptr<const StringMatcher>> matchers;  // has_any/has_all constants
  std::shared_ptr<const re2::RE2> regex;
  std::shared_ptr<const std::unordered_set<Value, ValueHash, ValueEq>> set;
  StringOp str_op = StringOp::kEquals;
  int64_t offset = 1;  // prev/next
  std::shared_ptr<WindowState> window;  // kRowWindow (mutable running state)
};

struct EvalContext {
  FunctionContext fn;
  // Row number of the first row of the current chunk within the serialized input (row_number).
  size_t chunk_base_row = 0;
};

Value Eval(const BExpr& e, const Chunk& chunk, size_t row, EvalContext& ctx);
// Kusto truthiness for where: true only for bool true.
inline bool IsTrue(const Value& v) { return v.kind() == Kind::kBool && v.AsBool(); }

// Arithmetic and comparison helpers shared with aggregates and operators.
Value Arithmetic(const std::string& op, const Value& a, const Value& b);
Value Compare(const std::string& op, const Value& a, const Value& b);
// Value converted to the column's declared type where the kinds differ (int→long etc.).
Value CoerceTo(const Value& v, Type type);

}  // namespace vigil::kql

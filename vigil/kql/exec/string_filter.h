// StringFilter: a pushed-down scan filter over one string column, run on the raw text of the
// column's dictionary values instead of on Values (no allocation per distinct value). Compiled
// from the bound predicate when every leaf is a string operator with a constant right side
// (has, contains, ==, =~, in, in~, has_any, matches regex, ... and their negations) joined by
// and/or; other predicates keep the generic Eval path. Null strings are the empty string, as
// everywhere in Kusto.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "vigil/kql/exec/bound_expr.h"
#include "vigil/store/table_source.h"

namespace vigil::kql {

class StringFilter {
 public:
  virtual ~StringFilter() = default;
  virtual bool Match(std::string_view text) const = 0;
  // Judges every value of a dictionary: verdicts[i] = Match(dict[i]) as 1 or 0. Substring and
  // term operators (and and/or/has_any over them) search the packed values in one pass.
  virtual void MatchAll(const store::Dictionary& dict, int8_t* verdicts) const;

  // `predicate` is bound against a one-column schema (the string column at index 0). Returns
  // nullptr when some part of it needs the generic evaluator.
  static std::unique_ptr<StringFilter> Compile(const BExpr& predicate);
};

}  // namespace vigil::kql

// Parser for Sigma detection conditions (`selection and not 1 of filter_*`) into the
// Condition tree of rule.h, with `1 of` / `all of` patterns expanded over search indexes.
// Used by the rule and filter loaders. Pure function; safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vigil/base/status.h"
#include "vigil/detect/sigma/rule.h"

namespace vigil::detect::sigma {

// Grammar (precedence low to high): or, and, not, `1|all of PATTERN|them`, parentheses.
// `them` = every search whose name does not start with `_`; patterns may use `*` anywhere.
// Errors: unknown identifier, pattern matching nothing, trailing tokens, unbalanced
// parentheses, Sigma 1.x pipes/near (aggregations belong in correlation rules).
Result<Condition> ParseCondition(std::string_view text, const std::vector<std::string>& names);

// OR of several conditions (a YAML list under `condition:`); one condition is returned as is.
Result<Condition> ParseConditionList(const std::vector<std::string>& texts,
                                     const std::vector<std::string>& names);

// True when `name` matches `pattern`, where `*` matches any run of characters.
bool MatchesNamePattern(std::string_view pattern, std::string_view name);

}  // namespace vigil::detect::sigma

// KQL parser: query text -> Script (statements with source positions). Never crashes and never
// recurses without bound on hostile input (nesting depth is limited and reported as an error).
// Error codes (stable): KQL0001 unexpected character / token, KQL0002 unterminated string or
// comment, KQL0003 invalid literal (timespan/datetime/guid/number/dynamic), KQL0004 expected a
// token (message names it), KQL0005 unknown tabular operator, KQL0006 nesting too deep,
// KQL0012 expected expression (message names the context, e.g. "expected expression after
// 'by'"), KQL0013 empty query.
#pragma once

#include <string_view>

#include <tl/expected.hpp>

#include "vigil/kql/error.h"
#include "vigil/kql/syntax/ast.h"

namespace vigil::kql {

tl::expected<Script, KqlError> ParseScript(std::string_view text);

}  // namespace vigil::kql

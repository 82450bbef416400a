// Human-readable summary of a RuleSet load for `vigil rules check DIR`: counts, every failure
// with path:line, id and reason, and failures grouped by reason class. Pure functions.
#pragma once

#include <string>

#include "vigil/detect/sigma/rule.h"

namespace vigil::detect::sigma {

// The class of a LoadError reason: quoted parts replaced by '…' and anything after the first
// ": " detail dropped ("invalid regular expression on field '…'"). Kind prefixes
// ("correlation: ", "filter: ") are kept.
std::string ReasonClass(const std::string& reason);

std::string FormatLoadReport(const RuleSet& set);

}  // namespace vigil::detect::sigma

// Sigma rule loader: YAML files/directories -> RuleSet (rules, correlations, meta filters
// applied). Used by the detection pipeline and `vigil rules check`. Never throws; every
// document that cannot load becomes a LoadError and the rest keep loading. Stateless functions,
// safe to call from any thread.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/base/status.h"
#include "vigil/detect/sigma/rule.h"

namespace vigil::detect::sigma {

// What one rule may expand to after modifiers (windash, base64offset, placeholders), so a
// hostile rule cannot make the compiler allocate without bound. SigmaHQ's largest rules stay
// far below.
inline constexpr size_t kMaxRulePatterns = 20000;
inline constexpr size_t kMaxRulePatternBytes = size_t{4} << 20;
// And one file (or text) together.
inline constexpr size_t kMaxTextPatterns = 100000;

struct LoadOptions {
  // Values for `|expand` placeholders, by name with or without the surrounding `%`.
  std::map<std::string, std::vector<std::string>> placeholders;
  // Rules with status deprecated/unsupported are loaded by default (Rule::status tells them
  // apart); false skips them silently.
  bool include_deprecated = true;
  // Files (and texts) larger than this are refused with a LoadError.
  size_t max_file_bytes = size_t{8} << 20;
};

// Reads a YAML map `name: [values]` (a single scalar is one value; `%` around names is
// optional) for LoadOptions::placeholders.
Result<std::map<std::string, std::vector<std::string>>> LoadPlaceholderFile(
    const std::string& path);

// Loads every YAML document of `yaml` (rules, `correlation:` and `filter:` documents).
// `path` is recorded as source_path. Meta filters in the text are applied to rules of the same
// text. Per-document failures are LoadErrors in the result; the Result itself fails only when
// the text exceeds options.max_file_bytes.
Result<RuleSet> LoadRuleText(std::string_view yaml, std::string_view path,
                             const LoadOptions& options);

// Loads files and directories (recursively, *.yml / *.yaml, sorted). source_path is relative
// to the directory given (a file given directly keeps its path as given). After everything
// is read, meta filters are applied to their target rules and correlation references are
// checked; unknown targets/references are LoadErrors.
RuleSet LoadRulePaths(const std::vector<std::string>& paths, const LoadOptions& options);

}  // namespace vigil::detect::sigma

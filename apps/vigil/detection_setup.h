// What `vigil ingest`, `vigil detect` and `vigil rules` share: where the shipped rule pack is,
// loading Sigma rules (with placeholders) and indicator files, and the rule-file paths the
// Detector needs for its DRL links. Used only by the CLI commands.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/base/status.h"
#include "vigil/detect/ioc/indicator_set.h"
#include "vigil/detect/sigma/rule.h"

namespace vigil::app {

// A file or directory of the content shipped with Vigil ("rules", "detections",
// "playbooks/default.yml"): $VIGIL_CONTENT_DIR/<name>, else <source tree>/content/<name>
// (compiled in); "" when it does not exist.
std::string DefaultContentPath(std::string_view name);

// DefaultContentPath("rules").
std::string DefaultRulesDir();

struct LoadedRules {
  detect::sigma::RuleSet rules;
  std::vector<std::string> rule_paths;  // absolute file of each rule (RuleSet::rules order)
};

// Loads rules from files/directories; `placeholders_file` may be empty.
Result<LoadedRules> LoadRules(const std::vector<std::string>& paths,
                              const std::string& placeholders_file);

// Reads indicator files (CSV or JSON, see ioc/import.h); bad records are printed to stderr
// (first 20) and skipped.
Result<std::shared_ptr<const detect::ioc::IndicatorSet>> LoadIndicatorFiles(
    const std::vector<std::string>& files);

}  // namespace vigil::app

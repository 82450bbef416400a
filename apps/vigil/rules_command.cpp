// `vigil rules check PATH...`: loads Sigma rules (files and directories), compiles them for the
// hunting tables and prints what loaded, what failed and why, and which rules have no table to
// run on. Exit 0 when everything loaded and compiled, 2 when some rules did not.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "apps/vigil/commands.h"
#include "apps/vigil/detection_setup.h"
#include "vigil/detect/match/compiled.h"
#include "vigil/detect/sigma/load_report.h"
#include "vigil/schema/catalog.h"

namespace vigil::app {
namespace {

struct RulesArgs {
  std::vector<std::string> paths;
  std::string placeholders;
  bool list = false;
};

int RunRulesCheck(const GlobalOptions& global, const RulesArgs& args) {
  std::vector<std::string> paths = args.paths;
  if (paths.empty()) {
    paths.push_back(DefaultRulesDir());
    if (paths.back().empty()) {
      fmt::print(stderr, "vigil rules check: no path given and no shipped rule pack found\n");
      return kExitError;
    }
  }
  auto loaded = LoadRules(paths, args.placeholders);
  if (!loaded.ok()) {
    fmt::print(stderr, "vigil rules check: {}\n", loaded.status().message());
    return kExitError;
  }
  const auto& set = loaded->rules;
  fmt::print("{}", detect::sigma::FormatLoadReport(set));
  auto compiled = detect::match::CompiledRuleSet::Build(set, schema::Catalog::Default());
  if (!compiled.ok()) {
    fmt::print(stderr, "vigil rules check: compiling the rules failed: {}\n",
               compiled.status().message());
    return kExitError;
  }
  const auto& unmapped = (*compiled)->unmapped();
  fmt::print("Compiled for the hunting tables: {} of {} rules\n", (*compiled)->compiled_rules(),
             set.rules.size());
  if (!unmapped.empty()) {
    fmt::print("Rules with no table to run on ({}):\n", unmapped.size());
    size_t shown = 0;
    for (const auto& u : unmapped) {
      if (!global.verbose && ++shown > 30) {
        fmt::print("  ... {} more (run with -v to list all)\n", unmapped.size() - 30);
        break;
      }
      const auto& rule = set.rules[u.rule];
      fmt::print("  {} ({}): {}\n", rule.source_path, rule.id, u.reason);
    }
  }
  if (args.list) {
    fmt::print("Loaded rules:\n");
    for (const auto& rule : set.rules) {
      fmt::print("  {:<36}  {:<13}  {}\n", rule.id, rule.status, rule.title);
    }
  }
  return set.errors.empty() && unmapped.empty() ? kExitOk : kExitPartial;
}

}  // namespace

void RegisterRulesCommand(CLI::App& app, GlobalOptions& global, int& exit_code) {
  CLI::App* rules = app.add_subcommand("rules", "Manage Sigma detection rules");
  rules->require_subcommand(1);
  auto args = std::make_shared<RulesArgs>();
  CLI::App* check = rules->add_subcommand(
      "check", "Load and compile Sigma rules; print loaded/failed counts and each reason");
  check->add_option("paths", args->paths,
                    "rule files or directories (default: the rule pack shipped with Vigil)");
  check->add_option("--placeholders", args->placeholders,
                    "YAML file with values for |expand placeholders (name: [values])");
  check->add_flag("--list", args->list, "also list every loaded rule");
  check->callback([&global, &exit_code, args] { exit_code = RunRulesCheck(global, *args); });
}

}  // namespace vigil::app

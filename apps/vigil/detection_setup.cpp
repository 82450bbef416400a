#include "apps/vigil/detection_setup.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "vigil/detect/ioc/import.h"
#include "vigil/detect/sigma/loader.h"

#ifndef VIGIL_SOURCE_CONTENT_DIR
#define VIGIL_SOURCE_CONTENT_DIR ""
#endif

namespace vigil::app {
namespace fs = std::filesystem;

std::string DefaultContentPath(std::string_view name) {
  std::error_code ec;
  if (const char* env = std::getenv("VIGIL_CONTENT_DIR"); env != nullptr && *env != '\0') {
    const fs::path path = fs::path(env) / name;
    return fs::exists(path, ec) ? path.string() : std::string();
  }
  if (std::string(VIGIL_SOURCE_CONTENT_DIR).empty()) {
    return "";
  }
  const fs::path built_in = fs::path(VIGIL_SOURCE_CONTENT_DIR) / name;
  return fs::exists(built_in, ec) ? built_in.string() : std::string();
}

std::string DefaultRulesDir() { return DefaultContentPath("rules"); }

Result<LoadedRules> LoadRules(const std::vector<std::string>& paths,
                              const std::string& placeholders_file) {
  detect::sigma::LoadOptions options;
  if (!placeholders_file.empty()) {
    VIGIL_ASSIGN_OR_RETURN(options.placeholders,
                           detect::sigma::LoadPlaceholderFile(placeholders_file));
  }
  for (const auto& p : paths) {
    std::error_code ec;
    if (!fs::exists(p, ec)) {
      return NotFoundError("rule path '{}' does not exist", p);
    }
  }
  LoadedRules out;
  out.rules = detect::sigma::LoadRulePaths(paths, options);
  // The loader records paths relative to the directory given: find each rule's file again.
  for (const auto& rule : out.rules.rules) {
    std::string found;
    for (const auto& p : paths) {
      std::error_code ec;
      const fs::path candidate =
          fs::is_directory(p, ec) ? fs::path(p) / rule.source_path : fs::path(p);
      if ((fs::is_directory(p, ec) || rule.source_path == p) && fs::exists(candidate, ec)) {
        found = fs::absolute(candidate, ec).lexically_normal().string();
        break;
      }
    }
    out.rule_paths.push_back(std::move(found));
  }
  return out;
}

Result<std::shared_ptr<const detect::ioc::IndicatorSet>> LoadIndicatorFiles(
    const std::vector<std::string>& files) {
  const int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  std::vector<detect::ioc::Indicator> all;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      return NotFoundError("cannot read indicator file '{}'", file);
    }
    std::stringstream text;
    text << in.rdbuf();
    detect::ioc::ImportOptions options;
    options.now_us = now_us;
    options.created_by = "vigil-cli";
    auto imported = detect::ioc::ImportIndicators(text.str(), options);
    if (!imported.ok()) {
      return imported.status().Annotate(fmt::format("indicator file '{}'", file));
    }
    size_t shown = 0;
    for (const auto& error : imported->errors) {
      if (++shown > 20) {
        fmt::print(stderr, "  ... {} more bad indicator records in {}\n",
                   imported->errors.size() - 20, file);
        break;
      }
      fmt::print(stderr, "{}:{}: skipped indicator record {}: {}\n", file, error.line,
                 error.record, error.message);
    }
    for (auto& indicator : imported->indicators) {
      all.push_back(std::move(indicator));
    }
  }
  return detect::ioc::IndicatorSet::Build(std::move(all), now_us);
}

}  // namespace vigil::app

#include "vigil/detect/sigma/load_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string_view>
#include <vector>

namespace vigil::detect::sigma {

namespace {

enum class Kind { kRule, kCorrelation, kFilter, kFile };

Kind KindOf(const LoadError& error) {
  const std::string_view reason = error.reason;
  if (reason.rfind("correlation: ", 0) == 0) return Kind::kCorrelation;
  if (reason.rfind("filter: ", 0) == 0) return Kind::kFilter;
  if (reason.rfind("yaml syntax error", 0) == 0 || reason.rfind("cannot ", 0) == 0 ||
      reason.rfind("file is larger", 0) == 0 || reason.rfind("no such file", 0) == 0) {
    return Kind::kFile;
  }
  return Kind::kRule;
}

}  // namespace

std::string ReasonClass(const std::string& reason) {
  std::string prefix;
  std::string_view rest = reason;
  for (std::string_view kind : {"correlation: ", "filter: "}) {
    if (rest.rfind(kind, 0) == 0) {
      prefix = std::string(kind);
      rest.remove_prefix(kind.size());
    }
  }
  const size_t detail = rest.find(": ");
  if (detail != std::string_view::npos) {
    rest = rest.substr(0, detail);
  }
  std::string out = prefix;
  bool quoted = false;
  for (char c : rest) {
    if (c == '\'') {
      if (!quoted) {
        out += "'…'";
      }
      quoted = !quoted;
      continue;
    }
    if (!quoted) {
      out.push_back(c);
    }
  }
  return out;
}

std::string FormatLoadReport(const RuleSet& set) {
  int failed[4] = {0, 0, 0, 0};
  for (const auto& error : set.errors) {
    ++failed[static_cast<int>(KindOf(error))];
  }
  std::string out;
  out += fmt::format("files read: {}\n", set.files_read);
  out += fmt::format("rules: {} loaded, {} failed\n", set.rules.size(), failed[0]);
  out += fmt::format("correlations: {} loaded, {} failed\n", set.correlations.size(), failed[1]);
  out += fmt::format("filters: {} loaded, {} failed\n", set.filters_loaded, failed[2]);
  if (failed[3] > 0) {
    out += fmt::format("files: {} failed\n", failed[3]);
  }
  if (set.errors.empty()) {
    return out;
  }
  out += "\nfailures:\n";
  for (const auto& error : set.errors) {
    out += fmt::format("  {}:{}", error.path, error.line);
    if (error.document > 0) {
      out += fmt::format(" (document {})", error.document);
    }
    if (!error.id.empty()) {
      out += fmt::format(" [{}]", error.id);
    }
    out += fmt::format(": {}\n", error.reason);
  }
  std::map<std::string, int> classes;
  for (const auto& error : set.errors) {
    ++classes[ReasonClass(error.reason)];
  }
  std::vector<std::pair<std::string, int>> sorted(classes.begin(), classes.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  out += "\nfailures by reason:\n";
  for (const auto& [reason, count] : sorted) {
    out += fmt::format("  {:5} {}\n", count, reason);
  }
  return out;
}

}  // namespace vigil::detect::sigma

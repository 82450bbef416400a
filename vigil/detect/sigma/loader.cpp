#include "vigil/detect/sigma/loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <exception>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "vigil/detect/sigma/internal/yaml_correlation.h"
#include "vigil/detect/sigma/internal/yaml_detection.h"
#include "vigil/detect/sigma/yaml_documents.h"

namespace vigil::detect::sigma {

namespace {

namespace fs = std::filesystem;
using internal::ScalarOr;
using internal::StringList;

// A `filter:` document waiting for all rules to be loaded.
struct PendingFilter {
  std::string id, name, title;
  std::vector<std::string> targets;
  internal::ParsedDetection detection;
  LoadError origin;  // path/document/line of the filter, for errors about it
};

struct Accumulator {
  RuleSet set;
  std::vector<PendingFilter> filters;
};

PlaceholderMap NormalizePlaceholders(const std::map<std::string, std::vector<std::string>>& in) {
  PlaceholderMap out;
  for (const auto& [name, values] : in) {
    std::string key = name;
    if (key.size() >= 2 && key.front() == '%' && key.back() == '%') {
      key = key.substr(1, key.size() - 2);
    }
    out[key] = values;
  }
  return out;
}

LoadError MakeError(std::string_view path, int document, const YAML::Node* doc,
                    const Status& status) {
  LoadError error;
  error.path = std::string(path);
  error.document = document;
  error.line = static_cast<int>(status.span().line);
  error.reason = status.message();
  if (doc != nullptr && doc->IsMap()) {
    error.id = ScalarOr(*doc, "id");
    error.title = ScalarOr(*doc, "title");
    if (error.line == 0) {
      error.line = internal::NodeLine(*doc);
    }
  }
  return error;
}

// Patterns (value alternatives) and their bytes in a detection: what the compiler turns into
// prefilter literals and regexes.
std::pair<size_t, size_t> CountPatterns(const std::vector<Search>& searches) {
  size_t patterns = 0;
  size_t bytes = 0;
  for (const auto& search : searches) {
    for (const auto& all_of : search.any_of) {
      for (const auto& test : all_of) {
        for (const auto& value : test.values) {
          patterns += value.alternatives.size();
          for (const auto& alt : value.alternatives) {
            bytes += alt.size();
          }
        }
      }
    }
  }
  return {patterns, bytes};
}

// Bounds what one rule or filter may expand to (windash, base64offset, placeholders multiply
// values), so a hostile rule cannot make the compiler allocate without bound.
Status CheckExpansion(const std::vector<Search>& searches) {
  const auto [patterns, bytes] = CountPatterns(searches);
  if (patterns > kMaxRulePatterns || bytes > kMaxRulePatternBytes) {
    return InvalidArgumentError(
        "rule expands to {} patterns of {} bytes (limits: {} patterns, {} bytes)", patterns,
        bytes, kMaxRulePatterns, kMaxRulePatternBytes);
  }
  return Status::Ok();
}

Result<Rule> ParseRule(const YAML::Node& doc, std::string_view path,
                       const PlaceholderMap& placeholders) {
  Rule rule;
  rule.id = ScalarOr(doc, "id");
  rule.name = ScalarOr(doc, "name");
  rule.title = ScalarOr(doc, "title");
  rule.description = ScalarOr(doc, "description");
  rule.author = ScalarOr(doc, "author");
  rule.status = ScalarOr(doc, "status");
  rule.date = ScalarOr(doc, "date");
  rule.modified = ScalarOr(doc, "modified");
  rule.license = ScalarOr(doc, "license");
  rule.references = StringList(doc, "references");
  rule.tags = StringList(doc, "tags");
  rule.falsepositives = StringList(doc, "falsepositives");
  rule.fields = StringList(doc, "fields");
  VIGIL_ASSIGN_OR_RETURN(rule.level, internal::ParseLevel(doc));
  const YAML::Node logsource = internal::Child(doc, "logsource");
  if (!logsource.IsMap()) {
    return InvalidArgumentError("missing logsource");
  }
  rule.logsource.product = ScalarOr(logsource, "product");
  rule.logsource.category = ScalarOr(logsource, "category");
  rule.logsource.service = ScalarOr(logsource, "service");
  rule.logsource.definition = ScalarOr(logsource, "definition");
  VIGIL_ASSIGN_OR_RETURN(
      internal::ParsedDetection detection,
      internal::ParseDetection(internal::Child(doc, "detection"), placeholders, {}));
  VIGIL_RETURN_IF_ERROR(CheckExpansion(detection.searches));
  rule.searches = std::move(detection.searches);
  rule.condition = std::move(detection.condition);
  rule.condition_text = std::move(detection.condition_text);
  rule.source_path = std::string(path);
  return rule;
}

Result<PendingFilter> ParseFilter(const YAML::Node& doc, const PlaceholderMap& placeholders) {
  PendingFilter filter;
  filter.id = ScalarOr(doc, "id");
  filter.name = ScalarOr(doc, "name");
  filter.title = ScalarOr(doc, "title");
  const YAML::Node body = internal::Child(doc, "filter");
  if (!body.IsMap()) {
    return InvalidArgumentError("filter: 'filter' is not a map");
  }
  filter.targets = StringList(body, "rules");
  if (filter.targets.empty()) {
    return InvalidArgumentError("filter: missing rules");
  }
  auto detection = internal::ParseDetection(body, placeholders, {"rules"});
  if (!detection.ok()) {
    return Status(detection.error().code(), "filter: " + detection.error().message())
        .WithSpan(detection.error().span());
  }
  if (Status bounded = CheckExpansion(detection->searches); !bounded.ok()) {
    return Status(bounded.code(), "filter: " + bounded.message());
  }
  filter.detection = std::move(*detection);
  return filter;
}

void ShiftSearches(Condition* cond, int offset) {
  if (cond->kind == Condition::Kind::kSearch) {
    cond->search += offset;
  }
  for (auto& child : cond->children) {
    ShiftSearches(&child, offset);
  }
}

void ApplyFilter(const PendingFilter& filter, int filter_index, Rule* rule) {
  std::set<std::string> taken;
  for (const auto& search : rule->searches) {
    taken.insert(search.name);
  }
  const int offset = static_cast<int>(rule->searches.size());
  for (Search search : filter.detection.searches) {
    std::string base = "_filter" + std::to_string(filter_index) + "_" + search.name;
    std::string name = base;
    for (int n = 2; taken.count(name); ++n) {
      name = base + "_" + std::to_string(n);
    }
    taken.insert(name);
    search.name = name;
    rule->searches.push_back(std::move(search));
  }
  Condition filter_cond = filter.detection.condition;
  ShiftSearches(&filter_cond, offset);
  Condition negated;
  negated.kind = Condition::Kind::kNot;
  negated.children.push_back(std::move(filter_cond));
  Condition combined;
  combined.kind = Condition::Kind::kAnd;
  combined.children.push_back(std::move(rule->condition));
  combined.children.push_back(std::move(negated));
  rule->condition = std::move(combined);
  rule->condition_text =
      "(" + rule->condition_text + ") and not (" + filter.detection.condition_text + ")";
  rule->filters_applied.push_back(!filter.id.empty() ? filter.id : filter.title);
}

void Finish(Accumulator* acc, bool check_correlation_refs) {
  RuleSet& set = acc->set;
  for (size_t f = 0; f < acc->filters.size(); ++f) {
    const PendingFilter& filter = acc->filters[f];
    for (const auto& target : filter.targets) {
      bool found = false;
      for (Rule& rule : set.rules) {
        if (rule.id == target || (!rule.name.empty() && rule.name == target)) {
          ApplyFilter(filter, static_cast<int>(f), &rule);
          found = true;
        }
      }
      if (!found) {
        LoadError error = filter.origin;
        error.reason = "filter: targets unknown rule '" + target + "'";
        set.errors.push_back(std::move(error));
      }
    }
  }
  acc->filters.clear();
  if (!check_correlation_refs) {
    return;
  }
  std::set<std::string> known;
  for (const auto& rule : set.rules) {
    known.insert(rule.id);
    known.insert(rule.name);
  }
  for (const auto& corr : set.correlations) {
    known.insert(corr.id);
    known.insert(corr.name);
  }
  known.erase("");
  std::vector<Correlation> kept;
  for (auto& corr : set.correlations) {
    const auto missing = std::find_if(corr.rules.begin(), corr.rules.end(),
                                      [&](const std::string& r) { return !known.count(r); });
    if (missing == corr.rules.end()) {
      kept.push_back(std::move(corr));
      continue;
    }
    LoadError error;
    error.path = corr.source_path;
    error.id = corr.id;
    error.title = corr.title;
    error.reason = "correlation: references unknown rule '" + *missing + "'";
    set.errors.push_back(std::move(error));
  }
  set.correlations = std::move(kept);
}

void LoadDocuments(std::string_view yaml, std::string_view path, const LoadOptions& options,
                   const PlaceholderMap& placeholders, Accumulator* acc) {
  RuleSet& set = acc->set;
  size_t text_patterns = 0;
  const YamlDocuments stream = LoadYamlDocuments(yaml);
  for (const YamlDocumentError& bad : stream.errors) {
    LoadError error;
    error.path = std::string(path);
    error.document = bad.index;
    error.line = bad.line;
    error.reason = "yaml syntax error: " + bad.message;
    set.errors.push_back(std::move(error));
  }
  const std::vector<YamlDocument>& documents = stream.documents;
  for (size_t d = 0; d < documents.size(); ++d) {
    const YAML::Node& doc = documents[d].node;
    const int index = documents[d].index;
    const int line_offset = documents[d].first_line - 1;
    // Node marks count from the document's first line; errors name lines of the file.
    auto error_at = [&](const Status& status) {
      LoadError error = MakeError(path, index, &doc, status);
      if (error.line > 0) {
        error.line += line_offset;
      }
      return error;
    };
    try {
      if (doc.IsNull()) {
        continue;
      }
      if (!doc.IsMap()) {
        set.errors.push_back(
            error_at(InvalidArgumentError("document is not a yaml map")));
        continue;
      }
      if (internal::HasChild(doc, "correlation")) {
        auto corr = internal::ParseCorrelation(doc);
        if (!corr.ok()) {
          set.errors.push_back(error_at(corr.error()));
          continue;
        }
        corr->source_path = std::string(path);
        set.correlations.push_back(std::move(*corr));
        continue;
      }
      if (internal::HasChild(doc, "filter")) {
        auto filter = ParseFilter(doc, placeholders);
        if (!filter.ok()) {
          set.errors.push_back(error_at(filter.error()));
          continue;
        }
        filter->origin = error_at(Status::Ok());
        acc->filters.push_back(std::move(*filter));
        ++set.filters_loaded;
        continue;
      }
      if (!internal::HasChild(doc, "detection")) {
        set.errors.push_back(error_at(
            InvalidArgumentError("document has no detection, correlation or filter section")));
        continue;
      }
      if (!options.include_deprecated) {
        const std::string status = ScalarOr(doc, "status");
        if (status == "deprecated" || status == "unsupported") {
          continue;
        }
      }
      auto rule = ParseRule(doc, path, placeholders);
      if (!rule.ok()) {
        set.errors.push_back(error_at(rule.error()));
        continue;
      }
      text_patterns += CountPatterns(rule->searches).first;
      if (text_patterns > kMaxTextPatterns) {
        set.errors.push_back(error_at(
            InvalidArgumentError("the file expands to more than {} patterns; rule skipped",
                                 kMaxTextPatterns)));
        continue;
      }
      set.rules.push_back(std::move(*rule));
    } catch (const YAML::Exception& e) {
      LoadError error = error_at(InvalidArgumentError("yaml error: {}", e.msg));
      if (e.mark.line >= 0) {
        error.line = e.mark.line + 1 + line_offset;
      }
      set.errors.push_back(std::move(error));
    } catch (const std::exception& e) {
      set.errors.push_back(
          error_at(InternalError("unexpected error: {}", e.what())));
    }
  }
}

Result<std::string> ReadFile(const fs::path& path, size_t max_bytes) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) {
    return IoError("cannot read file: {}", ec.message());
  }
  if (size > max_bytes) {
    return ResourceExhaustedError("file is larger than {} bytes", max_bytes);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return IoError("cannot open file");
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) {
    return IoError("cannot read file");
  }
  return buffer.str();
}

bool IsYamlFile(const fs::path& path) {
  const std::string ext = path.extension().string();
  return ext == ".yml" || ext == ".yaml";
}

}  // namespace

Result<std::map<std::string, std::vector<std::string>>> LoadPlaceholderFile(
    const std::string& path) {
  auto text = ReadFile(path, size_t{8} << 20);
  if (!text.ok()) {
    return text.error().Annotate(path);
  }
  std::map<std::string, std::vector<std::string>> out;
  try {
    const YAML::Node root = YAML::Load(*text);
    if (!root.IsMap()) {
      return InvalidArgumentError("placeholder file '{}' is not a yaml map", path);
    }
    for (const auto& item : root) {
      if (!item.first.IsScalar()) {
        return InvalidArgumentError("placeholder file '{}' has a non-string name", path);
      }
      std::string name = item.first.Scalar();
      if (name.size() >= 2 && name.front() == '%' && name.back() == '%') {
        name = name.substr(1, name.size() - 2);
      }
      auto& values = out[name];
      if (item.second.IsScalar()) {
        values.push_back(item.second.Scalar());
      } else if (item.second.IsSequence()) {
        for (const auto& value : item.second) {
          if (!value.IsScalar()) {
            return InvalidArgumentError("placeholder '{}' in '{}' holds a non-string value", name,
                                        path);
          }
          values.push_back(value.Scalar());
        }
      } else {
        return InvalidArgumentError("placeholder '{}' in '{}' has no values", name, path);
      }
    }
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError("placeholder file '{}': yaml error: {}", path, e.msg)
        .WithSpan(SourceSpan{static_cast<uint32_t>(e.mark.line + 1), 0});
  }
  return out;
}

Result<RuleSet> LoadRuleText(std::string_view yaml, std::string_view path,
                             const LoadOptions& options) {
  if (yaml.size() > options.max_file_bytes) {
    return ResourceExhaustedError("rule text '{}' is larger than {} bytes", path,
                                  options.max_file_bytes);
  }
  Accumulator acc;
  LoadDocuments(yaml, path, options, NormalizePlaceholders(options.placeholders), &acc);
  Finish(&acc, /*check_correlation_refs=*/false);
  acc.set.files_read = 1;
  return std::move(acc.set);
}

RuleSet LoadRulePaths(const std::vector<std::string>& paths, const LoadOptions& options) {
  Accumulator acc;
  const PlaceholderMap placeholders = NormalizePlaceholders(options.placeholders);
  for (const std::string& given : paths) {
    std::error_code ec;
    const fs::path root(given);
    std::vector<std::pair<fs::path, std::string>> files;  // path, source_path
    if (fs::is_directory(root, ec)) {
      fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
      for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        std::error_code file_ec;
        if (it->is_regular_file(file_ec) && IsYamlFile(it->path())) {
          files.emplace_back(it->path(), it->path().lexically_relative(root).generic_string());
        }
      }
      if (ec) {
        acc.set.errors.push_back(
            LoadError{given, 0, 0, "", "", "cannot list directory: " + ec.message()});
      }
      std::sort(files.begin(), files.end(),
                [](const auto& a, const auto& b) { return a.second < b.second; });
    } else if (fs::exists(root, ec)) {
      files.emplace_back(root, given);
    } else {
      acc.set.errors.push_back(LoadError{given, 0, 0, "", "", "no such file or directory"});
      continue;
    }
    for (const auto& [file, source] : files) {
      auto text = ReadFile(file, options.max_file_bytes);
      if (!text.ok()) {
        acc.set.errors.push_back(LoadError{source, 0, 0, "", "", text.error().message()});
        continue;
      }
      ++acc.set.files_read;
      LoadDocuments(*text, source, options, placeholders, &acc);
    }
  }
  Finish(&acc, /*check_correlation_refs=*/true);
  return std::move(acc.set);
}

}  // namespace vigil::detect::sigma

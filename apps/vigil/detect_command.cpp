// `vigil detect --rules DIR PATH...`: scans EVTX/JSON/XML files (or table-shaped CSV/JSONL)
// with Sigma rules and indicators without storing anything, like Hayabusa or Chainsaw: a
// timeline of detections (table, CSV or JSON lines) sorted by event time, then a summary by
// level, rule and host. Every detection shows the rule's author (Detection Rule License).
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "apps/vigil/commands.h"
#include "apps/vigil/detection_setup.h"
#include "apps/vigil/progress_bar.h"
#include "vigil/base/time.h"
#include "vigil/detect/detector.h"
#include "vigil/detect/sigma/load_report.h"
#include "vigil/ingest/file_ingestor.h"
#include "vigil/schema/row_json.h"

namespace vigil::app {
namespace {

struct DetectArgs {
  std::vector<std::string> rules;
  std::vector<std::string> indicators;
  std::string placeholders;
  std::string format = "table";
  std::string min_level = "informational";
  std::string input_format = "auto";
  std::string table;
  size_t max_lines = 100'000;
  bool no_summary = false;
  std::vector<std::string> paths;
};

struct Line {
  int64_t time_us = 0;
  std::string host, level, title, rule_id, author, link, table, details;
};

int LevelRank(std::string_view level) {
  static const char* kLevels[] = {"informational", "low", "medium", "high", "critical"};
  std::string l(level);
  std::transform(l.begin(), l.end(), l.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (int i = 0; i < 5; ++i) {
    if (l == kLevels[i]) {
      return i;
    }
  }
  return -1;
}

// The most telling columns of an event, in this order, as `Column: value` pairs.
std::string Details(const schema::TableBatch& batch, size_t row) {
  static const char* kColumns[] = {
      "ProcessCommandLine", "FolderPath", "InitiatingProcessCommandLine",
      "InitiatingProcessFolderPath", "AccountDomain", "AccountName", "LogonType", "RemoteIP",
      "RemotePort", "RemoteUrl", "RegistryKey", "RegistryValueName", "RegistryValueData",
      "FileName", "ActionType"};
  std::string out;
  for (const char* name : kColumns) {
    const int c = batch.schema().FindColumn(name);
    if (c < 0 || batch.column(static_cast<size_t>(c)).IsNull(row)) {
      continue;
    }
    const auto& col = batch.column(static_cast<size_t>(c));
    std::string value = schema::IsIntegerBacked(col.type) ? std::to_string(col.ints[row])
                                                          : std::string(col.GetBytes(row));
    if (value.empty()) {
      continue;
    }
    if (value.size() > 160) {
      value = value.substr(0, 157) + "...";
    }
    if (!out.empty()) {
      out += " ¦ ";
    }
    out += std::string(name) + ": " + value;
    if (out.size() > 480) {
      break;
    }
  }
  return out;
}

std::string Csv(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') {
      out += '"';
    }
    out += c;
  }
  return out + "\"";
}

std::string Json(std::string_view s) {
  std::string out;
  schema::AppendJsonString(out, s);
  return out;
}

std::string TimeText(int64_t us) { return us == 0 ? std::string("-") : FormatDateTime(us * 10); }

void PrintLines(const std::vector<Line>& lines, const std::string& format) {
  if (format == "csv") {
    fmt::print("Timestamp,Computer,Level,Title,RuleId,Author,RuleLink,Table,Details\n");
    for (const auto& l : lines) {
      fmt::print("{},{},{},{},{},{},{},{},{}\n", TimeText(l.time_us), Csv(l.host), l.level,
                 Csv(l.title), Csv(l.rule_id), Csv(l.author), Csv(l.link), l.table,
                 Csv(l.details));
    }
    return;
  }
  if (format == "json") {
    for (const auto& l : lines) {
      fmt::print(
          "{{\"Timestamp\":{},\"Computer\":{},\"Level\":{},\"Title\":{},\"RuleId\":{},"
          "\"Author\":{},\"RuleLink\":{},\"Table\":{},\"Details\":{}}}\n",
          Json(TimeText(l.time_us)), Json(l.host), Json(l.level), Json(l.title), Json(l.rule_id),
          Json(l.author), Json(l.link), Json(l.table), Json(l.details));
    }
    return;
  }
  for (const auto& l : lines) {
    fmt::print("{}  {:<24.24}  {:<8}  {}  [{}]\n", TimeText(l.time_us), l.host, l.level, l.title,
               l.author.empty() ? "no author" : l.author);
    if (!l.details.empty()) {
      fmt::print("    {}\n", l.details);
    }
  }
}

void PrintSummary(const std::vector<Line>& lines, uint64_t total, const detect::DetectorStats& st,
                  double seconds, std::FILE* out) {
  std::map<std::string, uint64_t> by_level, by_rule, by_host;
  for (const auto& l : lines) {
    ++by_level[l.level];
    ++by_rule[l.title + " (" + l.author + ")"];
    ++by_host[l.host.empty() ? "-" : l.host];
  }
  auto top = [&](const std::map<std::string, uint64_t>& m, const char* heading) {
    std::vector<std::pair<uint64_t, std::string>> v;
    for (const auto& [k, n] : m) {
      v.emplace_back(n, k);
    }
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    fmt::print(out, "{} ({}):\n", heading, v.size());
    for (size_t i = 0; i < v.size() && i < 15; ++i) {
      fmt::print(out, "  {:>10}  {}\n", WithThousands(v[i].first), v[i].second);
    }
  };
  fmt::print(out, "\nDetections: {} ({} Sigma, {} correlation, {} indicator) in {} events, {:.2f} s "
             "({} events/s)\n",
             WithThousands(total), WithThousands(st.sigma_hits - st.suppressed_base_rules),
             WithThousands(st.correlation_hits), WithThousands(st.indicator_hits),
             WithThousands(st.events), seconds,
             WithThousands(seconds > 0 ? static_cast<uint64_t>(static_cast<double>(st.events) /
                                                               seconds)
                                       : 0));
  fmt::print(out, "By level:\n");
  for (const char* level : {"critical", "high", "medium", "low", "informational"}) {
    if (auto it = by_level.find(level); it != by_level.end()) {
      fmt::print(out, "  {:>10}  {}\n", WithThousands(it->second), level);
    }
  }
  top(by_rule, "By rule");
  top(by_host, "By host");
  if (st.suppressed_by_allow > 0) {
    fmt::print(out, "Suppressed by Allowed indicators: {}\n", st.suppressed_by_allow);
  }
}

int RunDetect(const GlobalOptions& global, const DetectArgs& args) {
  if (args.format != "table" && args.format != "csv" && args.format != "json") {
    fmt::print(stderr, "vigil detect: unknown --format '{}' (use table, csv or json)\n",
               args.format);
    return kExitError;
  }
  const int min_rank = LevelRank(args.min_level);
  if (min_rank < 0) {
    fmt::print(stderr, "vigil detect: unknown --min-level '{}'\n", args.min_level);
    return kExitError;
  }
  std::vector<std::string> rule_paths = args.rules;
  if (rule_paths.empty()) {
    rule_paths.push_back(DefaultRulesDir());
    if (rule_paths.back().empty()) {
      fmt::print(stderr, "vigil detect: give --rules DIR (no shipped rule pack found)\n");
      return kExitError;
    }
  }
  auto loaded = LoadRules(rule_paths, args.placeholders);
  if (!loaded.ok()) {
    fmt::print(stderr, "vigil detect: {}\n", loaded.status().message());
    return kExitError;
  }
  const size_t rule_errors = loaded->rules.errors.size();
  detect::DetectorOptions options;
  options.rule_paths = loaded->rule_paths;
  options.keep_row_json = false;
  if (!args.indicators.empty()) {
    auto indicators = LoadIndicatorFiles(args.indicators);
    if (!indicators.ok()) {
      fmt::print(stderr, "vigil detect: {}\n", indicators.status().message());
      return kExitError;
    }
    options.indicators = *indicators;
  }
  std::vector<Line> lines;
  uint64_t total = 0;
  uint64_t below_level = 0;
  auto on_detection = [&](const detect::DetectionEvent& e) {
    if (LevelRank(e.level) < min_rank) {
      ++below_level;
      return;
    }
    ++total;
    if (lines.size() >= args.max_lines) {
      return;
    }
    Line l;
    l.time_us = e.draft.timestamp_us;
    for (const auto& ev : e.draft.evidence) {
      if (ev.entity_type == "Machine" && !ev.device_name.empty()) {
        l.host = ev.device_name;
        break;
      }
    }
    l.level = std::string(e.level);
    l.title = e.draft.title;
    l.rule_id = e.draft.rule_id;
    l.author = e.draft.rule_author;
    l.link = e.draft.rule_link;
    l.table = e.draft.source_table;
    l.details = e.batch != nullptr ? Details(*e.batch, e.row) : e.draft.description;
    lines.push_back(std::move(l));
  };
  auto detector = detect::Detector::Create(std::move(loaded->rules), std::move(options),
                                           /*pipeline=*/nullptr, on_detection);
  if (!detector.ok()) {
    fmt::print(stderr, "vigil detect: {}\n", detector.status().message());
    return kExitError;
  }
  const auto& d = **detector;
  fmt::print(stderr, "Rules: {} loaded ({} failed to load, {} without a table), {} correlations\n",
             d.rules().rules.size(), rule_errors, d.compiled().unmapped().size(),
             d.rules().correlations.size());
  for (const auto& problem : d.correlation_problems()) {
    fmt::print(stderr, "  correlation not run: {}\n", problem);
  }

  ingest::IngestOptions ingest_options;
  const auto format = ingest::ParseInputFormat(args.input_format);
  if (!format) {
    fmt::print(stderr, "vigil detect: unknown --input-format '{}'\n", args.input_format);
    return kExitError;
  }
  ingest_options.format = *format;
  if (!args.table.empty()) {
    ingest_options.table = schema::Catalog::Default().FindIgnoreCase(args.table);
    if (ingest_options.table == nullptr) {
      fmt::print(stderr, "vigil detect: unknown table '{}'\n", args.table);
      return kExitError;
    }
  }
  ingest::IngestReport report;
  const ingest::BatchSink sink = [&](schema::TableBatch& batch) { (*detector)->OnBatch(batch); };
  ProgressBar bar;
  const auto start = std::chrono::steady_clock::now();
  ingest::FileIngestor ingestor(schema::Catalog::Default(), ingest_options, sink, report);
  const Status status = ingestor.IngestPaths(
      args.paths, [&bar](const ingest::IngestProgress& progress) {
        bar.Update(progress.bytes_done, progress.bytes_total, progress.records, progress.current);
      });
  bar.Done();
  (*detector)->Finish();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!status.ok()) {
    fmt::print(stderr, "vigil detect: {}\n", status.message());
    return kExitError;
  }
  std::stable_sort(lines.begin(), lines.end(),
                   [](const Line& a, const Line& b) { return a.time_us < b.time_us; });
  PrintLines(lines, args.format);
  if (total > lines.size()) {
    fmt::print(stderr, "note: {} detections; the timeline shows the first {} (--max-lines)\n",
               total, lines.size());
  }
  if (below_level > 0) {
    fmt::print(stderr, "note: {} detections below --min-level {} not shown\n", below_level,
               args.min_level);
  }
  if (!args.no_summary) {
    PrintSummary(lines, total, d.stats(), seconds, args.format == "table" ? stdout : stderr);
    if (report.skipped() > 0) {
      fmt::print(stderr, "Skipped {} record(s) or input(s) while reading (first: {} [{}]: {})\n",
                 report.skipped(), report.kept_skips().front().source,
                 report.kept_skips().front().position, report.kept_skips().front().reason);
    }
  }
  if (ingestor.failed_inputs() > 0 || rule_errors > 0) {
    return kExitPartial;
  }
  (void)global;
  return kExitOk;
}

}  // namespace

void RegisterDetectCommand(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto args = std::make_shared<DetectArgs>();
  CLI::App* cmd = app.add_subcommand(
      "detect",
      "Scan event files with Sigma rules and indicators without storing them: a timeline of "
      "detections and a summary by level, rule and host");
  cmd->add_option("--rules", args->rules,
                  "Sigma rule file or directory (repeatable; default: the shipped rule pack)");
  cmd->add_option("--indicators", args->indicators,
                  "indicator file, CSV (Defender import template) or JSON (repeatable)");
  cmd->add_option("--placeholders", args->placeholders,
                  "YAML file with values for |expand placeholders");
  cmd->add_option("--format", args->format, "timeline output: table, csv or json (lines)")
      ->capture_default_str();
  cmd->add_option("--min-level", args->min_level,
                  "lowest level shown: informational, low, medium, high, critical")
      ->capture_default_str();
  cmd->add_option("--input-format", args->input_format, "auto|evtx|jsonl|xml|csv")
      ->capture_default_str();
  cmd->add_option("--table", args->table, "hunting table for table-shaped CSV/JSONL inputs");
  cmd->add_option("--max-lines", args->max_lines, "timeline lines kept (the summary counts all)")
      ->capture_default_str();
  cmd->add_flag("--no-summary", args->no_summary, "print the timeline only");
  cmd->add_option("paths", args->paths, "files, directories (recursive) or .zip archives")
      ->required();
  cmd->callback([&global, &exit_code, args] { exit_code = RunDetect(global, *args); });
}

}  // namespace vigil::app

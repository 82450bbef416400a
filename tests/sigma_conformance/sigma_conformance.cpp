#include "tests/sigma_conformance/sigma_conformance.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <exception>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <utility>

#include "vigil/detect/match/compiled.h"
#include "vigil/detect/match/mapping.h"
#include "vigil/detect/sigma/loader.h"
#include "vigil/ingest/file_ingestor.h"
#include "vigil/schema/catalog.h"

namespace vigil::detect::testing {
namespace {

namespace fs = std::filesystem;

// Stand-in values for the placeholders of rules-placeholder/ (the rules must load; no case
// uses them).
sigma::LoadOptions RuleLoadOptions() {
  sigma::LoadOptions options;
  for (const char* name : {"Administrators",      "Admins_Workstations",
                           "ApprovedUserUpn",     "Approved_Inviters",
                           "DomainControllers",   "HomeTenantID",
                           "Important_AppIds",    "KNOWN_LOCATION",
                           "Known_Location",      "Legitimate_Countries",
                           "ServerSystems",       "UnApprovedDevice",
                           "UnLegitCountries",    "Workstations",
                           "dc_machine_accounts", "domain_controller_hostnames",
                           "internal_domains",    "legtimate_identifiers",
                           "userdomain",          "DC-MACHINE-NAME",
                           "known_cdcs"}) {
    options.placeholders[name] = {"placeholder-value"};
  }
  options.placeholders["Legitimate_IP_Ranges"] = {"10.0.0.0/8"};
  options.placeholders["legit_ips"] = {"10.0.0.1"};
  options.placeholders["dc_ip_addresses"] = {"10.0.0.2"};
  options.placeholders["UnApprovedIp"] = {"192.0.2.1"};
  return options;
}

struct CaseInfo {
  std::string dir;
  std::string rule_id;
  std::string title;
  int64_t match_count = -1;
  std::vector<fs::path> evtx;  // regression_tests_info paths (relative to the sigma dir)
};

// Reads info.yml; yaml-cpp throws on malformed text, which becomes an empty rule id.
CaseInfo ReadInfo(const fs::path& info_file, const fs::path& sigma_dir) {
  CaseInfo info;
  try {
    const YAML::Node root = YAML::LoadFile(info_file.string());
    const YAML::Node meta = root["rule_metadata"];
    if (meta && meta.IsSequence() && meta.size() > 0) {
      info.rule_id = meta[0]["id"].as<std::string>("");
      info.title = meta[0]["title"].as<std::string>("");
    }
    const YAML::Node tests = root["regression_tests_info"];
    if (tests && tests.IsSequence()) {
      for (const auto& test : tests) {
        const std::string path = test["path"].as<std::string>("");
        if (test["match_count"]) {
          info.match_count = test["match_count"].as<int64_t>(-1);
        }
        if (!path.empty()) {
          info.evtx.push_back(sigma_dir / path);
        }
      }
    }
  } catch (const std::exception&) {
    info.rule_id.clear();
  }
  return info;
}

class Runner {
 public:
  explicit Runner(const match::CompiledRuleSet& compiled) : compiled_(compiled) {}

  // Ingests `files` (one recording) and matches every batch; `targets` are the case's rules.
  InputResult Run(const std::vector<fs::path>& files, const std::set<uint32_t>& targets) {
    InputResult result;
    std::set<uint32_t> others;
    std::vector<std::string> paths;
    for (const auto& file : files) {
      if (fs::is_regular_file(file)) {
        paths.push_back(file.string());
      }
    }
    if (paths.empty()) {
      return result;
    }
    result.present = true;
    ingest::IngestReport report;
    std::vector<match::RuleHit> hits;
    const ingest::BatchSink sink = [&](schema::TableBatch& batch) {
      result.rows += batch.rows();
      result.rows_by_table[batch.schema().name()] += batch.rows();
      hits.clear();
      compiled_.Match(batch, scratch_, hits);
      for (const auto& hit : hits) {
        if (targets.count(hit.rule) > 0) {
          result.hit = true;
          ++result.hit_rows;
        } else {
          others.insert(hit.rule);
        }
      }
    };
    ingest::FileIngestor ingestor(schema::Catalog::Default(), {}, sink, report);
    const Status status = ingestor.IngestPaths(paths, {});
    result.records = report.records_read();
    result.skipped = report.skipped();
    if (!status.ok()) {
      result.first_skip = status.message();
    } else if (!report.kept_skips().empty()) {
      const auto& skip = report.kept_skips().front();
      result.first_skip = skip.reason;
    }
    result.other_rules = others.size();
    return result;
  }

 private:
  const match::CompiledRuleSet& compiled_;
  match::MatchScratch scratch_;
};

std::string TableList(const std::map<std::string, uint64_t>& rows_by_table) {
  std::string out;
  for (const auto& [table, n] : rows_by_table) {
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", n, table);
  }
  return out.empty() ? "no rows" : out;
}

// Why a mapped rule did not fire on one recording, from what the ingest produced.
std::string MissReason(const InputResult& input, const char* name) {
  if (!input.present) {
    return fmt::format("{}: no recording", name);
  }
  if (input.rows == 0) {
    return fmt::format("{}: ingest produced no rows ({} records, {} skipped{}{})", name,
                       input.records, input.skipped, input.first_skip.empty() ? "" : ": ",
                       input.first_skip);
  }
  return fmt::format("{}: rule did not fire on {}", name, TableList(input.rows_by_table));
}

std::string Escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

double Percent(size_t n, size_t d) {
  return d == 0 ? 0.0 : 100.0 * static_cast<double>(n) / static_cast<double>(d);
}

}  // namespace

size_t ConformanceReport::Mapped() const {
  return static_cast<size_t>(std::count_if(cases.begin(), cases.end(), [](const CaseResult& c) {
    return c.status == CaseStatus::kPass || c.status == CaseStatus::kFail;
  }));
}

size_t ConformanceReport::EvtxPassed() const {
  return static_cast<size_t>(std::count_if(cases.begin(), cases.end(), [](const CaseResult& c) {
    return (c.status == CaseStatus::kPass || c.status == CaseStatus::kFail) && c.evtx.hit;
  }));
}

size_t ConformanceReport::JsonPassed() const {
  return static_cast<size_t>(std::count_if(cases.begin(), cases.end(), [](const CaseResult& c) {
    return (c.status == CaseStatus::kPass || c.status == CaseStatus::kFail) && c.json.hit;
  }));
}

size_t ConformanceReport::WithMatchCount() const {
  return static_cast<size_t>(std::count_if(cases.begin(), cases.end(), [](const CaseResult& c) {
    return (c.status == CaseStatus::kPass || c.status == CaseStatus::kFail) && c.match_count >= 0;
  }));
}

size_t ConformanceReport::MatchCountAgrees() const {
  return static_cast<size_t>(std::count_if(cases.begin(), cases.end(), [](const CaseResult& c) {
    return (c.status == CaseStatus::kPass || c.status == CaseStatus::kFail) && c.match_count >= 0 &&
           c.evtx.hit_rows == static_cast<uint64_t>(c.match_count) &&
           c.json.hit_rows == static_cast<uint64_t>(c.match_count);
  }));
}

double ConformanceReport::LoadRate() const {
  const size_t total = rules_loaded + rule_load_errors;
  return total == 0 ? 0.0 : static_cast<double>(rules_loaded) / static_cast<double>(total);
}

ConformanceReport RunSigmaConformance(const fs::path& sigma_dir) {
  ConformanceReport report;
  std::vector<std::string> rule_dirs;
  for (const char* dir :
       {"rules", "rules-emerging-threats", "rules-threat-hunting", "rules-placeholder"}) {
    if (fs::is_directory(sigma_dir / dir)) {
      rule_dirs.push_back((sigma_dir / dir).string());
    }
  }
  const fs::path data_dir = sigma_dir / "regression_data";
  if (rule_dirs.empty() || !fs::is_directory(data_dir)) {
    return report;
  }
  const sigma::RuleSet rules = sigma::LoadRulePaths(rule_dirs, RuleLoadOptions());
  report.rules_loaded = rules.rules.size();
  report.rule_load_errors = rules.errors.size();
  auto compiled = match::CompiledRuleSet::Build(rules, schema::Catalog::Default());
  if (!compiled.ok()) {
    return report;
  }
  const match::CompiledRuleSet& set = **compiled;
  report.rules_unmapped = set.unmapped().size();

  std::map<std::string, std::set<uint32_t>> by_id;
  for (size_t i = 0; i < rules.rules.size(); ++i) {
    by_id[rules.rules[i].id].insert(static_cast<uint32_t>(i));
  }
  std::map<uint32_t, std::string> unmapped;
  for (const auto& u : set.unmapped()) {
    unmapped[u.rule] = u.reason;
    const sigma::Rule& rule = rules.rules[u.rule];
    if (rule.logsource.product == "windows") {
      report.unmapped_windows.push_back({rule.source_path, rule.id, u.reason});
    }
  }
  std::map<std::string, std::string> load_errors;
  for (const auto& e : rules.errors) {
    if (!e.id.empty()) {
      load_errors[e.id] = e.reason;
    }
  }

  std::vector<fs::path> info_files;
  for (const auto& entry : fs::recursive_directory_iterator(data_dir)) {
    if (entry.is_regular_file() && entry.path().filename() == "info.yml") {
      info_files.push_back(entry.path());
    }
  }
  std::sort(info_files.begin(), info_files.end());

  Runner runner(set);
  for (const auto& info_file : info_files) {
    const CaseInfo info = ReadInfo(info_file, sigma_dir);
    CaseResult result;
    result.dir = fs::relative(info_file.parent_path(), data_dir).string();
    result.rule_id = info.rule_id;
    result.title = info.title;
    auto found = by_id.find(info.rule_id);
    if (found == by_id.end()) {
      result.status = CaseStatus::kRuleNotLoaded;
      auto err = load_errors.find(info.rule_id);
      result.reason = err != load_errors.end() ? "rule failed to load: " + err->second
                                               : "no rule with this id in rules*";
      report.cases.push_back(std::move(result));
      continue;
    }
    const uint32_t first = *found->second.begin();
    result.logsource = match::LogSourceName(rules.rules[first].logsource);
    std::set<uint32_t> targets;
    std::string unmapped_reason;
    for (uint32_t rule : found->second) {
      auto u = unmapped.find(rule);
      if (u == unmapped.end()) {
        targets.insert(rule);
      } else {
        unmapped_reason = u->second;
      }
    }
    if (targets.empty()) {
      result.status = CaseStatus::kUnmapped;
      result.reason = unmapped_reason;
      report.cases.push_back(std::move(result));
      continue;
    }
    std::vector<fs::path> json;
    for (const auto& evtx : info.evtx) {
      json.push_back(fs::path(evtx).replace_extension(".json"));
    }
    result.match_count = info.match_count;
    result.evtx = runner.Run(info.evtx, targets);
    result.json = runner.Run(json, targets);
    if (result.evtx.hit && result.json.hit) {
      result.status = CaseStatus::kPass;
    } else {
      result.status = CaseStatus::kFail;
      if (!result.evtx.hit) {
        result.reason = MissReason(result.evtx, "evtx");
      }
      if (!result.json.hit) {
        result.reason += (result.reason.empty() ? "" : "; ") + MissReason(result.json, "json");
      }
    }
    report.cases.push_back(std::move(result));
  }
  return report;
}

std::string Summary(const ConformanceReport& report) {
  std::ostringstream out;
  const size_t mapped = report.Mapped();
  out << fmt::format("rules: {} loaded, {} load errors ({:.2f}% load), {} without a table\n",
                     report.rules_loaded, report.rule_load_errors, report.LoadRate() * 100,
                     report.rules_unmapped);
  out << fmt::format("cases: {} total, {} mapped; evtx {}/{} ({:.1f}%), json {}/{} ({:.1f}%)\n",
                     report.cases.size(), mapped, report.EvtxPassed(), mapped,
                     Percent(report.EvtxPassed(), mapped), report.JsonPassed(), mapped,
                     Percent(report.JsonPassed(), mapped));
  out << fmt::format("match_count agrees on {}/{} cases that give one\n", report.MatchCountAgrees(),
                     report.WithMatchCount());
  for (const auto& c : report.cases) {
    if (c.match_count >= 0 && (c.status == CaseStatus::kPass || c.status == CaseStatus::kFail) &&
        (c.evtx.hit_rows != static_cast<uint64_t>(c.match_count) ||
         c.json.hit_rows != static_cast<uint64_t>(c.match_count))) {
      out << fmt::format("  match_count: {}: expected {}, evtx {}, json {}\n", c.dir, c.match_count,
                         c.evtx.hit_rows, c.json.hit_rows);
    }
    if (c.status != CaseStatus::kPass) {
      out << "  " << c.dir << " [" << c.logsource << "]: " << c.reason << "\n";
    }
    if (c.evtx.present && c.json.present &&
        (c.evtx.records != c.json.records || c.evtx.rows != c.json.rows)) {
      out << fmt::format("  note: {}: evtx {} records -> {} rows, json {} records -> {} rows\n",
                         c.dir, c.evtx.records, c.evtx.rows, c.json.records, c.json.rows);
    }
  }
  return out.str();
}

std::string RenderReport(const ConformanceReport& report, size_t evtx_floor, size_t json_floor) {
  std::ostringstream out;
  const size_t mapped = report.Mapped();
  out << "# Sigma conformance\n\n"
         "Generated by `tests/sigma_conformance` (`sigma_conformance_test`, label `conformance`) "
         "with\n`VIGIL_SIGMA_CONFORMANCE_REPORT=docs/SIGMA_CONFORMANCE.md`. Do not edit by "
         "hand.\n\n"
         "Every case of the SigmaHQ regression data (`sigma/regression_data/**/info.yml`: a rule "
         "id and\nan EVTX recording, with a JSON export of the same events beside it) is ingested "
         "twice, EVTX and\nJSON, through the real `ingest::FileIngestor` (reader + normalizer, "
         "docs/NORMALIZATION.md)\nand matched by one `match::CompiledRuleSet` holding every rule "
         "of `rules`,\n`rules-emerging-threats`, `rules-threat-hunting` and `rules-placeholder`. "
         "A recording passes\nwhen the case's rule is among the hits (other rules may fire "
         "too).\n\n";
  out << "## Summary\n\n";
  out << "| measure | value |\n|---|---|\n";
  out << fmt::format("| SigmaHQ rule documents loaded | {} / {} ({:.2f}%) |\n", report.rules_loaded,
                     report.rules_loaded + report.rule_load_errors, report.LoadRate() * 100);
  out << fmt::format("| loaded rules without a table (non-Windows logsources, ...) | {} |\n",
                     report.rules_unmapped);
  out << fmt::format("| regression cases | {} |\n", report.cases.size());
  out << fmt::format("| cases whose rule maps to a table | {} |\n", mapped);
  out << fmt::format("| **EVTX pass rate** (mapped cases) | **{} / {} ({:.1f}%)** |\n",
                     report.EvtxPassed(), mapped, Percent(report.EvtxPassed(), mapped));
  out << fmt::format("| **JSON pass rate** (mapped cases) | **{} / {} ({:.1f}%)** |\n",
                     report.JsonPassed(), mapped, Percent(report.JsonPassed(), mapped));
  out << fmt::format("| asserted floors (EVTX, JSON) | {}, {} |\n", evtx_floor, json_floor);
  out << fmt::format(
      "| hits equal to info.yml `match_count` on both recordings | {} / {} cases giving one |\n\n",
      report.MatchCountAgrees(), report.WithMatchCount());

  std::map<std::string, size_t> by_logsource;
  for (const auto& c : report.cases) {
    ++by_logsource[c.logsource.empty() ? "(rule not loaded)" : c.logsource];
  }
  out << "## Cases by logsource\n\n| logsource | cases |\n|---|---|\n";
  for (const auto& [logsource, n] : by_logsource) {
    out << fmt::format("| {} | {} |\n", logsource, n);
  }

  out << "\n## Windows rules without a table\n\n"
         "Loaded rules whose product is `windows` that `CompiledRuleSet` cannot run, "
         "with its\nreason (rules of other products are unmapped by design, "
         "docs/DETECTION_MAPPING.md)."
         "\n\n| rule | id | reason |\n|---|---|---|\n";
  for (const auto& u : report.unmapped_windows) {
    out << fmt::format("| `{}` | `{}` | {} |\n", Escape(u.path), u.id, Escape(u.reason));
  }
  out << "\n## Cases not passing\n\n";
  size_t shown = 0;
  std::ostringstream rows;
  for (const auto& c : report.cases) {
    if (c.status == CaseStatus::kPass) {
      continue;
    }
    ++shown;
    const char* status = c.status == CaseStatus::kFail       ? "fail"
                         : c.status == CaseStatus::kUnmapped ? "unmapped"
                                                             : "rule not loaded";
    rows << fmt::format(
        "| `{}` | `{}` | {} | {} | {} | {} | {} |\n", Escape(c.dir), c.rule_id, c.logsource, status,
        c.status == CaseStatus::kFail ? (c.evtx.hit ? "hit" : "miss") : "-",
        c.status == CaseStatus::kFail ? (c.json.hit ? "hit" : "miss") : "-", Escape(c.reason));
  }
  if (shown == 0) {
    out << "None: every case's rule fires on both of its recordings.\n";
  } else {
    out << "| case | rule id | logsource | status | EVTX | JSON | reason |\n"
           "|---|---|---|---|---|---|---|\n"
        << rows.str();
  }
  out << "\n## Hit counts different from `match_count`\n\n"
         "Cases where the rule fires on more or fewer rows than info.yml's `match_count` (a pass "
         "all the\nsame: the rule fired). Each was checked by hand against the events.\n\n"
         "| case | match_count | EVTX hits | JSON hits |\n|---|---|---|---|\n";
  for (const auto& c : report.cases) {
    if (c.match_count >= 0 && (c.status == CaseStatus::kPass || c.status == CaseStatus::kFail) &&
        (c.evtx.hit_rows != static_cast<uint64_t>(c.match_count) ||
         c.json.hit_rows != static_cast<uint64_t>(c.match_count))) {
      out << fmt::format("| `{}` | {} | {} | {} |\n", Escape(c.dir), c.match_count, c.evtx.hit_rows,
                         c.json.hit_rows);
    }
  }
  return out.str();
}

}  // namespace vigil::detect::testing

// Detection benchmark (issue #4): every Sigma rule of a directory (SigmaHQ rules/windows by
// default) against (1) a generated, realistic mixed Windows event stream normalized into
// in-memory TableBatches of 8192 rows — CompiledRuleSet::Match alone and the whole Detector
// (match + alert drafts + AlertPipeline, no store) — and (2) end to end from real EVTX / JSON
// files: FileIngestor (read + normalize) -> Detector -> AlertPipeline -> Store::Append of the
// event batches and the AlertInfo/AlertEvidence rows, alert records in a SQLite AlertStore.
// Single-threaded (the store's background flush thread aside); prints events/s, events per
// CPU-second, hits, peak RSS and the load average around each measurement.
// Usage: vigil_detect_bench [--shared DIR] [--rules DIR]... [--events N] [--runs N]
//   [--e2e-runs N] [--attacks DIR] [--attack-rate R] [--evtx FILE]... [--evtx-records N]
//   [--json PATH]... [--work DIR] [--only match,detector,e2e] [--seed N] [--no-keyword-rules]
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "bench/detect_data.h"
#include "vigil/detect/alerts/alert_pipeline.h"
#include "vigil/detect/alerts/alert_store.h"
#include "vigil/detect/detector.h"
#include "vigil/detect/match/compiled.h"
#include "vigil/detect/sigma/loader.h"
#include "vigil/ingest/file_ingestor.h"
#include "vigil/ingest/normalize/normalizer.h"
#include "vigil/schema/catalog.h"
#include "vigil/schema/table_batch.h"
#include "vigil/store/store.h"

namespace {

namespace fs = std::filesystem;
namespace detect = vigil::detect;
namespace ingest = vigil::ingest;
using vigil::schema::Catalog;
using vigil::schema::TableBatch;

struct Args {
  std::string shared = "../shared";
  std::vector<std::string> rules;
  std::string attacks;
  double attack_rate = 0.001;
  size_t events = 1'000'000;
  int runs = 5;
  int e2e_runs = 3;
  std::vector<std::string> evtx;
  size_t evtx_records = 200'000;
  std::vector<std::string> json;
  fs::path work = fs::temp_directory_path() / "vigil-detect-bench";
  std::set<std::string> only;
  uint64_t seed = 4;
  bool no_keyword_rules = false;  // drop rules with keyword searches (to profile the rest)
};

[[noreturn]] void Die(const std::string& what) {
  fmt::print(stderr, "vigil_detect_bench: {}\n", what);
  std::exit(1);
}

// --- process measurements --------------------------------------------------------------

// A field of /proc/self/status in MiB (VmHWM, VmRSS); 0 when unavailable.
double StatusMiB(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with(field)) {
      return std::strtod(line.c_str() + std::strlen(field) + 1, nullptr) / 1024.0;
    }
  }
  return 0;
}

// Resets VmHWM to the current RSS so the next peak is that of the phase that follows.
void ResetPeak() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

struct Clock {
  std::chrono::steady_clock::time_point wall = std::chrono::steady_clock::now();
  double cpu = CpuSeconds();
  double Wall() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count();
  }
  double Cpu() const { return CpuSeconds() - cpu; }
};

struct Sample {
  double wall = 0;
  double cpu = 0;
  std::string load;
};

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

void PrintRate(const std::string& what, uint64_t events, const std::vector<Sample>& samples,
               double peak_mib) {
  std::vector<double> walls, cpus;
  std::string runs;
  for (const auto& s : samples) {
    walls.push_back(s.wall);
    cpus.push_back(s.cpu);
    runs += fmt::format("{}{:.0f} (load {})", runs.empty() ? "" : ", ",
                        static_cast<double>(events) / s.wall, s.load);
  }
  const double wall = Median(walls);
  const double cpu = Median(cpus);
  fmt::print(
      "{}: {} events, median {:.3f} s wall, {:.3f} s CPU -> {:.0f} events/s, {:.0f} "
      "events per CPU-second; peak RSS {:.0f} MiB\n  runs (events/s): {}\n",
      what, events, wall, cpu, static_cast<double>(events) / wall,
      static_cast<double>(events) / cpu, peak_mib, runs);
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// --- rules -------------------------------------------------------------------------------

struct Rules {
  detect::sigma::RuleSet set;
  std::vector<std::string> paths;  // absolute path per rule, for DetectorOptions::rule_paths
};

bool HasKeywordTest(const detect::sigma::Rule& rule) {
  for (const auto& search : rule.searches) {
    for (const auto& alternative : search.any_of) {
      for (const auto& test : alternative) {
        if (test.field.empty()) {
          return true;
        }
      }
    }
  }
  return false;
}

Rules LoadRules(const std::vector<std::string>& dirs, bool no_keyword_rules) {
  Clock clock;
  Rules rules;
  rules.set = detect::sigma::LoadRulePaths(dirs, {});
  if (no_keyword_rules) {
    std::erase_if(rules.set.rules, HasKeywordTest);
    fmt::print("--no-keyword-rules: rules with keyword searches dropped\n");
  }
  const double load_s = clock.Wall();
  if (rules.set.rules.empty()) {
    Die(fmt::format("no rules loaded from {} (give --rules DIR or --shared DIR)",
                    fmt::join(dirs, ", ")));
  }
  for (const auto& rule : rules.set.rules) {
    std::string path;
    for (const auto& dir : dirs) {
      std::error_code ec;
      const fs::path candidate = fs::absolute(fs::path(dir) / rule.source_path, ec);
      if (fs::is_directory(dir, ec) && fs::exists(candidate, ec)) {
        path = candidate.string();
        break;
      }
    }
    rules.paths.push_back(path);
  }
  Clock build_clock;
  auto compiled = detect::match::CompiledRuleSet::Build(rules.set, Catalog::Default());
  if (!compiled.ok()) {
    Die("compiling rules: " + compiled.status().ToString());
  }
  const auto& st = (*compiled)->stats();
  fmt::print(
      "Rules: {} files from {}: {} rules + {} correlations loaded, {} load errors ({:.2f} s); "
      "compiled {} rules, {} without a table ({:.2f} s); {} tables, {} buckets, {} literal "
      "databases, {} literals, {} prefiltered rules, {} always-evaluated rules\n",
      rules.set.files_read, fmt::join(dirs, ", "), rules.set.rules.size(),
      rules.set.correlations.size(), rules.set.errors.size(), load_s, (*compiled)->compiled_rules(),
      (*compiled)->unmapped().size(), build_clock.Wall(), st.tables, st.buckets,
      st.literal_databases, st.literals, st.prefiltered_rules, st.always_rules);
  std::vector<std::string> keyword_rules;
  for (const auto& rule : rules.set.rules) {
    if (HasKeywordTest(rule)) {
      const auto& ls = rule.logsource;
      keyword_rules.push_back(
          fmt::format("{} [{}/{}/{}]", rule.source_path, ls.product, ls.category, ls.service));
    }
  }
  fmt::print("  {} rules have keyword (field-less) searches{}\n", keyword_rules.size(),
             keyword_rules.size() > 20 ? "" : ":");
  for (size_t i = 0; i < keyword_rules.size() && keyword_rules.size() <= 20; ++i) {
    fmt::print("    {}\n", keyword_rules[i]);
  }
  return rules;
}

// --- (1) generated stream, in memory ---------------------------------------------------

std::vector<TableBatch> Generate(const Args& args, size_t& events_out) {
  auto attacks = vigil::bench::LoadAttackEvents(args.attacks);
  fmt::print(
      "Stream: {} events, seed {}, {} real true-positive events from {} mixed in at "
      "{:.2f} %\n",
      args.events, args.seed, attacks.size(), args.attacks.empty() ? "-" : args.attacks,
      attacks.empty() ? 0.0 : args.attack_rate * 100);
  Clock clock;
  vigil::bench::EventGenerator generator(args.seed, std::move(attacks), args.attack_rate);
  ingest::Normalizer normalizer(Catalog::Default());
  ingest::IngestReport report;
  std::vector<TableBatch> batches;
  const vigil::ingest::BatchSink keep = [&](TableBatch& batch) { batches.push_back(batch); };
  ingest::WinEvent event;
  uint64_t text_bytes = 0;
  for (size_t i = 0; i < args.events; ++i) {
    generator.Next(event);
    for (const auto& field : event.data) {
      text_bytes += field.value.size();
    }
    normalizer.Add(event, report);
    normalizer.Drain(keep, ingest::kDefaultBatchRows);
  }
  normalizer.Drain(keep);
  size_t rows = 0;
  for (const auto& b : batches) {
    rows += b.rows();
  }
  events_out = rows;
  fmt::print(
      "  generated + normalized in {:.1f} s (not timed below): {} rows in {} batches, "
      "{:.0f} bytes of EventData text per event\n  events by kind:",
      clock.Wall(), rows, batches.size(),
      static_cast<double>(text_bytes) / static_cast<double>(args.events));
  for (const auto& [kind, n] : generator.counts()) {
    fmt::print(" {} {:.2f}%", kind,
               100.0 * static_cast<double>(n) / static_cast<double>(args.events));
  }
  fmt::print("\n  rows by table:");
  for (const auto& [table, n] : report.rows_by_table()) {
    fmt::print(" {} {}", table, n);
  }
  fmt::print("\n  RSS holding the batches: {:.0f} MiB\n", StatusMiB("VmRSS:"));
  return batches;
}

// Times CompiledRuleSet::Match over every batch: one warm-up run, then `runs` timed runs.
std::vector<Sample> TimeCompiled(const detect::match::CompiledRuleSet& compiled,
                                 const std::vector<TableBatch>& batches, int runs,
                                 uint64_t& hits_out, std::map<uint32_t, uint64_t>* by_rule) {
  detect::match::MatchScratch scratch;
  std::vector<detect::match::RuleHit> hits;
  std::vector<Sample> samples;
  for (int run = 0; run <= runs; ++run) {
    uint64_t run_hits = 0;
    const std::string load = LoadAverage();
    Clock clock;
    for (const auto& batch : batches) {
      hits.clear();
      compiled.Match(batch, scratch, hits);
      run_hits += hits.size();
      if (run == 0 && by_rule != nullptr) {
        for (const auto& hit : hits) {
          ++(*by_rule)[hit.rule];
        }
      }
    }
    Sample s{clock.Wall(), clock.Cpu(), load};
    if (run > 0) {
      samples.push_back(s);
    }
    hits_out = run_hits;
  }
  return samples;
}

void TimeMatch(const Rules& rules, const std::vector<TableBatch>& batches, size_t rows, int runs) {
  auto compiled = detect::match::CompiledRuleSet::Build(rules.set, Catalog::Default());
  if (!compiled.ok()) {
    Die("compiling rules: " + compiled.status().ToString());
  }
  std::map<uint32_t, uint64_t> by_rule;
  uint64_t total_hits = 0;
  ResetPeak();
  const auto samples = TimeCompiled(**compiled, batches, runs, total_hits, &by_rule);
  PrintRate("Match (CompiledRuleSet::Match, 1 thread)", rows, samples, StatusMiB("VmHWM:"));
  fmt::print("  hits: {} from {} distinct rules; top rules by hits:\n", total_hits, by_rule.size());
  std::vector<std::pair<uint64_t, uint32_t>> top;
  for (const auto& [rule, n] : by_rule) {
    top.emplace_back(n, rule);
  }
  std::sort(top.rbegin(), top.rend());
  for (size_t i = 0; i < top.size() && i < 12; ++i) {
    fmt::print("    {:>8}  {}\n", top[i].first, rules.set.rules[top[i].second].title);
  }
  // The same without the rules that have keyword searches, to show what they cost.
  detect::sigma::RuleSet without;
  for (const auto& rule : rules.set.rules) {
    if (!HasKeywordTest(rule)) {
      without.rules.push_back(rule);
    }
  }
  if (without.rules.size() < rules.set.rules.size()) {
    auto lean = detect::match::CompiledRuleSet::Build(without, Catalog::Default());
    if (!lean.ok()) {
      Die("compiling rules: " + lean.status().ToString());
    }
    uint64_t lean_hits = 0;
    const auto lean_samples = TimeCompiled(**lean, batches, runs, lean_hits, nullptr);
    PrintRate(fmt::format("Match without the {} keyword rules (for comparison)",
                          rules.set.rules.size() - without.rules.size()),
              rows, lean_samples, StatusMiB("VmHWM:"));
    fmt::print("  hits: {}\n", lean_hits);
  }
}

void TimeDetector(const Rules& rules, const std::vector<TableBatch>& batches, size_t rows,
                  int runs) {
  std::vector<Sample> samples;
  detect::DetectorStats stats;
  detect::alerts::AlertPipelineStats pstats;
  ResetPeak();
  for (int run = 0; run <= runs; ++run) {
    uint64_t alert_rows = 0;
    auto pipeline = detect::alerts::AlertPipeline::Create(
        {}, [&](TableBatch& batch) { alert_rows += batch.rows(); }, nullptr);
    if (!pipeline.ok()) {
      Die("alert pipeline: " + pipeline.status().ToString());
    }
    detect::DetectorOptions options;
    options.rule_paths = rules.paths;
    auto detector = detect::Detector::Create(rules.set, std::move(options), pipeline->get());
    if (!detector.ok()) {
      Die("detector: " + detector.status().ToString());
    }
    const std::string load = LoadAverage();
    Clock clock;
    for (const auto& batch : batches) {
      (*detector)->OnBatch(batch);
    }
    (*detector)->Finish();
    (*pipeline)->Finish();
    Sample s{clock.Wall(), clock.Cpu(), load};
    if (run > 0) {
      samples.push_back(s);
    }
    stats = (*detector)->stats();
    pstats = (*pipeline)->stats();
  }
  PrintRate("Detector (match + drafts + AlertPipeline, no store, 1 thread)", rows, samples,
            StatusMiB("VmHWM:"));
  fmt::print(
      "  sigma hits {}, correlation hits {}, drafts {}, alerts {}, AlertInfo rows {}, "
      "AlertEvidence rows {}\n",
      stats.sigma_hits, stats.correlation_hits, pstats.drafts, pstats.alerts, pstats.info_rows,
      pstats.evidence_rows);
}

// --- (2) end to end from files ---------------------------------------------------------

struct Input {
  std::string name;
  std::string_view data;  // owned by the caller
};

void TimeEndToEnd(const Rules& rules, const std::string& label, const std::vector<Input>& buffers,
                  const std::vector<std::string>& paths, const fs::path& work, int runs) {
  std::vector<Sample> samples;
  uint64_t records = 0, rows = 0, appended = 0;
  detect::DetectorStats stats;
  detect::alerts::AlertPipelineStats pstats;
  uint64_t disk = 0;
  double peak = 0;
  for (int run = 0; run < runs; ++run) {
    const fs::path dir = work / "e2e";
    fs::remove_all(dir);
    fs::create_directories(dir);
    ResetPeak();
    vigil::store::StoreOptions store_options;
    store_options.dir = dir / "store";
    auto store = vigil::store::Store::Open(store_options, Catalog::Default());
    if (!store.ok()) {
      Die("store: " + store.status().ToString());
    }
    auto alert_store = detect::alerts::AlertStore::Open((dir / "alerts.db").string());
    if (!alert_store.ok()) {
      Die("alert store: " + alert_store.status().ToString());
    }
    vigil::Status store_status;
    auto append = [&](const TableBatch& batch) {
      if (store_status.ok() && !batch.empty()) {
        store_status = (*store)->Append(batch);
        appended += batch.rows();
      }
    };
    auto pipeline = detect::alerts::AlertPipeline::Create(
        {}, [&](TableBatch& batch) { append(batch); }, alert_store->get());
    if (!pipeline.ok()) {
      Die("alert pipeline: " + pipeline.status().ToString());
    }
    detect::DetectorOptions options;
    options.rule_paths = rules.paths;
    auto detector = detect::Detector::Create(rules.set, std::move(options), pipeline->get());
    if (!detector.ok()) {
      Die("detector: " + detector.status().ToString());
    }
    ingest::IngestReport report;
    rows = appended = 0;
    const ingest::BatchSink sink = [&](TableBatch& batch) {
      rows += batch.rows();
      (*detector)->OnBatch(batch);
      append(batch);
    };
    const std::string load = LoadAverage();
    Clock clock;
    {
      ingest::FileIngestor ingestor(Catalog::Default(), {}, sink, report);
      for (const auto& input : buffers) {
        ingestor.IngestBuffer(input.name, input.data);
      }
      if (!paths.empty()) {
        const vigil::Status status = ingestor.IngestPaths(paths, {});
        if (!status.ok()) {
          Die("ingest: " + status.ToString());
        }
      }
      ingestor.Finish();
    }
    (*detector)->Finish();
    (*pipeline)->Finish();
    const vigil::Status closed = (*store)->Close();
    Sample s{clock.Wall(), clock.Cpu(), load};
    peak = std::max(peak, StatusMiB("VmHWM:"));
    if (!store_status.ok() || !closed.ok() || !(*pipeline)->status().ok()) {
      Die(fmt::format("store: {} / {} / {}", store_status.ToString(), closed.ToString(),
                      (*pipeline)->status().ToString()));
    }
    samples.push_back(s);
    records = report.records_read();
    stats = (*detector)->stats();
    pstats = (*pipeline)->stats();
    disk = 0;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      if (entry.is_regular_file()) {
        disk += entry.file_size();
      }
    }
    if (report.skipped() > 0 && run == 0) {
      fmt::print("  note: {} records skipped while reading\n", report.skipped());
    }
  }
  PrintRate("End to end, " + label, records, samples, peak);
  fmt::print(
      "  {} records -> {} rows; sigma hits {} ({} distinct rules), drafts {}, alerts {}, "
      "AlertInfo rows {}, AlertEvidence rows {}; {} rows appended to the store; {:.1f} "
      "MiB on disk (store + alerts.db)\n",
      records, rows, stats.sigma_hits, stats.hits_by_rule.size(), pstats.drafts, pstats.alerts,
      pstats.info_rows, pstats.evidence_rows, appended, static_cast<double>(disk) / (1 << 20));
  fs::remove_all(work / "e2e");
}

Args Parse(int argc, char** argv) {
  Args args;
  bool rules_given = false, attacks_given = false, evtx_given = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        Die("missing value after " + arg);
      }
      return argv[++i];
    };
    if (arg == "--shared") {
      args.shared = value();
    } else if (arg == "--rules") {
      args.rules.push_back(value());
      rules_given = true;
    } else if (arg == "--attacks") {
      args.attacks = value();
      attacks_given = true;
    } else if (arg == "--attack-rate") {
      args.attack_rate = std::stod(value());
    } else if (arg == "--events") {
      args.events = std::stoull(value());
    } else if (arg == "--runs") {
      args.runs = std::max(1, std::stoi(value()));
    } else if (arg == "--e2e-runs") {
      args.e2e_runs = std::max(1, std::stoi(value()));
    } else if (arg == "--evtx") {
      args.evtx.push_back(value());
      evtx_given = true;
    } else if (arg == "--evtx-records") {
      args.evtx_records = std::stoull(value());
    } else if (arg == "--json") {
      args.json.push_back(value());
    } else if (arg == "--work") {
      args.work = value();
    } else if (arg == "--only") {
      std::stringstream list(value());
      std::string item;
      while (std::getline(list, item, ',')) {
        args.only.insert(item);
      }
    } else if (arg == "--no-keyword-rules") {
      args.no_keyword_rules = true;
    } else if (arg == "--seed") {
      args.seed = std::stoull(value());
    } else {
      Die("usage: vigil_detect_bench [--shared DIR] [--rules DIR]... [--events N] [--runs N] "
          "[--e2e-runs N] [--attacks DIR] [--attack-rate R] [--evtx FILE]... "
          "[--evtx-records N] [--json PATH]... [--work DIR] [--only match,detector,e2e] "
          "[--seed N] [--no-keyword-rules]");
    }
  }
  const fs::path shared(args.shared);
  if (!rules_given) {
    args.rules.push_back((shared / "sigma/rules/windows").string());
  }
  if (!attacks_given) {
    args.attacks = (shared / "sigma/regression_data").string();
  }
  if (!evtx_given) {
    const fs::path samples = shared / "data/evtx-samples/samples";
    for (const char* name : {"security.evtx", "sysmon.evtx", "system.evtx",
                             "Security_short_selected.evtx", "new-user-security.evtx"}) {
      if (fs::exists(samples / name)) {
        args.evtx.push_back((samples / name).string());
      }
    }
  }
  return args;
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  const Args args = Parse(argc, argv);
  auto enabled = [&](const char* phase) { return args.only.empty() || args.only.contains(phase); };
  fs::create_directories(args.work);
  fmt::print("Load average at start: {}\n", LoadAverage());
  const Rules rules = LoadRules(args.rules, args.no_keyword_rules);

  if (enabled("e2e")) {
    // EVTX: the given files read into memory once, repeated until ~evtx_records records; the
    // regression data's EVTX files (true positives) are added once per repetition.
    std::vector<std::string> contents;  // owns what the Inputs view
    contents.reserve(args.evtx.size() + 1024);
    std::vector<Input> once;
    for (const auto& file : args.evtx) {
      contents.push_back(ReadFile(file));
      once.push_back({file, contents.back()});
    }
    std::vector<Input> regression;
    std::error_code ec;
    if (!args.attacks.empty() && fs::is_directory(args.attacks, ec)) {
      std::vector<fs::path> files;
      for (const auto& entry : fs::recursive_directory_iterator(args.attacks)) {
        if (entry.is_regular_file() && entry.path().extension() == ".evtx") {
          files.push_back(entry.path());
        }
      }
      std::sort(files.begin(), files.end());
      for (const auto& f : files) {
        if (contents.size() == contents.capacity()) {
          break;  // keeps the views valid
        }
        contents.push_back(ReadFile(f));
        regression.push_back({f.string(), contents.back()});
      }
    }
    if (!once.empty()) {
      // Count the records of one repetition.
      ingest::IngestReport count_report;
      {
        ingest::FileIngestor counter(
            Catalog::Default(), {}, [](TableBatch&) {}, count_report);
        for (const auto& input : once) {
          counter.IngestBuffer(input.name, input.data);
        }
        for (const auto& input : regression) {
          counter.IngestBuffer(input.name, input.data);
        }
        counter.Finish();
      }
      const uint64_t per_rep = std::max<uint64_t>(1, count_report.records_read());
      const size_t reps = std::max<size_t>(1, (args.evtx_records + per_rep - 1) / per_rep);
      std::vector<Input> repeated;
      size_t bytes = 0;
      for (size_t r = 0; r < reps; ++r) {
        for (const auto& input : once) {
          repeated.push_back(input);
          bytes += input.data.size();
        }
        for (const auto& input : regression) {
          repeated.push_back(input);
          bytes += input.data.size();
        }
      }
      size_t distinct = 0;
      for (const auto& text : contents) {
        distinct += text.size();
      }
      fmt::print(
          "EVTX input: {} files ({}) + {} regression-data EVTX files, {} records per "
          "repetition, x{} = {} records; {:.1f} MiB of EVTX parsed per run from memory "
          "({:.1f} MiB distinct, held once)\n",
          once.size(), fmt::join(args.evtx, ", "), regression.size(), per_rep, reps, per_rep * reps,
          static_cast<double>(bytes) / (1 << 20), static_cast<double>(distinct) / (1 << 20));
      TimeEndToEnd(rules, "EVTX -> normalize -> detect -> alerts -> store", repeated, {}, args.work,
                   args.e2e_runs);
    }
    if (!args.json.empty()) {
      fmt::print("JSON input: {} (read from disk, zip archives in place)\n",
                 fmt::join(args.json, ", "));
      TimeEndToEnd(rules, "JSON -> normalize -> detect -> alerts -> store", {}, args.json,
                   args.work, args.e2e_runs);
    }
  }

  if (enabled("match") || enabled("detector")) {
    size_t rows = 0;
    const std::vector<TableBatch> batches = Generate(args, rows);
    if (enabled("match")) {
      TimeMatch(rules, batches, rows, args.runs);
    }
    if (enabled("detector")) {
      TimeDetector(rules, batches, rows, args.runs);
    }
  }
  fmt::print("Load average at end: {}\n", LoadAverage());
  return 0;
}

// Hunting benchmark (issue #3): generates a seeded, realistic DeviceProcessEvents table (Zipf
// file names, thousands of devices, tens of thousands of accounts, rare mimikatz lines) plus a
// 1,000-row indicator table, writes it into a Vigil store and as CSV (for
// bench/compare/duckdb_hunt_compare.mjs), then times nine hunting queries with the KQL engine.
// Each query runs in a forked child so its peak RSS is its own. Results (median ms, result
// checks) also go to WORK/vigil_results.json for the DuckDB script to compare against.
// Usage: vigil_hunt_bench [--rows N] [--work DIR] [--runs N] [--only Q1,T2] [--regen] [--explain]
//                         [--no-block-cache]   (first ms: run 0, a fresh Store with an empty cache)
//                         [--membw]   (then prints this machine's one-core memory read bandwidth)
#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "bench/hunt_data.h"
#include "vigil/base/time.h"
#include "vigil/base/allocator.h"
#include "vigil/kql/exec/engine.h"
#include "vigil/schema/catalog.h"
#include "vigil/schema/table_batch.h"
#include "vigil/store/store.h"

namespace {

namespace fs = std::filesystem;
using namespace vigil::bench;  // NOLINT: the benchmark program uses the generator's names


// How a query's result is reduced to a comparable check string (the DuckDB script does the
// same): a count, the sorted list of a column's values, or the row count and a column's sum.
enum class CheckKind { kCount, kSortedList, kRowsAndSum };

struct Query {
  std::string id;
  std::string kql;
  CheckKind check;
  std::string column;  // for kSortedList / kRowsAndSum
};

std::vector<Query> Queries(const std::string& device) {
  return {
      {"Q1",
       "DeviceProcessEvents | where Timestamp > ago(7d) and FileName =~ \"powershell.exe\" and "
       "ProcessCommandLine contains \"-enc\" | count",
       CheckKind::kCount, ""},
      {"Q2",
       "DeviceProcessEvents | where FileName in~ (\"cmd.exe\",\"powershell.exe\") | summarize "
       "count() by DeviceName | top 10 by count_",
       CheckKind::kSortedList, "count_"},
      {"Q3", "DeviceProcessEvents | summarize dcount(DeviceId) by FileName", CheckKind::kRowsAndSum,
       "dcount_DeviceId"},
      {"Q4", "DeviceProcessEvents | where ProcessCommandLine contains \"mimikatz\" | count",
       CheckKind::kCount, ""},
      {"Q5",
       "DeviceProcessEvents | join kind=inner (Indicators) on $left.SHA256 == $right.Sha256 | "
       "count",
       CheckKind::kCount, ""},
      {"Q6",
       "DeviceProcessEvents | where DeviceName == \"" + device +
           "\" | summarize count() by bin(Timestamp, 1h)",
       CheckKind::kRowsAndSum, "count_"},
      {"Q7", "DeviceProcessEvents | summarize arg_max(Timestamp, *) by DeviceId | count",
       CheckKind::kCount, ""},
      {"T1", "DeviceProcessEvents | where ProcessCommandLine has \"mimikatz\" | count",
       CheckKind::kCount, ""},
      {"T2",
       "DeviceProcessEvents | where ProcessCommandLine has_any (\"mimikatz\", \"sekurlsa\") | "
       "count",
       CheckKind::kCount, ""},
  };
}

std::string Check(const Query& q, const vigil::kql::Table& t) {
  if (q.check == CheckKind::kCount) {
    if (t.rows != 1 || t.cols.empty()) {
      return fmt::format("rows={}", t.rows);
    }
    return std::to_string(t.cols[0][0].AsInt64());
  }
  const int c = vigil::kql::FindColumn(t.schema, q.column);
  if (c < 0) {
    return fmt::format("no column {}", q.column);
  }
  std::vector<int64_t> values;
  for (const auto& v : t.cols[static_cast<size_t>(c)]) {
    values.push_back(v.AsInt64());
  }
  if (q.check == CheckKind::kSortedList) {
    std::sort(values.rbegin(), values.rend());
    return fmt::format("{}", fmt::join(values, ","));
  }
  int64_t sum = 0;
  for (int64_t v : values) {
    sum += v;
  }
  return fmt::format("rows={} sum={}", t.rows, sum);
}

struct Outcome {
  std::string id;
  double median_ms = 0;
  double min_ms = 0;
  int runs = 0;
  size_t rows = 0;
  std::string check;
  long max_rss_kb = 0;
  uint64_t engine_peak_bytes = 0;
  uint64_t rows_scanned = 0;
  uint64_t blocks_skipped = 0;
  double first_ms = 0;  // run 0: a fresh Store, its block cache empty
  std::string error;
  std::string load;
};

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

// Runs in the forked child: opens the store, runs the query 1 + runs times, reports one line.
std::string RunChild(const fs::path& work, const Query& q, int runs, double budget_s,
                     bool explain, bool block_cache) {
  vigil::store::StoreOptions options;
  options.dir = work / "store";
  options.background_flush = false;
  if (!block_cache) {
    options.block_cache_bytes = 0;
  }
  auto opened = vigil::store::Store::Open(options, vigil::schema::Catalog::Default());
  if (!opened.ok()) {
    return "error\tstore: " + opened.status().ToString();
  }
  std::unique_ptr<vigil::store::Store> store = std::move(*opened);
  vigil::kql::Engine engine(store.get(), &vigil::schema::Catalog::Default());
  auto indicators = std::make_shared<vigil::kql::Table>();
  indicators->Reset({{"Sha256", vigil::kql::Type::kString}});
  for (const auto& h : MakeUniverse().indicators) {
    indicators->cols[0].push_back(vigil::kql::Value::String(h));
  }
  indicators->rows = indicators->cols[0].size();
  engine.AddTable("Indicators", indicators);
  vigil::kql::QueryOptions qo;
  qo.now_ticks = *vigil::ParseDateTime(kNow);
  qo.limits.memory_budget_bytes = size_t{12} << 30;
  if (explain) {
    auto plan = engine.Explain(q.kql, qo);
    fmt::print(stderr, "--- {} plan:\n{}\n", q.id, plan ? *plan : plan.error().ToString());
  }
  std::vector<double> times;
  std::string check;
  size_t rows = 0;
  uint64_t peak = 0, scanned = 0, skipped = 0;
  double spent = 0;
  double first_ms = 0;
  for (int r = 0; r <= runs; ++r) {  // run 0 warms up
    const auto start = std::chrono::steady_clock::now();
    auto result = engine.Run(q.kql, qo);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (!result) {
      return "error\t" + result.error().code + ": " + result.error().ToString();
    }
    rows = result->table->rows;
    check = Check(q, *result->table);
    peak = std::max<uint64_t>(peak, result->stats.peak_memory_bytes);
    scanned = result->stats.rows_scanned;
    skipped = result->stats.blocks_skipped;
    spent += ms / 1000;
    if (r > 0) {
      times.push_back(ms);
    } else {
      first_ms = ms;
    }
    if (spent > budget_s && r >= 1) {
      break;
    }
    if (r == 0 && spent > budget_s) {  // slow: one timed run after the warm-up, no more
      runs = 1;
    }
  }
  std::sort(times.begin(), times.end());
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return fmt::format("ok\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}", times[times.size() / 2],
                     times[0], times.size(), rows, usage.ru_maxrss, peak, scanned, skipped,
                     first_ms, check);
}

Outcome RunQuery(const fs::path& work, const Query& q, int runs, double budget_s, bool explain,
                 bool block_cache) {
  Outcome out;
  out.id = q.id;
  out.load = LoadAverage();
  int fds[2];
  if (pipe(fds) != 0) {
    Die("pipe failed");
  }
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = fork();
  if (pid < 0) {
    Die("fork failed");
  }
  if (pid == 0) {
    close(fds[0]);
    const std::string line = RunChild(work, q, runs, budget_s, explain, block_cache);
    size_t done = 0;
    while (done < line.size()) {
      const ssize_t n = write(fds[1], line.data() + done, line.size() - done);
      if (n <= 0) {
        break;
      }
      done += static_cast<size_t>(n);
    }
    close(fds[1]);
    std::fflush(stderr);
    _exit(0);
  }
  close(fds[1]);
  std::string text;
  char chunk[4096];
  ssize_t n;
  while ((n = read(fds[0], chunk, sizeof(chunk))) > 0) {
    text.append(chunk, static_cast<size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  std::vector<std::string> parts;
  std::stringstream ss(text);
  std::string part;
  while (std::getline(ss, part, '\t')) {
    parts.push_back(part);
  }
  if (parts.size() == 11 && parts[0] == "ok") {
    out.median_ms = std::stod(parts[1]);
    out.min_ms = std::stod(parts[2]);
    out.runs = std::stoi(parts[3]);
    out.rows = std::stoull(parts[4]);
    out.max_rss_kb = std::stol(parts[5]);
    out.engine_peak_bytes = std::stoull(parts[6]);
    out.rows_scanned = std::stoull(parts[7]);
    out.blocks_skipped = std::stoull(parts[8]);
    out.first_ms = std::stod(parts[9]);
    out.check = parts[10];
  } else if (parts.size() >= 2 && parts[0] == "error") {
    out.error = parts[1];
  } else {
    out.error = fmt::format("child failed (wait status {})", status);
  }
  return out;
}

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return out + "\"";
}

}  // namespace

// This machine's memory read bandwidth on one core, GB/s: the median of five sums over a
// 1 GiB buffer (far larger than any cache). The yardstick for Q4's "within 2x" goal.
double ReadBandwidthOneCore() {
  std::vector<uint64_t> buffer((size_t{1} << 30) / sizeof(uint64_t));
  for (size_t i = 0; i < buffer.size(); ++i) {
    buffer[i] = i * 0x9e3779b97f4a7c15ULL;
  }
  std::vector<double> rates;
  uint64_t sink = 0;
  for (int pass = 0; pass < 5; ++pass) {
    const auto start = std::chrono::steady_clock::now();
    uint64_t a = 0, b = 0, c = 0, d = 0;
    for (size_t i = 0; i + 4 <= buffer.size(); i += 4) {
      a += buffer[i];
      b ^= buffer[i + 1];
      c += buffer[i + 2];
      d ^= buffer[i + 3];
    }
    sink += a + b + c + d;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    rates.push_back(static_cast<double>(buffer.size() * sizeof(uint64_t)) / seconds / 1e9);
  }
  std::sort(rates.begin(), rates.end());
  if (sink == 42) {
    fmt::print("");  // keeps the sums from being optimized away
  }
  return rates[rates.size() / 2];
}

int main(int argc, char** argv) {
  vigil::TuneAllocator();
  size_t rows = 10'000'000;
  fs::path work;
  int runs = 5;
  double budget_s = 120;
  bool regen = false;
  bool explain = false;
  bool block_cache = true;
  bool membw = false;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--rows" && i + 1 < argc) {
      rows = std::stoull(argv[++i]);
    } else if (arg == "--work" && i + 1 < argc) {
      work = argv[++i];
    } else if (arg == "--runs" && i + 1 < argc) {
      runs = std::max(1, std::stoi(argv[++i]));
    } else if (arg == "--budget" && i + 1 < argc) {
      budget_s = std::stod(argv[++i]);
    } else if (arg == "--only" && i + 1 < argc) {
      only = argv[++i];
    } else if (arg == "--regen") {
      regen = true;
    } else if (arg == "--explain") {
      explain = true;
    } else if (arg == "--no-block-cache") {
      block_cache = false;
    } else if (arg == "--membw") {
      membw = true;
    } else {
      fmt::print(stderr,
                 "usage: vigil_hunt_bench [--rows N] [--work DIR] [--runs N] [--budget SECONDS] "
                 "[--only Q1,T2] [--regen] [--explain] [--no-block-cache] [--membw]\n");
      return 1;
    }
  }
  if (work.empty()) {
    work = fs::temp_directory_path() / fmt::format("vigil-hunt-{}", rows);
  }
  fs::create_directories(work);
  const Meta meta = ReadMeta(work / "meta.txt");
  if (regen && meta.rows == rows && std::getenv("VIGIL_HUNT_BENCH_REEXEC") != nullptr) {
    regen = false;  // --regen already done by the process that exec'd us
  }
  if (regen || meta.rows != rows || meta.version != kGeneratorVersion ||
      !fs::exists(work / "store")) {
    fmt::print("generating {} rows into {}\n", rows, work.string());
    Generate(MakeUniverse(), rows, work);
    // Start afresh so the forked query children do not inherit the generator's heap (their
    // peak RSS would include it).
    std::fflush(stdout);
    setenv("VIGIL_HUNT_BENCH_REEXEC", "1", 1);
    std::vector<char*> args(argv, argv + argc);
    args.push_back(nullptr);
    execv("/proc/self/exe", args.data());
    fmt::print(stderr, "note: re-exec failed; peak RSS figures include the generator\n");
  } else {
    fmt::print("using cached data in {} ({} rows)\n", work.string(), rows);
  }
  const Universe universe = MakeUniverse();
  std::vector<Outcome> outcomes;
  fmt::print("{:<4} {:>10} {:>10} {:>9} {:>5} {:>8} {:>10} {:>12} {:>14}  {:<16} {}\n", "id",
             "median ms", "min ms", "first ms", "runs", "rows", "peak RSS", "engine peak",
             "rows scanned", "load avg", "check");
  for (const Query& q : Queries(universe.device_names[kQ6Device])) {
    if (!only.empty() && ("," + only + ",").find("," + q.id + ",") == std::string::npos) {
      continue;
    }
    Outcome o = RunQuery(work, q, runs, budget_s, explain, block_cache);
    if (!o.error.empty()) {
      fmt::print("{:<4} ERROR {}  [{}]\n", o.id, o.error, o.load);
    } else {
      fmt::print("{:<4} {:>10.1f} {:>10.1f} {:>9.1f} {:>5} {:>8} {:>7} MB {:>9} MB {:>14}  {:<16} {}\n",
                 o.id, o.median_ms, o.min_ms, o.first_ms, o.runs, o.rows, o.max_rss_kb / 1024,
                 o.engine_peak_bytes >> 20, o.rows_scanned, o.load, o.check);
    }
    std::fflush(stdout);
    outcomes.push_back(std::move(o));
  }
  std::ofstream json(work / "vigil_results.json");
  json << "{\"rows\":" << rows << ",\"queries\":[";
  for (size_t i = 0; i < outcomes.size(); ++i) {
    const Outcome& o = outcomes[i];
    json << (i ? "," : "") << "{\"id\":" << JsonString(o.id) << ",\"median_ms\":" << o.median_ms
         << ",\"runs\":" << o.runs << ",\"rows\":" << o.rows << ",\"max_rss_kb\":" << o.max_rss_kb
         << ",\"check\":" << JsonString(o.check) << ",\"error\":" << JsonString(o.error)
         << ",\"load\":" << JsonString(o.load) << "}";
  }
  json << "]}\n";
  if (membw) {
    fmt::print("memory read bandwidth, one core: {:.1f} GB/s (1 GiB buffer, median of 5)\n",
               ReadBandwidthOneCore());
  }
  return 0;
}

// End-to-end ingest benchmark: events/s on one core for (a) table-shaped CSV and JSONL,
// (b) Sysmon JSON normalized, (c) EVTX normalized, each measured for parse+normalize alone and
// for the full path into a store (WAL + flush to columnar segments), plus bytes on disk per row.
// Writes its generated CSV so bench/compare/duckdb_compare.mjs can load the same rows into
// DuckDB and Parquet. Usage: vigil_ingest_bench [--rows N] [--work DIR] [--evtx FILE...]
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "apps/vigil/demo_data.h"
#include "vigil/base/time.h"
#include "vigil/ingest/file_ingestor.h"
#include "vigil/schema/catalog.h"
#include "vigil/store/store.h"

namespace {

namespace fs = std::filesystem;
using vigil::ingest::FileIngestor;
using vigil::ingest::IngestOptions;
using vigil::ingest::IngestReport;

struct Generated {
  std::string csv;
  std::string jsonl;
};

// The same rows as CSV (the 11-column DeviceProcessEvents shape) and as table-shaped
// JSON lines.
Generated MakeProcessRows(size_t rows) {
  std::mt19937_64 rng(7);
  static const char* kFiles[] = {"chrome.exe", "svchost.exe", "powershell.exe", "cmd.exe",
                                 "outlook.exe", "teams.exe", "rundll32.exe", "msedge.exe"};
  static const char* kUsers[] = {"jdoe", "asmith", "mlopez", "system", "svc_backup"};
  Generated out;
  out.csv =
      "Timestamp,DeviceId,DeviceName,ActionType,FileName,FolderPath,SHA256,ProcessId,"
      "ProcessCommandLine,AccountName,InitiatingProcessFileName\n";
  out.csv.reserve(rows * 260);
  out.jsonl.reserve(rows * 420);
  const int64_t base = *vigil::ParseDateTime("2026-10-24T00:00:00Z");
  for (size_t i = 0; i < rows; ++i) {
    const int64_t t =
        base + static_cast<int64_t>(i) * 2'000'000 + static_cast<int64_t>(rng() % 1000);
    const char* file = kFiles[rng() % 8];
    const uint64_t device = rng() % 500;
    std::string ts = vigil::FormatDateTime(t);
    std::string csv_ts = ts;
    csv_ts[10] = ' ';
    csv_ts.pop_back();  // `2026-10-24 00:00:00.0695010`: the CSV form the issue names
    const std::string sha = fmt::format("{:016x}{:016x}{:016x}{:016x}", rng(), rng(), rng(), rng());
    const uint64_t pid = rng() % 65536;
    const uint64_t flag = rng() % 1000;
    const char* user = kUsers[rng() % 5];
    out.csv += fmt::format(
        "{},{:040x},ws-{:04}.contoso.local,ProcessCreated,{},C:\\Windows\\System32\\{},{},{},"
        "\"{} --flag {} \"\"quoted arg\"\"\",{},explorer.exe\n",
        csv_ts, device * 2654435761u, device, file, file, sha, pid, file, flag, user);
    out.jsonl += fmt::format(
        "{{\"Timestamp\":\"{}\",\"DeviceId\":\"{:040x}\",\"DeviceName\":\"ws-{:04}.contoso.local\","
        "\"ActionType\":\"ProcessCreated\",\"FileName\":\"{}\",\"FolderPath\":"
        "\"C:\\\\Windows\\\\System32\\\\{}\",\"SHA256\":\"{}\",\"ProcessId\":{},"
        "\"ProcessCommandLine\":\"{} --flag {} \\\"quoted arg\\\"\",\"AccountName\":\"{}\","
        "\"InitiatingProcessFileName\":\"explorer.exe\"}}\n",
        ts, device * 2654435761u, device, file, file, sha, pid, file, flag, user);
  }
  return out;
}

struct Run {
  std::string name;
  uint64_t records = 0;
  uint64_t rows = 0;
  double seconds = 0;
  uint64_t bytes_on_disk = 0;
};

Run Measure(const std::string& name, const std::vector<std::pair<std::string, std::string>>& inputs,
            const IngestOptions& options, const fs::path* store_dir) {
  std::unique_ptr<vigil::store::Store> store;
  if (store_dir != nullptr) {
    fs::remove_all(*store_dir);
    vigil::store::StoreOptions store_options;
    store_options.dir = *store_dir;
    auto opened = vigil::store::Store::Open(store_options, vigil::schema::Catalog::Default());
    if (!opened.ok()) {
      fmt::print(stderr, "store: {}\n", opened.status().ToString());
      std::exit(1);
    }
    store = std::move(*opened);
  }
  IngestReport report;
  uint64_t rows = 0;
  vigil::Status store_error;
  const vigil::ingest::BatchSink sink = [&](vigil::schema::TableBatch& batch) {
    rows += batch.rows();
    if (store && store_error.ok()) {
      store_error = store->Append(batch);
    }
  };
  const auto start = std::chrono::steady_clock::now();
  {
    FileIngestor ingestor(vigil::schema::Catalog::Default(), options, sink, report);
    for (const auto& [input_name, data] : inputs) {
      ingestor.IngestBuffer(input_name, data);
    }
    ingestor.Finish();
  }
  Run run;
  if (store) {
    if (!store_error.ok()) {
      fmt::print(stderr, "store append: {}\n", store_error.ToString());
      std::exit(1);
    }
    const vigil::Status closed = store->Close();
    if (!closed.ok()) {
      fmt::print(stderr, "store close: {}\n", closed.ToString());
      std::exit(1);
    }
  }
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.name = name;
  run.records = report.records_read();
  run.rows = rows;
  if (store_dir != nullptr) {
    for (const auto& entry : fs::recursive_directory_iterator(*store_dir)) {
      if (entry.is_regular_file()) {
        run.bytes_on_disk += entry.file_size();
      }
    }
  }
  if (report.skipped() > 0) {
    fmt::print(stderr, "  note: {} skipped records in {}\n", report.skipped(), name);
  }
  return run;
}

void Print(const Run& run) {
  const double rate = static_cast<double>(run.rows) / run.seconds;
  fmt::print("{:<44} {:>10} rows {:>8.3f} s {:>12.0f} rows/s", run.name, run.rows, run.seconds,
             rate);
  if (run.bytes_on_disk > 0) {
    fmt::print("  {:>8.1f} bytes/row on disk ({} bytes)", static_cast<double>(run.bytes_on_disk) / run.rows,
               run.bytes_on_disk);
  }
  fmt::print("\n");
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

int main(int argc, char** argv) {
  size_t rows = 1'000'000;
  fs::path work = fs::temp_directory_path() / "vigil-bench";
  std::vector<std::string> evtx_files;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--rows" && i + 1 < argc) {
      rows = std::stoull(argv[++i]);
    } else if (arg == "--work" && i + 1 < argc) {
      work = argv[++i];
    } else if (arg == "--evtx" && i + 1 < argc) {
      evtx_files.push_back(argv[++i]);
    } else {
      fmt::print(stderr, "usage: vigil_ingest_bench [--rows N] [--work DIR] [--evtx FILE]...\n");
      return 1;
    }
  }
  fs::create_directories(work);
  const fs::path store_dir = work / "store";

  // (a) table-shaped CSV.
  const Generated generated = MakeProcessRows(rows);
  const std::string& csv = generated.csv;
  {
    std::ofstream out(work / "process_events.csv", std::ios::binary);
    out << csv;
  }
  IngestOptions table_options;
  table_options.table = vigil::schema::Catalog::Default().Find("DeviceProcessEvents");
  Print(Measure("(a) CSV 11 cols, parse only", {{"process_events.csv", csv}}, table_options, nullptr));
  Print(Measure("(a) CSV 11 cols, into store", {{"process_events.csv", csv}}, table_options, &store_dir));
  Print(Measure("(a) JSONL 11 cols, parse only", {{"process_events.jsonl", generated.jsonl}},
                table_options, nullptr));
  Print(Measure("(a) JSONL 11 cols, into store", {{"process_events.jsonl", generated.jsonl}},
                table_options, &store_dir));

  // (b) Sysmon JSON lines (flat forwarder shape) from the demo generator, repeated.
  vigil::app::DemoOptions demo_options;
  demo_options.days = 3;
  demo_options.devices = 5;
  demo_options.end_ticks = *vigil::ParseDateTime("2026-10-27T00:00:00Z");
  auto demo = vigil::app::WriteDemoData(work / "demo", demo_options);
  if (!demo.ok()) {
    fmt::print(stderr, "demo data: {}\n", demo.status().ToString());
    return 1;
  }
  const std::string sysmon_once = ReadFile(demo->sysmon_jsonl);
  std::string sysmon;
  while (sysmon.size() < 150u << 20 && std::count(sysmon.begin(), sysmon.end(), '\n') < static_cast<long>(rows / 2)) {
    sysmon += sysmon_once;
  }
  IngestOptions event_options;
  Print(Measure("(b) Sysmon JSON, parse+normalize", {{"sysmon.jsonl", sysmon}}, event_options, nullptr));
  Print(Measure("(b) Sysmon JSON, into store", {{"sysmon.jsonl", sysmon}}, event_options, &store_dir));

  // (c) EVTX files given on the command line (e.g. from ../shared), repeated to ~200k records.
  if (!evtx_files.empty()) {
    std::vector<std::pair<std::string, std::string>> inputs;
    for (const auto& file : evtx_files) {
      inputs.emplace_back(file, ReadFile(file));
    }
    std::vector<std::pair<std::string, std::string>> repeated;
    size_t bytes = 0;
    while (bytes < (200u << 20) && repeated.size() < 2000) {
      for (const auto& input : inputs) {
        repeated.push_back(input);
        bytes += input.second.size();
      }
    }
    Print(Measure("(c) EVTX, parse+normalize", repeated, event_options, nullptr));
    Print(Measure("(c) EVTX, into store", repeated, event_options, &store_dir));
  }
  fs::remove_all(store_dir);
  return 0;
}

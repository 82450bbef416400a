// `vigil hunt`: runs a KQL query over the data directory and prints the result as an aligned
// table, CSV or the hunting API's JSON. --explain prints the plan, --check parses and binds
// only, --stats adds elapsed time, rows and bytes scanned and blocks skipped. Ctrl-C cancels.
#include <csignal>
#include <fstream>
#include <iostream>
#include <iterator>

#include <fmt/format.h>

#include "apps/vigil/commands.h"
#include "apps/vigil/ingest_command.h"
#include "vigil/kql/exec/engine.h"
#include "vigil/schema/catalog.h"

namespace vigil::app {
namespace {

std::atomic<bool> g_cancel{false};

extern "C" void OnSigint(int) { g_cancel.store(true); }

struct HuntArgs {
  std::string query;
  std::string file;
  std::string format = "table";
  bool stats = false;
  bool explain = false;
  bool check = false;
  size_t max_rows = 100'000;
  int timeout_s = 600;
  size_t memory_mb = 4096;
  size_t threads = 0;
  std::vector<std::string> externaldata_dirs;
};

int RunHunt(const GlobalOptions& global, const HuntArgs& args) {
  std::string text = args.query;
  if (!args.file.empty() || text == "-") {
    std::istream* in = &std::cin;
    std::ifstream f;
    if (!args.file.empty() && args.file != "-") {
      f.open(args.file);
      if (!f) {
        fmt::print(stderr, "vigil hunt: cannot read query file '{}'\n", args.file);
        return kExitError;
      }
      in = &f;
    }
    text.assign(std::istreambuf_iterator<char>(*in), std::istreambuf_iterator<char>());
  }
  if (text.empty()) {
    fmt::print(stderr, "vigil hunt: no query given (QUERY, -f FILE or - for standard input)\n");
    return kExitError;
  }
  auto opened = OpenStore(global);
  if (!opened.ok()) {
    fmt::print(stderr, "vigil hunt: {}\n", opened.status().message());
    return kExitError;
  }
  std::unique_ptr<store::Store> store = std::move(*opened);
  kql::Engine engine(store.get(), &schema::Catalog::Default());
  for (const std::string& dir : args.externaldata_dirs) {
    engine.AllowExternalDataDir(dir);
  }
  kql::QueryOptions options;
  options.limits.max_result_rows = args.max_rows;
  options.limits.timeout = std::chrono::seconds(args.timeout_s);
  options.limits.memory_budget_bytes = args.memory_mb << 20;
  options.limits.cancel = &g_cancel;
  options.limits.scan_threads = args.threads;
  std::signal(SIGINT, OnSigint);
  auto report = [&](const kql::KqlError& e) {
    fmt::print(stderr, "vigil hunt: error {}: {}\n", e.code, e.ToString());
    return kExitError;
  };
  int rc = kExitOk;
  if (args.check) {
    auto schema = engine.Check(text, options);
    if (!schema) {
      rc = report(schema.error());
    } else {
      fmt::print("OK: {} column(s):", schema->size());
      for (const auto& c : *schema) {
        fmt::print(" {}:{}", c.name, kql::TypeName(c.type));
      }
      fmt::print("\n");
    }
  } else if (args.explain) {
    auto plan = engine.Explain(text, options);
    if (!plan) {
      rc = report(plan.error());
    } else {
      fmt::print("{}\n", *plan);
    }
  } else {
    auto result = engine.Run(text, options);
    if (!result) {
      rc = report(result.error());
    } else {
      if (args.format == "json") {
        fmt::print("{}\n", kql::FormatJson(*result));
      } else if (args.format == "csv") {
        fmt::print("{}", kql::FormatCsv(*result));
      } else {
        fmt::print("{}", kql::FormatTable(*result));
        fmt::print("({} row{})\n", result->table->rows, result->table->rows == 1 ? "" : "s");
      }
      for (const auto& w : result->warnings) {
        fmt::print(stderr, "warning: {}\n", w);
      }
      if (args.stats) {
        const auto& s = result->stats;
        fmt::print(stderr,
                   "elapsed {:.1f} ms; rows scanned {}; bytes scanned {}; blocks read {}, "
                   "skipped {}; partitions skipped {}; peak memory {} bytes\n",
                   result->elapsed_ms, s.rows_scanned, s.bytes_scanned, s.blocks_read,
                   s.blocks_skipped, s.partitions_skipped, s.peak_memory_bytes);
      }
    }
  }
  std::signal(SIGINT, SIG_DFL);
  const Status closed = store->Close();
  if (!closed.ok()) {
    fmt::print(stderr, "vigil hunt: {}\n", closed.message());
    return kExitError;
  }
  return rc;
}

}  // namespace

void RegisterHuntCommand(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto args = std::make_shared<HuntArgs>();
  CLI::App* cmd = app.add_subcommand("hunt", "Run a KQL hunting query over the data directory");
  cmd->add_option("query", args->query, "the query text, or - to read it from standard input");
  cmd->add_option("-f,--file", args->file, "read the query from FILE");
  cmd->add_option("--format", args->format, "output: table (default), json or csv")
      ->check(CLI::IsMember({"table", "json", "csv"}));
  cmd->add_flag("--stats", args->stats,
                "print elapsed time, rows and bytes scanned, blocks skipped (to stderr)");
  cmd->add_flag("--explain", args->explain, "print the query plan instead of running it");
  cmd->add_flag("--check", args->check, "parse and bind only; print the result columns");
  cmd->add_option("--max-rows", args->max_rows, "result row limit (default 100000)");
  cmd->add_option("--timeout", args->timeout_s, "time limit in seconds (default 600)");
  cmd->add_option("--memory-mb", args->memory_mb, "memory budget in MiB (default 4096)");
  cmd->add_option("--threads", args->threads,
                  "threads per table scan (default 0: one per core, at most 4)");
  cmd->add_option("--externaldata-dir", args->externaldata_dirs,
                  "a local directory externaldata may read files from (repeatable; URLs are "
                  "always refused: a hunt has no network)")
      ->check(CLI::ExistingDirectory);
  cmd->callback([&global, &exit_code, args] { exit_code = RunHunt(global, *args); });
}

}  // namespace vigil::app

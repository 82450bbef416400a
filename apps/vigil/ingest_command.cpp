// `vigil ingest`: reads files, directories and zip archives into the store, with a progress bar
// and a summary of what was read, written and skipped.
#include "apps/vigil/ingest_command.h"

#include <chrono>
#include <cstdio>

#include <fmt/format.h>

#include "apps/vigil/incident_response.h"
#include "apps/vigil/progress_bar.h"
#include "vigil/base/log.h"
#include "vigil/ingest/file_ingestor.h"
#include "vigil/schema/catalog.h"
#include "vigil/store/store.h"

namespace vigil::app {

Result<std::unique_ptr<store::Store>> OpenStore(const GlobalOptions& global) {
  store::StoreOptions options;
  options.dir = global.data_dir;
  if (global.block_cache_mb.has_value()) {
    options.block_cache_bytes = *global.block_cache_mb << 20;
  }
  auto opened = store::Store::Open(options, schema::Catalog::Default());
  if (!opened.ok()) {
    return opened.status().Annotate(fmt::format("cannot open data directory '{}'", global.data_dir));
  }
  return std::move(*opened);
}

void PrintIngestSummary(const ingest::IngestReport& report, double seconds, std::FILE* out,
                        bool verbose) {
  const double rate = seconds > 0 ? static_cast<double>(report.records_read()) / seconds : 0.0;
  fmt::print(out, "Ingested {} file(s): {} records read, {} rows written in {:.2f} s ({} events/s)\n",
             WithThousands(report.files()), WithThousands(report.records_read()),
             WithThousands(report.TotalRows()), seconds,
             WithThousands(static_cast<uint64_t>(rate)));
  if (!report.rows_by_table().empty()) {
    fmt::print(out, "Rows per table:\n");
    for (const auto& [table, rows] : report.rows_by_table()) {
      fmt::print(out, "  {:<32} {:>12}\n", table, WithThousands(rows));
    }
  }
  if (report.skipped() > 0) {
    fmt::print(out, "Skipped {} record(s) or input(s), by reason:\n", WithThousands(report.skipped()));
    for (const auto& [reason, count] : report.skips_by_reason()) {
      fmt::print(out, "  {:>10}  {}\n", WithThousands(count), reason);
    }
    fmt::print(out, "First skips (file, position, reason):\n");
    size_t shown = 0;
    for (const auto& skip : report.kept_skips()) {
      if (!verbose && ++shown > 20) {
        fmt::print(out, "  ... {} more (run with -v to see the first 200)\n",
                   report.kept_skips().size() - 20);
        break;
      }
      fmt::print(out, "  {} [{}]: {}\n", skip.source, skip.position, skip.reason);
    }
  } else {
    fmt::print(out, "Skipped: none\n");
  }
  if (!report.warnings().empty()) {
    fmt::print(out, "Warnings ({}):\n", report.warnings().size());
    size_t shown = 0;
    for (const auto& warning : report.warnings()) {
      if (++shown > 10) {
        fmt::print(out, "  ... {} more\n", report.warnings().size() - 10);
        break;
      }
      fmt::print(out, "  {}\n", warning);
    }
  }
}

int RunIngest(const GlobalOptions& global, const IngestArgs& args) {
  ingest::IngestOptions options;
  const auto format = ingest::ParseInputFormat(args.format);
  if (!format) {
    fmt::print(stderr, "vigil ingest: unknown --format '{}' (use auto, evtx, jsonl, xml or csv)\n",
               args.format);
    return kExitError;
  }
  options.format = *format;
  if (!args.table.empty()) {
    options.table = schema::Catalog::Default().FindIgnoreCase(args.table);
    if (options.table == nullptr) {
      fmt::print(stderr, "vigil ingest: unknown table '{}' (see `vigil tables --all`)\n",
                 args.table);
      return kExitError;
    }
  }
  if (options.format == ingest::InputFormat::kCsv && options.table == nullptr) {
    fmt::print(stderr, "vigil ingest: --format csv needs --table <Table>\n");
    return kExitError;
  }
  auto opened = OpenStore(global);
  if (!opened.ok()) {
    fmt::print(stderr, "vigil ingest: {}\n", opened.status().message());
    return kExitError;
  }
  std::unique_ptr<store::Store> store = std::move(*opened);

  std::unique_ptr<IngestDetection> detection;
  if (args.detection.enabled) {
    auto created = IngestDetection::Create(global.data_dir, args.detection, store.get());
    if (!created.ok()) {
      fmt::print(stderr, "vigil ingest: detection: {}\n", created.status().message());
      return kExitError;
    }
    detection = std::move(*created);
  }
  ingest::IngestReport report;
  Status store_error;
  // ingest -> detect -> store: rules see every batch before it is written.
  const ingest::BatchSink sink = [&store, &store_error, &detection](schema::TableBatch& batch) {
    if (!store_error.ok() || batch.empty()) {
      return;
    }
    if (detection) {
      detection->OnBatch(batch);
    }
    store_error = store->Append(batch);
  };
  ProgressBar bar;
  const auto start = std::chrono::steady_clock::now();
  ingest::FileIngestor ingestor(schema::Catalog::Default(), options, sink, report);
  const Status status = ingestor.IngestPaths(
      args.paths, [&bar](const ingest::IngestProgress& progress) {
        bar.Update(progress.bytes_done, progress.bytes_total, progress.records, progress.current);
      });
  bar.Done();
  const Status detection_status = detection ? detection->Finish() : Status::Ok();
  const Status close_status = store->Close();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!status.ok()) {
    fmt::print(stderr, "vigil ingest: {}\n", status.message());
    return kExitError;
  }
  if (!store_error.ok()) {
    fmt::print(stderr,
               "vigil ingest: the store refused a batch: {}\n"
               "rows acknowledged before this error are durable; nothing after it was written\n",
               store_error.message());
    PrintIngestSummary(report, seconds, stderr, global.verbose);
    return kExitError;
  }
  if (!close_status.ok()) {
    fmt::print(stderr, "vigil ingest: closing the store: {}\n", close_status.message());
    return kExitError;
  }
  PrintIngestSummary(report, seconds, stdout, global.verbose);
  if (detection) {
    detection->PrintSummary(stdout);
  }
  if (!detection_status.ok()) {
    fmt::print(stderr, "vigil ingest: writing alerts failed: {}\n", detection_status.message());
    return kExitError;
  }
  if (detection && args.respond) {
    auto response = CorrelateAndRespond(global, ResponseRunOptions{});
    if (!response.ok()) {
      fmt::print(stderr, "vigil ingest: incidents: {}\n", response.status().message());
      return kExitError;
    }
    PrintResponseSummary(*response, stdout);
  }
  if (ingestor.failed_inputs() > 0) {
    fmt::print(stderr, "vigil ingest: {} input(s) could not be read (see above)\n",
               ingestor.failed_inputs());
    return kExitPartial;
  }
  return kExitOk;
}

void RegisterIngestCommand(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto args = std::make_shared<IngestArgs>();
  CLI::App* cmd = app.add_subcommand(
      "ingest",
      "Read EVTX, Windows event JSON/XML, or table-shaped CSV/JSONL files, directories and zip "
      "archives into the store");
  cmd->add_option("--format", args->format, "input format: auto|evtx|jsonl|xml|csv")
      ->capture_default_str();
  cmd->add_option("--table", args->table,
                  "hunting table for inputs already in table shape (CSV with a header row, or "
                  "JSONL keyed by column names)");
  cmd->add_option("--rules", args->detection.rules,
                  "Sigma rules run on every batch (repeatable; default: the shipped rule pack)");
  cmd->add_option("--indicators", args->detection.indicators,
                  "indicator files (CSV/JSON) matched besides <data>/indicators.db");
  cmd->add_option("--detections", args->detection.custom,
                  "custom detection files whose continuous rules run on every batch");
  cmd->add_option("--placeholders", args->detection.placeholders,
                  "YAML file with values for |expand placeholders");
  cmd->add_flag_callback(
      "--no-detect", [args] { args->detection.enabled = false; },
      "store the events without running detection");
  cmd->add_option("paths", args->paths, "files, directories (recursive) or .zip archives")
      ->required();
  cmd->callback([&global, &exit_code, args] { exit_code = RunIngest(global, *args); });
}

}  // namespace vigil::app

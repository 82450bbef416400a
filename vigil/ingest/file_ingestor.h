// FileIngestor: turns paths (files, directories, zip archives) into normalized table batches.
// It detects each input's format, runs the matching reader, normalizes Windows events, and hands
// full batches to a BatchSink (the store, in `vigil ingest`). Used by the CLI and the server.
// Not thread-safe: one ingestor per thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/base/status.h"
#include "vigil/ingest/ingest_report.h"
#include "vigil/ingest/sinks.h"
#include "vigil/schema/catalog.h"

namespace vigil::ingest {

enum class InputFormat { kAuto, kEvtx, kJson, kXml, kCsv };

std::string_view InputFormatName(InputFormat format);
std::optional<InputFormat> ParseInputFormat(std::string_view name);  // auto|evtx|jsonl|json|xml|csv

struct IngestOptions {
  InputFormat format = InputFormat::kAuto;
  // Set for inputs already in table shape (`--table`): CSV with a header row, or JSONL whose keys
  // are the table's columns. Unset: inputs are Windows events (EVTX, JSON, XML).
  const schema::TableSchema* table = nullptr;
};

struct IngestProgress {
  uint64_t bytes_done = 0;   // of plain files and zip members finished so far
  uint64_t bytes_total = 0;  // of all plain files and archives found (known after expansion)
  uint64_t records = 0;
  std::string current;       // input being read
};
using ProgressCallback = std::function<void(const IngestProgress& progress)>;

class FileIngestor {
 public:
  FileIngestor(const schema::Catalog& catalog, IngestOptions options, BatchSink sink,
               IngestReport& report);
  ~FileIngestor();
  FileIngestor(const FileIngestor&) = delete;
  FileIngestor& operator=(const FileIngestor&) = delete;

  // Reads every input. Directories are walked recursively (sorted, so runs are repeatable);
  // zip archives are read in place, member by member. An input that cannot be read at all is
  // reported in the IngestReport (and counted in failed_inputs()) and the others go on. Returns
  // non-OK only when nothing could start (e.g. a path does not exist).
  Status IngestPaths(const std::vector<std::string>& paths, const ProgressCallback& progress);

  // Reads one input held in memory; `name` is used for format hints and reports.
  void IngestBuffer(std::string_view name, std::string_view data);

  // Hands every pending row to the sink.
  void Finish();

  uint64_t failed_inputs() const { return failed_inputs_; }

 private:
  class Impl;
  void IngestFile(const std::string& path);
  void IngestZip(const std::string& name, std::string_view data, int depth);
  InputFormat Detect(std::string_view name, std::string_view data) const;

  const schema::Catalog& catalog_;
  IngestOptions options_;
  BatchSink sink_;
  IngestReport& report_;
  std::unique_ptr<Impl> impl_;
  uint64_t failed_inputs_ = 0;
  IngestProgress progress_;
  const ProgressCallback* progress_callback_ = nullptr;
};

}  // namespace vigil::ingest

// IngestReport: what a reader or normalizer read, produced and skipped, for the CLI summary
// and the API. Every skip is counted by reason and the first few are kept with file and
// position so an operator can find them. Not thread-safe: one report per worker, merged after.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace vigil::ingest {

struct SkipRecord {
  std::string source;    // file (and archive member) name
  std::string position;  // "offset 0x1234", "line 17", "chunk 3 record 120"
  std::string reason;    // "bad chunk signature", "invalid JSON: ..."
};

class IngestReport {
 public:
  static constexpr size_t kMaxKeptSkips = 200;

  void CountFile() { ++files_; }
  void CountRecord(uint64_t n = 1) { records_read_ += n; }
  void CountRows(const std::string& table, uint64_t n = 1) { rows_by_table_[table] += n; }
  // Records a skipped record/chunk/line. `reason_key` groups counts ("bad chunk header");
  // `detail` adds specifics for the kept sample.
  void Skip(const std::string& source, const std::string& position, const std::string& reason_key,
            const std::string& detail = "");
  // A note that is not a skip (e.g. "file is dirty; header counts ignored").
  void Warn(const std::string& source, const std::string& message);

  void Merge(const IngestReport& other);

  uint64_t files() const { return files_; }
  uint64_t records_read() const { return records_read_; }
  uint64_t skipped() const { return skipped_; }
  const std::map<std::string, uint64_t>& rows_by_table() const { return rows_by_table_; }
  const std::map<std::string, uint64_t>& skips_by_reason() const { return skips_by_reason_; }
  const std::vector<SkipRecord>& kept_skips() const { return kept_skips_; }
  const std::vector<std::string>& warnings() const { return warnings_; }
  uint64_t TotalRows() const;

 private:
  uint64_t files_ = 0;
  uint64_t records_read_ = 0;
  uint64_t skipped_ = 0;
  std::map<std::string, uint64_t> rows_by_table_;
  std::map<std::string, uint64_t> skips_by_reason_;
  std::vector<SkipRecord> kept_skips_;
  std::vector<std::string> warnings_;
};

}  // namespace vigil::ingest

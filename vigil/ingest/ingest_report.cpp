#include "vigil/ingest/ingest_report.h"

namespace vigil::ingest {

void IngestReport::Skip(const std::string& source, const std::string& position,
                        const std::string& reason_key, const std::string& detail) {
  ++skipped_;
  ++skips_by_reason_[reason_key];
  if (kept_skips_.size() < kMaxKeptSkips) {
    kept_skips_.push_back(
        SkipRecord{source, position, detail.empty() ? reason_key : reason_key + ": " + detail});
  }
}

void IngestReport::Warn(const std::string& source, const std::string& message) {
  if (warnings_.size() < kMaxKeptSkips) {
    warnings_.push_back(source + ": " + message);
  }
}

void IngestReport::Merge(const IngestReport& other) {
  files_ += other.files_;
  records_read_ += other.records_read_;
  skipped_ += other.skipped_;
  for (const auto& [table, n] : other.rows_by_table_) {
    rows_by_table_[table] += n;
  }
  for (const auto& [reason, n] : other.skips_by_reason_) {
    skips_by_reason_[reason] += n;
  }
  for (const auto& skip : other.kept_skips_) {
    if (kept_skips_.size() >= kMaxKeptSkips) {
      break;
    }
    kept_skips_.push_back(skip);
  }
  for (const auto& warning : other.warnings_) {
    if (warnings_.size() >= kMaxKeptSkips) {
      break;
    }
    warnings_.push_back(warning);
  }
}

uint64_t IngestReport::TotalRows() const {
  uint64_t total = 0;
  for (const auto& [table, n] : rows_by_table_) {
    total += n;
  }
  return total;
}

}  // namespace vigil::ingest

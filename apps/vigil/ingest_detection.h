// Detection inside `vigil ingest` (and `vigil demo`): every normalized batch goes through the
// Detector before the store (ingest -> detect -> store); alerts land in AlertInfo/AlertEvidence
// and in <data>/alerts.db. Indicators come from <data>/indicators.db and --indicators files.
// One instance per ingest run; not thread-safe.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "vigil/base/status.h"
#include "vigil/detect/alerts/alert_pipeline.h"
#include "vigil/detect/alerts/alert_store.h"
#include "vigil/detect/detector.h"
#include "vigil/store/store.h"

namespace vigil::app {

struct DetectionArgs {
  bool enabled = true;
  std::vector<std::string> rules;       // empty: the shipped rule pack
  std::vector<std::string> indicators;  // extra indicator files
  std::string placeholders;
  std::vector<std::string> custom;  // custom detection files; their continuous rules run inline
};

class IngestDetection {
 public:
  // `store` receives the AlertInfo/AlertEvidence rows and must outlive this object.
  static Result<std::unique_ptr<IngestDetection>> Create(const std::string& data_dir,
                                                         const DetectionArgs& args,
                                                         store::Store* store);
  void OnBatch(const schema::TableBatch& batch) { detector_->OnBatch(batch); }
  // Closes every alert group and writes the remaining rows and records.
  Status Finish();
  void PrintSummary(std::FILE* out) const;

 private:
  IngestDetection() = default;
  std::unique_ptr<detect::alerts::AlertStore> alert_store_;
  std::unique_ptr<detect::alerts::AlertPipeline> pipeline_;
  std::unique_ptr<detect::Detector> detector_;
  Status sink_status_;
  size_t rules_loaded_ = 0, rules_failed_ = 0, rules_unmapped_ = 0, indicators_ = 0;
  std::map<std::string, uint64_t> by_severity_, by_title_;
};

}  // namespace vigil::app

// IngestService: the server's ingest -> detect -> store path. A request body (table-shaped JSON
// lines or Windows-event JSON) is read by the vigil/ingest readers, every batch goes through the
// Detector (when rules or indicators are configured) and then Store::Append, which fsyncs the
// WAL. Thread-safe: admission counts bytes in flight (bounded); one writer at a time (mutex).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/base/status.h"
#include "vigil/detect/custom_detection.h"
#include "vigil/detect/ioc/indicator_set.h"
#include "vigil/detect/sigma/rule.h"
#include "vigil/ingest/ingest_report.h"
#include "vigil/schema/catalog.h"

namespace vigil::store {
class Store;
}  // namespace vigil::store
namespace vigil::detect {
class Detector;
}  // namespace vigil::detect
namespace vigil::detect::alerts {
class AlertPipeline;
class AlertStore;
}  // namespace vigil::detect::alerts

namespace vigil::api {

struct IngestServiceOptions {
  size_t max_bytes_in_flight = size_t{256} << 20;  // admitted request bodies not yet stored
  int retry_after_seconds = 2;                     // told to callers refused for a full queue
  const schema::Catalog* catalog = nullptr;        // null: schema::Catalog::Default()
  // Inline detection: on when `rules` has rules or `indicators` is set (the CLI's LoadRules
  // and indicator loading fill these). `rule_paths` as detect::DetectorOptions::rule_paths.
  detect::sigma::RuleSet rules;
  std::vector<std::string> rule_paths;
  std::shared_ptr<const detect::ioc::IndicatorSet> indicators;
  // Continuous custom detections (KQL) run on every stored batch, as in `vigil ingest
  // --detections`.
  std::vector<detect::CustomDetectionRule> continuous;
  // Alert records go here (the server's open alerts.db); null: <data_dir>/alerts.db is opened.
  detect::alerts::AlertStore* alerts = nullptr;
  // Build the detector even with no rules configured, so detections added at run time
  // (SetContinuousDetections) have somewhere to run (the server sets it).
  bool always_detect = false;
};

enum class IngestFormat { kJsonLines, kWindowsJson };

struct IngestSkip {
  uint64_t line = 0;     // 0 when the position is not a line
  std::string position;  // the reader's position text ("line 3")
  std::string reason;
};

struct IngestOutcome {
  uint64_t accepted = 0;                   // rows appended (durable)
  std::map<std::string, uint64_t> tables;  // rows appended per table (alerts included)
  uint64_t skipped_total = 0;
  std::vector<IngestSkip> skipped;  // the first ingest::IngestReport::kMaxKeptSkips
  uint64_t detections = 0;          // detector hits in this request
};

class IngestService {
 public:
  // `store` must outlive the service.
  static Result<std::unique_ptr<IngestService>> Create(std::string data_dir, store::Store* store,
                                                       IngestServiceOptions options);
  ~IngestService();  // finishes detection (closes alert groups) and writes what is pending
  IngestService(const IngestService&) = delete;
  IngestService& operator=(const IngestService&) = delete;

  // Reserves `bytes` of the in-flight budget; false when it would exceed the bound (the caller
  // answers 503 + Retry-After). Every true must be matched by Release(bytes).
  bool TryAdmit(size_t bytes);
  void Release(size_t bytes);
  size_t bytes_in_flight() const { return in_flight_.load(); }
  size_t max_bytes_in_flight() const { return options_.max_bytes_in_flight; }
  int retry_after_seconds() const { return options_.retry_after_seconds; }
  bool detection_enabled() const { return detector_ != nullptr; }
  size_t continuous_detections() const { return continuous_count_; }

  // Reads `body`, detects, appends; returns once the rows are durable. `table` is required for
  // kJsonLines (NotFound when the catalog lacks it) and ignored for kWindowsJson. Per-line
  // problems are in the outcome, not errors. Blocks while another request writes.
  Result<IngestOutcome> Ingest(std::string_view table, IngestFormat format,
                               std::string_view body);

  // Closes correlation windows and alert groups that ended before `now_us` (event time, UTC
  // microseconds), so their AlertInfo/AlertEvidence rows are written; the server calls it on a
  // timer, as the stream may go quiet.
  Status AdvanceTo(int64_t now_us);

  // Finishes detection and writes pending alerts (also done by the destructor).
  Status Finish();

  // Live detection changes from the console. Both wait for the request being written (the
  // write mutex), so every batch sees one consistent configuration, and apply from the next
  // batch on. FailedPrecondition when the service has no detector (no rules and not
  // always_detect). SetContinuousDetections validates every rule first; on error nothing
  // changes.
  Status SetContinuousDetections(std::vector<detect::CustomDetectionRule> rules);
  Status SetDisabledRules(std::set<std::string> rule_ids);
  // The Sigma rules and correlations the detector runs (immutable after Create); null without a
  // detector.
  const detect::sigma::RuleSet* loaded_rules() const;

 private:
  IngestService() = default;

  std::string data_dir_;
  store::Store* store_ = nullptr;
  IngestServiceOptions options_;
  const schema::Catalog* catalog_ = nullptr;
  std::atomic<size_t> in_flight_{0};
  std::atomic<size_t> continuous_count_{0};

  std::mutex write_mu_;  // one writer: readers, detector, pipeline, store appends
  std::unique_ptr<detect::alerts::AlertStore> own_alerts_;
  std::unique_ptr<detect::alerts::AlertPipeline> pipeline_;
  std::unique_ptr<detect::Detector> detector_;
  // Per request, under write_mu_:
  Status sink_status_;
  IngestOutcome* current_ = nullptr;
  uint64_t detections_ = 0;
  bool finished_ = false;
};

}  // namespace vigil::api

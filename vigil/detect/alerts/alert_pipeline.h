// AlertPipeline: turns AlertDrafts from every detector into alerts. Identical drafts (same rule,
// same set of entity keys) within a window become one alert with a count; each alert gets a
// stable AlertId, its record goes to the AlertStore and, when its window closes, one AlertInfo
// row plus one AlertEvidence row per entity go to a batch sink. Used by the detection pipeline.
// Not thread-safe: one instance per detection thread (the AlertStore it writes to is).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "vigil/base/status.h"
#include "vigil/detect/alert.h"
#include "vigil/detect/alerts/alert_store.h"
#include "vigil/schema/catalog.h"
#include "vigil/schema/table_batch.h"

namespace vigil::detect::alerts {

struct AlertPipelineOptions {
  // A group lasts from its first draft's event time for this long; later drafts open a new
  // alert.
  int64_t window_us = int64_t{3600} * 1'000'000;
  // Groups close once the newest event time seen passes window end + this, so drafts that
  // arrive a little out of order (several sources interleaved) still join their group.
  int64_t allowed_lateness_us = int64_t{300} * 1'000'000;
  // Open groups held at most; at the cap the group opened first is closed early.
  size_t max_open_groups = 10'000;
  // AlertInfo/AlertEvidence rows per sink call (a partial batch goes out on Flush()).
  size_t batch_rows = 2048;
  // Alert records per store transaction (sooner on Flush()).
  size_t store_batch = 256;
  // Where AlertInfo and AlertEvidence are looked up; null = schema::Catalog::Default().
  const schema::Catalog* catalog = nullptr;
};

struct AlertPipelineStats {
  uint64_t drafts = 0;         // Add() calls
  uint64_t alerts = 0;         // groups opened (distinct AlertIds)
  uint64_t grouped = 0;        // drafts folded into an open group
  uint64_t closed = 0;         // groups closed (rows emitted)
  uint64_t closed_at_cap = 0;  // of which closed early because of max_open_groups
  uint64_t info_rows = 0;      // AlertInfo rows emitted
  uint64_t evidence_rows = 0;  // AlertEvidence rows emitted
  uint64_t store_errors = 0;   // failed store transactions (records of that batch are lost)
};

// AlertId = "va" + the first 32 hex digits of SHA-256(group key + '\0' + window start), where
// the group key is rule_id (or "title:" + title when a draft has no rule id) + '\0' + the
// sorted entity keys (EntityKeys()) joined by '\n', and the window start is the decimal event
// time (UTC microseconds) of the draft that opened the group. The same events give the same
// ids on every run, so re-ingesting a file updates its alerts instead of duplicating them.
std::string MakeAlertId(std::string_view rule_key, const std::vector<std::string>& entity_keys,
                        int64_t window_start_us);

class AlertPipeline {
 public:
  using RowSink = std::function<void(schema::TableBatch& batch)>;

  // `sink` receives AlertInfo and AlertEvidence batches (and may swap their rows out; the
  // pipeline clears them after the call); empty = no rows. `store` may be null (no records);
  // it must outlive the pipeline. Fails when the catalog lacks AlertInfo or AlertEvidence.
  static Result<std::unique_ptr<AlertPipeline>> Create(AlertPipelineOptions options, RowSink sink,
                                                       AlertStore* store);
  // Calls Finish(), so nothing pending is lost.
  ~AlertPipeline();
  AlertPipeline(const AlertPipeline&) = delete;
  AlertPipeline& operator=(const AlertPipeline&) = delete;

  // Adds one draft; returns the AlertId it was counted under. May close groups whose window
  // has passed and call the sink / write the store.
  std::string Add(AlertDraft draft);
  // Closes groups whose window (plus lateness) ended at or before `now_us`, for streams that
  // go quiet.
  void AdvanceTo(int64_t now_us);
  // Writes pending records (new alerts and changed counts of open ones) to the store and hands
  // partial row batches to the sink. Groups stay open.
  void Flush();
  // Closes every group, then Flush().
  void Finish();

  // The last store error, or OK.
  const Status& status() const { return status_; }
  const AlertPipelineStats& stats() const { return stats_; }
  size_t open_groups() const { return groups_.size(); }

 private:
  struct Group {
    std::string alert_id;
    int64_t window_start_us = 0;
    AlertRecord record;
    std::vector<Evidence> evidence;
    bool dirty = false;  // record changed since last written to the store
  };
  struct Columns;

  AlertPipeline(AlertPipelineOptions options, RowSink sink, AlertStore* store,
                const schema::TableSchema& info, const schema::TableSchema& evidence);
  void OpenGroup(const std::string& key, AlertDraft&& draft, std::vector<std::string>&& keys,
                 std::string_view rule_key);
  void CloseGroup(const std::string& key);
  void CloseExpired();
  void EmitRows(const Group& group);
  void SinkIfFull(bool force);
  void WriteStore(bool force);

  AlertPipelineOptions options_;
  RowSink sink_;
  AlertStore* store_;
  std::unique_ptr<Columns> columns_;
  schema::TableBatch info_;
  schema::TableBatch evidence_;
  // Open groups by group key (binary digest of rule + entity keys), and the same keys ordered
  // by window start for expiry and the cap.
  std::unordered_map<std::string, Group> groups_;
  std::set<std::pair<int64_t, std::string>> by_start_;
  std::vector<AlertRecord> pending_records_;  // closed groups not yet written
  size_t dirty_open_ = 0;
  int64_t watermark_us_ = std::numeric_limits<int64_t>::min();
  Status status_;
  AlertPipelineStats stats_;
};

}  // namespace vigil::detect::alerts

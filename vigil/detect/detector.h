// Detector: the detection stage of the data path (ingest -> detect -> store). Every normalized
// batch goes through the compiled Sigma rules, the correlation rules fed by their hits, the
// indicators and the continuous custom detections; what fires becomes AlertDrafts that the
// alert pipeline groups into alerts (AlertInfo/AlertEvidence rows + alert records). Used by
// `vigil ingest`, `vigil detect` and the server. Not thread-safe: one Detector per ingest
// thread (the compiled rules inside are shared read-only).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "vigil/base/status.h"
#include "vigil/detect/alert.h"
#include "vigil/detect/alerts/alert_pipeline.h"
#include "vigil/detect/custom_detection.h"
#include "vigil/detect/match/compiled.h"
#include "vigil/detect/sigma/rule.h"
#include "vigil/schema/table_batch.h"

namespace vigil::detect {

namespace correlate {
class CorrelationEngine;
}
namespace ioc {
class IndicatorSet;
}

// One detection before grouping: the draft, the rule's level as written ("high", or the
// severity for non-Sigma detections) and the event (null batch for correlations).
struct DetectionEvent {
  const AlertDraft& draft;
  std::string_view level;
  const schema::TableBatch* batch = nullptr;
  size_t row = 0;
};
using DetectionCallback = std::function<void(const DetectionEvent& event)>;

struct DetectorOptions {
  const schema::Catalog* catalog = nullptr;  // null: schema::Catalog::Default()
  // Absolute path of each rule's file (same order as RuleSet::rules), for the DRL link; empty
  // entries get no link.
  std::vector<std::string> rule_paths;
  match::BuildOptions match;
  // Continuous custom detections run on every batch (needs `engine` for validation only).
  std::vector<CustomDetectionRule> continuous;
  // Indicators matched on every batch; may be null.
  std::shared_ptr<const ioc::IndicatorSet> indicators;
  // Keep the whole event as JSON in each draft (source_row_json).
  bool keep_row_json = true;
  // How far out of event-time order hits of one correlation group may arrive. Batches come per
  // table (a file's process events, then its network events, ...), so events of different
  // tables interleave loosely. For the same reason batches do not advance the correlation
  // clock: only AdvanceTo() (a quiet stream, the server's timer) and Finish() close windows and
  // expire idle groups; until then the engine's caps bound its state.
  int64_t correlation_disorder_us = int64_t{3600} * 1'000'000;
};

struct DetectorStats {
  uint64_t batches = 0;
  uint64_t events = 0;
  uint64_t sigma_hits = 0;
  uint64_t correlation_hits = 0;
  uint64_t indicator_hits = 0;
  uint64_t custom_hits = 0;
  uint64_t suppressed_by_allow = 0;   // drafts dropped: evidence carries an Allowed indicator
  uint64_t suppressed_base_rules = 0;  // hits of rules only correlations use (no `generate`)
  uint64_t custom_errors = 0;
  uint64_t suppressed_disabled = 0;  // drafts dropped: their rule is switched off
  std::map<uint32_t, uint64_t> hits_by_rule;  // Sigma rule index -> hits
};

class Detector {
 public:
  // `rules` is kept; `pipeline` (may be null: drafts only go to `on_detection`) must outlive
  // the detector. Rules that cannot be compiled or mapped are listed in unmapped(); the others
  // run.
  static Result<std::unique_ptr<Detector>> Create(sigma::RuleSet rules, DetectorOptions options,
                                                  alerts::AlertPipeline* pipeline,
                                                  DetectionCallback on_detection = {});
  ~Detector();
  Detector(const Detector&) = delete;
  Detector& operator=(const Detector&) = delete;

  // Runs every detector over the batch (rows are not modified or kept).
  void OnBatch(const schema::TableBatch& batch);
  // Expires correlation state and closes alert groups up to `now_us` (a quiet stream).
  void AdvanceTo(int64_t now_us);
  // Flushes everything pending (end of input).
  void Finish();

  // Rules switched off by an operator (the console's PATCH /api/rules/{id}), by
  // AlertDraft::rule_id (a Sigma or correlation id, as sigma_alerts.cpp and the correlation
  // feed set it). Their drafts are dropped in Emit(), after matching: a disabled Sigma rule
  // still feeds the correlations built on it (switch those off separately), and the compiled
  // rule set stays shared and immutable, so no recompilation is needed. Null: none disabled.
  void SetDisabledRules(std::shared_ptr<const std::set<std::string>> rule_ids);
  // Replaces the continuous custom detections; every rule is validated first and on an error
  // nothing changes. Takes effect from the next batch.
  Status SetContinuous(std::vector<CustomDetectionRule> rules);
  size_t continuous_count() const { return options_.continuous.size(); }

  const sigma::RuleSet& rules() const { return rules_; }
  const match::CompiledRuleSet& compiled() const { return *compiled_; }
  const std::vector<std::string>& correlation_problems() const { return correlation_problems_; }
  const DetectorStats& stats() const { return stats_; }

 private:
  Detector(sigma::RuleSet rules, DetectorOptions options, alerts::AlertPipeline* pipeline,
           DetectionCallback on_detection);
  void Emit(AlertDraft draft, std::string_view level, const schema::TableBatch* batch,
            size_t row);
  void RunSigma(const schema::TableBatch& batch);
  // Correlations and indicators (detector_feeds.cpp).
  Status InitCorrelations();
  // Feeds a Sigma hit to the correlations that use its rule; false when the rule is used only
  // by correlations without `generate` (its own alert is then suppressed).
  bool FeedCorrelations(const schema::TableBatch& batch, const match::RuleHit& hit);
  void DrainCorrelations();
  void AdvanceCorrelations(int64_t now_us);
  void FinishCorrelations();
  void RunIndicators(const schema::TableBatch& batch);
  void RunContinuous(const schema::TableBatch& batch);
  bool Allowed(const AlertDraft& draft) const;

  sigma::RuleSet rules_;
  DetectorOptions options_;
  alerts::AlertPipeline* pipeline_;
  DetectionCallback on_detection_;
  std::shared_ptr<const match::CompiledRuleSet> compiled_;
  std::unique_ptr<match::MatchScratch> scratch_;
  std::unique_ptr<correlate::CorrelationEngine> correlations_;
  std::vector<std::string> correlation_problems_;
  std::vector<AlertDraft> rule_drafts_;  // per rule, the alert fields without the event
  std::vector<match::RuleHit> hits_;
  std::unique_ptr<kql::Engine> custom_engine_;
  std::unique_ptr<CustomDetectionRunner> custom_runner_;
  int64_t max_event_us_ = 0;
  std::shared_ptr<const std::set<std::string>> disabled_rules_;
  DetectorStats stats_;
};

}  // namespace vigil::detect

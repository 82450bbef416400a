#include "apps/vigil/scheduled_detections.h"

#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "apps/vigil/ingest_command.h"
#include "vigil/base/time.h"
#include "vigil/detect/alerts/alert_pipeline.h"
#include "vigil/detect/alerts/alert_store.h"
#include "vigil/kql/exec/engine.h"

namespace vigil::app {

Result<ScheduledRunSummary> RunScheduledDetections(
    const GlobalOptions& global, const std::vector<detect::CustomDetectionRule>& rules,
    int64_t now_ticks, bool first_run) {
  namespace fs = std::filesystem;
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<store::Store> store, OpenStore(global));
  VIGIL_ASSIGN_OR_RETURN(auto alert_store, detect::alerts::AlertStore::Open(
                                               (fs::path(global.data_dir) / "alerts.db").string()));
  Status sink_status;
  VIGIL_ASSIGN_OR_RETURN(auto pipeline, detect::alerts::AlertPipeline::Create(
                                            {},
                                            [&](schema::TableBatch& batch) {
                                              if (sink_status.ok() && !batch.empty()) {
                                                sink_status = store->Append(batch);
                                              }
                                            },
                                            alert_store.get()));
  kql::Engine engine(store.get(), &schema::Catalog::Default());
  detect::CustomDetectionRunner runner(engine);
  ScheduledRunSummary summary;
  for (const auto& rule : rules) {
    if (!rule.enabled) {
      fmt::print("skipped {}: disabled\n", rule.name);
      continue;
    }
    if (rule.period == detect::DetectionPeriod::kContinuous) {
      fmt::print("skipped {}: continuous rules run on ingestion (vigil ingest --detections)\n",
                 rule.name);
      continue;
    }
    if (const Status valid = runner.Validate(rule); !valid.ok()) {
      fmt::print(stderr, "vigil detections: {}\n", valid.message());
      ++summary.failures;
      continue;
    }
    auto run = runner.Run(rule, now_ticks, first_run);
    if (!run.ok()) {
      fmt::print(stderr, "vigil detections: {}\n", run.status().message());
      ++summary.failures;
      continue;
    }
    fmt::print("{}: {} row(s) over {} .. {} -> {} alert(s){}\n", rule.name, run->result_rows,
               FormatDateTime(run->window_start_ticks), FormatDateTime(run->window_end_ticks),
               run->alerts.size(), run->capped ? " (capped at 100)" : "");
    for (const auto& warning : run->warnings) {
      fmt::print("  warning: {}\n", warning);
    }
    for (auto& draft : run->alerts) {
      pipeline->Add(std::move(draft));
    }
  }
  pipeline->Finish();
  VIGIL_RETURN_IF_ERROR(pipeline->status());
  VIGIL_RETURN_IF_ERROR(sink_status);
  VIGIL_RETURN_IF_ERROR(store->Close());
  summary.alerts = pipeline->stats().alerts;
  return summary;
}

}  // namespace vigil::app

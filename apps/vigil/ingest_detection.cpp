#include "apps/vigil/ingest_detection.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include <fmt/format.h>

#include "apps/vigil/detection_setup.h"
#include "apps/vigil/progress_bar.h"
#include "vigil/detect/custom_detection_file.h"
#include "vigil/detect/ioc/indicator_store.h"
#include "vigil/detect/sigma_alerts.h"

namespace vigil::app {
namespace fs = std::filesystem;

Result<std::unique_ptr<IngestDetection>> IngestDetection::Create(const std::string& data_dir,
                                                                 const DetectionArgs& args,
                                                                 store::Store* store) {
  std::unique_ptr<IngestDetection> d(new IngestDetection());
  std::vector<std::string> rule_paths = args.rules;
  if (rule_paths.empty()) {
    const std::string shipped = DefaultRulesDir();
    if (!shipped.empty()) {
      rule_paths.push_back(shipped);
    }
  }
  LoadedRules loaded;
  if (!rule_paths.empty()) {
    VIGIL_ASSIGN_OR_RETURN(loaded, LoadRules(rule_paths, args.placeholders));
  }
  d->rules_loaded_ = loaded.rules.rules.size() + loaded.rules.correlations.size();
  d->rules_failed_ = loaded.rules.errors.size();

  // Indicators: the data directory's store plus any files given.
  const int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  std::vector<detect::ioc::Indicator> indicators;
  const fs::path ioc_db = fs::path(data_dir) / "indicators.db";
  if (fs::exists(ioc_db)) {
    VIGIL_ASSIGN_OR_RETURN(auto ioc_store, detect::ioc::IndicatorStore::Open(ioc_db.string()));
    detect::ioc::IndicatorListFilter filter;
    filter.now_us = now_us;
    VIGIL_ASSIGN_OR_RETURN(indicators, ioc_store->List(filter));
  }
  detect::DetectorOptions options;
  options.rule_paths = loaded.rule_paths;
  if (!args.custom.empty()) {
    auto custom = detect::LoadCustomDetections(args.custom);
    if (!custom.errors.empty()) {
      return InvalidArgumentError("{}", custom.errors.front());
    }
    for (auto& rule : custom.rules) {
      if (rule.enabled && rule.period == detect::DetectionPeriod::kContinuous) {
        options.continuous.push_back(std::move(rule));
      }
    }
  }
  if (!args.indicators.empty() || !indicators.empty()) {
    if (!args.indicators.empty()) {
      VIGIL_ASSIGN_OR_RETURN(auto from_files, LoadIndicatorFiles(args.indicators));
      for (const auto& i : from_files->indicators()) {
        indicators.push_back(i);
      }
    }
    VIGIL_ASSIGN_OR_RETURN(options.indicators,
                           detect::ioc::IndicatorSet::Build(std::move(indicators), now_us));
    d->indicators_ = options.indicators->size();
  }

  VIGIL_ASSIGN_OR_RETURN(d->alert_store_,
                         detect::alerts::AlertStore::Open((fs::path(data_dir) / "alerts.db").string()));
  IngestDetection* self = d.get();
  auto sink = [self, store](schema::TableBatch& batch) {
    if (self->sink_status_.ok() && !batch.empty()) {
      self->sink_status_ = store->Append(batch);
    }
  };
  VIGIL_ASSIGN_OR_RETURN(d->pipeline_,
                         detect::alerts::AlertPipeline::Create({}, sink, d->alert_store_.get()));
  auto on_detection = [self](const detect::DetectionEvent& e) {
    ++self->by_severity_[std::string(detect::SeverityName(e.draft.severity))];
    ++self->by_title_[e.draft.title];
  };
  VIGIL_ASSIGN_OR_RETURN(d->detector_,
                         detect::Detector::Create(std::move(loaded.rules), std::move(options),
                                                  d->pipeline_.get(), on_detection));
  d->rules_unmapped_ = d->detector_->compiled().unmapped().size();
  return d;
}

Status IngestDetection::Finish() {
  detector_->Finish();
  VIGIL_RETURN_IF_ERROR(pipeline_->status());
  return sink_status_;
}

void IngestDetection::PrintSummary(std::FILE* out) const {
  const auto& st = detector_->stats();
  const auto& ps = pipeline_->stats();
  fmt::print(out,
             "Detection: {} rules ({} failed to load, {} without a table), {} indicators; {} "
             "detections -> {} alerts ({} grouped into existing ones)\n",
             rules_loaded_, rules_failed_, rules_unmapped_, indicators_,
             WithThousands(ps.drafts), WithThousands(ps.alerts), WithThousands(ps.grouped));
  for (const char* severity : {"High", "Medium", "Low", "Informational"}) {
    if (auto it = by_severity_.find(severity); it != by_severity_.end()) {
      fmt::print(out, "  {:>10}  {}\n", WithThousands(it->second), severity);
    }
  }
  std::vector<std::pair<uint64_t, std::string>> top;
  for (const auto& [title, n] : by_title_) {
    top.emplace_back(n, title);
  }
  std::sort(top.begin(), top.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  for (size_t i = 0; i < top.size() && i < 10; ++i) {
    fmt::print(out, "  {:>10}  {}\n", WithThousands(top[i].first), top[i].second);
  }
  if (st.suppressed_by_allow > 0) {
    fmt::print(out, "  suppressed by Allowed indicators: {}\n", st.suppressed_by_allow);
  }
  for (const auto& problem : detector_->correlation_problems()) {
    fmt::print(out, "  correlation not run: {}\n", problem);
  }
}

}  // namespace vigil::app

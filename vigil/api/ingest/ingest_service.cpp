#include "vigil/api/ingest/ingest_service.h"

#include <charconv>
#include <filesystem>

#include "vigil/detect/alerts/alert_pipeline.h"
#include "vigil/detect/alerts/alert_store.h"
#include "vigil/detect/detector.h"
#include "vigil/ingest/file_ingestor.h"
#include "vigil/store/store.h"

namespace vigil::api {

Result<std::unique_ptr<IngestService>> IngestService::Create(std::string data_dir,
                                                             store::Store* store,
                                                             IngestServiceOptions options) {
  if (store == nullptr) {
    return InvalidArgumentError("IngestService needs an open store");
  }
  std::unique_ptr<IngestService> s(new IngestService());
  s->data_dir_ = std::move(data_dir);
  s->store_ = store;
  s->catalog_ = options.catalog != nullptr ? options.catalog : &schema::Catalog::Default();
  s->options_ = std::move(options);
  const bool detect = !s->options_.rules.rules.empty() ||
                      !s->options_.rules.correlations.empty() ||
                      s->options_.indicators != nullptr || !s->options_.continuous.empty() ||
                      s->options_.always_detect;
  if (!detect) {
    return s;
  }
  detect::alerts::AlertStore* alerts = s->options_.alerts;
  if (alerts == nullptr) {
    VIGIL_ASSIGN_OR_RETURN(s->own_alerts_,
                           detect::alerts::AlertStore::Open(
                               (std::filesystem::path(s->data_dir_) / "alerts.db").string()));
    alerts = s->own_alerts_.get();
  }
  IngestService* self = s.get();
  // AlertInfo/AlertEvidence rows take the same path to the store as telemetry.
  auto alert_sink = [self](schema::TableBatch& batch) {
    if (batch.empty() || !self->sink_status_.ok()) {
      return;
    }
    self->sink_status_ = self->store_->Append(batch);
    if (self->sink_status_.ok() && self->current_ != nullptr) {
      self->current_->tables[batch.schema().name()] += batch.rows();
    }
  };
  detect::alerts::AlertPipelineOptions pipeline_options;
  pipeline_options.catalog = s->catalog_;
  VIGIL_ASSIGN_OR_RETURN(s->pipeline_,
                         detect::alerts::AlertPipeline::Create(pipeline_options, alert_sink, alerts));
  detect::DetectorOptions detector_options;
  detector_options.catalog = s->catalog_;
  detector_options.rule_paths = s->options_.rule_paths;
  detector_options.indicators = s->options_.indicators;
  s->continuous_count_ = s->options_.continuous.size();
  detector_options.continuous = std::move(s->options_.continuous);
  VIGIL_ASSIGN_OR_RETURN(
      s->detector_,
      detect::Detector::Create(std::move(s->options_.rules), std::move(detector_options),
                               s->pipeline_.get(),
                               [self](const detect::DetectionEvent&) { ++self->detections_; }));
  return s;
}

IngestService::~IngestService() { Finish().IgnoreError(); }

Status IngestService::SetContinuousDetections(std::vector<detect::CustomDetectionRule> rules) {
  std::lock_guard<std::mutex> lock(write_mu_);
  if (detector_ == nullptr) {
    return FailedPreconditionError("ingestion runs without detection");
  }
  VIGIL_RETURN_IF_ERROR(detector_->SetContinuous(std::move(rules)));
  continuous_count_ = detector_->continuous_count();
  return Status::Ok();
}

Status IngestService::SetDisabledRules(std::set<std::string> rule_ids) {
  std::lock_guard<std::mutex> lock(write_mu_);
  if (detector_ == nullptr) {
    return FailedPreconditionError("ingestion runs without detection");
  }
  detector_->SetDisabledRules(std::make_shared<const std::set<std::string>>(std::move(rule_ids)));
  return Status::Ok();
}

const detect::sigma::RuleSet* IngestService::loaded_rules() const {
  return detector_ != nullptr ? &detector_->rules() : nullptr;
}

Status IngestService::AdvanceTo(int64_t now_us) {
  std::lock_guard<std::mutex> lock(write_mu_);
  if (finished_ || detector_ == nullptr) {
    return Status::Ok();
  }
  sink_status_ = Status::Ok();
  detector_->AdvanceTo(now_us);
  pipeline_->Flush();  // hand the closed groups' rows to the store now, not when a batch fills
  VIGIL_RETURN_IF_ERROR(pipeline_->status());
  return sink_status_;
}

Status IngestService::Finish() {
  std::lock_guard<std::mutex> lock(write_mu_);
  if (finished_ || detector_ == nullptr) {
    finished_ = true;
    return Status::Ok();
  }
  finished_ = true;
  sink_status_ = Status::Ok();
  detector_->Finish();
  VIGIL_RETURN_IF_ERROR(pipeline_->status());
  return sink_status_;
}

bool IngestService::TryAdmit(size_t bytes) {
  size_t current = in_flight_.load();
  do {
    if (current + bytes > options_.max_bytes_in_flight || current + bytes < current) {
      return false;
    }
  } while (!in_flight_.compare_exchange_weak(current, current + bytes));
  return true;
}

void IngestService::Release(size_t bytes) { in_flight_.fetch_sub(bytes); }

Result<IngestOutcome> IngestService::Ingest(std::string_view table, IngestFormat format,
                                            std::string_view body) {
  ingest::IngestOptions read_options;
  read_options.format = ingest::InputFormat::kJson;
  if (format == IngestFormat::kJsonLines) {
    read_options.table = catalog_->Find(table);
    if (read_options.table == nullptr) {
      return NotFoundError("unknown table '{}'", table.substr(0, 128));
    }
  }
  std::lock_guard<std::mutex> lock(write_mu_);
  if (finished_) {
    return FailedPreconditionError("the ingest service is shut down");
  }
  IngestOutcome outcome;
  current_ = &outcome;
  sink_status_ = Status::Ok();
  const uint64_t detections_before = detections_;
  // ingest -> detect -> store: the detector sees each batch before it is appended.
  auto sink = [this, &outcome](schema::TableBatch& batch) {
    if (batch.empty() || !sink_status_.ok()) {
      return;
    }
    if (detector_ != nullptr) {
      detector_->OnBatch(batch);
    }
    if (!sink_status_.ok()) {
      return;
    }
    sink_status_ = store_->Append(batch);
    if (sink_status_.ok()) {
      outcome.accepted += batch.rows();
      outcome.tables[batch.schema().name()] += batch.rows();
    }
  };
  ingest::IngestReport report;
  {
    ingest::FileIngestor reader(*catalog_, read_options, sink, report);
    reader.IngestBuffer(format == IngestFormat::kJsonLines ? "request.jsonl" : "request.json",
                        body);
    reader.Finish();
  }
  if (pipeline_ != nullptr && sink_status_.ok()) {
    // New alerts become visible now; their groups stay open for later events.
    pipeline_->Flush();
  }
  current_ = nullptr;
  outcome.detections = detections_ - detections_before;
  VIGIL_RETURN_IF_ERROR(sink_status_);
  if (pipeline_ != nullptr) {
    VIGIL_RETURN_IF_ERROR(pipeline_->status());
  }
  outcome.skipped_total = report.skipped();
  for (const auto& skip : report.kept_skips()) {
    IngestSkip s;
    s.position = skip.position;
    s.reason = skip.reason;
    constexpr std::string_view kLine = "line ";
    if (skip.position.rfind(kLine, 0) == 0) {
      const char* begin = skip.position.data() + kLine.size();
      std::from_chars(begin, skip.position.data() + skip.position.size(), s.line);
    }
    outcome.skipped.push_back(std::move(s));
  }
  return outcome;
}

}  // namespace vigil::api

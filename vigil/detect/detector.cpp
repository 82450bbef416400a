#include "vigil/detect/detector.h"

#include <algorithm>
#include <utility>

#include "vigil/detect/alerts/evidence.h"
#include "vigil/detect/correlate/correlation_engine.h"
#include "vigil/detect/ioc/indicator_set.h"
#include "vigil/detect/sigma_alerts.h"
#include "vigil/schema/row_json.h"

namespace vigil::detect {
namespace {

// Event time of a row in microseconds (0 when the table has no Timestamp or it is null).
int64_t RowTimeUs(const schema::TableBatch& batch, size_t row) {
  const int ts = batch.schema().timestamp_column();
  if (ts < 0) {
    return 0;
  }
  const auto& col = batch.column(static_cast<size_t>(ts));
  return col.IsNull(row) ? 0 : col.ints[row] / 10;
}

std::string ReportIdText(const schema::TableBatch& batch, size_t row) {
  const int c = batch.schema().FindColumn("ReportId");
  if (c < 0) {
    return "";
  }
  const auto& col = batch.column(static_cast<size_t>(c));
  if (col.IsNull(row)) {
    return "";
  }
  if (schema::IsIntegerBacked(col.type)) {
    return std::to_string(col.ints[row]);
  }
  return std::string(col.GetBytes(row));
}

}  // namespace

Detector::Detector(sigma::RuleSet rules, DetectorOptions options, alerts::AlertPipeline* pipeline,
                   DetectionCallback on_detection)
    : rules_(std::move(rules)),
      options_(std::move(options)),
      pipeline_(pipeline),
      on_detection_(std::move(on_detection)) {}

Detector::~Detector() = default;

Result<std::unique_ptr<Detector>> Detector::Create(sigma::RuleSet rules, DetectorOptions options,
                                                   alerts::AlertPipeline* pipeline,
                                                   DetectionCallback on_detection) {
  std::unique_ptr<Detector> d(
      new Detector(std::move(rules), std::move(options), pipeline, std::move(on_detection)));
  const schema::Catalog& catalog =
      d->options_.catalog != nullptr ? *d->options_.catalog : schema::Catalog::Default();
  VIGIL_ASSIGN_OR_RETURN(d->compiled_,
                         match::CompiledRuleSet::Build(d->rules_, catalog, d->options_.match));
  d->scratch_ = std::make_unique<match::MatchScratch>();
  d->rule_drafts_.reserve(d->rules_.rules.size());
  for (size_t i = 0; i < d->rules_.rules.size(); ++i) {
    const std::string& path =
        i < d->options_.rule_paths.size() ? d->options_.rule_paths[i] : std::string();
    d->rule_drafts_.push_back(
        DraftForRule(d->rules_.rules[i], path.empty() ? std::string() : RuleLink(path)));
  }
  VIGIL_RETURN_IF_ERROR(d->InitCorrelations());
  if (!d->options_.continuous.empty()) {
    std::vector<CustomDetectionRule> continuous = std::move(d->options_.continuous);
    d->options_.continuous.clear();
    VIGIL_RETURN_IF_ERROR(d->SetContinuous(std::move(continuous)));
  }
  return d;
}

Status Detector::SetContinuous(std::vector<CustomDetectionRule> rules) {
  if (!custom_runner_) {
    // Continuous rules run over each batch alone; validation binds against the catalog only.
    const schema::Catalog& catalog =
        options_.catalog != nullptr ? *options_.catalog : schema::Catalog::Default();
    custom_engine_ = std::make_unique<kql::Engine>(nullptr, &catalog);
    custom_runner_ = std::make_unique<CustomDetectionRunner>(*custom_engine_);
  }
  for (const auto& rule : rules) {
    VIGIL_RETURN_IF_ERROR(custom_runner_->Validate(rule));
  }
  options_.continuous = std::move(rules);
  return Status::Ok();
}

void Detector::SetDisabledRules(std::shared_ptr<const std::set<std::string>> rule_ids) {
  disabled_rules_ = std::move(rule_ids);
}

void Detector::OnBatch(const schema::TableBatch& batch) {
  if (batch.empty()) {
    return;
  }
  ++stats_.batches;
  stats_.events += batch.rows();
  RunSigma(batch);
  RunIndicators(batch);
  RunContinuous(batch);
  DrainCorrelations();
}

void Detector::RunSigma(const schema::TableBatch& batch) {
  hits_.clear();
  compiled_->Match(batch, *scratch_, hits_);
  for (const auto& hit : hits_) {
    ++stats_.sigma_hits;
    ++stats_.hits_by_rule[hit.rule];
    const int64_t when = RowTimeUs(batch, hit.row);
    max_event_us_ = std::max(max_event_us_, when);
    if (!FeedCorrelations(batch, hit)) {
      ++stats_.suppressed_base_rules;
      continue;
    }
    AlertDraft draft = rule_drafts_[hit.rule];
    draft.timestamp_us = when;
    draft.service_source = std::string(ServiceSourceForTable(batch.schema().name()));
    draft.source_table = batch.schema().name();
    draft.source_report_id = ReportIdText(batch, hit.row);
    if (options_.keep_row_json) {
      draft.source_row_json = schema::RowToJson(batch, hit.row);
    }
    draft.evidence = alerts::EvidenceFromRow(batch, hit.row);
    Emit(std::move(draft), LevelName(rules_.rules[hit.rule].level), &batch, hit.row);
  }
}

void Detector::RunContinuous(const schema::TableBatch& batch) {
  if (!custom_runner_ || options_.continuous.empty()) {
    return;
  }
  const int64_t now_ticks = max_event_us_ * 10;
  for (const auto& rule : options_.continuous) {
    auto run = custom_runner_->RunOnBatch(rule, batch, now_ticks);
    if (!run) {
      ++stats_.custom_errors;
      continue;
    }
    for (auto& draft : run->alerts) {
      ++stats_.custom_hits;
      draft.service_source = std::string(ServiceSourceForTable(batch.schema().name()));
      draft.source_table = batch.schema().name();
      const std::string level(SeverityName(draft.severity));
      Emit(std::move(draft), level, nullptr, 0);
    }
  }
}

void Detector::Emit(AlertDraft draft, std::string_view level, const schema::TableBatch* batch,
                    size_t row) {
  if (disabled_rules_ != nullptr && !draft.rule_id.empty() &&
      disabled_rules_->contains(draft.rule_id)) {
    ++stats_.suppressed_disabled;
    return;
  }
  if (Allowed(draft)) {
    ++stats_.suppressed_by_allow;
    return;
  }
  if (on_detection_) {
    on_detection_(DetectionEvent{draft, level, batch, row});
  }
  if (pipeline_ != nullptr) {
    pipeline_->Add(std::move(draft));
  }
}

void Detector::AdvanceTo(int64_t now_us) {
  AdvanceCorrelations(now_us);
  if (pipeline_ != nullptr) {
    pipeline_->AdvanceTo(now_us);
  }
}

void Detector::Finish() {
  FinishCorrelations();
  if (pipeline_ != nullptr) {
    pipeline_->Finish();
  }
}

}  // namespace vigil::detect

// The Detector's correlation and indicator stages (see detector.h).
#include <algorithm>
#include <chrono>
#include <limits>
#include <optional>

#include "vigil/detect/alerts/evidence.h"
#include "vigil/detect/correlate/correlation_engine.h"
#include "vigil/detect/detector.h"
#include "vigil/detect/ioc/hit_draft.h"
#include "vigil/detect/ioc/indicator_set.h"
#include "vigil/detect/sigma_alerts.h"
#include "vigil/schema/row_json.h"

namespace vigil::detect {
namespace {

int64_t WallClockUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c + 32);
    }
  }
  return out;
}

// The entity a correlation's group-by field names, judged by the Sigma field name.
std::optional<Evidence> GroupEntity(std::string_view field, const std::string& value) {
  if (value.empty()) {
    return std::nullopt;
  }
  const std::string f = LowerAscii(field);
  Evidence e;
  auto has = [&](std::string_view part) { return f.find(part) != std::string::npos; };
  if (has("ip") && !has("description") && !has("script")) {
    e.entity_type = "Ip";
    e.remote_ip = value;
  } else if (has("user") || has("account") || f == "subjectusersid" || f == "targetsid") {
    e.entity_type = "User";
    e.evidence_role = "Impacted";
    if (value.rfind("S-1-", 0) == 0) {
      e.account_sid = value;
    } else if (const auto slash = value.find('\\'); slash != std::string::npos) {
      e.account_domain = value.substr(0, slash);
      e.account_name = value.substr(slash + 1);
    } else {
      e.account_name = value;
    }
  } else if (f == "computer" || has("hostname") || has("devicename") || f == "workstationname") {
    e.entity_type = "Machine";
    e.evidence_role = "Impacted";
    e.device_name = LowerAscii(value);
  } else if (has("hash") || f == "sha256" || f == "sha1" || f == "md5") {
    e.entity_type = "File";
    (value.size() == 64 ? e.sha256 : value.size() == 40 ? e.sha1 : e.md5) = LowerAscii(value);
  } else if (has("url") || f == "queryname" || has("domain")) {
    e.entity_type = "Url";
    e.remote_url = value;
  } else if (f == "image" || f == "targetfilename" || f == "commandline") {
    e.entity_type = "Process";
    (f == "commandline" ? e.process_command_line : e.folder_path) = value;
  } else {
    return std::nullopt;
  }
  return e;
}

}  // namespace

Status Detector::InitCorrelations() {
  if (rules_.correlations.empty()) {
    return Status::Ok();
  }
  correlate::EngineOptions engine_options;
  engine_options.max_disorder_us = options_.correlation_disorder_us;
  VIGIL_ASSIGN_OR_RETURN(correlations_,
                         correlate::CorrelationEngine::Create(rules_, engine_options));
  for (const auto& problem : correlations_->Problems()) {
    correlation_problems_.push_back((problem.id.empty() ? problem.title : problem.id) + ": " +
                                    problem.reason);
  }
  return Status::Ok();
}

bool Detector::FeedCorrelations(const schema::TableBatch& batch, const match::RuleHit& hit) {
  if (!correlations_ || !correlations_->IsReferenced(hit.rule)) {
    return true;
  }
  const int64_t when = batch.schema().timestamp_column() >= 0
                           ? batch.column(static_cast<size_t>(batch.schema().timestamp_column()))
                                     .ints[hit.row] / 10
                           : 0;
  correlations_->OnRuleHit(hit.rule, when, [&](std::string_view field) {
    return compiled_->ReadField(batch, hit.row, hit.rule, field);
  });
  return correlations_->ShouldEmitBaseRule(hit.rule);
}

void Detector::DrainCorrelations() {
  if (!correlations_) {
    return;
  }
  for (const auto& hit : correlations_->TakeHits()) {
    if (!correlations_->ShouldEmitCorrelation(hit.correlation)) {
      continue;
    }
    ++stats_.correlation_hits;
    const sigma::Correlation& c = rules_.correlations[hit.correlation];
    AlertDraft d;
    d.timestamp_us = hit.last_us;
    d.title = c.title.empty() ? c.name : c.title;
    d.description = c.description;
    d.severity = SeverityForLevel(c.level);
    d.category = TacticFromTags(c.tags);
    if (d.category.empty()) {
      d.category = "SuspiciousActivity";
    }
    d.attack_techniques = TechniquesFromTags(c.tags);
    d.detection_source = "Correlation";
    d.rule_id = c.id.empty() ? c.name : c.id;
    d.rule_title = d.title;
    d.rule_author = c.author;
    std::string summary = "value " + std::to_string(hit.value) + " over " +
                          std::to_string(hit.events) + " events";
    for (const auto& [field, value] : hit.group) {
      summary += "; " + field + "=" + value;
      if (auto e = GroupEntity(field, value)) {
        d.evidence.push_back(std::move(*e));
      }
    }
    for (uint32_t rule : hit.rules_seen) {
      if (rule < rules_.rules.size()) {
        summary += "; rule " + rules_.rules[rule].title;
      }
    }
    if (d.description.empty()) {
      d.description = summary;
    } else {
      d.description += " (" + summary + ")";
    }
    Emit(std::move(d), LevelName(c.level), nullptr, 0);
  }
}

void Detector::AdvanceCorrelations(int64_t now_us) {
  if (correlations_) {
    correlations_->AdvanceTo(now_us);
  }
  DrainCorrelations();
}

void Detector::FinishCorrelations() {
  // The end of the input closes every deferred window.
  AdvanceCorrelations(std::numeric_limits<int64_t>::max() / 2);
}

void Detector::RunIndicators(const schema::TableBatch& batch) {
  if (!options_.indicators) {
    return;
  }
  std::vector<ioc::IndicatorHit> hits;
  options_.indicators->MatchBatch(batch, WallClockUs(), hits);
  for (const auto& hit : hits) {
    ++stats_.indicator_hits;
    const auto& indicator = options_.indicators->indicator(hit.indicator);
    AlertDraft d = ioc::DraftForHit(indicator, batch, hit.row, hit.column);
    const int ts = batch.schema().timestamp_column();
    if (ts >= 0 && !batch.column(static_cast<size_t>(ts)).IsNull(hit.row)) {
      d.timestamp_us = batch.column(static_cast<size_t>(ts)).ints[hit.row] / 10;
    }
    d.service_source = std::string(ServiceSourceForTable(batch.schema().name()));
    d.source_table = batch.schema().name();
    for (auto& e : alerts::EvidenceFromRow(batch, hit.row)) {
      d.evidence.push_back(std::move(e));
    }
    if (options_.keep_row_json) {
      d.source_row_json = schema::RowToJson(batch, hit.row);
    }
    const std::string level(SeverityName(d.severity));
    // An indicator hit is never suppressed by an Allowed entity of the same row: the match
    // itself already took the most specific indicator into account.
    if (on_detection_) {
      on_detection_(DetectionEvent{d, level, &batch, hit.row});
    }
    if (pipeline_ != nullptr) {
      pipeline_->Add(std::move(d));
    }
  }
}

bool Detector::Allowed(const AlertDraft& draft) const {
  if (!options_.indicators) {
    return false;
  }
  // Only the alert's subjects count: files, addresses, URLs and the first (acting) process.
  // The initiating process is context: an allowed explorer.exe parent must not hide an alert.
  const int64_t now = WallClockUs();
  bool first_process = true;
  for (const auto& e : draft.evidence) {
    bool subject = e.entity_type == "File" || e.entity_type == "Ip" || e.entity_type == "Url";
    if (e.entity_type == "Process") {
      subject = first_process;
      first_process = false;
    }
    if (subject && options_.indicators->IsEvidenceAllowed(e, now)) {
      return true;
    }
  }
  return false;
}

}  // namespace vigil::detect

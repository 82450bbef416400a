#include "vigil/detect/alerts/alert_pipeline.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>

#include "vigil/base/json_escape.h"
#include "vigil/base/log.h"
#include "vigil/base/time.h"
#include "vigil/detect/alerts/evidence.h"

namespace vigil::detect::alerts {
namespace {

constexpr int64_t kMaxInt = std::numeric_limits<int64_t>::max();
constexpr int64_t kMinInt = std::numeric_limits<int64_t>::min();

int64_t SaturatingAdd(int64_t a, int64_t b) {
  if (b > 0 && a > kMaxInt - b) {
    return kMaxInt;
  }
  if (b < 0 && a < kMinInt - b) {
    return kMinInt;
  }
  return a + b;
}

int64_t MicrosToTicks(int64_t us) {
  return std::clamp(us, kMinInt / kTicksPerMicrosecond, kMaxInt / kTicksPerMicrosecond) *
         kTicksPerMicrosecond;
}

std::array<unsigned char, 32> Sha256(std::string_view data) {
  std::array<unsigned char, 32> digest{};
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1) {
    digest.fill(0);  // cannot happen with a built-in digest; ids then still stay well-formed
  }
  return digest;
}

std::string GroupText(std::string_view rule_key, const std::vector<std::string>& entity_keys) {
  std::string text(rule_key);
  text += '\0';
  for (size_t i = 0; i < entity_keys.size(); ++i) {
    if (i > 0) {
      text += '\n';
    }
    text += entity_keys[i];
  }
  return text;
}

std::string RuleKey(const AlertDraft& draft) {
  return !draft.rule_id.empty() ? draft.rule_id : "title:" + draft.title;
}

// JSON array of strings, or "" for none (written as null).
std::string JsonArray(const std::vector<std::string>& items) {
  if (items.empty()) {
    return {};
  }
  std::string out = "[";
  for (const std::string& item : items) {
    if (out.size() > 1) {
      out += ',';
    }
    AppendJsonQuoted(out, item);
  }
  out += ']';
  return out;
}

void AddJsonField(std::string& out, std::string_view name, std::string_view value) {
  if (value.empty()) {
    return;
  }
  out += out.size() > 1 ? "," : "";
  AppendJsonQuoted(out, name);
  out += ':';
  AppendJsonQuoted(out, value);
}

}  // namespace

std::string MakeAlertId(std::string_view rule_key, const std::vector<std::string>& entity_keys,
                        int64_t window_start_us) {
  std::string text = GroupText(rule_key, entity_keys);
  text += '\0';
  text += fmt::format("{}", window_start_us);
  const auto digest = Sha256(text);
  std::string id = "va";
  for (size_t i = 0; i < 16; ++i) {
    id += fmt::format("{:02x}", digest[i]);
  }
  return id;
}

// Column indexes of AlertInfo and AlertEvidence (-1 when the catalog lacks one).
struct AlertPipeline::Columns {
  struct Info {
    int timestamp, alert_id, title, category, severity, service_source, detection_source,
        attack_techniques, additional_fields;
  } info;
  struct Ev {
    int timestamp, alert_id, title, categories, attack_techniques, service_source, detection_source,
        entity_type, evidence_role, file_name, folder_path, sha1, sha256, remote_ip, remote_url,
        account_name, account_domain, account_sid, account_object_id, account_upn, device_id,
        device_name, local_ip, network_message_id, email_subject, application, process_command_line,
        registry_key, registry_value_name, registry_value_data, additional_fields, severity;
  } ev;
};

Result<std::unique_ptr<AlertPipeline>> AlertPipeline::Create(AlertPipelineOptions options,
                                                             RowSink sink, AlertStore* store) {
  const schema::Catalog& catalog =
      options.catalog != nullptr ? *options.catalog : schema::Catalog::Default();
  const schema::TableSchema* info = catalog.Find("AlertInfo");
  const schema::TableSchema* evidence = catalog.Find("AlertEvidence");
  if (info == nullptr || evidence == nullptr) {
    return FailedPreconditionError("alert pipeline: table '{}' is not in the catalog",
                                   info == nullptr ? "AlertInfo" : "AlertEvidence");
  }
  if (options.window_us <= 0) {
    return InvalidArgumentError("alert pipeline: grouping window must be positive, got {} us",
                                options.window_us);
  }
  options.allowed_lateness_us = std::max<int64_t>(options.allowed_lateness_us, 0);
  options.max_open_groups = std::max<size_t>(options.max_open_groups, 1);
  options.batch_rows = std::max<size_t>(options.batch_rows, 1);
  options.store_batch = std::max<size_t>(options.store_batch, 1);
  return std::unique_ptr<AlertPipeline>(
      new AlertPipeline(std::move(options), std::move(sink), store, *info, *evidence));
}

AlertPipeline::AlertPipeline(AlertPipelineOptions options, RowSink sink, AlertStore* store,
                             const schema::TableSchema& info, const schema::TableSchema& evidence)
    : options_(std::move(options)),
      sink_(std::move(sink)),
      store_(store),
      columns_(std::make_unique<Columns>()),
      info_(info),
      evidence_(evidence) {
  auto in = [&](const char* name) { return info.FindColumn(name); };
  columns_->info = {in("Timestamp"),       in("AlertId"),          in("Title"),
                    in("Category"),        in("Severity"),         in("ServiceSource"),
                    in("DetectionSource"), in("AttackTechniques"), in("AdditionalFields")};
  auto ev = [&](const char* name) { return evidence.FindColumn(name); };
  columns_->ev = {ev("Timestamp"),        ev("AlertId"),           ev("Title"),
                  ev("Categories"),       ev("AttackTechniques"),  ev("ServiceSource"),
                  ev("DetectionSource"),  ev("EntityType"),        ev("EvidenceRole"),
                  ev("FileName"),         ev("FolderPath"),        ev("SHA1"),
                  ev("SHA256"),           ev("RemoteIP"),          ev("RemoteUrl"),
                  ev("AccountName"),      ev("AccountDomain"),     ev("AccountSid"),
                  ev("AccountObjectId"),  ev("AccountUpn"),        ev("DeviceId"),
                  ev("DeviceName"),       ev("LocalIP"),           ev("NetworkMessageId"),
                  ev("EmailSubject"),     ev("Application"),       ev("ProcessCommandLine"),
                  ev("RegistryKey"),      ev("RegistryValueName"), ev("RegistryValueData"),
                  ev("AdditionalFields"), ev("Severity")};
}

AlertPipeline::~AlertPipeline() { Finish(); }

std::string AlertPipeline::Add(AlertDraft draft) {
  ++stats_.drafts;
  const int64_t ts = draft.timestamp_us;
  watermark_us_ = std::max(watermark_us_, ts);
  std::vector<std::string> keys = EntityKeys(draft.evidence);
  const std::string rule_key = RuleKey(draft);
  const auto digest = Sha256(GroupText(rule_key, keys));
  const std::string key(reinterpret_cast<const char*>(digest.data()), 16);

  auto it = groups_.find(key);
  if (it != groups_.end() && ts >= SaturatingAdd(it->second.window_start_us, options_.window_us)) {
    CloseGroup(key);
    it = groups_.end();
  }
  std::string alert_id;
  if (it != groups_.end()) {
    Group& group = it->second;
    AlertRecord& record = group.record;
    ++record.event_count;
    record.first_activity_us = std::min(record.first_activity_us, ts);
    record.last_activity_us = std::max(record.last_activity_us, ts);
    if (!group.dirty) {
      group.dirty = true;
      ++dirty_open_;
    }
    ++stats_.grouped;
    alert_id = group.alert_id;
  } else {
    while (groups_.size() >= options_.max_open_groups && !by_start_.empty()) {
      ++stats_.closed_at_cap;
      const std::string oldest = by_start_.begin()->second;
      CloseGroup(oldest);
    }
    OpenGroup(key, std::move(draft), std::move(keys), rule_key);
    alert_id = groups_.at(key).alert_id;
  }
  CloseExpired();
  WriteStore(false);
  return alert_id;
}

void AlertPipeline::OpenGroup(const std::string& key, AlertDraft&& draft,
                              std::vector<std::string>&& keys, std::string_view rule_key) {
  Group group;
  group.window_start_us = draft.timestamp_us;
  group.alert_id = MakeAlertId(rule_key, keys, draft.timestamp_us);
  AlertRecord& r = group.record;
  r.id = group.alert_id;
  r.title = std::move(draft.title);
  r.description = std::move(draft.description);
  r.severity = draft.severity;
  r.category = std::move(draft.category);
  r.attack_techniques = std::move(draft.attack_techniques);
  r.service_source = std::move(draft.service_source);
  r.detection_source = std::move(draft.detection_source);
  r.first_activity_us = draft.timestamp_us;
  r.last_activity_us = draft.timestamp_us;
  r.event_count = 1;
  r.rule_id = std::move(draft.rule_id);
  r.rule_title = std::move(draft.rule_title);
  r.rule_author = std::move(draft.rule_author);
  r.rule_link = std::move(draft.rule_link);
  r.rule_license = std::move(draft.rule_license);
  r.source_table = std::move(draft.source_table);
  r.source_report_id = std::move(draft.source_report_id);
  r.evidence_json = EvidenceToJson(draft.evidence);
  group.evidence = std::move(draft.evidence);
  group.dirty = true;
  ++dirty_open_;
  ++stats_.alerts;
  by_start_.emplace(group.window_start_us, key);
  groups_.emplace(key, std::move(group));
}

void AlertPipeline::CloseGroup(const std::string& key) {
  auto it = groups_.find(key);
  if (it == groups_.end()) {
    return;
  }
  Group& group = it->second;
  by_start_.erase({group.window_start_us, key});
  EmitRows(group);
  if (group.dirty) {
    --dirty_open_;
    if (store_ != nullptr) {
      pending_records_.push_back(std::move(group.record));
    }
  }
  groups_.erase(it);
  ++stats_.closed;
  SinkIfFull(false);
}

void AlertPipeline::CloseExpired() {
  // A group expires when the newest event time passes its window end plus the lateness.
  const int64_t span = SaturatingAdd(options_.window_us, options_.allowed_lateness_us);
  while (!by_start_.empty() && SaturatingAdd(by_start_.begin()->first, span) <= watermark_us_) {
    const std::string oldest = by_start_.begin()->second;
    CloseGroup(oldest);
  }
}

void AlertPipeline::AdvanceTo(int64_t now_us) {
  watermark_us_ = std::max(watermark_us_, now_us);
  CloseExpired();
  WriteStore(false);
}

void AlertPipeline::Flush() {
  WriteStore(true);
  SinkIfFull(true);
}

void AlertPipeline::Finish() {
  while (!by_start_.empty()) {
    const std::string oldest = by_start_.begin()->second;
    CloseGroup(oldest);
  }
  Flush();
}

void AlertPipeline::EmitRows(const Group& group) {
  if (!sink_) {
    return;
  }
  const AlertRecord& r = group.record;
  const int64_t timestamp = MicrosToTicks(r.first_activity_us);
  const std::string techniques = JsonArray(r.attack_techniques);
  const std::string categories = r.category.empty() ? std::string() : JsonArray({r.category});
  const std::string_view severity = SeverityName(r.severity);
  auto set_text = [](schema::TableBatch& batch, int col, std::string_view value) {
    if (col >= 0 && !value.empty()) {
      batch.SetBytes(static_cast<size_t>(col), value);
    }
  };

  const Columns::Info& ci = columns_->info;
  info_.BeginRow();
  if (ci.timestamp >= 0) {
    info_.SetInt(static_cast<size_t>(ci.timestamp), timestamp);
  }
  set_text(info_, ci.alert_id, r.id);
  set_text(info_, ci.title, r.title);
  set_text(info_, ci.category, r.category);
  set_text(info_, ci.severity, severity);
  set_text(info_, ci.service_source, r.service_source);
  set_text(info_, ci.detection_source, r.detection_source);
  set_text(info_, ci.attack_techniques, techniques);
  std::string extra = "{";
  extra += fmt::format("\"Count\":{}", r.event_count);
  AddJsonField(extra, "FirstActivity", FormatDateTime(MicrosToTicks(r.first_activity_us)));
  AddJsonField(extra, "LastActivity", FormatDateTime(MicrosToTicks(r.last_activity_us)));
  AddJsonField(extra, "Description", r.description);
  AddJsonField(extra, "RuleId", r.rule_id);
  AddJsonField(extra, "RuleTitle", r.rule_title);
  AddJsonField(extra, "RuleAuthor", r.rule_author);
  AddJsonField(extra, "RuleLink", r.rule_link);
  AddJsonField(extra, "RuleLicense", r.rule_license);
  AddJsonField(extra, "SourceTable", r.source_table);
  AddJsonField(extra, "ReportId", r.source_report_id);
  extra += '}';
  set_text(info_, ci.additional_fields, extra);
  ++stats_.info_rows;

  const Columns::Ev& ce = columns_->ev;
  for (const Evidence& e : group.evidence) {
    evidence_.BeginRow();
    if (ce.timestamp >= 0) {
      evidence_.SetInt(static_cast<size_t>(ce.timestamp), timestamp);
    }
    set_text(evidence_, ce.alert_id, r.id);
    set_text(evidence_, ce.title, r.title);
    set_text(evidence_, ce.categories, categories);
    set_text(evidence_, ce.attack_techniques, techniques);
    set_text(evidence_, ce.service_source, r.service_source);
    set_text(evidence_, ce.detection_source, r.detection_source);
    set_text(evidence_, ce.entity_type, e.entity_type);
    set_text(evidence_, ce.evidence_role, e.evidence_role);
    set_text(evidence_, ce.file_name, e.file_name);
    set_text(evidence_, ce.folder_path, e.folder_path);
    set_text(evidence_, ce.sha1, e.sha1);
    set_text(evidence_, ce.sha256, e.sha256);
    set_text(evidence_, ce.remote_ip, e.remote_ip);
    set_text(evidence_, ce.remote_url, e.remote_url);
    set_text(evidence_, ce.account_name, e.account_name);
    set_text(evidence_, ce.account_domain, e.account_domain);
    set_text(evidence_, ce.account_sid, e.account_sid);
    set_text(evidence_, ce.account_object_id, e.account_object_id);
    set_text(evidence_, ce.account_upn, !e.account_upn.empty() ? e.account_upn : e.mailbox);
    set_text(evidence_, ce.device_id, e.device_id);
    set_text(evidence_, ce.device_name, e.device_name);
    set_text(evidence_, ce.local_ip, e.local_ip);
    set_text(evidence_, ce.network_message_id, e.network_message_id);
    set_text(evidence_, ce.email_subject, e.email_subject);
    set_text(evidence_, ce.application, e.application);
    set_text(evidence_, ce.process_command_line, e.process_command_line);
    set_text(evidence_, ce.registry_key, e.registry_key);
    set_text(evidence_, ce.registry_value_name, e.registry_value_name);
    set_text(evidence_, ce.registry_value_data, e.registry_value_data);
    set_text(evidence_, ce.severity, severity);
    // Members AlertEvidence has no column for.
    std::string more = "{";
    AddJsonField(more, "MD5", e.md5);
    if (e.process_id >= 0) {
      more += more.size() > 1 ? "," : "";
      more += fmt::format("\"ProcessId\":{}", e.process_id);
    }
    AddJsonField(more, "Mailbox", e.mailbox);
    more += '}';
    if (more.size() > 2) {
      set_text(evidence_, ce.additional_fields, more);
    }
    ++stats_.evidence_rows;
  }
}

void AlertPipeline::SinkIfFull(bool force) {
  if (!sink_) {
    return;
  }
  for (schema::TableBatch* batch : {&info_, &evidence_}) {
    if (batch->rows() >= options_.batch_rows || (force && !batch->empty())) {
      sink_(*batch);
      batch->Clear();
    }
  }
}

void AlertPipeline::WriteStore(bool force) {
  if (store_ == nullptr) {
    return;
  }
  if (!force && pending_records_.size() + dirty_open_ < options_.store_batch) {
    return;
  }
  std::vector<AlertRecord> records = std::move(pending_records_);
  pending_records_.clear();
  if (dirty_open_ > 0) {
    for (auto& [key, group] : groups_) {
      if (group.dirty) {
        records.push_back(group.record);
        group.dirty = false;
      }
    }
    dirty_open_ = 0;
  }
  if (records.empty()) {
    return;
  }
  Status status = store_->Upsert(records);
  if (!status.ok()) {
    ++stats_.store_errors;
    VIGIL_LOG_WARN("detect", "alert pipeline lost {} alert record updates: {}", records.size(),
                   status.ToString());
    status_ = std::move(status);
  }
}

}  // namespace vigil::detect::alerts

#include "tests/sigma/sigma_case.h"

#include <simdjson.h>

#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <utility>

#include "vigil/base/time.h"
#include "vigil/detect/alerts/alert_pipeline.h"
#include "vigil/detect/detector.h"
#include "vigil/detect/sigma/loader.h"
#include "vigil/ingest/file_ingestor.h"
#include "vigil/ingest/ingest_report.h"
#include "vigil/schema/catalog.h"
#include "vigil/schema/row_json.h"

namespace vigil::detect::testing {
namespace {

namespace fs = std::filesystem;

bool ReadFile(const fs::path& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return false;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  out = buffer.str();
  return true;
}

// Builds one output line: {"k":"v",...} in insertion order.
class JsonLine {
 public:
  JsonLine& Text(std::string_view key, std::string_view value) {
    Key(key);
    schema::AppendJsonString(out_, value);
    return *this;
  }
  JsonLine& Raw(std::string_view key, std::string_view json) {
    Key(key);
    out_ += json;
    return *this;
  }
  std::string Done() { return out_ + "}"; }

 private:
  void Key(std::string_view key) {
    out_ += out_.size() > 1 ? "," : "";
    schema::AppendJsonString(out_, key);
    out_ += ':';
  }
  std::string out_ = "{";
};

std::string Problem(std::string_view text) { return JsonLine().Text("Problem", text).Done(); }

std::string Cell(const schema::TableBatch& batch, size_t row, std::string_view column) {
  const int col = batch.schema().FindColumn(column);
  if (col < 0 || batch.column(static_cast<size_t>(col)).IsNull(row)) {
    return "";
  }
  return std::string(batch.column(static_cast<size_t>(col)).GetBytes(row));
}

// The identifying value of one AlertEvidence row, by entity type.
std::string EntityLabel(const schema::TableBatch& batch, size_t row, const std::string& type) {
  auto first = [&](std::initializer_list<std::string_view> columns) {
    for (std::string_view column : columns) {
      std::string value = Cell(batch, row, column);
      if (!value.empty()) {
        return value;
      }
    }
    return std::string();
  };
  if (type == "User") {
    const std::string name = Cell(batch, row, "AccountName");
    const std::string domain = Cell(batch, row, "AccountDomain");
    if (!name.empty()) {
      return domain.empty() ? name : domain + "\\" + name;
    }
    return first({"AccountSid", "AccountUpn", "AccountObjectId"});
  }
  if (type == "Machine") {
    return first({"DeviceName", "DeviceId"});
  }
  if (type == "Process" || type == "File") {
    return first({"FileName", "FolderPath", "ProcessCommandLine", "SHA256", "SHA1"});
  }
  if (type == "Ip") {
    return first({"RemoteIP", "LocalIP"});
  }
  if (type == "Url") {
    return first({"RemoteUrl"});
  }
  if (type == "RegistryKey") {
    return first({"RegistryKey"});
  }
  if (type == "RegistryValue") {
    return first({"RegistryValueName", "RegistryKey"});
  }
  return first({"FileName", "AccountName", "RemoteIP", "RemoteUrl", "DeviceName", "Application",
                "EmailSubject"});
}

struct AlertRow {
  std::string alert_id, rule_id, title, severity, category, techniques, detection_source;
  std::string first_activity, last_activity;
  int64_t count = 0;
};

// Reads the members the output shows from AlertInfo.AdditionalFields.
void ReadAlertExtra(std::string_view json, AlertRow& alert) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) {
    return;
  }
  int64_t count = 0;
  if (root["Count"].get(count) == simdjson::SUCCESS) {
    alert.count = count;
  }
  std::string_view text;
  if (root["RuleId"].get(text) == simdjson::SUCCESS) {
    alert.rule_id = text;
  }
  if (root["FirstActivity"].get(text) == simdjson::SUCCESS) {
    alert.first_activity = text;
  }
  if (root["LastActivity"].get(text) == simdjson::SUCCESS) {
    alert.last_activity = text;
  }
}

std::string RenderAlert(const AlertRow& alert,
                        const std::map<std::string, std::set<std::string>>& entities) {
  std::string entity_json = "{";
  for (const auto& [type, labels] : entities) {
    if (entity_json.size() > 1) {
      entity_json += ',';
    }
    schema::AppendJsonString(entity_json, type);
    entity_json += ":[";
    bool first = true;
    for (const std::string& label : labels) {
      entity_json += first ? "" : ",";
      first = false;
      schema::AppendJsonString(entity_json, label);
    }
    entity_json += ']';
  }
  entity_json += '}';
  return JsonLine()
      .Text("AlertId", alert.alert_id)
      .Text("RuleId", alert.rule_id)
      .Text("Title", alert.title)
      .Raw("Count", std::to_string(alert.count))
      .Text("Severity", alert.severity)
      .Text("Category", alert.category)
      .Raw("AttackTechniques", alert.techniques.empty() ? "[]" : alert.techniques)
      .Text("DetectionSource", alert.detection_source)
      .Text("FirstActivity", alert.first_activity)
      .Text("LastActivity", alert.last_activity)
      .Raw("Entities", entity_json)
      .Done();
}

// Event lines of events.jsonl: blank lines and lines starting with '#' are skipped.
std::vector<std::string> EventLines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    const size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') {
      continue;
    }
    lines.push_back(line);
  }
  return lines;
}

}  // namespace

CaseOutput RunSigmaCase(const fs::path& case_dir) {
  CaseOutput output;
  std::string rule_text;
  std::string events_text;
  if (!ReadFile(case_dir / "rule.yml", rule_text)) {
    output.error = "cannot read " + (case_dir / "rule.yml").string();
    return output;
  }
  if (!ReadFile(case_dir / "events.jsonl", events_text)) {
    output.error = "cannot read " + (case_dir / "events.jsonl").string();
    return output;
  }
  sigma::LoadOptions load_options;
  if (fs::exists(case_dir / "placeholders.yml")) {
    auto placeholders = sigma::LoadPlaceholderFile((case_dir / "placeholders.yml").string());
    if (!placeholders) {
      output.error = "placeholders.yml: " + placeholders.error().message();
      return output;
    }
    load_options.placeholders = std::move(*placeholders);
  }
  auto rules = sigma::LoadRuleText(rule_text, "rule.yml", load_options);
  if (!rules) {
    output.error = "rule.yml: " + rules.error().message();
    return output;
  }
  std::vector<std::string>& lines = output.lines;
  for (const auto& error : rules->errors) {
    lines.push_back(Problem("load: " + (error.title.empty() ? error.id : error.title) + ": " +
                            error.reason));
  }

  // AlertInfo/AlertEvidence rows of closed alerts, copied out of the sink's batches.
  std::vector<AlertRow> alerts;
  std::map<std::string, std::map<std::string, std::set<std::string>>> entities;
  auto row_sink = [&](schema::TableBatch& batch) {
    const bool info = batch.schema().name() == "AlertInfo";
    for (size_t row = 0; row < batch.rows(); ++row) {
      const std::string alert_id = Cell(batch, row, "AlertId");
      if (!info) {
        const std::string type = Cell(batch, row, "EntityType");
        entities[alert_id][type].insert(EntityLabel(batch, row, type));
        continue;
      }
      AlertRow alert;
      alert.alert_id = alert_id;
      alert.title = Cell(batch, row, "Title");
      alert.severity = Cell(batch, row, "Severity");
      alert.category = Cell(batch, row, "Category");
      alert.techniques = Cell(batch, row, "AttackTechniques");
      alert.detection_source = Cell(batch, row, "DetectionSource");
      ReadAlertExtra(Cell(batch, row, "AdditionalFields"), alert);
      alerts.push_back(std::move(alert));
    }
  };
  auto pipeline = alerts::AlertPipeline::Create(alerts::AlertPipelineOptions{}, row_sink, nullptr);
  if (!pipeline) {
    output.error = "alert pipeline: " + pipeline.error().message();
    return output;
  }

  DetectorOptions detector_options;
  detector_options.keep_row_json = false;
  auto on_detection = [&lines](const DetectionEvent& event) {
    const AlertDraft& draft = event.draft;
    lines.push_back(JsonLine()
                        .Text("RuleId", draft.rule_id)
                        .Text("Title", draft.title)
                        .Text("Level", event.level)
                        .Text("Table", draft.source_table)
                        .Text("ReportId", draft.source_report_id)
                        .Text("Timestamp", FormatDateTime(draft.timestamp_us * 10))
                        .Done());
  };
  auto detector = Detector::Create(std::move(*rules), std::move(detector_options),
                                   pipeline->get(), on_detection);
  if (!detector) {
    output.error = "detector: " + detector.error().message();
    return output;
  }
  Detector& d = **detector;
  for (const auto& unmapped : d.compiled().unmapped()) {
    const auto& rule = d.rules().rules[unmapped.rule];
    lines.push_back(Problem("unmapped: " + rule.title + ": " + unmapped.reason));
  }
  for (const auto& problem : d.correlation_problems()) {
    lines.push_back(Problem("correlation: " + problem));
  }

  // One event at a time, in file order, as a live stream would deliver them.
  ingest::IngestReport report;
  ingest::FileIngestor ingestor(schema::Catalog::Default(), ingest::IngestOptions{},
                                [&d](schema::TableBatch& batch) { d.OnBatch(batch); }, report);
  for (const std::string& line : EventLines(events_text)) {
    ingestor.IngestBuffer("events.jsonl", line);
    ingestor.Finish();
  }
  for (const auto& skip : report.kept_skips()) {
    lines.push_back(Problem("ingest: " + skip.position + ": " + skip.reason));
  }
  if (ingestor.failed_inputs() > 0) {
    lines.push_back(Problem("ingest: " + std::to_string(ingestor.failed_inputs()) +
                            " event lines could not be read"));
  }
  d.Finish();
  for (const AlertRow& alert : alerts) {
    lines.push_back(RenderAlert(alert, entities[alert.alert_id]));
  }
  return output;
}

}  // namespace vigil::detect::testing

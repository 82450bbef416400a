#include "vigil/detect/alerts/alert_store_rows.h"

#include <algorithm>

namespace vigil::detect::alerts::internal {
namespace {

std::string JoinTechniques(const std::vector<std::string>& techniques) {
  std::string out;
  for (const std::string& technique : techniques) {
    if (!out.empty()) {
      out += ',';
    }
    for (char c : technique) {
      if (c != ',') {
        out += c;
      }
    }
  }
  return out;
}

std::vector<std::string> SplitTechniques(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    if (!item.empty()) {
      out.emplace_back(item);
    }
    if (comma == std::string_view::npos) {
      break;
    }
    text.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace

const std::array<std::string_view, AlertStore::kSchemaVersion> kAlertSchema = {R"sql(
CREATE TABLE IF NOT EXISTS alerts(
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  description TEXT NOT NULL,
  severity INTEGER NOT NULL,
  category TEXT NOT NULL,
  techniques TEXT NOT NULL,
  service_source TEXT NOT NULL,
  detection_source TEXT NOT NULL,
  status TEXT NOT NULL,
  assigned_to TEXT NOT NULL,
  classification TEXT NOT NULL,
  determination TEXT NOT NULL,
  incident_id TEXT,
  first_activity INTEGER NOT NULL,
  last_activity INTEGER NOT NULL,
  event_count INTEGER NOT NULL,
  rule_id TEXT NOT NULL,
  rule_title TEXT NOT NULL,
  rule_author TEXT NOT NULL,
  rule_link TEXT NOT NULL,
  rule_license TEXT NOT NULL,
  source_table TEXT NOT NULL,
  source_report_id TEXT NOT NULL,
  evidence TEXT NOT NULL,
  created_time INTEGER NOT NULL,
  last_update_time INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS alerts_by_last_activity ON alerts(last_activity);
CREATE INDEX IF NOT EXISTS alerts_by_rule ON alerts(rule_id);
CREATE INDEX IF NOT EXISTS alerts_by_status ON alerts(status);
CREATE INDEX IF NOT EXISTS alerts_by_incident ON alerts(incident_id);
CREATE TABLE IF NOT EXISTS alert_comments(
  seq INTEGER PRIMARY KEY,
  alert_id TEXT NOT NULL,
  comment TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_time INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS alert_comments_by_alert ON alert_comments(alert_id, seq);
CREATE TABLE IF NOT EXISTS alert_audit(
  seq INTEGER PRIMARY KEY,
  alert_id TEXT NOT NULL,
  actor TEXT NOT NULL,
  time INTEGER NOT NULL,
  field TEXT NOT NULL,
  old_value TEXT NOT NULL,
  new_value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS alert_audit_by_alert ON alert_audit(alert_id, seq);
)sql"};

const std::string_view kAlertColumns =
    "id, title, description, severity, category, techniques, service_source, detection_source, "
    "status, assigned_to, classification, determination, incident_id, first_activity, "
    "last_activity, event_count, rule_id, rule_title, rule_author, rule_link, rule_license, "
    "source_table, source_report_id, evidence, created_time, last_update_time";

AlertRecord ReadAlertRow(const SqliteStatement& row) {
  AlertRecord r;
  r.id = row.Text(0);
  r.title = row.Text(1);
  r.description = row.Text(2);
  r.severity = static_cast<Severity>(std::clamp<int64_t>(row.Int(3), 0, 3));
  r.category = row.Text(4);
  r.attack_techniques = SplitTechniques(row.Text(5));
  r.service_source = row.Text(6);
  r.detection_source = row.Text(7);
  // Stored values were written from the canonical names; anything else reads as the default.
  r.status = ParseAlertStatus(row.Text(8)).value_or(AlertStatus::kNew);
  r.assigned_to = row.Text(9);
  r.classification = ParseClassification(row.Text(10)).value_or(AlertClassification::kUnknown);
  r.determination = ParseDetermination(row.Text(11)).value_or(AlertDetermination::kNotAvailable);
  if (!row.IsNull(12)) {
    r.incident_id = row.Text(12);
  }
  r.first_activity_us = row.Int(13);
  r.last_activity_us = row.Int(14);
  r.event_count = row.Int(15);
  r.rule_id = row.Text(16);
  r.rule_title = row.Text(17);
  r.rule_author = row.Text(18);
  r.rule_link = row.Text(19);
  r.rule_license = row.Text(20);
  r.source_table = row.Text(21);
  r.source_report_id = row.Text(22);
  r.evidence_json = row.Text(23);
  r.created_time_us = row.Int(24);
  r.last_update_time_us = row.Int(25);
  return r;
}

void BindAlertRow(SqliteStatement& s, const AlertRecord& r, int64_t now_us) {
  s.Bind(1, r.id);
  s.Bind(2, r.title);
  s.Bind(3, r.description);
  s.Bind(4, static_cast<int64_t>(r.severity));
  s.Bind(5, r.category);
  s.Bind(6, JoinTechniques(r.attack_techniques));
  s.Bind(7, r.service_source);
  s.Bind(8, r.detection_source);
  s.Bind(9, AlertStatusName(r.status));
  s.Bind(10, r.assigned_to);
  s.Bind(11, ClassificationName(r.classification));
  s.Bind(12, DeterminationName(r.determination));
  if (r.incident_id) {
    s.Bind(13, *r.incident_id);
  } else {
    s.BindNull(13);
  }
  s.Bind(14, r.first_activity_us);
  s.Bind(15, r.last_activity_us);
  s.Bind(16, r.event_count);
  s.Bind(17, r.rule_id);
  s.Bind(18, r.rule_title);
  s.Bind(19, r.rule_author);
  s.Bind(20, r.rule_link);
  s.Bind(21, r.rule_license);
  s.Bind(22, r.source_table);
  s.Bind(23, r.source_report_id);
  s.Bind(24, r.evidence_json);
  s.Bind(25, r.created_time_us != 0 ? r.created_time_us : now_us);
  s.Bind(26, now_us);
}

std::string_view OrderColumn(AlertOrder order) {
  switch (order) {
    case AlertOrder::kFirstActivity:
      return "first_activity";
    case AlertOrder::kLastActivity:
      return "last_activity";
    case AlertOrder::kSeverity:
      return "severity";
    case AlertOrder::kCreatedTime:
      return "created_time";
    case AlertOrder::kLastUpdateTime:
      return "last_update_time";
    case AlertOrder::kEventCount:
      return "event_count";
  }
  return "last_activity";
}

WhereClause BuildWhere(const AlertFilter& filter) {
  WhereClause where;
  std::vector<std::string> terms;
  if (filter.status) {
    terms.emplace_back("status = ?");
    where.values.push_back({false, 0, std::string(AlertStatusName(*filter.status))});
  }
  if (filter.min_severity) {
    terms.emplace_back("severity >= ?");
    where.values.push_back({true, static_cast<int64_t>(*filter.min_severity), {}});
  }
  if (filter.rule_id) {
    terms.emplace_back("rule_id = ?");
    where.values.push_back({false, 0, *filter.rule_id});
  }
  if (filter.incident_id) {
    terms.emplace_back("incident_id = ?");
    where.values.push_back({false, 0, *filter.incident_id});
  }
  if (filter.without_incident) {
    terms.emplace_back("(incident_id IS NULL OR incident_id = '')");
  }
  if (filter.from_us) {
    terms.emplace_back("last_activity >= ?");
    where.values.push_back({true, *filter.from_us, {}});
  }
  if (filter.to_us) {
    terms.emplace_back("first_activity < ?");
    where.values.push_back({true, *filter.to_us, {}});
  }
  for (size_t i = 0; i < terms.size(); ++i) {
    where.sql += i == 0 ? " WHERE " : " AND ";
    where.sql += terms[i];
  }
  return where;
}

void BindWhere(SqliteStatement& statement, const WhereClause& where) {
  int index = 1;
  for (const WhereValue& value : where.values) {
    if (value.is_int) {
      statement.Bind(index, value.int_value);
    } else {
      statement.Bind(index, value.text);
    }
    ++index;
  }
}

}  // namespace vigil::detect::alerts::internal

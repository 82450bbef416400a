#include "vigil/detect/custom_detection.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <utility>

#include "vigil/detect/sigma_alerts.h"
#include "vigil/kql/exec/batch_table.h"
#include "vigil/kql/syntax/parser.h"
#include "vigil/kql/value.h"

namespace vigil::detect {
namespace {

// The table a query reads first: the leading name of its last statement (after any `let`s).
// Strings and comments are skipped when looking for the statement separators.
std::string_view SourceTableOfQuery(std::string_view query) {
  size_t last_start = 0;
  for (size_t i = 0; i < query.size(); ++i) {
    const char c = query[i];
    if (c == '"' || c == '\'') {
      for (++i; i < query.size() && query[i] != c; ++i) {
        if (query[i] == '\\') {
          ++i;
        }
      }
    } else if (c == '/' && i + 1 < query.size() && query[i + 1] == '/') {
      while (i < query.size() && query[i] != '\n') {
        ++i;
      }
    } else if (c == ';') {
      last_start = i + 1;
    }
  }
  std::string_view rest = query.substr(std::min(last_start, query.size()));
  while (true) {
    const size_t first = rest.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) {
      return {};
    }
    rest.remove_prefix(first);
    if (rest.substr(0, 2) != "//") {
      break;
    }
    const size_t eol = rest.find('\n');
    rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol);
  }
  size_t end = 0;
  while (end < rest.size() &&
         (std::isalnum(static_cast<unsigned char>(rest[end])) != 0 || rest[end] == '_')) {
    ++end;
  }
  return rest.substr(0, end);
}

constexpr int64_t kTicksPerHour = int64_t{3600} * 10'000'000;

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Tables Defender allows continuous (near-real-time) rules on.
const std::vector<std::string>& NrtTables() {
  static const std::vector<std::string> kTables = {
      "AlertEvidence", "CloudAppEvents", "DeviceEvents", "DeviceFileCertificateInfo",
      "DeviceFileEvents", "DeviceImageLoadEvents", "DeviceLogonEvents", "DeviceNetworkEvents",
      "DeviceNetworkInfo", "DeviceInfo", "DeviceProcessEvents", "DeviceRegistryEvents",
      "EmailAttachmentInfo", "EmailEvents", "EmailPostDeliveryEvents", "EmailUrlInfo",
      "IdentityDirectoryEvents", "IdentityLogonEvents", "IdentityQueryEvents", "UrlClickEvents"};
  return kTables;
}

std::string KqlErrorText(const kql::KqlError& e) { return e.code + ": " + e.ToString(); }

// Text of a result cell; "" for null or empty.
std::string Text(const kql::Value& v) { return v.is_null() ? std::string() : v.ToText(); }

}  // namespace

Result<DetectionPeriod> ParseDetectionPeriod(std::string_view text) {
  const std::string t = Lower(text);
  if (t == "0" || t == "continuous" || t == "nrt") {
    return DetectionPeriod::kContinuous;
  }
  if (t == "1h" || t == "pt1h") {
    return DetectionPeriod::kEvery1h;
  }
  if (t == "3h" || t == "pt3h") {
    return DetectionPeriod::kEvery3h;
  }
  if (t == "12h" || t == "pt12h") {
    return DetectionPeriod::kEvery12h;
  }
  if (t == "24h" || t == "1d" || t == "pt24h") {
    return DetectionPeriod::kEvery24h;
  }
  return InvalidArgumentError(
      "unknown detection frequency '{}' (expected 0/continuous, 1H, 3H, 12H or 24H)", text);
}

std::string_view DetectionPeriodName(DetectionPeriod period) {
  switch (period) {
    case DetectionPeriod::kContinuous:
      return "0";
    case DetectionPeriod::kEvery1h:
      return "1H";
    case DetectionPeriod::kEvery3h:
      return "3H";
    case DetectionPeriod::kEvery12h:
      return "12H";
    case DetectionPeriod::kEvery24h:
      return "24H";
  }
  return "24H";
}

int64_t PeriodTicks(DetectionPeriod period) {
  switch (period) {
    case DetectionPeriod::kContinuous:
      return 0;
    case DetectionPeriod::kEvery1h:
      return kTicksPerHour;
    case DetectionPeriod::kEvery3h:
      return 3 * kTicksPerHour;
    case DetectionPeriod::kEvery12h:
      return 12 * kTicksPerHour;
    case DetectionPeriod::kEvery24h:
      return 24 * kTicksPerHour;
  }
  return 0;
}

int64_t LookbackTicks(DetectionPeriod period) {
  switch (period) {
    case DetectionPeriod::kContinuous:
      return 0;
    case DetectionPeriod::kEvery1h:
      return 4 * kTicksPerHour;
    case DetectionPeriod::kEvery3h:
      return 12 * kTicksPerHour;
    case DetectionPeriod::kEvery12h:
      return 48 * kTicksPerHour;
    case DetectionPeriod::kEvery24h:
      return 30 * 24 * kTicksPerHour;
  }
  return 0;
}

const std::vector<std::string>& EntityColumns() {
  static const std::vector<std::string> kColumns = {
      "DeviceId", "DeviceName", "RemoteDeviceName", "RecipientEmailAddress", "SenderFromAddress",
      "SenderMailFromAddress", "RecipientObjectId", "AccountObjectId", "AccountSid", "AccountUpn",
      "InitiatingProcessAccountSid", "InitiatingProcessAccountUpn",
      "InitiatingProcessAccountObjectId"};
  return kColumns;
}

std::string CustomDetectionRunner::ContinuousTable(std::string_view query, std::string* why) {
  auto fail = [&](std::string reason) {
    if (why != nullptr) {
      *why = std::move(reason);
    }
    return std::string();
  };
  auto script = kql::ParseScript(query);
  if (!script) {
    return fail(KqlErrorText(script.error()));
  }
  const kql::Pipeline* pipeline = nullptr;
  for (const auto& st : script->statements) {
    if (st->kind == kql::Statement::Kind::kQuery) {
      if (pipeline != nullptr) {
        return fail("a continuous rule runs one query");
      }
      if (!st->value || st->value->kind != kql::ExprKind::kTabular || !st->value->pipeline) {
        return fail("a continuous rule must be a tabular query");
      }
      pipeline = st->value->pipeline.get();
    } else if (st->kind == kql::Statement::Kind::kLet && st->value &&
               st->value->kind == kql::ExprKind::kTabular) {
      return fail("a continuous rule reads one table: no tabular let statements");
    } else if (st->kind == kql::Statement::Kind::kLetFunction) {
      return fail("a continuous rule cannot declare functions");
    }
  }
  if (pipeline == nullptr || pipeline->ops.empty()) {
    return fail("the query has no tabular result");
  }
  const kql::Operator& first = pipeline->ops.front();
  if (first.kind != kql::OpKind::kSource || !first.source ||
      first.source->kind != kql::ExprKind::kName) {
    return fail("a continuous rule must start with a table name");
  }
  const std::string table = first.source->name;
  const auto& nrt = NrtTables();
  if (std::find(nrt.begin(), nrt.end(), table) == nrt.end()) {
    return fail("table '" + table + "' does not support continuous (near-real-time) rules");
  }
  for (size_t i = 1; i < pipeline->ops.size(); ++i) {
    switch (pipeline->ops[i].kind) {
      case kql::OpKind::kJoin:
      case kql::OpKind::kLookup:
      case kql::OpKind::kUnion:
      case kql::OpKind::kExternalData:
      case kql::OpKind::kInvoke:
      case kql::OpKind::kEvaluate:
      case kql::OpKind::kSearch:
      case kql::OpKind::kFind:
        return fail(
            "continuous rules cannot use join, lookup, union, externaldata, invoke, evaluate, "
            "search or find");
      default:
        break;
    }
  }
  return table;
}

Status CustomDetectionRunner::Validate(const CustomDetectionRule& rule) const {
  if (rule.name.empty()) {
    return InvalidArgumentError("custom detection '{}' has no name", rule.id);
  }
  // Binding may run bind-time subqueries (toscalar, materialize): keep them small and short.
  kql::QueryOptions options;
  options.limits.memory_budget_bytes = kValidateMemoryBytes;
  options.limits.timeout = kValidateTimeout;
  options.limits.max_result_rows = kValidateMaxRows;
  auto schema = engine_.Check(rule.query, options);
  if (!schema) {
    return InvalidArgumentError("query of detection '{}' does not bind: {}", rule.name,
                                KqlErrorText(schema.error()));
  }
  auto has = [&](std::string_view col) { return kql::FindColumn(*schema, col) >= 0; };
  for (const char* required : {"Timestamp", "ReportId"}) {
    if (!has(required)) {
      return InvalidArgumentError(
          "query of detection '{}' must return the column '{}' (custom detections need "
          "Timestamp, ReportId and an entity column)",
          rule.name, required);
    }
  }
  const auto& entities = EntityColumns();
  if (std::none_of(entities.begin(), entities.end(), has)) {
    return InvalidArgumentError(
        "query of detection '{}' returns no entity column (one of DeviceId, DeviceName, "
        "AccountSid, AccountUpn, AccountObjectId, RecipientEmailAddress, ...)",
        rule.name);
  }
  for (const auto& col : rule.impacted_columns) {
    if (!has(col)) {
      return InvalidArgumentError("impacted entity column '{}' is not in the result of '{}'", col,
                                  rule.name);
    }
  }
  if (rule.period == DetectionPeriod::kContinuous) {
    std::string why;
    if (ContinuousTable(rule.query, &why).empty()) {
      return InvalidArgumentError("detection '{}' cannot run continuously: {}", rule.name, why);
    }
  }
  return Status::Ok();
}

Result<CustomDetectionRun> CustomDetectionRunner::Run(const CustomDetectionRule& rule,
                                                      int64_t now_ticks, bool first_run) const {
  if (rule.period == DetectionPeriod::kContinuous && !first_run) {
    return FailedPreconditionError("continuous detection '{}' runs on ingested batches",
                                   rule.name);
  }
  kql::QueryOptions options;
  options.now_ticks = now_ticks;
  const int64_t lookback = first_run ? kFirstRunLookbackTicks : LookbackTicks(rule.period);
  options.scope_min_ticks = now_ticks - lookback;
  options.scope_max_ticks = now_ticks;
  auto result = engine_.Run(rule.query, options);
  if (!result) {
    return InvalidArgumentError("detection '{}' failed: {}", rule.name,
                                KqlErrorText(result.error()));
  }
  VIGIL_ASSIGN_OR_RETURN(auto run, Drafts(rule, *result));
  run.window_start_ticks = *options.scope_min_ticks;
  run.window_end_ticks = now_ticks;
  return run;
}

Result<CustomDetectionRun> CustomDetectionRunner::RunOnBatch(const CustomDetectionRule& rule,
                                                             const schema::TableBatch& batch,
                                                             int64_t now_ticks) const {
  std::string why;
  const std::string table = ContinuousTable(rule.query, &why);
  if (table.empty()) {
    return InvalidArgumentError("detection '{}' cannot run continuously: {}", rule.name, why);
  }
  CustomDetectionRun empty;
  if (table != batch.schema().name() || batch.empty()) {
    return empty;
  }
  // The batch shadows the stored table: the query sees exactly the new rows.
  kql::Engine batch_engine(nullptr, nullptr);
  batch_engine.AddTable(table, kql::TableFromBatch(batch));
  kql::QueryOptions options;
  options.now_ticks = now_ticks;
  auto result = batch_engine.Run(rule.query, options);
  if (!result) {
    return InvalidArgumentError("detection '{}' failed: {}", rule.name,
                                KqlErrorText(result.error()));
  }
  return Drafts(rule, *result);
}

Result<CustomDetectionRun> CustomDetectionRunner::Drafts(const CustomDetectionRule& rule,
                                                         const kql::QueryResult& result) const {
  CustomDetectionRun run;
  const kql::Table& table = *result.table;
  run.result_rows = table.rows;
  run.warnings = result.warnings;
  auto col = [&](std::string_view name) { return kql::FindColumn(table.schema, name); };
  const int ts_col = col("Timestamp");
  const int report_col = col("ReportId");
  if (ts_col < 0 || report_col < 0) {
    return InvalidArgumentError("result of detection '{}' lacks Timestamp or ReportId", rule.name);
  }
  auto cell = [&](std::string_view name, size_t row) {
    const int c = col(name);
    return c < 0 ? std::string() : Text(table.cols[static_cast<size_t>(c)][row]);
  };
  auto impacted = [&](std::string_view name, bool default_impacted) {
    if (rule.impacted_columns.empty()) {
      return default_impacted;
    }
    return std::find(rule.impacted_columns.begin(), rule.impacted_columns.end(), name) !=
           rule.impacted_columns.end();
  };
  const size_t rows = std::min(table.rows, kMaxAlertsPerRun);
  run.capped = table.rows > kMaxAlertsPerRun;
  if (run.capped) {
    run.warnings.push_back("detection '" + rule.name + "' returned " +
                           std::to_string(table.rows) + " rows; alerts were created for the first " +
                           std::to_string(kMaxAlertsPerRun));
  }
  for (size_t r = 0; r < rows; ++r) {
    AlertDraft d;
    const kql::Value& ts = table.cols[static_cast<size_t>(ts_col)][r];
    d.timestamp_us = ts.kind() == kql::Kind::kDateTime ? ts.AsInt64() / 10 : 0;
    d.title = rule.title.empty() ? rule.name : rule.title;
    d.description = rule.description;
    d.category = rule.category;
    d.attack_techniques = rule.techniques;
    d.severity = rule.severity;
    d.detection_source = "customDetection";
    d.service_source = std::string(ServiceSourceForTable(SourceTableOfQuery(rule.query)));
    d.rule_id = rule.id;
    d.rule_title = rule.name;
    d.rule_author = rule.created_by;
    d.source_report_id = Text(table.cols[static_cast<size_t>(report_col)][r]);
    if (std::string device_id = cell("DeviceId", r), device_name = cell("DeviceName", r);
        !device_id.empty() || !device_name.empty()) {
      Evidence e;
      e.entity_type = "Machine";
      e.evidence_role =
          impacted("DeviceId", true) || impacted("DeviceName", true) ? "Impacted" : "Related";
      e.device_id = std::move(device_id);
      e.device_name = std::move(device_name);
      d.evidence.push_back(std::move(e));
    }
    if (std::string remote = cell("RemoteDeviceName", r); !remote.empty()) {
      Evidence e;
      e.entity_type = "Machine";
      e.evidence_role = impacted("RemoteDeviceName", false) ? "Impacted" : "Related";
      e.device_name = std::move(remote);
      d.evidence.push_back(std::move(e));
    }
    for (const char* prefix : {"", "InitiatingProcess"}) {
      const std::string p(prefix);
      Evidence e;
      e.entity_type = "User";
      e.account_sid = cell(p + "AccountSid", r);
      e.account_upn = cell(p + "AccountUpn", r);
      e.account_object_id = cell(p + "AccountObjectId", r);
      e.account_name = cell(p + "AccountName", r);
      e.account_domain = cell(p + "AccountDomain", r);
      if (e.account_sid.empty() && e.account_upn.empty() && e.account_object_id.empty() &&
          e.account_name.empty()) {
        continue;
      }
      const bool main = p.empty();
      e.evidence_role = impacted(p + "AccountSid", main) || impacted(p + "AccountUpn", false) ||
                                impacted(p + "AccountObjectId", false)
                            ? "Impacted"
                            : "Related";
      d.evidence.push_back(std::move(e));
    }
    for (const char* mail_col : {"RecipientEmailAddress", "SenderFromAddress"}) {
      if (std::string addr = cell(mail_col, r); !addr.empty()) {
        Evidence e;
        e.entity_type = "Mailbox";
        e.evidence_role = impacted(mail_col, std::string_view(mail_col) == "RecipientEmailAddress")
                              ? "Impacted"
                              : "Related";
        e.mailbox = std::move(addr);
        d.evidence.push_back(std::move(e));
      }
    }
    if (std::string id = cell("NetworkMessageId", r); !id.empty()) {
      Evidence e;
      e.entity_type = "MailMessage";
      e.network_message_id = std::move(id);
      e.email_subject = cell("Subject", r);
      d.evidence.push_back(std::move(e));
    }
    if (std::string sha256 = cell("SHA256", r), sha1 = cell("SHA1", r);
        !sha256.empty() || !sha1.empty()) {
      Evidence e;
      e.entity_type = "File";
      e.sha256 = std::move(sha256);
      e.sha1 = std::move(sha1);
      e.file_name = cell("FileName", r);
      e.folder_path = cell("FolderPath", r);
      d.evidence.push_back(std::move(e));
    }
    if (std::string ip = cell("RemoteIP", r); !ip.empty()) {
      Evidence e;
      e.entity_type = "Ip";
      e.remote_ip = std::move(ip);
      d.evidence.push_back(std::move(e));
    }
    if (std::string url = cell("RemoteUrl", r); !url.empty()) {
      Evidence e;
      e.entity_type = "Url";
      e.remote_url = std::move(url);
      d.evidence.push_back(std::move(e));
    }
    run.alerts.push_back(std::move(d));
  }
  return run;
}

}  // namespace vigil::detect

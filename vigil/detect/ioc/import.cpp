#include "vigil/detect/ioc/import.h"

#include <simdjson.h>

#include <array>
#include <optional>
#include <utility>

#include "vigil/base/time.h"
#include "vigil/detect/ioc/internal/net_text.h"

namespace vigil::detect::ioc {
namespace {

using internal::AsciiLower;
using internal::TrimSpace;

// One record's fields as text, from either format.
struct RawRecord {
  std::string id, type, value, action, severity, title, description, recommended_actions;
  std::string expiration, category, application, educate_url, created_by, external_id;
  std::string creation_time, generate_alert;
  std::vector<std::string> groups, techniques;
};

enum class Field : uint8_t {
  kId,
  kType,
  kValue,
  kAction,
  kSeverity,
  kTitle,
  kDescription,
  kRecommendedActions,
  kExpiration,
  kCategory,
  kApplication,
  kEducateUrl,
  kCreatedBy,
  kExternalId,
  kCreationTime,
  kGenerateAlert,
  kGroups,
  kTechniques,
};

std::string LowerKey(std::string_view name) {
  std::string out;
  for (const char c : TrimSpace(name)) {
    out.push_back(AsciiLower(c));
  }
  return out;
}

std::optional<Field> FieldOf(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, Field>, 22> kNames = {{
      {"id", Field::kId},
      {"indicatortype", Field::kType},
      {"indicatorvalue", Field::kValue},
      {"action", Field::kAction},
      {"severity", Field::kSeverity},
      {"title", Field::kTitle},
      {"description", Field::kDescription},
      {"recommendedactions", Field::kRecommendedActions},
      {"expirationtime", Field::kExpiration},
      {"expirationdatetime", Field::kExpiration},
      {"category", Field::kCategory},
      {"application", Field::kApplication},
      {"educateurl", Field::kEducateUrl},
      {"createdby", Field::kCreatedBy},
      {"externalid", Field::kExternalId},
      {"creationtimedatetimeutc", Field::kCreationTime},
      {"creationtime", Field::kCreationTime},
      {"generatealert", Field::kGenerateAlert},
      {"rbacgroups", Field::kGroups},
      {"rbacgroupnames", Field::kGroups},
      {"mitretechniques", Field::kTechniques},
      {"techniques", Field::kTechniques},
  }};
  const std::string key = LowerKey(name);
  for (const auto& [text, field] : kNames) {
    if (key == text) {
      return field;
    }
  }
  return std::nullopt;
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find_first_of(",;", start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    const std::string_view item = TrimSpace(text.substr(start, end - start));
    if (!item.empty()) {
      out.emplace_back(item);
    }
    start = end + 1;
  }
  return out;
}

void SetField(RawRecord& raw, Field field, std::string_view text) {
  switch (field) {
    case Field::kId:
      raw.id = text;
      break;
    case Field::kType:
      raw.type = text;
      break;
    case Field::kValue:
      raw.value = text;
      break;
    case Field::kAction:
      raw.action = text;
      break;
    case Field::kSeverity:
      raw.severity = text;
      break;
    case Field::kTitle:
      raw.title = text;
      break;
    case Field::kDescription:
      raw.description = text;
      break;
    case Field::kRecommendedActions:
      raw.recommended_actions = text;
      break;
    case Field::kExpiration:
      raw.expiration = text;
      break;
    case Field::kCategory:
      raw.category = text;
      break;
    case Field::kApplication:
      raw.application = text;
      break;
    case Field::kEducateUrl:
      raw.educate_url = text;
      break;
    case Field::kCreatedBy:
      raw.created_by = text;
      break;
    case Field::kExternalId:
      raw.external_id = text;
      break;
    case Field::kCreationTime:
      raw.creation_time = text;
      break;
    case Field::kGenerateAlert:
      raw.generate_alert = text;
      break;
    case Field::kGroups:
      raw.groups = SplitList(text);
      break;
    case Field::kTechniques:
      raw.techniques = SplitList(text);
      break;
  }
}

Result<int64_t> ParseTimeUs(std::string_view name, std::string_view text) {
  text = TrimSpace(text);
  if (text.empty()) {
    return int64_t{0};
  }
  const std::optional<int64_t> ticks = ParseDateTime(text);
  if (!ticks) {
    return InvalidArgumentError("{} '{}' is not a datetime (expected e.g. 2026-12-31T00:00:00Z)",
                                name, text);
  }
  return *ticks / kTicksPerMicrosecond;
}

Result<Indicator> BuildIndicator(const RawRecord& raw, const ImportOptions& options) {
  Indicator indicator;
  const std::string_view type_text = TrimSpace(raw.type);
  if (type_text.empty()) {
    return InvalidArgumentError("IndicatorType is required");
  }
  const auto type = ParseIndicatorType(type_text);
  if (!type) {
    return InvalidArgumentError(
        "unknown IndicatorType '{}' (expected FileSha1, FileSha256, "
        "FileMd5, CertificateThumbprint, IpAddress, DomainName or Url)",
        type_text);
  }
  indicator.indicator_type = *type;
  indicator.indicator_value = raw.value;
  const std::string_view action_text = TrimSpace(raw.action);
  if (action_text.empty()) {
    return InvalidArgumentError("Action is required");
  }
  const auto action = ParseIndicatorAction(action_text);
  if (!action) {
    return InvalidArgumentError(
        "unknown Action '{}' (expected Allowed, Audit, Warn, Block or "
        "BlockAndRemediate)",
        action_text);
  }
  indicator.action = action->action;
  const std::string_view severity_text = TrimSpace(raw.severity);
  if (!severity_text.empty()) {
    const auto severity = ParseSeverityName(severity_text);
    if (!severity) {
      return InvalidArgumentError(
          "unknown Severity '{}' (expected Informational, Low, Medium or "
          "High)",
          severity_text);
    }
    indicator.severity = *severity;
  }
  const std::string generate = LowerKey(raw.generate_alert);
  if (generate.empty()) {
    indicator.generate_alert = action->implies_alert;
  } else if (generate == "true" || generate == "yes" || generate == "1") {
    indicator.generate_alert = true;
  } else if (generate == "false" || generate == "no" || generate == "0") {
    indicator.generate_alert = false;
  } else {
    return InvalidArgumentError("GenerateAlert '{}' is not true or false", raw.generate_alert);
  }
  VIGIL_ASSIGN_OR_RETURN(indicator.expiration_time_us,
                         ParseTimeUs("ExpirationTime", raw.expiration));
  VIGIL_ASSIGN_OR_RETURN(indicator.creation_time_us,
                         ParseTimeUs("CreationTime", raw.creation_time));
  if (indicator.creation_time_us == 0) {
    indicator.creation_time_us = options.now_us;
  }
  indicator.id = raw.id;
  indicator.title = raw.title;
  indicator.description = raw.description;
  indicator.recommended_actions = raw.recommended_actions;
  indicator.category = raw.category;
  indicator.application = raw.application;
  indicator.educate_url = raw.educate_url;
  indicator.external_id = raw.external_id;
  indicator.created_by = raw.created_by.empty() ? options.created_by : raw.created_by;
  indicator.rbac_group_names = raw.groups;
  indicator.mitre_techniques = raw.techniques;
  ValidateOptions validate;
  validate.now_us = options.now_us;
  validate.allow_internal_ips = options.allow_internal_ips;
  VIGIL_RETURN_IF_ERROR(NormalizeIndicator(indicator, validate));
  return indicator;
}

void AddRecord(const RawRecord& raw, size_t line, size_t record, const ImportOptions& options,
               ImportResult& result) {
  Result<Indicator> indicator = BuildIndicator(raw, options);
  if (indicator.ok()) {
    result.indicators.push_back(std::move(*indicator));
  } else {
    result.errors.push_back(ImportError{line, record, indicator.error().message()});
  }
}

std::string_view StripBom(std::string_view text) {
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") {
    text.remove_prefix(3);
  }
  return text;
}

// ---- CSV -------------------------------------------------------------------------------------

struct CsvRecord {
  std::vector<std::string> fields;
  size_t line = 0;
  std::string error;  // unterminated quote
};

// RFC 4180 with leniency: CRLF or LF, "" inside quotes, text after a closing quote is kept.
class CsvReader {
 public:
  explicit CsvReader(std::string_view text) : text_(text) {}

  bool Next(CsvRecord& record) {
    if (pos_ >= text_.size()) {
      return false;
    }
    record.fields.assign(1, std::string());
    record.line = line_;
    record.error.clear();
    bool quoted = false;
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (quoted) {
        if (c == '"') {
          if (pos_ < text_.size() && text_[pos_] == '"') {
            record.fields.back().push_back('"');
            ++pos_;
          } else {
            quoted = false;
          }
          continue;
        }
        if (c == '\n') {
          ++line_;
        }
        record.fields.back().push_back(c);
        continue;
      }
      if (c == '"' && TrimSpace(record.fields.back()).empty()) {
        record.fields.back().clear();
        quoted = true;
      } else if (c == ',') {
        record.fields.emplace_back();
      } else if (c == '\n') {
        ++line_;
        break;
      } else if (c != '\r') {
        record.fields.back().push_back(c);
      }
    }
    if (quoted) {
      record.error = "unterminated quoted field";
    }
    return true;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  size_t line_ = 1;
};

bool BlankRecord(const CsvRecord& record) {
  return record.fields.size() == 1 && TrimSpace(record.fields[0]).empty();
}

// ---- JSON ------------------------------------------------------------------------------------

Status JsonToRaw(simdjson::dom::element element, RawRecord& raw) {
  simdjson::dom::object object;
  if (element.get_object().get(object) != simdjson::SUCCESS) {
    return InvalidArgumentError("record is not a JSON object");
  }
  for (const auto field : object) {
    const std::string key = LowerKey(field.key);
    const std::optional<Field> which = FieldOf(key);
    if (!which) {
      continue;
    }
    const simdjson::dom::element value = field.value;
    std::string_view text;
    switch (value.type()) {
      case simdjson::dom::element_type::STRING:
        if (value.get_string().get(text) == simdjson::SUCCESS) {
          SetField(raw, *which, text);
        }
        break;
      case simdjson::dom::element_type::BOOL: {
        bool flag = false;
        if (value.get_bool().get(flag) == simdjson::SUCCESS) {
          SetField(raw, *which, flag ? "true" : "false");
        }
        break;
      }
      case simdjson::dom::element_type::INT64:
      case simdjson::dom::element_type::UINT64:
        SetField(raw, *which, simdjson::to_string(value));
        break;
      case simdjson::dom::element_type::NULL_VALUE:
        break;
      case simdjson::dom::element_type::ARRAY: {
        if (*which != Field::kGroups && *which != Field::kTechniques) {
          return InvalidArgumentError("field '{}' must not be an array", field.key);
        }
        std::vector<std::string>& list = *which == Field::kGroups ? raw.groups : raw.techniques;
        list.clear();
        simdjson::dom::array items;
        if (value.get_array().get(items) != simdjson::SUCCESS) {
          return InvalidArgumentError("field '{}' is not a readable array", field.key);
        }
        for (const auto item : items) {
          if (item.get_string().get(text) != simdjson::SUCCESS) {
            return InvalidArgumentError("field '{}' must be an array of strings", field.key);
          }
          list.emplace_back(text);
        }
        break;
      }
      default:
        return InvalidArgumentError("field '{}' has an unexpected JSON type", field.key);
    }
  }
  return Status::Ok();
}

void AddJsonRecord(simdjson::dom::element element, size_t line, size_t record,
                   const ImportOptions& options, ImportResult& result) {
  RawRecord raw;
  const Status status = JsonToRaw(element, raw);
  if (!status.ok()) {
    result.errors.push_back(ImportError{line, record, status.message()});
    return;
  }
  AddRecord(raw, line, record, options, result);
}

// The array of indicators inside a wrapper object, if any.
bool WrappedArray(simdjson::dom::object object, simdjson::dom::array& array) {
  for (const auto field : object) {
    const std::string key = LowerKey(field.key);
    if ((key == "indicators" || key == "value") &&
        field.value.get_array().get(array) == simdjson::SUCCESS) {
      return true;
    }
  }
  return false;
}

Status ImportJsonArray(simdjson::dom::array array, const ImportOptions& options,
                       ImportResult& result) {
  for (const auto item : array) {
    if (result.records >= options.max_records) {
      return ResourceExhaustedError("more than {} indicator records in the import",
                                    options.max_records);
    }
    ++result.records;
    AddJsonRecord(item, 0, result.records, options, result);
  }
  return Status::Ok();
}

}  // namespace

Result<ImportResult> ImportCsv(std::string_view text, const ImportOptions& options) {
  if (text.size() > options.max_input_bytes) {
    return ResourceExhaustedError("indicator import is {} bytes, the limit is {}", text.size(),
                                  options.max_input_bytes);
  }
  CsvReader reader(StripBom(text));
  CsvRecord record;
  bool have_header = false;
  while (reader.Next(record)) {
    if (!BlankRecord(record)) {
      have_header = true;
      break;
    }
  }
  if (!have_header) {
    return InvalidArgumentError("indicator csv is empty: expected a header line");
  }
  if (!record.error.empty()) {
    return InvalidArgumentError("indicator csv header: {}", record.error);
  }
  std::vector<std::optional<Field>> columns;
  bool has_type = false, has_value = false, has_action = false;
  for (const std::string& name : record.fields) {
    const std::optional<Field> field = FieldOf(name);
    for (const auto& earlier : columns) {
      if (field && earlier == field) {
        return InvalidArgumentError("indicator csv header repeats column '{}'", TrimSpace(name));
      }
    }
    has_type = has_type || field == Field::kType;
    has_value = has_value || field == Field::kValue;
    has_action = has_action || field == Field::kAction;
    columns.push_back(field);
  }
  if (!has_type || !has_value || !has_action) {
    return InvalidArgumentError(
        "indicator csv header lacks required column '{}' (header line {})",
        !has_type ? "IndicatorType" : (!has_value ? "IndicatorValue" : "Action"), record.line);
  }
  ImportResult result;
  while (reader.Next(record)) {
    if (BlankRecord(record)) {
      continue;
    }
    if (result.records >= options.max_records) {
      return ResourceExhaustedError("more than {} indicator records in the import",
                                    options.max_records);
    }
    ++result.records;
    if (!record.error.empty()) {
      result.errors.push_back(ImportError{record.line, result.records, record.error});
      continue;
    }
    bool extra = false;
    for (size_t i = columns.size(); i < record.fields.size(); ++i) {
      extra = extra || !TrimSpace(record.fields[i]).empty();
    }
    if (extra) {
      result.errors.push_back(ImportError{record.line, result.records,
                                          fmt::format("record has {} fields, the header has {}",
                                                      record.fields.size(), columns.size())});
      continue;
    }
    RawRecord raw;
    for (size_t i = 0; i < columns.size() && i < record.fields.size(); ++i) {
      if (columns[i]) {
        SetField(raw, *columns[i], record.fields[i]);
      }
    }
    AddRecord(raw, record.line, result.records, options, result);
  }
  return result;
}

Result<ImportResult> ImportJson(std::string_view text, const ImportOptions& options) {
  if (text.size() > options.max_input_bytes) {
    return ResourceExhaustedError("indicator import is {} bytes, the limit is {}", text.size(),
                                  options.max_input_bytes);
  }
  text = TrimSpace(StripBom(text));
  if (text.empty()) {
    return InvalidArgumentError("indicator json is empty");
  }
  simdjson::dom::parser parser;
  ImportResult result;
  // JSON lines when the first line is a complete object and more text follows it.
  const size_t first_newline = text.find('\n');
  bool json_lines = false;
  if (text.front() == '{' && first_newline != std::string_view::npos) {
    const std::string_view first = TrimSpace(text.substr(0, first_newline));
    const simdjson::padded_string padded(first);
    simdjson::dom::element element;
    json_lines = !first.empty() && parser.parse(padded).get(element) == simdjson::SUCCESS;
  }
  if (json_lines) {
    size_t line_number = 0;
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string_view::npos) {
        end = text.size();
      }
      ++line_number;
      const std::string_view line = TrimSpace(text.substr(start, end - start));
      start = end + 1;
      if (line.empty()) {
        continue;
      }
      if (result.records >= options.max_records) {
        return ResourceExhaustedError("more than {} indicator records in the import",
                                      options.max_records);
      }
      ++result.records;
      const simdjson::padded_string padded(line);
      simdjson::dom::element element;
      const auto error = parser.parse(padded).get(element);
      if (error != simdjson::SUCCESS) {
        result.errors.push_back(
            ImportError{line_number, result.records,
                        fmt::format("invalid JSON: {}", simdjson::error_message(error))});
        continue;
      }
      AddJsonRecord(element, line_number, result.records, options, result);
    }
    return result;
  }
  const simdjson::padded_string padded(text);
  simdjson::dom::element root;
  const auto error = parser.parse(padded).get(root);
  if (error != simdjson::SUCCESS) {
    return InvalidArgumentError("indicator json is not valid JSON: {}",
                                simdjson::error_message(error));
  }
  simdjson::dom::array array;
  if (root.get_array().get(array) == simdjson::SUCCESS) {
    VIGIL_RETURN_IF_ERROR(ImportJsonArray(array, options, result));
    return result;
  }
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) {
    return InvalidArgumentError("indicator json must be an object, an array or JSON lines");
  }
  if (WrappedArray(object, array)) {
    VIGIL_RETURN_IF_ERROR(ImportJsonArray(array, options, result));
    return result;
  }
  result.records = 1;
  AddJsonRecord(root, 1, 1, options, result);
  return result;
}

Result<ImportResult> ImportIndicators(std::string_view text, const ImportOptions& options) {
  const std::string_view trimmed = TrimSpace(StripBom(text));
  if (!trimmed.empty() && (trimmed.front() == '{' || trimmed.front() == '[')) {
    return ImportJson(text, options);
  }
  return ImportCsv(text, options);
}

}  // namespace vigil::detect::ioc

#include "vigil/ingest/normalize/internal/row_writer.h"

#include <charconv>
#include <limits>

#include "vigil/base/json_escape.h"
#include "vigil/base/time.h"
#include "vigil/ingest/normalize/field_transforms.h"

namespace vigil::ingest::internal {
namespace {

void AppendKey(std::string& out, std::string_view key) {
  if (out.size() > 1) {
    out.push_back(',');
  }
  AppendJsonQuoted(out, key);
  out.push_back(':');
}

void AppendNumberMember(std::string& out, std::string_view key, int64_t value) {
  AppendKey(out, key);
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out.append(buffer, end);
}

void AppendStringMember(std::string& out, std::string_view key, std::string_view value) {
  AppendKey(out, key);
  AppendJsonQuoted(out, value);
}

constexpr std::array<std::string_view, 14> kSystemKeys = {"Provider",
                                                          "Channel",
                                                          "EventID",
                                                          "Version",
                                                          "Level",
                                                          "Task",
                                                          "Opcode",
                                                          "Keywords",
                                                          "ProviderGuid",
                                                          "ExecutionProcessID",
                                                          "ExecutionThreadID",
                                                          "UserID",
                                                          "ActivityID",
                                                          "Computer"};

}  // namespace

TableState::TableState(const schema::TableSchema& table_schema) : batch(table_schema) {
  for (size_t i = 0; i < kColCount; ++i) {
    cols[i] = table_schema.FindColumn(kColNames[i]);
  }
  batch.Reserve(1024);
}

void RowWriter::SetEvent(const WinEvent& event, std::string_view device_name,
                         std::string_view device_id, IngestReport& report) {
  event_ = &event;
  report_ = &report;
  device_name_ = device_name;
  device_id_ = device_id;
}

void RowWriter::Begin(TableState* table, const std::string* table_name) {
  table_ = table;
  table_name_ = table_name;
  used_.assign(event_->data.size(), 0);
  cursor_ = 0;
  user_sid_used_ = false;
  derived_.clear();
  if (table_ == nullptr) {
    return;
  }
  table_->batch.BeginRow();
  if (event_->has_time_created) {
    SetLong(Col::kTimestamp, event_->time_created);
  } else if (const std::string* utc = Value("UtcTime"); utc != nullptr) {
    // Sysmon's own event time, for sources that lost TimeCreated; the field stays listed.
    if (const std::optional<int64_t> ticks = ParseDateTime(*utc)) {
      SetLong(Col::kTimestamp, *ticks);
    }
  }
  // Identity tables have no DeviceId: their DeviceName is the client, not the logging host.
  if (!device_name_.empty() && Has(Col::kDeviceId)) {
    SetString(Col::kDeviceName, device_name_);
    SetString(Col::kDeviceId, device_id_);
  }
  if (event_->record_id != 0) {
    SetLong(Col::kReportId, static_cast<int64_t>(event_->record_id));
  }
}

void RowWriter::Finish(std::string_view action_type) {
  if (table_ == nullptr) {
    report_->Skip(event_->source, "offset " + std::to_string(event_->source_offset),
                  "output table not in catalog");
    return;
  }
  SetString(Col::kActionType, action_type);
  BuildAdditionalFields();
  const int af = table_->cols[static_cast<size_t>(Col::kAdditionalFields)];
  if (af >= 0) {
    table_->batch.SetBytes(static_cast<size_t>(af), additional_fields_);
  }
  report_->CountRows(*table_name_);
}

bool RowWriter::KeyTaken(std::string_view key) const {
  for (const std::string_view system_key : kSystemKeys) {
    if (key == system_key) {
      return true;
    }
  }
  for (size_t i = 0; i < event_->data.size(); ++i) {
    if (used_[i] == 0 && event_->data[i].name == key) {
      return true;
    }
  }
  return false;
}

void RowWriter::BuildAdditionalFields() {
  const WinEvent& event = *event_;
  std::string& out = additional_fields_;
  out.clear();
  out.push_back('{');
  if (!event.provider.empty()) {
    AppendStringMember(out, "Provider", event.provider);
  }
  if (!event.channel.empty()) {
    AppendStringMember(out, "Channel", event.channel);
  }
  if (event.event_id >= 0) {
    AppendNumberMember(out, "EventID", event.event_id);
  }
  if (event.version >= 0) {
    AppendNumberMember(out, "Version", event.version);
  }
  if (event.level >= 0) {
    AppendNumberMember(out, "Level", event.level);
  }
  if (event.task >= 0) {
    AppendNumberMember(out, "Task", event.task);
  }
  if (event.opcode >= 0) {
    AppendNumberMember(out, "Opcode", event.opcode);
  }
  if (!event.keywords.empty()) {
    AppendStringMember(out, "Keywords", event.keywords);
  }
  if (!event.provider_guid.empty()) {
    AppendStringMember(out, "ProviderGuid", event.provider_guid);
  }
  if (event.process_id >= 0) {
    AppendNumberMember(out, "ExecutionProcessID", event.process_id);
  }
  if (event.thread_id >= 0) {
    AppendNumberMember(out, "ExecutionThreadID", event.thread_id);
  }
  if (!event.user_sid.empty() && !user_sid_used_) {
    AppendStringMember(out, "UserID", event.user_sid);
  }
  if (!event.activity_id.empty()) {
    AppendStringMember(out, "ActivityID", event.activity_id);
  }
  // DeviceName is lower-cased; keep the original spelling when it differs.
  if (!event.computer.empty() && event.computer != device_name_) {
    AppendStringMember(out, "Computer", event.computer);
  }
  for (size_t i = 0; i < event.data.size(); ++i) {
    if (used_[i] == 0) {
      AppendStringMember(out, event.data[i].name, event.data[i].value);
    }
  }
  if (!derived_.empty()) {
    if (out.size() > 1) {
      out.append(derived_);
    } else {
      out.append(derived_, 1, std::string::npos);  // drop the leading comma
    }
  }
  for (const EventField& field : event.extra) {
    if (KeyTaken(field.name)) {
      scratch_.assign("Extra.");
      scratch_.append(field.name);
      AppendStringMember(out, scratch_, field.value);
    } else {
      AppendStringMember(out, field.name, field.value);
    }
  }
  out.push_back('}');
}

int RowWriter::Find(std::string_view name) {
  const std::vector<EventField>& data = event_->data;
  const size_t count = data.size();
  for (size_t step = 0; step < count; ++step) {
    size_t i = cursor_ + step;
    if (i >= count) {
      i -= count;
    }
    if (data[i].name == name) {
      cursor_ = i + 1 < count ? i + 1 : 0;
      return static_cast<int>(i);
    }
  }
  return -1;
}

bool RowWriter::Has(Col col) const {
  return table_ != nullptr && col != Col::kNone && table_->cols[static_cast<size_t>(col)] >= 0;
}

void RowWriter::SetString(Col col, std::string_view value) {
  if (!Has(col)) {
    return;
  }
  const int index = table_->cols[static_cast<size_t>(col)];
  const schema::ColumnType type = table_->batch.column(static_cast<size_t>(index)).type;
  if (type == schema::ColumnType::kDynamic) {
    scratch_.clear();
    AppendJsonQuoted(scratch_, value);
    table_->batch.SetBytes(static_cast<size_t>(index), scratch_);
    return;
  }
  if (!schema::IsBytesBacked(type)) {
    SetTextAt(index, type, value);
    return;
  }
  table_->batch.SetBytes(static_cast<size_t>(index), value);
}

void RowWriter::SetLong(Col col, int64_t value) {
  if (!Has(col)) {
    return;
  }
  const int index = table_->cols[static_cast<size_t>(col)];
  const schema::ColumnType type = table_->batch.column(static_cast<size_t>(index)).type;
  if (schema::IsIntegerBacked(type)) {
    table_->batch.SetInt(static_cast<size_t>(index), value);
    return;
  }
  if (schema::IsBytesBacked(type)) {  // e.g. ReportId is a string in the Identity tables
    char buffer[24];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
    table_->batch.SetBytes(static_cast<size_t>(index), std::string_view(buffer, end - buffer));
    return;
  }
  table_->batch.SetReal(static_cast<size_t>(index), static_cast<double>(value));
}

bool RowWriter::SetText(Col col, std::string_view value) {
  if (!Has(col)) {
    return false;
  }
  if (IsEmptyValue(value)) {
    return true;
  }
  const int index = table_->cols[static_cast<size_t>(col)];
  const schema::ColumnType type = table_->batch.column(static_cast<size_t>(index)).type;
  if (schema::IsBytesBacked(type)) {
    SetString(col, value);
    return true;
  }
  return SetTextAt(index, type, value);
}

bool RowWriter::SetTextAt(int index, schema::ColumnType type, std::string_view value) {
  const size_t col = static_cast<size_t>(index);
  switch (type) {
    case schema::ColumnType::kLong:
    case schema::ColumnType::kInt: {
      const std::optional<int64_t> parsed = ParseWinInteger(value);
      if (!parsed) {
        return false;
      }
      if (type == schema::ColumnType::kInt && (*parsed < std::numeric_limits<int32_t>::min() ||
                                               *parsed > std::numeric_limits<int32_t>::max())) {
        return false;
      }
      table_->batch.SetInt(col, *parsed);
      return true;
    }
    case schema::ColumnType::kBool:
      if (EqualsIgnoreCase(value, "true") || value == "1") {
        table_->batch.SetInt(col, 1);
        return true;
      }
      if (EqualsIgnoreCase(value, "false") || value == "0") {
        table_->batch.SetInt(col, 0);
        return true;
      }
      return false;
    case schema::ColumnType::kDateTime: {
      const std::optional<int64_t> ticks = ParseDateTime(value);
      if (!ticks) {
        return false;
      }
      table_->batch.SetInt(col, *ticks);
      return true;
    }
    case schema::ColumnType::kReal: {
      double real = 0;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), real);
      if (ec != std::errc() || ptr != value.data() + value.size()) {
        return false;
      }
      table_->batch.SetReal(col, real);
      return true;
    }
    default:
      return false;
  }
}

bool RowWriter::Map(std::string_view field, Col col) {
  const int index = Find(field);
  if (index < 0) {
    return false;
  }
  if (!SetText(col, event_->data[static_cast<size_t>(index)].value)) {
    return false;
  }
  Consume(index);
  return true;
}

bool RowWriter::MapSid(std::string_view field, Col col) {
  const int index = Find(field);
  if (index < 0 || event_->data[static_cast<size_t>(index)].value == "S-1-0-0") {
    return false;
  }
  return Map(field, col);
}

bool RowWriter::MapProcessId(std::string_view field, Col col) {
  const int index = Find(field);
  if (index < 0) {
    return false;
  }
  const std::optional<int64_t> id = ParseWinInteger(event_->data[static_cast<size_t>(index)].value);
  if (id && *id == 0) {
    return false;
  }
  return Map(field, col);
}

bool RowWriter::MapPath(std::string_view field, Col folder, Col file) {
  const int index = Find(field);
  if (index < 0) {
    return false;
  }
  const std::string& path = event_->data[static_cast<size_t>(index)].value;
  const bool folder_ok = SetText(folder, path);
  const bool file_ok = SetText(file, PathFileName(path));
  if (!folder_ok && !file_ok) {
    return false;
  }
  if (!folder_ok && PathFileName(path).size() != path.size()) {
    return false;  // only the file name made it into a column: keep the full path too
  }
  Consume(index);
  return true;
}

bool RowWriter::MapFileName(std::string_view field, Col file) {
  const int index = Find(field);
  if (index < 0) {
    return false;
  }
  const std::string& path = event_->data[static_cast<size_t>(index)].value;
  if (!SetText(file, PathFileName(path))) {
    return false;
  }
  if (PathFileName(path).size() == path.size()) {
    Consume(index);  // nothing lost
  }
  return true;
}

bool RowWriter::MapAccount(std::string_view field, Col domain, Col name) {
  const int index = Find(field);
  if (index < 0 || !Has(name)) {
    return false;
  }
  const std::string& value = event_->data[static_cast<size_t>(index)].value;
  const AccountParts parts = SplitAccount(value);
  if (!parts.domain.empty() && !Has(domain)) {
    return false;
  }
  SetText(name, parts.name);
  if (!parts.domain.empty()) {
    SetText(domain, parts.domain);
  }
  Consume(index);
  return true;
}

bool RowWriter::MapHashes(std::string_view field, Col md5, Col sha1, Col sha256) {
  const int index = Find(field);
  if (index < 0) {
    return false;
  }
  bool all_named = true;
  std::string& lower = value_buffer_;
  ForEachHash(event_->data[static_cast<size_t>(index)].value,
              [&](std::string_view algorithm, std::string_view value) {
                if (algorithm.empty()) {
                  all_named = false;
                  return;
                }
                Col col = Col::kNone;
                if (EqualsIgnoreCase(algorithm, "MD5")) {
                  col = md5;
                } else if (EqualsIgnoreCase(algorithm, "SHA1")) {
                  col = sha1;
                } else if (EqualsIgnoreCase(algorithm, "SHA256")) {
                  col = sha256;
                }
                lower.assign(value);
                for (char& c : lower) {
                  if (c >= 'A' && c <= 'Z') {
                    c = static_cast<char>(c - 'A' + 'a');
                  }
                }
                if (col == Col::kNone || !SetText(col, lower)) {
                  AddDerived(algorithm, value);
                }
              });
  if (all_named) {
    Consume(index);
  }
  return all_named;
}

bool RowWriter::MapRegistryPath(std::string_view field, Col key, Col value_name) {
  const int index = Find(field);
  if (index < 0 || !Has(key)) {
    return false;
  }
  std::string_view path = event_->data[static_cast<size_t>(index)].value;
  if (value_name != Col::kNone) {
    if (!Has(value_name)) {
      return false;
    }
    const size_t slash = path.rfind('\\');
    if (slash != std::string_view::npos) {
      SetText(value_name, path.substr(slash + 1));
      path = path.substr(0, slash);
    }
  }
  value_buffer_.clear();
  AppendExpandedRegistryKey(path, value_buffer_);
  SetText(key, value_buffer_);
  Consume(index);
  return true;
}

void RowWriter::AddDerived(std::string_view key, std::string_view value) {
  derived_.push_back(',');
  AppendJsonQuoted(derived_, key);
  derived_.push_back(':');
  AppendJsonQuoted(derived_, value);
}

}  // namespace vigil::ingest::internal

#include "vigil/ingest/normalize/normalizer.h"

#include <charconv>
#include <cstring>

#include "vigil/ingest/normalize/field_transforms.h"
#include "vigil/ingest/normalize/internal/event_mapper.h"
#include "vigil/ingest/normalize/internal/row_writer.h"

namespace vigil::ingest {

using internal::Col;
using internal::EventMapper;
using internal::RowWriter;
using internal::Table;
using internal::TableState;

namespace {

enum class SourceKind : uint8_t { kSysmon, kSecurity, kEventlog, kServiceControlManager, kOther };

SourceKind Classify(const WinEvent& event) {
  const std::string& provider = event.provider;
  if (EqualsIgnoreCase(provider, "Microsoft-Windows-Sysmon") ||
      (provider.empty() &&
       EqualsIgnoreCase(event.channel, "Microsoft-Windows-Sysmon/Operational"))) {
    return SourceKind::kSysmon;
  }
  if (EqualsIgnoreCase(provider, "Microsoft-Windows-Security-Auditing") ||
      (provider.empty() && EqualsIgnoreCase(event.channel, "Security") && event.event_id != 1102)) {
    return SourceKind::kSecurity;
  }
  if (EqualsIgnoreCase(provider, "Microsoft-Windows-Eventlog") ||
      (provider.empty() && event.event_id == 1102)) {
    return SourceKind::kEventlog;
  }
  if (EqualsIgnoreCase(provider, "Service Control Manager")) {
    return SourceKind::kServiceControlManager;
  }
  return SourceKind::kOther;
}

}  // namespace

// The fallback for events without a specific mapping: a DeviceEvents row.
void internal::EventMapper::MapDefault(const WinEvent& event) {
  Begin(Table::kDeviceEvents);
  std::string& action = w_.action_buffer();
  if (!event.provider.empty()) {
    action = event.provider;
  } else if (!event.channel.empty()) {
    action = event.channel;
  } else {
    action = "Unknown";
  }
  action.push_back('-');
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), event.event_id);
  action.append(digits, end);
  w_.Finish(action);
}

Normalizer::Normalizer(const schema::Catalog& catalog) : writer_(std::make_unique<RowWriter>()) {
  static_assert(kTables == internal::kTableCount);
  std::array<TableState*, internal::kTableCount>& direct = direct_;
  for (size_t i = 0; i < internal::kTableCount; ++i) {
    const schema::TableSchema* table = catalog.Find(internal::kTableNames[i]);
    if (table == nullptr) {
      continue;
    }
    tables_.push_back(std::make_unique<TableState>(*table));
    direct[i] = tables_.back().get();
  }
  const size_t fallback = static_cast<size_t>(Table::kDeviceEvents);
  for (size_t i = 0; i < internal::kTableCount; ++i) {
    route_[i] = direct[i] != nullptr ? direct[i] : direct[fallback];
    route_names_[i] = route_[i] == nullptr ? nullptr : &route_[i]->batch.schema().name();
  }
}

Normalizer::~Normalizer() = default;

const Normalizer::DeviceEntry* Normalizer::LookupDevice(const std::string& computer,
                                                        bool& first_seen) {
  first_seen = false;
  if (last_computer_ != nullptr && *last_computer_ == computer) {
    return last_device_;
  }
  auto it = devices_.find(computer);
  if (it == devices_.end()) {
    DeviceEntry entry;
    entry.name = computer;
    for (char& c : entry.name) {
      c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    entry.id = DeviceIdFor(entry.name);
    // Several spellings of one name ("WS1", "ws1") are one device.
    first_seen = seen_names_.insert(entry.name).second;
    it = devices_.emplace(computer, std::move(entry)).first;
  }
  last_computer_ = &it->first;
  last_device_ = &it->second;
  return last_device_;
}

void Normalizer::EmitDeviceInfo(const DeviceEntry& device, const WinEvent& event,
                                IngestReport& report) {
  TableState* table = route_[static_cast<size_t>(Table::kDeviceInfo)];
  if (table == nullptr || table != direct_[static_cast<size_t>(Table::kDeviceInfo)]) {
    return;  // no DeviceInfo table: nothing to say about devices
  }
  schema::TableBatch& batch = table->batch;
  batch.BeginRow();
  auto set_string = [&](Col col, std::string_view value) {
    const int index = table->cols[static_cast<size_t>(col)];
    if (index >= 0) {
      batch.SetBytes(static_cast<size_t>(index), value);
    }
  };
  auto set_int = [&](Col col, int64_t value) {
    const int index = table->cols[static_cast<size_t>(col)];
    if (index >= 0) {
      batch.SetInt(static_cast<size_t>(index), value);
    }
  };
  if (event.has_time_created) {
    set_int(Col::kTimestamp, event.time_created);
  }
  set_string(Col::kDeviceId, device.id);
  set_string(Col::kDeviceName, device.name);
  set_string(Col::kOSPlatform, "Windows");
  report.CountRows(batch.schema().name());
}

void Normalizer::Add(const WinEvent& event, IngestReport& report) {
  bool first_seen = false;
  const DeviceEntry* device =
      event.computer.empty() ? nullptr : LookupDevice(event.computer, first_seen);
  if (first_seen) {
    EmitDeviceInfo(*device, event, report);
  }
  writer_->SetEvent(event, device != nullptr ? std::string_view(device->name) : std::string_view(),
                    device != nullptr ? std::string_view(device->id) : std::string_view(), report);
  EventMapper mapper(*writer_, route_, route_names_);
  bool mapped = false;
  switch (Classify(event)) {
    case SourceKind::kSysmon:
      mapped = mapper.MapSysmon(event);
      break;
    case SourceKind::kSecurity:
      mapped = mapper.MapSecurity(event);
      break;
    case SourceKind::kEventlog:
      mapped = mapper.MapEventlog(event);
      break;
    case SourceKind::kServiceControlManager:
      mapped = mapper.MapServiceControlManager(event);
      break;
    case SourceKind::kOther:
      break;
  }
  if (!mapped) {
    mapper.MapDefault(event);
  }
}

void Normalizer::Drain(const BatchSink& sink, size_t min_rows) {
  for (const auto& table : tables_) {
    schema::TableBatch& batch = table->batch;
    if (batch.empty() || batch.rows() < min_rows) {
      continue;
    }
    sink(batch);
    batch.Clear();
  }
}

size_t Normalizer::pending_rows() const {
  size_t rows = 0;
  for (const auto& table : tables_) {
    rows += table->batch.rows();
  }
  return rows;
}

}  // namespace vigil::ingest

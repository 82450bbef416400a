#include "vigil/ingest/text/internal/windows_json_shapes.h"

#include <fmt/format.h>

#include <string>
#include <string_view>

#include "vigil/base/time.h"
#include "vigil/ingest/text/internal/json_event_values.h"

namespace vigil::ingest::internal {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

namespace {

std::string UnnamedDataName(int& unnamed) {
  const int index = unnamed++;
  return index == 0 ? std::string("Data") : fmt::format("Data_{}", index);
}
// ---------------------------------------------------------------------------------------------
// Shape 1: evtx_dump / Sigma regression data: {"Event":{"System":{...},"EventData":{...}}}.

void MapSystem(object system, WinEvent& event) {
  for (simdjson::dom::key_value_pair member : system) {
    const std::string_view key = member.key;
    const element value = member.value;
    element attr;
    int64_t number = 0;
    if (key == "Provider") {
      if (Attribute(value, "Name", attr)) {
        event.provider = Text(attr);
      }
      if (Attribute(value, "Guid", attr)) {
        event.provider_guid = Text(attr);
      }
      if (Attribute(value, "EventSourceName", attr)) {
        AddField(event.extra, "EventSourceName", attr);
      }
    } else if (key == "EventID") {
      if (ToInt(Unwrap(value), number)) {
        event.event_id = number;
      }
      if (Attribute(value, "Qualifiers", attr)) {
        AddField(event.extra, "Qualifiers", attr);
      }
    } else if (key == "Version" && ToInt(Unwrap(value), number)) {
      event.version = number;
    } else if (key == "Level" && ToInt(Unwrap(value), number)) {
      event.level = number;
    } else if (key == "Task" && ToInt(Unwrap(value), number)) {
      event.task = number;
    } else if (key == "Opcode" && ToInt(Unwrap(value), number)) {
      event.opcode = number;
    } else if (key == "Keywords") {
      event.keywords = Text(Unwrap(value));
    } else if (key == "TimeCreated") {
      if (Attribute(value, "SystemTime", attr) && ToTicks(attr, number)) {
        event.time_created = number;
        event.has_time_created = true;
      }
    } else if (key == "EventRecordID" && ToInt(Unwrap(value), number)) {
      event.record_id = static_cast<uint64_t>(number);
    } else if (key == "Correlation") {
      if (Attribute(value, "ActivityID", attr)) {
        event.activity_id = Text(attr);
      }
      if (Attribute(value, "RelatedActivityID", attr)) {
        AddField(event.extra, "RelatedActivityID", attr);
      }
    } else if (key == "Execution") {
      if (Attribute(value, "ProcessID", attr) && ToInt(attr, number)) {
        event.process_id = number;
      }
      if (Attribute(value, "ThreadID", attr) && ToInt(attr, number)) {
        event.thread_id = number;
      }
      for (const char* other :
           {"ProcessorID", "SessionID", "KernelTime", "UserTime", "ProcessorTime"}) {
        if (Attribute(value, other, attr)) {
          AddField(event.extra, fmt::format("Execution.{}", other), attr);
        }
      }
    } else if (key == "Channel") {
      event.channel = Text(Unwrap(value));
    } else if (key == "Computer") {
      event.computer = Text(Unwrap(value));
    } else if (key == "Security") {
      if (Attribute(value, "UserID", attr)) {
        event.user_sid = Text(attr);
      }
    } else if (value.type() != element_type::NULL_VALUE) {
      FlattenInto(event.extra, JoinPath("System", key), value);
    }
  }
}

void MapEventData(element event_data, WinEvent& event) {
  int unnamed = 0;
  if (!IsObject(event_data)) {
    if (event_data.type() != element_type::NULL_VALUE) {
      AddField(event.data, UnnamedDataName(unnamed), event_data);
    }
    return;
  }
  object obj;
  obj = event_data.get_object().value_unsafe();
  for (simdjson::dom::key_value_pair member : obj) {
    if (member.key == "#attributes") {
      continue;
    }
    if (member.key == "Data") {
      // Unnamed <Data> elements: one value or an array of them.
      if (member.value.type() == element_type::ARRAY) {
        simdjson::dom::array items;
        items = member.value.get_array().value_unsafe();
        for (element item : items) {
          AddField(event.data, UnnamedDataName(unnamed), Unwrap(item));
        }
      } else {
        AddField(event.data, UnnamedDataName(unnamed), Unwrap(member.value));
      }
      continue;
    }
    AddField(event.data, std::string(member.key), Unwrap(member.value));
  }
}

void MapUserData(element user_data, WinEvent& event) {
  if (!IsObject(user_data)) {
    if (user_data.type() != element_type::NULL_VALUE) {
      AddField(event.data, "UserData", user_data);
    }
    return;
  }
  object obj;
  obj = user_data.get_object().value_unsafe();
  for (simdjson::dom::key_value_pair member : obj) {
    if (member.key == "#attributes") {
      continue;
    }
    // The single wrapper element (e.g. LogFileCleared) names the payload; fields are its
    // children, nested ones as dotted paths below it.
    if (IsObject(member.value)) {
      object children;
      children = member.value.get_object().value_unsafe();
      for (simdjson::dom::key_value_pair child : children) {
        if (child.key != "#attributes") {
          FlattenInto(event.data, child.key, child.value);
          continue;
        }
        object attrs;
        if (child.value.get_object().get(attrs) != simdjson::SUCCESS) {
          continue;
        }
        for (simdjson::dom::key_value_pair attr : attrs) {
          if (attr.key != "xmlns" && attr.key.substr(0, 6) != "xmlns:") {
            AddField(event.data, std::string(attr.key), attr.value);
          }
        }
      }
    } else {
      AddField(event.data, std::string(member.key), member.value);
    }
  }
}

// `ev` is the Event element; `outer` (may be null) the object around it, whose other members
// go to `extra`.
void MapEventShape(object ev, const object* outer, WinEvent& event) {
  for (simdjson::dom::key_value_pair member : ev) {
    if (member.key == "System" && IsObject(member.value)) {
      object system;
      system = member.value.get_object().value_unsafe();
      MapSystem(system, event);
    } else if (member.key == "EventData") {
      MapEventData(member.value, event);
    } else if (member.key == "UserData") {
      MapUserData(member.value, event);
    } else if (member.key == "RenderingInfo") {
      element message;
      if (IsObject(member.value) &&
          member.value.at_key("Message").get(message) == simdjson::SUCCESS) {
        AddField(event.extra, "Message", Unwrap(message));
      }
      if (IsObject(member.value)) {
        object info;
        info = member.value.get_object().value_unsafe();
        for (simdjson::dom::key_value_pair field : info) {
          if (field.key != "Message") {
            FlattenInto(event.extra, JoinPath("RenderingInfo", field.key), field.value);
          }
        }
      }
    } else if (member.key == "#attributes") {
      continue;
    } else {
      FlattenInto(event.extra, member.key, member.value);
    }
  }
  if (outer == nullptr) {
    return;
  }
  for (simdjson::dom::key_value_pair member : *outer) {
    if (member.key != "Event") {
      FlattenInto(event.extra, member.key, member.value);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Shape 2: Winlogbeat / Elastic: winlog.* (nested or dotted keys), event.*, host.*.

void MapWinlogLeaf(const std::string& path, element value, WinEvent& event) {
  static constexpr std::string_view kEventData = "winlog.event_data.";
  static constexpr std::string_view kUserData = "winlog.user_data.";
  if (path.compare(0, kEventData.size(), kEventData) == 0) {
    AddField(event.data, path.substr(kEventData.size()), value);
    return;
  }
  if (path.compare(0, kUserData.size(), kUserData) == 0) {
    AddField(event.data, path.substr(kUserData.size()), value);
    return;
  }
  int64_t number = 0;
  if (path == "winlog.channel") {
    event.channel = Text(value);
  } else if (path == "winlog.event_id" && ToInt(value, number)) {
    event.event_id = number;
  } else if (path == "winlog.provider_name") {
    event.provider = Text(value);
  } else if (path == "winlog.provider_guid") {
    event.provider_guid = Text(value);
  } else if (path == "winlog.computer_name") {
    event.computer = Text(value);
  } else if (path == "winlog.record_id" && ToInt(value, number)) {
    event.record_id = static_cast<uint64_t>(number);
  } else if (path == "winlog.process.pid" && ToInt(value, number)) {
    event.process_id = number;
  } else if (path == "winlog.process.thread.id" && ToInt(value, number)) {
    event.thread_id = number;
  } else if (path == "winlog.version" && ToInt(value, number)) {
    event.version = number;
  } else if (path == "winlog.level" && ToInt(value, number)) {
    event.level = number;
  } else if (path == "winlog.task" && ToInt(value, number)) {
    event.task = number;
  } else if (path == "winlog.opcode" && ToInt(value, number)) {
    event.opcode = number;
  } else if (path == "winlog.activity_id") {
    event.activity_id = Text(value);
  } else if (path == "winlog.user.identifier") {
    event.user_sid = Text(value);
  } else if (path == "winlog.time_created" && ToTicks(value, number)) {
    event.time_created = number;
    event.has_time_created = true;
  } else {
    AddField(event.extra, path, value);
  }
}

void WalkWinlog(object obj, const std::string& prefix, WinEvent& event) {
  for (simdjson::dom::key_value_pair member : obj) {
    const std::string path = JoinPath(prefix, member.key);
    if (IsObject(member.value)) {
      object child;
      child = member.value.get_object().value_unsafe();
      if (child.size() > 0) {
        WalkWinlog(child, path, event);
        continue;
      }
    }
    MapWinlogLeaf(path, member.value, event);
  }
}

const std::string* FindExtra(const WinEvent& event, std::string_view name) {
  for (const auto& field : event.extra) {
    if (field.name == name) {
      return &field.value;
    }
  }
  return nullptr;
}

void MapWinlogbeatShape(object root, WinEvent& event) {
  WalkWinlog(root, "", event);
  // Fallbacks from the ECS fields, which stay in `extra` as well.
  if (event.event_id < 0) {
    if (const std::string* code = FindExtra(event, "event.code")) {
      int64_t number = 0;
      if (ParseIntText(*code, number)) {
        event.event_id = number;
      }
    }
  }
  if (event.computer.empty()) {
    if (const std::string* host = FindExtra(event, "host.name")) {
      event.computer = *host;
    } else if (const std::string* hostname = FindExtra(event, "host.hostname")) {
      event.computer = *hostname;
    }
  }
  if (event.provider.empty()) {
    if (const std::string* provider = FindExtra(event, "event.provider")) {
      event.provider = *provider;
    }
  }
  if (!event.has_time_created) {
    if (const std::string* ts = FindExtra(event, "@timestamp")) {
      if (const auto ticks = ParseDateTime(*ts)) {
        event.time_created = *ticks;
        event.has_time_created = true;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Shape 3: flat forwarder output (OTRF security datasets: NXLog im_msvistalog through Logstash,
// and a TimeCreated/Hostname flavour): System fields, event data and forwarder metadata share
// one flat object.

bool IsNxlogEventType(std::string_view value) {
  return value == "INFO" || value == "AUDIT_SUCCESS" || value == "AUDIT_FAILURE" ||
         value == "WARNING" || value == "ERROR" || value == "CRITICAL" || value == "VERBOSE";
}

bool IsNumber(element value) {
  const element_type type = value.type();
  return type == element_type::INT64 || type == element_type::UINT64 ||
         type == element_type::DOUBLE;
}

// Forwarder metadata: NXLog's own fields and Logstash's envelope.
bool IsForwarderKey(std::string_view key) {
  static constexpr std::string_view kKeys[] = {"Message",
                                               "@version",
                                               "@timestamp",
                                               "host",
                                               "port",
                                               "tags",
                                               "type",
                                               "EventReceivedTime",
                                               "EventTime",
                                               "SourceModuleName",
                                               "SourceModuleType",
                                               "Severity",
                                               "SeverityValue",
                                               "Category",
                                               "EventTypeOrignal",
                                               "ERROR_EVT_UNRESOLVED",
                                               "RelatedActivityID"};
  for (std::string_view candidate : kKeys) {
    if (key == candidate) {
      return true;
    }
  }
  return false;
}

void MapFlatShape(object root, WinEvent& event) {
  bool has_user_id = false;
  bool has_execution_pid = false;
  bool has_event_type_original = false;
  for (simdjson::dom::key_value_pair member : root) {
    has_user_id |= member.key == "UserID";
    has_execution_pid |= member.key == "ExecutionProcessID";
    has_event_type_original |= member.key == "EventTypeOrignal";
  }
  element timestamp_fallback;
  bool has_timestamp_fallback = false;
  for (simdjson::dom::key_value_pair member : root) {
    const std::string_view key = member.key;
    const element value = member.value;
    int64_t number = 0;
    if (key == "Channel") {
      event.channel = Text(value);
    } else if (key == "EventID" && ToInt(Unwrap(value), number)) {
      event.event_id = number;
    } else if (key == "Hostname") {
      event.computer = Text(value);
    } else if (key == "SourceName") {
      event.provider = Text(value);
    } else if (key == "ProviderGuid") {
      event.provider_guid = Text(value);
    } else if (key == "RecordNumber" && ToInt(value, number)) {
      event.record_id = static_cast<uint64_t>(number);
    } else if ((key == "ExecutionProcessID" ||
                (key == "ProcessID" && !has_execution_pid && IsNumber(value))) &&
               ToInt(value, number)) {
      // NXLog writes Execution/@ProcessID as a number named ProcessID (older versions) or
      // ExecutionProcessID; a string "ProcessID" is event data (e.g. Security 5156).
      event.process_id = number;
    } else if ((key == "ExecutionThreadID" || (key == "ThreadID" && IsNumber(value))) &&
               ToInt(value, number)) {
      event.thread_id = number;
    } else if (key == "Version" && IsNumber(value) && ToInt(value, number)) {
      event.version = number;  // a string Version is event data (Sysmon 4)
    } else if (key == "Level" && ToInt(value, number)) {
      event.level = number;
    } else if (key == "Task" && ToInt(value, number)) {
      event.task = number;
    } else if ((key == "OpcodeValue" || key == "Opcode") && IsNumber(value) &&
               ToInt(value, number)) {
      event.opcode = number;
    } else if (key == "Opcode") {
      AddField(event.extra, std::string(key), value);  // NXLog's opcode name ("Info")
    } else if (key == "Keywords") {
      if (IsNumber(value) && ToInt(value, number)) {
        event.keywords = fmt::format("0x{:x}", static_cast<uint64_t>(number));
      } else {
        event.keywords = Text(value);
      }
    } else if (key == "TimeCreated" && ToTicks(value, number)) {
      event.time_created = number;
      event.has_time_created = true;
    } else if (key == "UserID") {
      event.user_sid = Text(value);
    } else if (key == "ActivityID") {
      event.activity_id = Text(value);
    } else if ((key == "Domain" || key == "AccountName" || key == "AccountType") && has_user_id) {
      AddField(event.extra, std::string(key), value);  // NXLog's resolution of UserID
    } else if (key == "EventType" && !has_event_type_original && value.is_string() &&
               IsNxlogEventType(Text(value))) {
      AddField(event.extra, std::string(key), value);  // NXLog's severity class
    } else if (IsForwarderKey(key)) {
      if (key == "@timestamp") {
        timestamp_fallback = value;
        has_timestamp_fallback = true;
      }
      AddField(event.extra, std::string(key), value);
    } else {
      AddField(event.data, std::string(key), value);
    }
  }
  int64_t ticks = 0;
  if (!event.has_time_created && has_timestamp_fallback && ToTicks(timestamp_fallback, ticks)) {
    event.time_created = ticks;
    event.has_time_created = true;
  }
}

}  // namespace

WindowsJsonShape DetectWindowsJsonShape(object root, element& event_elem) {
  bool winlog = false;
  for (simdjson::dom::key_value_pair member : root) {
    if (member.key == "Event" && IsObject(member.value)) {
      event_elem = member.value;
      return WindowsJsonShape::kEventWrapped;
    }
    if (member.key == "winlog" || member.key.substr(0, 7) == "winlog.") {
      winlog = true;
    }
  }
  if (winlog) {
    return WindowsJsonShape::kWinlogbeat;
  }
  element system;
  if (root.at_key("System").get(system) == simdjson::SUCCESS && IsObject(system)) {
    return WindowsJsonShape::kEventBare;  // {"System":..., "EventData":...} without the Event
                                          // wrapper
  }
  return WindowsJsonShape::kFlat;
}

bool MapWindowsJsonObject(object root, WinEvent& event) {
  element event_elem;
  switch (DetectWindowsJsonShape(root, event_elem)) {
    case WindowsJsonShape::kEventWrapped: {
      object ev;
      ev = event_elem.get_object().value_unsafe();
      MapEventShape(ev, &root, event);
      break;
    }
    case WindowsJsonShape::kEventBare:
      MapEventShape(root, nullptr, event);
      break;
    case WindowsJsonShape::kWinlogbeat:
      MapWinlogbeatShape(root, event);
      break;
    case WindowsJsonShape::kFlat:
      MapFlatShape(root, event);
      break;
  }
  return event.event_id >= 0 || !event.channel.empty() || !event.provider.empty();
}

}  // namespace vigil::ingest::internal

#include "vigil/ingest/text/json_reader.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include <fmt/format.h>
#include <simdjson.h>

#include "vigil/base/time.h"
#include "vigil/ingest/text/internal/json_text.h"

namespace vigil::ingest {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

// ---------------------------------------------------------------------------------------------
// Framing: finds where each top-level object ends without parsing it.

struct ScanResult {
  bool ok = false;
  size_t end = 0;  // one past the closing brace (ok), or where scanning stopped (not ok)
  const char* problem = "";
};

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Scans the object starting at `start` (a '{'). Fails on a raw newline inside a string (invalid
// JSON, typical of a truncated JSON line) and on a '{' at the start of a line while still
// inside the object (a new document began, so this one was cut short).
ScanResult ScanObject(std::string_view data, size_t start) {
  const char* p = data.data();
  const size_t n = data.size();
  int64_t depth = 0;
  size_t i = start;
  while (i < n) {
    const char c = p[i];
    if (c == '"') {
      ++i;
      while (true) {
        // Jump to the next quote, backslash or newline.
        while (i < n && p[i] != '"' && p[i] != '\\' && p[i] != '\n') {
          ++i;
        }
        if (i >= n) {
          return {false, n, "unterminated string"};
        }
        if (p[i] == '\\') {
          i += 2;
          continue;
        }
        if (p[i] == '\n') {
          return {false, i, "line break inside a string"};
        }
        ++i;  // closing quote
        break;
      }
      continue;
    }
    if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
      if (depth <= 0) {
        return {depth == 0, i + 1, depth == 0 ? "" : "unbalanced brackets"};
      }
    } else if (c == '\n' && i + 1 < n && p[i + 1] == '{') {
      return {false, i + 1, "object cut short by a new object"};
    }
    ++i;
  }
  return {false, n, "unexpected end of input"};
}

// Start of the next line after `from` whose first non-blank character is '{', or npos.
size_t NextObjectLine(std::string_view data, size_t from) {
  size_t pos = from;
  while (pos < data.size()) {
    const auto* nl =
        static_cast<const char*>(std::memchr(data.data() + pos, '\n', data.size() - pos));
    if (nl == nullptr) {
      return std::string_view::npos;
    }
    pos = static_cast<size_t>(nl - data.data()) + 1;
    size_t first = pos;
    while (first < data.size() && (data[first] == ' ' || data[first] == '\t')) {
      ++first;
    }
    if (first < data.size() && data[first] == '{') {
      return first;
    }
  }
  return std::string_view::npos;
}

// Parses [start, end) with the DOM parser, in place when enough readable bytes follow.
simdjson::error_code ParseSpan(simdjson::dom::parser& parser, std::string_view data, size_t start,
                               size_t end, std::string& buffer, element& out) {
  const size_t len = end - start;
  if (end + simdjson::SIMDJSON_PADDING <= data.size()) {
    return parser.parse(data.data() + start, len, false).get(out);
  }
  buffer.assign(data.data() + start, len);
  buffer.append(simdjson::SIMDJSON_PADDING, '\0');
  return parser.parse(buffer.data(), len, false).get(out);
}

// Skip detail naming the lines dropped up to the resynchronization point.
std::string SkippedDetail(std::string_view problem, uint64_t first_line, uint64_t last_line) {
  if (last_line <= first_line) {
    return std::string(problem);
  }
  return fmt::format("{} (lines {}-{} skipped)", problem, first_line, last_line);
}

// ---------------------------------------------------------------------------------------------
// Value helpers.

std::string Text(element value) {
  std::string out;
  internal::AppendElementText(out, value);
  return out;
}

bool ParseIntText(std::string_view text, int64_t& out) {
  while (!text.empty() && IsBlank(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && IsBlank(text.back())) {
    text.remove_suffix(1);
  }
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    uint64_t value = 0;
    const auto [ptr, ec] = std::from_chars(text.data() + 2, text.data() + text.size(), value, 16);
    if (ec != std::errc() || ptr != text.data() + text.size()) {
      return false;
    }
    out = static_cast<int64_t>(value);
    return true;
  }
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size() && !text.empty();
}

// Integer from a JSON number or numeric string; false if it is neither.
bool ToInt(element value, int64_t& out) {
  switch (value.type()) {
    case element_type::INT64:
      return value.get_int64().get(out) == simdjson::SUCCESS;
    case element_type::UINT64: {
      uint64_t u = 0;
      if (value.get_uint64().get(u) != simdjson::SUCCESS) {
        return false;
      }
      out = static_cast<int64_t>(u);
      return true;
    }
    case element_type::DOUBLE: {
      double d = 0;
      if (value.get_double().get(d) != simdjson::SUCCESS || d != static_cast<double>(
                                                                   static_cast<int64_t>(d))) {
        return false;
      }
      out = static_cast<int64_t>(d);
      return true;
    }
    case element_type::STRING: {
      std::string_view text;
      return value.get_string().get(text) == simdjson::SUCCESS && ParseIntText(text, out);
    }
    default:
      return false;
  }
}

// A datetime from an ISO 8601 string or epoch milliseconds.
bool ToTicks(element value, int64_t& out) {
  if (value.type() == element_type::STRING) {
    std::string_view text;
    if (value.get_string().get(text) != simdjson::SUCCESS) {
      return false;
    }
    const auto ticks = ParseDateTime(text);
    if (!ticks) {
      return false;
    }
    out = *ticks;
    return true;
  }
  int64_t millis = 0;
  if (!ToInt(value, millis) || millis > 9'000'000'000'000'000 / kTicksPerMillisecond ||
      millis < -9'000'000'000'000'000 / kTicksPerMillisecond) {
    return false;
  }
  out = millis * kTicksPerMillisecond;
  return true;
}

bool IsObject(element value) { return value.type() == element_type::OBJECT; }

// value["#attributes"][name], as in evtx_dump's JSON.
bool Attribute(element value, std::string_view name, element& out) {
  if (!IsObject(value)) {
    return false;
  }
  element attrs;
  if (value.at_key("#attributes").get(attrs) != simdjson::SUCCESS || !IsObject(attrs)) {
    return false;
  }
  return attrs.at_key(name).get(out) == simdjson::SUCCESS;
}

// An element's text, looking through evtx_dump's {"#attributes":..., "#text": v} wrapper.
element Unwrap(element value) {
  element text;
  if (IsObject(value) && value.at_key("#text").get(text) == simdjson::SUCCESS) {
    return text;
  }
  return value;
}

void AddField(std::vector<EventField>& fields, std::string name, element value) {
  fields.push_back(EventField{std::move(name), Text(value)});
}

std::string JoinPath(std::string_view prefix, std::string_view name) {
  if (prefix.empty()) {
    return std::string(name);
  }
  std::string path(prefix);
  path.push_back('.');
  path.append(name);
  return path;
}

// Adds every leaf under `value` to `fields` with dotted names below `prefix`; "#attributes"
// members become leaves too (xmlns declarations are dropped), "#text" names the node itself.
void FlattenInto(std::vector<EventField>& fields, std::string_view prefix, element value) {
  if (!IsObject(value)) {
    AddField(fields, std::string(prefix), value);
    return;
  }
  object obj;
  obj = value.get_object().value_unsafe();
  if (obj.size() == 0) {
    fields.push_back(EventField{std::string(prefix), ""});
    return;
  }
  for (simdjson::dom::key_value_pair member : obj) {
    if (member.key == "#attributes" && IsObject(member.value)) {
      object attrs;
      attrs = member.value.get_object().value_unsafe();
      for (simdjson::dom::key_value_pair attr : attrs) {
        if (attr.key == "xmlns" || attr.key.substr(0, 6) == "xmlns:") {
          continue;
        }
        AddField(fields, JoinPath(prefix, attr.key), attr.value);
      }
      continue;
    }
    if (member.key == "#text") {
      AddField(fields, std::string(prefix), member.value);
      continue;
    }
    FlattenInto(fields, JoinPath(prefix, member.key), member.value);
  }
}

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
      for (const char* other : {"ProcessorID", "SessionID", "KernelTime", "UserTime",
                                "ProcessorTime"}) {
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
  static constexpr std::string_view kKeys[] = {
      "Message",          "@version",         "@timestamp",       "host",
      "port",             "tags",             "type",             "EventReceivedTime",
      "EventTime",        "SourceModuleName", "SourceModuleType", "Severity",
      "SeverityValue",    "Category",         "EventTypeOrignal", "ERROR_EVT_UNRESOLVED",
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
    } else if ((key == "Domain" || key == "AccountName" || key == "AccountType") &&
               has_user_id) {
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

enum class Shape { kEventWrapped, kEventBare, kWinlogbeat, kFlat };

Shape DetectShape(object root, element& event_elem) {
  bool winlog = false;
  for (simdjson::dom::key_value_pair member : root) {
    if (member.key == "Event" && IsObject(member.value)) {
      event_elem = member.value;
      return Shape::kEventWrapped;
    }
    if (member.key == "winlog" || member.key.substr(0, 7) == "winlog.") {
      winlog = true;
    }
  }
  if (winlog) {
    return Shape::kWinlogbeat;
  }
  element system;
  if (root.at_key("System").get(system) == simdjson::SUCCESS && IsObject(system)) {
    return Shape::kEventBare;  // {"System":..., "EventData":...} without the Event wrapper
  }
  return Shape::kFlat;
}

// Maps one parsed object; false if it carries no Windows event fields at all.
bool MapObject(object root, WinEvent& event) {
  element event_elem;
  switch (DetectShape(root, event_elem)) {
    case Shape::kEventWrapped: {
      object ev;
      ev = event_elem.get_object().value_unsafe();
      MapEventShape(ev, &root, event);
      break;
    }
    case Shape::kEventBare:
      MapEventShape(root, nullptr, event);
      break;
    case Shape::kWinlogbeat:
      MapWinlogbeatShape(root, event);
      break;
    case Shape::kFlat:
      MapFlatShape(root, event);
      break;
  }
  return event.event_id >= 0 || !event.channel.empty() || !event.provider.empty();
}

}  // namespace

Status ReadWindowsJson(std::string_view input, const std::string& source,
                       const WinEventSink& sink, IngestReport& report) {
  std::string transcoded;
  std::string_view data = internal::TranscodeUtf16WithBom(input, transcoded)
                              ? std::string_view(transcoded)
                              : internal::StripUtf8Bom(input);
  simdjson::dom::parser parser;
  std::string buffer;
  WinEvent event;
  event.source = source;
  internal::LineCounter lines(data);
  size_t pos = 0;
  size_t failed_end = 0;  // end of the furthest scan that failed
  const size_t n = data.size();
  while (pos < n) {
    // Between documents: whitespace and array/sequence punctuation.
    while (pos < n && (IsBlank(data[pos]) || data[pos] == ',' || data[pos] == '[' ||
                       data[pos] == ']')) {
      ++pos;
    }
    if (pos >= n) {
      break;
    }
    const size_t start = pos;
    const uint64_t line = lines.LineAt(start);
    if (data[start] != '{') {
      const size_t next = NextObjectLine(data, start);
      const size_t stop = next == std::string_view::npos ? n : next;
      pos = stop;
      report.Skip(source, internal::LinePosition(line), "not a JSON object",
                  SkippedDetail(internal::Excerpt(data.substr(start, stop - start)), line,
                                lines.LineAt(pos) - (pos < n ? 1 : 0)));
      continue;
    }
    const ScanResult scan = ScanObject(data, start);
    element root;
    simdjson::error_code error = simdjson::SUCCESS;
    if (scan.ok) {
      error = ParseSpan(parser, data, start, scan.end, buffer, root);
    }
    if (!scan.ok || error != simdjson::SUCCESS) {
      // Resume at the next line that opens an object. A failure inside the region an earlier
      // failure already scanned resumes after that region, so hostile input (many nested,
      // never-closed objects) cannot make the scan quadratic.
      const size_t resume_from = start < failed_end ? failed_end - 1 : start;
      failed_end = std::max(failed_end, scan.end);
      const size_t next = NextObjectLine(data, resume_from);
      pos = next == std::string_view::npos ? n : next;
      report.Skip(source, internal::LinePosition(line), "invalid JSON",
                  SkippedDetail(scan.ok ? simdjson::error_message(error) : scan.problem, line,
                                lines.LineAt(pos) - (pos < n ? 1 : 0)));
      continue;
    }
    pos = scan.end;
    object obj;
    if (root.get_object().get(obj) != simdjson::SUCCESS) {
      continue;  // cannot happen: the span starts with '{'
    }
    event.Clear();
    event.source_offset = line;
    if (!MapObject(obj, event)) {
      report.Skip(source, internal::LinePosition(line), "not a Windows event",
                  "object has no EventID, Channel or provider");
      continue;
    }
    report.CountRecord();
    sink(event);
  }
  return Status::Ok();
}

bool LooksLikeWindowsEvent(std::string_view input) {
  std::string transcoded;
  std::string_view data = internal::TranscodeUtf16WithBom(input, transcoded)
                              ? std::string_view(transcoded)
                              : internal::StripUtf8Bom(input);
  size_t pos = 0;
  while (pos < data.size() && (IsBlank(data[pos]) || data[pos] == '[')) {
    ++pos;
  }
  if (pos >= data.size() || data[pos] != '{') {
    return false;
  }
  const ScanResult scan = ScanObject(data, pos);
  simdjson::dom::parser parser;
  std::string buffer;
  element root;
  if (!scan.ok || ParseSpan(parser, data, pos, scan.end, buffer, root) != simdjson::SUCCESS) {
    return false;
  }
  object obj;
  if (root.get_object().get(obj) != simdjson::SUCCESS) {
    return false;
  }
  element event_elem;
  switch (DetectShape(obj, event_elem)) {
    case Shape::kEventWrapped:
    case Shape::kEventBare:
    case Shape::kWinlogbeat:
      return true;
    case Shape::kFlat: {
      element unused;
      return obj.at_key("EventID").get(unused) == simdjson::SUCCESS &&
             (obj.at_key("Channel").get(unused) == simdjson::SUCCESS ||
              obj.at_key("SourceName").get(unused) == simdjson::SUCCESS);
    }
  }
  return false;
}

}  // namespace vigil::ingest

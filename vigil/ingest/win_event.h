// WinEvent: one Windows event as every Windows reader (EVTX, JSON lines, event XML) delivers it
// to the normalizer, whatever the wire format. Field values are text, as Windows renders them
// in event XML (numbers in decimal, hex values as 0x..., GUIDs in braces, SIDs as S-1-...,
// times as ISO 8601). Plain data; not thread-safe; readers reuse one instance per file.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::ingest {

struct EventField {
  std::string name;
  std::string value;
};

struct WinEvent {
  // <System> part.
  std::string provider;        // Provider/@Name, e.g. "Microsoft-Windows-Sysmon"
  std::string provider_guid;   // Provider/@Guid, as written
  std::string channel;         // e.g. "Security", "Microsoft-Windows-Sysmon/Operational"
  std::string computer;        // Computer
  int64_t event_id = -1;       // EventID (qualifiers dropped)
  int64_t version = -1;
  int64_t level = -1;
  int64_t task = -1;
  int64_t opcode = -1;
  std::string keywords;        // as written, e.g. "0x8020000000000000"
  int64_t time_created = 0;    // TimeCreated/@SystemTime, ticks since Unix epoch; 0 = missing
  bool has_time_created = false;
  uint64_t record_id = 0;      // EventRecordID
  int64_t process_id = -1;     // Execution/@ProcessID
  int64_t thread_id = -1;      // Execution/@ThreadID
  std::string user_sid;        // Security/@UserID
  std::string activity_id;     // Correlation/@ActivityID

  // <EventData>/<UserData> values in document order. Unnamed <Data> elements get the names
  // "Data", "Data_1", ... so that nothing is lost.
  std::vector<EventField> data;
  // Anything else the source carried that has no slot above (forwarder metadata such as
  // `Hostname`, `Message`, `@timestamp`, winlogbeat's `host.*`). Kept in AdditionalFields.
  std::vector<EventField> extra;

  // Where the event came from, for reports: "file.evtx", "archive.zip:inner.json".
  std::string source;
  uint64_t source_offset = 0;  // byte offset (EVTX record) or line number (JSON lines)

  void Clear() {
    provider.clear();
    provider_guid.clear();
    channel.clear();
    computer.clear();
    event_id = version = level = task = opcode = -1;
    keywords.clear();
    time_created = 0;
    has_time_created = false;
    record_id = 0;
    process_id = thread_id = -1;
    user_sid.clear();
    activity_id.clear();
    data.clear();
    extra.clear();
    source_offset = 0;
  }

  // First data field with this exact name, or nullptr.
  const std::string* FindData(std::string_view name) const {
    for (const auto& field : data) {
      if (field.name == name) {
        return &field.value;
      }
    }
    return nullptr;
  }
};

}  // namespace vigil::ingest

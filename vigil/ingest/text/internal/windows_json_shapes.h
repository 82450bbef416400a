// The shapes Windows events take as JSON (evtx_dump "Event.System" as in the Sigma regression
// data, Winlogbeat/Elastic documents, flat forwarder output such as NXLog through Logstash) and
// their mapping onto WinEvent. Used by the Windows JSON reader (json_reader.cpp).
// Pure functions; thread-safe.
#pragma once

#include <simdjson.h>

#include "vigil/ingest/win_event.h"

namespace vigil::ingest::internal {

enum class WindowsJsonShape { kEventWrapped, kEventBare, kWinlogbeat, kFlat };

// The shape of one parsed object; for kEventWrapped `event_elem` is set to its Event member.
WindowsJsonShape DetectWindowsJsonShape(simdjson::dom::object root,
                                        simdjson::dom::element& event_elem);

// Maps one parsed object into `event` (cleared by the caller); false if it carries no Windows
// event fields at all.
bool MapWindowsJsonObject(simdjson::dom::object root, WinEvent& event);

}  // namespace vigil::ingest::internal

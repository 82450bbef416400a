// Reading simdjson DOM values as WinEvent fields: text, integers and datetimes from JSON
// numbers or strings, evtx_dump's "#attributes"/"#text" wrappers, and flattening nested objects
// into dotted field names. Used by the Windows JSON shape mappings (windows_json_shapes.cpp).
// Pure functions; thread-safe.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/ingest/win_event.h"

namespace vigil::ingest::internal {

// The text form of a value (AppendElementText).
std::string Text(simdjson::dom::element value);

// Integer from decimal or 0x-hex text, surrounding blanks ignored.
bool ParseIntText(std::string_view text, int64_t& out);

// Integer from a JSON number or numeric string; false if it is neither.
bool ToInt(simdjson::dom::element value, int64_t& out);

// A datetime from an ISO 8601 string or epoch milliseconds.
bool ToTicks(simdjson::dom::element value, int64_t& out);

bool IsObject(simdjson::dom::element value);

// value["#attributes"][name], as in evtx_dump's JSON.
bool Attribute(simdjson::dom::element value, std::string_view name, simdjson::dom::element& out);

// An element's text, looking through evtx_dump's {"#attributes":..., "#text": v} wrapper.
simdjson::dom::element Unwrap(simdjson::dom::element value);

void AddField(std::vector<EventField>& fields, std::string name, simdjson::dom::element value);

// "prefix.name", or "name" when the prefix is empty.
std::string JoinPath(std::string_view prefix, std::string_view name);

// Adds every leaf under `value` to `fields` with dotted names below `prefix`; "#attributes"
// members become leaves too (xmlns declarations are dropped), "#text" names the node itself.
void FlattenInto(std::vector<EventField>& fields, std::string_view prefix,
                 simdjson::dom::element value);

}  // namespace vigil::ingest::internal

// Framing for JSON event files: finds where each top-level object ends without parsing it,
// where to resynchronise after a broken one, and parses one object's span. Used by the Windows
// JSON reader (json_reader.cpp). Pure functions; thread-safe (the parser belongs to the caller).
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::ingest::internal {

struct ScanResult {
  bool ok = false;
  size_t end = 0;  // one past the closing brace (ok), or where scanning stopped (not ok)
  const char* problem = "";
};

// JSON whitespace.
bool IsBlank(char c);

// Scans the object starting at `start` (a '{'). Fails on a raw newline inside a string (invalid
// JSON, typical of a truncated JSON line) and on a '{' at the start of a line while still
// inside the object (a new document began, so this one was cut short).
ScanResult ScanObject(std::string_view data, size_t start);

// Start of the next line after `from` whose first non-blank character is '{', or npos.
size_t NextObjectLine(std::string_view data, size_t from);

// Parses [start, end) with the DOM parser, in place when enough readable bytes follow;
// otherwise copies the span into `buffer` with padding.
simdjson::error_code ParseSpan(simdjson::dom::parser& parser, std::string_view data, size_t start,
                               size_t end, std::string& buffer, simdjson::dom::element& out);

// Skip detail naming the lines dropped up to the resynchronization point.
std::string SkippedDetail(std::string_view problem, uint64_t first_line, uint64_t last_line);

}  // namespace vigil::ingest::internal

// Small helpers shared by the text readers: JSON string escaping, rendering simdjson DOM values
// as the text the readers store, line counting over an in-memory file, and record positions.
// Pure functions and a per-file LineCounter; not thread-safe per instance.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <simdjson.h>

namespace vigil::ingest::internal {

// Appends `value` as a quoted JSON string. Invalid UTF-8 bytes become U+FFFD so the output is
// always valid JSON.
void AppendJsonString(std::string& out, std::string_view value);

// Appends the text form of a JSON value: strings raw (unquoted), numbers in decimal, bools as
// true/false, null as nothing, objects and arrays as compact JSON.
void AppendElementText(std::string& out, simdjson::dom::element element);

// Appends the compact JSON of any value (strings quoted).
void AppendElementJson(std::string& out, simdjson::dom::element element);

// Skips a UTF-8 byte order mark.
std::string_view StripUtf8Bom(std::string_view data);

// Converts UTF-16 LE/BE text with a BOM to UTF-8 (unpaired surrogates become U+FFFD). Returns
// false and leaves `out` untouched if `data` has no UTF-16 BOM.
bool TranscodeUtf16WithBom(std::string_view data, std::string& out);

// Turns byte offsets into 1-based line numbers for offsets visited in increasing order.
class LineCounter {
 public:
  explicit LineCounter(std::string_view data) : data_(data) {}
  // Line of `offset`; offsets must not decrease between calls (restarts from 0 if they do).
  uint64_t LineAt(size_t offset);

 private:
  std::string_view data_;
  size_t pos_ = 0;
  uint64_t line_ = 1;
};

std::string LinePosition(uint64_t line);                   // "line 17"
std::string LineOffsetPosition(uint64_t line, size_t offset);  // "line 17 (offset 0x1a2)"

// Shortened, printable excerpt of bad input for skip details.
std::string Excerpt(std::string_view text, size_t max_len = 60);

}  // namespace vigil::ingest::internal

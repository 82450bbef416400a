// JSON string quoting shared by every module that writes JSON text (row rendering, the
// AdditionalFields builders, dynamic values). One implementation, tuned for long clean runs:
// it skips eight bytes at a time until a byte needs escaping. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace vigil {

// Appends `text` as a JSON string literal, quotes included: '"' and '\\' escaped, control bytes
// as \n \r \t \b \f or \u00XX. Bytes >= 0x80 pass through unchanged (the caller owns UTF-8
// validity).
void AppendJsonQuoted(std::string& out, std::string_view text);

}  // namespace vigil

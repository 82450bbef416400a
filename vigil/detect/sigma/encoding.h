// Byte encodings behind the Sigma encoding modifiers (base64, base64offset, utf16le/be/wide)
// and the cidr validator. Used by modifiers.cpp and its tests. Pure functions.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "vigil/base/status.h"

namespace vigil::detect::sigma {

// Standard base64 (RFC 4648 alphabet) with `=` padding.
std::string Base64Encode(std::string_view bytes);

// The three base64offset variants: `bytes` encoded at byte offsets 0, 1 and 2 of a longer
// stream, keeping only the characters that do not depend on the neighbouring bytes (2 or 3
// leading characters dropped for offsets 1 and 2; the partial last quantum and padding
// dropped at the end).
std::array<std::string, 3> Base64OffsetVariants(std::string_view bytes);

// UTF-8 text to UTF-16 code units (little- or big-endian bytes); invalid UTF-8 is an error.
Result<std::string> Utf8ToUtf16(std::string_view utf8, bool big_endian);

// Checks an IPv4 (a.b.c.d[/n]) or IPv6 (x::y[/n]) network and returns it with an explicit
// prefix length (/32 or /128 added when absent).
Result<std::string> NormalizeCidr(std::string_view text);

}  // namespace vigil::detect::sigma

// Undoes a request's Content-Encoding (identity, gzip, deflate, zstd) with a bound on the
// decoded size, so a small compressed bomb cannot take the server's memory. Used by
// HttpServer. Pure function, thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "vigil/base/status.h"

namespace vigil::api {

// kResourceExhausted when the decoded body would exceed `max_bytes`, kInvalidArgument for a
// corrupt stream, kUnimplemented for an unknown encoding.
Result<std::string> DecodeBody(std::string_view encoding, std::string_view body, size_t max_bytes);

}  // namespace vigil::api

#include "vigil/ingest/text/internal/json_framing.h"

#include <fmt/format.h>

#include <cstring>

namespace vigil::ingest::internal {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

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

simdjson::error_code ParseSpan(simdjson::dom::parser& parser, std::string_view data, size_t start,
                               size_t end, std::string& buffer, simdjson::dom::element& out) {
  const size_t len = end - start;
  if (end + simdjson::SIMDJSON_PADDING <= data.size()) {
    return parser.parse(data.data() + start, len, false).get(out);
  }
  buffer.assign(data.data() + start, len);
  buffer.append(simdjson::SIMDJSON_PADDING, '\0');
  return parser.parse(buffer.data(), len, false).get(out);
}

std::string SkippedDetail(std::string_view problem, uint64_t first_line, uint64_t last_line) {
  if (last_line <= first_line) {
    return std::string(problem);
  }
  return fmt::format("{} (lines {}-{} skipped)", problem, first_line, last_line);
}

}  // namespace vigil::ingest::internal

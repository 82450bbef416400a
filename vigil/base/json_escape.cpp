#include "vigil/base/json_escape.h"

#include <cstdint>
#include <cstring>

namespace vigil {

void AppendJsonQuoted(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t run_start = 0;
  size_t i = 0;
  for (;;) {
    // Skip 8 clean bytes at a time: no byte < 0x20, '"' or '\\' (SWAR zero-byte tests).
    constexpr uint64_t kOnes = 0x0101010101010101ULL;
    constexpr uint64_t kHigh = 0x8080808080808080ULL;
    while (i + 8 <= text.size()) {
      uint64_t word = 0;
      std::memcpy(&word, text.data() + i, 8);
      const uint64_t quote = word ^ (kOnes * '"');
      const uint64_t slash = word ^ (kOnes * '\\');
      const uint64_t special =
          ((word - kOnes * 0x20) & ~word) | ((quote - kOnes) & ~quote) | ((slash - kOnes) & ~slash);
      if ((special & kHigh) != 0) {
        break;
      }
      i += 8;
    }
    if (i >= text.size()) {
      break;
    }
    const auto c = static_cast<unsigned char>(text[i++]);
    if (c >= 0x20 && c != '"' && c != '\\') {
      continue;
    }
    out.append(text.data() + run_start, i - 1 - run_start);
    run_start = i;
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      default: {
        const char escape[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        out.append(escape, sizeof(escape));
      }
    }
  }
  out.append(text.data() + run_start, text.size() - run_start);
  out.push_back('"');
}

}  // namespace vigil

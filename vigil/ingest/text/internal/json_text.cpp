#include "vigil/ingest/text/internal/json_text.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include <fmt/format.h>

#include "vigil/base/json_escape.h"

namespace vigil::ingest::internal {
namespace {

constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";

// Length of the valid UTF-8 sequence at `pos`, or 0 if the bytes there are not valid UTF-8.
size_t ValidSequenceLength(std::string_view text, size_t pos) {
  const auto c = static_cast<unsigned char>(text[pos]);
  if (c < 0x80) {
    return 1;
  }
  size_t len = 0;
  uint32_t min_code = 0;
  uint32_t code = 0;
  if ((c & 0xE0) == 0xC0) {
    len = 2;
    min_code = 0x80;
    code = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3;
    min_code = 0x800;
    code = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4;
    min_code = 0x10000;
    code = c & 0x07;
  } else {
    return 0;
  }
  if (pos + len > text.size()) {
    return 0;
  }
  for (size_t i = 1; i < len; ++i) {
    const auto cc = static_cast<unsigned char>(text[pos + i]);
    if ((cc & 0xC0) != 0x80) {
      return 0;
    }
    code = (code << 6) | (cc & 0x3F);
  }
  if (code < min_code || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
    return 0;
  }
  return len;
}

void AppendUtf8(std::string& out, uint32_t code) {
  if (code < 0x80) {
    out.push_back(static_cast<char>(code));
  } else if (code < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code >> 6)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  } else if (code < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (code >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (code >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  }
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view value) {
  if (simdjson::validate_utf8(value.data(), value.size())) {
    AppendJsonQuoted(out, value);
    return;
  }
  std::string repaired;
  repaired.reserve(value.size() + 8);
  size_t pos = 0;
  while (pos < value.size()) {
    const size_t len = ValidSequenceLength(value, pos);
    if (len == 0) {
      repaired.append(kReplacementChar);
      ++pos;
    } else {
      repaired.append(value.data() + pos, len);
      pos += len;
    }
  }
  AppendJsonQuoted(out, repaired);
}

void AppendElementText(std::string& out, simdjson::dom::element element) {
  switch (element.type()) {
    case simdjson::dom::element_type::STRING: {
      std::string_view text;
      if (element.get_string().get(text) == simdjson::SUCCESS) {
        out.append(text);
      }
      return;
    }
    case simdjson::dom::element_type::NULL_VALUE:
      return;
    default:
      AppendElementJson(out, element);
  }
}

void AppendElementJson(std::string& out, simdjson::dom::element element) {
  char buf[32];
  switch (element.type()) {
    case simdjson::dom::element_type::INT64: {
      int64_t v = 0;
      v = element.get_int64().value_unsafe();
      out.append(buf, std::to_chars(buf, buf + sizeof(buf), v).ptr);
      return;
    }
    case simdjson::dom::element_type::UINT64: {
      uint64_t v = 0;
      v = element.get_uint64().value_unsafe();
      out.append(buf, std::to_chars(buf, buf + sizeof(buf), v).ptr);
      return;
    }
    case simdjson::dom::element_type::DOUBLE: {
      double v = 0;
      v = element.get_double().value_unsafe();
      out.append(fmt::format("{}", v));
      return;
    }
    case simdjson::dom::element_type::BOOL: {
      bool v = false;
      v = element.get_bool().value_unsafe();
      out.append(v ? "true" : "false");
      return;
    }
    case simdjson::dom::element_type::NULL_VALUE:
      out.append("null");
      return;
    case simdjson::dom::element_type::STRING: {
      std::string_view text;
      text = element.get_string().value_unsafe();
      AppendJsonString(out, text);
      return;
    }
    case simdjson::dom::element_type::ARRAY: {
      simdjson::dom::array array;
      array = element.get_array().value_unsafe();
      out.push_back('[');
      bool first = true;
      for (simdjson::dom::element item : array) {
        if (!first) {
          out.push_back(',');
        }
        first = false;
        AppendElementJson(out, item);
      }
      out.push_back(']');
      return;
    }
    case simdjson::dom::element_type::OBJECT: {
      simdjson::dom::object object;
      object = element.get_object().value_unsafe();
      out.push_back('{');
      bool first = true;
      for (simdjson::dom::key_value_pair field : object) {
        if (!first) {
          out.push_back(',');
        }
        first = false;
        AppendJsonString(out, field.key);
        out.push_back(':');
        AppendElementJson(out, field.value);
      }
      out.push_back('}');
      return;
    }
  }
}

std::string_view StripUtf8Bom(std::string_view data) {
  if (data.size() >= 3 && data.substr(0, 3) == "\xEF\xBB\xBF") {
    data.remove_prefix(3);
  }
  return data;
}

bool TranscodeUtf16WithBom(std::string_view data, std::string& out) {
  if (data.size() < 2) {
    return false;
  }
  const auto b0 = static_cast<unsigned char>(data[0]);
  const auto b1 = static_cast<unsigned char>(data[1]);
  bool little_endian = false;
  if (b0 == 0xFF && b1 == 0xFE) {
    little_endian = true;
  } else if (!(b0 == 0xFE && b1 == 0xFF)) {
    return false;
  }
  std::string result;
  result.reserve(data.size() / 2 + 16);
  auto unit_at = [&](size_t pos) -> uint32_t {
    const auto lo = static_cast<unsigned char>(data[pos]);
    const auto hi = static_cast<unsigned char>(data[pos + 1]);
    return little_endian ? (static_cast<uint32_t>(hi) << 8 | lo)
                         : (static_cast<uint32_t>(lo) << 8 | hi);
  };
  size_t pos = 2;
  while (pos + 1 < data.size()) {
    uint32_t unit = unit_at(pos);
    pos += 2;
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      if (pos + 1 < data.size()) {
        const uint32_t low = unit_at(pos);
        if (low >= 0xDC00 && low <= 0xDFFF) {
          pos += 2;
          AppendUtf8(result, 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00));
          continue;
        }
      }
      result.append(kReplacementChar);
    } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
      result.append(kReplacementChar);
    } else {
      AppendUtf8(result, unit);
    }
  }
  out = std::move(result);
  return true;
}

uint64_t LineCounter::LineAt(size_t offset) {
  offset = std::min(offset, data_.size());
  if (offset < pos_) {
    pos_ = 0;
    line_ = 1;
  }
  line_ += static_cast<uint64_t>(std::count(data_.data() + pos_, data_.data() + offset, '\n'));
  pos_ = offset;
  return line_;
}

std::string LinePosition(uint64_t line) { return fmt::format("line {}", line); }

std::string LineOffsetPosition(uint64_t line, size_t offset) {
  return fmt::format("line {} (offset 0x{:x})", line, offset);
}

std::string Excerpt(std::string_view text, size_t max_len) {
  std::string out;
  for (size_t i = 0; i < text.size() && out.size() < max_len; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    out.push_back(c >= 0x20 && c < 0x7F ? static_cast<char>(c) : '?');
  }
  if (text.size() > max_len) {
    out.append("...");
  }
  return out;
}

}  // namespace vigil::ingest::internal

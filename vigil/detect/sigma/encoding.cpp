#include "vigil/detect/sigma/encoding.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstdint>

namespace vigil::detect::sigma {

namespace {

constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void AppendUnit(std::string* out, uint32_t unit, bool big_endian) {
  const char lo = static_cast<char>(unit & 0xff);
  const char hi = static_cast<char>((unit >> 8) & 0xff);
  if (big_endian) {
    out->push_back(hi);
    out->push_back(lo);
  } else {
    out->push_back(lo);
    out->push_back(hi);
  }
}

}  // namespace

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t chunk = (static_cast<uint32_t>(static_cast<uint8_t>(bytes[i])) << 16) |
                           (static_cast<uint32_t>(static_cast<uint8_t>(bytes[i + 1])) << 8) |
                           static_cast<uint32_t>(static_cast<uint8_t>(bytes[i + 2]));
    out.push_back(kBase64Alphabet[(chunk >> 18) & 63]);
    out.push_back(kBase64Alphabet[(chunk >> 12) & 63]);
    out.push_back(kBase64Alphabet[(chunk >> 6) & 63]);
    out.push_back(kBase64Alphabet[chunk & 63]);
  }
  const size_t rest = bytes.size() - i;
  if (rest == 1) {
    const uint32_t chunk = static_cast<uint32_t>(static_cast<uint8_t>(bytes[i])) << 16;
    out.push_back(kBase64Alphabet[(chunk >> 18) & 63]);
    out.push_back(kBase64Alphabet[(chunk >> 12) & 63]);
    out += "==";
  } else if (rest == 2) {
    const uint32_t chunk = (static_cast<uint32_t>(static_cast<uint8_t>(bytes[i])) << 16) |
                           (static_cast<uint32_t>(static_cast<uint8_t>(bytes[i + 1])) << 8);
    out.push_back(kBase64Alphabet[(chunk >> 18) & 63]);
    out.push_back(kBase64Alphabet[(chunk >> 12) & 63]);
    out.push_back(kBase64Alphabet[(chunk >> 6) & 63]);
    out.push_back('=');
  }
  return out;
}

std::array<std::string, 3> Base64OffsetVariants(std::string_view bytes) {
  // Leading characters that mix in the unknown preceding bytes, per offset.
  constexpr size_t kLeadDrop[3] = {0, 2, 3};
  // Trailing characters to drop by (offset + length) % 3: nothing for a full quantum, else
  // the character holding the partial bits plus the padding.
  constexpr size_t kTailDrop[3] = {0, 3, 2};
  std::array<std::string, 3> out;
  for (size_t offset = 0; offset < 3; ++offset) {
    std::string shifted(offset, ' ');
    shifted.append(bytes);
    std::string encoded = Base64Encode(shifted);
    const size_t lead = kLeadDrop[offset];
    const size_t tail = kTailDrop[shifted.size() % 3];
    if (encoded.size() <= lead + tail) {
      out[offset].clear();
      continue;
    }
    out[offset] = encoded.substr(lead, encoded.size() - lead - tail);
  }
  return out;
}

Result<std::string> Utf8ToUtf16(std::string_view utf8, bool big_endian) {
  std::string out;
  out.reserve(utf8.size() * 2);
  size_t i = 0;
  while (i < utf8.size()) {
    const auto lead = static_cast<uint8_t>(utf8[i]);
    uint32_t code = 0;
    size_t extra = 0;
    if (lead < 0x80) {
      code = lead;
    } else if ((lead & 0xe0) == 0xc0) {
      code = lead & 0x1f;
      extra = 1;
    } else if ((lead & 0xf0) == 0xe0) {
      code = lead & 0x0f;
      extra = 2;
    } else if ((lead & 0xf8) == 0xf0) {
      code = lead & 0x07;
      extra = 3;
    } else {
      return InvalidArgumentError("invalid utf-8 byte at offset {}", i);
    }
    if (extra > 0 && i + extra >= utf8.size()) {
      return InvalidArgumentError("truncated utf-8 sequence at offset {}", i);
    }
    for (size_t k = 1; k <= extra; ++k) {
      const auto cont = static_cast<uint8_t>(utf8[i + k]);
      if ((cont & 0xc0) != 0x80) {
        return InvalidArgumentError("invalid utf-8 sequence at offset {}", i);
      }
      code = (code << 6) | (cont & 0x3f);
    }
    constexpr uint32_t kMin[4] = {0, 0x80, 0x800, 0x10000};
    if (code < kMin[extra] || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
      return InvalidArgumentError("invalid utf-8 code point at offset {}", i);
    }
    if (code >= 0x10000) {
      const uint32_t v = code - 0x10000;
      AppendUnit(&out, 0xd800 + (v >> 10), big_endian);
      AppendUnit(&out, 0xdc00 + (v & 0x3ff), big_endian);
    } else {
      AppendUnit(&out, code, big_endian);
    }
    i += extra + 1;
  }
  return out;
}

Result<std::string> NormalizeCidr(std::string_view text) {
  const size_t slash = text.find('/');
  const std::string address(text.substr(0, slash));
  const bool v6 = address.find(':') != std::string::npos;
  unsigned char buf[16];
  if (inet_pton(v6 ? AF_INET6 : AF_INET, address.c_str(), buf) != 1) {
    return InvalidArgumentError("invalid cidr network '{}'", text);
  }
  const int max_prefix = v6 ? 128 : 32;
  int prefix = max_prefix;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size() || prefix < 0 ||
        prefix > max_prefix) {
      return InvalidArgumentError("invalid cidr prefix length in '{}'", text);
    }
  }
  return address + "/" + std::to_string(prefix);
}

}  // namespace vigil::detect::sigma

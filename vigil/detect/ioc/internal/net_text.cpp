#include "vigil/detect/ioc/internal/net_text.h"

#include <arpa/inet.h>

#include <array>
#include <cstdint>
#include <cstring>

namespace vigil::detect::ioc::internal {
namespace {

bool IsSchemeChar(char c, bool first) {
  const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  if (first) {
    return alpha;
  }
  return alpha || (c >= '0' && c <= '9') || c == '+' || c == '.' || c == '-';
}

// Strict dotted quad: four decimal parts 0-255 without leading zeros (which some parsers read
// as octal, so the address would be ambiguous).
bool ParseIpv4(std::string_view text, std::array<uint8_t, 4>& bytes) {
  size_t part = 0;
  size_t pos = 0;
  while (part < 4) {
    size_t start = pos;
    uint32_t value = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && pos - start < 4) {
      value = value * 10 + static_cast<uint32_t>(text[pos] - '0');
      ++pos;
    }
    const size_t digits = pos - start;
    if (digits == 0 || digits > 3 || value > 255 || (digits > 1 && text[start] == '0')) {
      return false;
    }
    bytes[part++] = static_cast<uint8_t>(value);
    if (part < 4) {
      if (pos >= text.size() || text[pos] != '.') {
        return false;
      }
      ++pos;
    }
  }
  return pos == text.size();
}

void AppendIpv4(const uint8_t* bytes, std::string& out) {
  for (int i = 0; i < 4; ++i) {
    if (i > 0) {
      out.push_back('.');
    }
    const uint8_t b = bytes[i];
    if (b >= 100) {
      out.push_back(static_cast<char>('0' + b / 100));
    }
    if (b >= 10) {
      out.push_back(static_cast<char>('0' + (b / 10) % 10));
    }
    out.push_back(static_cast<char>('0' + b % 10));
  }
}

}  // namespace

bool SplitUrl(std::string_view text, UrlParts& out) {
  out = UrlParts{};
  std::string_view rest = text;
  const size_t sep = text.find("://");
  if (sep != std::string_view::npos && sep > 0) {
    bool scheme_ok = true;
    for (size_t i = 0; i < sep; ++i) {
      if (!IsSchemeChar(text[i], i == 0)) {
        scheme_ok = false;
        break;
      }
    }
    if (scheme_ok) {
      out.scheme = text.substr(0, sep);
      rest = text.substr(sep + 3);
    }
  }
  const size_t authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view tail =
      authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  const size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    out.userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
  }
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return false;
    }
    out.host = authority.substr(1, close - 1);
    out.bracketed_host = true;
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return false;
      }
      out.port = after.substr(1);
    }
  } else {
    const size_t colon = authority.find(':');
    if (colon != std::string_view::npos &&
        authority.find(':', colon + 1) == std::string_view::npos) {
      out.host = authority.substr(0, colon);
      out.port = authority.substr(colon + 1);
    } else {
      out.host = authority;  // a bare IPv6 address has several colons and no port
    }
  }
  const size_t fragment = tail.find('#');
  tail = tail.substr(0, fragment);
  const size_t question = tail.find('?');
  if (question != std::string_view::npos) {
    out.has_query = true;
    out.query = tail.substr(question + 1);
    tail = tail.substr(0, question);
  }
  out.path = tail;
  return !out.host.empty();
}

bool CanonicalIp(std::string_view text, std::string& out) {
  out.clear();
  if (text.empty() || text.size() > 45) {
    return false;
  }
  if (text.find(':') == std::string_view::npos) {
    std::array<uint8_t, 4> bytes{};
    if (!ParseIpv4(text, bytes)) {
      return false;
    }
    AppendIpv4(bytes.data(), out);
    return true;
  }
  if (text.find('%') != std::string_view::npos) {
    return false;  // zone ids name a local interface, not a peer
  }
  char buffer[64];
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  unsigned char bytes[16];
  if (inet_pton(AF_INET6, buffer, bytes) != 1) {
    return false;
  }
  static constexpr unsigned char kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(bytes, kMappedPrefix, sizeof(kMappedPrefix)) == 0) {
    AppendIpv4(bytes + 12, out);
    return true;
  }
  char formatted[INET6_ADDRSTRLEN];
  if (inet_ntop(AF_INET6, bytes, formatted, sizeof(formatted)) == nullptr) {
    return false;
  }
  out.assign(formatted);
  return true;
}

bool IsInternalIp(std::string_view canonical) {
  if (canonical.find(':') == std::string_view::npos) {
    std::array<uint8_t, 4> b{};
    if (!ParseIpv4(canonical, b)) {
      return false;
    }
    return b[0] == 10 || b[0] == 127 || b[0] == 0 || (b[0] == 172 && (b[1] & 0xf0) == 16) ||
           (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254);
  }
  char buffer[64];
  if (canonical.size() >= sizeof(buffer)) {
    return false;
  }
  std::memcpy(buffer, canonical.data(), canonical.size());
  buffer[canonical.size()] = '\0';
  unsigned char bytes[16];
  if (inet_pton(AF_INET6, buffer, bytes) != 1) {
    return false;
  }
  bool all_zero_but_last = true;
  for (int i = 0; i < 15; ++i) {
    all_zero_but_last = all_zero_but_last && bytes[i] == 0;
  }
  if (all_zero_but_last && (bytes[15] == 0 || bytes[15] == 1)) {
    return true;  // :: and ::1
  }
  return (bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80) || (bytes[0] & 0xfe) == 0xfc;
}

std::string DomainSyntaxError(std::string_view domain) {
  if (domain.empty()) {
    return "empty domain";
  }
  if (domain.size() > 253) {
    return "longer than 253 characters";
  }
  if (domain.find('*') != std::string_view::npos) {
    return "wildcards are not supported (a domain indicator already covers its subdomains)";
  }
  size_t labels = 0;
  size_t start = 0;
  bool last_all_digits = true;
  while (start <= domain.size()) {
    size_t end = domain.find('.', start);
    if (end == std::string_view::npos) {
      end = domain.size();
    }
    const std::string_view label = domain.substr(start, end - start);
    if (label.empty()) {
      return "empty label";
    }
    if (label.size() > 63) {
      return "label longer than 63 characters";
    }
    if (label.front() == '-' || label.back() == '-') {
      return "label starts or ends with '-'";
    }
    last_all_digits = true;
    for (const char c : label) {
      const auto u = static_cast<unsigned char>(c);
      const bool ok =
          (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || u >= 0x80;
      if (!ok) {
        return "invalid character in host name";
      }
      last_all_digits = last_all_digits && c >= '0' && c <= '9';
    }
    ++labels;
    start = end + 1;
  }
  if (labels < 2) {
    return "a domain needs at least two labels";
  }
  if (last_all_digits) {
    return "the top-level label is numeric";
  }
  return "";
}

void AppendLower(std::string& out, std::string_view text) {
  for (const char c : text) {
    out.push_back(AsciiLower(c));
  }
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) {
      return false;
    }
  }
  return true;
}

std::string_view TrimSpace(std::string_view text) {
  const auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
  };
  while (!text.empty() && is_space(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && is_space(text.back())) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace vigil::detect::ioc::internal

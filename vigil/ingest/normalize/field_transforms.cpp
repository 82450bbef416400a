#include "vigil/ingest/normalize/field_transforms.h"

#include <array>
#include <charconv>
#include <cstring>

namespace vigil::ingest {
namespace {

char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && EqualsIgnoreCase(text.substr(0, prefix.size()), prefix);
}

// Parses a dotted IPv4 address; false if `text` is not one.
bool ParseIpv4(std::string_view text, std::array<uint32_t, 4>& octets) {
  size_t part = 0;
  size_t pos = 0;
  while (part < 4) {
    uint32_t value = 0;
    const char* begin = text.data() + pos;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(begin, end, value);
    if (ec != std::errc() || ptr == begin || ptr - begin > 3 || value > 255) {
      return false;
    }
    octets[part++] = value;
    pos = static_cast<size_t>(ptr - text.data());
    if (part < 4) {
      if (pos >= text.size() || text[pos] != '.') {
        return false;
      }
      ++pos;
    }
  }
  return pos == text.size();
}

std::string_view Ipv4Type(const std::array<uint32_t, 4>& o) {
  if (o[0] == 127) {
    return "Loopback";
  }
  if (o[0] == 10 || (o[0] == 172 && o[1] >= 16 && o[1] <= 31) || (o[0] == 192 && o[1] == 168)) {
    return "Private";
  }
  if (o[0] == 169 && o[1] == 254) {
    return "LinkLocal";
  }
  if (o[0] >= 224 && o[0] <= 239) {
    return "Multicast";
  }
  if (o[0] == 255 && o[1] == 255 && o[2] == 255 && o[3] == 255) {
    return "Broadcast";
  }
  if (o[0] == 0 || o[0] >= 240 || (o[0] == 100 && o[1] >= 64 && o[1] <= 127)) {
    return "Reserved";
  }
  return "Public";
}

// Minimal SHA-1 (FIPS 180-4) over one in-memory message.
class Sha1 {
 public:
  std::array<uint8_t, 20> Digest(std::string_view message) {
    state_ = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u};
    const uint64_t bit_length = static_cast<uint64_t>(message.size()) * 8;
    size_t offset = 0;
    while (message.size() - offset >= 64) {
      Block(reinterpret_cast<const uint8_t*>(message.data() + offset));
      offset += 64;
    }
    std::array<uint8_t, 128> tail{};
    const size_t rest = message.size() - offset;
    if (rest > 0) {
      std::memcpy(tail.data(), message.data() + offset, rest);
    }
    tail[rest] = 0x80;
    const size_t tail_size = rest + 1 + 8 <= 64 ? 64 : 128;
    for (int i = 0; i < 8; ++i) {
      tail[tail_size - 1 - i] = static_cast<uint8_t>(bit_length >> (8 * i));
    }
    Block(tail.data());
    if (tail_size == 128) {
      Block(tail.data() + 64);
    }
    std::array<uint8_t, 20> digest{};
    for (int i = 0; i < 5; ++i) {
      for (int b = 0; b < 4; ++b) {
        digest[i * 4 + b] = static_cast<uint8_t>(state_[i] >> (24 - 8 * b));
      }
    }
    return digest;
  }

 private:
  static uint32_t Rotl(uint32_t v, int n) { return (v << n) | (v >> (32 - n)); }

  void Block(const uint8_t* block) {
    std::array<uint32_t, 80> w{};
    for (int i = 0; i < 16; ++i) {
      w[i] = (uint32_t{block[i * 4]} << 24) | (uint32_t{block[i * 4 + 1]} << 16) |
             (uint32_t{block[i * 4 + 2]} << 8) | uint32_t{block[i * 4 + 3]};
    }
    for (int i = 16; i < 80; ++i) {
      w[i] = Rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    }
    uint32_t a = state_[0], b = state_[1], c = state_[2], d = state_[3], e = state_[4];
    for (int i = 0; i < 80; ++i) {
      uint32_t f = 0;
      uint32_t k = 0;
      if (i < 20) {
        f = (b & c) | (~b & d);
        k = 0x5A827999u;
      } else if (i < 40) {
        f = b ^ c ^ d;
        k = 0x6ED9EBA1u;
      } else if (i < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8F1BBCDCu;
      } else {
        f = b ^ c ^ d;
        k = 0xCA62C1D6u;
      }
      const uint32_t temp = Rotl(a, 5) + f + e + k + w[i];
      e = d;
      d = c;
      c = Rotl(b, 30);
      b = a;
      a = temp;
    }
    state_[0] += a;
    state_[1] += b;
    state_[2] += c;
    state_[3] += d;
    state_[4] += e;
  }

  std::array<uint32_t, 5> state_{};
};

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) {
      return false;
    }
  }
  return true;
}

std::optional<int64_t> ParseWinInteger(std::string_view text) {
  if (text.empty()) {
    return std::nullopt;
  }
  bool negative = false;
  if (text[0] == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  if (text.empty()) {
    return std::nullopt;
  }
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    return std::nullopt;
  }
  if (negative) {
    if (value > static_cast<uint64_t>(INT64_MAX) + 1) {
      return std::nullopt;
    }
    return static_cast<int64_t>(0 - value);
  }
  // Hex values are bit patterns (0xFFFFFFFFFFFFFFFF is -1); decimal must fit.
  if (base == 10 && value > static_cast<uint64_t>(INT64_MAX)) {
    return std::nullopt;
  }
  return static_cast<int64_t>(value);
}

std::string_view PathFileName(std::string_view path) {
  const size_t slash = path.find_last_of("\\/");
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

AccountParts SplitAccount(std::string_view value) {
  const size_t backslash = value.find('\\');
  if (backslash != std::string_view::npos) {
    return {value.substr(0, backslash), value.substr(backslash + 1)};
  }
  const size_t at = value.rfind('@');
  if (at != std::string_view::npos && at > 0) {
    return {value.substr(at + 1), value.substr(0, at)};
  }
  return {std::string_view(), value};
}

void AppendExpandedRegistryKey(std::string_view key, std::string& out) {
  struct Hive {
    std::string_view abbreviation;
    std::string_view full;
  };
  static constexpr std::array<Hive, 9> kHives = {{
      {"HKLM", "HKEY_LOCAL_MACHINE"},
      {"HKU", "HKEY_USERS"},
      {"HKCU", "HKEY_CURRENT_USER"},
      {"HKCR", "HKEY_CLASSES_ROOT"},
      {"HKCC", "HKEY_CURRENT_CONFIG"},
      {"\\REGISTRY\\MACHINE", "HKEY_LOCAL_MACHINE"},
      {"\\REGISTRY\\USER", "HKEY_USERS"},
      {"HKEY_LOCAL_MACHINE", "HKEY_LOCAL_MACHINE"},
      {"HKEY_USERS", "HKEY_USERS"},
  }};
  for (const Hive& hive : kHives) {
    if (StartsWithIgnoreCase(key, hive.abbreviation) &&
        (key.size() == hive.abbreviation.size() || key[hive.abbreviation.size()] == '\\')) {
      out.append(hive.full);
      std::string_view rest = key.substr(hive.abbreviation.size());
      // Defender reports the control set that is current, as ControlSet001.
      constexpr std::string_view kCurrentControlSet = "\\SYSTEM\\CurrentControlSet";
      if (hive.full == "HKEY_LOCAL_MACHINE" && StartsWithIgnoreCase(rest, kCurrentControlSet) &&
          (rest.size() == kCurrentControlSet.size() || rest[kCurrentControlSet.size()] == '\\')) {
        out.append("\\SYSTEM\\ControlSet001");
        rest.remove_prefix(kCurrentControlSet.size());
      }
      out.append(rest);
      return;
    }
  }
  out.append(key);
}

bool ConvertRegistryDetails(std::string_view details, std::string_view& type, std::string& data) {
  auto hex_in_parens = [](std::string_view text, std::string_view prefix) -> std::string_view {
    if (!StartsWithIgnoreCase(text, prefix) || text.back() != ')') {
      return {};
    }
    return text.substr(prefix.size(), text.size() - prefix.size() - 1);
  };
  if (details == "Binary Data") {
    type = "Binary";
    data.clear();
    return true;
  }
  if (details.empty()) {
    return false;
  }
  if (std::string_view hex = hex_in_parens(details, "DWORD ("); !hex.empty()) {
    const std::optional<int64_t> value = ParseWinInteger(hex);
    if (!value || *value < 0 || *value > 0xFFFFFFFFLL) {
      return false;
    }
    type = "Dword";
    data = std::to_string(*value);
    return true;
  }
  if (std::string_view hex = hex_in_parens(details, "QWORD ("); !hex.empty()) {
    const size_t dash = hex.find('-');
    if (dash == std::string_view::npos) {
      return false;
    }
    const std::optional<int64_t> high = ParseWinInteger(hex.substr(0, dash));
    const std::optional<int64_t> low = ParseWinInteger(hex.substr(dash + 1));
    if (!high || !low || *high < 0 || *high > 0xFFFFFFFFLL || *low < 0 || *low > 0xFFFFFFFFLL) {
      return false;
    }
    type = "Qword";
    data = std::to_string((static_cast<uint64_t>(*high) << 32) | static_cast<uint64_t>(*low));
    return true;
  }
  return false;
}

std::string_view LogonTypeName(int64_t logon_type) {
  switch (logon_type) {
    case 0:
      return "System";
    case 2:
      return "Interactive";
    case 3:
      return "Network";
    case 4:
      return "Batch";
    case 5:
      return "Service";
    case 7:
      return "Unlock";
    case 8:
      return "NetworkCleartext";
    case 9:
      return "NewCredentials";
    case 10:
      return "RemoteInteractive";
    case 11:
      return "CachedInteractive";
    case 12:
      return "CachedRemoteInteractive";
    case 13:
      return "CachedUnlock";
    default:
      return {};
  }
}

std::string_view NtStatusFailureReason(uint32_t status) {
  switch (status) {
    case 0xC000005Eu:
      return "NoLogonServers";
    case 0xC0000064u:
      return "UnknownUser";
    case 0xC000006Au:
      return "WrongPassword";
    case 0xC000006Du:
      return "InvalidUserNameOrPassword";
    case 0xC000006Eu:
      return "AccountRestriction";
    case 0xC000006Fu:
      return "OutsideAuthorizedHours";
    case 0xC0000070u:
      return "UnauthorizedWorkstation";
    case 0xC0000071u:
      return "PasswordExpired";
    case 0xC0000072u:
      return "AccountDisabled";
    case 0xC00000DCu:
      return "ServerInWrongState";
    case 0xC0000133u:
      return "ClockSkew";
    case 0xC000010Bu:
      return "InvalidLogonType";
    case 0xC000015Bu:
      return "LogonTypeNotGranted";
    case 0xC000018Cu:
      return "TrustFailure";
    case 0xC0000192u:
      return "NetLogonNotStarted";
    case 0xC0000193u:
      return "AccountExpired";
    case 0xC0000224u:
      return "PasswordMustChange";
    case 0xC0000234u:
      return "AccountLocked";
    case 0xC0000413u:
      return "AuthenticationFirewallFailure";
    default:
      return {};
  }
}

std::string_view KerberosFailureReason(uint32_t code) {
  switch (code) {
    case 0x6:
      return "UnknownUser";
    case 0x7:
      return "UnknownServer";
    case 0xC:
      return "PolicyRestriction";
    case 0xE:
      return "UnsupportedEncryptionType";
    case 0x12:
      return "AccountDisabledOrLocked";
    case 0x17:
      return "PasswordExpired";
    case 0x18:
      return "WrongPassword";
    case 0x1B:
      return "ServerMustUseUserToUser";
    case 0x20:
      return "TicketExpired";
    case 0x25:
      return "ClockSkew";
    default:
      return {};
  }
}

std::string_view IntegrityLevelFromLabel(std::string_view sid) {
  if (sid == "S-1-16-0") {
    return "Untrusted";
  }
  if (sid == "S-1-16-4096") {
    return "Low";
  }
  if (sid == "S-1-16-8192") {
    return "Medium";
  }
  if (sid == "S-1-16-8448") {
    return "MediumPlus";
  }
  if (sid == "S-1-16-12288") {
    return "High";
  }
  if (sid == "S-1-16-16384") {
    return "System";
  }
  if (sid == "S-1-16-20480") {
    return "Protected";
  }
  return {};
}

std::string_view TokenElevationName(std::string_view value) {
  if (value == "%%1936") {
    return "TokenElevationTypeDefault";
  }
  if (value == "%%1937") {
    return "TokenElevationTypeFull";
  }
  if (value == "%%1938") {
    return "TokenElevationTypeLimited";
  }
  return {};
}

std::string_view ProtocolName(std::string_view value) {
  if (value == "6" || EqualsIgnoreCase(value, "tcp")) {
    return "Tcp";
  }
  if (value == "17" || EqualsIgnoreCase(value, "udp")) {
    return "Udp";
  }
  if (value == "1" || EqualsIgnoreCase(value, "icmp")) {
    return "Icmp";
  }
  if (value == "58" || EqualsIgnoreCase(value, "icmpv6")) {
    return "IcmpV6";
  }
  if (value == "2" || EqualsIgnoreCase(value, "igmp")) {
    return "Igmp";
  }
  return {};
}

std::string_view IpAddressType(std::string_view ip) {
  std::array<uint32_t, 4> octets{};
  if (ParseIpv4(ip, octets)) {
    return Ipv4Type(octets);
  }
  if (ip.find(':') == std::string_view::npos) {
    return {};
  }
  for (const char c : ip) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
                    c == ':' || c == '.' || c == '%';
    if (!ok) {
      return {};
    }
  }
  if (ip == "::1") {
    return "Loopback";
  }
  if (ip == "::") {
    return "Reserved";
  }
  if (StartsWithIgnoreCase(ip, "::ffff:")) {
    return "FourToSixMapping";
  }
  if (StartsWithIgnoreCase(ip, "fe8") || StartsWithIgnoreCase(ip, "fe9") ||
      StartsWithIgnoreCase(ip, "fea") || StartsWithIgnoreCase(ip, "feb")) {
    return "LinkLocal";
  }
  if (StartsWithIgnoreCase(ip, "fc") || StartsWithIgnoreCase(ip, "fd")) {
    return "Private";
  }
  if (StartsWithIgnoreCase(ip, "ff")) {
    return "Multicast";
  }
  return "Public";
}

std::string Sha1Hex(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  const std::array<uint8_t, 20> digest = Sha1().Digest(text);
  std::string out(40, '0');
  for (size_t i = 0; i < digest.size(); ++i) {
    out[i * 2] = kHex[digest[i] >> 4];
    out[i * 2 + 1] = kHex[digest[i] & 0xF];
  }
  return out;
}

std::string DeviceIdFor(std::string_view lower_device_name) { return Sha1Hex(lower_device_name); }

}  // namespace vigil::ingest

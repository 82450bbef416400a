// Value transforms the normalizer applies to Windows event fields on the way into the hunting
// tables: path and account splits, hash lists, registry hive names, numeric ids in decimal or
// hex, logon types, status codes, IP classes, device ids. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::ingest {

// Windows' placeholder for "no value": empty text or a lone "-".
inline bool IsEmptyValue(std::string_view value) { return value.empty() || value == "-"; }

// Decimal ("1234", "-5") or hex ("0x3e7", "0X3E7") integer; nullopt on anything else,
// including overflow and trailing text.
std::optional<int64_t> ParseWinInteger(std::string_view text);

// Last path component of a Windows (or POSIX) path: "C:\\a\\b.exe" -> "b.exe". A path without
// separators is its own file name.
std::string_view PathFileName(std::string_view path);

struct AccountParts {
  std::string_view domain;  // empty when the value had none
  std::string_view name;
};
// "DOMAIN\\user" -> {DOMAIN, user}; "user@realm" -> {realm, user}; "user" -> {"", user}.
AccountParts SplitAccount(std::string_view value);

// Calls `fn(algorithm, value)` for each `ALGO=value` item of a Sysmon `Hashes` list
// ("MD5=..,SHA256=..,IMPHASH=.."). Algorithm names are passed as written.
template <typename Fn>
void ForEachHash(std::string_view hashes, Fn&& fn) {
  while (!hashes.empty()) {
    const size_t comma = hashes.find(',');
    std::string_view item = hashes.substr(0, comma);
    hashes = comma == std::string_view::npos ? std::string_view() : hashes.substr(comma + 1);
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      fn(std::string_view(), item);
      continue;
    }
    fn(item.substr(0, eq), item.substr(eq + 1));
  }
}

// Sysmon's abbreviated registry paths with Defender's full hive names:
// HKLM -> HKEY_LOCAL_MACHINE, HKU -> HKEY_USERS, HKCU -> HKEY_CURRENT_USER,
// HKCR -> HKEY_CLASSES_ROOT, HKCC -> HKEY_CURRENT_CONFIG; kernel paths \REGISTRY\MACHINE and
// \REGISTRY\USER likewise. Anything else is appended unchanged.
void AppendExpandedRegistryKey(std::string_view key, std::string& out);

// Sysmon registry `Details` in Defender's form: "DWORD (0x00000001)" -> type "Dword", data "1";
// "QWORD (0x00000001-0x00000002)" -> "Qword", 0x0000000100000002 in decimal; "Binary Data" ->
// "Binary", no data. Returns false (and leaves the outputs alone) for plain text values.
bool ConvertRegistryDetails(std::string_view details, std::string_view& type, std::string& data);

// Windows logon type number -> Defender's LogonType name ("Interactive", "Network", ...);
// empty when unknown.
std::string_view LogonTypeName(int64_t logon_type);
// NTSTATUS of a failed logon (4625 Status/SubStatus, 4776 Status) -> FailureReason; empty when
// unknown.
std::string_view NtStatusFailureReason(uint32_t status);
// Kerberos error code (4768/4769/4771 Status) -> FailureReason; empty when unknown.
std::string_view KerberosFailureReason(uint32_t code);
// Mandatory label SID (4688 MandatoryLabel) -> integrity level name; empty when unknown.
std::string_view IntegrityLevelFromLabel(std::string_view sid);
// 4688 TokenElevationType ("%%1936") -> "TokenElevationTypeDefault" etc.; empty when unknown.
std::string_view TokenElevationName(std::string_view value);
// IP protocol number or Sysmon name ("6", "tcp") -> "Tcp", "Udp", "Icmp", ...; empty if unknown.
std::string_view ProtocolName(std::string_view value);
// Defender's IP address classes: Public, Private, Loopback, LinkLocal, Multicast, Broadcast,
// Reserved, FourToSixMapping; empty when the text is not an IP address.
std::string_view IpAddressType(std::string_view ip);

// 40 lower-case hex digits of SHA-1(`text`).
std::string Sha1Hex(std::string_view text);
// Vigil's DeviceId: Sha1Hex of the lower-cased device name (Defender's ids are 40 hex digits
// too, so queries and joins behave alike).
std::string DeviceIdFor(std::string_view lower_device_name);

// ASCII case-insensitive equality.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace vigil::ingest

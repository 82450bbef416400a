// The hunting-table columns IndicatorSet scans, by name, and what each carries. Shared by
// IndicatorSet (matching) and DraftForHit (evidence). Constant data; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace vigil::detect::ioc::internal {

enum class ScanKind : uint8_t {
  kSha1,
  kSha256,
  kMd5,
  kThumbprint,    // certificate thumbprint (SHA-1 of the certificate)
  kIp,            // a remote/peer address (never the device's own LocalIP)
  kUrl,           // a URL or a bare host name: URL, domain and IP indicators apply
  kDomain,        // a host name: domain indicators apply
  kSenderDomain,  // a mail sender domain: only with IndicatorSetOptions::match_sender_domains
};

struct ScanColumnName {
  std::string_view name;
  ScanKind kind;
};

std::span<const ScanColumnName> ScanColumnNames();
std::optional<ScanKind> ScanKindOfColumn(std::string_view name);

}  // namespace vigil::detect::ioc::internal

#include "vigil/detect/ioc/internal/scan_columns.h"

#include <array>

namespace vigil::detect::ioc::internal {
namespace {

constexpr std::array<ScanColumnName, 33> kColumns = {{
    {"SHA1", ScanKind::kSha1},
    {"InitiatingProcessSHA1", ScanKind::kSha1},
    {"InitiatingProcessParentSHA1", ScanKind::kSha1},
    {"SHA256", ScanKind::kSha256},
    {"InitiatingProcessSHA256", ScanKind::kSha256},
    {"InitiatingProcessParentSHA256", ScanKind::kSha256},
    {"MD5", ScanKind::kMd5},
    {"InitiatingProcessMD5", ScanKind::kMd5},
    {"InitiatingProcessParentMD5", ScanKind::kMd5},
    {"Thumbprint", ScanKind::kThumbprint},  // DeviceTvmCertificateInfo
    {"SignerHash", ScanKind::kThumbprint},  // DeviceFileCertificateInfo: the signer's cert
    {"RemoteIP", ScanKind::kIp},
    {"IPAddress", ScanKind::kIp},  // identity/cloud tables: the client address
    {"DestinationIPAddress", ScanKind::kIp},
    {"SourceIPAddress", ScanKind::kIp},
    {"SenderIPv4", ScanKind::kIp},
    {"SenderIPv6", ScanKind::kIp},
    {"FileOriginIP", ScanKind::kIp},
    {"RequestSourceIP", ScanKind::kIp},
    {"InitiatingProcessRemoteSessionIP", ScanKind::kIp},
    {"ProcessRemoteSessionIP", ScanKind::kIp},
    {"RemoteUrl", ScanKind::kUrl},
    {"Url", ScanKind::kUrl},
    {"FileOriginUrl", ScanKind::kUrl},
    {"FileOriginReferrerUrl", ScanKind::kUrl},
    {"UrlDomain", ScanKind::kDomain},
    {"DnsQuery", ScanKind::kDomain},    // CloudDnsEvents
    {"DomainName", ScanKind::kDomain},  // DisruptionAndResponseEvents
    {"SourceUrlDomain", ScanKind::kDomain},
    {"TargetUrlDomain", ScanKind::kDomain},
    {"SenderFromDomain", ScanKind::kSenderDomain},
    {"SenderMailFromDomain", ScanKind::kSenderDomain},
    {"CallJoinUrl", ScanKind::kUrl},
}};

}  // namespace

std::span<const ScanColumnName> ScanColumnNames() { return kColumns; }

std::optional<ScanKind> ScanKindOfColumn(std::string_view name) {
  for (const ScanColumnName& column : kColumns) {
    if (column.name == name) {
      return column.kind;
    }
  }
  return std::nullopt;
}

}  // namespace vigil::detect::ioc::internal

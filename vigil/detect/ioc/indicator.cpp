#include "vigil/detect/ioc/indicator.h"

#include <array>

#include "vigil/detect/ioc/internal/net_text.h"

namespace vigil::detect::ioc {
namespace {

using internal::AsciiLower;
using internal::EqualsIgnoreCase;
using internal::TrimSpace;

constexpr size_t kMaxValueLength = 4096;
constexpr size_t kMaxTitleLength = 1024;
constexpr size_t kMaxTextLength = 16384;
constexpr size_t kMaxListItems = 256;

constexpr std::array<std::string_view, kIndicatorTypeCount> kTypeNames = {
    "FileSha1", "FileSha256", "FileMd5", "CertificateThumbprint", "IpAddress", "DomainName", "Url"};

// Letters and digits only, lower-cased: "Block and remediate" -> "blockandremediate".
std::string Squash(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == ' ' || c == '_' || c == '-' || c == '\t') {
      continue;
    }
    out.push_back(AsciiLower(c));
  }
  return out;
}

bool IsHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

Result<std::string> NormalizeHash(IndicatorType type, std::string_view value) {
  size_t expected = 40;
  if (type == IndicatorType::kFileSha256) {
    expected = 64;
  } else if (type == IndicatorType::kFileMd5) {
    expected = 32;
  }
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (type == IndicatorType::kCertificateThumbprint && (c == ':' || c == ' ')) {
      continue;  // thumbprints are often shown as "ab:cd:..." or "AB CD ..."
    }
    out.push_back(AsciiLower(c));
  }
  for (const char c : out) {
    if (!IsHex(c)) {
      return InvalidArgumentError("indicatorValue '{}' is not a valid {}: non-hex character '{}'",
                                  value, IndicatorTypeName(type), c);
    }
  }
  if (out.size() != expected) {
    return InvalidArgumentError(
        "indicatorValue '{}' is not a valid {}: expected {} hex digits, got {}", value,
        IndicatorTypeName(type), expected, out.size());
  }
  return out;
}

Result<std::string> NormalizeIp(std::string_view value, const ValidateOptions& options) {
  if (value.find('/') != std::string_view::npos) {
    return InvalidArgumentError(
        "indicatorValue '{}' is not a valid IpAddress: CIDR notation is "
        "not supported, add single addresses",
        value);
  }
  if (value.find('-') != std::string_view::npos) {
    return InvalidArgumentError(
        "indicatorValue '{}' is not a valid IpAddress: address ranges are not supported", value);
  }
  std::string out;
  if (!internal::CanonicalIp(value, out)) {
    return InvalidArgumentError(
        "indicatorValue '{}' is not a valid IpAddress: expected an IPv4 dotted quad (no leading "
        "zeros) or an IPv6 address",
        value);
  }
  if (!options.allow_internal_ips && internal::IsInternalIp(out)) {
    return InvalidArgumentError(
        "indicatorValue '{}' is an internal address: indicators can only "
        "be created for external IPs",
        value);
  }
  return out;
}

Result<std::string> NormalizeDomain(std::string_view value) {
  if (value.find("://") != std::string_view::npos || value.find('/') != std::string_view::npos) {
    return InvalidArgumentError(
        "indicatorValue '{}' is not a valid DomainName: it looks like a URL (use indicatorType "
        "Url)",
        value);
  }
  std::string out;
  internal::AppendLower(out, value);
  if (!out.empty() && out.back() == '.') {
    out.pop_back();
  }
  std::string ip;
  if (internal::CanonicalIp(out, ip)) {
    return InvalidArgumentError(
        "indicatorValue '{}' is not a valid DomainName: it is an IP address (use IpAddress)",
        value);
  }
  const std::string error = internal::DomainSyntaxError(out);
  if (!error.empty()) {
    return InvalidArgumentError("indicatorValue '{}' is not a valid DomainName: {}", value, error);
  }
  return out;
}

Result<std::string> NormalizeUrl(std::string_view value) {
  internal::UrlParts parts;
  if (!internal::SplitUrl(value, parts)) {
    return InvalidArgumentError("indicatorValue '{}' is not a valid Url: no host", value);
  }
  if (!parts.userinfo.empty()) {
    return InvalidArgumentError(
        "indicatorValue '{}' is not a valid Url: user info ('user@') is not supported", value);
  }
  std::string scheme;
  internal::AppendLower(scheme, parts.scheme);
  std::string host;
  std::string ip;
  if (internal::CanonicalIp(parts.host, ip)) {
    host = ip.find(':') != std::string::npos ? "[" + ip + "]" : ip;
  } else {
    if (parts.bracketed_host) {
      return InvalidArgumentError("indicatorValue '{}' is not a valid Url: bad IPv6 host", value);
    }
    internal::AppendLower(host, parts.host);
    if (!host.empty() && host.back() == '.') {
      host.pop_back();
    }
    const std::string error = internal::DomainSyntaxError(host);
    if (!error.empty()) {
      return InvalidArgumentError("indicatorValue '{}' is not a valid Url: host '{}': {}", value,
                                  parts.host, error);
    }
  }
  std::string_view port = parts.port;
  if (!port.empty()) {
    uint32_t number = 0;
    for (const char c : port) {
      if (c < '0' || c > '9' || port.size() > 5) {
        return InvalidArgumentError("indicatorValue '{}' is not a valid Url: bad port '{}'", value,
                                    port);
      }
      number = number * 10 + static_cast<uint32_t>(c - '0');
    }
    if (number == 0 || number > 65535) {
      return InvalidArgumentError("indicatorValue '{}' is not a valid Url: bad port '{}'", value,
                                  port);
    }
    if ((scheme == "http" && number == 80) || (scheme == "https" && number == 443) ||
        (scheme == "ftp" && number == 21)) {
      port = {};
    }
  }
  std::string out;
  if (!scheme.empty()) {
    out.append(scheme).append("://");
  }
  out.append(host);
  if (!port.empty()) {
    out.append(":").append(port);
  }
  out.append(parts.path.empty() ? std::string_view("/") : parts.path);
  if (parts.has_query) {
    out.append("?").append(parts.query);
  }
  return out;
}

bool ValidTechnique(std::string_view id) {
  // T1234 or T1234.567
  if (id.size() != 5 && id.size() != 9) {
    return false;
  }
  if (id[0] != 'T') {
    return false;
  }
  for (size_t i = 1; i < id.size(); ++i) {
    if (i == 5) {
      if (id[i] != '.') {
        return false;
      }
    } else if (id[i] < '0' || id[i] > '9') {
      return false;
    }
  }
  return true;
}

void TrimInPlace(std::string& text) { text = std::string(TrimSpace(text)); }

}  // namespace

std::string_view IndicatorTypeName(IndicatorType type) {
  const auto index = static_cast<size_t>(type);
  return index < kTypeNames.size() ? kTypeNames[index] : std::string_view("Unknown");
}

std::optional<IndicatorType> ParseIndicatorType(std::string_view text) {
  const std::string key = Squash(text);
  for (size_t i = 0; i < kTypeNames.size(); ++i) {
    if (EqualsIgnoreCase(key, kTypeNames[i])) {
      return static_cast<IndicatorType>(i);
    }
  }
  if (key == "sha1") {
    return IndicatorType::kFileSha1;
  }
  if (key == "sha256") {
    return IndicatorType::kFileSha256;
  }
  if (key == "md5") {
    return IndicatorType::kFileMd5;
  }
  if (key == "certificate" || key == "thumbprint") {
    return IndicatorType::kCertificateThumbprint;
  }
  if (key == "ip" || key == "ipv4" || key == "ipv6") {
    return IndicatorType::kIpAddress;
  }
  if (key == "domain") {
    return IndicatorType::kDomainName;
  }
  return std::nullopt;
}

std::string_view IndicatorActionName(IndicatorAction action) {
  switch (action) {
    case IndicatorAction::kAllowed:
      return "Allowed";
    case IndicatorAction::kAudit:
      return "Audit";
    case IndicatorAction::kWarn:
      return "Warn";
    case IndicatorAction::kBlock:
      return "Block";
    case IndicatorAction::kBlockAndRemediate:
      return "BlockAndRemediate";
  }
  return "Unknown";
}

std::optional<ParsedAction> ParseIndicatorAction(std::string_view text) {
  const std::string key = Squash(text);
  if (key == "allowed" || key == "allow") {
    return ParsedAction{IndicatorAction::kAllowed, false};
  }
  if (key == "allowalert" || key == "allowandalert") {
    return ParsedAction{IndicatorAction::kAllowed, false};
  }
  if (key == "audit") {
    return ParsedAction{IndicatorAction::kAudit, true};
  }
  if (key == "alert") {
    return ParsedAction{IndicatorAction::kAudit, true};
  }
  if (key == "warn") {
    return ParsedAction{IndicatorAction::kWarn, false};
  }
  if (key == "block" || key == "blockexecution") {
    return ParsedAction{IndicatorAction::kBlock, false};
  }
  if (key == "alertandblock" || key == "blockandalert") {
    return ParsedAction{IndicatorAction::kBlock, true};
  }
  if (key == "blockandremediate") {
    return ParsedAction{IndicatorAction::kBlockAndRemediate, false};
  }
  return std::nullopt;
}

Result<std::string> NormalizeIndicatorValue(IndicatorType type, std::string_view value,
                                            const ValidateOptions& options) {
  value = TrimSpace(value);
  if (value.empty()) {
    return InvalidArgumentError("indicatorValue is required");
  }
  if (value.size() > kMaxValueLength) {
    return InvalidArgumentError("indicatorValue is longer than {} characters", kMaxValueLength);
  }
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || (c == ' ' && type != IndicatorType::kCertificateThumbprint)) {
      return InvalidArgumentError("indicatorValue '{}' contains whitespace or control characters",
                                  value);
    }
  }
  switch (type) {
    case IndicatorType::kFileSha1:
    case IndicatorType::kFileSha256:
    case IndicatorType::kFileMd5:
    case IndicatorType::kCertificateThumbprint:
      return NormalizeHash(type, value);
    case IndicatorType::kIpAddress:
      return NormalizeIp(value, options);
    case IndicatorType::kDomainName:
      return NormalizeDomain(value);
    case IndicatorType::kUrl:
      return NormalizeUrl(value);
  }
  return InvalidArgumentError("unknown indicatorType");
}

bool ActionAllowedForType(IndicatorType type, IndicatorAction action) {
  switch (type) {
    case IndicatorType::kIpAddress:
    case IndicatorType::kDomainName:
    case IndicatorType::kUrl:
      return action != IndicatorAction::kBlockAndRemediate;
    case IndicatorType::kCertificateThumbprint:
      return action != IndicatorAction::kWarn;
    default:
      return true;
  }
}

bool ShouldAlert(const Indicator& indicator) {
  if (indicator.action == IndicatorAction::kAllowed) {
    return false;
  }
  return indicator.action == IndicatorAction::kAudit || indicator.generate_alert;
}

Status NormalizeIndicator(Indicator& indicator, const ValidateOptions& options) {
  if (static_cast<size_t>(indicator.indicator_type) >= kIndicatorTypeCount) {
    return InvalidArgumentError(
        "indicatorType is not one of FileSha1, FileSha256, FileMd5, "
        "CertificateThumbprint, IpAddress, DomainName, Url");
  }
  VIGIL_ASSIGN_OR_RETURN(
      indicator.indicator_value,
      NormalizeIndicatorValue(indicator.indicator_type, indicator.indicator_value, options));
  if (!ActionAllowedForType(indicator.indicator_type, indicator.action)) {
    return InvalidArgumentError("action '{}' is not available for indicatorType {}",
                                IndicatorActionName(indicator.action),
                                IndicatorTypeName(indicator.indicator_type));
  }
  if (indicator.action == IndicatorAction::kAudit && !indicator.generate_alert) {
    return InvalidArgumentError("generateAlert must be true for action Audit");
  }
  TrimInPlace(indicator.id);
  TrimInPlace(indicator.title);
  TrimInPlace(indicator.description);
  TrimInPlace(indicator.category);
  TrimInPlace(indicator.educate_url);
  if (indicator.id.size() > 128) {
    return InvalidArgumentError("id is longer than 128 characters");
  }
  if (indicator.title.empty()) {
    return InvalidArgumentError("title is required for indicator '{}'", indicator.indicator_value);
  }
  if (indicator.title.size() > kMaxTitleLength) {
    return InvalidArgumentError("title is longer than {} characters", kMaxTitleLength);
  }
  if (indicator.description.empty()) {
    return InvalidArgumentError("description is required for indicator '{}'",
                                indicator.indicator_value);
  }
  if (indicator.description.size() > kMaxTextLength ||
      indicator.recommended_actions.size() > kMaxTextLength) {
    return InvalidArgumentError("description or recommendedActions is longer than {} characters",
                                kMaxTextLength);
  }
  if (options.now_us != 0 && indicator.expiration_time_us != 0 &&
      indicator.expiration_time_us <= options.now_us) {
    return InvalidArgumentError("expirationTime is in the past for indicator '{}'",
                                indicator.indicator_value);
  }
  if (!indicator.educate_url.empty()) {
    internal::UrlParts parts;
    std::string scheme;
    if (internal::SplitUrl(indicator.educate_url, parts)) {
      internal::AppendLower(scheme, parts.scheme);
    }
    if (scheme != "http" && scheme != "https") {
      return InvalidArgumentError("educateUrl '{}' is not an http(s) URL", indicator.educate_url);
    }
  }
  if (indicator.rbac_group_names.size() > kMaxListItems ||
      indicator.mitre_techniques.size() > kMaxListItems) {
    return InvalidArgumentError("rbacGroupNames or mitreTechniques has more than {} items",
                                kMaxListItems);
  }
  std::vector<std::string> groups;
  for (const std::string& group : indicator.rbac_group_names) {
    const std::string_view name = TrimSpace(group);
    if (name.empty()) {
      continue;
    }
    if (name.find('\n') != std::string_view::npos || name.size() > 256) {
      return InvalidArgumentError("rbacGroupNames entry '{}' is not a valid group name", name);
    }
    groups.emplace_back(name);
  }
  indicator.rbac_group_names = std::move(groups);
  std::vector<std::string> techniques;
  for (const std::string& technique : indicator.mitre_techniques) {
    std::string id;
    for (const char c : TrimSpace(technique)) {
      id.push_back(c == 't' ? 'T' : c);
    }
    if (id.empty()) {
      continue;
    }
    if (!ValidTechnique(id)) {
      return InvalidArgumentError(
          "mitreTechniques entry '{}' is not an ATT&CK technique id "
          "(T1234 or T1234.001)",
          technique);
    }
    techniques.push_back(std::move(id));
  }
  indicator.mitre_techniques = std::move(techniques);
  return Status::Ok();
}

}  // namespace vigil::detect::ioc

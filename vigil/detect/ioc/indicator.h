// Indicator of compromise as Defender for Endpoint models it (`/api/indicators`): a file hash,
// certificate thumbprint, IP address, domain or URL with an action, a severity and alert text.
// Used by the importers, IndicatorSet (matching) and IndicatorStore (persistence).
// Plain data and pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/base/status.h"
#include "vigil/detect/alert.h"

namespace vigil::detect::ioc {

// API `indicatorType`. The numeric values are persisted by IndicatorStore: never renumber.
enum class IndicatorType : uint8_t {
  kFileSha1 = 0,
  kFileSha256 = 1,
  kFileMd5 = 2,
  kCertificateThumbprint = 3,
  kIpAddress = 4,
  kDomainName = 5,
  kUrl = 6,
};
inline constexpr size_t kIndicatorTypeCount = 7;

// API `action`. Legacy names are accepted as aliases when parsing (see ParseIndicatorAction).
enum class IndicatorAction : uint8_t {
  kAllowed = 0,
  kAudit = 1,
  kWarn = 2,
  kBlock = 3,
  kBlockAndRemediate = 4,
};

struct Indicator {
  std::string id;               // assigned by the store when empty
  std::string indicator_value;  // normalized by NormalizeIndicator
  IndicatorType indicator_type = IndicatorType::kFileSha256;
  IndicatorAction action = IndicatorAction::kAudit;
  Severity severity = Severity::kInformational;
  std::string title;
  std::string description;
  std::string recommended_actions;
  int64_t expiration_time_us = 0;  // UTC microseconds since the epoch; 0 = never expires
  int64_t creation_time_us = 0;    // creationTimeDateTimeUtc
  int64_t last_update_time_us = 0;
  std::string created_by;
  std::string last_updated_by;
  bool generate_alert = false;
  std::vector<std::string> rbac_group_names;  // empty = all devices
  std::string category;                       // alert category, e.g. "Malware"
  std::vector<std::string> mitre_techniques;  // "T1059", "T1059.001"
  std::string application;
  std::string educate_url;
  std::string external_id;

  bool ExpiredAt(int64_t now_us) const {
    return expiration_time_us != 0 && now_us >= expiration_time_us;
  }
};

// "FileSha1", "IpAddress", ... (API spelling).
std::string_view IndicatorTypeName(IndicatorType type);
// Case-insensitive; also accepts "Sha1"/"Sha256"/"Md5", "Certificate", "Ip", "Domain".
std::optional<IndicatorType> ParseIndicatorType(std::string_view text);

std::string_view IndicatorActionName(IndicatorAction action);  // "Allowed", "BlockAndRemediate"
struct ParsedAction {
  IndicatorAction action = IndicatorAction::kAudit;
  bool implies_alert = false;  // legacy "Alert"/"AlertAndBlock" meant "and raise an alert"
};
// Case-insensitive, ignoring spaces, '-' and '_'. Accepts the API names, the portal's
// ("Allow", "Block execution", "Block and remediate") and the legacy ones: "Alert" -> Audit,
// "AlertAndBlock"/"BlockAndAlert" -> Block, "AllowAlert"/"AllowAndAlert"/"Allow" -> Allowed.
std::optional<ParsedAction> ParseIndicatorAction(std::string_view text);

// Case-insensitive: "Informational" (or "Info"), "Low", "Medium", "High".

struct ValidateOptions {
  int64_t now_us = 0;  // expiry must be later than this; 0 skips the check
  // Defender refuses indicators for internal (private, loopback, link-local) addresses.
  bool allow_internal_ips = false;
};

// Canonical form of an indicator value, or an error naming what is wrong:
//  hashes/thumbprints: lower-case hex of the right length (thumbprints may carry ':' or ' ');
//  IpAddress: IPv4 dotted quad or IPv6 in its canonical compressed form (an IPv4-mapped IPv6
//    address becomes IPv4); CIDR and ranges are refused;
//  DomainName: lower-case, no trailing dot, no wildcard, at least two labels;
//  Url: scheme and host lower-cased, default port dropped, empty path becomes "/", fragment
//    dropped; a scheme is optional ("evil.com/x" stays scheme-less).
Result<std::string> NormalizeIndicatorValue(IndicatorType type, std::string_view value,
                                            const ValidateOptions& options = {});

// Validates every field and normalizes the value in place (also trims text fields and
// upper-cases technique ids). Messages name the field, e.g.
// `indicatorValue 'abc' is not a valid FileSha256: expected 64 hex digits, got 3`.
Status NormalizeIndicator(Indicator& indicator, const ValidateOptions& options = {});

// Whether a match of this indicator should raise an alert: Audit always does; the blocking
// actions only with generateAlert; Allowed never.
bool ShouldAlert(const Indicator& indicator);

// Whether the action is valid for the type (Defender: IP/URL/domain have no BlockAndRemediate;
// certificates have no Warn).
bool ActionAllowedForType(IndicatorType type, IndicatorAction action);

}  // namespace vigil::detect::ioc

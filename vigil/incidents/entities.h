// Correlation entities: the identities an alert's evidence is linked on (device, account,
// mailbox, file, process, IP, URL, domain, cloud app, mail message), account alias unification
// (SID / UPN / DOMAIN\name, directory aliases, NetBIOS <-> UPN suffix) and the "never link on"
// filters (private IPs, infrastructure CIDRs, configured keys). Used by the Correlator.
// Not thread-safe: one EntityExtractor per Correlator, used under its mutex.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "vigil/base/status.h"
#include "vigil/detect/alert.h"
#include "vigil/incidents/correlation_config.h"

namespace vigil::incidents {

struct Cidr {
  std::array<uint8_t, 16> address{};
  int prefix_bits = 0;
  bool v4 = true;
};
Result<Cidr> ParseCidr(std::string_view text);
// True for loopback, private (RFC 1918, fc00::/7), link-local, CGNAT and unspecified addresses.
bool IsNonRoutableIp(std::string_view ip);
bool CidrContains(const Cidr& cidr, std::string_view ip);

// One entity of an alert, as the correlator sees it.
struct AlertEntity {
  std::string kind;   // "device", "account", "mailbox", "file", "process", "ip", "url", ...
  std::string key;    // primary identifier, e.g. "device:4f2a..." or "account:sid:s-1-5-21-..."
  std::string label;  // for reasons and titles: "device ws-0142", "account contoso\jdoe"
  std::string name;   // the label without its kind: "ws-0142"
  std::vector<std::string> identifiers;  // key first, then aliases
};

// Union of account identifiers known to name one account. Classes are capped at
// kMaxClassSize members and the table at kMaxIdentifiers (then new unions are dropped).
class AccountAliases {
 public:
  static constexpr size_t kMaxClassSize = 32;
  static constexpr size_t kMaxIdentifiers = 2'000'000;

  void Unify(const std::vector<std::string>& identifiers);
  // Every identifier of the class of `identifier` (itself included).
  std::vector<std::string> Expand(const std::string& identifier) const;

 private:
  std::unordered_map<std::string, size_t> class_of_;
  std::vector<std::vector<std::string>> classes_;
};

class EntityExtractor {
 public:
  explicit EntityExtractor(const CorrelationConfig& config);

  // Entities of one alert's evidence, de-duplicated by key, in evidence order. Identifiers of
  // one account seen together are unified first.
  std::vector<AlertEntity> Extract(const std::vector<detect::Evidence>& evidence);
  // True when `entity` must never link alerts (non-routable or infrastructure IP, listed key).
  bool Ignored(const AlertEntity& entity) const;

  // Directory data: all given (non-empty) identities are one account.
  void AddAccountAlias(std::string_view sid, std::string_view upn, std::string_view name,
                       std::string_view domain);
  AccountAliases& aliases() { return aliases_; }

 private:
  std::vector<std::string> AccountIdentifiers(std::string_view sid, std::string_view upn,
                                              std::string_view name, std::string_view domain) const;

  const CorrelationConfig& config_;  // outlives the extractor (owned by the Correlator)
  std::vector<Cidr> infrastructure_;
  std::unordered_set<std::string> ignored_;
  // UPN suffix <-> NetBIOS domain, from the config and learned from directory data.
  std::unordered_map<std::string, std::string> suffix_to_netbios_;
  std::unordered_map<std::string, std::string> netbios_to_suffix_;
  AccountAliases aliases_;
};

std::string FoldCase(std::string_view text);

}  // namespace vigil::incidents

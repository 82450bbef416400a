// CorrelationConfig: the tunables of alert -> incident correlation (time window, too-common
// entity limits, infrastructure addresses, account domain mapping, correlation domains and the
// cross-domain attack-sequence rules), with defaults and a YAML loader. Used by the Correlator
// and the CLI. Plain data; the parser is a pure function (thread-safe).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/base/status.h"

namespace vigil::incidents {

inline constexpr int64_t kMicrosPerMinute = 60'000'000;
inline constexpr int64_t kMicrosPerHour = 60 * kMicrosPerMinute;

// A correlation domain ("email", "endpoint", ...): which alerts belong to it. An alert belongs
// when its service or detection source contains one of `sources` (case-insensitive), or its
// source table is in `tables` ("Email*" matches a prefix), or its category is in `categories`.
struct CorrelationDomain {
  std::string name;
  std::vector<std::string> sources;
  std::vector<std::string> tables;
  std::vector<std::string> categories;
};

// An attack-sequence step: an alert of domain `to` joins an open incident that saw the same
// account (or mailbox) in an alert of domain `from`, at most `window_us` earlier.
struct SequenceRule {
  std::string from;
  std::string to;
  int64_t window_us = 72 * kMicrosPerHour;
};

struct CorrelationConfig {
  // Shared entities link when the alert's activity is within this of the incident's last
  // activity for that entity.
  int64_t window_us = 24 * kMicrosPerHour;
  // An entity seen in more open incidents than this (within the window) links nothing.
  size_t max_incidents_per_entity = 10;
  // An entity already seen in more alerts of open incidents than this (within the window) links
  // nothing: it keeps one popular artifact (a SaaS domain) from growing one endless incident.
  size_t max_alerts_per_entity = 500;
  // Merges never make an incident with more entities than this.
  size_t max_entities_per_incident = 500;
  // Private, loopback, link-local and unspecified addresses never link.
  bool ignore_private_ips = true;
  std::vector<std::string> infrastructure_cidrs;  // "10.1.0.0/16", "2001:db8::/32"
  // Entity keys that never link, e.g. "ip:203.0.113.5", "domain:login.microsoftonline.com".
  std::vector<std::string> ignored_entities;
  // NetBIOS domain -> UPN suffix, case-insensitive: CONTOSO -> contoso.com.
  std::map<std::string, std::string> account_domains;
  std::vector<CorrelationDomain> domains = DefaultDomains();  // at most 32
  std::vector<SequenceRule> sequences = DefaultSequences();
  std::string actor = "Vigil - alert correlation";

  static std::vector<CorrelationDomain> DefaultDomains();
  static std::vector<SequenceRule> DefaultSequences();
};

// "90s", "35m", "24h", "7d" or plain seconds.
Result<int64_t> ParseDurationMicros(std::string_view text);

// Parses a YAML mapping (all keys optional; unknown keys are errors). `name` (a file name)
// starts error messages, with the line of the offending field.
Result<CorrelationConfig> ParseCorrelationConfig(std::string_view yaml, std::string_view name);
Result<CorrelationConfig> LoadCorrelationConfig(const std::string& yaml_path);

}  // namespace vigil::incidents

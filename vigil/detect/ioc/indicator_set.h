// IndicatorSet: an immutable, hash-indexed set of indicators that the detection pipeline
// matches every ingested batch against (Defender's cloud "retro-matching" of custom TI), and
// that the alert pipeline asks whether an entity is Allowed. Build once, share as
// shared_ptr<const IndicatorSet> and swap atomically on change; all methods are const and
// thread-safe.
//
// Matching rules (following the Defender docs on IP/URL/domain indicators):
//  - hashes, thumbprints, IPs: exact match of the canonical value (IPv4-mapped IPv6 = IPv4);
//  - DomainName: matches the host itself and every subdomain (sub.evil.com hits evil.com); the
//    most specific active domain wins;
//  - Url: matches URLs on the same host (and port) whose path+query starts with the indicator's
//    path+query at a '/', '?' or '&' boundary; the scheme is ignored (events often carry bare
//    hosts) and the longest matching indicator wins, as Defender applies the longer path when
//    URL indicators conflict. Paths are case-sensitive and not percent-decoded;
//  - a URL-carrying column is tried as Url first, then as DomainName (or IpAddress when its host
//    is an address): the most specific indicator decides, so an Allowed URL or subdomain
//    shadows a blocked parent domain;
//  - expired indicators are skipped (the next less specific one may then apply); Allowed
//    indicators never produce hits.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vigil/base/status.h"
#include "vigil/detect/alert.h"
#include "vigil/detect/ioc/indicator.h"
#include "vigil/schema/table_batch.h"

namespace vigil::detect::ioc {

struct IndicatorHit {
  uint32_t indicator;  // index into IndicatorSet::indicators()
  uint32_t row;
  int column;  // column index in the batch's schema
};

struct IndicatorSetOptions {
  // Defender's limit of active indicators per tenant. Build refuses more.
  size_t max_indicators = 15000;
  // Also match DomainName indicators against mail sender domains (EmailEvents
  // SenderFromDomain/SenderMailFromDomain). Off by default: Defender keeps sender blocks in the
  // Tenant Allow/Block List, not in endpoint indicators.
  bool match_sender_domains = false;
};

class IndicatorSet {
 public:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  using IndexMap = std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>>;
  struct UrlEntry {
    std::string path_query;  // "/a/b?x=1"
    uint32_t index;
  };
  using UrlMap =
      std::unordered_map<std::string, std::vector<UrlEntry>, StringHash, std::equal_to<>>;
  struct ScanColumn {
    int column;
    uint8_t kind;  // internal::ScanKind
  };

  // Normalizes each indicator's value; invalid ones are skipped and listed in build_issues().
  // A repeated (type, value) keeps the last one (Defender updates on a second submit). Fails
  // with kResourceExhausted when more than options.max_indicators are active at `now_us`.
  static Result<std::shared_ptr<const IndicatorSet>> Build(std::vector<Indicator> indicators,
                                                           int64_t now_us,
                                                           const IndicatorSetOptions& options = {});

  IndicatorSet() = default;

  const std::vector<Indicator>& indicators() const { return indicators_; }
  const Indicator& indicator(uint32_t index) const { return indicators_[index]; }
  size_t size() const { return indicators_.size(); }
  const std::vector<std::string>& build_issues() const { return build_issues_; }

  // Most specific active indicator (Allowed included) for a raw value of `type` as events
  // carry it (any case; for Url any URL or bare host). nullopt when none applies.
  std::optional<uint32_t> LookupIndex(IndicatorType type, std::string_view value,
                                      int64_t now_us) const;
  const Indicator* Lookup(IndicatorType type, std::string_view value, int64_t now_us) const;
  // A URL or host as a URL column carries it: Url, then DomainName / IpAddress indicators.
  std::optional<uint32_t> LookupUrlOrHost(std::string_view value, int64_t now_us) const;

  // Whether the most specific active indicator for the value is Allowed.
  bool IsAllowed(IndicatorType type, std::string_view value, int64_t now_us) const;
  // Whether any hash, address or URL of one alert entity is Allowed (for the alert pipeline:
  // suppress alerts whose subject is an allowed file, IP or URL).
  bool IsEvidenceAllowed(const Evidence& evidence, int64_t now_us) const;

  // Appends a hit for every cell of `batch` whose value matches an active, non-Allowed
  // indicator. Columns are found by name (see internal/scan_columns.cpp); layouts of the built-in
  // catalog's tables are computed at Build time, others per call.
  void MatchBatch(const schema::TableBatch& batch, int64_t now_us,
                  std::vector<IndicatorHit>& out) const;

 private:
  std::optional<uint32_t> LookupCanonical(IndicatorType type, std::string_view key,
                                          int64_t now_us) const;
  std::optional<uint32_t> LookupDomain(std::string_view host, int64_t now_us) const;
  std::optional<uint32_t> LookupUrl(std::string_view url, int64_t now_us,
                                    std::string& scratch) const;
  std::optional<uint32_t> MatchCell(uint8_t kind, std::string_view value, int64_t now_us,
                                    std::string& scratch, std::string& scratch2) const;
  std::vector<ScanColumn> ComputeLayout(const schema::TableSchema& schema) const;
  bool Active(uint32_t index, int64_t now_us) const {
    return !indicators_[index].ExpiredAt(now_us);
  }

  std::vector<Indicator> indicators_;
  std::vector<std::string> build_issues_;
  IndicatorSetOptions options_;
  // One map per type except Url (by host[:port], entries longest path first).
  std::array<IndexMap, kIndicatorTypeCount> maps_;
  UrlMap urls_;
  std::unordered_map<const schema::TableSchema*, std::vector<ScanColumn>> layouts_;
};

}  // namespace vigil::detect::ioc

#include "vigil/detect/ioc/indicator_set.h"

#include <algorithm>
#include <utility>

#include "vigil/detect/ioc/internal/net_text.h"
#include "vigil/detect/ioc/internal/scan_columns.h"
#include "vigil/schema/catalog.h"

namespace vigil::detect::ioc {
namespace {

using internal::ScanKind;

// Host key ("host" or "host:port", IPv6 in brackets) and path+query of a URL or bare host, as
// Url indicators are indexed. The scheme is ignored; its default port is dropped (80 and 443
// also when there is no scheme). False when there is no host.
bool UrlKey(std::string_view text, std::string& host_key, std::string& path_query,
            std::string& ip_scratch) {
  internal::UrlParts parts;
  if (!internal::SplitUrl(text, parts)) {
    return false;
  }
  host_key.clear();
  if (internal::CanonicalIp(parts.host, ip_scratch)) {
    if (ip_scratch.find(':') != std::string::npos) {
      host_key.append("[").append(ip_scratch).append("]");
    } else {
      host_key.append(ip_scratch);
    }
  } else {
    internal::AppendLower(host_key, parts.host);
    if (!host_key.empty() && host_key.back() == '.') {
      host_key.pop_back();
    }
  }
  std::string_view port = parts.port;
  while (port.size() > 1 && port.front() == '0') {
    port.remove_prefix(1);
  }
  if (!port.empty()) {
    const bool http = internal::EqualsIgnoreCase(parts.scheme, "http");
    const bool https = internal::EqualsIgnoreCase(parts.scheme, "https");
    const bool ftp = internal::EqualsIgnoreCase(parts.scheme, "ftp");
    const bool none = parts.scheme.empty();
    const bool is_default = (port == "80" && (http || none)) ||
                            (port == "443" && (https || none)) || (port == "21" && ftp);
    if (!is_default) {
      host_key.append(":").append(port);
    }
  }
  path_query.assign(parts.path.empty() ? std::string_view("/") : parts.path);
  if (parts.has_query) {
    path_query.append("?").append(parts.query);
  }
  return !host_key.empty();
}

bool PathPrefixMatches(std::string_view indicator_path, std::string_view path) {
  if (path.size() < indicator_path.size() ||
      path.compare(0, indicator_path.size(), indicator_path) != 0) {
    return false;
  }
  if (path.size() == indicator_path.size() || indicator_path.back() == '/') {
    return true;
  }
  const char next = path[indicator_path.size()];
  return next == '/' || next == '?' || next == '&';
}

IndicatorType HashTypeOf(ScanKind kind) {
  switch (kind) {
    case ScanKind::kSha1:
      return IndicatorType::kFileSha1;
    case ScanKind::kSha256:
      return IndicatorType::kFileSha256;
    case ScanKind::kMd5:
      return IndicatorType::kFileMd5;
    default:
      return IndicatorType::kCertificateThumbprint;
  }
}

size_t HashLength(IndicatorType type) {
  switch (type) {
    case IndicatorType::kFileSha256:
      return 64;
    case IndicatorType::kFileMd5:
      return 32;
    default:
      return 40;
  }
}

}  // namespace

Result<std::shared_ptr<const IndicatorSet>> IndicatorSet::Build(
    std::vector<Indicator> indicators, int64_t now_us, const IndicatorSetOptions& options) {
  auto set = std::make_shared<IndicatorSet>();
  set->options_ = options;
  ValidateOptions lenient;
  lenient.allow_internal_ips = true;
  std::array<IndexMap, kIndicatorTypeCount> seen;
  for (Indicator& indicator : indicators) {
    if (static_cast<size_t>(indicator.indicator_type) >= kIndicatorTypeCount) {
      set->build_issues_.push_back(
          fmt::format("indicator '{}': unknown indicatorType", indicator.id));
      continue;
    }
    Result<std::string> value =
        NormalizeIndicatorValue(indicator.indicator_type, indicator.indicator_value, lenient);
    if (!value.ok()) {
      set->build_issues_.push_back(
          fmt::format("indicator '{}' skipped: {}", indicator.id, value.error().message()));
      continue;
    }
    indicator.indicator_value = std::move(*value);
    IndexMap& by_value = seen[static_cast<size_t>(indicator.indicator_type)];
    auto it = by_value.find(indicator.indicator_value);
    if (it != by_value.end()) {
      set->build_issues_.push_back(fmt::format(
          "indicator '{}' replaces '{}' for {} '{}'", indicator.id, set->indicators_[it->second].id,
          IndicatorTypeName(indicator.indicator_type), indicator.indicator_value));
      set->indicators_[it->second] = std::move(indicator);
      continue;
    }
    by_value.emplace(indicator.indicator_value, static_cast<uint32_t>(set->indicators_.size()));
    set->indicators_.push_back(std::move(indicator));
  }
  const size_t active = static_cast<size_t>(
      std::count_if(set->indicators_.begin(), set->indicators_.end(),
                    [now_us](const Indicator& indicator) { return !indicator.ExpiredAt(now_us); }));
  if (active > options.max_indicators) {
    return ResourceExhaustedError(
        "indicator limit exceeded: {} active indicators, the limit is {} per tenant", active,
        options.max_indicators);
  }
  std::string host_key;
  std::string path_query;
  std::string scratch;
  for (uint32_t index = 0; index < set->indicators_.size(); ++index) {
    const Indicator& indicator = set->indicators_[index];
    if (indicator.indicator_type != IndicatorType::kUrl) {
      set->maps_[static_cast<size_t>(indicator.indicator_type)].emplace(indicator.indicator_value,
                                                                        index);
      continue;
    }
    if (UrlKey(indicator.indicator_value, host_key, path_query, scratch)) {
      set->urls_[host_key].push_back(UrlEntry{path_query, index});
    }
  }
  for (auto& [host, entries] : set->urls_) {
    std::stable_sort(entries.begin(), entries.end(), [](const UrlEntry& a, const UrlEntry& b) {
      return a.path_query.size() > b.path_query.size();
    });
  }
  for (const auto& table : schema::Catalog::Default().tables()) {
    set->layouts_.emplace(table.get(), set->ComputeLayout(*table));
  }
  return std::shared_ptr<const IndicatorSet>(std::move(set));
}

std::vector<IndicatorSet::ScanColumn> IndicatorSet::ComputeLayout(
    const schema::TableSchema& schema) const {
  const auto has = [this](IndicatorType type) { return !maps_[static_cast<size_t>(type)].empty(); };
  std::vector<ScanColumn> layout;
  for (const internal::ScanColumnName& name : internal::ScanColumnNames()) {
    const int column = schema.FindColumn(name.name);
    if (column < 0 || !schema::IsBytesBacked(schema.column(static_cast<size_t>(column)).type)) {
      continue;
    }
    bool useful = false;
    switch (name.kind) {
      case ScanKind::kSha1:
      case ScanKind::kSha256:
      case ScanKind::kMd5:
      case ScanKind::kThumbprint:
        useful = has(HashTypeOf(name.kind));
        break;
      case ScanKind::kIp:
        useful = has(IndicatorType::kIpAddress);
        break;
      case ScanKind::kUrl:
        useful =
            !urls_.empty() || has(IndicatorType::kDomainName) || has(IndicatorType::kIpAddress);
        break;
      case ScanKind::kDomain:
        useful = has(IndicatorType::kDomainName);
        break;
      case ScanKind::kSenderDomain:
        useful = options_.match_sender_domains && has(IndicatorType::kDomainName);
        break;
    }
    if (useful) {
      layout.push_back(ScanColumn{column, static_cast<uint8_t>(name.kind)});
    }
  }
  return layout;
}

std::optional<uint32_t> IndicatorSet::LookupCanonical(IndicatorType type, std::string_view key,
                                                      int64_t now_us) const {
  const IndexMap& map = maps_[static_cast<size_t>(type)];
  const auto it = map.find(key);
  if (it == map.end() || !Active(it->second, now_us)) {
    return std::nullopt;
  }
  return it->second;
}

std::optional<uint32_t> IndicatorSet::LookupDomain(std::string_view host, int64_t now_us) const {
  const IndexMap& map = maps_[static_cast<size_t>(IndicatorType::kDomainName)];
  if (map.empty()) {
    return std::nullopt;
  }
  if (!host.empty() && host.back() == '.') {
    host.remove_suffix(1);
  }
  while (!host.empty()) {
    const auto it = map.find(host);
    if (it != map.end() && Active(it->second, now_us)) {
      return it->second;
    }
    const size_t dot = host.find('.');
    if (dot == std::string_view::npos) {
      break;
    }
    host.remove_prefix(dot + 1);
  }
  return std::nullopt;
}

std::optional<uint32_t> IndicatorSet::LookupUrl(std::string_view url, int64_t now_us,
                                                std::string& scratch) const {
  if (urls_.empty()) {
    return std::nullopt;
  }
  thread_local std::string host_key;
  thread_local std::string path_query;
  if (!UrlKey(url, host_key, path_query, scratch)) {
    return std::nullopt;
  }
  const auto it = urls_.find(host_key);
  if (it == urls_.end()) {
    return std::nullopt;
  }
  for (const UrlEntry& entry : it->second) {
    if (PathPrefixMatches(entry.path_query, path_query) && Active(entry.index, now_us)) {
      return entry.index;
    }
  }
  return std::nullopt;
}

std::optional<uint32_t> IndicatorSet::MatchCell(uint8_t kind, std::string_view value,
                                                int64_t now_us, std::string& scratch,
                                                std::string& scratch2) const {
  switch (static_cast<ScanKind>(kind)) {
    case ScanKind::kSha1:
    case ScanKind::kSha256:
    case ScanKind::kMd5:
    case ScanKind::kThumbprint: {
      const IndicatorType type = HashTypeOf(static_cast<ScanKind>(kind));
      if (value.size() != HashLength(type)) {
        return std::nullopt;
      }
      scratch.clear();
      internal::AppendLower(scratch, value);
      return LookupCanonical(type, scratch, now_us);
    }
    case ScanKind::kIp:
      if (value.find(':') == std::string_view::npos) {
        return LookupCanonical(IndicatorType::kIpAddress, value, now_us);
      }
      if (!internal::CanonicalIp(value, scratch)) {
        return std::nullopt;
      }
      return LookupCanonical(IndicatorType::kIpAddress, scratch, now_us);
    case ScanKind::kUrl: {
      if (auto hit = LookupUrl(value, now_us, scratch)) {
        return hit;
      }
      internal::UrlParts parts;
      if (!internal::SplitUrl(value, parts)) {
        return std::nullopt;
      }
      if (internal::CanonicalIp(parts.host, scratch)) {
        return LookupCanonical(IndicatorType::kIpAddress, scratch, now_us);
      }
      scratch2.clear();
      internal::AppendLower(scratch2, parts.host);
      return LookupDomain(scratch2, now_us);
    }
    case ScanKind::kDomain:
    case ScanKind::kSenderDomain:
      scratch.clear();
      internal::AppendLower(scratch, value);
      return LookupDomain(scratch, now_us);
  }
  return std::nullopt;
}

std::optional<uint32_t> IndicatorSet::LookupIndex(IndicatorType type, std::string_view value,
                                                  int64_t now_us) const {
  value = internal::TrimSpace(value);
  std::string scratch;
  std::string scratch2;
  switch (type) {
    case IndicatorType::kFileSha1:
      return MatchCell(static_cast<uint8_t>(ScanKind::kSha1), value, now_us, scratch, scratch2);
    case IndicatorType::kFileSha256:
      return MatchCell(static_cast<uint8_t>(ScanKind::kSha256), value, now_us, scratch, scratch2);
    case IndicatorType::kFileMd5:
      return MatchCell(static_cast<uint8_t>(ScanKind::kMd5), value, now_us, scratch, scratch2);
    case IndicatorType::kCertificateThumbprint:
      for (const char c : value) {
        if (c != ':' && c != ' ') {
          scratch2.push_back(c);
        }
      }
      return MatchCell(static_cast<uint8_t>(ScanKind::kThumbprint), scratch2, now_us, scratch,
                       scratch);
    case IndicatorType::kIpAddress:
      if (!internal::CanonicalIp(value, scratch)) {
        return std::nullopt;
      }
      return LookupCanonical(type, scratch, now_us);
    case IndicatorType::kDomainName: {
      internal::UrlParts parts;
      if (!internal::SplitUrl(value, parts)) {
        return std::nullopt;
      }
      internal::AppendLower(scratch2, parts.host);
      return LookupDomain(scratch2, now_us);
    }
    case IndicatorType::kUrl:
      return LookupUrl(value, now_us, scratch);
  }
  return std::nullopt;
}

const Indicator* IndicatorSet::Lookup(IndicatorType type, std::string_view value,
                                      int64_t now_us) const {
  const auto index = LookupIndex(type, value, now_us);
  return index ? &indicators_[*index] : nullptr;
}

std::optional<uint32_t> IndicatorSet::LookupUrlOrHost(std::string_view value,
                                                      int64_t now_us) const {
  std::string scratch;
  std::string scratch2;
  return MatchCell(static_cast<uint8_t>(ScanKind::kUrl), internal::TrimSpace(value), now_us,
                   scratch, scratch2);
}

bool IndicatorSet::IsAllowed(IndicatorType type, std::string_view value, int64_t now_us) const {
  const auto index = type == IndicatorType::kUrl ? LookupUrlOrHost(value, now_us)
                                                 : LookupIndex(type, value, now_us);
  return index && indicators_[*index].action == IndicatorAction::kAllowed;
}

bool IndicatorSet::IsEvidenceAllowed(const Evidence& evidence, int64_t now_us) const {
  return (!evidence.sha1.empty() && IsAllowed(IndicatorType::kFileSha1, evidence.sha1, now_us)) ||
         (!evidence.sha256.empty() &&
          IsAllowed(IndicatorType::kFileSha256, evidence.sha256, now_us)) ||
         (!evidence.md5.empty() && IsAllowed(IndicatorType::kFileMd5, evidence.md5, now_us)) ||
         (!evidence.remote_ip.empty() &&
          IsAllowed(IndicatorType::kIpAddress, evidence.remote_ip, now_us)) ||
         (!evidence.remote_url.empty() &&
          IsAllowed(IndicatorType::kUrl, evidence.remote_url, now_us));
}

void IndicatorSet::MatchBatch(const schema::TableBatch& batch, int64_t now_us,
                              std::vector<IndicatorHit>& out) const {
  if (indicators_.empty() || batch.empty()) {
    return;
  }
  const schema::TableSchema* schema = &batch.schema();
  std::vector<ScanColumn> computed;
  const std::vector<ScanColumn>* layout = nullptr;
  const auto it = layouts_.find(schema);
  if (it != layouts_.end()) {
    layout = &it->second;
  } else {
    computed = ComputeLayout(*schema);
    layout = &computed;
  }
  std::string scratch;
  std::string scratch2;
  const size_t rows = batch.rows();
  for (const ScanColumn& scan : *layout) {
    const schema::ColumnData& data = batch.column(static_cast<size_t>(scan.column));
    for (size_t row = 0; row < rows; ++row) {
      if (data.IsNull(row)) {
        continue;
      }
      const std::string_view value = data.GetBytes(row);
      if (value.empty()) {
        continue;
      }
      const auto index = MatchCell(scan.kind, value, now_us, scratch, scratch2);
      if (index && indicators_[*index].action != IndicatorAction::kAllowed) {
        out.push_back(IndicatorHit{*index, static_cast<uint32_t>(row), scan.column});
      }
    }
  }
}

}  // namespace vigil::detect::ioc

// Allocation-light parsing of the network values indicators carry (IP addresses, host names,
// URLs), shared by Indicator normalization and IndicatorSet matching.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace vigil::detect::ioc::internal {

// The pieces of a URL or of a bare "host[:port][/path]" value. Views into the input.
struct UrlParts {
  std::string_view scheme;    // without "://"; empty when absent
  std::string_view userinfo;  // before '@'; empty when absent
  std::string_view host;      // without IPv6 brackets
  std::string_view port;      // digits; empty when absent
  std::string_view path;      // from the first '/', empty when absent
  std::string_view query;     // after '?', without it; empty when absent
  bool has_query = false;
  bool bracketed_host = false;
};

// Splits `text` (no surrounding whitespace). False when there is no host.
bool SplitUrl(std::string_view text, UrlParts& out);

// Canonical text of an IPv4 (strict dotted quad) or IPv6 address into `out` (IPv4-mapped IPv6
// becomes IPv4). False when `text` is not an address.
bool CanonicalIp(std::string_view text, std::string& out);

// For a canonical address: private, loopback, link-local, unique-local or unspecified.
bool IsInternalIp(std::string_view canonical);

// Empty when `domain` (already lower-case) is a valid host name, else the reason.
std::string DomainSyntaxError(std::string_view domain);

inline char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
void AppendLower(std::string& out, std::string_view text);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::string_view TrimSpace(std::string_view text);

}  // namespace vigil::detect::ioc::internal

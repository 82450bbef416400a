// IP address scalar functions: parse/format (ipv4 and masks), ipv4/ipv6 comparisons and
// range tests, private-range test, has_ipv4* text searches, and geo_info_from_ip_address
// (MaxMind DB through libmaxminddb when FunctionContext::geoip_db_path is set).
// Invalid addresses give null, as in Kusto.

#include <arpa/inet.h>
#include <maxminddb.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vigil/kql/functions/function_util.h"
#include "vigil/kql/functions/registry.h"
#include "vigil/kql/value.h"

namespace vigil::kql {
namespace {

using fn1::Add;
using fn1::Arg;
using fn1::Returns;
using fn1::TextArg;

struct Ipv4 {
  uint32_t addr = 0;
  int prefix = 32;
};

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

std::optional<int> ParsePrefix(std::string_view s, int max) {
  if (s.empty() || s.size() > 3) {
    return std::nullopt;
  }
  int v = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    v = v * 10 + (c - '0');
  }
  if (v > max) {
    return std::nullopt;
  }
  return v;
}

// Dotted quad with an optional "/prefix".
std::optional<Ipv4> ParseIpv4Text(std::string_view s) {
  s = TrimSpaces(s);
  Ipv4 ip;
  if (const size_t slash = s.find('/'); slash != std::string_view::npos) {
    const auto prefix = ParsePrefix(s.substr(slash + 1), 32);
    if (!prefix) {
      return std::nullopt;
    }
    ip.prefix = *prefix;
    s = s.substr(0, slash);
  }
  uint32_t addr = 0;
  size_t pos = 0;
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (pos >= s.size() || s[pos] != '.') {
        return std::nullopt;
      }
      ++pos;
    }
    const size_t begin = pos;
    uint32_t v = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9' && pos - begin < 3) {
      v = v * 10 + static_cast<uint32_t>(s[pos] - '0');
      ++pos;
    }
    if (pos == begin || v > 255) {
      return std::nullopt;
    }
    addr = (addr << 8) | v;
  }
  if (pos != s.size()) {
    return std::nullopt;
  }
  ip.addr = addr;
  return ip;
}

// A string address, or a long holding the address as a number.
std::optional<Ipv4> ParseIpv4(const Value& v) {
  if (v.kind() == Kind::kInt || v.kind() == Kind::kLong) {
    if (v.AsInt64() < 0 || v.AsInt64() > 0xFFFFFFFFLL) {
      return std::nullopt;
    }
    return Ipv4{static_cast<uint32_t>(v.AsInt64()), 32};
  }
  if (!v.is_string()) {
    return std::nullopt;
  }
  return ParseIpv4Text(v.AsString());
}

uint32_t Mask4(int prefix) {
  return prefix <= 0 ? 0 : (prefix >= 32 ? 0xFFFFFFFFu : ~((uint32_t{1} << (32 - prefix)) - 1));
}

std::optional<int> OptionalPrefix(std::span<const Value> args, size_t index, int max) {
  if (args.size() <= index) {
    return max;
  }
  const auto p = fn1::IntegerOf(args[index]);
  if (!p || *p < 0 || *p > max) {
    return std::nullopt;
  }
  return static_cast<int>(*p);
}

std::string FormatIpv4(uint32_t addr) {
  return std::to_string(addr >> 24) + "." + std::to_string((addr >> 16) & 255) + "." +
         std::to_string((addr >> 8) & 255) + "." + std::to_string(addr & 255);
}

// ipv4_compare / ipv4_is_match: compares under the smallest of the two address prefixes and
// the explicit one. nullopt for invalid input.
std::optional<int> CompareIpv4(std::span<const Value> args) {
  const auto a = ParseIpv4(args[0]);
  const auto b = ParseIpv4(args[1]);
  const auto prefix = OptionalPrefix(args, 2, 32);
  if (!a || !b || !prefix) {
    return std::nullopt;
  }
  const uint32_t mask = Mask4(std::min({a->prefix, b->prefix, *prefix}));
  const uint32_t x = a->addr & mask;
  const uint32_t y = b->addr & mask;
  return x < y ? -1 : (x > y ? 1 : 0);
}

bool InRange(const Ipv4& ip, const Ipv4& range) {
  const uint32_t mask = Mask4(range.prefix);
  return (ip.addr & mask) == (range.addr & mask);
}

bool IsPrivate(uint32_t addr) {
  return (addr >> 24) == 10 || (addr >> 20) == ((172u << 4) | 1) ||
         (addr >> 16) == ((192u << 8) | 168);
}

struct Ipv6 {
  std::array<uint8_t, 16> bytes{};
  int prefix = 128;
};

// IPv6 text (or IPv4, mapped to ::ffff:a.b.c.d) with an optional "/prefix".
std::optional<Ipv6> ParseIpv6(const Value& v) {
  if (!v.is_string()) {
    return std::nullopt;
  }
  std::string_view s = TrimSpaces(v.AsString());
  if (const auto v4 = ParseIpv4Text(s)) {
    Ipv6 ip;
    ip.bytes[10] = 0xFF;
    ip.bytes[11] = 0xFF;
    for (int i = 0; i < 4; ++i) {
      ip.bytes[static_cast<size_t>(12 + i)] = static_cast<uint8_t>(v4->addr >> (24 - 8 * i));
    }
    ip.prefix = 96 + v4->prefix;
    return ip;
  }
  Ipv6 ip;
  if (const size_t slash = s.find('/'); slash != std::string_view::npos) {
    const auto prefix = ParsePrefix(s.substr(slash + 1), 128);
    if (!prefix) {
      return std::nullopt;
    }
    ip.prefix = *prefix;
    s = s.substr(0, slash);
  }
  if (s.size() > 64) {
    return std::nullopt;
  }
  const std::string text(s);
  if (inet_pton(AF_INET6, text.c_str(), ip.bytes.data()) != 1) {
    return std::nullopt;
  }
  return ip;
}

int CompareMasked6(const Ipv6& a, const Ipv6& b, int prefix) {
  for (size_t i = 0; i < 16; ++i) {
    const int bits = std::clamp(prefix - static_cast<int>(i) * 8, 0, 8);
    const auto mask = static_cast<uint8_t>(bits == 0 ? 0 : (0xFF << (8 - bits)) & 0xFF);
    const int x = a.bytes[i] & mask;
    const int y = b.bytes[i] & mask;
    if (x != y) {
      return x < y ? -1 : 1;
    }
  }
  return 0;
}

std::optional<int> CompareIpv6(std::span<const Value> args) {
  const auto a = ParseIpv6(args[0]);
  const auto b = ParseIpv6(args[1]);
  const auto prefix = OptionalPrefix(args, 2, 128);
  if (!a || !b || !prefix) {
    return std::nullopt;
  }
  return CompareMasked6(*a, *b, std::min({a->prefix, b->prefix, *prefix}));
}

bool IsAlnum(char c) { return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'); }

// Calls `fn(text_of_address, address)` for every IPv4 address in `text` that stands apart
// from neighbouring letters, digits and dots; stops when fn returns true.
template <typename Fn>
bool ForEachIpv4InText(std::string_view text, Fn&& fn) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9' || (i > 0 && (IsAlnum(text[i - 1]) || text[i - 1] == '.'))) {
      continue;
    }
    size_t end = i;
    int dots = 0;
    while (end < text.size() && ((text[end] >= '0' && text[end] <= '9') || text[end] == '.')) {
      dots += text[end] == '.' ? 1 : 0;
      ++end;
    }
    std::string_view candidate = text.substr(i, end - i);
    if (dots == 4 && candidate.back() == '.') {
      candidate.remove_suffix(1);  // sentence-ending dot
      --end;
      dots = 3;
    }
    if (dots == 3 && (end >= text.size() || !IsAlnum(text[end]))) {
      if (const auto ip = ParseIpv4Text(candidate); ip && fn(candidate, ip->addr)) {
        return true;
      }
    }
    i = end;
  }
  return false;
}

// A prefix is a whole address or leading octets ending with a dot ("127.0."): "127.0" is not
// a valid prefix and matches nothing, as Kusto documents.
bool HasIpv4Prefix(std::string_view text, std::string_view prefix) {
  if (prefix.empty() ||
      (prefix.back() != '.' && std::count(prefix.begin(), prefix.end(), '.') != 3)) {
    return false;
  }
  return ForEachIpv4InText(text, [prefix](std::string_view ip_text, uint32_t) {
    if (!ip_text.starts_with(prefix)) {
      return false;
    }
    return prefix.back() == '.' || ip_text.size() == prefix.size() || ip_text[prefix.size()] == '.';
  });
}

// Values of a variadic list, with dynamic arrays flattened one level.
template <typename Fn>
void ForEachListValue(std::span<const Value> args, Fn&& fn) {
  for (const Value& arg : args) {
    if (arg.is_array()) {
      for (const Value& item : arg.AsArray()) {
        fn(item);
      }
    } else {
      fn(arg);
    }
  }
}

// Process-wide cache of opened MaxMind databases (read-only after open; lookups are safe
// from any thread).
class GeoIpDatabases {
 public:
  const MMDB_s* Get(const std::string& path) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = dbs_.find(path);
    if (it == dbs_.end()) {
      auto db = std::make_unique<Db>();
      db->open = MMDB_open(path.c_str(), MMDB_MODE_MMAP, &db->mmdb) == MMDB_SUCCESS;
      it = dbs_.emplace(path, std::move(db)).first;
    }
    return it->second->open ? &it->second->mmdb : nullptr;
  }

 private:
  struct Db {
    MMDB_s mmdb{};
    bool open = false;
    Db() = default;
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;
    ~Db() {
      if (open) {
        MMDB_close(&mmdb);
      }
    }
  };
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Db>> dbs_;
};

Value MmdbString(MMDB_entry_s& entry, const char* const* path) {
  MMDB_entry_data_s data{};
  if (MMDB_aget_value(&entry, &data, path) != MMDB_SUCCESS || !data.has_data ||
      data.type != MMDB_DATA_TYPE_UTF8_STRING) {
    return Value();
  }
  return Value::String(std::string(data.utf8_string, data.data_size));
}

Value MmdbDouble(MMDB_entry_s& entry, const char* const* path) {
  MMDB_entry_data_s data{};
  if (MMDB_aget_value(&entry, &data, path) != MMDB_SUCCESS || !data.has_data ||
      data.type != MMDB_DATA_TYPE_DOUBLE) {
    return Value();
  }
  return Value::Real(data.double_value);
}

Value GeoInfo(std::span<const Value> args, FunctionContext& ctx) {
  if (ctx.geoip_db_path.empty()) {
    ctx.Warn(
        "geo_info_from_ip_address: no GeoIP database configured (set VIGIL_GEOIP_DB); returning "
        "null");
    return Value();
  }
  static GeoIpDatabases* const databases = new GeoIpDatabases();  // NOLINT: leaked singleton
  const MMDB_s* db = databases->Get(ctx.geoip_db_path);
  if (db == nullptr) {
    ctx.Warn("geo_info_from_ip_address: cannot open GeoIP database '" + ctx.geoip_db_path + "'");
    return Value();
  }
  if (!args[0].is_string() || (!ParseIpv4Text(args[0].AsString()) && !ParseIpv6(args[0]))) {
    return Value();
  }
  const std::string ip(TrimSpaces(args[0].AsString()));
  int gai_error = 0;
  int mmdb_error = 0;
  MMDB_lookup_result_s result =
      MMDB_lookup_string(const_cast<MMDB_s*>(db), ip.c_str(), &gai_error, &mmdb_error);
  if (gai_error != 0 || mmdb_error != MMDB_SUCCESS || !result.found_entry) {
    return Value();
  }
  static const char* const kCountry[] = {"country", "names", "en", nullptr};
  static const char* const kState[] = {"subdivisions", "0", "names", "en", nullptr};
  static const char* const kCity[] = {"city", "names", "en", nullptr};
  static const char* const kLatitude[] = {"location", "latitude", nullptr};
  static const char* const kLongitude[] = {"location", "longitude", nullptr};
  Bag bag;
  bag.emplace_back("country", MmdbString(result.entry, kCountry));
  bag.emplace_back("state", MmdbString(result.entry, kState));
  bag.emplace_back("city", MmdbString(result.entry, kCity));
  bag.emplace_back("latitude", MmdbDouble(result.entry, kLatitude));
  bag.emplace_back("longitude", MmdbDouble(result.entry, kLongitude));
  return Value::MakeBag(std::move(bag));
}

Value LongOrNull(std::optional<int> v) { return v ? Value::Long(*v) : Value(); }

}  // namespace

void RegisterIpFunctions(Registry& r) {
  Add(r, "parse_ipv4", 1, 1, Returns("parse_ipv4", Type::kLong),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        const auto ip = args[0].is_string() ? ParseIpv4Text(args[0].AsString()) : std::nullopt;
        return ip ? Value::Long(ip->addr & Mask4(ip->prefix)) : Value();
      });
  Add(r, "parse_ipv4_mask", 2, 2,
      Returns("parse_ipv4_mask", Type::kLong, {Arg::kText, Arg::kInteger}),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        const auto ip = args[0].is_string() ? ParseIpv4Text(args[0].AsString()) : std::nullopt;
        const auto prefix = OptionalPrefix(args, 1, 32);
        if (!ip || !prefix) {
          return Value();
        }
        return Value::Long(ip->addr & Mask4(std::min(ip->prefix, *prefix)));
      });
  Add(r, "format_ipv4", 1, 2, Returns("format_ipv4", Type::kString, {Arg::kAny, Arg::kInteger}),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        const auto ip = ParseIpv4(args[0]);
        const auto prefix = OptionalPrefix(args, 1, 32);
        if (!ip || !prefix) {
          return Value::String("");
        }
        return Value::String(FormatIpv4(ip->addr & Mask4(std::min(ip->prefix, *prefix))));
      });
  Add(r, "format_ipv4_mask", 1, 2,
      Returns("format_ipv4_mask", Type::kString, {Arg::kAny, Arg::kInteger}),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        const auto ip = ParseIpv4(args[0]);
        const auto prefix = OptionalPrefix(args, 1, 32);
        if (!ip || !prefix) {
          return Value::String("");
        }
        const int p = std::min(ip->prefix, *prefix);
        return Value::String(FormatIpv4(ip->addr & Mask4(p)) + "/" + std::to_string(p));
      });
  Add(r, "ipv4_is_private", 1, 1, Returns("ipv4_is_private", Type::kBool),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        const auto ip = args[0].is_string() ? ParseIpv4Text(args[0].AsString()) : std::nullopt;
        return ip ? Value::Bool(IsPrivate(ip->addr)) : Value();
      });
  Add(r, "ipv4_is_in_range", 2, 2, Returns("ipv4_is_in_range", Type::kBool),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        const auto ip = ParseIpv4(args[0]);
        const auto range = ParseIpv4(args[1]);
        return ip && range ? Value::Bool(InRange(*ip, *range)) : Value();
      });
  Add(r, "ipv4_is_in_any_range", 2, 64, Returns("ipv4_is_in_any_range", Type::kBool),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        const auto ip = ParseIpv4(args[0]);
        if (!ip) {
          return Value();
        }
        bool found = false;
        ForEachListValue(args.subspan(1), [&](const Value& v) {
          const auto range = ParseIpv4(v);
          found = found || (range && InRange(*ip, *range));
        });
        return Value::Bool(found);
      });
  Add(r, "ipv4_compare", 2, 3,
      Returns("ipv4_compare", Type::kLong, {Arg::kAny, Arg::kAny, Arg::kInteger}),
      [](std::span<const Value> args, FunctionContext&) { return LongOrNull(CompareIpv4(args)); });
  Add(r, "ipv4_is_match", 2, 3,
      Returns("ipv4_is_match", Type::kBool, {Arg::kAny, Arg::kAny, Arg::kInteger}),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        const auto cmp = CompareIpv4(args);
        return cmp ? Value::Bool(*cmp == 0) : Value();
      });
  Add(r, "ipv4_netmask_suffix", 1, 1, Returns("ipv4_netmask_suffix", Type::kLong),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        const auto ip = args[0].is_string() ? ParseIpv4Text(args[0].AsString()) : std::nullopt;
        return ip ? Value::Long(ip->prefix) : Value();
      });
  Add(r, "ipv6_compare", 2, 3,
      Returns("ipv6_compare", Type::kLong, {Arg::kAny, Arg::kAny, Arg::kInteger}),
      [](std::span<const Value> args, FunctionContext&) { return LongOrNull(CompareIpv6(args)); });
  Add(r, "ipv6_is_match", 2, 3,
      Returns("ipv6_is_match", Type::kBool, {Arg::kAny, Arg::kAny, Arg::kInteger}),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        const auto cmp = CompareIpv6(args);
        return cmp ? Value::Bool(*cmp == 0) : Value();
      });
  Add(r, "ipv6_is_in_range", 2, 2, Returns("ipv6_is_in_range", Type::kBool),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        const auto ip = ParseIpv6(args[0]);
        const auto range = ParseIpv6(args[1]);
        return ip && range ? Value::Bool(CompareMasked6(*ip, *range, range->prefix) == 0) : Value();
      });
  Add(r, "has_ipv4", 2, 2, Returns("has_ipv4", Type::kBool),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        const auto target = args[1].is_string() ? ParseIpv4Text(args[1].AsString()) : std::nullopt;
        if (!target || target->prefix != 32) {
          return Value::Bool(false);
        }
        const TextArg text(args[0]);
        return Value::Bool(ForEachIpv4InText(
            text, [&](std::string_view, uint32_t addr) { return addr == target->addr; }));
      });
  Add(r, "has_ipv4_prefix", 2, 2, Returns("has_ipv4_prefix", Type::kBool),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        const TextArg prefix(args[1]);
        if (prefix.empty()) {
          return Value::Bool(false);
        }
        return Value::Bool(HasIpv4Prefix(TextArg(args[0]), prefix));
      });
  Add(r, "has_any_ipv4", 2, 64, Returns("has_any_ipv4", Type::kBool),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        std::vector<uint32_t> targets;
        ForEachListValue(args.subspan(1), [&](const Value& v) {
          if (const auto ip = v.is_string() ? ParseIpv4Text(v.AsString()) : std::nullopt;
              ip && ip->prefix == 32) {
            targets.push_back(ip->addr);
          }
        });
        const TextArg text(args[0]);
        return Value::Bool(ForEachIpv4InText(text, [&](std::string_view, uint32_t addr) {
          return std::find(targets.begin(), targets.end(), addr) != targets.end();
        }));
      });
  Add(r, "has_any_ipv4_prefix", 2, 64, Returns("has_any_ipv4_prefix", Type::kBool),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        const TextArg text(args[0]);
        bool found = false;
        ForEachListValue(args.subspan(1), [&](const Value& v) {
          const std::string prefix = v.ToText();
          found = found || (!prefix.empty() && HasIpv4Prefix(text, prefix));
        });
        return Value::Bool(found);
      });
  Add(r, "geo_info_from_ip_address", 1, 1, Returns("geo_info_from_ip_address", Type::kDynamic),
      [](std::span<const Value> args, FunctionContext& ctx) { return GeoInfo(args, ctx); });
}

}  // namespace vigil::kql

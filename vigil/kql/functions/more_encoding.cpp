// Less common scalar functions, encoding part: gzip_/zlib_ compress_to_base64_string and
// decompress_from_base64_string (zlib), punycode_domain_to_string/from_string (RFC 3492),
// base64_decode_toguid/base64_encode_fromguid (.NET byte order), ipv4_range_to_cidr_list and
// ipv6_is_in_any_range.

#include <zlib.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vigil/kql/functions/function_util.h"
#include "vigil/kql/functions/internal/more_util.h"
#include "vigil/kql/functions/registry.h"
#include "vigil/kql/value.h"

namespace vigil::kql {
namespace {

using fn1::Add;
using fn1::Arg;
using fn1::Returns;

// Decompressed output above this is refused (null): bounds memory on hostile input.
constexpr size_t kMaxInflatedBytes = size_t{64} << 20;

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string B64Encode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = (static_cast<uint8_t>(in[i]) << 16) |
                       (static_cast<uint8_t>(in[i + 1]) << 8) | static_cast<uint8_t>(in[i + 2]);
    out += kB64[v >> 18];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += kB64[v & 63];
  }
  if (i < in.size()) {
    uint32_t v = static_cast<uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) {
      v |= static_cast<uint8_t>(in[i + 1]) << 8;
    }
    out += kB64[v >> 18];
    out += kB64[(v >> 12) & 63];
    out += i + 1 < in.size() ? kB64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> B64Decode(std::string_view in) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  size_t pad = 0;
  for (const char c : in) {
    int v = -1;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      v = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      v = c - '0' + 52;
    } else if (c == '+' || c == '-') {
      v = 62;
    } else if (c == '/' || c == '_') {
      v = 63;
    } else if (c == '=') {
      ++pad;
      continue;
    } else {
      return std::nullopt;
    }
    if (pad > 0) {
      return std::nullopt;
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  if (pad > 2 || bits >= 6) {
    return std::nullopt;
  }
  return out;
}

// Raw DEFLATE of `in`; a stored (uncompressed) stream when compression saves under a tenth,
// as Kusto's output for short strings shows.
std::optional<std::string> Deflate(std::string_view in, int window_bits) {
  for (const int level : {Z_DEFAULT_COMPRESSION, 0}) {
    z_stream zs{};
    if (deflateInit2(&zs, level, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      return std::nullopt;
    }
    std::string out(deflateBound(&zs, static_cast<uLong>(in.size())), '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    zs.avail_in = static_cast<uInt>(in.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) {
      return std::nullopt;
    }
    if (level == 0 || static_cast<double>(out.size()) < 0.9 * static_cast<double>(in.size())) {
      return out;
    }
  }
  return std::nullopt;
}

std::optional<std::string> Inflate(std::string_view in, int window_bits) {
  z_stream zs{};
  if (inflateInit2(&zs, window_bits) != Z_OK) {
    return std::nullopt;
  }
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  std::string out;
  char buf[16384];
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      break;
    }
    out.append(buf, sizeof(buf) - zs.avail_out);
    if (out.size() > kMaxInflatedBytes || (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0)) {
      rc = Z_DATA_ERROR;
    }
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) {
    return std::nullopt;
  }
  return out;
}

std::optional<std::string> Compress(std::string_view text, bool gzip) {
  if (text.size() > (size_t{1} << 30)) {
    return std::nullopt;
  }
  if (!gzip) {
    return Deflate(text, 15);
  }
  // Our own gzip framing (no name, mtime 0, OS unknown), as Kusto writes it.
  const auto raw = Deflate(text, -15);
  if (!raw) {
    return std::nullopt;
  }
  std::string out("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10);
  out += *raw;
  const uLong crc =
      crc32(0, reinterpret_cast<const Bytef*>(text.data()), static_cast<uInt>(text.size()));
  const auto size = static_cast<uint32_t>(text.size());
  for (const uint32_t word : {static_cast<uint32_t>(crc), size}) {
    for (int i = 0; i < 4; ++i) {
      out.push_back(static_cast<char>((word >> (8 * i)) & 0xFF));
    }
  }
  return out;
}

// ---- punycode (RFC 3492) ----

constexpr uint32_t kBase = 36;
constexpr uint32_t kTMin = 1;
constexpr uint32_t kTMax = 26;

uint32_t Adapt(uint32_t delta, uint32_t points, bool first) {
  delta = first ? delta / 700 : delta / 2;
  delta += delta / points;
  uint32_t k = 0;
  while (delta > ((kBase - kTMin) * kTMax) / 2) {
    delta /= kBase - kTMin;
    k += kBase;
  }
  return k + (kBase - kTMin + 1) * delta / (delta + 38);
}

char Digit(uint32_t d) { return static_cast<char>(d < 26 ? 'a' + d : '0' + (d - 26)); }

uint32_t Threshold(uint32_t k, uint32_t bias) {
  return k <= bias ? kTMin : (k >= bias + kTMax ? kTMax : k - bias);
}

std::optional<std::string> PunyEncode(const std::vector<uint32_t>& cps) {
  std::string out;
  for (const uint32_t c : cps) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    }
  }
  const auto b = static_cast<uint32_t>(out.size());
  if (b > 0) {
    out.push_back('-');
  }
  uint32_t n = 0x80;
  uint64_t delta = 0;
  uint32_t bias = 72;
  uint32_t h = b;
  while (h < cps.size()) {
    uint32_t m = UINT32_MAX;
    for (const uint32_t c : cps) {
      if (c >= n && c < m) {
        m = c;
      }
    }
    delta += static_cast<uint64_t>(m - n) * (h + 1);
    n = m;
    for (const uint32_t c : cps) {
      if (c < n) {
        ++delta;
      }
      if (c == n) {
        if (delta > UINT32_MAX) {
          return std::nullopt;
        }
        auto q = static_cast<uint32_t>(delta);
        for (uint32_t k = kBase;; k += kBase) {
          const uint32_t t = Threshold(k, bias);
          if (q < t) {
            break;
          }
          out.push_back(Digit(t + (q - t) % (kBase - t)));
          q = (q - t) / (kBase - t);
        }
        out.push_back(Digit(q));
        bias = Adapt(static_cast<uint32_t>(delta), h + 1, h == b);
        delta = 0;
        ++h;
      }
    }
    ++delta;
    ++n;
  }
  return out;
}

std::optional<std::vector<uint32_t>> PunyDecode(std::string_view in) {
  std::vector<uint32_t> out;
  const size_t dash = in.rfind('-');
  size_t pos = 0;
  if (dash != std::string_view::npos) {
    for (size_t i = 0; i < dash; ++i) {
      if (static_cast<unsigned char>(in[i]) >= 0x80) {
        return std::nullopt;
      }
      out.push_back(static_cast<unsigned char>(in[i]));
    }
    pos = dash + 1;
  }
  uint64_t i = 0;
  uint32_t n = 0x80;
  uint32_t bias = 72;
  while (pos < in.size()) {
    const uint64_t old_i = i;
    uint64_t w = 1;
    for (uint32_t k = kBase;; k += kBase) {
      if (pos >= in.size()) {
        return std::nullopt;
      }
      const char c = in[pos++];
      uint32_t digit = 0;
      if (c >= 'a' && c <= 'z') {
        digit = static_cast<uint32_t>(c - 'a');
      } else if (c >= 'A' && c <= 'Z') {
        digit = static_cast<uint32_t>(c - 'A');
      } else if (c >= '0' && c <= '9') {
        digit = static_cast<uint32_t>(c - '0') + 26;
      } else {
        return std::nullopt;
      }
      i += digit * w;
      const uint32_t t = Threshold(k, bias);
      if (digit < t) {
        break;
      }
      w *= kBase - t;
      if (i > UINT32_MAX || w > UINT32_MAX) {
        return std::nullopt;
      }
    }
    const auto len = static_cast<uint32_t>(out.size() + 1);
    bias = Adapt(static_cast<uint32_t>(i - old_i), len, old_i == 0);
    const uint64_t next_n = n + i / len;
    if (next_n > 0x10FFFF) {
      return std::nullopt;
    }
    n = static_cast<uint32_t>(next_n);
    i %= len;
    out.insert(out.begin() + static_cast<std::ptrdiff_t>(i), n);
    ++i;
  }
  return out;
}

// Domain labels, split on '.' and the ideographic/full-width dots IDNA treats as separators.
std::vector<std::vector<uint32_t>> Labels(std::string_view s) {
  std::vector<std::vector<uint32_t>> labels(1);
  size_t pos = 0;
  while (pos < s.size()) {
    const uint32_t cp = fn1::DecodeUtf8(s, pos);
    if (cp == '.' || cp == 0x3002 || cp == 0xFF0E || cp == 0xFF61) {
      labels.emplace_back();
    } else {
      labels.back().push_back(cp);
    }
  }
  return labels;
}

Value DomainToPunycode(std::string_view s) {
  std::string out;
  bool first = true;
  for (const auto& label : Labels(s)) {
    if (!first) {
      out += '.';
    }
    first = false;
    bool ascii = true;
    for (const uint32_t c : label) {
      ascii = ascii && c < 0x80;
    }
    if (ascii) {
      for (const uint32_t c : label) {
        out.push_back(static_cast<char>(c));
      }
      continue;
    }
    const auto encoded = PunyEncode(label);
    if (!encoded) {
      return Value();
    }
    out += "xn--" + *encoded;
  }
  return Value::String(std::move(out));
}

Value DomainFromPunycode(std::string_view s) {
  std::string out;
  size_t start = 0;
  while (true) {
    const size_t dot = s.find('.', start);
    const std::string_view label =
        s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.size() > 4 && (label[0] == 'x' || label[0] == 'X') &&
        (label[1] == 'n' || label[1] == 'N') && label[2] == '-' && label[3] == '-') {
      const auto cps = PunyDecode(label.substr(4));
      if (!cps) {
        return Value();
      }
      for (const uint32_t c : *cps) {
        fn1::AppendUtf8(out, c);
      }
    } else {
      out.append(label);
    }
    if (dot == std::string_view::npos) {
      break;
    }
    out += '.';
    start = dot + 1;
  }
  return Value::String(std::move(out));
}

// ---- GUIDs from bytes: the first two groups little-endian, the rest in order (the byte
// order of Kusto's documented base64_decode_toguid example) ----

constexpr std::array<int, 16> kGuidByteOrder = {3, 2, 1,  0,  5,  4,  6,  7,
                                                8, 9, 10, 11, 12, 13, 14, 15};

Value GuidFromBytes(std::string_view bytes) {
  if (bytes.size() != 16) {
    return Value();
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) {
      out += '-';
    }
    const auto b = static_cast<uint8_t>(bytes[kGuidByteOrder[i]]);
    out += kHex[b >> 4];
    out += kHex[b & 0xF];
  }
  return Value::Guid(std::move(out));
}

std::optional<std::string> BytesFromGuid(std::string_view text) {
  std::string hex;
  for (const char c : text) {
    if (c != '-') {
      hex += c;
    }
  }
  if (hex.size() != 32) {
    return std::nullopt;
  }
  std::string canonical(16, '\0');
  for (int i = 0; i < 16; ++i) {
    int v = 0;
    for (int k = 0; k < 2; ++k) {
      const char c = hex[2 * i + k];
      const int d = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
      if (d < 0) {
        return std::nullopt;
      }
      v = v * 16 + d;
    }
    canonical[i] = static_cast<char>(v);
  }
  std::string bytes(16, '\0');
  for (int i = 0; i < 16; ++i) {
    bytes[kGuidByteOrder[i]] = canonical[i];
  }
  return bytes;
}

// ---- IP ranges ----

std::optional<uint32_t> ParseIpv4(std::string_view s) {
  uint32_t out = 0;
  int parts = 0;
  size_t pos = 0;
  while (parts < 4) {
    size_t digits = 0;
    uint32_t octet = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9' && digits < 3) {
      octet = octet * 10 + static_cast<uint32_t>(s[pos] - '0');
      ++pos;
      ++digits;
    }
    if (digits == 0 || octet > 255) {
      return std::nullopt;
    }
    out = (out << 8) | octet;
    ++parts;
    if (parts < 4) {
      if (pos >= s.size() || s[pos] != '.') {
        return std::nullopt;
      }
      ++pos;
    }
  }
  return pos == s.size() ? std::optional<uint32_t>(out) : std::nullopt;
}

std::string FormatIpv4(uint32_t ip) {
  return std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 255) + "." +
         std::to_string((ip >> 8) & 255) + "." + std::to_string(ip & 255);
}

Value RangeToCidrs(std::string_view start_text, std::string_view end_text) {
  const auto start = ParseIpv4(start_text);
  const auto end = ParseIpv4(end_text);
  if (!start || !end || *start > *end) {
    return Value();
  }
  Array out;
  uint64_t cur = *start;
  const uint64_t last = *end;
  while (cur <= last) {
    uint64_t size = cur == 0 ? (uint64_t{1} << 32) : (cur & (~cur + 1));
    while (cur + size - 1 > last) {
      size >>= 1;
    }
    int prefix = 32;
    for (uint64_t s = size; s > 1; s >>= 1) {
      --prefix;
    }
    out.push_back(
        Value::String(FormatIpv4(static_cast<uint32_t>(cur)) + "/" + std::to_string(prefix)));
    cur += size;
  }
  return Value::MakeArray(std::move(out));
}

Value Ipv6InAnyRange(std::span<const Value> args, FunctionContext& ctx) {
  const ScalarFunction* in_range = Registry::Default().FindScalar("ipv6_is_in_range");
  if (in_range == nullptr || args[0].is_null()) {
    return Value();
  }
  std::vector<Value> ranges;
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i].is_array()) {
      ranges.insert(ranges.end(), args[i].AsArray().begin(), args[i].AsArray().end());
    } else {
      ranges.push_back(args[i]);
    }
  }
  bool any_valid = false;
  for (const Value& range : ranges) {
    const Value call[] = {args[0], range};
    const Value hit = in_range->impl(call, ctx);
    if (hit.kind() == Kind::kBool) {
      any_valid = true;
      if (hit.AsBool()) {
        return Value::Bool(true);
      }
    }
  }
  return any_valid ? Value::Bool(false) : Value();
}

}  // namespace

namespace internal {

void RegisterMoreEncodingFunctions(Registry& r) {
  for (const bool gzip : {true, false}) {
    const std::string prefix = gzip ? "gzip" : "zlib";
    const std::string compress = prefix + "_compress_to_base64_string";
    const std::string decompress = prefix + "_decompress_from_base64_string";
    Add(r, compress, 1, 1, Returns(compress, Type::kString),
        [gzip](std::span<const Value> args, FunctionContext&) -> Value {
          const fn1::TextArg text(args[0]);
          if (text.empty()) {
            return Value::String("");
          }
          const auto packed = Compress(text, gzip);
          return packed ? Value::String(B64Encode(*packed)) : Value();
        });
    Add(r, decompress, 1, 1, Returns(decompress, Type::kString),
        [gzip](std::span<const Value> args, FunctionContext&) -> Value {
          const fn1::TextArg text(args[0]);
          const auto bytes = B64Decode(text);
          if (!bytes || bytes->empty()) {
            return Value();
          }
          const auto plain = Inflate(*bytes, gzip ? 15 + 16 : 15);
          return plain ? Value::String(*plain) : Value();
        });
  }
  Add(r, "punycode_domain_to_string", 1, 1, Returns("punycode_domain_to_string", Type::kString),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        const fn1::TextArg text(args[0]);
        return DomainToPunycode(text);
      });
  Add(r, "punycode_domain_from_string", 1, 1, Returns("punycode_domain_from_string", Type::kString),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        const fn1::TextArg text(args[0]);
        return DomainFromPunycode(text);
      });
  Add(r, "base64_decode_toguid", 1, 1, Returns("base64_decode_toguid", Type::kGuid),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        const fn1::TextArg text(args[0]);
        const auto bytes = B64Decode(text);
        return bytes ? GuidFromBytes(*bytes) : Value();
      });
  Add(r, "base64_encode_fromguid", 1, 1, Returns("base64_encode_fromguid", Type::kString),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        if (args[0].kind() != Kind::kGuid && !args[0].is_string()) {
          return Value();
        }
        const auto bytes = BytesFromGuid(args[0].AsString());
        return bytes ? Value::String(B64Encode(*bytes)) : Value();
      });
  Add(r, "ipv4_range_to_cidr_list", 2, 2, Returns("ipv4_range_to_cidr_list", Type::kDynamic),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        const fn1::TextArg start(args[0]);
        const fn1::TextArg end(args[1]);
        return RangeToCidrs(start, end);
      });
  Add(r, "ipv6_is_in_any_range", 2, -1, Returns("ipv6_is_in_any_range", Type::kBool),
      Ipv6InAnyRange);
}

}  // namespace internal
}  // namespace vigil::kql

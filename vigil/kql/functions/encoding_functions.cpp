// Encoding and hashing scalar functions: base64_* (and the deprecated base64_encodestring /
// base64_decodestring), hash/hash_xxhash64 (xxHash64, seed 0), hash_sha256, hash_sha1 and
// hash_md5 (OpenSSL EVP, lower-case hex).

#include <openssl/evp.h>
#include <xxhash.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "vigil/kql/functions/function_util.h"
#include "vigil/kql/functions/registry.h"
#include "vigil/kql/value.h"

namespace vigil::kql {
namespace {

using fn1::Add;
using fn1::Arg;
using fn1::Returns;
using fn1::TextArg;

constexpr std::string_view kBase64Chars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t v = (static_cast<uint8_t>(bytes[i]) << 16) |
                       (static_cast<uint8_t>(bytes[i + 1]) << 8) |
                       static_cast<uint8_t>(bytes[i + 2]);
    out.push_back(kBase64Chars[(v >> 18) & 63]);
    out.push_back(kBase64Chars[(v >> 12) & 63]);
    out.push_back(kBase64Chars[(v >> 6) & 63]);
    out.push_back(kBase64Chars[v & 63]);
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
    if (rest == 2) {
      v |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    }
    out.push_back(kBase64Chars[(v >> 18) & 63]);
    out.push_back(kBase64Chars[(v >> 12) & 63]);
    out.push_back(rest == 2 ? kBase64Chars[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

int Base64Digit(char c) {
  if (c >= 'A' && c <= 'Z') {
    return c - 'A';
  }
  if (c >= 'a' && c <= 'z') {
    return c - 'a' + 26;
  }
  if (c >= '0' && c <= '9') {
    return c - '0' + 52;
  }
  if (c == '+' || c == '-') {
    return 62;
  }
  if (c == '/' || c == '_') {
    return 63;
  }
  return -1;
}

// Standard (and URL-safe) alphabet; whitespace ignored; like .NET's Convert.FromBase64String
// (which Kusto uses) the text must be padded with '=' to a multiple of 4 characters. nullopt
// for anything else.
std::optional<std::string> Base64Decode(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3);
  uint32_t acc = 0;
  int bits = 0;
  size_t padding = 0;
  size_t digits = 0;
  for (const char c : text) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      continue;
    }
    if (c == '=') {
      ++padding;
      continue;
    }
    const int d = Base64Digit(c);
    if (d < 0 || padding > 0) {
      return std::nullopt;
    }
    ++digits;
    acc = (acc << 6) | static_cast<uint32_t>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  if (padding > 2 || (digits + padding) % 4 != 0) {
    return std::nullopt;
  }
  return out;
}

bool IsValidUtf8(std::string_view s) {
  size_t pos = 0;
  while (pos < s.size()) {
    const size_t start = pos;
    if (fn1::DecodeUtf8(s, pos) == 0xFFFD && pos == start + 1 &&
        static_cast<unsigned char>(s[start]) >= 0x80) {
      return false;
    }
  }
  return true;
}

// Bytes hashed for a value: text as UTF-8, integer-backed values as 8 little-endian bytes
// (datetime as Kusto ticks from 0001-01-01), reals as their IEEE-754 bytes.
std::string HashBytes(const Value& v) {
  auto le64 = [](uint64_t x) {
    std::string b(8, '\0');
    for (int i = 0; i < 8; ++i) {
      b[static_cast<size_t>(i)] = static_cast<char>((x >> (8 * i)) & 0xFF);
    }
    return b;
  };
  constexpr int64_t kKustoEpochOffsetTicks = int64_t{719162} * 864000000000;
  switch (v.kind()) {
    case Kind::kInt:
    case Kind::kLong:
    case Kind::kBool:
    case Kind::kTimeSpan:
      return le64(static_cast<uint64_t>(v.AsInt64()));
    case Kind::kDateTime:
      return le64(static_cast<uint64_t>(v.AsInt64()) +
                  static_cast<uint64_t>(kKustoEpochOffsetTicks));
    case Kind::kReal: {
      const double d = v.AsReal();
      uint64_t bits = 0;
      std::memcpy(&bits, &d, sizeof bits);
      return le64(bits);
    }
    default:
      return v.ToText();
  }
}

Value XxHash(std::span<const Value> args) {
  const std::string bytes = HashBytes(args[0]);
  const uint64_t h = XXH64(bytes.data(), bytes.size(), 0);
  if (args.size() > 1) {
    const auto mod = fn1::IntegerOf(args[1]);
    if (!mod || *mod <= 0) {
      return Value();
    }
    return Value::Long(static_cast<int64_t>(h % static_cast<uint64_t>(*mod)));
  }
  return Value::Long(static_cast<int64_t>(h));
}

Value Digest(const Value& v, const EVP_MD* md) {
  if (v.is_null()) {
    return Value();
  }
  const TextArg text(v);
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  if (EVP_Digest(text.view().data(), text.size(), out.data(), &len, md, nullptr) != 1) {
    return Value();
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    hex.push_back(kHex[out[i] >> 4]);
    hex.push_back(kHex[out[i] & 15]);
  }
  return Value::String(std::move(hex));
}

}  // namespace

void RegisterEncodingFunctions(Registry& r) {
  for (const char* name : {"base64_encode_tostring", "base64_encodestring"}) {
    Add(r, name, 1, 1, Returns(name, Type::kString),
        [](std::span<const Value> args, FunctionContext&) {
          return Value::String(Base64Encode(TextArg(args[0])));
        });
  }
  // Invalid base64, or bytes that are not UTF-8, give Kusto's null string ("").
  for (const char* name : {"base64_decode_tostring", "base64_decodestring"}) {
    Add(r, name, 1, 1, Returns(name, Type::kString),
        [](std::span<const Value> args, FunctionContext&) -> Value {
          std::optional<std::string> bytes = Base64Decode(TextArg(args[0]));
          if (!bytes || !IsValidUtf8(*bytes)) {
            return Value::String("");
          }
          return Value::String(std::move(*bytes));
        });
  }
  Add(r, "base64_decode_toarray", 1, 1, Returns("base64_decode_toarray", Type::kDynamic),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        const std::optional<std::string> bytes = Base64Decode(TextArg(args[0]));
        if (!bytes) {
          return Value();
        }
        Array out;
        out.reserve(bytes->size());
        for (const char c : *bytes) {
          out.push_back(Value::Long(static_cast<uint8_t>(c)));
        }
        return Value::MakeArray(std::move(out));
      });
  Add(r, "base64_encode_fromarray", 1, 1,
      Returns("base64_encode_fromarray", Type::kString, {Arg::kDynamic}),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        if (!args[0].is_array()) {
          return Value();
        }
        std::string bytes;
        for (const Value& item : args[0].AsArray()) {
          const auto b = fn1::IntegerOf(item);
          if (!b || *b < 0 || *b > 255) {
            return Value();
          }
          bytes.push_back(static_cast<char>(*b));
        }
        return Value::String(Base64Encode(bytes));
      });
  for (const char* name : {"hash", "hash_xxhash64"}) {
    Add(r, name, 1, 2, Returns(name, Type::kLong, {Arg::kAny, Arg::kInteger}),
        [](std::span<const Value> args, FunctionContext&) { return XxHash(args); });
  }
  Add(r, "hash_sha256", 1, 1, Returns("hash_sha256", Type::kString),
      [](std::span<const Value> args, FunctionContext&) { return Digest(args[0], EVP_sha256()); });
  Add(r, "hash_sha1", 1, 1, Returns("hash_sha1", Type::kString),
      [](std::span<const Value> args, FunctionContext&) { return Digest(args[0], EVP_sha1()); });
  Add(r, "hash_md5", 1, 1, Returns("hash_md5", Type::kString),
      [](std::span<const Value> args, FunctionContext&) { return Digest(args[0], EVP_md5()); });
}

}  // namespace vigil::kql

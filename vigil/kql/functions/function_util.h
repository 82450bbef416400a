// Small helpers shared by the string, regex, parse, encoding and IP function groups: argument
// signatures for return-type checks, text access with Kusto's tostring coercion, integer
// extraction and UTF-8 code-point helpers. Header-only; pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vigil/kql/functions/registry.h"
#include "vigil/kql/value.h"

namespace vigil::kql::fn1 {

// Argument classes. Every class also accepts `dynamic` (checked at run time).
enum class Arg : uint8_t {
  kAny,      // any scalar
  kText,     // any scalar, read as text (Kusto casts non-strings with tostring semantics)
  kInteger,  // int or long (real accepted and truncated)
  kDynamic,  // dynamic only (arrays, bags)
};

inline bool ArgAccepts(Arg arg, Type type) {
  if (type == Type::kDynamic) {
    return true;
  }
  switch (arg) {
    case Arg::kAny:
    case Arg::kText:
      return true;
    case Arg::kInteger:
      return IsNumeric(type);
    case Arg::kDynamic:
      return false;
  }
  return true;
}

inline const char* ArgName(Arg arg) {
  switch (arg) {
    case Arg::kAny:
    case Arg::kText:
      return "a scalar";
    case Arg::kInteger:
      return "an integer";
    case Arg::kDynamic:
      return "dynamic";
  }
  return "a scalar";
}

// Return-type function: fixed result after checking each argument (the last class repeats
// for variadic functions).
inline ReturnTypeFn Returns(std::string name, Type result, std::vector<Arg> args = {}) {
  return [name = std::move(name), result, args = std::move(args)](
             std::span<const Type> arg_types, std::string* error) -> std::optional<Type> {
    for (size_t i = 0; i < arg_types.size() && !args.empty(); ++i) {
      const Arg arg = i < args.size() ? args[i] : args.back();
      if (!ArgAccepts(arg, arg_types[i])) {
        if (error != nullptr) {
          *error = name + "(): argument " + std::to_string(i + 1) + " must be " + ArgName(arg);
        }
        return std::nullopt;
      }
    }
    return result;
  };
}

inline void Add(Registry& r, std::string name, int min_args, int max_args, ReturnTypeFn rt,
                ScalarImpl impl) {
  ScalarFunction fn;
  fn.name = std::move(name);
  fn.min_args = min_args;
  fn.max_args = max_args;
  fn.return_type = std::move(rt);
  fn.impl = std::move(impl);
  r.AddScalar(std::move(fn));
}

// The text of an argument: strings as is (no copy), other values rendered as tostring does
// (null is ""). Holds a view into the Value or into its own copy, so it is neither copyable
// nor movable; the Value must outlive it.
class TextArg {
 public:
  explicit TextArg(const Value& v) {
    if (v.is_string() || v.kind() == Kind::kGuid) {
      view_ = v.AsString();
    } else if (!v.is_null()) {
      owned_ = v.ToText();
      view_ = owned_;
    }
  }
  TextArg(const TextArg&) = delete;
  TextArg& operator=(const TextArg&) = delete;

  std::string_view view() const { return view_; }
  operator std::string_view() const { return view_; }  // NOLINT: implicit by design
  std::string str() const { return std::string(view_); }
  bool empty() const { return view_.empty(); }
  size_t size() const { return view_.size(); }

 private:
  std::string owned_;
  std::string_view view_;
};

// Integer payload of int/long Values and of finite reals (truncated, in range); nullopt else.
inline std::optional<int64_t> IntegerOf(const Value& v) {
  if (v.kind() == Kind::kInt || v.kind() == Kind::kLong) {
    return v.AsInt64();
  }
  if (v.kind() == Kind::kReal) {
    const double d = v.AsReal();
    if (d == d && d >= -9.2e18 && d <= 9.2e18) {
      return static_cast<int64_t>(d);
    }
  }
  return std::nullopt;
}

// Decodes one UTF-8 sequence at `pos` (advancing it); invalid bytes decode as U+FFFD, one byte
// at a time, so every input advances.
inline uint32_t DecodeUtf8(std::string_view s, size_t& pos) {
  const auto c0 = static_cast<unsigned char>(s[pos]);
  if (c0 < 0x80) {
    ++pos;
    return c0;
  }
  int extra = 0;
  uint32_t cp = 0;
  uint32_t min_cp = 0;
  if ((c0 & 0xE0) == 0xC0) {
    extra = 1;
    cp = c0 & 0x1F;
    min_cp = 0x80;
  } else if ((c0 & 0xF0) == 0xE0) {
    extra = 2;
    cp = c0 & 0x0F;
    min_cp = 0x800;
  } else if ((c0 & 0xF8) == 0xF0) {
    extra = 3;
    cp = c0 & 0x07;
    min_cp = 0x10000;
  } else {
    ++pos;
    return 0xFFFD;
  }
  if (pos + static_cast<size_t>(extra) >= s.size()) {
    ++pos;
    return 0xFFFD;
  }
  for (int i = 1; i <= extra; ++i) {
    const auto c = static_cast<unsigned char>(s[pos + i]);
    if ((c & 0xC0) != 0x80) {
      ++pos;
      return 0xFFFD;
    }
    cp = (cp << 6) | (c & 0x3F);
  }
  if (cp < min_cp || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++pos;
    return 0xFFFD;
  }
  pos += static_cast<size_t>(extra) + 1;
  return cp;
}

inline void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    cp = 0xFFFD;
  }
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Byte offsets of each character start in `s`, plus s.size() at the end (size = chars + 1).
inline std::vector<size_t> CharOffsets(std::string_view s) {
  std::vector<size_t> offsets;
  offsets.reserve(s.size() + 1);
  size_t pos = 0;
  while (pos < s.size()) {
    offsets.push_back(pos);
    DecodeUtf8(s, pos);
  }
  offsets.push_back(s.size());
  return offsets;
}

inline bool IsAscii(std::string_view s) {
  for (const char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      return false;
    }
  }
  return true;
}

}  // namespace vigil::kql::fn1

// Binary XML substitution values (the typed values a template instance carries) and their text
// form as Windows renders them in event XML. Used by the binary XML walker and the EVTX reader's
// event builder; pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::ingest::evtx {

// Value type codes of the EVTX binary XML format; arrays set kArrayFlag.
enum class ValueType : uint8_t {
  kNull = 0x00,
  kString = 0x01,  // UTF-16LE
  kAnsiString = 0x02,
  kInt8 = 0x03,
  kUInt8 = 0x04,
  kInt16 = 0x05,
  kUInt16 = 0x06,
  kInt32 = 0x07,
  kUInt32 = 0x08,
  kInt64 = 0x09,
  kUInt64 = 0x0a,
  kFloat = 0x0b,
  kDouble = 0x0c,
  kBool = 0x0d,
  kBinary = 0x0e,
  kGuid = 0x0f,
  kSizeT = 0x10,
  kFileTime = 0x11,
  kSystemTime = 0x12,
  kSid = 0x13,
  kHexInt32 = 0x14,
  kHexInt64 = 0x15,
  kEvtHandle = 0x20,
  kBinXml = 0x21,
  kEvtXml = 0x23,
  // Not on the wire: text already converted to UTF-8 (template literals, char refs).
  kUtf8Text = 0x7f,
};

inline constexpr uint8_t kArrayFlag = 0x80;

// One value: a type code (possibly with kArrayFlag) and its bytes. Views into the chunk or a
// template's text pool; valid as long as those are.
struct ValueRef {
  uint8_t type = 0;
  const uint8_t* data = nullptr;
  uint32_t size = 0;

  ValueType base_type() const { return static_cast<ValueType>(type & ~kArrayFlag); }
  bool is_array() const { return (type & kArrayFlag) != 0; }
  bool is_null() const { return type == 0 || size == 0; }
  std::string_view text() const {
    return {reinterpret_cast<const char*>(data), static_cast<size_t>(size)};
  }
  static ValueRef Utf8(std::string_view text) {
    return {static_cast<uint8_t>(ValueType::kUtf8Text),
            reinterpret_cast<const uint8_t*>(text.data()), static_cast<uint32_t>(text.size())};
  }
};

// Appends UTF-16LE code units as UTF-8. Unpaired surrogates become U+FFFD. Stops at nothing:
// embedded NULs are kept (callers trim terminators).
void AppendUtf16AsUtf8(std::string& out, const uint8_t* data, size_t units);
// Appends one code point as UTF-8 (invalid ones as U+FFFD).
void AppendCodePoint(std::string& out, uint32_t code_point);

// Appends the text form of a scalar or array value (array items joined with ", ").
// Returns false when the bytes do not fit the type (wrong size, bad SID...); `out` then holds
// a best-effort hex rendering.
bool AppendValue(std::string& out, const ValueRef& value);

// Splits an array value into its items (string arrays on NUL terminators, fixed-size types by
// size, SIDs by their own length). Returns false on malformed data. `items` is cleared first.
bool SplitArray(const ValueRef& value, std::vector<ValueRef>& items);

// Integer value of an integer-typed scalar (int8..uint64, hex ints, size_t, bool); false for
// other types.
bool ValueAsInt(const ValueRef& value, int64_t& result);

// ISO 8601 text of a FILETIME as Windows renders it: 2016-07-08T18:12:51.6816408Z.
void AppendFileTime(std::string& out, uint64_t filetime);

}  // namespace vigil::ingest::evtx

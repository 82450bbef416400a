// The store's binary encoding of KQL `dynamic` values (JSON parsed once at write time) and
// DynamicView, a zero-copy accessor over it: type, scalar values, array index and property
// lookup by binary search, without re-parsing JSON per row. Used by segments, scans and the
// KQL engine. A DynamicView only borrows its bytes: the ColumnBatch (or buffer) that holds them
// must outlive it. Views are read-only and thread-safe; malformed bytes read as null.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::store {

// Encodes JSON text into the binary dynamic form, appending to `out`. Text that is not valid
// JSON is stored as a JSON string holding that text, so nothing is lost; returns false then.
bool EncodeDynamicFromJson(std::string_view json, std::string& out);

// Binary layout (little-endian; see docs/STORE_FORMAT.md, "dynamic encoding"):
//   null: 0 | false: 1 | true: 2 | long: 3 i64 | real: 4 f64 | string: 5 u32 len, bytes
//   array: 6 u32 count, u32 body_len, body = u32 offset[count], elements
//   object: 7 u32 count, u32 body_len, body = (u32 key_off, u32 value_off)[count] in source
//           order, u32 sorted_index[count] (entries ordered by key bytes), keys (u32 len, bytes)
//           and values. Offsets are relative to the body start.
class DynamicView {
 public:
  enum class Kind : uint8_t { kNull, kBool, kLong, kReal, kString, kArray, kObject };

  DynamicView() = default;
  // `encoded` must start with one encoded value (trailing bytes are ignored).
  explicit DynamicView(std::string_view encoded);

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool AsBool() const;                // false unless kBool true
  int64_t AsLong() const;             // kLong, or kReal truncated; 0 otherwise
  double AsReal() const;              // kReal or kLong; 0 otherwise
  std::string_view AsString() const;  // kString bytes; empty otherwise

  // Array elements or object properties; 0 for scalars.
  size_t size() const { return count_; }
  // Array element `index`; null view when out of range or not an array.
  DynamicView At(size_t index) const;
  // Object property `name` (case-sensitive, like Kusto); null view when absent.
  DynamicView GetProperty(std::string_view name) const;
  // Object property by position in source order.
  std::string_view KeyAt(size_t index) const;
  DynamicView ValueAt(size_t index) const;

  // Compact JSON text (source key order, no whitespace).
  std::string ToJson() const;
  void AppendJson(std::string& out) const;
  // The bytes of this value within the encoding.
  std::string_view encoded() const { return data_; }

 private:
  uint32_t ReadU32(size_t pos) const;
  DynamicView ChildAt(uint32_t body_offset) const;

  std::string_view data_;  // exactly this value's bytes
  Kind kind_ = Kind::kNull;
  uint32_t count_ = 0;
};

}  // namespace vigil::store

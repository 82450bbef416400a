// JsonValue: a small JSON tree the API resources build their records in, so one OData
// evaluator ($filter, $orderby, $select) works over every resource; also parses request bodies
// (via simdjson, depth- and size-bounded). Plain value type; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/base/status.h"

namespace vigil::api::odata {

class JsonValue {
 public:
  enum class Kind : uint8_t { kNull, kBool, kNumber, kString, kArray, kObject };

  JsonValue() = default;  // null
  static JsonValue Bool(bool value);
  static JsonValue Int(int64_t value);
  static JsonValue Number(double value);
  static JsonValue String(std::string value);
  static JsonValue Array();
  static JsonValue Object();
  // A string, or null when `value` is empty (Defender's "assignedTo": null).
  static JsonValue StringOrNull(std::string value);
  static JsonValue StringArray(const std::vector<std::string>& values);

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool is_string() const { return kind_ == Kind::kString; }
  bool is_number() const { return kind_ == Kind::kNumber; }
  bool is_int() const { return kind_ == Kind::kNumber && is_int_; }
  bool bool_value() const { return bool_; }
  int64_t int_value() const { return is_int_ ? int_ : static_cast<int64_t>(double_); }
  double number_value() const { return is_int_ ? static_cast<double>(int_) : double_; }
  const std::string& string_value() const { return string_; }

  // Arrays and objects: `items()` are the elements / member values, `keys()` the member names.
  const std::vector<JsonValue>& items() const { return items_; }
  std::vector<JsonValue>& items() { return items_; }
  const std::vector<std::string>& keys() const { return keys_; }

  // Objects: sets (replacing an existing member) and returns *this for chaining.
  JsonValue& Set(std::string_view key, JsonValue value);
  const JsonValue* Find(std::string_view key) const;
  // ASCII case-insensitive member lookup (OData clients spell field names loosely).
  const JsonValue* FindCaseless(std::string_view key) const;
  void Push(JsonValue value);

  void AppendTo(std::string& out) const;
  std::string Dump() const;

 private:
  Kind kind_ = Kind::kNull;
  bool bool_ = false;
  bool is_int_ = false;
  int64_t int_ = 0;
  double double_ = 0;
  std::string string_;
  std::vector<std::string> keys_;
  std::vector<JsonValue> items_;
};

// Parses a request body (at most `max_bytes`, nesting at most 64). Errors are kInvalidArgument
// with simdjson's reason.
Result<JsonValue> ParseJson(std::string_view text, size_t max_bytes = size_t{4} << 20);

bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace vigil::api::odata

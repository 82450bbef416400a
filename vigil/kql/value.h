// Runtime values of the KQL engine. A Value carries its own runtime kind; a column carries a
// declared Type. Columns of a scalar type hold Values of that kind or null; a `dynamic` column
// holds Values of any kind, including arrays and property bags (objects). Arrays and bags are
// immutable and shared (cheap to copy). Thread-safe for readers.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "vigil/schema/column_type.h"

namespace vigil::kql {

// Declared (static) types. Decimal is carried as real.
enum class Type : uint8_t {
  kBool,
  kInt,
  kLong,
  kReal,
  kDecimal,
  kString,
  kDateTime,
  kTimeSpan,
  kGuid,
  kDynamic,
};

std::string_view TypeName(Type type);                     // "bool", "int", "long", ...
std::optional<Type> ParseTypeName(std::string_view name);  // also "boolean", "double", "date", "uuid"
Type FromColumnType(schema::ColumnType type);
bool IsNumeric(Type type);  // int, long, real, decimal

// Runtime kinds. kNull is "no value" of any type (typed null, or a missing dynamic property).
enum class Kind : uint8_t {
  kNull,
  kBool,
  kInt,
  kLong,
  kReal,
  kString,
  kDateTime,
  kTimeSpan,
  kGuid,
  kArray,
  kBag,
};

class Value;
using Array = std::vector<Value>;
using Bag = std::vector<std::pair<std::string, Value>>;  // insertion order kept

class Value {
 public:
  Value() = default;  // null
  static Value Null() { return Value(); }
  static Value Bool(bool v) { return Value(Kind::kBool, static_cast<int64_t>(v)); }
  static Value Int(int64_t v) { return Value(Kind::kInt, static_cast<int32_t>(v)); }
  static Value Long(int64_t v) { return Value(Kind::kLong, v); }
  static Value Real(double v);
  static Value DateTime(int64_t ticks) { return Value(Kind::kDateTime, ticks); }
  static Value TimeSpan(int64_t ticks) { return Value(Kind::kTimeSpan, ticks); }
  static Value String(std::string v);
  static Value Guid(std::string v);  // canonical lower-case text
  static Value MakeArray(Array items);
  static Value MakeBag(Bag items);

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool is_string() const { return kind_ == Kind::kString; }
  bool is_array() const { return kind_ == Kind::kArray; }
  bool is_bag() const { return kind_ == Kind::kBag; }
  // Integer-backed kinds: bool, int, long, datetime, timespan.
  bool is_integral() const;
  bool is_number() const { return kind_ == Kind::kInt || kind_ == Kind::kLong || kind_ == Kind::kReal; }

  bool AsBool() const { return i_ != 0; }          // kBool
  int64_t AsInt64() const { return i_; }           // integer-backed kinds
  double AsReal() const { return kind_ == Kind::kReal ? r_ : static_cast<double>(i_); }
  const std::string& AsString() const;             // kString / kGuid; empty otherwise
  const Array& AsArray() const;                    // empty unless kArray
  const Bag& AsBag() const;                        // empty unless kBag
  // Bag property (case-sensitive) or nullptr.
  const Value* Find(std::string_view key) const;

  // Kusto's text rendering (tostring): strings as is, datetimes ISO 8601 with 7 digits and Z,
  // timespans [-][d.]hh:mm:ss[.fffffff], reals shortest round-trip, arrays/bags as JSON, null "".
  std::string ToText() const;
  void AppendJson(std::string& out) const;  // JSON rendering (strings quoted)
  std::string ToJson() const;

 private:
  using Payload = std::variant<std::string, Array, Bag>;
  Value(Kind kind, int64_t v) : kind_(kind), i_(v) {}

  Kind kind_ = Kind::kNull;
  union {
    int64_t i_ = 0;
    double r_;
  };
  std::shared_ptr<const Payload> p_;  // string, guid, array, bag
};

// Equality as `==` on dynamic values / grouping keys: same kind family and value; numbers
// compare numerically across int/long/real; null equals null here (grouping semantics).
bool ValuesEqual(const Value& a, const Value& b);
// Total order used by sort and min/max: nulls first, then by kind family, then by value.
int CompareValues(const Value& a, const Value& b);
size_t HashValue(const Value& v);

struct ValueHash {
  size_t operator()(const Value& v) const { return HashValue(v); }
};
struct ValueEq {
  bool operator()(const Value& a, const Value& b) const { return ValuesEqual(a, b); }
};

// JSON text -> Value (objects become bags in source order, integers long, other numbers real).
// Returns nullopt for invalid JSON.
std::optional<Value> ParseJson(std::string_view text);

// Kusto text of a timespan.
std::string FormatTimeSpanText(int64_t ticks);

}  // namespace vigil::kql

#include "vigil/kql/value.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <functional>

#include "vigil/base/json_escape.h"
#include "vigil/base/time.h"

namespace vigil::kql {

namespace {

const std::string& EmptyString() {
  static const std::string* empty = new std::string();
  return *empty;
}
const Array& EmptyArray() {
  static const Array* empty = new Array();
  return *empty;
}
const Bag& EmptyBag() {
  static const Bag* empty = new Bag();
  return *empty;
}

// Kind families for comparisons across kinds.
int Family(Kind k) {
  switch (k) {
    case Kind::kNull:
      return 0;
    case Kind::kBool:
      return 1;
    case Kind::kInt:
    case Kind::kLong:
    case Kind::kReal:
      return 2;
    case Kind::kDateTime:
      return 3;
    case Kind::kTimeSpan:
      return 4;
    case Kind::kString:
    case Kind::kGuid:
      return 5;
    case Kind::kArray:
      return 6;
    case Kind::kBag:
      return 7;
  }
  return 0;
}

void AppendReal(double v, std::string& out) {
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "Infinity" : "-Infinity";
    return;
  }
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, res.ptr);
}

std::optional<Value> FromJsonElement(simdjson::dom::element el, int depth) {
  if (depth > 200) {
    return std::nullopt;
  }
  switch (el.type()) {
    case simdjson::dom::element_type::ARRAY: {
      Array items;
      for (auto child : el.get_array()) {
        auto v = FromJsonElement(child, depth + 1);
        if (!v) {
          return std::nullopt;
        }
        items.push_back(std::move(*v));
      }
      return Value::MakeArray(std::move(items));
    }
    case simdjson::dom::element_type::OBJECT: {
      Bag items;
      for (auto field : el.get_object()) {
        auto v = FromJsonElement(field.value, depth + 1);
        if (!v) {
          return std::nullopt;
        }
        items.emplace_back(std::string(field.key), std::move(*v));
      }
      return Value::MakeBag(std::move(items));
    }
    case simdjson::dom::element_type::INT64:
      return Value::Long(el.get_int64().value());
    case simdjson::dom::element_type::UINT64:
      return Value::Real(static_cast<double>(el.get_uint64().value()));
    case simdjson::dom::element_type::DOUBLE:
      return Value::Real(el.get_double().value());
    case simdjson::dom::element_type::STRING:
      return Value::String(std::string(el.get_string().value()));
    case simdjson::dom::element_type::BOOL:
      return Value::Bool(el.get_bool().value());
    case simdjson::dom::element_type::NULL_VALUE:
      return Value();
  }
  return Value();
}

}  // namespace

std::string_view TypeName(Type type) {
  switch (type) {
    case Type::kBool:
      return "bool";
    case Type::kInt:
      return "int";
    case Type::kLong:
      return "long";
    case Type::kReal:
      return "real";
    case Type::kDecimal:
      return "decimal";
    case Type::kString:
      return "string";
    case Type::kDateTime:
      return "datetime";
    case Type::kTimeSpan:
      return "timespan";
    case Type::kGuid:
      return "guid";
    case Type::kDynamic:
      return "dynamic";
  }
  return "dynamic";
}

std::optional<Type> ParseTypeName(std::string_view name) {
  static const std::pair<std::string_view, Type> kNames[] = {
      {"bool", Type::kBool},         {"boolean", Type::kBool},      {"int", Type::kInt},
      {"int32", Type::kInt},         {"long", Type::kLong},         {"int64", Type::kLong},
      {"real", Type::kReal},         {"double", Type::kReal},       {"decimal", Type::kDecimal},
      {"string", Type::kString},     {"datetime", Type::kDateTime}, {"date", Type::kDateTime},
      {"timespan", Type::kTimeSpan}, {"time", Type::kTimeSpan},     {"guid", Type::kGuid},
      {"uuid", Type::kGuid},         {"uniqueid", Type::kGuid},     {"dynamic", Type::kDynamic},
  };
  for (const auto& [n, t] : kNames) {
    if (n == name) {
      return t;
    }
  }
  return std::nullopt;
}

Type FromColumnType(schema::ColumnType type) {
  switch (type) {
    case schema::ColumnType::kBool:
      return Type::kBool;
    case schema::ColumnType::kInt:
      return Type::kInt;
    case schema::ColumnType::kLong:
      return Type::kLong;
    case schema::ColumnType::kReal:
      return Type::kReal;
    case schema::ColumnType::kString:
      return Type::kString;
    case schema::ColumnType::kDateTime:
      return Type::kDateTime;
    case schema::ColumnType::kTimeSpan:
      return Type::kTimeSpan;
    case schema::ColumnType::kGuid:
      return Type::kGuid;
    case schema::ColumnType::kDynamic:
      return Type::kDynamic;
  }
  return Type::kDynamic;
}

bool IsNumeric(Type type) {
  return type == Type::kInt || type == Type::kLong || type == Type::kReal ||
         type == Type::kDecimal;
}

Value Value::Real(double v) {
  Value out;
  out.kind_ = Kind::kReal;
  out.r_ = v;
  return out;
}

Value Value::String(std::string v) {
  Value out;
  out.kind_ = Kind::kString;
  out.p_ = std::make_shared<const Payload>(std::in_place_index<0>, std::move(v));
  return out;
}

Value Value::Guid(std::string v) {
  Value out = String(std::move(v));
  out.kind_ = Kind::kGuid;
  return out;
}

Value Value::MakeArray(Array items) {
  Value out;
  out.kind_ = Kind::kArray;
  out.p_ = std::make_shared<const Payload>(std::in_place_index<1>, std::move(items));
  return out;
}

Value Value::MakeBag(Bag items) {
  Value out;
  out.kind_ = Kind::kBag;
  out.p_ = std::make_shared<const Payload>(std::in_place_index<2>, std::move(items));
  return out;
}

bool Value::is_integral() const {
  return kind_ == Kind::kBool || kind_ == Kind::kInt || kind_ == Kind::kLong ||
         kind_ == Kind::kDateTime || kind_ == Kind::kTimeSpan;
}

const std::string& Value::AsString() const {
  if ((kind_ == Kind::kString || kind_ == Kind::kGuid) && p_) {
    return std::get<0>(*p_);
  }
  return EmptyString();
}

const Array& Value::AsArray() const {
  if (kind_ == Kind::kArray && p_) {
    return std::get<1>(*p_);
  }
  return EmptyArray();
}

const Bag& Value::AsBag() const {
  if (kind_ == Kind::kBag && p_) {
    return std::get<2>(*p_);
  }
  return EmptyBag();
}

const Value* Value::Find(std::string_view key) const {
  for (const auto& [k, v] : AsBag()) {
    if (k == key) {
      return &v;
    }
  }
  return nullptr;
}

std::string FormatTimeSpanText(int64_t ticks) {
  std::string out;
  uint64_t t;
  if (ticks < 0) {
    out += '-';
    t = static_cast<uint64_t>(-(ticks + 1)) + 1;
  } else {
    t = static_cast<uint64_t>(ticks);
  }
  const uint64_t per_sec = kTicksPerSecond;
  uint64_t days = t / (86400 * per_sec);
  uint64_t rem = t % (86400 * per_sec);
  uint64_t hours = rem / (3600 * per_sec);
  rem %= 3600 * per_sec;
  uint64_t minutes = rem / (60 * per_sec);
  rem %= 60 * per_sec;
  uint64_t seconds = rem / per_sec;
  uint64_t frac = rem % per_sec;
  char buf[64];
  if (days > 0) {
    out += std::to_string(days);
    out += '.';
  }
  std::snprintf(buf, sizeof(buf), "%02llu:%02llu:%02llu", static_cast<unsigned long long>(hours),
                static_cast<unsigned long long>(minutes), static_cast<unsigned long long>(seconds));
  out += buf;
  if (frac != 0) {
    std::snprintf(buf, sizeof(buf), ".%07llu", static_cast<unsigned long long>(frac));
    out += buf;
  }
  return out;
}

std::string Value::ToText() const {
  switch (kind_) {
    case Kind::kNull:
      return std::string();
    case Kind::kBool:
      return i_ != 0 ? "true" : "false";
    case Kind::kInt:
    case Kind::kLong:
      return std::to_string(i_);
    case Kind::kReal: {
      std::string out;
      AppendReal(r_, out);
      return out;
    }
    case Kind::kString:
    case Kind::kGuid:
      return AsString();
    case Kind::kDateTime:
      return FormatDateTime(i_);
    case Kind::kTimeSpan:
      return FormatTimeSpanText(i_);
    case Kind::kArray:
    case Kind::kBag:
      return ToJson();
  }
  return std::string();
}

void Value::AppendJson(std::string& out) const {
  switch (kind_) {
    case Kind::kNull:
      out += "null";
      return;
    case Kind::kBool:
      out += i_ != 0 ? "true" : "false";
      return;
    case Kind::kInt:
    case Kind::kLong:
      out += std::to_string(i_);
      return;
    case Kind::kReal:
      if (std::isfinite(r_)) {
        AppendReal(r_, out);
      } else {
        std::string text;
        AppendReal(r_, text);
        AppendJsonQuoted(out, text);
      }
      return;
    case Kind::kString:
    case Kind::kGuid:
      AppendJsonQuoted(out, AsString());
      return;
    case Kind::kDateTime:
    case Kind::kTimeSpan:
      AppendJsonQuoted(out, ToText());
      return;
    case Kind::kArray: {
      out += '[';
      bool first = true;
      for (const auto& v : AsArray()) {
        if (!first) {
          out += ',';
        }
        first = false;
        v.AppendJson(out);
      }
      out += ']';
      return;
    }
    case Kind::kBag: {
      out += '{';
      bool first = true;
      for (const auto& [k, v] : AsBag()) {
        if (!first) {
          out += ',';
        }
        first = false;
        AppendJsonQuoted(out, k);
        out += ':';
        v.AppendJson(out);
      }
      out += '}';
      return;
    }
  }
}

std::string Value::ToJson() const {
  std::string out;
  AppendJson(out);
  return out;
}

bool ValuesEqual(const Value& a, const Value& b) {
  const int fa = Family(a.kind());
  const int fb = Family(b.kind());
  if (fa != fb) {
    return false;
  }
  switch (a.kind()) {
    case Kind::kNull:
      return true;
    case Kind::kInt:
    case Kind::kLong:
    case Kind::kReal:
      if (a.kind() != Kind::kReal && b.kind() != Kind::kReal) {
        return a.AsInt64() == b.AsInt64();
      }
      return a.AsReal() == b.AsReal();
    case Kind::kBool:
    case Kind::kDateTime:
    case Kind::kTimeSpan:
      return a.AsInt64() == b.AsInt64();
    case Kind::kString:
    case Kind::kGuid:
      return a.AsString() == b.AsString();
    case Kind::kArray: {
      const auto& x = a.AsArray();
      const auto& y = b.AsArray();
      if (x.size() != y.size()) {
        return false;
      }
      for (size_t i = 0; i < x.size(); ++i) {
        if (!ValuesEqual(x[i], y[i])) {
          return false;
        }
      }
      return true;
    }
    case Kind::kBag:
      return a.ToJson() == b.ToJson();
  }
  return false;
}

int CompareValues(const Value& a, const Value& b) {
  const int fa = Family(a.kind());
  const int fb = Family(b.kind());
  if (fa != fb) {
    return fa < fb ? -1 : 1;
  }
  switch (a.kind()) {
    case Kind::kNull:
      return 0;
    case Kind::kInt:
    case Kind::kLong:
    case Kind::kReal: {
      if (a.kind() != Kind::kReal && b.kind() != Kind::kReal) {
        return a.AsInt64() < b.AsInt64() ? -1 : (a.AsInt64() > b.AsInt64() ? 1 : 0);
      }
      const double x = a.AsReal();
      const double y = b.AsReal();
      if (std::isnan(x) || std::isnan(y)) {
        return std::isnan(x) ? (std::isnan(y) ? 0 : -1) : 1;
      }
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    case Kind::kBool:
    case Kind::kDateTime:
    case Kind::kTimeSpan:
      return a.AsInt64() < b.AsInt64() ? -1 : (a.AsInt64() > b.AsInt64() ? 1 : 0);
    case Kind::kString:
    case Kind::kGuid: {
      const int c = a.AsString().compare(b.AsString());
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case Kind::kArray:
    case Kind::kBag: {
      const int c = a.ToJson().compare(b.ToJson());
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
  }
  return 0;
}

size_t HashValue(const Value& v) {
  const size_t family = static_cast<size_t>(Family(v.kind())) * 0x9e3779b97f4a7c15ULL;
  switch (v.kind()) {
    case Kind::kNull:
      return family;
    case Kind::kReal: {
      const double r = v.AsReal();
      if (r == std::floor(r) && std::abs(r) < 9.2e18) {
        return family ^ std::hash<int64_t>()(static_cast<int64_t>(r));
      }
      return family ^ std::hash<double>()(r);
    }
    case Kind::kInt:
    case Kind::kLong:
    case Kind::kBool:
    case Kind::kDateTime:
    case Kind::kTimeSpan:
      return family ^ std::hash<int64_t>()(v.AsInt64());
    case Kind::kString:
    case Kind::kGuid:
      return family ^ std::hash<std::string_view>()(v.AsString());
    case Kind::kArray:
    case Kind::kBag:
      return family ^ std::hash<std::string>()(v.ToJson());
  }
  return family;
}

std::optional<Value> ParseJson(std::string_view text) {
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element root;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  return FromJsonElement(root, 0);
}

}  // namespace vigil::kql

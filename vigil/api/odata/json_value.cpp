#include "vigil/api/odata/json_value.h"

#include <simdjson.h>

#include <cmath>
#include <cstdio>
#include <utility>

#include "vigil/base/json_escape.h"

namespace vigil::api::odata {
namespace {

constexpr int kMaxDepth = 64;

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

Result<JsonValue> Convert(simdjson::dom::element element, int depth) {
  if (depth > kMaxDepth) {
    return InvalidArgumentError("JSON nested deeper than {} levels", kMaxDepth);
  }
  switch (element.type()) {
    case simdjson::dom::element_type::NULL_VALUE:
      return JsonValue();
    case simdjson::dom::element_type::BOOL: {
      bool flag = false;
      if (element.get_bool().get(flag) != simdjson::SUCCESS) {
        return InvalidArgumentError("malformed JSON value");
      }
      return JsonValue::Bool(flag);
    }
    case simdjson::dom::element_type::INT64: {
      int64_t number = 0;
      if (element.get_int64().get(number) != simdjson::SUCCESS) {
        return InvalidArgumentError("malformed JSON value");
      }
      return JsonValue::Int(number);
    }
    case simdjson::dom::element_type::UINT64: {
      uint64_t number = 0;
      if (element.get_uint64().get(number) != simdjson::SUCCESS) {
        return InvalidArgumentError("malformed JSON value");
      }
      return JsonValue::Number(static_cast<double>(number));
    }
    case simdjson::dom::element_type::DOUBLE: {
      double number = 0;
      if (element.get_double().get(number) != simdjson::SUCCESS) {
        return InvalidArgumentError("malformed JSON value");
      }
      return JsonValue::Number(number);
    }
    case simdjson::dom::element_type::STRING: {
      std::string_view text;
      if (element.get_string().get(text) != simdjson::SUCCESS) {
        return InvalidArgumentError("malformed JSON value");
      }
      return JsonValue::String(std::string(text));
    }
    case simdjson::dom::element_type::ARRAY: {
      JsonValue array = JsonValue::Array();
      simdjson::dom::array items;
      if (element.get_array().get(items) != simdjson::SUCCESS) {
        return InvalidArgumentError("malformed JSON array");
      }
      for (simdjson::dom::element item : items) {
        VIGIL_ASSIGN_OR_RETURN(JsonValue value, Convert(item, depth + 1));
        array.Push(std::move(value));
      }
      return array;
    }
    case simdjson::dom::element_type::OBJECT: {
      JsonValue object = JsonValue::Object();
      simdjson::dom::object fields;
      if (element.get_object().get(fields) != simdjson::SUCCESS) {
        return InvalidArgumentError("malformed JSON object");
      }
      for (simdjson::dom::key_value_pair field : fields) {
        VIGIL_ASSIGN_OR_RETURN(JsonValue value, Convert(field.value, depth + 1));
        object.Set(field.key, std::move(value));
      }
      return object;
    }
  }
  return JsonValue();
}

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) {
      return false;
    }
  }
  return true;
}

JsonValue JsonValue::Bool(bool value) {
  JsonValue v;
  v.kind_ = Kind::kBool;
  v.bool_ = value;
  return v;
}

JsonValue JsonValue::Int(int64_t value) {
  JsonValue v;
  v.kind_ = Kind::kNumber;
  v.is_int_ = true;
  v.int_ = value;
  return v;
}

JsonValue JsonValue::Number(double value) {
  JsonValue v;
  v.kind_ = Kind::kNumber;
  v.double_ = value;
  return v;
}

JsonValue JsonValue::String(std::string value) {
  JsonValue v;
  v.kind_ = Kind::kString;
  v.string_ = std::move(value);
  return v;
}

JsonValue JsonValue::StringOrNull(std::string value) {
  return value.empty() ? JsonValue() : String(std::move(value));
}

JsonValue JsonValue::StringArray(const std::vector<std::string>& values) {
  JsonValue v = Array();
  for (const std::string& value : values) {
    v.Push(String(value));
  }
  return v;
}

JsonValue JsonValue::Array() {
  JsonValue v;
  v.kind_ = Kind::kArray;
  return v;
}

JsonValue JsonValue::Object() {
  JsonValue v;
  v.kind_ = Kind::kObject;
  return v;
}

JsonValue& JsonValue::Set(std::string_view key, JsonValue value) {
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (keys_[i] == key) {
      items_[i] = std::move(value);
      return *this;
    }
  }
  keys_.emplace_back(key);
  items_.push_back(std::move(value));
  return *this;
}

const JsonValue* JsonValue::Find(std::string_view key) const {
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (keys_[i] == key) {
      return &items_[i];
    }
  }
  return nullptr;
}

const JsonValue* JsonValue::FindCaseless(std::string_view key) const {
  if (const JsonValue* exact = Find(key)) {
    return exact;
  }
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (EqualsIgnoreCase(keys_[i], key)) {
      return &items_[i];
    }
  }
  return nullptr;
}

void JsonValue::Push(JsonValue value) { items_.push_back(std::move(value)); }

void JsonValue::AppendTo(std::string& out) const {
  switch (kind_) {
    case Kind::kNull:
      out += "null";
      return;
    case Kind::kBool:
      out += bool_ ? "true" : "false";
      return;
    case Kind::kNumber: {
      if (is_int_) {
        out += std::to_string(int_);
        return;
      }
      if (!std::isfinite(double_)) {
        out += "null";
        return;
      }
      char buffer[32];
      std::snprintf(buffer, sizeof(buffer), "%.17g", double_);
      out += buffer;
      return;
    }
    case Kind::kString:
      AppendJsonQuoted(out, string_);
      return;
    case Kind::kArray:
      out += '[';
      for (size_t i = 0; i < items_.size(); ++i) {
        if (i > 0) {
          out += ',';
        }
        items_[i].AppendTo(out);
      }
      out += ']';
      return;
    case Kind::kObject:
      out += '{';
      for (size_t i = 0; i < items_.size(); ++i) {
        if (i > 0) {
          out += ',';
        }
        AppendJsonQuoted(out, keys_[i]);
        out += ':';
        items_[i].AppendTo(out);
      }
      out += '}';
      return;
  }
}

std::string JsonValue::Dump() const {
  std::string out;
  AppendTo(out);
  return out;
}

Result<JsonValue> ParseJson(std::string_view text, size_t max_bytes) {
  if (text.size() > max_bytes) {
    return InvalidArgumentError("request body of {} bytes exceeds the {} byte limit", text.size(),
                                max_bytes);
  }
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  const simdjson::error_code error = parser.parse(text.data(), text.size()).get(root);
  if (error != simdjson::SUCCESS) {
    return InvalidArgumentError("malformed JSON body: {}", simdjson::error_message(error));
  }
  return Convert(root, 0);
}

}  // namespace vigil::api::odata

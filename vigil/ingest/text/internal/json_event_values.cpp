#include "vigil/ingest/text/internal/json_event_values.h"

#include <charconv>

#include "vigil/base/time.h"
#include "vigil/ingest/text/internal/json_framing.h"
#include "vigil/ingest/text/internal/json_text.h"

namespace vigil::ingest::internal {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

std::string Text(element value) {
  std::string out;
  AppendElementText(out, value);
  return out;
}

bool ParseIntText(std::string_view text, int64_t& out) {
  while (!text.empty() && IsBlank(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && IsBlank(text.back())) {
    text.remove_suffix(1);
  }
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    uint64_t value = 0;
    const auto [ptr, ec] = std::from_chars(text.data() + 2, text.data() + text.size(), value, 16);
    if (ec != std::errc() || ptr != text.data() + text.size()) {
      return false;
    }
    out = static_cast<int64_t>(value);
    return true;
  }
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size() && !text.empty();
}

bool ToInt(element value, int64_t& out) {
  switch (value.type()) {
    case element_type::INT64:
      return value.get_int64().get(out) == simdjson::SUCCESS;
    case element_type::UINT64: {
      uint64_t u = 0;
      if (value.get_uint64().get(u) != simdjson::SUCCESS) {
        return false;
      }
      out = static_cast<int64_t>(u);
      return true;
    }
    case element_type::DOUBLE: {
      double d = 0;
      if (value.get_double().get(d) != simdjson::SUCCESS ||
          d != static_cast<double>(static_cast<int64_t>(d))) {
        return false;
      }
      out = static_cast<int64_t>(d);
      return true;
    }
    case element_type::STRING: {
      std::string_view text;
      return value.get_string().get(text) == simdjson::SUCCESS && ParseIntText(text, out);
    }
    default:
      return false;
  }
}

bool ToTicks(element value, int64_t& out) {
  if (value.type() == element_type::STRING) {
    std::string_view text;
    if (value.get_string().get(text) != simdjson::SUCCESS) {
      return false;
    }
    const auto ticks = ParseDateTime(text);
    if (!ticks) {
      return false;
    }
    out = *ticks;
    return true;
  }
  int64_t millis = 0;
  if (!ToInt(value, millis) || millis > 9'000'000'000'000'000 / kTicksPerMillisecond ||
      millis < -9'000'000'000'000'000 / kTicksPerMillisecond) {
    return false;
  }
  out = millis * kTicksPerMillisecond;
  return true;
}

bool IsObject(element value) { return value.type() == element_type::OBJECT; }

bool Attribute(element value, std::string_view name, element& out) {
  if (!IsObject(value)) {
    return false;
  }
  element attrs;
  if (value.at_key("#attributes").get(attrs) != simdjson::SUCCESS || !IsObject(attrs)) {
    return false;
  }
  return attrs.at_key(name).get(out) == simdjson::SUCCESS;
}

element Unwrap(element value) {
  element text;
  if (IsObject(value) && value.at_key("#text").get(text) == simdjson::SUCCESS) {
    return text;
  }
  return value;
}

void AddField(std::vector<EventField>& fields, std::string name, element value) {
  fields.push_back(EventField{std::move(name), Text(value)});
}

std::string JoinPath(std::string_view prefix, std::string_view name) {
  if (prefix.empty()) {
    return std::string(name);
  }
  std::string path(prefix);
  path.push_back('.');
  path.append(name);
  return path;
}

void FlattenInto(std::vector<EventField>& fields, std::string_view prefix, element value) {
  if (!IsObject(value)) {
    AddField(fields, std::string(prefix), value);
    return;
  }
  object obj;
  obj = value.get_object().value_unsafe();
  if (obj.size() == 0) {
    fields.push_back(EventField{std::string(prefix), ""});
    return;
  }
  for (simdjson::dom::key_value_pair member : obj) {
    if (member.key == "#attributes" && IsObject(member.value)) {
      object attrs;
      attrs = member.value.get_object().value_unsafe();
      for (simdjson::dom::key_value_pair attr : attrs) {
        if (attr.key == "xmlns" || attr.key.substr(0, 6) == "xmlns:") {
          continue;
        }
        AddField(fields, JoinPath(prefix, attr.key), attr.value);
      }
      continue;
    }
    if (member.key == "#text") {
      AddField(fields, std::string(prefix), member.value);
      continue;
    }
    FlattenInto(fields, JoinPath(prefix, member.key), member.value);
  }
}

}  // namespace vigil::ingest::internal

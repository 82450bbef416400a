#include "vigil/store/dynamic_value.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>

#include "vigil/base/json_escape.h"

namespace vigil::store {
namespace {

enum Tag : uint8_t {
  kTagNull = 0,
  kTagFalse = 1,
  kTagTrue = 2,
  kTagLong = 3,
  kTagReal = 4,
  kTagString = 5,
  kTagArray = 6,
  kTagObject = 7,
};

void PutU32(std::string& out, uint32_t value) {
  char bytes[4];
  for (int i = 0; i < 4; ++i) {
    bytes[i] = static_cast<char>((value >> (8 * i)) & 0xff);
  }
  out.append(bytes, 4);
}

void PatchU32(std::string& out, size_t pos, uint32_t value) {
  for (int i = 0; i < 4; ++i) {
    out[pos + i] = static_cast<char>((value >> (8 * i)) & 0xff);
  }
}

void PutU64(std::string& out, uint64_t value) {
  char bytes[8];
  for (int i = 0; i < 8; ++i) {
    bytes[i] = static_cast<char>((value >> (8 * i)) & 0xff);
  }
  out.append(bytes, 8);
}

void PutString(std::string& out, std::string_view text) {
  out.push_back(static_cast<char>(kTagString));
  PutU32(out, static_cast<uint32_t>(text.size()));
  out.append(text);
}

void PutReal(std::string& out, double value) {
  out.push_back(static_cast<char>(kTagReal));
  uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof(bits));
  PutU64(out, bits);
}

bool Encode(simdjson::dom::element element, std::string& out) {
  using simdjson::dom::element_type;
  switch (element.type()) {
    case element_type::NULL_VALUE:
      out.push_back(static_cast<char>(kTagNull));
      return true;
    case element_type::BOOL: {
      bool value = false;
      if (element.get_bool().get(value) != simdjson::SUCCESS) {
        return false;
      }
      out.push_back(static_cast<char>(value ? kTagTrue : kTagFalse));
      return true;
    }
    case element_type::INT64: {
      int64_t value = 0;
      if (element.get_int64().get(value) != simdjson::SUCCESS) {
        return false;
      }
      out.push_back(static_cast<char>(kTagLong));
      PutU64(out, static_cast<uint64_t>(value));
      return true;
    }
    case element_type::UINT64: {
      uint64_t value = 0;
      if (element.get_uint64().get(value) != simdjson::SUCCESS) {
        return false;
      }
      PutReal(out, static_cast<double>(value));
      return true;
    }
    case element_type::DOUBLE: {
      double value = 0;
      if (element.get_double().get(value) != simdjson::SUCCESS) {
        return false;
      }
      PutReal(out, value);
      return true;
    }
    case element_type::STRING: {
      std::string_view value;
      if (element.get_string().get(value) != simdjson::SUCCESS) {
        return false;
      }
      PutString(out, value);
      return true;
    }
    case element_type::ARRAY: {
      simdjson::dom::array array;
      if (element.get_array().get(array) != simdjson::SUCCESS) {
        return false;
      }
      const auto count = static_cast<uint32_t>(array.size());
      out.push_back(static_cast<char>(kTagArray));
      PutU32(out, count);
      const size_t body_len_pos = out.size();
      PutU32(out, 0);
      const size_t body = out.size();
      out.append(size_t{count} * 4, '\0');
      uint32_t index = 0;
      for (simdjson::dom::element child : array) {
        PatchU32(out, body + size_t{index} * 4, static_cast<uint32_t>(out.size() - body));
        if (!Encode(child, out)) {
          return false;
        }
        ++index;
      }
      PatchU32(out, body_len_pos, static_cast<uint32_t>(out.size() - body));
      return true;
    }
    case element_type::OBJECT: {
      simdjson::dom::object object;
      if (element.get_object().get(object) != simdjson::SUCCESS) {
        return false;
      }
      std::vector<std::pair<std::string_view, simdjson::dom::element>> fields;
      for (simdjson::dom::key_value_pair field : object) {
        fields.emplace_back(field.key, field.value);
      }
      // Duplicate keys: the last one wins, like most JSON readers.
      std::vector<uint32_t> sorted(fields.size());
      for (uint32_t i = 0; i < sorted.size(); ++i) {
        sorted[i] = i;
      }
      std::stable_sort(sorted.begin(), sorted.end(),
                       [&](uint32_t a, uint32_t b) { return fields[a].first < fields[b].first; });
      std::vector<bool> keep(fields.size(), true);
      for (size_t i = 0; i + 1 < sorted.size(); ++i) {
        if (fields[sorted[i]].first == fields[sorted[i + 1]].first) {
          keep[sorted[i]] = false;
        }
      }
      std::vector<uint32_t> kept;  // source positions of kept fields
      std::vector<uint32_t> new_index(fields.size(), 0);
      for (uint32_t i = 0; i < fields.size(); ++i) {
        if (keep[i]) {
          new_index[i] = static_cast<uint32_t>(kept.size());
          kept.push_back(i);
        }
      }
      const auto count = static_cast<uint32_t>(kept.size());
      out.push_back(static_cast<char>(kTagObject));
      PutU32(out, count);
      const size_t body_len_pos = out.size();
      PutU32(out, 0);
      const size_t body = out.size();
      out.append(size_t{count} * 8, '\0');
      for (uint32_t source : sorted) {
        if (keep[source]) {
          PutU32(out, new_index[source]);
        }
      }
      for (uint32_t i = 0; i < count; ++i) {
        const auto& [key, value] = fields[kept[i]];
        PatchU32(out, body + size_t{i} * 8, static_cast<uint32_t>(out.size() - body));
        PutU32(out, static_cast<uint32_t>(key.size()));
        out.append(key);
        PatchU32(out, body + size_t{i} * 8 + 4, static_cast<uint32_t>(out.size() - body));
        if (!Encode(value, out)) {
          return false;
        }
      }
      PatchU32(out, body_len_pos, static_cast<uint32_t>(out.size() - body));
      return true;
    }
  }
  return false;
}

// Size of the value starting at data[0], or 0 when malformed.
size_t EncodedSize(std::string_view data) {
  if (data.empty()) {
    return 0;
  }
  auto read_u32 = [&](size_t pos) -> uint64_t {
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      value |= static_cast<uint32_t>(static_cast<uint8_t>(data[pos + i])) << (8 * i);
    }
    return value;
  };
  size_t size = 0;
  switch (static_cast<uint8_t>(data[0])) {
    case kTagNull:
    case kTagFalse:
    case kTagTrue:
      size = 1;
      break;
    case kTagLong:
    case kTagReal:
      size = 9;
      break;
    case kTagString:
      if (data.size() < 5) {
        return 0;
      }
      size = 5 + read_u32(1);
      break;
    case kTagArray:
    case kTagObject:
      if (data.size() < 9) {
        return 0;
      }
      size = 9 + read_u32(5);
      break;
    default:
      return 0;
  }
  return size <= data.size() ? size : 0;
}

}  // namespace

bool EncodeDynamicFromJson(std::string_view json, std::string& out) {
  thread_local simdjson::dom::parser parser;
  const size_t start = out.size();
  simdjson::dom::element root;
  if (parser.parse(json.data(), json.size(), true).get(root) == simdjson::SUCCESS &&
      Encode(root, out)) {
    return true;
  }
  out.resize(start);
  PutString(out, json);
  return false;
}

DynamicView::DynamicView(std::string_view encoded) {
  const size_t size = EncodedSize(encoded);
  if (size == 0) {
    return;
  }
  data_ = encoded.substr(0, size);
  switch (static_cast<uint8_t>(data_[0])) {
    case kTagNull:
      kind_ = Kind::kNull;
      break;
    case kTagFalse:
    case kTagTrue:
      kind_ = Kind::kBool;
      break;
    case kTagLong:
      kind_ = Kind::kLong;
      break;
    case kTagReal:
      kind_ = Kind::kReal;
      break;
    case kTagString:
      kind_ = Kind::kString;
      break;
    case kTagArray:
    case kTagObject: {
      const uint32_t count = ReadU32(1);
      const size_t table = static_cast<uint8_t>(data_[0]) == kTagArray ? 4 : 12;
      if (size_t{count} * table > data_.size() - 9) {
        data_ = {};
        return;
      }
      kind_ = static_cast<uint8_t>(data_[0]) == kTagArray ? Kind::kArray : Kind::kObject;
      count_ = count;
      break;
    }
    default:
      break;
  }
}

uint32_t DynamicView::ReadU32(size_t pos) const {
  if (pos + 4 > data_.size()) {
    return 0;
  }
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) {
    value |= static_cast<uint32_t>(static_cast<uint8_t>(data_[pos + i])) << (8 * i);
  }
  return value;
}

DynamicView DynamicView::ChildAt(uint32_t body_offset) const {
  const size_t pos = 9 + size_t{body_offset};
  if (pos >= data_.size()) {
    return DynamicView();
  }
  return DynamicView(data_.substr(pos));
}

bool DynamicView::AsBool() const {
  return kind_ == Kind::kBool && static_cast<uint8_t>(data_[0]) == kTagTrue;
}

int64_t DynamicView::AsLong() const {
  if (kind_ == Kind::kLong) {
    uint64_t value = ReadU32(1) | (static_cast<uint64_t>(ReadU32(5)) << 32);
    return static_cast<int64_t>(value);
  }
  if (kind_ == Kind::kReal) {
    const double value = AsReal();
    if (value >= -9.2e18 && value <= 9.2e18) {
      return static_cast<int64_t>(value);
    }
  }
  return 0;
}

double DynamicView::AsReal() const {
  if (kind_ == Kind::kReal) {
    const uint64_t bits = ReadU32(1) | (static_cast<uint64_t>(ReadU32(5)) << 32);
    double value = 0;
    std::memcpy(&value, &bits, sizeof(value));
    return value;
  }
  if (kind_ == Kind::kLong) {
    return static_cast<double>(AsLong());
  }
  return 0;
}

std::string_view DynamicView::AsString() const {
  if (kind_ != Kind::kString) {
    return {};
  }
  return data_.substr(5);
}

DynamicView DynamicView::At(size_t index) const {
  if (kind_ != Kind::kArray || index >= count_) {
    return DynamicView();
  }
  return ChildAt(ReadU32(9 + index * 4));
}

std::string_view DynamicView::KeyAt(size_t index) const {
  if (kind_ != Kind::kObject || index >= count_) {
    return {};
  }
  const size_t pos = 9 + size_t{ReadU32(9 + index * 8)};
  const uint32_t length = ReadU32(pos);
  if (pos + 4 + size_t{length} > data_.size()) {
    return {};
  }
  return data_.substr(pos + 4, length);
}

DynamicView DynamicView::ValueAt(size_t index) const {
  if (kind_ != Kind::kObject || index >= count_) {
    return DynamicView();
  }
  return ChildAt(ReadU32(9 + index * 8 + 4));
}

DynamicView DynamicView::GetProperty(std::string_view name) const {
  if (kind_ != Kind::kObject) {
    return DynamicView();
  }
  const size_t sorted_base = 9 + size_t{count_} * 8;
  size_t lo = 0;
  size_t hi = count_;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    const uint32_t entry = ReadU32(sorted_base + mid * 4);
    const std::string_view key = KeyAt(entry);
    if (key == name) {
      return ValueAt(entry);
    }
    if (key < name) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return DynamicView();
}

std::string DynamicView::ToJson() const {
  std::string out;
  AppendJson(out);
  return out;
}

void DynamicView::AppendJson(std::string& out) const {
  switch (kind_) {
    case Kind::kNull:
      out.append("null");
      return;
    case Kind::kBool:
      out.append(AsBool() ? "true" : "false");
      return;
    case Kind::kLong:
      out.append(fmt::format("{}", AsLong()));
      return;
    case Kind::kReal: {
      std::string text = fmt::format("{}", AsReal());
      if (text.find_first_of(".eEn") == std::string::npos) {
        text.append(".0");
      }
      out.append(text);
      return;
    }
    case Kind::kString:
      AppendJsonQuoted(out, AsString());
      return;
    case Kind::kArray:
      out.push_back('[');
      for (size_t i = 0; i < count_; ++i) {
        if (i > 0) {
          out.push_back(',');
        }
        At(i).AppendJson(out);
      }
      out.push_back(']');
      return;
    case Kind::kObject:
      out.push_back('{');
      for (size_t i = 0; i < count_; ++i) {
        if (i > 0) {
          out.push_back(',');
        }
        AppendJsonQuoted(out, KeyAt(i));
        out.push_back(':');
        ValueAt(i).AppendJson(out);
      }
      out.push_back('}');
      return;
  }
}

}  // namespace vigil::store

#include "vigil/detect/match/row_reader.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "vigil/base/time.h"

namespace vigil::detect::match {
namespace {

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return FoldChar(x) == FoldChar(y);
         });
}

void AppendInt(std::string& out, int64_t value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  out.append(buf, end);
}

void AppendUpper(std::string& out, std::string_view text) {
  for (char c : text) {
    out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
}

FieldValue StringValue(std::string_view text) {
  FieldValue value;
  value.kind = FieldValue::Kind::kString;
  value.text = text;
  return value;
}

FieldValue NullValue() {
  FieldValue value;
  value.kind = FieldValue::Kind::kNull;
  return value;
}

}  // namespace

RowReader::RowReader() = default;

void RowReader::Reset(const schema::TableBatch& batch, size_t row,
                      const std::vector<Accessor>* accessors) {
  batch_ = &batch;
  row_ = row;
  accessors_ = accessors;
  ++generation_;
  const size_t count = accessors == nullptr ? 0 : accessors->size();
  if (value_stamp_.size() < count) {
    value_stamp_.resize(count, 0);
    folded_stamp_.resize(count, 0);
    values_.resize(count);
    buffers_.resize(count);
    folded_.resize(count);
  }
  header_done_ = false;
  af_state_ = 0;
}

FieldValue RowReader::Column(int col, bool datetime, std::string& buffer) {
  const auto& data = batch_->column(static_cast<size_t>(col));
  if (data.IsNull(row_)) {
    return NullValue();
  }
  if (schema::IsBytesBacked(data.type)) {
    return StringValue(data.GetBytes(row_));
  }
  FieldValue value;
  buffer.clear();
  if (data.type == schema::ColumnType::kReal) {
    value.kind = FieldValue::Kind::kNumber;
    value.number = data.reals[row_];
    buffer = fmt::format("{}", value.number);
  } else if (data.type == schema::ColumnType::kBool) {
    value.kind = FieldValue::Kind::kBool;
    value.number = data.ints[row_] != 0 ? 1 : 0;
    buffer = data.ints[row_] != 0 ? "true" : "false";
  } else if (datetime || data.type == schema::ColumnType::kDateTime) {
    value.kind = FieldValue::Kind::kString;
    value.is_datetime = true;
    value.ticks = data.ints[row_];
    buffer = FormatDateTime(value.ticks);
  } else {
    value.kind = FieldValue::Kind::kNumber;
    value.number = static_cast<double>(data.ints[row_]);
    AppendInt(buffer, data.ints[row_]);
  }
  value.text = buffer;
  return value;
}

bool RowReader::ParseAdditional() {
  if (af_state_ != 0) {
    return af_state_ == 1;
  }
  af_state_ = 2;
  const int col = batch_->schema().additional_fields_column();
  if (col < 0) {
    return false;
  }
  const auto& data = batch_->column(static_cast<size_t>(col));
  if (data.IsNull(row_)) {
    return false;
  }
  std::string_view text = data.GetBytes(row_);
  simdjson::dom::element root;
  if (parser_.parse(text.data(), text.size(), true).get(root) != simdjson::SUCCESS) {
    return false;
  }
  if (root.get_object().get(af_) != simdjson::SUCCESS) {
    return false;
  }
  af_state_ = 1;
  return true;
}

FieldValue RowReader::Additional(std::string_view key, std::string& buffer) {
  if (!ParseAdditional()) {
    return FieldValue{};
  }
  simdjson::dom::element element;
  bool found = false;
  for (auto field : af_) {
    if (field.key == key || IEquals(field.key, key)) {
      element = field.value;
      found = true;
      break;
    }
  }
  if (!found) {
    return FieldValue{};
  }
  FieldValue value;
  switch (element.type()) {
    case simdjson::dom::element_type::STRING: {
      std::string_view text;
      if (element.get_string().get(text) != simdjson::SUCCESS) {
        return FieldValue{};
      }
      return StringValue(text);
    }
    case simdjson::dom::element_type::NULL_VALUE:
      return NullValue();
    case simdjson::dom::element_type::BOOL: {
      bool flag = false;
      if (element.get_bool().get(flag) != simdjson::SUCCESS) {
        flag = false;
      }
      value.kind = FieldValue::Kind::kBool;
      value.number = flag ? 1 : 0;
      buffer = flag ? "true" : "false";
      value.text = buffer;
      return value;
    }
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
    case simdjson::dom::element_type::DOUBLE: {
      double number = 0;
      if (element.get_double().get(number) != simdjson::SUCCESS) {
        number = 0;
      }
      value.kind = FieldValue::Kind::kNumber;
      value.number = number;
      buffer = simdjson::minify(element);
      value.text = buffer;
      return value;
    }
    default:
      buffer = simdjson::minify(element);
      return StringValue(buffer);
  }
}

FieldValue RowReader::Read(const Accessor& accessor, std::string& buffer) {
  switch (accessor.kind) {
    case AccessorKind::kColumn: {
      FieldValue value = Column(accessor.col, accessor.datetime, buffer);
      if (value.kind == FieldValue::Kind::kNull && !accessor.key.empty()) {
        FieldValue fallback = Additional(accessor.key, buffer);
        if (fallback.kind != FieldValue::Kind::kAbsent) {
          return fallback;
        }
      }
      return value;
    }
    case AccessorKind::kAdditional: {
      FieldValue value = Additional(accessor.key, buffer);
      if (value.kind == FieldValue::Kind::kAbsent && accessor.col >= 0) {
        return Column(accessor.col, accessor.datetime, buffer);
      }
      return value;
    }
    case AccessorKind::kAccount: {
      const auto& domain = batch_->column(static_cast<size_t>(accessor.col));
      const auto& name = batch_->column(static_cast<size_t>(accessor.col2));
      if (name.IsNull(row_)) {
        return NullValue();
      }
      if (domain.IsNull(row_)) {
        return StringValue(name.GetBytes(row_));
      }
      buffer.assign(domain.GetBytes(row_));
      buffer.push_back('\\');
      buffer.append(name.GetBytes(row_));
      return StringValue(buffer);
    }
    case AccessorKind::kRegistryTarget: {
      const auto& key = batch_->column(static_cast<size_t>(accessor.col));
      const auto& name = batch_->column(static_cast<size_t>(accessor.col2));
      if (key.IsNull(row_)) {
        return NullValue();
      }
      if (name.IsNull(row_)) {
        return StringValue(key.GetBytes(row_));
      }
      buffer.assign(key.GetBytes(row_));
      buffer.push_back('\\');
      buffer.append(name.GetBytes(row_));
      return StringValue(buffer);
    }
    case AccessorKind::kHashes: {
      FieldValue kept = Additional("Hashes", buffer);
      if (kept.kind == FieldValue::Kind::kString) {
        return kept;
      }
      std::string imphash_buffer;
      FieldValue imphash = Additional("IMPHASH", imphash_buffer);
      buffer.clear();
      const auto& schema = batch_->schema();
      for (std::string_view algo : {"SHA1", "MD5", "SHA256"}) {
        int col = schema.FindColumn(algo);
        if (col < 0 || batch_->column(static_cast<size_t>(col)).IsNull(row_)) {
          continue;
        }
        if (!buffer.empty()) {
          buffer.push_back(',');
        }
        buffer.append(algo);
        buffer.push_back('=');
        AppendUpper(buffer, batch_->column(static_cast<size_t>(col)).GetBytes(row_));
      }
      if (imphash.kind == FieldValue::Kind::kString) {
        if (!buffer.empty()) {
          buffer.push_back(',');
        }
        buffer.append("IMPHASH=");
        AppendUpper(buffer, imphash.text);
      }
      if (buffer.empty()) {
        return NullValue();
      }
      return StringValue(buffer);
    }
    case AccessorKind::kInitiated: {
      const auto& data = batch_->column(static_cast<size_t>(accessor.col));
      if (data.IsNull(row_)) {
        return FieldValue{};
      }
      std::string_view action = data.GetBytes(row_);
      if (action == "ConnectionSuccess") {
        return StringValue("true");
      }
      if (action == "InboundConnectionAccepted") {
        return StringValue("false");
      }
      return FieldValue{};
    }
    case AccessorKind::kProvider: {
      std::string_view text = Provider();
      return text.empty() ? FieldValue{} : StringValue(text);
    }
    case AccessorKind::kChannel: {
      std::string_view text = Channel();
      return text.empty() ? FieldValue{} : StringValue(text);
    }
    case AccessorKind::kEventId: {
      std::optional<int64_t> id = EventId();
      if (!id) {
        return FieldValue{};
      }
      FieldValue value;
      value.kind = FieldValue::Kind::kNumber;
      value.number = static_cast<double>(*id);
      buffer.clear();
      AppendInt(buffer, *id);
      value.text = buffer;
      return value;
    }
  }
  return FieldValue{};
}

const FieldValue& RowReader::Get(uint32_t id) {
  if (value_stamp_[id] != generation_) {
    value_stamp_[id] = generation_;
    values_[id] = Read((*accessors_)[id], buffers_[id]);
  }
  return values_[id];
}

std::string_view RowReader::Folded(uint32_t id) {
  const FieldValue& value = Get(id);
  if (folded_stamp_[id] != generation_) {
    folded_stamp_[id] = generation_;
    FoldInto(value.text, folded_[id]);
  }
  return folded_[id];
}

// Reads the leading Provider/Channel/EventID members the normalizer writes first, without a
// full JSON parse; anything unexpected (escapes, other layouts) falls back to the parser.
void RowReader::ScanHeader() {
  header_done_ = true;
  header_fast_ = true;
  channel_ = provider_ = {};
  event_id_.reset();
  const int col = batch_->schema().additional_fields_column();
  if (col < 0 || batch_->column(static_cast<size_t>(col)).IsNull(row_)) {
    return;
  }
  std::string_view text = batch_->column(static_cast<size_t>(col)).GetBytes(row_);
  size_t pos = 0;
  bool fast = !text.empty() && text[0] == '{';
  ++pos;
  int seen = 0;
  while (fast && seen < 3 && pos < text.size() && text[pos] == '"') {
    size_t key_end = text.find('"', pos + 1);
    if (key_end == std::string_view::npos || key_end + 1 >= text.size() ||
        text[key_end + 1] != ':') {
      fast = false;
      break;
    }
    std::string_view key = text.substr(pos + 1, key_end - pos - 1);
    pos = key_end + 2;
    if (key == "EventID") {
      int64_t id = 0;
      auto [end, ec] = std::from_chars(text.data() + pos, text.data() + text.size(), id);
      if (ec != std::errc()) {
        fast = false;
        break;
      }
      event_id_ = id;
      pos = static_cast<size_t>(end - text.data());
    } else if (key == "Provider" || key == "Channel") {
      if (pos >= text.size() || text[pos] != '"') {
        fast = false;
        break;
      }
      size_t end = text.find('"', pos + 1);
      if (end == std::string_view::npos) {
        fast = false;
        break;
      }
      std::string_view value = text.substr(pos + 1, end - pos - 1);
      if (value.find('\\') != std::string_view::npos) {
        fast = false;
        break;
      }
      (key == "Provider" ? provider_ : channel_) = value;
      pos = end + 1;
    } else {
      break;
    }
    ++seen;
    if (pos < text.size() && text[pos] == ',') {
      ++pos;
    }
  }
  if (fast) {
    header_fast_ = true;
    return;
  }
  header_fast_ = false;
  channel_ = provider_ = {};
  event_id_.reset();
  std::string scratch;
  FieldValue channel = Additional("Channel", header_buffer_);
  if (channel.kind == FieldValue::Kind::kString) {
    channel_ = channel.text;
  }
  FieldValue provider = Additional("Provider", scratch);
  if (provider.kind == FieldValue::Kind::kString) {
    provider_ = provider.text;
  }
  FieldValue id = Additional("EventID", scratch);
  if (id.kind == FieldValue::Kind::kNumber) {
    event_id_ = static_cast<int64_t>(id.number);
  } else if (id.kind == FieldValue::Kind::kString) {
    int64_t parsed = 0;
    auto [end, ec] = std::from_chars(id.text.data(), id.text.data() + id.text.size(), parsed);
    if (ec == std::errc() && end == id.text.data() + id.text.size()) {
      event_id_ = parsed;
    }
  }
}

RowReader::Header RowReader::GetHeader() {
  if (!header_done_) {
    ScanHeader();
  }
  return Header{channel_, provider_, event_id_, header_fast_};
}

void RowReader::SetHeader(const Header& header) {
  if (!header.stable) {
    return;
  }
  channel_ = header.channel;
  provider_ = header.provider;
  event_id_ = header.event_id;
  header_fast_ = true;
  header_done_ = true;
}

std::string_view RowReader::Channel() {
  if (!header_done_) {
    ScanHeader();
  }
  return channel_;
}

std::string_view RowReader::Provider() {
  if (!header_done_) {
    ScanHeader();
  }
  return provider_;
}

std::optional<int64_t> RowReader::EventId() {
  if (!header_done_) {
    ScanHeader();
  }
  return event_id_;
}

}  // namespace vigil::detect::match

#include "vigil/ingest/evtx/event_builder.h"

#include <charconv>
#include <cstring>

#include "vigil/base/time.h"
#include "vigil/ingest/evtx/evtx_format.h"

namespace vigil::ingest::evtx {
namespace {

bool ParseIntText(std::string_view text, int64_t& out) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    uint64_t value = 0;
    auto [ptr, ec] = std::from_chars(text.data() + 2, text.data() + text.size(), value, 16);
    if (ec != std::errc() || ptr != text.data() + text.size()) {
      return false;
    }
    out = static_cast<int64_t>(value);
    return true;
  }
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec == std::errc() && ptr == text.data() + text.size()) {
    return true;
  }
  uint64_t value = 0;  // values above INT64_MAX (e.g. record ids) keep their bits
  auto [uptr, uec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (uec != std::errc() || uptr != text.data() + text.size()) {
    return false;
  }
  out = static_cast<int64_t>(value);
  return true;
}

// ISO time text; tolerates more than 7 fractional digits (older renderings use 9).
bool ParseTimeText(std::string_view text, int64_t& ticks) {
  if (auto parsed = ParseDateTime(text)) {
    ticks = *parsed;
    return true;
  }
  const size_t dot = text.find('.');
  if (dot == std::string_view::npos) {
    return false;
  }
  size_t digits_end = dot + 1;
  while (digits_end < text.size() && text[digits_end] >= '0' && text[digits_end] <= '9') {
    ++digits_end;
  }
  if (digits_end - dot - 1 <= 7) {
    return false;
  }
  std::string trimmed(text.substr(0, dot + 8));
  trimmed.append(text.substr(digits_end));
  if (auto parsed = ParseDateTime(trimmed)) {
    ticks = *parsed;
    return true;
  }
  return false;
}

}  // namespace

void EventBuilder::Begin() {
  for (EventField& field : event_.data) {
    spare_fields_.push_back(std::move(field));
  }
  for (EventField& field : event_.extra) {
    spare_fields_.push_back(std::move(field));
  }
  event_.data.clear();
  event_.extra.clear();
  fields_ = &event_.data;
  field_prefix_ = {};
  event_.provider.clear();
  event_.provider_guid.clear();
  event_.channel.clear();
  event_.computer.clear();
  event_.event_id = event_.version = event_.level = event_.task = event_.opcode = -1;
  event_.keywords.clear();
  event_.time_created = 0;
  event_.has_time_created = false;
  event_.record_id = 0;
  event_.process_id = event_.thread_id = -1;
  event_.user_sid.clear();
  event_.activity_id.clear();
  event_.source_offset = 0;
  depth_ = 0;
  section_ = Section::kNone;
  system_element_ = {};
  in_attributes_ = false;
  target_ = {};
  target_done_ = false;
  target_text_.clear();
  unnamed_data_ = 0;
  has_record_id_ = false;
  record_id_ = 0;
  std::memset(field_depth_, 0, sizeof(field_depth_));
}

void EventBuilder::Finish(uint64_t header_record_id) {
  FinishTarget();
  event_.record_id = has_record_id_ ? static_cast<uint64_t>(record_id_) : header_record_id;
}

EventField& EventBuilder::NewField(std::string_view name, int depth) {
  if (!spare_fields_.empty()) {
    fields_->push_back(std::move(spare_fields_.back()));
    spare_fields_.pop_back();
  } else {
    fields_->emplace_back();
  }
  EventField& field = fields_->back();
  field.name.assign(field_prefix_);
  field.name.append(name);
  field.value.clear();
  if (depth < kMaxTrackedDepth) {
    field_depth_[depth] = static_cast<int>(fields_->size());
  }
  return field;
}

void EventBuilder::PopLastField() {
  spare_fields_.push_back(std::move(fields_->back()));
  fields_->pop_back();
}

void EventBuilder::BeginTarget(Target target) {
  target_ = target;
  target_done_ = false;
  target_text_.clear();
}

void EventBuilder::FinishTarget() {
  if (!target_done_ && !target_text_.empty()) {
    int64_t value = 0;
    switch (target_.kind) {
      case TargetKind::kInt:
        if (ParseIntText(target_text_, value)) {
          *target_.num = value;
        }
        break;
      case TargetKind::kRecordId:
        if (ParseIntText(target_text_, value)) {
          record_id_ = value;
          has_record_id_ = true;
        }
        break;
      case TargetKind::kTime:
        if (ParseTimeText(target_text_, value)) {
          event_.time_created = value;
          event_.has_time_created = true;
        }
        break;
      default:
        break;
    }
  }
  target_ = {};
  target_done_ = false;
  target_text_.clear();
}

EventBuilder::Target EventBuilder::SystemElementTarget(std::string_view name) {
  if (name == "EventID") {
    return {TargetKind::kInt, nullptr, &event_.event_id};
  }
  if (name == "Version") {
    return {TargetKind::kInt, nullptr, &event_.version};
  }
  if (name == "Level") {
    return {TargetKind::kInt, nullptr, &event_.level};
  }
  if (name == "Task") {
    return {TargetKind::kInt, nullptr, &event_.task};
  }
  if (name == "Opcode") {
    return {TargetKind::kInt, nullptr, &event_.opcode};
  }
  if (name == "Keywords") {
    return {TargetKind::kString, &event_.keywords, nullptr};
  }
  if (name == "EventRecordID") {
    return {TargetKind::kRecordId, nullptr, &record_id_};
  }
  if (name == "Channel") {
    return {TargetKind::kString, &event_.channel, nullptr};
  }
  if (name == "Computer") {
    return {TargetKind::kString, &event_.computer, nullptr};
  }
  return {};
}

EventBuilder::Target EventBuilder::SystemAttributeTarget(std::string_view name) {
  const std::string_view element = system_element_;
  if (element == "Provider") {
    if (name == "Name") {
      return {TargetKind::kString, &event_.provider, nullptr};
    }
    if (name == "Guid") {
      return {TargetKind::kString, &event_.provider_guid, nullptr};
    }
  } else if (element == "TimeCreated") {
    if (name == "SystemTime") {
      return {TargetKind::kTime, nullptr, nullptr};
    }
  } else if (element == "Execution") {
    if (name == "ProcessID") {
      return {TargetKind::kInt, nullptr, &event_.process_id};
    }
    if (name == "ThreadID") {
      return {TargetKind::kInt, nullptr, &event_.thread_id};
    }
  } else if (element == "Security") {
    if (name == "UserID") {
      return {TargetKind::kString, &event_.user_sid, nullptr};
    }
  } else if (element == "Correlation") {
    if (name == "ActivityID") {
      return {TargetKind::kString, &event_.activity_id, nullptr};
    }
  }
  return {};
}

void EventBuilder::StartElement(std::string_view name) {
  FinishTarget();
  ++depth_;
  in_attributes_ = true;
  if (depth_ == 2) {
    section_ = name == "System"      ? Section::kSystem
               : name == "EventData" ? Section::kEventData
                                     : Section::kOther;
    // RenderingInfo (message text and names added by event forwarding) is not event data.
    const bool rendering = name == "RenderingInfo";
    fields_ = rendering ? &event_.extra : &event_.data;
    field_prefix_ = rendering ? std::string_view("RenderingInfo.") : std::string_view();
    return;
  }
  if (depth_ < 3) {
    return;
  }
  switch (section_) {
    case Section::kSystem:
      if (depth_ == 3) {
        system_element_ = name;
      }
      break;
    case Section::kEventData:
      if (depth_ == 3) {
        NewField(name == "Data" ? std::string_view() : name, depth_);
      }
      break;
    case Section::kOther:
      // Every element becomes a field; a field that turns out to have children was a wrapper
      // (e.g. UserData's <EventXML>) and is dropped when its first child starts.
      if (depth_ > 3 && depth_ - 1 < kMaxTrackedDepth) {
        const int parent = field_depth_[depth_ - 1];
        if (parent != 0 && parent == static_cast<int>(fields_->size()) &&
            fields_->back().value.empty()) {
          PopLastField();
        }
        field_depth_[depth_ - 1] = 0;
      }
      NewField(name, depth_);
      break;
    case Section::kNone:
      break;
  }
}

void EventBuilder::Attribute(std::string_view name) {
  FinishTarget();
  if (depth_ != 3) {
    return;
  }
  if (section_ == Section::kSystem) {
    BeginTarget(SystemAttributeTarget(name));
  } else if (section_ == Section::kEventData && name == "Name" && field_depth_[3] != 0) {
    EventField& field = event_.data[static_cast<size_t>(field_depth_[3] - 1)];
    BeginTarget({TargetKind::kString, &field.name, nullptr});
  }
}

void EventBuilder::CloseStart() {
  FinishTarget();
  in_attributes_ = false;
  if (depth_ < 3) {
    return;
  }
  switch (section_) {
    case Section::kSystem:
      if (depth_ == 3) {
        BeginTarget(SystemElementTarget(system_element_));
      }
      break;
    case Section::kEventData:
      if (field_depth_[3] != 0) {
        EventField& field = event_.data[static_cast<size_t>(field_depth_[3] - 1)];
        if (depth_ == 3 && field.name.empty()) {
          field.name.assign("Data");
          if (unnamed_data_ > 0) {
            char buf[16];
            auto [ptr, ec] = std::to_chars(buf, buf + sizeof(buf), unnamed_data_);
            (void)ec;
            field.name.push_back('_');
            field.name.append(buf, static_cast<size_t>(ptr - buf));
          }
          ++unnamed_data_;
        }
        BeginTarget({TargetKind::kString, &field.value, nullptr});
      }
      break;
    case Section::kOther:
      if (depth_ < kMaxTrackedDepth && field_depth_[depth_] != 0) {
        EventField& field = (*fields_)[static_cast<size_t>(field_depth_[depth_] - 1)];
        BeginTarget({TargetKind::kString, &field.value, nullptr});
      }
      break;
    case Section::kNone:
      break;
  }
}

void EventBuilder::Value(const ValueRef& value) {
  switch (target_.kind) {
    case TargetKind::kNone:
      return;
    case TargetKind::kString:
      AppendValue(*target_.str, value);
      return;
    case TargetKind::kInt:
    case TargetKind::kRecordId: {
      if (target_done_) {
        return;
      }
      int64_t number = 0;
      if (target_text_.empty() && ValueAsInt(value, number)) {
        *target_.num = number;
        target_done_ = true;
        if (target_.kind == TargetKind::kRecordId) {
          has_record_id_ = true;
        }
        return;
      }
      AppendValue(target_text_, value);
      return;
    }
    case TargetKind::kTime:
      if (target_done_) {
        return;
      }
      if (target_text_.empty() && value.type == static_cast<uint8_t>(ValueType::kFileTime) &&
          value.size == 8) {
        event_.time_created = FileTimeToTicks(LoadU64(value.data));
        event_.has_time_created = true;
        target_done_ = true;
        return;
      }
      AppendValue(target_text_, value);
      return;
  }
}

void EventBuilder::EndElement() {
  FinishTarget();
  in_attributes_ = false;
  if (depth_ >= 0 && depth_ < kMaxTrackedDepth && section_ == Section::kOther) {
    field_depth_[depth_] = 0;
  }
  if (section_ == Section::kEventData && depth_ == 3) {
    field_depth_[3] = 0;
  }
  --depth_;
  if (depth_ <= 1) {
    section_ = depth_ == 1 ? Section::kNone : section_;
    return;
  }
  // Text after a child element still belongs to the enclosing field.
  if (section_ == Section::kEventData && depth_ >= 3 && field_depth_[3] != 0) {
    BeginTarget({TargetKind::kString, &event_.data[static_cast<size_t>(field_depth_[3] - 1)].value,
                 nullptr});
  }
}

}  // namespace vigil::ingest::evtx

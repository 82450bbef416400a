// Binary XML handler that fills a WinEvent from one record's walk: System fields into their
// slots, EventData <Data> elements and UserData leaf elements into `data` in document order,
// RenderingInfo leaves (forwarded events) into `extra` as "RenderingInfo.<Element>".
// Used by the EVTX reader; reuses the event's strings and fields across records (no per-event
// allocation in steady state). Not thread-safe; one builder per reader.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/ingest/evtx/binxml.h"
#include "vigil/ingest/win_event.h"

namespace vigil::ingest::evtx {

class EventBuilder final : public BinXmlHandler {
 public:
  explicit EventBuilder(WinEvent& event) : event_(event) {}

  // Resets the event for a new record (keeps `source` and the buffers' capacity).
  void Begin();
  // Completes the event after the walk: fills record_id from the record header when the XML
  // has no EventRecordID.
  void Finish(uint64_t header_record_id);

  void StartElement(std::string_view name) override;
  void Attribute(std::string_view name) override;
  void CloseStart() override;
  void Value(const ValueRef& value) override;
  void EndElement() override;

 private:
  enum class Section : uint8_t { kNone, kSystem, kEventData, kOther };  // kOther: leaf fields
  enum class TargetKind : uint8_t { kNone, kString, kInt, kTime, kRecordId };

  struct Target {
    TargetKind kind = TargetKind::kNone;
    std::string* str = nullptr;
    int64_t* num = nullptr;
  };

  static constexpr int kMaxTrackedDepth = 64;

  void BeginTarget(Target target);
  void FinishTarget();
  EventField& NewField(std::string_view name, int depth);
  void PopLastField();
  Target SystemElementTarget(std::string_view name);
  Target SystemAttributeTarget(std::string_view name);

  WinEvent& event_;
  std::vector<EventField> spare_fields_;
  std::vector<EventField>* fields_ = nullptr;  // event_.data, or event_.extra in RenderingInfo
  std::string_view field_prefix_;
  int depth_ = 0;
  Section section_ = Section::kNone;
  std::string_view system_element_;  // current child of <System>
  bool in_attributes_ = false;
  Target target_;
  bool target_done_ = false;  // an int/time target was set from a typed value
  std::string target_text_;   // text of an int/time target, parsed when it ends
  int unnamed_data_ = 0;
  bool has_record_id_ = false;
  int64_t record_id_ = 0;
  int field_depth_[kMaxTrackedDepth] = {};  // 1 + index in *fields_ of the field opened there
};

}  // namespace vigil::ingest::evtx

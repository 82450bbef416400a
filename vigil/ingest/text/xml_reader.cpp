#include "vigil/ingest/text/xml_reader.h"

#include <charconv>
#include <cstring>

#include <fmt/format.h>
#include <pugixml.hpp>

#include "vigil/base/time.h"
#include "vigil/ingest/text/internal/json_text.h"

namespace vigil::ingest {
namespace {

constexpr std::string_view kEventOpen = "<Event";
constexpr std::string_view kEventClose = "</Event>";

// Offset of the next "<Event" tag (not <Events>, <EventData>, ...) at or after `from`.
size_t FindEventStart(std::string_view data, size_t from) {
  while (true) {
    const size_t pos = data.find(kEventOpen, from);
    if (pos == std::string_view::npos) {
      return pos;
    }
    const size_t after = pos + kEventOpen.size();
    if (after >= data.size()) {
      return pos;
    }
    const char c = data[after];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '>' || c == '/') {
      return pos;
    }
    from = after;
  }
}

// Element name without a namespace prefix.
std::string_view LocalName(const pugi::xml_node& node) {
  std::string_view name = node.name();
  const size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

bool IsXmlnsAttribute(std::string_view name) {
  return name == "xmlns" || name.substr(0, 6) == "xmlns:";
}

// Concatenated character data directly inside `node`.
std::string NodeText(const pugi::xml_node& node) {
  std::string text;
  for (pugi::xml_node child = node.first_child(); child; child = child.next_sibling()) {
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
      text.append(child.value());
    }
  }
  return text;
}

struct StringWriter : pugi::xml_writer {
  std::string* out;
  explicit StringWriter(std::string* target) : out(target) {}
  void write(const void* data, size_t size) override {
    out->append(static_cast<const char*>(data), size);
  }
};

// Text of a <Data> element; markup inside it (tools that forget to escape XML-valued data)
// is kept as raw XML text rather than dropped.
std::string DataText(const pugi::xml_node& node) {
  std::string text;
  StringWriter writer(&text);
  for (pugi::xml_node child = node.first_child(); child; child = child.next_sibling()) {
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
      text.append(child.value());
    } else if (child.type() == pugi::node_element) {
      child.print(writer, "", pugi::format_raw);
    }
  }
  return text;
}

bool HasElementChildren(const pugi::xml_node& node) {
  for (pugi::xml_node child = node.first_child(); child; child = child.next_sibling()) {
    if (child.type() == pugi::node_element) {
      return true;
    }
  }
  return false;
}

bool ParseInt(std::string_view text, int64_t& out) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\n' || text.front() == '\r' ||
                           text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '\r' ||
                           text.back() == '\t')) {
    text.remove_suffix(1);
  }
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    uint64_t value = 0;
    const auto [ptr, ec] = std::from_chars(text.data() + 2, text.data() + text.size(), value, 16);
    out = static_cast<int64_t>(value);
    return ec == std::errc() && ptr == text.data() + text.size();
  }
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return !text.empty() && ec == std::errc() && ptr == text.data() + text.size();
}

std::string JoinPath(std::string_view prefix, std::string_view name) {
  if (prefix.empty()) {
    return std::string(name);
  }
  return fmt::format("{}.{}", prefix, name);
}

// Leaves below `node` as fields named by dotted path under `prefix`; non-xmlns attributes of
// the visited elements become fields "<path>.<attr>".
// Deeper nesting is kept as raw XML text, which also bounds the recursion on hostile input.
constexpr int kMaxFlattenDepth = 16;

void Flatten(const pugi::xml_node& node, const std::string& prefix,
             std::vector<EventField>& fields, int depth = 0) {
  for (pugi::xml_node child = node.first_child(); child; child = child.next_sibling()) {
    if (child.type() != pugi::node_element) {
      continue;
    }
    const std::string path = JoinPath(prefix, LocalName(child));
    for (pugi::xml_attribute attr = child.first_attribute(); attr; attr = attr.next_attribute()) {
      if (!IsXmlnsAttribute(attr.name())) {
        fields.push_back(EventField{JoinPath(path, attr.name()), attr.value()});
      }
    }
    if (HasElementChildren(child) && depth >= kMaxFlattenDepth) {
      fields.push_back(EventField{path, DataText(child)});
    } else if (HasElementChildren(child)) {
      Flatten(child, path, fields, depth + 1);
    } else {
      fields.push_back(EventField{path, NodeText(child)});
    }
  }
}

void MapSystem(const pugi::xml_node& system, WinEvent& event) {
  for (pugi::xml_node node = system.first_child(); node; node = node.next_sibling()) {
    if (node.type() != pugi::node_element) {
      continue;
    }
    const std::string_view name = LocalName(node);
    int64_t number = 0;
    if (name == "Provider") {
      event.provider = node.attribute("Name").value();
      event.provider_guid = node.attribute("Guid").value();
      if (pugi::xml_attribute source_name = node.attribute("EventSourceName")) {
        event.extra.push_back(EventField{"EventSourceName", source_name.value()});
      }
    } else if (name == "EventID") {
      if (ParseInt(NodeText(node), number)) {
        event.event_id = number;
      }
      if (pugi::xml_attribute qualifiers = node.attribute("Qualifiers")) {
        event.extra.push_back(EventField{"Qualifiers", qualifiers.value()});
      }
    } else if (name == "Version" && ParseInt(NodeText(node), number)) {
      event.version = number;
    } else if (name == "Level" && ParseInt(NodeText(node), number)) {
      event.level = number;
    } else if (name == "Task" && ParseInt(NodeText(node), number)) {
      event.task = number;
    } else if (name == "Opcode" && ParseInt(NodeText(node), number)) {
      event.opcode = number;
    } else if (name == "Keywords") {
      event.keywords = NodeText(node);
    } else if (name == "TimeCreated") {
      if (const auto ticks = ParseDateTime(node.attribute("SystemTime").value())) {
        event.time_created = *ticks;
        event.has_time_created = true;
      }
    } else if (name == "EventRecordID" && ParseInt(NodeText(node), number)) {
      event.record_id = static_cast<uint64_t>(number);
    } else if (name == "Correlation") {
      event.activity_id = node.attribute("ActivityID").value();
      if (pugi::xml_attribute related = node.attribute("RelatedActivityID")) {
        event.extra.push_back(EventField{"RelatedActivityID", related.value()});
      }
    } else if (name == "Execution") {
      for (pugi::xml_attribute attr = node.first_attribute(); attr;
           attr = attr.next_attribute()) {
        const std::string_view attr_name = attr.name();
        if (attr_name == "ProcessID" && ParseInt(attr.value(), number)) {
          event.process_id = number;
        } else if (attr_name == "ThreadID" && ParseInt(attr.value(), number)) {
          event.thread_id = number;
        } else {
          event.extra.push_back(EventField{JoinPath("Execution", attr_name), attr.value()});
        }
      }
    } else if (name == "Channel") {
      event.channel = NodeText(node);
    } else if (name == "Computer") {
      event.computer = NodeText(node);
    } else if (name == "Security") {
      event.user_sid = node.attribute("UserID").value();
    } else {
      // Unknown System members (or ones whose text did not parse) are kept.
      const std::string path = JoinPath("System", name);
      if (HasElementChildren(node)) {
        Flatten(node, path, event.extra);
      } else {
        event.extra.push_back(EventField{path, NodeText(node)});
      }
    }
  }
}

void MapEventData(const pugi::xml_node& event_data, WinEvent& event) {
  int unnamed = 0;
  for (pugi::xml_node node = event_data.first_child(); node; node = node.next_sibling()) {
    if (node.type() != pugi::node_element) {
      continue;
    }
    const std::string_view name = LocalName(node);
    if (name == "Data") {
      if (pugi::xml_attribute data_name = node.attribute("Name")) {
        event.data.push_back(EventField{data_name.value(), DataText(node)});
      } else {
        const int index = unnamed++;
        event.data.push_back(EventField{
            index == 0 ? std::string("Data") : fmt::format("Data_{}", index), DataText(node)});
      }
    } else if (HasElementChildren(node)) {
      Flatten(node, std::string(name), event.data);
    } else {
      event.data.push_back(EventField{std::string(name), NodeText(node)});
    }
  }
}

void MapUserData(const pugi::xml_node& user_data, WinEvent& event) {
  for (pugi::xml_node payload = user_data.first_child(); payload;
       payload = payload.next_sibling()) {
    if (payload.type() != pugi::node_element) {
      continue;
    }
    for (pugi::xml_attribute attr = payload.first_attribute(); attr;
         attr = attr.next_attribute()) {
      if (!IsXmlnsAttribute(attr.name())) {
        event.data.push_back(EventField{attr.name(), attr.value()});
      }
    }
    if (HasElementChildren(payload)) {
      Flatten(payload, "", event.data);
    } else {
      event.data.push_back(EventField{std::string(LocalName(payload)), NodeText(payload)});
    }
  }
}

void MapRenderingInfo(const pugi::xml_node& info, WinEvent& event) {
  for (pugi::xml_attribute attr = info.first_attribute(); attr; attr = attr.next_attribute()) {
    event.extra.push_back(EventField{JoinPath("RenderingInfo", attr.name()), attr.value()});
  }
  for (pugi::xml_node node = info.first_child(); node; node = node.next_sibling()) {
    if (node.type() != pugi::node_element) {
      continue;
    }
    const std::string_view name = LocalName(node);
    if (name == "Message") {
      event.extra.push_back(EventField{"Message", NodeText(node)});
    } else if (HasElementChildren(node)) {
      Flatten(node, JoinPath("RenderingInfo", name), event.extra);
    } else {
      event.extra.push_back(EventField{JoinPath("RenderingInfo", name), NodeText(node)});
    }
  }
}

// False if the element has no System part.
bool MapEvent(const pugi::xml_node& root, WinEvent& event) {
  bool has_system = false;
  for (pugi::xml_node node = root.first_child(); node; node = node.next_sibling()) {
    if (node.type() != pugi::node_element) {
      continue;
    }
    const std::string_view name = LocalName(node);
    if (name == "System") {
      has_system = true;
      MapSystem(node, event);
    } else if (name == "EventData") {
      MapEventData(node, event);
    } else if (name == "UserData") {
      MapUserData(node, event);
    } else if (name == "RenderingInfo") {
      MapRenderingInfo(node, event);
    } else if (HasElementChildren(node)) {
      Flatten(node, std::string(name), event.extra);
    } else {
      event.extra.push_back(EventField{std::string(name), NodeText(node)});
    }
  }
  return has_system;
}

}  // namespace

Status ReadWindowsXml(std::string_view input, const std::string& source,
                      const WinEventSink& sink, IngestReport& report) {
  std::string transcoded;
  const std::string_view data = internal::TranscodeUtf16WithBom(input, transcoded)
                                    ? std::string_view(transcoded)
                                    : internal::StripUtf8Bom(input);
  internal::LineCounter lines(data);
  pugi::xml_document doc;
  WinEvent event;
  event.source = source;
  size_t events_seen = 0;
  size_t close_cache = 0;
  bool close_known = false;
  size_t pos = FindEventStart(data, 0);
  while (pos != std::string_view::npos) {
    ++events_seen;
    const size_t start = pos;
    const uint64_t line = lines.LineAt(start);
    const size_t next = FindEventStart(data, start + kEventOpen.size());
    // Searches move forward only, so one cached result keeps the scan linear even when
    // closing tags are missing.
    if (!close_known || (close_cache != std::string_view::npos && close_cache < start)) {
      close_cache = data.find(kEventClose, start);
      close_known = true;
    }
    const size_t close = close_cache;
    size_t end = std::string_view::npos;
    if (close != std::string_view::npos && (next == std::string_view::npos || close < next)) {
      end = close + kEventClose.size();
    } else {
      // Maybe a self-closing <Event .../> ; otherwise the element is cut short.
      const size_t tag_end = data.find('>', start);
      if (tag_end != std::string_view::npos && tag_end > start && data[tag_end - 1] == '/' &&
          (next == std::string_view::npos || tag_end < next)) {
        end = tag_end + 1;
      }
    }
    if (end == std::string_view::npos) {
      report.Skip(source, internal::LineOffsetPosition(line, start), "malformed event XML",
                  "<Event> element without its closing tag");
      pos = next;
      continue;
    }
    pos = next != std::string_view::npos && next < end ? FindEventStart(data, end) : next;
    const pugi::xml_parse_result parsed =
        doc.load_buffer(data.data() + start, end - start, pugi::parse_default,
                        pugi::encoding_utf8);
    if (!parsed) {
      const size_t error_offset = start + static_cast<size_t>(std::max<ptrdiff_t>(
                                              0, parsed.offset));
      report.Skip(source, internal::LineOffsetPosition(line, start), "malformed event XML",
                  fmt::format("{} at offset 0x{:x}", parsed.description(), error_offset));
      continue;
    }
    event.Clear();
    event.source_offset = line;
    const pugi::xml_node root = doc.document_element();
    if (!root || LocalName(root) != "Event" || !MapEvent(root, event)) {
      report.Skip(source, internal::LineOffsetPosition(line, start), "malformed event XML",
                  "<Event> without a <System> element");
      continue;
    }
    report.CountRecord();
    sink(event);
  }
  if (events_seen == 0) {
    report.Warn(source, "no <Event> elements in XML input");
  }
  return Status::Ok();
}

}  // namespace vigil::ingest

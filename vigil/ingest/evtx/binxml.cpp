#include "vigil/ingest/evtx/binxml.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "vigil/ingest/evtx/evtx_format.h"

namespace vigil::ingest::evtx {
namespace {

// Token codes (the 0x40 bit is a "has attributes / more data" flag).
constexpr uint8_t kTokEof = 0x00;
constexpr uint8_t kTokOpenStart = 0x01;
constexpr uint8_t kTokCloseStart = 0x02;
constexpr uint8_t kTokCloseEmpty = 0x03;
constexpr uint8_t kTokEndElement = 0x04;
constexpr uint8_t kTokValue = 0x05;
constexpr uint8_t kTokAttribute = 0x06;
constexpr uint8_t kTokCData = 0x07;
constexpr uint8_t kTokCharRef = 0x08;
constexpr uint8_t kTokEntityRef = 0x09;
constexpr uint8_t kTokPiTarget = 0x0a;
constexpr uint8_t kTokPiData = 0x0b;
constexpr uint8_t kTokTemplateInstance = 0x0c;
constexpr uint8_t kTokNormalSubstitution = 0x0d;
constexpr uint8_t kTokOptionalSubstitution = 0x0e;
constexpr uint8_t kTokFragmentHeader = 0x0f;
constexpr uint8_t kTokFlagMore = 0x40;

constexpr size_t kTemplateDefHeaderSize = 24;  // next offset, GUID, data size
constexpr size_t kNameHeaderSize = 8;          // next offset, hash, character count

// The predefined XML entities; other entity references are kept as written.
std::string_view ResolveEntity(std::string_view name) {
  static constexpr std::pair<std::string_view, std::string_view> kEntities[] = {
      {"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}};
  for (const auto& [entity, text] : kEntities) {
    if (entity == name) {
      return text;
    }
  }
  return {};
}

}  // namespace

ChunkParser::ChunkParser()
    : scratch_fragments_(kMaxDepth + 2),
      scratch_values_(kMaxDepth + 2),
      scratch_items_(kMaxDepth + 2),
      element_stacks_(kMaxDepth + 2) {}

void ChunkParser::Reset(std::span<const uint8_t> chunk) {
  chunk_ = chunk;
  names_.clear();
  templates_.clear();
}

bool ChunkParser::Fail(std::string message) {
  if (error_.empty()) {
    error_ = std::move(message);
  }
  return false;
}

const std::string* ChunkParser::Name(uint32_t offset) {
  auto it = names_.find(offset);
  if (it != names_.end()) {
    return &it->second;
  }
  if (offset > chunk_.size() || chunk_.size() - offset < kNameHeaderSize) {
    Fail(fmt::format("name offset 0x{:x} outside the chunk", offset));
    return nullptr;
  }
  const size_t chars = LoadU16(chunk_.data() + offset + 6);
  if (chunk_.size() - offset - kNameHeaderSize < chars * 2) {
    Fail(fmt::format("name at 0x{:x} runs past the chunk", offset));
    return nullptr;
  }
  std::string& name = names_[offset];
  AppendUtf16AsUtf8(name, chunk_.data() + offset + kNameHeaderSize, chars);
  return &name;
}

bool ChunkParser::ReadNameRef(size_t& pos, size_t end, std::string_view& name) {
  if (end - pos < 4) {
    return Fail("truncated name reference");
  }
  const uint32_t offset = LoadU32(chunk_.data() + pos);
  pos += 4;
  const std::string* resolved = Name(offset);
  if (resolved == nullptr) {
    return false;
  }
  name = *resolved;
  if (offset == pos) {
    // Defined inline: skip the definition (header, characters, NUL terminator).
    const size_t chars = LoadU16(chunk_.data() + pos + 6);
    const size_t skip = kNameHeaderSize + chars * 2 + 2;
    if (end - pos < skip) {
      return Fail("inline name runs past the fragment");
    }
    pos += skip;
  }
  return true;
}

const Fragment* ChunkParser::Template(uint32_t def_offset, int depth) {
  auto [it, inserted] = templates_.try_emplace(def_offset);
  Fragment& fragment = it->second;
  if (!inserted) {
    if (fragment.compiling) {
      Fail(fmt::format("template at 0x{:x} instantiates itself", def_offset));
      return nullptr;
    }
    if (!fragment.valid) {
      Fail(fragment.error);
      return nullptr;
    }
    return &fragment;
  }
  if (def_offset > chunk_.size() || chunk_.size() - def_offset < kTemplateDefHeaderSize) {
    fragment.error = fmt::format("template definition offset 0x{:x} outside the chunk", def_offset);
    Fail(fragment.error);
    return nullptr;
  }
  const size_t data_size = LoadU32(chunk_.data() + def_offset + 20);
  const size_t begin = def_offset + kTemplateDefHeaderSize;
  const size_t end = std::min(chunk_.size(), begin + data_size);
  fragment.compiling = true;
  const std::string saved_error = std::move(error_);
  error_.clear();
  const bool ok = Compile(begin, end, fragment, depth + 1, /*in_template=*/true);
  fragment.compiling = false;
  fragment.valid = ok;
  if (!ok) {
    fragment.error = fmt::format("template at 0x{:x}: {}", def_offset, error_);
    error_ = saved_error;
    Fail(fragment.error);
    return nullptr;
  }
  error_ = saved_error;
  return &fragment;
}

bool ChunkParser::Compile(size_t offset, size_t end, Fragment& out, int depth, bool in_template) {
  if (depth > kMaxDepth) {
    return Fail("binary XML nested too deeply");
  }
  out.nodes.clear();
  out.text.clear();
  std::vector<uint32_t>& stack = element_stacks_[depth];
  stack.clear();
  const uint8_t* data = chunk_.data();
  end = std::min(end, chunk_.size());
  size_t pos = offset;
  while (pos < end) {
    const uint8_t token = data[pos];
    const uint8_t base = token & static_cast<uint8_t>(~kTokFlagMore);
    const size_t avail = end - pos;
    switch (base) {
      case kTokEof:
        if (!stack.empty()) {
          return Fail(fmt::format("fragment ends with {} open elements", stack.size()));
        }
        return true;
      case kTokFragmentHeader:
        if (avail < 4) {
          return Fail("truncated fragment header");
        }
        pos += 4;
        break;
      case kTokOpenStart: {
        const size_t header = in_template ? 7 : 5;  // token, [dependency id], data size
        if (avail < header + 4) {
          return Fail("truncated element start");
        }
        pos += header;
        Node node;
        node.kind = NodeKind::kStartElement;
        if (!ReadNameRef(pos, end, node.name)) {
          return false;
        }
        if ((token & kTokFlagMore) != 0) {
          if (end - pos < 4) {
            return Fail("truncated attribute list size");
          }
          pos += 4;
        }
        stack.push_back(static_cast<uint32_t>(out.nodes.size()));
        out.nodes.push_back(node);
        break;
      }
      case kTokCloseStart:
      case kTokCloseEmpty:
      case kTokEndElement: {
        if (stack.empty()) {
          return Fail(fmt::format("unbalanced element end at 0x{:x}", pos));
        }
        ++pos;
        Node& start = out.nodes[stack.back()];
        if (base == kTokCloseStart || base == kTokCloseEmpty) {
          if (start.content != 0) {
            return Fail(fmt::format("element start closed twice at 0x{:x}", pos - 1));
          }
          start.content = static_cast<uint32_t>(out.nodes.size());
          Node close;
          close.kind = NodeKind::kCloseStart;
          out.nodes.push_back(close);
          if (base == kTokCloseStart) {
            break;
          }
        } else if (start.content == 0) {
          return Fail(fmt::format("element ended before its start was closed at 0x{:x}", pos - 1));
        }
        out.nodes[stack.back()].end = static_cast<uint32_t>(out.nodes.size());
        stack.pop_back();
        Node end_node;
        end_node.kind = NodeKind::kEndElement;
        out.nodes.push_back(end_node);
        break;
      }
      case kTokValue:
      case kTokCData: {
        const size_t header = base == kTokValue ? 4 : 3;
        if (avail < header) {
          return Fail("truncated text value");
        }
        if (base == kTokValue && data[pos + 1] != static_cast<uint8_t>(ValueType::kString)) {
          return Fail(fmt::format("unsupported text value type 0x{:x}", data[pos + 1]));
        }
        const size_t chars = LoadU16(data + pos + header - 2);
        if (avail - header < chars * 2) {
          return Fail("text value runs past the fragment");
        }
        Node node;
        node.kind = NodeKind::kText;
        node.text_offset = static_cast<uint32_t>(out.text.size());
        AppendUtf16AsUtf8(out.text, data + pos + header, chars);
        node.text_size = static_cast<uint32_t>(out.text.size() - node.text_offset);
        out.nodes.push_back(node);
        pos += header + chars * 2;
        break;
      }
      case kTokAttribute: {
        ++pos;
        Node node;
        node.kind = NodeKind::kAttribute;
        if (!ReadNameRef(pos, end, node.name)) {
          return false;
        }
        if (stack.empty() || out.nodes[stack.back()].content != 0) {
          return Fail("attribute outside an element start");
        }
        out.nodes.push_back(node);
        break;
      }
      case kTokCharRef: {
        if (avail < 3) {
          return Fail("truncated character reference");
        }
        Node node;
        node.kind = NodeKind::kText;
        node.text_offset = static_cast<uint32_t>(out.text.size());
        AppendCodePoint(out.text, LoadU16(data + pos + 1));
        node.text_size = static_cast<uint32_t>(out.text.size() - node.text_offset);
        out.nodes.push_back(node);
        pos += 3;
        break;
      }
      case kTokEntityRef: {
        ++pos;
        std::string_view name;
        if (!ReadNameRef(pos, end, name)) {
          return false;
        }
        Node node;
        node.kind = NodeKind::kText;
        node.text_offset = static_cast<uint32_t>(out.text.size());
        const std::string_view resolved = ResolveEntity(name);
        if (resolved.empty()) {
          out.text.append("&").append(name).append(";");
        } else {
          out.text.append(resolved);
        }
        node.text_size = static_cast<uint32_t>(out.text.size() - node.text_offset);
        out.nodes.push_back(node);
        break;
      }
      case kTokPiTarget: {
        ++pos;
        std::string_view name;
        if (!ReadNameRef(pos, end, name)) {
          return false;
        }
        break;  // processing instructions carry no event data
      }
      case kTokPiData: {
        if (avail < 3) {
          return Fail("truncated processing instruction");
        }
        const size_t chars = LoadU16(data + pos + 1);
        if (avail - 3 < chars * 2) {
          return Fail("processing instruction runs past the fragment");
        }
        pos += 3 + chars * 2;
        break;
      }
      case kTokTemplateInstance: {
        if (avail < 10) {
          return Fail("truncated template instance");
        }
        const uint32_t def_offset = LoadU32(data + pos + 6);
        pos += 10;
        if (def_offset == pos) {
          // Defined inline (first use in this chunk): skip the definition.
          if (end - pos < kTemplateDefHeaderSize) {
            return Fail("truncated inline template definition");
          }
          const size_t data_size = LoadU32(data + pos + 20);
          if (end - pos - kTemplateDefHeaderSize < data_size) {
            return Fail("inline template definition runs past the fragment");
          }
          pos += kTemplateDefHeaderSize + data_size;
        }
        const Fragment* tmpl = Template(def_offset, depth);
        if (tmpl == nullptr) {
          return false;
        }
        if (end - pos < 4) {
          return Fail("truncated template value count");
        }
        const size_t count = LoadU32(data + pos);
        if ((end - pos - 4) / 4 < count) {
          return Fail(fmt::format("template value count {} runs past the fragment", count));
        }
        size_t values_size = 0;
        for (size_t i = 0; i < count; ++i) {
          values_size += LoadU16(data + pos + 4 + 4 * i);
        }
        if (end - pos - 4 - 4 * count < values_size) {
          return Fail("template values run past the fragment");
        }
        Node node;
        node.kind = NodeKind::kTemplateInstance;
        node.tmpl = tmpl;
        node.values_offset = static_cast<uint32_t>(pos);
        out.nodes.push_back(node);
        pos += 4 + 4 * count + values_size;
        break;
      }
      case kTokNormalSubstitution:
      case kTokOptionalSubstitution: {
        if (avail < 4) {
          return Fail("truncated substitution");
        }
        Node node;
        node.kind = NodeKind::kSubstitution;
        node.sub_index = LoadU16(data + pos + 1);
        node.value_type = data[pos + 3];
        node.optional = base == kTokOptionalSubstitution;
        out.nodes.push_back(node);
        pos += 4;
        break;
      }
      default:
        return Fail(fmt::format("unknown binary XML token 0x{:02x} at 0x{:x}", token, pos));
    }
  }
  // Ran out of bytes without an end-of-fragment token: accept when balanced.
  if (!stack.empty()) {
    return Fail(fmt::format("fragment truncated with {} open elements", stack.size()));
  }
  return true;
}

bool ChunkParser::ReadValues(uint32_t values_offset, std::vector<ValueRef>& values) {
  // Bounds were checked when the template instance was compiled.
  const uint8_t* data = chunk_.data();
  const size_t count = LoadU32(data + values_offset);
  values.resize(count);
  const uint8_t* desc = data + values_offset + 4;
  const uint8_t* value = desc + 4 * count;
  for (size_t i = 0; i < count; ++i) {
    const uint16_t size = LoadU16(desc + 4 * i);
    values[i] = ValueRef{desc[4 * i + 2], value, size};
    value += size;
  }
  return true;
}

void ChunkParser::WalkAttributes(const Fragment& fragment, std::span<const ValueRef> values,
                                 size_t begin, size_t end, BinXmlHandler& handler) {
  const std::vector<Node>& nodes = fragment.nodes;
  for (size_t i = begin; i < end; ++i) {
    const Node& node = nodes[i];
    if (node.kind == NodeKind::kAttribute) {
      // Drop attributes whose whole value is absent substitutions (e.g. Correlation/@ActivityID).
      size_t j = i + 1;
      bool present = false;
      for (; j < end && nodes[j].kind != NodeKind::kAttribute; ++j) {
        if (nodes[j].kind != NodeKind::kSubstitution ||
            (nodes[j].sub_index < values.size() && !values[nodes[j].sub_index].is_null())) {
          present = true;
        }
      }
      if (present) {
        handler.Attribute(node.name);
      } else {
        i = j - 1;
      }
    } else if (node.kind == NodeKind::kText) {
      handler.Value(
          ValueRef::Utf8(std::string_view(fragment.text).substr(node.text_offset, node.text_size)));
    } else if (node.kind == NodeKind::kSubstitution && node.sub_index < values.size() &&
               !values[node.sub_index].is_null()) {
      handler.Value(values[node.sub_index]);
    }
  }
}

bool ChunkParser::WalkFragment(const Fragment& fragment, std::span<const ValueRef> values,
                               BinXmlHandler& handler, int depth) {
  if (depth > kMaxDepth) {
    return Fail("binary XML nested too deeply");
  }
  const std::vector<Node>& nodes = fragment.nodes;
  const size_t count = nodes.size();
  for (size_t i = 0; i < count; ++i) {
    const Node& node = nodes[i];
    switch (node.kind) {
      case NodeKind::kStartElement: {
        const size_t content = node.content;
        const size_t end = node.end;
        // <X>%optional</X> with an absent value is left out entirely.
        if (content + 1 < end) {
          bool all_absent = true;
          for (size_t j = content + 1; j < end && all_absent; ++j) {
            all_absent =
                nodes[j].kind == NodeKind::kSubstitution && nodes[j].optional &&
                (nodes[j].sub_index >= values.size() || values[nodes[j].sub_index].is_null());
          }
          if (all_absent) {
            i = end;
            break;
          }
        }
        // <X>%array</X> renders as one <X> per item.
        if (end == content + 2 && nodes[content + 1].kind == NodeKind::kSubstitution &&
            nodes[content + 1].sub_index < values.size() &&
            values[nodes[content + 1].sub_index].is_array() &&
            values[nodes[content + 1].sub_index].base_type() != ValueType::kBinXml) {
          std::vector<ValueRef>& items = scratch_items_[depth];
          if (!SplitArray(values[nodes[content + 1].sub_index], items)) {
            return Fail(fmt::format("malformed array value (substitution {})",
                                    nodes[content + 1].sub_index));
          }
          for (const ValueRef& item : items) {
            handler.StartElement(node.name);
            WalkAttributes(fragment, values, i + 1, content, handler);
            handler.CloseStart();
            handler.Value(item);
            handler.EndElement();
          }
          i = end;
          break;
        }
        handler.StartElement(node.name);
        WalkAttributes(fragment, values, i + 1, content, handler);
        i = content - 1;
        break;
      }
      case NodeKind::kAttribute:
        break;  // handled with the element start
      case NodeKind::kCloseStart:
        handler.CloseStart();
        break;
      case NodeKind::kEndElement:
        handler.EndElement();
        break;
      case NodeKind::kText:
        handler.Value(ValueRef::Utf8(
            std::string_view(fragment.text).substr(node.text_offset, node.text_size)));
        break;
      case NodeKind::kSubstitution: {
        if (node.sub_index >= values.size()) {
          break;  // missing value renders as nothing
        }
        const ValueRef& value = values[node.sub_index];
        if (value.is_null()) {
          break;
        }
        if (value.type == static_cast<uint8_t>(ValueType::kBinXml)) {
          Fragment& nested = scratch_fragments_[depth + 1];
          const size_t offset = static_cast<size_t>(value.data - chunk_.data());
          if (!Compile(offset, offset + value.size, nested, depth + 1, /*in_template=*/false) ||
              !WalkFragment(nested, {}, handler, depth + 1)) {
            return false;
          }
          break;
        }
        handler.Value(value);
        break;
      }
      case NodeKind::kTemplateInstance: {
        std::vector<ValueRef>& nested_values = scratch_values_[depth + 1];
        if (!ReadValues(node.values_offset, nested_values) ||
            !WalkFragment(*node.tmpl, nested_values, handler, depth + 1)) {
          return false;
        }
        break;
      }
    }
  }
  return true;
}

Status ChunkParser::Walk(size_t offset, size_t end, BinXmlHandler& handler) {
  error_.clear();
  Fragment& top = scratch_fragments_[0];
  if (!Compile(offset, end, top, 0, /*in_template=*/false) || !WalkFragment(top, {}, handler, 0)) {
    return DataLossError("{}", error_.empty() ? "malformed binary XML" : error_);
  }
  return Status::Ok();
}

}  // namespace vigil::ingest::evtx

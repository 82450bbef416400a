// Binary XML of one EVTX chunk: compiles template definitions once per chunk (names from the
// chunk's string table or inline, cached per chunk) and walks a record's fragment, calling a
// handler SAX-style with element names and typed values. Used by the EVTX reader; one parser per
// reader thread (not thread-safe); views it hands out live until the next Reset().
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vigil/base/status.h"
#include "vigil/ingest/evtx/evtx_value.h"

namespace vigil::ingest::evtx {

// Receives a walked fragment. Attribute values and element text arrive as Value() calls (a value
// may come in several pieces); CloseStart() ends the attribute list of the current element.
// Arrays in element content are expanded to one element per item, as Windows renders them;
// attributes whose value is an absent optional substitution are dropped.
class BinXmlHandler {
 public:
  virtual ~BinXmlHandler() = default;
  virtual void StartElement(std::string_view name) = 0;
  virtual void Attribute(std::string_view name) = 0;
  virtual void CloseStart() = 0;
  virtual void Value(const ValueRef& value) = 0;
  virtual void EndElement() = 0;
};

enum class NodeKind : uint8_t {
  kStartElement,  // name; end = index of the matching kEndElement, content = kCloseStart
  kAttribute,     // name; its value nodes follow
  kCloseStart,
  kEndElement,
  kText,              // UTF-8 text in Fragment::text [text_offset, +text_size)
  kSubstitution,      // sub_index, value_type, optional
  kTemplateInstance,  // tmpl; values_offset = chunk offset of the value count
};

struct Fragment;

struct Node {
  NodeKind kind = NodeKind::kText;
  uint8_t value_type = 0;
  bool optional = false;
  uint16_t sub_index = 0;
  uint32_t end = 0;
  uint32_t content = 0;
  uint32_t text_offset = 0;
  uint32_t text_size = 0;
  uint32_t values_offset = 0;
  std::string_view name;
  const Fragment* tmpl = nullptr;
};

// A compiled token stream: a template definition or a record's top-level fragment.
struct Fragment {
  std::vector<Node> nodes;
  std::string text;
  bool valid = false;
  bool compiling = false;  // guards against a template that instantiates itself
  std::string error;

  void Clear() {
    nodes.clear();
    text.clear();
    valid = false;
    compiling = false;
    error.clear();
  }
};

class ChunkParser {
 public:
  ChunkParser();

  // Binds the parser to a chunk (kChunkSize bytes or fewer) and drops the previous chunk's caches.
  void Reset(std::span<const uint8_t> chunk);

  // Walks the binary XML in [offset, end) of the chunk (a record's event data).
  Status Walk(size_t offset, size_t end, BinXmlHandler& handler);

  size_t cached_templates() const { return templates_.size(); }

 private:
  static constexpr int kMaxDepth = 16;

  // Template definitions carry a 2-byte dependency identifier in each element start; fragments
  // outside them (record bodies, BinXml substitution values) do not.
  bool Compile(size_t offset, size_t end, Fragment& out, int depth, bool in_template);
  const std::string* Name(uint32_t offset);
  // Reads a name reference at `pos`, skipping an inline name definition. Advances `pos`.
  bool ReadNameRef(size_t& pos, size_t end, std::string_view& name);
  const Fragment* Template(uint32_t def_offset, int depth);
  bool ReadValues(uint32_t values_offset, std::vector<ValueRef>& values);
  bool WalkFragment(const Fragment& fragment, std::span<const ValueRef> values,
                    BinXmlHandler& handler, int depth);
  void WalkAttributes(const Fragment& fragment, std::span<const ValueRef> values, size_t begin,
                      size_t end, BinXmlHandler& handler);
  bool Fail(std::string message);

  std::span<const uint8_t> chunk_;
  std::unordered_map<uint32_t, std::string> names_;
  std::unordered_map<uint32_t, Fragment> templates_;
  std::vector<Fragment> scratch_fragments_;
  std::vector<std::vector<ValueRef>> scratch_values_;
  std::vector<std::vector<ValueRef>> scratch_items_;
  std::vector<std::vector<uint32_t>> element_stacks_;
  std::string error_;
};

}  // namespace vigil::ingest::evtx

// parse_xml(): XML text to a dynamic value with Kusto's mapping (`<e/>` -> {"e": null},
// attributes as "@name", text next to attributes or children as "#text", repeated child names
// as arrays). Uses pugixml (already a dependency of vigil/ingest for event XML). Input over
// 1 MiB, invalid XML or nesting deeper than kMaxDepth give null, as Kusto does for bad input.
#include <cstddef>
#include <exception>
#include <pugixml.hpp>
#include <string>
#include <utility>

#include "vigil/kql/functions/function_util.h"

namespace vigil::kql {

using fn1::Add;
using fn1::Returns;

namespace {

constexpr size_t kMaxXmlBytes = size_t{1} << 20;
constexpr int kMaxDepth = 200;

std::string Trimmed(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) {
    return {};
  }
  const size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

void AddMember(Bag& bag, const std::string& key, Value v) {
  for (auto& [k, existing] : bag) {
    if (k != key) {
      continue;
    }
    if (existing.is_array()) {
      Array items = existing.AsArray();
      items.push_back(std::move(v));
      existing = Value::MakeArray(std::move(items));
    } else {
      existing = Value::MakeArray({existing, std::move(v)});
    }
    return;
  }
  bag.emplace_back(key, std::move(v));
}

// The value of one element; false when nesting is too deep.
bool ElementValue(const pugi::xml_node& node, int depth, Value& out) {
  if (depth > kMaxDepth) {
    return false;
  }
  Bag bag;
  for (const pugi::xml_attribute& attr : node.attributes()) {
    AddMember(bag, std::string("@") + attr.name(), Value::String(attr.value()));
  }
  const size_t attributes = bag.size();
  std::string text;
  bool has_children = false;
  for (const pugi::xml_node& child : node.children()) {
    if (child.type() == pugi::node_element) {
      Value v;
      if (!ElementValue(child, depth + 1, v)) {
        return false;
      }
      AddMember(bag, child.name(), std::move(v));
      has_children = true;
    } else if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
      text += child.value();
    }
  }
  text = Trimmed(text);
  if (bag.empty() && !has_children) {
    out = text.empty() ? Value() : Value::String(std::move(text));
    return true;
  }
  if (!text.empty()) {  // Kusto's order: attributes, then "#text", then child elements
    bag.insert(bag.begin() + static_cast<std::ptrdiff_t>(attributes),
               {"#text", Value::String(std::move(text))});
  }
  out = Value::MakeBag(std::move(bag));
  return true;
}

Value ParseXml(const Value& arg) {
  if (!arg.is_string() || arg.AsString().size() > kMaxXmlBytes) {
    return Value();
  }
  try {
    pugi::xml_document doc;
    const std::string& text = arg.AsString();
    const pugi::xml_parse_result ok =
        doc.load_buffer(text.data(), text.size(), pugi::parse_default);
    if (!ok) {
      return Value();
    }
    Bag top;
    for (const pugi::xml_node& child : doc.children()) {
      if (child.type() != pugi::node_element) {
        continue;
      }
      Value v;
      if (!ElementValue(child, 1, v)) {
        return Value();
      }
      AddMember(top, child.name(), std::move(v));
    }
    if (top.empty()) {
      return Value();
    }
    return Value::MakeBag(std::move(top));
  } catch (const std::exception&) {
    return Value();  // pugixml reports allocation failure by throwing
  }
}

}  // namespace

void RegisterXmlFunctions(Registry& r) {
  Add(r, "parse_xml", 1, 1, Returns("parse_xml", Type::kDynamic),
      [](std::span<const Value> args, FunctionContext&) { return ParseXml(args[0]); });
}

}  // namespace vigil::kql

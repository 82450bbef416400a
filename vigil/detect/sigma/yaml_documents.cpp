#include "vigil/detect/sigma/yaml_documents.h"

#include <exception>

namespace vigil::detect::sigma {
namespace {

bool IsMarker(std::string_view line, std::string_view marker) {
  if (line.substr(0, 3) != marker) {
    return false;
  }
  return line.size() == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r' || line[3] == '\n';
}

// True when the chunk holds nothing but blank lines, comments and directives (`%YAML`): such a
// prefix belongs to the document that follows it.
bool OnlyPrologue(std::string_view chunk) {
  size_t pos = 0;
  while (pos < chunk.size()) {
    size_t end = chunk.find('\n', pos);
    if (end == std::string_view::npos) {
      end = chunk.size();
    }
    std::string_view line = chunk.substr(pos, end - pos);
    const size_t first = line.find_first_not_of(" \t\r");
    if (first != std::string_view::npos && line[first] != '#' && line[first] != '%') {
      return false;
    }
    pos = end + 1;
  }
  return true;
}

struct Chunk {
  std::string_view text;
  int first_line = 1;
};

std::vector<Chunk> SplitDocuments(std::string_view text) {
  std::vector<Chunk> chunks;
  size_t start = 0;
  int start_line = 1;
  size_t pos = 0;
  int line_no = 1;
  auto flush = [&](size_t end) {
    chunks.push_back(Chunk{text.substr(start, end - start), start_line});
  };
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    const size_t next = end == std::string_view::npos ? text.size() : end + 1;
    const std::string_view line = text.substr(pos, next - pos);
    if (IsMarker(line, "---")) {
      // A new document starts here; what came before is a document unless it is only prologue.
      const std::string_view before = text.substr(start, pos - start);
      if (!OnlyPrologue(before)) {
        flush(pos);
        start = pos;
        start_line = line_no;
      }
    } else if (IsMarker(line, "...")) {
      // Document end: the document is [start, pos); the next starts after this line.
      const std::string_view before = text.substr(start, pos - start);
      if (!OnlyPrologue(before)) {
        flush(pos);
      }
      start = next;
      start_line = line_no + 1;
    }
    pos = next;
    ++line_no;
  }
  const std::string_view rest = text.substr(start);
  if (!OnlyPrologue(rest) || chunks.empty()) {
    flush(text.size());
  }
  return chunks;
}

}  // namespace

YamlDocuments LoadYamlDocuments(std::string_view text) {
  YamlDocuments out;
  const std::vector<Chunk> chunks = SplitDocuments(text);
  for (size_t i = 0; i < chunks.size(); ++i) {
    const int index = static_cast<int>(i);
    if (i >= kMaxYamlDocuments) {
      out.errors.push_back(YamlDocumentError{index, chunks[i].first_line,
                                             "too many documents in one stream (limit " +
                                                 std::to_string(kMaxYamlDocuments) + ")"});
      break;
    }
    try {
      out.documents.push_back(
          YamlDocument{YAML::Load(std::string(chunks[i].text)), index, chunks[i].first_line});
    } catch (const YAML::Exception& e) {
      const int line = e.mark.line >= 0 ? chunks[i].first_line + e.mark.line : 0;
      out.errors.push_back(YamlDocumentError{index, line, e.msg});
    } catch (const std::exception& e) {
      out.errors.push_back(YamlDocumentError{index, 0, e.what()});
    }
  }
  return out;
}

}  // namespace vigil::detect::sigma

// Multi-document YAML reading that always terminates. yaml-cpp's LoadAll (0.7, Debian 12) can
// loop forever on some malformed streams (found by custom_detection_fuzz), so the stream is cut
// into documents at `---` / `...` marker lines first (markers must start a line, per YAML
// 1.2 §9.1) and each document is parsed on its own with YAML::Load. A syntax error then costs
// only its own document; the others still load. Used by the Sigma loader and the custom
// detection file reader.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace vigil::detect::sigma {

struct YamlDocument {
  YAML::Node node;
  int index = 0;       // 0-based document number in the stream
  int first_line = 1;  // 1-based line of the stream where the document's text starts
};

struct YamlDocumentError {
  int index = 0;
  int line = 0;         // 1-based line in the stream, 0 when unknown
  std::string message;  // yaml-cpp's message, e.g. "end of map not found"
};

struct YamlDocuments {
  std::vector<YamlDocument> documents;  // in stream order, empty documents included (as Null)
  std::vector<YamlDocumentError> errors;
};

// A stream with more documents than this reports one error for the rest.
inline constexpr size_t kMaxYamlDocuments = 10000;

YamlDocuments LoadYamlDocuments(std::string_view text);

}  // namespace vigil::detect::sigma

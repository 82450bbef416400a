// Errors of the KQL engine: a stable code (KQL0001...), a message and the source position.
// Codes are part of the interface (golden tests, API clients): never renumber. The list is in
// docs/KQL.md ("Error codes").
#pragma once

#include <string>

#include "vigil/kql/syntax/ast.h"

namespace vigil::kql {

struct KqlError {
  std::string code;     // e.g. "KQL0001"
  std::string message;  // one line, no trailing period, e.g. "expected expression after 'by'"
  Pos pos;
  // "message (line:col)" as golden tests and the CLI print it.
  std::string ToString() const {
    return message + " (" + std::to_string(pos.line) + ":" + std::to_string(pos.col) + ")";
  }
};

}  // namespace vigil::kql

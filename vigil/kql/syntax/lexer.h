// KQL lexer: turns query text into tokens on demand. Lex(offset) is a pure function of the text
// and an offset, so the parser can look ahead and backtrack by keeping offsets. Used only by the
// parser (vigil/kql/syntax/parser.cpp) and its tests. Immutable after construction; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/kql/syntax/ast.h"

namespace vigil::kql {

enum class TokKind : uint8_t {
  kEnd,       // end of input (begin == end == text size)
  kIdent,     // identifier, `$left`/`$right`; text as written
  kString,    // any string literal form; text: the decoded value
  kInt,       // integer literal; int_value (overflow: lexed as kReal)
  kReal,      // real literal; real_value
  kTimeSpan,  // number with a unit suffix (1d, 1.5h, 100ms); int_value: ticks
  kPunct,     // operator or punctuation; text: its spelling ("==", "(", "..", ...)
  kError,     // lexical error: error_code (KQL0001/2/3) and text: the message
};

struct Token {
  TokKind kind = TokKind::kEnd;
  size_t begin = 0;  // byte offset of the first character
  size_t end = 0;    // byte offset just past the token
  std::string text;
  int64_t int_value = 0;
  double real_value = 0;
  std::string error_code;

  bool Is(TokKind k, std::string_view t) const { return kind == k && text == t; }
  bool IsPunct(std::string_view t) const { return kind == TokKind::kPunct && text == t; }
  // Identifier equal to `word` ignoring ASCII case (keywords are matched this way).
  bool IsWord(std::string_view word) const;
};

class Lexer {
 public:
  explicit Lexer(std::string_view text);

  // The token starting at or after `offset` (whitespace and // comments skipped).
  Token Lex(size_t offset) const;
  // Offset of the first character at or after `offset` that is not whitespace or a comment.
  size_t SkipTrivia(size_t offset) const;
  // 1-based line and byte column of an offset.
  Pos PosOf(size_t offset) const;
  std::string_view text() const { return text_; }

 private:
  std::string_view text_;
  std::vector<size_t> line_starts_;
};

// Ticks in one unit of a timespan suffix ("d", "h", "min", "ms", "tick", ...), case-insensitive.
std::optional<int64_t> TimeSpanUnitTicks(std::string_view unit);
// Text of `timespan(...)` / `time(...)`: "1.5h", "10" (days), "1.02:03:04.5", "02:03".
std::optional<int64_t> ParseTimeSpanText(std::string_view text);

}  // namespace vigil::kql

// SigmaString: a Sigma value split into literal runs and `*` / `?` wildcards, following
// Sigma's escape rules. Used by the modifier pipeline (modifiers.h) to build FieldTest values
// and to reduce patterns to the cheapest MatchOp. Plain value type; no shared state.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vigil/detect/sigma/rule.h"

namespace vigil::detect::sigma {

class SigmaString {
 public:
  enum class PieceKind : uint8_t { kLiteral, kStar, kQuestion };
  struct Piece {
    PieceKind kind = PieceKind::kLiteral;
    std::string text;  // kLiteral only: raw bytes, already unescaped
  };

  SigmaString() = default;

  // Parses `text` with Sigma escapes: `\*`, `\?`, `\\` are escapes (the backslash is consumed);
  // a backslash before anything else, or at the end, is a literal backslash.
  static SigmaString Parse(std::string_view text);
  // No wildcard interpretation at all (encoded bytes, placeholder-free literals).
  static SigmaString Literal(std::string_view bytes);

  bool HasWildcards() const;
  bool IsEmpty() const { return pieces_.empty(); }
  const std::vector<Piece>& pieces() const { return pieces_; }

  void AppendLiteral(std::string_view bytes);
  void AppendWildcard(PieceKind kind);
  void PrependStar();  // no-op when it already starts with `*`
  void AppendStar();   // no-op when it already ends with `*`

  // Literal text when there are no wildcards (empty otherwise).
  std::string LiteralText() const;
  // Canonical glob text: wildcards as `*` / `?`, literal `*` `?` `\` escaped with `\`.
  std::string GlobText() const;

  // Reduces to the cheapest op: no wildcards -> kEquals; `*x*` -> kContains; `x*` ->
  // kStartsWith; `*x` -> kEndsWith; else kGlob (text = GlobText()). A value made only of `*`
  // stays kGlob "*": it matches any present, non-null value (empty string included).
  void Reduce(MatchOp* op, std::string* text) const;

 private:
  std::vector<Piece> pieces_;
};

}  // namespace vigil::detect::sigma

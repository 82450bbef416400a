#include "vigil/detect/sigma/sigma_string.h"

namespace vigil::detect::sigma {

SigmaString SigmaString::Parse(std::string_view text) {
  SigmaString out;
  std::string literal;
  auto flush = [&] {
    if (!literal.empty()) {
      out.AppendLiteral(literal);
      literal.clear();
    }
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\') {
      if (i + 1 < text.size() &&
          (text[i + 1] == '*' || text[i + 1] == '?' || text[i + 1] == '\\')) {
        literal.push_back(text[i + 1]);
        ++i;
      } else {
        literal.push_back('\\');
      }
      continue;
    }
    if (c == '*' || c == '?') {
      flush();
      out.AppendWildcard(c == '*' ? PieceKind::kStar : PieceKind::kQuestion);
      continue;
    }
    literal.push_back(c);
  }
  flush();
  return out;
}

SigmaString SigmaString::Literal(std::string_view bytes) {
  SigmaString out;
  out.AppendLiteral(bytes);
  return out;
}

bool SigmaString::HasWildcards() const {
  for (const Piece& piece : pieces_) {
    if (piece.kind != PieceKind::kLiteral) {
      return true;
    }
  }
  return false;
}

void SigmaString::AppendLiteral(std::string_view bytes) {
  if (bytes.empty()) {
    return;
  }
  if (!pieces_.empty() && pieces_.back().kind == PieceKind::kLiteral) {
    pieces_.back().text.append(bytes);
    return;
  }
  pieces_.push_back(Piece{PieceKind::kLiteral, std::string(bytes)});
}

void SigmaString::AppendWildcard(PieceKind kind) {
  if (kind == PieceKind::kLiteral) {
    return;
  }
  // `**` means the same as `*`; keeping one makes reduction simple.
  if (kind == PieceKind::kStar && !pieces_.empty() && pieces_.back().kind == PieceKind::kStar) {
    return;
  }
  pieces_.push_back(Piece{kind, {}});
}

void SigmaString::PrependStar() {
  if (!pieces_.empty() && pieces_.front().kind == PieceKind::kStar) {
    return;
  }
  pieces_.insert(pieces_.begin(), Piece{PieceKind::kStar, {}});
}

void SigmaString::AppendStar() { AppendWildcard(PieceKind::kStar); }

std::string SigmaString::LiteralText() const {
  std::string out;
  for (const Piece& piece : pieces_) {
    if (piece.kind == PieceKind::kLiteral) {
      out += piece.text;
    }
  }
  return out;
}

std::string SigmaString::GlobText() const {
  std::string out;
  for (const Piece& piece : pieces_) {
    switch (piece.kind) {
      case PieceKind::kStar:
        out.push_back('*');
        break;
      case PieceKind::kQuestion:
        out.push_back('?');
        break;
      case PieceKind::kLiteral:
        for (char c : piece.text) {
          if (c == '*' || c == '?' || c == '\\') {
            out.push_back('\\');
          }
          out.push_back(c);
        }
        break;
    }
  }
  return out;
}

void SigmaString::Reduce(MatchOp* op, std::string* text) const {
  const size_t n = pieces_.size();
  auto is_star = [&](size_t i) { return pieces_[i].kind == PieceKind::kStar; };
  auto is_lit = [&](size_t i) { return pieces_[i].kind == PieceKind::kLiteral; };
  if (!HasWildcards()) {
    *op = MatchOp::kEquals;
    *text = LiteralText();
    return;
  }
  if (n == 2 && is_lit(0) && is_star(1)) {
    *op = MatchOp::kStartsWith;
    *text = pieces_[0].text;
    return;
  }
  if (n == 2 && is_star(0) && is_lit(1)) {
    *op = MatchOp::kEndsWith;
    *text = pieces_[1].text;
    return;
  }
  if (n == 3 && is_star(0) && is_lit(1) && is_star(2)) {
    *op = MatchOp::kContains;
    *text = pieces_[1].text;
    return;
  }
  *op = MatchOp::kGlob;
  *text = GlobText();
}

}  // namespace vigil::detect::sigma

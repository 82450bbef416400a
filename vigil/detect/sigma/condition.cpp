#include "vigil/detect/sigma/condition.h"

#include <cctype>

namespace vigil::detect::sigma {

namespace {

constexpr int kMaxDepth = 200;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

class ConditionParser {
 public:
  ConditionParser(std::string_view text, const std::vector<std::string>& names)
      : text_(text), names_(names) {}

  Result<Condition> Parse() {
    VIGIL_RETURN_IF_ERROR(Tokenize());
    if (tokens_.empty()) {
      return InvalidArgumentError("empty condition");
    }
    VIGIL_ASSIGN_OR_RETURN(Condition cond, ParseOr(0));
    if (pos_ < tokens_.size()) {
      return InvalidArgumentError("unexpected '{}' in condition '{}'", tokens_[pos_], text_);
    }
    return cond;
  }

 private:
  Status Tokenize() {
    size_t i = 0;
    while (i < text_.size()) {
      const char c = text_[i];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++i;
        continue;
      }
      if (c == '|') {
        return InvalidArgumentError(
            "sigma 1.x aggregation in condition is not supported; rewrite as a correlation rule");
      }
      if (c == '(' || c == ')') {
        tokens_.emplace_back(1, c);
        ++i;
        continue;
      }
      size_t end = i;
      while (end < text_.size() && !std::isspace(static_cast<unsigned char>(text_[end])) &&
             text_[end] != '(' && text_[end] != ')' && text_[end] != '|') {
        ++end;
      }
      tokens_.emplace_back(text_.substr(i, end - i));
      if (Lower(tokens_.back()) == "near") {
        return InvalidArgumentError(
            "sigma 1.x aggregation in condition is not supported; rewrite as a correlation rule");
      }
      i = end;
    }
    return Status::Ok();
  }

  bool PeekKeyword(std::string_view keyword, size_t offset = 0) const {
    return pos_ + offset < tokens_.size() && Lower(tokens_[pos_ + offset]) == keyword;
  }

  static Condition Combine(Condition::Kind kind, std::vector<Condition> children) {
    if (children.size() == 1) {
      return std::move(children.front());
    }
    Condition out;
    out.kind = kind;
    out.children = std::move(children);
    return out;
  }

  Result<Condition> ParseOr(int depth) {
    if (depth > kMaxDepth) {
      return InvalidArgumentError("condition nested too deeply");
    }
    std::vector<Condition> children;
    VIGIL_ASSIGN_OR_RETURN(Condition first, ParseAnd(depth + 1));
    children.push_back(std::move(first));
    while (PeekKeyword("or")) {
      ++pos_;
      VIGIL_ASSIGN_OR_RETURN(Condition next, ParseAnd(depth + 1));
      children.push_back(std::move(next));
    }
    return Combine(Condition::Kind::kOr, std::move(children));
  }

  Result<Condition> ParseAnd(int depth) {
    std::vector<Condition> children;
    VIGIL_ASSIGN_OR_RETURN(Condition first, ParseNot(depth + 1));
    children.push_back(std::move(first));
    while (PeekKeyword("and")) {
      ++pos_;
      VIGIL_ASSIGN_OR_RETURN(Condition next, ParseNot(depth + 1));
      children.push_back(std::move(next));
    }
    return Combine(Condition::Kind::kAnd, std::move(children));
  }

  Result<Condition> ParseNot(int depth) {
    if (depth > kMaxDepth) {
      return InvalidArgumentError("condition nested too deeply");
    }
    if (PeekKeyword("not")) {
      ++pos_;
      VIGIL_ASSIGN_OR_RETURN(Condition inner, ParseNot(depth + 1));
      Condition out;
      out.kind = Condition::Kind::kNot;
      out.children.push_back(std::move(inner));
      return out;
    }
    return ParsePrimary(depth + 1);
  }

  Result<Condition> ParsePrimary(int depth) {
    if (pos_ >= tokens_.size()) {
      return InvalidArgumentError("condition '{}' ends unexpectedly", text_);
    }
    const std::string token = tokens_[pos_];
    if (token == "(") {
      ++pos_;
      VIGIL_ASSIGN_OR_RETURN(Condition inner, ParseOr(depth + 1));
      if (pos_ >= tokens_.size() || tokens_[pos_] != ")") {
        return InvalidArgumentError("missing ')' in condition '{}'", text_);
      }
      ++pos_;
      return inner;
    }
    if (token == ")") {
      return InvalidArgumentError("unexpected ')' in condition '{}'", text_);
    }
    if (PeekKeyword("of", 1)) {
      return ParseQuantifier();
    }
    const std::string lower = Lower(token);
    if (lower == "and" || lower == "or" || lower == "of" || lower == "them") {
      return InvalidArgumentError("unexpected '{}' in condition '{}'", token, text_);
    }
    if (token.find('*') != std::string::npos) {
      return InvalidArgumentError("pattern '{}' needs '1 of' or 'all of' in condition '{}'", token,
                                  text_);
    }
    ++pos_;
    for (size_t i = 0; i < names_.size(); ++i) {
      if (names_[i] == token) {
        Condition out;
        out.kind = Condition::Kind::kSearch;
        out.search = static_cast<int>(i);
        return out;
      }
    }
    return InvalidArgumentError("unknown search identifier '{}' in condition", token);
  }

  Result<Condition> ParseQuantifier() {
    const std::string quantifier = Lower(tokens_[pos_]);
    Condition::Kind kind;
    if (quantifier == "1" || quantifier == "any") {
      kind = Condition::Kind::kOr;
    } else if (quantifier == "all") {
      kind = Condition::Kind::kAnd;
    } else {
      return InvalidArgumentError("unsupported quantifier '{}' in condition (use 1 or all)",
                                  tokens_[pos_]);
    }
    pos_ += 2;  // quantifier and `of`
    if (pos_ >= tokens_.size() || tokens_[pos_] == "(" || tokens_[pos_] == ")") {
      return InvalidArgumentError("'{} of' needs a pattern or 'them' in condition '{}'", quantifier,
                                  text_);
    }
    const std::string pattern = tokens_[pos_++];
    const bool them = Lower(pattern) == "them";
    std::vector<Condition> children;
    for (size_t i = 0; i < names_.size(); ++i) {
      const bool match = them ? (names_[i].empty() || names_[i][0] != '_')
                              : MatchesNamePattern(pattern, names_[i]);
      if (match) {
        Condition leaf;
        leaf.kind = Condition::Kind::kSearch;
        leaf.search = static_cast<int>(i);
        children.push_back(std::move(leaf));
      }
    }
    if (children.empty()) {
      return InvalidArgumentError("'{} of {}' matches no search identifier", quantifier, pattern);
    }
    return Combine(kind, std::move(children));
  }

  std::string_view text_;
  const std::vector<std::string>& names_;
  std::vector<std::string> tokens_;
  size_t pos_ = 0;
};

}  // namespace

bool MatchesNamePattern(std::string_view pattern, std::string_view name) {
  // Iterative glob with backtracking to the last `*`: linear-ish and no recursion.
  size_t p = 0;
  size_t n = 0;
  size_t star = std::string_view::npos;
  size_t mark = 0;
  while (n < name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = n;
    } else if (p < pattern.size() && pattern[p] == name[n]) {
      ++p;
      ++n;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      n = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') {
    ++p;
  }
  return p == pattern.size();
}

Result<Condition> ParseCondition(std::string_view text, const std::vector<std::string>& names) {
  return ConditionParser(text, names).Parse();
}

Result<Condition> ParseConditionList(const std::vector<std::string>& texts,
                                     const std::vector<std::string>& names) {
  if (texts.empty()) {
    return InvalidArgumentError("empty condition");
  }
  std::vector<Condition> children;
  for (const auto& text : texts) {
    VIGIL_ASSIGN_OR_RETURN(Condition cond, ParseCondition(text, names));
    children.push_back(std::move(cond));
  }
  if (children.size() == 1) {
    return std::move(children.front());
  }
  Condition out;
  out.kind = Condition::Kind::kOr;
  out.children = std::move(children);
  return out;
}

}  // namespace vigil::detect::sigma

// $filter: the tokenizer, recursive-descent parser and evaluator behind odata::Filter, plus
// the value ordering and path lookup shared with $orderby.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <utility>

#include "vigil/api/odata/query.h"
#include "vigil/base/time.h"

namespace vigil::api::odata {

enum class NodeKind : uint8_t { kOr, kAnd, kNot, kCompare, kIn, kFunction, kBoolOperand };
enum class CompareOp : uint8_t { kEq, kNe, kGt, kGe, kLt, kLe };
enum class Function : uint8_t { kStartsWith, kEndsWith, kContains };

// An operand: a field path or a literal (with its datetime ticks when it is one).
struct Operand {
  bool is_field = false;
  std::string field;
  JsonValue literal;
  std::optional<int64_t> ticks;
};

struct FilterNode {
  NodeKind kind = NodeKind::kAnd;
  CompareOp op = CompareOp::kEq;
  Function function = Function::kContains;
  std::vector<std::shared_ptr<const FilterNode>> children;
  std::vector<Operand> operands;  // compare: 2; in: 1 + list; function: 2; bool operand: 1
  bool expect = true;             // function result compared with true/false
};

namespace {

char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

std::string ToLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = Lower(c);
  }
  return out;
}

// ParseDateTime plus OData's date-with-zone form "2018-08-01Z".
std::optional<int64_t> ParseODataDateTime(std::string_view text) {
  if (auto ticks = ParseDateTime(text)) {
    return ticks;
  }
  if (text.size() > 1 && (text.back() == 'Z' || text.back() == 'z')) {
    return ParseDateTime(text.substr(0, text.size() - 1));
  }
  return std::nullopt;
}

bool LooksLikeDate(std::string_view text) {
  return text.size() >= 10 && std::isdigit(static_cast<unsigned char>(text[0])) &&
         std::isdigit(static_cast<unsigned char>(text[3])) && text[4] == '-' && text[7] == '-';
}

enum class TokenKind : uint8_t { kEnd, kName, kString, kNumber, kDate, kLParen, kRParen, kComma };

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;
  size_t pos = 0;  // 0-based
};

class Parser {
 public:
  Parser(std::string_view text, const std::vector<std::string>& fields)
      : text_(text), fields_(fields) {}

  Result<std::shared_ptr<const FilterNode>> Run() {
    VIGIL_RETURN_IF_ERROR(Tokenize());
    VIGIL_ASSIGN_OR_RETURN(auto root, ParseOr(0));
    if (Peek().kind != TokenKind::kEnd) {
      return Error(Peek().pos, fmt::format("unexpected '{}'", Peek().text));
    }
    return root;
  }

 private:
  static Status Error(size_t pos, std::string_view what) {
    return InvalidArgumentError("invalid $filter: syntax error at position {}: {}", pos + 1, what);
  }

  Status Tokenize() {
    size_t i = 0;
    while (i < text_.size()) {
      const char c = text_[i];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        ++i;
        continue;
      }
      Token token;
      token.pos = i;
      if (c == '(' || c == ')' || c == ',') {
        token.kind =
            c == '(' ? TokenKind::kLParen : (c == ')' ? TokenKind::kRParen : TokenKind::kComma);
        token.text = std::string(1, c);
        ++i;
      } else if (c == '\'') {
        token.kind = TokenKind::kString;
        ++i;
        bool closed = false;
        while (i < text_.size()) {
          if (text_[i] == '\'') {
            if (i + 1 < text_.size() && text_[i + 1] == '\'') {
              token.text += '\'';
              i += 2;
              continue;
            }
            ++i;
            closed = true;
            break;
          }
          token.text += text_[i++];
        }
        if (!closed) {
          return Error(token.pos, "unterminated string literal");
        }
      } else if (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+') {
        size_t end = i + 1;
        while (end < text_.size() &&
               (std::isalnum(static_cast<unsigned char>(text_[end])) || text_[end] == '.' ||
                text_[end] == ':' || text_[end] == '-' || text_[end] == '+')) {
          ++end;
        }
        token.text = std::string(text_.substr(i, end - i));
        token.kind = LooksLikeDate(token.text) ? TokenKind::kDate : TokenKind::kNumber;
        i = end;
      } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '@') {
        size_t end = i + 1;
        while (end < text_.size() &&
               (std::isalnum(static_cast<unsigned char>(text_[end])) || text_[end] == '_' ||
                text_[end] == '/' || text_[end] == '.' || text_[end] == '@')) {
          ++end;
        }
        token.kind = TokenKind::kName;
        token.text = std::string(text_.substr(i, end - i));
        i = end;
      } else {
        return Error(i, fmt::format("unexpected character '{}'", c));
      }
      tokens_.push_back(std::move(token));
    }
    Token end;
    end.kind = TokenKind::kEnd;
    end.pos = text_.size();
    end.text = "end of filter";
    tokens_.push_back(std::move(end));
    return Status::Ok();
  }

  const Token& Peek(size_t ahead = 0) const {
    return tokens_[std::min(next_ + ahead, tokens_.size() - 1)];
  }
  const Token& Take() {
    const Token& token = Peek();
    if (next_ < tokens_.size() - 1) {
      ++next_;
    }
    return token;
  }
  bool PeekKeyword(std::string_view word, size_t ahead = 0) const {
    const Token& token = Peek(ahead);
    return token.kind == TokenKind::kName && EqualsIgnoreCase(token.text, word);
  }
  Status Expect(TokenKind kind, std::string_view what) {
    if (Peek().kind != kind) {
      return Error(Peek().pos, fmt::format("expected {} but found '{}'", what, Peek().text));
    }
    Take();
    return Status::Ok();
  }

  Result<std::shared_ptr<const FilterNode>> ParseOr(int depth) {
    VIGIL_ASSIGN_OR_RETURN(auto left, ParseAnd(depth));
    while (PeekKeyword("or")) {
      Take();
      VIGIL_ASSIGN_OR_RETURN(auto right, ParseAnd(depth));
      auto node = std::make_shared<FilterNode>();
      node->kind = NodeKind::kOr;
      node->children = {std::move(left), std::move(right)};
      left = std::move(node);
    }
    return left;
  }

  Result<std::shared_ptr<const FilterNode>> ParseAnd(int depth) {
    VIGIL_ASSIGN_OR_RETURN(auto left, ParseUnary(depth));
    while (PeekKeyword("and")) {
      Take();
      VIGIL_ASSIGN_OR_RETURN(auto right, ParseUnary(depth));
      auto node = std::make_shared<FilterNode>();
      node->kind = NodeKind::kAnd;
      node->children = {std::move(left), std::move(right)};
      left = std::move(node);
    }
    return left;
  }

  Result<std::shared_ptr<const FilterNode>> ParseUnary(int depth) {
    if (depth > kMaxFilterDepth) {
      return Error(Peek().pos, "expression nested too deeply");
    }
    if (PeekKeyword("not")) {
      Take();
      VIGIL_ASSIGN_OR_RETURN(auto child, ParseUnary(depth + 1));
      auto node = std::make_shared<FilterNode>();
      node->kind = NodeKind::kNot;
      node->children = {std::move(child)};
      return std::shared_ptr<const FilterNode>(std::move(node));
    }
    if (Peek().kind == TokenKind::kLParen) {
      Take();
      VIGIL_ASSIGN_OR_RETURN(auto inner, ParseOr(depth + 1));
      VIGIL_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "')'"));
      return inner;
    }
    if (Peek().kind == TokenKind::kName && Peek(1).kind == TokenKind::kLParen) {
      return ParseFunction();
    }
    return ParseComparison();
  }

  Result<std::shared_ptr<const FilterNode>> ParseFunction() {
    const Token name = Take();
    auto node = std::make_shared<FilterNode>();
    node->kind = NodeKind::kFunction;
    const std::string lower = ToLower(name.text);
    if (lower == "startswith") {
      node->function = Function::kStartsWith;
    } else if (lower == "endswith") {
      node->function = Function::kEndsWith;
    } else if (lower == "contains") {
      node->function = Function::kContains;
    } else {
      return Error(name.pos, fmt::format("unsupported function '{}'", name.text));
    }
    Take();  // '('
    VIGIL_ASSIGN_OR_RETURN(Operand first, ParseOperand());
    VIGIL_RETURN_IF_ERROR(Expect(TokenKind::kComma, "','"));
    VIGIL_ASSIGN_OR_RETURN(Operand second, ParseOperand());
    VIGIL_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "')'"));
    node->operands = {std::move(first), std::move(second)};
    // Optional "eq true" / "eq false" / "ne ...".
    if (PeekKeyword("eq") || PeekKeyword("ne")) {
      const bool negate = PeekKeyword("ne");
      Take();
      const Token value = Take();
      if (value.kind != TokenKind::kName ||
          !(EqualsIgnoreCase(value.text, "true") || EqualsIgnoreCase(value.text, "false"))) {
        return Error(value.pos, "expected true or false after a function");
      }
      node->expect = EqualsIgnoreCase(value.text, "true") != negate;
    }
    return std::shared_ptr<const FilterNode>(std::move(node));
  }

  Result<std::shared_ptr<const FilterNode>> ParseComparison() {
    VIGIL_ASSIGN_OR_RETURN(Operand left, ParseOperand());
    auto node = std::make_shared<FilterNode>();
    if (PeekKeyword("in")) {
      Take();
      node->kind = NodeKind::kIn;
      node->operands.push_back(std::move(left));
      VIGIL_RETURN_IF_ERROR(Expect(TokenKind::kLParen, "'(' after in"));
      while (true) {
        VIGIL_ASSIGN_OR_RETURN(Operand item, ParseOperand());
        if (item.is_field) {
          return Error(Peek().pos, "expected a literal in the in (...) list");
        }
        node->operands.push_back(std::move(item));
        if (node->operands.size() > 1000) {
          return Error(Peek().pos, "in (...) list longer than 1000 values");
        }
        if (Peek().kind == TokenKind::kComma) {
          Take();
          continue;
        }
        VIGIL_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "')' or ','"));
        break;
      }
      return std::shared_ptr<const FilterNode>(std::move(node));
    }
    static constexpr std::pair<std::string_view, CompareOp> kOps[] = {
        {"eq", CompareOp::kEq}, {"ne", CompareOp::kNe}, {"gt", CompareOp::kGt},
        {"ge", CompareOp::kGe}, {"lt", CompareOp::kLt}, {"le", CompareOp::kLe}};
    for (const auto& [word, op] : kOps) {
      if (PeekKeyword(word)) {
        Take();
        VIGIL_ASSIGN_OR_RETURN(Operand right, ParseOperand());
        node->kind = NodeKind::kCompare;
        node->op = op;
        node->operands = {std::move(left), std::move(right)};
        return std::shared_ptr<const FilterNode>(std::move(node));
      }
    }
    if (left.is_field) {  // a bool field alone: "isActive"
      node->kind = NodeKind::kBoolOperand;
      node->operands = {std::move(left)};
      return std::shared_ptr<const FilterNode>(std::move(node));
    }
    return Error(Peek().pos,
                 fmt::format("expected a comparison operator but found '{}'", Peek().text));
  }

  Result<Operand> ParseOperand() {
    const Token token = Take();
    Operand operand;
    switch (token.kind) {
      case TokenKind::kString:
        operand.literal = JsonValue::String(token.text);
        if (LooksLikeDate(token.text)) {
          operand.ticks = ParseODataDateTime(token.text);
        }
        return operand;
      case TokenKind::kDate:
        operand.ticks = ParseODataDateTime(token.text);
        if (!operand.ticks) {
          return Error(token.pos, fmt::format("invalid datetime '{}'", token.text));
        }
        operand.literal = JsonValue::String(token.text);
        return operand;
      case TokenKind::kNumber: {
        int64_t integer = 0;
        const char* begin = token.text.data() + (token.text[0] == '+' ? 1 : 0);
        const char* end = token.text.data() + token.text.size();
        if (auto [ptr, ec] = std::from_chars(begin, end, integer);
            ec == std::errc() && ptr == end) {
          operand.literal = JsonValue::Int(integer);
          return operand;
        }
        char* parse_end = nullptr;
        const double number = std::strtod(token.text.c_str(), &parse_end);
        if (parse_end != token.text.c_str() + token.text.size()) {
          return Error(token.pos, fmt::format("invalid number '{}'", token.text));
        }
        operand.literal = JsonValue::Number(number);
        return operand;
      }
      case TokenKind::kName: {
        if (EqualsIgnoreCase(token.text, "null")) {
          return operand;
        }
        if (EqualsIgnoreCase(token.text, "true") || EqualsIgnoreCase(token.text, "false")) {
          operand.literal = JsonValue::Bool(EqualsIgnoreCase(token.text, "true"));
          return operand;
        }
        static constexpr std::string_view kReserved[] = {"and", "or", "not", "eq", "ne",
                                                         "gt",  "ge", "lt",  "le", "in"};
        for (std::string_view word : kReserved) {
          if (EqualsIgnoreCase(token.text, word)) {
            return Error(token.pos,
                         fmt::format("expected a field or a value but found '{}'", token.text));
          }
        }
        if (!fields_.empty()) {
          const std::string_view head =
              std::string_view(token.text).substr(0, token.text.find('/'));
          const bool known = std::any_of(fields_.begin(), fields_.end(),
                                         [&](const auto& f) { return EqualsIgnoreCase(f, head); });
          if (!known) {
            return InvalidArgumentError("invalid $filter: unknown field '{}' at position {}",
                                        token.text, token.pos + 1);
          }
        }
        operand.is_field = true;
        operand.field = token.text;
        return operand;
      }
      default:
        return Error(token.pos,
                     fmt::format("expected a field or a value but found '{}'", token.text));
    }
  }

  std::string_view text_;
  const std::vector<std::string>& fields_;
  std::vector<Token> tokens_;
  size_t next_ = 0;
};

int CompareText(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const char x = Lower(a[i]);
    const char y = Lower(b[i]);
    if (x != y) {
      return x < y ? -1 : 1;
    }
  }
  if (a.size() == b.size()) {
    return 0;
  }
  return a.size() < b.size() ? -1 : 1;
}

const JsonValue kNull;

const JsonValue& Resolve(const Operand& operand, const JsonValue& record) {
  if (!operand.is_field) {
    return operand.literal;
  }
  const JsonValue* value = Lookup(record, operand.field);
  return value != nullptr ? *value : kNull;
}

// -2 = not comparable.
int CompareOperands(const Operand& a_op, const Operand& b_op, const JsonValue& record) {
  const JsonValue& a = Resolve(a_op, record);
  const JsonValue& b = Resolve(b_op, record);
  if (a.is_null() || b.is_null()) {
    return (a.is_null() && b.is_null()) ? 0 : -2;
  }
  std::optional<int64_t> a_ticks = a_op.ticks;
  std::optional<int64_t> b_ticks = b_op.ticks;
  if (a_ticks || b_ticks) {
    if (!a_ticks && a.is_string() && LooksLikeDate(a.string_value())) {
      a_ticks = ParseODataDateTime(a.string_value());
    }
    if (!b_ticks && b.is_string() && LooksLikeDate(b.string_value())) {
      b_ticks = ParseODataDateTime(b.string_value());
    }
    if (a_ticks && b_ticks) {
      return *a_ticks == *b_ticks ? 0 : (*a_ticks < *b_ticks ? -1 : 1);
    }
  }
  if (a.kind() != b.kind()) {
    return -2;
  }
  return CompareForOrder(a, b);
}

bool Evaluate(const FilterNode& node, const JsonValue& record) {
  switch (node.kind) {
    case NodeKind::kOr:
      return Evaluate(*node.children[0], record) || Evaluate(*node.children[1], record);
    case NodeKind::kAnd:
      return Evaluate(*node.children[0], record) && Evaluate(*node.children[1], record);
    case NodeKind::kNot:
      return !Evaluate(*node.children[0], record);
    case NodeKind::kBoolOperand: {
      const JsonValue& value = Resolve(node.operands[0], record);
      return value.kind() == JsonValue::Kind::kBool && value.bool_value();
    }
    case NodeKind::kIn:
      for (size_t i = 1; i < node.operands.size(); ++i) {
        if (CompareOperands(node.operands[0], node.operands[i], record) == 0) {
          return true;
        }
      }
      return false;
    case NodeKind::kFunction: {
      const JsonValue& a = Resolve(node.operands[0], record);
      const JsonValue& b = Resolve(node.operands[1], record);
      if (!a.is_string() || !b.is_string()) {
        return !node.expect;
      }
      const std::string hay = ToLower(a.string_value());
      const std::string needle = ToLower(b.string_value());
      bool result = false;
      switch (node.function) {
        case Function::kStartsWith:
          result = hay.compare(0, needle.size(), needle) == 0 && hay.size() >= needle.size();
          break;
        case Function::kEndsWith:
          result = hay.size() >= needle.size() &&
                   hay.compare(hay.size() - needle.size(), needle.size(), needle) == 0;
          break;
        case Function::kContains:
          result = hay.find(needle) != std::string::npos;
          break;
      }
      return result == node.expect;
    }
    case NodeKind::kCompare: {
      const int cmp = CompareOperands(node.operands[0], node.operands[1], record);
      switch (node.op) {
        case CompareOp::kEq:
          return cmp == 0;
        case CompareOp::kNe:
          return cmp != 0;
        case CompareOp::kGt:
          return cmp == 1;
        case CompareOp::kGe:
          return cmp == 0 || cmp == 1;
        case CompareOp::kLt:
          return cmp == -1;
        case CompareOp::kLe:
          return cmp == 0 || cmp == -1;
      }
      return false;
    }
  }
  return false;
}

}  // namespace

Result<Filter> Filter::Parse(std::string_view text, const std::vector<std::string>& fields) {
  if (text.size() > kMaxFilterBytes) {
    return InvalidArgumentError("invalid $filter: longer than {} bytes", kMaxFilterBytes);
  }
  Parser parser(text, fields);
  VIGIL_ASSIGN_OR_RETURN(auto root, parser.Run());
  Filter filter;
  filter.root_ = std::move(root);
  return filter;
}

bool Filter::Matches(const JsonValue& record) const {
  return root_ == nullptr || Evaluate(*root_, record);
}

const JsonValue* Lookup(const JsonValue& record, std::string_view path) {
  const JsonValue* current = &record;
  while (current != nullptr) {
    const size_t slash = path.find('/');
    const std::string_view head = path.substr(0, slash);
    if (current->kind() != JsonValue::Kind::kObject) {
      return nullptr;
    }
    current = current->FindCaseless(head);
    if (slash == std::string_view::npos) {
      return current;
    }
    path.remove_prefix(slash + 1);
  }
  return nullptr;
}

namespace {

// Severity-like enum values (severity, riskScore, exposureLevel) order by rank, not by
// spelling: a queue sorted by severity puts High above Medium above Low.
int SeverityRank(std::string_view text) {
  static constexpr std::pair<std::string_view, int> kRanks[] = {
      {"unspecified", 0}, {"none", 0}, {"informational", 1}, {"low", 2}, {"medium", 3},
      {"high", 4}};
  for (const auto& [name, rank] : kRanks) {
    if (text.size() == name.size() &&
        std::equal(text.begin(), text.end(), name.begin(), [](char x, char y) {
          return (x >= 'A' && x <= 'Z' ? static_cast<char>(x + 32) : x) == y;
        })) {
      return rank;
    }
  }
  return -1;
}

}  // namespace

int CompareForOrder(const JsonValue& a, const JsonValue& b) {
  if (a.kind() != b.kind()) {
    return static_cast<int>(a.kind()) < static_cast<int>(b.kind()) ? -1 : 1;
  }
  switch (a.kind()) {
    case JsonValue::Kind::kNull:
      return 0;
    case JsonValue::Kind::kBool:
      return a.bool_value() == b.bool_value() ? 0 : (a.bool_value() ? 1 : -1);
    case JsonValue::Kind::kNumber: {
      if (a.is_int() && b.is_int()) {
        return a.int_value() == b.int_value() ? 0 : (a.int_value() < b.int_value() ? -1 : 1);
      }
      const double x = a.number_value();
      const double y = b.number_value();
      return x == y ? 0 : (x < y ? -1 : 1);
    }
    case JsonValue::Kind::kString: {
      const int x = SeverityRank(a.string_value());
      const int y = SeverityRank(b.string_value());
      if (x >= 0 && y >= 0) {
        return x == y ? 0 : (x < y ? -1 : 1);
      }
      return CompareText(a.string_value(), b.string_value());
    }
    default:
      return 0;  // arrays and objects do not order
  }
}

}  // namespace vigil::api::odata

// Scalar expressions: precedence climbing from `or` down to primaries. See parser_impl.h.
#include <utility>

#include "vigil/kql/syntax/parser_impl.h"

namespace vigil::kql::internal {
namespace {

ExprPtr MakeBinary(std::string op, ExprPtr left, ExprPtr right, Pos pos) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kBinary;
  e->op = std::move(op);
  e->pos = pos;
  e->args = {std::move(left), std::move(right)};
  return e;
}

// String and set operators that also have a `!` form.
constexpr std::string_view kWordOperators[] = {
    "has",      "has_cs",      "hasprefix",  "hasprefix_cs",  "hassuffix", "hassuffix_cs",
    "contains", "contains_cs", "startswith", "startswith_cs", "endswith",  "endswith_cs",
    "in",       "has_any",     "has_all",    "between",       "containscs"};

bool IsWordOperator(std::string_view word) {
  for (const std::string_view op : kWordOperators) {
    if (op == word) {
      return true;
    }
  }
  return false;
}

// Words that cannot start an expression (clause keywords), so `summarize by` reports an error
// instead of grouping by a column named `by`.
bool IsReservedAtExprStart(std::string_view lower) {
  return lower == "by" || lower == "and" || lower == "or" || lower == "let" || lower == "on";
}

bool IsTypedLiteralName(std::string_view lower) {
  return lower == "datetime" || lower == "date" || lower == "timespan" || lower == "time" ||
         lower == "guid" || lower == "int" || lower == "long" || lower == "real" ||
         lower == "double" || lower == "decimal" || lower == "bool" || lower == "boolean";
}

}  // namespace

ExprPtr Parser::ParseExpr() {
  ExprPtr left = ParseAnd();
  while (left && AtWord("or")) {
    const Pos pos = PosOf(cur_);
    Advance();
    ExprPtr right = ParseAnd();
    if (!right) {
      return nullptr;
    }
    left = MakeBinary("or", std::move(left), std::move(right), pos);
  }
  return left;
}

ExprPtr Parser::ParseAnd() {
  ExprPtr left = ParseComparison();
  while (left && AtWord("and")) {
    const Pos pos = PosOf(cur_);
    Advance();
    ExprPtr right = ParseComparison();
    if (!right) {
      return nullptr;
    }
    left = MakeBinary("and", std::move(left), std::move(right), pos);
  }
  return left;
}

std::optional<std::string> Parser::MatchStringOperator() {
  if (cur_.kind == TokKind::kPunct) {
    static constexpr std::string_view kCompare[] = {
        "==", "!=", "<>", "<", "<=", ">", ">=", "=~", "!~"};
    for (const std::string_view p : kCompare) {
      if (cur_.text == p) {
        Advance();
        return p == "<>" ? std::string("!=") : std::string(p);
      }
    }
    if (cur_.text == "=" && !Peek().IsPunct("=")) {
      // The reference parser accepts `where a = b` as a comparison; `name = expr` assignments
      // are recognised before an expression is parsed, so here `=` can only mean `==`.
      Advance();
      return std::string("==");
    }
    if (search_mode_ && cur_.text == ":") {
      Advance();
      return std::string(":");
    }
    if (cur_.text == "!") {
      const Token word = Peek();
      if (!Adjacent(cur_, word) || !IsWordOperator(ToLower(word.text)) ||
          word.kind != TokKind::kIdent) {
        return std::nullopt;
      }
      Advance();
      std::string op = "!" + ToLower(cur_.text);
      const Token tilde = Peek();
      if (op == "!in" && tilde.IsPunct("~") && Adjacent(cur_, tilde)) {
        Advance();
        op += "~";
      }
      Advance();
      if (op == "!containscs") {
        op = "!contains_cs";
      }
      return op;
    }
    return std::nullopt;
  }
  if (cur_.kind != TokKind::kIdent) {
    return std::nullopt;
  }
  std::string word = ToLower(cur_.text);
  if (word == "notcontains") {
    Advance();
    return std::string("!contains");
  }
  if (word == "notcontainscs") {
    Advance();
    return std::string("!contains_cs");
  }
  if (word == "notbetween") {
    Advance();
    return std::string("!between");
  }
  if (word == "matches" && Peek().IsWord("regex")) {
    Advance();
    Advance();
    return std::string("matches regex");
  }
  if (!IsWordOperator(word)) {
    return std::nullopt;
  }
  const Token tilde = Peek();
  if (word == "in" && tilde.IsPunct("~") && Adjacent(cur_, tilde)) {
    Advance();
    word += "~";
  }
  Advance();
  if (word == "containscs") {
    word = "contains_cs";
  }
  return word;
}

ExprPtr Parser::ParseComparison() {
  ExprPtr left = ParseAdditive();
  while (left && !Failed()) {
    const Pos pos = PosOf(cur_);
    std::optional<std::string> op = MatchStringOperator();
    if (!op || Failed()) {
      break;
    }
    ExprPtr right;
    const bool set_op = *op == "in" || *op == "!in" || *op == "in~" || *op == "!in~" ||
                        *op == "has_any" || *op == "has_all" || *op == "!has_any" ||
                        *op == "!has_all";
    if (*op == "between" || *op == "!between") {
      if (!ExpectPunct("(") || !Enter()) {
        return nullptr;
      }
      ExprPtr low = ParseAdditive();
      if (!low || !ExpectPunct("..")) {
        return nullptr;
      }
      ExprPtr high = ParseAdditive();
      Leave();
      if (!high || !ExpectPunct(")")) {
        return nullptr;
      }
      auto range = std::make_shared<Expr>();
      range->kind = ExprKind::kRange;
      range->pos = low->pos;
      range->args = {std::move(low), std::move(high)};
      right = std::move(range);
    } else if (set_op && AtPunct("(")) {
      right = ParseInList(PosOf(cur_));
    } else {
      right = ParseAdditive();
    }
    if (!right) {
      return nullptr;
    }
    left = MakeBinary(std::move(*op), std::move(left), std::move(right), pos);
  }
  return Failed() ? nullptr : left;
}

ExprPtr Parser::ParseInList(Pos pos) {
  if (!ExpectPunct("(") || !Enter()) {
    return nullptr;
  }
  auto list = std::make_shared<Expr>();
  list->kind = ExprKind::kList;
  list->pos = pos;
  while (!Failed() && !AtPunct(")")) {
    ExprPtr item = ParseTabularOrScalar();
    if (!item) {
      Leave();
      return nullptr;
    }
    list->args.push_back(std::move(item));
    if (!AcceptPunct(",")) {
      break;
    }
  }
  Leave();
  if (!ExpectPunct(")")) {
    return nullptr;
  }
  return list;
}

ExprPtr Parser::ParseAdditive() {
  ExprPtr left = ParseMultiplicative();
  while (left && (AtPunct("+") || AtPunct("-"))) {
    const Pos pos = PosOf(cur_);
    std::string op = cur_.text;
    Advance();
    ExprPtr right = ParseMultiplicative();
    if (!right) {
      return nullptr;
    }
    left = MakeBinary(std::move(op), std::move(left), std::move(right), pos);
  }
  return left;
}

ExprPtr Parser::ParseMultiplicative() {
  ExprPtr left = ParseUnary();
  while (left && (AtPunct("*") || AtPunct("/") || AtPunct("%"))) {
    const Pos pos = PosOf(cur_);
    std::string op = cur_.text;
    Advance();
    ExprPtr right = ParseUnary();
    if (!right) {
      return nullptr;
    }
    left = MakeBinary(std::move(op), std::move(left), std::move(right), pos);
  }
  return left;
}

ExprPtr Parser::ParseUnary() {
  if (!AtPunct("-") && !AtPunct("+")) {
    return ParsePostfix();
  }
  const Pos pos = PosOf(cur_);
  const std::string op = cur_.text;
  if (!Enter()) {
    return nullptr;
  }
  Advance();
  ExprPtr operand = ParseUnary();
  Leave();
  if (!operand) {
    return nullptr;
  }
  if (operand->kind == ExprKind::kLiteral && !operand->literal.is_null()) {
    const Value& v = operand->literal;
    if (op == "+" && (v.is_number() || v.kind() == Kind::kTimeSpan)) {
      return operand;
    }
    if (v.kind() == Kind::kLong && v.AsInt64() != INT64_MIN) {
      return MakeLiteral(Value::Long(-v.AsInt64()), operand->literal_type, pos);
    }
    if (v.kind() == Kind::kInt && v.AsInt64() != INT32_MIN) {
      return MakeLiteral(Value::Int(-v.AsInt64()), operand->literal_type, pos);
    }
    if (v.kind() == Kind::kReal) {
      return MakeLiteral(Value::Real(-v.AsReal()), operand->literal_type, pos);
    }
    if (v.kind() == Kind::kTimeSpan && v.AsInt64() != INT64_MIN) {
      return MakeLiteral(Value::TimeSpan(-v.AsInt64()), operand->literal_type, pos);
    }
  }
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kUnary;
  e->op = op;
  e->pos = pos;
  e->args = {std::move(operand)};
  return e;
}

ExprPtr Parser::ParsePostfix() {
  ExprPtr expr = ParsePrimary();
  while (expr && !Failed()) {
    if (AtPunct(".")) {
      const Pos pos = PosOf(cur_);
      Advance();
      std::string member;
      if (cur_.kind == TokKind::kIdent) {
        member = cur_.text;
        Advance();
      } else if (AtPunct("[") && Peek().kind == TokKind::kString &&
                 PeekAfter(Peek()).IsPunct("]")) {
        if (!ParseNameToken(member)) {
          return nullptr;
        }
      } else if (AtPunct("[")) {
        continue;  // `.[expr]` is an index
      } else {
        FailExpected("member name");
        return nullptr;
      }
      if (AtPunct("(")) {
        // Method-call form `cluster('c').database('d')`: kCall named after the member, with
        // the object as its first argument.
        Expr call;
        call.kind = ExprKind::kCall;
        call.name = std::move(member);
        call.pos = pos;
        call.args.push_back(std::move(expr));
        expr = ParseCallArgs(std::move(call));
        continue;
      }
      auto e = std::make_shared<Expr>();
      e->kind = ExprKind::kMember;
      e->pos = pos;
      e->name = std::move(member);
      e->args = {std::move(expr)};
      expr = std::move(e);
    } else if (AtPunct("[")) {
      const Pos pos = PosOf(cur_);
      if (!Enter()) {
        return nullptr;
      }
      Advance();
      ExprPtr index = ParseExpr();
      Leave();
      if (!index || !ExpectPunct("]")) {
        return nullptr;
      }
      auto e = std::make_shared<Expr>();
      e->kind = ExprKind::kIndex;
      e->pos = pos;
      e->args = {std::move(expr), std::move(index)};
      expr = std::move(e);
    } else {
      break;
    }
  }
  return Failed() ? nullptr : expr;
}

ExprPtr Parser::ParseCallArgs(Expr call) {
  if (!ExpectPunct("(") || !Enter()) {
    return nullptr;
  }
  while (!Failed() && !AtPunct(")")) {
    ExprPtr arg;
    if (cur_.kind == TokKind::kIdent && Peek().IsPunct("=")) {
      // Named argument `name = value` (invoke/evaluate): kBinary "=" with a kName left side.
      const Pos pos = PosOf(cur_);
      ExprPtr name = MakeName(cur_.text, pos);
      Advance();
      Advance();
      ExprPtr value = ParseTabularOrScalar();
      if (value) {
        arg = MakeBinary("=", std::move(name), std::move(value), pos);
      }
    } else {
      arg = ParseTabularOrScalar();
    }
    if (!arg) {
      Leave();
      return nullptr;
    }
    call.args.push_back(std::move(arg));
    if (!AcceptPunct(",")) {
      break;
    }
  }
  Leave();
  if (!ExpectPunct(")")) {
    return nullptr;
  }
  return std::make_shared<Expr>(std::move(call));
}

ExprPtr Parser::ParsePrimary() {
  const Pos pos = PosOf(cur_);
  switch (cur_.kind) {
    case TokKind::kInt: {
      ExprPtr e = MakeLiteral(Value::Long(cur_.int_value), Type::kLong, pos);
      Advance();
      return e;
    }
    case TokKind::kReal: {
      ExprPtr e = MakeLiteral(Value::Real(cur_.real_value), Type::kReal, pos);
      Advance();
      return e;
    }
    case TokKind::kTimeSpan: {
      ExprPtr e = MakeLiteral(Value::TimeSpan(cur_.int_value), Type::kTimeSpan, pos);
      Advance();
      return e;
    }
    case TokKind::kString: {
      std::string text = cur_.text;
      Advance();
      while (cur_.kind == TokKind::kString && !Failed()) {  // adjacent literals concatenate
        text += cur_.text;
        Advance();
      }
      return Failed() ? nullptr : MakeLiteral(Value::String(std::move(text)), Type::kString, pos);
    }
    case TokKind::kIdent:
      break;
    case TokKind::kPunct:
      if (AtPunct("(")) {
        if (!Enter()) {
          return nullptr;
        }
        Advance();
        ExprPtr inner = ParseTabularOrScalar();
        Leave();
        if (!inner || !ExpectPunct(")")) {
          return nullptr;
        }
        return inner;
      }
      if (AtPunct("[") && Peek().kind == TokKind::kString) {
        std::string name;
        if (!ParseNameToken(name)) {
          return nullptr;
        }
        return MakeName(std::move(name), pos);
      }
      if (AtPunct("*")) {
        Advance();
        auto e = std::make_shared<Expr>();
        e->kind = ExprKind::kStar;
        e->pos = pos;
        return e;
      }
      [[fallthrough]];
    default:
      if (prev_text_.empty()) {
        Fail("KQL0012", "expected expression, found " + Describe(cur_), cur_);
      } else {
        Fail("KQL0012", "expected expression after '" + prev_text_ + "'", cur_);
      }
      return nullptr;
  }
  const std::string lower = ToLower(cur_.text);
  if (IsReservedAtExprStart(lower)) {
    Fail("KQL0012", "expected expression after '" + prev_text_ + "'", cur_);
    return nullptr;
  }
  const Token next = Peek();
  if (!next.IsPunct("(")) {
    if (lower == "true" || lower == "false") {
      Advance();
      return MakeLiteral(Value::Bool(lower == "true"), Type::kBool, pos);
    }
    ExprPtr name = MakeName(cur_.text, pos);
    Advance();
    return name;
  }
  const Token name_tok = cur_;
  if (lower == "dynamic") {
    return ParseDynamicLiteral(name_tok);
  }
  if (IsTypedLiteralName(lower)) {
    return ParseTypedLiteral(lower, name_tok);
  }
  Expr call;
  call.kind = ExprKind::kCall;
  call.name = cur_.text;
  call.pos = pos;
  Advance();
  return ParseCallArgs(std::move(call));
}

}  // namespace vigil::kql::internal

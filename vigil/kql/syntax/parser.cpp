// ParseScript: statements, let functions and pipelines. Expressions are in parser_expr.cpp,
// literals in parser_literal.cpp, tabular operators in parser_ops.cpp and parser_ops2.cpp.
#include "vigil/kql/syntax/parser.h"

#include <utility>

#include "vigil/kql/syntax/parser_impl.h"

namespace vigil::kql {
namespace internal {

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

ExprPtr MakeName(std::string name, Pos pos) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kName;
  e->name = std::move(name);
  e->pos = pos;
  return e;
}

ExprPtr MakeLiteral(Value value, Type type, Pos pos) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kLiteral;
  e->literal = std::move(value);
  e->literal_type = type;
  e->pos = pos;
  return e;
}

ExprPtr MakeTabular(PipelinePtr pipeline, Pos pos) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kTabular;
  e->pipeline = std::move(pipeline);
  e->pos = pos;
  return e;
}

Parser::Parser(std::string_view text) : lexer_(text) {
  cur_ = lexer_.Lex(0);
  if (cur_.kind == TokKind::kError) {
    Fail(cur_.error_code, cur_.text, cur_);
  }
}

void Parser::Advance() {
  if (Failed() || cur_.kind == TokKind::kEnd) {
    return;
  }
  prev_text_ = cur_.kind == TokKind::kString
                   ? "string literal"
                   : std::string(lexer_.text().substr(cur_.begin, cur_.end - cur_.begin));
  prev_end_ = cur_.end;
  cur_ = lexer_.Lex(cur_.end);
  if (cur_.kind == TokKind::kError) {
    Fail(cur_.error_code, cur_.text, cur_);
  }
}

void Parser::Restore(State s) {
  cur_ = std::move(s.cur);
  prev_text_ = std::move(s.prev_text);
}

bool Parser::AcceptPunct(std::string_view p) {
  if (!AtPunct(p)) {
    return false;
  }
  Advance();
  return true;
}

bool Parser::AcceptWord(std::string_view w) {
  if (!AtWord(w)) {
    return false;
  }
  Advance();
  return true;
}

bool Parser::ExpectPunct(std::string_view p) {
  if (AcceptPunct(p)) {
    return !Failed();
  }
  FailExpected("'" + std::string(p) + "'");
  return false;
}

bool Parser::ExpectWord(std::string_view w) {
  if (AcceptWord(w)) {
    return !Failed();
  }
  FailExpected("'" + std::string(w) + "'");
  return false;
}

bool Parser::AtClauseEnd() const {
  return cur_.kind == TokKind::kEnd || AtPunct("|") || AtPunct(";") || AtPunct(")") ||
         AtPunct("]") || AtPunct("}");
}

std::string Parser::Describe(const Token& tok) const {
  switch (tok.kind) {
    case TokKind::kEnd:
      return "end of input";
    case TokKind::kString:
      return "string literal";
    default:
      return "'" + std::string(lexer_.text().substr(tok.begin, tok.end - tok.begin)) + "'";
  }
}

void Parser::Fail(std::string code, std::string message, const Token& at) {
  if (error_) {
    return;
  }
  error_ = KqlError{std::move(code), std::move(message), lexer_.PosOf(at.begin)};
}

void Parser::FailExpected(std::string_view what) {
  if (prev_text_.empty()) {
    Fail("KQL0004", "expected " + std::string(what) + ", found " + Describe(cur_), cur_);
    return;
  }
  Fail("KQL0004",
       "expected " + std::string(what) + " after '" + prev_text_ + "', found " + Describe(cur_),
       cur_);
}

bool Parser::Enter() {
  if (++depth_ > kMaxDepth) {
    Fail("KQL0006",
         "query is nested too deeply (more than " + std::to_string(kMaxDepth) + " levels)", cur_);
    return false;
  }
  return !Failed();
}

std::optional<Script> Parser::ParseScriptText() {
  Script script;
  while (!Failed()) {
    while (AcceptPunct(";")) {
    }
    if (Failed() || cur_.kind == TokKind::kEnd) {
      break;
    }
    StatementPtr stmt = ParseStatement();
    if (!stmt) {
      break;
    }
    script.statements.push_back(std::move(stmt));
    if (cur_.kind != TokKind::kEnd && !AtPunct(";")) {
      Fail("KQL0001", "unexpected " + Describe(cur_) + ", expected ';' or end of query", cur_);
    }
  }
  if (!Failed() && script.statements.empty()) {
    Fail("KQL0013", "empty query", cur_);
  }
  if (Failed()) {
    return std::nullopt;
  }
  return script;
}

StatementPtr Parser::ParseStatement() {
  auto stmt = std::make_shared<Statement>();
  stmt->pos = PosOf(cur_);
  if (AtWord("let")) {
    Advance();
    if (!ParseNameToken(stmt->name) || !ExpectPunct("=")) {
      return nullptr;
    }
    if (AtWord("view") && Peek().IsPunct("(")) {
      Advance();
    }
    bool is_function = false;
    if (AtPunct("(")) {
      const Token next = Peek();
      if (next.IsPunct(")")) {
        is_function = PeekAfter(next).IsPunct("{");
      } else if (next.kind == TokKind::kIdent) {
        is_function = PeekAfter(next).IsPunct(":");
      } else if (next.IsPunct("[")) {
        const Token quoted = PeekAfter(next);
        is_function = quoted.kind == TokKind::kString && PeekAfter(PeekAfter(quoted)).IsPunct(":");
      }
    }
    if (is_function) {
      stmt->kind = Statement::Kind::kLetFunction;
      if (!ParseFunctionParams(stmt->params) || !ParseFunctionBody(*stmt)) {
        return nullptr;
      }
      return stmt;
    }
    stmt->kind = Statement::Kind::kLet;
    stmt->value = ParseTabularOrScalar();
    return stmt->value ? stmt : nullptr;
  }
  if (AtWord("set") && Peek().kind == TokKind::kIdent) {
    Advance();
    stmt->kind = Statement::Kind::kSet;
    stmt->name = cur_.text;
    Advance();
    while (AtPunct(".") && Peek().kind == TokKind::kIdent) {  // dotted option names
      Advance();
      stmt->name += "." + cur_.text;
      Advance();
    }
    if (AcceptPunct("=")) {
      stmt->value = ParseExpr();
      if (!stmt->value) {
        return nullptr;
      }
    }
    return Failed() ? nullptr : stmt;
  }
  if (AtWord("declare") && Peek().IsWord("query_parameters")) {
    Advance();
    Advance();
    stmt->kind = Statement::Kind::kDeclare;
    if (!AtPunct("(")) {
      FailExpected("'('");
      return nullptr;
    }
    return ParseFunctionParams(stmt->params) ? stmt : nullptr;
  }
  stmt->kind = Statement::Kind::kQuery;
  ExprPtr value = ParseTabularOrScalar();
  if (!value) {
    return nullptr;
  }
  if (value->kind == ExprKind::kName || value->kind == ExprKind::kCall) {
    value = MakeTabular(WrapSource(value, value->pos), value->pos);
  }
  stmt->value = std::move(value);
  return stmt;
}

bool Parser::ParseFunctionParams(std::vector<FunctionParam>& params) {
  if (!ExpectPunct("(")) {
    return false;
  }
  while (!Failed() && !AtPunct(")")) {
    FunctionParam param;
    if (!ParseNameToken(param.name) || !ExpectPunct(":")) {
      return false;
    }
    if (AtPunct("(")) {
      param.tabular = true;
      if (!ParseSchema(param.tabular_schema)) {
        return false;
      }
    } else if (!ParseTypeName(param.type)) {
      return false;
    }
    if (AcceptPunct("=")) {
      param.default_value = ParseExpr();
      if (!param.default_value) {
        return false;
      }
    }
    params.push_back(std::move(param));
    if (!AcceptPunct(",")) {
      break;
    }
  }
  return ExpectPunct(")");
}

bool Parser::ParseFunctionBody(Statement& stmt) {
  if (!ExpectPunct("{") || !Enter()) {
    return false;
  }
  std::vector<StatementPtr> items;
  while (!Failed()) {
    while (AcceptPunct(";")) {
    }
    if (AtPunct("}") || Failed()) {
      break;
    }
    StatementPtr item = ParseStatement();
    if (!item) {
      break;
    }
    items.push_back(std::move(item));
    if (!AtPunct(";") && !AtPunct("}")) {
      FailExpected("';' or '}'");
    }
  }
  Leave();
  if (Failed()) {
    return false;
  }
  if (items.empty() || items.back()->kind != Statement::Kind::kQuery) {
    Fail("KQL0012", "expected expression at the end of the function body", cur_);
    return false;
  }
  stmt.value = items.back()->value;
  items.pop_back();
  stmt.body = std::move(items);
  return ExpectPunct("}");
}

bool Parser::StartsSourceOperator() const {
  if (cur_.kind != TokKind::kIdent) {
    return false;
  }
  const std::string word = ToLower(cur_.text);
  const Token next = Peek();
  if (word == "union" || word == "print") {
    return !next.IsPunct("=") && !next.IsPunct("==");
  }
  if (word == "datatable" || word == "externaldata" || word == "external_data") {
    return next.IsPunct("(");
  }
  if (word == "range") {
    return next.kind == TokKind::kIdent && PeekAfter(next).IsWord("from");
  }
  if (word == "search") {
    return !next.IsPunct("(") && !next.IsPunct("=") && !next.IsPunct("==") && !next.IsPunct("|") &&
           next.kind != TokKind::kEnd;
  }
  if (word == "find") {
    if (next.kind == TokKind::kString || next.IsPunct("*")) {
      return true;  // short form: find "term", find * has "x"
    }
    if (next.kind == TokKind::kIdent && !next.IsWord("in") && !next.IsWord("where")) {
      const Token after = PeekAfter(next);  // short form: find Col == "x", find Col has "x"
      if (after.IsPunct("==") || after.IsPunct("!=") || after.IsPunct("=~") ||
          after.IsPunct("!~") || after.IsPunct("<") || after.IsPunct(">") ||
          after.IsPunct("<=") || after.IsPunct(">=") || after.IsPunct(":") ||
          (after.kind == TokKind::kIdent && !after.IsWord("with"))) {
        return !next.IsWord("withsource") && !next.IsWord("with_source");
      }
    }
    return next.IsWord("in") || next.IsWord("where") || next.IsWord("withsource") ||
           next.IsWord("with_source") || next.IsWord("datascope");
  }
  return false;
}

PipelinePtr Parser::WrapSource(ExprPtr source, Pos pos) {
  auto pipeline = std::make_shared<Pipeline>();
  pipeline->pos = pos;
  Operator op;
  op.kind = OpKind::kSource;
  op.pos = pos;
  op.source = std::move(source);
  pipeline->ops.push_back(std::move(op));
  return pipeline;
}

ExprPtr Parser::ParseTabularOrScalar() {
  if (!Enter()) {
    return nullptr;
  }
  const Pos pos = PosOf(cur_);
  auto pipeline = std::make_shared<Pipeline>();
  pipeline->pos = pos;
  if (StartsSourceOperator()) {
    Operator op;
    if (!ParseSourceOperator(op)) {
      Leave();
      return nullptr;
    }
    pipeline->ops.push_back(std::move(op));
  } else {
    ExprPtr expr = ParseExpr();
    if (!expr || !AtPunct("|")) {
      Leave();
      return expr;
    }
    Operator op;
    op.kind = OpKind::kSource;
    op.pos = pos;
    op.source = std::move(expr);
    pipeline->ops.push_back(std::move(op));
  }
  const bool ok = ParsePipeTail(pipeline->ops);
  Leave();
  return ok ? MakeTabular(std::move(pipeline), pos) : nullptr;
}

bool Parser::ParsePipeTail(std::vector<Operator>& ops) {
  while (!Failed() && AcceptPunct("|")) {
    if (!ParseOperator(ops)) {
      return false;
    }
  }
  return !Failed();
}

PipelinePtr Parser::ParseSubquery() {
  if (!Enter()) {
    return nullptr;
  }
  auto pipeline = std::make_shared<Pipeline>();
  pipeline->pos = PosOf(cur_);
  AcceptPunct("|");
  const bool ok = ParseOperator(pipeline->ops) && ParsePipeTail(pipeline->ops);
  Leave();
  return ok ? pipeline : nullptr;
}

PipelinePtr Parser::ParseLegPipeline(bool allow_wildcard) {
  const Pos pos = PosOf(cur_);
  if (AtPunct("(")) {
    Advance();
    ExprPtr inner = ParseTabularOrScalar();
    if (!inner || !ExpectPunct(")")) {
      return nullptr;
    }
    if (inner->kind == ExprKind::kTabular) {
      return inner->pipeline;
    }
    return WrapSource(std::move(inner), pos);
  }
  const bool wildcard = AtPunct("*") || (cur_.kind == TokKind::kIdent && Peek().IsPunct("*") &&
                                         Adjacent(cur_, Peek()));
  if (allow_wildcard && wildcard) {
    std::string name;
    if (!ParseNamePattern(name)) {
      return nullptr;
    }
    return WrapSource(MakeName(std::move(name), pos), pos);
  }
  ExprPtr source = ParsePostfix();
  if (!source) {
    return nullptr;
  }
  return WrapSource(std::move(source), pos);
}

}  // namespace internal

tl::expected<Script, KqlError> ParseScript(std::string_view text) {
  internal::Parser parser(text);
  std::optional<Script> script = parser.ParseScriptText();
  if (!script) {
    if (parser.error()) {
      return tl::unexpected(*parser.error());
    }
    return tl::unexpected(KqlError{"KQL0001", "invalid query", Pos{}});
  }
  return std::move(*script);
}

}  // namespace vigil::kql

// Internal: the recursive-descent KQL parser behind ParseScript (parser.h). Split over
// parser.cpp (statements, pipelines), parser_expr.cpp (scalar expressions, literals) and
// parser_ops.cpp (tabular operators). One instance parses one text; not thread-safe.
// The first error wins: every method returns null/false once `error_` is set, and callers unwind.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/kql/error.h"
#include "vigil/kql/syntax/ast.h"
#include "vigil/kql/syntax/lexer.h"

namespace vigil::kql::internal {

inline constexpr int kMaxDepth = 200;

class Parser {
 public:
  explicit Parser(std::string_view text);

  std::optional<Script> ParseScriptText();
  const std::optional<KqlError>& error() const { return error_; }

  // --- token stream (parser.cpp) ---
  const Token& Cur() const { return cur_; }
  Token Peek() const { return lexer_.Lex(cur_.end); }
  Token PeekAfter(const Token& tok) const { return lexer_.Lex(tok.end); }
  void Advance();
  bool Failed() const { return error_.has_value(); }
  Pos PosOf(const Token& tok) const { return lexer_.PosOf(tok.begin); }
  // True if `next` starts right where `prev` ends (no space): `mv-expand`, `!has`, `in~`.
  static bool Adjacent(const Token& prev, const Token& next) { return prev.end == next.begin; }
  bool AtPunct(std::string_view p) const { return cur_.IsPunct(p); }
  bool AtWord(std::string_view w) const { return cur_.IsWord(w); }
  bool AcceptPunct(std::string_view p);
  bool AcceptWord(std::string_view w);
  bool ExpectPunct(std::string_view p);
  bool ExpectWord(std::string_view w);
  // Token where a statement or an operator's argument list ends: end, `|`, `;`, `)`, `]`, `}`.
  bool AtClauseEnd() const;
  void Fail(std::string code, std::string message, const Token& at);
  void FailExpected(std::string_view what);
  std::string Describe(const Token& tok) const;

  struct State {
    Token cur;
    std::string prev_text;
  };
  State Save() const { return {cur_, prev_text_}; }
  void Restore(State s);

  // Depth guard: returns false (and sets KQL0006) past kMaxDepth.
  bool Enter();
  void Leave() { --depth_; }

  // --- statements and pipelines (parser.cpp) ---
  StatementPtr ParseStatement();
  bool ParseFunctionParams(std::vector<FunctionParam>& params);
  bool ParseFunctionBody(Statement& stmt);
  // An expression where a tabular expression may also stand (statement, let value, call
  // argument, parenthesised item): returns kTabular when it has a pipe or a source operator.
  ExprPtr ParseTabularOrScalar();
  // `(` ... `)` or a bare name/call as a pipeline (join right side, union legs).
  PipelinePtr ParseLegPipeline(bool allow_wildcard);
  PipelinePtr WrapSource(ExprPtr source, Pos pos);
  // Operators after the source: `| op ...`*; appends to `ops`.
  bool ParsePipeTail(std::vector<Operator>& ops);
  // Operators of a subquery without a source (mv-apply, partition): `op ... | op ...`.
  PipelinePtr ParseSubquery();
  bool StartsSourceOperator() const;

  // --- tabular operators (parser_ops.cpp, parser_ops2.cpp) ---
  bool ParseOperator(std::vector<Operator>& ops);
  bool ParseSourceOperator(Operator& op);
  bool ParseParams(Operator& op, std::initializer_list<std::string_view> allowed);
  bool ParseNamedExprList(std::vector<NamedExpr>& out, bool stop_at_by);
  bool ParseNamedExpr(NamedExpr& out);
  bool ParseNamePatternList(std::vector<std::string>& out, bool allow_order);
  bool ParseNamePattern(std::string& out);
  bool ParseSortKeys(std::vector<SortKey>& out);
  bool ParseSortKey(SortKey& key);
  bool ParseSchema(std::vector<std::pair<std::string, Type>>& schema);
  bool ParseTypeName(Type& type);
  bool ParseJoin(Operator& op);
  bool ParseUnion(Operator& op);
  bool ParseMvExpand(Operator& op, bool apply);
  bool ParseParse(Operator& op);
  bool ParseParseKv(Operator& op);
  bool ParseMakeSeries(Operator& op);
  bool ParseTopNested(Operator& op);
  bool ParseSearch(Operator& op, bool find);
  bool ParseScan(Operator& op);  // parser_scan.cpp
  bool ParseFindProject(Operator& op);  // parser_scan.cpp: find ... project a[:type], pack_all()
  bool ParseDatatable(Operator& op);
  bool ParseExternalData(Operator& op);
  bool ParseRender(Operator& op);
  bool ParseWithProperties(Operator& op);
  bool ParseRangeSource(Operator& op);
  bool ParseNameToken(std::string& out);
  // Graph operators (parser_graph.cpp).
  bool ParseMakeGraph(Operator& op);
  bool ParseGraphMatch(Operator& op, bool shortest);
  bool ParseGraphPattern(std::vector<GraphElement>& pattern);
  bool ParseGraphHops(GraphElement& edge);
  bool ParseGraphMarkComponents(Operator& op);
  bool ParseGraphToTable(Operator& op);
  // Consumes balanced tokens up to the operator's end (unsupported operators); raw text out.
  bool SkipOperatorBody(std::string& text);  // identifier or ['quoted']
  bool ParseTableNameList(std::vector<PipelinePtr>& legs);

  // --- scalar expressions (parser_expr.cpp, parser_literal.cpp) ---
  ExprPtr ParseExpr();
  ExprPtr ParseAnd();
  ExprPtr ParseComparison();
  ExprPtr ParseAdditive();
  ExprPtr ParseMultiplicative();
  ExprPtr ParseUnary();
  ExprPtr ParsePostfix();
  ExprPtr ParsePrimary();
  ExprPtr ParseCallArgs(Expr call);
  ExprPtr ParseInList(Pos pos);
  ExprPtr ParseTypedLiteral(const std::string& lower, const Token& name_tok);
  ExprPtr ParseDynamicLiteral(const Token& name_tok);
  bool ParseDynamicValue(Value& out);
  // Raw text between `(` (current token) and the matching `)`, consumed.
  bool ReadRawParens(std::string& out);
  std::optional<std::string> MatchStringOperator();
  bool search_mode_ = false;  // `col:term` terms and `*` in search/find predicates

  Lexer lexer_;
  Token cur_;
  size_t prev_end_ = 0;    // end offset of the previous token
  std::string prev_text_;  // text of the previous token, for "expected expression after '...'"
  std::optional<KqlError> error_;
  int depth_ = 0;
};

ExprPtr MakeName(std::string name, Pos pos);
ExprPtr MakeLiteral(Value value, Type type, Pos pos);
ExprPtr MakeTabular(PipelinePtr pipeline, Pos pos);
std::string ToLower(std::string_view s);

}  // namespace vigil::kql::internal

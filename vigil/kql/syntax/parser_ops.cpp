// Tabular operators after `|`: the dispatch on the operator name, the simple operators and the
// shared pieces (parameters, named expressions, name patterns, sort keys, schemas).
// The larger operators are in parser_ops2.cpp.
#include <utility>

#include "vigil/kql/syntax/parser_impl.h"

namespace vigil::kql::internal {
namespace {

bool IsUnsupported(std::string_view name) {
  return name == "graph-merge" || name == "reduce" || name == "top-hitters" ||
         name == "project-smart" || name == "assert-schema" || name == "macro-expand";
}

}  // namespace

bool Parser::ParseNameToken(std::string& out) {
  if (cur_.kind == TokKind::kIdent) {
    out = cur_.text;
    Advance();
    return !Failed();
  }
  if (AtPunct("[") && Peek().kind == TokKind::kString) {
    Advance();
    out = cur_.text;
    Advance();
    return ExpectPunct("]");
  }
  FailExpected("a name");
  return false;
}

bool Parser::ParseParams(Operator& op, std::initializer_list<std::string_view> allowed) {
  while (!Failed() && cur_.kind == TokKind::kIdent) {
    // key: ident (. ident)* followed by `=`
    std::string key = ToLower(cur_.text);
    Token tok = Peek();
    int extra = 0;
    while (tok.IsPunct(".")) {
      const Token part = PeekAfter(tok);
      if (part.kind != TokKind::kIdent) {
        return !Failed();
      }
      key += "." + ToLower(part.text);
      tok = PeekAfter(part);
      extra += 2;
    }
    if (!tok.IsPunct("=")) {
      return !Failed();
    }
    bool ok = key.rfind("hint.", 0) == 0;
    for (const std::string_view a : allowed) {
      ok = ok || a == key;
    }
    if (!ok) {
      return !Failed();
    }
    for (int i = 0; i < extra + 2; ++i) {  // key tokens and `=`
      Advance();
    }
    std::string value;
    if (AtPunct("[") && Peek().kind == TokKind::kString) {
      // A bracketed name: `withsource=['Source table']`.
      if (!ParseNameToken(value)) {
        return false;
      }
      op.params.emplace_back(std::move(key), std::move(value));
      continue;
    }
    if (cur_.kind == TokKind::kString) {
      value = cur_.text;
    } else if (cur_.kind == TokKind::kIdent || cur_.kind == TokKind::kInt ||
               cur_.kind == TokKind::kReal || cur_.kind == TokKind::kTimeSpan) {
      value = std::string(lexer_.text().substr(cur_.begin, cur_.end - cur_.begin));
    } else {
      FailExpected("a value for '" + key + "'");
      return false;
    }
    Advance();
    op.params.emplace_back(std::move(key), std::move(value));
  }
  return !Failed();
}

bool Parser::ParseNamedExpr(NamedExpr& out) {
  out.pos = PosOf(cur_);
  if (AtPunct("(")) {  // tuple assignment `(a, b) = f(...)`
    const State saved = Save();
    Advance();
    std::vector<std::string> names;
    while (!Failed() && cur_.kind == TokKind::kIdent) {
      names.push_back(cur_.text);
      Advance();
      if (!AcceptPunct(",")) {
        break;
      }
    }
    if (!Failed() && AtPunct(")") && Peek().IsPunct("=") && !names.empty()) {
      Advance();
      Advance();
      out.names = std::move(names);
      out.expr = ParseExpr();
      return out.expr != nullptr;
    }
    if (Failed()) {
      return false;
    }
    Restore(saved);
  }
  if (cur_.kind == TokKind::kIdent && Peek().IsPunct("=")) {
    out.name = cur_.text;
    Advance();
    Advance();
  } else if (AtPunct("[")) {
    const Token str = Peek();
    const Token close = PeekAfter(str);
    if (str.kind == TokKind::kString && close.IsPunct("]") && PeekAfter(close).IsPunct("=")) {
      Advance();
      out.name = cur_.text;
      Advance();
      Advance();
      Advance();
    }
  }
  out.expr = ParseExpr();
  return out.expr != nullptr;
}

bool Parser::ParseNamedExprList(std::vector<NamedExpr>& out, bool stop_at_by) {
  while (!Failed()) {
    if (stop_at_by && AtWord("by")) {
      break;
    }
    NamedExpr item;
    if (!ParseNamedExpr(item)) {
      return false;
    }
    out.push_back(std::move(item));
    if (!AcceptPunct(",")) {
      break;
    }
  }
  return !Failed();
}

bool Parser::ParseNamePattern(std::string& out) {
  if (AtPunct("[")) {
    return ParseNameToken(out);
  }
  if (cur_.kind != TokKind::kIdent && !AtPunct("*")) {
    FailExpected("a column name");
    return false;
  }
  out = cur_.text;
  size_t end = cur_.end;
  Advance();
  while (!Failed() && cur_.begin == end &&
         (cur_.kind == TokKind::kIdent || AtPunct("*") || cur_.kind == TokKind::kInt)) {
    out += std::string(lexer_.text().substr(cur_.begin, cur_.end - cur_.begin));
    end = cur_.end;
    Advance();
  }
  return !Failed();
}

bool Parser::ParseNamePatternList(std::vector<std::string>& out, bool allow_order) {
  while (!Failed()) {
    std::string name;
    if (!ParseNamePattern(name)) {
      return false;
    }
    out.push_back(std::move(name));
    if (allow_order && (AtWord("asc") || AtWord("desc") || AtWord("granny-asc"))) {
      Advance();
    }
    if (!AcceptPunct(",")) {
      break;
    }
  }
  return !Failed();
}

bool Parser::ParseSortKey(SortKey& key) {
  key.expr = ParseExpr();
  if (!key.expr) {
    return false;
  }
  if (AcceptWord("asc")) {
    key.ascending = true;
  } else {
    AcceptWord("desc");
  }
  if (AcceptWord("nulls")) {
    if (AcceptWord("first")) {
      key.nulls = SortKey::Nulls::kFirst;
    } else if (!ExpectWord("last")) {
      return false;
    } else {
      key.nulls = SortKey::Nulls::kLast;
    }
  }
  return !Failed();
}

bool Parser::ParseSortKeys(std::vector<SortKey>& out) {
  while (!Failed()) {
    SortKey key;
    if (!ParseSortKey(key)) {
      return false;
    }
    out.push_back(std::move(key));
    if (!AcceptPunct(",")) {
      break;
    }
  }
  return !Failed();
}

bool Parser::ParseTypeName(Type& type) {
  if (cur_.kind != TokKind::kIdent) {
    FailExpected("a type name");
    return false;
  }
  const auto parsed = ::vigil::kql::ParseTypeName(ToLower(cur_.text));
  if (!parsed) {
    Fail("KQL0004", "expected a type name, found '" + cur_.text + "'", cur_);
    return false;
  }
  type = *parsed;
  Advance();
  return !Failed();
}

bool Parser::ParseSchema(std::vector<std::pair<std::string, Type>>& schema) {
  if (!ExpectPunct("(")) {
    return false;
  }
  if (AcceptPunct("*")) {
    return ExpectPunct(")");
  }
  while (!Failed() && !AtPunct(")")) {
    std::string name;
    Type type = Type::kDynamic;
    if (!ParseNameToken(name) || !ExpectPunct(":") || !ParseTypeName(type)) {
      return false;
    }
    schema.emplace_back(std::move(name), type);
    if (!AcceptPunct(",")) {
      break;
    }
  }
  return ExpectPunct(")");
}

bool Parser::SkipOperatorBody(std::string& text) {
  const size_t start = cur_.begin;
  size_t end = start;
  int depth = 0;
  while (!Failed() && cur_.kind != TokKind::kEnd) {
    if (depth == 0 && AtClauseEnd()) {
      break;
    }
    if (AtPunct("(") || AtPunct("[") || AtPunct("{")) {
      ++depth;
    } else if (AtPunct(")") || AtPunct("]") || AtPunct("}")) {
      --depth;
    }
    end = cur_.end;
    Advance();
  }
  text = std::string(lexer_.text().substr(start, end - start));
  return !Failed();
}

bool Parser::ParseOperator(std::vector<Operator>& ops) {
  if (cur_.kind != TokKind::kIdent) {
    FailExpected("a tabular operator");
    return false;
  }
  const Token name_tok = cur_;
  std::string name = ToLower(cur_.text);
  size_t end = cur_.end;
  Advance();
  while (!Failed() && AtPunct("-") && cur_.begin == end) {
    const Token part = Peek();
    if (part.kind != TokKind::kIdent || !Adjacent(cur_, part)) {
      break;
    }
    Advance();
    name += "-" + ToLower(cur_.text);
    end = cur_.end;
    Advance();
  }
  if (Failed()) {
    return false;
  }
  Operator op;
  op.pos = PosOf(name_tok);
  bool ok = true;
  if (name == "where" || name == "filter") {
    op.kind = OpKind::kWhere;
    op.predicate = ParseExpr();
    ok = op.predicate != nullptr;
  } else if (name == "project") {
    op.kind = OpKind::kProject;
    ok = ParseNamedExprList(op.exprs, false);
  } else if (name == "project-away" || name == "project-keep" || name == "project-reorder") {
    op.kind = name == "project-away"   ? OpKind::kProjectAway
              : name == "project-keep" ? OpKind::kProjectKeep
                                       : OpKind::kProjectReorder;
    ok = ParseNamePatternList(op.names, op.kind == OpKind::kProjectReorder);
  } else if (name == "project-by-names") {
    // project-by-names Expr, ...: constant strings or string arrays naming the columns (with
    // wildcards). Carried as project-keep with the expressions and a by_names marker.
    op.kind = OpKind::kProjectKeep;
    op.params.emplace_back("by_names", "true");
    ok = ParseNamedExprList(op.exprs, false);
  } else if (name == "project-rename") {
    op.kind = OpKind::kProjectRename;
    ok = ParseNamedExprList(op.exprs, false);
  } else if (name == "extend") {
    op.kind = OpKind::kExtend;
    ok = ParseNamedExprList(op.exprs, false);
  } else if (name == "summarize") {
    op.kind = OpKind::kSummarize;
    ok = ParseParams(op, {});
    if (ok && !AtWord("by") && !AtClauseEnd()) {
      ok = ParseNamedExprList(op.exprs, true);
    }
    if (ok && AcceptWord("by")) {
      ok = ParseNamedExprList(op.by, false);
    }
  } else if (name == "count") {
    op.kind = OpKind::kCount;
    if (AcceptWord("as")) {
      std::string alias;
      ok = ParseNameToken(alias);
      op.names.push_back(std::move(alias));
    }
  } else if (name == "distinct") {
    op.kind = OpKind::kDistinct;
    ok = ParseParams(op, {}) && ParseNamedExprList(op.exprs, false);
  } else if (name == "sort" || name == "order") {
    op.kind = OpKind::kSort;
    ok = ParseParams(op, {}) && ExpectWord("by") && ParseSortKeys(op.sort);
  } else if (name == "top") {
    op.kind = OpKind::kTop;
    op.count = ParseExpr();
    SortKey key;
    ok = op.count && ExpectWord("by") && ParseSortKey(key);
    op.sort.push_back(std::move(key));
  } else if (name == "top-nested") {
    op.kind = OpKind::kTopNested;
    ok = ParseTopNested(op);
  } else if (name == "take" || name == "limit") {
    op.kind = OpKind::kTake;
    ok = ParseParams(op, {}) && ParseNamedExprList(op.exprs, false);
  } else if (name == "join" || name == "lookup") {
    op.kind = name == "join" ? OpKind::kJoin : OpKind::kLookup;
    ok = ParseJoin(op);
  } else if (name == "union") {
    op.kind = OpKind::kUnion;
    ok = ParseUnion(op);
  } else if (name == "mv-expand" || name == "mvexpand") {
    op.kind = OpKind::kMvExpand;
    ok = ParseMvExpand(op, false);
  } else if (name == "mv-apply" || name == "mvapply") {
    op.kind = OpKind::kMvApply;
    ok = ParseMvExpand(op, true);
  } else if (name == "parse" || name == "parse-where") {
    op.kind = name == "parse" ? OpKind::kParse : OpKind::kParseWhere;
    ok = ParseParse(op);
  } else if (name == "parse-kv") {
    op.kind = OpKind::kParseKv;
    ok = ParseParseKv(op);
  } else if (name == "make-series") {
    op.kind = OpKind::kMakeSeries;
    ok = ParseMakeSeries(op);
  } else if (name == "serialize") {
    op.kind = OpKind::kSerialize;
    if (!AtClauseEnd()) {
      ok = ParseNamedExprList(op.exprs, false);
    }
  } else if (name == "search" || name == "find") {
    op.kind = name == "search" ? OpKind::kSearch : OpKind::kFind;
    ok = ParseSearch(op, name == "find");
  } else if (name == "as") {
    op.kind = OpKind::kAs;
    std::string alias;
    ok = ParseParams(op, {}) && ParseNameToken(alias);
    op.names.push_back(std::move(alias));
  } else if (name == "getschema") {
    op.kind = OpKind::kGetSchema;
  } else if (name == "sample") {
    op.kind = OpKind::kSample;
    ok = ParseNamedExprList(op.exprs, false);
  } else if (name == "sample-distinct") {
    op.kind = OpKind::kSampleDistinct;
    NamedExpr count;
    NamedExpr column;
    ok = ParseNamedExpr(count) && ExpectWord("of") && ParseNamedExpr(column);
    op.exprs = {std::move(count), std::move(column)};
  } else if (name == "evaluate" || name == "invoke") {
    op.kind = name == "evaluate" ? OpKind::kEvaluate : OpKind::kInvoke;
    NamedExpr call;
    call.pos = PosOf(cur_);
    ok = ParseParams(op, {});
    if (ok) {
      call.expr = ParsePostfix();
      ok = call.expr != nullptr;
      if (ok && call.expr->kind != ExprKind::kCall) {
        Fail("KQL0004", "expected a function call after '" + name + "'", name_tok);
        ok = false;
      }
    }
    op.exprs.push_back(std::move(call));
    if (ok && op.kind == OpKind::kEvaluate && AcceptPunct(":")) {
      ok = ParseSchema(op.schema);  // declared output schema: `evaluate pivot(x) : (a:string)`
    }
  } else if (name == "render") {
    op.kind = OpKind::kRender;
    ok = ParseRender(op);
  } else if (name == "consume") {
    op.kind = OpKind::kConsume;
    ok = ParseParams(op, {"decodeblocks"});
  } else if (name == "partition") {
    op.kind = OpKind::kPartition;
    NamedExpr key;
    key.pos = PosOf(cur_);
    std::string column;
    ok = ParseParams(op, {}) && ExpectWord("by") && ParseNameToken(column);
    key.expr = MakeName(std::move(column), key.pos);
    op.by.push_back(std::move(key));
    if (ok) {
      // `{ T | ... }` is a whole tabular expression; `( op | op )` applies operators to each
      // partition.
      if (AcceptPunct("{")) {
        ExprPtr inner = ParseTabularOrScalar();
        ok = inner != nullptr && ExpectPunct("}");
        if (ok) {
          op.right =
              inner->kind == ExprKind::kTabular ? inner->pipeline : WrapSource(inner, inner->pos);
        }
      } else if (ExpectPunct("(")) {
        op.right = ParseSubquery();
        ok = op.right != nullptr && ExpectPunct(")");
      } else {
        ok = false;
      }
    }
  } else if (name == "make-graph") {
    ok = ParseMakeGraph(op);
  } else if (name == "graph-match" || name == "graph-shortest-paths") {
    ok = ParseGraphMatch(op, name == "graph-shortest-paths");
  } else if (name == "graph-mark-components") {
    ok = ParseGraphMarkComponents(op);
  } else if (name == "graph-to-table") {
    ok = ParseGraphToTable(op);
  } else if (name == "scan") {
    op.kind = OpKind::kScan;
    ok = ParseScan(op);
  } else if (name == "fork" || name == "facet") {
    // Not executed: parsed into their kind with the raw text so the binder reports them.
    op.kind = name == "fork" ? OpKind::kFork : OpKind::kFacet;
    ok = SkipOperatorBody(op.text);
  } else if (IsUnsupported(name)) {
    Fail("KQL0005", "operator '" + name + "' is not supported", name_tok);
    return false;
  } else {
    Fail("KQL0005", "unknown tabular operator '" + name + "'", name_tok);
    return false;
  }
  if (!ok || Failed()) {
    return false;
  }
  ops.push_back(std::move(op));
  return true;
}

}  // namespace vigil::kql::internal

// Tabular operators with their own grammar: join/lookup, union, mv-expand/mv-apply, parse,
// parse-kv, make-series, top-nested, search/find, and the sources datatable, externaldata,
// range, print. See parser_impl.h.
#include <utility>

#include "vigil/kql/syntax/parser_impl.h"

namespace vigil::kql::internal {
namespace {

void SplitAnd(const ExprPtr& expr, std::vector<ExprPtr>& out) {
  if (expr->kind == ExprKind::kBinary && expr->op == "and") {
    SplitAnd(expr->args[0], out);
    SplitAnd(expr->args[1], out);
    return;
  }
  out.push_back(expr);
}

}  // namespace

bool Parser::ParseJoin(Operator& op) {
  if (!ParseParams(op, {"kind", "withsource"})) {
    return false;
  }
  op.right = ParseLegPipeline(false);
  if (!op.right || !ExpectWord("on")) {
    return false;
  }
  while (!Failed()) {
    ExprPtr key = ParseExpr();
    if (!key) {
      return false;
    }
    // `and` chains can be nested deeply only through parentheses, which the depth limit bounds.
    SplitAnd(key, op.on);
    if (!AcceptPunct(",")) {
      break;
    }
  }
  return !Failed();
}

bool Parser::ParseUnion(Operator& op) {
  if (!ParseParams(op, {"kind", "withsource", "with_source", "isfuzzy"})) {
    return false;
  }
  while (!Failed()) {
    PipelinePtr leg = ParseLegPipeline(true);
    if (!leg) {
      return false;
    }
    op.legs.push_back(std::move(leg));
    if (!AcceptPunct(",")) {
      break;
    }
  }
  return !Failed();
}

bool Parser::ParseMvExpand(Operator& op, bool apply) {
  if (!ParseParams(op, {"bagexpansion", "with_itemindex", "kind", "itemindex", "context_id"})) {
    return false;
  }
  while (!Failed()) {
    NamedExpr item;
    if (!ParseNamedExpr(item)) {
      return false;
    }
    Type type = Type::kDynamic;
    if (AcceptWord("to")) {
      if (!ExpectWord("typeof") || !ExpectPunct("(") || !ParseTypeName(type) || !ExpectPunct(")")) {
        return false;
      }
    }
    op.exprs.push_back(std::move(item));
    op.types.push_back(type);
    if (!AcceptPunct(",")) {
      break;
    }
  }
  if (AcceptWord("limit")) {
    op.count = ParseExpr();
    if (!op.count) {
      return false;
    }
  }
  if (!apply) {
    return !Failed();
  }
  if (!ExpectWord("on") || !ExpectPunct("(")) {
    return false;
  }
  op.right = ParseSubquery();
  return op.right != nullptr && ExpectPunct(")");
}

bool Parser::ParseParse(Operator& op) {
  if (!ParseParams(op, {"kind", "flags"})) {
    return false;
  }
  NamedExpr source;
  source.pos = PosOf(cur_);
  source.expr = ParseExpr();
  if (!source.expr || !ExpectWord("with")) {
    return false;
  }
  op.exprs.push_back(std::move(source));
  const size_t start = cur_.begin;
  size_t end = start;
  while (!Failed() && !AtClauseEnd()) {
    ParseItem item;
    if (cur_.kind == TokKind::kString) {
      item.text = cur_.text;
      Advance();
    } else if (AtPunct("*")) {
      item.wildcard = true;
      Advance();
    } else if (cur_.kind == TokKind::kIdent || AtPunct("[")) {
      item.is_column = true;
      if (!ParseNameToken(item.text)) {
        return false;
      }
      if (AcceptPunct(":")) {
        if (!ParseTypeName(item.type)) {
          return false;
        }
      }
    } else {
      Fail("KQL0001", "unexpected " + Describe(cur_) + " in parse pattern", cur_);
      return false;
    }
    end = prev_end_;
    op.parse_items.push_back(std::move(item));
  }
  if (op.parse_items.empty() && !Failed()) {
    FailExpected("a parse pattern");
    return false;
  }
  op.text = std::string(lexer_.text().substr(start, end > start ? end - start : 0));
  while (!op.text.empty() && (op.text.back() == ' ' || op.text.back() == '\n' ||
                              op.text.back() == '\r' || op.text.back() == '\t')) {
    op.text.pop_back();
  }
  return !Failed();
}

bool Parser::ParseWithProperties(Operator& op) {
  if (!ExpectPunct("(")) {
    return false;
  }
  while (!Failed() && !AtPunct(")")) {
    std::string key;
    if (!ParseNameToken(key)) {
      return false;
    }
    while (AtPunct(".") && Peek().kind == TokKind::kIdent) {
      Advance();
      key += "." + cur_.text;
      Advance();
    }
    if (!ExpectPunct("=")) {
      return false;
    }
    std::string value;
    bool first = true;
    while (!Failed() && !AtPunct(")") && cur_.kind != TokKind::kEnd) {
      if (AtPunct(",")) {
        const Token next = Peek();
        if (next.kind == TokKind::kIdent &&
            (PeekAfter(next).IsPunct("=") || PeekAfter(next).IsPunct("."))) {
          break;
        }
      }
      if (!first && !AtPunct(",") && value.size() > 0 && value.back() != ',') {
        value += ' ';
      }
      value += cur_.kind == TokKind::kString
                   ? cur_.text
                   : std::string(lexer_.text().substr(cur_.begin, cur_.end - cur_.begin));
      first = false;
      Advance();
    }
    op.params.emplace_back(ToLower(key), std::move(value));
    if (!AcceptPunct(",")) {
      break;
    }
  }
  return ExpectPunct(")");
}

bool Parser::ParseParseKv(Operator& op) {
  NamedExpr source;
  source.pos = PosOf(cur_);
  source.expr = ParseExpr();
  if (!source.expr || !ExpectWord("as") || !ParseSchema(op.schema)) {
    return false;
  }
  op.exprs.push_back(std::move(source));
  if (AcceptWord("with")) {
    return ParseWithProperties(op);
  }
  return !Failed();
}

bool Parser::ParseMakeSeries(Operator& op) {
  if (!ParseParams(op, {"kind"})) {
    return false;
  }
  while (!Failed()) {
    NamedExpr agg;
    if (!ParseNamedExpr(agg)) {
      return false;
    }
    ExprPtr default_value;
    if (AcceptWord("default")) {
      if (!ExpectPunct("=")) {
        return false;
      }
      default_value = ParseExpr();
      if (!default_value) {
        return false;
      }
    }
    op.exprs.push_back(std::move(agg));
    op.defaults.push_back(std::move(default_value));
    if (!AcceptPunct(",")) {
      break;
    }
  }
  if (!ExpectWord("on")) {
    return false;
  }
  op.on_expr = ParseAdditive();  // not ParseExpr: `on T in range(...)` is the old form
  if (!op.on_expr) {
    return false;
  }
  op.range_exprs.resize(3);
  if (AcceptWord("in")) {  // old form: in range(start, stop, step)
    ExprPtr range = ParsePostfix();
    if (!range) {
      return false;
    }
    if (range->kind != ExprKind::kCall || range->args.size() != 3) {
      Fail("KQL0004", "expected range(start, stop, step) after 'in'", cur_);
      return false;
    }
    op.range_exprs = range->args;
  } else {
    if (AcceptWord("from") && !(op.range_exprs[0] = ParseExpr())) {
      return false;
    }
    if (AcceptWord("to") && !(op.range_exprs[1] = ParseExpr())) {
      return false;
    }
    if (!ExpectWord("step") || !(op.range_exprs[2] = ParseExpr())) {
      return false;
    }
  }
  if (AcceptWord("by")) {
    return ParseNamedExprList(op.by, false);
  }
  return !Failed();
}

bool Parser::ParseTopNested(Operator& op) {
  while (!Failed()) {
    Operator::Level level;
    if (!AtWord("of")) {
      level.count = ParseExpr();
      if (!level.count) {
        return false;
      }
    }
    if (!ExpectWord("of") || !ParseNamedExpr(level.of)) {
      return false;
    }
    if (AcceptWord("with")) {
      level.with_others = true;
      if (!ExpectWord("others") || !ExpectPunct("=")) {
        return false;
      }
      level.others = ParseExpr();
      if (!level.others) {
        return false;
      }
    }
    if (!ExpectWord("by") || !ParseNamedExpr(level.by)) {
      return false;
    }
    if (AcceptWord("asc")) {
      level.ascending = true;
    } else {
      AcceptWord("desc");
    }
    op.levels.push_back(std::move(level));
    if (!AcceptPunct(",")) {
      break;
    }
    // next level: `top-nested`
    const Token dash = Peek();
    if (!AtWord("top") || !dash.IsPunct("-") || !PeekAfter(dash).IsWord("nested")) {
      FailExpected("'top-nested'");
      return false;
    }
    Advance();
    Advance();
    Advance();
  }
  return !Failed();
}

bool Parser::ParseTableNameList(std::vector<PipelinePtr>& legs) {
  if (!ExpectPunct("(")) {
    return false;
  }
  while (!Failed() && !AtPunct(")")) {
    PipelinePtr leg = ParseLegPipeline(true);
    if (!leg) {
      return false;
    }
    legs.push_back(std::move(leg));
    if (!AcceptPunct(",")) {
      break;
    }
  }
  return ExpectPunct(")");
}

bool Parser::ParseSearch(Operator& op, bool find) {
  if (!ParseParams(op, {"kind", "withsource", "with_source", "datascope"})) {
    return false;
  }
  if (AcceptWord("in") && !ParseTableNameList(op.legs)) {
    return false;
  }
  if (find) {
    AcceptWord("where");  // `find Predicate` is the short form
  }
  search_mode_ = true;
  op.predicate = ParseExpr();
  search_mode_ = false;
  if (!op.predicate) {
    return false;
  }
  if (find) {
    if (AcceptWord("project")) {
      return ParseFindProject(op);
    }
    if (AtWord("project") && Peek().IsPunct("-")) {  // project-smart / project-away
      Advance();
      Advance();
      if (cur_.kind != TokKind::kIdent) {
        FailExpected("'smart' or 'away'");
        return false;
      }
      const bool away = AtWord("away");
      Advance();
      if (away) {
        std::vector<std::string> ignored;
        return ParseNamePatternList(ignored, false);
      }
    }
  }
  return !Failed();
}

bool Parser::ParseDatatable(Operator& op) {
  if (!ParseSchema(op.schema) || !ExpectPunct("[") || !Enter()) {
    return false;
  }
  while (!Failed() && !AtPunct("]")) {
    NamedExpr value;
    value.pos = PosOf(cur_);
    value.expr = ParseExpr();
    if (!value.expr) {
      break;
    }
    op.exprs.push_back(std::move(value));
    if (!AcceptPunct(",")) {
      break;
    }
  }
  Leave();
  return !Failed() && ExpectPunct("]");
}

bool Parser::ParseExternalData(Operator& op) {
  if (!ParseSchema(op.schema) || !ExpectPunct("[")) {
    return false;
  }
  while (!Failed() && !AtPunct("]")) {
    if (cur_.kind != TokKind::kString) {
      FailExpected("a URL string");
      return false;
    }
    if (!op.text.empty()) {
      op.text += '\n';
    }
    while (cur_.kind == TokKind::kString && !Failed()) {
      op.text += cur_.text;
      Advance();
    }
    if (!AcceptPunct(",")) {
      break;
    }
  }
  if (!ExpectPunct("]")) {
    return false;
  }
  if (AcceptWord("with")) {
    return ParseWithProperties(op);
  }
  return !Failed();
}

bool Parser::ParseRender(Operator& op) {
  if (cur_.kind != TokKind::kIdent) {
    FailExpected("a chart kind");
    return false;
  }
  op.text = ToLower(cur_.text);
  Advance();
  if (AcceptWord("with")) {
    return ParseWithProperties(op);
  }
  return !Failed();
}

bool Parser::ParseRangeSource(Operator& op) {
  std::string column;
  if (!ParseNameToken(column) || !ExpectWord("from")) {
    return false;
  }
  op.names.push_back(std::move(column));
  for (const std::string_view next : {"to", "step", ""}) {
    NamedExpr bound;
    bound.pos = PosOf(cur_);
    bound.expr = ParseExpr();
    if (!bound.expr) {
      return false;
    }
    op.exprs.push_back(std::move(bound));
    if (!next.empty() && !ExpectWord(next)) {
      return false;
    }
  }
  return !Failed();
}

bool Parser::ParseSourceOperator(Operator& op) {
  const std::string name = ToLower(cur_.text);
  op.pos = PosOf(cur_);
  Advance();
  if (name == "union") {
    op.kind = OpKind::kUnion;
    return ParseUnion(op);
  }
  if (name == "print") {
    op.kind = OpKind::kPrint;
    return AtClauseEnd() ? !Failed() : ParseNamedExprList(op.exprs, false);
  }
  if (name == "datatable") {
    op.kind = OpKind::kDatatable;
    return ParseDatatable(op);
  }
  if (name == "externaldata" || name == "external_data") {
    op.kind = OpKind::kExternalData;
    return ParseExternalData(op);
  }
  if (name == "range") {
    op.kind = OpKind::kRange;
    return ParseRangeSource(op);
  }
  op.kind = name == "search" ? OpKind::kSearch : OpKind::kFind;
  return ParseSearch(op, name == "find");
}

}  // namespace vigil::kql::internal

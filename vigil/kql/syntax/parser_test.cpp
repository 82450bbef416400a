#include "vigil/kql/syntax/parser.h"

#include <gtest/gtest.h>

#include <string>

#include "vigil/base/time.h"

namespace vigil::kql {
namespace {

Script MustParse(std::string_view text) {
  auto script = ParseScript(text);
  EXPECT_TRUE(script.has_value()) << text << " -> "
                                  << (script
                                          ? ""
                                          : script.error().code + " " + script.error().ToString());
  return script ? *script : Script{};
}

// The pipeline of the last statement (a query).
PipelinePtr LastPipeline(const Script& script) {
  if (script.statements.empty() || !script.statements.back()->value ||
      script.statements.back()->value->kind != ExprKind::kTabular) {
    ADD_FAILURE() << "no tabular query";
    return std::make_shared<Pipeline>();
  }
  return script.statements.back()->value->pipeline;
}

// The predicate of `print x = <expr>` style: parses `T | where <expr>`.
ExprPtr WhereExpr(std::string_view expr) {
  Script script = MustParse("T | where " + std::string(expr));
  auto pipeline = LastPipeline(script);
  if (pipeline->ops.size() != 2) {
    ADD_FAILURE() << "expected 2 operators";
    return std::make_shared<Expr>();
  }
  return pipeline->ops[1].predicate;
}

// Compact rendering of an expression tree for precedence tests.
std::string Render(const ExprPtr& e) {
  switch (e->kind) {
    case ExprKind::kLiteral:
      return e->literal.ToText();
    case ExprKind::kName:
      return e->name;
    case ExprKind::kUnary:
      return "(" + e->op + Render(e->args[0]) + ")";
    case ExprKind::kBinary:
      return "(" + Render(e->args[0]) + " " + e->op + " " + Render(e->args[1]) + ")";
    case ExprKind::kCall: {
      std::string s = e->name + "(";
      for (size_t i = 0; i < e->args.size(); ++i) {
        s += (i ? "," : "") + Render(e->args[i]);
      }
      return s + ")";
    }
    case ExprKind::kMember:
      return Render(e->args[0]) + "." + e->name;
    case ExprKind::kIndex:
      return Render(e->args[0]) + "[" + Render(e->args[1]) + "]";
    case ExprKind::kList: {
      std::string s = "[";
      for (size_t i = 0; i < e->args.size(); ++i) {
        s += (i ? "," : "") + Render(e->args[i]);
      }
      return s + "]";
    }
    case ExprKind::kRange:
      return Render(e->args[0]) + ".." + Render(e->args[1]);
    case ExprKind::kTabular:
      return "<tabular>";
    case ExprKind::kStar:
      return "*";
  }
  return "?";
}

KqlError MustFail(std::string_view text) {
  auto script = ParseScript(text);
  EXPECT_FALSE(script.has_value()) << text;
  return script ? KqlError{} : script.error();
}

TEST(ParserTest, RequiredSummarizeByError) {
  const KqlError error = MustFail("ProcessEvents | summarize by");
  EXPECT_EQ(error.code, "KQL0012");
  EXPECT_EQ(error.ToString(), "expected expression after 'by' (1:29)");
}

TEST(ParserTest, Precedence) {
  EXPECT_EQ(Render(WhereExpr("a or b and c == 1 + 2 * -x")),
            "(a or (b and (c == (1 + (2 * (-x))))))");
  EXPECT_EQ(Render(WhereExpr("(a or b) and not(c)")), "((a or b) and not(c))");
  EXPECT_EQ(Render(WhereExpr("x.y[0].z has 'q'")), "(x.y[0].z has q)");
  EXPECT_EQ(Render(WhereExpr("a - b - c")), "((a - b) - c)");
  EXPECT_EQ(Render(WhereExpr("a % 2 == 0")), "((a % 2) == 0)");
}

TEST(ParserTest, StringOperators) {
  EXPECT_EQ(WhereExpr("a !has 'x'")->op, "!has");
  EXPECT_EQ(WhereExpr("a in~ ('x')")->op, "in~");
  EXPECT_EQ(WhereExpr("a !in~ ('x')")->op, "!in~");
  EXPECT_EQ(WhereExpr("a matches regex 'x'")->op, "matches regex");
  EXPECT_EQ(WhereExpr("a notcontains 'x'")->op, "!contains");
  EXPECT_EQ(WhereExpr("a !startswith_cs 'x'")->op, "!startswith_cs");
  EXPECT_EQ(WhereExpr("a =~ 'x'")->op, "=~");
  EXPECT_EQ(Render(WhereExpr("a in (1, 2)")), "(a in [1,2])");
  EXPECT_EQ(Render(WhereExpr("a has_any (L)")), "(a has_any [L])");
  EXPECT_EQ(Render(WhereExpr("a between (1 .. 10)")), "(a between 1..10)");
  EXPECT_EQ(Render(WhereExpr("a !between (1 .. 10)")), "(a !between 1..10)");
  ExprPtr sub = WhereExpr("a in (T | project b)");
  ASSERT_EQ(sub->args[1]->kind, ExprKind::kList);
  EXPECT_EQ(sub->args[1]->args[0]->kind, ExprKind::kTabular);
}

TEST(ParserTest, Literals) {
  auto lit = [](std::string_view text) { return WhereExpr(text); };
  EXPECT_EQ(lit("42")->literal_type, Type::kLong);
  EXPECT_EQ(lit("42")->literal.AsInt64(), 42);
  EXPECT_EQ(lit("-42")->literal.AsInt64(), -42);
  EXPECT_EQ(lit("1.5")->literal_type, Type::kReal);
  EXPECT_EQ(lit("1d")->literal.AsInt64(), kTicksPerDay);
  EXPECT_EQ(lit("time(1d)")->literal.AsInt64(), kTicksPerDay);
  EXPECT_EQ(lit("timespan(1.5h)")->literal.AsInt64(), 5400 * kTicksPerSecond);
  EXPECT_EQ(lit("'a' \"b\" @'c'")->literal.AsString(), "abc");
  EXPECT_EQ(lit("true")->literal_type, Type::kBool);
  EXPECT_EQ(lit("bool(false)")->literal.AsBool(), false);
  EXPECT_EQ(lit("int(5)")->literal.kind(), Kind::kInt);
  EXPECT_EQ(lit("long(-5)")->literal.AsInt64(), -5);
  EXPECT_EQ(lit("real(1.5)")->literal.AsReal(), 1.5);
  EXPECT_EQ(lit("decimal(2.5)")->literal_type, Type::kDecimal);
  EXPECT_TRUE(lit("int(null)")->literal.is_null());
  EXPECT_EQ(lit("int(null)")->literal_type, Type::kInt);
  EXPECT_EQ(lit("datetime(null)")->literal_type, Type::kDateTime);
  EXPECT_EQ(lit("datetime(2024-01-01)")->literal.AsInt64(), *ParseDateTime("2024-01-01"));
  EXPECT_EQ(lit("datetime(2024-01-01 10:00:00.123)")->literal.AsInt64(),
            *ParseDateTime("2024-01-01T10:00:00.123Z"));
  EXPECT_EQ(lit("guid(74BE27DE-1E4E-49D9-B579-FE0B331D3642)")->literal.AsString(),
            "74be27de-1e4e-49d9-b579-fe0b331d3642");
  ExprPtr dyn = lit("dynamic([1, 'a', {\"k\": [true, null]}, -2.5])");
  ASSERT_EQ(dyn->literal.kind(), Kind::kArray);
  EXPECT_EQ(dyn->literal.ToJson(), R"([1,"a",{"k":[true,null]},-2.5])");
  EXPECT_TRUE(lit("dynamic(null)")->literal.is_null());
  EXPECT_EQ(lit("['my col']")->name, "my col");
  EXPECT_EQ(MustFail("T | where x == datetime(2024-13-45)").code, "KQL0003");
  // A time without a date is that time today: startofday(now()) + the time.
  ExprPtr today = lit("datetime(\"8:00:00 PM\")");
  ASSERT_EQ(today->kind, ExprKind::kBinary);
  EXPECT_EQ(today->args[0]->name, "startofday");
  EXPECT_EQ(today->args[1]->literal.AsInt64(), 20 * 3600 * kTicksPerSecond);
  EXPECT_EQ(lit("datetime(7:05:09.5)")->args[1]->literal.AsInt64(),
            (7 * 3600 + 5 * 60 + 9) * kTicksPerSecond + kTicksPerSecond / 2);
  EXPECT_EQ(lit("datetime(12:00 AM)")->args[1]->literal.AsInt64(), 0);
  EXPECT_EQ(lit("datetime()")->name, "now");
  for (const char* bad : {"datetime(25:00)", "datetime(13:00 PM)", "datetime(8:00 XM)",
                          "datetime(8:60)", "datetime(8:)", "datetime('Insert date')"}) {
    EXPECT_EQ(MustFail(std::string("print ") + bad).code, "KQL0003") << bad;
  }
}

TEST(ParserTest, Statements) {
  Script script = MustParse(
      "set notruncation;\n"
      "declare query_parameters(n:long = 5);\n"
      "let x = 5;\n"
      "let t = T | where a > x;\n"
      "let f = (a:string, b:int = 3, S:(*)) { let y = 1; S | where c == a };\n"
      "let v = view () { T };\n"
      "let m = materialize(T | take 1);\n"
      "t | union m");
  ASSERT_EQ(script.statements.size(), 8u);
  EXPECT_EQ(script.statements[0]->kind, Statement::Kind::kSet);
  EXPECT_EQ(script.statements[1]->kind, Statement::Kind::kDeclare);
  EXPECT_EQ(script.statements[1]->params[0].type, Type::kLong);
  EXPECT_EQ(script.statements[2]->value->kind, ExprKind::kLiteral);
  EXPECT_EQ(script.statements[3]->value->kind, ExprKind::kTabular);
  const auto& fn = *script.statements[4];
  EXPECT_EQ(fn.kind, Statement::Kind::kLetFunction);
  ASSERT_EQ(fn.params.size(), 3u);
  EXPECT_EQ(fn.params[1].type, Type::kInt);
  ASSERT_TRUE(fn.params[1].default_value);
  EXPECT_TRUE(fn.params[2].tabular);
  EXPECT_EQ(fn.body.size(), 1u);
  EXPECT_EQ(fn.value->kind, ExprKind::kTabular);
  EXPECT_EQ(script.statements[5]->kind, Statement::Kind::kLetFunction);
  EXPECT_EQ(script.statements[6]->value->kind, ExprKind::kCall);
  EXPECT_EQ(script.statements[6]->value->args[0]->kind, ExprKind::kTabular);
  EXPECT_EQ(script.statements[7]->kind, Statement::Kind::kQuery);
}

TEST(ParserTest, Errors) {
  EXPECT_EQ(MustFail("").code, "KQL0013");
  EXPECT_EQ(MustFail("// only a comment").code, "KQL0013");
  const KqlError unknown = MustFail("T\n| frobnicate x");
  EXPECT_EQ(unknown.code, "KQL0005");
  EXPECT_EQ(unknown.ToString(), "unknown tabular operator 'frobnicate' (2:3)");
  EXPECT_EQ(MustFail("T | where x == 'abc").code, "KQL0002");
  EXPECT_EQ(MustFail("T | where (x == 1").code, "KQL0004");
  EXPECT_EQ(MustFail("T | where").code, "KQL0012");
  EXPECT_EQ(MustFail("T | ").code, "KQL0004");
  EXPECT_EQ(MustFail("T | where a ^ b").code, "KQL0001");
  EXPECT_EQ(MustFail("T | reduce by x").code, "KQL0005");
  std::string deep = "T | where " + std::string(300, '(') + "1" + std::string(300, ')');
  EXPECT_EQ(MustFail(deep).code, "KQL0006");
  std::string deep_unary = "print " + std::string(500, '-') + "1";
  EXPECT_EQ(MustFail(deep_unary).code, "KQL0006");
  std::string deep_dynamic = "print dynamic(" + std::string(300, '[') + std::string(300, ']') + ")";
  EXPECT_EQ(MustFail(deep_dynamic).code, "KQL0006");
}

}  // namespace
}  // namespace vigil::kql

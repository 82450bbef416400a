#include "vigil/kql/syntax/lexer.h"

#include <gtest/gtest.h>

#include "vigil/base/time.h"

namespace vigil::kql {
namespace {

std::vector<Token> LexAll(std::string_view text) {
  Lexer lexer(text);
  std::vector<Token> out;
  size_t offset = 0;
  for (int guard = 0; guard < 1000; ++guard) {
    Token tok = lexer.Lex(offset);
    out.push_back(tok);
    if (tok.kind == TokKind::kEnd || tok.kind == TokKind::kError) {
      break;
    }
    offset = tok.end;
  }
  return out;
}

TEST(LexerTest, StringForms) {
  auto toks = LexAll(R"('a\'b' "c\"d\n" @"e""f" @'g''h' h"secret" h@'x\y' ```multi
line```)");
  ASSERT_EQ(toks.size(), 8u);
  EXPECT_EQ(toks[0].text, "a'b");
  EXPECT_EQ(toks[1].text, "c\"d\n");
  EXPECT_EQ(toks[2].text, "e\"f");
  EXPECT_EQ(toks[3].text, "g'h");
  EXPECT_EQ(toks[4].text, "secret");
  EXPECT_EQ(toks[5].text, "x\\y");
  EXPECT_EQ(toks[6].text, "multi\nline");
  EXPECT_EQ(toks[7].kind, TokKind::kEnd);
}

TEST(LexerTest, Numbers) {
  auto toks = LexAll("42 1.5 1e3 0x1F 1000. 1..10");
  EXPECT_EQ(toks[0].kind, TokKind::kInt);
  EXPECT_EQ(toks[0].int_value, 42);
  EXPECT_EQ(toks[1].kind, TokKind::kReal);
  EXPECT_DOUBLE_EQ(toks[1].real_value, 1.5);
  EXPECT_EQ(toks[2].kind, TokKind::kReal);
  EXPECT_DOUBLE_EQ(toks[2].real_value, 1000.0);
  EXPECT_EQ(toks[3].int_value, 31);
  EXPECT_EQ(toks[4].kind, TokKind::kReal);
  EXPECT_EQ(toks[5].kind, TokKind::kInt);
  EXPECT_TRUE(toks[6].IsPunct(".."));
  EXPECT_EQ(toks[7].int_value, 10);
}

TEST(LexerTest, TimeSpans) {
  auto toks = LexAll("1d 2h 30m 10s 100ms 5microsecond 10tick 1.5h 3min 2seconds");
  const int64_t expected[] = {kTicksPerDay,
                              2 * 3600 * kTicksPerSecond,
                              30 * 60 * kTicksPerSecond,
                              10 * kTicksPerSecond,
                              100 * kTicksPerMillisecond,
                              50,
                              10,
                              5400 * kTicksPerSecond,
                              180 * kTicksPerSecond,
                              2 * kTicksPerSecond};
  for (size_t i = 0; i < std::size(expected); ++i) {
    EXPECT_EQ(toks[i].kind, TokKind::kTimeSpan) << i;
    EXPECT_EQ(toks[i].int_value, expected[i]) << i;
  }
}

TEST(LexerTest, TimeSpanText) {
  EXPECT_EQ(ParseTimeSpanText("1.5h"), 5400 * kTicksPerSecond);
  EXPECT_EQ(ParseTimeSpanText("2"), 2 * kTicksPerDay);
  EXPECT_EQ(ParseTimeSpanText("1.02:03:04.5"),
            kTicksPerDay + (2 * 3600 + 3 * 60 + 4) * kTicksPerSecond + 5'000'000);
  EXPECT_EQ(ParseTimeSpanText("-00:10:00"), -600 * kTicksPerSecond);
  EXPECT_FALSE(ParseTimeSpanText("abc"));
}

TEST(LexerTest, IdentifiersCommentsAndPositions) {
  Lexer lexer("T // comment\n| $left.x");
  Token t = lexer.Lex(0);
  EXPECT_EQ(t.text, "T");
  Token pipe = lexer.Lex(t.end);
  EXPECT_TRUE(pipe.IsPunct("|"));
  EXPECT_EQ(lexer.PosOf(pipe.begin).line, 2);
  EXPECT_EQ(lexer.PosOf(pipe.begin).col, 1);
  Token left = lexer.Lex(pipe.end);
  EXPECT_EQ(left.text, "$left");
  EXPECT_EQ(lexer.PosOf(left.begin).col, 3);
  auto ident = LexAll("2022Exploited");
  EXPECT_EQ(ident[0].kind, TokKind::kIdent);
}

TEST(LexerTest, Errors) {
  auto unterminated = LexAll("'abc");
  EXPECT_EQ(unterminated.back().kind, TokKind::kError);
  EXPECT_EQ(unterminated.back().error_code, "KQL0002");
  auto bad_char = LexAll("a ^ b");
  EXPECT_EQ(bad_char.back().error_code, "KQL0001");
  auto bad_span = LexAll("1.5xyz");
  EXPECT_EQ(bad_span.back().error_code, "KQL0003");
}

}  // namespace
}  // namespace vigil::kql

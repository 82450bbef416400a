#include "vigil/base/json_escape.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

std::string Quoted(std::string_view text) {
  std::string out;
  AppendJsonQuoted(out, text);
  return out;
}

TEST(JsonEscapeTest, QuotesAndEscapes) {
  EXPECT_EQ(Quoted(""), "\"\"");
  EXPECT_EQ(Quoted("plain text longer than eight bytes"), "\"plain text longer than eight bytes\"");
  EXPECT_EQ(Quoted("C:\\Windows\\\"x\""), "\"C:\\\\Windows\\\\\\\"x\\\"\"");
  EXPECT_EQ(Quoted("a\nb\rc\td\be\ff"), "\"a\\nb\\rc\\td\\be\\ff\"");
  EXPECT_EQ(Quoted(std::string_view("\x01\x1f", 2)), "\"\\u0001\\u001f\"");
  EXPECT_EQ(Quoted(std::string_view("\0", 1)), "\"\\u0000\"");
  EXPECT_EQ(Quoted("caf\xc3\xa9 \xe2\x82\xac"), "\"caf\xc3\xa9 \xe2\x82\xac\"");
}

TEST(JsonEscapeTest, EscapesAtEveryPositionOfTheEightByteSkip) {
  // A byte that needs escaping must be found whether it sits at the start, middle or end of
  // an 8-byte word, or in the tail after the last whole word.
  for (size_t len = 1; len <= 20; ++len) {
    for (size_t pos = 0; pos < len; ++pos) {
      std::string text(len, 'x');
      text[pos] = '"';
      std::string want = "\"" + std::string(pos, 'x') + "\\\"" + std::string(len - pos - 1, 'x') + "\"";
      EXPECT_EQ(Quoted(text), want) << len << " " << pos;
    }
  }
}

}  // namespace
}  // namespace vigil

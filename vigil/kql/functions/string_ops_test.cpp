#include "vigil/kql/functions/string_ops.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace vigil::kql {
namespace {

bool M(StringOp op, std::string_view haystack, std::string needle) {
  return StringMatcher(op, std::move(needle)).Match(haystack);
}

TEST(ParseStringOpTest, PlainAndNegatedForms) {
  bool negated = true;
  EXPECT_EQ(ParseStringOp("has", &negated), StringOp::kHas);
  EXPECT_FALSE(negated);
  EXPECT_EQ(ParseStringOp("!has", &negated), StringOp::kHas);
  EXPECT_TRUE(negated);
  EXPECT_EQ(ParseStringOp("!has_cs", &negated), StringOp::kHasCs);
  EXPECT_TRUE(negated);
  EXPECT_EQ(ParseStringOp("!=", &negated), StringOp::kEquals);
  EXPECT_TRUE(negated);
  EXPECT_EQ(ParseStringOp("==", &negated), StringOp::kEquals);
  EXPECT_FALSE(negated);
  EXPECT_EQ(ParseStringOp("=~", &negated), StringOp::kEqualsCi);
  EXPECT_FALSE(negated);
  EXPECT_EQ(ParseStringOp("!~", &negated), StringOp::kEqualsCi);
  EXPECT_TRUE(negated);
  EXPECT_EQ(ParseStringOp("notcontains", &negated), StringOp::kContains);
  EXPECT_TRUE(negated);
  EXPECT_EQ(ParseStringOp("containscs", &negated), StringOp::kContainsCs);
  EXPECT_FALSE(negated);
  EXPECT_EQ(ParseStringOp("hassuffix_cs", &negated), StringOp::kHasSuffixCs);
  EXPECT_EQ(ParseStringOp("!startswith_cs", &negated), StringOp::kStartsWithCs);
  EXPECT_TRUE(negated);
  EXPECT_EQ(ParseStringOp("!endswith", &negated), StringOp::kEndsWith);
  EXPECT_TRUE(negated);
  EXPECT_EQ(ParseStringOp("hasprefix", &negated), StringOp::kHasPrefix);
  EXPECT_FALSE(negated);
}

TEST(ParseStringOpTest, RejectsUnknown) {
  bool negated = false;
  EXPECT_FALSE(ParseStringOp("HAS", &negated).has_value());
  EXPECT_FALSE(ParseStringOp("in", &negated).has_value());
  EXPECT_FALSE(ParseStringOp("", &negated).has_value());
  EXPECT_FALSE(ParseStringOp("has_any", &negated).has_value());
}

TEST(StringOpsTest, EqualsIsCaseSensitive) {
  EXPECT_TRUE(M(StringOp::kEquals, "aBc", "aBc"));
  EXPECT_FALSE(M(StringOp::kEquals, "abc", "ABC"));
  EXPECT_FALSE(M(StringOp::kEquals, "abc", "abcd"));
  EXPECT_TRUE(M(StringOp::kEquals, "", ""));
  EXPECT_FALSE(M(StringOp::kEquals, "", "a"));
}

TEST(StringOpsTest, EqualsCiFoldsAsciiOnly) {
  EXPECT_TRUE(M(StringOp::kEqualsCi, "abc", "ABC"));
  EXPECT_TRUE(M(StringOp::kEqualsCi, "PowerShell.EXE", "powershell.exe"));
  EXPECT_FALSE(M(StringOp::kEqualsCi, "aBc", "xyz"));
  EXPECT_FALSE(M(StringOp::kEqualsCi, "abc", "ab"));
  EXPECT_TRUE(M(StringOp::kEqualsCi, "", ""));
  // UTF-8 bytes are compared as is.
  EXPECT_TRUE(M(StringOp::kEqualsCi, "caf\xc3\xa9", "CAF\xc3\xa9"));
  EXPECT_FALSE(M(StringOp::kEqualsCi, "\xc3\xa9", "\xc3\x89"));  // é vs É
}

TEST(StringOpsTest, ContainsIsCaseInsensitiveSubstring) {
  EXPECT_TRUE(M(StringOp::kContains, "FabriKam", "BRik"));
  EXPECT_FALSE(M(StringOp::kContains, "Fabrikam", "xyz"));
  EXPECT_TRUE(M(StringOp::kContains, "KustoExplorerQueryRun", "Explorer"));
  EXPECT_TRUE(M(StringOp::kContains, "anything", ""));
  EXPECT_TRUE(M(StringOp::kContains, "", ""));
  EXPECT_FALSE(M(StringOp::kContains, "", "a"));
  EXPECT_TRUE(M(StringOp::kContains, "cmd /c HTTP://evil.example/x", "http://"));
  EXPECT_FALSE(M(StringOp::kContains, "ab", "abc"));
}

TEST(StringOpsTest, ContainsCs) {
  EXPECT_TRUE(M(StringOp::kContainsCs, "FabriKam", "Kam"));
  EXPECT_FALSE(M(StringOp::kContainsCs, "Fabrikam", "Kam"));
  EXPECT_TRUE(M(StringOp::kContainsCs, "x", ""));
}

TEST(StringOpsTest, StartsWith) {
  EXPECT_TRUE(M(StringOp::kStartsWith, "Fabrikam", "fab"));
  EXPECT_FALSE(M(StringOp::kStartsWith, "Fabrikam", "kam"));
  EXPECT_TRUE(M(StringOp::kStartsWith, "Fabrikam", ""));
  EXPECT_FALSE(M(StringOp::kStartsWith, "Fa", "Fab"));
  EXPECT_TRUE(M(StringOp::kStartsWithCs, "Fabrikam", "Fab"));
  EXPECT_FALSE(M(StringOp::kStartsWithCs, "Fabrikam", "fab"));
  EXPECT_TRUE(M(StringOp::kStartsWith, "C:\\Windows\\System32", "c:\\windows\\"));
}

TEST(StringOpsTest, EndsWith) {
  EXPECT_TRUE(M(StringOp::kEndsWith, "Fabrikam", "Kam"));
  EXPECT_FALSE(M(StringOp::kEndsWith, "Fabrikam", "brik"));
  EXPECT_TRUE(M(StringOp::kEndsWith, "Fabrikam", ""));
  EXPECT_FALSE(M(StringOp::kEndsWith, "am", "kam"));
  EXPECT_TRUE(M(StringOp::kEndsWithCs, "Fabrikam", "kam"));
  EXPECT_FALSE(M(StringOp::kEndsWithCs, "Fabrikam", "Kam"));
  EXPECT_TRUE(M(StringOp::kEndsWith, "C:\\Tools\\PSEXEC.EXE", "\\psexec.exe"));
}

TEST(StringOpsTest, HasMatchesWholeTerms) {
  EXPECT_TRUE(M(StringOp::kHas, "North America", "america"));
  EXPECT_FALSE(M(StringOp::kHas, "North America", "amer"));
  EXPECT_FALSE(M(StringOp::kHas, "KustoExplorerQueryRun", "Explorer"));
  const std::string text = "Kusto: ad67d136-c1db-4f9f-88ef-d94f3b6b0b5a;KustoExplorerQueryRun";
  EXPECT_TRUE(M(StringOp::kHas, text, "c1db"));
  EXPECT_TRUE(M(StringOp::kHas, text, "kusto"));
  EXPECT_TRUE(M(StringOp::kHas, text, "KustoExplorerQueryRun"));
  EXPECT_TRUE(M(StringOp::kHas, text, "d94f3b6b0b5a"));
  EXPECT_FALSE(M(StringOp::kHas, text, "4f9"));
  EXPECT_FALSE(M(StringOp::kHas, text, "Query"));
  // The first occurrence is inside a longer term, a later one is whole.
  EXPECT_TRUE(M(StringOp::kHas, "adminx admin", "admin"));
  EXPECT_TRUE(M(StringOp::kHas, "xadmin;admin", "ADMIN"));
  EXPECT_FALSE(M(StringOp::kHas, "xadmin;adminx", "admin"));
}

TEST(StringOpsTest, HasEmptyAndEdges) {
  EXPECT_TRUE(M(StringOp::kHas, "anything", ""));
  EXPECT_TRUE(M(StringOp::kHas, "", ""));
  EXPECT_FALSE(M(StringOp::kHas, "", "a"));
  EXPECT_TRUE(M(StringOp::kHas, "abc", "ABC"));
  EXPECT_TRUE(M(StringOp::kHas, "abc.", "abc"));
  EXPECT_TRUE(M(StringOp::kHas, ".abc", "abc"));
}

TEST(StringOpsTest, HasNeedleWithPunctuation) {
  EXPECT_TRUE(M(StringOp::kHas, "powershell.exe -enc SQBFAFgA", "-enc"));
  EXPECT_TRUE(M(StringOp::kHas, "powershell.exe -ENC SQBFAFgA", "-enc"));
  EXPECT_FALSE(M(StringOp::kHas, "powershell.exe -encodedcommand SQB", "-enc"));
  EXPECT_TRUE(M(StringOp::kHas, "powershell.exe -enc", "-enc"));
  EXPECT_TRUE(M(StringOp::kHas, "curl http://10.0.0.1/a", "http://"));
  EXPECT_FALSE(M(StringOp::kHas, "curl https://10.0.0.1/a", "http://"));
  EXPECT_TRUE(M(StringOp::kHas, "C:\\Windows\\System32\\cmd.exe", "cmd.exe"));
  EXPECT_FALSE(M(StringOp::kHas, "C:\\Windows\\System32\\xcmd.exe", "cmd.exe"));
  EXPECT_FALSE(M(StringOp::kHas, "C:\\Windows\\System32\\cmd.exex", "cmd.exe"));
  EXPECT_TRUE(M(StringOp::kHas, "net user /add bob", "/add"));
  EXPECT_TRUE(M(StringOp::kHas, "a ::  b", "::"));
}

TEST(StringOpsTest, HasCs) {
  EXPECT_TRUE(M(StringOp::kHasCs, "North America", "America"));
  EXPECT_FALSE(M(StringOp::kHasCs, "North America", "america"));
  EXPECT_TRUE(M(StringOp::kHasCs, "x -Enc y", "-Enc"));
  EXPECT_FALSE(M(StringOp::kHasCs, "x -enc y", "-Enc"));
}

TEST(StringOpsTest, HasTreatsUtf8AsTermBytes) {
  // "é" (0xc3 0xa9) is part of the term "café", so "caf" is not a term.
  EXPECT_FALSE(M(StringOp::kHas, "le caf\xc3\xa9 noir", "caf"));
  EXPECT_TRUE(M(StringOp::kHas, "le caf\xc3\xa9 noir", "caf\xc3\xa9"));
  EXPECT_TRUE(M(StringOp::kHas, "\xe6\x97\xa5\xe6\x9c\xac-x", "\xe6\x97\xa5\xe6\x9c\xac"));
}

TEST(StringOpsTest, HasPrefix) {
  EXPECT_TRUE(M(StringOp::kHasPrefix, "North America", "ame"));
  EXPECT_TRUE(M(StringOp::kHasPrefix, "North America", "NOR"));
  EXPECT_FALSE(M(StringOp::kHasPrefix, "North America", "merica"));
  EXPECT_TRUE(M(StringOp::kHasPrefixCs, "North America", "Ame"));
  EXPECT_FALSE(M(StringOp::kHasPrefixCs, "North America", "ame"));
  EXPECT_TRUE(M(StringOp::kHasPrefix, "x", ""));
  EXPECT_TRUE(M(StringOp::kHasPrefix, "run -encodedcommand abc", "-enc"));
}

TEST(StringOpsTest, HasPrefixNegative) {
  EXPECT_FALSE(M(StringOp::kHasPrefix, "Northern Lat", "ern"));
  EXPECT_FALSE(M(StringOp::kHasPrefix, "", "a"));
}

TEST(StringOpsTest, HasSuffix) {
  EXPECT_TRUE(M(StringOp::kHasSuffix, "North America", "ica"));
  EXPECT_TRUE(M(StringOp::kHasSuffix, "North America", "RTH"));
  EXPECT_FALSE(M(StringOp::kHasSuffix, "North America", "amer"));
  EXPECT_TRUE(M(StringOp::kHasSuffixCs, "North America", "th"));
  EXPECT_FALSE(M(StringOp::kHasSuffixCs, "North America", "TH"));
  EXPECT_TRUE(M(StringOp::kHasSuffix, "C:\\a\\evil.ps1 -x", ".ps1"));
  EXPECT_TRUE(M(StringOp::kHasSuffix, "x", ""));
}


TEST(StringMatcherTest, KeepsNeedle) {
  const StringMatcher m(StringOp::kContains, "AbC");
  EXPECT_EQ(m.op(), StringOp::kContains);
  EXPECT_EQ(m.needle(), "AbC");
  EXPECT_TRUE(m.Match("xxabcxx"));
}

}  // namespace
}  // namespace vigil::kql

namespace vigil::kql {
namespace {

// MatchPacked must give Match's verdict for every value, whatever the operator: values of
// 0-40 bytes (empty ones too) back to back, term and non-term bytes, needles cut from the
// values (so they often straddle two values in the packed buffer) or random.
TEST(StringOpsTest, MatchPackedAgreesWithMatchOnEveryValue) {
  const std::string alphabet = "aAbB -.1\xc3\xa9/";
  const StringOp ops[] = {StringOp::kEquals,      StringOp::kEqualsCi,     StringOp::kHas,
                          StringOp::kHasCs,       StringOp::kHasPrefix,    StringOp::kHasPrefixCs,
                          StringOp::kHasSuffix,   StringOp::kHasSuffixCs,  StringOp::kContains,
                          StringOp::kContainsCs,  StringOp::kStartsWith,   StringOp::kStartsWithCs,
                          StringOp::kEndsWith,    StringOp::kEndsWithCs};
  std::mt19937 rng(23);
  for (int trial = 0; trial < 6000; ++trial) {
    const size_t count = rng() % 12;
    std::string bytes;
    std::vector<size_t> offsets{0};
    for (size_t v = 0; v < count; ++v) {
      const size_t len = rng() % 4 == 0 ? 0 : rng() % 40;
      for (size_t i = 0; i < len; ++i) {
        bytes += alphabet[rng() % alphabet.size()];
      }
      offsets.push_back(bytes.size());
    }
    std::string needle;
    if (!bytes.empty() && rng() % 3 != 0) {
      needle = bytes.substr(rng() % bytes.size(), rng() % 6);
    } else {
      for (size_t i = rng() % 4; i > 0; --i) {
        needle += alphabet[rng() % alphabet.size()];
      }
    }
    const StringOp op = ops[rng() % std::size(ops)];
    const StringMatcher m(op, needle);
    std::vector<int8_t> got(count, -1);
    m.MatchPacked(bytes, offsets.data(), count, got.data());
    for (size_t v = 0; v < count; ++v) {
      const std::string_view value =
          std::string_view(bytes).substr(offsets[v], offsets[v + 1] - offsets[v]);
      ASSERT_EQ(got[v], m.Match(value) ? 1 : 0)
          << "op " << static_cast<int>(op) << " needle '" << needle << "' value '" << value
          << "' in '" << bytes << "'";
    }
  }
}

TEST(StringOpsTest, MatchPackedCountsAnOccurrenceOnlyInsideOneValue) {
  // "mimi" + "katz" packed side by side spell the needle, but neither value holds it.
  const std::string bytes = "mimikatzmimiKATZ";
  const size_t offsets[] = {0, 4, 8, 12, 16};
  int8_t out[4];
  StringMatcher(StringOp::kContains, "mimikatz").MatchPacked(bytes, offsets, 4, out);
  EXPECT_EQ(out[0] + out[1] + out[2] + out[3], 0);
  const size_t whole[] = {0, 8, 16};
  StringMatcher(StringOp::kContains, "mimikatz").MatchPacked(bytes, whole, 2, out);
  EXPECT_EQ(out[0], 1);
  EXPECT_EQ(out[1], 1);
  StringMatcher(StringOp::kContainsCs, "mimikatz").MatchPacked(bytes, whole, 2, out);
  EXPECT_EQ(out[0], 1);
  EXPECT_EQ(out[1], 0);
  // A value's edge is a term boundary even when the packed neighbour is a letter.
  StringMatcher(StringOp::kHas, "katz").MatchPacked(bytes, offsets, 4, out);
  EXPECT_EQ(out[0], 0);
  EXPECT_EQ(out[1], 1);
  EXPECT_EQ(out[3], 1);
}

}  // namespace
}  // namespace vigil::kql

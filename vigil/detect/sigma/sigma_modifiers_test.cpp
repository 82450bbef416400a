// Unit tests for modifiers.h, sigma_string.h and encoding.h: every modifier, wildcard
// reduction and escapes, and the encodings' exact bytes.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "vigil/detect/sigma/encoding.h"
#include "vigil/detect/sigma/modifiers.h"
#include "vigil/detect/sigma/sigma_string.h"

namespace vigil::detect::sigma {
namespace {

RawValue Str(std::string text) { return RawValue{RawValue::Kind::kString, std::move(text), {}}; }
RawValue Num(std::string text, double n) {
  return RawValue{RawValue::Kind::kNumber, std::move(text), n};
}
RawValue Bool(bool b) { return RawValue{RawValue::Kind::kBool, b ? "true" : "false", {}}; }
RawValue Null() { return RawValue{RawValue::Kind::kNull, "", {}}; }

FieldTest Build(std::string_view key, std::vector<RawValue> values,
                const PlaceholderMap& placeholders = {}) {
  auto test = BuildFieldTest(key, values, placeholders);
  EXPECT_TRUE(test.ok()) << key << ": " << test.error().message();
  return test.ok() ? *test : FieldTest{};
}

std::string Error(std::string_view key, std::vector<RawValue> values,
                  const PlaceholderMap& placeholders = {}) {
  auto test = BuildFieldTest(key, values, placeholders);
  return test.ok() ? std::string("<ok>") : test.error().message();
}

TEST(SigmaStringTest, ReducesWildcards) {
  struct Case {
    const char* input;
    MatchOp op;
    const char* text;
  } cases[] = {
      {"abc", MatchOp::kEquals, "abc"},
      {"*abc*", MatchOp::kContains, "abc"},
      {"abc*", MatchOp::kStartsWith, "abc"},
      {"*abc", MatchOp::kEndsWith, "abc"},
      {"a*b", MatchOp::kGlob, "a*b"},
      {"a?c", MatchOp::kGlob, "a?c"},
      {"**abc**", MatchOp::kContains, "abc"},
      {"*", MatchOp::kGlob, "*"},
      {"", MatchOp::kEquals, ""},
      // Escapes: \* \? \\ consume the backslash; other backslashes stay literal.
      {"a\\*b", MatchOp::kEquals, "a*b"},
      {"\\\\*", MatchOp::kStartsWith, "\\"},
      // `\*` escapes the star; a path ending in a backslash before `*` needs `\\*`.
      {"C:\\Windows\\*", MatchOp::kEquals, "C:\\Windows*"},
      {"C:\\Windows\\\\*", MatchOp::kStartsWith, "C:\\Windows\\"},
      {"*\\?x*", MatchOp::kContains, "?x"},
      {"trailing\\", MatchOp::kEquals, "trailing\\"},
      {"a\\W*b", MatchOp::kGlob, "a\\\\W*b"},
      {"a\\**b", MatchOp::kGlob, "a\\**b"},
  };
  for (const auto& c : cases) {
    MatchOp op;
    std::string text;
    SigmaString::Parse(c.input).Reduce(&op, &text);
    EXPECT_EQ(op, c.op) << c.input;
    EXPECT_EQ(text, c.text) << c.input;
  }
}

TEST(SigmaModifiersTest, PlainValuesAndLists) {
  FieldTest t = Build("Image", {Str("C:\\x.exe"), Str("D:\\y.exe")});
  EXPECT_EQ(t.field, "Image");
  EXPECT_EQ(t.op, MatchOp::kEquals);
  ASSERT_EQ(t.values.size(), 2u);
  EXPECT_EQ(t.values[1].alternatives, std::vector<std::string>{"D:\\y.exe"});
  EXPECT_FALSE(t.match_all);
  EXPECT_FALSE(t.case_sensitive);

  t = Build("EventID", {Num("4624", 4624)});
  ASSERT_EQ(t.values.size(), 1u);
  EXPECT_EQ(t.values[0].alternatives[0], "4624");
  EXPECT_EQ(t.values[0].number, 4624.0);

  t = Build("Enabled", {Bool(true)});
  EXPECT_EQ(t.values[0].alternatives[0], "true");

  t = Build("Field", {Str("")});
  EXPECT_EQ(t.op, MatchOp::kEquals);
  EXPECT_EQ(t.values[0].alternatives[0], "");

  t = Build("Field", {Null()});
  EXPECT_EQ(t.op, MatchOp::kNull);
  EXPECT_TRUE(t.values.empty());
  EXPECT_EQ(Error("Field", {Null(), Str("x")}), "null must be the only value of field 'Field'");
}

TEST(SigmaModifiersTest, ContainsStartsEndsAndAll) {
  FieldTest t = Build("CommandLine|contains|all", {Str("a"), Str("b")});
  EXPECT_EQ(t.op, MatchOp::kContains);
  EXPECT_TRUE(t.match_all);
  EXPECT_EQ(t.modifiers, (std::vector<std::string>{"contains", "all"}));
  EXPECT_EQ(Build("Image|startswith", {Str("C:\\")}).op, MatchOp::kStartsWith);
  EXPECT_EQ(Build("Image|endswith", {Str("\\cmd.exe")}).op, MatchOp::kEndsWith);
  // Wildcards combine with the modifier: contains of a*b is *a*b*.
  t = Build("CommandLine|contains", {Str("a*b")});
  EXPECT_EQ(t.op, MatchOp::kGlob);
  EXPECT_EQ(t.values[0].alternatives[0], "*a*b*");
  // Numbers under a string modifier lose their numeric meaning.
  t = Build("Port|contains", {Num("44", 44)});
  EXPECT_EQ(t.values[0].alternatives[0], "44");
  EXPECT_FALSE(t.values[0].number.has_value());
  // Mixed reductions fall back to glob for every value.
  t = Build("Image|endswith", {Str("\\a.exe"), Str("\\b*c.exe")});
  EXPECT_EQ(t.op, MatchOp::kGlob);
  EXPECT_EQ(t.values[0].alternatives[0], "*\\\\a.exe");
  EXPECT_EQ(t.values[1].alternatives[0], "*\\\\b*c.exe");
}

TEST(SigmaModifiersTest, FlagsExistsCasedNeq) {
  FieldTest t = Build("User|exists", {Bool(true)});
  EXPECT_EQ(t.op, MatchOp::kExists);
  EXPECT_EQ(t.values[0].number, 1.0);
  t = Build("User|exists", {Bool(false)});
  EXPECT_EQ(t.values[0].number, 0.0);
  EXPECT_NE(Error("User|exists", {Str("maybe")}), "<ok>");
  EXPECT_TRUE(Build("User|cased", {Str("Admin")}).case_sensitive);
  t = Build("User|neq", {Str("SYSTEM")});
  EXPECT_TRUE(t.negate);
  EXPECT_EQ(t.op, MatchOp::kEquals);
}

TEST(SigmaModifiersTest, Windash) {
  const std::vector<std::string> variants = WindashVariantsForTest(" -enc");
  ASSERT_EQ(variants.size(), 5u);
  EXPECT_EQ(variants[0], " -enc");
  EXPECT_EQ(variants[1], " /enc");
  EXPECT_EQ(variants[2],
            " \xE2\x80\x93"
            "enc");
  EXPECT_EQ(variants[3],
            " \xE2\x80\x94"
            "enc");
  EXPECT_EQ(variants[4],
            " \xE2\x80\x95"
            "enc");
  // Two word-initial dashes: 25 combinations; a dash inside a word is left alone.
  EXPECT_EQ(WindashVariantsForTest("-a -b").size(), 25u);
  EXPECT_EQ(WindashVariantsForTest("foo-bar").size(), 1u);

  FieldTest t = Build("CommandLine|contains|windash", {Str(" -nop ")});
  EXPECT_EQ(t.op, MatchOp::kContains);
  ASSERT_EQ(t.values[0].alternatives.size(), 5u);
  EXPECT_EQ(t.values[0].alternatives[1], " /nop ");
  t = Build("CommandLine|contains|all|windash", {Str("-a"), Str("-b")});
  EXPECT_TRUE(t.match_all);
  EXPECT_EQ(t.values.size(), 2u);
  EXPECT_EQ(t.values[1].alternatives.size(), 5u);
  EXPECT_EQ(Build("CommandLine|endswith|windash", {Str(" -x")}).op, MatchOp::kEndsWith);
  // Too many dashes is an error, not a memory blow-up.
  EXPECT_NE(Error("CommandLine|windash", {Str("-a -b -c -d -e -f -g")}), "<ok>");
}

TEST(SigmaModifiersTest, RegexWithFlags) {
  FieldTest t = Build("CommandLine|re", {Str("^a.*b$")});
  EXPECT_EQ(t.op, MatchOp::kRegex);
  EXPECT_TRUE(t.case_sensitive);
  EXPECT_EQ(t.values[0].alternatives[0], "^a.*b$");
  t = Build("CommandLine|re|i|m|s", {Str("x\\d")});
  EXPECT_FALSE(t.case_sensitive);
  EXPECT_EQ(t.values[0].alternatives[0], "(?i)(?m)(?s)x\\d");
  EXPECT_EQ(Error("CommandLine|re", {Str("a(b")})
                .rfind("invalid regular expression on field 'CommandLine'", 0),
            0u);
  // Look-ahead is PCRE-only: RE2 refuses it, so the rule cannot load.
  EXPECT_NE(Error("CommandLine|re", {Str("a(?=b)")}), "<ok>");
  EXPECT_EQ(Error("CommandLine|i", {Str("x")}),
            "modifier 'i' is only valid after 're' on field 'CommandLine'");
  EXPECT_NE(Error("CommandLine|re|contains", {Str("x")}), "<ok>");
}

TEST(SigmaModifiersTest, Base64) {
  EXPECT_EQ(Base64Encode("Hello"), "SGVsbG8=");
  FieldTest t = Build("CommandLine|base64", {Str("Hello")});
  EXPECT_EQ(t.op, MatchOp::kEquals);
  EXPECT_EQ(t.values[0].alternatives[0], "SGVsbG8=");
  t = Build("CommandLine|base64|contains", {Str("Hello")});
  EXPECT_EQ(t.op, MatchOp::kContains);
  EXPECT_EQ(Error("CommandLine|base64", {Str("a*b")}),
            "modifier 'base64' on field 'CommandLine' cannot encode wildcards");
}

TEST(SigmaModifiersTest, Base64OffsetExactBytes) {
  const auto variants = Base64OffsetVariants("http://");
  EXPECT_EQ(variants[0], "aHR0cDovL");
  EXPECT_EQ(variants[1], "h0dHA6Ly");
  EXPECT_EQ(variants[2], "odHRwOi8v");
  FieldTest t = Build("CommandLine|base64offset|contains", {Str("http://")});
  EXPECT_EQ(t.op, MatchOp::kContains);
  EXPECT_EQ(t.values[0].alternatives,
            (std::vector<std::string>{"aHR0cDovL", "h0dHA6Ly", "odHRwOi8v"}));
}

TEST(SigmaModifiersTest, Base64OffsetVariantAppearsInAnyEmbedding) {
  std::mt19937 rng(42);
  const std::string value = "Invoke-Expression";
  const auto variants = Base64OffsetVariants(value);
  for (int round = 0; round < 200; ++round) {
    std::string prefix(rng() % 7, '\0');
    std::string suffix(rng() % 5, '\0');
    for (char& c : prefix) c = static_cast<char>(rng());
    for (char& c : suffix) c = static_cast<char>(rng());
    const std::string encoded = Base64Encode(prefix + value + suffix);
    EXPECT_NE(encoded.find(variants[prefix.size() % 3]), std::string::npos)
        << "prefix " << prefix.size() << " suffix " << suffix.size();
  }
}

TEST(SigmaModifiersTest, Utf16Encodings) {
  FieldTest t = Build("Data|wide", {Str("ab\xE2\x82\xAC")});
  EXPECT_EQ(t.values[0].alternatives[0], std::string("a\0b\0\xAC\x20", 6));
  t = Build("Data|utf16le", {Str("ab")});
  EXPECT_EQ(t.values[0].alternatives[0], std::string("a\0b\0", 4));
  t = Build("Data|utf16be", {Str("ab")});
  EXPECT_EQ(t.values[0].alternatives[0], std::string("\0a\0b", 4));
  t = Build("Data|utf16", {Str("ab")});
  EXPECT_EQ(t.values[0].alternatives[0], std::string("\xFF\xFE"
                                                     "a\0b\0",
                                                     6));
  // Astral code points become surrogate pairs.
  EXPECT_EQ(*Utf8ToUtf16("\xF0\x9F\x98\x80", false), std::string("\x3D\xD8\x00\xDE", 4));
  EXPECT_FALSE(Utf8ToUtf16("\xC3", false).ok());
  EXPECT_FALSE(Utf8ToUtf16("\xFF", false).ok());
  // wide|base64offset|contains: the chain used by SigmaHQ for PowerShell -enc payloads.
  t = Build("CommandLine|wide|base64offset|contains", {Str("cmd")});
  EXPECT_EQ(t.op, MatchOp::kContains);
  ASSERT_EQ(t.values[0].alternatives.size(), 3u);
  EXPECT_EQ(t.values[0].alternatives[0], "YwBtAGQA");
}

TEST(SigmaModifiersTest, Cidr) {
  FieldTest t = Build("SourceIp|cidr", {Str("10.0.0.0/8"), Str("fe80::/10"), Str("1.2.3.4")});
  EXPECT_EQ(t.op, MatchOp::kCidr);
  EXPECT_EQ(t.values[0].alternatives[0], "10.0.0.0/8");
  EXPECT_EQ(t.values[1].alternatives[0], "fe80::/10");
  EXPECT_EQ(t.values[2].alternatives[0], "1.2.3.4/32");
  EXPECT_EQ(Error("SourceIp|cidr", {Str("10.0.0.0/33")}),
            "invalid cidr prefix length in '10.0.0.0/33' on field 'SourceIp'");
  EXPECT_NE(Error("SourceIp|cidr", {Str("300.1.1.1/8")}), "<ok>");
  EXPECT_NE(Error("SourceIp|cidr", {Str("fe80::/129")}), "<ok>");
}

TEST(SigmaModifiersTest, NumericAndTimeParts) {
  FieldTest t = Build("Count|gte", {Num("5", 5)});
  EXPECT_EQ(t.op, MatchOp::kGte);
  EXPECT_EQ(t.values[0].number, 5.0);
  EXPECT_EQ(Build("Count|lt", {Str("7.5")}).values[0].number, 7.5);
  EXPECT_EQ(Build("Count|lte", {Num("1", 1)}).op, MatchOp::kLte);
  EXPECT_EQ(Build("Count|gt", {Num("1", 1)}).op, MatchOp::kGt);
  EXPECT_EQ(Error("Count|gt", {Str("many")}), "field 'Count' needs a number, got 'many'");
  t = Build("TimeCreated|hour", {Num("3", 3)});
  EXPECT_EQ(t.time_part, TimePart::kHour);
  EXPECT_EQ(t.op, MatchOp::kEquals);
  t = Build("TimeCreated|month|gte", {Num("6", 6)});
  EXPECT_EQ(t.time_part, TimePart::kMonth);
  EXPECT_EQ(t.op, MatchOp::kGte);
  EXPECT_EQ(Build("T|minute", {Num("1", 1)}).time_part, TimePart::kMinute);
  EXPECT_EQ(Build("T|day", {Num("1", 1)}).time_part, TimePart::kDay);
  EXPECT_EQ(Build("T|week", {Num("1", 1)}).time_part, TimePart::kWeek);
  EXPECT_EQ(Build("T|year", {Num("2024", 2024)}).time_part, TimePart::kYear);
}

TEST(SigmaModifiersTest, FieldRef) {
  FieldTest t = Build("TargetUserName|fieldref", {Str("SubjectUserName")});
  EXPECT_EQ(t.op, MatchOp::kFieldRef);
  EXPECT_EQ(t.fieldref_op, MatchOp::kEquals);
  EXPECT_EQ(t.values[0].alternatives[0], "SubjectUserName");
  t = Build("CommandLine|fieldref|contains", {Str("User")});
  EXPECT_EQ(t.fieldref_op, MatchOp::kContains);
  EXPECT_EQ(Build("A|fieldref|startswith", {Str("B")}).fieldref_op, MatchOp::kStartsWith);
  t = Build("A|fieldref|endswith|neq", {Str("B")});
  EXPECT_EQ(t.fieldref_op, MatchOp::kEndsWith);
  EXPECT_TRUE(t.negate);
}

TEST(SigmaModifiersTest, Expand) {
  const PlaceholderMap placeholders = {{"Admins", {"Administrator", "Adm*"}}};
  FieldTest t = Build("User|expand", {Str("%Admins%")}, placeholders);
  ASSERT_EQ(t.values.size(), 1u);
  // Mixed equals/startswith alternatives are all expressed as glob.
  EXPECT_EQ(t.op, MatchOp::kGlob);
  EXPECT_EQ(t.values[0].alternatives, (std::vector<std::string>{"Administrator", "Adm*"}));
  t = Build("User|contains|expand", {Str("x%Admins%")}, {{"Admins", {"a", "b"}}});
  EXPECT_EQ(t.op, MatchOp::kContains);
  EXPECT_EQ(t.values[0].alternatives, (std::vector<std::string>{"xa", "xb"}));
  EXPECT_EQ(Error("User|expand", {Str("%Nope%")}),
            "unresolved placeholder '%Nope%' on field 'User'");
  t = Build("SourceIp|cidr|expand", {Str("%nets%")}, {{"nets", {"10.0.0.0/8"}}});
  EXPECT_EQ(t.op, MatchOp::kCidr);
  // Without |expand, %x% is plain text.
  EXPECT_EQ(Build("User", {Str("%Admins%")}).values[0].alternatives[0], "%Admins%");
}

TEST(SigmaModifiersTest, KeywordsAreSubstringSearches) {
  FieldTest t = Build("", {Str("rm -rf"), Str("wget")});
  EXPECT_EQ(t.field, "");
  EXPECT_EQ(t.op, MatchOp::kContains);
  EXPECT_EQ(t.values[0].alternatives[0], "rm -rf");
  t = Build("|all", {Str("a"), Str("b")});
  EXPECT_TRUE(t.match_all);
  EXPECT_EQ(t.field, "");
}

TEST(SigmaModifiersTest, UnknownModifierIsNamed) {
  EXPECT_EQ(Error("Image|foo", {Str("x")}), "unknown modifier 'foo' on field 'Image'");
  EXPECT_EQ(Error("Image||contains", {Str("x")}), "unknown modifier '' on field 'Image'");
  EXPECT_EQ(Error("Image", {}), "empty value list for field 'Image'");
}

}  // namespace
}  // namespace vigil::detect::sigma

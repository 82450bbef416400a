#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/kql/functions/registry.h"
#include "vigil/kql/value.h"

namespace vigil::kql {
namespace {

class StringFunctionsTest : public ::testing::Test {
 protected:
  StringFunctionsTest() {
    RegisterStringFunctions(registry_);
    ctx_.regex = &regex_;
    ctx_.warnings = &warnings_;
  }
  Value Call(std::string_view name, std::vector<Value> args) {
    const ScalarFunction* fn = registry_.FindScalar(name);
    EXPECT_NE(fn, nullptr) << name;
    if (fn == nullptr) {
      return Value();
    }
    EXPECT_GE(static_cast<int>(args.size()), fn->min_args) << name;
    EXPECT_TRUE(fn->max_args < 0 || static_cast<int>(args.size()) <= fn->max_args) << name;
    return fn->impl(args, ctx_);
  }
  std::string Text(std::string_view name, std::vector<Value> args) {
    const Value v = Call(name, std::move(args));
    EXPECT_TRUE(v.is_string()) << name << " gave " << v.ToJson();
    return v.AsString();
  }
  int64_t Long(std::string_view name, std::vector<Value> args) {
    const Value v = Call(name, std::move(args));
    EXPECT_EQ(v.kind(), Kind::kLong) << name << " gave " << v.ToJson();
    return v.AsInt64();
  }
  Registry registry_;
  RegexCache regex_;
  std::vector<std::string> warnings_;
  FunctionContext ctx_;
};

Value S(std::string v) { return Value::String(std::move(v)); }
Value L(int64_t v) { return Value::Long(v); }
Value Arr(std::string_view json) { return *ParseJson(json); }

TEST_F(StringFunctionsTest, StrcatAndDelim) {
  EXPECT_EQ(Text("strcat", {S("hello"), S(" "), S("world")}), "hello world");
  EXPECT_EQ(Text("strcat", {S("a"), L(1), Value(), Value::Bool(true)}), "a1true");
  EXPECT_EQ(Text("strcat_delim", {S("-"), S("a"), S("b"), L(3)}), "a-b-3");
  EXPECT_EQ(Text("strcat_array", {Arr(R"([1, 2, "x"])"), S("-")}), "1-2-x");
  EXPECT_TRUE(Call("strcat_array", {S("x"), S("-")}).is_null());
}

TEST_F(StringFunctionsTest, LengthsCountCharactersAndBytes) {
  EXPECT_EQ(Long("strlen", {S("hello")}), 5);
  EXPECT_EQ(Long("strlen", {S("\u2466\u2470\u246e")}), 3);
  EXPECT_EQ(Long("string_size", {S("\u2466\u2470\u246e")}), 9);
  EXPECT_EQ(Long("strlen", {Value()}), 0);
  EXPECT_EQ(Long("strlen", {L(12345)}), 5);
}

TEST_F(StringFunctionsTest, SubstringDocumentedExamples) {
  EXPECT_EQ(Text("substring", {S("123456"), L(1)}), "23456");
  EXPECT_EQ(Text("substring", {S("123456"), L(2), L(2)}), "34");
  EXPECT_EQ(Text("substring", {S("ABCD"), L(0), L(2)}), "AB");
  EXPECT_EQ(Text("substring", {S("123456"), L(-2), L(2)}), "56");
  EXPECT_EQ(Text("substring", {S("abc"), L(10)}), "");
  EXPECT_EQ(Text("substring", {S("abc"), L(1), L(100)}), "bc");
  EXPECT_EQ(Text("substring", {S("h\u00e9llo"), L(1), L(2)}), "\u00e9l");
  EXPECT_TRUE(Call("substring", {S("abc"), Value()}).is_null());
}

TEST_F(StringFunctionsTest, CaseMapping) {
  EXPECT_EQ(Text("tolower", {S("Hello WORLD")}), "hello world");
  EXPECT_EQ(Text("toupper", {S("Hello world")}), "HELLO WORLD");
  EXPECT_EQ(Text("tolower", {S("\u00c9COLE \u0410\u0411")}), "\u00e9cole \u0430\u0431");
  EXPECT_EQ(Text("toupper", {S("stra\u00dfe")}), "STRA\u00dfE");  // sharp s kept
  EXPECT_EQ(Text("tolower", {Value()}), "");
}

TEST_F(StringFunctionsTest, TrimTakesARegex) {
  EXPECT_EQ(Text("trim", {S("--"), S("--https://bing.com--")}), "https://bing.com");
  EXPECT_EQ(Text("trim_start", {S("https://"), S("https://bing.com")}), "bing.com");
  EXPECT_EQ(Text("trim_end", {S(".com"), S("bing.com")}), "bing");
  EXPECT_EQ(Text("trim", {S(R"([^\w]+)"), S("  ..hello.. ")}), "hello");
  EXPECT_EQ(Text("trim", {S("\\s"), S("   a b   ")}), "a b");
  EXPECT_EQ(Text("trim_end", {S("[0-9]"), S("abc123")}), "abc");
  EXPECT_TRUE(Call("trim", {S("("), S("x")}).is_null());
  EXPECT_FALSE(warnings_.empty());
}

TEST_F(StringFunctionsTest, ReplaceFamily) {
  EXPECT_EQ(Text("replace_string",
                 {S("A magic trick can turn a cat into a dog"), S("cat"), S("hamster")}),
            "A magic trick can turn a hamster into a dog");
  EXPECT_EQ(Text("replace_string", {S("aaa"), S("aa"), S("b")}), "ba");
  EXPECT_EQ(Text("replace_string", {S("abc"), S(""), S("x")}), "abc");
  EXPECT_EQ(Text("replace_regex", {S("Number is 1"), S("is ([0-9]+)"), S("was: \\1")}),
            "Number was: 1");
  EXPECT_EQ(Text("replace", {S("is ([0-9]+)"), S("was: \\1"), S("Number is 2")}), "Number was: 2");
  EXPECT_EQ(Text("replace_regex", {S("a1b22"), S("[0-9]+"), S("#")}), "a#b#");
  EXPECT_TRUE(Call("replace_regex", {S("x"), S("x"), S("\\3")}).is_null());
  EXPECT_EQ(Text("replace_strings", {S("It's a wonderful day"), Arr(R"(["It's", "wonderful"])"),
                                     Arr(R"(["It was", "beautiful"])")}),
            "It was a beautiful day");
  EXPECT_EQ(
      Text("replace_strings", {S("A red cat"), Arr(R"(["cat", "red"])"), Arr(R"(["dog", "cat"])")}),
      "A cat dog");
}

TEST_F(StringFunctionsTest, Reverse) {
  EXPECT_EQ(Text("reverse", {S("ebsoR")}), "Rosbe");
  EXPECT_EQ(Text("reverse", {L(123)}), "321");
  EXPECT_EQ(Text("reverse", {S("a\u00e9b")}), "b\u00e9a");
}

TEST_F(StringFunctionsTest, SplitDocumentedExamples) {
  EXPECT_EQ(Call("split", {S("aa_bb"), S("_")}).ToJson(), R"(["aa","bb"])");
  EXPECT_EQ(Call("split", {S("aaa_bbb_ccc"), S("_"), L(1)}).ToJson(), R"(["bbb"])");
  EXPECT_EQ(Call("split", {S(""), S("_")}).ToJson(), R"([""])");
  EXPECT_EQ(Call("split", {S("a__b"), S("_")}).ToJson(), R"(["a","","b"])");
  EXPECT_EQ(Call("split", {S("aabbcc"), S("bb")}).ToJson(), R"(["aa","cc"])");
  EXPECT_EQ(Call("split", {S("a_b"), S("_"), L(5)}).ToJson(), "[]");
}

TEST_F(StringFunctionsTest, IndexOfDocumentedExamples) {
  EXPECT_EQ(Long("indexof", {S("abcdefg"), S("cde")}), 2);
  EXPECT_EQ(Long("indexof", {S("abcdefg"), S("cde"), L(1), L(4)}), 2);
  EXPECT_EQ(Long("indexof", {S("abcdefg"), S("cde"), L(1), L(2)}), -1);
  EXPECT_EQ(Long("indexof", {S("abcdefg"), S("cde"), L(3), L(4)}), -1);
  EXPECT_EQ(Long("indexof", {S("abcdefg"), S("cde"), L(-5)}), 2);
  EXPECT_EQ(Long("indexof", {L(1234567), L(5), L(1), L(4)}), 4);
  EXPECT_EQ(Long("indexof", {S("abcdefg"), S("cde"), L(2), L(-1)}), 2);
  EXPECT_EQ(Long("indexof", {S("abcdefgabcdefg"), S("cde"), L(1), L(10), L(2)}), 9);
  EXPECT_EQ(Long("indexof", {S("abcdefgabcdefg"), S("cde"), L(1), L(-1), L(3)}), -1);
  EXPECT_EQ(Long("indexof", {S("Hello, world, hello!"), S("lo"), L(5)}), 17);
  EXPECT_TRUE(Call("indexof", {S("abc"), S("b"), L(0), L(-2)}).is_null());
  EXPECT_TRUE(Call("indexof", {S("abc"), S("b"), L(0), L(-1), L(-1)}).is_null());
  EXPECT_EQ(Long("indexof", {S("\u00e9t\u00e9"), S("t")}), 1);
}

TEST_F(StringFunctionsTest, CountOfDocumentedExamples) {
  EXPECT_EQ(Long("countof", {S("aaa"), S("a")}), 3);
  EXPECT_EQ(Long("countof", {S("aaaa"), S("aa")}), 3);
  EXPECT_EQ(Long("countof", {S("ababa"), S("ab"), S("normal")}), 2);
  EXPECT_EQ(Long("countof", {S("ababa"), S("aba")}), 2);
  EXPECT_EQ(Long("countof", {S("ababa"), S("aba"), S("regex")}), 1);
  EXPECT_EQ(Long("countof", {S("abcabc"), S("a.c"), S("regex")}), 2);
  EXPECT_EQ(Long("countof", {S("abcdefedcba"), S("[abc]"), S("regex")}), 6);
  EXPECT_EQ(Long("countof", {S("abc"), S("")}), 0);
  EXPECT_TRUE(Call("countof", {S("abc"), S("a"), S("bogus")}).is_null());
}

TEST_F(StringFunctionsTest, HasAnyIndex) {
  EXPECT_EQ(Long("has_any_index", {S("this is an example"), Arr(R"(["this", "example"])")}), 0);
  EXPECT_EQ(Long("has_any_index", {S("this is an example"), Arr(R"(["not", "example"])")}), 1);
  EXPECT_EQ(Long("has_any_index", {S("this is an example"), Arr(R"(["xample", "xx"])")}), -1);
  EXPECT_EQ(Long("has_any_index", {S("Hello World"), Arr(R"(["WORLD"])")}), 0);
}

TEST_F(StringFunctionsTest, StrrepAndTranslate) {
  EXPECT_EQ(Text("strrep", {S("ABC"), L(2)}), "ABCABC");
  EXPECT_EQ(Text("strrep", {L(123), L(3), S(".")}), "123.123.123");
  EXPECT_EQ(Text("strrep", {Value::TimeSpan(30000000), L(2), S(" ")}), "00:00:03 00:00:03");
  EXPECT_EQ(Text("strrep", {S("x"), L(5000)}).size(), 1024u);
  EXPECT_TRUE(Call("strrep", {S("x"), L(0)}).is_null());
  EXPECT_EQ(Text("translate", {S("abc"), S("x"), S("abc")}), "xxx");
  EXPECT_EQ(Text("translate", {S("abc"), S(""), S("ab")}), "");
  EXPECT_EQ(Text("translate", {S("krasp"), S("otsku"), S("spark")}), "kusto");
}

TEST_F(StringFunctionsTest, CodePoints) {
  EXPECT_EQ(Call("unicode_codepoints_from_string", {S("\u00e8")}).ToJson(), "[232]");
  EXPECT_EQ(Call("unicode_codepoints_from_string", {S("Ab")}).ToJson(), "[65,98]");
  EXPECT_EQ(Text("unicode_codepoints_to_string", {L(75), L(117), L(115), L(116), L(111)}), "Kusto");
  EXPECT_EQ(Text("unicode_codepoints_to_string", {Arr("[75, 117, 115]"), L(116), L(111)}), "Kusto");
  EXPECT_EQ(Text("make_string", {L(8364)}), "\u20ac");
  EXPECT_TRUE(Call("make_string", {L(-1)}).is_null());
}

TEST_F(StringFunctionsTest, EmptinessAndNullness) {
  EXPECT_TRUE(Call("isempty", {S("")}).AsBool());
  EXPECT_TRUE(Call("isempty", {Value()}).AsBool());
  EXPECT_FALSE(Call("isempty", {S("a")}).AsBool());
  EXPECT_FALSE(Call("isempty", {L(0)}).AsBool());
  EXPECT_TRUE(Call("isnotempty", {S("a")}).AsBool());
  EXPECT_FALSE(Call("notempty", {S("")}).AsBool());
  EXPECT_TRUE(Call("isnull", {Value()}).AsBool());
  EXPECT_FALSE(Call("isnull", {S("")}).AsBool());
  EXPECT_TRUE(Call("isnotnull", {L(1)}).AsBool());
}

TEST_F(StringFunctionsTest, ReturnTypesAcceptScalarsAndRejectBadIntegers) {
  const ScalarFunction* fn = registry_.FindScalar("substring");
  ASSERT_NE(fn, nullptr);
  std::string error;
  const std::vector<Type> ok = {Type::kLong, Type::kInt};
  EXPECT_EQ(fn->return_type(ok, &error), Type::kString);
  const std::vector<Type> bad = {Type::kString, Type::kString};
  EXPECT_EQ(fn->return_type(bad, &error), std::nullopt);
  EXPECT_EQ(error, "substring(): argument 2 must be an integer");
}

// Every function of the string, regex, parse, encoding and IP groups, called with arbitrary
// argument mixes (nulls, wrong kinds, extreme numbers, invalid UTF-8 and regexes), returns a
// value without crashing or throwing.
TEST(ScalarFunctionsGroup1Test, ArbitraryArgumentsNeverCrash) {
  Registry registry;
  RegisterStringFunctions(registry);
  RegisterRegexFunctions(registry);
  RegisterParseFunctions(registry);
  RegisterEncodingFunctions(registry);
  RegisterIpFunctions(registry);
  const std::vector<Value> pool = {
      Value(),
      S(""),
      S("abc"),
      S("a.b.c"),
      S("("),
      S("\\"),
      S("(a)(b)?"),
      S("1.2.3.4/24"),
      S("::1/200"),
      S("\u00e9\u20ac\U0001F600"),
      S("\xff\xfe\xc3"),
      S("$.a[0]"),
      S("$['a'][5].b"),
      S("windows"),
      S("regex"),
      S(R"({"a":[1,{"b":2}]})"),
      S("S3VzdG8="),
      S("scheme://u:p@h:1/p?q=1&r#f"),
      S("C:\\x\\y.z:s"),
      L(-1),
      L(0),
      L(3),
      L(std::numeric_limits<int64_t>::min()),
      L(std::numeric_limits<int64_t>::max()),
      Value::Real(std::nan("")),
      Value::Real(1e300),
      Value::Bool(true),
      Value::DateTime(0),
      Value::TimeSpan(-5),
      Arr(R"([1,"x",null,[2]])"),
      Arr(R"({"a":1})"),
      Arr("[]"),
  };
  std::mt19937 rng(12345);
  RegexCache regex;
  std::vector<std::string> warnings;
  FunctionContext ctx;
  ctx.regex = &regex;
  ctx.warnings = &warnings;
  size_t calls = 0;
  for (const std::string& name : registry.ScalarNames()) {
    const ScalarFunction* fn = registry.FindScalar(name);
    const int max_args = fn->max_args < 0 ? fn->min_args + 3 : std::min(fn->max_args, 5);
    for (int arity = fn->min_args; arity <= max_args; ++arity) {
      for (int trial = 0; trial < 200; ++trial) {
        std::vector<Value> args;
        for (int i = 0; i < arity; ++i) {
          args.push_back(pool[rng() % pool.size()]);
        }
        const Value result = fn->impl(args, ctx);
        (void)result.ToJson();
        ++calls;
      }
    }
  }
  EXPECT_GT(calls, 10000u);
}

}  // namespace
}  // namespace vigil::kql

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "vigil/kql/functions/registry.h"
#include "vigil/kql/value.h"

namespace vigil::kql {
namespace {

class RegexFunctionsTest : public ::testing::Test {
 protected:
  RegexFunctionsTest() {
    RegisterRegexFunctions(registry_);
    ctx_.regex = &regex_;
    ctx_.warnings = &warnings_;
  }
  Value Call(std::string_view name, std::vector<Value> args) {
    const ScalarFunction* fn = registry_.FindScalar(name);
    EXPECT_NE(fn, nullptr) << name;
    return fn == nullptr ? Value() : fn->impl(args, ctx_);
  }
  std::string Json(std::string_view name, std::vector<Value> args) {
    return Call(name, std::move(args)).ToJson();
  }
  Registry registry_;
  RegexCache regex_;
  std::vector<std::string> warnings_;
  FunctionContext ctx_;
};

Value S(std::string v) { return Value::String(std::move(v)); }
Value L(int64_t v) { return Value::Long(v); }

TEST_F(RegexFunctionsTest, ExtractDocumentedExamples) {
  EXPECT_EQ(Call("extract", {S("x=([0-9.]+)"), L(1), S("hello x=45.6|wo")}).AsString(), "45.6");
  EXPECT_EQ(Call("extract", {S("x=([0-9.]+)"), L(0), S("hello x=45.6|wo")}).AsString(), "x=45.6");
  EXPECT_EQ(
      Call("extract", {S(R"(Duration=(\d+))"), L(1), S("Event: A Duration=123 ms")}).AsString(),
      "123");
  const Value none = Call("extract", {S("x=([0-9]+)"), L(1), S("nothing here")});
  EXPECT_TRUE(none.is_string());
  EXPECT_EQ(none.AsString(), "");
  EXPECT_EQ(Call("extract", {S("(a)"), L(5), S("a")}).AsString(), "");
  EXPECT_TRUE(Call("extract", {S("(unclosed"), L(1), S("a")}).is_null());
  EXPECT_FALSE(warnings_.empty());
}

TEST_F(RegexFunctionsTest, ExtractAllDocumentedExamples) {
  EXPECT_EQ(Json("extract_all", {S(R"((\d+))"), S("a1b22c333")}), R"(["1","22","333"])");
  EXPECT_EQ(Json("extract_all", {S(R"((\w)(\w+)(\w))"), *ParseJson("[1,3]"), S("The price")}),
            R"([["T","e"],["p","e"]])");
  EXPECT_EQ(Json("extract_all", {S(R"((?P<first>\w)(\w+)(?P<last>\w))"),
                                 *ParseJson(R"(["first","last"])"), S("The price")}),
            R"([["T","e"],["p","e"]])");
  EXPECT_EQ(Json("extract_all", {S(R"(\d+)"), S("a1b22")}), R"(["1","22"])");
  EXPECT_TRUE(Call("extract_all", {S(R"((\d+))"), S("none")}).is_null());
  EXPECT_TRUE(Call("extract_all", {S("(a)"), *ParseJson("[7]"), S("a")}).is_null());
}

TEST_F(RegexFunctionsTest, ExtractAllMultiGroupRows) {
  EXPECT_EQ(Json("extract_all", {S(R"((\w)(\w+)(\w))"), S("The price")}),
            R"([["T","h","e"],["p","ric","e"]])");
}

TEST_F(RegexFunctionsTest, IndexOfRegex) {
  EXPECT_EQ(Call("indexof_regex", {S("abcabc"), S("a.c")}).AsInt64(), 0);
  EXPECT_EQ(Call("indexof_regex", {S("abcabcdefg"), S("a.c"), L(0), L(9), L(2)}).AsInt64(), 3);
  EXPECT_EQ(Call("indexof_regex", {S("abcabc"), S("a.c"), L(1), L(-1), L(2)}).AsInt64(), -1);
  EXPECT_EQ(Call("indexof_regex", {S("ababaa"), S("a(b)"), L(0), L(-1), L(3)}).AsInt64(), -1);
  EXPECT_TRUE(Call("indexof_regex", {S("abcabc"), S("a|ab"), L(-1)}).is_null());
  EXPECT_EQ(Call("indexof_regex", {S("\u00e9\u00e9x"), S("x")}).AsInt64(), 2);
}

TEST_F(RegexFunctionsTest, ExtractJson) {
  const Value doc = S(R"({"a":{"b":[10,{"c":"deep"}]},"x y":"spaced","n":5})");
  EXPECT_EQ(Call("extractjson", {S("$.a.b[1].c"), doc}).AsString(), "deep");
  EXPECT_EQ(Call("extract_json", {S("$.n"), doc}).AsString(), "5");
  EXPECT_EQ(Call("extractjson", {S("$['x y']"), doc}).AsString(), "spaced");
  EXPECT_EQ(Call("extractjson", {S("$.a.b"), doc}).AsString(), R"([10,{"c":"deep"}])");
  EXPECT_EQ(Call("extractjson", {S("$.missing"), doc}).AsString(), "");
  EXPECT_EQ(Call("extractjson", {S("$.a"), S("not json")}).AsString(), "");
  EXPECT_EQ(Call("extractjson", {S("$.hosts[1].location"),
                                 S(R"({"hosts":[{"location":"a"},{"location":"North_DC"}]})")})
                .AsString(),
            "North_DC");
}

TEST_F(RegexFunctionsTest, ParseCommandLineWindowsRules) {
  EXPECT_EQ(Json("parse_command_line", {S(R"(echo "hello world!" print$?)"), S("windows")}),
            R"(["echo","hello world!","print$?"])");
  EXPECT_EQ(Json("parse_command_line",
                 {S(R"("C:\Program Files\app.exe" -a "b c" d\"e f\\"g h")"), S("windows")}),
            R"(["C:\\Program Files\\app.exe","-a","b c","d\"e","f\\g h"])");
  EXPECT_EQ(Json("parse_command_line", {S(R"(cmd.exe /c "a ""quoted"" b")"), S("windows")}),
            R"(["cmd.exe","/c","a \"quoted\" b"])");
  EXPECT_EQ(Json("parse_command_line", {S("   "), S("windows")}), "[]");
  EXPECT_TRUE(Call("parse_command_line", {S("a b"), S("linux")}).is_null());
}

}  // namespace
}  // namespace vigil::kql

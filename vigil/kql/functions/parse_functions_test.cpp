#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "vigil/kql/functions/registry.h"
#include "vigil/kql/value.h"

namespace vigil::kql {
namespace {

class ParseFunctionsTest : public ::testing::Test {
 protected:
  ParseFunctionsTest() { RegisterParseFunctions(registry_); }
  Value Call(std::string_view name, std::vector<Value> args) {
    const ScalarFunction* fn = registry_.FindScalar(name);
    EXPECT_NE(fn, nullptr) << name;
    FunctionContext ctx;
    return fn == nullptr ? Value() : fn->impl(args, ctx);
  }
  std::string Json(std::string_view name, std::vector<Value> args) {
    return Call(name, std::move(args)).ToJson();
  }
  Registry registry_;
};

Value S(std::string v) { return Value::String(std::move(v)); }

TEST_F(ParseFunctionsTest, ParseUrlDocumentedExample) {
  EXPECT_EQ(
      Json("parse_url",
           {S("scheme://username:password@host:1234/this/is/a/path?k1=v1&k2=v2#fragment")}),
      R"({"Scheme":"scheme","Host":"host","Port":"1234","Path":"/this/is/a/path",)"
      R"("Username":"username","Password":"password","Query Parameters":{"k1":"v1","k2":"v2"},)"
      R"("Fragment":"fragment"})");
}

TEST_F(ParseFunctionsTest, ParseUrlEdgeCases) {
  const Value v = Call("parse_url", {S("https://bing.com/search?q=a%20b+c&empty")});
  EXPECT_EQ(v.Find("Host")->AsString(), "bing.com");
  EXPECT_EQ(v.Find("Port")->AsString(), "");
  EXPECT_EQ(v.Find("Path")->AsString(), "/search");
  EXPECT_EQ(v.Find("Query Parameters")->ToJson(), R"({"q":"a b c","empty":""})");
  const Value ipv6 = Call("parse_url", {S("http://[::1]:8080/")});
  EXPECT_EQ(ipv6.Find("Host")->AsString(), "[::1]");
  EXPECT_EQ(ipv6.Find("Port")->AsString(), "8080");
  const Value relative = Call("parse_url", {S("bing.com")});
  EXPECT_EQ(relative.Find("Host")->AsString(), "");
  EXPECT_EQ(relative.Find("Scheme")->AsString(), "");
}

TEST_F(ParseFunctionsTest, ParseUrlQuery) {
  EXPECT_EQ(Json("parse_urlquery", {S("k1=v1&k2=v2&k3=v3")}),
            R"({"Query Parameters":{"k1":"v1","k2":"v2","k3":"v3"}})");
  EXPECT_EQ(Json("parse_urlquery", {S("?a=%2F")}), R"({"Query Parameters":{"a":"/"}})");
}

TEST_F(ParseFunctionsTest, ParsePathDocumentedExamples) {
  EXPECT_EQ(Json("parse_path", {S(R"(C:\temp\file.txt)")}),
            R"({"Scheme":"","RootPath":"C:","DirectoryPath":"C:\\temp","DirectoryName":"temp",)"
            R"("Filename":"file.txt","Extension":"txt","AlternateDataStreamName":""})");
  EXPECT_EQ(Json("parse_path", {S(R"(temp\file.txt)")}),
            R"({"Scheme":"","RootPath":"","DirectoryPath":"temp","DirectoryName":"temp",)"
            R"("Filename":"file.txt","Extension":"txt","AlternateDataStreamName":""})");
  EXPECT_EQ(Json("parse_path", {S("file://C:/temp/file.txt:some.exe")}),
            R"({"Scheme":"file","RootPath":"C:","DirectoryPath":"C:/temp","DirectoryName":)"
            R"("temp","Filename":"file.txt","Extension":"txt","AlternateDataStreamName":)"
            R"("some.exe"})");
  EXPECT_EQ(Json("parse_path", {S(R"(\\shared\users\temp\file.txt.gz)")}),
            R"({"Scheme":"","RootPath":"","DirectoryPath":"\\\\shared\\users\\temp",)"
            R"("DirectoryName":"temp","Filename":"file.txt.gz","Extension":"gz",)"
            R"("AlternateDataStreamName":""})");
  EXPECT_EQ(Json("parse_path", {S("/usr/lib/temp/file.txt")}),
            R"({"Scheme":"","RootPath":"","DirectoryPath":"/usr/lib/temp","DirectoryName":)"
            R"("temp","Filename":"file.txt","Extension":"txt","AlternateDataStreamName":""})");
  EXPECT_EQ(Call("parse_path", {S("")}).Find("Filename")->AsString(), "");
}

TEST_F(ParseFunctionsTest, ParseVersion) {
  EXPECT_EQ(Call("parse_version", {S("0.0.0.5")}).AsReal(), 5.0);
  EXPECT_EQ(Call("parse_version", {S("1.2")}).AsReal(), 1e24 + 2e16);
  EXPECT_LT(Call("parse_version", {S("1.2.3")}).AsReal(),
            Call("parse_version", {S("1.10")}).AsReal());
  EXPECT_TRUE(Call("parse_version", {S("1.2.3.4.5")}).is_null());
  EXPECT_TRUE(Call("parse_version", {S("ab")}).is_null());
  EXPECT_TRUE(Call("parse_version", {S("123456789.1")}).is_null());
  EXPECT_TRUE(Call("parse_version", {S("")}).is_null());
}

TEST_F(ParseFunctionsTest, ParseCsvDocumentedExample) {
  EXPECT_EQ(Json("parse_csv", {S("aa,\"b,b,b\",cc,\"Escaping quotes: \"\"Title\"\"\","
                                 "\"line1\nline2\"")}),
            R"(["aa","b,b,b","cc","Escaping quotes: \"Title\"","line1\nline2"])");
  EXPECT_EQ(Json("parse_csv", {S("record1,a,b,c\nrecord2,x,y,z")}), R"(["record1","a","b","c"])");
  EXPECT_EQ(Json("parse_csv", {S("")}), R"([""])");
}

TEST_F(ParseFunctionsTest, UrlEncoding) {
  EXPECT_EQ(Call("url_encode", {S("https://www.bing.com/")}).AsString(),
            "https%3a%2f%2fwww.bing.com%2f");
  EXPECT_EQ(Call("url_encode", {S("a b")}).AsString(), "a+b");
  EXPECT_EQ(Call("url_encode_component", {S("https://www.bing.com/hello world/")}).AsString(),
            "https%3a%2f%2fwww.bing.com%2fhello%20world%2f");
  EXPECT_EQ(Call("url_decode", {S("https%3a%2f%2fwww.bing.com%2f")}).AsString(),
            "https://www.bing.com/");
  EXPECT_EQ(Call("url_decode", {S("a+b%20c%zz%")}).AsString(), "a b c%zz%");
}

TEST_F(ParseFunctionsTest, ParseUserAgentHeuristics) {
  const std::string chrome =
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/79.0.3945.130 Safari/537.36";
  const Value v = Call("parse_user_agent", {S(chrome), S("browser")});
  EXPECT_EQ(v.ToJson(), R"({"Browser":{"Family":"Chrome","MajorVersion":"79","MinorVersion":"0",)"
                        R"("Patch":"3945"}})");
  const Value os = Call("parse_user_agent", {S(chrome), *ParseJson(R"(["os","browser"])")});
  EXPECT_EQ(os.Find("OperatingSystem")->Find("Family")->AsString(), "Windows");
  EXPECT_EQ(os.Find("OperatingSystem")->Find("MajorVersion")->AsString(), "10");
  EXPECT_NE(os.Find("Browser"), nullptr);
  const std::string iphone =
      "Mozilla/5.0 (iPhone; CPU iPhone OS 14_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
      "Gecko) Version/14.0.1 Mobile/15E148 Safari/604.1";
  const Value ios =
      Call("parse_user_agent", {S(iphone), *ParseJson(R"(["os","browser","device"])")});
  EXPECT_EQ(ios.Find("OperatingSystem")->Find("Family")->AsString(), "iOS");
  EXPECT_EQ(ios.Find("OperatingSystem")->Find("MinorVersion")->AsString(), "2");
  EXPECT_EQ(ios.Find("Browser")->Find("Family")->AsString(), "Mobile Safari");
  EXPECT_EQ(ios.Find("Device")->Find("Brand")->AsString(), "Apple");
  EXPECT_EQ(Call("parse_user_agent", {S("curl/7.1"), S("browser")})
                .Find("Browser")
                ->Find("Family")
                ->AsString(),
            "Other");
}

}  // namespace
}  // namespace vigil::kql

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "vigil/base/time.h"
#include "vigil/kql/functions/registry.h"
#include "vigil/kql/value.h"

namespace vigil::kql {
namespace {

class ConversionFunctionsTest : public ::testing::Test {
 protected:
  ConversionFunctionsTest() { RegisterConversionFunctions(registry_); }
  Value Call(std::string_view name, std::vector<Value> args) {
    const ScalarFunction* fn = registry_.FindScalar(name);
    EXPECT_NE(fn, nullptr) << name;
    FunctionContext ctx;
    return fn == nullptr ? Value() : fn->impl(args, ctx);
  }
  Registry registry_;
};

Value S(const char* s) { return Value::String(s); }

TEST_F(ConversionFunctionsTest, ToString) {
  EXPECT_EQ(Call("tostring", {Value::Long(123)}).AsString(), "123");
  EXPECT_EQ(Call("tostring", {Value()}).AsString(), "");
  EXPECT_TRUE(Call("tostring", {Value()}).is_string());
  EXPECT_EQ(Call("tostring", {*ParseJson(R"({"a":[1,"x"]})")}).AsString(), R"({"a":[1,"x"]})");
  EXPECT_EQ(Call("tostring", {Value::Bool(true)}).AsString(), "true");
}

TEST_F(ConversionFunctionsTest, ToIntegers) {
  EXPECT_EQ(Call("toint", {S("123")}).AsInt64(), 123);
  EXPECT_EQ(Call("toint", {S("123")}).kind(), Kind::kInt);
  EXPECT_EQ(Call("toint", {Value::Real(2.7)}).AsInt64(), 2);
  EXPECT_EQ(Call("toint", {Value::Real(-2.7)}).AsInt64(), -2);
  EXPECT_TRUE(Call("toint", {S("abc")}).is_null());
  EXPECT_TRUE(Call("toint", {Value::Long(int64_t{1} << 40)}).is_null());
  EXPECT_EQ(Call("tolong", {S(" 9000000000 ")}).AsInt64(), 9000000000);
  EXPECT_EQ(Call("tolong", {Value::Bool(true)}).AsInt64(), 1);
  EXPECT_EQ(Call("tolong", {*ParseJson("42")}).AsInt64(), 42);
  // Kusto's datetime ticks count from 0001-01-01.
  EXPECT_EQ(Call("tolong", {Value::DateTime(0)}).AsInt64(), 621355968000000000);
  EXPECT_EQ(Call("tolong", {Value::TimeSpan(kTicksPerSecond)}).AsInt64(), 10000000);
  EXPECT_TRUE(Call("tolong", {Value()}).is_null());
  EXPECT_TRUE(Call("tolong", {Value::Real(std::nan(""))}).is_null());
}

TEST_F(ConversionFunctionsTest, ToReal) {
  EXPECT_EQ(Call("toreal", {S("123.4")}).AsReal(), 123.4);
  EXPECT_EQ(Call("todouble", {S("1e3")}).AsReal(), 1000.0);
  EXPECT_EQ(Call("todecimal", {Value::Long(3)}).AsReal(), 3.0);
  EXPECT_TRUE(std::isnan(Call("toreal", {S("NaN")}).AsReal()));
  EXPECT_TRUE(Call("toreal", {S("0x10")}).is_null());
  EXPECT_TRUE(Call("toreal", {S("")}).is_null());
}

TEST_F(ConversionFunctionsTest, ToBool) {
  EXPECT_TRUE(Call("tobool", {S("true")}).AsBool());
  EXPECT_TRUE(Call("tobool", {S("TRUE")}).AsBool());
  EXPECT_FALSE(Call("toboolean", {S("false")}).AsBool());
  EXPECT_TRUE(Call("tobool", {Value::Long(1)}).AsBool());
  EXPECT_TRUE(Call("tobool", {Value::Long(123)}).AsBool());
  EXPECT_EQ(Call("tobool", {Value::Long(0)}).kind(), Kind::kBool);
  EXPECT_TRUE(Call("tobool", {S("yes")}).is_null());
}

TEST_F(ConversionFunctionsTest, ToGuid) {
  const Value g = Call("toguid", {S("0697405b-7949-4d8b-9a2b-2ff0b3d5e9bc")});
  EXPECT_EQ(g.kind(), Kind::kGuid);
  EXPECT_EQ(g.AsString(), "0697405b-7949-4d8b-9a2b-2ff0b3d5e9bc");
  EXPECT_EQ(Call("toguid", {S("{0697405B79494D8B9A2B2FF0B3D5E9BC}")}).AsString(),
            "0697405b-7949-4d8b-9a2b-2ff0b3d5e9bc");
  EXPECT_TRUE(Call("toguid", {S("0697405b-7949-4d8b-9a2b")}).is_null());
  EXPECT_TRUE(Call("toguid", {S("zz97405b-7949-4d8b-9a2b-2ff0b3d5e9bc")}).is_null());
  // The first 32 hex digits count, hyphens between them skipped, the rest ignored.
  EXPECT_EQ(Call("toguid", {S("0123456789ab-cdef-0123-456789abcdef")}).AsString(),
            "01234567-89ab-cdef-0123-456789abcdef");
  EXPECT_EQ(Call("toguid", {S("0123456789abcdef0123456789abcdef trailing")}).AsString(),
            "01234567-89ab-cdef-0123-456789abcdef");
  EXPECT_TRUE(Call("toguid", {S("a string that is not a guid")}).is_null());
}

TEST_F(ConversionFunctionsTest, ParseJsonFamily) {
  const Value bag = Call("parse_json", {S(R"({"a":123,"b":"hello","c":[1,2,3]})")});
  ASSERT_TRUE(bag.is_bag());
  EXPECT_EQ(bag.Find("a")->AsInt64(), 123);
  EXPECT_EQ(Call("todynamic", {S("[1,2]")}).AsArray().size(), 2u);
  EXPECT_TRUE(Call("parsejson", {S("[1,2]")}).is_array());
  // Invalid JSON stays the string itself; non-strings pass through.
  const Value text = Call("parse_json", {S("not json")});
  EXPECT_TRUE(text.is_string());
  EXPECT_EQ(text.AsString(), "not json");
  EXPECT_EQ(Call("parse_json", {Value::Long(5)}).AsInt64(), 5);
  EXPECT_TRUE(Call("parse_json", {Value()}).is_null());
}

TEST_F(ConversionFunctionsTest, DynamicToJsonSortsKeys) {
  const Value v = *ParseJson(R"({"b":1,"a":{"d":[true,null],"c":"x"}})");
  EXPECT_EQ(Call("dynamic_to_json", {v}).AsString(), R"({"a":{"c":"x","d":[true,null]},"b":1})");
  EXPECT_EQ(Call("dynamic_to_json", {Value::Long(1)}).AsString(), "1");
  EXPECT_EQ(Call("dynamic_to_json", {S("a")}).AsString(), "\"a\"");
}

TEST_F(ConversionFunctionsTest, GetTypeDocumentedExamples) {
  auto type_of = [&](Value v) { return Call("gettype", {std::move(v)}).AsString(); };
  EXPECT_EQ(type_of(S("a")), "string");
  EXPECT_EQ(type_of(Value::Long(111)), "long");
  EXPECT_EQ(type_of(Value::Bool(true)), "bool");
  EXPECT_EQ(type_of(Value::DateTime(0)), "datetime");
  EXPECT_EQ(type_of(Value::TimeSpan(kTicksPerSecond)), "timespan");
  EXPECT_EQ(type_of(*ParseJson(R"({"abc":1})")), "dictionary");
  EXPECT_EQ(type_of(*ParseJson("[1, 2, 3]")), "array");
  EXPECT_EQ(type_of(Value::Real(123.45)), "real");
  EXPECT_EQ(type_of(Value::Guid("12e8b78d-55b4-46ae-b068-26d7a0080254")), "guid");
  EXPECT_EQ(type_of(Value()), "null");
}

TEST_F(ConversionFunctionsTest, ToHex) {
  EXPECT_EQ(Call("tohex", {Value::Long(256)}).AsString(), "100");
  EXPECT_EQ(Call("tohex", {Value::Long(-256)}).AsString(), "ffffffffffffff00");
  EXPECT_EQ(Call("tohex", {Value::Long(256), Value::Long(8)}).AsString(), "00000100");
  EXPECT_TRUE(Call("tohex", {Value::Real(1.5)}).is_null());
}

}  // namespace
}  // namespace vigil::kql

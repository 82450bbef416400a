#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "vigil/kql/functions/registry.h"
#include "vigil/kql/value.h"

namespace vigil::kql {
namespace {

class ConditionalFunctionsTest : public ::testing::Test {
 protected:
  ConditionalFunctionsTest() { RegisterConditionalFunctions(registry_); }
  Value Call(std::string_view name, std::vector<Value> args) {
    const ScalarFunction* fn = registry_.FindScalar(name);
    EXPECT_NE(fn, nullptr) << name;
    FunctionContext ctx;
    return fn == nullptr ? Value() : fn->impl(args, ctx);
  }
  std::optional<Type> TypeOf(std::string_view name, std::vector<Type> types) {
    std::string error;
    return registry_.FindScalar(name)->return_type(types, &error);
  }
  Registry registry_;
};

Value S(const char* s) { return Value::String(s); }
Value B(bool b) { return Value::Bool(b); }

TEST_F(ConditionalFunctionsTest, Iff) {
  EXPECT_EQ(Call("iff", {B(true), S("a"), S("b")}).AsString(), "a");
  EXPECT_EQ(Call("iif", {B(false), S("a"), S("b")}).AsString(), "b");
  EXPECT_EQ(Call("iff", {Value(), S("a"), S("b")}).AsString(), "b");  // null counts as false
  EXPECT_EQ(TypeOf("iff", {Type::kBool, Type::kInt, Type::kReal}), Type::kReal);
  EXPECT_EQ(TypeOf("iff", {Type::kBool, Type::kString, Type::kString}), Type::kString);
  EXPECT_EQ(TypeOf("iff", {Type::kBool, Type::kString, Type::kDynamic}), Type::kDynamic);
  EXPECT_FALSE(TypeOf("iff", {Type::kBool, Type::kString, Type::kLong}).has_value());
  EXPECT_FALSE(TypeOf("iff", {Type::kString, Type::kString, Type::kString}).has_value());
}

TEST_F(ConditionalFunctionsTest, Case) {
  auto bucket = [&](int64_t size) {
    return Call("case", {B(size <= 3), S("Small"), B(size <= 10), S("Medium"), S("Large")})
        .AsString();
  };
  EXPECT_EQ(bucket(2), "Small");
  EXPECT_EQ(bucket(7), "Medium");
  EXPECT_EQ(bucket(15), "Large");
  EXPECT_EQ(TypeOf("case", {Type::kBool, Type::kLong, Type::kLong}), Type::kLong);
  EXPECT_FALSE(TypeOf("case", {Type::kBool, Type::kLong}).has_value());
}

TEST_F(ConditionalFunctionsTest, Coalesce) {
  EXPECT_EQ(Call("coalesce", {Value(), Value::Long(10), Value::Long(20)}).AsInt64(), 10);
  EXPECT_EQ(Call("coalesce", {S(""), S("x")}).AsString(), "x");
  EXPECT_TRUE(Call("coalesce", {Value(), Value()}).is_null());
  EXPECT_EQ(TypeOf("coalesce", {Type::kLong, Type::kInt}), Type::kLong);
}

TEST_F(ConditionalFunctionsTest, Not) {
  EXPECT_FALSE(Call("not", {B(true)}).AsBool());
  EXPECT_TRUE(Call("not", {B(false)}).AsBool());
  EXPECT_TRUE(Call("not", {Value()}).is_null());
  EXPECT_FALSE(TypeOf("not", {Type::kString}).has_value());
}

}  // namespace
}  // namespace vigil::kql

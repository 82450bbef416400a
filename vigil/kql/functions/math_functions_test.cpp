#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "vigil/kql/functions/registry.h"
#include "vigil/kql/value.h"

namespace vigil::kql {
namespace {

class MathFunctionsTest : public ::testing::Test {
 protected:
  MathFunctionsTest() { RegisterMathFunctions(registry_); }
  Value Call(std::string_view name, std::vector<Value> args) {
    const ScalarFunction* fn = registry_.FindScalar(name);
    EXPECT_NE(fn, nullptr) << name;
    FunctionContext ctx;
    return fn == nullptr ? Value() : fn->impl(args, ctx);
  }
  Registry registry_;
};

Value R(double v) { return Value::Real(v); }
Value L(int64_t v) { return Value::Long(v); }

TEST_F(MathFunctionsTest, RoundDocumentedExamples) {
  EXPECT_EQ(Call("round", {R(2.98765), L(3)}).AsReal(), 2.988);
  EXPECT_EQ(Call("round", {R(2.15), L(1)}).AsReal(), 2.2);
  EXPECT_EQ(Call("round", {R(2.9876)}).AsReal(), 3.0);
  EXPECT_EQ(Call("round", {R(2.5)}).AsReal(), 3.0);
  EXPECT_EQ(Call("round", {R(-50.55), L(-2)}).AsReal(), -100.0);
  EXPECT_EQ(Call("round", {R(21.5), L(-1)}).AsReal(), 20.0);
  EXPECT_EQ(Call("round", {L(7)}).AsInt64(), 7);
  EXPECT_TRUE(Call("round", {Value()}).is_null());
}

TEST_F(MathFunctionsTest, Elementary) {
  EXPECT_EQ(Call("abs", {L(-5)}).AsInt64(), 5);
  EXPECT_EQ(Call("abs", {R(-2.5)}).AsReal(), 2.5);
  EXPECT_TRUE(Call("abs", {L(INT64_MIN)}).is_null());
  EXPECT_EQ(Call("ceiling", {R(-1.1)}).AsReal(), -1.0);
  EXPECT_EQ(Call("ceiling", {R(1.1)}).AsReal(), 2.0);
  EXPECT_EQ(Call("sqrt", {L(16)}).AsReal(), 4.0);
  EXPECT_TRUE(Call("sqrt", {L(-1)}).is_null());
  EXPECT_EQ(Call("pow", {L(2), L(10)}).AsReal(), 1024.0);
  EXPECT_EQ(Call("exp", {L(0)}).AsReal(), 1.0);
  EXPECT_EQ(Call("exp2", {L(3)}).AsReal(), 8.0);
  EXPECT_EQ(Call("exp10", {L(2)}).AsReal(), 100.0);
  EXPECT_EQ(Call("log", {R(std::exp(1.0))}).AsReal(), 1.0);
  EXPECT_EQ(Call("log2", {L(8)}).AsReal(), 3.0);
  EXPECT_EQ(Call("log10", {L(1000)}).AsReal(), 3.0);
  EXPECT_TRUE(Call("log", {L(-1)}).is_null());
  EXPECT_EQ(Call("sign", {L(-42)}).AsInt64(), -1);
  EXPECT_EQ(Call("sign", {R(0.0)}).AsReal(), 0.0);
  EXPECT_DOUBLE_EQ(Call("pi", {}).AsReal(), M_PI);
}

TEST_F(MathFunctionsTest, Rand) {
  EXPECT_FALSE(registry_.FindScalar("rand")->deterministic);
  for (int i = 0; i < 100; ++i) {
    const double r = Call("rand", {}).AsReal();
    EXPECT_GE(r, 0.0);
    EXPECT_LT(r, 1.0);
    const int64_t n = Call("rand", {L(10)}).AsInt64();
    EXPECT_GE(n, 0);
    EXPECT_LT(n, 10);
  }
  EXPECT_TRUE(Call("rand", {L(0)}).is_null());
}

TEST_F(MathFunctionsTest, MaxOfMinOf) {
  EXPECT_EQ(Call("max_of", {L(10), L(1), L(-3), L(17)}).AsInt64(), 17);
  EXPECT_EQ(Call("min_of", {L(10), L(1), L(-3), L(17)}).AsInt64(), -3);
  EXPECT_EQ(Call("max_of", {Value(), L(1)}).AsInt64(), 1);
  EXPECT_TRUE(Call("max_of", {Value(), Value()}).is_null());
  EXPECT_EQ(Call("max_of", {L(1), R(1.5)}).AsReal(), 1.5);
  EXPECT_EQ(Call("min_of", {Value::String("b"), Value::String("a")}).AsString(), "a");
  std::string error;
  const Type mixed[] = {Type::kLong, Type::kString};
  EXPECT_FALSE(registry_.FindScalar("max_of")->return_type(mixed, &error).has_value());
  const Type nums[] = {Type::kInt, Type::kReal};
  EXPECT_EQ(registry_.FindScalar("max_of")->return_type(nums, &error), Type::kReal);
}

TEST_F(MathFunctionsTest, BinaryOperations) {
  EXPECT_EQ(Call("binary_and", {L(6), L(3)}).AsInt64(), 2);
  EXPECT_EQ(Call("binary_or", {L(6), L(3)}).AsInt64(), 7);
  EXPECT_EQ(Call("binary_xor", {L(6), L(3)}).AsInt64(), 5);
  EXPECT_EQ(Call("binary_not", {L(100)}).AsInt64(), -101);
  EXPECT_EQ(Call("binary_shift_left", {L(1), L(7)}).AsInt64(), 128);
  EXPECT_EQ(Call("binary_shift_right", {L(128), L(7)}).AsInt64(), 1);
  EXPECT_EQ(Call("binary_shift_left", {L(1), L(64)}).AsInt64(), 0);
  EXPECT_TRUE(Call("binary_and", {Value(), L(1)}).is_null());
}

TEST_F(MathFunctionsTest, FloatClassification) {
  EXPECT_TRUE(Call("isnan", {R(std::nan(""))}).AsBool());
  EXPECT_FALSE(Call("isnan", {L(1)}).AsBool());
  EXPECT_TRUE(Call("isinf", {R(HUGE_VAL)}).AsBool());
  EXPECT_TRUE(Call("isfinite", {R(1.0)}).AsBool());
  EXPECT_FALSE(Call("isfinite", {R(-HUGE_VAL)}).AsBool());
  EXPECT_TRUE(Call("isnan", {Value()}).is_null());
}

}  // namespace
}  // namespace vigil::kql

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "vigil/base/time.h"
#include "vigil/kql/functions/registry.h"
#include "vigil/kql/value.h"

namespace vigil::kql {
namespace {

class DynamicFunctionsTest : public ::testing::Test {
 protected:
  DynamicFunctionsTest() { RegisterDynamicFunctions(registry_); }
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

Value J(const char* json) { return *ParseJson(json); }
Value L(int64_t v) { return Value::Long(v); }
Value S(const char* s) { return Value::String(s); }

TEST_F(DynamicFunctionsTest, ArrayLengthAndConcat) {
  EXPECT_EQ(Call("array_length", {J("[1, 2, 3]")}).AsInt64(), 3);
  EXPECT_EQ(Call("array_length", {J("[]")}).AsInt64(), 0);
  EXPECT_TRUE(Call("array_length", {J(R"({"a":1})")}).is_null());
  EXPECT_TRUE(Call("array_length", {S("abc")}).is_null());
  EXPECT_EQ(Json("array_concat", {J("[1,2]"), J(R"(["a"])")}), R"([1,2,"a"])");
  EXPECT_TRUE(Call("array_concat", {J("[1]"), L(2)}).is_null());
}

TEST_F(DynamicFunctionsTest, ArraySliceDocumentedExamples) {
  const Value a = J("[1,2,3,4,5]");
  EXPECT_EQ(Json("array_slice", {a, L(1), L(3)}), "[2,3,4]");
  EXPECT_EQ(Json("array_slice", {a, L(2), L(-1)}), "[3,4,5]");
  EXPECT_EQ(Json("array_slice", {a, L(-3), L(-2)}), "[3,4]");
  EXPECT_EQ(Json("array_slice", {a, L(3), L(1)}), "[]");
  EXPECT_EQ(Json("array_slice", {a, L(-10), L(10)}), "[1,2,3,4,5]");
}

TEST_F(DynamicFunctionsTest, ArrayIndexOf) {
  const Value a = J(R"(["this", "is", "an", "example", "an", "example"])");
  EXPECT_EQ(Call("array_index_of", {a, S("example")}).AsInt64(), 3);
  EXPECT_EQ(Call("array_index_of", {a, S("example"), L(1), L(3)}).AsInt64(), 3);
  EXPECT_EQ(Call("array_index_of", {a, S("example"), L(1), L(2)}).AsInt64(), -1);
  EXPECT_EQ(Call("array_index_of", {a, S("example"), L(1), L(-1), L(2)}).AsInt64(), 5);
  EXPECT_EQ(Call("array_index_of", {a, S("an"), L(-3)}).AsInt64(), 4);
  EXPECT_EQ(Call("array_index_of", {J("[1,2,3]"), Value::Real(2.0)}).AsInt64(), 1);
  EXPECT_TRUE(Call("array_index_of", {S("x"), S("x")}).is_null());
}

TEST_F(DynamicFunctionsTest, ReverseSortSum) {
  EXPECT_EQ(Json("array_reverse", {J(R"(["this","is","an","example"])")}),
            R"(["example","an","is","this"])");
  EXPECT_EQ(Json("array_sort_asc", {J("[3,null,1,2]")}), "[1,2,3,null]");
  EXPECT_EQ(Json("array_sort_asc", {J("[3,null,1,2]"), Value::Bool(false)}), "[null,1,2,3]");
  EXPECT_EQ(Json("array_sort_desc", {J(R"(["b","c","a"])")}), R"(["c","b","a"])");
  // Several arrays: the first is sorted, the others follow its new order; one of another
  // length becomes null.
  EXPECT_EQ(Json("array_sort_asc", {J("[1,3,4,5,2]"), J(R"(["a","b","c","d","e"])")}),
            R"([[1,2,3,4,5],["a","e","b","c","d"]])");
  EXPECT_EQ(Json("array_sort_desc", {J("[1,3,4,5,2]"), J(R"(["a","b","c","d","e"])")}),
            R"([[5,4,3,2,1],["d","c","b","e","a"]])");
  EXPECT_EQ(Json("array_sort_asc", {J("[2,null,1]"), J("[20,0,10]"), J("[1]"), Value::Bool(false)}),
            "[[null,1,2],[0,10,20],null]");
  EXPECT_EQ(Call("array_sum", {J("[2, 5, 3]")}).AsReal(), 10.0);
  EXPECT_EQ(Call("array_sum", {J("[2.5, 5]")}).AsReal(), 7.5);
}

TEST_F(DynamicFunctionsTest, ArrayIffAndShift) {
  EXPECT_EQ(Json("array_iff", {J("[true, false, true]"), J("[1, 2, 3]"), J("[4, 5, 6]")}),
            "[1,5,3]");
  EXPECT_EQ(Json("array_iff", {J("[1, 0, 5]"), J("[1, 2, 3]"), L(-1)}), "[1,-1,3]");
  EXPECT_EQ(Json("array_iff", {J(R"([true, "x"])"), L(1), L(0)}), "[1,null]");
  EXPECT_EQ(Json("array_shift_left", {J("[1,2,3,4,5]"), L(2)}), "[3,4,5,null,null]");
  EXPECT_EQ(Json("array_shift_left", {J("[1,2,3,4,5]"), L(-2), L(-1)}), "[-1,-1,1,2,3]");
  EXPECT_EQ(Json("array_shift_right", {J("[1,2,3,4,5]"), L(2), L(0)}), "[0,0,1,2,3]");
}

TEST_F(DynamicFunctionsTest, PackFunctions) {
  EXPECT_EQ(Json("pack_array", {L(1), S("a"), Value()}), R"([1,"a",null])");
  EXPECT_EQ(Json("pack", {S("Level"), S("Information"), S("ProcessID"), L(1234)}),
            R"({"Level":"Information","ProcessID":1234})");
  EXPECT_EQ(Json("bag_pack", {S("a"), L(1)}), R"({"a":1})");
  EXPECT_EQ(Json("pack_dictionary", {}), "{}");
  EXPECT_TRUE(Call("pack", {S("a")}).is_null());
  EXPECT_TRUE(Call("pack", {L(1), L(2)}).is_null());
}

TEST_F(DynamicFunctionsTest, BagFunctions) {
  const Value bag = J(R"({"a":1,"b":{"c":2},"d":[1]})");
  EXPECT_EQ(Json("bag_keys", {bag}), R"(["a","b","d"])");
  EXPECT_EQ(Json("bag_merge", {J(R"({"A1":12,"B1":2,"C1":3})"), J(R"({"A2":81,"B2":82,"A1":1})")}),
            R"({"A1":12,"B1":2,"C1":3,"A2":81,"B2":82})");
  EXPECT_EQ(Json("bag_remove_keys", {bag, J(R"(["a","d"])")}), R"({"b":{"c":2}})");
  EXPECT_TRUE(Call("bag_has_key", {bag, S("a")}).AsBool());
  EXPECT_FALSE(Call("bag_has_key", {bag, S("c")}).AsBool());
  EXPECT_TRUE(Call("bag_has_key", {bag, S("$.b.c")}).AsBool());
  EXPECT_TRUE(Call("bag_has_key", {bag, S("$['b']")}).AsBool());
  EXPECT_FALSE(Call("bag_has_key", {bag, S("$.b.x")}).AsBool());
  EXPECT_TRUE(Call("bag_keys", {J("[1]")}).is_null());
}

TEST_F(DynamicFunctionsTest, Sets) {
  EXPECT_TRUE(Call("set_has_element", {J(R"(["this","is"])"), S("is")}).AsBool());
  EXPECT_FALSE(Call("set_has_element", {J("[1,2]"), L(3)}).AsBool());
  EXPECT_EQ(Json("set_union", {J("[1,2,3]"), J("[1,2]"), J("[1,2,3,4]")}), "[1,2,3,4]");
  EXPECT_EQ(Json("set_intersect", {J("[1,2,3]"), J("[1,2]"), J("[1,2,3,4]")}), "[1,2]");
  EXPECT_EQ(Json("set_difference", {J("[1,2,3]"), J("[1,2]"), J("[5]")}), "[3]");
  EXPECT_EQ(Json("set_difference", {J("[1,1,4]"), J("[2]")}), "[1,4]");
  EXPECT_DOUBLE_EQ(Call("jaccard_index", {J("[1,2,3]"), J("[1,2,3,4]")}).AsReal(), 0.75);
  EXPECT_DOUBLE_EQ(Call("jaccard_index", {J("[1,2,3]"), J("[4,5,6]")}).AsReal(), 0.0);
  EXPECT_TRUE(Call("set_union", {J("[1]"), L(1)}).is_null());
}

TEST_F(DynamicFunctionsTest, ZipRangeRepeat) {
  EXPECT_EQ(Json("zip", {J("[1,3,5]"), J("[2,4,6]")}), "[[1,2],[3,4],[5,6]]");
  EXPECT_EQ(Json("zip", {J("[1,3,5]"), J("[2,4]")}), "[[1,2],[3,4],[5,null]]");
  EXPECT_EQ(Json("range", {L(1), L(8), L(3)}), "[1,4,7]");
  EXPECT_EQ(Json("range", {L(5), L(1), L(-2)}), "[5,3,1]");
  EXPECT_EQ(Json("range", {Value::Real(1.0), Value::Real(2.0), Value::Real(0.5)}), "[1,1.5,2]");
  EXPECT_EQ(Json("range", {Value::DateTime(0), Value::DateTime(2 * kTicksPerDay),
                           Value::TimeSpan(kTicksPerDay)}),
            R"(["1970-01-01T00:00:00.0000000Z","1970-01-02T00:00:00.0000000Z",)"
            R"("1970-01-03T00:00:00.0000000Z"])");
  EXPECT_EQ(Json("range", {L(3), L(1)}), "[]");
  // Over the 2^20 element cap the array is truncated, not dropped.
  const Value capped = Call("range", {L(1), L(1'000'000'000)});
  ASSERT_TRUE(capped.is_array());
  EXPECT_EQ(capped.AsArray().size(), 1'048'576U);
  EXPECT_EQ(capped.AsArray().back().AsInt64(), 1'048'576);
  EXPECT_EQ(Call("range", {L(0), L(INT64_MAX)}).AsArray().size(), 1'048'576U);
  // Without a step a timespan or datetime range steps by one hour.
  EXPECT_EQ(Json("range", {Value::TimeSpan(kTicksPerDay / 24), Value::TimeSpan(kTicksPerDay / 8)}),
            R"(["01:00:00","02:00:00","03:00:00"])");
  EXPECT_TRUE(Call("range", {L(0), L(5), L(0)}).is_null());
  EXPECT_EQ(Json("repeat", {S("a"), L(3)}), R"(["a","a","a"])");
  EXPECT_EQ(Json("repeat", {L(1), L(0)}), "[]");
  EXPECT_TRUE(Call("repeat", {L(1), L(int64_t{1} << 40)}).is_null());
}

}  // namespace
}  // namespace vigil::kql

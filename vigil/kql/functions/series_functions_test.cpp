#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "vigil/kql/functions/registry.h"
#include "vigil/kql/value.h"

namespace vigil::kql {
namespace {

class SeriesFunctionsTest : public ::testing::Test {
 protected:
  SeriesFunctionsTest() { RegisterSeriesFunctions(registry_); }
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

TEST_F(SeriesFunctionsTest, StatsDynamic) {
  const Value s = Call("series_stats_dynamic", {J("[5, 2, null, 9, 4]")});
  ASSERT_TRUE(s.is_bag());
  EXPECT_EQ(s.Find("min")->AsReal(), 2.0);
  EXPECT_EQ(s.Find("min_idx")->AsInt64(), 1);
  EXPECT_EQ(s.Find("max")->AsReal(), 9.0);
  EXPECT_EQ(s.Find("max_idx")->AsInt64(), 3);
  EXPECT_EQ(s.Find("avg")->AsReal(), 5.0);
  EXPECT_DOUBLE_EQ(s.Find("variance")->AsReal(), 26.0 / 3.0);
  EXPECT_TRUE(Call("series_stats_dynamic", {J("[]")}).Find("avg")->is_null());
  EXPECT_TRUE(Call("series_stats_dynamic", {Value::Long(1)}).is_null());
}

TEST_F(SeriesFunctionsTest, FitLineDocumentedExample) {
  const Value fit =
      Call("series_fit_line_dynamic", {J("[2, 5, 6, 8, 11, 15, 17, 18, 25, 26, 30, 30]")});
  ASSERT_TRUE(fit.is_bag());
  EXPECT_NEAR(fit.Find("rsquare")->AsReal(), 0.982, 0.001);
  EXPECT_NEAR(fit.Find("slope")->AsReal(), 2.730, 0.001);
  EXPECT_NEAR(fit.Find("variance")->AsReal(), 98.628, 0.001);
  EXPECT_NEAR(fit.Find("rvariance")->AsReal(), 1.686, 0.001);
  EXPECT_NEAR(fit.Find("interception")->AsReal(), -1.666, 0.001);
  const Array& line = fit.Find("line_fit")->AsArray();
  ASSERT_EQ(line.size(), 12u);
  EXPECT_NEAR(line[0].AsReal(), 1.064, 0.001);
  EXPECT_NEAR(line[11].AsReal(), 31.102, 0.001);
}

TEST_F(SeriesFunctionsTest, OutliersAndAnomalies) {
  const Value series = J("[10, 11, 10, 12, 11, 10, 95, 11, 10, -60, 11, 12]");
  const Value result = Call("series_outliers", {series});
  const Array& scores = result.AsArray();
  ASSERT_EQ(scores.size(), 12u);
  EXPECT_GT(scores[6].AsReal(), 1.5);
  EXPECT_LT(scores[9].AsReal(), -1.5);
  EXPECT_EQ(scores[0].AsReal(), 0.0);
  EXPECT_EQ(Json("series_decompose_anomalies", {series}), "[0,0,0,0,0,0,1,0,0,-1,0,0]");
  EXPECT_EQ(Json("series_decompose_anomalies", {J("[1,1,1,1]")}), "[0,0,0,0]");
  // The three outputs together: flags, score in IQRs beyond the quartile, baseline (the mean).
  const Value all = Call("series_decompose_anomalies_dynamic", {J("[1,2,1,2,1,2,1,20]")});
  ASSERT_TRUE(all.is_bag());
  EXPECT_EQ(all.Find("ad_flag")->ToJson(), "[0,0,0,0,0,0,0,1]");
  EXPECT_EQ(all.Find("baseline")->AsArray()[0].AsReal(), 3.75);
  EXPECT_GT(all.Find("ad_score")->AsArray()[7].AsReal(), 1.5);
  EXPECT_EQ(all.Find("ad_score")->AsArray()[0].AsReal(), 0.0);
  // 'linefit' follows a straight line exactly: no residual, no anomaly.
  const Value line =
      Call("series_decompose_anomalies_dynamic",
           {J("[1,2,3,4,5]"), Value::Real(1.5), Value::Long(-1), Value::String("linefit")});
  EXPECT_EQ(line.Find("ad_flag")->ToJson(), "[0,0,0,0,0]");
  EXPECT_NEAR(line.Find("baseline")->AsArray()[4].AsReal(), 5.0, 1e-9);
}

TEST_F(SeriesFunctionsTest, ElementWise) {
  EXPECT_EQ(Json("series_add", {J("[1,2,3]"), J("[4,5,6]")}), "[5,7,9]");
  EXPECT_EQ(Json("series_subtract", {J("[1,2,3]"), Value::Long(1)}), "[0,1,2]");
  EXPECT_EQ(Json("series_multiply", {J("[1.5,2]"), J("[2,2]")}), "[3,4]");
  EXPECT_EQ(Json("series_divide", {J("[1,4]"), J("[2,0]")}), R"([0.5,"Infinity"])");
  EXPECT_EQ(Json("series_add", {J("[1,null,3]"), J("[1,1]")}), "[2,null,null]");
  EXPECT_TRUE(Call("series_add", {Value::String("x"), J("[1]")}).is_null());
}

TEST_F(SeriesFunctionsTest, FillFunctions) {
  EXPECT_EQ(Json("series_fill_forward", {J("[null,1,null,null,4,null]")}), "[null,1,1,1,4,4]");
  EXPECT_EQ(Json("series_fill_backward", {J("[null,1,null,null,4,null]")}), "[1,1,4,4,4,null]");
  EXPECT_EQ(Json("series_fill_forward", {J("[0,1,0,4]"), Value::Long(0)}), "[0,1,1,4]");
  EXPECT_EQ(Json("series_fill_const", {J("[null,1,null]"), Value::Long(7)}), "[7,1,7]");
  EXPECT_EQ(Json("series_fill_linear", {J("[null,2,null,null,8,null]")}), "[2,2,4,6,8,8]");
  EXPECT_EQ(Json("series_fill_linear",
                 {J("[null,2,null,8]"), Value(), Value::Bool(false), Value::Long(0)}),
            "[0,2,5,8]");
  EXPECT_TRUE(Call("series_fill_linear", {Value()}).is_null());
}

}  // namespace
}  // namespace vigil::kql

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/kql/functions/registry.h"

namespace vigil::kql {
namespace {

using Row = std::vector<Value>;

std::vector<Value> RunAgg(std::string_view name, const std::vector<Row>& rows, size_t split = 0) {
  const AggregateFunction* fn = Registry::Default().FindAggregate(name);
  EXPECT_NE(fn, nullptr) << name;
  if (fn == nullptr) {
    return {};
  }
  auto a = fn->create();
  auto b = fn->create();
  for (size_t i = 0; i < rows.size(); ++i) {
    (i < split ? b : a)->Add(rows[i]);
  }
  a->Merge(*b);
  std::vector<Value> out;
  a->Finish(out);
  return out;
}

Value One(std::string_view name, const std::vector<Row>& rows, size_t split = 0) {
  auto out = RunAgg(name, rows, split);
  EXPECT_EQ(out.size(), 1u) << name;
  return out.empty() ? Value() : out[0];
}

Value CallScalar(std::string_view name, std::vector<Value> args) {
  const ScalarFunction* fn = Registry::Default().FindScalar(name);
  EXPECT_NE(fn, nullptr) << name;
  FunctionContext ctx;
  return fn == nullptr ? Value() : fn->impl(args, ctx);
}

Value L(int64_t v) { return Value::Long(v); }
Value R(double v) { return Value::Real(v); }
Value B(bool v) { return Value::Bool(v); }

std::vector<Row> CovarianceRows() {
  return {{R(1), R(14)}, {R(2), R(10)}, {R(3), R(17)}, {R(4), R(20)}, {R(5), R(50)}};
}

TEST(AggregatesMoreTest, CovarianceDocumentedExamples) {
  EXPECT_DOUBLE_EQ(One("covariance", CovarianceRows()).AsReal(), 20.5);
  EXPECT_DOUBLE_EQ(One("covariancep", CovarianceRows()).AsReal(), 16.4);
  EXPECT_DOUBLE_EQ(One("covariance", CovarianceRows(), 2).AsReal(), 20.5);  // merged halves
  std::vector<Row> rows;
  for (int64_t x = 1; x <= 100; ++x) {
    rows.push_back({L(x), L(x % 2 == 0 ? x * 2 : x * 3), B(x % 3 == 0)});
  }
  EXPECT_NEAR(One("covarianceif", rows).AsReal(), 2142, 1e-9);
  EXPECT_NEAR(One("covariancepif", rows, 40).AsReal(), 2077.09090909091, 1e-9);
}

TEST(AggregatesMoreTest, VariancepifAndStdevpif) {
  std::vector<Row> rows;
  for (int64_t x = 1; x <= 100; ++x) {
    rows.push_back({L(x), B(x % 2 == 0)});
  }
  // Population variance of 2, 4, .., 100 (the documentation prints 850, the sample variance).
  EXPECT_DOUBLE_EQ(One("variancepif", rows).AsReal(), 833);
  EXPECT_DOUBLE_EQ(One("stdevpif", rows, 30).AsReal(), std::sqrt(833.0));
}

TEST(AggregatesMoreTest, WeightedPercentilesDocumentedExample) {
  const std::vector<Row> rows = {{L(10), L(8), L(50), L(75), R(99.9)},
                                 {L(20), L(6), L(50), L(75), R(99.9)},
                                 {L(30), L(3), L(50), L(75), R(99.9)},
                                 {L(40), L(1), L(50), L(75), R(99.9)}};
  const auto out = RunAgg("percentilesw", rows, 1);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].AsInt64(), 20);
  EXPECT_EQ(out[1].AsInt64(), 20);
  EXPECT_EQ(out[2].AsInt64(), 40);
  EXPECT_EQ(One("percentilesw_array", rows).ToJson(), "[20,20,40]");
}

TEST(AggregatesMoreTest, BinaryAll) {
  EXPECT_EQ(
      One("binary_all_and", {{L(0xFFFFFFFF)}, {L(0xFFFFF00F)}, {L(0xCFFFFFFD)}, {L(0xFAFEFFFF)}})
          .AsInt64(),
      0xCAFEF00D);
  EXPECT_EQ(
      One("binary_all_or", {{L(0x88888008)}, {L(0x42000000)}, {L(0x00767000)}, {L(0x00000005)}})
          .AsInt64(),
      0xCAFEF00D);
  EXPECT_EQ(
      One("binary_all_xor", {{L(0x44404440)}, {L(0x1E1E1E1E)}, {L(0x90ABBA09)}, {L(0x000B105A)}}, 2)
          .AsInt64(),
      0xCAFEF00D);
  EXPECT_TRUE(One("binary_all_and", {}).is_null());
}

TEST(AggregatesMoreTest, BuildSchemaDocumentedExample) {
  const std::vector<Row> rows = {
      {*ParseJson(R"({"x":1, "y":3.5})")},
      {*ParseJson(R"({"x":"somevalue", "z":[1, 2, 3]})")},
      {*ParseJson(R"({"y":{"w":"zzz"}, "t":["aa", "bb"], "z":["foo"]})")}};
  EXPECT_EQ(One("buildschema", rows).ToJson(),
            R"({"x":["long","string"],"y":["double",{"w":"string"}],)"
            R"("z":{"`indexer`":["long","string"]},"t":{"`indexer`":"string"}})");
}

TEST(AggregatesMoreTest, TDigest) {
  std::vector<Row> xs;
  std::vector<Row> ys;
  for (int64_t x = 1; x <= 10; ++x) {
    xs.push_back({L(x)});
    ys.push_back({L(x + 10)});
  }
  const Value dx = One("tdigest", xs, 4);
  const Value dy = One("tdigest", ys);
  EXPECT_EQ(CallScalar("percentile_tdigest", {dx, L(50)}).AsInt64(), 5);
  const Value merged = CallScalar("merge_tdigest", {dx, dy});
  EXPECT_EQ(CallScalar("percentile_tdigest", {merged, L(100)}).AsInt64(), 20);
  EXPECT_EQ(CallScalar("percentiles_array_tdigest", {merged, L(5), L(50)}).ToJson(), "[1,10]");
  EXPECT_EQ(One("tdigest_merge", {{dx}, {dy}}).ToJson(), merged.ToJson());
  // Weighted: 1.0 once, 2.0 twice -> the median is 2.
  const Value w = One("tdigest", {{R(1), L(1)}, {R(2), L(2)}});
  EXPECT_EQ(CallScalar("percentile_tdigest", {w, L(50)}).AsReal(), 2);
  EXPECT_TRUE(CallScalar("percentile_tdigest", {L(1), L(50)}).is_null());
}

TEST(AggregatesMoreTest, HllCountsDistinctValues) {
  std::vector<Row> rows;
  for (int64_t i = 0; i < 3000; ++i) {
    rows.push_back({L(i % 1000)});
  }
  const Value small = One("hll", rows, 1500);
  EXPECT_EQ(CallScalar("dcount_hll", {small}).AsInt64(), 1000);  // exact below the sketch size
  std::vector<Row> many;
  for (int64_t i = 0; i < 100000; ++i) {
    many.push_back({L(i)});
  }
  const Value big = One("hll", many);
  const int64_t estimate = CallScalar("dcount_hll", {big}).AsInt64();
  EXPECT_NEAR(static_cast<double>(estimate), 100000.0, 6000.0);
  const Value merged = One("hll_merge", {{small}, {big}});
  EXPECT_NEAR(static_cast<double>(CallScalar("dcount_hll", {merged}).AsInt64()), 100000.0, 6000.0);
  EXPECT_EQ(CallScalar("dcount_hll", {CallScalar("hll_merge", {small, small})}).AsInt64(), 1000);
  EXPECT_EQ(
      CallScalar("dcount_hll", {One("hll_if", {{L(1), B(true)}, {L(2), B(false)}})}).AsInt64(), 1);
}

}  // namespace
}  // namespace vigil::kql

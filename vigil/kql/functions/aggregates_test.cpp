#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/kql/functions/registry.h"

namespace vigil::kql {
namespace {

using Row = std::vector<Value>;

class AggregatesTest : public ::testing::Test {
 protected:
  void SetUp() override { RegisterAggregates(registry_); }

  const AggregateFunction& Fn(std::string_view name) {
    const AggregateFunction* fn = registry_.FindAggregate(name);
    EXPECT_NE(fn, nullptr) << name;
    return *fn;
  }

  std::vector<Value> Run(std::string_view name, const std::vector<Row>& rows) {
    auto state = Fn(name).create();
    for (const Row& row : rows) {
      state->Add(row);
    }
    std::vector<Value> out;
    state->Finish(out);
    return out;
  }

  // Feeds rows[0, split) and rows[split, end) to two states and merges the second into the
  // first: must equal Run on all rows.
  std::vector<Value> RunMerged(std::string_view name, const std::vector<Row>& rows, size_t split) {
    auto a = Fn(name).create();
    auto b = Fn(name).create();
    for (size_t i = 0; i < rows.size(); ++i) {
      (i < split ? a : b)->Add(rows[i]);
    }
    a->Merge(*b);
    std::vector<Value> out;
    a->Finish(out);
    return out;
  }

  std::optional<std::vector<Type>> Types(std::string_view name, std::vector<Type> args,
                                         std::string* error = nullptr) {
    std::string scratch;
    return Fn(name).output_types(args, error != nullptr ? error : &scratch);
  }

  Value One(std::string_view name, const std::vector<Row>& rows) {
    auto out = Run(name, rows);
    EXPECT_EQ(out.size(), 1u) << name;
    return out.empty() ? Value() : out[0];
  }

  Registry registry_;
};

Row L(int64_t v) { return {Value::Long(v)}; }
Row R(double v) { return {Value::Real(v)}; }
Row S(std::string v) { return {Value::String(std::move(v))}; }
Row N() { return {Value()}; }
Row B(bool b) { return {Value::Bool(b)}; }

TEST_F(AggregatesTest, RegistersKustoNamesAndAliases) {
  for (const char* name :
       {"count",       "countif",      "dcount",   "dcountif",    "count_distinct",
        "sum",         "sumif",        "avg",      "avgif",       "min",
        "max",         "minif",        "maxif",    "arg_max",     "arg_min",
        "argmax",      "argmin",       "make_set", "make_set_if", "makeset",
        "make_list",   "make_list_if", "makelist", "make_bag",    "make_bag_if",
        "any",         "take_any",     "anyif",    "take_anyif",  "percentile",
        "percentiles", "stdev",        "stdevp",   "variance",    "variancep"}) {
    EXPECT_NE(registry_.FindAggregate(name), nullptr) << name;
  }
  EXPECT_EQ(registry_.FindAggregate("Count"), nullptr);
  EXPECT_EQ(registry_.FindScalar("count"), nullptr);
  const auto names = registry_.AggregateNames();
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
}

TEST_F(AggregatesTest, CountCountsRowsAndCountOfExprSkipsNulls) {
  EXPECT_EQ(One("count", {{}, {}, {}}).AsInt64(), 3);
  EXPECT_EQ(One("count", {}).AsInt64(), 0);
  EXPECT_EQ(One("count", {}).kind(), Kind::kLong);
  EXPECT_EQ(One("count", {L(1), N(), L(3)}).AsInt64(), 2);
  EXPECT_EQ(RunMerged("count", {{}, {}, {}, {}}, 1)[0].AsInt64(), 4);
  EXPECT_EQ(Types("count", {})->at(0), Type::kLong);
}

TEST_F(AggregatesTest, CountIfCountsOnlyTrue) {
  EXPECT_EQ(One("countif", {B(true), B(false), N(), B(true), L(1)}).AsInt64(), 2);
  EXPECT_EQ(One("countif", {}).AsInt64(), 0);
  EXPECT_EQ(RunMerged("countif", {B(true), B(true), B(false)}, 2)[0].AsInt64(), 2);
  std::string error;
  EXPECT_FALSE(Types("countif", {Type::kString}, &error).has_value());
  EXPECT_EQ(error, "countif(): argument 1 must be bool");
}

TEST_F(AggregatesTest, SumOfIntegersIsLongAndIgnoresNulls) {
  const Value v = One("sum", {L(1), N(), L(2), {Value::Int(3)}});
  EXPECT_EQ(v.kind(), Kind::kLong);
  EXPECT_EQ(v.AsInt64(), 6);
  EXPECT_EQ(One("sum", {}).AsInt64(), 0);  // Kusto's default for sum over no rows
  EXPECT_EQ(Types("sum", {Type::kInt})->at(0), Type::kLong);
  EXPECT_EQ(Types("sum", {Type::kReal})->at(0), Type::kReal);
  EXPECT_EQ(Types("sum", {Type::kTimeSpan})->at(0), Type::kTimeSpan);
  EXPECT_FALSE(Types("sum", {Type::kString}).has_value());
}

TEST_F(AggregatesTest, SumOfRealsAndMixed) {
  const Value v = One("sum", {R(1.5), R(2.25)});
  EXPECT_EQ(v.kind(), Kind::kReal);
  EXPECT_DOUBLE_EQ(v.AsReal(), 3.75);
  EXPECT_DOUBLE_EQ(One("sum", {L(1), R(0.5)}).AsReal(), 1.5);
  EXPECT_DOUBLE_EQ(RunMerged("sum", {R(1), L(2), R(3)}, 1)[0].AsReal(), 6.0);
}

TEST_F(AggregatesTest, SumOfTimespans) {
  const Value v = One("sum", {{Value::TimeSpan(10)}, {Value::TimeSpan(32)}});
  EXPECT_EQ(v.kind(), Kind::kTimeSpan);
  EXPECT_EQ(v.AsInt64(), 42);
}

TEST_F(AggregatesTest, SumIf) {
  const std::vector<Row> rows = {{Value::Long(5), Value::Bool(true)},
                                 {Value::Long(7), Value::Bool(false)},
                                 {Value::Long(9), Value()},
                                 {Value::Long(11), Value::Bool(true)}};
  EXPECT_EQ(One("sumif", rows).AsInt64(), 16);
  EXPECT_EQ(RunMerged("sumif", rows, 2)[0].AsInt64(), 16);
  EXPECT_FALSE(Types("sumif", {Type::kLong, Type::kLong}).has_value());
}

TEST_F(AggregatesTest, AvgIsRealAndIgnoresNulls) {
  const Value v = One("avg", {L(1), L(2), N(), L(4)});
  EXPECT_EQ(v.kind(), Kind::kReal);
  EXPECT_NEAR(v.AsReal(), 7.0 / 3.0, 1e-12);
  EXPECT_TRUE(One("avg", {}).is_null());
  EXPECT_TRUE(One("avg", {N(), N()}).is_null());
  EXPECT_DOUBLE_EQ(RunMerged("avg", {R(1), R(2), R(3), R(6)}, 3)[0].AsReal(), 3.0);
  EXPECT_EQ(Types("avg", {Type::kLong})->at(0), Type::kReal);
}

TEST_F(AggregatesTest, AvgOfDatetimeAndTimespan) {
  const Value d = One("avg", {{Value::DateTime(100)}, {Value::DateTime(300)}});
  EXPECT_EQ(d.kind(), Kind::kDateTime);
  EXPECT_EQ(d.AsInt64(), 200);
  const Value t = One("avg", {{Value::TimeSpan(10)}, {Value::TimeSpan(20)}});
  EXPECT_EQ(t.kind(), Kind::kTimeSpan);
  EXPECT_EQ(t.AsInt64(), 15);
  EXPECT_EQ(Types("avg", {Type::kDateTime})->at(0), Type::kDateTime);
  // Ticks near the datetime maximum do not overflow the running sum.
  const int64_t big = int64_t{3155378975999999999};
  EXPECT_EQ(One("avg", {{Value::DateTime(big)}, {Value::DateTime(big)}}).AsInt64(), big);
}

TEST_F(AggregatesTest, AvgIf) {
  const std::vector<Row> rows = {{Value::Long(2), Value::Bool(true)},
                                 {Value::Long(100), Value::Bool(false)},
                                 {Value::Long(4), Value::Bool(true)}};
  EXPECT_DOUBLE_EQ(One("avgif", rows).AsReal(), 3.0);
}

TEST_F(AggregatesTest, MinMaxKeepInputKind) {
  EXPECT_EQ(One("min", {L(5), N(), L(-2), L(9)}).AsInt64(), -2);
  EXPECT_EQ(One("max", {L(5), N(), L(-2), L(9)}).AsInt64(), 9);
  EXPECT_EQ(One("max", {L(5), L(9)}).kind(), Kind::kLong);
  EXPECT_TRUE(One("max", {}).is_null());
  EXPECT_TRUE(One("min", {N()}).is_null());
  EXPECT_EQ(One("max", {S("apple"), S("pear"), S("fig")}).AsString(), "pear");
  EXPECT_EQ(One("min", {S("apple"), S("pear"), S("fig")}).AsString(), "apple");
  const Value d = One("max", {{Value::DateTime(10)}, {Value::DateTime(30)}, {Value::DateTime(20)}});
  EXPECT_EQ(d.kind(), Kind::kDateTime);
  EXPECT_EQ(d.AsInt64(), 30);
  EXPECT_DOUBLE_EQ(One("min", {R(2.5), R(std::nan("")), R(1.5)}).AsReal(), 1.5);
  EXPECT_EQ(RunMerged("max", {L(1), L(7), L(3), L(2)}, 1)[0].AsInt64(), 7);
  EXPECT_EQ(RunMerged("min", {L(1), L(7), L(3), L(-4)}, 2)[0].AsInt64(), -4);
  EXPECT_EQ(Types("max", {Type::kDateTime})->at(0), Type::kDateTime);
  EXPECT_EQ(Types("min", {Type::kString})->at(0), Type::kString);
}

TEST_F(AggregatesTest, MinIfMaxIf) {
  const std::vector<Row> rows = {{Value::Long(5), Value::Bool(true)},
                                 {Value::Long(50), Value::Bool(false)},
                                 {Value::Long(1), Value::Bool(false)},
                                 {Value::Long(7), Value::Bool(true)}};
  EXPECT_EQ(One("maxif", rows).AsInt64(), 7);
  EXPECT_EQ(One("minif", rows).AsInt64(), 5);
  EXPECT_EQ(Types("maxif", {Type::kLong, Type::kBool})->at(0), Type::kLong);
  EXPECT_FALSE(Types("maxif", {Type::kLong, Type::kString}).has_value());
}

TEST_F(AggregatesTest, TakeAnyPrefersNonEmptyForOneColumn) {
  EXPECT_EQ(One("take_any", {S(""), N(), S("b"), S("c")}).AsString(), "b");
  EXPECT_EQ(One("any", {L(4), L(5)}).AsInt64(), 4);
  EXPECT_TRUE(One("take_any", {N(), N()}).is_null());
  EXPECT_TRUE(Run("take_any", {}).empty());
  EXPECT_EQ(RunMerged("take_any", {N(), S("x"), S("y")}, 1)[0].AsString(), "x");
}

TEST_F(AggregatesTest, TakeAnyOfSeveralColumnsReturnsOneRow) {
  const auto out =
      Run("take_any", {{Value(), Value::Long(1)}, {Value::String("a"), Value::Long(2)}});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(out[0].is_null());
  EXPECT_EQ(out[1].AsInt64(), 1);
  const auto types = Types("take_any", {Type::kString, Type::kLong});
  ASSERT_TRUE(types.has_value());
  EXPECT_EQ(*types, (std::vector<Type>{Type::kString, Type::kLong}));
}

TEST_F(AggregatesTest, TakeAnyIf) {
  const std::vector<Row> rows = {{Value::String("a"), Value::Bool(false)},
                                 {Value::String("b"), Value::Bool(true)},
                                 {Value::String("c"), Value::Bool(true)}};
  EXPECT_EQ(One("take_anyif", rows).AsString(), "b");
  EXPECT_EQ(One("anyif", rows).AsString(), "b");
  EXPECT_EQ(Types("anyif", {Type::kString, Type::kBool})->at(0), Type::kString);
}

TEST_F(AggregatesTest, VarianceAndStdev) {
  // Values 2,4,4,4,5,5,7,9: mean 5, population variance 4, sample variance 32/7.
  std::vector<Row> rows;
  for (int v : {2, 4, 4, 4, 5, 5, 7, 9}) {
    rows.push_back(L(v));
  }
  rows.push_back(N());
  EXPECT_NEAR(One("variancep", rows).AsReal(), 4.0, 1e-12);
  EXPECT_NEAR(One("stdevp", rows).AsReal(), 2.0, 1e-12);
  EXPECT_NEAR(One("variance", rows).AsReal(), 32.0 / 7.0, 1e-12);
  EXPECT_NEAR(One("stdev", rows).AsReal(), std::sqrt(32.0 / 7.0), 1e-12);
  EXPECT_NEAR(RunMerged("variance", rows, 3)[0].AsReal(), 32.0 / 7.0, 1e-12);
  EXPECT_NEAR(RunMerged("stdevp", rows, 0)[0].AsReal(), 2.0, 1e-12);
  EXPECT_EQ(One("stdev", {}).AsReal(), 0.0);
  EXPECT_EQ(One("stdev", {L(3)}).AsReal(), 0.0);
  EXPECT_EQ(Types("stdev", {Type::kInt})->at(0), Type::kReal);
}

TEST_F(AggregatesTest, DcountIsExactForSmallSets) {
  std::vector<Row> rows;
  for (int i = 0; i < 500; ++i) {
    rows.push_back(S("user" + std::to_string(i % 137)));
  }
  rows.push_back(N());
  EXPECT_EQ(One("dcount", rows).AsInt64(), 137);
  EXPECT_EQ(RunMerged("dcount", rows, 250)[0].AsInt64(), 137);
  EXPECT_EQ(One("dcount", {}).AsInt64(), 0);
  // 1 and 1.0 are the same value.
  EXPECT_EQ(One("dcount", {L(1), R(1.0), L(2)}).AsInt64(), 2);
  EXPECT_EQ(Types("dcount", {Type::kString})->at(0), Type::kLong);
  EXPECT_FALSE(Types("dcount", {Type::kString, Type::kString}).has_value());
}

TEST_F(AggregatesTest, DcountEstimatesLargeSetsWithinKustoError) {
  constexpr int kDistinct = 50000;
  std::vector<Row> rows;
  for (int i = 0; i < kDistinct; ++i) {
    rows.push_back(L(i * 7919));
    rows.push_back(L(i * 7919));  // duplicates do not count
  }
  const double estimate = static_cast<double>(One("dcount", rows).AsInt64());
  // Accuracy 1: about 0.8 % standard error; allow 4 sigma.
  EXPECT_NEAR(estimate, kDistinct, kDistinct * 0.032);
  const double merged = static_cast<double>(RunMerged("dcount", rows, 30000)[0].AsInt64());
  EXPECT_NEAR(merged, kDistinct, kDistinct * 0.032);
  // Accuracy 4 (2^18 registers) is tighter.
  std::vector<Row> accurate;
  for (const Row& row : rows) {
    accurate.push_back({row[0], Value::Int(4)});
  }
  EXPECT_NEAR(static_cast<double>(One("dcount", accurate).AsInt64()), kDistinct, kDistinct * 0.01);
}

TEST_F(AggregatesTest, DcountStaysAccurateAcrossCardinalities) {
  // Covers the hand-over from exact counting and the small/large ranges of the sketch.
  for (const int distinct : {1025, 3000, 20000, 45000, 150000}) {
    for (const int accuracy : {0, 1}) {
      auto state = Fn("dcount").create();
      for (int i = 0; i < distinct; ++i) {
        const Row row = {Value::String("host-" + std::to_string(i)), Value::Int(accuracy)};
        state->Add(row);
      }
      std::vector<Value> out;
      state->Finish(out);
      const double sigma = accuracy == 0 ? 0.016 : 0.008;
      EXPECT_NEAR(static_cast<double>(out[0].AsInt64()), distinct, distinct * 4 * sigma)
          << "distinct=" << distinct << " accuracy=" << accuracy;
    }
  }
}

TEST_F(AggregatesTest, DcountMergeOfExactIntoSketch) {
  std::vector<Row> rows;
  for (int i = 0; i < 5000; ++i) {
    rows.push_back(S("k" + std::to_string(i)));
  }
  // The first state stays exact (10 values), the second becomes a sketch.
  const double merged = static_cast<double>(RunMerged("dcount", rows, 10)[0].AsInt64());
  EXPECT_NEAR(merged, 5000, 5000 * 0.032);
}

TEST_F(AggregatesTest, DcountIf) {
  const std::vector<Row> rows = {{Value::String("a"), Value::Bool(true)},
                                 {Value::String("b"), Value::Bool(false)},
                                 {Value::String("a"), Value::Bool(true)},
                                 {Value::String("c"), Value::Bool(true)}};
  EXPECT_EQ(One("dcountif", rows).AsInt64(), 2);
  EXPECT_EQ(Types("dcountif", {Type::kString, Type::kBool, Type::kInt})->at(0), Type::kLong);
}

TEST_F(AggregatesTest, CountDistinctIsExact) {
  std::vector<Row> rows;
  for (int i = 0; i < 3000; ++i) {
    rows.push_back(L(i % 2500));
  }
  EXPECT_EQ(One("count_distinct", rows).AsInt64(), 2500);
  EXPECT_EQ(RunMerged("count_distinct", rows, 1000)[0].AsInt64(), 2500);
  EXPECT_EQ(One("count_distinct", {S("a"), S("A"), N()}).AsInt64(), 2);
}

Value Arr(std::vector<Value> items) { return Value::MakeArray(std::move(items)); }

std::string Json(const Value& v) { return v.ToJson(); }

TEST_F(AggregatesTest, MakeSetKeepsFirstSeenOrderAndSkipsNulls) {
  const Value v = One("make_set", {S("b"), S("a"), N(), S("b"), S("c"), S("a")});
  EXPECT_EQ(Json(v), R"(["b","a","c"])");
  EXPECT_EQ(Json(One("make_set", {})), "[]");
  EXPECT_EQ(Json(RunMerged("make_set", {L(1), L(2), L(2), L(3), L(1)}, 2)[0]), "[1,2,3]");
  EXPECT_EQ(Types("make_set", {Type::kString})->at(0), Type::kDynamic);
}

TEST_F(AggregatesTest, MakeSetHonoursMaxSize) {
  std::vector<Row> rows;
  for (int i = 0; i < 10; ++i) {
    rows.push_back({Value::Long(i), Value::Int(3)});
  }
  EXPECT_EQ(Json(One("make_set", rows)), "[0,1,2]");
  EXPECT_FALSE(Types("make_set", {Type::kLong, Type::kString}).has_value());
}

TEST_F(AggregatesTest, DeprecatedMakeSetDefaultsTo128) {
  std::vector<Row> rows;
  for (int i = 0; i < 200; ++i) {
    rows.push_back(L(i));
  }
  EXPECT_EQ(One("makeset", rows).AsArray().size(), 128u);
  EXPECT_EQ(One("make_set", rows).AsArray().size(), 200u);
  EXPECT_EQ(One("makelist", rows).AsArray().size(), 128u);
}

TEST_F(AggregatesTest, MakeSetOfArrayColumnCollectsElements) {
  const Value v = One("make_set", {{Arr({Value::String("A"), Value::String("B")})},
                                   {Arr({Value::String("B"), Value::String("C")})},
                                   {Arr({Value::String("D")})}});
  EXPECT_EQ(Json(v), R"(["A","B","C","D"])");
}

TEST_F(AggregatesTest, MakeSetIf) {
  const std::vector<Row> rows = {{Value::String("x"), Value::Bool(true)},
                                 {Value::String("y"), Value::Bool(false)},
                                 {Value::String("x"), Value::Bool(true)},
                                 {Value::String("z"), Value::Bool(true), Value::Long(5)}};
  EXPECT_EQ(Json(One("make_set_if", rows)), R"(["x","z"])");
  EXPECT_EQ(Types("make_set_if", {Type::kString, Type::kBool, Type::kInt})->at(0), Type::kDynamic);
  EXPECT_FALSE(Types("make_set_if", {Type::kString, Type::kString}).has_value());
}

TEST_F(AggregatesTest, MakeListKeepsDuplicatesInOrder) {
  EXPECT_EQ(Json(One("make_list", {L(3), L(1), N(), L(3)})), "[3,1,3]");
  EXPECT_EQ(Json(RunMerged("make_list", {L(3), L(1), L(3)}, 1)[0]), "[3,1,3]");
  EXPECT_EQ(Json(One("make_list_with_nulls", {L(3), N(), L(3)})), "[3,null,3]");
  // An array value contributes its elements (wrap it in pack_array() to keep it whole).
  EXPECT_EQ(Json(One("make_list", {{Arr({Value::Long(1), Value::Long(2)})}})), "[1,2]");
  EXPECT_EQ(Json(One("make_list", {{Arr({Arr({Value::Long(1), Value::Long(2)})})}})), "[[1,2]]");
  const std::vector<Row> rows = {{Value::Long(1), Value::Bool(true)},
                                 {Value::Long(2), Value::Bool(false)},
                                 {Value::Long(1), Value::Bool(true)}};
  EXPECT_EQ(Json(One("make_list_if", rows)), "[1,1]");
}

TEST_F(AggregatesTest, MakeBagMergesFirstValueWins) {
  auto bag = [](std::string key, Value v) {
    return Row{Value::MakeBag({{std::move(key), std::move(v)}})};
  };
  const std::vector<Row> rows = {bag("a", Value::Long(1)), bag("b", Value::String("x")),
                                 bag("a", Value::Long(2)), S("not a bag"), N()};
  EXPECT_EQ(Json(One("make_bag", rows)), R"({"a":1,"b":"x"})");
  EXPECT_EQ(Json(RunMerged("make_bag", rows, 2)[0]), R"({"a":1,"b":"x"})");
  EXPECT_EQ(Json(One("make_bag", {})), "{}");
  const std::vector<Row> if_rows = {{Value::MakeBag({{"k", Value::Long(1)}}), Value::Bool(false)},
                                    {Value::MakeBag({{"k", Value::Long(2)}}), Value::Bool(true)}};
  EXPECT_EQ(Json(One("make_bag_if", if_rows)), R"({"k":2})");
}

TEST_F(AggregatesTest, ArgMaxReturnsRowOfMaximum) {
  const std::vector<Row> rows = {{Value::Long(3), Value::String("c"), Value::Long(30)},
                                 {Value::Long(9), Value::String("nine"), Value::Long(90)},
                                 {Value(), Value::String("null"), Value::Long(0)},
                                 {Value::Long(9), Value::String("tie"), Value::Long(91)},
                                 {Value::Long(1), Value::String("one"), Value::Long(10)}};
  auto out = Run("arg_max", rows);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].AsInt64(), 9);
  EXPECT_EQ(out[1].AsString(), "nine");
  EXPECT_EQ(out[2].AsInt64(), 90);
  out = Run("arg_min", rows);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].AsInt64(), 1);
  EXPECT_EQ(out[1].AsString(), "one");
  out = RunMerged("argmax", rows, 2);
  EXPECT_EQ(out[1].AsString(), "nine");
  out = RunMerged("argmin", rows, 4);
  EXPECT_EQ(out[1].AsString(), "one");
  const auto types = Types("arg_max", {Type::kDateTime, Type::kString, Type::kLong});
  ASSERT_TRUE(types.has_value());
  EXPECT_EQ(*types, (std::vector<Type>{Type::kDateTime, Type::kString, Type::kLong}));
}

TEST_F(AggregatesTest, ArgMaxOverDatetimes) {
  const std::vector<Row> rows = {{Value::DateTime(100), Value::String("old")},
                                 {Value::DateTime(300), Value::String("new")},
                                 {Value::DateTime(200), Value::String("mid")}};
  EXPECT_EQ(Run("arg_max", rows)[1].AsString(), "new");
  EXPECT_EQ(Run("arg_min", rows)[1].AsString(), "old");
  EXPECT_TRUE(Run("arg_max", {}).empty());
}

TEST_F(AggregatesTest, PercentileNearestRank) {
  std::vector<Row> rows;
  for (int i = 10; i >= 1; --i) {
    rows.push_back({Value::Long(i), Value::Real(50)});
  }
  EXPECT_EQ(One("percentile", rows).AsInt64(), 5);
  EXPECT_EQ(One("percentile", rows).kind(), Kind::kLong);
  for (Row& row : rows) {
    row[1] = Value::Long(90);
  }
  EXPECT_EQ(One("percentile", rows).AsInt64(), 9);
  for (Row& row : rows) {
    row[1] = Value::Long(0);
  }
  EXPECT_EQ(One("percentile", rows).AsInt64(), 1);
  for (Row& row : rows) {
    row[1] = Value::Long(100);
  }
  EXPECT_EQ(RunMerged("percentile", rows, 4)[0].AsInt64(), 10);
  EXPECT_EQ(Types("percentile", {Type::kTimeSpan, Type::kLong})->at(0), Type::kTimeSpan);
  EXPECT_FALSE(Types("percentile", {Type::kString, Type::kLong}).has_value());
}

TEST_F(AggregatesTest, PercentilesOneOutputPerPercent) {
  std::vector<Row> rows;
  for (int i = 1; i <= 20; ++i) {
    rows.push_back({Value::Real(i * 1.5), Value::Long(5), Value::Long(50), Value::Real(99.5)});
  }
  rows.push_back({Value(), Value::Long(5), Value::Long(50), Value::Real(99.5)});
  const auto out = Run("percentiles", rows);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_DOUBLE_EQ(out[0].AsReal(), 1.5);   // rank ceil(1) = 1
  EXPECT_DOUBLE_EQ(out[1].AsReal(), 15.0);  // rank 10
  EXPECT_DOUBLE_EQ(out[2].AsReal(), 30.0);  // rank ceil(19.9) = 20
  const auto types = Types("percentiles", {Type::kReal, Type::kLong, Type::kLong});
  ASSERT_TRUE(types.has_value());
  EXPECT_EQ(types->size(), 2u);
  const auto empty = Run("percentiles", {});
  EXPECT_TRUE(empty.empty());
}

TEST_F(AggregatesTest, PercentilesOfEmptyGroupAreNull) {
  const auto out = Run("percentiles", {{Value(), Value::Long(50), Value::Long(90)}});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(out[0].is_null());
  EXPECT_TRUE(out[1].is_null());
}

TEST_F(AggregatesTest, PercentilesArray) {
  std::vector<Row> rows;
  for (int i = 1; i <= 4; ++i) {
    rows.push_back({Value::Long(i), Arr({Value::Long(25), Value::Long(75)})});
  }
  EXPECT_EQ(Json(One("percentiles_array", rows)), "[1,3]");
}

TEST_F(AggregatesTest, StatesNeverCrashOnOddInput) {
  // Wrong kinds, missing and extra arguments: results may be null, never a crash.
  const std::vector<Row> odd = {{},
                                {Value::String("x")},
                                {Value::MakeBag({})},
                                {Arr({})},
                                {Value::Bool(true), Value::String("p")}};
  for (const std::string& name : registry_.AggregateNames()) {
    auto state = Fn(name).create();
    for (const Row& row : odd) {
      state->Add(row);
    }
    auto other = Fn(name).create();
    state->Merge(*other);
    std::vector<Value> out;
    state->Finish(out);
  }
}

}  // namespace
}  // namespace vigil::kql

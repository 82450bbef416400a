#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "vigil/kql/functions/registry.h"
#include "vigil/kql/value.h"

namespace vigil::kql {
namespace {

Value Call(std::string_view name, std::vector<Value> args) {
  const ScalarFunction* fn = Registry::Default().FindScalar(name);
  EXPECT_NE(fn, nullptr) << name;
  std::vector<std::string> warnings;
  FunctionContext ctx;
  ctx.warnings = &warnings;
  return fn == nullptr ? Value() : fn->impl(args, ctx);
}
std::string Json(std::string_view name, std::vector<Value> args) {
  return Call(name, std::move(args)).ToJson();
}
Value J(const char* json) { return *ParseJson(json); }
Value S(const char* s) { return Value::String(s); }
Value L(int64_t v) { return Value::Long(v); }
Value R(double v) { return Value::Real(v); }

TEST(MoreFunctionsTest, Trigonometry) {
  EXPECT_NEAR(Call("sin", {L(1)}).AsReal(), 0.841470984807897, 1e-12);
  EXPECT_NEAR(Call("cos", {L(1)}).AsReal(), 0.54030230586813977, 1e-12);
  EXPECT_NEAR(Call("atan2", {L(1), L(1)}).AsReal(), 0.785398163397448, 1e-12);
  EXPECT_NEAR(Call("atan2", {L(0), L(-1)}).AsReal(), 3.14159265358979, 1e-12);
  EXPECT_NEAR(Call("atan2", {L(-1), L(0)}).AsReal(), -1.5707963267949, 1e-12);
  EXPECT_NEAR(Call("radians", {L(180)}).AsReal(), 3.14159265358979, 1e-12);
  EXPECT_NEAR(Call("degrees", {R(M_PI / 2)}).AsReal(), 90, 1e-12);
  EXPECT_NEAR(Call("cot", {R(M_PI / 4)}).AsReal(), 1, 1e-12);
  EXPECT_TRUE(Call("asin", {L(2)}).is_null());
  EXPECT_TRUE(Call("sin", {S("x")}).is_null());
}

TEST(MoreFunctionsTest, GammaAndErf) {
  EXPECT_NEAR(Call("loggamma", {L(5)}).AsReal(), 3.1780538303479458, 1e-12);
  EXPECT_NEAR(Call("gamma", {L(5)}).AsReal(), 24, 1e-9);
  EXPECT_NEAR(Call("erf", {L(1)}).AsReal(), 0.842700792949715, 1e-12);
  EXPECT_NEAR(Call("erf", {L(-3)}).AsReal(), -0.999977909503001, 1e-12);
}

TEST(MoreFunctionsTest, UnitConversionsDocumentedExamples) {
  EXPECT_EQ(Call("convert_angle", {R(1.2), S("Degree"), S("Arcminute")}).AsReal(), 72);
  EXPECT_NEAR(Call("convert_force", {R(1.2), S("Newton"), S("Decanewton")}).AsReal(), 0.12, 1e-12);
  EXPECT_NEAR(Call("convert_length", {R(1.2), S("Meter"), S("Foot")}).AsReal(), 3.93700787401575,
              1e-12);
  EXPECT_NEAR(Call("convert_mass", {R(1.2), S("Kilogram"), S("Pound")}).AsReal(), 2.64554714621853,
              1e-12);
  EXPECT_NEAR(Call("convert_speed", {R(1.2), S("MeterPerSecond"), S("CentimeterPerHour")}).AsReal(),
              432000, 1e-6);
  EXPECT_NEAR(Call("convert_volume", {R(1.2), S("CubicMeter"), S("AcreFoot")}).AsReal(),
              0.0009728568, 1e-9);
  EXPECT_NEAR(Call("convert_energy", {R(1.2), S("Joule"), S("BritishThermalUnit")}).AsReal(),
              0.00113738054437598, 1e-15);
  EXPECT_NEAR(
      Call("convert_temperature", {R(100), S("DegreeCelsius"), S("DegreeFahrenheit")}).AsReal(),
      212, 1e-9);
  EXPECT_NEAR(Call("convert_temperature", {R(0), S("Kelvin"), S("DegreeCelsius")}).AsReal(),
              -273.15, 1e-9);
  EXPECT_TRUE(Call("convert_length", {R(1), S("Meter"), S("Parsnip")}).is_null());
}

TEST(MoreFunctionsTest, TextHelpers) {
  EXPECT_EQ(Call("regex_quote", {S("(so$me.Te^xt)")}).AsString(), "\\(so\\$me\\.Te\\^xt\\)");
  EXPECT_EQ(Call("format_bytes", {L(564)}).AsString(), "564 Bytes");
  EXPECT_EQ(Call("format_bytes", {L(10332), L(1)}).AsString(), "10.1 KB");
  EXPECT_EQ(Call("format_bytes", {L(20010332)}).AsString(), "19 MB");
  EXPECT_EQ(Call("format_bytes", {L(20010332), L(2)}).AsString(), "19.08 MB");
  EXPECT_EQ(Call("format_bytes", {L(20010332), L(0), S("KB")}).AsString(), "19541 KB");
  EXPECT_EQ(Call("bitset_count_ones", {L(42)}).AsInt64(), 3);
  EXPECT_EQ(Call("bitset_count_ones", {Value::Int(-1)}).AsInt64(), 32);
  EXPECT_EQ(Call("strcmp", {S("abc"), S("abd")}).AsInt64(), -1);
  EXPECT_EQ(Call("strcmp", {S("b"), S("a")}).AsInt64(), 1);
  EXPECT_EQ(Call("strcmp", {S("a"), S("a")}).AsInt64(), 0);
  EXPECT_TRUE(Call("assert", {Value::Bool(true), S("m")}).AsBool());
  EXPECT_FALSE(Call("assert", {Value::Bool(false), S("m")}).AsBool());
  EXPECT_EQ(Call("estimate_data_size", {L(1), S("1234567890")}).AsInt64(), 18);
  const Value g1 = Call("new_guid", {});
  const Value g2 = Call("new_guid", {});
  EXPECT_EQ(g1.kind(), Kind::kGuid);
  EXPECT_EQ(g1.AsString().size(), 36u);
  EXPECT_EQ(g1.AsString()[14], '4');
  EXPECT_NE(g1.AsString(), g2.AsString());
  EXPECT_EQ(Call("hash_combine", {L(1), L(2)}).kind(), Kind::kLong);
  EXPECT_NE(Call("hash_combine", {L(1), L(2)}).AsInt64(),
            Call("hash_combine", {L(2), L(1)}).AsInt64());
  EXPECT_EQ(Call("hash_many", {S("a"), L(1)}).AsInt64(),
            Call("hash_many", {S("a"), L(1)}).AsInt64());
}

TEST(MoreFunctionsTest, CompressionRoundTripsAndDocumentedExamples) {
  EXPECT_EQ(Call("zlib_compress_to_base64_string", {S("1234567890qwertyuiop")}).AsString(),
            "eAEBFADr/zEyMzQ1Njc4OTBxd2VydHl1aW9wOAkGdw==");
  EXPECT_EQ(Call("zlib_decompress_from_base64_string", {S("eJwLSS0uUSguKcrMS1cwNDIGACxqBQ4=")})
                .AsString(),
            "Test string 123");
  EXPECT_EQ(Call("gzip_decompress_from_base64_string",
                 {S("H4sIAAAAAAAA/wEUAOv/MTIzNDU2Nzg5MHF3ZXJ0eXVpb3A6m7f2FAAAAA==")})
                .AsString(),
            "1234567890qwertyuiop");
  EXPECT_TRUE(Call("gzip_decompress_from_base64_string", {S("x0x0x0")}).is_null());
  EXPECT_TRUE(Call("zlib_decompress_from_base64_string", {S("x0x0x0")}).is_null());
  EXPECT_EQ(Call("gzip_compress_to_base64_string", {S("1234567890qwertyuiop")}).AsString(),
            "H4sIAAAAAAAA/wEUAOv/MTIzNDU2Nzg5MHF3ZXJ0eXVpb3A6m7f2FAAAAA==");
  const std::string long_text(5000, 'a');
  const Value packed = Call("gzip_compress_to_base64_string", {S(long_text.c_str())});
  EXPECT_LT(packed.AsString().size(), 200u);
  EXPECT_EQ(Call("gzip_decompress_from_base64_string", {packed}).AsString(), long_text);
}

TEST(MoreFunctionsTest, PunycodeAndGuids) {
  EXPECT_EQ(Call("punycode_domain_to_string", {S("Riðill｡Skáldskaparmál｡org")}).AsString(),
            "xn--Riill-jta.xn--Skldskaparml-dbbj.org");
  EXPECT_EQ(Call("punycode_domain_to_string", {S("Kaledvoulc'h.Artorījos.edu")}).AsString(),
            "Kaledvoulc'h.xn--Artorjos-ejb.edu");
  EXPECT_EQ(Call("punycode_domain_from_string", {S("xn--Lin-8na.Celtchair.org")}).AsString(),
            "Lúin.Celtchair.org");
  EXPECT_EQ(Call("punycode_domain_from_string", {S("xn--Ry-lja8c.xn--Jng-uta63a.xn--Bng-9ka.com")})
                .AsString(),
            "Rúyì.Jīngū.Bàng.com");
  EXPECT_TRUE(Call("punycode_domain_from_string", {S("xn--!!")}).is_null());
  const Value g = Call("base64_decode_toguid", {S("JpbpECu8dUy7Pv5gbeJXAA==")});
  EXPECT_EQ(g.AsString(), "10e99626-bc2b-754c-bb3e-fe606de25700");
  EXPECT_EQ(Call("base64_encode_fromguid", {g}).AsString(), "JpbpECu8dUy7Pv5gbeJXAA==");
  EXPECT_TRUE(Call("base64_decode_toguid", {S("AAAA")}).is_null());
}

TEST(MoreFunctionsTest, IpRanges) {
  EXPECT_EQ(Json("ipv4_range_to_cidr_list", {S("1.1.128.0"), S("1.1.140.255")}),
            R"(["1.1.128.0/21","1.1.136.0/22","1.1.140.0/24"])");
  EXPECT_EQ(Json("ipv4_range_to_cidr_list", {S("0.0.0.0"), S("255.255.255.255")}),
            R"(["0.0.0.0/0"])");
  EXPECT_TRUE(Call("ipv4_range_to_cidr_list", {S("1.1.1.2"), S("1.1.1.1")}).is_null());
  EXPECT_TRUE(Call("ipv6_is_in_any_range", {S("a5e:f127:8a9d:146d:e102:b5d3:c755:abcd"),
                                            J(R"(["a5e:f127:8a9d:146d:e102:b5d3:c755:0000/112",
                                                 "fe80::/10"])")})
                  .AsBool());
  EXPECT_FALSE(Call("ipv6_is_in_any_range", {S("::1"), S("fe80::/10")}).AsBool());
}

TEST(MoreFunctionsTest, SeriesElementWise) {
  EXPECT_EQ(Json("series_ceiling", {J("[-1.5,1,2.5]")}), "[-1,1,3]");
  EXPECT_EQ(Json("series_floor", {J("[-1.5,1,2.5]")}), "[-2,1,2]");
  EXPECT_EQ(Json("series_sign", {J("[-6,0,8]")}), "[-1,0,1]");
  EXPECT_EQ(Json("series_abs", {J("[-6,null,2.5]")}), "[6,null,2.5]");
  EXPECT_EQ(Json("series_pow", {J("[1,2,3,4]"), J("[1,2,3,0.5]")}), "[1,4,27,2]");
  EXPECT_EQ(Json("series_greater_equals", {J("[1,2,4]"), J("[4,2,1]")}), "[false,true,true]");
  EXPECT_EQ(Json("series_less", {J("[1,2,4]"), J("[4,2,1]")}), "[true,false,false]");
  EXPECT_EQ(Json("series_not_equals", {J("[1,2]"), L(2)}), "[true,false]");
  EXPECT_NEAR(Call("series_exp", {J("[1]")}).AsArray()[0].AsReal(), 2.7182818284590451, 1e-12);
  EXPECT_TRUE(Call("series_sqrt", {J("[-1]")}).AsArray()[0].is_null());
}

TEST(MoreFunctionsTest, SeriesReductions) {
  EXPECT_EQ(Call("series_dot_product", {J("[1,2,4]"), J("[4,2,1]")}).AsReal(), 12);
  EXPECT_EQ(Call("series_dot_product", {J("[1,2,4]"), L(1)}).AsReal(), 7);
  EXPECT_EQ(Call("series_sum", {J("[1,2,3,4]")}).AsReal(), 10);
  EXPECT_NEAR(Call("series_magnitude", {J("[1,2,3,4]")}).AsReal(), 5.4772255750516612, 1e-12);
  EXPECT_NEAR(Call("series_pearson_correlation", {J("[1,2,3,4,5]"), J("[2,4,6,8,10]")}).AsReal(), 1,
              1e-12);
  EXPECT_NEAR(Call("series_cosine_similarity", {J("[1,0]"), J("[0,1]")}).AsReal(), 0, 1e-12);
  EXPECT_NEAR(Call("series_cosine_similarity", {J("[1,1]"), J("[2,2]")}).AsReal(), 1, 1e-12);
}

TEST(MoreFunctionsTest, SeriesFilters) {
  EXPECT_EQ(Json("series_fir", {J("[1,2,5,10,20,50]"), J("[1,1,1,1,1]"), Value::Bool(false)}),
            "[1,3,8,18,38,87]");
  EXPECT_EQ(Json("series_fir", {J("[1,2,3]"), J("[1,1]")}), "[0.5,1.5,2.5]");
  // Cumulative sum: y[n] = x[n] + y[n-1].
  EXPECT_EQ(Json("series_iir", {J("[1,2,3,4]"), J("[1]"), J("[1,-1]")}), "[1,3,6,10]");
}

TEST(MoreFunctionsTest, SeriesSeasonalDocumentedExamples) {
  EXPECT_EQ(Json("series_seasonal", {J("[1,3,5,1,3,5,2,4,6]"), L(3)}), "[1,3,5,1,3,5,1,3,5]");
  EXPECT_EQ(Json("series_seasonal", {J("[1,3,5,2,4,6,1,3,5,2,4,6]"), L(3)}),
            "[1.5,3.5,5.5,1.5,3.5,5.5,1.5,3.5,5.5,1.5,3.5,5.5]");
  EXPECT_EQ(Json("series_seasonal", {J("[2,5,3,4,3,2,1,2,3,4,3,2,1,2,3,4,3,2,1,2,3,4,3,2,1]")}),
            "[1,2,3,4,3,2,1,2,3,4,3,2,1,2,3,4,3,2,1,2,3,4,3,2,1]");
  EXPECT_EQ(
      Json("series_seasonal", {J("[8,12,14,12,10,10,12,14,12,10,10,12,14,12,10,10,12,14,12,10]")}),
      "[10,12,14,12,10,10,12,14,12,10,10,12,14,12,10,10,12,14,12,10]");
  EXPECT_EQ(Json("series_seasonal", {J("[1,3,5,2,4,6,1,3,5,2,4,6]")}), "[0,0,0,0,0,0,0,0,0,0,0,0]");
}

TEST(MoreFunctionsTest, SeriesFit2Lines) {
  const Value fit = Call("series_fit_2lines_dynamic", {J("[1,2,3,4,5,10,20,30,40]")});
  ASSERT_TRUE(fit.is_bag());
  EXPECT_EQ(fit.Find("split_idx")->AsInt64(), 5);
  EXPECT_NEAR(fit.Find("left")->Find("slope")->AsReal(), 1, 1e-9);
  EXPECT_NEAR(fit.Find("right")->Find("slope")->AsReal(), 10, 1e-9);
  EXPECT_NEAR(fit.Find("rsquare")->AsReal(), 1, 1e-9);
}

TEST(MoreFunctionsTest, ArraysAndBags) {
  EXPECT_EQ(Json("array_rotate_left", {J("[1,2,3,4,5]"), L(2)}), "[3,4,5,1,2]");
  EXPECT_EQ(Json("array_rotate_left", {J("[1,2,3,4,5]"), L(-2)}), "[4,5,1,2,3]");
  EXPECT_EQ(Json("array_rotate_right", {J("[1,2,3,4,5]"), L(2)}), "[4,5,1,2,3]");
  EXPECT_EQ(Json("array_rotate_right", {J("[1,2,3,4,5]"), L(-2)}), "[3,4,5,1,2]");
  EXPECT_EQ(Json("array_rotate_right", {J("[]"), L(3)}), "[]");
  EXPECT_EQ(Json("array_split", {J("[1,2,3,4,5]"), L(2)}), "[[1,2],[3,4,5]]");
  EXPECT_EQ(Json("array_split", {J("[1,2,3,4,5]"), J("[1,3]")}), "[[1],[2,3],[4,5]]");
  EXPECT_EQ(Json("bag_zip", {J(R"(["a","b","c"])"), J(R"([1,"2",3.4])")}),
            R"({"a":1,"b":"2","c":3.4})");
  EXPECT_EQ(Json("bag_zip", {J(R"(["a","b","c"])"), J(R"([1,"2"])")}),
            R"({"a":1,"b":"2","c":null})");
  EXPECT_EQ(Json("bag_zip", {J(R"(["a",8,"b"])"), J(R"([1,"2",2.5])")}), R"({"a":1,"b":2.5})");
  EXPECT_EQ(Json("bag_zip", {J(R"(["a",8,"b"])"), L(1)}), R"({"a":null,"b":null})");
  EXPECT_TRUE(Call("bag_zip", {S("a"), J("[1]")}).is_null());
}

TEST(MoreFunctionsTest, TimeZonesFromTheTzDatabase) {
  // 2020-02-02 20:02:20 local -> UTC (documented example).
  const int64_t local = (1580673740LL) * 10'000'000;
  const Value utc = Call("datetime_local_to_utc", {Value::DateTime(local), S("US/Pacific")});
  EXPECT_EQ(utc.ToText(), "2020-02-03T04:02:20.0000000Z");
  EXPECT_EQ(Call("datetime_local_to_utc", {Value::DateTime(local), S("Europe/Paris")}).ToText(),
            "2020-02-02T19:02:20.0000000Z");
  const int64_t summer = 1657577928LL * 10'000'000;  // 2022-07-11 22:18:48Z
  EXPECT_EQ(Call("datetime_utc_to_local", {Value::DateTime(summer), S("US/Pacific")}).ToText(),
            "2022-07-11T15:18:48.0000000Z");
  EXPECT_EQ(
      Call("datetime_utc_to_local", {Value::DateTime(summer), S("Australia/Canberra")}).ToText(),
      "2022-07-12T08:18:48.0000000Z");
  // Far past the last transition of the file: the POSIX rule applies.
  const int64_t y2090 = 3803709600LL * 10'000'000;  // 2090-07-14 10:00Z
  EXPECT_EQ(Call("datetime_utc_to_local", {Value::DateTime(y2090), S("Europe/Paris")}).ToText(),
            "2090-07-14T12:00:00.0000000Z");
  EXPECT_TRUE(
      Call("datetime_utc_to_local", {Value::DateTime(summer), S("Mars/Olympus")}).is_null());
  EXPECT_TRUE(
      Call("datetime_utc_to_local", {Value::DateTime(summer), S("../etc/passwd")}).is_null());
}

// Deviations from the documented results fixed in the older function groups.
TEST(MoreFunctionsTest, DocumentedBehaviourOfOlderFunctions) {
  EXPECT_TRUE(Call("parse_json", {S("")}).is_null());
  EXPECT_EQ(Call("gettype", {Call("parse_json", {S("1")})}).AsString(), "int");
  EXPECT_EQ(Call("gettype", {Call("parse_json", {S("5000000000")})}).AsString(), "long");
  EXPECT_EQ(Call("tohex", {Value::Int(-256), L(8)}).AsString(), "ffffff00");
  EXPECT_EQ(Call("tohex", {L(-256)}).AsString(), "ffffffffffffff00");
  EXPECT_EQ(Json("bag_remove_keys",
                 {J(R"({"key1":123,"key2":{"prop1":"abc","prop2":"xyz"},"key3":[100,200]})"),
                  J(R"(["$.key2.prop1","key3"])")}),
            R"({"key1":123,"key2":{"prop2":"xyz"}})");
  EXPECT_EQ(Json("series_fill_linear", {J("[null,111,null,36,41,null,null,16]")}),
            "[111,111,73,36,41,32,24,16]");
  EXPECT_EQ(Json("series_fill_linear", {J("[1,null,2.0]")}), "[1,1.5,2]");
  EXPECT_EQ(
      Call("replace_strings", {S("This is it"), J(R"(["is","This"])"), J(R"(["was","This"])")})
          .AsString(),
      "Thwas was it");
  EXPECT_EQ(Call("replace_strings", {S("This is it"), J(R"(["This","is"])"), J(R"([12345,"was"])")})
                .AsString(),
            "This was it");
  EXPECT_EQ(Call("replace_strings",
                 {S("a cat into a dog"), J(R"(["cat","dog"])"), J(R"(["dog","pigeon"])")})
                .AsString(),
            "a dog into a pigeon");
}

}  // namespace
}  // namespace vigil::kql

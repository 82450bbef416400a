#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "vigil/kql/functions/registry.h"
#include "vigil/kql/value.h"

namespace vigil::kql {
namespace {

class IpFunctionsTest : public ::testing::Test {
 protected:
  IpFunctionsTest() {
    RegisterIpFunctions(registry_);
    ctx_.warnings = &warnings_;
  }
  Value Call(std::string_view name, std::vector<Value> args) {
    const ScalarFunction* fn = registry_.FindScalar(name);
    EXPECT_NE(fn, nullptr) << name;
    return fn == nullptr ? Value() : fn->impl(args, ctx_);
  }
  bool True(std::string_view name, std::vector<Value> args) {
    const Value v = Call(name, std::move(args));
    EXPECT_EQ(v.kind(), Kind::kBool) << name << " gave " << v.ToJson();
    return v.kind() == Kind::kBool && v.AsBool();
  }
  Registry registry_;
  std::vector<std::string> warnings_;
  FunctionContext ctx_;
};

Value S(std::string v) { return Value::String(std::move(v)); }
Value L(int64_t v) { return Value::Long(v); }

TEST_F(IpFunctionsTest, ParseAndFormat) {
  EXPECT_EQ(Call("parse_ipv4", {S("127.0.0.1")}).AsInt64(), 2130706433);
  EXPECT_EQ(Call("parse_ipv4", {S("192.1.168.1")}).AsInt64(), 3221334017);
  EXPECT_EQ(Call("parse_ipv4", {S("192.1.168.1/24")}).AsInt64(), 3221334016);
  EXPECT_TRUE(Call("parse_ipv4", {S("256.1.1.1")}).is_null());
  EXPECT_TRUE(Call("parse_ipv4", {S("1.2.3")}).is_null());
  EXPECT_TRUE(Call("parse_ipv4", {S("1.2.3.4/33")}).is_null());
  EXPECT_EQ(Call("parse_ipv4_mask", {S("127.2.3.4"), L(8)}).AsInt64(), 2130706432);
  EXPECT_EQ(Call("format_ipv4", {S("192.168.1.255"), L(24)}).AsString(), "192.168.1.0");
  EXPECT_EQ(Call("format_ipv4", {L(3232236031), L(24)}).AsString(), "192.168.1.0");
  EXPECT_EQ(Call("format_ipv4", {L(3232236031)}).AsString(), "192.168.1.255");
  EXPECT_EQ(Call("format_ipv4", {S("abc")}).AsString(), "");
  EXPECT_EQ(Call("format_ipv4_mask", {S("192.168.1.255"), L(24)}).AsString(), "192.168.1.0/24");
  EXPECT_EQ(Call("format_ipv4_mask", {L(3232236031), L(24)}).AsString(), "192.168.1.0/24");
  EXPECT_EQ(Call("format_ipv4_mask", {S("10.1.2.3")}).AsString(), "10.1.2.3/32");
  EXPECT_EQ(Call("ipv4_netmask_suffix", {S("192.168.1.1/24")}).AsInt64(), 24);
  EXPECT_EQ(Call("ipv4_netmask_suffix", {S("192.168.1.1")}).AsInt64(), 32);
}

TEST_F(IpFunctionsTest, PrivateAndRanges) {
  EXPECT_TRUE(True("ipv4_is_private", {S("10.1.2.3")}));
  EXPECT_TRUE(True("ipv4_is_private", {S("172.31.255.255")}));
  EXPECT_FALSE(True("ipv4_is_private", {S("172.32.0.1")}));
  EXPECT_TRUE(True("ipv4_is_private", {S("192.168.1.1/24")}));
  EXPECT_FALSE(True("ipv4_is_private", {S("8.8.8.8")}));
  EXPECT_TRUE(Call("ipv4_is_private", {S("fe80::1")}).is_null());
  EXPECT_TRUE(Call("ipv4_is_private", {S("")}).is_null());
  EXPECT_TRUE(True("ipv4_is_in_range", {S("192.168.1.6"), S("192.168.1.1/24")}));
  EXPECT_FALSE(True("ipv4_is_in_range", {S("192.168.2.6"), S("192.168.1.1/24")}));
  EXPECT_TRUE(True("ipv4_is_in_range", {S("10.0.0.1"), S("10.0.0.1")}));
  EXPECT_TRUE(Call("ipv4_is_in_range", {S("x"), S("10.0.0.0/8")}).is_null());
  EXPECT_TRUE(
      True("ipv4_is_in_any_range", {S("192.168.1.6"), S("10.0.0.0/8"), S("192.168.1.0/24")}));
  EXPECT_TRUE(True("ipv4_is_in_any_range",
                   {S("192.168.1.6"), *ParseJson(R"(["10.0.0.0/8","192.168.0.0/16"])")}));
  EXPECT_FALSE(True("ipv4_is_in_any_range", {S("8.8.8.8"), S("10.0.0.0/8")}));
}

TEST_F(IpFunctionsTest, CompareAndMatch) {
  EXPECT_EQ(Call("ipv4_compare", {S("127.0.0.1"), S("127.0.0.1")}).AsInt64(), 0);
  EXPECT_EQ(Call("ipv4_compare", {S("192.168.1.1"), S("192.168.1.255")}).AsInt64(), -1);
  EXPECT_EQ(Call("ipv4_compare", {S("192.168.1.1/24"), S("192.168.1.255/24")}).AsInt64(), 0);
  EXPECT_EQ(Call("ipv4_compare", {S("192.168.1.1"), S("192.168.1.255"), L(24)}).AsInt64(), 0);
  EXPECT_EQ(Call("ipv4_compare", {S("192.168.2.1"), S("192.168.1.255"), L(24)}).AsInt64(), 1);
  EXPECT_TRUE(True("ipv4_is_match", {S("192.168.1.1/24"), S("192.168.1.255/24")}));
  EXPECT_FALSE(True("ipv4_is_match", {S("192.168.1.1"), S("192.168.1.255")}));
  EXPECT_TRUE(True("ipv4_is_match", {S("192.168.1.1"), S("192.168.1.255"), L(24)}));
  EXPECT_TRUE(Call("ipv4_compare", {S("a"), S("1.1.1.1")}).is_null());
  EXPECT_EQ(Call("ipv6_compare", {S("::ffff:7f00:1"), S("127.0.0.1")}).AsInt64(), 0);
  EXPECT_EQ(Call("ipv6_compare", {S("fe80::85d:e82c:9446:7994"), S("fe80::85d:e82c:9446:7995")})
                .AsInt64(),
            -1);
  EXPECT_EQ(
      Call("ipv6_compare", {S("fe80::85d:e82c:9446:7994/127"), S("fe80::85d:e82c:9446:7995/127")})
          .AsInt64(),
      0);
  EXPECT_TRUE(True("ipv6_is_match",
                   {S("fe80::85d:e82c:9446:7994"), S("fe80::85d:e82c:9446:7995"), L(127)}));
  EXPECT_TRUE(True("ipv6_is_in_range", {S("fe80::85d:e82c:9446:7994"), S("fe80::/10")}));
  EXPECT_FALSE(True("ipv6_is_in_range", {S("2001:db8::1"), S("fe80::/10")}));
  EXPECT_TRUE(Call("ipv6_compare", {S("zz::1"), S("::1")}).is_null());
}

TEST_F(IpFunctionsTest, HasIpv4SearchesTerms) {
  EXPECT_TRUE(True("has_ipv4", {S("05:04:54 127.0.0.1 GET /favicon.ico 404"), S("127.0.0.1")}));
  EXPECT_FALSE(True("has_ipv4", {S("05:04:54 127.0.0.256 GET"), S("127.0.0.256")}));
  EXPECT_FALSE(True("has_ipv4", {S("05:04:54127.0.0.1 GET"), S("127.0.0.1")}));
  EXPECT_FALSE(True("has_ipv4", {S("x 127.0.0.12 y"), S("127.0.0.1")}));
  EXPECT_FALSE(True("has_ipv4", {S("x 1.127.0.0.1 y"), S("127.0.0.1")}));
  EXPECT_TRUE(True("has_ipv4", {S("from 10.0.0.1."), S("10.0.0.1")}));
  EXPECT_TRUE(True("has_ipv4", {S("ip=10.0.0.1,port=5"), S("10.0.0.1")}));
  EXPECT_TRUE(True("has_ipv4_prefix", {S("05:04:54 127.0.0.1 GET"), S("127.0.")}));
  EXPECT_FALSE(True("has_ipv4_prefix", {S("05:04:54 127.0.0.1 GET"), S("127.0")}));
  EXPECT_TRUE(True("has_ipv4_prefix", {S("05:04:54 127.0.0.1 GET"), S("127.0.0.1")}));
  EXPECT_TRUE(True("has_ipv4_prefix", {S("05:04:54 127.0.0.1 GET"), S("127.0.0.")}));
  EXPECT_FALSE(True("has_ipv4_prefix", {S("05:04:54 127.0.0.1 GET"), S("127.1")}));
  EXPECT_FALSE(True("has_ipv4_prefix", {S("05:04:54 127.0.0.1 GET"), S("12")}));
  EXPECT_TRUE(True("has_any_ipv4", {S("a 1.1.1.1 b"), S("2.2.2.2"), S("1.1.1.1")}));
  EXPECT_TRUE(True("has_any_ipv4", {S("a 1.1.1.1 b"), *ParseJson(R"(["1.1.1.1"])")}));
  EXPECT_FALSE(True("has_any_ipv4", {S("a 1.1.1.1 b"), S("2.2.2.2")}));
  EXPECT_TRUE(True("has_any_ipv4_prefix", {S("a 10.1.1.1 b"), S("192.168."), S("10.")}));
}

TEST_F(IpFunctionsTest, GeoInfoWithoutDatabaseIsNullWithWarning) {
  EXPECT_TRUE(Call("geo_info_from_ip_address", {S("20.53.203.50")}).is_null());
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_EQ(warnings_[0],
            "geo_info_from_ip_address: no GeoIP database configured (set VIGIL_GEOIP_DB); "
            "returning null");
  ctx_.geoip_db_path = "/nonexistent/vigil-test.mmdb";
  EXPECT_TRUE(Call("geo_info_from_ip_address", {S("20.53.203.50")}).is_null());
  EXPECT_EQ(warnings_.size(), 2u);
}

}  // namespace
}  // namespace vigil::kql

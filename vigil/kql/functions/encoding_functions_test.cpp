#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "vigil/kql/functions/registry.h"
#include "vigil/kql/value.h"

namespace vigil::kql {
namespace {

class EncodingFunctionsTest : public ::testing::Test {
 protected:
  EncodingFunctionsTest() { RegisterEncodingFunctions(registry_); }
  Value Call(std::string_view name, std::vector<Value> args) {
    const ScalarFunction* fn = registry_.FindScalar(name);
    EXPECT_NE(fn, nullptr) << name;
    FunctionContext ctx;
    return fn == nullptr ? Value() : fn->impl(args, ctx);
  }
  Registry registry_;
};

Value S(std::string v) { return Value::String(std::move(v)); }
Value L(int64_t v) { return Value::Long(v); }

TEST_F(EncodingFunctionsTest, Base64DocumentedExamples) {
  EXPECT_EQ(Call("base64_encode_tostring", {S("Kusto")}).AsString(), "S3VzdG8=");
  EXPECT_EQ(Call("base64_encodestring", {S("Kusto1")}).AsString(), "S3VzdG8x");
  EXPECT_EQ(Call("base64_encode_tostring", {S("Ku")}).AsString(), "S3U=");
  EXPECT_EQ(Call("base64_decode_tostring", {S("S3VzdG8=")}).AsString(), "Kusto");
  EXPECT_EQ(Call("base64_decodestring", {S("S3VzdG8x")}).AsString(), "Kusto1");
  EXPECT_EQ(Call("base64_decode_tostring", {S("S3VzdG8")}).AsString(), "");  // padding required
  EXPECT_EQ(Call("base64_decode_toarray", {S("S3VzdG8=")}).ToJson(), "[75,117,115,116,111]");
  EXPECT_EQ(Call("base64_encode_fromarray", {*ParseJson("[75,117,115,116,111]")}).AsString(),
            "S3VzdG8=");
}

TEST_F(EncodingFunctionsTest, Base64InvalidInput) {
  EXPECT_EQ(Call("base64_decode_tostring", {S("4oEj")}).AsString(), "");  // not UTF-8
  EXPECT_EQ(Call("base64_decode_tostring", {S("@@@")}).AsString(), "");
  EXPECT_EQ(Call("base64_decode_tostring", {S("S3V=zdG8")}).AsString(), "");
  EXPECT_TRUE(Call("base64_decode_toarray", {S("!")}).is_null());
  EXPECT_TRUE(Call("base64_encode_fromarray", {*ParseJson("[256]")}).is_null());
  EXPECT_TRUE(Call("base64_encode_fromarray", {S("x")}).is_null());
  EXPECT_EQ(Call("base64_decode_tostring", {Value()}).AsString(), "");
}

TEST_F(EncodingFunctionsTest, HashDocumentedExamples) {
  EXPECT_EQ(Call("hash", {S("World")}).AsInt64(), 1846988464401551951);
  EXPECT_EQ(Call("hash", {S("World"), L(100)}).AsInt64(), 51);
  EXPECT_EQ(Call("hash_xxhash64", {S("World")}).AsInt64(), 1846988464401551951);
  // datetime(2015-01-01): 1420070400 s after the Unix epoch.
  EXPECT_EQ(Call("hash", {Value::DateTime(int64_t{14200704000000000})}).AsInt64(),
            1380966698541616202);
  EXPECT_TRUE(Call("hash", {S("World"), L(0)}).is_null());
}

TEST_F(EncodingFunctionsTest, CryptographicHashes) {
  EXPECT_EQ(Call("hash_sha256", {S("World")}).AsString(),
            "78ae647dc5544d227130a0682a51e30bc7777fbb6d8a8f17007463a3ecd1d524");
  EXPECT_EQ(Call("hash_sha1", {S("World")}).AsString(), "70c07ec18ef89c5309bbb0937f3a6342411e1fdd");
  EXPECT_EQ(Call("hash_md5", {S("World")}).AsString(), "f5a7924e621e84c9280a9a27e1bcb7f6");
  EXPECT_EQ(Call("hash_md5", {S("")}).AsString(), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_TRUE(Call("hash_sha256", {Value()}).is_null());
}

}  // namespace
}  // namespace vigil::kql

// Unit tests of substitution value rendering (each EVTX value type as Windows prints it) and of
// the UTF-16 to UTF-8 conversion.
#include "vigil/ingest/evtx/evtx_value.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace vigil::ingest::evtx {
namespace {

std::string Render(ValueType type, std::vector<uint8_t> bytes, bool* ok = nullptr) {
  std::string out;
  const bool result = AppendValue(
      out, ValueRef{static_cast<uint8_t>(type), bytes.data(), static_cast<uint32_t>(bytes.size())});
  if (ok != nullptr) {
    *ok = result;
  }
  return out;
}

std::string RenderArray(ValueType type, std::vector<uint8_t> bytes) {
  std::string out;
  AppendValue(out, ValueRef{static_cast<uint8_t>(static_cast<uint8_t>(type) | kArrayFlag),
                            bytes.data(), static_cast<uint32_t>(bytes.size())});
  return out;
}

template <typename T>
std::vector<uint8_t> Bytes(T value) {
  std::vector<uint8_t> bytes(sizeof(T));
  std::memcpy(bytes.data(), &value, sizeof(T));
  return bytes;
}

std::vector<uint8_t> Utf16(std::u16string_view text) {
  std::vector<uint8_t> bytes;
  for (char16_t c : text) {
    bytes.push_back(static_cast<uint8_t>(c & 0xff));
    bytes.push_back(static_cast<uint8_t>(c >> 8));
  }
  return bytes;
}

std::string Utf8Of(std::u16string_view text) {
  const std::vector<uint8_t> bytes = Utf16(text);
  std::string out;
  AppendUtf16AsUtf8(out, bytes.data(), text.size());
  return out;
}

TEST(EvtxUtf16Test, ConvertsAsciiAndMultiByteCharacters) {
  EXPECT_EQ(Utf8Of(u"SYSTEM"), "SYSTEM");
  EXPECT_EQ(Utf8Of(u""), "");
  EXPECT_EQ(Utf8Of(u"for\u00eat"), "for\xc3\xaat");  // 2-byte sequence
  EXPECT_EQ(Utf8Of(u"\u20ac 5"), "\xe2\x82\xac 5");  // 3-byte sequence
  EXPECT_EQ(Utf8Of(u"a\U0001F600b"),
            "a\xf0\x9f\x98\x80"
            "b");  // surrogate pair
}

TEST(EvtxUtf16Test, UnpairedSurrogatesBecomeReplacementCharacter) {
  const char16_t lone_high[] = {u'x', static_cast<char16_t>(0xD800), u'y'};
  EXPECT_EQ(Utf8Of(std::u16string_view(lone_high, 3)), "x\xef\xbf\xbdy");
  const char16_t lone_low[] = {static_cast<char16_t>(0xDC00)};
  EXPECT_EQ(Utf8Of(std::u16string_view(lone_low, 1)), "\xef\xbf\xbd");
}

TEST(EvtxValueTest, RendersStrings) {
  EXPECT_EQ(Render(ValueType::kString, Utf16(u"NT AUTHORITY")), "NT AUTHORITY");
  // Trailing NUL terminators are not part of the value.
  EXPECT_EQ(Render(ValueType::kString, Utf16(std::u16string(u"abc\0\0", 5))), "abc");
  EXPECT_EQ(Render(ValueType::kAnsiString, {'c', 'm', 'd', 0}), "cmd");
  EXPECT_EQ(Render(ValueType::kAnsiString, {0xe9}), "\xc3\xa9");  // Latin-1 byte to UTF-8
  EXPECT_EQ(Render(ValueType::kNull, {}), "");
}

TEST(EvtxValueTest, RendersIntegers) {
  EXPECT_EQ(Render(ValueType::kInt8, Bytes<int8_t>(-5)), "-5");
  EXPECT_EQ(Render(ValueType::kUInt8, Bytes<uint8_t>(255)), "255");
  EXPECT_EQ(Render(ValueType::kInt16, Bytes<int16_t>(-300)), "-300");
  EXPECT_EQ(Render(ValueType::kUInt16, Bytes<uint16_t>(4624)), "4624");
  EXPECT_EQ(Render(ValueType::kInt32, Bytes<int32_t>(-70000)), "-70000");
  EXPECT_EQ(Render(ValueType::kUInt32, Bytes<uint32_t>(4294967295u)), "4294967295");
  EXPECT_EQ(Render(ValueType::kInt64, Bytes<int64_t>(INT64_MIN)), "-9223372036854775808");
  EXPECT_EQ(Render(ValueType::kUInt64, Bytes<uint64_t>(UINT64_MAX)), "18446744073709551615");
}

TEST(EvtxValueTest, RendersHexIntegersAndSizeTLikeWindows) {
  EXPECT_EQ(Render(ValueType::kHexInt32, Bytes<uint32_t>(0xC000006Du)), "0xc000006d");
  EXPECT_EQ(Render(ValueType::kHexInt32, Bytes<uint32_t>(0)), "0x0");
  EXPECT_EQ(Render(ValueType::kHexInt64, Bytes<uint64_t>(0x3e7)), "0x3e7");
  EXPECT_EQ(Render(ValueType::kHexInt64, Bytes<uint64_t>(0x8020000000000000ull)),
            "0x8020000000000000");
  EXPECT_EQ(Render(ValueType::kSizeT, Bytes<uint64_t>(0x24c)), "0x24c");
  EXPECT_EQ(Render(ValueType::kSizeT, Bytes<uint32_t>(0x10)), "0x10");
}

TEST(EvtxValueTest, RendersFloatsAndBools) {
  EXPECT_EQ(Render(ValueType::kFloat, Bytes<float>(1.5f)), "1.5");
  EXPECT_EQ(Render(ValueType::kDouble, Bytes<double>(-2.25)), "-2.25");
  EXPECT_EQ(Render(ValueType::kBool, Bytes<uint32_t>(0)), "false");
  EXPECT_EQ(Render(ValueType::kBool, Bytes<uint32_t>(1)), "true");
  // Irregular booleans (any non-zero value) are true.
  EXPECT_EQ(Render(ValueType::kBool, Bytes<uint32_t>(0x100)), "true");
  EXPECT_EQ(Render(ValueType::kBool, Bytes<uint32_t>(0xffffffffu)), "true");
}

TEST(EvtxValueTest, RendersBinaryAndGuid) {
  EXPECT_EQ(Render(ValueType::kBinary, {0x0a, 0xbc, 0xff, 0x00}), "0ABCFF00");
  const std::vector<uint8_t> guid = {0x25, 0x96, 0x84, 0x54, 0x78, 0x54, 0x94, 0x49,
                                     0xa5, 0xba, 0x3e, 0x3b, 0x03, 0x28, 0xc3, 0x0d};
  EXPECT_EQ(Render(ValueType::kGuid, guid), "{54849625-5478-4994-A5BA-3E3B0328C30D}");
  bool ok = true;
  Render(ValueType::kGuid, {1, 2, 3}, &ok);
  EXPECT_FALSE(ok);
}

TEST(EvtxValueTest, RendersTimes) {
  // 2016-07-08T18:12:51.6816408Z as FILETIME.
  EXPECT_EQ(Render(ValueType::kFileTime, Bytes<uint64_t>(131124751716816408ull)),
            "2016-07-08T18:12:51.6816408Z");
  // SYSTEMTIME: year, month, day of week, day, hour, minute, second, milliseconds.
  std::vector<uint8_t> st;
  for (uint16_t part : {2019, 3, 5, 8, 23, 23, 5, 42}) {
    st.push_back(static_cast<uint8_t>(part & 0xff));
    st.push_back(static_cast<uint8_t>(part >> 8));
  }
  EXPECT_EQ(Render(ValueType::kSystemTime, st), "2019-03-08T23:23:05.042Z");
}

TEST(EvtxValueTest, RendersSids) {
  EXPECT_EQ(Render(ValueType::kSid, {1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0}), "S-1-5-18");
  EXPECT_EQ(Render(ValueType::kSid, {1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 2, 0, 0}),
            "S-1-5-32-544");
  EXPECT_EQ(Render(ValueType::kSid, {1, 0, 0, 0, 0, 0, 0, 0}), "S-1-0");
  bool ok = true;
  Render(ValueType::kSid, {1, 3, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0}, &ok);  // claims 3 sub-authorities
  EXPECT_FALSE(ok);
}

TEST(EvtxValueTest, SplitsAndJoinsArrays) {
  std::vector<ValueRef> items;
  const std::vector<uint8_t> strings = Utf16(std::u16string(u"a\0bc\0\0d", 7));
  ASSERT_TRUE(SplitArray(
      ValueRef{static_cast<uint8_t>(0x81), strings.data(), static_cast<uint32_t>(strings.size())},
      items));
  ASSERT_EQ(items.size(), 4u);
  std::string second;
  AppendValue(second, items[1]);
  EXPECT_EQ(second, "bc");
  EXPECT_EQ(items[2].size, 0u);  // empty string between two terminators

  std::vector<uint8_t> numbers;
  for (uint16_t n : {1, 2, 300}) {
    numbers.push_back(static_cast<uint8_t>(n & 0xff));
    numbers.push_back(static_cast<uint8_t>(n >> 8));
  }
  EXPECT_EQ(RenderArray(ValueType::kUInt16, numbers), "1, 2, 300");
  EXPECT_EQ(RenderArray(ValueType::kSid,
                        {1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 5, 19, 0, 0, 0}),
            "S-1-5-18, S-1-5-19");
  // A fixed-size array whose size is not a multiple of the item size is malformed.
  EXPECT_FALSE(SplitArray(ValueRef{static_cast<uint8_t>(0x88), numbers.data(), 5}, items));
}

TEST(EvtxValueTest, ValueAsIntReadsIntegerTypesOnly) {
  int64_t n = 0;
  const auto u16 = Bytes<uint16_t>(4624);
  EXPECT_TRUE(ValueAsInt(ValueRef{0x06, u16.data(), 2}, n));
  EXPECT_EQ(n, 4624);
  const auto i8 = Bytes<int8_t>(-1);
  EXPECT_TRUE(ValueAsInt(ValueRef{0x03, i8.data(), 1}, n));
  EXPECT_EQ(n, -1);
  EXPECT_FALSE(ValueAsInt(ValueRef{0x06, u16.data(), 1}, n));  // wrong size
  const auto text = Utf16(u"12");
  EXPECT_FALSE(ValueAsInt(ValueRef{0x01, text.data(), 4}, n));  // strings are not integers
}

}  // namespace
}  // namespace vigil::ingest::evtx

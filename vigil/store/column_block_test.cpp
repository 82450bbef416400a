#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>
#include <vector>

#include "vigil/store/internal/encoding.h"
#include "vigil/store/internal/segment.h"

namespace vigil::store::internal {
namespace {

using schema::ColumnData;
using schema::ColumnType;

ColumnData StringColumn(const std::vector<std::optional<std::string>>& values,
                        ColumnType type = ColumnType::kString) {
  ColumnData col;
  col.type = type;
  for (const auto& value : values) {
    col.valid.push_back(value.has_value() ? 1 : 0);
    if (value.has_value()) {
      col.bytes += *value;
    }
    col.offsets.push_back(static_cast<uint32_t>(col.bytes.size()));
  }
  return col;
}

// Encodes all rows as one block, decodes it and checks every cell; returns the raw block.
std::string RoundTrip(const std::vector<std::optional<std::string>>& values,
                      ColumnType type = ColumnType::kString) {
  const ColumnData col = StringColumn(values, type);
  BlockColumnMeta meta;
  std::string raw = EncodeColumnBlock(col, 0, values.size(), meta);
  ColumnVector out;
  const Status status = DecodeColumnBlock(raw, type, values.size(), out);
  EXPECT_TRUE(status.ok()) << status.ToString();
  if (!status.ok()) {
    return raw;
  }
  size_t nulls = 0;
  for (size_t r = 0; r < values.size(); ++r) {
    if (values[r].has_value()) {
      EXPECT_FALSE(out.IsNull(r)) << r;
      EXPECT_EQ(out.GetString(r), *values[r]) << r;
    } else {
      ++nulls;
      EXPECT_TRUE(out.IsNull(r)) << r;
    }
  }
  EXPECT_EQ(meta.null_count, nulls);
  return raw;
}

std::string RandomHex(std::mt19937& rng, size_t length, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string text;
  for (size_t i = 0; i < length; ++i) {
    text.push_back(digits[rng() % 16]);
  }
  return text;
}

TEST(StoreColumnBlockTest, LowerCaseHexIsPackedToHalfSize) {
  std::mt19937 rng(1);
  std::vector<std::optional<std::string>> values;
  size_t text_bytes = 0;
  for (int i = 0; i < 500; ++i) {
    values.push_back(RandomHex(rng, 64, false));
    text_bytes += 64;
  }
  const std::string raw = RoundTrip(values);
  EXPECT_LT(raw.size(), text_bytes / 2 + values.size() * 2);
}

TEST(StoreColumnBlockTest, UpperCaseHexWithNullsEmptyAndRepeatsRoundTrips) {
  std::mt19937 rng(2);
  std::vector<std::optional<std::string>> values;
  for (int i = 0; i < 300; ++i) {
    if (i % 7 == 0) {
      values.emplace_back(std::nullopt);
    } else if (i % 11 == 0) {
      values.emplace_back("");
    } else if (i % 5 == 0) {
      values.emplace_back("00FF");  // repeated: dictionary with codes
    } else {
      values.push_back(RandomHex(rng, 2 * (1 + rng() % 20), true));
    }
  }
  const std::string raw = RoundTrip(values);
  size_t text_bytes = 0;
  for (const auto& value : values) {
    text_bytes += value ? value->size() : 0;
  }
  EXPECT_LT(raw.size(), text_bytes * 3 / 4);
}

TEST(StoreColumnBlockTest, DigitOnlyHexKeepsItsText) {
  RoundTrip({"0123", "4567", std::nullopt, "89"});
  RoundTrip({"0123", "abcd", "99"});
  RoundTrip({"0123", "ABCD", "99"});
}

TEST(StoreColumnBlockTest, MixedCaseAndNonHexFallBackToText) {
  // One block mixes lower- and upper-case hex: must keep each value's case.
  RoundTrip({"abcdef", "ABCDEF", "00"});
  // A single value with mixed case.
  RoundTrip({"aBcD", "0011"});
  // Odd length, non-hex letters, separators, non-ASCII.
  RoundTrip({"abc", "0011"});
  RoundTrip({"0011", "xyz0"});
  RoundTrip({"5f3c2a10-1111-2222-3333-444455556666"}, ColumnType::kGuid);
  RoundTrip({"00\xc3\xa9", "0a0b"});
  RoundTrip({"", "", std::nullopt});
}

TEST(StoreColumnBlockTest, DistinctAndRepeatedValuesRoundTrip) {
  std::vector<std::optional<std::string>> distinct;
  std::vector<std::optional<std::string>> repeated;
  for (int i = 0; i < 1000; ++i) {
    distinct.emplace_back("C:\\path\\file" + std::to_string(i) + ".exe");
    repeated.emplace_back(i % 3 == 0 ? std::optional<std::string>()
                                     : "value" + std::to_string(i % 4));
  }
  RoundTrip(distinct);
  RoundTrip(repeated);
}

TEST(StoreColumnBlockTest, AllNullBlocksAreOneByte) {
  for (ColumnType type :
       {ColumnType::kString, ColumnType::kLong, ColumnType::kReal, ColumnType::kDynamic}) {
    ColumnData col;
    col.type = type;
    col.valid.assign(100, 0);
    col.ints.assign(100, 0);
    col.reals.assign(100, 0.0);
    col.offsets.assign(101, 0);
    BlockColumnMeta meta;
    const std::string raw = EncodeColumnBlock(col, 0, 100, meta);
    EXPECT_EQ(raw.size(), 1u);
    EXPECT_EQ(meta.null_count, 100u);
    EXPECT_FALSE(meta.has_min_max);
    EXPECT_TRUE(meta.bloom.empty());
    ColumnVector out;
    ASSERT_TRUE(DecodeColumnBlock(raw, type, 100, out).ok());
    for (size_t r = 0; r < 100; ++r) {
      EXPECT_TRUE(out.IsNull(r));
    }
  }
}

TEST(StoreColumnBlockTest, BloomHoldsEveryTermOfTheBlock) {
  const std::vector<std::optional<std::string>> values = {"C:\\Windows\\PowerShell.EXE -enc ABC",
                                                          "D52039DE8D0EA181", std::nullopt,
                                                          "cmd.exe /c whoami"};
  const ColumnData col = StringColumn(values);
  BlockColumnMeta meta;
  (void)EncodeColumnBlock(col, 0, values.size(), meta);
  ASSERT_FALSE(meta.bloom.empty());
  const TermBloom bloom = TermBloom::FromBytes(meta.bloom);
  for (const char* term :
       {"windows", "powershell", "exe", "enc", "abc", "d52039de8d0ea181", "cmd", "c", "whoami"}) {
    EXPECT_TRUE(bloom.MayContainTerm(term)) << term;
  }
}

TEST(StoreColumnBlockTest, SubRangesEncodeOnlyTheirRows) {
  const std::vector<std::optional<std::string>> values = {"aa", "bb", std::nullopt, "cc", "dd"};
  const ColumnData col = StringColumn(values);
  BlockColumnMeta meta;
  const std::string raw = EncodeColumnBlock(col, 1, 4, meta);
  ColumnVector out;
  ASSERT_TRUE(DecodeColumnBlock(raw, ColumnType::kString, 3, out).ok());
  EXPECT_EQ(out.GetString(0), "bb");
  EXPECT_TRUE(out.IsNull(1));
  EXPECT_EQ(out.GetString(2), "cc");
  EXPECT_EQ(meta.null_count, 1u);
}

TEST(StoreStringDictionaryTest, AssignsDenseCodesInFirstSeenOrder) {
  StringDictionary dict;
  std::vector<std::string> storage;
  for (int i = 0; i < 5000; ++i) {
    storage.push_back("value-" + std::to_string(i));
  }
  // Insert each value three times, interleaved, across several table growths.
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 5000; ++i) {
      EXPECT_EQ(dict.Insert(storage[i]), static_cast<uint32_t>(i));
    }
  }
  ASSERT_EQ(dict.size(), 5000u);
  for (int i = 0; i < 5000; ++i) {
    EXPECT_EQ(dict.values()[i], storage[i]);
  }
  EXPECT_EQ(dict.Insert(""), 5000u);
  EXPECT_EQ(dict.Insert(""), 5000u);
  dict.Clear();
  EXPECT_EQ(dict.size(), 0u);
  EXPECT_EQ(dict.Insert("value-42"), 0u);
  EXPECT_EQ(dict.Insert("value-7"), 1u);
  EXPECT_EQ(dict.Insert("value-42"), 0u);
}

TEST(StoreStringDictionaryTest, ValuesDifferingInOneByteStayDistinct) {
  StringDictionary dict;
  const std::vector<std::string> values = {
      "a", "b", "ab", "ba", std::string("a\0", 2), std::string("\0a", 2), "A", ""};
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(dict.Insert(values[i]), i);
  }
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(dict.Insert(values[i]), i);
  }
  EXPECT_EQ(dict.size(), values.size());
}

TEST(StoreHexTest, PackAndUnpackRoundTrip) {
  std::string packed;
  PackHex("00ff10Ab", packed);
  EXPECT_EQ(packed, std::string("\x00\xff\x10\xab", 4));
  std::string text;
  UnpackHex(packed, false, text);
  EXPECT_EQ(text, "00ff10ab");
  text.clear();
  UnpackHex(packed, true, text);
  EXPECT_EQ(text, "00FF10AB");
  EXPECT_EQ(HexCaseOf({"00ff", "12"}), 1);
  EXPECT_EQ(HexCaseOf({"00FF", "12"}), 2);
  EXPECT_EQ(HexCaseOf({"0012"}), 1);
  EXPECT_EQ(HexCaseOf({"00ff", "AB"}), 0);
  EXPECT_EQ(HexCaseOf({"0g"}), 0);
  EXPECT_EQ(HexCaseOf({"012"}), 0);
}

}  // namespace
}  // namespace vigil::store::internal

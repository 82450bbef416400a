#include "vigil/store/internal/encoding.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace vigil::store::internal {
namespace {

std::vector<int64_t> RoundTripInts(const std::vector<int64_t>& values, size_t* encoded_size) {
  ByteWriter out;
  EncodeInts(values, out);
  *encoded_size = out.size();
  std::string bytes = out.Release();
  ByteReader in(bytes);
  std::vector<int64_t> decoded;
  EXPECT_TRUE(DecodeInts(in, values.size(), decoded));
  EXPECT_TRUE(in.at_end());
  return decoded;
}

TEST(StoreEncodingTest, IntsRoundTripExtremes) {
  const std::vector<int64_t> values = {INT64_MIN, INT64_MAX, 0, -1, 1, INT64_MIN, 42};
  size_t size = 0;
  EXPECT_EQ(RoundTripInts(values, &size), values);
}

TEST(StoreEncodingTest, SortedTimesUseFewBitsPerValue) {
  std::vector<int64_t> times;
  for (int i = 0; i < 10000; ++i) {
    times.push_back(638'000'000'000'000'000 + i * 10'000'000LL + (i % 7));
  }
  size_t size = 0;
  EXPECT_EQ(RoundTripInts(times, &size), times);
  // Deltas are ~1e7 (24 bits) instead of 64-bit raw values.
  EXPECT_LT(size, times.size() * 4);
}

TEST(StoreEncodingTest, RandomIntsRoundTrip) {
  std::mt19937_64 rng(7);
  for (int width : {0, 1, 7, 33, 63, 64}) {
    std::vector<int64_t> values;
    for (int i = 0; i < 1000; ++i) {
      const uint64_t mask = width == 64 ? ~0ULL : ((1ULL << width) - 1);
      values.push_back(static_cast<int64_t>(rng() & mask));
    }
    size_t size = 0;
    EXPECT_EQ(RoundTripInts(values, &size), values) << "width " << width;
  }
}

TEST(StoreEncodingTest, DecodeRejectsTruncatedInput) {
  ByteWriter out;
  EncodeInts({1, 1000, 5, 99999}, out);
  std::string bytes = out.Release();
  bytes.resize(bytes.size() - 1);
  ByteReader in(bytes);
  std::vector<int64_t> decoded;
  EXPECT_FALSE(DecodeInts(in, 4, decoded));
}

TEST(StoreEncodingTest, CompressionRoundTrips) {
  std::string raw;
  for (int i = 0; i < 1000; ++i) {
    raw += "C:\\Windows\\System32\\svchost.exe -k netsvcs ";
  }
  for (Codec codec : {Codec::kZstd, Codec::kLz4}) {
    std::string stored;
    EXPECT_EQ(Compress(codec, raw, 3, stored), codec);
    EXPECT_LT(stored.size(), raw.size() / 10);
    std::string back;
    ASSERT_TRUE(Decompress(codec, stored, raw.size(), back).ok());
    EXPECT_EQ(back, raw);
    EXPECT_FALSE(Decompress(codec, stored.substr(0, stored.size() / 2), raw.size(), back).ok());
  }
}

TEST(StoreEncodingTest, TermsAreLowerCasedAlphanumericRuns) {
  std::vector<std::string> terms;
  ForEachTerm("C:\\Windows\\PowerShell.EXE -enc ABC",
              [&](std::string_view term) { terms.emplace_back(term); });
  EXPECT_EQ(terms, (std::vector<std::string>{"c", "windows", "powershell", "exe", "enc", "abc"}));
}

TEST(StoreEncodingTest, BloomHasNoFalseNegativesAndFewFalsePositives) {
  TermBloom bloom(500);
  for (int i = 0; i < 500; ++i) {
    bloom.AddTerm("term" + std::to_string(i));
  }
  for (int i = 0; i < 500; ++i) {
    EXPECT_TRUE(bloom.MayContainTerm("term" + std::to_string(i)));
  }
  int false_positives = 0;
  for (int i = 0; i < 10000; ++i) {
    false_positives += bloom.MayContainTerm("other" + std::to_string(i)) ? 1 : 0;
  }
  EXPECT_LT(false_positives, 500);  // ~1-2% expected at 10 bits per term
  EXPECT_TRUE(TermBloom().MayContainTerm("anything"));
}

}  // namespace
}  // namespace vigil::store::internal

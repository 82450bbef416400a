#include "vigil/kql/functions/substring_search.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace vigil::kql {
namespace {

constexpr size_t kNpos = std::string_view::npos;

char FoldByte(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c; }

size_t Naive(std::string_view h, std::string_view needle, size_t from, bool fold) {
  if (from > h.size()) {
    return kNpos;
  }
  for (size_t i = from; i + needle.size() <= h.size(); ++i) {
    size_t k = 0;
    while (k < needle.size() && (fold ? FoldByte(h[i + k]) : h[i + k]) == needle[k]) {
      ++k;
    }
    if (k == needle.size()) {
      return i;
    }
  }
  return kNpos;
}

// Haystacks of every length around the 16-, 32- and 64-byte steps (the last block overlaps
// the one before it), needles of 1-40 bytes, start offsets anywhere, and bytes that fold onto
// letters under `| 0x20` ('@' '[' '`' '{') or are not ASCII.
TEST(SubstringSearchTest, EveryKernelAgreesWithAPlainSearch) {
  const std::string alphabet = "mMiIkK@[`{zZaA09-\xc3\xa9";
  const bool avx2 = internal::CpuHasAvx2();
  std::mt19937 rng(5);
  for (int trial = 0; trial < 40000; ++trial) {
    const size_t len = rng() % 200;
    std::string haystack;
    for (size_t i = 0; i < len; ++i) {
      haystack += alphabet[rng() % alphabet.size()];
    }
    std::string needle;
    const size_t n = 1 + rng() % 40;
    if (len > 0 && rng() % 2 == 0) {  // often a piece of the haystack, so there are matches
      needle = haystack.substr(rng() % len, n);
    } else {
      for (size_t i = 0; i < n; ++i) {
        needle += alphabet[rng() % alphabet.size()];
      }
    }
    const bool fold = rng() % 2 == 0;
    if (fold) {
      for (char& c : needle) {
        c = FoldByte(c);
      }
    }
    const size_t from = rng() % 4 == 0 ? rng() % (len + 2) : 0;
    const size_t want = Naive(haystack, needle, from, fold);
    SCOPED_TRACE(haystack + " / " + needle + " from " + std::to_string(from) +
                 (fold ? " folded" : " exact"));
    ASSERT_EQ(internal::FindScalar(haystack, needle, from, fold), want);
    ASSERT_EQ(internal::FindSse2(haystack, needle, from, fold), want);
    if (avx2) {
      ASSERT_EQ(internal::FindAvx2(haystack, needle, from, fold), want);
    }
    ASSERT_EQ(fold ? FindFolded(haystack, needle, from) : FindExact(haystack, needle, from),
              want);
  }
}

TEST(SubstringSearchTest, EdgeCases) {
  EXPECT_EQ(FindFolded("abc", "", 0), 0u);
  EXPECT_EQ(FindFolded("abc", "", 3), 3u);
  EXPECT_EQ(FindFolded("abc", "", 4), kNpos);
  EXPECT_EQ(FindExact("", "a", 0), kNpos);
  EXPECT_EQ(FindExact("ab", "abc", 0), kNpos);
  EXPECT_EQ(FindExact("abcabc", "abc", 1), 3u);
  EXPECT_EQ(FindExact("abcABC", "ABC", 0), 3u);
  EXPECT_EQ(FindFolded("abcABC", "abc", 1), 3u);
  // A long haystack with the only match in its last bytes and one that straddles two steps.
  std::string long_text(1000, 'x');
  long_text += "MimiKatz";
  EXPECT_EQ(FindFolded(long_text, "mimikatz", 0), 1000u);
  EXPECT_EQ(FindExact(long_text, "mimikatz", 0), kNpos);
  std::string straddle(61, '.');
  straddle += "MIMIKATZ";
  straddle += std::string(100, '.');
  EXPECT_EQ(FindFolded(straddle, "mimikatz", 0), 61u);
  EXPECT_EQ(FindFolded(straddle, "mimikatz", 62), kNpos);
  // '@' and '`' are not the case pair of anything: the fold applies to letters only.
  EXPECT_EQ(FindFolded(std::string(40, '@') + "`", "`", 0), 40u);
  const std::string_view kernel = SubstringSearchKernel();
  EXPECT_TRUE(kernel == "avx2" || kernel == "sse2" || kernel == "scalar") << kernel;
}

TEST(SubstringSearchTest, ShortHaystacks) {
  EXPECT_EQ(FindFolded("Hello", "hello", 0), 0u);
  EXPECT_EQ(FindFolded("Hello", "llo", 0), 2u);
  EXPECT_EQ(FindFolded("Hello", "x", 0), std::string_view::npos);
  EXPECT_EQ(FindFolded("", "x", 0), std::string_view::npos);
  EXPECT_EQ(FindFolded("abc", "", 0), 0u);
  EXPECT_EQ(FindFolded("ab", "abc", 0), std::string_view::npos);
}

TEST(SubstringSearchTest, MatchesAtEveryOffsetOfLongHaystacks) {
  // Walks the needle across the vector/scalar boundary and block edges.
  for (size_t len = 1; len <= 70; ++len) {
    for (const std::string needle : {"a", "ab", "abc", "mimikatz", "x-y_z://q"}) {
      if (needle.size() > len) {
        continue;
      }
      for (size_t pos = 0; pos + needle.size() <= len; ++pos) {
        std::string hay(len, '.');
        std::string upper = needle;
        for (char& c : upper) {
          if (c >= 'a' && c <= 'z') {
            c = static_cast<char>(c - 32);
          }
        }
        hay.replace(pos, needle.size(), pos % 2 == 0 ? upper : needle);
        ASSERT_EQ(FindFolded(hay, needle, 0), pos) << "len=" << len << " needle=" << needle;
      }
      const std::string miss(len, '.');
      ASSERT_EQ(FindFolded(miss, needle, 0), std::string_view::npos);
    }
  }
}

TEST(SubstringSearchTest, FirstAndLastByteMatchButMiddleDiffers) {
  std::string hay(100, 'z');
  hay.replace(10, 4, "mXXz");
  hay.replace(60, 4, "MaBZ");
  EXPECT_EQ(FindFolded(hay, "mabz", 0), 60u);
  EXPECT_EQ(FindFolded(hay, "mabq", 0), std::string_view::npos);
}

TEST(SubstringSearchTest, FirstOccurrenceWins) {
  const std::string hay = "0123456789abcdefABCdef0123456789abc";
  EXPECT_EQ(FindFolded(hay, "abc", 0), 10u);
  EXPECT_EQ(FindFolded(hay, "cdefabc", 0), 12u);
}

TEST(SubstringSearchTest, NonAsciiBytes) {
  const std::string hay = std::string(40, 'a') + "\xc3\xa9t\xc3\xa9";
  EXPECT_EQ(FindFolded(hay, "\xc3\xa9t", 0), 40u);
  EXPECT_EQ(FindFolded(hay, "\xc3\x89t", 0), std::string_view::npos);
}

}  // namespace
}  // namespace vigil::kql

// Kusto string operators (has, contains, startswith, ... and their _cs forms) over raw bytes.
#include "vigil/kql/functions/string_ops.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace vigil::kql {

namespace {

inline unsigned char LowerAscii(unsigned char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<unsigned char>(c | 0x20) : c;
}

// True when `text` equals `lower` ignoring ASCII case; `lower` is already lower-case.
inline bool EqualsLowerCi(const char* text, const char* lower, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (LowerAscii(static_cast<unsigned char>(text[i])) != static_cast<unsigned char>(lower[i])) {
      return false;
    }
  }
  return true;
}

std::string ToLowerAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = static_cast<char>(LowerAscii(static_cast<unsigned char>(c)));
  }
  return out;
}

size_t FindCaseInsensitiveScalar(std::string_view haystack, std::string_view needle_lower,
                                 size_t from) {
  const size_t n = needle_lower.size();
  const auto first = static_cast<unsigned char>(needle_lower[0]);
  for (size_t i = from; i + n <= haystack.size(); ++i) {
    if (LowerAscii(static_cast<unsigned char>(haystack[i])) == first &&
        EqualsLowerCi(haystack.data() + i + 1, needle_lower.data() + 1, n - 1)) {
      return i;
    }
  }
  return std::string_view::npos;
}

// Searches from offset `from`; the building block of FindCaseInsensitive and of the term
// operators, which need every occurrence.
size_t FindCi(std::string_view haystack, std::string_view needle_lower, size_t from) {
  const size_t n = needle_lower.size();
  if (n == 0) {
    return from <= haystack.size() ? from : std::string_view::npos;
  }
  if (from > haystack.size() || haystack.size() - from < n) {
    return std::string_view::npos;
  }
#if defined(__SSE2__)
  // Compare 16 candidate start positions at once: the first needle byte against the block at
  // i and the last needle byte against the block at i + n - 1. A letter matches both cases as
  // one compare: x | 0x20 equals a lower-case letter only for that letter's two cases. Only
  // positions where both bytes match are verified byte by byte.
  auto fold_of = [](unsigned char c) {
    return _mm_set1_epi8(static_cast<char>(c >= 'a' && c <= 'z' ? 0x20 : 0));
  };
  const auto first = static_cast<unsigned char>(needle_lower[0]);
  const auto last = static_cast<unsigned char>(needle_lower[n - 1]);
  const __m128i first_byte = _mm_set1_epi8(static_cast<char>(first));
  const __m128i last_byte = _mm_set1_epi8(static_cast<char>(last));
  const __m128i first_fold = fold_of(first);
  const __m128i last_fold = fold_of(last);
  const char* data = haystack.data();
  size_t i = from;
  // Block loads read data[i .. i+15] and data[i+n-1 .. i+n+14]: both must be in range, so
  // the last block starts at size - n - 15 (overlapping the one before: its positions were
  // rejected there already, and matches are returned in order).
  if (haystack.size() - from >= n + 15) {
    const size_t last_start = haystack.size() - n - 15;
    while (true) {
      const __m128i block_first = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
      const __m128i block_last =
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i + n - 1));
      const __m128i eq_first = _mm_cmpeq_epi8(_mm_or_si128(block_first, first_fold), first_byte);
      const __m128i eq_last = _mm_cmpeq_epi8(_mm_or_si128(block_last, last_fold), last_byte);
      auto mask = static_cast<uint32_t>(_mm_movemask_epi8(_mm_and_si128(eq_first, eq_last)));
      while (mask != 0) {
        const auto bit = static_cast<size_t>(__builtin_ctz(mask));
        if (n <= 2 || EqualsLowerCi(data + i + bit + 1, needle_lower.data() + 1, n - 2)) {
          return i + bit;
        }
        mask &= mask - 1;
      }
      if (i == last_start) {
        return std::string_view::npos;
      }
      i = std::min(i + 16, last_start);
    }
  }
  return FindCaseInsensitiveScalar(haystack, needle_lower, i);
#else
  return FindCaseInsensitiveScalar(haystack, needle_lower, from);
#endif
}

size_t FindCs(std::string_view haystack, std::string_view needle, size_t from) {
  if (from > haystack.size()) {
    return std::string_view::npos;
  }
  return haystack.find(needle, from);
}

bool IsCaseSensitive(StringOp op) {
  switch (op) {
    case StringOp::kEquals:
    case StringOp::kHasCs:
    case StringOp::kHasPrefixCs:
    case StringOp::kHasSuffixCs:
    case StringOp::kContainsCs:
    case StringOp::kStartsWithCs:
    case StringOp::kEndsWithCs:
      return true;
    default:
      return false;
  }
}

// Term search: an occurrence of the needle counts when it has a term boundary on the
// requested sides. A boundary is only needed where the needle's own edge byte is a term byte
// (a needle such as "-enc" already starts at a boundary).
bool TermSearch(std::string_view haystack, std::string_view needle, bool case_sensitive,
                bool need_left, bool need_right) {
  const size_t n = needle.size();
  if (n == 0) {
    return true;
  }
  const bool check_left = need_left && IsTermByte(static_cast<unsigned char>(needle.front()));
  const bool check_right = need_right && IsTermByte(static_cast<unsigned char>(needle.back()));
  size_t from = 0;
  while (true) {
    const size_t pos =
        case_sensitive ? FindCs(haystack, needle, from) : FindCi(haystack, needle, from);
    if (pos == std::string_view::npos) {
      return false;
    }
    const bool left_ok =
        !check_left || pos == 0 || !IsTermByte(static_cast<unsigned char>(haystack[pos - 1]));
    const bool right_ok = !check_right || pos + n == haystack.size() ||
                          !IsTermByte(static_cast<unsigned char>(haystack[pos + n]));
    if (left_ok && right_ok) {
      return true;
    }
    from = pos + 1;
  }
}

struct OpName {
  std::string_view text;
  StringOp op;
  bool negated;
};

constexpr std::array<OpName, 31> kOpNames = {{
    {"==", StringOp::kEquals, false},
    {"!=", StringOp::kEquals, true},
    {"=~", StringOp::kEqualsCi, false},
    {"!~", StringOp::kEqualsCi, true},
    {"has", StringOp::kHas, false},
    {"!has", StringOp::kHas, true},
    {"has_cs", StringOp::kHasCs, false},
    {"!has_cs", StringOp::kHasCs, true},
    {"hasprefix", StringOp::kHasPrefix, false},
    {"!hasprefix", StringOp::kHasPrefix, true},
    {"hasprefix_cs", StringOp::kHasPrefixCs, false},
    {"!hasprefix_cs", StringOp::kHasPrefixCs, true},
    {"hassuffix", StringOp::kHasSuffix, false},
    {"!hassuffix", StringOp::kHasSuffix, true},
    {"hassuffix_cs", StringOp::kHasSuffixCs, false},
    {"!hassuffix_cs", StringOp::kHasSuffixCs, true},
    {"contains", StringOp::kContains, false},
    {"!contains", StringOp::kContains, true},
    {"contains_cs", StringOp::kContainsCs, false},
    {"!contains_cs", StringOp::kContainsCs, true},
    // Deprecated spellings still accepted by Kusto.
    {"notcontains", StringOp::kContains, true},
    {"containscs", StringOp::kContainsCs, false},
    {"notcontainscs", StringOp::kContainsCs, true},
    {"startswith", StringOp::kStartsWith, false},
    {"!startswith", StringOp::kStartsWith, true},
    {"startswith_cs", StringOp::kStartsWithCs, false},
    {"!startswith_cs", StringOp::kStartsWithCs, true},
    {"endswith", StringOp::kEndsWith, false},
    {"!endswith", StringOp::kEndsWith, true},
    {"endswith_cs", StringOp::kEndsWithCs, false},
    {"!endswith_cs", StringOp::kEndsWithCs, true},
}};

}  // namespace

std::optional<StringOp> ParseStringOp(std::string_view text, bool* negated) {
  for (const auto& entry : kOpNames) {
    if (entry.text == text) {
      if (negated != nullptr) {
        *negated = entry.negated;
      }
      return entry.op;
    }
  }
  return std::nullopt;
}

size_t FindCaseInsensitive(std::string_view haystack, std::string_view needle_lower) {
  return FindCi(haystack, needle_lower, 0);
}

StringMatcher::StringMatcher(StringOp op, std::string needle)
    : op_(op), needle_(std::move(needle)), needle_lower_(ToLowerAscii(needle_)) {
  for (const char c : needle_) {
    if (!IsTermByte(static_cast<unsigned char>(c))) {
      needle_is_term_ = false;
      break;
    }
  }
}

bool StringMatcher::Match(std::string_view haystack) const {
  const bool cs = IsCaseSensitive(op_);
  const std::string& needle = cs ? needle_ : needle_lower_;
  const size_t n = needle.size();
  switch (op_) {
    case StringOp::kEquals:
      return haystack == needle_;
    case StringOp::kEqualsCi:
      return haystack.size() == n && EqualsLowerCi(haystack.data(), needle.data(), n);
    case StringOp::kContains:
      return FindCi(haystack, needle, 0) != std::string_view::npos;
    case StringOp::kContainsCs:
      return haystack.find(needle) != std::string_view::npos;
    case StringOp::kStartsWith:
      return haystack.size() >= n && EqualsLowerCi(haystack.data(), needle.data(), n);
    case StringOp::kStartsWithCs:
      return haystack.size() >= n && std::memcmp(haystack.data(), needle.data(), n) == 0;
    case StringOp::kEndsWith:
      return haystack.size() >= n &&
             EqualsLowerCi(haystack.data() + haystack.size() - n, needle.data(), n);
    case StringOp::kEndsWithCs:
      return haystack.size() >= n &&
             std::memcmp(haystack.data() + haystack.size() - n, needle.data(), n) == 0;
    case StringOp::kHas:
    case StringOp::kHasCs:
      if (needle_is_term_ && haystack.size() == n) {
        // Common dictionary case: the whole value is the term.
        return cs ? haystack == needle : EqualsLowerCi(haystack.data(), needle.data(), n);
      }
      return TermSearch(haystack, needle, cs, true, true);
    case StringOp::kHasPrefix:
    case StringOp::kHasPrefixCs:
      return TermSearch(haystack, needle, cs, true, false);
    case StringOp::kHasSuffix:
    case StringOp::kHasSuffixCs:
      return TermSearch(haystack, needle, cs, false, true);
  }
  return false;
}

}  // namespace vigil::kql

// Substring search kernels: scalar, SSE2 (16 positions per step) and AVX2 (32 per step,
// chosen at run time). See substring_search.h.
#include "vigil/kql/functions/substring_search.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define VIGIL_X86_KERNELS 1
#include <immintrin.h>
#endif

namespace vigil::kql {

namespace {

constexpr size_t kNpos = std::string_view::npos;

inline unsigned char Fold(unsigned char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<unsigned char>(c | 0x20) : c;
}

// True when the n bytes at `text` equal `needle` (folded when kFold).
template <bool kFold>
inline bool SameBytes(const char* text, const char* needle, size_t n) {
  if constexpr (kFold) {
    for (size_t i = 0; i < n; ++i) {
      if (Fold(static_cast<unsigned char>(text[i])) != static_cast<unsigned char>(needle[i])) {
        return false;
      }
    }
    return true;
  } else {
    return std::memcmp(text, needle, n) == 0;
  }
}

// Common entry checks; true when the kernel has nothing to search (result in *out).
inline bool Trivial(std::string_view haystack, std::string_view needle, size_t from,
                    size_t* out) {
  if (needle.empty()) {
    *out = from <= haystack.size() ? from : kNpos;
    return true;
  }
  if (from > haystack.size() || haystack.size() - from < needle.size()) {
    *out = kNpos;
    return true;
  }
  return false;
}

template <bool kFold>
size_t ScalarFrom(std::string_view haystack, std::string_view needle, size_t from) {
  const size_t n = needle.size();
  const auto first = static_cast<unsigned char>(needle[0]);
  for (size_t i = from; i + n <= haystack.size(); ++i) {
    const auto c = static_cast<unsigned char>(haystack[i]);
    if ((kFold ? Fold(c) : c) == first && SameBytes<kFold>(haystack.data() + i + 1,
                                                           needle.data() + 1, n - 1)) {
      return i;
    }
  }
  return kNpos;
}

#if defined(VIGIL_X86_KERNELS)

// The fold mask of a needle byte: 0x20 for a lower-case letter (x | 0x20 then equals it only
// for that letter's two cases), 0 for any other byte (compared exactly).
inline char FoldMask(unsigned char c, bool fold) {
  return static_cast<char>(fold && c >= 'a' && c <= 'z' ? 0x20 : 0);
}

// The first candidate of `mask` (bit k: a start at block + k whose first and last bytes match)
// whose middle bytes match too, as an offset from `block`; npos when none does.
template <bool kFold, typename Mask>
inline size_t FirstVerified(Mask mask, const char* block, std::string_view needle) {
  const size_t n = needle.size();
  while (mask != 0) {
    const auto bit = static_cast<size_t>(std::countr_zero(mask));
    if (n <= 2 || SameBytes<kFold>(block + bit + 1, needle.data() + 1, n - 2)) {
      return bit;
    }
    mask &= mask - 1;
  }
  return kNpos;
}

// The first and last needle bytes are compared against two loads 16 (32) positions wide: the
// block at i and the block at i + n - 1. Both loads must stay inside the haystack, so the last
// block starts at size - n - (width - 1) and may overlap the one before it (positions there
// were rejected already, and matches come out in order). Shorter rests go to the narrower
// kernel.
template <bool kFold>
size_t Sse2From(std::string_view haystack, std::string_view needle, size_t from) {
  const size_t n = needle.size();
  if (haystack.size() - from < n + 15) {
    return ScalarFrom<kFold>(haystack, needle, from);
  }
  const auto first = static_cast<unsigned char>(needle[0]);
  const auto last = static_cast<unsigned char>(needle[n - 1]);
  const __m128i first_byte = _mm_set1_epi8(static_cast<char>(first));
  const __m128i last_byte = _mm_set1_epi8(static_cast<char>(last));
  const __m128i first_fold = _mm_set1_epi8(FoldMask(first, kFold));
  const __m128i last_fold = _mm_set1_epi8(FoldMask(last, kFold));
  const char* data = haystack.data();
  const size_t last_start = haystack.size() - n - 15;
  size_t i = from;
  while (true) {
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i + n - 1));
    const __m128i eq_first = _mm_cmpeq_epi8(_mm_or_si128(a, first_fold), first_byte);
    const __m128i eq_last = _mm_cmpeq_epi8(_mm_or_si128(b, last_fold), last_byte);
    const auto mask = static_cast<uint32_t>(_mm_movemask_epi8(_mm_and_si128(eq_first, eq_last)));
    if (const size_t hit = FirstVerified<kFold>(mask, data + i, needle); hit != kNpos) {
      return i + hit;
    }
    if (i == last_start) {
      return kNpos;
    }
    i = std::min(i + 16, last_start);
  }
}

template <bool kFold>
__attribute__((target("avx2"))) size_t Avx2From(std::string_view haystack,
                                                std::string_view needle, size_t from) {
  const size_t n = needle.size();
  if (haystack.size() - from < n + 31) {
    return Sse2From<kFold>(haystack, needle, from);
  }
  const auto first = static_cast<unsigned char>(needle[0]);
  const auto last = static_cast<unsigned char>(needle[n - 1]);
  const __m256i first_byte = _mm256_set1_epi8(static_cast<char>(first));
  const __m256i last_byte = _mm256_set1_epi8(static_cast<char>(last));
  const __m256i first_fold = _mm256_set1_epi8(FoldMask(first, kFold));
  const __m256i last_fold = _mm256_set1_epi8(FoldMask(last, kFold));
  const char* data = haystack.data();
  const size_t last_start = haystack.size() - n - 31;
  size_t i = from;
  // Two blocks per step while there is room: one test of the combined mask for 64 positions.
  while (i + 32 <= last_start) {
    const __m256i a0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(data + i));
    const __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(data + i + n - 1));
    const __m256i a1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(data + i + 32));
    const __m256i b1 =
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(data + i + 32 + n - 1));
    const __m256i m0 =
        _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_or_si256(a0, first_fold), first_byte),
                         _mm256_cmpeq_epi8(_mm256_or_si256(b0, last_fold), last_byte));
    const __m256i m1 =
        _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_or_si256(a1, first_fold), first_byte),
                         _mm256_cmpeq_epi8(_mm256_or_si256(b1, last_fold), last_byte));
    const uint64_t mask =
        static_cast<uint32_t>(_mm256_movemask_epi8(m0)) |
        (static_cast<uint64_t>(static_cast<uint32_t>(_mm256_movemask_epi8(m1))) << 32);
    if (const size_t hit = FirstVerified<kFold>(mask, data + i, needle); hit != kNpos) {
      return i + hit;
    }
    i += 64;
  }
  while (true) {
    i = std::min(i, last_start);
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(data + i));
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(data + i + n - 1));
    const __m256i m =
        _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_or_si256(a, first_fold), first_byte),
                         _mm256_cmpeq_epi8(_mm256_or_si256(b, last_fold), last_byte));
    const auto mask = static_cast<uint32_t>(_mm256_movemask_epi8(m));
    if (const size_t hit = FirstVerified<kFold>(mask, data + i, needle); hit != kNpos) {
      return i + hit;
    }
    if (i == last_start) {
      return kNpos;
    }
    i += 32;
  }
}

#endif  // VIGIL_X86_KERNELS

enum class Kernel { kScalar, kSse2, kAvx2 };

// The widest kernel the CPU runs, unless VIGIL_SUBSTRING_KERNEL names a narrower one ("sse2"
// or "scalar"; for measuring the kernels against each other).
Kernel ChosenKernel() {
  static const Kernel kernel = [] {
    const char* forced = std::getenv("VIGIL_SUBSTRING_KERNEL");
    const std::string_view want = forced != nullptr ? forced : "";
    if (want == "scalar") {
      return Kernel::kScalar;
    }
#if defined(VIGIL_X86_KERNELS)
    if (want == "sse2" || !internal::CpuHasAvx2()) {
      return Kernel::kSse2;
    }
    return Kernel::kAvx2;
#else
    return Kernel::kScalar;
#endif
  }();
  return kernel;
}

template <bool kFold>
size_t Dispatch(std::string_view haystack, std::string_view needle, size_t from) {
  size_t out = kNpos;
  if (Trivial(haystack, needle, from, &out)) {
    return out;
  }
#if defined(VIGIL_X86_KERNELS)
  switch (ChosenKernel()) {
    case Kernel::kAvx2:
      return Avx2From<kFold>(haystack, needle, from);
    case Kernel::kSse2:
      return Sse2From<kFold>(haystack, needle, from);
    case Kernel::kScalar:
      break;
  }
#endif
  return ScalarFrom<kFold>(haystack, needle, from);
}

}  // namespace

size_t FindFolded(std::string_view haystack, std::string_view needle_lower, size_t from) {
  return Dispatch<true>(haystack, needle_lower, from);
}

size_t FindExact(std::string_view haystack, std::string_view needle, size_t from) {
  return Dispatch<false>(haystack, needle, from);
}

std::string_view SubstringSearchKernel() {
  switch (ChosenKernel()) {
    case Kernel::kAvx2:
      return "avx2";
    case Kernel::kSse2:
      return "sse2";
    case Kernel::kScalar:
      break;
  }
  return "scalar";
}

namespace internal {

bool CpuHasAvx2() {
#if defined(VIGIL_X86_KERNELS)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") != 0;
#else
  return false;
#endif
}

size_t FindScalar(std::string_view haystack, std::string_view needle, size_t from, bool fold) {
  size_t out = kNpos;
  if (Trivial(haystack, needle, from, &out)) {
    return out;
  }
  return fold ? ScalarFrom<true>(haystack, needle, from)
              : ScalarFrom<false>(haystack, needle, from);
}

size_t FindSse2(std::string_view haystack, std::string_view needle, size_t from, bool fold) {
  size_t out = kNpos;
  if (Trivial(haystack, needle, from, &out)) {
    return out;
  }
#if defined(VIGIL_X86_KERNELS)
  return fold ? Sse2From<true>(haystack, needle, from) : Sse2From<false>(haystack, needle, from);
#else
  return fold ? ScalarFrom<true>(haystack, needle, from)
              : ScalarFrom<false>(haystack, needle, from);
#endif
}

size_t FindAvx2(std::string_view haystack, std::string_view needle, size_t from, bool fold) {
  size_t out = kNpos;
  if (Trivial(haystack, needle, from, &out)) {
    return out;
  }
#if defined(VIGIL_X86_KERNELS)
  return fold ? Avx2From<true>(haystack, needle, from) : Avx2From<false>(haystack, needle, from);
#else
  return fold ? ScalarFrom<true>(haystack, needle, from)
              : ScalarFrom<false>(haystack, needle, from);
#endif
}

}  // namespace internal

}  // namespace vigil::kql

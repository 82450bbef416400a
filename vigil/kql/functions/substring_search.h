// Substring search kernels under the string operators: find a needle in a haystack, either
// exactly or with ASCII letters folded (a needle letter matches both of its cases). Both filter
// candidate start positions many at a time (the needle's first byte at i and its last byte at
// i + n - 1, 16 or 32 positions per compare) and verify only the positions where both agree,
// so a rare needle is found at close to memory speed. The 32-wide AVX2 kernel is chosen at run
// time when the CPU has it; the 16-wide SSE2 kernel runs everywhere else on x86-64
// (VIGIL_SUBSTRING_KERNEL=sse2 or =scalar forces a narrower kernel, to compare them).
#pragma once

#include <cstddef>
#include <string_view>

namespace vigil::kql {

// Offset of the first occurrence of `needle_lower` in `haystack` at or after `from`, ASCII
// letters compared without case (UTF-8 bytes as is); npos when there is none. The needle must
// already be lower-case. An empty needle is found at `from` (when from <= size).
size_t FindFolded(std::string_view haystack, std::string_view needle_lower, size_t from);

// The same with every byte compared exactly.
size_t FindExact(std::string_view haystack, std::string_view needle, size_t from);

// The kernel the searches use on this CPU: "avx2", "sse2" or "scalar".
std::string_view SubstringSearchKernel();

namespace internal {
// Each kernel on its own, for tests that compare them with a plain search whatever CPU runs
// them. The AVX2 ones may only be called when CpuHasAvx2() is true.
bool CpuHasAvx2();
size_t FindScalar(std::string_view haystack, std::string_view needle, size_t from, bool fold);
size_t FindSse2(std::string_view haystack, std::string_view needle, size_t from, bool fold);
size_t FindAvx2(std::string_view haystack, std::string_view needle, size_t from, bool fold);
}  // namespace internal

}  // namespace vigil::kql

// H3 index layer: digit helpers, validity, tokens and the parent/children hierarchy, all pure
// bit manipulation of the 64-bit index. See geo_h3_grid.h and geo_h3_index.h.
#include "vigil/kql/functions/geo_h3_index.h"

#include <algorithm>

#include "vigil/kql/functions/geo_h3_tables.h"

namespace vigil::kql::geo::h3 {
namespace internal {

Index SetDigit(Index h, int res, int digit) {
  const int shift = (kMaxResolution - res) * 3;
  return (h & ~(Index{7} << shift)) | (static_cast<Index>(digit) << shift);
}

int LeadingDigit(Index h) {
  for (int r = 1; r <= Resolution(h); ++r) {
    if (DigitOf(h, r) != kCenter) {
      return DigitOf(h, r);
    }
  }
  return kCenter;
}

namespace {

int RotateDigitCcw(int d) {
  static constexpr int kMap[8] = {kCenter, kIK, kJK, kK, kIJ, kI, kJ, kNoDigit};
  return kMap[d];
}
int RotateDigitCw(int d) {
  static constexpr int kMap[8] = {kCenter, kJK, kIJ, kJ, kIK, kK, kI, kNoDigit};
  return kMap[d];
}

}  // namespace

Index RotateCcw(Index h) {
  for (int r = 1; r <= Resolution(h); ++r) {
    h = SetDigit(h, r, RotateDigitCcw(DigitOf(h, r)));
  }
  return h;
}
Index RotateCw(Index h) {
  for (int r = 1; r <= Resolution(h); ++r) {
    h = SetDigit(h, r, RotateDigitCw(DigitOf(h, r)));
  }
  return h;
}

// Rotation of a pentagon's digits: the K sub-sequence is deleted, so a leading K is skipped
// with one more rotation.
Index RotatePentCcw(Index h) {
  bool found_first = false;
  for (int r = 1; r <= Resolution(h); ++r) {
    h = SetDigit(h, r, RotateDigitCcw(DigitOf(h, r)));
    if (!found_first && DigitOf(h, r) != kCenter) {
      found_first = true;
      if (LeadingDigit(h) == kK) {
        h = RotateCcw(h);
      }
    }
  }
  return h;
}

}  // namespace internal

using internal::kBaseCells;
using internal::kBaseCellShift;
using internal::kCenter;
using internal::kK;
using internal::kModeShift;
using internal::kNoDigit;
using internal::kNumBaseCells;
using internal::kResShift;
using internal::LeadingDigit;
using internal::SetDigit;

int Resolution(Index h) { return static_cast<int>((h >> kResShift) & 0xF); }
int BaseCellOf(Index h) { return static_cast<int>((h >> kBaseCellShift) & 0x7F); }
int DigitOf(Index h, int res) {
  return static_cast<int>((h >> ((kMaxResolution - res) * 3)) & 7);
}

bool IsValidCell(Index h) {
  if ((h >> 63) != 0 || ((h >> kModeShift) & 0xF) != 1 || ((h >> 56) & 7) != 0) {
    return false;
  }
  const int base_cell = BaseCellOf(h);
  if (base_cell >= kNumBaseCells) {
    return false;
  }
  const int res = Resolution(h);
  for (int r = 1; r <= kMaxResolution; ++r) {
    const int d = DigitOf(h, r);
    if ((r <= res) == (d == kNoDigit)) {
      return false;
    }
  }
  return !(kBaseCells[base_cell].pentagon && LeadingDigit(h) == kK);
}

bool IsPentagon(Index h) {
  return kBaseCells[BaseCellOf(h)].pentagon && LeadingDigit(h) == kCenter;
}

std::optional<Index> ParseCell(std::string_view token) {
  if (token.empty() || token.size() > 16) {
    return std::nullopt;
  }
  Index h = 0;
  for (char ch : token) {
    int v;
    if (ch >= '0' && ch <= '9') {
      v = ch - '0';
    } else if (ch >= 'a' && ch <= 'f') {
      v = ch - 'a' + 10;
    } else if (ch >= 'A' && ch <= 'F') {
      v = ch - 'A' + 10;
    } else {
      return std::nullopt;
    }
    h = (h << 4) | static_cast<Index>(v);
  }
  if (!IsValidCell(h)) {
    return std::nullopt;
  }
  return h;
}

std::string FormatCell(Index h) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  do {
    out.push_back(kHex[h & 0xF]);
    h >>= 4;
  } while (h != 0);
  std::reverse(out.begin(), out.end());
  return out;
}

Index CellToParent(Index h, int res) {
  const int own = Resolution(h);
  if (res < 0 || res > own) {
    return 0;
  }
  Index p = (h & ~(Index{0xF} << kResShift)) | (static_cast<Index>(res) << kResShift);
  for (int r = res + 1; r <= own; ++r) {
    p = SetDigit(p, r, kNoDigit);
  }
  return p;
}

std::vector<Index> CellToChildren(Index h, int res) {
  const int own = Resolution(h);
  std::vector<Index> out;
  if (res < own || res > kMaxResolution) {
    return out;
  }
  const Index start = (h & ~(Index{0xF} << kResShift)) | (static_cast<Index>(res) << kResShift);
  out.push_back(start);
  for (int r = own + 1; r <= res; ++r) {
    std::vector<Index> next;
    next.reserve(out.size() * 7);
    for (Index c : out) {
      const bool pent = IsPentagon(CellToParent(c, r - 1));
      for (int d = kCenter; d < kNoDigit; ++d) {
        if (pent && d == kK) {
          continue;  // the deleted sub-sequence of a pentagon
        }
        next.push_back(SetDigit(c, r, d));
      }
    }
    out = std::move(next);
  }
  return out;
}
}  // namespace vigil::kql::geo::h3

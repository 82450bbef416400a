// Bit-level helpers of the H3 index (digits, rotations of a digit sequence), shared by
// geo_h3_index.cpp (validation, hierarchy, tokens) and geo_h3_grid.cpp (point <-> cell).
// Internal to the H3 implementation; pure functions, thread-safe.
#pragma once

#include "vigil/kql/functions/geo_h3_grid.h"

namespace vigil::kql::geo::h3::internal {

// Digits: 0 centre, then the unit IJK directions K, J, JK, I, IK, IJ; 7 = unused.
enum Digit : int { kCenter = 0, kK = 1, kJ = 2, kJK = 3, kI = 4, kIK = 5, kIJ = 6, kNoDigit = 7 };

inline constexpr int kModeShift = 59;
inline constexpr int kResShift = 52;
inline constexpr int kBaseCellShift = 45;
inline constexpr Index kInit = 0x00001fffffffffffULL;  // every digit 7

Index SetDigit(Index h, int res, int digit);
// First non-centre digit, or kCenter.
int LeadingDigit(Index h);
// Every digit turned 60 degrees counter-clockwise / clockwise.
Index RotateCcw(Index h);
Index RotateCw(Index h);
// Counter-clockwise rotation of a pentagon's digits (skips the deleted K sub-sequence).
Index RotatePentCcw(Index h);

}  // namespace vigil::kql::geo::h3::internal

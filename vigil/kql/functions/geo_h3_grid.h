// Our own implementation of the Uber H3 hexagonal grid (index layout, point -> cell, cell ->
// centre/boundary, hierarchy, neighbours) for the KQL geo_*h3* functions and plugins. Written
// from the public H3 specification because Debian 12 packages no H3 library; see
// docs/adr/0005-h3-cells.md. Pure functions on values, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::kql::geo::h3 {

using Index = uint64_t;  // 0 is never a valid cell

inline constexpr int kMaxResolution = 15;

struct LatLng {
  double lat = 0;  // radians
  double lng = 0;  // radians, in [-pi, pi]
};

// Index layout helpers (no validation).
int Resolution(Index h);
int BaseCellOf(Index h);
int DigitOf(Index h, int res);

// True for a well-formed cell index (mode 1, known base cell, digits consistent with the
// resolution, no deleted pentagon sub-sequence).
bool IsValidCell(Index h);
bool IsPentagon(Index h);

// Parses the 15-ish hex digit token Kusto uses (case-insensitive); nullopt unless a valid cell.
std::optional<Index> ParseCell(std::string_view token);
std::string FormatCell(Index h);  // lower-case hex without leading zeros

// Cell containing the point at `res` (0..15); 0 when the input is out of range or not finite.
Index LatLngToCell(LatLng g, int res);
LatLng CellToLatLng(Index h);
// Boundary vertices counter-clockwise (5-10 of them: extra ones where an edge crosses an
// icosahedron edge). Not closed.
std::vector<LatLng> CellToBoundary(Index h);

// Ancestor at `res` (<= the cell's resolution); 0 when res is out of range.
Index CellToParent(Index h, int res);
// All descendants at `res` (>= the cell's resolution), in index order.
std::vector<Index> CellToChildren(Index h, int res);
// geo_h3_cover.cpp: the cells sharing an edge with h (6, or 5 around a pentagon) in H3's
// ring order (counter-clockwise, starting after the origin's i-axis neighbour).
std::vector<Index> Neighbors(Index h);
// The same cells in no particular order (cheaper: for flood fills).
std::vector<Index> UnorderedNeighbors(Index h);
// Rings 0..k around h (ring 0 is {h}); each ring in the same order as Neighbors. Empty when
// the rings would hold more than max_cells cells.
std::vector<std::vector<Index>> Rings(Index h, int k, size_t max_cells);

}  // namespace vigil::kql::geo::h3

// H3 neighbourhoods built on the grid primitives: edge neighbours and k-rings, in the order H3's
// ring walk produces them. Used by the geo_h3cell_neighbors/rings KQL functions and by
// polygon -> cells. Pure functions, thread-safe.
#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "vigil/kql/functions/geo_h3_grid.h"

namespace vigil::kql::geo::h3 {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int kDigitI = 4;

struct Vec3 {
  double x, y, z;
};
Vec3 ToVec3(LatLng g) {
  const double r = std::cos(g.lat);
  return {std::cos(g.lng) * r, std::sin(g.lng) * r, std::sin(g.lat)};
}

double Azimuth(LatLng a, LatLng b) {
  return std::atan2(std::cos(b.lat) * std::sin(b.lng - a.lng),
                    std::cos(a.lat) * std::sin(b.lat) -
                        std::sin(a.lat) * std::cos(b.lat) * std::cos(b.lng - a.lng));
}

// Counter-clockwise angle in [0, 2pi) from azimuth `ref` to azimuth `az` (azimuths turn
// clockwise).
double CcwAngle(double ref, double az) {
  double a = std::fmod(ref - az, 2 * kPi);
  return a < 0 ? a + 2 * kPi : a;
}

}  // namespace

// Each neighbour's centre is the mirror image of ours across the midpoint of a shared edge, and
// the cell holding that point is the neighbour (cells are far larger than the projection's
// distortion across one edge).
std::vector<Index> UnorderedNeighbors(Index h) {
  const int res = Resolution(h);
  const std::vector<LatLng> ring = CellToBoundary(h);
  const Vec3 c = ToVec3(CellToLatLng(h));
  std::vector<Index> out;
  for (size_t i = 0; i < ring.size(); ++i) {
    const Vec3 a = ToVec3(ring[i]);
    const Vec3 b = ToVec3(ring[(i + 1) % ring.size()]);
    Vec3 m{a.x + b.x, a.y + b.y, a.z + b.z};
    const double len = std::sqrt(m.x * m.x + m.y * m.y + m.z * m.z);
    if (len < 1e-15) {
      continue;
    }
    m = {m.x / len, m.y / len, m.z / len};
    const double dot = c.x * m.x + c.y * m.y + c.z * m.z;
    const Vec3 p{2 * dot * m.x - c.x, 2 * dot * m.y - c.y, 2 * dot * m.z - c.z};
    const LatLng g{std::asin(std::clamp(p.z, -1.0, 1.0)), std::atan2(p.y, p.x)};
    const Index n = LatLngToCell(g, res);
    if (n != 0 && n != h && std::find(out.begin(), out.end(), n) == out.end()) {
      out.push_back(n);
    }
  }
  return out;
}

namespace {

// Azimuth of the origin's i axis, snapped to the neighbour on it: the direction to its
// digit-I child at the next resolution (turned ~19 degrees off the axis), or at resolution 15
// the direction from its parent to the parent's digit-I child (exactly on the axis).
double IAxisAzimuth(Index h, LatLng center, const std::vector<Index>& neighbors) {
  const int res = Resolution(h);
  double child_az;
  if (res < kMaxResolution) {
    const std::vector<Index> kids = CellToChildren(h, res + 1);
    Index i_child = 0;
    for (Index k : kids) {
      if (DigitOf(k, res + 1) == kDigitI) {
        i_child = k;
      }
    }
    if (i_child == 0) {
      return 0;
    }
    child_az = Azimuth(center, CellToLatLng(i_child));
  } else {
    // The parent's digit-I child lies along this resolution's i axis.
    const Index parent = CellToParent(h, res - 1);
    Index i_child = 0;
    for (Index k : CellToChildren(parent, res)) {
      if (DigitOf(k, res) == kDigitI) {
        i_child = k;
      }
    }
    child_az = Azimuth(CellToLatLng(parent), CellToLatLng(i_child));
  }
  // The child axis is turned about 19 degrees off the neighbour axis; snap to the nearest
  // neighbour.
  double best = 10;
  double ref = child_az;
  for (Index n : neighbors) {
    const double az = Azimuth(center, CellToLatLng(n));
    double d = std::fabs(CcwAngle(child_az, az));
    d = std::min(d, 2 * kPi - d);
    if (d < best) {
      best = d;
      ref = az;
    }
  }
  return ref;
}

// Orders one ring the way H3 walks it: counter-clockwise, starting just after the cell on the
// i axis, which comes last.
void OrderRing(std::vector<Index>& cells, LatLng center, double ref, int k) {
  const double wrap = kPi / 6 / k;  // half the angular step between ring cells
  std::vector<std::pair<double, Index>> keyed;
  keyed.reserve(cells.size());
  for (Index c : cells) {
    double a = CcwAngle(ref, Azimuth(center, CellToLatLng(c)));
    if (a < wrap || a > 2 * kPi - wrap) {
      a += 2 * kPi;
      if (a > 4 * kPi - wrap) {
        a -= 2 * kPi;
      }
    }
    keyed.emplace_back(a, c);
  }
  std::sort(keyed.begin(), keyed.end());
  for (size_t i = 0; i < keyed.size(); ++i) {
    cells[i] = keyed[i].second;
  }
}

}  // namespace

std::vector<Index> Neighbors(Index h) {
  std::vector<Index> out = UnorderedNeighbors(h);
  const LatLng center = CellToLatLng(h);
  OrderRing(out, center, IAxisAzimuth(h, center, out), 1);
  return out;
}

std::vector<std::vector<Index>> Rings(Index h, int k, size_t max_cells) {
  std::vector<std::vector<Index>> rings{{h}};
  std::unordered_set<Index> seen{h};
  size_t total = 1;
  for (int r = 1; r <= k; ++r) {
    std::vector<Index> next;
    for (Index c : rings.back()) {
      for (Index n : UnorderedNeighbors(c)) {
        if (seen.insert(n).second) {
          next.push_back(n);
        }
      }
    }
    total += next.size();
    if (total > max_cells) {
      return {};
    }
    rings.push_back(std::move(next));
  }
  if (k >= 1) {
    const LatLng center = CellToLatLng(h);
    const double ref = IAxisAzimuth(h, center, rings[1]);
    for (int r = 1; r <= k; ++r) {
      OrderRing(rings[static_cast<size_t>(r)], center, ref, r);
    }
  }
  return rings;
}

}  // namespace vigil::kql::geo::h3

// H3 grid maths: index bits, face-centred IJK hex coordinates, gnomonic projection of each
// icosahedron face, aperture-7 hierarchy and the res-0 base cell lookups. Follows the H3
// specification (h3geo.org); see geo_h3_grid.h and docs/adr/0005-h3-cells.md.
#include "vigil/kql/functions/geo_h3_grid.h"

#include <algorithm>
#include <cfloat>
#include <cmath>

#include "vigil/kql/functions/geo_h3_index.h"
#include "vigil/kql/functions/geo_h3_tables.h"

namespace vigil::kql::geo::h3 {
namespace {

using internal::kBaseCells;
using internal::kFaceAxesAz;
using internal::kFaceCenterGeo;
using internal::kFaceIjkBaseCells;
using internal::kFaceNeighbors;
using internal::kNumBaseCells;
using internal::kNumFaces;

constexpr double kPi = 3.14159265358979323846;
constexpr double kTwoPi = 2 * kPi;
constexpr double kEpsilon = 1e-16;
constexpr double kSqrt7 = 2.6457513110645905905016157536392604257102;
constexpr double kSin60 = 0.8660254037844386467637231707529361834714;
// Rotation between Class II and Class III grids: asin(sqrt(3/28)).
constexpr double kAp7RotRads = 0.333473172251832115336090755351601070065900389;
// Res-0 hex edge length in the gnomonic plane of a face of the unit sphere.
constexpr double kRes0UGnomonic = 0.38196601125010500003;

// Class II maximum coordinate sum on a face, and unit translation scale, by resolution.
constexpr int kMaxDimByRes[] = {2,  -1, 14,     -1, 98,     -1, 686,     -1, 4802,
                                -1, 33614, -1, 235298, -1, 1647086, -1, 11529602};
constexpr int kUnitScaleByRes[] = {1,  -1, 7,      -1, 49,     -1, 343,    -1, 2401,
                                   -1, 16807, -1, 117649, -1, 823543, -1, 5764801};

using internal::kBaseCellShift;
using internal::kCenter;
using internal::kI;
using internal::kIK;
using internal::kInit;
using internal::kK;
using internal::kModeShift;
using internal::kNoDigit;
using internal::kResShift;
using internal::LeadingDigit;
using internal::RotateCcw;
using internal::RotateCw;
using internal::RotatePentCcw;
using internal::SetDigit;

struct Ijk {
  int i = 0;
  int j = 0;
  int k = 0;
  bool operator==(const Ijk&) const = default;
};
struct FaceIjk {
  int face = 0;
  Ijk c;
};
struct Vec2 {
  double x = 0;
  double y = 0;
};

constexpr Ijk kUnitVecs[7] = {{0, 0, 0}, {0, 0, 1}, {0, 1, 0}, {0, 1, 1},
                              {1, 0, 0}, {1, 0, 1}, {1, 1, 0}};

bool ClassIII(int res) { return res % 2 == 1; }

void Normalize(Ijk& c) {
  if (c.i < 0) {
    c.j -= c.i;
    c.k -= c.i;
    c.i = 0;
  }
  if (c.j < 0) {
    c.i -= c.j;
    c.k -= c.j;
    c.j = 0;
  }
  if (c.k < 0) {
    c.i -= c.k;
    c.j -= c.k;
    c.k = 0;
  }
  const int m = std::min({c.i, c.j, c.k});
  c.i -= m;
  c.j -= m;
  c.k -= m;
}

Ijk Add(Ijk a, Ijk b) { return {a.i + b.i, a.j + b.j, a.k + b.k}; }
Ijk Sub(Ijk a, Ijk b) { return {a.i - b.i, a.j - b.j, a.k - b.k}; }

// c.i * iv + c.j * jv + c.k * kv, normalised: a change of basis.
void Transform(Ijk& c, Ijk iv, Ijk jv, Ijk kv) {
  Ijk r{c.i * iv.i + c.j * jv.i + c.k * kv.i, c.i * iv.j + c.j * jv.j + c.k * kv.j,
        c.i * iv.k + c.j * jv.k + c.k * kv.k};
  Normalize(r);
  c = r;
}

void DownAp7(Ijk& c) { Transform(c, {3, 0, 1}, {1, 3, 0}, {0, 1, 3}); }
void DownAp7r(Ijk& c) { Transform(c, {3, 1, 0}, {0, 3, 1}, {1, 0, 3}); }
void DownAp3(Ijk& c) { Transform(c, {2, 0, 1}, {1, 2, 0}, {0, 1, 2}); }
void DownAp3r(Ijk& c) { Transform(c, {2, 1, 0}, {0, 2, 1}, {1, 0, 2}); }
void Rotate60Ccw(Ijk& c) { Transform(c, {1, 1, 0}, {0, 1, 1}, {1, 0, 1}); }

void UpAp7(Ijk& c) {
  const int i = c.i - c.k;
  const int j = c.j - c.k;
  c = {static_cast<int>(std::lround((3 * i - j) / 7.0)),
       static_cast<int>(std::lround((i + 2 * j) / 7.0)), 0};
  Normalize(c);
}

void UpAp7r(Ijk& c) {
  const int i = c.i - c.k;
  const int j = c.j - c.k;
  c = {static_cast<int>(std::lround((2 * i + j) / 7.0)),
       static_cast<int>(std::lround((3 * j - i) / 7.0)), 0};
  Normalize(c);
}

int UnitToDigit(Ijk c) {
  Normalize(c);
  for (int d = kCenter; d < kNoDigit; ++d) {
    if (kUnitVecs[d] == c) {
      return d;
    }
  }
  return kNoDigit;
}

void Step(Ijk& c, int digit) {
  if (digit > kCenter && digit < kNoDigit) {
    c = Add(c, kUnitVecs[digit]);
    Normalize(c);
  }
}

Vec2 ToHex2d(Ijk c) {
  const int i = c.i - c.k;
  const int j = c.j - c.k;
  return {i - 0.5 * j, j * kSin60};
}

// The hex (in the same grid) containing a point of the 2D hex plane.
Ijk FromHex2d(Vec2 v) {
  Ijk h;
  const double a1 = std::fabs(v.x);
  const double a2 = std::fabs(v.y);
  const double x2 = a2 / kSin60;
  const double x1 = a1 + x2 / 2.0;
  const int m1 = static_cast<int>(x1);
  const int m2 = static_cast<int>(x2);
  const double r1 = x1 - m1;
  const double r2 = x2 - m2;
  if (r1 < 0.5) {
    if (r1 < 1.0 / 3.0) {
      h.i = m1;
      h.j = r2 < (1.0 + r1) / 2.0 ? m2 : m2 + 1;
    } else {
      h.j = r2 < 1.0 - r1 ? m2 : m2 + 1;
      h.i = (1.0 - r1 <= r2 && r2 < 2.0 * r1) ? m1 + 1 : m1;
    }
  } else {
    if (r1 < 2.0 / 3.0) {
      h.j = r2 < 1.0 - r1 ? m2 : m2 + 1;
      h.i = (2.0 * r1 - 1.0 < r2 && r2 < 1.0 - r1) ? m1 : m1 + 1;
    } else {
      h.i = m1 + 1;
      h.j = r2 < r1 / 2.0 ? m2 : m2 + 1;
    }
  }
  // Fold back across the axes for the other quadrants.
  if (v.x < 0.0) {
    if (h.j % 2 == 0) {
      const int axis_i = h.j / 2;
      h.i -= 2 * (h.i - axis_i);
    } else {
      const int axis_i = (h.j + 1) / 2;
      h.i -= 2 * (h.i - axis_i) + 1;
    }
  }
  if (v.y < 0.0) {
    h.i -= (2 * h.j + 1) / 2;
    h.j = -h.j;
  }
  Normalize(h);
  return h;
}

double PosAngle(double a) {
  const double t = a < 0 ? a + kTwoPi : a;
  return t >= kTwoPi ? t - kTwoPi : t;
}

double ConstrainLng(double lng) {
  while (lng > kPi) {
    lng -= kTwoPi;
  }
  while (lng < -kPi) {
    lng += kTwoPi;
  }
  return lng;
}

double Azimuth(LatLng a, LatLng b) {
  return std::atan2(std::cos(b.lat) * std::sin(b.lng - a.lng),
                    std::cos(a.lat) * std::sin(b.lat) -
                        std::sin(a.lat) * std::cos(b.lat) * std::cos(b.lng - a.lng));
}

// The point `distance` radians from `p` along azimuth `az`.
LatLng AzDistance(LatLng p, double az, double distance) {
  if (distance < kEpsilon) {
    return p;
  }
  az = PosAngle(az);
  LatLng out;
  if (az < kEpsilon || std::fabs(az - kPi) < kEpsilon) {  // due north or south
    out.lat = az < kEpsilon ? p.lat + distance : p.lat - distance;
    if (std::fabs(out.lat - kPi / 2) < kEpsilon) {
      return {kPi / 2, 0};
    }
    if (std::fabs(out.lat + kPi / 2) < kEpsilon) {
      return {-kPi / 2, 0};
    }
    out.lng = ConstrainLng(p.lng);
    return out;
  }
  const double sin_lat = std::clamp(
      std::sin(p.lat) * std::cos(distance) + std::cos(p.lat) * std::sin(distance) * std::cos(az),
      -1.0, 1.0);
  out.lat = std::asin(sin_lat);
  if (std::fabs(out.lat - kPi / 2) < kEpsilon) {
    return {kPi / 2, 0};
  }
  if (std::fabs(out.lat + kPi / 2) < kEpsilon) {
    return {-kPi / 2, 0};
  }
  const double sin_lng =
      std::clamp(std::sin(az) * std::sin(distance) / std::cos(out.lat), -1.0, 1.0);
  const double cos_lng = std::clamp((std::cos(distance) - std::sin(p.lat) * std::sin(out.lat)) /
                                        std::cos(p.lat) / std::cos(out.lat),
                                    -1.0, 1.0);
  out.lng = ConstrainLng(p.lng + std::atan2(sin_lng, cos_lng));
  return out;
}

struct Vec3 {
  double x, y, z;
};
Vec3 ToVec3(LatLng g) {
  const double r = std::cos(g.lat);
  return {std::cos(g.lng) * r, std::sin(g.lng) * r, std::sin(g.lat)};
}
double SquareDist(Vec3 a, Vec3 b) {
  return (a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y) + (a.z - b.z) * (a.z - b.z);
}
LatLng FaceCenter(int face) { return {kFaceCenterGeo[face][0], kFaceCenterGeo[face][1]}; }

// Point -> nearest face and its position in the face's hex plane at `res`.
void GeoToHex2d(LatLng g, int res, int* face, Vec2* v) {
  const Vec3 p = ToVec3(g);
  *face = 0;
  double sqd = SquareDist(ToVec3(FaceCenter(0)), p);
  for (int f = 1; f < kNumFaces; ++f) {
    const double d = SquareDist(ToVec3(FaceCenter(f)), p);
    if (d < sqd) {
      *face = f;
      sqd = d;
    }
  }
  double r = std::acos(std::clamp(1 - sqd / 2, -1.0, 1.0));
  if (r < kEpsilon) {
    *v = {0, 0};
    return;
  }
  double theta = PosAngle(kFaceAxesAz[*face][0] - PosAngle(Azimuth(FaceCenter(*face), g)));
  if (ClassIII(res)) {
    theta = PosAngle(theta - kAp7RotRads);
  }
  r = std::tan(r) / kRes0UGnomonic;
  for (int i = 0; i < res; ++i) {
    r *= kSqrt7;
  }
  *v = {r * std::cos(theta), r * std::sin(theta)};
}

// Hex-plane point on `face` -> sphere. `substrate` marks the finer vertex grid (aperture 3,
// already Class II).
LatLng Hex2dToGeo(Vec2 v, int face, int res, bool substrate) {
  double r = std::hypot(v.x, v.y);
  if (r < kEpsilon) {
    return FaceCenter(face);
  }
  double theta = std::atan2(v.y, v.x);
  for (int i = 0; i < res; ++i) {
    r /= kSqrt7;
  }
  if (substrate) {
    r /= 3.0;
    if (ClassIII(res)) {
      r /= kSqrt7;
    }
  }
  r = std::atan(r * kRes0UGnomonic);
  if (!substrate && ClassIII(res)) {
    theta = PosAngle(theta + kAp7RotRads);
  }
  theta = PosAngle(kFaceAxesAz[face][0] - theta);
  return AzDistance(FaceCenter(face), theta, r);
}

bool IsCwOffset(int base_cell, int face) {
  return kBaseCells[base_cell].cw_offset_faces[0] == face ||
         kBaseCells[base_cell].cw_offset_faces[1] == face;
}

Index FaceIjkToIndex(FaceIjk f, int res) {
  Index h = kInit | (Index{1} << kModeShift) | (static_cast<Index>(res) << kResShift);
  Ijk c = f.c;
  for (int r = res - 1; r >= 0; --r) {
    const Ijk last = c;
    Ijk center;
    if (ClassIII(r + 1)) {
      UpAp7(c);
      center = c;
      DownAp7(center);
    } else {
      UpAp7r(c);
      center = c;
      DownAp7r(center);
    }
    h = SetDigit(h, r + 1, UnitToDigit(Sub(last, center)));
  }
  if (c.i > 2 || c.j > 2 || c.k > 2 || c.i < 0 || c.j < 0 || c.k < 0) {
    return 0;
  }
  const auto& orient = kFaceIjkBaseCells[f.face][c.i][c.j][c.k];
  h |= static_cast<Index>(orient.base_cell) << kBaseCellShift;
  if (kBaseCells[orient.base_cell].pentagon) {
    if (LeadingDigit(h) == kK) {
      h = IsCwOffset(orient.base_cell, f.face) ? RotateCw(h) : RotateCcw(h);
    }
    for (int i = 0; i < orient.ccw_rot60; ++i) {
      h = RotatePentCcw(h);
    }
  } else {
    for (int i = 0; i < orient.ccw_rot60; ++i) {
      h = RotateCcw(h);
    }
  }
  return h;
}

enum class Overage { kNone, kFaceEdge, kNewFace };

// Moves a coordinate that fell off its face onto the neighbouring face's system.
Overage AdjustOverage(FaceIjk& f, int res, bool pent_leading4, bool substrate) {
  int max_dim = kMaxDimByRes[res];
  if (substrate) {
    max_dim *= 3;
  }
  Ijk& c = f.c;
  const int sum = c.i + c.j + c.k;
  if (substrate && sum == max_dim) {
    return Overage::kFaceEdge;
  }
  if (sum <= max_dim) {
    return Overage::kNone;
  }
  const internal::FaceOrient* orient;
  if (c.k > 0) {
    if (c.j > 0) {
      orient = &kFaceNeighbors[f.face][3];
    } else {
      orient = &kFaceNeighbors[f.face][2];
      if (pent_leading4) {
        // Undo the pentagon's missing sequence: rotate about the pentagon centre.
        const Ijk origin{max_dim, 0, 0};
        Ijk t = Sub(c, origin);
        Transform(t, {1, 0, 1}, {1, 1, 0}, {0, 1, 1});  // 60 degrees clockwise
        c = Add(t, origin);
      }
    }
  } else {
    orient = &kFaceNeighbors[f.face][1];
  }
  f.face = orient->face;
  for (int i = 0; i < orient->ccw_rot60; ++i) {
    Rotate60Ccw(c);
  }
  int scale = kUnitScaleByRes[res];
  if (substrate) {
    scale *= 3;
  }
  c = Add(c, {orient->i * scale, orient->j * scale, orient->k * scale});
  Normalize(c);
  if (substrate && c.i + c.j + c.k == max_dim) {
    return Overage::kFaceEdge;
  }
  return Overage::kNewFace;
}

FaceIjk IndexToFaceIjk(Index h) {
  const int base_cell = BaseCellOf(h);
  const bool pent = kBaseCells[base_cell].pentagon;
  if (pent && LeadingDigit(h) == kIK) {
    h = RotateCw(h);
  }
  const auto& home = kBaseCells[base_cell];
  FaceIjk f{home.face, {home.i, home.j, home.k}};
  // A hexagon base cell centred on its home face cannot leave it.
  const bool may_overflow = pent || !(f.c == Ijk{0, 0, 0});
  const int res0 = Resolution(h);
  for (int r = 1; r <= res0; ++r) {
    if (ClassIII(r)) {
      DownAp7(f.c);
    } else {
      DownAp7r(f.c);
    }
    Step(f.c, DigitOf(h, r));
  }
  if (res0 == 0 || !may_overflow) {
    return f;
  }
  const Ijk orig = f.c;
  int res = res0;
  if (ClassIII(res)) {
    DownAp7r(f.c);
    ++res;
  }
  const bool pent_leading4 = pent && LeadingDigit(h) == kI;
  if (AdjustOverage(f, res, pent_leading4, false) != Overage::kNone) {
    if (pent) {
      for (int guard = 0; guard < 8 && AdjustOverage(f, res, false, false) != Overage::kNone;
           ++guard) {
      }
    }
    if (res != res0) {
      UpAp7r(f.c);
    }
  } else if (res != res0) {
    f.c = orig;
  }
  return f;
}

Vec2 Intersect(Vec2 p0, Vec2 p1, Vec2 p2, Vec2 p3) {
  const Vec2 s1{p1.x - p0.x, p1.y - p0.y};
  const Vec2 s2{p3.x - p2.x, p3.y - p2.y};
  const double t =
      (s2.x * (p0.y - p2.y) - s2.y * (p0.x - p2.x)) / (-s2.x * s1.y + s1.x * s2.y);
  return {p0.x + t * s1.x, p0.y + t * s1.y};
}

bool SameVec(Vec2 a, Vec2 b) {
  return std::fabs(a.x - b.x) < DBL_EPSILON && std::fabs(a.y - b.y) < DBL_EPSILON;
}

// Which of the face's three edges borders `other`: 1 = ij, 2 = ki, 3 = jk; 0 if none.
int EdgeTowards(int face, int other) {
  for (int q = 1; q <= 3; ++q) {
    if (kFaceNeighbors[face][q].face == other) {
      return q;
    }
  }
  return 0;
}

// Endpoints of a face edge in the substrate hex plane.
void FaceEdge(int quadrant, int max_dim, Vec2* e0, Vec2* e1) {
  const Vec2 v0{3.0 * max_dim, 0.0};
  const Vec2 v1{-1.5 * max_dim, 3.0 * kSin60 * max_dim};
  const Vec2 v2{-1.5 * max_dim, -3.0 * kSin60 * max_dim};
  if (quadrant == 1) {
    *e0 = v0;
    *e1 = v1;
  } else if (quadrant == 3) {
    *e0 = v1;
    *e1 = v2;
  } else {
    *e0 = v2;
    *e1 = v0;
  }
}

}  // namespace

Index LatLngToCell(LatLng g, int res) {
  if (res < 0 || res > kMaxResolution || !std::isfinite(g.lat) || !std::isfinite(g.lng)) {
    return 0;
  }
  FaceIjk f;
  Vec2 v;
  GeoToHex2d(g, res, &f.face, &v);
  f.c = FromHex2d(v);
  return FaceIjkToIndex(f, res);
}

LatLng CellToLatLng(Index h) {
  const FaceIjk f = IndexToFaceIjk(h);
  return Hex2dToGeo(ToHex2d(f.c), f.face, Resolution(h), false);
}

std::vector<LatLng> CellToBoundary(Index h) {
  const int res = Resolution(h);
  const bool pent = IsPentagon(h);
  FaceIjk center = IndexToFaceIjk(h);
  // Vertices of an origin-centred cell on the aperture-3 substrate grid, ccw from the i axis.
  static constexpr Ijk kVertsII[6] = {{2, 1, 0}, {1, 2, 0}, {0, 2, 1},
                                      {0, 1, 2}, {1, 0, 2}, {2, 0, 1}};
  static constexpr Ijk kVertsIII[6] = {{5, 4, 0}, {1, 5, 0}, {0, 5, 4},
                                       {0, 1, 5}, {4, 0, 5}, {5, 0, 1}};
  const int n = pent ? 5 : 6;
  int adj_res = res;
  DownAp3(center.c);
  DownAp3r(center.c);
  if (ClassIII(res)) {
    DownAp7r(center.c);
    ++adj_res;
  }
  FaceIjk verts[6];
  for (int v = 0; v < n; ++v) {
    verts[v].face = center.face;
    verts[v].c = Add(center.c, ClassIII(res) ? kVertsIII[v] : kVertsII[v]);
    Normalize(verts[v].c);
  }
  std::vector<LatLng> out;
  const int max_dim = kMaxDimByRes[adj_res];
  if (pent) {
    FaceIjk last;
    for (int vert = 0; vert <= n; ++vert) {
      FaceIjk f = verts[vert % n];
      for (int guard = 0; guard < 8 && AdjustOverage(f, adj_res, false, true) ==
                                           Overage::kNewFace;
           ++guard) {
      }
      // Every Class III pentagon edge crosses an icosahedron edge.
      if (ClassIII(res) && vert > 0) {
        FaceIjk tmp = f;
        const Vec2 orig0 = ToHex2d(last.c);
        const int to_last = EdgeTowards(tmp.face, last.face);
        if (to_last != 0) {
          const auto& o = kFaceNeighbors[tmp.face][to_last];
          tmp.face = o.face;
          for (int i = 0; i < o.ccw_rot60; ++i) {
            Rotate60Ccw(tmp.c);
          }
          const int scale = kUnitScaleByRes[adj_res] * 3;
          tmp.c = Add(tmp.c, {o.i * scale, o.j * scale, o.k * scale});
          Normalize(tmp.c);
          const Vec2 orig1 = ToHex2d(tmp.c);
          Vec2 e0;
          Vec2 e1;
          FaceEdge(EdgeTowards(tmp.face, f.face), max_dim, &e0, &e1);
          out.push_back(Hex2dToGeo(Intersect(orig0, orig1, e0, e1), tmp.face, adj_res, true));
        }
      }
      if (vert < n) {
        out.push_back(Hex2dToGeo(ToHex2d(f.c), f.face, adj_res, true));
      }
      last = f;
    }
    return out;
  }
  int last_face = -1;
  Overage last_overage = Overage::kNone;
  for (int vert = 0; vert <= n; ++vert) {
    const int v = vert % n;
    FaceIjk f = verts[v];
    const Overage overage = AdjustOverage(f, adj_res, false, true);
    // An edge crossing an icosahedron edge gets an extra vertex at the crossing, so each half
    // is projected on its own face.
    if (ClassIII(res) && vert > 0 && f.face != last_face && last_overage != Overage::kFaceEdge) {
      const Vec2 orig0 = ToHex2d(verts[(v + 5) % 6].c);
      const Vec2 orig1 = ToHex2d(verts[v].c);
      const int face2 = last_face == center.face ? f.face : last_face;
      const int quadrant = EdgeTowards(center.face, face2);
      if (quadrant != 0) {
        Vec2 e0;
        Vec2 e1;
        FaceEdge(quadrant, max_dim, &e0, &e1);
        const Vec2 inter = Intersect(orig0, orig1, e0, e1);
        if (!SameVec(orig0, inter) && !SameVec(orig1, inter)) {
          out.push_back(Hex2dToGeo(inter, center.face, adj_res, true));
        }
      }
    }
    if (vert < n) {
      out.push_back(Hex2dToGeo(ToHex2d(f.c), f.face, adj_res, true));
    }
    last_face = f.face;
    last_overage = overage;
  }
  // A crossing that falls on a vertex can survive the exact-equality test above by rounding;
  // drop such repeated vertices.
  std::vector<LatLng> clean;
  for (const LatLng& p : out) {
    const LatLng& prev = clean.empty() ? out.back() : clean.back();
    if (std::fabs(p.lat - prev.lat) > 1e-12 || std::fabs(p.lng - prev.lng) > 1e-12) {
      clean.push_back(p);
    }
  }
  return clean;
}

}  // namespace vigil::kql::geo::h3

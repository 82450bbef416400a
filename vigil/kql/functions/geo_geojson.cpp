// GeoJSON parsing/rendering and spherical maths for the geo_* functions (see geo_util.h).
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <utility>

#include "vigil/kql/functions/geo_util.h"

namespace vigil::kql::geo {
namespace {

// GeoJSON nesting is at most 4 deep for coordinates; collections nest further but we bound
// recursion so hostile input cannot exhaust the stack.
constexpr int kMaxCollectionDepth = 16;

std::optional<Pt> ParsePosition(const Value& v) {
  if (!v.is_array()) {
    return std::nullopt;
  }
  const Array& a = v.AsArray();
  if (a.size() < 2 || !a[0].is_number() || !a[1].is_number()) {
    return std::nullopt;
  }
  Pt p{a[0].AsReal(), a[1].AsReal()};
  if (!ValidPoint(p.lng, p.lat)) {
    return std::nullopt;
  }
  return p;
}

std::optional<Path> ParsePath(const Value& v, size_t min_points) {
  if (!v.is_array() || v.AsArray().size() < min_points) {
    return std::nullopt;
  }
  Path path;
  path.reserve(v.AsArray().size());
  for (const Value& item : v.AsArray()) {
    auto p = ParsePosition(item);
    if (!p) {
      return std::nullopt;
    }
    path.push_back(*p);
  }
  return path;
}

bool SamePt(Pt a, Pt b) { return a.lng == b.lng && a.lat == b.lat; }

std::optional<Path> ParseRing(const Value& v) {
  auto ring = ParsePath(v, 4);
  if (!ring || !SamePt(ring->front(), ring->back())) {
    return std::nullopt;
  }
  // At least three distinct vertices, so the ring encloses an area.
  Path distinct;
  for (const Pt& p : *ring) {
    if (std::none_of(distinct.begin(), distinct.end(), [&](Pt q) { return SamePt(p, q); })) {
      distinct.push_back(p);
    }
    if (distinct.size() >= 3) {
      return ring;
    }
  }
  return std::nullopt;
}

std::optional<Polygon> ParsePolygonCoords(const Value& v) {
  if (!v.is_array() || v.AsArray().empty()) {
    return std::nullopt;
  }
  Polygon poly;
  for (const Value& ring_value : v.AsArray()) {
    auto ring = ParseRing(ring_value);
    if (!ring) {
      return std::nullopt;
    }
    poly.push_back(std::move(*ring));
  }
  return poly;
}

std::optional<Value> AsBag(const Value& v) {
  if (v.is_bag()) {
    return v;
  }
  if (v.is_string()) {
    auto parsed = ParseJson(v.AsString());
    if (parsed && parsed->is_bag()) {
      return parsed;
    }
  }
  return std::nullopt;
}

std::optional<Geometry> ParseBag(const Value& bag, int depth) {
  const Value* type = bag.Find("type");
  if (type == nullptr || !type->is_string()) {
    return std::nullopt;
  }
  const std::string& t = type->AsString();
  Geometry g;
  if (t == "GeometryCollection") {
    const Value* members = bag.Find("geometries");
    if (members == nullptr || !members->is_array() || depth >= kMaxCollectionDepth) {
      return std::nullopt;
    }
    g.kind = Geometry::Kind::kCollection;
    for (const Value& m : members->AsArray()) {
      auto child = m.is_bag() ? ParseBag(m, depth + 1) : std::nullopt;
      if (!child) {
        return std::nullopt;
      }
      g.children.push_back(std::move(*child));
    }
    return g;
  }
  const Value* coords = bag.Find("coordinates");
  if (coords == nullptr || !coords->is_array()) {
    return std::nullopt;
  }
  if (t == "Point") {
    auto p = ParsePosition(*coords);
    if (!p) {
      return std::nullopt;
    }
    g.kind = Geometry::Kind::kPoint;
    g.points.push_back(*p);
    return g;
  }
  if (t == "MultiPoint") {
    auto path = ParsePath(*coords, 1);
    if (!path) {
      return std::nullopt;
    }
    g.kind = Geometry::Kind::kMultiPoint;
    g.points = std::move(*path);
    return g;
  }
  if (t == "LineString" || t == "MultiLineString") {
    const bool multi = t == "MultiLineString";
    g.kind = multi ? Geometry::Kind::kMultiLine : Geometry::Kind::kLine;
    if (!multi) {
      auto path = ParsePath(*coords, 2);
      if (!path) {
        return std::nullopt;
      }
      g.lines.push_back(std::move(*path));
      return g;
    }
    if (coords->AsArray().empty()) {
      return std::nullopt;
    }
    for (const Value& line : coords->AsArray()) {
      auto path = ParsePath(line, 2);
      if (!path) {
        return std::nullopt;
      }
      g.lines.push_back(std::move(*path));
    }
    return g;
  }
  if (t == "Polygon") {
    auto poly = ParsePolygonCoords(*coords);
    if (!poly) {
      return std::nullopt;
    }
    g.kind = Geometry::Kind::kPolygon;
    g.polygons.push_back(std::move(*poly));
    return g;
  }
  if (t == "MultiPolygon") {
    if (coords->AsArray().empty()) {
      return std::nullopt;
    }
    g.kind = Geometry::Kind::kMultiPolygon;
    for (const Value& pv : coords->AsArray()) {
      auto poly = ParsePolygonCoords(pv);
      if (!poly) {
        return std::nullopt;
      }
      g.polygons.push_back(std::move(*poly));
    }
    return g;
  }
  return std::nullopt;
}

Value PositionValue(Pt p) { return Value::MakeArray({Value::Real(p.lng), Value::Real(p.lat)}); }

Value PathValue(const Path& path) {
  Array out;
  out.reserve(path.size());
  for (const Pt& p : path) {
    out.push_back(PositionValue(p));
  }
  return Value::MakeArray(std::move(out));
}

Value PolygonCoords(const Polygon& poly) {
  Array rings;
  for (const Path& ring : poly) {
    rings.push_back(PathValue(ring));
  }
  return Value::MakeArray(std::move(rings));
}

Value Typed(const char* type, Value coords) {
  return Value::MakeBag({{"type", Value::String(type)}, {"coordinates", std::move(coords)}});
}

// Unit vector of a lng/lat point.
struct Vec3 {
  double x, y, z;
};
Vec3 ToVec(Pt p) {
  const double lat = p.lat * kDegToRad;
  const double lng = p.lng * kDegToRad;
  return {std::cos(lat) * std::cos(lng), std::cos(lat) * std::sin(lng), std::sin(lat)};
}
double Dot(Vec3 a, Vec3 b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
Vec3 Cross(Vec3 a, Vec3 b) {
  return {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}
double Norm(Vec3 a) { return std::sqrt(Dot(a, a)); }
// Angle between two vectors, accurate for small and large angles.
double Angle(Vec3 a, Vec3 b) { return std::atan2(Norm(Cross(a, b)), Dot(a, b)); }

}  // namespace

bool ValidPoint(double lng, double lat) {
  return std::isfinite(lng) && std::isfinite(lat) && lng >= -180 && lng <= 180 && lat >= -90 &&
         lat <= 90;
}

std::optional<double> NumberArg(const Value& v) {
  if (v.is_number()) {
    const double d = v.AsReal();
    if (std::isfinite(d)) {
      return d;
    }
  }
  return std::nullopt;
}

std::optional<Geometry> ParseGeoJson(const Value& v) {
  auto bag = AsBag(v);
  if (!bag) {
    return std::nullopt;
  }
  return ParseBag(*bag, 0);
}

std::optional<std::vector<Path>> ParseLines(const Value& v) {
  auto g = ParseGeoJson(v);
  if (!g || (g->kind != Geometry::Kind::kLine && g->kind != Geometry::Kind::kMultiLine)) {
    return std::nullopt;
  }
  return std::move(g->lines);
}

std::optional<std::vector<Polygon>> ParsePolygons(const Value& v) {
  auto g = ParseGeoJson(v);
  if (!g || (g->kind != Geometry::Kind::kPolygon && g->kind != Geometry::Kind::kMultiPolygon)) {
    return std::nullopt;
  }
  return std::move(g->polygons);
}

Value PointValue(Pt p) { return Typed("Point", PositionValue(p)); }

Value EmptyCollectionValue() {
  return Value::MakeBag(
      {{"type", Value::String("GeometryCollection")}, {"geometries", Value::MakeArray({})}});
}

Value GeometryValue(const Geometry& g) {
  switch (g.kind) {
    case Geometry::Kind::kPoint:
      return g.points.empty() ? EmptyCollectionValue() : PointValue(g.points[0]);
    case Geometry::Kind::kMultiPoint:
      return Typed("MultiPoint", PathValue(g.points));
    case Geometry::Kind::kLine:
      return g.lines.empty() ? EmptyCollectionValue() : Typed("LineString", PathValue(g.lines[0]));
    case Geometry::Kind::kMultiLine: {
      Array lines;
      for (const Path& l : g.lines) {
        lines.push_back(PathValue(l));
      }
      return Typed("MultiLineString", Value::MakeArray(std::move(lines)));
    }
    case Geometry::Kind::kPolygon:
      return g.polygons.empty() ? EmptyCollectionValue()
                                : Typed("Polygon", PolygonCoords(g.polygons[0]));
    case Geometry::Kind::kMultiPolygon: {
      Array polys;
      for (const Polygon& p : g.polygons) {
        polys.push_back(PolygonCoords(p));
      }
      return Typed("MultiPolygon", Value::MakeArray(std::move(polys)));
    }
    case Geometry::Kind::kCollection: {
      Array members;
      for (const Geometry& c : g.children) {
        members.push_back(GeometryValue(c));
      }
      return Value::MakeBag({{"type", Value::String("GeometryCollection")},
                             {"geometries", Value::MakeArray(std::move(members))}});
    }
  }
  return Value();
}

double Distance(Pt a, Pt b) { return Angle(ToVec(a), ToVec(b)) * kEarthRadiusMeters; }

double DistanceToSegment(Pt p, Pt a, Pt b, double* fraction) {
  const Vec3 vp = ToVec(p);
  const Vec3 va = ToVec(a);
  const Vec3 vb = ToVec(b);
  const double ab = Angle(va, vb);
  const Vec3 n = Cross(va, vb);
  const double nn = Norm(n);
  if (ab > 0 && nn > 0) {
    const Vec3 un{n.x / nn, n.y / nn, n.z / nn};
    // Foot of the perpendicular from p on the great circle through a and b.
    const double d = Dot(vp, un);
    Vec3 foot{vp.x - d * un.x, vp.y - d * un.y, vp.z - d * un.z};
    const double fn = Norm(foot);
    if (fn > 0) {
      foot = {foot.x / fn, foot.y / fn, foot.z / fn};
      const double af = Angle(va, foot);
      const double fb = Angle(foot, vb);
      if (std::fabs(af + fb - ab) < 1e-12) {
        if (fraction != nullptr) {
          *fraction = af / ab;
        }
        return Angle(vp, foot) * kEarthRadiusMeters;
      }
    }
  }
  const double da = Angle(vp, va);
  const double db = Angle(vp, vb);
  if (fraction != nullptr) {
    *fraction = da <= db ? 0.0 : 1.0;
  }
  return std::min(da, db) * kEarthRadiusMeters;
}

double PathLength(const Path& path) {
  double total = 0;
  for (size_t i = 1; i < path.size(); ++i) {
    total += Distance(path[i - 1], path[i]);
  }
  return total;
}

bool PointInPolygon(Pt p, const Polygon& poly) {
  bool inside = false;
  for (const Path& ring : poly) {
    for (size_t i = 1; i < ring.size(); ++i) {
      const Pt a = ring[i - 1];
      const Pt b = ring[i];
      if ((a.lat > p.lat) != (b.lat > p.lat)) {
        const double x = a.lng + (p.lat - a.lat) * (b.lng - a.lng) / (b.lat - a.lat);
        if (p.lng < x) {
          inside = !inside;
        }
      }
    }
  }
  return inside;
}

}  // namespace vigil::kql::geo

// Geospatial scalar functions measured on a sphere: geo_distance_2points, geo_azimuth,
// geo_point_in_circle, geo_point_in_polygon, geo_line_length, geo_line_locate_point,
// geo_line_densify, geo_distance_point_to_line/poly, geo_polygon_perimeter. The GEOS-backed
// set operations live in geo_geos.cpp, geohash and S2 cells in geo_cells.cpp.
#include <cmath>
#include <limits>
#include <optional>
#include <span>

#include "vigil/kql/functions/function_util2.h"
#include "vigil/kql/functions/geo_util.h"
#include "vigil/kql/functions/registry.h"
#include "vigil/kql/value.h"

namespace vigil::kql {
namespace {

using fn2::Add;
using fn2::Arg;
using fn2::Returns;
using geo::NumberArg;
using geo::Pt;

std::optional<Pt> PointArgs(std::span<const Value> args, size_t at) {
  const auto lng = NumberArg(args[at]);
  const auto lat = NumberArg(args[at + 1]);
  if (!lng || !lat || !geo::ValidPoint(*lng, *lat)) {
    return std::nullopt;
  }
  return Pt{*lng, *lat};
}

Value Distance2Points(std::span<const Value> args, FunctionContext&) {
  const auto a = PointArgs(args, 0);
  const auto b = PointArgs(args, 2);
  if (!a || !b) {
    return Value();
  }
  return Value::Real(geo::Distance(*a, *b));
}

Value Azimuth(std::span<const Value> args, FunctionContext&) {
  const auto a = PointArgs(args, 0);
  const auto b = PointArgs(args, 2);
  if (!a || !b || (a->lng == b->lng && a->lat == b->lat)) {
    return Value();
  }
  const double lat1 = a->lat * geo::kDegToRad;
  const double lat2 = b->lat * geo::kDegToRad;
  const double dlng = (b->lng - a->lng) * geo::kDegToRad;
  const double y = std::sin(dlng) * std::cos(lat2);
  const double x = std::cos(lat1) * std::sin(lat2) - std::sin(lat1) * std::cos(lat2) * std::cos(dlng);
  if (x == 0 && y == 0) {
    return Value();  // antipodal or polar: direction undefined
  }
  double az = std::atan2(y, x);
  if (az < 0) {
    az += 2 * geo::kPi;
  }
  return Value::Real(az);
}

Value PointInCircle(std::span<const Value> args, FunctionContext&) {
  const auto p = PointArgs(args, 0);
  const auto c = PointArgs(args, 2);
  const auto radius = NumberArg(args[4]);
  if (!p || !c || !radius || *radius < 0) {
    return Value();
  }
  return Value::Bool(geo::Distance(*p, *c) <= *radius);
}

Value PointInPolygon(std::span<const Value> args, FunctionContext&) {
  const auto p = PointArgs(args, 0);
  auto polygons = geo::ParsePolygons(args[2]);
  if (!p || !polygons) {
    return Value();
  }
  for (const geo::Polygon& poly : *polygons) {
    if (geo::PointInPolygon(*p, poly)) {
      return Value::Bool(true);
    }
  }
  return Value::Bool(false);
}

Value LineLength(std::span<const Value> args, FunctionContext&) {
  auto lines = geo::ParseLines(args[0]);
  if (!lines) {
    return Value();
  }
  double total = 0;
  for (const geo::Path& line : *lines) {
    total += geo::PathLength(line);
  }
  return Value::Real(total);
}

double DistanceToPath(Pt p, const geo::Path& path) {
  double best = std::numeric_limits<double>::infinity();
  for (size_t i = 1; i < path.size(); ++i) {
    best = std::min(best, geo::DistanceToSegment(p, path[i - 1], path[i]));
  }
  return best;
}

Value DistancePointToLine(std::span<const Value> args, FunctionContext&) {
  const auto p = PointArgs(args, 0);
  auto lines = geo::ParseLines(args[2]);
  if (!p || !lines) {
    return Value();
  }
  double best = std::numeric_limits<double>::infinity();
  for (const geo::Path& line : *lines) {
    best = std::min(best, DistanceToPath(*p, line));
  }
  return Value::Real(best);
}

Value DistancePointToPoly(std::span<const Value> args, FunctionContext&) {
  const auto p = PointArgs(args, 0);
  auto polygons = geo::ParsePolygons(args[2]);
  if (!p || !polygons) {
    return Value();
  }
  double best = std::numeric_limits<double>::infinity();
  for (const geo::Polygon& poly : *polygons) {
    if (geo::PointInPolygon(*p, poly)) {
      return Value::Real(0.0);
    }
    for (const geo::Path& ring : poly) {
      best = std::min(best, DistanceToPath(*p, ring));
    }
  }
  return Value::Real(best);
}

// Fraction of the line's length at the point of the line closest to the given point.
Value LineLocatePoint(std::span<const Value> args, FunctionContext&) {
  auto lines = geo::ParseLines(args[0]);
  const auto p = PointArgs(args, 1);
  if (!lines || !p || lines->size() != 1) {
    return Value();
  }
  const geo::Path& line = (*lines)[0];
  const double total = geo::PathLength(line);
  if (total <= 0) {
    return Value();
  }
  double best = std::numeric_limits<double>::infinity();
  double best_along = 0;
  double walked = 0;
  for (size_t i = 1; i < line.size(); ++i) {
    double fraction = 0;
    const double d = geo::DistanceToSegment(*p, line[i - 1], line[i], &fraction);
    const double seg = geo::Distance(line[i - 1], line[i]);
    if (d < best) {
      best = d;
      best_along = walked + fraction * seg;
    }
    walked += seg;
  }
  return Value::Real(best_along / total);
}

Pt Lerp(Pt a, Pt b, double t) { return {a.lng + (b.lng - a.lng) * t, a.lat + (b.lat - a.lat) * t}; }

// Midpoint of the geodesic a-b.
Pt GeodesicMid(Pt a, Pt b) {
  const double la = a.lat * geo::kDegToRad;
  const double lb = b.lat * geo::kDegToRad;
  const double ga = a.lng * geo::kDegToRad;
  const double gb = b.lng * geo::kDegToRad;
  const double x = std::cos(la) * std::cos(ga) + std::cos(lb) * std::cos(gb);
  const double y = std::cos(la) * std::sin(ga) + std::cos(lb) * std::sin(gb);
  const double z = std::sin(la) + std::sin(lb);
  return {std::atan2(y, x) / geo::kDegToRad, std::atan2(z, std::hypot(x, y)) / geo::kDegToRad};
}

constexpr int kMaxDensifyPointsPerEdge = 1 << 16;

// Splits the planar edge a-b into 2^k equal parts until each part's geodesic stays within
// `tolerance` metres of the planar edge (measured at the part's midpoint).
bool DensifyEdge(Pt a, Pt b, double tolerance, geo::Path& out) {
  int parts = 1;
  while (true) {
    bool ok = true;
    for (int i = 0; i < parts && ok; ++i) {
      const Pt s = Lerp(a, b, static_cast<double>(i) / parts);
      const Pt e = Lerp(a, b, static_cast<double>(i + 1) / parts);
      ok = geo::Distance(Lerp(s, e, 0.5), GeodesicMid(s, e)) <= tolerance;
    }
    if (ok) {
      break;
    }
    parts *= 2;
    if (parts > kMaxDensifyPointsPerEdge) {
      return false;
    }
  }
  for (int i = 1; i <= parts; ++i) {
    out.push_back(i == parts ? b : Lerp(a, b, static_cast<double>(i) / parts));
  }
  return true;
}

Value LineDensify(std::span<const Value> args, FunctionContext&) {
  auto g = geo::ParseGeoJson(args[0]);
  double tolerance = 10;
  if (args.size() > 1 && !args[1].is_null()) {
    const auto t = NumberArg(args[1]);
    if (!t) {
      return Value();
    }
    tolerance = *t;
  }
  if (!g || (g->kind != geo::Geometry::Kind::kLine && g->kind != geo::Geometry::Kind::kMultiLine) ||
      tolerance < 0.1 || tolerance > 10000) {
    return Value();
  }
  for (geo::Path& line : g->lines) {
    geo::Path dense{line[0]};
    for (size_t i = 1; i < line.size(); ++i) {
      if (!DensifyEdge(line[i - 1], line[i], tolerance, dense)) {
        return Value();
      }
    }
    line = std::move(dense);
  }
  return geo::GeometryValue(*g);
}

Value PolygonPerimeter(std::span<const Value> args, FunctionContext&) {
  auto polygons = geo::ParsePolygons(args[0]);
  if (!polygons) {
    return Value();
  }
  double total = 0;
  for (const geo::Polygon& poly : *polygons) {
    for (const geo::Path& ring : poly) {
      total += geo::PathLength(ring);
    }
  }
  return Value::Real(total);
}

}  // namespace

void RegisterGeoFunctions(Registry& r) {
  const Arg n = Arg::kNumber;
  const Arg any = Arg::kAny;
  Add(r, "geo_distance_2points", 4, 4, Returns("geo_distance_2points", Type::kReal, {n, n, n, n}),
      Distance2Points);
  Add(r, "geo_azimuth", 4, 4, Returns("geo_azimuth", Type::kReal, {n, n, n, n}), Azimuth);
  Add(r, "geo_point_in_circle", 5, 5,
      Returns("geo_point_in_circle", Type::kBool, {n, n, n, n, n}), PointInCircle);
  Add(r, "geo_point_in_polygon", 3, 3,
      Returns("geo_point_in_polygon", Type::kBool, {n, n, any}), PointInPolygon);
  Add(r, "geo_line_length", 1, 1, Returns("geo_line_length", Type::kReal, {any}), LineLength);
  Add(r, "geo_distance_point_to_line", 3, 3,
      Returns("geo_distance_point_to_line", Type::kReal, {n, n, any}), DistancePointToLine);
  Add(r, "geo_distance_point_to_poly", 3, 3,
      Returns("geo_distance_point_to_poly", Type::kReal, {n, n, any}), DistancePointToPoly);
  Add(r, "geo_line_locate_point", 3, 3,
      Returns("geo_line_locate_point", Type::kReal, {any, n, n}), LineLocatePoint);
  Add(r, "geo_line_densify", 1, 3, Returns("geo_line_densify", Type::kDynamic, {any, n, any}),
      LineDensify);
  Add(r, "geo_polygon_perimeter", 1, 1, Returns("geo_polygon_perimeter", Type::kReal, {any}),
      PolygonPerimeter);
  geo::RegisterGeoGeosFunctions(r);
  geo::RegisterGeoCellFunctions(r);
}

}  // namespace vigil::kql

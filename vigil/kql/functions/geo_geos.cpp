// GEOS-backed geo_* functions: geo_from_wkt, intersections, intersects tests, unions,
// centroids and simplification. GEOS works on the lng/lat plane while Kusto uses geodesic
// edges; for the city-sized shapes these functions are used on the difference is far below
// the 1e-6 relative agreement we test for, but large shapes (hundreds of km) differ.
#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "vigil/kql/functions/function_util2.h"
#include "vigil/kql/functions/geo_util.h"
#include "vigil/kql/functions/registry.h"
#include "vigil/kql/value.h"

namespace vigil::kql::geo {
namespace {

using fn2::Add;
using fn2::Arg;
using fn2::Returns;

// Bounds what one call may hand to GEOS (coordinates in all inputs together).
constexpr size_t kMaxVertices = 1'000'000;

void NoticeSink(const char* /*fmt*/, ...) {}

// One GEOS context per thread; GEOS errors are reported through return values, its message
// handlers are silenced.
class GeosContext {
 public:
  GeosContext() : handle_(GEOS_init_r()) {
    GEOSContext_setNoticeHandler_r(handle_, NoticeSink);
    GEOSContext_setErrorHandler_r(handle_, NoticeSink);
  }
  ~GeosContext() { GEOS_finish_r(handle_); }
  GeosContext(const GeosContext&) = delete;
  GeosContext& operator=(const GeosContext&) = delete;
  GEOSContextHandle_t get() const { return handle_; }

 private:
  GEOSContextHandle_t handle_;
};

GEOSContextHandle_t Ctx() {
  thread_local GeosContext context;
  return context.get();
}

struct GeomDeleter {
  void operator()(GEOSGeometry* g) const { GEOSGeom_destroy_r(Ctx(), g); }
};
using GeomPtr = std::unique_ptr<GEOSGeometry, GeomDeleter>;

// ---- Geometry <-> GEOS ----

GEOSCoordSequence* MakeSeq(const Path& path) {
  GEOSCoordSequence* seq =
      GEOSCoordSeq_create_r(Ctx(), static_cast<unsigned>(path.size()), 2);
  if (seq == nullptr) {
    return nullptr;
  }
  for (size_t i = 0; i < path.size(); ++i) {
    GEOSCoordSeq_setXY_r(Ctx(), seq, static_cast<unsigned>(i), path[i].lng, path[i].lat);
  }
  return seq;
}

GEOSGeometry* MakeLine(const Path& path) {
  GEOSCoordSequence* seq = MakeSeq(path);
  return seq == nullptr ? nullptr : GEOSGeom_createLineString_r(Ctx(), seq);
}

GEOSGeometry* MakePolygon(const Polygon& poly) {
  std::vector<GEOSGeometry*> rings;
  for (const Path& ring : poly) {
    GEOSCoordSequence* seq = MakeSeq(ring);
    GEOSGeometry* lr = seq == nullptr ? nullptr : GEOSGeom_createLinearRing_r(Ctx(), seq);
    if (lr == nullptr) {
      for (GEOSGeometry* g : rings) {
        GEOSGeom_destroy_r(Ctx(), g);
      }
      return nullptr;
    }
    rings.push_back(lr);
  }
  GEOSGeometry* shell = rings[0];
  return GEOSGeom_createPolygon_r(Ctx(), shell, rings.size() > 1 ? &rings[1] : nullptr,
                                  static_cast<unsigned>(rings.size() - 1));
}

GeomPtr Collect(int type, std::vector<GEOSGeometry*> parts) {
  for (GEOSGeometry* g : parts) {
    if (g == nullptr) {
      for (GEOSGeometry* h : parts) {
        if (h != nullptr) {
          GEOSGeom_destroy_r(Ctx(), h);
        }
      }
      return nullptr;
    }
  }
  return GeomPtr(GEOSGeom_createCollection_r(Ctx(), type, parts.data(),
                                             static_cast<unsigned>(parts.size())));
}

size_t CountVertices(const std::vector<Path>& paths) {
  size_t n = 0;
  for (const Path& p : paths) {
    n += p.size();
  }
  return n;
}

GeomPtr LinesToGeos(const std::vector<Path>& lines) {
  if (CountVertices(lines) > kMaxVertices) {
    return nullptr;
  }
  std::vector<GEOSGeometry*> parts;
  for (const Path& l : lines) {
    parts.push_back(MakeLine(l));
  }
  return Collect(GEOS_MULTILINESTRING, std::move(parts));
}

GeomPtr PolygonsToGeos(const std::vector<Polygon>& polys) {
  size_t n = 0;
  for (const Polygon& p : polys) {
    n += CountVertices(p);
  }
  if (n > kMaxVertices) {
    return nullptr;
  }
  std::vector<GEOSGeometry*> parts;
  for (const Polygon& p : polys) {
    parts.push_back(MakePolygon(p));
  }
  GeomPtr multi = Collect(GEOS_MULTIPOLYGON, std::move(parts));
  if (!multi) {
    return nullptr;
  }
  // Self-overlapping members are merged so that set operations see valid input.
  if (polys.size() > 1 || GEOSisValid_r(Ctx(), multi.get()) != 1) {
    GeomPtr merged(GEOSUnaryUnion_r(Ctx(), multi.get()));
    if (!merged) {
      return nullptr;
    }
    return merged;
  }
  return multi;
}

Path ReadPath(const GEOSGeometry* g) {
  Path out;
  const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(Ctx(), g);
  unsigned size = 0;
  if (seq == nullptr || GEOSCoordSeq_getSize_r(Ctx(), seq, &size) == 0) {
    return out;
  }
  out.reserve(size);
  for (unsigned i = 0; i < size; ++i) {
    double x = 0;
    double y = 0;
    GEOSCoordSeq_getXY_r(Ctx(), seq, i, &x, &y);
    out.push_back({x, y});
  }
  return out;
}

Polygon ReadPolygon(const GEOSGeometry* g) {
  Polygon poly;
  poly.push_back(ReadPath(GEOSGetExteriorRing_r(Ctx(), g)));
  const int holes = GEOSGetNumInteriorRings_r(Ctx(), g);
  for (int i = 0; i < holes; ++i) {
    poly.push_back(ReadPath(GEOSGetInteriorRingN_r(Ctx(), g, i)));
  }
  return poly;
}

// GEOS result -> our geometry; single-member multi geometries collapse to their member, as
// Kusto reports them. nullopt for unknown types or excessive depth.
std::optional<Geometry> FromGeos(const GEOSGeometry* g, int depth = 0) {
  if (g == nullptr || depth > 16) {
    return std::nullopt;
  }
  Geometry out;
  const int type = GEOSGeomTypeId_r(Ctx(), g);
  if (GEOSisEmpty_r(Ctx(), g) == 1) {
    out.kind = Geometry::Kind::kCollection;
    return out;
  }
  const int n = GEOSGetNumGeometries_r(Ctx(), g);
  switch (type) {
    case GEOS_POINT: {
      double x = 0;
      double y = 0;
      GEOSGeomGetX_r(Ctx(), g, &x);
      GEOSGeomGetY_r(Ctx(), g, &y);
      out.kind = Geometry::Kind::kPoint;
      out.points.push_back({x, y});
      return out;
    }
    case GEOS_LINESTRING:
    case GEOS_LINEARRING:
      out.kind = Geometry::Kind::kLine;
      out.lines.push_back(ReadPath(g));
      return out;
    case GEOS_POLYGON:
      out.kind = Geometry::Kind::kPolygon;
      out.polygons.push_back(ReadPolygon(g));
      return out;
    case GEOS_MULTIPOINT:
    case GEOS_MULTILINESTRING:
    case GEOS_MULTIPOLYGON: {
      if (n == 1) {
        return FromGeos(GEOSGetGeometryN_r(Ctx(), g, 0), depth + 1);
      }
      out.kind = type == GEOS_MULTIPOINT        ? Geometry::Kind::kMultiPoint
                 : type == GEOS_MULTILINESTRING ? Geometry::Kind::kMultiLine
                                                : Geometry::Kind::kMultiPolygon;
      for (int i = 0; i < n; ++i) {
        auto part = FromGeos(GEOSGetGeometryN_r(Ctx(), g, i), depth + 1);
        if (!part) {
          return std::nullopt;
        }
        out.points.insert(out.points.end(), part->points.begin(), part->points.end());
        out.lines.insert(out.lines.end(), part->lines.begin(), part->lines.end());
        out.polygons.insert(out.polygons.end(), part->polygons.begin(), part->polygons.end());
      }
      return out;
    }
    case GEOS_GEOMETRYCOLLECTION: {
      if (n == 1) {
        return FromGeos(GEOSGetGeometryN_r(Ctx(), g, 0), depth + 1);
      }
      out.kind = Geometry::Kind::kCollection;
      for (int i = 0; i < n; ++i) {
        auto part = FromGeos(GEOSGetGeometryN_r(Ctx(), g, i), depth + 1);
        if (!part) {
          return std::nullopt;
        }
        out.children.push_back(std::move(*part));
      }
      return out;
    }
    default:
      return std::nullopt;
  }
}

// Twice the signed area of a closed ring on the lng/lat plane (> 0: counterclockwise).
double SignedArea2(const Path& ring) {
  double sum = 0;
  for (size_t i = 0; i + 1 < ring.size(); ++i) {
    sum += ring[i].lng * ring[i + 1].lat - ring[i + 1].lng * ring[i].lat;
  }
  return sum;
}

// Kusto (S2) reports polygon shells counterclockwise and holes clockwise, GeoJSON's right-hand
// rule; GEOS overlay results come out the other way round. Reversing a closed ring keeps its
// first vertex.
void OrientRings(Geometry& g) {
  for (Polygon& poly : g.polygons) {
    for (size_t i = 0; i < poly.size(); ++i) {
      const double area = SignedArea2(poly[i]);
      if (area != 0 && (area > 0) != (i == 0)) {
        std::reverse(poly[i].begin(), poly[i].end());
      }
    }
  }
  for (Geometry& child : g.children) {
    OrientRings(child);
  }
}

Value ResultValue(GEOSGeometry* raw) {
  GeomPtr g(raw);
  auto geometry = FromGeos(g.get());
  if (!geometry) {
    return Value();
  }
  OrientRings(*geometry);
  return GeometryValue(*geometry);
}

// ---- functions ----

Value FromWkt(std::span<const Value> args, FunctionContext&) {
  if (!args[0].is_string() || args[0].AsString().size() > (size_t{16} << 20)) {
    return Value();
  }
  GEOSWKTReader* reader = GEOSWKTReader_create_r(Ctx());
  GeomPtr g(GEOSWKTReader_read_r(Ctx(), reader, args[0].AsString().c_str()));
  GEOSWKTReader_destroy_r(Ctx(), reader);
  if (!g || GEOSisEmpty_r(Ctx(), g.get()) == 1) {
    return Value();
  }
  auto geometry = FromGeos(g.get());
  if (!geometry) {
    return Value();
  }
  // Round-trip through the GeoJSON validator: coordinates must be valid lng/lat.
  Value out = GeometryValue(*geometry);
  return ParseGeoJson(out) ? out : Value();
}

enum class Shape { kLines, kPolygons };

GeomPtr ShapeArg(const Value& v, Shape shape) {
  if (shape == Shape::kLines) {
    auto lines = ParseLines(v);
    return lines ? LinesToGeos(*lines) : nullptr;
  }
  auto polys = ParsePolygons(v);
  return polys ? PolygonsToGeos(*polys) : nullptr;
}

ScalarImpl Intersection(Shape a_shape, Shape b_shape) {
  return [a_shape, b_shape](std::span<const Value> args, FunctionContext&) -> Value {
    GeomPtr a = ShapeArg(args[0], a_shape);
    GeomPtr b = a ? ShapeArg(args[1], b_shape) : nullptr;
    if (!a || !b) {
      return Value();
    }
    return ResultValue(GEOSIntersection_r(Ctx(), a.get(), b.get()));
  };
}

ScalarImpl Intersects(Shape a_shape, Shape b_shape) {
  return [a_shape, b_shape](std::span<const Value> args, FunctionContext&) -> Value {
    GeomPtr a = ShapeArg(args[0], a_shape);
    GeomPtr b = a ? ShapeArg(args[1], b_shape) : nullptr;
    if (!a || !b) {
      return Value();
    }
    const char r = GEOSIntersects_r(Ctx(), a.get(), b.get());
    return r == 2 ? Value() : Value::Bool(r == 1);
  };
}

// Unions the GeoJSON shapes of a dynamic array; nullptr when any member is invalid.
GeomPtr UnionArray(const Value& arr, Shape shape) {
  if (!arr.is_array() || arr.AsArray().empty()) {
    return nullptr;
  }
  std::vector<Path> lines;
  std::vector<Polygon> polys;
  for (const Value& item : arr.AsArray()) {
    if (shape == Shape::kLines) {
      auto l = ParseLines(item);
      if (!l) {
        return nullptr;
      }
      lines.insert(lines.end(), l->begin(), l->end());
    } else {
      auto p = ParsePolygons(item);
      if (!p) {
        return nullptr;
      }
      polys.insert(polys.end(), p->begin(), p->end());
    }
  }
  GeomPtr all = shape == Shape::kLines ? LinesToGeos(lines) : PolygonsToGeos(polys);
  if (!all) {
    return nullptr;
  }
  GeomPtr u(GEOSUnaryUnion_r(Ctx(), all.get()));
  if (u && shape == Shape::kLines) {
    return GeomPtr(GEOSLineMerge_r(Ctx(), u.get()));
  }
  return u;
}

Value UnionLinesArray(std::span<const Value> args, FunctionContext&) {
  GeomPtr u = UnionArray(args[0], Shape::kLines);
  return u ? ResultValue(u.release()) : Value();
}

Value UnionPolygonsArray(std::span<const Value> args, FunctionContext&) {
  GeomPtr u = UnionArray(args[0], Shape::kPolygons);
  return u ? ResultValue(u.release()) : Value();
}

ScalarImpl Centroid(Shape shape) {
  return [shape](std::span<const Value> args, FunctionContext&) -> Value {
    GeomPtr g = ShapeArg(args[0], shape);
    if (!g) {
      return Value();
    }
    if (shape == Shape::kLines) {
      g.reset(GEOSUnaryUnion_r(Ctx(), g.get()));
    }
    if (!g) {
      return Value();
    }
    GeomPtr c(GEOSGetCentroid_r(Ctx(), g.get()));
    if (!c || GEOSisEmpty_r(Ctx(), c.get()) == 1) {
      return Value();
    }
    double x = 0;
    double y = 0;
    GEOSGeomGetX_r(Ctx(), c.get(), &x);
    GEOSGeomGetY_r(Ctx(), c.get(), &y);
    if (!ValidPoint(x, y)) {
      return Value();
    }
    return PointValue({x, y});
  };
}

// Local equirectangular projection in metres around the shape, so that Douglas-Peucker
// tolerances are metres.
struct Projection {
  double cos_lat = 1;
  static constexpr double kMetersPerDegree = kEarthRadiusMeters * kDegToRad;
};

int ScaleXY(double* x, double* y, void* data) {
  const double* s = static_cast<const double*>(data);
  *x *= s[0];
  *y *= s[1];
  return 1;
}

GeomPtr Transform(const GEOSGeometry* g, double sx, double sy) {
  std::array<double, 2> scale{sx, sy};
  return GeomPtr(GEOSGeom_transformXY_r(Ctx(), g, ScaleXY, scale.data()));
}

std::optional<double> ToleranceArg(std::span<const Value> args, size_t at) {
  if (args.size() <= at || args[at].is_null()) {
    return 10.0;
  }
  auto t = NumberArg(args[at]);
  if (!t || *t < 0 || *t > 7'800'000) {
    return std::nullopt;
  }
  return t;
}

Value SimplifyGeos(GeomPtr g, double tolerance, bool lines) {
  if (!g) {
    return Value();
  }
  double miny = 0;
  double maxy = 0;
  GEOSGeom_getYMin_r(Ctx(), g.get(), &miny);
  GEOSGeom_getYMax_r(Ctx(), g.get(), &maxy);
  const double cos_lat = std::max(0.01, std::cos((miny + maxy) / 2 * kDegToRad));
  const double k = Projection::kMetersPerDegree;
  GeomPtr projected = Transform(g.get(), k * cos_lat, k);
  GeomPtr s(projected ? GEOSSimplify_r(Ctx(), projected.get(), tolerance) : nullptr);
  if (!s || GEOSisEmpty_r(Ctx(), s.get()) == 1) {
    return Value();
  }
  if (lines) {
    // A line whose every vertex is within the tolerance of the others disappears.
    double len = 0;
    GEOSLength_r(Ctx(), s.get(), &len);
    if (len < tolerance) {
      return Value();
    }
  }
  return ResultValue(Transform(s.get(), 1 / (k * cos_lat), 1 / k).release());
}

Value LineSimplify(std::span<const Value> args, FunctionContext&) {
  const auto tol = ToleranceArg(args, 1);
  GeomPtr g = tol ? ShapeArg(args[0], Shape::kLines) : nullptr;
  if (g) {
    g.reset(GEOSLineMerge_r(Ctx(), g.get()));
  }
  return g ? SimplifyGeos(std::move(g), *tol, true) : Value();
}

Value PolygonSimplify(std::span<const Value> args, FunctionContext&) {
  const auto tol = ToleranceArg(args, 1);
  GeomPtr g = tol ? ShapeArg(args[0], Shape::kPolygons) : nullptr;
  return g ? SimplifyGeos(std::move(g), *tol, false) : Value();
}

Value SimplifyPolygonsArray(std::span<const Value> args, FunctionContext&) {
  const auto tol = ToleranceArg(args, 1);
  GeomPtr g = tol ? UnionArray(args[0], Shape::kPolygons) : nullptr;
  return g ? SimplifyGeos(std::move(g), *tol, false) : Value();
}

}  // namespace

void RegisterGeoGeosFunctions(Registry& r) {
  const Arg any = Arg::kAny;
  const Arg n = Arg::kNumber;
  Add(r, "geo_from_wkt", 1, 1, Returns("geo_from_wkt", Type::kDynamic, {Arg::kString}), FromWkt);
  Add(r, "geo_intersection_2lines", 2, 2,
      Returns("geo_intersection_2lines", Type::kDynamic, {any, any}),
      Intersection(Shape::kLines, Shape::kLines));
  Add(r, "geo_intersection_2polygons", 2, 2,
      Returns("geo_intersection_2polygons", Type::kDynamic, {any, any}),
      Intersection(Shape::kPolygons, Shape::kPolygons));
  Add(r, "geo_intersection_line_with_polygon", 2, 2,
      Returns("geo_intersection_line_with_polygon", Type::kDynamic, {any, any}),
      Intersection(Shape::kLines, Shape::kPolygons));
  Add(r, "geo_intersects_2lines", 2, 2, Returns("geo_intersects_2lines", Type::kBool, {any, any}),
      Intersects(Shape::kLines, Shape::kLines));
  Add(r, "geo_intersects_2polygons", 2, 2,
      Returns("geo_intersects_2polygons", Type::kBool, {any, any}),
      Intersects(Shape::kPolygons, Shape::kPolygons));
  Add(r, "geo_intersects_line_with_polygon", 2, 2,
      Returns("geo_intersects_line_with_polygon", Type::kBool, {any, any}),
      Intersects(Shape::kLines, Shape::kPolygons));
  Add(r, "geo_union_lines_array", 1, 1, Returns("geo_union_lines_array", Type::kDynamic, {any}),
      UnionLinesArray);
  Add(r, "geo_union_polygons_array", 1, 1,
      Returns("geo_union_polygons_array", Type::kDynamic, {any}), UnionPolygonsArray);
  Add(r, "geo_line_centroid", 1, 1, Returns("geo_line_centroid", Type::kDynamic, {any}),
      Centroid(Shape::kLines));
  Add(r, "geo_polygon_centroid", 1, 1, Returns("geo_polygon_centroid", Type::kDynamic, {any}),
      Centroid(Shape::kPolygons));
  Add(r, "geo_line_simplify", 1, 2, Returns("geo_line_simplify", Type::kDynamic, {any, n}),
      LineSimplify);
  Add(r, "geo_polygon_simplify", 1, 2, Returns("geo_polygon_simplify", Type::kDynamic, {any, n}),
      PolygonSimplify);
  Add(r, "geo_simplify_polygons_array", 1, 2,
      Returns("geo_simplify_polygons_array", Type::kDynamic, {any, n}), SimplifyPolygonsArray);
}

}  // namespace vigil::kql::geo

// Shared pieces of the KQL geo_* functions: a small geometry model, GeoJSON parsing and
// rendering with Kusto's validity rules, and spherical maths (Kusto measures on a sphere of
// radius 6,371,010 m with geodesic edges). Used only by functions/geo_*.cpp. Pure functions,
// thread-safe.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "vigil/kql/functions/registry.h"
#include "vigil/kql/value.h"

namespace vigil::kql::geo {

inline constexpr double kEarthRadiusMeters = 6371010.0;
inline constexpr double kPi = 3.14159265358979323846;
inline constexpr double kDegToRad = kPi / 180.0;

struct Pt {
  double lng = 0;
  double lat = 0;
};
using Path = std::vector<Pt>;          // a line or a ring (rings are closed: first == last)
using Polygon = std::vector<Path>;     // outer ring then holes

// A parsed GeoJSON geometry. Collections keep their members in `children`.
struct Geometry {
  enum class Kind { kPoint, kMultiPoint, kLine, kMultiLine, kPolygon, kMultiPolygon, kCollection };
  Kind kind = Kind::kPoint;
  Path points;                    // Point / MultiPoint
  std::vector<Path> lines;        // LineString / MultiLineString
  std::vector<Polygon> polygons;  // Polygon / MultiPolygon
  std::vector<Geometry> children;
  bool Empty() const {
    return points.empty() && lines.empty() && polygons.empty() && children.empty();
  }
};

bool ValidPoint(double lng, double lat);
// Numeric argument as a double (int, long, real, or a number inside dynamic); nullopt else.
std::optional<double> NumberArg(const Value& v);

// GeoJSON parsing (a bag, or a string holding JSON). nullopt when the shape is invalid by
// Kusto's rules: coordinates in range, lines of >= 2 points, rings closed with >= 4 points
// and at least 3 distinct vertices.
std::optional<Geometry> ParseGeoJson(const Value& v);
// Lines only: LineString or MultiLineString.
std::optional<std::vector<Path>> ParseLines(const Value& v);
// Polygons only: Polygon or MultiPolygon.
std::optional<std::vector<Polygon>> ParsePolygons(const Value& v);

Value PointValue(Pt p);
Value GeometryValue(const Geometry& g);
Value EmptyCollectionValue();

// Spherical maths (angles in degrees in, metres out).
double Distance(Pt a, Pt b);
// Distance from p to the geodesic segment a-b, and the fraction (0..1) along it of the
// closest point.
double DistanceToSegment(Pt p, Pt a, Pt b, double* fraction = nullptr);
double PathLength(const Path& path);
// Even-odd test on the lng/lat plane (edges of the doc-sized polygons are close to planar).
bool PointInPolygon(Pt p, const Polygon& poly);

// Group halves registered by RegisterGeoFunctions.
void RegisterGeoGeosFunctions(Registry& r);  // geo_geos.cpp
void RegisterGeoCellFunctions(Registry& r);  // geo_cells.cpp (geohash, S2)

}  // namespace vigil::kql::geo

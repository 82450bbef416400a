// KQL H3 functions on our own H3 grid (geo_h3_grid.h): geo_point_to_h3cell,
// geo_h3cell_to_central_point, geo_h3cell_to_polygon, geo_h3cell_parent, geo_h3cell_children,
// geo_h3cell_level, geo_h3cell_neighbors, geo_h3cell_rings, geo_polygon_to_h3cells. Invalid
// input gives Kusto's empty string (token results) or null (other results), never an error.
#include "vigil/kql/functions/geo_h3.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "vigil/kql/functions/function_util2.h"
#include "vigil/kql/functions/geo_h3_grid.h"
#include "vigil/kql/functions/geo_util.h"
#include "vigil/kql/value.h"

namespace vigil::kql {
namespace {

using fn2::Add;
using fn2::Arg;
using fn2::Returns;
using geo::Pt;
namespace h3 = geo::h3;

constexpr int kDefaultResolution = 6;
constexpr int kMaxChildLevels = 5;        // children at most 5 levels down (16807 tokens)
constexpr int64_t kMaxRingDistance = 142;
constexpr size_t kMaxPolygonCells = 61680;
constexpr double kRadToDeg = 180.0 / geo::kPi;
// Mean hexagon edge length at resolution 0 (metres); each level divides it by sqrt(7).
constexpr double kRes0EdgeMeters = 1281256.0;
constexpr double kMetersPerDegree = 111195.0;

std::optional<h3::Index> CellArg(const Value& v) {
  if (!v.is_string()) {
    return std::nullopt;
  }
  return h3::ParseCell(v.AsString());
}

Pt ToPt(h3::LatLng g) { return {g.lng * kRadToDeg, g.lat * kRadToDeg}; }

Value TokenArray(const std::vector<h3::Index>& cells) {
  Array out;
  out.reserve(cells.size());
  for (h3::Index c : cells) {
    out.push_back(Value::String(h3::FormatCell(c)));
  }
  return Value::MakeArray(std::move(out));
}

// Optional int argument: `dflt` when absent; nullopt when present but null or not integral.
std::optional<int64_t> OptionalInt(std::span<const Value> args, size_t at, int64_t dflt) {
  if (args.size() <= at) {
    return dflt;
  }
  return fn2::IntegerOf(args[at]);
}

Value PointToCell(std::span<const Value> args, FunctionContext&) {
  const auto lng = geo::NumberArg(args[0]);
  const auto lat = geo::NumberArg(args[1]);
  const auto res = OptionalInt(args, 2, kDefaultResolution);
  if (!lng || !lat || !res || !geo::ValidPoint(*lng, *lat) || *res < 0 ||
      *res > h3::kMaxResolution) {
    return Value::String("");
  }
  const h3::Index c = h3::LatLngToCell(
      {*lat * geo::kDegToRad, *lng * geo::kDegToRad}, static_cast<int>(*res));
  return Value::String(c == 0 ? "" : h3::FormatCell(c));
}

Value CellToCentralPoint(std::span<const Value> args, FunctionContext&) {
  const auto c = CellArg(args[0]);
  return c ? geo::PointValue(ToPt(h3::CellToLatLng(*c))) : Value();
}

Value CellToPolygon(std::span<const Value> args, FunctionContext&) {
  const auto c = CellArg(args[0]);
  if (!c) {
    return Value();
  }
  geo::Path ring;
  for (const h3::LatLng& v : h3::CellToBoundary(*c)) {
    ring.push_back(ToPt(v));
  }
  ring.push_back(ring.front());
  geo::Geometry g;
  g.kind = geo::Geometry::Kind::kPolygon;
  g.polygons.push_back({std::move(ring)});
  return geo::GeometryValue(g);
}

Value CellParent(std::span<const Value> args, FunctionContext&) {
  const auto c = CellArg(args[0]);
  if (!c) {
    return Value::String("");
  }
  const int level = h3::Resolution(*c);
  const auto res = OptionalInt(args, 1, level - 1);
  if (!res || *res < 0 || *res > level) {
    return Value::String("");
  }
  return Value::String(h3::FormatCell(h3::CellToParent(*c, static_cast<int>(*res))));
}

Value CellChildren(std::span<const Value> args, FunctionContext&) {
  const auto c = CellArg(args[0]);
  if (!c) {
    return Value();
  }
  const int level = h3::Resolution(*c);
  const auto res = OptionalInt(args, 1, level + 1);
  if (!res || *res < level || *res > h3::kMaxResolution || *res - level > kMaxChildLevels) {
    return Value();
  }
  return TokenArray(h3::CellToChildren(*c, static_cast<int>(*res)));
}

Value CellLevel(std::span<const Value> args, FunctionContext&) {
  const auto c = CellArg(args[0]);
  return c ? Value::Int(h3::Resolution(*c)) : Value();
}

Value CellNeighbors(std::span<const Value> args, FunctionContext&) {
  const auto c = CellArg(args[0]);
  return c ? TokenArray(h3::Neighbors(*c)) : Value();
}

Value CellRings(std::span<const Value> args, FunctionContext&) {
  const auto c = CellArg(args[0]);
  const auto distance = fn2::IntegerOf(args[1]);
  if (!c || !distance || *distance < 0 || *distance > kMaxRingDistance) {
    return Value();
  }
  const auto rings = h3::Rings(*c, static_cast<int>(*distance), kMaxPolygonCells);
  if (rings.empty()) {
    return Value();
  }
  Array out;
  for (const auto& ring : rings) {
    out.push_back(TokenArray(ring));
  }
  return Value::MakeArray(std::move(out));
}

// ---- polygon -> cells: the cells whose centre lies in the polygon (straight edges on the
// lng/lat plane, as Kusto documents), or within `radius` metres of it. ----

struct Region {
  std::vector<geo::Polygon> polygons;
  double radius = 0;

  bool Contains(Pt p) const {
    for (const geo::Polygon& poly : polygons) {
      if (geo::PointInPolygon(p, poly)) {
        return true;
      }
    }
    if (radius <= 0) {
      return false;
    }
    for (const geo::Polygon& poly : polygons) {
      for (const geo::Path& ring : poly) {
        for (size_t i = 0; i + 1 < ring.size(); ++i) {
          if (geo::DistanceToSegment(p, ring[i], ring[i + 1]) <= radius) {
            return true;
          }
        }
      }
    }
    return false;
  }
};

// Cells along every ring, sampled finer than a cell edge so no boundary cell is skipped; they
// seed the flood fill (a thin polygon may have no inside centre next to another one).
std::optional<std::vector<h3::Index>> BoundarySeeds(const Region& region, int res) {
  const double edge_deg = kRes0EdgeMeters / std::pow(std::sqrt(7.0), res) / kMetersPerDegree;
  constexpr size_t kMaxSamples = 1'000'000;
  std::vector<h3::Index> seeds;
  size_t samples = 0;
  for (const geo::Polygon& poly : region.polygons) {
    for (const geo::Path& ring : poly) {
      for (size_t i = 0; i + 1 < ring.size(); ++i) {
        const Pt a = ring[i];
        const Pt b = ring[i + 1];
        const double max_cos = std::max(0.01, std::min(std::cos(a.lat * geo::kDegToRad),
                                                        std::cos(b.lat * geo::kDegToRad)));
        const double len = std::hypot((b.lng - a.lng) * max_cos, b.lat - a.lat) / max_cos;
        const auto steps = static_cast<size_t>(std::ceil(len / (edge_deg / 4))) + 1;
        samples += steps;
        if (samples > kMaxSamples) {
          return std::nullopt;
        }
        for (size_t s = 0; s <= steps; ++s) {
          const double t = static_cast<double>(s) / static_cast<double>(steps);
          const double lng = a.lng + (b.lng - a.lng) * t;
          const double lat = a.lat + (b.lat - a.lat) * t;
          const h3::Index c = h3::LatLngToCell({lat * geo::kDegToRad, lng * geo::kDegToRad}, res);
          if (c != 0 && (seeds.empty() || seeds.back() != c)) {
            seeds.push_back(c);
          }
        }
      }
    }
  }
  return seeds;
}

Value PolygonToCells(std::span<const Value> args, FunctionContext&) {
  auto polygons = geo::ParsePolygons(args[0]);
  const auto res = OptionalInt(args, 1, kDefaultResolution);
  std::optional<double> radius = 0.0;
  if (args.size() > 2) {
    radius = geo::NumberArg(args[2]);
  }
  if (!polygons || !res || *res < 0 || *res > h3::kMaxResolution || !radius ||
      !std::isfinite(*radius) || *radius < 0) {
    return Value();
  }
  Region region{std::move(*polygons), *radius};
  const auto seeds = BoundarySeeds(region, static_cast<int>(*res));
  if (!seeds) {
    return Value();
  }
  std::unordered_set<h3::Index> visited;
  std::deque<h3::Index> queue;
  std::vector<h3::Index> found;
  // Bounds the work of long thin shapes, whose boundary cells far outnumber the result.
  constexpr size_t kMaxVisited = 8 * kMaxPolygonCells;
  auto visit = [&](h3::Index c, bool seed) {
    if (visited.size() > kMaxVisited || !visited.insert(c).second) {
      return;
    }
    const bool inside = region.Contains(ToPt(h3::CellToLatLng(c)));
    if (inside) {
      found.push_back(c);
    }
    if (inside || seed) {
      queue.push_back(c);
    }
  };
  for (h3::Index c : *seeds) {
    visit(c, true);
  }
  while (!queue.empty()) {
    if (found.size() > kMaxPolygonCells) {
      return Value();
    }
    const h3::Index c = queue.front();
    queue.pop_front();
    for (h3::Index n : h3::UnorderedNeighbors(c)) {
      visit(n, false);
    }
  }
  if (found.size() > kMaxPolygonCells || visited.size() > kMaxVisited) {
    return Value();
  }
  std::sort(found.begin(), found.end());
  return TokenArray(found);
}

}  // namespace

void RegisterGeoH3Functions(Registry& r) {
  const Arg n = Arg::kNumber;
  const Arg s = Arg::kString;
  const Arg any = Arg::kAny;
  Add(r, "geo_point_to_h3cell", 2, 3, Returns("geo_point_to_h3cell", Type::kString, {n, n, n}),
      PointToCell);
  Add(r, "geo_h3cell_to_central_point", 1, 1,
      Returns("geo_h3cell_to_central_point", Type::kDynamic, {s}), CellToCentralPoint);
  Add(r, "geo_h3cell_to_polygon", 1, 1, Returns("geo_h3cell_to_polygon", Type::kDynamic, {s}),
      CellToPolygon);
  Add(r, "geo_h3cell_parent", 1, 2, Returns("geo_h3cell_parent", Type::kString, {s, n}),
      CellParent);
  Add(r, "geo_h3cell_children", 1, 2, Returns("geo_h3cell_children", Type::kDynamic, {s, n}),
      CellChildren);
  Add(r, "geo_h3cell_level", 1, 1, Returns("geo_h3cell_level", Type::kInt, {s}), CellLevel);
  Add(r, "geo_h3cell_neighbors", 1, 1, Returns("geo_h3cell_neighbors", Type::kDynamic, {s}),
      CellNeighbors);
  Add(r, "geo_h3cell_rings", 2, 2, Returns("geo_h3cell_rings", Type::kDynamic, {s, n}),
      CellRings);
  Add(r, "geo_polygon_to_h3cells", 1, 3,
      Returns("geo_polygon_to_h3cells", Type::kDynamic, {any, n, n}), PolygonToCells);
}

}  // namespace vigil::kql

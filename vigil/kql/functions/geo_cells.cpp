// Grid-cell geo_* functions: geohash (own code) and S2 cells (libs2): geo_point_to_geohash,
// geo_geohash_to_central_point/polygon/neighbors, geo_point_to_s2cell,
// geo_s2cell_to_central_point/polygon/neighbors, geo_polygon_to_s2cells, plus
// geo_polygon_area (S2's spherical loop area). The H3 functions are in geo_h3*.cpp (our own
// implementation: no H3 library is packaged for Debian 12; docs/adr/0005-h3-cells.md).
#include <s2/s2cell.h>
#include <s2/s2cell_id.h>
#include <s2/s2latlng.h>
#include <s2/s2loop.h>
#include <s2/s2polygon.h>
#include <s2/s2region_coverer.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vigil/kql/functions/function_util2.h"
#include "vigil/kql/functions/geo_util.h"
#include "vigil/kql/functions/registry.h"
#include "vigil/kql/value.h"

namespace vigil::kql::geo {
namespace {

// Component-wise equality (S2's Vector3 operators are ambiguous under C++20 in clang).
bool SamePoint(const S2Point& a, const S2Point& b) {
  return a.x() == b.x() && a.y() == b.y() && a.z() == b.z();
}


using fn2::Add;
using fn2::Arg;
using fn2::Returns;

// ---- geohash ----

constexpr std::string_view kGeohashAlphabet = "0123456789bcdefghjkmnpqrstuvwxyz";
constexpr int kMaxGeohashLength = 18;

struct Box {
  double min_lng = -180;
  double max_lng = 180;
  double min_lat = -90;
  double max_lat = 90;
};

std::string EncodeGeohash(double lng, double lat, int length) {
  Box box;
  std::string out;
  bool even = true;  // even bits refine longitude
  int bit = 0;
  int ch = 0;
  while (static_cast<int>(out.size()) < length) {
    if (even) {
      const double mid = (box.min_lng + box.max_lng) / 2;
      ch <<= 1;
      if (lng >= mid) {
        ch |= 1;
        box.min_lng = mid;
      } else {
        box.max_lng = mid;
      }
    } else {
      const double mid = (box.min_lat + box.max_lat) / 2;
      ch <<= 1;
      if (lat >= mid) {
        ch |= 1;
        box.min_lat = mid;
      } else {
        box.max_lat = mid;
      }
    }
    even = !even;
    if (++bit == 5) {
      out.push_back(kGeohashAlphabet[static_cast<size_t>(ch)]);
      bit = 0;
      ch = 0;
    }
  }
  return out;
}

std::optional<Box> DecodeGeohash(const Value& v) {
  if (!v.is_string()) {
    return std::nullopt;
  }
  const std::string& s = v.AsString();
  if (s.empty() || s.size() > kMaxGeohashLength) {
    return std::nullopt;
  }
  Box box;
  bool even = true;
  for (char c : s) {
    const char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const size_t idx = kGeohashAlphabet.find(lower);
    if (idx == std::string_view::npos) {
      return std::nullopt;
    }
    for (int b = 4; b >= 0; --b) {
      const bool set = ((idx >> b) & 1) != 0;
      if (even) {
        const double mid = (box.min_lng + box.max_lng) / 2;
        (set ? box.min_lng : box.max_lng) = mid;
      } else {
        const double mid = (box.min_lat + box.max_lat) / 2;
        (set ? box.min_lat : box.max_lat) = mid;
      }
      even = !even;
    }
  }
  return box;
}

Value PointToGeohash(std::span<const Value> args, FunctionContext&) {
  const auto lng = NumberArg(args[0]);
  const auto lat = NumberArg(args[1]);
  int64_t accuracy = 5;
  if (args.size() > 2) {
    const auto a = fn2::IntegerOf(args[2]);
    if (!a) {
      return Value();
    }
    accuracy = *a;
  }
  if (!lng || !lat || !ValidPoint(*lng, *lat) || accuracy < 1 || accuracy > kMaxGeohashLength) {
    return Value();
  }
  return Value::String(EncodeGeohash(*lng, *lat, static_cast<int>(accuracy)));
}

Value GeohashToCentralPoint(std::span<const Value> args, FunctionContext&) {
  const auto box = DecodeGeohash(args[0]);
  if (!box) {
    return Value();
  }
  return PointValue({(box->min_lng + box->max_lng) / 2, (box->min_lat + box->max_lat) / 2});
}

Value BoxPolygon(const Box& b) {
  Geometry g;
  g.kind = Geometry::Kind::kPolygon;
  g.polygons.push_back({{{b.min_lng, b.min_lat},
                         {b.max_lng, b.min_lat},
                         {b.max_lng, b.max_lat},
                         {b.min_lng, b.max_lat},
                         {b.min_lng, b.min_lat}}});
  return GeometryValue(g);
}

Value GeohashToPolygon(std::span<const Value> args, FunctionContext&) {
  const auto box = DecodeGeohash(args[0]);
  return box ? BoxPolygon(*box) : Value();
}

// The 8 surrounding cells of the same length, from north clockwise; cells beyond the poles
// are left out and longitude wraps around the antimeridian.
Value GeohashNeighbors(std::span<const Value> args, FunctionContext&) {
  const auto box = DecodeGeohash(args[0]);
  if (!box) {
    return Value();
  }
  const int length = static_cast<int>(args[0].AsString().size());
  const double w = box->max_lng - box->min_lng;
  const double h = box->max_lat - box->min_lat;
  const double clng = (box->min_lng + box->max_lng) / 2;
  const double clat = (box->min_lat + box->max_lat) / 2;
  static constexpr int kSteps[8][2] = {{0, 1}, {1, 1}, {1, 0}, {1, -1},
                                       {0, -1}, {-1, -1}, {-1, 0}, {-1, 1}};
  Array out;
  for (const auto& step : kSteps) {
    const double lat = clat + step[1] * h;
    if (lat > 90 || lat < -90) {
      continue;
    }
    double lng = clng + step[0] * w;
    if (lng > 180) {
      lng -= 360;
    } else if (lng < -180) {
      lng += 360;
    }
    out.push_back(Value::String(EncodeGeohash(lng, lat, length)));
  }
  return Value::MakeArray(std::move(out));
}

// ---- S2 ----

constexpr int kMaxS2Level = 30;
// Largest covering geo_polygon_to_s2cells returns; bigger ones are null (bounded memory).
constexpr int kMaxCoveringCells = 65536;

std::optional<S2CellId> CellArg(const Value& v) {
  if (!v.is_string() || v.AsString().empty() || v.AsString().size() > 16) {
    return std::nullopt;
  }
  for (char c : v.AsString()) {
    if (std::isxdigit(static_cast<unsigned char>(c)) == 0) {
      return std::nullopt;
    }
  }
  const S2CellId id = S2CellId::FromToken(v.AsString());
  if (!id.is_valid()) {
    return std::nullopt;
  }
  return id;
}

Pt ToPt(const S2Point& p) {
  const S2LatLng ll(p);
  return {ll.lng().degrees(), ll.lat().degrees()};
}

std::optional<int64_t> LevelArg(std::span<const Value> args, size_t at, int64_t dflt) {
  if (args.size() <= at) {
    return dflt;
  }
  const auto level = fn2::IntegerOf(args[at]);
  if (!level || *level < 0 || *level > kMaxS2Level) {
    return std::nullopt;
  }
  return level;
}

Value PointToS2Cell(std::span<const Value> args, FunctionContext&) {
  const auto lng = NumberArg(args[0]);
  const auto lat = NumberArg(args[1]);
  const auto level = LevelArg(args, 2, 11);
  if (!lng || !lat || !level || !ValidPoint(*lng, *lat)) {
    return Value();
  }
  const S2CellId leaf(S2LatLng::FromDegrees(*lat, *lng));
  return Value::String(leaf.parent(static_cast<int>(*level)).ToToken());
}

Value S2CellToCentralPoint(std::span<const Value> args, FunctionContext&) {
  const auto id = CellArg(args[0]);
  return id ? PointValue(ToPt(id->ToPoint())) : Value();
}

Value S2CellToPolygon(std::span<const Value> args, FunctionContext&) {
  const auto id = CellArg(args[0]);
  if (!id) {
    return Value();
  }
  const S2Cell cell(*id);
  Path ring;
  for (int k = 0; k < 4; ++k) {
    ring.push_back(ToPt(cell.GetVertex(k)));
  }
  ring.push_back(ring.front());
  Geometry g;
  g.kind = Geometry::Kind::kPolygon;
  g.polygons.push_back({std::move(ring)});
  return GeometryValue(g);
}

Value S2CellNeighbors(std::span<const Value> args, FunctionContext&) {
  const auto id = CellArg(args[0]);
  if (!id) {
    return Value();
  }
  std::vector<S2CellId> cells;
  id->AppendAllNeighbors(id->level(), &cells);
  Array out;
  for (const S2CellId& c : cells) {
    out.push_back(Value::String(c.ToToken()));
  }
  return Value::MakeArray(std::move(out));
}

// S2 polygon of GeoJSON polygons (geodesic edges, as Kusto). nullptr when S2 rejects it.
std::unique_ptr<S2Polygon> ToS2(const std::vector<Polygon>& polygons) {
  std::vector<std::unique_ptr<S2Loop>> loops;
  for (const Polygon& poly : polygons) {
    for (const Path& ring : poly) {
      std::vector<S2Point> pts;
      for (size_t i = 0; i + 1 < ring.size(); ++i) {
        const S2Point p = S2LatLng::FromDegrees(ring[i].lat, ring[i].lng).ToPoint();
        if (pts.empty() || !SamePoint(pts.back(), p)) {
          pts.push_back(p);
        }
      }
      while (pts.size() > 1 && SamePoint(pts.front(), pts.back())) {
        pts.pop_back();
      }
      if (pts.size() < 3) {
        return nullptr;
      }
      auto loop = std::make_unique<S2Loop>(pts, S2Debug::DISABLE);
      if (!loop->IsValid()) {
        return nullptr;
      }
      // GeoJSON does not fix ring orientation; take the smaller side as the inside.
      loop->Normalize();
      loops.push_back(std::move(loop));
    }
  }
  auto out = std::make_unique<S2Polygon>();
  out->set_s2debug_override(S2Debug::DISABLE);
  out->InitNested(std::move(loops));
  if (!out->IsValid()) {
    return nullptr;
  }
  return out;
}

Value PolygonToS2Cells(std::span<const Value> args, FunctionContext&) {
  auto polygons = ParsePolygons(args[0]);
  const auto level = LevelArg(args, 1, 11);
  if (!polygons || !level) {
    return Value();
  }
  auto s2 = ToS2(*polygons);
  if (!s2) {
    return Value();
  }
  // A fixed-level covering has at least area / cell-area cells: refuse huge ones up front.
  const double cell_area = S2Cell::AverageArea(static_cast<int>(*level));
  if (s2->GetArea() / cell_area > kMaxCoveringCells) {
    return Value();
  }
  S2RegionCoverer::Options options;
  options.set_fixed_level(static_cast<int>(*level));
  options.set_max_cells(kMaxCoveringCells);
  S2RegionCoverer coverer(options);
  std::vector<S2CellId> cells;
  coverer.GetCovering(*s2, &cells);
  if (static_cast<int>(cells.size()) > kMaxCoveringCells) {
    return Value();
  }
  Array out;
  for (const S2CellId& c : cells) {
    out.push_back(Value::String(c.ToToken()));
  }
  return Value::MakeArray(std::move(out));
}

Value PolygonArea(std::span<const Value> args, FunctionContext&) {
  auto polygons = ParsePolygons(args[0]);
  if (!polygons) {
    return Value();
  }
  auto s2 = ToS2(*polygons);
  if (!s2) {
    return Value();
  }
  return Value::Real(s2->GetArea() * kEarthRadiusMeters * kEarthRadiusMeters);
}

}  // namespace

void RegisterGeoCellFunctions(Registry& r) {
  const Arg n = Arg::kNumber;
  const Arg any = Arg::kAny;
  const Arg s = Arg::kString;
  Add(r, "geo_point_to_geohash", 2, 3, Returns("geo_point_to_geohash", Type::kString, {n, n, n}),
      PointToGeohash);
  Add(r, "geo_geohash_to_central_point", 1, 1,
      Returns("geo_geohash_to_central_point", Type::kDynamic, {s}), GeohashToCentralPoint);
  Add(r, "geo_geohash_to_polygon", 1, 1, Returns("geo_geohash_to_polygon", Type::kDynamic, {s}),
      GeohashToPolygon);
  Add(r, "geo_geohash_neighbors", 1, 1, Returns("geo_geohash_neighbors", Type::kDynamic, {s}),
      GeohashNeighbors);
  Add(r, "geo_point_to_s2cell", 2, 3, Returns("geo_point_to_s2cell", Type::kString, {n, n, n}),
      PointToS2Cell);
  Add(r, "geo_s2cell_to_central_point", 1, 1,
      Returns("geo_s2cell_to_central_point", Type::kDynamic, {s}), S2CellToCentralPoint);
  Add(r, "geo_s2cell_to_polygon", 1, 1, Returns("geo_s2cell_to_polygon", Type::kDynamic, {s}),
      S2CellToPolygon);
  Add(r, "geo_s2cell_neighbors", 1, 1, Returns("geo_s2cell_neighbors", Type::kDynamic, {s}),
      S2CellNeighbors);
  Add(r, "geo_polygon_to_s2cells", 1, 2,
      Returns("geo_polygon_to_s2cells", Type::kDynamic, {any, n}), PolygonToS2Cells);
  Add(r, "geo_polygon_area", 1, 1, Returns("geo_polygon_area", Type::kReal, {any}), PolygonArea);
}

}  // namespace vigil::kql::geo

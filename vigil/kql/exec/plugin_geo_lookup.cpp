// The geo_polygon_lookup and geo_line_lookup evaluate plugins: join each input row's point
// (longitude, latitude columns) with the lookup table's rows whose polygon contains it (or lies
// within `radius` metres) or whose line lies within `radius` metres. Planned from
// compiler_ops3.cpp's PlanEvaluate; the lookup table and the input are read whole, the output
// is charged to the query's memory budget. One query runs on one thread.
#include "vigil/kql/exec/plugin_geo_lookup.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "vigil/kql/exec/operators2.h"
#include "vigil/kql/functions/geo_util.h"

namespace vigil::kql {
namespace {

// Bounds the point x lookup-row tests one query may run.
constexpr uint64_t kMaxPairTests = uint64_t{2'000'000'000};

struct LookupArgs {
  const Expr* table = nullptr;
  std::string key;
  const Expr* lng = nullptr;
  const Expr* lat = nullptr;
  const Expr* radius = nullptr;
  const Expr* return_unmatched = nullptr;
  const Expr* return_lookup_key = nullptr;
};

// Positional order: table, key, longitude, latitude, radius, return_unmatched,
// lookup_area_radius, return_lookup_key; the optional ones may also be named.
KResult<LookupArgs> SplitArgs(const Expr& call) {
  static const char* const kNames[] = {"",       "",  "", "", "radius", "return_unmatched",
                                       "lookup_area_radius", "return_lookup_key"};
  std::vector<const Expr*> slots(8, nullptr);
  size_t positional = 0;
  for (const auto& a : call.args) {
    if (a->kind == ExprKind::kBinary && a->op == "=" && a->args.size() == 2 &&
        a->args[0]->kind == ExprKind::kName) {
      size_t at = 4;
      while (at < 8 && a->args[0]->name != kNames[at]) {
        ++at;
      }
      if (at == 8) {
        return KErr("KQL0104", call.name + "(): unknown parameter '" + a->args[0]->name + "'",
                    a->pos);
      }
      slots[at] = a->args[1].get();
      continue;
    }
    if (positional >= 8) {
      return KErr("KQL0104", call.name + "(): too many arguments", a->pos);
    }
    slots[positional++] = a.get();
  }
  for (size_t i = 0; i < 4; ++i) {
    if (slots[i] == nullptr) {
      return KErr("KQL0104",
                  call.name + "(): expects a lookup table, its key column and the longitude "
                              "and latitude columns",
                  call.pos);
    }
  }
  if (slots[1]->kind != ExprKind::kName) {
    return KErr("KQL0104", call.name + "(): the lookup key must be a column name", slots[1]->pos);
  }
  return LookupArgs{slots[0], slots[1]->name, slots[2], slots[3], slots[4], slots[5], slots[7]};
}

// A constant parameter (literal or let-bound scalar); `dflt` when absent.
KResult<Value> ConstArg(Compiler& c, const Expr* e, const ScopePtr& scope, Value dflt) {
  if (e == nullptr) {
    return dflt;
  }
  auto bound = c.BindExpr(*e, Schema{}, scope);
  if (!bound) {
    return tl::unexpected(bound.error());
  }
  Chunk empty;
  return Eval(**bound, empty, 0, c.ctx()->eval);
}

// One parsed lookup shape; `valid` false when the key is not a shape of the plugin's kind.
struct Shape {
  bool valid = false;
  std::vector<geo::Polygon> polygons;
  std::vector<geo::Path> lines;
};

double DistanceToPaths(geo::Pt p, const std::vector<geo::Path>& paths) {
  double best = INFINITY;
  for (const geo::Path& path : paths) {
    if (path.size() == 1) {
      best = std::min(best, geo::Distance(p, path[0]));
    }
    for (size_t i = 0; i + 1 < path.size(); ++i) {
      best = std::min(best, geo::DistanceToSegment(p, path[i], path[i + 1]));
    }
  }
  return best;
}

bool Matches(const Shape& s, geo::Pt p, bool lines, double radius) {
  if (!s.valid) {
    return false;
  }
  if (lines) {
    return DistanceToPaths(p, s.lines) <= radius;
  }
  for (const geo::Polygon& poly : s.polygons) {
    if (geo::PointInPolygon(p, poly)) {
      return true;
    }
  }
  if (radius <= 0) {
    return false;
  }
  for (const geo::Polygon& poly : s.polygons) {
    if (DistanceToPaths(p, poly) <= radius) {
      return true;
    }
  }
  return false;
}

}  // namespace

KResult<PhysOpPtr> PlanGeoLookup(Compiler& c, const Expr& call, PhysOpPtr input, ScopePtr scope) {
  const bool lines = call.name == "geo_line_lookup";
  auto args = SplitArgs(call);
  if (!args) {
    return tl::unexpected(args.error());
  }
  if (lines && args->radius == nullptr) {
    return KErr("KQL0104", "geo_line_lookup(): expects a radius", call.pos);
  }
  auto radius_v = ConstArg(c, args->radius, scope, Value::Real(0));
  auto unmatched_v = ConstArg(c, args->return_unmatched, scope, Value::Bool(false));
  auto key_v = ConstArg(c, args->return_lookup_key, scope, Value::Bool(false));
  for (const auto* r : {&radius_v, &unmatched_v, &key_v}) {
    if (!*r) {
      return tl::unexpected(r->error());
    }
  }
  const std::optional<double> radius = geo::NumberArg(*radius_v);
  if (!radius || !std::isfinite(*radius) || *radius < 0 || (lines && *radius <= 0)) {
    return KErr("KQL0104", call.name + "(): radius must be a positive number of metres",
                call.pos);
  }
  const bool return_unmatched = unmatched_v->kind() == Kind::kBool && unmatched_v->AsBool();
  const bool return_key = key_v->kind() == Kind::kBool && key_v->AsBool();

  auto lookup_op = c.PlanTabularExpr(*args->table, scope);
  if (!lookup_op) {
    return tl::unexpected(lookup_op.error());
  }
  const Schema in_schema = input->schema();
  auto lng = c.BindExpr(*args->lng, in_schema, scope);
  auto lat = c.BindExpr(*args->lat, in_schema, scope);
  if (!lng || !lat) {
    return tl::unexpected(!lng ? lng.error() : lat.error());
  }
  auto lookup = c.Execute(std::move(*lookup_op));
  if (!lookup) {
    return tl::unexpected(lookup.error());
  }
  const Table& lt = **lookup;
  const int key_col = FindColumn(lt.schema, args->key);
  if (key_col < 0) {
    return KErr("KQL0104", call.name + "(): unknown lookup column '" + args->key + "'", call.pos);
  }
  Schema schema = in_schema;
  std::vector<size_t> lookup_cols;
  for (size_t i = 0; i < lt.schema.size(); ++i) {
    if (static_cast<int>(i) == key_col && !return_key) {
      continue;
    }
    lookup_cols.push_back(i);
    schema.push_back({UniqueName(schema, lt.schema[i].name), lt.schema[i].type});
  }
  std::vector<Shape> shapes(lt.rows);
  for (size_t r = 0; r < lt.rows; ++r) {
    const Value key = CellOrNull(lt.cols[static_cast<size_t>(key_col)], r);
    if (lines) {
      if (auto parsed = geo::ParseLines(key)) {
        shapes[r] = Shape{true, {}, std::move(*parsed)};
      }
    } else if (auto parsed = geo::ParsePolygons(key)) {
      shapes[r] = Shape{true, std::move(*parsed), {}};
    }
  }
  auto in_table = c.Execute(std::move(input));
  if (!in_table) {
    return tl::unexpected(in_table.error());
  }
  const Chunk data = TableChunk(**in_table);
  if (static_cast<uint64_t>(data.rows) * std::max<uint64_t>(lt.rows, 1) > kMaxPairTests) {
    return KErr("KQL0110", call.name + "(): input x lookup table is too large", call.pos);
  }
  auto out = std::make_shared<Table>();
  out->Reset(schema);
  std::vector<Value> row;
  for (size_t r = 0; r < data.rows; ++r) {
    const auto x = geo::NumberArg(Eval(**lng, data, r, c.ctx()->eval));
    const auto y = geo::NumberArg(Eval(**lat, data, r, c.ctx()->eval));
    const bool valid = x && y && geo::ValidPoint(*x, *y);
    bool matched = false;
    for (size_t l = 0; valid && l < lt.rows; ++l) {
      if (!Matches(shapes[l], {*x, *y}, lines, *radius)) {
        continue;
      }
      matched = true;
      row.clear();
      for (size_t col = 0; col < in_schema.size(); ++col) {
        row.push_back(CellOrNull(data.cols[col], r));
      }
      for (size_t col : lookup_cols) {
        row.push_back(CellOrNull(lt.cols[col], l));
      }
      auto ok = AppendCharged(*out, row, *c.ctx());
      if (!ok) {
        return tl::unexpected(ok.error());
      }
    }
    if (!matched && return_unmatched) {
      row.clear();
      for (size_t col = 0; col < in_schema.size(); ++col) {
        row.push_back(CellOrNull(data.cols[col], r));
      }
      row.resize(schema.size());
      auto ok = AppendCharged(*out, row, *c.ctx());
      if (!ok) {
        return tl::unexpected(ok.error());
      }
    }
  }
  return PhysOpPtr(std::make_unique<TableOp>(out, "Evaluate " + call.name));
}

}  // namespace vigil::kql

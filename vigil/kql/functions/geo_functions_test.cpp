#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "vigil/kql/functions/registry.h"
#include "vigil/kql/value.h"

namespace vigil::kql {
namespace {

class GeoFunctionsTest : public ::testing::Test {
 protected:
  GeoFunctionsTest() { RegisterGeoFunctions(registry_); }
  Value Call(std::string_view name, std::vector<Value> args) {
    const ScalarFunction* fn = registry_.FindScalar(name);
    EXPECT_NE(fn, nullptr) << name;
    FunctionContext ctx;
    return fn == nullptr ? Value() : fn->impl(args, ctx);
  }
  Registry registry_;
};

Value R(double v) { return Value::Real(v); }
Value L(int64_t v) { return Value::Long(v); }
Value S(std::string v) { return Value::String(std::move(v)); }
Value J(std::string_view json) { return ParseJson(json).value_or(Value()); }

// Coordinates of a GeoJSON point result.
std::pair<double, double> Coords(const Value& point) {
  const Value* c = point.Find("coordinates");
  if (c == nullptr || c->AsArray().size() != 2) {
    return {0, 0};
  }
  return {c->AsArray()[0].AsReal(), c->AsArray()[1].AsReal()};
}

void ExpectNear(double actual, double expected) {
  EXPECT_NEAR(actual, expected, std::abs(expected) * 1e-6 + 1e-9);
}

TEST_F(GeoFunctionsTest, DistanceAndAzimuthOnSphere) {
  ExpectNear(Call("geo_azimuth", {L(5), L(10), L(10), L(-40)}).AsReal(), 3.05459939796449);
  EXPECT_TRUE(Call("geo_azimuth", {L(5), L(10), L(5), L(10)}).is_null());
  // One degree of latitude on Kusto's sphere.
  ExpectNear(Call("geo_distance_2points", {L(0), L(0), L(0), L(1)}).AsReal(), 111195.10117748);
  EXPECT_TRUE(Call("geo_distance_2points", {L(300), L(0), L(0), L(1)}).is_null());
  EXPECT_TRUE(Call("geo_distance_2points", {Value(), L(0), L(0), L(1)}).is_null());
}

TEST_F(GeoFunctionsTest, PointInCircle) {
  EXPECT_TRUE(Call("geo_point_in_circle",
                   {R(-122.143564), R(47.535677), R(-122.100896), R(47.527351), L(3500)})
                  .AsBool());
  EXPECT_FALSE(Call("geo_point_in_circle",
                    {R(-122.137575), R(47.630683), R(-122.100896), R(47.527351), L(3500)})
                   .AsBool());
  EXPECT_TRUE(Call("geo_point_in_circle", {L(200), L(1), L(1), L(1), L(1)}).is_null());
  EXPECT_TRUE(Call("geo_point_in_circle", {L(1), L(1), L(1), L(1), L(-1)}).is_null());
}

TEST_F(GeoFunctionsTest, PointInPolygonAndValidity) {
  const Value square = J(R"({"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]]]})");
  EXPECT_TRUE(Call("geo_point_in_polygon", {L(5), L(5), square}).AsBool());
  EXPECT_FALSE(Call("geo_point_in_polygon", {L(15), L(5), square}).AsBool());
  const Value with_hole = J(
      R"({"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[4,4],[6,4],[6,6],[4,6],[4,4]]]})");
  EXPECT_FALSE(Call("geo_point_in_polygon", {L(5), L(5), with_hole}).AsBool());
  EXPECT_TRUE(Call("geo_point_in_polygon", {L(2), L(2), with_hole}).AsBool());
  EXPECT_TRUE(Call("geo_point_in_polygon", {L(200), L(1), square}).is_null());
  const Value degenerate =
      J(R"({"type":"Polygon","coordinates":[[[0,0],[10,10],[10,10],[0,0]]]})");
  EXPECT_TRUE(Call("geo_point_in_polygon", {L(1), L(1), degenerate}).is_null());
  // Polygon given as JSON text is accepted too.
  EXPECT_TRUE(Call("geo_point_in_polygon", {L(5), L(5), S(square.ToJson())}).AsBool());
}

TEST_F(GeoFunctionsTest, MalformedGeoJsonIsNull) {
  const std::vector<Value> bad = {
      Value(),
      S("not json"),
      J(R"({"type":"LineString"})"),
      J(R"({"type":"LineString","coordinates":[[1,1]]})"),
      J(R"({"type":"LineString","coordinates":[[1,"x"],[2,2]]})"),
      J(R"({"type":"Polygon","coordinates":[[[5,48],[5,48]]]})"),
      J(R"({"type":"Polygon","coordinates":[]})"),
      J(R"({"type":"Nope","coordinates":[1,2]})"),
      J(R"([1,2,3])"),
  };
  for (const Value& v : bad) {
    EXPECT_TRUE(Call("geo_line_length", {v}).is_null()) << v.ToJson();
    EXPECT_TRUE(Call("geo_polygon_centroid", {v}).is_null()) << v.ToJson();
    EXPECT_TRUE(Call("geo_line_simplify", {v}).is_null()) << v.ToJson();
    EXPECT_TRUE(Call("geo_union_polygons_array", {v}).is_null()) << v.ToJson();
    EXPECT_TRUE(Call("geo_intersection_2polygons", {v, v}).is_null()) << v.ToJson();
    EXPECT_TRUE(Call("geo_polygon_to_s2cells", {v}).is_null()) << v.ToJson();
    EXPECT_TRUE(Call("geo_polygon_area", {v}).is_null()) << v.ToJson();
  }
}

TEST_F(GeoFunctionsTest, LineMeasures) {
  const Value line = J(
      R"({"type":"LineString","coordinates":[[-73.95807266235352,40.800426144169315],[-73.94966125488281,40.79691751000055],[-73.97317886352539,40.764486356930334]]})");
  ExpectNear(Call("geo_line_length", {line}).AsReal(), 4922.48016992081);
  const Value road = J(
      R"({"type":"LineString","coordinates":[[-73.95796, 40.80042], [-73.97317, 40.764486]]})");
  ExpectNear(Call("geo_line_locate_point", {road, R(-73.965), R(40.792)}).AsReal(),
             0.25560135100307552);
  const auto [lng, lat] = Coords(Call("geo_line_centroid", {road}));
  ExpectNear(lng, -73.965567057230942);
  ExpectNear(lat, 40.782453249627416);
}

TEST_F(GeoFunctionsTest, DensifySplitsLongEdges) {
  const Value out =
      Call("geo_line_densify", {J(R"({"type":"LineString","coordinates":[[50,50],[51,51]]})")});
  const Value* coords = out.Find("coordinates");
  ASSERT_NE(coords, nullptr);
  ASSERT_EQ(coords->AsArray().size(), 9u);
  ExpectNear(coords->AsArray()[1].AsArray()[0].AsReal(), 50.125);
  EXPECT_TRUE(Call("geo_line_densify",
                   {J(R"({"type":"LineString","coordinates":[[1,1],[2,2]]})"), L(0)})
                  .is_null());
}

TEST_F(GeoFunctionsTest, FromWkt) {
  EXPECT_EQ(Call("geo_from_wkt", {S("POINT (1 2)")}).ToJson(),
            Call("geo_from_wkt", {S("POINT(1 2)")}).ToJson());
  const auto [x, y] = Coords(Call("geo_from_wkt", {S("POINT (1 2)")}));
  EXPECT_EQ(x, 1.0);
  EXPECT_EQ(y, 2.0);
  const Value poly = Call("geo_from_wkt", {S("MULTIPOLYGON (((0 0, 2 0, 2 2, 0 0)),((10 10, 12 10, 12 12, 10 10)))")});
  EXPECT_EQ(poly.Find("type")->AsString(), "MultiPolygon");
  EXPECT_TRUE(Call("geo_from_wkt", {S("LINESTRING")}).is_null());
  EXPECT_TRUE(Call("geo_from_wkt", {S("POINT (500 2)")}).is_null());
  EXPECT_TRUE(Call("geo_from_wkt", {S("")}).is_null());
}

TEST_F(GeoFunctionsTest, Intersections) {
  const Value p1 = J(R"({"type":"Polygon","coordinates":[[[2,45],[0,45],[1,44],[2,45]]]})");
  const Value p2 = J(R"({"type":"Polygon","coordinates":[[[3,44],[2,45],[2,43],[3,44]]]})");
  const Value touch = Call("geo_intersection_2polygons", {p1, p2});
  EXPECT_EQ(touch.Find("type")->AsString(), "Point");
  EXPECT_TRUE(Call("geo_intersects_2polygons", {p1, p2}).AsBool());
  const Value l1 = J(R"({"type":"LineString","coordinates":[[1, 1],[2, 2]]})");
  const Value l2 = J(R"({"type":"LineString","coordinates":[[3, 3],[4, 4]]})");
  const Value none = Call("geo_intersection_2lines", {l1, l2});
  EXPECT_EQ(none.Find("type")->AsString(), "GeometryCollection");
  EXPECT_TRUE(none.Find("geometries")->AsArray().empty());
  EXPECT_FALSE(Call("geo_intersects_2lines", {l1, l2}).AsBool());
}

TEST_F(GeoFunctionsTest, SimplifyDropsShortLines) {
  const Value line = J(R"({"type":"LineString","coordinates":[[1.1, 1.1],[1.2,1.2]]})");
  EXPECT_TRUE(Call("geo_line_simplify", {line, L(100000)}).is_null());
  EXPECT_TRUE(Call("geo_line_simplify", {line, L(-1)}).is_null());
  EXPECT_FALSE(Call("geo_line_simplify", {line, L(10)}).is_null());
}

TEST_F(GeoFunctionsTest, Geohash) {
  EXPECT_EQ(Call("geo_point_to_geohash", {R(-73.989148), R(40.743273), L(5)}).AsString(), "dr5ru");
  const Value poly = Call("geo_geohash_to_polygon", {S("dr5ru")});
  const Value& first = poly.Find("coordinates")->AsArray()[0].AsArray()[0];
  EXPECT_EQ(first.AsArray()[0].AsReal(), -74.00390625);
  EXPECT_EQ(first.AsArray()[1].AsReal(), 40.7373046875);
  EXPECT_TRUE(Call("geo_geohash_to_polygon", {S("a")}).is_null());
  EXPECT_EQ(Call("geo_geohash_neighbors", {S("dr5ru")}).AsArray().size(), 8u);
  EXPECT_TRUE(Call("geo_point_to_geohash", {L(1), L(1), L(19)}).is_null());
}

TEST_F(GeoFunctionsTest, S2Cells) {
  EXPECT_EQ(Call("geo_point_to_s2cell", {R(-80.195829), R(25.802215), L(8)}).AsString(), "88d9b");
  EXPECT_TRUE(Call("geo_point_to_s2cell", {L(1), L(1), L(35)}).is_null());
  EXPECT_TRUE(Call("geo_point_to_s2cell", {L(1), L(1), Value()}).is_null());
  const auto [lng, lat] = Coords(Call("geo_s2cell_to_central_point", {S("1234567")}));
  ExpectNear(lng, 9.86830731850408);
  ExpectNear(lat, 27.468392925827604);
  EXPECT_TRUE(Call("geo_s2cell_to_central_point", {S("a")}).is_null());
  EXPECT_EQ(Call("geo_s2cell_neighbors", {S("89c259")}).AsArray().size(), 8u);
  const Value tri = J(R"({"type":"Polygon","coordinates":[[[0,0],[0,50],[100,50],[0,0]]]})");
  EXPECT_EQ(Call("geo_polygon_to_s2cells", {tri, L(5)}).AsArray().size(), 286u);
  EXPECT_TRUE(Call("geo_polygon_to_s2cells", {tri, L(30)}).is_null());
}

}  // namespace
}  // namespace vigil::kql

// Unit tests of our H3 grid (geo_h3_grid.h) against published H3 values (the Kusto and H3
// documentation examples and reference-library outputs for sample points), plus round trips
// and structural invariants over every cell of resolutions 0-3.
#include "vigil/kql/functions/geo_h3_grid.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace vigil::kql::geo::h3 {
namespace {

constexpr double kDeg = 3.14159265358979323846 / 180.0;

std::string CellAt(double lat, double lng, int res) {
  return FormatCell(LatLngToCell({lat * kDeg, lng * kDeg}, res));
}

Index Cell(const char* token) {
  const auto c = ParseCell(token);
  EXPECT_TRUE(c.has_value()) << token;
  return c.value_or(0);
}

std::vector<std::string> Tokens(const std::vector<Index>& cells) {
  std::vector<std::string> out;
  for (Index c : cells) {
    out.push_back(FormatCell(c));
  }
  return out;
}

TEST(H3GridTest, PointToCellMatchesPublishedValues) {
  EXPECT_EQ(CellAt(40.689250859314974, -74.04450446039874, 6), "862a1072fffffff");
  EXPECT_EQ(CellAt(40.807907, -73.956683, 5), "852a100bfffffff");
  EXPECT_EQ(CellAt(40.743273, -73.989148, 5), "852a1073fffffff");
  EXPECT_EQ(CellAt(37.775938728915946, -122.41795063018799, 9), "8928308280fffff");
  EXPECT_EQ(CellAt(-33.8688, 151.2093, 15), "8fbe0e35cbad0a8");
  EXPECT_EQ(CellAt(64.7, -147.2, 0), "800dfffffffffff");
  EXPECT_EQ(CellAt(0, 0, 3), "83754efffffffff");
  EXPECT_EQ(CellAt(89.9, 10, 1), "81033ffffffffff");
  EXPECT_EQ(CellAt(-89.99, -170, 7), "87f29380effffff");
}

TEST(H3GridTest, RejectsBadInput) {
  EXPECT_EQ(LatLngToCell({0, 0}, 16), 0u);
  EXPECT_EQ(LatLngToCell({0, 0}, -1), 0u);
  EXPECT_EQ(LatLngToCell({NAN, 0}, 5), 0u);
  EXPECT_FALSE(ParseCell("").has_value());
  EXPECT_FALSE(ParseCell("abc").has_value());
  EXPECT_FALSE(ParseCell("@").has_value());
  EXPECT_FALSE(ParseCell("862a1072fffffff0").has_value());  // digits past the resolution
  EXPECT_FALSE(ParseCell("8f2a1072fffffff").has_value());   // missing digits for res 15
  EXPECT_FALSE(ParseCell("80f5fffffffffff").has_value());   // base cell 122 does not exist
  EXPECT_FALSE(ParseCell("8408401ffffffff").has_value());   // pentagon with a leading K digit
  EXPECT_TRUE(ParseCell("862A1072FFFFFFF").has_value());
}

TEST(H3GridTest, BoundaryMatchesKustoDocumentation) {
  const std::vector<LatLng> ring = CellToBoundary(Cell("862a1072fffffff"));
  ASSERT_EQ(ring.size(), 6u);
  const double expected[6][2] = {{-74.0022744646159, 40.735376026215022},
                                 {-74.046908029686236, 40.727986222489115},
                                 {-74.060610712223664, 40.696775140349033},
                                 {-74.029724408156682, 40.672970047595463},
                                 {-73.985140983708192, 40.680349049267583},
                                 {-73.971393761028622, 40.71154393543933}};
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_NEAR(ring[i].lng / kDeg, expected[i][0], 1e-12);
    EXPECT_NEAR(ring[i].lat / kDeg, expected[i][1], 1e-12);
  }
}

TEST(H3GridTest, BoundaryAddsVerticesWhereEdgesCrossIcosahedronEdges) {
  // Class III hexagon on two faces: 7 vertices; Class III pentagon: 10.
  const std::vector<LatLng> hex = CellToBoundary(Cell("830196fffffffff"));
  ASSERT_EQ(hex.size(), 7u);
  EXPECT_NEAR(hex[6].lat / kDeg, 69.54550413567446, 1e-9);
  EXPECT_NEAR(hex[6].lng / kDeg, 60.08703276496314, 1e-9);
  const Index pent = Cell("854c0003fffffff");
  EXPECT_TRUE(IsPentagon(pent));
  EXPECT_EQ(CellToBoundary(pent).size(), 10u);
  const LatLng c = CellToLatLng(pent);
  EXPECT_NEAR(c.lat / kDeg, 23.717925271222974, 1e-9);
  EXPECT_NEAR(c.lng / kDeg, -67.13232636643566, 1e-9);
}

TEST(H3GridTest, Hierarchy) {
  const Index h = Cell("862a1072fffffff");
  EXPECT_EQ(Resolution(h), 6);
  EXPECT_EQ(FormatCell(CellToParent(h, 5)), "852a1073fffffff");
  EXPECT_EQ(FormatCell(CellToParent(h, 1)), "812a3ffffffffff");
  EXPECT_EQ(CellToParent(h, 6), h);
  EXPECT_EQ(CellToParent(h, 7), 0u);
  EXPECT_EQ(Tokens(CellToChildren(h, 7)),
            (std::vector<std::string>{"872a10728ffffff", "872a10729ffffff", "872a1072affffff",
                                      "872a1072bffffff", "872a1072cffffff", "872a1072dffffff",
                                      "872a1072effffff"}));
  EXPECT_EQ(CellToChildren(h, 9).size(), 343u);
  EXPECT_TRUE(CellToChildren(h, 5).empty());
  // A pentagon has no K child: 6 children, 5 * 7 + 6 = 41 grandchildren.
  EXPECT_EQ(CellToChildren(Cell("854c0003fffffff"), 7).size(), 41u);
}

TEST(H3GridTest, NeighborsAndRingsInH3Order) {
  EXPECT_EQ(Tokens(Neighbors(Cell("861f8894fffffff"))),
            (std::vector<std::string>{"861f88947ffffff", "861f8895fffffff", "861f88867ffffff",
                                      "861f8d497ffffff", "861f8d4b7ffffff",
                                      "861f8896fffffff"}));
  const auto rings = Rings(Cell("861f8894fffffff"), 2, 1000);
  ASSERT_EQ(rings.size(), 3u);
  EXPECT_EQ(Tokens(rings[2]),
            (std::vector<std::string>{"861f88967ffffff", "861f88977ffffff", "861f88957ffffff",
                                      "861f8882fffffff", "861f88877ffffff", "861f88847ffffff",
                                      "861f8886fffffff", "861f8d49fffffff", "861f8d487ffffff",
                                      "861f8d4a7ffffff", "861f8d59fffffff",
                                      "861f8d597ffffff"}));
  EXPECT_TRUE(Rings(Cell("861f8894fffffff"), 3, 20).empty());  // over the cell budget
  std::vector<std::string> pent = Tokens(Neighbors(Cell("854c0003fffffff")));
  std::sort(pent.begin(), pent.end());
  EXPECT_EQ(pent, (std::vector<std::string>{"854c000bfffffff", "854c000ffffffff",
                                            "854c0013fffffff", "854c0017fffffff",
                                            "854c001bfffffff"}));
}

TEST(H3GridTest, EveryCellOfLowResolutionsRoundTrips) {
  size_t cells = 0;
  for (int bc = 0; bc < 122; ++bc) {
    const Index base = (Index{1} << 59) | (static_cast<Index>(bc) << 45) | 0x00001fffffffffffULL;
    ASSERT_TRUE(IsValidCell(base));
    for (int res = 0; res <= 3; ++res) {
      for (Index c : CellToChildren(base, res)) {
        ++cells;
        ASSERT_EQ(LatLngToCell(CellToLatLng(c), res), c) << FormatCell(c);
        ASSERT_EQ(Neighbors(c).size(), IsPentagon(c) ? 5u : 6u) << FormatCell(c);
        const size_t verts = CellToBoundary(c).size();
        ASSERT_GE(verts, 5u);
        ASSERT_LE(verts, 10u);
      }
    }
  }
  EXPECT_EQ(cells, 122u + 842u + 5882u + 41162u);
}

}  // namespace
}  // namespace vigil::kql::geo::h3

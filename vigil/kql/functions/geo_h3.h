// Registration of the KQL H3 cell functions (geo_point_to_h3cell, geo_h3cell_*,
// geo_polygon_to_h3cells), implemented in geo_h3.cpp on our own grid (geo_h3_grid.h). Called
// once by Registry::Default(); the functions are pure and thread-safe.
#pragma once

#include "vigil/kql/functions/registry.h"

namespace vigil::kql {

void RegisterGeoH3Functions(Registry& r);

}  // namespace vigil::kql

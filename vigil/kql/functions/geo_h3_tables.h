// Lookup tables of the H3 grid (icosahedron faces, the 122 resolution-0 base cells and which
// base cell sits at each face-relative res-0 coordinate). The values are the published H3
// reference constants; see docs/adr/0005-h3-cells.md. Used only by geo_h3_grid.cpp.
// Immutable data, thread-safe.
#pragma once

namespace vigil::kql::geo::h3::internal {

inline constexpr int kNumFaces = 20;
inline constexpr int kNumBaseCells = 122;

// Face centres (latitude, longitude in radians).
extern const double kFaceCenterGeo[kNumFaces][2];
// Azimuth (radians) from each face centre to its vertices 0/1/2: the Class II i/j/k axes.
extern const double kFaceAxesAz[kNumFaces][3];

// A neighbouring face seen from a face: its id, the translation (in units of the face's
// Class II grid) and the number of 60-degree ccw rotations into its coordinate system.
struct FaceOrient {
  int face;
  int i, j, k;
  int ccw_rot60;
};
// [face][0 = self, 1 = across the ij edge, 2 = across ki, 3 = across jk]
extern const FaceOrient kFaceNeighbors[kNumFaces][4];

struct BaseCell {
  int face;  // home face
  int i, j, k;
  bool pentagon;
  int cw_offset_faces[2];  // pentagons only: faces where a K digit rotates clockwise
};
extern const BaseCell kBaseCells[kNumBaseCells];

struct BaseCellOrient {
  int base_cell;
  int ccw_rot60;
};
// [face][i][j][k] for res-0 coordinates 0..2 on that face.
extern const BaseCellOrient kFaceIjkBaseCells[kNumFaces][3][3][3];

}  // namespace vigil::kql::geo::h3::internal

#pragma once
// Border score (Solstad et al. 2008) and band score (best single plane wave) of rate maps, with
// the arena given as plain geometry (walls as segments, or a circle), never as an arena object.
// Conventions and normalizations: docs/design.md "Analysis conventions".
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "gridrnn/analysis/maps.hpp"

namespace gridrnn::analysis {

// The arena as the analyses need it. Polygonal arenas: walls are the polygon's edges
// (x0, y0, x1, y1); circular arenas: is_circle with centre and radius (walls empty).
// extent is the rectangle rate maps cover (normally the bounding box).
struct ArenaGeometry {
  std::vector<std::array<double, 4>> walls;
  bool is_circle = false;
  double circle_radius = 0.0;
  std::array<double, 2> circle_centre{0.0, 0.0};
  MapExtent extent;

  static ArenaGeometry rectangle(double xmin, double xmax, double ymin, double ymax);
  // Closed simple polygon through the vertices (in order); extent = bounding box.
  static ArenaGeometry polygon(const std::vector<std::array<double, 2>>& vertices);
  static ArenaGeometry circle(double centre_x, double centre_y, double radius);

  bool contains(double x, double y) const;
  double distance_to_wall(double x, double y) const;  // nearest wall (unsigned)
  void validate() const;  // UserError: no walls and not a circle, radius <= 0, bad extent
};

// Which border score (docs/design.md "Analysis conventions", border score):
//  - gridrnn (reproduces no program): Solstad et al. 2008 with fields = 4-connected visited bins
//    above field_threshold of the way from the map's median to its peak, at least
//    min_field_fraction of the visited bins; c_M over the visited bins within one bin of a wall;
//    d_m = field-rate-weighted distance to the nearest wall over the largest such distance.
//    Offset and scale invariant; any polygon or circle.
//  - opexebo: kavli-ntnu/opexebo 0.7.2 border_score(map, fields of place_field(map), 'square') at
//    their defaults, -1 included where no field touches a wall (place_field finds none on a map
//    without zero bins, and none whose peak lies within 4 bins of one). Equals opexebo in
//    rectangles (to 1e-15 on tests/analysis/reference_scores); polygons and circles use the same
//    fields (bins outside the arena are not zero bins for the peak test) with walls and distances
//    taken from the geometry (docs/design.md). Firing rates as given: not scale invariant.
enum class BorderConvention { kGridrnn, kOpexebo };

// "gridrnn" / "opexebo"; UserError naming the accepted values otherwise.
BorderConvention parse_border_convention(const std::string& text);
std::string to_string(BorderConvention convention);

struct BorderOptions {
  double field_threshold = 0.3;       // gridrnn: fields above this fraction of (max - median)
  double min_field_fraction = 0.02;   // gridrnn: minimum field area, as a fraction of the visited bins
  double arc_degrees = 90.0;          // circle: a "wall" is an arc of this length
  BorderConvention convention = BorderConvention::kGridrnn;
  void validate() const;
};

// opexebo 0.7.2 place_field(map) at its defaults (min_bins 9, min_peak 1, min_mean 0.1,
// init_thresh 0.96; maps with a peak below 1 scaled to a peak of 4 first; NaN = unvisited):
// label[b] = 0 outside every field, 1..count inside field k (opexebo's fields_map). outside
// (empty, or one flag per bin): bins outside the arena, which its peak test does not count as
// zero bins (ours: opexebo has rectangles only, and would reject every peak near a wall of a
// polygon or circle whose bounding-box corners are NaN).
struct PlaceFields {
  std::vector<int> label;
  int count = 0;
};
PlaceFields opexebo_place_fields(const Map2D& map, const std::vector<unsigned char>& outside = {});

struct BorderScore {
  double score = 0.0;          // (c_M - d_m) / (c_M + d_m) in [-1, 1]; NaN for a flat map
  double coverage = 0.0;       // c_M
  double mean_distance = 0.0;  // d_m, normalized
  int best_wall = -1;          // index into walls (or arc) of c_M
};

// Precomputes wall bins and distances for one geometry and map size. Thread-safe (const).
class BorderScorer {
 public:
  BorderScorer(const ArenaGeometry& geometry, int bins_x, int bins_y, BorderOptions options = {});
  BorderScore score(const Map2D& map) const;
  double max_wall_distance() const { return max_distance_; }

 private:
  int bins_x_, bins_y_;
  BorderOptions options_;
  std::vector<std::vector<int>> wall_bins_;  // (walls or arcs) bins within one bin of the wall
  std::vector<double> bin_wall_distance_;    // (bins) distance of the bin centre to the nearest wall
  std::vector<int> wall_inside_;             // (walls or arcs) wall bins with their centre in the arena
  std::vector<unsigned char> outside_;       // (bins) centre outside the arena; empty when none is
  double bin_size_ = 1.0;
  double max_distance_ = 1.0;                // largest distance to the nearest wall inside the arena
  BorderScore score_opexebo(const Map2D& map) const;
};

struct BandScore {
  double score = 0.0;            // fraction of variance explained by the best plane wave; NaN if flat
  double wavelength = 0.0;       // arena units
  double orientation_deg = 0.0;  // direction of the wave vector (across the bands), [0, 180)
  // Fraction of the variance explained by the best plane a + b x + c y (a linear ramp). A map
  // that a plane explains at least as well as the best wave is a ramp, not a band: waves up to
  // 1.5 arena widths also fit ramps (half a period), see classify() in population.hpp.
  double planar_r2 = 0.0;
};

// Scans plane waves a + c cos(k.x + phi) on the k-grid of a zero-padded 2D FFT (spacing fine
// enough that the best wave on the grid explains >= ~95% of a pure band's variance), wavelengths
// 2 bins .. 1.5 arena widths, all orientations. The Gram matrices of (1, cos, sin) over the
// visited bins are cached per NaN pattern. One object per thread (uses its own buffers).
class BandScorer {
 public:
  BandScorer(int bins_x, int bins_y, const MapExtent& extent);
  ~BandScorer();
  BandScorer(const BandScorer&) = delete;
  BandScorer& operator=(const BandScorer&) = delete;
  BandScore score(const Map2D& map);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Convenience wrappers (build a scorer per call).
BorderScore border_score(const Map2D& map, const ArenaGeometry& geometry, BorderOptions options = {});
BandScore band_score(const Map2D& map, const MapExtent& extent);

}  // namespace gridrnn::analysis

// Border and band scores on maps with known answers, in square, hexagonal and circular arenas.
#include <cmath>
#include <numbers>

#include <gtest/gtest.h>

#include "analysis_test_maps.hpp"
#include "gridrnn/analysis/spatial_scores.hpp"
#include "gridrnn/core/error.hpp"

namespace gridrnn::analysis {
namespace {

using testing_maps::hexagonal_map;
using testing_maps::plane_wave_map;

// A map over the geometry's extent: f(x, y) inside the arena, NaN outside (never visited).
template <typename F>
Map2D map_in(const ArenaGeometry& g, int bins, F f) {
  Map2D map(bins, bins, std::nan(""));
  const double dx = g.extent.bin_width_x(bins), dy = g.extent.bin_width_y(bins);
  for (int ix = 0; ix < bins; ++ix) {
    for (int iy = 0; iy < bins; ++iy) {
      const double x = g.extent.xmin + (ix + 0.5) * dx, y = g.extent.ymin + (iy + 0.5) * dy;
      if (g.contains(x, y)) map.at(ix, iy) = f(x, y);
    }
  }
  return map;
}

ArenaGeometry hexagon() {
  // Regular hexagon of area 4 (the square's): 3 sqrt(3) / 2 R^2 = 4.
  const double radius = std::sqrt(8.0 / (3.0 * std::sqrt(3.0)));
  std::vector<std::array<double, 2>> vertices;
  for (int k = 0; k < 6; ++k) {
    vertices.push_back({radius * std::cos(k * std::numbers::pi / 3), radius * std::sin(k * std::numbers::pi / 3)});
  }
  return ArenaGeometry::polygon(vertices);
}

double distance_to(const std::array<double, 4>& w, double x, double y) {
  // Distance to the infinite line through the wall.
  const double dx = w[2] - w[0], dy = w[3] - w[1];
  return std::abs((x - w[0]) * dy - (y - w[1]) * dx) / std::hypot(dx, dy);
}

TEST(BorderScore, WallFieldHighCentralFieldLowInSquareAndHexagon) {
  const ArenaGeometry square = ArenaGeometry::rectangle(-1.1, 1.1, -1.1, 1.1);
  for (const ArenaGeometry& arena : {square, hexagon()}) {
    const auto wall = arena.walls[1];
    const Map2D wall_field = map_in(arena, 20, [&](double x, double y) {
      const double d = distance_to(wall, x, y);
      return std::exp(-d * d / (2 * 0.15 * 0.15));
    });
    const Map2D central_field = map_in(arena, 20, [](double x, double y) {
      return std::exp(-(x * x + y * y) / (2 * 0.3 * 0.3));
    });
    const BorderScore along = border_score(wall_field, arena);
    EXPECT_GE(along.score, 0.5) << "walls " << arena.walls.size();
    EXPECT_EQ(along.best_wall, 1);
    EXPECT_LE(border_score(central_field, arena).score, 0.0) << "walls " << arena.walls.size();
  }
}

TEST(BorderScore, CircleByArcs) {
  const ArenaGeometry circle = ArenaGeometry::circle(0.0, 0.0, 1.13);
  const Map2D wall_field = map_in(circle, 20, [](double x, double y) {
    const double d = 1.13 - std::hypot(x, y);
    const double angle_weight = std::exp(-std::pow(std::atan2(y, x) - 0.5, 2) / (2 * 0.5 * 0.5));
    return angle_weight * std::exp(-d * d / (2 * 0.12 * 0.12));
  });
  EXPECT_GE(border_score(wall_field, circle).score, 0.5);
  const Map2D central = map_in(circle, 20, [](double x, double y) { return std::exp(-(x * x + y * y) / 0.18); });
  EXPECT_LE(border_score(central, circle).score, 0.0);
}

TEST(BorderScore, OffsetScaleInvariantAndNanBinsIgnored) {
  const ArenaGeometry square = ArenaGeometry::rectangle(-1.1, 1.1, -1.1, 1.1);
  Map2D map = map_in(square, 20, [](double x, double) { return std::exp(-(x + 1.1) * (x + 1.1) / 0.05); });
  const double reference = border_score(map, square).score;
  Map2D changed = map;
  for (double& v : changed.values) v = 0.2 * v - 5.0;
  EXPECT_NEAR(border_score(changed, square).score, reference, 1e-12);
  // Unvisited bins in the far half: still a border field along the west wall; read as zeros
  // they would be part of no field either, but the wall coverage denominators must skip them.
  Map2D holes = map;
  for (int ix = 0; ix < 20; ++ix) holes.at(ix, 19) = std::nan("");
  const BorderScore with_holes = border_score(holes, square);
  EXPECT_NEAR(with_holes.coverage, 1.0, 1e-12);
}

TEST(BorderScore, OpexeboConventionInSquareHexagonAndCircle) {
  // Firing-rate maps (peak 10, rates below 3% of it silent, as make_reference.py's cut maps):
  // a wall field scores high on its own wall, a central field -1 (no field on a wall), and a map
  // without a zero bin has no field unless one covers bin (0, 0), as in opexebo. In the hexagon
  // and the circle the bins outside the arena (NaN) are not zero bins for the peak test, or every
  // wall field would lose its peak.
  BorderOptions options;
  options.convention = BorderConvention::kOpexebo;
  auto silent = [](double v) { return v < 0.3 ? 0.0 : v; };
  const ArenaGeometry square = ArenaGeometry::rectangle(-1.1, 1.1, -1.1, 1.1);
  for (const ArenaGeometry& arena : {square, hexagon()}) {
    const auto wall = arena.walls[1];
    const Map2D wall_field = map_in(arena, 32, [&](double x, double y) {
      const double d = distance_to(wall, x, y);
      return silent(10.0 * std::exp(-d / 0.15) * (0.8 + 0.2 * std::cos(3 * x + y)));
    });
    const BorderScore along = border_score(wall_field, arena, options);
    EXPECT_GT(along.score, 0.6) << "walls " << arena.walls.size();
    EXPECT_EQ(along.best_wall, 1) << "walls " << arena.walls.size();
    const Map2D central = map_in(arena, 32, [&](double x, double y) {
      return silent(10.0 * std::exp(-(x * x + y * y) / (2 * 0.3 * 0.3)));
    });
    EXPECT_EQ(opexebo_place_fields(central).count, 1) << "walls " << arena.walls.size();
    EXPECT_EQ(border_score(central, arena, options).score, -1.0) << "walls " << arena.walls.size();
  }
  const ArenaGeometry circle = ArenaGeometry::circle(0.0, 0.0, 1.1);
  const Map2D arc_field = map_in(circle, 32, [&](double x, double y) {
    const double d = 1.1 - std::hypot(x, y);
    return silent(10.0 * std::exp(-d / 0.15) * std::exp(-std::pow(std::atan2(y, x) - 0.5, 2) / (2 * 0.6 * 0.6)));
  });
  EXPECT_GT(border_score(arc_field, circle, options).score, 0.5);
  // No zero bin: every peak sits at bin (0, 0) (opexebo's rejected peaks), in the west-wall
  // field (opexebo 0.7.2 scores it 0.76886) but far from the east-wall one (no field, -1); the
  // gridrnn convention sees both.
  const Map2D east = map_in(square, 20, [](double x, double) { return 0.5 + 9.5 * std::exp(-(1.1 - x) / 0.15); });
  const Map2D west = map_in(square, 20, [](double x, double) { return 0.5 + 9.5 * std::exp(-(x + 1.1) / 0.15); });
  EXPECT_EQ(opexebo_place_fields(east).count, 0);
  EXPECT_EQ(border_score(east, square, options).score, -1.0);
  EXPECT_NEAR(border_score(west, square, options).score, 0.76886, 1e-4);
  EXPECT_GT(border_score(east, square).score, 0.6);
  EXPECT_GT(border_score(west, square).score, 0.6);
}

TEST(BandScore, PlaneWavesScoreHighGridsLow) {
  const MapExtent extent{-1.1, 1.1, -1.1, 1.1};
  for (double angle : {0.0, 0.4, 1.1, 2.0, 2.9}) {
    for (double wavelength : {0.35, 0.6, 1.3}) {
      const BandScore band = band_score(plane_wave_map(angle, wavelength), extent);
      EXPECT_GE(band.score, 0.9) << angle << " " << wavelength;
      EXPECT_NEAR(band.wavelength, wavelength, 0.06 * wavelength) << angle << " " << wavelength;
      const double expected_orientation = std::fmod(angle * 180 / std::numbers::pi, 180.0);
      const double error = std::remainder(band.orientation_deg - expected_orientation, 180.0);
      EXPECT_LT(std::abs(error), 6.0) << angle << " " << wavelength;
    }
  }
  EXPECT_LE(band_score(hexagonal_map(0.2, 0.55), extent).score, 0.45);
}

// The ramp test: a plane explains a linear ramp entirely (which the band score also rates high,
// as half of a long wave) and almost nothing of a map with several stripes.
TEST(BandScore, PlanarFitSeparatesRampsFromBands) {
  const MapExtent extent{-1.1, 1.1, -1.1, 1.1};
  for (double angle : {0.0, 0.7, 2.3}) {
    Map2D ramp(20, 20, 0.0);
    for (int ix = 0; ix < 20; ++ix) {
      for (int iy = 0; iy < 20; ++iy) {
        const double x = (ix + 0.5) * 0.11 - 1.1, y = (iy + 0.5) * 0.11 - 1.1;
        ramp.at(ix, iy) = 0.3 + std::cos(angle) * x + std::sin(angle) * y;
      }
    }
    ramp.at(4, 5) = std::nan("");  // unvisited bins are left out of the fit
    const BandScore on_ramp = band_score(ramp, extent);
    EXPECT_NEAR(on_ramp.planar_r2, 1.0, 1e-9) << angle;
    EXPECT_GE(on_ramp.planar_r2, on_ramp.score) << angle;  // classed ramp, not band
    const BandScore on_band = band_score(plane_wave_map(angle, 0.6), extent);
    EXPECT_LT(on_band.planar_r2, 0.1) << angle;
    EXPECT_LT(on_band.planar_r2, on_band.score) << angle;  // classed band
  }
}

TEST(BandScore, InvariantToOffsetScaleAndLeavesNanOut) {
  const MapExtent extent{-1.1, 1.1, -1.1, 1.1};
  Map2D wave = plane_wave_map(0.7, 0.5);
  const double reference = band_score(wave, extent).score;
  Map2D changed = wave;
  for (double& v : changed.values) v = 40.0 * v + 3.0;
  EXPECT_NEAR(band_score(changed, extent).score, reference, 1e-9);
  // A hole of unvisited bins: a band stays a band over the bins that were visited.
  for (double& v : changed.values) v += 100.0;  // zeros would lie far off the wave
  for (int ix = 3; ix < 9; ++ix) {
    for (int iy = 4; iy < 12; ++iy) changed.at(ix, iy) = std::nan("");
  }
  EXPECT_GE(band_score(changed, extent).score, 0.9);
  Map2D zero_filled = changed;
  for (double& v : zero_filled.values) v = std::isnan(v) ? 0.0 : v;
  EXPECT_LT(band_score(zero_filled, extent).score, 0.6);
}

// A hexagonal lattice centred on the map is mirror-symmetric, so two of its waves explain it
// equally up to rounding: the reported one must not depend on it (float32 vs float64 copy).
TEST(BandScore, TiedWavesOfASymmetricLatticeGiveOneOrientationInFloat32AndFloat64) {
  const MapExtent extent{-1.0, 1.0, -1.0, 1.0};
  int compared = 0;
  for (const double angle : {0.0, std::numbers::pi / 6}) {
    for (const double spacing : {0.4, 0.5, 0.55, 0.6, 0.7}) {
      Map2D map(20, 20, 0.0), single(20, 20, 0.0);
      const double k = 4 * std::numbers::pi / (std::sqrt(3.0) * spacing);
      for (int i = 0; i < 20; ++i) {
        for (int j = 0; j < 20; ++j) {
          const double x = -1.0 + (i + 0.5) / 10.0, y = -1.0 + (j + 0.5) / 10.0;
          double v = 0.0;
          for (int w = 0; w < 3; ++w) {
            const double a = angle + w * std::numbers::pi / 3;
            v += std::cos(k * (std::cos(a) * x + std::sin(a) * y));
          }
          map.at(i, j) = v;
          single.at(i, j) = static_cast<float>(v);
        }
      }
      const BandScore a = band_score(map, extent), b = band_score(single, extent);
      EXPECT_EQ(a.orientation_deg, b.orientation_deg) << angle << " " << spacing;
      EXPECT_EQ(a.wavelength, b.wavelength) << angle << " " << spacing;
      EXPECT_NEAR(a.score, b.score, 1e-6) << angle << " " << spacing;
      ++compared;
    }
  }
  EXPECT_EQ(compared, 10);
}

TEST(ArenaGeometry, BadGeometryIsUserError) {
  EXPECT_THROW(ArenaGeometry::polygon({{0, 0}, {1, 0}}), UserError);
  EXPECT_THROW(ArenaGeometry::circle(0, 0, -1), UserError);
  EXPECT_THROW(ArenaGeometry::rectangle(0, 0, 0, 1), UserError);
}

}  // namespace
}  // namespace gridrnn::analysis

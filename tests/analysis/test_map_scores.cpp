// analysis::score_map (what `gridrnn score` and the Python module report): the checks name the
// map, the power-of-two scaling is exact and makes the scores scale-free.
#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "analysis_test_maps.hpp"
#include "gridrnn/analysis/map_scores.hpp"
#include "gridrnn/core/error.hpp"

namespace gridrnn::analysis {
namespace {

TEST(MapScores, CheckNamesTheMapAndTheProblem) {
  Map2D map(6, 6, 1.0);
  map.at(1, 2) = std::numeric_limits<double>::infinity();
  try {
    check_rate_map(map, "map 3");
    FAIL() << "an infinite bin was accepted";
  } catch (const UserError& e) {
    EXPECT_STREQ(e.what(), "map 3 has an infinite value at bin 8: use NaN for unvisited bins");
  }
  EXPECT_THROW(check_rate_map(Map2D(6, 6, std::nan("")), "m"), UserError);
  EXPECT_THROW(check_rate_map(Map2D(3, 6, 1.0), "m"), UserError);
  EXPECT_NO_THROW(check_rate_map(Map2D(4, 4, 0.0), "m"));
}

TEST(MapScores, ScalingIsExactAndScoresAreScaleFree) {
  const Map2D hex = testing_maps::hexagonal_map(0.2, 0.55);
  Map2D tiny = hex;
  for (double& v : tiny.values) v = std::ldexp(v, -200);  // below the "constant map" floor
  Map2D scaled = tiny;
  const int exponent = scale_to_unit_magnitude(scaled);
  double magnitude = 0.0;
  for (const double v : scaled.values) magnitude = std::max(magnitude, std::abs(v));
  EXPECT_GE(magnitude, 1.0);
  EXPECT_LT(magnitude, 2.0);
  for (std::size_t k = 0; k < hex.size(); ++k) EXPECT_EQ(std::ldexp(scaled.values[k], exponent), tiny.values[k]);
  const MapScoreOptions options;
  const MapScores a = score_map(hex, options), b = score_map(tiny, options);
  EXPECT_EQ(a.grid.score_60, b.grid.score_60);
  EXPECT_EQ(a.band.score, b.band.score);
  EXPECT_EQ(a.border.score, b.border.score);
  EXPECT_GT(a.grid.score_60, 1.0);  // a hexagonal lattice
  Map2D zeros(8, 8, 0.0);
  EXPECT_EQ(scale_to_unit_magnitude(zeros), 0);
}

}  // namespace
}  // namespace gridrnn::analysis

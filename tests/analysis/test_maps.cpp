// Rate maps: occupancy normalization, NaN for unvisited bins, NaN-aware smoothing, bad inputs.
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "gridrnn/analysis/maps.hpp"
#include "gridrnn/core/error.hpp"

namespace gridrnn::analysis {
namespace {

TEST(RateMap, OccupancyNormalizedMeanAndNanForUnvisitedBins) {
  // 2 x 2 bins over [0, 2]^2: three samples in bin (0, 0), one in (1, 1), none elsewhere.
  const std::vector<double> positions = {0.2, 0.3, 0.9, 0.1, 0.5, 0.5, 1.5, 1.7};
  const std::vector<double> activity = {1.0, 2.0, 6.0, -4.0};
  const SpatialBinning binning = bin_positions(positions, MapExtent{0, 2, 0, 2}, 2, 2);
  const Map2D map = rate_map(binning, std::span<const double>(activity));
  EXPECT_DOUBLE_EQ(map.at(0, 0), 3.0);
  EXPECT_DOUBLE_EQ(map.at(1, 1), -4.0);
  EXPECT_TRUE(std::isnan(map.at(0, 1)));
  EXPECT_TRUE(std::isnan(map.at(1, 0)));
  EXPECT_EQ(binning.occupancy[0], 3.0);
  // x is the first axis: a sample at x = 1.5, y = 0.2 lands in (1, 0).
  const SpatialBinning one = bin_positions(std::vector<double>{1.5, 0.2}, MapExtent{0, 2, 0, 2}, 2, 2);
  EXPECT_EQ(one.bin_of_sample[0], 1 * 2 + 0);
}

TEST(RateMap, SmoothingKeepsUnvisitedBinsNanAndConstantsConstant) {
  Map2D map(8, 8, 2.5);
  map.at(3, 4) = std::nan("");
  const Map2D smoothed = smooth_map(map, 1.5);
  EXPECT_TRUE(std::isnan(smoothed.at(3, 4)));
  for (std::size_t b = 0; b < map.size(); ++b) {
    if (!std::isnan(map.values[b])) {
      EXPECT_NEAR(smoothed.values[b], 2.5, 1e-12);
    }
  }
  // A spike spreads with Gaussian weights: the neighbour gets exp(-1 / (2 sigma^2)) of the centre.
  // (Far from the edges, where the normalized convolution divides by the full kernel sum.)
  Map2D spike(21, 21, 0.0);
  spike.at(10, 10) = 1.0;
  const Map2D s = smooth_map(spike, 1.0);
  EXPECT_NEAR(s.at(11, 10) / s.at(10, 10), std::exp(-0.5), 1e-9);
  EXPECT_NEAR(s.at(11, 11) / s.at(10, 10), std::exp(-1.0), 1e-9);
}

TEST(RateMap, BadInputsAreUserErrors) {
  EXPECT_THROW(bin_positions(std::vector<double>{0.0, std::nan("")}, MapExtent{}, 4, 4), UserError);
  EXPECT_THROW(bin_positions(std::vector<double>{0.0, 0.0, 1.0}, MapExtent{}, 4, 4), UserError);
  EXPECT_THROW(bin_positions(std::vector<double>{0.0, 0.0}, MapExtent{}, 0, 4), UserError);
  EXPECT_THROW(bin_positions(std::vector<double>{0.0, 0.0}, MapExtent{1, -1, 0, 1}, 4, 4), UserError);
  const SpatialBinning binning = bin_positions(std::vector<double>{0.0, 0.0}, MapExtent{}, 4, 4);
  EXPECT_THROW(rate_map(binning, std::span<const double>(std::vector<double>{1.0, 2.0})), UserError);
  EXPECT_THROW(smooth_map(Map2D(4, 4, 0.0), -1.0), UserError);
}

}  // namespace
}  // namespace gridrnn::analysis

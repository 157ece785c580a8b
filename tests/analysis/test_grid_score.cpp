// Grid scores against the worked values of docs/paper.md "Worked values", invariances, the SAC against its
// direct reference, and the spline rotation against analytic cases.
#include <cmath>
#include <numbers>

#include <gtest/gtest.h>

#include "analysis_test_maps.hpp"
#include "gridrnn/analysis/grid_score.hpp"
#include "gridrnn/analysis/maps.hpp"
#include "gridrnn/core/rng.hpp"

namespace gridrnn::analysis {
namespace {

using testing_maps::hexagonal_map;
using testing_maps::square_lattice_map;

TEST(GridScore, DeepmindWorkedValuesHexagonal) {
  const Map2D map = hexagonal_map(0.2, 0.55);
  const GridScores mean = grid_scores(map, GridConvention::kDeepmind, GridVariant::kMean);
  const GridScores min_max = grid_scores(map, GridConvention::kDeepmind, GridVariant::kMinMax);
  EXPECT_NEAR(mean.score_60, 1.408, 0.01);
  EXPECT_NEAR(min_max.score_60, 1.407, 0.01);
  EXPECT_NEAR(mean.score_90, 0.240, 0.01);
  EXPECT_NEAR(min_max.score_90, 0.240, 0.01);
}

TEST(GridScore, DeepmindWorkedValuesSquare) {
  const Map2D map = square_lattice_map(0.3, 0.7);
  const GridScores mean = grid_scores(map, GridConvention::kDeepmind, GridVariant::kMean);
  const GridScores min_max = grid_scores(map, GridConvention::kDeepmind, GridVariant::kMinMax);
  EXPECT_NEAR(mean.score_60, -0.316, 0.01);
  EXPECT_NEAR(min_max.score_60, -0.948, 0.01);
  EXPECT_NEAR(mean.score_90, 1.384, 0.01);
  EXPECT_NEAR(min_max.score_90, 1.384, 0.01);
}

TEST(GridScore, SpacingAndOrientationOfHexagonalGrid) {
  // Spacing 0.55 arena units = 5 bins of 0.11; lattice peaks of the SAC lie along the wave
  // vectors' normals: at a_j + 90 degrees = 0.2 rad + 30 degrees mod 60.
  const GridScores scores = grid_scores(hexagonal_map(0.2, 0.55));
  EXPECT_NEAR(scores.spacing_bins, 0.55 / 0.11, 0.5);
  const double expected = std::fmod(0.2 * 180.0 / std::numbers::pi + 30.0, 60.0);
  EXPECT_NEAR(scores.orientation_deg, expected, 6.0);
}

TEST(GridScore, RotatedHexagonalGridKeepsScore) {
  const double reference = grid_scores(hexagonal_map(0.2, 0.55)).score_60;
  for (double rotation : {0.1, 0.35, 0.6, 0.9}) {
    const double rotated = grid_scores(hexagonal_map(0.2 + rotation, 0.55)).score_60;
    EXPECT_NEAR(rotated, reference, 0.1) << "rotation " << rotation;
  }
}

TEST(GridScore, OffsetAndPositiveScaleLeaveScoresUnchanged) {
  for (auto convention : {GridConvention::kDeepmind, GridConvention::kSargolini}) {
    const Map2D map = hexagonal_map(0.2, 0.55);
    Map2D changed = map;
    for (double& v : changed.values) v = 3.7 * v + 12.5;
    const GridScores a = grid_scores(map, convention), b = grid_scores(changed, convention);
    EXPECT_NEAR(a.score_60, b.score_60, 1e-9);
    EXPECT_NEAR(a.score_90, b.score_90, 1e-9);
  }
}

TEST(GridScore, SargoliniSeparatesHexagonalFromSquare) {
  const GridScores hex = grid_scores(hexagonal_map(0.2, 0.55), GridConvention::kSargolini);
  const GridScores square = grid_scores(square_lattice_map(0.3, 0.7), GridConvention::kSargolini);
  EXPECT_GT(hex.score_60, 0.8);
  EXPECT_LT(square.score_60, 0.0);
  EXPECT_GT(square.score_90, 0.8);
  EXPECT_LT(hex.score_90, 0.3);
}

TEST(Autocorrelogram, FftMatchesDirectReferenceWithNanBins) {
  Rng rng(5, Stream::kTest, 1, 0);
  Map2D map(13, 11, 0.0);
  for (double& v : map.values) v = rng.bernoulli(0.15) ? std::nan("") : rng.normal() + 4.0;
  const Map2D direct = autocorrelogram_reference(map);
  const Map2D fast = autocorrelogram(map);
  ASSERT_EQ(fast.bins_x, 25);
  ASSERT_EQ(fast.bins_y, 21);
  for (std::size_t k = 0; k < direct.size(); ++k) EXPECT_NEAR(fast.values[k], direct.values[k], 1e-7) << k;
  EXPECT_NEAR(fast.at(12, 10), 1.0, 1e-12);
}

TEST(Autocorrelogram, NanBinsAreLeftOutNotReadAsZero) {
  // A plane wave with a hole: correlations over valid bins stay those of the wave (|r| = 1 at
  // lags of whole wavelengths), which a zero-filled hole would break.
  Map2D map(20, 20, 0.0);
  for (int ix = 0; ix < 20; ++ix) {
    for (int iy = 0; iy < 20; ++iy) map.at(ix, iy) = std::cos(2 * std::numbers::pi * ix / 5.0);
  }
  for (int ix = 6; ix < 12; ++ix) {
    for (int iy = 6; iy < 12; ++iy) map.at(ix, iy) = std::nan("");
  }
  const Map2D sac = autocorrelogram(map);
  EXPECT_NEAR(sac.at(19 + 5, 19 + 3), 1.0, 1e-9);
  EXPECT_NEAR(sac.at(19 + 10, 19), 1.0, 1e-9);
  Map2D zero_filled = map;
  for (double& v : zero_filled.values) v = std::isnan(v) ? 0.0 : v;
  EXPECT_LT(autocorrelogram(zero_filled).at(19 + 5, 19 + 3), 0.99);
}

TEST(Autocorrelogram, UnvisitedBinsReadAsZeroWhenAsked) {
  // deepmind's reading (scores.py: nan_to_num before the SAC): a NaN bin is a valid bin of rate
  // 0, so the SAC equals that of the zero-filled map; the default leaves it out.
  Rng rng(7, Stream::kTest, 3, 0);
  Map2D map(12, 12, 0.0);
  for (double& v : map.values) v = rng.bernoulli(0.25) ? std::nan("") : rng.normal() + 3.0;
  Map2D zero_filled = map;
  for (double& v : zero_filled.values) v = std::isnan(v) ? 0.0 : v;
  const Map2D as_zero = autocorrelogram(map, UnvisitedBins::kZero);
  const Map2D filled = autocorrelogram_reference(zero_filled);
  const Map2D excluded = autocorrelogram(map);
  double differs = 0.0;
  for (std::size_t k = 0; k < filled.size(); ++k) {
    EXPECT_NEAR(as_zero.values[k], filled.values[k], 1e-9) << k;
    differs = std::max(differs, std::abs(excluded.values[k] - filled.values[k]));
  }
  EXPECT_GT(differs, 0.1);
  EXPECT_EQ(sac_unvisited_bins(GridConvention::kDeepmind), UnvisitedBins::kZero);
}

TEST(Autocorrelogram, TinyButNotConstantTailsKeepTheirCorrelation) {
  // Lags whose overlap holds only a Gaussian's tails (values ~1e-9 .. 1e-5 of the peak) are
  // correlations of those values, as scores.py computes them; the FFT of the standardized map
  // cannot resolve them, so they come from the direct sums.
  Map2D map(20, 20, 0.0);
  for (int i = 0; i < 20; ++i) {
    for (int j = 0; j < 20; ++j) {
      const double x = testing_maps::centre(i), y = testing_maps::centre(j);
      map.at(i, j) = std::exp(-(x * x + y * y) / (2 * 0.25 * 0.25));
    }
  }
  const Map2D direct = autocorrelogram_reference(map);
  AutocorrelogramFft fft(20, 20);
  Map2D fast;
  fft.compute(map, fast);
  EXPECT_GT(fft.direct_lags(), 0u);
  for (std::size_t k = 0; k < direct.size(); ++k) EXPECT_NEAR(fast.values[k], direct.values[k], 1e-7) << k;
  // Lags (17, 17) and (18, 18): overlaps of 3 x 3 and 2 x 2 opposite-corner bins, variance
  // ~1e-9 and ~3e-12 of the map's; numpy.corrcoef of those bins gives -0.3115 and -0.6046 (the
  // FFT alone, with a variance floor of 1e-9, returned 0 at both).
  EXPECT_NEAR(fast.at(19 + 17, 19 + 17), -0.3115, 1e-3);
  EXPECT_NEAR(fast.at(19 + 18, 19 + 18), -0.6046, 1e-3);
}

TEST(SplineRotation, NinetyDegreesPermutesPixelsExactly) {
  Rng rng(6, Stream::kTest, 2, 0);
  const int n = 9;
  std::vector<double> image(n * n);
  for (double& v : image) v = rng.normal();
  const std::vector<double> rotated = rotate_image_reference(image, n, n, 90.0);
  // scipy's matrix [[c, s], [-s, c]] at 90 degrees: out(o0, o1) = in(o1, n - 1 - o0).
  for (int o0 = 0; o0 < n; ++o0) {
    for (int o1 = 0; o1 < n; ++o1) {
      EXPECT_NEAR(rotated[o0 * n + o1], image[o1 * n + (n - 1 - o0)], 1e-12);
    }
  }
}

TEST(SplineRotation, InterpolatesCubicPolynomialsAwayFromTheBorderAndZeroOutside) {
  // Cubic B-splines reproduce polynomials up to degree 3 exactly once prefiltered; the mirror
  // boundary only matters near the edges, so check the centre, and zeros outside the array.
  const int n = 31;
  std::vector<double> image(n * n);
  auto f = [](double x, double y) { return 0.5 + 0.1 * x - 0.05 * y + 0.01 * x * y; };
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) image[i * n + j] = f(i, j);
  }
  const std::vector<double> rotated = rotate_image_reference(image, n, n, 30.0);
  const double c = std::cos(std::numbers::pi / 6), s = std::sin(std::numbers::pi / 6);
  for (int o0 = 12; o0 <= 18; ++o0) {
    for (int o1 = 12; o1 <= 18; ++o1) {
      const double x = c * (o0 - 15) + s * (o1 - 15) + 15, y = -s * (o0 - 15) + c * (o1 - 15) + 15;
      EXPECT_NEAR(rotated[o0 * n + o1], f(x, y), 1e-4);
    }
  }
  EXPECT_EQ(rotated[0], 0.0);  // corner maps outside the array at 30 degrees
}

}  // namespace
}  // namespace gridrnn::analysis

// The smooth-noise null of the grid classes (issue 15): smooth maps without a lattice are not
// classed grid, lattices still are, pure noise passes each null at its nominal rate, and the
// null does not depend on the thread count.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numbers>

#include <gtest/gtest.h>

#include "gridrnn/analysis/population.hpp"
#include "gridrnn/analysis/smooth_null.hpp"
#include "gridrnn/core/rng.hpp"
#include "gridrnn/core/threads.hpp"
#include "analysis_test_maps.hpp"

namespace gridrnn::analysis {
namespace {

const bool kSanitized = std::getenv("GRIDRNN_SANITIZED") != nullptr;
constexpr double kHalfWidth = 1.1;  // arena [-1.1, 1.1]^2
constexpr int kBins = 20;

// S iid uniform positions, headings and speeds, and activities (S, N) = f_unit(x, y) + noise.
struct Population {
  std::vector<double> positions, headings, speeds;
  std::vector<float> activities;
  std::size_t units = 0;
};

template <class RateAt>  // RateAt(unit, x, y) -> (rate, noise sd)
Population make_population(std::size_t samples, std::size_t units, std::uint64_t seed, RateAt rate_at) {
  Population p;
  p.units = units;
  Rng rng(seed, Stream::kTest, 300, 0);
  for (std::size_t s = 0; s < samples; ++s) {
    p.positions.push_back(rng.uniform(-kHalfWidth, kHalfWidth));
    p.positions.push_back(rng.uniform(-kHalfWidth, kHalfWidth));
    p.headings.push_back(rng.uniform(-std::numbers::pi, std::numbers::pi));
    p.speeds.push_back(rng.uniform(0.0, 0.2));
  }
  p.activities.resize(samples * units);
  for (std::size_t u = 0; u < units; ++u) {
    Rng noise(seed, Stream::kTest, 301, u);
    for (std::size_t s = 0; s < samples; ++s) {
      const auto [rate, sd] = rate_at(u, p.positions[2 * s], p.positions[2 * s + 1]);
      p.activities[s * units + u] = static_cast<float>(rate + noise.normal(0.0, sd));
    }
  }
  return p;
}

PopulationAnalysis analyze(const Population& p, const AnalysisOptions& options) {
  return analyze_population(p.positions, p.headings, p.speeds, p.activities, p.units,
                            ArenaGeometry::rectangle(-kHalfWidth, kHalfWidth, -kHalfWidth, kHalfWidth), options);
}

AnalysisOptions test_options() {
  AnalysisOptions o;
  o.bins = kBins;
  o.shuffles = 20;  // pooled over all units: thousands of shuffles per threshold
  o.min_shift = 1000;
  return o;
}

std::size_t samples() { return kSanitized ? 20000 : 100000; }

int bin_of(double v) { return std::clamp(static_cast<int>((v + kHalfWidth) / (2 * kHalfWidth) * kBins), 0, kBins - 1); }

TEST(SmoothNull, CentralPeakRadiusOfAGaussianSac) {
  // SAC exp(-r^2 / (2 s^2)): above 0.5 within r < s sqrt(2 ln 2).
  Map2D sac(39, 39, 0.0);
  const double s = 3.0;
  for (int i = 0; i < 39; ++i)
    for (int j = 0; j < 39; ++j) sac.at(i, j) = std::exp(-((i - 19) * (i - 19) + (j - 19) * (j - 19)) / (2 * s * s));
  EXPECT_NEAR(central_peak_radius(sac), s * std::sqrt(2 * std::log(2.0)), 0.15);
}

TEST(SmoothNull, CalibrationIsMonotoneAndRoundTrips) {
  const Map2D visited(kBins, kBins, 1.0);
  const SmoothNullCalibration table(visited, UnvisitedBins::kZero, 7);
  ASSERT_GT(table.radii().back(), 2.0 * table.radii().front());
  for (double sigma : {1.0, 2.0, 3.0}) {
    // Analytic guide: a Gaussian filter sigma gives a Gaussian SAC of width sigma sqrt 2, peak
    // radius ~2 sigma sqrt(ln 2) before rectification and the finite arena narrow it.
    double radius = 0;
    for (int m = 0; m < 32; ++m) {
      radius += central_peak_radius(autocorrelogram(smooth_noise_map(visited, sigma, 9, 0, m), UnvisitedBins::kZero));
    }
    radius /= 32;
    EXPECT_NEAR(table.sigma_for_radius(radius), sigma, 0.2 * sigma) << sigma;
  }
}

// 200 units whose rate maps are rectified low-pass noise (sigma 1-3 bins) plus activity noise:
// at most 5% (+ binomial 99% margin) grid_hexagonal and as many grid_square.
TEST(SmoothNull, SmoothNoiseMapsAreRarelyGrids) {
  const std::size_t units = kSanitized ? 40 : 200;
  const Map2D visited(kBins, kBins, 1.0);
  std::vector<Map2D> maps;
  for (std::size_t u = 0; u < units; ++u) {
    const double sigma = 1.0 + 2.0 * Rng(11, Stream::kTest, 302, u).uniform();
    Map2D m = smooth_noise_map(visited, sigma, 11, 1000 + u, 0);
    const double peak = *std::max_element(m.values.begin(), m.values.end());
    for (double& v : m.values) v /= peak > 0 ? peak : 1.0;
    maps.push_back(std::move(m));
  }
  const Population p = make_population(samples(), units, 11, [&](std::size_t u, double x, double y) {
    return std::pair{maps[u].at(bin_of(x), bin_of(y)), 0.3};
  });
  AnalysisOptions options = test_options();
  const PopulationAnalysis result = analyze(p, options);
  const int hi = testing_maps::binomial_99(static_cast<int>(units), 0.05).second;
  const int hexagonal = result.class_counts[static_cast<int>(UnitClass::kGridHexagonal)];
  const int square = result.class_counts[static_cast<int>(UnitClass::kGridSquare)];
  EXPECT_LE(hexagonal, hi);
  EXPECT_LE(square, hi);
  // Without the smooth null these maps pass as grids far more often (the reason for it).
  options.smooth_null_maps = 0;
  const PopulationAnalysis shuffle_only = analyze(p, options);
  const int before = shuffle_only.class_counts[static_cast<int>(UnitClass::kGridHexagonal)] +
                     shuffle_only.class_counts[static_cast<int>(UnitClass::kGridSquare)];
  std::printf("smooth-noise units classed grid: %d hexagonal + %d square of %zu (shuffle null only: %d)\n",
              hexagonal, square, units, before);
  EXPECT_GT(before, hexagonal + square);
}

// Hexagonal and square lattices (random phase and orientation, spacing 0.2-0.45 arena widths,
// activity noise SD 0.3 of the lattice's peak-to-trough amplitude) are still classed grid.
TEST(SmoothNull, LatticesAreStillGrids) {
  const std::size_t per_kind = kSanitized ? 20 : 50;
  struct Lattice {
    bool hexagonal;
    double k, angle, phase_x, phase_y;
  };
  std::vector<Lattice> lattices;
  for (std::size_t u = 0; u < 2 * per_kind; ++u) {
    Rng rng(12, Stream::kTest, 303, u);
    const bool hexagonal = u < per_kind;
    const double spacing = rng.uniform(0.2, 0.45) * 2 * kHalfWidth;
    const double k = hexagonal ? 4 * std::numbers::pi / (std::sqrt(3.0) * spacing) : 2 * std::numbers::pi / spacing;
    lattices.push_back({hexagonal, k, rng.uniform(0.0, std::numbers::pi), rng.uniform(-1.0, 1.0),
                        rng.uniform(-1.0, 1.0)});
  }
  const Population p = make_population(samples(), 2 * per_kind, 12, [&](std::size_t u, double x, double y) {
    const Lattice& l = lattices[u];
    const int waves = l.hexagonal ? 3 : 2;
    double v = 0;
    for (int w = 0; w < waves; ++w) {
      const double a = l.angle + w * std::numbers::pi / (l.hexagonal ? 3 : 2);
      v += std::cos(l.k * (std::cos(a) * (x - l.phase_x) + std::sin(a) * (y - l.phase_y)));
    }
    const double range = l.hexagonal ? 4.5 : 4.0;  // max - min of the sum of cosines
    return std::pair{v / range, 0.3};
  });
  const PopulationAnalysis result = analyze(p, test_options());
  int hexagonal_grids = 0, square_grids = 0, hexagonal_any = 0, square_any = 0;
  for (std::size_t u = 0; u < 2 * per_kind; ++u) {
    const UnitClass c = result.units[u].unit_class;
    const bool grid = c == UnitClass::kGridHexagonal || c == UnitClass::kGridSquare;
    if (lattices[u].hexagonal) {
      hexagonal_any += grid;
      hexagonal_grids += c == UnitClass::kGridHexagonal;
    } else {
      square_any += grid;
      square_grids += c == UnitClass::kGridSquare;
    }
  }
  std::printf("hexagonal lattices classed grid: %d (grid_hexagonal %d) of %zu; square: %d (grid_square %d) of %zu\n",
              hexagonal_any, hexagonal_grids, per_kind, square_any, square_grids, per_kind);
  const int needed = static_cast<int>(std::ceil(0.95 * static_cast<double>(per_kind)));
  EXPECT_GE(hexagonal_any, needed);
  EXPECT_GE(square_any, needed);
}

// Pure-noise units: every score passes its shuffle null, and each grid score its smooth null,
// at the nominal 5% (inside the binomial 99% bound).
TEST(SmoothNull, PureNoisePassesEachNullAtTheNominalRate) {
  const std::size_t units = kSanitized ? 60 : 200;
  const Population p = make_population(kSanitized ? 20000 : 40000, units, 13,
                                       [](std::size_t, double, double) { return std::pair{0.0, 1.0}; });
  const PopulationAnalysis result = analyze(p, test_options());
  const auto [lo, hi] = testing_maps::binomial_99(static_cast<int>(units), 0.05);
  const double ScoreSet::*fields[6] = {&ScoreSet::grid_60, &ScoreSet::grid_90, &ScoreSet::border,
                                       &ScoreSet::band, &ScoreSet::direction_mvl, &ScoreSet::speed_abs_r};
  for (int k = 0; k < 6; ++k) {
    int passing = 0;
    for (const UnitScores& u : result.units) passing += u.score.*fields[k] > result.thresholds.*fields[k];
    std::printf("pure noise, %s above the shuffle null: %d of %zu (bound [%d, %d])\n", kScoreNames[k], passing,
                units, lo, hi);
    EXPECT_GE(passing, lo) << kScoreNames[k];
    EXPECT_LE(passing, hi) << kScoreNames[k];
  }
  int smooth_60 = 0, smooth_90 = 0;
  for (const UnitScores& u : result.units) {
    smooth_60 += u.score.grid_60 > u.grid_60_smooth_threshold;
    smooth_90 += u.score.grid_90 > u.grid_90_smooth_threshold;
  }
  std::printf("pure noise above the smooth null: grid_score_60 %d, grid_score_90 %d of %zu\n", smooth_60, smooth_90,
              units);
  EXPECT_GE(smooth_60, lo);
  EXPECT_LE(smooth_60, hi);
  EXPECT_GE(smooth_90, lo);
  EXPECT_LE(smooth_90, hi);
}

TEST(SmoothNull, DoesNotDependOnTheThreadCount) {
  const Population p = make_population(8000, 6, 14, [](std::size_t u, double x, double y) {
    return std::pair{std::cos(4 * x + static_cast<double>(u)) * std::cos(4 * y), 0.5};
  });
  AnalysisOptions options = test_options();
  options.min_shift = 200;
  options.smooth_null_maps = 30;
  const int before = thread_count();
  set_thread_count(1);
  const PopulationAnalysis one = analyze(p, options);
  set_thread_count(2);
  const PopulationAnalysis two = analyze(p, options);
  set_thread_count(before);
  for (std::size_t u = 0; u < p.units; ++u) {
    EXPECT_TRUE(std::isfinite(one.units[u].grid_60_smooth_threshold));
    EXPECT_EQ(one.units[u].smooth_null_sigma_bins, two.units[u].smooth_null_sigma_bins);
    EXPECT_EQ(one.units[u].grid_60_smooth_threshold, two.units[u].grid_60_smooth_threshold);
    EXPECT_EQ(one.units[u].grid_90_smooth_threshold, two.units[u].grid_90_smooth_threshold);
  }
}

}  // namespace
}  // namespace gridrnn::analysis

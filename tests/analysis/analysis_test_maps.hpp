#pragma once
// Synthetic maps with known answers (docs/paper.md "Worked values") shared by analysis tests.
#include <cmath>
#include <numbers>
#include <utility>
#include <vector>

#include "gridrnn/analysis/maps.hpp"

namespace gridrnn::analysis::testing_maps {

// Bin centre c_i = (i + 0.5) * 2.2 / bins - 1.1 over [-1.1, 1.1].
inline double centre(int i, int bins = 20) { return (i + 0.5) * 2.2 / bins - 1.1; }

// M = sum_{j=0..2} cos(k (cos a_j (x - 0.1) + sin a_j (y + 0.05))), k = 4 pi / (sqrt 3 spacing),
// a_j = angle + j pi / 3 (docs/paper.md "Worked values": angle 0.2, spacing 0.55).
inline Map2D hexagonal_map(double angle, double spacing, int bins = 20) {
  Map2D map(bins, bins, 0.0);
  const double k = 4 * std::numbers::pi / (std::sqrt(3.0) * spacing);
  for (int i = 0; i < bins; ++i) {
    for (int j = 0; j < bins; ++j) {
      double v = 0.0;
      for (int w = 0; w < 3; ++w) {
        const double a = angle + w * std::numbers::pi / 3;
        v += std::cos(k * (std::cos(a) * (centre(i, bins) - 0.1) + std::sin(a) * (centre(j, bins) + 0.05)));
      }
      map.at(i, j) = v;
    }
  }
  return map;
}

// M = sum_{j=0..1} cos(k (cos b_j x + sin b_j y)), k = 2 pi / spacing, b_j = angle + j pi / 2.
inline Map2D square_lattice_map(double angle, double spacing, int bins = 20) {
  Map2D map(bins, bins, 0.0);
  const double k = 2 * std::numbers::pi / spacing;
  for (int i = 0; i < bins; ++i) {
    for (int j = 0; j < bins; ++j) {
      double v = 0.0;
      for (int w = 0; w < 2; ++w) {
        const double b = angle + w * std::numbers::pi / 2;
        v += std::cos(k * (std::cos(b) * centre(i, bins) + std::sin(b) * centre(j, bins)));
      }
      map.at(i, j) = v;
    }
  }
  return map;
}

// A single plane wave cos(k (cos a x + sin a y) + phase), k = 2 pi / wavelength.
inline Map2D plane_wave_map(double angle, double wavelength, double phase = 0.3, int bins = 20) {
  Map2D map(bins, bins, 0.0);
  const double k = 2 * std::numbers::pi / wavelength;
  for (int i = 0; i < bins; ++i) {
    for (int j = 0; j < bins; ++j) {
      map.at(i, j) = std::cos(k * (std::cos(angle) * centre(i, bins) + std::sin(angle) * centre(j, bins)) + phase);
    }
  }
  return map;
}

// Binomial(n, p) bounds [lo, hi] holding 99% of the mass (0.5% in each tail).
inline std::pair<int, int> binomial_99(int n, double p) {
  std::vector<double> pmf(n + 1);
  for (int k = 0; k <= n; ++k) {
    pmf[k] = std::exp(std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0) + k * std::log(p) +
                      (n - k) * std::log1p(-p));
  }
  int lo = 0, hi = n;
  double tail = 0;
  while (tail + pmf[lo] <= 0.005) tail += pmf[lo++];
  tail = 0;
  while (tail + pmf[hi] <= 0.005) tail += pmf[hi--];
  return {lo, hi};
}

}  // namespace gridrnn::analysis::testing_maps

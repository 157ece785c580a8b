#include "gridrnn/analysis/smooth_null.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "gridrnn/core/rng.hpp"
#include "gridrnn/core/threads.hpp"

namespace gridrnn::analysis {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPeakLevel = 0.5;  // the central field: SAC above half its value at lag 0 (1)
}  // namespace

double central_peak_radius(const Map2D& sac) {
  const int nx = sac.bins_x, ny = sac.bins_y, cx = nx / 2, cy = ny / 2;
  std::vector<char> seen(sac.size(), 0);
  std::vector<int> stack{cx * ny + cy};
  seen[stack.back()] = 1;
  int area = 0;
  while (!stack.empty()) {
    const int b = stack.back();
    stack.pop_back();
    ++area;
    const int ix = b / ny, iy = b % ny;
    const int neighbours[4][2] = {{ix - 1, iy}, {ix + 1, iy}, {ix, iy - 1}, {ix, iy + 1}};
    for (const auto& nb : neighbours) {
      if (nb[0] < 0 || nb[0] >= nx || nb[1] < 0 || nb[1] >= ny) continue;
      const int k = nb[0] * ny + nb[1];
      if (seen[k] || !(sac.values[k] > kPeakLevel)) continue;
      seen[k] = 1;
      stack.push_back(k);
    }
  }
  return std::sqrt(area / std::numbers::pi);
}

Map2D smooth_noise_map(const Map2D& visited, double sigma_bins, std::uint64_t seed, std::uint64_t index,
                       std::uint64_t subindex) {
  const int pad = static_cast<int>(std::ceil(4.0 * sigma_bins));
  const int nx = visited.bins_x + 2 * pad, ny = visited.bins_y + 2 * pad;
  Rng rng(seed, Stream::kSmoothNull, index, subindex);
  Map2D noise(nx, ny, 0.0);
  for (double& v : noise.values) v = rng.normal();
  const Map2D filtered = smooth_map(noise, sigma_bins);
  Map2D out(visited.bins_x, visited.bins_y, kNaN);
  for (int ix = 0; ix < visited.bins_x; ++ix) {
    for (int iy = 0; iy < visited.bins_y; ++iy) {
      if (std::isfinite(visited.at(ix, iy))) out.at(ix, iy) = std::max(0.0, filtered.at(ix + pad, iy + pad));
    }
  }
  return out;
}

SmoothNullCalibration::SmoothNullCalibration(const Map2D& visited, UnvisitedBins unvisited, std::uint64_t seed,
                                             int maps_per_sigma) {
  for (double s = 0.4; s <= 8.0 + 1e-9; s *= 1.12) sigmas_.push_back(s);
  radii_.assign(sigmas_.size(), 0.0);
  // Subindices from 2^32 on keep the calibration's numbers apart from every unit's null maps.
  parallel_for(sigmas_.size(), [&](std::size_t k) {
    AutocorrelogramFft sac_fft(visited.bins_x, visited.bins_y);
    Map2D sac;
    double sum = 0.0;
    for (int m = 0; m < maps_per_sigma; ++m) {
      const Map2D map = smooth_noise_map(visited, sigmas_[k], seed, k, (std::uint64_t{1} << 32) + m);
      sac_fft.compute(map, sac, unvisited);
      sum += central_peak_radius(sac);
    }
    radii_[k] = sum / maps_per_sigma;
  });
  for (std::size_t k = 1; k < radii_.size(); ++k) radii_[k] = std::max(radii_[k], radii_[k - 1]);
}

double SmoothNullCalibration::sigma_for_radius(double radius_bins) const {
  if (!(radius_bins > radii_.front())) return sigmas_.front();
  if (radius_bins >= radii_.back()) return sigmas_.back();
  const auto above = std::upper_bound(radii_.begin(), radii_.end(), radius_bins);
  const std::size_t hi = static_cast<std::size_t>(above - radii_.begin()), lo = hi - 1;
  const double span = radii_[hi] - radii_[lo];
  const double fraction = span > 0 ? (radius_bins - radii_[lo]) / span : 0.0;
  return sigmas_[lo] + fraction * (sigmas_[hi] - sigmas_[lo]);
}

}  // namespace gridrnn::analysis

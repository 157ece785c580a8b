#pragma once
// Smooth-noise null for the grid scores (issue 15): random smooth maps with a unit's own spatial
// smoothness, so that a smooth map without a lattice cannot pass as a grid. A noise map is white
// noise N(0, 1) per bin, Gaussian-filtered (standard deviation sigma bins, on a grid padded by
// 4 sigma so the arena's edges see no boundary effect), rectified (max(0, x)) and masked with
// the unit's unvisited bins (NaN). sigma is chosen so that the central peak of the noise maps'
// SAC is as wide as the unit's (central_peak_radius), through a table of mean peak radius
// against sigma measured once per binning (SmoothNullCalibration). docs/design.md "Smooth-noise null".
#include <cstdint>
#include <vector>

#include "gridrnn/analysis/grid_score.hpp"
#include "gridrnn/analysis/maps.hpp"

namespace gridrnn::analysis {

// Width of a SAC's central peak: sqrt(A / pi), A = the number of SAC bins connected to the
// centre (4-neighbours) whose correlation exceeds 0.5; in bins. sac: (2 bins_x - 1, 2 bins_y - 1).
double central_peak_radius(const Map2D& sac);

// One rectified Gaussian-filtered noise map on the shape of visited (finite bins are visited),
// random numbers from Rng(seed, Stream::kSmoothNull, index, subindex).
Map2D smooth_noise_map(const Map2D& visited, double sigma_bins, std::uint64_t seed, std::uint64_t index,
                       std::uint64_t subindex);

// Table of the noise maps' mean central peak radius against sigma (sigma = 0.4 .. 8 bins), for
// one visited mask and SAC convention; sigma_for_radius inverts it (linear interpolation,
// clamped to the table's ends).
class SmoothNullCalibration {
 public:
  SmoothNullCalibration(const Map2D& visited, UnvisitedBins unvisited, std::uint64_t seed, int maps_per_sigma = 16);
  double sigma_for_radius(double radius_bins) const;
  const std::vector<double>& sigmas() const { return sigmas_; }
  const std::vector<double>& radii() const { return radii_; }  // nondecreasing (running maximum)

 private:
  std::vector<double> sigmas_, radii_;
};

}  // namespace gridrnn::analysis

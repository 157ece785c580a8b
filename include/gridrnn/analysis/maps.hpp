#pragma once
// Rate maps and spatial autocorrelograms (docs/paper.md "Analyses") from plain arrays, so recorded
// neurons and trained networks are analysed by the same code.
//
// Map convention (used by every analysis and file): a map has bins_x x bins_y bins over the
// rectangle [xmin, xmax] x [ymin, ymax]; bin (ix, iy) has its centre at
//   x = xmin + (ix + 0.5) (xmax - xmin) / bins_x,   y = ymin + (iy + 0.5) (ymax - ymin) / bins_y,
// and is stored x-major: values[ix * bins_y + iy] (so numpy's M[i][j] is at x = c_i, y = c_j).
// NaN marks a bin without data (unvisited); it is never read as zero, except by a SAC asked to
// read it so (UnvisitedBins::kZero, the grid-score programs' convention).
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace gridrnn::analysis {

struct Map2D {
  int bins_x = 0;
  int bins_y = 0;
  std::vector<double> values;  // (bins_x, bins_y) x-major; NaN = no data

  Map2D() = default;
  Map2D(int bins_x_, int bins_y_, double fill);
  double& at(int ix, int iy) { return values[static_cast<std::size_t>(ix) * bins_y + iy]; }
  double at(int ix, int iy) const { return values[static_cast<std::size_t>(ix) * bins_y + iy]; }
  std::size_t size() const { return values.size(); }
  std::size_t finite_count() const;
};

// The rectangle a map covers (the arena's bounding box, in arena units).
struct MapExtent {
  double xmin = -1.0, xmax = 1.0, ymin = -1.0, ymax = 1.0;
  double bin_width_x(int bins_x) const { return (xmax - xmin) / bins_x; }
  double bin_width_y(int bins_y) const { return (ymax - ymin) / bins_y; }
  void validate() const;  // UserError unless xmin < xmax and ymin < ymax, all finite
};

// Which bin every sample falls in; computed once and reused for every unit and every shuffle.
// Samples outside the extent are clamped into the nearest edge bin (paths never leave the arena,
// so this only absorbs rounding at the walls).
struct SpatialBinning {
  int bins_x = 0;
  int bins_y = 0;
  std::vector<std::int32_t> bin_of_sample;  // (S) flat bin index ix * bins_y + iy
  std::vector<double> occupancy;            // (bins_x * bins_y) samples per bin
};

// positions: (S, 2) row-major (x, y) pairs. UserError if bins < 1 or a position is not finite.
SpatialBinning bin_positions(std::span<const double> positions, const MapExtent& extent,
                             int bins_x, int bins_y);

// Occupancy-normalized rate map: mean of activity over the samples in each bin; NaN where the
// bin was never visited. activity: (S) for one unit, S = binning.bin_of_sample.size().
Map2D rate_map(const SpatialBinning& binning, std::span<const float> activity);
Map2D rate_map(const SpatialBinning& binning, std::span<const double> activity);

// Gaussian smoothing with standard deviation sigma_bins (in bins), NaN-aware: the smoothed value
// is sum_k g_k m_k / sum_k g_k over valid bins k (normalized convolution), so unvisited bins
// neither pull the map towards zero nor get filled (they stay NaN). sigma_bins = 0: a copy.
// The kernel is truncated at 4 sigma.
Map2D smooth_map(const Map2D& map, double sigma_bins);

// How a spatial autocorrelogram reads unvisited (NaN) bins.
enum class UnvisitedBins {
  // Left out: each lag correlates the bins valid in both copies (docs/paper.md "Spatial autocorrelogram").
  kExcluded,
  // Read as rate 0 and kept, as google-deepmind/grid-cells' calculate_sac (nan_to_num before it
  // builds its masks, so they are all ones) and opexebo's autocorrelation do.
  kZero,
};

// Spatial autocorrelogram, direct O(n^4) reference: for every lag (lx, ly) in
// [-(bins_x-1), bins_x-1] x [-(bins_y-1), bins_y-1], the Pearson correlation of the map with its
// shifted copy over the overlapping bins (valid in both, or all of them with NaN read as 0),
// computed from the map's own values with means subtracted first (two passes), so that values
// that are tiny but not constant (the tails of a Gaussian) keep their correlation; 0 where fewer
// than 2 bins overlap or either side's values are all equal (deepmind's calculate_sac gives 0
// there through nan_to_num). Result: (2 bins_x - 1, 2 bins_y - 1) with lag (0, 0) at
// (bins_x - 1, bins_y - 1).
Map2D autocorrelogram_reference(const Map2D& map, UnvisitedBins unvisited = UnvisitedBins::kExcluded);

// The same SAC by FFT (FFTW, double precision) where the FFT is exact to ~1e-8, and by the direct
// sums elsewhere: three correlations of the standardized map per map (the mask's own correlation
// cached while the NaN pattern stays the same, as in every shuffle of a unit); a lag whose
// overlap variance on either side is below 1e-6 N / n(l) (standardized units, N valid bins,
// n(l) bins in the overlap) is recomputed directly from the map's values, since the FFT's
// rounding (~1e-15 N) would swamp it. One object per thread: compute() uses its buffers.
class AutocorrelogramFft {
 public:
  AutocorrelogramFft(int bins_x, int bins_y);
  ~AutocorrelogramFft();
  AutocorrelogramFft(const AutocorrelogramFft&) = delete;
  AutocorrelogramFft& operator=(const AutocorrelogramFft&) = delete;
  // Writes the SAC of map into sac (resized to (2 bins_x - 1, 2 bins_y - 1)).
  void compute(const Map2D& map, Map2D& sac, UnvisitedBins unvisited = UnvisitedBins::kExcluded);
  // Lags the last compute() took from the direct sums (for tests and benchmarks).
  std::size_t direct_lags() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Convenience: SAC by FFT with a temporary AutocorrelogramFft.
Map2D autocorrelogram(const Map2D& map, UnvisitedBins unvisited = UnvisitedBins::kExcluded);

// Subtracts the mean over valid bins and divides by the standard deviation (population, over
// valid bins); NaN stays NaN. Returns false (map untouched) when fewer than 2 bins are valid or
// the valid bins are all equal. Scores that must not depend on offset and scale start here.
bool standardize(Map2D& map);

}  // namespace gridrnn::analysis

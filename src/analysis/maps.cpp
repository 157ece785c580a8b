#include "gridrnn/analysis/maps.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>

#include <fftw3.h>

#include "analysis/detail/fftw_lock.hpp"
#include "gridrnn/core/error.hpp"

namespace gridrnn::analysis {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

template <typename T>
Map2D rate_map_impl(const SpatialBinning& binning, std::span<const T> activity) {
  if (activity.size() != binning.bin_of_sample.size()) {
    throw_user_error("activity has {} samples but positions have {}: one activity value per "
                     "position is needed",
                     activity.size(), binning.bin_of_sample.size());
  }
  Map2D map(binning.bins_x, binning.bins_y, 0.0);
  for (std::size_t s = 0; s < activity.size(); ++s) {
    map.values[binning.bin_of_sample[s]] += static_cast<double>(activity[s]);
  }
  for (std::size_t b = 0; b < map.size(); ++b) {
    map.values[b] = binning.occupancy[b] > 0 ? map.values[b] / binning.occupancy[b] : kNaN;
  }
  return map;
}

// Pearson correlation of x(p) with x(p + l) over the pairs of lag l = (lx, ly) where both are
// finite, from the values themselves: means first, then centred sums (two passes), so that
// values that are tiny but not constant keep their correlation. 0 where fewer than 2 pairs
// overlap or either side's values are all equal (deepmind's calculate_sac: nan_to_num of 0/0).
double direct_lag_correlation(const Map2D& x, int lx, int ly) {
  const int ix0 = std::max(0, -lx), ix1 = std::min(x.bins_x, x.bins_x - lx);
  const int iy0 = std::max(0, -ly), iy1 = std::min(x.bins_y, x.bins_y - ly);
  double n = 0, sum_a = 0, sum_b = 0;
  double low_a = std::numeric_limits<double>::infinity(), high_a = -low_a, low_b = low_a, high_b = -low_a;
  for (int ix = ix0; ix < ix1; ++ix) {
    for (int iy = iy0; iy < iy1; ++iy) {
      const double a = x.at(ix, iy), b = x.at(ix + lx, iy + ly);
      if (!std::isfinite(a) || !std::isfinite(b)) continue;
      n += 1;
      sum_a += a;
      sum_b += b;
      low_a = std::min(low_a, a);
      high_a = std::max(high_a, a);
      low_b = std::min(low_b, b);
      high_b = std::max(high_b, b);
    }
  }
  if (n < 1.5 || low_a == high_a || low_b == high_b) return 0.0;
  const double mean_a = sum_a / n, mean_b = sum_b / n;
  double aa = 0, bb = 0, ab = 0;
  for (int ix = ix0; ix < ix1; ++ix) {
    for (int iy = iy0; iy < iy1; ++iy) {
      const double a = x.at(ix, iy), b = x.at(ix + lx, iy + ly);
      if (!std::isfinite(a) || !std::isfinite(b)) continue;
      aa += (a - mean_a) * (a - mean_a);
      bb += (b - mean_b) * (b - mean_b);
      ab += (a - mean_a) * (b - mean_b);
    }
  }
  if (!(aa > 0) || !(bb > 0)) return 0.0;
  return ab / std::sqrt(aa * bb);
}

// The map as the SAC reads it: NaN -> 0 for UnvisitedBins::kZero, unchanged otherwise.
Map2D sac_input(const Map2D& map, UnvisitedBins unvisited) {
  Map2D x = map;
  if (unvisited == UnvisitedBins::kZero) {
    for (double& v : x.values) v = std::isnan(v) ? 0.0 : v;
  }
  return x;
}

}  // namespace

std::mutex& detail::fftw_planner_mutex() {
  static std::mutex mutex;
  return mutex;
}

void detail::destroy_fftw(std::initializer_list<fftw_plan> plans, std::initializer_list<void*> buffers) {
  {
    std::lock_guard<std::mutex> lock(fftw_planner_mutex());
    for (fftw_plan plan : plans) fftw_destroy_plan(plan);
  }
  for (void* buffer : buffers) fftw_free(buffer);
}

Map2D::Map2D(int bins_x_, int bins_y_, double fill)
    : bins_x(bins_x_), bins_y(bins_y_),
      values(static_cast<std::size_t>(bins_x_) * static_cast<std::size_t>(bins_y_), fill) {}

std::size_t Map2D::finite_count() const {
  return static_cast<std::size_t>(
      std::count_if(values.begin(), values.end(), [](double v) { return std::isfinite(v); }));
}

void MapExtent::validate() const {
  if (!(std::isfinite(xmin) && std::isfinite(xmax) && xmin < xmax)) {
    throw_user_error("map extent x = [{}, {}]: need finite xmin < xmax", xmin, xmax);
  }
  if (!(std::isfinite(ymin) && std::isfinite(ymax) && ymin < ymax)) {
    throw_user_error("map extent y = [{}, {}]: need finite ymin < ymax", ymin, ymax);
  }
}

SpatialBinning bin_positions(std::span<const double> positions, const MapExtent& extent,
                             int bins_x, int bins_y) {
  extent.validate();
  if (bins_x < 1 || bins_y < 1) {
    throw_user_error("rate map bins = {} x {}: need at least 1 bin per axis", bins_x, bins_y);
  }
  if (positions.size() % 2 != 0) {
    throw_user_error("positions have {} values: expected (S, 2) pairs (x, y)", positions.size());
  }
  SpatialBinning binning;
  binning.bins_x = bins_x;
  binning.bins_y = bins_y;
  const std::size_t samples = positions.size() / 2;
  binning.bin_of_sample.resize(samples);
  binning.occupancy.assign(static_cast<std::size_t>(bins_x) * bins_y, 0.0);
  const double scale_x = bins_x / (extent.xmax - extent.xmin);
  const double scale_y = bins_y / (extent.ymax - extent.ymin);
  for (std::size_t s = 0; s < samples; ++s) {
    const double x = positions[2 * s], y = positions[2 * s + 1];
    if (!std::isfinite(x) || !std::isfinite(y)) {
      throw_user_error("position of sample {} is ({}, {}): positions must be finite", s, x, y);
    }
    const int ix = std::clamp(static_cast<int>(std::floor((x - extent.xmin) * scale_x)), 0,
                              bins_x - 1);
    const int iy = std::clamp(static_cast<int>(std::floor((y - extent.ymin) * scale_y)), 0,
                              bins_y - 1);
    const std::int32_t bin = ix * bins_y + iy;
    binning.bin_of_sample[s] = bin;
    binning.occupancy[bin] += 1.0;
  }
  return binning;
}

Map2D rate_map(const SpatialBinning& binning, std::span<const float> activity) {
  return rate_map_impl(binning, activity);
}
Map2D rate_map(const SpatialBinning& binning, std::span<const double> activity) {
  return rate_map_impl(binning, activity);
}

Map2D smooth_map(const Map2D& map, double sigma_bins) {
  if (!(sigma_bins >= 0.0) || !std::isfinite(sigma_bins)) {
    throw_user_error("smoothing sigma = {} bins: must be finite and >= 0", sigma_bins);
  }
  if (sigma_bins == 0.0) return map;
  const int radius = static_cast<int>(std::ceil(4.0 * sigma_bins));
  std::vector<double> kernel(2 * radius + 1);  // (2 radius + 1)
  for (int k = -radius; k <= radius; ++k) {
    kernel[k + radius] = std::exp(-0.5 * k * k / (sigma_bins * sigma_bins));
  }
  // Separable normalized convolution: smooth (valid * m) and valid, then divide.
  const int nx = map.bins_x, ny = map.bins_y;
  Map2D weighted(nx, ny, 0.0), weight(nx, ny, 0.0);
  for (std::size_t b = 0; b < map.size(); ++b) {
    if (std::isfinite(map.values[b])) {
      weighted.values[b] = map.values[b];
      weight.values[b] = 1.0;
    }
  }
  auto convolve = [&](Map2D& field, bool along_x) {
    Map2D out(nx, ny, 0.0);
    for (int ix = 0; ix < nx; ++ix) {
      for (int iy = 0; iy < ny; ++iy) {
        double sum = 0.0;
        for (int k = -radius; k <= radius; ++k) {
          const int jx = along_x ? ix + k : ix, jy = along_x ? iy : iy + k;
          if (jx < 0 || jx >= nx || jy < 0 || jy >= ny) continue;
          sum += kernel[k + radius] * field.at(jx, jy);
        }
        out.at(ix, iy) = sum;
      }
    }
    field = std::move(out);
  };
  for (bool along_x : {true, false}) {
    convolve(weighted, along_x);
    convolve(weight, along_x);
  }
  Map2D smoothed(nx, ny, kNaN);
  for (std::size_t b = 0; b < map.size(); ++b) {
    if (std::isfinite(map.values[b])) smoothed.values[b] = weighted.values[b] / weight.values[b];
  }
  return smoothed;
}

bool standardize(Map2D& map) {
  double sum = 0.0, count = 0.0;
  for (double v : map.values) {
    if (std::isfinite(v)) {
      sum += v;
      count += 1.0;
    }
  }
  if (count < 2.0) return false;
  const double mean = sum / count;
  double squares = 0.0;
  for (double v : map.values) {
    if (std::isfinite(v)) squares += (v - mean) * (v - mean);
  }
  const double sd = std::sqrt(squares / count);
  // Equal values (up to rounding relative to their size): no spatial structure to score.
  if (!(sd > 1e-12 * std::max(1.0, std::abs(mean)))) return false;
  for (double& v : map.values) {
    if (std::isfinite(v)) v = (v - mean) / sd;
  }
  return true;
}

Map2D autocorrelogram_reference(const Map2D& map, UnvisitedBins unvisited) {
  const Map2D x = sac_input(map, unvisited);
  const int nx = x.bins_x, ny = x.bins_y;
  Map2D sac(2 * nx - 1, 2 * ny - 1, 0.0);
  for (int lx = -(nx - 1); lx <= nx - 1; ++lx) {
    for (int ly = -(ny - 1); ly <= ny - 1; ++ly) {
      sac.at(lx + nx - 1, ly + ny - 1) = direct_lag_correlation(x, lx, ly);
    }
  }
  return sac;
}

// Correlations by FFT on a (px, py) grid with px >= 2 nx - 1 so that lags do not wrap:
// corr(a, b)(l) = sum_p a(p) b(p + l) = IFFT(conj(A) B)(l), lag l stored at l mod px.
struct AutocorrelogramFft::Impl {
  int nx, ny, px, py, pyc;  // map size, padded size, complex columns (py / 2 + 1)
  double* real_buffer;        // (px, py)
  fftw_complex* spectrum_map;     // (px, pyc) FFT of the standardized map (0 at NaN)
  fftw_complex* spectrum_square;  // (px, pyc) FFT of its square
  fftw_complex* spectrum_mask;    // (px, pyc) FFT of the valid-bin mask
  fftw_complex* product;          // (px, pyc)
  std::vector<double> corr_mm;     // (px, py) mask with mask: overlap counts n(l)
  std::vector<double> corr_xm;     // (px, py) map with mask
  std::vector<double> corr_qm;     // (px, py) squared map with mask
  std::vector<double> corr_xx;     // (px, py) map with map
  std::vector<unsigned char> cached_mask;  // (nx, ny) the mask corr_mm belongs to
  std::size_t direct_lags = 0;             // lags of the last compute() taken from direct sums
  fftw_plan forward = nullptr, inverse = nullptr;

  Impl(int nx_, int ny_) : nx(nx_), ny(ny_), px(2 * nx_), py(2 * ny_), pyc(ny_ + 1) {
    real_buffer = fftw_alloc_real(static_cast<std::size_t>(px) * py);
    spectrum_map = fftw_alloc_complex(static_cast<std::size_t>(px) * pyc);
    spectrum_square = fftw_alloc_complex(static_cast<std::size_t>(px) * pyc);
    spectrum_mask = fftw_alloc_complex(static_cast<std::size_t>(px) * pyc);
    product = fftw_alloc_complex(static_cast<std::size_t>(px) * pyc);
    const std::size_t real_size = static_cast<std::size_t>(px) * py;
    corr_mm.resize(real_size);
    corr_xm.resize(real_size);
    corr_qm.resize(real_size);
    corr_xx.resize(real_size);
    std::lock_guard<std::mutex> lock(detail::fftw_planner_mutex());
    forward = fftw_plan_dft_r2c_2d(px, py, real_buffer, spectrum_map, FFTW_ESTIMATE);
    inverse = fftw_plan_dft_c2r_2d(px, py, product, real_buffer, FFTW_ESTIMATE);
  }
  ~Impl() {
    detail::destroy_fftw({forward, inverse},
                         {real_buffer, spectrum_map, spectrum_square, spectrum_mask, product});
  }

  void transform(const std::vector<double>& padded_values, fftw_complex* spectrum) {
    std::copy(padded_values.begin(), padded_values.end(), real_buffer);
    fftw_execute_dft_r2c(forward, real_buffer, spectrum);
  }
  // out(l) = sum_p a(p) b(p + l), unnormalized FFTW inverse divided by px py.
  void correlate(const fftw_complex* a, const fftw_complex* b, std::vector<double>& out) {
    const std::size_t count = static_cast<std::size_t>(px) * pyc;
    for (std::size_t k = 0; k < count; ++k) {
      // conj(a) * b
      product[k][0] = a[k][0] * b[k][0] + a[k][1] * b[k][1];
      product[k][1] = a[k][0] * b[k][1] - a[k][1] * b[k][0];
    }
    fftw_execute_dft_c2r(inverse, product, real_buffer);
    const double norm = 1.0 / (static_cast<double>(px) * py);
    for (std::size_t k = 0; k < out.size(); ++k) out[k] = real_buffer[k] * norm;
  }
};

AutocorrelogramFft::AutocorrelogramFft(int bins_x, int bins_y)
    : impl_(std::make_unique<Impl>(bins_x, bins_y)) {}
AutocorrelogramFft::~AutocorrelogramFft() = default;

std::size_t AutocorrelogramFft::direct_lags() const { return impl_->direct_lags; }

void AutocorrelogramFft::compute(const Map2D& map, Map2D& sac, UnvisitedBins unvisited) {
  Impl& f = *impl_;
  GRIDRNN_ASSERT(map.bins_x == f.nx && map.bins_y == f.ny, "map size differs from the plan");
  sac.bins_x = 2 * f.nx - 1;
  sac.bins_y = 2 * f.ny - 1;
  sac.values.assign(static_cast<std::size_t>(sac.bins_x) * sac.bins_y, 0.0);
  f.direct_lags = 0;
  const Map2D raw = sac_input(map, unvisited);
  // Pearson correlation is offset and scale free: standardize first, which also keeps the FFT's
  // rounding small relative to the sums that are subtracted below.
  Map2D x = raw;
  if (!standardize(x)) return;  // no structure: SAC 0 everywhere (deepmind: nan_to_num)
  const double valid = static_cast<double>(x.finite_count());
  const std::size_t padded = static_cast<std::size_t>(f.px) * f.py;
  std::vector<unsigned char> mask(map.size());
  for (std::size_t b = 0; b < map.size(); ++b) mask[b] = std::isfinite(x.values[b]) ? 1 : 0;
  std::vector<double> values(padded, 0.0), squares(padded, 0.0);
  for (int ix = 0; ix < f.nx; ++ix) {
    for (int iy = 0; iy < f.ny; ++iy) {
      const double v = x.at(ix, iy);
      if (std::isfinite(v)) {
        values[static_cast<std::size_t>(ix) * f.py + iy] = v;
        squares[static_cast<std::size_t>(ix) * f.py + iy] = v * v;
      }
    }
  }
  if (mask != f.cached_mask) {
    std::vector<double> ones(padded, 0.0);
    for (int ix = 0; ix < f.nx; ++ix) {
      for (int iy = 0; iy < f.ny; ++iy) {
        if (mask[static_cast<std::size_t>(ix) * f.ny + iy]) {
          ones[static_cast<std::size_t>(ix) * f.py + iy] = 1.0;
        }
      }
    }
    f.transform(ones, f.spectrum_mask);
    f.correlate(f.spectrum_mask, f.spectrum_mask, f.corr_mm);
    f.cached_mask = mask;
  }
  f.transform(values, f.spectrum_map);
  f.transform(squares, f.spectrum_square);
  f.correlate(f.spectrum_map, f.spectrum_mask, f.corr_xm);   // sum_p x(p) m(p + l)
  f.correlate(f.spectrum_square, f.spectrum_mask, f.corr_qm);
  f.correlate(f.spectrum_map, f.spectrum_map, f.corr_xx);
  auto index = [&](int lx, int ly) {
    const int ux = (lx + f.px) % f.px, uy = (ly + f.py) % f.py;
    return static_cast<std::size_t>(ux) * f.py + uy;
  };
  for (int lx = -(f.nx - 1); lx <= f.nx - 1; ++lx) {
    for (int ly = -(f.ny - 1); ly <= f.ny - 1; ++ly) {
      const std::size_t here = index(lx, ly), mirrored = index(-lx, -ly);
      const double n = std::round(f.corr_mm[here]);
      if (n < 1.5) continue;  // fewer than 2 pairs: 0
      // First member of the pair: x(p) over p with p + l valid; second: x(p + l) over p valid,
      // i.e. corr(m, x)(l) = corr(x, m)(-l).
      const double mean_a = f.corr_xm[here] / n, mean_b = f.corr_xm[mirrored] / n;
      const double var_a = f.corr_qm[here] / n - mean_a * mean_a;
      const double var_b = f.corr_qm[mirrored] / n - mean_b * mean_b;
      // Standardized map: the FFT's sums carry rounding ~1e-15 N, so its variances are good to
      // ~1e-8 relative above this floor; below it (small or nearly constant overlaps, tails of a
      // field) the lag comes from the direct sums over the map's own values.
      const double min_variance = 1e-6 * valid / n;
      double r = 0.0;
      if (var_a >= min_variance && var_b >= min_variance) {
        r = (f.corr_xx[here] / n - mean_a * mean_b) / std::sqrt(var_a * var_b);
      } else {
        r = direct_lag_correlation(raw, lx, ly);
        ++f.direct_lags;
      }
      sac.at(lx + f.nx - 1, ly + f.ny - 1) = r;
    }
  }
}

Map2D autocorrelogram(const Map2D& map, UnvisitedBins unvisited) {
  AutocorrelogramFft fft(map.bins_x, map.bins_y);
  Map2D sac;
  fft.compute(map, sac, unvisited);
  return sac;
}

}  // namespace gridrnn::analysis

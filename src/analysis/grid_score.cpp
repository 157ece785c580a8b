#include "gridrnn/analysis/grid_score.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <numbers>

#include "gridrnn/core/error.hpp"

namespace gridrnn::analysis {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// cos and sin of an angle in degrees, exact at multiples of 90 (as scipy.special.cosdg/sindg),
// so that a 90-degree rotation maps pixels exactly onto pixels.
void cos_sin_degrees(double angle_deg, double& c, double& s) {
  const double quarter = angle_deg / 90.0;
  if (quarter == std::round(quarter)) {
    const int k = ((static_cast<int>(std::round(quarter)) % 4) + 4) % 4;
    constexpr double kCos[4] = {1, 0, -1, 0}, kSin[4] = {0, 1, 0, -1};
    c = kCos[k];
    s = kSin[k];
    return;
  }
  const double radians = angle_deg * std::numbers::pi / 180.0;
  c = std::cos(radians);
  s = std::sin(radians);
}

// Whole-sample mirror of a coefficient index into [0, len): -1 -> 1, len -> len - 2.
int mirror_index(int index, int len) {
  if (len <= 1) return 0;
  const int period = 2 * len - 2;
  index %= period;
  if (index < 0) index += period;
  return index < len ? index : period - index;
}

// Cubic B-spline weights of taps floor(x) - 1 .. floor(x) + 2 at fraction t = x - floor(x).
void cubic_weights(double t, double w[4]) {
  const double u = 1.0 - t;
  w[0] = u * u * u / 6.0;
  w[1] = (4.0 - 6.0 * t * t + 3.0 * t * t * t) / 6.0;
  w[2] = (1.0 + 3.0 * t + 3.0 * t * t - 3.0 * t * t * t) / 6.0;
  w[3] = t * t * t / 6.0;
}

// In-place cubic spline prefilter of one line (stride apart), mirror boundary.
void prefilter_line(double* line, int len, std::ptrdiff_t stride) {
  if (len < 2) return;
  const double z = std::sqrt(3.0) - 2.0;
  const double gain = (1.0 - z) * (1.0 - 1.0 / z);  // = 6
  auto at = [&](int k) -> double& { return line[k * stride]; };
  for (int k = 0; k < len; ++k) at(k) *= gain;
  // Causal initial value for the mirror-extended signal of period 2 len - 2:
  // c+(0) = sum_{k=0}^{2len-3} z^k s~(k) / (1 - z^(2len-2)).
  const int period = 2 * len - 2;
  double sum = 0.0, zk = 1.0;
  for (int k = 0; k < period; ++k) {
    sum += zk * at(mirror_index(k, len));
    zk *= z;
  }
  at(0) = sum / (1.0 - zk);
  for (int k = 1; k < len; ++k) at(k) += z * at(k - 1);
  // Anticausal initial value for the mirror boundary, then c-(k) = z (c-(k+1) - c+(k)).
  at(len - 1) = z / (z * z - 1.0) * (at(len - 1) + z * at(len - 2));
  for (int k = len - 2; k >= 0; --k) at(k) = z * (at(k + 1) - at(k));
}

double snap_to_integer(double v) {
  const double r = std::round(v);
  return std::abs(v - r) < 1e-9 ? r : v;
}
}  // namespace

GridConvention parse_grid_convention(const std::string& text) {
  if (text == "deepmind") return GridConvention::kDeepmind;
  if (text == "sargolini") return GridConvention::kSargolini;
  throw_user_error("grid score convention '{}': expected 'deepmind' or 'sargolini'", text);
}
GridVariant parse_grid_variant(const std::string& text) {
  if (text == "mean") return GridVariant::kMean;
  if (text == "min_max") return GridVariant::kMinMax;
  throw_user_error("grid score variant '{}': expected 'mean' or 'min_max'", text);
}
std::string to_string(GridConvention convention) {
  return convention == GridConvention::kDeepmind ? "deepmind" : "sargolini";
}
std::string to_string(GridVariant variant) {
  return variant == GridVariant::kMean ? "mean" : "min_max";
}

UnvisitedBins sac_unvisited_bins(GridConvention convention) {
  (void)convention;  // scores.py and opexebo both apply nan_to_num before their SAC
  return UnvisitedBins::kZero;
}

void spline_prefilter(std::vector<double>& image, int size_x, int size_y) {
  GRIDRNN_ASSERT(image.size() == static_cast<std::size_t>(size_x) * size_y);
  for (int ix = 0; ix < size_x; ++ix) prefilter_line(&image[static_cast<std::size_t>(ix) * size_y], size_y, 1);
  for (int iy = 0; iy < size_y; ++iy) prefilter_line(&image[iy], size_x, size_y);
}

SplineRotation::SplineRotation(int size_x, int size_y, double angle_deg,
                               const std::vector<int>& pixels) {
  double c = 0, s = 0;
  cos_sin_degrees(angle_deg, c, s);
  const double centre_x = (size_x - 1) / 2.0, centre_y = (size_y - 1) / 2.0;
  tap_index_.assign(pixels.size() * 16, 0);
  tap_weight_.assign(pixels.size() * 16, 0.0);
  for (std::size_t p = 0; p < pixels.size(); ++p) {
    const int ox = pixels[p] / size_y, oy = pixels[p] % size_y;
    const double dx = ox - centre_x, dy = oy - centre_y;
    const double ix = snap_to_integer(c * dx + s * dy + centre_x);
    const double iy = snap_to_integer(-s * dx + c * dy + centre_y);
    // mode='constant': no interpolation outside the array's extent; the value is cval = 0.
    if (ix < 0 || ix > size_x - 1 || iy < 0 || iy > size_y - 1) continue;
    const double fx = std::floor(ix), fy = std::floor(iy);
    double wx[4], wy[4];
    cubic_weights(ix - fx, wx);
    cubic_weights(iy - fy, wy);
    for (int a = 0; a < 4; ++a) {
      const int jx = mirror_index(static_cast<int>(fx) - 1 + a, size_x);
      for (int b = 0; b < 4; ++b) {
        const int jy = mirror_index(static_cast<int>(fy) - 1 + b, size_y);
        tap_index_[p * 16 + a * 4 + b] = jx * size_y + jy;
        tap_weight_[p * 16 + a * 4 + b] = wx[a] * wy[b];
      }
    }
  }
}

void SplineRotation::apply(const std::vector<double>& coefficients, std::vector<double>& out) const {
  const std::size_t count = tap_index_.size() / 16;
  out.resize(count);
  for (std::size_t p = 0; p < count; ++p) {
    const int* index = &tap_index_[p * 16];
    const double* weight = &tap_weight_[p * 16];
    double sum = 0.0;
    for (int k = 0; k < 16; ++k) sum += weight[k] * coefficients[index[k]];
    out[p] = sum;
  }
}

std::vector<double> rotate_image_reference(const std::vector<double>& image, int size_x,
                                           int size_y, double angle_deg) {
  std::vector<int> all(image.size());
  for (std::size_t p = 0; p < all.size(); ++p) all[p] = static_cast<int>(p);
  std::vector<double> coefficients = image;
  spline_prefilter(coefficients, size_x, size_y);
  std::vector<double> out;
  SplineRotation(size_x, size_y, angle_deg, all).apply(coefficients, out);
  return out;
}

BilinearRotation::BilinearRotation(int size_x, int size_y, double angle_deg,
                                   const std::vector<int>& pixels) {
  // skimage builds the rotation from np.deg2rad(angle) (no exact multiples of 90 degrees).
  const double radians = angle_deg * std::numbers::pi / 180.0;
  const double c = std::cos(radians), s = std::sin(radians);
  const double centre_x = (size_x - 1) / 2.0, centre_y = (size_y - 1) / 2.0;
  tap_index_.assign(pixels.size() * 4, 0);
  tap_weight_.assign(pixels.size() * 4, 0.0);
  for (std::size_t p = 0; p < pixels.size(); ++p) {
    const int ox = pixels[p] / size_y, oy = pixels[p] % size_y;
    const double dx = ox - centre_x, dy = oy - centre_y;
    const double iy = c * dy - s * dx + centre_y, ix = s * dy + c * dx + centre_x;
    const double fx = std::floor(ix), fy = std::floor(iy);
    const double tx = ix - fx, ty = iy - fy;
    const double wx[2] = {1.0 - tx, tx}, wy[2] = {1.0 - ty, ty};
    for (int a = 0; a < 2; ++a) {
      for (int b = 0; b < 2; ++b) {
        const int jx = static_cast<int>(fx) + a, jy = static_cast<int>(fy) + b;
        if (jx < 0 || jx >= size_x || jy < 0 || jy >= size_y) continue;  // cval = 0
        tap_index_[p * 4 + a * 2 + b] = jx * size_y + jy;
        tap_weight_[p * 4 + a * 2 + b] = wx[a] * wy[b];
      }
    }
  }
}

void BilinearRotation::apply(const std::vector<double>& image, std::vector<double>& out) const {
  const std::size_t count = tap_index_.size() / 4;
  out.resize(count);
  for (std::size_t p = 0; p < count; ++p) {
    double sum = 0.0;
    for (int k = 0; k < 4; ++k) sum += tap_weight_[p * 4 + k] * image[tap_index_[p * 4 + k]];
    out[p] = sum;
  }
}

namespace {

// Grey-scale reconstruction by dilation of `seed` under `mask` (8-connected), by forward and
// backward raster sweeps repeated until nothing changes (Vincent 1993); seed <= mask.
std::vector<double> reconstruct_by_dilation(std::vector<double> seed, const std::vector<double>& mask,
                                            int size_x, int size_y) {
  bool changed = true;
  while (changed) {
    changed = false;
    for (int pass = 0; pass < 2; ++pass) {
      const int step = pass == 0 ? 1 : -1;
      const int x0 = pass == 0 ? 0 : size_x - 1, y0 = pass == 0 ? 0 : size_y - 1;
      for (int ix = x0; ix >= 0 && ix < size_x; ix += step) {
        for (int iy = y0; iy >= 0 && iy < size_y; iy += step) {
          const int p = ix * size_y + iy;
          double v = seed[p];
          // The neighbours already visited in this sweep's order (and the pixel itself).
          const int nbx[4] = {ix, ix - step, ix - step, ix - step};
          const int nby[4] = {iy - step, iy - step, iy, iy + step};
          for (int k = 0; k < 4; ++k) {
            if (nbx[k] < 0 || nbx[k] >= size_x || nby[k] < 0 || nby[k] >= size_y) continue;
            v = std::max(v, seed[nbx[k] * size_y + nby[k]]);
          }
          v = std::min(v, mask[p]);
          if (v != seed[p]) {
            seed[p] = v;
            changed = true;
          }
        }
      }
    }
  }
  return seed;
}

// The 4-connected region around `peak` where image >= threshold x image(peak). Returns its area
// and fills `pixels`, or -1 when the region has a hole (background not 4-connected to the
// image's border), which opexebo's _area_for_threshold calls a bad field.
int threshold_region(const std::vector<double>& image, int size_x, int size_y, int peak,
                     double threshold, std::vector<int>& pixels) {
  const double level = image[peak] * threshold;
  std::vector<unsigned char> inside(image.size(), 0);
  pixels.clear();
  std::vector<int> stack = {peak};
  inside[peak] = 1;
  while (!stack.empty()) {
    const int p = stack.back();
    stack.pop_back();
    pixels.push_back(p);
    const int px = p / size_y, py = p % size_y;
    const int nbx[4] = {px - 1, px + 1, px, px}, nby[4] = {py, py, py - 1, py + 1};
    for (int k = 0; k < 4; ++k) {
      if (nbx[k] < 0 || nbx[k] >= size_x || nby[k] < 0 || nby[k] >= size_y) continue;
      const int q = nbx[k] * size_y + nby[k];
      if (!inside[q] && image[q] >= level) {
        inside[q] = 1;
        stack.push_back(q);
      }
    }
  }
  // Background reachable from the border (4-connected); any other background pixel is a hole.
  std::vector<unsigned char> outside(image.size(), 0);
  for (int ix = 0; ix < size_x; ++ix) {
    for (int iy = 0; iy < size_y; ++iy) {
      const bool border = ix == 0 || iy == 0 || ix == size_x - 1 || iy == size_y - 1;
      const int p = ix * size_y + iy;
      if (border && !inside[p] && !outside[p]) {
        outside[p] = 1;
        stack.push_back(p);
      }
    }
  }
  std::size_t reached = 0;
  while (!stack.empty()) {
    const int p = stack.back();
    stack.pop_back();
    ++reached;
    const int px = p / size_y, py = p % size_y;
    const int nbx[4] = {px - 1, px + 1, px, px}, nby[4] = {py, py, py - 1, py + 1};
    for (int k = 0; k < 4; ++k) {
      if (nbx[k] < 0 || nbx[k] >= size_x || nby[k] < 0 || nby[k] >= size_y) continue;
      const int q = nbx[k] * size_y + nby[k];
      if (!inside[q] && !outside[q]) {
        outside[q] = 1;
        stack.push_back(q);
      }
    }
  }
  if (reached + pixels.size() < image.size()) return -1;
  return static_cast<int>(pixels.size());
}

// numpy.round(v, 2).
double round2(double v) { return std::nearbyint(v * 100.0) / 100.0; }

// numpy.linspace(start, stop, num) (num >= 1).
std::vector<double> linspace(double start, double stop, int num) {
  std::vector<double> out(static_cast<std::size_t>(std::max(num, 0)));
  if (num == 1) out[0] = start;
  if (num < 2) return out;
  const double step = (stop - start) / (num - 1);
  for (int i = 0; i < num; ++i) out[i] = i * step + start;
  out[num - 1] = stop;
  return out;
}

}  // namespace

int sargolini_central_field_area(const std::vector<double>& sac, int size_x, int size_y) {
  const int peak = ((size_x + 1) / 2 - 1) * size_y + ((size_y + 1) / 2 - 1);  // ceil(n / 2) - 1
  // Erosion by the 3 x 3 cross (neighbours beyond the edge repeat the edge pixel), then
  // reconstruction by dilation under the SAC: every regional maximum is cut down to the height
  // at which it survives the erosion.
  std::vector<double> eroded(sac.size());
  for (int ix = 0; ix < size_x; ++ix) {
    for (int iy = 0; iy < size_y; ++iy) {
      double v = sac[ix * size_y + iy];
      if (ix > 0) v = std::min(v, sac[(ix - 1) * size_y + iy]);
      if (ix + 1 < size_x) v = std::min(v, sac[(ix + 1) * size_y + iy]);
      if (iy > 0) v = std::min(v, sac[ix * size_y + iy - 1]);
      if (iy + 1 < size_y) v = std::min(v, sac[ix * size_y + iy + 1]);
      eroded[ix * size_y + iy] = v;
    }
  }
  const std::vector<double> image = reconstruct_by_dilation(std::move(eroded), sac, size_x, size_y);
  std::vector<int> first_pixels, second_pixels;
  // Area ratio between two thresholds; NaN when either region is bad.
  auto area_change = [&](double first, double second, int& area_second) {
    const int a1 = threshold_region(image, size_x, size_y, peak, first, first_pixels);
    if (a1 < 0) return std::numeric_limits<double>::quiet_NaN();
    const int a2 = threshold_region(image, size_x, size_y, peak, second, second_pixels);
    if (a2 < 0) return std::numeric_limits<double>::quiet_NaN();
    area_second = a2;
    return static_cast<double>(a2) / a1;
  };
  double used = 0.95;
  int area2 = 0;
  double initial_change = area_change(used, used - 0.02, area2);
  if (std::isnan(initial_change)) {
    for (double j : linspace(used + 0.01, 1.0, 4)) {
      initial_change = area_change(j, j - 0.01, area2);
      if (!std::isnan(initial_change) && initial_change > 0) {
        used = j - 0.01;
        break;
      }
    }
    // Still no valid pair of thresholds: opexebo's expansion then stops at once, no field.
    if (std::isnan(initial_change)) return 0;
  }
  // Lower the threshold while the region grows smoothly (opexebo's _expand_field).
  const int steps = static_cast<int>((used - 0.2) / 0.02) + 1;
  double last_area = area2;
  std::size_t last_size = 0;
  int not_changing = 0, decreasing = 0;
  std::vector<int> pixels;
  for (double t : linspace(used, 0.2, steps)) {
    const int area = threshold_region(image, size_x, size_y, peak, round2(t), pixels);
    if (area < 0) break;
    const double change = area / last_area;
    decreasing = change < 1 ? decreasing + 1 : 0;
    if (std::floor(change / initial_change) <= 2 && decreasing < 3) {
      not_changing = change == 1 ? not_changing + 1 : 0;
      if (not_changing < 10) {
        last_area = area;
        last_size = pixels.size();
        continue;
      }
    }
    break;
  }
  // The field (min_bins = 5); its mean SAC value is above 0.2 of the peak, so min_mean = 0 holds.
  return last_size >= 5 ? static_cast<int>(last_size) : 0;
}

GridScorer::GridScorer(int bins_x, int bins_y, GridConvention convention, GridVariant variant)
    : bins_x_(bins_x), bins_y_(bins_y), sac_x_(2 * bins_x - 1), sac_y_(2 * bins_y - 1),
      n_(std::min(bins_x, bins_y)), convention_(convention), variant_(variant) {
  if (bins_x < 4 || bins_y < 4) {
    throw_user_error("grid scores need maps of at least 4 x 4 bins, got {} x {}", bins_x, bins_y);
  }
  // numpy: linspace(0.4, 1.0, 10) * n, and 0.2 * n (deepmind's mask_parameters).
  const double step = (1.0 - 0.4) / 9.0;
  for (int j = 0; j < 10; ++j) ring_outer_.push_back((j == 9 ? 1.0 : 0.4 + j * step) * n_);
  ring_inner_ = 0.2 * n_;
  const double max_radius = n_ + 1e-9;
  for (int ix = 0; ix < sac_x_; ++ix) {
    for (int iy = 0; iy < sac_y_; ++iy) {
      const double rho = std::hypot(ix - (bins_x - 1), iy - (bins_y - 1));
      if (rho <= max_radius) {
        pixels_.push_back(ix * sac_y_ + iy);
        pixel_radius_.push_back(rho);
      }
    }
  }
  if (convention_ == GridConvention::kDeepmind) {
    for (double angle : kGridAngles) rotations_.emplace_back(sac_x_, sac_y_, angle, pixels_);
    return;
  }
  // opexebo's autocorrelation keeps round(1.8 n) lags per axis (made odd) around the centre.
  auto cropped = [](int bins) {
    int size = static_cast<int>(std::nearbyint(bins + bins * 0.8));
    if (size % 2 == 0) size -= 1;
    return std::min(size, 2 * bins - 1);
  };
  crop_x_ = cropped(bins_x);
  crop_y_ = cropped(bins_y);
  outer_bound_ = std::min(crop_x_, crop_y_) / 2;  // floor(min(shape) / 2)
  const int cx = (crop_x_ - 1) / 2, cy = (crop_y_ - 1) / 2;
  for (int ix = 0; ix < crop_x_; ++ix) {
    for (int iy = 0; iy < crop_y_; ++iy) {
      const double rho = std::hypot(ix - cx, iy - cy);
      if (rho < outer_bound_) {
        crop_pixels_.push_back(ix * crop_y_ + iy);
        crop_radius_.push_back(rho);
      }
    }
  }
  for (double angle : kGridAngles) bilinear_.emplace_back(crop_x_, crop_y_, angle, crop_pixels_);
}

GridScores GridScorer::score(const Map2D& sac) const {
  GRIDRNN_ASSERT(sac.bins_x == sac_x_ && sac.bins_y == sac_y_, "SAC size differs from the scorer");
  GridScores scores;
  const bool empty = std::all_of(sac.values.begin(), sac.values.end(),
                                 [](double v) { return v == 0.0; });
  if (empty) {
    scores.score_60 = scores.score_90 = kNaN;
    scores.spacing_bins = scores.orientation_deg = kNaN;
    return scores;
  }
  if (convention_ == GridConvention::kSargolini) return score_sargolini(sac);
  std::vector<double> coefficients = sac.values;
  spline_prefilter(coefficients, sac_x_, sac_y_);
  std::vector<std::vector<double>> rotated(rotations_.size());
  for (std::size_t a = 0; a < rotations_.size(); ++a) rotations_[a].apply(coefficients, rotated[a]);
  scores = score_deepmind(sac, rotated);
  grid_spacing_orientation(sac, scores.spacing_bins, scores.orientation_deg);
  return scores;
}

GridScores GridScorer::score_deepmind(const Map2D& sac,
                                      const std::vector<std::vector<double>>& rotated) const {
  constexpr int kRings = 10, kAngles = 7;
  // Per-ring sums over the pixels whose smallest containing ring is j; prefix sums then give the
  // nested rings {0.2 n < rho <= r1_j n}.
  std::array<double, kRings> area{}, sum_s{}, sum_ss{};
  std::array<std::array<double, kAngles>, kRings> sum_r{}, sum_sr{};
  for (std::size_t p = 0; p < pixels_.size(); ++p) {
    const double rho = pixel_radius_[p];
    if (!(rho > ring_inner_ + 1e-9)) continue;
    int ring = 0;
    while (ring < kRings && rho > ring_outer_[ring] + 1e-9) ++ring;
    if (ring == kRings) continue;
    const double s = sac.values[pixels_[p]];
    area[ring] += 1;
    sum_s[ring] += s;
    sum_ss[ring] += s * s;
    for (int a = 0; a < kAngles; ++a) {
      sum_r[ring][a] += rotated[a][p];
      sum_sr[ring][a] += s * rotated[a][p];
    }
  }
  for (int j = 1; j < kRings; ++j) {
    area[j] += area[j - 1];
    sum_s[j] += sum_s[j - 1];
    sum_ss[j] += sum_ss[j - 1];
    for (int a = 0; a < kAngles; ++a) {
      sum_r[j][a] += sum_r[j - 1][a];
      sum_sr[j][a] += sum_sr[j - 1][a];
    }
  }
  GridScores scores;
  scores.score_60 = scores.score_90 = -std::numeric_limits<double>::infinity();
  for (int j = 0; j < kRings; ++j) {
    if (area[j] == 0) continue;
    const double A = area[j], m = sum_s[j] / A;
    const double variance = (sum_ss[j] - A * m * m) / A + 1e-5;
    std::array<double, kAngles> c{};
    for (int a = 0; a < kAngles; ++a) {
      const double cross = sum_sr[j][a] - m * sum_r[j][a] - m * sum_s[j] + A * m * m;
      c[a] = cross / A / variance;
    }
    // c indices: 0:30 1:45 2:60 3:90 4:120 5:135 6:150
    const double s60 = variant_ == GridVariant::kMean
                           ? (c[2] + c[4]) / 2.0 - (c[0] + c[3] + c[6]) / 3.0
                           : std::min(c[2], c[4]) - std::max({c[0], c[3], c[6]});
    const double s90 = c[3] - (c[1] + c[5]) / 2.0;
    if (s60 > scores.score_60) {
      scores.score_60 = s60;
      scores.ring_60 = ring_outer_[j];
    }
    if (s90 > scores.score_90) {
      scores.score_90 = s90;
      scores.ring_90 = ring_outer_[j];
    }
  }
  return scores;
}

namespace {

// opexebo's grid_score_stats spacing, on the cropped, normalized SAC a (x-major (sx, sy), centre
// pixel (cx, cy)): SAC maxima (8-connected plateaus above all their neighbours) outside the
// central disc rho <= 1.5 r0 and inside rho < 1.25 r_best, more than 4 pixels (chessboard) from
// that mask and from any exact zero of the SAC; when at least 6 qualify, the 6 nearest the
// centre after dropping, of two within 15 degrees of each other, the farther, then the mean
// distance of the first 3 in order of angle. Peaks opexebo rejects stay in its list as
// (0, 0) (distance to the SAC's corner); here they are dropped (deliberately, docs/design.md).
double sargolini_spacing(const std::vector<double>& a, int sx, int sy, double r0, double r_best) {
  const double cx = (sx - 1) / 2.0, cy = (sy - 1) / 2.0;
  std::vector<unsigned char> masked(a.size(), 0);
  double lowest = std::numeric_limits<double>::infinity();
  for (double v : a) lowest = std::min(lowest, v);
  std::vector<double> image = a;
  for (int ix = 0; ix < sx; ++ix) {
    for (int iy = 0; iy < sy; ++iy) {
      const double rho = std::hypot(ix - cx, iy - cy);
      if (rho >= 1.25 * r_best || rho <= 1.5 * r0) {
        masked[ix * sy + iy] = 1;
        image[ix * sy + iy] = lowest;
      }
    }
  }
  // Plateaus (8-connected equal values) whose outside neighbours are all strictly lower.
  std::vector<int> plateau(a.size(), -1);
  struct Peak {
    int row, col;
    double angle, distance;
  };
  std::vector<Peak> peaks;
  std::vector<int> stack, members;
  for (int start = 0; start < static_cast<int>(a.size()); ++start) {
    if (plateau[start] >= 0) continue;
    const double level = image[start];
    members.clear();
    stack = {start};
    plateau[start] = start;
    bool is_max = true;
    while (!stack.empty()) {
      const int p = stack.back();
      stack.pop_back();
      members.push_back(p);
      const int px = p / sy, py = p % sy;
      for (int dx = -1; dx <= 1; ++dx) {
        for (int dy = -1; dy <= 1; ++dy) {
          const int qx = px + dx, qy = py + dy;
          if ((dx == 0 && dy == 0) || qx < 0 || qx >= sx || qy < 0 || qy >= sy) continue;
          const int q = qx * sy + qy;
          if (image[q] == level) {
            if (plateau[q] < 0) {
              plateau[q] = start;
              stack.push_back(q);
            }
          } else if (image[q] > level) {
            is_max = false;
          }
        }
      }
    }
    if (!is_max) continue;
    double mean_x = 0, mean_y = 0;
    for (int p : members) {
      mean_x += p / sy;
      mean_y += p % sy;
    }
    mean_x /= static_cast<double>(members.size());
    mean_y /= static_cast<double>(members.size());
    // Distance (chessboard) from the rounded centroid to the nearest masked or zero pixel.
    const int rx = static_cast<int>(std::nearbyint(mean_x)), ry = static_cast<int>(std::nearbyint(mean_y));
    int nearest = std::numeric_limits<int>::max();
    for (int ix = 0; ix < sx; ++ix) {
      for (int iy = 0; iy < sy; ++iy) {
        const int p = ix * sy + iy;
        if (masked[p] || image[p] == 0.0) nearest = std::min(nearest, std::max(std::abs(ix - rx), std::abs(iy - ry)));
      }
    }
    if (nearest <= 4) continue;
    const int row = static_cast<int>(mean_x), col = static_cast<int>(mean_y);  // opexebo's int array
    peaks.push_back({row, col, std::atan2(row - cx, col - cy), std::hypot(row - cx, col - cy)});
  }
  // Plateaus are found in raster order of their first pixel, as skimage labels them.
  if (peaks.size() < 6) return std::numeric_limits<double>::quiet_NaN();
  std::vector<unsigned char> dropped(peaks.size(), 0);
  const double close = 15.0 * std::numbers::pi / 180.0;
  for (std::size_t i = 0; i < peaks.size(); ++i) {
    for (std::size_t j = i + 1; j < peaks.size(); ++j) {
      const double d = std::abs(std::arg(std::polar(1.0, peaks[i].angle) / std::polar(1.0, peaks[j].angle)));
      if (d < close) dropped[peaks[i].distance > peaks[j].distance ? i : j] = 1;
    }
  }
  std::vector<Peak> kept;
  for (std::size_t i = 0; i < peaks.size(); ++i) {
    if (!dropped[i]) kept.push_back(peaks[i]);
  }
  std::stable_sort(kept.begin(), kept.end(), [](const Peak& p, const Peak& q) { return p.distance < q.distance; });
  kept.resize(std::min<std::size_t>(6, kept.size()));
  std::stable_sort(kept.begin(), kept.end(), [](const Peak& p, const Peak& q) { return p.angle < q.angle; });
  const std::size_t count = std::min<std::size_t>(3, kept.size());
  if (count == 0) return std::numeric_limits<double>::quiet_NaN();
  double sum = 0.0;
  for (std::size_t k = 0; k < count; ++k) sum += kept[k].distance;
  return sum / static_cast<double>(count);
}

}  // namespace

GridScores GridScorer::score_sargolini(const Map2D& sac) const {
  constexpr int kAngles = 7;
  GridScores scores;
  scores.score_60 = scores.score_90 = scores.ring_60 = scores.ring_90 = kNaN;
  scores.spacing_bins = scores.orientation_deg = kNaN;
  // Crop around the centre and normalize to the maximum (opexebo's autocorrelation, grid_score).
  const int offset_x = (sac_x_ - crop_x_) / 2, offset_y = (sac_y_ - crop_y_) / 2;
  std::vector<double> a(static_cast<std::size_t>(crop_x_) * crop_y_);
  double peak = -std::numeric_limits<double>::infinity();
  for (int ix = 0; ix < crop_x_; ++ix) {
    for (int iy = 0; iy < crop_y_; ++iy) {
      a[ix * crop_y_ + iy] = sac.at(ix + offset_x, iy + offset_y);
      peak = std::max(peak, a[ix * crop_y_ + iy]);
    }
  }
  if (!(peak > 0)) return scores;
  for (double& v : a) v /= peak;
  const int r0 = static_cast<int>(std::floor(std::sqrt(sargolini_central_field_area(a, crop_x_, crop_y_) / std::numbers::pi)));
  if (r0 == 0 || outer_bound_ < r0) return scores;
  std::vector<int> radii;
  for (double r : linspace(std::max(3, r0 + 1), outer_bound_, outer_bound_ - r0)) radii.push_back(static_cast<int>(r));
  if (radii.empty()) return scores;
  // max(3, r0 + 1) <= R since maps have >= 4 bins (R >= 3) and r0 < R here.
  GRIDRNN_ASSERT(radii.front() <= outer_bound_ && radii.back() <= outer_bound_, "sargolini ring beyond the SAC");
  // Pixels r0 < rho, bucketed by the smallest integer radius r with rho < r; prefix sums over
  // buckets give each ring r0 < rho < r.
  std::vector<std::vector<double>> rotated(bilinear_.size());
  for (std::size_t k = 0; k < bilinear_.size(); ++k) bilinear_[k].apply(a, rotated[k]);
  const int buckets = outer_bound_ + 1;
  std::vector<double> n(buckets), ss(buckets), sss(buckets);
  std::vector<std::array<double, kAngles>> sr(buckets), srr(buckets), ssr(buckets);
  for (std::size_t p = 0; p < crop_pixels_.size(); ++p) {
    const double rho = crop_radius_[p];
    if (!(rho > r0)) continue;
    const int r = static_cast<int>(std::floor(rho)) + 1;
    const double v = a[crop_pixels_[p]];
    n[r] += 1;
    ss[r] += v;
    sss[r] += v * v;
    for (int k = 0; k < kAngles; ++k) {
      const double w = rotated[k][p];
      sr[r][k] += w;
      srr[r][k] += w * w;
      ssr[r][k] += v * w;
    }
  }
  for (int r = 1; r < buckets; ++r) {
    n[r] += n[r - 1];
    ss[r] += ss[r - 1];
    sss[r] += sss[r - 1];
    for (int k = 0; k < kAngles; ++k) {
      sr[r][k] += sr[r - 1][k];
      srr[r][k] += srr[r - 1][k];
      ssr[r][k] += ssr[r - 1][k];
    }
  }
  std::vector<double> g60, g90;
  for (int r : radii) {
    std::array<double, kAngles> corr{};
    for (int k = 0; k < kAngles; ++k) {
      const double count = n[r];
      const double var_s = sss[r] / count - (ss[r] / count) * (ss[r] / count);
      const double var_r = srr[r][k] / count - (sr[r][k] / count) * (sr[r][k] / count);
      const double cov = ssr[r][k] / count - (ss[r] / count) * (sr[r][k] / count);
      // scipy.stats.pearsonr: NaN for a constant input.
      corr[k] = (count > 1 && var_s > 0 && var_r > 0) ? cov / std::sqrt(var_s * var_r) : kNaN;
    }
    // corr indices: 0:30 1:45 2:60 3:90 4:120 5:135 6:150; numpy's min and max propagate NaN.
    const bool nan60 = std::isnan(corr[0]) || std::isnan(corr[2]) || std::isnan(corr[3]) ||
                       std::isnan(corr[4]) || std::isnan(corr[6]);
    const bool nan90 = std::isnan(corr[1]) || std::isnan(corr[3]) || std::isnan(corr[5]);
    g60.push_back(nan60 ? kNaN : std::min(corr[2], corr[4]) - std::max({corr[0], corr[3], corr[6]}));
    g90.push_back(nan90 ? kNaN : corr[3] - std::max(corr[1], corr[5]));
  }
  const auto window_score = [&](const std::vector<double>& g) {
    const std::size_t count = g.size();
    const std::size_t windows = count > 4 ? count - 3 : 1;  // numStep = max(numSteps - 3, 1)
    if (windows == 1) {
      double sum = 0;
      for (double v : g) sum += v;
      return sum / static_cast<double>(count);  // np.mean: NaN if any ring is NaN
    }
    double best = -std::numeric_limits<double>::infinity();
    for (std::size_t w = 0; w < windows; ++w) {
      double sum = 0, used = 0;
      for (std::size_t k = w; k < std::min(count, w + 3); ++k) {
        if (std::isnan(g[k])) continue;  // np.nanmean
        sum += g[k];
        used += 1;
      }
      const double mean = used > 0 ? sum / used : kNaN;
      if (std::isnan(mean)) return kNaN;  // np.max propagates NaN
      best = std::max(best, mean);
    }
    return best;
  };
  scores.score_60 = window_score(g60);
  scores.score_90 = window_score(g90);
  // The best single ring (np.argmax: the first maximum, or the first NaN).
  auto best_ring = [&](const std::vector<double>& g) {
    std::size_t best = 0;
    for (std::size_t k = 0; k < g.size(); ++k) {
      if (std::isnan(g[k])) return k;
      if (g[k] > g[best]) best = k;
    }
    return best;
  };
  const std::size_t best60 = best_ring(g60);
  scores.ring_60 = radii[best60];
  scores.ring_90 = radii[best_ring(g90)];
  scores.spacing_bins = sargolini_spacing(a, crop_x_, crop_y_, r0, radii[best60]);
  double spacing_unused = 0.0;
  grid_spacing_orientation(sac, spacing_unused, scores.orientation_deg);
  return scores;
}

void grid_spacing_orientation(const Map2D& sac, double& spacing_bins, double& orientation_deg) {
  const int cx = (sac.bins_x - 1) / 2, cy = (sac.bins_y - 1) / 2;
  const double max_radius = std::min(cx, cy);
  struct Peak {
    double radius, angle;
  };
  std::vector<Peak> peaks;
  for (int ix = 1; ix + 1 < sac.bins_x; ++ix) {
    for (int iy = 1; iy + 1 < sac.bins_y; ++iy) {
      const double v = sac.at(ix, iy);
      const double rho = std::hypot(ix - cx, iy - cy);
      if (!(v > 0.0) || rho < 1.5 || rho > max_radius) continue;
      bool is_max = true;
      for (int dx = -1; dx <= 1 && is_max; ++dx) {
        for (int dy = -1; dy <= 1; ++dy) {
          if ((dx || dy) && !(v > sac.at(ix + dx, iy + dy))) {
            // ties: keep the first of equal neighbours in scan order
            if (v == sac.at(ix + dx, iy + dy) && (dx > 0 || (dx == 0 && dy > 0))) continue;
            is_max = false;
            break;
          }
        }
      }
      if (is_max) peaks.push_back({rho, std::atan2(iy - cy, ix - cx)});
    }
  }
  if (peaks.size() < 3) {
    spacing_bins = orientation_deg = kNaN;
    return;
  }
  std::sort(peaks.begin(), peaks.end(),
            [](const Peak& a, const Peak& b) { return a.radius < b.radius; });
  peaks.resize(std::min<std::size_t>(6, peaks.size()));
  std::vector<double> radii;
  std::complex<double> sixfold = 0.0;
  for (const Peak& peak : peaks) {
    radii.push_back(peak.radius);
    sixfold += std::polar(1.0, 6.0 * peak.angle);
  }
  std::sort(radii.begin(), radii.end());
  const std::size_t m = radii.size();
  spacing_bins = m % 2 ? radii[m / 2] : 0.5 * (radii[m / 2 - 1] + radii[m / 2]);
  double orientation = std::arg(sixfold) / 6.0 * 180.0 / std::numbers::pi;
  orientation = std::fmod(orientation + 60.0, 60.0);
  orientation_deg = orientation >= 60.0 ? 0.0 : orientation;
}

GridScores grid_scores(const Map2D& map, GridConvention convention, GridVariant variant) {
  const Map2D sac = autocorrelogram(map, sac_unvisited_bins(convention));
  return GridScorer(map.bins_x, map.bins_y, convention, variant).score(sac);
}

}  // namespace gridrnn::analysis

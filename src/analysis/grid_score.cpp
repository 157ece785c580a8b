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
  return convention == GridConvention::kDeepmind ? UnvisitedBins::kZero : UnvisitedBins::kExcluded;
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
  for (double angle : kGridAngles) rotations_.emplace_back(sac_x_, sac_y_, angle, pixels_);
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
  std::vector<double> coefficients = sac.values;
  spline_prefilter(coefficients, sac_x_, sac_y_);
  std::vector<std::vector<double>> rotated(rotations_.size());
  for (std::size_t a = 0; a < rotations_.size(); ++a) rotations_[a].apply(coefficients, rotated[a]);
  scores = convention_ == GridConvention::kDeepmind ? score_deepmind(sac, rotated)
                                                    : score_sargolini(sac, rotated);
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

GridScores GridScorer::score_sargolini(const Map2D& sac,
                                       const std::vector<std::vector<double>>& rotated) const {
  constexpr int kAngles = 7;
  const int cx = bins_x_ - 1, cy = bins_y_ - 1;
  // Central field: the 4-connected region around the centre where the SAC (normalized by its
  // maximum) exceeds 0.1; r0 = radius of the disc of equal area.
  double peak = 0.0;
  for (double v : sac.values) peak = std::max(peak, v);
  const double threshold = 0.1 * peak;
  std::vector<unsigned char> seen(sac.size(), 0);
  std::vector<int> stack = {cx * sac_y_ + cy};
  seen[stack.front()] = 1;
  double field_area = 0.0;
  while (!stack.empty()) {
    const int p = stack.back();
    stack.pop_back();
    field_area += 1.0;
    const int px = p / sac_y_, py = p % sac_y_;
    const int nbx[4] = {px - 1, px + 1, px, px}, nby[4] = {py, py, py - 1, py + 1};
    for (int k = 0; k < 4; ++k) {
      if (nbx[k] < 0 || nbx[k] >= sac_x_ || nby[k] < 0 || nby[k] >= sac_y_) continue;
      const int q = nbx[k] * sac_y_ + nby[k];
      if (!seen[q] && sac.values[q] > threshold) {
        seen[q] = 1;
        stack.push_back(q);
      }
    }
  }
  const int max_radius = n_ - 1;
  const double r0 = std::min(std::sqrt(field_area / std::numbers::pi), max_radius - 3.0);
  const int first = static_cast<int>(std::ceil(std::max(3.0, r0 + 1.0)));
  GridScores scores;
  scores.ring_60 = scores.ring_90 = kNaN;
  if (max_radius - first + 1 < 3) {
    scores.score_60 = scores.score_90 = kNaN;
    return scores;
  }
  // Bucket pixels r0 < rho by the smallest integer r with rho < r; prefix sums give annuli.
  const int buckets = max_radius + 1;
  std::vector<double> n(buckets), ss(buckets), sss(buckets);
  std::vector<std::array<double, kAngles>> sr(buckets), srr(buckets), ssr(buckets);
  for (std::size_t p = 0; p < pixels_.size(); ++p) {
    const double rho = pixel_radius_[p];
    if (!(rho > r0)) continue;
    const int r = static_cast<int>(std::floor(rho)) + 1;
    if (r > max_radius) continue;
    const double s = sac.values[pixels_[p]];
    n[r] += 1;
    ss[r] += s;
    sss[r] += s * s;
    for (int a = 0; a < kAngles; ++a) {
      const double v = rotated[a][p];
      sr[r][a] += v;
      srr[r][a] += v * v;
      ssr[r][a] += s * v;
    }
  }
  std::vector<double> g60, g90;
  double cn = 0, cs = 0, css = 0;
  std::array<double, kAngles> cr{}, crr{}, csr{};
  for (int r = 1; r <= max_radius; ++r) {
    cn += n[r];
    cs += ss[r];
    css += sss[r];
    for (int a = 0; a < kAngles; ++a) {
      cr[a] += sr[r][a];
      crr[a] += srr[r][a];
      csr[a] += ssr[r][a];
    }
    if (r < first) continue;
    std::array<double, kAngles> corr{};
    for (int a = 0; a < kAngles; ++a) {
      const double var_s = css / cn - (cs / cn) * (cs / cn);
      const double var_r = crr[a] / cn - (cr[a] / cn) * (cr[a] / cn);
      const double cov = csr[a] / cn - (cs / cn) * (cr[a] / cn);
      corr[a] = (var_s > 1e-12 && var_r > 1e-12) ? cov / std::sqrt(var_s * var_r) : 0.0;
    }
    g60.push_back(std::min(corr[2], corr[4]) - std::max({corr[0], corr[3], corr[6]}));
    g90.push_back(corr[3] - std::max(corr[1], corr[5]));
  }
  scores.score_60 = scores.score_90 = -std::numeric_limits<double>::infinity();
  for (std::size_t k = 0; k + 2 < g60.size(); ++k) {
    const double mean60 = (g60[k] + g60[k + 1] + g60[k + 2]) / 3.0;
    const double mean90 = (g90[k] + g90[k + 1] + g90[k + 2]) / 3.0;
    const double centre_radius = first + static_cast<double>(k) + 1.0;
    if (mean60 > scores.score_60) {
      scores.score_60 = mean60;
      scores.ring_60 = centre_radius;
    }
    if (mean90 > scores.score_90) {
      scores.score_90 = mean90;
      scores.ring_90 = centre_radius;
    }
  }
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

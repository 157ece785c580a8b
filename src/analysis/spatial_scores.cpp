#include "gridrnn/analysis/spatial_scores.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <numbers>

#include <Eigen/Dense>
#include <fftw3.h>

#include "analysis/detail/fftw_lock.hpp"
#include "gridrnn/core/error.hpp"

namespace gridrnn::analysis {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double segment_distance(const std::array<double, 4>& w, double x, double y) {
  const double dx = w[2] - w[0], dy = w[3] - w[1];
  const double length2 = dx * dx + dy * dy;
  double t = length2 > 0 ? ((x - w[0]) * dx + (y - w[1]) * dy) / length2 : 0.0;
  t = std::clamp(t, 0.0, 1.0);
  return std::hypot(x - (w[0] + t * dx), y - (w[1] + t * dy));
}

int next_power_of_two(int v) {
  int p = 1;
  while (p < v) p *= 2;
  return p;
}
}  // namespace

// ---------------------------------------------------------------------------------------------
// Geometry

ArenaGeometry ArenaGeometry::rectangle(double xmin, double xmax, double ymin, double ymax) {
  return polygon({{xmin, ymin}, {xmax, ymin}, {xmax, ymax}, {xmin, ymax}});
}

ArenaGeometry ArenaGeometry::polygon(const std::vector<std::array<double, 2>>& vertices) {
  if (vertices.size() < 3) {
    throw_user_error("arena polygon has {} vertices: need at least 3", vertices.size());
  }
  ArenaGeometry g;
  g.extent = {std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
              std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()};
  for (std::size_t k = 0; k < vertices.size(); ++k) {
    const auto& a = vertices[k];
    const auto& b = vertices[(k + 1) % vertices.size()];
    g.walls.push_back({a[0], a[1], b[0], b[1]});
    g.extent.xmin = std::min(g.extent.xmin, a[0]);
    g.extent.xmax = std::max(g.extent.xmax, a[0]);
    g.extent.ymin = std::min(g.extent.ymin, a[1]);
    g.extent.ymax = std::max(g.extent.ymax, a[1]);
  }
  g.validate();
  return g;
}

ArenaGeometry ArenaGeometry::circle(double centre_x, double centre_y, double radius) {
  ArenaGeometry g;
  g.is_circle = true;
  g.circle_centre = {centre_x, centre_y};
  g.circle_radius = radius;
  g.extent = {centre_x - radius, centre_x + radius, centre_y - radius, centre_y + radius};
  g.validate();
  return g;
}

void ArenaGeometry::validate() const {
  if (is_circle) {
    if (!(circle_radius > 0) || !std::isfinite(circle_radius)) {
      throw_user_error("circular arena radius = {}: must be finite and > 0", circle_radius);
    }
  } else if (walls.size() < 3) {
    throw_user_error("arena geometry has {} walls: a polygon needs at least 3 (or give a circle)",
                     walls.size());
  }
  extent.validate();
}

bool ArenaGeometry::contains(double x, double y) const {
  if (is_circle) {
    return std::hypot(x - circle_centre[0], y - circle_centre[1]) <= circle_radius;
  }
  // Even-odd rule over the edges (any simple polygon).
  bool inside = false;
  for (const auto& w : walls) {
    if ((w[1] > y) != (w[3] > y)) {
      const double cross_x = w[0] + (y - w[1]) * (w[2] - w[0]) / (w[3] - w[1]);
      if (x < cross_x) inside = !inside;
    }
  }
  return inside;
}

double ArenaGeometry::distance_to_wall(double x, double y) const {
  if (is_circle) {
    return std::abs(circle_radius - std::hypot(x - circle_centre[0], y - circle_centre[1]));
  }
  double best = std::numeric_limits<double>::infinity();
  for (const auto& w : walls) best = std::min(best, segment_distance(w, x, y));
  return best;
}

// ---------------------------------------------------------------------------------------------
// Border score

BorderConvention parse_border_convention(const std::string& text) {
  if (text == "gridrnn") return BorderConvention::kGridrnn;
  if (text == "opexebo") return BorderConvention::kOpexebo;
  throw_user_error("border convention '{}' is unknown: use gridrnn or opexebo", text);
}

std::string to_string(BorderConvention convention) {
  return convention == BorderConvention::kOpexebo ? "opexebo" : "gridrnn";
}

void BorderOptions::validate() const {
  if (!(field_threshold > 0.0 && field_threshold < 1.0)) {
    throw_user_error("border field_threshold = {}: must be in (0, 1)", field_threshold);
  }
  if (!(min_field_fraction >= 0.0 && min_field_fraction < 1.0)) {
    throw_user_error("border min_field_fraction = {}: must be in [0, 1)", min_field_fraction);
  }
  if (!(arc_degrees > 0.0 && arc_degrees <= 360.0)) {
    throw_user_error("border arc_degrees = {}: must be in (0, 360]", arc_degrees);
  }
}

BorderScorer::BorderScorer(const ArenaGeometry& geometry, int bins_x, int bins_y,
                           BorderOptions options)
    : bins_x_(bins_x), bins_y_(bins_y), options_(options) {
  geometry.validate();
  options.validate();
  const MapExtent& e = geometry.extent;
  const double dx = e.bin_width_x(bins_x), dy = e.bin_width_y(bins_y);
  const double bin_size = std::max(dx, dy);
  bin_size_ = bin_size;
  auto centre_x = [&](int ix) { return e.xmin + (ix + 0.5) * dx; };
  auto centre_y = [&](int iy) { return e.ymin + (iy + 0.5) * dy; };
  bin_wall_distance_.resize(static_cast<std::size_t>(bins_x) * bins_y);
  for (int ix = 0; ix < bins_x; ++ix) {
    for (int iy = 0; iy < bins_y; ++iy) {
      bin_wall_distance_[ix * bins_y + iy] = geometry.distance_to_wall(centre_x(ix), centre_y(iy));
    }
  }
  if (geometry.is_circle) {
    // Walls of a circle: arcs of arc_degrees starting every 5 degrees; wall bins are those whose
    // centre lies within one bin of the circle and whose angle falls in the arc.
    const int starts = 72;
    wall_bins_.resize(starts);
    for (int ix = 0; ix < bins_x; ++ix) {
      for (int iy = 0; iy < bins_y; ++iy) {
        if (bin_wall_distance_[ix * bins_y + iy] > bin_size) continue;
        double angle = std::atan2(centre_y(iy) - geometry.circle_centre[1],
                                  centre_x(ix) - geometry.circle_centre[0]) * 180.0 / std::numbers::pi;
        for (int a = 0; a < starts; ++a) {
          const double offset = std::fmod(angle - 5.0 * a + 720.0, 360.0);
          if (offset < options.arc_degrees) wall_bins_[a].push_back(ix * bins_y + iy);
        }
      }
    }
    max_distance_ = geometry.circle_radius;
  } else {
    wall_bins_.resize(geometry.walls.size());
    for (std::size_t w = 0; w < geometry.walls.size(); ++w) {
      for (int ix = 0; ix < bins_x; ++ix) {
        for (int iy = 0; iy < bins_y; ++iy) {
          if (segment_distance(geometry.walls[w], centre_x(ix), centre_y(iy)) <= bin_size + 1e-12) {
            wall_bins_[w].push_back(ix * bins_y + iy);
          }
        }
      }
    }
    // Largest distance to the nearest wall from a point inside (half the side in a square):
    // sampled on a fine grid that holds the extent's centre lines (exact for rectangles).
    max_distance_ = 0.0;
    const int samples = 400;
    for (int i = 0; i <= samples; ++i) {
      for (int j = 0; j <= samples; ++j) {
        const double x = e.xmin + i * (e.xmax - e.xmin) / samples;
        const double y = e.ymin + j * (e.ymax - e.ymin) / samples;
        if (geometry.contains(x, y)) max_distance_ = std::max(max_distance_, geometry.distance_to_wall(x, y));
      }
    }
    if (!(max_distance_ > 0)) throw_user_error("arena polygon encloses no area");
  }
  outside_.assign(bin_wall_distance_.size(), 0);
  bool any_outside = false;
  for (int ix = 0; ix < bins_x; ++ix) {
    for (int iy = 0; iy < bins_y; ++iy) {
      if (!geometry.contains(centre_x(ix), centre_y(iy))) {
        outside_[ix * bins_y + iy] = 1;
        any_outside = true;
      }
    }
  }
  if (!any_outside) outside_.clear();
  wall_inside_.assign(wall_bins_.size(), 0);
  for (std::size_t w = 0; w < wall_bins_.size(); ++w) {
    for (int b : wall_bins_[w]) wall_inside_[w] += geometry.contains(centre_x(b / bins_y), centre_y(b % bins_y)) ? 1 : 0;
  }
}

// opexebo 0.7.2 border_score(map, fields_map, fields, 'square') with the fields of
// opexebo_place_fields: -1 without a field; c_M = the largest fraction of one wall's bins (all
// of them, visited or not, as opexebo counts them) inside one field; d_m = the rate-weighted
// mean over the field bins of the taxicab distance in bins to the padded array's edge (the
// centre's distance to the nearest wall + 1/2 bin), over half the smaller side in bins (the
// largest distance to a wall in bins); score = (c_M - d_m) / (c_M + d_m).
BorderScore BorderScorer::score_opexebo(const Map2D& map) const {
  BorderScore result;
  const PlaceFields fields = opexebo_place_fields(map, outside_);
  if (fields.count == 0) {
    result.score = -1.0;
    result.mean_distance = kNaN;
    return result;
  }
  std::vector<int> count(fields.count + 1);
  for (std::size_t w = 0; w < wall_bins_.size(); ++w) {
    if (wall_inside_[w] == 0) continue;
    std::fill(count.begin(), count.end(), 0);
    for (int b : wall_bins_[w]) ++count[fields.label[b]];
    for (int f = 1; f <= fields.count; ++f) {
      const double coverage = static_cast<double>(count[f]) / wall_inside_[w];
      if (coverage > result.coverage) {
        result.coverage = coverage;
        result.best_wall = static_cast<int>(w);
      }
    }
  }
  double weighted = 0.0, weight = 0.0;
  for (std::size_t b = 0; b < map.size(); ++b) {
    if (fields.label[b] == 0 || std::isnan(map.values[b])) continue;
    weighted += map.values[b] * (bin_wall_distance_[b] / bin_size_ + 0.5);
    weight += map.values[b];
  }
  result.mean_distance = weighted / weight / (max_distance_ / bin_size_);
  result.score = (result.coverage - result.mean_distance) / (result.coverage + result.mean_distance);
  return result;
}

BorderScore BorderScorer::score(const Map2D& map) const {
  GRIDRNN_ASSERT(map.bins_x == bins_x_ && map.bins_y == bins_y_, "map size differs from the scorer");
  if (options_.convention == BorderConvention::kOpexebo) return score_opexebo(map);
  BorderScore result;
  double low = std::numeric_limits<double>::infinity(), high = -low;
  std::size_t visited = 0;
  for (double v : map.values) {
    if (std::isfinite(v)) {
      low = std::min(low, v);
      high = std::max(high, v);
      ++visited;
    }
  }
  if (visited == 0 || !(high - low > 1e-12 * std::max(1.0, std::abs(high)))) {
    result.score = result.coverage = result.mean_distance = kNaN;
    return result;
  }
  // Rates above the map's median relative to the peak's height above it, so that offset and
  // positive scale do not matter (network activities may be negative): r = (m - median) /
  // (max - median), peak 1. The median, not the minimum, is the baseline so that a map without
  // a field (noise) has few bins above 0.3 and no field spanning the arena: on noise the
  // range-normalized threshold (min + 0.3 range) lies below the mean, its bins percolate into one
  // field touching every wall, and the shuffle null sat near 0.5. Where half the bins or more
  // share the peak value the median is the peak, and the minimum is the baseline.
  std::vector<double> sorted;
  sorted.reserve(visited);
  for (double v : map.values) {
    if (std::isfinite(v)) sorted.push_back(v);
  }
  const std::size_t middle = sorted.size() / 2;
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(middle), sorted.end());
  double baseline = sorted[middle];
  if (sorted.size() % 2 == 0) {
    baseline = 0.5 * (baseline + *std::max_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(middle)));
  }
  if (!(high - baseline > 1e-12 * std::max(1.0, std::abs(high)))) baseline = low;
  std::vector<double> rate(map.size(), kNaN);
  for (std::size_t b = 0; b < map.size(); ++b) {
    if (std::isfinite(map.values[b])) rate[b] = (map.values[b] - baseline) / (high - baseline);
  }
  // Fields: 4-connected components of visited bins above the threshold with enough area.
  const double min_area = std::max(1.0, std::ceil(options_.min_field_fraction * static_cast<double>(visited)));
  std::vector<int> field_of(map.size(), -1);
  int fields = 0;
  std::vector<int> stack, members;
  for (std::size_t start = 0; start < map.size(); ++start) {
    if (field_of[start] != -1 || !(rate[start] > options_.field_threshold)) continue;
    members.clear();
    stack = {static_cast<int>(start)};
    field_of[start] = fields;
    while (!stack.empty()) {
      const int p = stack.back();
      stack.pop_back();
      members.push_back(p);
      const int px = p / bins_y_, py = p % bins_y_;
      const int nbx[4] = {px - 1, px + 1, px, px}, nby[4] = {py, py, py - 1, py + 1};
      for (int k = 0; k < 4; ++k) {
        if (nbx[k] < 0 || nbx[k] >= bins_x_ || nby[k] < 0 || nby[k] >= bins_y_) continue;
        const int q = nbx[k] * bins_y_ + nby[k];
        if (field_of[q] == -1 && rate[q] > options_.field_threshold) {
          field_of[q] = fields;
          stack.push_back(q);
        }
      }
    }
    if (static_cast<double>(members.size()) >= min_area) {
      ++fields;
    } else {
      for (int p : members) field_of[p] = -2;  // too small: not a field
    }
  }
  if (fields == 0) {
    result.score = -1.0;
    return result;
  }
  // c_M: the largest fraction of one wall's visited bins covered by one field.
  std::vector<int> count(fields);
  for (std::size_t w = 0; w < wall_bins_.size(); ++w) {
    std::fill(count.begin(), count.end(), 0);
    int wall_visited = 0;
    for (int b : wall_bins_[w]) {
      if (!std::isfinite(rate[b])) continue;
      ++wall_visited;
      if (field_of[b] >= 0) ++count[field_of[b]];
    }
    if (wall_visited == 0) continue;
    for (int f = 0; f < fields; ++f) {
      const double coverage = static_cast<double>(count[f]) / wall_visited;
      if (coverage > result.coverage) {
        result.coverage = coverage;
        result.best_wall = static_cast<int>(w);
      }
    }
  }
  // d_m: rate-weighted mean distance of field bins to the nearest wall, over the largest
  // possible such distance.
  double weighted = 0.0, weight = 0.0;
  for (std::size_t b = 0; b < map.size(); ++b) {
    if (field_of[b] < 0) continue;
    weighted += rate[b] * bin_wall_distance_[b];
    weight += rate[b];
  }
  result.mean_distance = std::min(1.0, weighted / weight / max_distance_);
  const double denominator = result.coverage + result.mean_distance;
  result.score = denominator > 0 ? (result.coverage - result.mean_distance) / denominator : -1.0;
  return result;
}

BorderScore border_score(const Map2D& map, const ArenaGeometry& geometry, BorderOptions options) {
  return BorderScorer(geometry, map.bins_x, map.bins_y, options).score(map);
}

// ---------------------------------------------------------------------------------------------
// Band score

struct BandScorer::Impl {
  int nx, ny, px, py, pyc;  // map size; padded FFT size; complex columns
  double dx, dy, lambda_min, lambda_max;
  double* real_buffer;      // (px, py)
  fftw_complex* spectrum;   // (px, pyc)
  fftw_plan plan = nullptr;
  std::vector<unsigned char> cached_mask;  // (nx, ny)
  // Candidate wave vectors on the FFT grid for the cached mask: spectrum index and the (cos, sin)
  // block of the inverse Gram matrix of (1, cos, sin) over the visited bins.
  struct Wave {
    std::size_t index;
    double g_cc, g_cs, g_ss, wavelength, orientation_deg;
  };
  std::vector<Wave> waves;

  Impl(int nx_, int ny_, const MapExtent& extent)
      : nx(nx_), ny(ny_), px(next_power_of_two(6 * nx_)), py(next_power_of_two(6 * ny_)),
        pyc(py / 2 + 1), dx(extent.bin_width_x(nx_)), dy(extent.bin_width_y(ny_)) {
    lambda_min = 2.0 * std::max(dx, dy);
    lambda_max = 1.5 * std::max(extent.xmax - extent.xmin, extent.ymax - extent.ymin);
    real_buffer = fftw_alloc_real(static_cast<std::size_t>(px) * py);
    spectrum = fftw_alloc_complex(static_cast<std::size_t>(px) * pyc);
    std::lock_guard<std::mutex> lock(detail::fftw_planner_mutex());
    plan = fftw_plan_dft_r2c_2d(px, py, real_buffer, spectrum, FFTW_ESTIMATE);
  }
  ~Impl() { detail::destroy_fftw({plan}, {real_buffer, spectrum}); }

  // FFT of an (nx, ny) field zero-padded to (px, py).
  void transform(const std::vector<double>& field) {
    std::fill(real_buffer, real_buffer + static_cast<std::size_t>(px) * py, 0.0);
    for (int ix = 0; ix < nx; ++ix) {
      for (int iy = 0; iy < ny; ++iy) real_buffer[static_cast<std::size_t>(ix) * py + iy] = field[ix * ny + iy];
    }
    fftw_execute_dft_r2c(plan, real_buffer, spectrum);
  }

  void prepare(const std::vector<unsigned char>& mask) {
    std::vector<double> ones(mask.begin(), mask.end());
    transform(ones);
    const double visited = static_cast<double>(std::count(mask.begin(), mask.end(), 1));
    // Z(f) = sum_v exp(+i theta_v(f)) = conj(FFT(mask)(f)); any f from the half spectrum since
    // the mask is real: FFT(-f) = conj FFT(f).
    auto mask_sum = [&](int fx, int fy) {
      fx = ((fx % px) + px) % px;
      fy = ((fy % py) + py) % py;
      bool flip = false;
      if (fy >= pyc) {
        fx = (px - fx) % px;
        fy = (py - fy) % py;
        flip = true;
      }
      const fftw_complex& s = spectrum[static_cast<std::size_t>(fx) * pyc + fy];
      const std::complex<double> value(s[0], s[1]);
      return flip ? value : std::conj(value);
    };
    waves.clear();
    for (int fx = -px / 2 + 1; fx <= px / 2; ++fx) {
      for (int fy = 0; fy < pyc; ++fy) {
        if (fy == 0 && fx < 0) continue;  // k and -k are the same wave
        const double kx = 2 * std::numbers::pi * fx / (px * dx);
        const double ky = 2 * std::numbers::pi * fy / (py * dy);
        const double k = std::hypot(kx, ky);
        if (k == 0.0) continue;
        const double wavelength = 2 * std::numbers::pi / k;
        if (wavelength < lambda_min - 1e-12 || wavelength > lambda_max) continue;
        const std::complex<double> z1 = mask_sum(fx, fy), z2 = mask_sum(2 * fx, 2 * fy);
        // Gram matrix of (1, cos, sin) over the visited bins; a ridge of 1e-9 V keeps waves whose
        // sine vanishes on the grid (Nyquist) invertible without changing any other fit.
        const double ridge = 1e-9 * visited;
        const double a = visited + ridge, b = z1.real(), c = z1.imag();
        const double d = 0.5 * (visited + z2.real()) + ridge, e = 0.5 * z2.imag();
        const double g = 0.5 * (visited - z2.real()) + ridge;
        // Symmetric [[a, b, c], [b, d, e], [c, e, g]]: the (cos, sin) block of its inverse by
        // cofactors.
        const double det = a * (d * g - e * e) - b * (b * g - c * e) + c * (b * e - c * d);
        if (!(std::abs(det) > 0)) continue;
        const double inv_cc = (a * g - c * c) / det, inv_cs = -(a * e - b * c) / det;
        const double inv_ss = (a * d - b * b) / det;
        double orientation = std::atan2(ky, kx) * 180.0 / std::numbers::pi;
        if (orientation < 0) orientation += 180.0;
        if (orientation >= 180.0) orientation -= 180.0;
        const std::size_t index = static_cast<std::size_t>((fx + px) % px) * pyc + fy;
        waves.push_back({index, inv_cc, inv_cs, inv_ss, wavelength, orientation});
      }
    }
    cached_mask = mask;
  }
};

BandScorer::BandScorer(int bins_x, int bins_y, const MapExtent& extent) {
  extent.validate();
  impl_ = std::make_unique<Impl>(bins_x, bins_y, extent);
}
BandScorer::~BandScorer() = default;

namespace {
// Fraction of the variance of a centred map (NaN = unvisited) explained by the least-squares
// plane a + b x + c y over the visited bins (x, y = bin centres). Solved by the 3 x 3 normal
// equations; 0 when fewer than 3 bins or collinear bins.
double planar_fit_r2(const Map2D& centred, double dx, double dy) {
  Eigen::Matrix3d gram = Eigen::Matrix3d::Zero();
  Eigen::Vector3d rhs = Eigen::Vector3d::Zero();
  double total = 0.0;
  std::size_t count = 0;
  for (int ix = 0; ix < centred.bins_x; ++ix) {
    for (int iy = 0; iy < centred.bins_y; ++iy) {
      const double v = centred.at(ix, iy);
      if (!std::isfinite(v)) continue;
      const Eigen::Vector3d basis(1.0, (ix + 0.5) * dx, (iy + 0.5) * dy);
      gram += basis * basis.transpose();
      rhs += v * basis;
      total += v * v;
      ++count;
    }
  }
  if (count < 3 || total <= 0.0) return 0.0;
  const Eigen::FullPivLU<Eigen::Matrix3d> solver(gram);
  if (solver.rank() < 3) return 0.0;
  const Eigen::Vector3d coef = solver.solve(rhs);
  return std::clamp(coef.dot(rhs) / total, 0.0, 1.0);  // explained sum of squares / total (mean 0)
}
}  // namespace

BandScore BandScorer::score(const Map2D& map) {
  Impl& f = *impl_;
  GRIDRNN_ASSERT(map.bins_x == f.nx && map.bins_y == f.ny, "map size differs from the scorer");
  BandScore result;
  Map2D centred = map;
  if (!standardize(centred)) {
    result.score = result.wavelength = result.orientation_deg = result.planar_r2 = kNaN;
    return result;
  }
  std::vector<unsigned char> mask(map.size());
  std::vector<double> values(map.size(), 0.0);
  double total = 0.0;  // sum of squares of the centred map = its variance * visited bins
  for (std::size_t b = 0; b < map.size(); ++b) {
    mask[b] = std::isfinite(centred.values[b]) ? 1 : 0;
    if (mask[b]) {
      values[b] = centred.values[b];
      total += values[b] * values[b];
    }
  }
  if (mask != f.cached_mask) f.prepare(mask);
  f.transform(values);
  // Least squares of the centred map on (1, cos, sin): explained sum of squares = r^T G^-1 r
  // with r = (0, sum m cos, sum m sin); FFT(m)(f) = sum m exp(-i theta).
  const auto explained = [&](const Impl::Wave& wave) {
    const double mc = f.spectrum[wave.index][0], ms = -f.spectrum[wave.index][1];
    return wave.g_cc * mc * mc + 2 * wave.g_cs * mc * ms + wave.g_ss * ms * ms;
  };
  result.score = -1.0;
  for (const auto& wave : f.waves) result.score = std::max(result.score, explained(wave));
  // Waves within 1e-6 (relative) of the best tie: the mirror-image waves of a symmetric lattice
  // differ only by rounding, which would let a float32 and a float64 copy of a map report
  // different ones. Of the tied waves, the smallest orientation (then wavelength) is reported.
  const double tied = result.score - 1e-6 * std::abs(result.score);
  bool chosen = false;
  for (const auto& wave : f.waves) {
    if (!(explained(wave) >= tied)) continue;
    if (!chosen || wave.orientation_deg < result.orientation_deg ||
        (wave.orientation_deg == result.orientation_deg && wave.wavelength < result.wavelength)) {
      result.wavelength = wave.wavelength;
      result.orientation_deg = wave.orientation_deg;
      chosen = true;
    }
  }
  result.score = std::clamp(result.score / total, 0.0, 1.0);
  result.planar_r2 = planar_fit_r2(centred, f.dx, f.dy);
  return result;
}

BandScore band_score(const Map2D& map, const MapExtent& extent) {
  return BandScorer(map.bins_x, map.bins_y, extent).score(map);
}

}  // namespace gridrnn::analysis

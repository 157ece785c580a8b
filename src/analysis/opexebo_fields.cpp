// opexebo 0.7.2 place_field (kavli-ntnu/opexebo, opexebo/analysis/place_field.py and
// opexebo/general/peak_search.py) at its defaults, restated step by step so that the `opexebo`
// border convention finds the same fields as opexebo's border_score pipeline. The steps, their
// quirks and what each replaces are in docs/design.md "Analysis conventions" (border score).
// Bins are indexed as opexebo's array: (r, c) = (ix, iy), index r * cols + c (C order).
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <queue>
#include <vector>

#include "gridrnn/analysis/spatial_scores.hpp"
#include "gridrnn/core/error.hpp"

namespace gridrnn::analysis {

namespace {

constexpr int kMinBins = 9;              // firing_field_min_bins
constexpr double kMinPeak = 1.0;         // firing_field_min_peak (Hz)
constexpr double kMinMean = 0.1;         // firing_field_min_mean (Hz)
constexpr double kInitialThreshold = 0.96;  // initial_search_threshold

struct Grid {
  int rows, cols;
  int size() const { return rows * cols; }
};

// numpy.linspace(start, stop, num)[i] (endpoint included).
double linspace_at(double start, double stop, int num, int i) {
  if (num > 1 && i == num - 1) return stop;
  const double step = (stop - start) / (num - 1);
  return static_cast<double>(i) * step + start;
}

// skimage.morphology.erosion(image, disk(1)): minimum over the 4-neighbourhood and the bin
// (scipy grey_erosion, mode 'reflect': a neighbour outside the array is the bin itself).
std::vector<double> erode_cross(const std::vector<double>& image, Grid g) {
  std::vector<double> out(image.size());
  for (int r = 0; r < g.rows; ++r) {
    for (int c = 0; c < g.cols; ++c) {
      double v = image[r * g.cols + c];
      if (r > 0) v = std::min(v, image[(r - 1) * g.cols + c]);
      if (r + 1 < g.rows) v = std::min(v, image[(r + 1) * g.cols + c]);
      if (c > 0) v = std::min(v, image[r * g.cols + c - 1]);
      if (c + 1 < g.cols) v = std::min(v, image[r * g.cols + c + 1]);
      out[r * g.cols + c] = v;
    }
  }
  return out;
}

// skimage.morphology.reconstruction(seed, mask, 'dilation'), 8-connected: the largest value
// each bin can receive from a seed through a path whose mask values all exceed it.
std::vector<double> reconstruct_by_dilation(const std::vector<double>& seed, const std::vector<double>& mask, Grid g) {
  std::vector<double> out = seed;
  using Entry = std::pair<double, int>;
  std::priority_queue<Entry> queue;
  for (int p = 0; p < g.size(); ++p) queue.push({out[p], p});
  while (!queue.empty()) {
    const auto [value, p] = queue.top();
    queue.pop();
    if (value < out[p]) continue;  // stale
    const int r = p / g.cols, c = p % g.cols;
    for (int dr = -1; dr <= 1; ++dr) {
      for (int dc = -1; dc <= 1; ++dc) {
        const int rr = r + dr, cc = c + dc;
        if ((dr == 0 && dc == 0) || rr < 0 || rr >= g.rows || cc < 0 || cc >= g.cols) continue;
        const int q = rr * g.cols + cc;
        const double v = std::min(value, mask[q]);
        if (v > out[q]) {
          out[q] = v;
          queue.push({v, q});
        }
      }
    }
  }
  return out;
}

// Labels connected components of `in` (4- or 8-connected) in raster order, as skimage's label
// numbers them; returns the number of components, labels 1..n in `label` (0 = background).
int label_components(const std::vector<unsigned char>& in, Grid g, bool eight, std::vector<int>& label) {
  label.assign(in.size(), 0);
  int count = 0;
  std::vector<int> stack;
  for (int start = 0; start < g.size(); ++start) {
    if (!in[start] || label[start] != 0) continue;
    label[start] = ++count;
    stack = {start};
    while (!stack.empty()) {
      const int p = stack.back();
      stack.pop_back();
      const int r = p / g.cols, c = p % g.cols;
      for (int dr = -1; dr <= 1; ++dr) {
        for (int dc = -1; dc <= 1; ++dc) {
          if ((dr == 0 && dc == 0) || (!eight && dr != 0 && dc != 0)) continue;
          const int rr = r + dr, cc = c + dc;
          if (rr < 0 || rr >= g.rows || cc < 0 || cc >= g.cols) continue;
          const int q = rr * g.cols + cc;
          if (in[q] && label[q] == 0) {
            label[q] = count;
            stack.push_back(q);
          }
        }
      }
    }
  }
  return count;
}

// opexebo.general.peak_search(image) (method 'default', no mask): the centroids of the regional
// maxima (skimage local_maxima, 8-connected plateaus, borders allowed), rounded half to even to
// test the chessboard distance to the nearest zero bin (scipy distance_transform_cdt; -1
// everywhere when the image has no zero bin) and truncated when kept. A peak at distance <= 4
// keeps opexebo's initial coordinates (0, 0) instead of being dropped. Bins outside the arena
// (polygons and circles; none in a rectangle) are not zero bins for this test, as the array's
// edge is not.
std::vector<std::array<int, 2>> peak_search(const std::vector<double>& image, Grid g,
                                            const std::vector<unsigned char>& outside) {
  // Regional maxima: plateaus (8-connected equal values) with no higher 8-neighbour.
  std::vector<int> plateau(image.size(), 0);
  std::vector<unsigned char> is_max(image.size(), 0);
  std::vector<int> stack, members;
  int plateaus = 0;
  for (int start = 0; start < g.size(); ++start) {
    if (plateau[start] != 0) continue;
    plateau[start] = ++plateaus;
    members.clear();
    stack = {start};
    bool maximum = true;
    while (!stack.empty()) {
      const int p = stack.back();
      stack.pop_back();
      members.push_back(p);
      const int r = p / g.cols, c = p % g.cols;
      for (int dr = -1; dr <= 1; ++dr) {
        for (int dc = -1; dc <= 1; ++dc) {
          const int rr = r + dr, cc = c + dc;
          if ((dr == 0 && dc == 0) || rr < 0 || rr >= g.rows || cc < 0 || cc >= g.cols) continue;
          const int q = rr * g.cols + cc;
          if (image[q] > image[p]) maximum = false;
          if (image[q] == image[p] && plateau[q] == 0) {
            plateau[q] = plateaus;
            stack.push_back(q);
          }
        }
      }
    }
    if (maximum) {
      for (int p : members) is_max[p] = 1;
    }
  }
  std::vector<int> label;
  const int regions = label_components(is_max, g, true, label);
  // Chessboard distance to the nearest zero of the image.
  std::vector<int> distance(image.size(), -1);
  {
    std::queue<int> frontier;
    for (int p = 0; p < g.size(); ++p) {
      if (image[p] == 0.0 && (outside.empty() || !outside[p])) {
        distance[p] = 0;
        frontier.push(p);
      }
    }
    while (!frontier.empty()) {
      const int p = frontier.front();
      frontier.pop();
      const int r = p / g.cols, c = p % g.cols;
      for (int dr = -1; dr <= 1; ++dr) {
        for (int dc = -1; dc <= 1; ++dc) {
          const int rr = r + dr, cc = c + dc;
          if (rr < 0 || rr >= g.rows || cc < 0 || cc >= g.cols) continue;
          const int q = rr * g.cols + cc;
          if (distance[q] == -1) {
            distance[q] = distance[p] + 1;
            frontier.push(q);
          }
        }
      }
    }
  }
  std::vector<double> sum_r(regions + 1, 0.0), sum_c(regions + 1, 0.0);
  std::vector<int> count(regions + 1, 0);
  for (int p = 0; p < g.size(); ++p) {
    if (label[p] == 0) continue;
    sum_r[label[p]] += p / g.cols;
    sum_c[label[p]] += p % g.cols;
    ++count[label[p]];
  }
  std::vector<std::array<int, 2>> peaks(regions, {0, 0});
  for (int k = 1; k <= regions; ++k) {
    double y0 = sum_r[k] / count[k], x0 = sum_c[k] / count[k];
    if (y0 > g.rows) y0 = g.rows - 1;
    if (x0 > g.cols) x0 = g.cols - 1;
    const int ry = static_cast<int>(std::nearbyint(y0)), rx = static_cast<int>(std::nearbyint(x0));
    if (distance[ry * g.cols + rx] > 4) peaks[k - 1] = {static_cast<int>(y0), static_cast<int>(x0)};
  }
  return peaks;
}

struct Area {
  bool valid = false;       // opexebo: area is not NaN (the field has no hole)
  bool bad = false;         // a hole, or another peak inside
  std::vector<int> pixels;  // the field's bins (empty when it has a hole)
};

// _area_for_threshold: the 4-connected component of bins >= threshold * image[peak] holding the
// peak; bad when it has a hole of visited bins (8-connected holes counted) or holds another peak.
class AreaFinder {
 public:
  AreaFinder(Grid g, const std::vector<unsigned char>& unvisited) : g_(g), unvisited_(unvisited) {}

  Area operator()(const std::vector<double>& image, int peak, double threshold, const std::vector<int>& others) {
    Area result;
    const double level = image[peak] * threshold;
    in_.assign(image.size(), 0);
    if (image[peak] >= level) {
      std::vector<int> stack = {peak};
      in_[peak] = 1;
      while (!stack.empty()) {
        const int p = stack.back();
        stack.pop_back();
        const int r = p / g_.cols, c = p % g_.cols;
        const int nr[4] = {r - 1, r + 1, r, r}, nc[4] = {c, c, c - 1, c + 1};
        for (int k = 0; k < 4; ++k) {
          if (nr[k] < 0 || nr[k] >= g_.rows || nc[k] < 0 || nc[k] >= g_.cols) continue;
          const int q = nr[k] * g_.cols + nc[k];
          if (!in_[q] && image[q] >= level) {
            in_[q] = 1;
            stack.push_back(q);
          }
        }
      }
    } else {
      std::fill(in_.begin(), in_.end(), 1);  // opexebo's label 0 "component": every bin
    }
    // Holes: bins outside the field not 4-connected to the array's border (binary_fill_holes).
    outside_.assign(image.size(), 0);
    std::vector<int> stack;
    for (int p = 0; p < g_.size(); ++p) {
      const int r = p / g_.cols, c = p % g_.cols;
      if ((r == 0 || c == 0 || r == g_.rows - 1 || c == g_.cols - 1) && !in_[p]) {
        outside_[p] = 1;
        stack.push_back(p);
      }
    }
    while (!stack.empty()) {
      const int p = stack.back();
      stack.pop_back();
      const int r = p / g_.cols, c = p % g_.cols;
      const int nr[4] = {r - 1, r + 1, r, r}, nc[4] = {c, c, c - 1, c + 1};
      for (int k = 0; k < 4; ++k) {
        if (nr[k] < 0 || nr[k] >= g_.rows || nc[k] < 0 || nc[k] >= g_.cols) continue;
        const int q = nr[k] * g_.cols + nc[k];
        if (!in_[q] && !outside_[q]) {
          outside_[q] = 1;
          stack.push_back(q);
        }
      }
    }
    for (int p = 0; p < g_.size(); ++p) {
      if (!in_[p] && !outside_[p] && !unvisited_[p]) {
        result.bad = true;  // a hole of visited bins: opexebo's area is NaN
        return result;
      }
    }
    result.valid = true;
    for (int p = 0; p < g_.size(); ++p) {
      if (in_[p]) result.pixels.push_back(p);
    }
    for (int o : others) {
      if (in_[o]) result.bad = true;
    }
    return result;
  }

 private:
  Grid g_;
  const std::vector<unsigned char>& unvisited_;
  std::vector<unsigned char> in_, outside_;
};

}  // namespace

PlaceFields opexebo_place_fields(const Map2D& map, const std::vector<unsigned char>& outside) {
  GRIDRNN_ASSERT(outside.empty() || outside.size() == map.size(), "outside mask size differs from the map");
  const Grid g{map.bins_x, map.bins_y};
  PlaceFields result;
  result.label.assign(map.size(), 0);
  double global_peak = -std::numeric_limits<double>::infinity();
  bool any_finite = false;
  for (double v : map.values) {
    if (!std::isnan(v)) {
      global_peak = std::max(global_peak, v);
      any_finite = true;
    }
  }
  if (!any_finite || global_peak == 0.0) return result;
  double min_peak = kMinPeak, min_mean = kMinMean, scaling = 1.0;
  const bool scaled = global_peak < 1.0;
  if (scaled) scaling = 4.0 / global_peak;  // opexebo lifts low maps to a peak of 4
  std::vector<unsigned char> unvisited(map.size(), 0);
  std::vector<double> finite(map.size());
  for (std::size_t b = 0; b < map.size(); ++b) {
    unvisited[b] = std::isnan(map.values[b]) ? 1 : 0;
    finite[b] = unvisited[b] ? 0.0 : map.values[b];
    if (scaled) finite[b] *= scaling;
  }
  if (scaled) {
    min_peak *= scaling;
    min_mean *= scaling;
  }
  // Opening by reconstruction: peaks narrower than the cross are flattened.
  std::vector<double> image = reconstruct_by_dilation(erode_cross(finite, g), finite, g);
  std::vector<std::array<int, 2>> peaks;
  for (const auto& peak : peak_search(image, g, outside)) {
    if (finite[peak[0] * g.cols + peak[1]] >= min_peak) peaks.push_back(peak);
  }
  const double max_value = *std::max_element(image.begin(), image.end());
  for (double& v : image) {
    if (v < min_peak && v > 0.01) v = max_value * 1.5;
  }
  std::vector<int> fields(map.size(), 0);
  int field_id = 1;
  AreaFinder area(g, unvisited);
  for (std::size_t i = 0; i < peaks.size(); ++i) {
    const int peak = peaks[i][0] * g.cols + peaks[i][1];
    std::vector<int> others;
    for (std::size_t j = 0; j < peaks.size(); ++j) {
      if (j != i) others.push_back(peaks[j][0] * g.cols + peaks[j][1]);
    }
    // _area_change at (0.96, 0.94), else at (j, j - 0.01) for j in linspace(0.97, 1, 4).
    double used_threshold = kInitialThreshold;
    double initial_change = std::nan(""), initial_area = std::nan("");
    auto area_change = [&](double first, double second) {
      const Area a1 = area(image, peak, first, others);
      if (!a1.valid || a1.bad) return false;
      const Area a2 = area(image, peak, second, others);
      if (!a2.valid || a2.bad) return false;
      initial_change = static_cast<double>(a2.pixels.size()) / static_cast<double>(a1.pixels.size());
      initial_area = static_cast<double>(a2.pixels.size());
      return true;
    };
    if (!area_change(used_threshold, used_threshold - 0.02)) {
      initial_change = initial_area = std::nan("");
      for (int k = 0; k < 4; ++k) {
        const double j = linspace_at(used_threshold + 0.01, 1.0, 4, k);
        initial_change = initial_area = std::nan("");
        if (area_change(j, j - 0.01) && initial_change > 0) {
          used_threshold = j - 0.01;
          break;
        }
      }
    }
    // _expand_field: lower the threshold in steps of 0.02 down to 0.2 while the area grows by at
    // most 3x the initial change and shrinks fewer than 3 times in a row.
    std::vector<int> last_pixels;
    double last_area = initial_area;
    int not_changing = 0, decreases = 0;
    const int steps = static_cast<int>((used_threshold - 0.2) / 0.02) + 1;
    bool completed = true;
    for (int k = 0; k < steps; ++k) {
      const double threshold = std::nearbyint(linspace_at(used_threshold, 0.2, steps, k) * 100.0) / 100.0;
      Area a = area(image, peak, threshold, others);
      if (!a.valid || a.bad) {
        completed = false;
        break;
      }
      const double current_area = static_cast<double>(a.pixels.size());
      const double change = current_area / last_area;
      decreases = change < 1 ? decreases + 1 : 0;
      if (std::floor(change / initial_change) <= 2 && decreases < 3) {
        not_changing = change == 1 ? not_changing + 1 : 0;
        if (not_changing < 10) {
          last_area = current_area;
          last_pixels = std::move(a.pixels);
          continue;
        }
      }
      completed = false;
      break;
    }
    std::vector<int> pixels = last_pixels;
    if (completed && std::find(last_pixels.begin(), last_pixels.end(), peak) == last_pixels.end()) {
      pixels = area(image, peak, used_threshold + 0.01, others).pixels;  // opexebo's fallback
    }
    for (int p : pixels) {
      image[p] = max_value * 1.5;
      fields[p] = field_id;
    }
    ++field_id;
  }
  // Keep fields of >= 9 bins with a mean rate >= 0.1 (Hz), renumbered in label order.
  for (int id = 1; id < field_id; ++id) {
    int bins = 0;
    double sum = 0.0;
    for (std::size_t b = 0; b < map.size(); ++b) {
      if (fields[b] == id) {
        ++bins;
        sum += finite[b];
      }
    }
    if (bins == 0 || bins < kMinBins || sum / bins < min_mean) continue;
    ++result.count;
    for (std::size_t b = 0; b < map.size(); ++b) {
      if (fields[b] == id) result.label[b] = result.count;
    }
  }
  return result;
}

}  // namespace gridrnn::analysis

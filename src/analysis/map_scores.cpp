#include "gridrnn/analysis/map_scores.hpp"

#include <cmath>

#include "gridrnn/core/error.hpp"

namespace gridrnn::analysis {

void check_rate_map(const Map2D& map, const std::string& name) {
  if (map.bins_x < 4 || map.bins_y < 4) {
    throw_user_error("{} has {} x {} bins: need at least 4 x 4", name, map.bins_x, map.bins_y);
  }
  for (std::size_t k = 0; k < map.size(); ++k) {
    if (std::isinf(map.values[k])) {
      throw_user_error("{} has an infinite value at bin {}: use NaN for unvisited bins", name, k);
    }
  }
  if (map.finite_count() == 0) throw_user_error("{} is all NaN: no visited bin to score", name);
}

int scale_to_unit_magnitude(Map2D& map) {
  double magnitude = 0.0;
  for (const double v : map.values) {
    if (std::isfinite(v)) magnitude = std::max(magnitude, std::abs(v));
  }
  if (magnitude == 0.0) return 0;
  const int exponent = std::ilogb(magnitude);
  for (double& v : map.values) v = std::ldexp(v, -exponent);
  return exponent;
}

GridScores map_grid_scores(const Map2D& map, const MapScoreOptions& options) {
  Map2D scaled = map;
  scale_to_unit_magnitude(scaled);
  const Map2D sac = autocorrelogram(scaled, sac_unvisited_bins(options.convention));
  GridScores grid = GridScorer(map.bins_x, map.bins_y, options.convention, options.variant).score(sac);
  grid.spacing_bins *= options.extent.bin_width_x(map.bins_x);  // now in arena units
  return grid;
}

BandScore map_band_score(const Map2D& map, const MapScoreOptions& options) {
  Map2D scaled = map;
  scale_to_unit_magnitude(scaled);
  return band_score(scaled, options.extent);
}

BorderScore map_border_score(const Map2D& map, const MapScoreOptions& options) {
  const MapExtent& e = options.extent;
  const ArenaGeometry arena = ArenaGeometry::rectangle(e.xmin, e.xmax, e.ymin, e.ymax);
  BorderOptions border_options;
  border_options.convention = options.border_convention;
  // opexebo's field search has absolute thresholds (1 Hz peak, 0.1 Hz mean): the rates as given.
  if (options.border_convention == BorderConvention::kOpexebo) return border_score(map, arena, border_options);
  Map2D scaled = map;
  scale_to_unit_magnitude(scaled);
  return border_score(scaled, arena, border_options);
}

MapScores score_map(const Map2D& map, const MapScoreOptions& options) {
  return {map_grid_scores(map, options), map_band_score(map, options), map_border_score(map, options)};
}

}  // namespace gridrnn::analysis

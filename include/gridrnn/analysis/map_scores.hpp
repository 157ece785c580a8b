#pragma once
// Grid, band and border scores of one rate map as `gridrnn score` reports them (and the Python
// module's score functions): the map checked (no infinite value, at least one visited bin),
// scaled by a power of two to a largest magnitude in [1, 2), then scored in the chosen
// conventions, spacing and wavelength in arena units of the map's extent, the border score on the
// rectangular arena of that extent.
#include <string>

#include "gridrnn/analysis/grid_score.hpp"
#include "gridrnn/analysis/maps.hpp"
#include "gridrnn/analysis/spatial_scores.hpp"

namespace gridrnn::analysis {

struct MapScoreOptions {
  GridConvention convention = GridConvention::kDeepmind;
  GridVariant variant = GridVariant::kMean;
  BorderConvention border_convention = BorderConvention::kGridrnn;
  MapExtent extent;  // the rectangle the map covers; walls of the border score's arena
  void validate() const { extent.validate(); }
};

struct MapScores {
  GridScores grid;  // spacing_bins in arena units of the extent (not bins)
  BandScore band;
  BorderScore border;
};

// UserError naming the map (e.g. "'maps.npy' map 3") unless it has at least 4 x 4 bins, no
// infinite value (NaN marks an unvisited bin) and at least one finite bin.
void check_rate_map(const Map2D& map, const std::string& name);

// Scales map by 2^-exponent so its largest finite magnitude lies in [1, 2) (exact; the scores
// are scale-free, but their sums of squares overflow beyond ~1e150 and their "constant map"
// floor, 1e-12, swallows maps of tiny rates); returns the exponent (0 for an all-zero map).
int scale_to_unit_magnitude(Map2D& map);

// Each score of a map that check_rate_map accepts, as `gridrnn score` computes it.
GridScores map_grid_scores(const Map2D& map, const MapScoreOptions& options);
BandScore map_band_score(const Map2D& map, const MapScoreOptions& options);
BorderScore map_border_score(const Map2D& map, const MapScoreOptions& options);
MapScores score_map(const Map2D& map, const MapScoreOptions& options);

}  // namespace gridrnn::analysis

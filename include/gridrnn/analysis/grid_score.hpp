#pragma once
// Grid scores at 60 and 90 degrees, grid spacing and orientation, from a spatial autocorrelogram
// (SAC), in the two conventions of the field (PAPER.md section 5; docs/design.md "Analysis
// conventions"):
//  - deepmind (google-deepmind/grid-cells scores.py, reproduced within 1e-4 on
//    tests/analysis/reference_scores; its SAC reads unvisited bins as 0): rings {0.2 n < rho <= r1 n}, r1 in
//    linspace(0.4, 1.0, 10), n = bins; SAC rotated by scipy.ndimage.rotate(reshape=False,
//    order=3, mode='constant') semantics (cubic B-spline with mirror-boundary prefilter, zero
//    outside the array); c_a = mean((S-m)(R_a-m)) / (mean((S-m)^2) + 1e-5) over the ring;
//    variant mean: score60 = (c60+c120)/2 - (c30+c90+c150)/3; min_max: min(c60,c120) -
//    max(c30,c90,c150); score90 = c90 - (c45+c135)/2; best ring.
//  - sargolini (BNT / opexebo style): central field radius r0 from the SAC's central peak;
//    annuli r0 < rho < r for integer r from max(3, r0 + 1) to n - 1; Pearson correlations with
//    the rotated SAC; score60 = min(r60, r120) - max(r30, r90, r150), score90 = r90 -
//    max(r45, r135); the maximum of a sliding mean over 3 consecutive radii.
#include <array>
#include <string>
#include <vector>

#include "gridrnn/analysis/maps.hpp"

namespace gridrnn::analysis {

enum class GridConvention { kDeepmind, kSargolini };
enum class GridVariant { kMean, kMinMax };  // deepmind only

// "deepmind" / "sargolini", "mean" / "min_max"; UserError naming the accepted values otherwise.
GridConvention parse_grid_convention(const std::string& text);
GridVariant parse_grid_variant(const std::string& text);
std::string to_string(GridConvention convention);
std::string to_string(GridVariant variant);

struct GridScores {
  double score_60 = 0.0;   // NaN when the SAC is empty (a map without structure)
  double score_90 = 0.0;
  double ring_60 = 0.0;    // outer radius of the best ring, in bins
  double ring_90 = 0.0;
  double spacing_bins = 0.0;     // median distance of the six SAC peaks nearest the centre (bins); NaN if < 3 peaks
  double orientation_deg = 0.0;  // lattice orientation in [0, 60): arg(sum exp(6 i theta_k)) / 6 of those peaks
};

// How the convention's reference program reads unvisited bins in its SAC. deepmind: as 0
// (scores.py's calculate_sac applies nan_to_num before it builds its masks, so a NaN bin is a
// valid bin of rate 0: a departure from PAPER.md section 5's "bins valid in both"); sargolini:
// left out.
UnvisitedBins sac_unvisited_bins(GridConvention convention);

// The 7 rotation angles, in degrees, in the order of every per-angle array below.
inline constexpr std::array<double, 7> kGridAngles = {30, 45, 60, 90, 120, 135, 150};

// Rotation of a (sx, sy) image about its centre ((sx-1)/2, (sy-1)/2) as scipy.ndimage.rotate(
// image, angle, reshape=False, order=3, mode='constant', cval=0) computes it: output pixel o reads
// the cubic spline of the image at R o + offset, R = [[c, s], [-s, c]], coefficients from the
// mirror-boundary prefilter, 0 where the point lies outside [0, sx-1] x [0, sy-1]. Precomputed
// once per image size as 16 (index, weight) taps per output pixel; apply() then costs 16 MACs
// per pixel. Only pixels listed in `pixels` are produced (the rest are never read).
class SplineRotation {
 public:
  SplineRotation(int size_x, int size_y, double angle_deg, const std::vector<int>& pixels);
  // coefficients: the prefiltered image (spline_prefilter); out: one value per listed pixel.
  void apply(const std::vector<double>& coefficients, std::vector<double>& out) const;

 private:
  std::vector<int> tap_index_;      // (pixels, 16)
  std::vector<double> tap_weight_;  // (pixels, 16)
};

// Cubic B-spline interpolation coefficients of an x-major (size_x, size_y) image, separable
// recursive filter (Unser 1993) with pole sqrt(3) - 2 and mirror (whole-sample symmetric)
// boundary, as scipy.ndimage.spline_filter(order=3, mode='mirror' / 'constant') computes them.
void spline_prefilter(std::vector<double>& image, int size_x, int size_y);

// Reference: the full rotated image (all pixels), for tests.
std::vector<double> rotate_image_reference(const std::vector<double>& image, int size_x,
                                           int size_y, double angle_deg);

// Scores SACs of one map size; precomputes rotations and ring masks once. Thread-safe (const).
class GridScorer {
 public:
  GridScorer(int bins_x, int bins_y, GridConvention convention, GridVariant variant);
  // sac: (2 bins_x - 1, 2 bins_y - 1), as autocorrelogram() returns it.
  GridScores score(const Map2D& sac) const;
  GridConvention convention() const { return convention_; }
  GridVariant variant() const { return variant_; }

 private:
  int bins_x_, bins_y_, sac_x_, sac_y_, n_;
  GridConvention convention_;
  GridVariant variant_;
  std::vector<int> pixels_;         // SAC pixels within the largest radius (flat x-major index)
  std::vector<double> pixel_radius_;  // (pixels) distance to the centre in bins
  std::vector<SplineRotation> rotations_;  // (7) one per kGridAngles entry
  std::vector<double> ring_outer_;  // deepmind: (10) r1 * n
  double ring_inner_ = 0.0;         // deepmind: 0.2 * n

  GridScores score_deepmind(const Map2D& sac, const std::vector<std::vector<double>>& rotated) const;
  GridScores score_sargolini(const Map2D& sac, const std::vector<std::vector<double>>& rotated) const;
};

// Spacing (bins) and orientation (degrees in [0, 60)) from the six SAC peaks nearest the centre.
void grid_spacing_orientation(const Map2D& sac, double& spacing_bins, double& orientation_deg);

// Convenience for one map: SAC by FFT (unvisited bins as the convention reads them), then
// GridScorer::score.
GridScores grid_scores(const Map2D& map, GridConvention convention = GridConvention::kDeepmind,
                       GridVariant variant = GridVariant::kMean);

}  // namespace gridrnn::analysis

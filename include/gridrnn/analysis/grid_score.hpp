#pragma once
// Grid scores at 60 and 90 degrees, grid spacing and orientation, from a spatial autocorrelogram
// (SAC), in the two conventions of the field (docs/paper.md "Grid scores"; docs/design.md "Analysis
// conventions"):
//  - deepmind (google-deepmind/grid-cells scores.py, reproduced within 4e-11 on
//    tests/analysis/reference_scores; its SAC reads unvisited bins as 0): rings {0.2 n < rho <= r1 n}, r1 in
//    linspace(0.4, 1.0, 10), n = bins; SAC rotated by scipy.ndimage.rotate(reshape=False,
//    order=3, mode='constant') semantics (cubic B-spline with mirror-boundary prefilter, zero
//    outside the array); c_a = mean((S-m)(R_a-m)) / (mean((S-m)^2) + 1e-5) over the ring;
//    variant mean: score60 = (c60+c120)/2 - (c30+c90+c150)/3; min_max: min(c60,c120) -
//    max(c30,c90,c150); score90 = c90 - (c45+c135)/2; best ring.
//  - sargolini (kavli-ntnu/opexebo 0.7.2 grid_score, the BNT's gridnessScore): the SAC (NaN read
//    as 0) cropped to about 1.8 n and normalized to its maximum; central field radius
//    r0 = floor(sqrt(area / pi)) of sargolini_central_field_area; rings r0 < rho < r for the
//    integer radii trunc(linspace(max(3, r0 + 1), outer, outer - r0)), outer = half the cropped
//    size; Pearson correlations with the SAC rotated bilinearly (skimage.transform.rotate);
//    score60 = min(r60, r120) - max(r30, r90, r150) per ring; the score is the largest mean of
//    3 consecutive rings (starting at ring 0 .. count - 4, as opexebo; the mean of all rings when
//    there are at most 4). score90 = r90 - max(r45, r135) the same way (ours: opexebo has none).
//    Spacing: opexebo's grid_score_stats (the 6 SAC maxima nearest the centre outside the
//    central field and inside the best ring, the mean distance of the first 3 by angle).
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
  double ring_60 = 0.0;    // outer radius of the best ring, in bins (sargolini: the best single ring)
  double ring_90 = 0.0;
  // deepmind: median distance of the six SAC peaks nearest the centre (bins), NaN if < 3 peaks;
  // sargolini: opexebo's grid_spacing (see above), NaN if fewer than 6 peaks qualify.
  double spacing_bins = 0.0;
  double orientation_deg = 0.0;  // lattice orientation in [0, 60): arg(sum exp(6 i theta_k)) / 6 of those peaks
};

// How the convention's reference program reads unvisited bins in its SAC. deepmind: as 0
// (scores.py's calculate_sac applies nan_to_num before it builds its masks, so a NaN bin is a
// valid bin of rate 0: a departure from docs/paper.md's "bins valid in both"); sargolini:
// as 0 too (opexebo's autocorrelation applies nan_to_num).
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

// Rotation of an x-major (size_x, size_y) image about its centre pixel as
// skimage.transform.rotate(image, angle, preserve_range=True) computes it (order 1, mode
// 'constant', cval 0; skimage's columns are our y, its rows our x): output pixel o reads the
// bilinear interpolation of the image, zero outside it, at
//   y_in = c (o_y - c_y) - s (o_x - c_x) + c_y,   x_in = s (o_y - c_y) + c (o_x - c_x) + c_x.
// Precomputed as 4 (index, weight) taps per listed output pixel.
class BilinearRotation {
 public:
  BilinearRotation(int size_x, int size_y, double angle_deg, const std::vector<int>& pixels);
  void apply(const std::vector<double>& image, std::vector<double>& out) const;

 private:
  std::vector<int> tap_index_;      // (pixels, 4)
  std::vector<double> tap_weight_;  // (pixels, 4); 0 for taps outside the image
};

// The central field of a SAC as opexebo's place_field finds it for grid_score (BNT's
// placefieldAdaptive): on the SAC (x-major (size_x, size_y), normalized to its maximum),
// eroded by the 3 x 3 cross and reconstructed by 8-connected dilation under itself, the
// 4-connected region around the centre pixel above t x (its value there) for thresholds t
// from 0.95 down in steps of 0.02, as long as it has no hole, grows by less than 3x the first
// step's ratio and shrinks fewer than 3 times in a row. Returns its area in pixels (0: none, or
// fewer than 5 pixels).
int sargolini_central_field_area(const std::vector<double>& sac, int size_x, int size_y);

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
  // sargolini: the SAC cropped to (crop_x_, crop_y_) = odd(round(1.8 bins)) around its centre
  // (opexebo's autocorrelation), its pixels closer to the centre than outer_bound_, and their
  // bilinear rotations.
  int crop_x_ = 0, crop_y_ = 0, outer_bound_ = 0;
  std::vector<int> crop_pixels_;          // flat x-major index into the cropped SAC
  std::vector<double> crop_radius_;       // (crop_pixels) distance to the centre pixel
  std::vector<BilinearRotation> bilinear_;  // (7) one per kGridAngles entry

  GridScores score_deepmind(const Map2D& sac, const std::vector<std::vector<double>>& rotated) const;
  GridScores score_sargolini(const Map2D& sac) const;
};

// Spacing (bins) and orientation (degrees in [0, 60)) from the six SAC peaks nearest the centre.
void grid_spacing_orientation(const Map2D& sac, double& spacing_bins, double& orientation_deg);

// Convenience for one map: SAC by FFT (unvisited bins as the convention reads them), then
// GridScorer::score.
GridScores grid_scores(const Map2D& map, GridConvention convention = GridConvention::kDeepmind,
                       GridVariant variant = GridVariant::kMean);

}  // namespace gridrnn::analysis

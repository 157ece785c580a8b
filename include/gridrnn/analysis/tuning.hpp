#pragma once
// Direction and speed tuning of one unit from plain per-sample arrays (docs/paper.md "Analyses").
#include <span>
#include <vector>

namespace gridrnn::analysis {

struct DirectionTuning {
  std::vector<double> curve;        // (bins) mean activity per heading bin; NaN where no sample
  double mean_vector_length = 0.0;  // |sum g_b e^{i theta_b}| / sum g_b, g = curve - min(curve)
  double preferred_direction_deg = 0.0;  // arg of that sum, [0, 360)
};

// Heading bins of bin_deg degrees starting at 0 (bin b covers [b bin_deg, (b+1) bin_deg), centre
// at (b + 0.5) bin_deg); headings in radians, any range (wrapped). Bins without samples are left
// out of the vector sum. MVL is NaN for a flat curve. UserError if lengths differ or 360 is not
// a multiple of bin_deg.
DirectionTuning direction_tuning(std::span<const double> headings, std::span<const float> activity,
                                 double bin_deg = 15.0);
DirectionTuning direction_tuning(std::span<const double> headings, std::span<const double> activity,
                                 double bin_deg = 15.0);

struct SpeedTuning {
  double pearson_r = 0.0;  // correlation of activity with speed over samples (Kropff et al. 2015)
  double slope = 0.0;      // least-squares activity = intercept + slope * speed
  double intercept = 0.0;
};

// NaN r and slope when speed or activity is constant.
SpeedTuning speed_tuning(std::span<const double> speeds, std::span<const float> activity);
SpeedTuning speed_tuning(std::span<const double> speeds, std::span<const double> activity);

// Heading bin of every sample (for reuse over units and shuffles); bins = 360 / bin_deg.
std::vector<int> heading_bins(std::span<const double> headings, double bin_deg);
// MVL and preferred direction of a curve (NaN entries skipped).
void mean_vector(const std::vector<double>& curve, double& length, double& direction_deg);

}  // namespace gridrnn::analysis

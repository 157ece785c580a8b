#include "gridrnn/analysis/tuning.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "gridrnn/core/error.hpp"

namespace gridrnn::analysis {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

int heading_bin_count(double bin_deg) {
  const double bins = 360.0 / bin_deg;
  if (!(bin_deg > 0) || std::abs(bins - std::round(bins)) > 1e-9 || bins < 2) {
    throw_user_error("direction bin width = {} degrees: must divide 360 into at least 2 bins",
                     bin_deg);
  }
  return static_cast<int>(std::round(bins));
}

template <typename T>
DirectionTuning direction_tuning_impl(std::span<const double> headings, std::span<const T> activity,
                                      double bin_deg) {
  if (headings.size() != activity.size()) {
    throw_user_error("headings have {} samples but activity has {}: lengths must match",
                     headings.size(), activity.size());
  }
  const std::vector<int> bin = heading_bins(headings, bin_deg);
  const int bins = heading_bin_count(bin_deg);
  std::vector<double> sum(bins, 0.0), count(bins, 0.0);
  for (std::size_t s = 0; s < bin.size(); ++s) {
    sum[bin[s]] += static_cast<double>(activity[s]);
    count[bin[s]] += 1.0;
  }
  DirectionTuning tuning;
  tuning.curve.resize(bins);
  for (int b = 0; b < bins; ++b) tuning.curve[b] = count[b] > 0 ? sum[b] / count[b] : kNaN;
  mean_vector(tuning.curve, tuning.mean_vector_length, tuning.preferred_direction_deg);
  return tuning;
}

template <typename T>
SpeedTuning speed_tuning_impl(std::span<const double> speeds, std::span<const T> activity) {
  if (speeds.size() != activity.size()) {
    throw_user_error("speeds have {} samples but activity has {}: lengths must match",
                     speeds.size(), activity.size());
  }
  const double n = static_cast<double>(speeds.size());
  double mean_s = 0, mean_a = 0;
  for (std::size_t k = 0; k < speeds.size(); ++k) {
    mean_s += speeds[k];
    mean_a += static_cast<double>(activity[k]);
  }
  mean_s /= n;
  mean_a /= n;
  double ss = 0, aa = 0, sa = 0;
  for (std::size_t k = 0; k < speeds.size(); ++k) {
    const double ds = speeds[k] - mean_s, da = static_cast<double>(activity[k]) - mean_a;
    ss += ds * ds;
    aa += da * da;
    sa += ds * da;
  }
  SpeedTuning tuning;
  if (!(ss > 0) || !(aa > 0)) {
    tuning.pearson_r = tuning.slope = kNaN;
    tuning.intercept = mean_a;
    return tuning;
  }
  tuning.pearson_r = sa / std::sqrt(ss * aa);
  tuning.slope = sa / ss;
  tuning.intercept = mean_a - tuning.slope * mean_s;
  return tuning;
}
}  // namespace

std::vector<int> heading_bins(std::span<const double> headings, double bin_deg) {
  const int bins = heading_bin_count(bin_deg);
  std::vector<int> bin(headings.size());
  for (std::size_t s = 0; s < headings.size(); ++s) {
    if (!std::isfinite(headings[s])) {
      throw_user_error("heading of sample {} is {}: headings must be finite (radians)", s, headings[s]);
    }
    double degrees = std::fmod(headings[s] * 180.0 / std::numbers::pi, 360.0);
    if (degrees < 0) degrees += 360.0;
    bin[s] = std::min(bins - 1, static_cast<int>(degrees / bin_deg));
  }
  return bin;
}

void mean_vector(const std::vector<double>& curve, double& length, double& direction_deg) {
  const int bins = static_cast<int>(curve.size());
  double low = std::numeric_limits<double>::infinity(), high = -low;
  for (double v : curve) {
    if (std::isfinite(v)) {
      low = std::min(low, v);
      high = std::max(high, v);
    }
  }
  if (!(high - low > 1e-12 * std::max(1.0, std::abs(high)))) {
    length = direction_deg = kNaN;
    return;
  }
  double x = 0, y = 0, total = 0;
  for (int b = 0; b < bins; ++b) {
    if (!std::isfinite(curve[b])) continue;
    const double g = curve[b] - low;
    const double angle = (b + 0.5) * 2.0 * std::numbers::pi / bins;
    x += g * std::cos(angle);
    y += g * std::sin(angle);
    total += g;
  }
  length = std::hypot(x, y) / total;
  direction_deg = std::atan2(y, x) * 180.0 / std::numbers::pi;
  if (direction_deg < 0) direction_deg += 360.0;
}

DirectionTuning direction_tuning(std::span<const double> headings, std::span<const float> activity,
                                 double bin_deg) {
  return direction_tuning_impl(headings, activity, bin_deg);
}
DirectionTuning direction_tuning(std::span<const double> headings, std::span<const double> activity,
                                 double bin_deg) {
  return direction_tuning_impl(headings, activity, bin_deg);
}
SpeedTuning speed_tuning(std::span<const double> speeds, std::span<const float> activity) {
  return speed_tuning_impl(speeds, activity);
}
SpeedTuning speed_tuning(std::span<const double> speeds, std::span<const double> activity) {
  return speed_tuning_impl(speeds, activity);
}

}  // namespace gridrnn::analysis

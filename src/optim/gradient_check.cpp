#include "gridrnn/optim/gradient_check.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "gridrnn/core/error.hpp"

namespace gridrnn::optim {

void GradientCheckOptions::validate() const {
  if (!(std::isfinite(step) && step > 0 && step < 1)) {
    throw_user_error("gradient check step = {}: must be in (0, 1)", step);
  }
  if (!(relative_tolerance > 0)) {
    throw_user_error("gradient check relative_tolerance = {}: must be > 0", relative_tolerance);
  }
  if (!(absolute_scale > 0)) {
    throw_user_error("gradient check absolute_scale = {}: must be > 0", absolute_scale);
  }
  if (!(floor_fraction >= 0 && floor_fraction < 1)) {
    throw_user_error("gradient check floor_fraction = {}: must be in [0, 1)", floor_fraction);
  }
}

std::vector<std::size_t> gradient_check_indices(std::size_t num_parameters,
                                                std::size_t max_entries) {
  std::vector<std::size_t> indices;
  if (max_entries == 0 || max_entries >= num_parameters) {
    indices.resize(num_parameters);
    for (std::size_t i = 0; i < num_parameters; ++i) indices[i] = i;
    return indices;
  }
  // k * P / count for k = 0..count-1: distinct and increasing because count < P.
  indices.reserve(max_entries);
  for (std::size_t k = 0; k < max_entries; ++k) {
    indices.push_back(k * num_parameters / max_entries);
  }
  return indices;
}

double gradient_entry_error(double analytic, double numeric, double floor) {
  const double scale = std::max({std::abs(analytic), std::abs(numeric), floor});
  return std::abs(analytic - numeric) / scale;
}

GradientCheckResult check_gradient(const std::function<double(const Eigen::VectorXd&)>& f,
                                   const Eigen::VectorXd& theta, const Eigen::VectorXd& analytic,
                                   const GradientCheckOptions& options) {
  options.validate();
  GRIDRNN_ASSERT(theta.size() == analytic.size(), "gradient and theta sizes differ");
  GradientCheckResult result;
  result.tolerance = options.relative_tolerance;
  result.analytic = analytic;
  result.indices = gradient_check_indices(static_cast<std::size_t>(theta.size()), options.max_entries);
  const auto count = static_cast<Eigen::Index>(result.indices.size());
  result.numeric.resize(count);
  result.error.resize(count);
  Eigen::VectorXd shifted = theta;
  for (Eigen::Index k = 0; k < count; ++k) {
    const auto i = static_cast<Eigen::Index>(result.indices[static_cast<std::size_t>(k)]);
    const double h = options.step * std::max(1.0, std::abs(theta[i]));
    const auto at = [&](double offset) {
      shifted[i] = theta[i] + offset;
      return f(shifted);
    };
    const double d1 = at(h) - at(-h);
    result.numeric[k] = options.stencil == Stencil::kTwoPoint ? d1 / (2 * h)
                                                              : (8.0 * d1 - (at(2 * h) - at(-2 * h))) / (12.0 * h);
    shifted[i] = theta[i];
  }
  const double floor =
      std::max(options.absolute_scale, count > 0 ? options.floor_fraction * result.numeric.cwiseAbs().maxCoeff() : 0.0);
  for (Eigen::Index k = 0; k < count; ++k) {
    const auto i = static_cast<Eigen::Index>(result.indices[static_cast<std::size_t>(k)]);
    result.error[k] = gradient_entry_error(result.analytic[i], result.numeric[k], floor);
    if (!(result.error[k] <= options.relative_tolerance)) result.passed = false;
    if (!(result.error[k] <= result.max_error)) {  // also takes NaN errors as the worst
      result.max_error = result.error[k];
      result.worst_index = static_cast<std::size_t>(i);
    }
  }
  return result;
}

std::string GradientCheckResult::report() const {
  std::string text = fmt::format("gradient check {} ({} entries, tolerance {:.3g}, worst error {:.3g} "
                                 "at entry {})\n",
                                 passed ? "passed" : "FAILED", indices.size(), tolerance,
                                 max_error, worst_index);
  int listed = 0;
  for (std::size_t k = 0; k < indices.size() && listed < 20; ++k) {
    const auto kk = static_cast<Eigen::Index>(k);
    if (error[kk] <= tolerance) continue;
    text += fmt::format("  entry {}: analytic {:.10g}, finite difference {:.10g}, error {:.3g}\n",
                        indices[k], analytic[static_cast<Eigen::Index>(indices[k])], numeric[kk],
                        error[kk]);
    ++listed;
  }
  return text;
}

}  // namespace gridrnn::optim

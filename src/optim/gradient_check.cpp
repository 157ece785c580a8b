#include "gridrnn/optim/gradient_check.hpp"

#include <algorithm>

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

double gradient_entry_error(double analytic, double numeric, double absolute_scale) {
  const double scale = std::max({std::abs(analytic), std::abs(numeric), absolute_scale});
  return std::abs(analytic - numeric) / scale;
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

#pragma once
// Gradient checker (as in ceres-solver): compares an analytic gradient with finite differences
// of the function, entry by entry. Uses the fourth-order central stencil
//   f'(x) ~ (8 (f(x+h) - f(x-h)) - (f(x+2h) - f(x-2h))) / (12 h),
// truncation error O(h^4), so double-precision checks reach 1e-9 relative with h ~ 1e-3.
// An entry's relative error is |g - d| / max(|g|, |d|, floor), floor = floor_fraction * max_j |d_j|
// (entries far below the gradient's scale are compared in absolute terms at that scale).
#include <cstddef>
#include <functional>
#include <string>

#include <Eigen/Core>

namespace gridrnn::model {

struct GradientCheckOptions {
  double step = 1e-3;            // h, in parameter units
  double tolerance = 1e-6;       // largest accepted relative error
  double floor_fraction = 1e-4;  // see above
};

struct GradientCheckResult {
  bool passed = false;
  double max_relative_error = 0.0;
  std::size_t worst_index = 0;
  Eigen::VectorXd finite_difference;
  std::string report;  // one line: worst entry, its values and the verdict
};

GradientCheckResult check_gradient(const std::function<double(const Eigen::VectorXd&)>& function,
                                   const Eigen::VectorXd& theta, const Eigen::VectorXd& gradient,
                                   const GradientCheckOptions& options = {});

}  // namespace gridrnn::model

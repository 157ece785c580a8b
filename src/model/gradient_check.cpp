#include "gridrnn/model/gradient_check.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "gridrnn/core/error.hpp"

namespace gridrnn::model {

GradientCheckResult check_gradient(const std::function<double(const Eigen::VectorXd&)>& function,
                                   const Eigen::VectorXd& theta, const Eigen::VectorXd& gradient,
                                   const GradientCheckOptions& options) {
  GRIDRNN_ASSERT(theta.size() == gradient.size(), "gradient and theta sizes differ");
  GradientCheckResult result;
  result.finite_difference.resize(theta.size());
  Eigen::VectorXd probe = theta;
  const double h = options.step;
  for (Eigen::Index i = 0; i < theta.size(); ++i) {
    auto at = [&](double offset) {
      probe[i] = theta[i] + offset;
      return function(probe);
    };
    const double d1 = at(h) - at(-h), d2 = at(2 * h) - at(-2 * h);
    probe[i] = theta[i];
    result.finite_difference[i] = (8.0 * d1 - d2) / (12.0 * h);
  }
  const double floor = options.floor_fraction * result.finite_difference.cwiseAbs().maxCoeff();
  for (Eigen::Index i = 0; i < theta.size(); ++i) {
    const double g = gradient[i], d = result.finite_difference[i];
    const double scale = std::max({std::abs(g), std::abs(d), floor, 1e-300});
    const double error = std::abs(g - d) / scale;
    if (!(error <= result.max_relative_error)) {  // also catches NaN
      result.max_relative_error = error;
      result.worst_index = static_cast<std::size_t>(i);
    }
  }
  result.passed = result.max_relative_error <= options.tolerance;
  const auto w = static_cast<Eigen::Index>(result.worst_index);
  result.report = fmt::format("gradient check {}: max relative error {:.3e} (tolerance {:.1e}) at index {}: analytic {:.12e}, finite difference {:.12e}",
                              result.passed ? "passed" : "FAILED", result.max_relative_error, options.tolerance,
                              result.worst_index, gradient.size() ? gradient[w] : 0.0,
                              gradient.size() ? result.finite_difference[w] : 0.0);
  return result;
}

}  // namespace gridrnn::model

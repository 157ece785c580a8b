#pragma once
// Checks an Objective's analytic gradient against central finite differences (double precision):
//   numeric_i = (f(theta + h_i e_i) - f(theta - h_i e_i)) / (2 h_i),  h_i = step * max(1, |theta_i|)
//   error_i   = |analytic_i - numeric_i| / max(|analytic_i|, |numeric_i|, absolute_scale)
// and the entry passes when error_i <= relative_tolerance. The truncation error of the central
// difference is O(h^2 f'''), the rounding error O(eps |f| / h); h = 1e-6 balances them for
// smooth losses of order 1. Also checks Gauss–Newton products of a CurvatureObjective for
// symmetry (u^T G v = v^T G u) and positive semi-definiteness (v^T G v >= 0).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "gridrnn/optim/objective.hpp"

namespace gridrnn::optim {

struct GradientCheckOptions {
  double step = 1e-6;                // relative finite-difference step
  double relative_tolerance = 1e-6;  // largest accepted error_i
  double absolute_scale = 1e-8;      // floor of the denominator, so ~0 gradients compare absolutely
  // Check at most this many entries, evenly spaced over [0, P) (0 = all): large models check a
  // deterministic sample, since each entry costs two loss evaluations.
  std::size_t max_entries = 0;
  void validate() const;
};

struct GradientCheckResult {
  bool passed = true;
  std::vector<std::size_t> indices;  // entries checked
  Eigen::VectorXd analytic;          // [P] the objective's gradient
  Eigen::VectorXd numeric;           // [indices.size()] central differences at `indices`
  Eigen::VectorXd error;             // [indices.size()] error_i
  double tolerance = 0;              // the relative_tolerance used
  double max_error = 0;
  std::size_t worst_index = 0;       // parameter index with the largest error
  std::string report() const;        // a summary line + one line per failing entry (at most 20)
};

// The entries to check (evenly spaced, increasing, distinct).
std::vector<std::size_t> gradient_check_indices(std::size_t num_parameters, std::size_t max_entries);
// error_i as defined above.
double gradient_entry_error(double analytic, double numeric, double absolute_scale);

template <Objective F>
GradientCheckResult check_gradient(F& objective, const Eigen::VectorXd& theta,
                                   const GradientCheckOptions& options = {}) {
  options.validate();
  GradientCheckResult result;
  result.tolerance = options.relative_tolerance;
  objective.value_gradient(theta, result.analytic);
  result.indices = gradient_check_indices(static_cast<std::size_t>(theta.size()),
                                          options.max_entries);
  const auto count = static_cast<Eigen::Index>(result.indices.size());
  result.numeric.resize(count);
  result.error.resize(count);
  Eigen::VectorXd shifted = theta;
  for (Eigen::Index k = 0; k < count; ++k) {
    const auto i = static_cast<Eigen::Index>(result.indices[static_cast<std::size_t>(k)]);
    const double h = options.step * std::max(1.0, std::abs(theta[i]));
    shifted[i] = theta[i] + h;
    const double f_plus = objective.value(shifted);
    shifted[i] = theta[i] - h;
    const double f_minus = objective.value(shifted);
    shifted[i] = theta[i];
    result.numeric[k] = (f_plus - f_minus) / (2 * h);
    result.error[k] =
        gradient_entry_error(result.analytic[i], result.numeric[k], options.absolute_scale);
    if (!(result.error[k] <= options.relative_tolerance)) result.passed = false;
    if (!(result.error[k] <= result.max_error)) {  // also takes NaN errors as the worst
      result.max_error = result.error[k];
      result.worst_index = static_cast<std::size_t>(i);
    }
  }
  // Leave the objective linearized at theta, as the caller had it.
  Eigen::VectorXd unused;
  objective.value_gradient(theta, unused);
  return result;
}

struct CurvatureCheckResult {
  double asymmetry = 0;       // |u^T G v - v^T G u| / max(|u^T G v|, |v^T G u|, tiny)
  double min_curvature = 0;   // min over x in {u, v} of x^T G x / (|x| |G x|): a cosine, < 0
                              // means G is not positive semi-definite along x
  bool symmetric = false;     // asymmetry <= tolerance
  bool positive_semidefinite = false;  // u^T G u >= -tolerance |u||Gu| and same for v
};

// G at theta (structural_weight applied as in the objective), probed with directions u and v.
template <CurvatureObjective F>
CurvatureCheckResult check_curvature(F& objective, const Eigen::VectorXd& theta,
                                     const Eigen::VectorXd& u, const Eigen::VectorXd& v,
                                     double structural_weight = 0, double tolerance = 1e-10) {
  Eigen::VectorXd gradient, Gu, Gv;
  objective.value_gradient(theta, gradient);
  objective.gauss_newton_product(u, structural_weight, Gu);
  objective.gauss_newton_product(v, structural_weight, Gv);
  CurvatureCheckResult result;
  const double uGv = u.dot(Gv), vGu = v.dot(Gu);
  result.asymmetry = std::abs(uGv - vGu) / std::max({std::abs(uGv), std::abs(vGu), 1e-300});
  const double uGu = u.dot(Gu) / std::max(u.norm() * Gu.norm(), 1e-300);
  const double vGv = v.dot(Gv) / std::max(v.norm() * Gv.norm(), 1e-300);
  result.min_curvature = std::min(uGu, vGv);
  result.symmetric = result.asymmetry <= tolerance;
  result.positive_semidefinite = result.min_curvature >= -tolerance;
  return result;
}

}  // namespace gridrnn::optim

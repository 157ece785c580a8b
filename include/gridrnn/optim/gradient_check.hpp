#pragma once
// The gradient checker (one for every module's tests): an analytic gradient against central finite
// differences (double precision), entry by entry, h_i = step * max(1, |theta_i|):
//   two-point   numeric_i = (f(theta + h_i e_i) - f(theta - h_i e_i)) / (2 h_i)        error O(h^2)
//   four-point  numeric_i = (8 (f(+h_i) - f(-h_i)) - (f(+2 h_i) - f(-2 h_i))) / (12 h_i)  O(h^4)
//   error_i = |analytic_i - numeric_i| / max(|analytic_i|, |numeric_i|, absolute_scale,
//                                            floor_fraction * max_j |numeric_j|)
// and the entry passes when error_i <= relative_tolerance. The rounding error is O(eps |f| / h):
// h = 1e-6 balances it against the two-point stencil's truncation for smooth losses of order 1;
// the four-point stencil reaches 1e-9 with h ~ 1e-3, a step large enough to test functions with
// kinks (relu) at points whose pre-activations keep their sign within 2 h. floor_fraction > 0
// compares entries far below the gradient's scale in absolute terms at that scale. Also checks
// Gauss-Newton products of a CurvatureObjective for symmetry (u^T G v = v^T G u) and positive
// semi-definiteness (v^T G v >= 0).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "gridrnn/optim/objective.hpp"

namespace gridrnn::optim {

enum class Stencil { kTwoPoint, kFourPoint };

struct GradientCheckOptions {
  double step = 1e-6;                // relative finite-difference step
  Stencil stencil = Stencil::kTwoPoint;
  double relative_tolerance = 1e-6;  // largest accepted error_i
  double absolute_scale = 1e-8;      // floor of the denominator, so ~0 gradients compare absolutely
  double floor_fraction = 0;         // and floor_fraction * max_j |numeric_j| (0: none)
  // Check at most this many entries, evenly spaced over [0, P) (0 = all): large models check a
  // deterministic sample, since each entry costs two (four) loss evaluations.
  std::size_t max_entries = 0;
  void validate() const;
};

struct GradientCheckResult {
  bool passed = true;
  std::vector<std::size_t> indices;  // entries checked
  Eigen::VectorXd analytic;          // [P] the analytic gradient
  Eigen::VectorXd numeric;           // [indices.size()] finite differences at `indices`
  Eigen::VectorXd error;             // [indices.size()] error_i
  double tolerance = 0;              // the relative_tolerance used
  double max_error = 0;
  std::size_t worst_index = 0;       // parameter index with the largest error
  std::string report() const;        // a summary line + one line per failing entry (at most 20)
};

// The entries to check (evenly spaced, increasing, distinct).
std::vector<std::size_t> gradient_check_indices(std::size_t num_parameters, std::size_t max_entries);
// error_i as defined above, with floor = max(absolute_scale, floor_fraction * max_j |numeric_j|).
double gradient_entry_error(double analytic, double numeric, double floor);

// A function f with its analytic gradient at theta.
GradientCheckResult check_gradient(const std::function<double(const Eigen::VectorXd&)>& f,
                                   const Eigen::VectorXd& theta, const Eigen::VectorXd& analytic,
                                   const GradientCheckOptions& options = {});

// An Objective's own gradient; leaves the objective linearized at theta, as the caller had it.
template <Objective F>
GradientCheckResult check_gradient(F& objective, const Eigen::VectorXd& theta,
                                   const GradientCheckOptions& options = {}) {
  Eigen::VectorXd analytic;
  objective.value_gradient(theta, analytic);
  GradientCheckResult result = check_gradient(
      [&objective](const Eigen::VectorXd& t) { return objective.value(t); }, theta, analytic, options);
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

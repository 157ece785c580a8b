#include "gridrnn/optim/cg.hpp"

#include <algorithm>
#include <cmath>

#include "gridrnn/core/error.hpp"

namespace gridrnn::optim {

std::string to_string(CgStop stop) {
  switch (stop) {
    case CgStop::kConverged: return "converged";
    case CgStop::kRelativeProgress: return "relative_progress";
    case CgStop::kMaxIterations: return "max_iterations";
    case CgStop::kNonPositiveCurvature: return "nonpositive_curvature";
    case CgStop::kNonFinite: return "non_finite";
  }
  return "unknown";
}

void CgOptions::validate() const {
  if (max_iterations < 1) {
    throw_user_error("cg max_iterations = {}: must be >= 1", max_iterations);
  }
  if (!(residual_tolerance >= 0 && residual_tolerance < 1)) {
    throw_user_error("cg residual_tolerance = {}: must be in [0, 1)", residual_tolerance);
  }
  if (!(progress_tolerance >= 0 && progress_tolerance < 1)) {
    throw_user_error("cg progress_tolerance = {}: must be in [0, 1) (0 turns the rule off)",
                     progress_tolerance);
  }
  if (progress_min_window < 1) {
    throw_user_error("cg progress_min_window = {}: must be >= 1", progress_min_window);
  }
  if (!(progress_window_fraction >= 0 && progress_window_fraction <= 1)) {
    throw_user_error("cg progress_window_fraction = {}: must be in [0, 1]",
                     progress_window_fraction);
  }
  if (!(backtrack_base >= 1 && std::isfinite(backtrack_base))) {
    throw_user_error("cg backtrack_base = {}: must be a finite number >= 1", backtrack_base);
  }
  if (!(backtrack_growth > 1 && std::isfinite(backtrack_growth))) {
    throw_user_error("cg backtrack_growth = {}: must be a finite number > 1", backtrack_growth);
  }
}

std::vector<int> cg_kept_iterations(const CgOptions& options) {
  std::vector<int> kept;
  for (double at = options.backtrack_base;; at *= options.backtrack_growth) {
    const double iteration = std::ceil(at);
    if (iteration >= options.max_iterations) break;
    const int i = static_cast<int>(iteration);
    if (kept.empty() || i > kept.back()) kept.push_back(i);
  }
  return kept;
}

void CgWorkspace::resize(std::size_t n, const CgOptions& options) {
  const auto size = static_cast<Eigen::Index>(n);
  residual.resize(size);
  preconditioned.resize(size);
  direction.resize(size);
  product.resize(size);
  kept_at = cg_kept_iterations(options);
  kept_iterates.resize(size, static_cast<Eigen::Index>(kept_at.size() + 1));
}

CgResult conjugate_gradient(const LinearOperator& apply_A, const Eigen::VectorXd& b,
                            Eigen::VectorXd& x, const CgOptions& options, CgWorkspace& workspace,
                            const LinearOperator& preconditioner) {
  options.validate();
  GRIDRNN_ASSERT(static_cast<bool>(apply_A), "conjugate_gradient needs an operator");
  const Eigen::Index n = b.size();
  if (x.size() != n) x = Eigen::VectorXd::Zero(n);
  const std::vector<int> kept_at = cg_kept_iterations(options);
  if (workspace.residual.size() != n || workspace.kept_at != kept_at) {
    workspace.resize(static_cast<std::size_t>(n), options);
  }
  Eigen::VectorXd& r = workspace.residual;        // [n]
  Eigen::VectorXd& z = workspace.preconditioned;  // [n]
  Eigen::VectorXd& p = workspace.direction;       // [n]
  Eigen::VectorXd& Ap = workspace.product;        // [n]

  CgResult result;
  result.phi.reserve(static_cast<std::size_t>(options.max_iterations) + 1);
  result.kept_iterations.reserve(kept_at.size() + 1);
  std::size_t next_kept = 0;

  const double b_norm = b.norm();
  const auto relative = [&](double r_norm) { return b_norm > 0 ? r_norm / b_norm : r_norm; };
  const auto phi_of = [&]() { return -0.5 * x.dot(b + r); };  // phi(x) = -1/2 x^T (b + r)
  const auto finish = [&](CgStop stop) {
    result.stop = stop;
    result.relative_residual = relative(r.norm());
    workspace.kept_iterates.col(static_cast<Eigen::Index>(result.kept_iterations.size())) = x;
    result.kept_iterations.push_back(result.iterations);
    return result;
  };

  // r0 = b - A x0 (one product, not counted as an iteration; skipped for x0 = 0).
  if (x.isZero(0)) {
    r = b;
  } else {
    apply_A(x, Ap);
    r = b - Ap;
  }
  if (!r.allFinite()) {
    // The warm start itself is unusable: fall back to x0 = 0, which needs no product.
    x.setZero();
    r = b;
  }
  result.phi.push_back(phi_of());
  if (!r.allFinite()) return finish(CgStop::kNonFinite);
  if (r.squaredNorm() == 0 || relative(r.norm()) <= options.residual_tolerance) {
    return finish(CgStop::kConverged);
  }
  if (preconditioner) {
    preconditioner(r, z);
  } else {
    z = r;
  }
  p = z;
  double r_dot_z = r.dot(z);

  for (int i = 1; i <= options.max_iterations; ++i) {
    apply_A(p, Ap);
    const double curvature = p.dot(Ap);  // p^T A p
    if (!std::isfinite(curvature) || !Ap.allFinite()) return finish(CgStop::kNonFinite);
    if (curvature <= 0) return finish(CgStop::kNonPositiveCurvature);
    const double alpha = r_dot_z / curvature;
    x.noalias() += alpha * p;
    r.noalias() -= alpha * Ap;
    result.iterations = i;
    if (!x.allFinite() || !r.allFinite()) {
      x.noalias() -= alpha * p;  // back to the last finite iterate
      r.noalias() += alpha * Ap;
      result.iterations = i - 1;
      return finish(CgStop::kNonFinite);
    }
    const double phi = phi_of();
    result.phi.push_back(phi);
    if (next_kept < kept_at.size() && i == kept_at[next_kept]) {
      workspace.kept_iterates.col(static_cast<Eigen::Index>(next_kept)) = x;
      result.kept_iterations.push_back(i);
      ++next_kept;
    }

    const double r_norm = r.norm();
    if (r_norm == 0 || relative(r_norm) <= options.residual_tolerance) {
      return finish(CgStop::kConverged);
    }
    if (options.progress_tolerance > 0) {
      const int k = std::max(options.progress_min_window,
                             static_cast<int>(std::ceil(options.progress_window_fraction * i)));
      if (i > k && phi < 0) {
        const double progress = (phi - result.phi[static_cast<std::size_t>(i - k)]) / phi;
        if (progress < k * options.progress_tolerance) return finish(CgStop::kRelativeProgress);
      }
    }
    if (i == options.max_iterations) break;

    if (preconditioner) {
      preconditioner(r, z);
    } else {
      z = r;
    }
    const double r_dot_z_next = r.dot(z);
    const double beta = r_dot_z_next / r_dot_z;
    r_dot_z = r_dot_z_next;
    p = z + beta * p;
  }
  return finish(CgStop::kMaxIterations);
}

}  // namespace gridrnn::optim

#include "gridrnn/optim/hessian_free.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "gridrnn/core/error.hpp"

namespace gridrnn::optim {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Losses are compared with NaN/Inf counted as +Inf, so a non-finite trial point always loses.
double comparable(double loss) { return std::isfinite(loss) ? loss : kInf; }

void require(bool ok, const char* field, double value, const char* rule) {
  if (!ok) throw_user_error("hessian_free.{} = {}: must be {}", field, value, rule);
}

}  // namespace

void HessianFreeOptions::validate() const {
  require(std::isfinite(initial_lambda) && initial_lambda > 0, "initial_lambda", initial_lambda,
          "a finite number > 0");
  require(std::isfinite(min_lambda) && min_lambda > 0, "min_lambda", min_lambda,
          "a finite number > 0");
  require(std::isfinite(max_lambda) && max_lambda >= min_lambda, "max_lambda", max_lambda,
          "finite and >= min_lambda");
  require(initial_lambda >= min_lambda && initial_lambda <= max_lambda, "initial_lambda",
          initial_lambda, "within [min_lambda, max_lambda]");
  require(rho_low >= 0 && rho_low < 1, "rho_low", rho_low, "in [0, 1)");
  require(rho_high >= rho_low && rho_high <= 1, "rho_high", rho_high, "in [rho_low, 1]");
  require(std::isfinite(lambda_increase) && lambda_increase > 1, "lambda_increase",
          lambda_increase, "a finite number > 1");
  require(lambda_decrease > 0 && lambda_decrease < 1, "lambda_decrease", lambda_decrease,
          "in (0, 1)");
  require(std::isfinite(structural_damping_mu) && structural_damping_mu >= 0,
          "structural_damping_mu", structural_damping_mu, "a finite number >= 0 (0 = off)");
  require(max_cg_iterations >= 1, "max_cg_iterations", max_cg_iterations, ">= 1");
  require(cg_decay >= 0 && cg_decay <= 1, "cg_decay", cg_decay, "in [0, 1] (0 = no warm start)");
  require(cg_progress_tolerance >= 0 && cg_progress_tolerance < 1, "cg_progress_tolerance",
          cg_progress_tolerance, "in [0, 1) (0 = rule off)");
  require(cg_residual_tolerance >= 0 && cg_residual_tolerance < 1, "cg_residual_tolerance",
          cg_residual_tolerance, "in [0, 1)");
  require(std::isfinite(backtrack_base) && backtrack_base >= 1, "backtrack_base", backtrack_base,
          "a finite number >= 1");
  require(std::isfinite(backtrack_growth) && backtrack_growth > 1, "backtrack_growth",
          backtrack_growth, "a finite number > 1");
  require(line_search_c >= 0 && line_search_c < 1, "line_search_c", line_search_c, "in [0, 1)");
  require(line_search_shrink > 0 && line_search_shrink < 1, "line_search_shrink",
          line_search_shrink, "in (0, 1)");
  require(line_search_max_tries >= 1, "line_search_max_tries", line_search_max_tries, ">= 1");
  require(curvature_fraction > 0 && curvature_fraction <= 1, "curvature_fraction",
          curvature_fraction, "in (0, 1]");
}

CgOptions HessianFreeOptions::cg_options() const {
  CgOptions cg;
  cg.max_iterations = max_cg_iterations;
  cg.residual_tolerance = cg_residual_tolerance;
  cg.progress_tolerance = cg_progress_tolerance;
  cg.backtrack_base = backtrack_base;
  cg.backtrack_growth = backtrack_growth;
  return cg;
}

HessianFreeOptions HessianFreeOptions::from_config(const io::ConfigReader& section) {
  HessianFreeOptions o;
  constexpr double kBig = 1e300;
  o.initial_lambda = section.number("initial_lambda", o.initial_lambda, 0, kBig,
      "Levenberg–Marquardt damping lambda at the first update (then adapted by the rho rule)",
      true);
  o.min_lambda = section.number("min_lambda", o.min_lambda, 0, kBig,
      "lower bound of lambda", true);
  o.max_lambda = section.number("max_lambda", o.max_lambda, 0, kBig,
      "upper bound of lambda", true);
  o.rho_low = section.number("rho_low", o.rho_low, 0, 1,
      "rho = (f(theta+p)-f(theta))/(q(p)-q(0)) below this raises lambda");
  o.rho_high = section.number("rho_high", o.rho_high, 0, 1,
      "rho above this lowers lambda");
  o.lambda_increase = section.number("lambda_increase", o.lambda_increase, 1, kBig,
      "lambda *= this when rho < rho_low", true);
  o.lambda_decrease = section.number("lambda_decrease", o.lambda_decrease, 0, 1,
      "lambda *= this when rho > rho_high", true);
  o.structural_damping_mu = section.number("structural_damping_mu", o.structural_damping_mu, 0,
      kBig, "structural damping weight mu: curvature += lambda*mu*J_h^T D J_h (0 = off)");
  o.max_cg_iterations = static_cast<int>(section.integer("max_cg_iterations",
      o.max_cg_iterations, 1, 100000, "at most this many CG iterations per update"));
  o.cg_decay = section.number("cg_decay", o.cg_decay, 0, 1,
      "CG warm start = cg_decay * previous CG solution (0 = start from zero)");
  o.cg_progress_tolerance = section.number("cg_progress_tolerance", o.cg_progress_tolerance, 0,
      0.999999, "Martens' CG stop: (phi_i - phi_{i-k})/phi_i < k * this, k = max(10, ceil(0.1 i))");
  o.cg_residual_tolerance = section.number("cg_residual_tolerance", o.cg_residual_tolerance, 0,
      0.999999, "CG stop: ||r|| <= this * ||g||");
  o.backtrack_base = section.number("backtrack_base", o.backtrack_base, 1, 1e9,
      "CG iterates kept for backtracking at i = ceil(backtrack_base * backtrack_growth^j)");
  o.backtrack_growth = section.number("backtrack_growth", o.backtrack_growth, 1, 1e9,
      "growth factor of the kept CG iterations", true);
  o.line_search_c = section.number("line_search_c", o.line_search_c, 0, 0.999999,
      "Armijo constant: accept f(theta+rate p) <= f(theta) + c*rate*min(g^T p, 0)");
  o.line_search_shrink = section.number("line_search_shrink", o.line_search_shrink, 0,
      0.999999, "rate *= this after a failed line-search try", true);
  o.line_search_max_tries = static_cast<int>(section.integer("line_search_max_tries",
      o.line_search_max_tries, 1, 10000, "line-search tries before the step is rejected"));
  o.curvature_fraction = section.number("curvature_fraction", o.curvature_fraction, 0, 1,
      "fraction of the gradient minibatch used for Gauss–Newton products (0.2: measured at the paper's 500 trials; "
      "use 1 for minibatches of a few hundred trials or fewer)", true);
  o.validate();
  return o;
}

HessianFree::HessianFree(HessianFreeOptions options)
    : options_(options), cg_options_(options.cg_options()) {
  options_.validate();
  state_.lambda = options_.initial_lambda;
}

UpdateSummary HessianFree::step(const CurvatureCalls& calls, Eigen::VectorXd& theta) {
  const auto start = std::chrono::steady_clock::now();
  const auto finish = [&](UpdateSummary& summary) -> UpdateSummary& {
    summary.next_lambda = state_.lambda;
    summary.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ++state_.updates;
    return summary;
  };
  const auto raise_lambda = [&] {
    state_.lambda = std::min(options_.max_lambda, state_.lambda * options_.lambda_increase);
  };

  UpdateSummary summary;
  summary.update = state_.updates;
  summary.lambda = state_.lambda;
  const Eigen::Index n = theta.size();
  GRIDRNN_ASSERT(theta.allFinite(), "Hessian-free was handed a non-finite theta");

  // 1. Loss and gradient at theta (fixes the minibatch, its noise and the linearization point).
  const double f0 = calls.value_gradient(theta, gradient_);
  summary.function_evaluations = 1;
  summary.loss_before = f0;
  if (calls.loss_terms) summary.loss_terms = calls.loss_terms();
  GRIDRNN_ASSERT(gradient_.size() == n, "value_gradient returned a gradient of the wrong size");
  if (!std::isfinite(f0) || !gradient_.allFinite()) {
    summary.rejection = std::isfinite(f0) ? "non-finite gradient at theta"
                                          : "non-finite loss at theta";
    summary.loss_after = f0;
    summary.line_search_rate = 0;
    raise_lambda();
    state_.previous_solution.resize(0);
    return finish(summary);
  }
  summary.gradient_norm = gradient_.norm();

  // 2. CG on (G + lambda*mu*S + lambda I) p = -g from the decayed previous solution.
  const double lambda = state_.lambda;
  const double structural_weight = lambda * options_.structural_damping_mu;
  std::int64_t products = 0;
  const LinearOperator damped_curvature = [&](const Eigen::VectorXd& v, Eigen::VectorXd& out) {
    calls.gauss_newton_product(v, structural_weight, out);
    out.noalias() += lambda * v;
    ++products;
  };
  rhs_ = -gradient_;
  if (state_.previous_solution.size() == n && options_.cg_decay > 0) {
    solution_ = options_.cg_decay * state_.previous_solution;
  } else {
    solution_.setZero(n);
  }
  const CgResult cg =
      conjugate_gradient(damped_curvature, rhs_, solution_, cg_options_, workspace_);
  summary.cg_iterations = cg.iterations;
  summary.cg_stop = cg.stop;
  // Warm start for the next update: the final (not the backtracked) iterate, as in Martens' code.
  if (solution_.allFinite()) {
    state_.previous_solution = solution_;
  } else {
    state_.previous_solution.resize(0);
  }

  // 3. CG backtracking over the kept iterates, last to first, while the loss does not increase.
  const auto kept = [&](std::size_t j) {
    return workspace_.kept_iterates.col(static_cast<Eigen::Index>(j));
  };
  std::size_t chosen = cg.kept_iterations.size() - 1;
  trial_ = theta + kept(chosen);
  double f_chosen = calls.value(trial_);
  ++summary.function_evaluations;
  while (chosen > 0) {
    if (cg.kept_iterations[chosen - 1] == cg.kept_iterations[chosen]) {  // same iterate twice
      --chosen;
      continue;
    }
    trial_ = theta + kept(chosen - 1);
    const double f_earlier = calls.value(trial_);
    ++summary.function_evaluations;
    if (comparable(f_earlier) > comparable(f_chosen)) break;
    f_chosen = f_earlier;
    --chosen;
  }
  summary.backtracked_iteration = cg.kept_iterations[chosen];
  const auto p = kept(chosen);  // [P] the chosen step

  // 4. rho with the undamped quadratic model q(p) - q(0) = g^T p + 1/2 p^T G p.
  const double g_dot_p = gradient_.dot(p);
  solution_ = p;  // a contiguous copy for the product (solution_ is free now)
  calls.gauss_newton_product(solution_, 0.0, product_);
  ++products;
  const double model_change = g_dot_p + 0.5 * solution_.dot(product_);
  const bool zero_step = solution_.squaredNorm() == 0;
  if (zero_step) {
    summary.rho = std::numeric_limits<double>::quiet_NaN();
  } else if (!std::isfinite(f_chosen)) {
    summary.rho = -kInf;
  } else if (!(model_change < 0) || !std::isfinite(model_change)) {
    // The model predicts no decrease (only rounding or a broken product can do that): distrust it.
    summary.rho = -kInf;
  } else {
    summary.rho = (f_chosen - f0) / model_change;
  }
  if (!zero_step) {
    if (summary.rho < options_.rho_low) {
      raise_lambda();
    } else if (summary.rho > options_.rho_high) {
      state_.lambda = std::max(options_.min_lambda, state_.lambda * options_.lambda_decrease);
    }
  }
  summary.gauss_newton_products = products;

  // 5. Armijo line search along the chosen step; theta moves only to a finite, accepted point.
  summary.line_search_rate = 0;
  summary.loss_after = f0;
  if (zero_step) {
    summary.rejection = "CG returned a zero step";
    return finish(summary);
  }
  const double slope = std::min(g_dot_p, 0.0);
  double rate = 1.0;
  double f_trial = f_chosen;
  for (int attempt = 0; attempt < options_.line_search_max_tries; ++attempt) {
    if (attempt > 0) {
      rate *= options_.line_search_shrink;
      trial_ = theta + rate * solution_;
      f_trial = calls.value(trial_);
      ++summary.function_evaluations;
    }
    if (std::isfinite(f_trial) && f_trial <= f0 + options_.line_search_c * rate * slope) {
      trial_ = theta + rate * solution_;
      if (!trial_.allFinite()) break;
      summary.step_norm = rate * solution_.norm();
      theta = trial_;
      summary.accepted = true;
      summary.line_search_rate = rate;
      summary.loss_after = f_trial;
      return finish(summary);
    }
  }
  summary.rejection = std::isfinite(f_chosen) ? "line search found no decrease"
                                              : "non-finite loss at the trial points";
  if (!std::isfinite(f_chosen)) state_.previous_solution.resize(0);
  return finish(summary);
}

}  // namespace gridrnn::optim

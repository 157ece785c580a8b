#pragma once
// Hessian-free optimization (Martens 2010; Martens & Sutskever 2011; docs/paper.md "Hessian-free") over any
// CurvatureObjective. One update (`step`) at theta with damping lambda:
//   f0, g  = value_gradient(theta)                     (gradient minibatch, penalties included)
//   A v    = G v + lambda*mu * J_h^T D J_h v + lambda v (Gauss–Newton + structural + LM damping;
//            G v and the structural term come from gauss_newton_product(v, lambda*mu))
//   CG on A p = -g, warm start p0 = cg_decay * (previous final CG iterate), stopping rules of
//            cg.hpp (Martens' relative progress, max_cg_iterations, residual), keeping the iterates
//            at i = ceil(5 * 1.3^j) and the last one
//   CG backtracking: start at the last kept iterate; step back to the previous kept iterate while
//            its loss is <= the current one (non-finite losses count as +Inf)
//   rho    = (f(theta+p) - f0) / (q(p) - q(0)),  q(p) - q(0) = g^T p + 1/2 p^T G p (undamped model)
//            rho < rho_low (1/4): lambda *= lambda_increase (3/2)
//            rho > rho_high (3/4): lambda *= lambda_decrease (2/3);  clamped to [min, max]_lambda
//            a non-finite f(theta+p) counts as rho = -Inf (lambda raised)
//   line search: rate = 1, 0.8, 0.8^2, ... (at most line_search_max_tries values) until
//            f(theta + rate p) <= f0 + c * rate * min(g^T p, 0)  (c = 0.01); none passes: the step
//            is rejected (theta unchanged, rate 0)
// theta is only ever replaced by a point whose loss was evaluated and finite. If f0 or g is
// non-finite the update is rejected, lambda raised and the warm start dropped.
// The curvature minibatch fraction is applied by the objective (the training loop passes
// curvature_fraction to it); HessianFree validates and carries it only.
#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>

#include <Eigen/Core>

#include "gridrnn/io/config.hpp"
#include "gridrnn/optim/cg.hpp"
#include "gridrnn/optim/objective.hpp"
#include "gridrnn/optim/update_summary.hpp"

namespace gridrnn::optim {

struct HessianFreeOptions {
  // Levenberg–Marquardt damping lambda at the first update; adapted by the rho rule.
  double initial_lambda = 1.0;
  double min_lambda = 1e-6;  // lambda never goes below this (> 0)
  double max_lambda = 1e6;   // ... nor above this
  // rho rule: rho < rho_low -> lambda *= lambda_increase; rho > rho_high -> lambda *= lambda_decrease.
  double rho_low = 0.25;
  double rho_high = 0.75;
  double lambda_increase = 1.5;
  double lambda_decrease = 2.0 / 3.0;
  // Structural damping weight mu: the curvature gets lambda*mu * J_h^T D J_h (Martens & Sutskever
  // 2011 use 1/30; docs/paper.md "Hessian-free": 0.03–0.1). 0 = off.
  double structural_damping_mu = 0.03;
  // CG: at most max_cg_iterations products; warm start = cg_decay * previous solution;
  // Martens' relative-progress rule (phi_i - phi_{i-k}) / phi_i < k * cg_progress_tolerance,
  // k = max(10, ceil(0.1 i)); residual rule ||r|| <= cg_residual_tolerance * ||g||.
  int max_cg_iterations = 250;
  double cg_decay = 0.95;
  double cg_progress_tolerance = 5e-4;
  double cg_residual_tolerance = 1e-10;
  // Backtracking keeps the iterates at ceil(backtrack_base * backtrack_growth^j).
  double backtrack_base = 5.0;
  double backtrack_growth = 1.3;
  // Armijo line search: f(theta + rate p) <= f0 + c * rate * min(g^T p, 0), rate *= shrink.
  double line_search_c = 0.01;
  double line_search_shrink = 0.8;
  int line_search_max_tries = 60;
  // Fraction of the gradient minibatch used for Gauss–Newton products, in (0, 1]; applied by the
  // objective (the training loop), not by HessianFree. 0.2 from the measurement at the paper's
  // size (docs/performance.md "Hessian-free at the paper's size"): 100 of 500 trials gave the
  // same validation error after 200 updates at a fifth of the cost. Small minibatches need more
  // (configs/quick.toml: 1 at 200 trials, where 40 curvature trials learned slower per update).
  double curvature_fraction = 0.2;

  // Throws UserError naming the field, its value and the rule.
  void validate() const;
  // Reads the [hessian_free] section (pass config.section("hessian_free")); every key documented.
  static HessianFreeOptions from_config(const io::ConfigReader& section);
  // The CG options these settings imply.
  CgOptions cg_options() const;
};

// Per-run state (save it with a checkpoint to resume exactly).
struct HessianFreeState {
  std::int64_t updates = 0;          // updates done so far
  double lambda = 1.0;               // current damping
  Eigen::VectorXd previous_solution; // [P] final CG iterate of the last update (empty: none)
};

// The objective as seen by the algorithm (type-erased so that the algorithm lives in one .cpp).
struct CurvatureCalls {
  std::function<double(const Eigen::VectorXd&)> value;
  std::function<double(const Eigen::VectorXd&, Eigen::VectorXd&)> value_gradient;
  std::function<void(const Eigen::VectorXd&, double, Eigen::VectorXd&)> gauss_newton_product;
  std::function<std::vector<LossTerm>()> loss_terms;  // may be empty
};

class HessianFree {
 public:
  explicit HessianFree(HessianFreeOptions options = {});

  // One update of theta (in place); never leaves theta non-finite.
  template <CurvatureObjective F>
  UpdateSummary step(F& objective, Eigen::VectorXd& theta) {
    CurvatureCalls calls;
    calls.value = [&objective](const Eigen::VectorXd& x) { return double(objective.value(x)); };
    calls.value_gradient = [&objective](const Eigen::VectorXd& x, Eigen::VectorXd& g) {
      return double(objective.value_gradient(x, g));
    };
    calls.gauss_newton_product = [&objective](const Eigen::VectorXd& v, double weight,
                                              Eigen::VectorXd& out) {
      objective.gauss_newton_product(v, weight, out);
    };
    if constexpr (ReportsLossTerms<F>) {
      calls.loss_terms = [&objective]() { return std::vector<LossTerm>(objective.loss_terms()); };
    }
    return step(calls, theta);
  }
  UpdateSummary step(const CurvatureCalls& calls, Eigen::VectorXd& theta);

  const HessianFreeOptions& options() const { return options_; }
  HessianFreeState& state() { return state_; }
  const HessianFreeState& state() const { return state_; }

 private:
  HessianFreeOptions options_;
  CgOptions cg_options_;
  HessianFreeState state_;
  // Scratch, sized to P once.
  CgWorkspace workspace_;
  Eigen::VectorXd gradient_;  // [P] g
  Eigen::VectorXd rhs_;       // [P] -g
  Eigen::VectorXd solution_;  // [P] CG iterate / warm start
  Eigen::VectorXd product_;   // [P] G p
  Eigen::VectorXd trial_;     // [P] theta + rate p
};

}  // namespace gridrnn::optim

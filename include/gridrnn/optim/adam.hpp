#pragma once
// Adam (Kingma & Ba 2015) with optional gradient-norm clipping, over any Objective:
//   g   = grad f(theta);  if clip_norm > 0 and ||g|| > clip_norm:  g *= clip_norm / ||g||
//   m   = beta1 m + (1 - beta1) g;          v = beta2 v + (1 - beta2) g.^2      (t = t + 1)
//   theta -= learning_rate * (m / (1 - beta1^t)) ./ (sqrt(v / (1 - beta2^t)) + epsilon)
// A non-finite loss or gradient throws UserError naming the update and suggesting a smaller
// learning_rate; theta is then left unchanged, so a caller that catches it never checkpoints a
// non-finite theta.
#include <chrono>
#include <cmath>
#include <cstdint>

#include <Eigen/Core>

#include "gridrnn/io/config.hpp"
#include "gridrnn/optim/objective.hpp"
#include "gridrnn/optim/update_summary.hpp"

namespace gridrnn::optim {

struct AdamOptions {
  double learning_rate = 1e-3;  // step size alpha, > 0
  double beta1 = 0.9;           // decay of the first-moment average, in [0, 1)
  double beta2 = 0.999;         // decay of the second-moment average, in [0, 1)
  double epsilon = 1e-8;        // added to sqrt(v_hat), > 0
  double clip_norm = 0;         // clip ||g|| to this before the moments; 0 = no clipping

  // Throws UserError naming the field, its value and the rule.
  void validate() const;
  // Reads the [adam] section (pass config.section("adam")); every key documented.
  static AdamOptions from_config(const io::ConfigReader& section);
};

// Per-run state (save it with a checkpoint to resume bit-identically).
struct AdamState {
  std::int64_t updates = 0;    // t: updates done so far
  Eigen::VectorXd first_moment;   // [P] m
  Eigen::VectorXd second_moment;  // [P] v
};

// theta, state <- one Adam update with gradient g (length P); returns the step's norm
// ||theta_after - theta_before||. Checks nothing about finiteness.
double apply_adam_update(const AdamOptions& options, AdamState& state, const Eigen::VectorXd& gradient,
                         Eigen::VectorXd& theta);

class Adam {
 public:
  explicit Adam(AdamOptions options = {}) : options_(options) { options_.validate(); }

  template <Objective F>
  UpdateSummary step(F& objective, Eigen::VectorXd& theta);

  const AdamOptions& options() const { return options_; }
  AdamState& state() { return state_; }
  const AdamState& state() const { return state_; }

 private:
  AdamOptions options_;
  AdamState state_;
  Eigen::VectorXd gradient_;  // [P]
};

// Throws the UserError for a non-finite loss/gradient at update `update`.
[[noreturn]] void throw_adam_non_finite(std::int64_t update, double loss, double learning_rate);

template <Objective F>
UpdateSummary Adam::step(F& objective, Eigen::VectorXd& theta) {
  const auto start = std::chrono::steady_clock::now();
  UpdateSummary summary;
  summary.update = state_.updates;
  summary.loss_before = objective.value_gradient(theta, gradient_);
  summary.function_evaluations = 1;
  if constexpr (ReportsLossTerms<F>) summary.loss_terms = objective.loss_terms();
  summary.gradient_norm = gradient_.norm();  // finite unless an entry is not (or it overflows)
  if (!std::isfinite(summary.loss_before) || (!std::isfinite(summary.gradient_norm) && !gradient_.allFinite())) {
    throw_adam_non_finite(state_.updates, summary.loss_before, options_.learning_rate);
  }
  summary.clipped = options_.clip_norm > 0 && summary.gradient_norm > options_.clip_norm;
  summary.step_norm = apply_adam_update(options_, state_, gradient_, theta);
  summary.accepted = true;
  summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace gridrnn::optim

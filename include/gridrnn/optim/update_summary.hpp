#pragma once
// What one optimizer update did, for logs, metrics files and the per-update callback. Fields that
// an optimizer does not have (lambda for Adam, say) are NaN / -1. Formatting: a fixed-width table
// (summary_table_header + summary_table_row) and a one-line text.
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "gridrnn/optim/cg.hpp"
#include "gridrnn/optim/objective.hpp"

namespace gridrnn::optim {

struct UpdateSummary {
  static constexpr double kNone = std::numeric_limits<double>::quiet_NaN();

  std::int64_t update = 0;          // 0-based index of this update in the optimizer's state
  double loss_before = kNone;       // f(theta) on the minibatch, before the update
  double loss_after = kNone;        // f(theta_new) on the same minibatch (Adam: not evaluated, NaN)
  std::vector<LossTerm> loss_terms; // parts of loss_before, if the objective ReportsLossTerms
  double gradient_norm = kNone;     // ||g|| (before clipping, for Adam)
  double step_norm = 0;             // ||theta_new - theta||
  bool accepted = false;            // theta changed
  double seconds = 0;               // wall time of the update
  std::int64_t function_evaluations = 0;  // value + value_gradient calls
  // Adam only
  bool clipped = false;             // the gradient norm was clipped to clip_norm
  // Hessian-free only
  double lambda = kNone;            // the damping used for this update's CG solve
  double next_lambda = kNone;       // the damping after the rho rule (used by the next update)
  double rho = kNone;               // reduction ratio (f(theta+p) - f(theta)) / (q(p) - q(0))
  int cg_iterations = -1;
  CgStop cg_stop = CgStop::kMaxIterations;
  int backtracked_iteration = -1;   // CG iteration whose iterate was chosen by backtracking
  double line_search_rate = kNone;  // step fraction accepted by the line search (0: rejected)
  std::int64_t gauss_newton_products = 0;
  std::string rejection;            // why the step was rejected (empty if accepted)

  // "update 12: loss 0.0123 -> 0.0119 accepted, lambda 0.5, rho 0.81, cg 37 (relative_progress)..."
  std::string one_line() const;
};

// Fixed-width table for logs: a header line and one row per update.
std::string summary_table_header();
std::string summary_table_row(const UpdateSummary& summary);

// Called after each update; return false to stop a run (see run_updates).
using UpdateCallback = std::function<bool(const UpdateSummary&)>;

// Runs up to `updates` updates of any optimizer with a step(objective, theta) member, calling
// `callback` after each (return false to stop; it may also change the objective's minibatch).
// Returns the summaries.
template <class Optimizer, class F>
std::vector<UpdateSummary> run_updates(Optimizer& optimizer, F& objective, Eigen::VectorXd& theta,
                                       std::int64_t updates, const UpdateCallback& callback = {}) {
  std::vector<UpdateSummary> summaries;
  summaries.reserve(static_cast<std::size_t>(updates > 0 ? updates : 0));
  for (std::int64_t k = 0; k < updates; ++k) {
    summaries.push_back(optimizer.step(objective, theta));
    if (callback && !callback(summaries.back())) break;
  }
  return summaries;
}

}  // namespace gridrnn::optim

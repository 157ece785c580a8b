#pragma once
// Naive reference CTRNN in double: one trial at a time, explicit loops, no chunks, no GEMM.
// Kept next to the optimized objective (objective.cpp) so tests can check that they agree; it
// reads the same noise (generate_noise) so both see the same minibatch.
#include <vector>

#include <Eigen/Core>

#include "gridrnn/model/ctrnn.hpp"

namespace gridrnn::model::detail {

struct ReferenceResult {
  LossTerms terms;
  Eigen::VectorXd gradient;         // empty unless asked for
  std::vector<double> outputs;      // (T, B, 2)
  std::vector<double> activities;   // (T, B, N): u[1..T]
};

ReferenceResult reference_forward(const ModelOptions& model, const LossOptions& loss,
                                  const MinibatchView& batch, const Eigen::VectorXd& theta,
                                  bool with_gradient);

// G v over trials 0 .. curvature_trials-1 (0 = all), as documented in objective.hpp.
Eigen::VectorXd reference_gauss_newton(const ModelOptions& model, const LossOptions& loss,
                                       const MinibatchView& batch, const Eigen::VectorXd& theta,
                                       const Eigen::VectorXd& v, double structural_weight,
                                       std::size_t curvature_trials);

}  // namespace gridrnn::model::detail

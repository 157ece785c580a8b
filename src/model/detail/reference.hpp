#pragma once
// Naive reference CTRNN in double: one trial at a time, explicit loops, no chunks, no GEMM.
// Kept next to the optimized objective (objective.cpp) so tests can check that they agree; it
// reads the same noise (generate_noise) so both see the same minibatch. Equations: ctrnn.hpp
// and readout.hpp.
#include <vector>

#include <Eigen/Core>

#include "gridrnn/model/ctrnn.hpp"

namespace gridrnn::model::detail {

struct ReferenceResult {
  LossTerms terms;
  Eigen::VectorXd gradient;          // empty unless asked for
  std::vector<double> outputs;       // (T, B, 2): decoded positions (as predict() writes them)
  std::vector<double> activities;    // (T, B, N): u[1..T] (noisy with rate noise)
  std::vector<double> rates;         // (T, B, N): r[1..T] = f(x), noise-free
  std::vector<double> pre_activations;  // (T+1, B, N): x[0..T]
  std::vector<double> position;      // (T, B, 2): y of the position head (empty without one)
  std::vector<double> place;         // (T, B, N_p): z of the place head
  std::vector<double> head_direction;  // (T, B, N_h): z of the head-direction head
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

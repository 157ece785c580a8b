#pragma once
// Runs a trained network on paths too long to hold in memory (docs/paper.md "Experiment 5": paths
// 10^4 times the training length, 2e6 .. 5e6 steps), in chunks of steps, keeping only the state.
// CtrnnObjective::predict holds (T, B, N) activities; NetworkRunner holds (B, N).
//
// Same equations and the same code as the objective's forward pass (ctrnn.hpp,
// src/model/detail/forward_step.hpp), in float. Step t of trial m uses the noise
// generate_noise(noise_seed, noise_index, m, 1, t, ...) that predict() uses for a minibatch with
// update_index = noise_index, whatever the chunks the steps are advanced in. With B < 64 trials
// (predict then runs every trial in one chunk) the outputs and activities are bit-identical to
// predict()'s on the same inputs; with more trials they agree to rounding (predict splits the
// trials in chunks and the matrix product's summation order can differ between row counts).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include <Eigen/Core>

#include "gridrnn/model/ctrnn.hpp"

namespace gridrnn::model {

class NetworkRunner {
 public:
  // theta in ParameterLayout(options) (UserError if its size differs); `trials` = B >= 1.
  NetworkRunner(const ModelOptions& options, const Eigen::VectorXd& theta, std::size_t trials,
                std::uint64_t noise_seed, std::uint64_t noise_index);
  ~NetworkRunner();
  NetworkRunner(NetworkRunner&&) noexcept;
  NetworkRunner& operator=(NetworkRunner&&) noexcept;

  // (Re)starts every trial at step 0: x[0] = x0, or W_init p[0] with starts (B, 2) = p[0] when
  // initial_state is from_position (then starts is required; otherwise it may be empty).
  void start(std::span<const float> starts);
  // Advances `steps` steps from where the last call stopped (the step counter continues, so the
  // noise of step t is the one predict() would use at step t): inputs (steps, B, N_in); writes
  // outputs (steps, B, 2) = y and, if not empty, activities (steps, B, N) = u after each step.
  // UserError if a span has the wrong size; InternalError if start() was never called.
  void advance(std::span<const float> inputs, std::size_t steps, std::span<float> outputs,
               std::span<float> activities = {});
  std::size_t steps_done() const;
  std::size_t trials() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gridrnn::model

#pragma once
// The continuous-time RNN of Cueva & Wei (2018), PAPER.md section 2, and its loss (section 4).
//
//   x[t+1] = x[t] + alpha * ( -x[t] + W_rec u[t] + W_in I[t] + b + xi[t] ),  alpha = dt / tau
//   u[t]   = tanh(x[t])
//   y[t]   = W_out u[t+1]            (compared with target[t], the position after step t)
//   x[0]   = x0 (learned)  or  W_init p[0] (initial_state = "from_position")
//
// xi[t] ~ N(0, noise_sd^2) per unit and step, inside the bracket as in the Euler equation, so
// its effect on x per step is alpha * xi. Trial m of update k draws its noise from
// Rng(seed, Stream::kNoise, k, m) (see noise.hpp), so a minibatch is replayable exactly.
//
// Parameters live in one flat vector theta (double, the optimizer's master copy) with named
// views in this order, each block row-major (C order, as in the NPY files):
//   W_in (N, N_in) | W_rec (N, N) | b (N) | W_out (2, N) | x0 (N)  or  W_init (N, 2)
//
// Loss (PAPER.md section 4), M = trials, T = steps, N_out = 2:
//   E    = 1/(M T N_out) sum (y - target)^2
//   R_L2 = 1/(N N_in) sum W_in^2 + 1/(N N_out) sum W_out^2
//   R_FR = 1/(N T M) sum_{t=1..T} u[t]^2
//   loss = E + lambda_l2 R_L2 + lambda_fr R_FR
// This header depends on no arena/trajectory type: the model takes plain arrays.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include <Eigen/Core>

#include "gridrnn/io/config.hpp"

namespace gridrnn::model {

inline constexpr std::size_t kOutputs = 2;  // x and y position readouts

enum class RecurrentInit { kOrthogonal, kGaussian };
enum class InitialState { kLearned, kFromPosition };

struct ModelOptions {
  std::size_t units = 100;          // N
  std::size_t inputs = 3;           // N_in, set by the input encoding (2 or 3)
  double tau = 1.0;                 // time constant (arbitrary units)
  double dt = 0.1;                  // Euler step; alpha = dt / tau (paper: dt = tau / 10)
  double noise_sd = 0.1;            // SD of xi; paper gives none, author's later code used 0.1
  RecurrentInit w_rec_init = RecurrentInit::kOrthogonal;
  double w_rec_gain = 1.5;          // Gaussian init: W_rec ~ N(0, gain^2 / N)
  InitialState initial_state = InitialState::kLearned;

  double alpha() const { return dt / tau; }
  // Throws UserError naming the field, its value and the rule.
  void validate() const;
  // Reads the [model] section; `inputs` comes from the encoding, not from the file.
  static ModelOptions from_config(const io::ConfigReader& model_section, std::size_t input_width);
};

struct LossOptions {
  double lambda_l2 = 0.5;   // weight of R_L2 (author's code)
  double lambda_fr = 0.1;   // weight of R_FR, the metabolic cost (author's code)
  void validate() const;
  static LossOptions from_config(const io::ConfigReader& loss_section);
};

std::string to_string(RecurrentInit init);
std::string to_string(InitialState state);
RecurrentInit recurrent_init_from_string(const std::string& name);  // UserError if unknown
InitialState initial_state_from_string(const std::string& name);    // UserError if unknown

// Offsets of the named blocks in theta.
struct ParameterLayout {
  std::size_t units = 0, inputs = 0;
  InitialState initial_state = InitialState::kLearned;
  std::size_t W_in = 0, W_rec = 0, b = 0, W_out = 0, initial = 0, total = 0;

  explicit ParameterLayout(const ModelOptions& options);
  std::size_t initial_size() const { return initial_state == InitialState::kLearned ? units : units * kOutputs; }
  const char* initial_name() const { return initial_state == InitialState::kLearned ? "x0" : "W_init"; }
  // Name of the block holding flat index i and the index within it, e.g. "W_rec[3,4]".
  std::string describe(std::size_t index) const;
};

// The paper's initialization (PAPER.md section 2): W_rec orthogonal (Saxe et al. 2014: Q of the
// QR decomposition of a standard Gaussian matrix, column signs fixed by diag(R) > 0 so Q is
// Haar-distributed) or W_rec ~ N(0, w_rec_gain^2 / N); W_in ~ N(0, 1/N_in); b = 0; W_out = 0;
// x0 = 0; W_init ~ N(0, 1/2) (so W_init p has unit variance per unit for |p| ~ 1).
// Random numbers from Rng(seed, Stream::kInit).
Eigen::VectorXd initial_parameters(const ModelOptions& options, std::uint64_t seed);

// The four loss terms, each reported separately, and the RMS position error (arena units).
struct LossTerms {
  double error = 0.0;        // E
  double l2 = 0.0;           // R_L2 (unweighted)
  double firing_rate = 0.0;  // R_FR (unweighted)
  double total = 0.0;        // E + lambda_l2 R_L2 + lambda_fr R_FR
  double position_rms = 0.0; // sqrt(mean over t, m of |y - target|^2)
};

// One minibatch, as plain arrays (float32, C order). The data are copied by set_minibatch.
struct MinibatchView {
  std::size_t steps = 0;                // T
  std::size_t trials = 0;               // B (= M)
  std::span<const float> inputs;        // (T, B, N_in): I[t] drives the step x[t] -> x[t+1]
  std::span<const float> targets;       // (T, B, 2): position after step t; may be empty for predict
  std::span<const float> starts;        // (B, 2): p[0], used only with initial_state from_position
  std::uint64_t noise_seed = 0;         // xi of trial m: Rng(noise_seed, kNoise, update_index, m)
  std::uint64_t update_index = 0;
};

}  // namespace gridrnn::model

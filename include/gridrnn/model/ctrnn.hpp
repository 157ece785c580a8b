#pragma once
// The continuous-time RNN of Cueva & Wei (2018) and its generalizations for the place-cell school
// (docs/design.md "## The network" and "## Readouts"), and its loss.
//
//   x[t+1] = x[t] + alpha * ( -x[t] + W_rec u[t] + W_in I[t] + b + xi_b[t] ),  alpha = dt / tau
//   r[t]   = f(x[t])                     f = tanh (paper), relu, or retanh = max(0, tanh)
//   u[t]   = r[t] + xi_r[t-1]            (t >= 1; u[0] = r[0])
//   heads  read u[t+1] after step t      (readout.hpp: position y = W_out u, place, head direction)
//   x[0]   = x0 (learned), W_init p[0] (from_position), or W_enc q(p[0]) (from_place_code)
//   with from_place_code u[0] = x[0] (no nonlinearity: the reference sets its hidden state so)
//
// The noise enters at one place (noise_placement): "bracket" (xi_b ~ N(0, noise_sd^2), inside
// the Euler bracket, so its effect on x per step is alpha * xi_b; xi_r = 0) or "rate" (xi_r ~
// N(0, noise_sd^2) added to the rate, feeding the recurrence and the heads; xi_b = 0). Both use
// the same draws: trial m of update k draws step t's noise from Rng(seed, Stream::kNoise, k, m)
// (noise.hpp), so a minibatch is replayable exactly. The metabolic cost, the structural damping
// and the activity Hessian of G v use the noise-free rate r = f(x).
// b is present only with bias = true (the reference RNN has none). With dt = tau, relu, no bias,
// no noise and from_place_code the CTRNN is the reference's vanilla RNN h[t] = relu(W_rec h[t-1]
// + W_in v[t]), h[0] = W_enc q(p[0]).
//
// Parameters live in one flat vector theta (double, the optimizer's master copy) with named
// views in this order, each block row-major (C order, as in the NPY files); absent blocks have
// size 0:
//   W_in (N, N_in) | W_rec (N, N) | b (N) | W_out (2, N) | W_place (N_p, N) | W_hd (N_h, N) |
//   x0 (N)  or  W_init (N, 2)  or  W_enc (N, N_p)
//
// Loss, M = trials, T = steps:
//   E    = sum_h weight_h E_h                              (readout.hpp)
//   R_L2 = 1/(N N_in) sum W_in^2 + sum_h 1/(N K_h) sum W_h^2   (K_h = head width: 2, N_p, N_h)
//   R_FR = 1/(N T M) sum_{t=1..T} r[t]^2                   (metabolic cost, noise-free rate)
//   R_WD = sum W_rec^2                                     (weight decay; reference: 1e-4)
//   loss = E + lambda_l2 R_L2 + lambda_fr R_FR + weight_decay R_WD
// This header depends on no arena/trajectory type: the model takes plain arrays.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include <Eigen/Core>

#include "gridrnn/io/config.hpp"
#include "gridrnn/model/readout.hpp"

namespace gridrnn::model {

inline constexpr std::size_t kOutputs = 2;  // x and y: the position head, and decoded positions

enum class RecurrentInit { kOrthogonal, kGaussian, kUniform };
enum class InputInit { kGaussian, kUniform };
enum class InitialState { kLearned, kFromPosition, kFromPlaceCode };
enum class Nonlinearity { kTanh, kRelu, kRetanh };
enum class NoisePlacement { kBracket, kRate };

struct ModelOptions {
  std::size_t units = 100;          // N
  std::size_t inputs = 3;           // N_in, set by the input encoding (2 or 3)
  double tau = 1.0;                 // time constant (arbitrary units)
  double dt = 0.1;                  // Euler step; alpha = dt / tau (paper: dt = tau / 10)
  double noise_sd = 0.1;            // SD of xi; paper gives none, author's later code used 0.1
  NoisePlacement noise_placement = NoisePlacement::kBracket;
  Nonlinearity nonlinearity = Nonlinearity::kTanh;
  bool bias = true;                 // learned b (paper: yes; reference RNN: no)
  RecurrentInit w_rec_init = RecurrentInit::kOrthogonal;
  double w_rec_gain = 1.5;          // Gaussian init: W_rec ~ N(0, gain^2 / N)
  InputInit w_in_init = InputInit::kGaussian;
  InitialState initial_state = InitialState::kLearned;
  ReadoutOptions readout;

  double alpha() const { return dt / tau; }
  // Throws UserError naming the field, its value and the rule (readout included; an initial
  // state from_place_code without a place head is refused).
  void validate() const;
  // Reads the [model] section and the [readout] section (a sibling of [model]); `inputs` comes
  // from the encoding, not from the file. Place centres are left empty (the caller fills them).
  static ModelOptions from_config(const io::ConfigReader& model_section,
                                  const io::ConfigReader& readout_section, std::size_t input_width);
};

struct LossOptions {
  double lambda_l2 = 0.5;     // weight of R_L2 (author's code)
  double lambda_fr = 0.1;     // weight of R_FR, the metabolic cost (author's code)
  double weight_decay = 0.0;  // weight of R_WD = sum W_rec^2 (reference place-cell RNN: 1e-4)
  void validate() const;
  static LossOptions from_config(const io::ConfigReader& loss_section);
};

std::string to_string(RecurrentInit init);
std::string to_string(InputInit init);
InputInit input_init_from_string(const std::string& name);          // UserError if unknown
std::string to_string(InitialState state);
std::string to_string(Nonlinearity nonlinearity);
std::string to_string(NoisePlacement placement);
RecurrentInit recurrent_init_from_string(const std::string& name);  // UserError if unknown
InitialState initial_state_from_string(const std::string& name);    // UserError if unknown
Nonlinearity nonlinearity_from_string(const std::string& name);     // UserError if unknown
NoisePlacement noise_placement_from_string(const std::string& name);  // UserError if unknown

// Offsets of the named blocks in theta (absent blocks: size 0, offset where they would start).
struct ParameterLayout {
  std::size_t units = 0, inputs = 0, place_cells = 0, hd_cells = 0;
  InitialState initial_state = InitialState::kLearned;
  bool bias = true, position = true;
  std::size_t W_in = 0, W_rec = 0, b = 0, W_out = 0, W_place = 0, W_hd = 0, initial = 0, total = 0;

  explicit ParameterLayout(const ModelOptions& options);
  std::size_t bias_size() const { return bias ? units : 0; }
  std::size_t out_size() const { return position ? kOutputs * units : 0; }
  std::size_t initial_size() const;
  // Columns of the initial block: 1 (x0), 2 (W_init), N_p (W_enc).
  std::size_t initial_columns() const;
  const char* initial_name() const;  // "x0", "W_init", "W_enc"
  // Name of the block holding flat index i and the index within it, e.g. "W_rec[3,4]".
  std::string describe(std::size_t index) const;
};

// The paper's initialization: W_rec orthogonal (Saxe et al. 2014: Q of the QR decomposition of a
// standard Gaussian matrix, column signs fixed by diag(R) > 0 so Q is Haar-distributed) or W_rec ~
// N(0, w_rec_gain^2 / N); W_in ~ N(0, 1/N_in). w_rec_init / w_in_init = uniform: PyTorch's nn.RNN
// default (the reference place-cell RNN's), Uniform(-1/sqrt(N), 1/sqrt(N)) for W_rec / W_in; b = 0; W_out = 0; x0 = 0; W_init ~ N(0, 1/2) (so
// W_init p has unit variance per unit for |p| ~ 1). Place and head-direction heads and W_enc
// (which the paper does not have) follow the reference's PyTorch defaults: Uniform(-1/sqrt(fan_in),
// 1/sqrt(fan_in)) for W_place and W_hd (fan_in N), W_enc (fan_in N_p). Each block draws from its
// own Rng(seed, Stream::kInit, block, 0), so adding a head leaves the other blocks' draws.
Eigen::VectorXd initial_parameters(const ModelOptions& options, std::uint64_t seed);

// The loss terms, each reported separately, and the RMS position error (arena units).
struct LossTerms {
  double error = 0.0;          // E = sum_h weight_h E_h
  double position = 0.0;       // E_position (0 without that head)
  double place = 0.0;          // E_place
  double head_direction = 0.0; // E_head_direction
  double l2 = 0.0;             // R_L2 (unweighted)
  double firing_rate = 0.0;    // R_FR (unweighted)
  double weight_decay = 0.0;   // R_WD (unweighted)
  double total = 0.0;          // E + lambda_l2 R_L2 + lambda_fr R_FR + weight_decay R_WD
  double position_rms = 0.0;   // sqrt(mean over t, m of |decoded - target|^2); decoded = the
                               // position head's y, else the place head's decoded position
};

// One minibatch, as plain arrays (float32, C order). The data are copied by set_minibatch.
struct MinibatchView {
  std::size_t steps = 0;                // T
  std::size_t trials = 0;               // B (= M)
  std::span<const float> inputs;        // (T, B, N_in): I[t] drives the step x[t] -> x[t+1]
  std::span<const float> targets;       // (T, B, 2): position after step t; may be empty for predict
  std::span<const float> starts;        // (B, 2): p[0], used by from_position and from_place_code
  std::uint64_t noise_seed = 0;         // xi of trial m: Rng(noise_seed, kNoise, update_index, m)
  std::uint64_t update_index = 0;
  std::span<const float> headings;      // (T, B): heading h[t] of step t, for a head-direction head
};

}  // namespace gridrnn::model

#include "model/detail/avx512_warnings.hpp"  // first: before any Eigen header
#include "gridrnn/model/ctrnn.hpp"

#include <cmath>

#include <Eigen/QR>

#include "gridrnn/core/error.hpp"
#include "gridrnn/core/rng.hpp"

namespace gridrnn::model {

std::string to_string(RecurrentInit init) {
  return init == RecurrentInit::kOrthogonal ? "orthogonal" : "gaussian";
}
std::string to_string(InitialState state) {
  return state == InitialState::kLearned ? "learned" : "from_position";
}
RecurrentInit recurrent_init_from_string(const std::string& name) {
  if (name == "orthogonal") return RecurrentInit::kOrthogonal;
  if (name == "gaussian") return RecurrentInit::kGaussian;
  throw_user_error("w_rec_init = \"{}\": must be \"orthogonal\" or \"gaussian\"", name);
}
InitialState initial_state_from_string(const std::string& name) {
  if (name == "learned") return InitialState::kLearned;
  if (name == "from_position") return InitialState::kFromPosition;
  throw_user_error("initial_state = \"{}\": must be \"learned\" or \"from_position\"", name);
}

void ModelOptions::validate() const {
  if (units < 1 || units > 100000) throw_user_error("model.units = {}: must be in [1, 100000]", units);
  if (inputs < 1 || inputs > 64) throw_user_error("model inputs (N_in) = {}: must be in [1, 64]", inputs);
  if (!(tau > 0.0) || !std::isfinite(tau)) throw_user_error("model.tau = {}: must be > 0", tau);
  if (!(dt > 0.0) || !(dt <= tau)) {
    throw_user_error("model.dt = {}: must be in (0, tau = {}] (alpha = dt/tau <= 1 keeps the Euler step stable)", dt, tau);
  }
  if (!(noise_sd >= 0.0) || !std::isfinite(noise_sd)) throw_user_error("model.noise_sd = {}: must be >= 0", noise_sd);
  if (!(w_rec_gain > 0.0) || !std::isfinite(w_rec_gain)) throw_user_error("model.w_rec_gain = {}: must be > 0", w_rec_gain);
}

ModelOptions ModelOptions::from_config(const io::ConfigReader& s, std::size_t input_width) {
  ModelOptions o;
  o.units = static_cast<std::size_t>(s.integer("units", 100, 1, 100000, "number of recurrent units N"));
  o.tau = s.number("tau", 1.0, 0.0, 1e9, "time constant tau of the units", true);
  o.dt = s.number("dt", 0.1, 0.0, 1e9, "Euler step dt; alpha = dt/tau must be <= 1 (paper: dt = tau/10)", true);
  o.noise_sd = s.number("noise_sd", 0.1, 0.0, 1e6,
                        "SD of the unit noise xi inside the Euler bracket (effect per step alpha*xi); "
                        "the paper gives none, the author's later code used 0.1");
  o.w_rec_init = recurrent_init_from_string(s.choice(
      "w_rec_init", "orthogonal", {"orthogonal", "gaussian"},
      "initial W_rec: orthogonal (paper: square, triangle) or gaussian N(0, gain^2/N) (paper: hexagon)"));
  o.w_rec_gain = s.number("w_rec_gain", 1.5, 0.0, 100.0, "gain of the gaussian W_rec initialization", true);
  o.initial_state = initial_state_from_string(s.choice(
      "initial_state", "learned", {"learned", "from_position"},
      "x[0]: a learned vector x0, or W_init * start position (for random starts)"));
  o.inputs = input_width;
  o.validate();
  return o;
}

void LossOptions::validate() const {
  if (!(lambda_l2 >= 0.0) || !std::isfinite(lambda_l2)) throw_user_error("loss.lambda_l2 = {}: must be >= 0", lambda_l2);
  if (!(lambda_fr >= 0.0) || !std::isfinite(lambda_fr)) throw_user_error("loss.lambda_fr = {}: must be >= 0", lambda_fr);
}

LossOptions LossOptions::from_config(const io::ConfigReader& s) {
  LossOptions o;
  o.lambda_l2 = s.number("lambda_l2", 0.5, 0.0, 1e6, "weight of R_L2 = sum W_in^2/(N N_in) + sum W_out^2/(2N) (author's code: 0.5)");
  o.lambda_fr = s.number("lambda_fr", 0.1, 0.0, 1e6, "weight of the metabolic cost R_FR = sum u^2/(N T M) (author's code: 0.1)");
  o.validate();
  return o;
}

ParameterLayout::ParameterLayout(const ModelOptions& o)
    : units(o.units), inputs(o.inputs), initial_state(o.initial_state) {
  W_in = 0;
  W_rec = W_in + units * inputs;
  b = W_rec + units * units;
  W_out = b + units;
  initial = W_out + kOutputs * units;
  total = initial + initial_size();
}

std::string ParameterLayout::describe(std::size_t i) const {
  if (i < W_rec) return fmt::format("W_in[{},{}]", i / inputs, i % inputs);
  if (i < b) return fmt::format("W_rec[{},{}]", (i - W_rec) / units, (i - W_rec) % units);
  if (i < W_out) return fmt::format("b[{}]", i - b);
  if (i < initial) return fmt::format("W_out[{},{}]", (i - W_out) / units, (i - W_out) % units);
  if (initial_state == InitialState::kLearned) return fmt::format("x0[{}]", i - initial);
  return fmt::format("W_init[{},{}]", (i - initial) / kOutputs, (i - initial) % kOutputs);
}

Eigen::VectorXd initial_parameters(const ModelOptions& options, std::uint64_t seed) {
  options.validate();
  const ParameterLayout layout(options);
  const auto N = static_cast<Eigen::Index>(options.units);
  Eigen::VectorXd theta = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(layout.total));
  // Each block draws from its own generator so changing one block's rule leaves the others.
  Rng rng_in(seed, Stream::kInit, 0, 0);
  const double in_sd = 1.0 / std::sqrt(static_cast<double>(options.inputs));
  for (std::size_t i = 0; i < options.units * options.inputs; ++i) theta[static_cast<Eigen::Index>(layout.W_in + i)] = rng_in.normal(0.0, in_sd);

  Rng rng_rec(seed, Stream::kInit, 1, 0);
  using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  Eigen::Map<RowMatrix> W_rec(theta.data() + layout.W_rec, N, N);
  if (options.w_rec_init == RecurrentInit::kGaussian) {
    const double sd = options.w_rec_gain / std::sqrt(static_cast<double>(N));
    for (Eigen::Index i = 0; i < N; ++i)
      for (Eigen::Index j = 0; j < N; ++j) W_rec(i, j) = rng_rec.normal(0.0, sd);
  } else {
    Eigen::MatrixXd gaussian(N, N);
    for (Eigen::Index i = 0; i < N; ++i)
      for (Eigen::Index j = 0; j < N; ++j) gaussian(i, j) = rng_rec.normal();
    Eigen::HouseholderQR<Eigen::MatrixXd> qr(gaussian);
    Eigen::MatrixXd Q = qr.householderQ();
    const Eigen::MatrixXd R = qr.matrixQR().triangularView<Eigen::Upper>();
    // Sign fix (Mezzadri 2007): multiply column j by sign(R_jj) so Q is Haar-distributed.
    for (Eigen::Index j = 0; j < N; ++j)
      if (R(j, j) < 0.0) Q.col(j) *= -1.0;
    W_rec = Q;
  }
  if (options.initial_state == InitialState::kFromPosition) {
    Rng rng_init(seed, Stream::kInit, 2, 0);
    const double sd = std::sqrt(0.5);
    for (std::size_t i = 0; i < layout.initial_size(); ++i) theta[static_cast<Eigen::Index>(layout.initial + i)] = rng_init.normal(0.0, sd);
  }
  return theta;
}

}  // namespace gridrnn::model

#include "model/detail/avx512_warnings.hpp"  // first: before any Eigen header
#include "gridrnn/model/ctrnn.hpp"

#include <cmath>

#include <Eigen/QR>

#include "gridrnn/core/error.hpp"
#include "gridrnn/core/rng.hpp"

namespace gridrnn::model {

std::string to_string(RecurrentInit init) {
  switch (init) {
    case RecurrentInit::kOrthogonal: return "orthogonal";
    case RecurrentInit::kGaussian: return "gaussian";
    case RecurrentInit::kUniform: return "uniform";
  }
  return "?";
}
std::string to_string(InputInit init) { return init == InputInit::kGaussian ? "gaussian" : "uniform"; }
InputInit input_init_from_string(const std::string& name) {
  if (name == "gaussian") return InputInit::kGaussian;
  if (name == "uniform") return InputInit::kUniform;
  throw_user_error("w_in_init = \"{}\": must be \"gaussian\" or \"uniform\"", name);
}
std::string to_string(InitialState state) {
  switch (state) {
    case InitialState::kLearned: return "learned";
    case InitialState::kFromPosition: return "from_position";
    case InitialState::kFromPlaceCode: return "from_place_code";
  }
  return "?";
}
std::string to_string(Nonlinearity nonlinearity) {
  switch (nonlinearity) {
    case Nonlinearity::kTanh: return "tanh";
    case Nonlinearity::kRelu: return "relu";
    case Nonlinearity::kRetanh: return "retanh";
  }
  return "?";
}
std::string to_string(NoisePlacement placement) {
  return placement == NoisePlacement::kBracket ? "bracket" : "rate";
}
RecurrentInit recurrent_init_from_string(const std::string& name) {
  if (name == "orthogonal") return RecurrentInit::kOrthogonal;
  if (name == "gaussian") return RecurrentInit::kGaussian;
  if (name == "uniform") return RecurrentInit::kUniform;
  throw_user_error("w_rec_init = \"{}\": must be \"orthogonal\", \"gaussian\" or \"uniform\"", name);
}
InitialState initial_state_from_string(const std::string& name) {
  if (name == "learned") return InitialState::kLearned;
  if (name == "from_position") return InitialState::kFromPosition;
  if (name == "from_place_code") return InitialState::kFromPlaceCode;
  throw_user_error("initial_state = \"{}\": must be \"learned\", \"from_position\" or \"from_place_code\"", name);
}
Nonlinearity nonlinearity_from_string(const std::string& name) {
  if (name == "tanh") return Nonlinearity::kTanh;
  if (name == "relu") return Nonlinearity::kRelu;
  if (name == "retanh") return Nonlinearity::kRetanh;
  throw_user_error("nonlinearity = \"{}\": must be \"tanh\", \"relu\" or \"retanh\"", name);
}
NoisePlacement noise_placement_from_string(const std::string& name) {
  if (name == "bracket") return NoisePlacement::kBracket;
  if (name == "rate") return NoisePlacement::kRate;
  throw_user_error("noise_placement = \"{}\": must be \"bracket\" or \"rate\"", name);
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
  readout.validate();
  if (initial_state == InitialState::kFromPlaceCode && !readout.place)
    throw_user_error("model.initial_state = \"from_place_code\" needs a place head: readout.heads = \"{}\" has none "
                     "(add \"place\", e.g. readout.heads = \"place\", or use initial_state = \"learned\" or \"from_position\")",
                     readout.heads_name());
}

ModelOptions ModelOptions::from_config(const io::ConfigReader& s, const io::ConfigReader& readout_section,
                                       std::size_t input_width) {
  ModelOptions o;
  o.units = static_cast<std::size_t>(s.integer("units", 100, 1, 100000, "number of recurrent units N"));
  o.tau = s.number("tau", 1.0, 0.0, 1e9, "time constant tau of the units", true);
  o.dt = s.number("dt", 0.1, 0.0, 1e9, "Euler step dt; alpha = dt/tau must be <= 1 (paper: dt = tau/10; dt = tau: a vanilla RNN)", true);
  o.noise_sd = s.number("noise_sd", 0.1, 0.0, 1e6,
                        "SD of the unit noise xi (see noise_placement); the paper gives none, the author's later code used 0.1");
  o.noise_placement = noise_placement_from_string(s.choice(
      "noise_placement", "bracket", {"bracket", "rate"},
      "where the noise enters: bracket (inside the Euler bracket, effect per step alpha*xi) or rate "
      "(added to the rate f(x), feeding recurrence and readout; the author's code most likely)"));
  o.nonlinearity = nonlinearity_from_string(s.choice(
      "nonlinearity", "tanh", {"tanh", "relu", "retanh"},
      "unit nonlinearity f: tanh (paper), relu (Sorscher et al.), retanh = max(0, tanh) (Cueva's later work)"));
  o.bias = s.boolean("bias", true, "learned bias b (paper: yes; the reference place-cell RNN: no)");
  o.w_rec_init = recurrent_init_from_string(s.choice(
      "w_rec_init", "orthogonal", {"orthogonal", "gaussian", "uniform"},
      "initial W_rec: orthogonal (paper: square, triangle), gaussian N(0, gain^2/N) (paper: hexagon) or "
      "uniform U(-1/sqrt(N), 1/sqrt(N)) (PyTorch's nn.RNN default: the reference place-cell RNN)"));
  o.w_rec_gain = s.number("w_rec_gain", 1.5, 0.0, 100.0, "gain of the gaussian W_rec initialization", true);
  o.w_in_init = input_init_from_string(s.choice(
      "w_in_init", "gaussian", {"gaussian", "uniform"},
      "initial W_in: gaussian N(0, 1/N_in) (paper) or uniform U(-1/sqrt(N), 1/sqrt(N)) (PyTorch's nn.RNN default)"));
  o.initial_state = initial_state_from_string(s.choice(
      "initial_state", "learned", {"learned", "from_position", "from_place_code"},
      "x[0]: a learned vector x0, W_init * start position (random starts), or W_enc * place code of the "
      "start (u[0] = x[0]; needs a place head; the reference's)"));
  o.inputs = input_width;
  o.readout = ReadoutOptions::from_config(readout_section);
  o.validate();
  return o;
}

void LossOptions::validate() const {
  if (!(lambda_l2 >= 0.0) || !std::isfinite(lambda_l2)) throw_user_error("loss.lambda_l2 = {}: must be >= 0", lambda_l2);
  if (!(lambda_fr >= 0.0) || !std::isfinite(lambda_fr)) throw_user_error("loss.lambda_fr = {}: must be >= 0", lambda_fr);
  if (!(weight_decay >= 0.0) || !std::isfinite(weight_decay)) throw_user_error("loss.weight_decay = {}: must be >= 0", weight_decay);
}

LossOptions LossOptions::from_config(const io::ConfigReader& s) {
  LossOptions o;
  o.lambda_l2 = s.number("lambda_l2", 0.5, 0.0, 1e6, "weight of R_L2 = sum W_in^2/(N N_in) + sum_h sum W_h^2/(N K_h) (author's code: 0.5)");
  o.lambda_fr = s.number("lambda_fr", 0.1, 0.0, 1e6, "weight of the metabolic cost R_FR = sum r^2/(N T M) (author's code: 0.1)");
  o.weight_decay = s.number("weight_decay", 0.0, 0.0, 1e6, "weight of R_WD = sum W_rec^2 (reference place-cell RNN: 1e-4)");
  o.validate();
  return o;
}

ParameterLayout::ParameterLayout(const ModelOptions& o)
    : units(o.units), inputs(o.inputs), place_cells(o.readout.place ? o.readout.place_head.cells : 0),
      hd_cells(o.readout.head_direction ? o.readout.head_direction_head.cells : 0),
      initial_state(o.initial_state), bias(o.bias), position(o.readout.position) {
  W_in = 0;
  W_rec = W_in + units * inputs;
  b = W_rec + units * units;
  W_out = b + bias_size();
  W_place = W_out + out_size();
  W_hd = W_place + place_cells * units;
  initial = W_hd + hd_cells * units;
  total = initial + initial_size();
}

std::size_t ParameterLayout::initial_columns() const {
  switch (initial_state) {
    case InitialState::kLearned: return 1;
    case InitialState::kFromPosition: return kOutputs;
    case InitialState::kFromPlaceCode: return place_cells;
  }
  return 1;
}
std::size_t ParameterLayout::initial_size() const { return units * initial_columns(); }
const char* ParameterLayout::initial_name() const {
  switch (initial_state) {
    case InitialState::kLearned: return "x0";
    case InitialState::kFromPosition: return "W_init";
    case InitialState::kFromPlaceCode: return "W_enc";
  }
  return "?";
}

std::string ParameterLayout::describe(std::size_t i) const {
  if (i < W_rec) return fmt::format("W_in[{},{}]", i / inputs, i % inputs);
  if (i < b) return fmt::format("W_rec[{},{}]", (i - W_rec) / units, (i - W_rec) % units);
  if (i < W_out) return fmt::format("b[{}]", i - b);
  if (i < W_place) return fmt::format("W_out[{},{}]", (i - W_out) / units, (i - W_out) % units);
  if (i < W_hd) return fmt::format("W_place[{},{}]", (i - W_place) / units, (i - W_place) % units);
  if (i < initial) return fmt::format("W_hd[{},{}]", (i - W_hd) / units, (i - W_hd) % units);
  if (initial_state == InitialState::kLearned) return fmt::format("x0[{}]", i - initial);
  const std::size_t cols = initial_columns();
  return fmt::format("{}[{},{}]", initial_name(), (i - initial) / cols, (i - initial) % cols);
}

Eigen::VectorXd initial_parameters(const ModelOptions& options, std::uint64_t seed) {
  options.validate();
  const ParameterLayout layout(options);
  const auto N = static_cast<Eigen::Index>(options.units);
  Eigen::VectorXd theta = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(layout.total));
  // Each block draws from its own generator so changing one block's rule leaves the others.
  Rng rng_in(seed, Stream::kInit, 0, 0);
  const double in_sd = 1.0 / std::sqrt(static_cast<double>(options.inputs));
  const double in_bound = 1.0 / std::sqrt(static_cast<double>(options.units));
  for (std::size_t i = 0; i < options.units * options.inputs; ++i)
    theta[static_cast<Eigen::Index>(layout.W_in + i)] =
        options.w_in_init == InputInit::kGaussian ? rng_in.normal(0.0, in_sd) : rng_in.uniform(-in_bound, in_bound);

  Rng rng_rec(seed, Stream::kInit, 1, 0);
  using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  Eigen::Map<RowMatrix> W_rec(theta.data() + layout.W_rec, N, N);
  if (options.w_rec_init == RecurrentInit::kUniform) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(N));
    for (Eigen::Index i = 0; i < N; ++i)
      for (Eigen::Index j = 0; j < N; ++j) W_rec(i, j) = rng_rec.uniform(-bound, bound);
  } else if (options.w_rec_init == RecurrentInit::kGaussian) {
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
  // PyTorch's nn.Linear default (the reference's): Uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)).
  const auto uniform_block = [&](std::uint64_t block, std::size_t offset, std::size_t size, std::size_t fan_in) {
    Rng rng(seed, Stream::kInit, block, 0);
    const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
    for (std::size_t i = 0; i < size; ++i) theta[static_cast<Eigen::Index>(offset + i)] = rng.uniform(-bound, bound);
  };
  uniform_block(3, layout.W_place, layout.place_cells * options.units, options.units);
  uniform_block(4, layout.W_hd, layout.hd_cells * options.units, options.units);
  if (options.initial_state == InitialState::kFromPlaceCode)
    uniform_block(5, layout.initial, layout.initial_size(), layout.place_cells);
  return theta;
}

}  // namespace gridrnn::model

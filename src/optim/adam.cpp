#include "gridrnn/optim/adam.hpp"

#include "gridrnn/core/error.hpp"
#include "gridrnn/core/threads.hpp"

#include <algorithm>
#include <vector>

namespace gridrnn::optim {

void AdamOptions::validate() const {
  if (!(std::isfinite(learning_rate) && learning_rate > 0)) {
    throw_user_error("adam.learning_rate = {}: must be a finite number > 0", learning_rate);
  }
  if (!(beta1 >= 0 && beta1 < 1)) throw_user_error("adam.beta1 = {}: must be in [0, 1)", beta1);
  if (!(beta2 >= 0 && beta2 < 1)) throw_user_error("adam.beta2 = {}: must be in [0, 1)", beta2);
  if (!(std::isfinite(epsilon) && epsilon > 0)) {
    throw_user_error("adam.epsilon = {}: must be a finite number > 0", epsilon);
  }
  if (!(std::isfinite(clip_norm) && clip_norm >= 0)) {
    throw_user_error("adam.clip_norm = {}: must be a finite number >= 0 (0 = no clipping)",
                     clip_norm);
  }
}

AdamOptions AdamOptions::from_config(const io::ConfigReader& section) {
  AdamOptions o;
  o.learning_rate = section.number("learning_rate", o.learning_rate, 0, 1e6,
                                   "step size alpha of Adam", true);
  o.beta1 = section.number("beta1", o.beta1, 0, 0.999999999,
                           "decay rate of the first-moment (mean) estimate");
  o.beta2 = section.number("beta2", o.beta2, 0, 0.999999999,
                           "decay rate of the second-moment (uncentred variance) estimate");
  o.epsilon = section.number("epsilon", o.epsilon, 0, 1e6,
                             "added to sqrt(v_hat) in the denominator", true);
  o.clip_norm = section.number("clip_norm", o.clip_norm, 0, 1e300,
                               "clip the gradient norm to this before the update (0 = off)");
  o.validate();
  return o;
}

double apply_adam_update(const AdamOptions& options, AdamState& state,
                         const Eigen::VectorXd& gradient, Eigen::VectorXd& theta) {
  const Eigen::Index n = theta.size();
  GRIDRNN_ASSERT(gradient.size() == n, "Adam gradient and theta differ in size");
  if (state.first_moment.size() != n) state.first_moment.setZero(n);
  if (state.second_moment.size() != n) state.second_moment.setZero(n);
  double scale = 1.0;  // gradient clipping: g *= clip_norm / ||g|| when ||g|| > clip_norm
  if (options.clip_norm > 0) {
    const double norm = gradient.norm();
    if (norm > options.clip_norm) scale = options.clip_norm / norm;
  }
  state.updates += 1;
  const double t = static_cast<double>(state.updates);
  const double bias1 = 1.0 - std::pow(options.beta1, t);  // 1 - beta1^t
  const double bias2 = 1.0 - std::pow(options.beta2, t);  // 1 - beta2^t
  // Element-wise, so it is split into fixed chunks over the threads (the place-cell model has
  // ~800k parameters: a serial pass was 7.5% of its step); each chunk also sums the squares of
  // its change, added in chunk order, so the step norm is the same for any thread count.
  constexpr Eigen::Index kChunk = 16384;
  const auto chunks = static_cast<std::size_t>((n + kChunk - 1) / kChunk);
  std::vector<double> step_squares(chunks, 0.0);
  double* m = state.first_moment.data();
  double* v = state.second_moment.data();
  double* x = theta.data();
  const double* grad = gradient.data();
  // Per chunk: the update as Eigen array expressions (vectorized: a scalar loop with a running
  // sum of doubles and std::sqrt stays scalar), then the squared change summed in a fixed order
  // per chunk (chunk starts are aligned).
  const double step_size = options.learning_rate / bias1, inv_sqrt_bias2 = 1.0 / std::sqrt(bias2);
  thread_local Eigen::ArrayXd before;
  parallel_for(chunks, [&](std::size_t c) {
    const Eigen::Index begin = static_cast<Eigen::Index>(c) * kChunk;
    const Eigen::Index len = std::min(n, begin + kChunk) - begin;
    Eigen::Map<Eigen::ArrayXd> xs(x + begin, len), ms(m + begin, len), vs(v + begin, len);
    const Eigen::Map<const Eigen::ArrayXd> gs(grad + begin, len);
    before = xs;
    ms = options.beta1 * ms + (1.0 - options.beta1) * (scale * gs);
    vs = options.beta2 * vs + (1.0 - options.beta2) * (scale * gs) * (scale * gs);
    // lr m_hat / (sqrt(v_hat) + eps) with one division per entry (as PyTorch's Adam writes it:
    // sqrt(v) / sqrt(1 - beta2^t) + eps, step lr / (1 - beta1^t)).
    xs -= step_size * ms / (vs.sqrt() * inv_sqrt_bias2 + options.epsilon);
    const double squares = (xs - before).square().sum();
    step_squares[c] = squares;
  });
  double total = 0.0;
  for (double s : step_squares) total += s;
  return std::sqrt(total);
}

void throw_adam_non_finite(std::int64_t update, double loss, double learning_rate) {
  throw_user_error(
      "Adam update {}: the {} is not finite (loss = {}); the parameters were left as they were "
      "before this update. Training diverged: try a smaller adam.learning_rate (now {}, e.g. {}) "
      "or set adam.clip_norm",
      update, std::isfinite(loss) ? "gradient" : "loss", loss, learning_rate, learning_rate / 10);
}

}  // namespace gridrnn::optim

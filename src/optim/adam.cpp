#include "gridrnn/optim/adam.hpp"

#include "gridrnn/core/error.hpp"

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

void apply_adam_update(const AdamOptions& options, AdamState& state,
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
  for (Eigen::Index i = 0; i < n; ++i) {
    const double g = scale * gradient[i];
    double& m = state.first_moment[i];
    double& v = state.second_moment[i];
    m = options.beta1 * m + (1.0 - options.beta1) * g;
    v = options.beta2 * v + (1.0 - options.beta2) * g * g;
    theta[i] -= options.learning_rate * (m / bias1) / (std::sqrt(v / bias2) + options.epsilon);
  }
}

void throw_adam_non_finite(std::int64_t update, double loss, double learning_rate) {
  throw_user_error(
      "Adam update {}: the {} is not finite (loss = {}); the parameters were left as they were "
      "before this update. Training diverged: try a smaller adam.learning_rate (now {}, e.g. {}) "
      "or set adam.clip_norm",
      update, std::isfinite(loss) ? "gradient" : "loss", loss, learning_rate, learning_rate / 10);
}

}  // namespace gridrnn::optim

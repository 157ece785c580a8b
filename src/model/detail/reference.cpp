#include "model/detail/reference.hpp"

#include <cmath>

#include "gridrnn/model/noise.hpp"

namespace gridrnn::model::detail {

namespace {

// Plain accessors into theta (row-major blocks, see ctrnn.hpp).
struct Weights {
  const ParameterLayout& L;
  const double* p;
  double W_in(std::size_t i, std::size_t k) const { return p[L.W_in + i * L.inputs + k]; }
  double W_rec(std::size_t i, std::size_t j) const { return p[L.W_rec + i * L.units + j]; }
  double b(std::size_t i) const { return p[L.b + i]; }
  double W_out(std::size_t o, std::size_t i) const { return p[L.W_out + o * L.units + i]; }
  double x0_of(std::size_t i, const float* start) const {
    if (L.initial_state == InitialState::kLearned) return p[L.initial + i];
    return p[L.initial + i * 2] * start[0] + p[L.initial + i * 2 + 1] * start[1];
  }
};

// Noise of one trial, all steps: (T, N), as sd * xi.
std::vector<double> trial_noise(const ModelOptions& model, const MinibatchView& batch, std::size_t m) {
  const std::size_t N = model.units, T = batch.steps;
  std::vector<double> noise(T * N, 0.0);
  if (model.noise_sd <= 0.0) return noise;
  std::vector<float> row(N), scratch(noise_scratch_size(1, N));
  for (std::size_t t = 0; t < T; ++t) {
    generate_noise(batch.noise_seed, batch.update_index, m, 1, t, N, static_cast<float>(model.noise_sd), row.data(), scratch.data());
    for (std::size_t i = 0; i < N; ++i) noise[t * N + i] = row[i];
  }
  return noise;
}

// u[0..T] of one trial: (T+1, N).
std::vector<double> trial_forward(const ModelOptions& model, const MinibatchView& batch,
                                  const Weights& w, std::size_t m) {
  const std::size_t N = model.units, N_in = model.inputs, T = batch.steps, B = batch.trials;
  const double alpha = model.alpha();
  const auto noise = trial_noise(model, batch, m);
  const float* start = batch.starts.empty() ? nullptr : batch.starts.data() + m * 2;
  std::vector<double> x(N), u((T + 1) * N);
  for (std::size_t i = 0; i < N; ++i) {
    x[i] = w.x0_of(i, start);
    u[i] = std::tanh(x[i]);
  }
  for (std::size_t t = 0; t < T; ++t) {
    for (std::size_t i = 0; i < N; ++i) {
      double drive = w.b(i) + noise[t * N + i];
      for (std::size_t j = 0; j < N; ++j) drive += w.W_rec(i, j) * u[t * N + j];
      for (std::size_t k = 0; k < N_in; ++k) drive += w.W_in(i, k) * batch.inputs[(t * B + m) * N_in + k];
      x[i] += alpha * (-x[i] + drive);
    }
    for (std::size_t i = 0; i < N; ++i) u[(t + 1) * N + i] = std::tanh(x[i]);
  }
  return u;
}

// Backpropagation through one trial: dy (T, 2) = dL/dy, direct (T+1, N) = dL/du[t] for t >= 1
// (row 0 ignored). Adds the parameter gradient to grad.
void trial_backward(const ModelOptions& model, const MinibatchView& batch, const Weights& w,
                    std::size_t m, const std::vector<double>& u, const std::vector<double>& dy,
                    const std::vector<double>& direct, Eigen::VectorXd& grad) {
  const std::size_t N = model.units, N_in = model.inputs, T = batch.steps, B = batch.trials;
  const ParameterLayout& L = w.L;
  const double alpha = model.alpha();
  std::vector<double> gx_next(N, 0.0), gx(N), gz(N, 0.0);  // gz = alpha * dL/dx[t+1]
  for (std::size_t t = T + 1; t-- > 0;) {
    for (std::size_t j = 0; j < N; ++j) {
      double gu = 0.0;
      if (t < T)
        for (std::size_t i = 0; i < N; ++i) gu += w.W_rec(i, j) * gz[i];
      if (t >= 1) {
        gu += dy[(t - 1) * 2] * w.W_out(0, j) + dy[(t - 1) * 2 + 1] * w.W_out(1, j) + direct[t * N + j];
        grad[static_cast<Eigen::Index>(L.W_out + j)] += dy[(t - 1) * 2] * u[t * N + j];
        grad[static_cast<Eigen::Index>(L.W_out + N + j)] += dy[(t - 1) * 2 + 1] * u[t * N + j];
      }
      gx[j] = (1.0 - alpha) * gx_next[j] + (1.0 - u[t * N + j] * u[t * N + j]) * gu;
    }
    if (t >= 1) {  // gz for step t-1, and the weight gradients of that step
      for (std::size_t i = 0; i < N; ++i) {
        gz[i] = alpha * gx[i];
        for (std::size_t j = 0; j < N; ++j) grad[static_cast<Eigen::Index>(L.W_rec + i * N + j)] += gz[i] * u[(t - 1) * N + j];
        for (std::size_t k = 0; k < N_in; ++k)
          grad[static_cast<Eigen::Index>(L.W_in + i * N_in + k)] += gz[i] * batch.inputs[((t - 1) * B + m) * N_in + k];
        grad[static_cast<Eigen::Index>(L.b + i)] += gz[i];
      }
    }
    gx_next = gx;
  }
  for (std::size_t i = 0; i < N; ++i) {
    if (L.initial_state == InitialState::kLearned) {
      grad[static_cast<Eigen::Index>(L.initial + i)] += gx[i];
    } else {
      grad[static_cast<Eigen::Index>(L.initial + i * 2)] += gx[i] * batch.starts[m * 2];
      grad[static_cast<Eigen::Index>(L.initial + i * 2 + 1)] += gx[i] * batch.starts[m * 2 + 1];
    }
  }
}

void add_l2(const ParameterLayout& L, const LossOptions& loss, const Eigen::VectorXd& x, Eigen::VectorXd& out) {
  const double n = static_cast<double>(L.units);
  for (std::size_t i = 0; i < L.units * L.inputs; ++i)
    out[static_cast<Eigen::Index>(L.W_in + i)] += 2.0 * loss.lambda_l2 / (n * static_cast<double>(L.inputs)) * x[static_cast<Eigen::Index>(L.W_in + i)];
  for (std::size_t i = 0; i < L.units * 2; ++i)
    out[static_cast<Eigen::Index>(L.W_out + i)] += 2.0 * loss.lambda_l2 / (n * 2.0) * x[static_cast<Eigen::Index>(L.W_out + i)];
}

}  // namespace

ReferenceResult reference_forward(const ModelOptions& model, const LossOptions& loss,
                                  const MinibatchView& batch, const Eigen::VectorXd& theta,
                                  bool with_gradient) {
  const ParameterLayout L(model);
  const Weights w{L, theta.data()};
  const std::size_t N = model.units, T = batch.steps, B = batch.trials;
  const double TM = static_cast<double>(T * B);
  ReferenceResult result;
  result.outputs.assign(T * B * 2, 0.0);
  result.activities.assign(T * B * N, 0.0);
  if (with_gradient) result.gradient = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(L.total));
  double sq_error = 0.0, sq_rate = 0.0;
  for (std::size_t m = 0; m < B; ++m) {
    const auto u = trial_forward(model, batch, w, m);
    std::vector<double> dy(T * 2, 0.0), direct((T + 1) * N, 0.0);
    for (std::size_t t = 0; t < T; ++t) {
      for (std::size_t o = 0; o < 2; ++o) {
        double y = 0.0;
        for (std::size_t i = 0; i < N; ++i) y += w.W_out(o, i) * u[(t + 1) * N + i];
        result.outputs[(t * B + m) * 2 + o] = y;
        if (!batch.targets.empty()) {
          const double e = y - batch.targets[(t * B + m) * 2 + o];
          sq_error += e * e;
          dy[t * 2 + o] = 2.0 * e / (TM * 2.0);  // dE/dy
        }
      }
      for (std::size_t i = 0; i < N; ++i) {
        const double ui = u[(t + 1) * N + i];
        result.activities[(t * B + m) * N + i] = ui;
        sq_rate += ui * ui;
        direct[(t + 1) * N + i] = loss.lambda_fr * 2.0 * ui / (static_cast<double>(N) * TM);  // d(lambda R_FR)/du
      }
    }
    if (with_gradient) trial_backward(model, batch, w, m, u, dy, direct, result.gradient);
  }
  double l2 = 0.0;
  for (std::size_t i = 0; i < N * model.inputs; ++i) l2 += theta[static_cast<Eigen::Index>(L.W_in + i)] * theta[static_cast<Eigen::Index>(L.W_in + i)] / static_cast<double>(N * model.inputs);
  for (std::size_t i = 0; i < N * 2; ++i) l2 += theta[static_cast<Eigen::Index>(L.W_out + i)] * theta[static_cast<Eigen::Index>(L.W_out + i)] / static_cast<double>(N * 2);
  result.terms.error = sq_error / (TM * 2.0);
  result.terms.firing_rate = sq_rate / (TM * static_cast<double>(N));
  result.terms.l2 = l2;
  result.terms.total = result.terms.error + loss.lambda_l2 * l2 + loss.lambda_fr * result.terms.firing_rate;
  result.terms.position_rms = std::sqrt(sq_error / TM);
  if (with_gradient) add_l2(L, loss, theta, result.gradient);
  return result;
}

Eigen::VectorXd reference_gauss_newton(const ModelOptions& model, const LossOptions& loss,
                                       const MinibatchView& batch, const Eigen::VectorXd& theta,
                                       const Eigen::VectorXd& v, double structural_weight,
                                       std::size_t curvature_trials) {
  const ParameterLayout L(model);
  const Weights w{L, theta.data()}, dv{L, v.data()};
  const std::size_t N = model.units, N_in = model.inputs, T = batch.steps, B = batch.trials;
  const std::size_t Mc = (curvature_trials == 0 || curvature_trials > B) ? B : curvature_trials;
  const double alpha = model.alpha();
  const double h_y = 1.0 / (static_cast<double>(Mc) * static_cast<double>(T));
  const double h_u = 2.0 * (loss.lambda_fr + structural_weight) / (static_cast<double>(N * T) * static_cast<double>(Mc));
  Eigen::VectorXd out = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(L.total));
  for (std::size_t m = 0; m < Mc; ++m) {
    const auto u = trial_forward(model, batch, w, m);
    const float* start = batch.starts.empty() ? nullptr : batch.starts.data() + m * 2;
    std::vector<double> rx(N), ru((T + 1) * N), dy(T * 2), direct((T + 1) * N, 0.0);
    for (std::size_t i = 0; i < N; ++i) {
      rx[i] = dv.x0_of(i, start);
      ru[i] = (1.0 - u[i] * u[i]) * rx[i];
    }
    for (std::size_t t = 0; t < T; ++t) {
      for (std::size_t i = 0; i < N; ++i) {
        double drive = dv.b(i);
        for (std::size_t j = 0; j < N; ++j) drive += w.W_rec(i, j) * ru[t * N + j] + dv.W_rec(i, j) * u[t * N + j];
        for (std::size_t k = 0; k < N_in; ++k) drive += dv.W_in(i, k) * batch.inputs[(t * B + m) * N_in + k];
        rx[i] = (1.0 - alpha) * rx[i] + alpha * drive;
      }
      for (std::size_t i = 0; i < N; ++i) {
        const double un = u[(t + 1) * N + i];
        ru[(t + 1) * N + i] = (1.0 - un * un) * rx[i];
        direct[(t + 1) * N + i] = h_u * ru[(t + 1) * N + i];
      }
      for (std::size_t o = 0; o < 2; ++o) {
        double ry = 0.0;
        for (std::size_t i = 0; i < N; ++i) ry += w.W_out(o, i) * ru[(t + 1) * N + i] + dv.W_out(o, i) * u[(t + 1) * N + i];
        dy[t * 2 + o] = h_y * ry;
      }
    }
    trial_backward(model, batch, w, m, u, dy, direct, out);
  }
  add_l2(L, loss, v, out);
  return out;
}

}  // namespace gridrnn::model::detail

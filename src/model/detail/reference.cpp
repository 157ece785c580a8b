#include "model/detail/reference.hpp"

#include <algorithm>
#include <cmath>

#include "gridrnn/model/noise.hpp"

namespace gridrnn::model::detail {

namespace {

double rate_of(Nonlinearity f, double x) {
  switch (f) {
    case Nonlinearity::kTanh: return std::tanh(x);
    case Nonlinearity::kRelu: return x > 0.0 ? x : 0.0;
    case Nonlinearity::kRetanh: return x > 0.0 ? std::tanh(x) : 0.0;
  }
  return 0.0;
}
// f'(x), written from x (the objective derives it from r instead).
double slope_of(Nonlinearity f, double x) {
  switch (f) {
    case Nonlinearity::kTanh: return 1.0 - std::tanh(x) * std::tanh(x);
    case Nonlinearity::kRelu: return x > 0.0 ? 1.0 : 0.0;
    case Nonlinearity::kRetanh: return x > 0.0 ? 1.0 - std::tanh(x) * std::tanh(x) : 0.0;
  }
  return 0.0;
}

// Plain accessors into theta (row-major blocks, see ctrnn.hpp).
struct Weights {
  const ParameterLayout& L;
  const double* p;
  double W_in(std::size_t i, std::size_t k) const { return p[L.W_in + i * L.inputs + k]; }
  double W_rec(std::size_t i, std::size_t j) const { return p[L.W_rec + i * L.units + j]; }
  double b(std::size_t i) const { return L.bias ? p[L.b + i] : 0.0; }
  double W_out(std::size_t o, std::size_t i) const { return p[L.W_out + o * L.units + i]; }
  double W_place(std::size_t o, std::size_t i) const { return p[L.W_place + o * L.units + i]; }
  double W_hd(std::size_t o, std::size_t i) const { return p[L.W_hd + o * L.units + i]; }
  double initial(std::size_t i, std::size_t k) const { return p[L.initial + i * L.initial_columns() + k]; }
};

// What the initial block multiplies for trial m: 1 (x0), p[0] (W_init) or q(p[0]) (W_enc).
std::vector<double> initial_features(const ModelOptions& model, const MinibatchView& batch, std::size_t m) {
  switch (model.initial_state) {
    case InitialState::kLearned: return {1.0};
    case InitialState::kFromPosition: return {batch.starts[m * 2], batch.starts[m * 2 + 1]};
    case InitialState::kFromPlaceCode: {
      std::vector<double> q(model.readout.place_head.cells);
      place_code(model.readout.place_head, model.readout.place_centres.data(), batch.starts[m * 2], batch.starts[m * 2 + 1], q.data());
      return q;
    }
  }
  return {};
}

// Noise of one trial, all steps: (T, N), as sd * xi.
std::vector<double> trial_noise(const ModelOptions& model, const MinibatchView& batch, std::size_t m) {
  const std::size_t N = model.units, T = batch.steps;
  std::vector<double> noise(T * N, 0.0);
  if (model.noise_sd <= 0.0) return noise;
  std::vector<float> row(N);
  for (std::size_t t = 0; t < T; ++t) {
    generate_noise(batch.noise_seed, batch.update_index, m, 1, t, N, static_cast<float>(model.noise_sd), row.data());
    for (std::size_t i = 0; i < N; ++i) noise[t * N + i] = row[i];
  }
  return noise;
}

struct TrialStates {
  std::vector<double> x, u, r;  // (T+1, N) each
  std::vector<double> features; // initial features
};

TrialStates trial_forward(const ModelOptions& model, const MinibatchView& batch, const Weights& w, std::size_t m) {
  const std::size_t N = model.units, N_in = model.inputs, T = batch.steps, B = batch.trials;
  const double alpha = model.alpha();
  const bool rate_noise = model.noise_placement == NoisePlacement::kRate;
  const auto noise = trial_noise(model, batch, m);
  TrialStates s;
  s.features = initial_features(model, batch, m);
  s.x.assign((T + 1) * N, 0.0);
  s.u.assign((T + 1) * N, 0.0);
  s.r.assign((T + 1) * N, 0.0);
  for (std::size_t i = 0; i < N; ++i) {
    double x0 = 0.0;
    for (std::size_t k = 0; k < s.features.size(); ++k) x0 += w.initial(i, k) * s.features[k];
    s.x[i] = x0;
    s.r[i] = model.initial_state == InitialState::kFromPlaceCode ? x0 : rate_of(model.nonlinearity, x0);
    s.u[i] = s.r[i];
  }
  for (std::size_t t = 0; t < T; ++t) {
    for (std::size_t i = 0; i < N; ++i) {
      double drive = w.b(i) + (rate_noise ? 0.0 : noise[t * N + i]);
      for (std::size_t j = 0; j < N; ++j) drive += w.W_rec(i, j) * s.u[t * N + j];
      for (std::size_t k = 0; k < N_in; ++k) drive += w.W_in(i, k) * batch.inputs[(t * B + m) * N_in + k];
      const double x = s.x[t * N + i];
      s.x[(t + 1) * N + i] = x + alpha * (-x + drive);
    }
    for (std::size_t i = 0; i < N; ++i) {
      s.r[(t + 1) * N + i] = rate_of(model.nonlinearity, s.x[(t + 1) * N + i]);
      s.u[(t + 1) * N + i] = s.r[(t + 1) * N + i] + (rate_noise ? noise[t * N + i] : 0.0);
    }
  }
  return s;
}

// Output gradients of one trial: per step t (0..T-1) of the heads reading u[t+1], and the
// direct term on r[t] (row 0 ignored).
struct TrialOutputGradient {
  std::vector<double> dy, dz_place, dz_hd, direct;
};

// Backpropagation through one trial. Adds the parameter gradient to grad.
void trial_backward(const ModelOptions& model, const MinibatchView& batch, const Weights& w, std::size_t m,
                    const TrialStates& s, const TrialOutputGradient& g, Eigen::VectorXd& grad) {
  const std::size_t N = model.units, N_in = model.inputs, T = batch.steps, B = batch.trials;
  const ParameterLayout& L = w.L;
  const std::size_t Kp = L.place_cells, Kh = L.hd_cells;
  const double alpha = model.alpha();
  auto add = [&](std::size_t index, double value) { grad[static_cast<Eigen::Index>(index)] += value; };
  std::vector<double> gx_next(N, 0.0), gx(N), gz(N, 0.0);  // gz = alpha * dL/dx[t+1]
  for (std::size_t t = T + 1; t-- > 0;) {
    for (std::size_t j = 0; j < N; ++j) {
      double gu = 0.0;
      if (t < T)
        for (std::size_t i = 0; i < N; ++i) gu += w.W_rec(i, j) * gz[i];
      if (t >= 1) {
        const std::size_t step = t - 1;
        const double u = s.u[t * N + j];
        if (L.position)
          for (std::size_t o = 0; o < 2; ++o) {
            gu += g.dy[step * 2 + o] * w.W_out(o, j);
            add(L.W_out + o * N + j, g.dy[step * 2 + o] * u);
          }
        for (std::size_t o = 0; o < Kp; ++o) {
          gu += g.dz_place[step * Kp + o] * w.W_place(o, j);
          add(L.W_place + o * N + j, g.dz_place[step * Kp + o] * u);
        }
        for (std::size_t o = 0; o < Kh; ++o) {
          gu += g.dz_hd[step * Kh + o] * w.W_hd(o, j);
          add(L.W_hd + o * N + j, g.dz_hd[step * Kh + o] * u);
        }
        gu += g.direct[t * N + j];
      }
      const double slope = (t == 0 && model.initial_state == InitialState::kFromPlaceCode)
                               ? 1.0 : slope_of(model.nonlinearity, s.x[t * N + j]);
      gx[j] = (1.0 - alpha) * gx_next[j] + slope * gu;
    }
    if (t >= 1) {  // gz for step t-1, and the weight gradients of that step
      for (std::size_t i = 0; i < N; ++i) {
        gz[i] = alpha * gx[i];
        for (std::size_t j = 0; j < N; ++j) add(L.W_rec + i * N + j, gz[i] * s.u[(t - 1) * N + j]);
        for (std::size_t k = 0; k < N_in; ++k) add(L.W_in + i * N_in + k, gz[i] * batch.inputs[((t - 1) * B + m) * N_in + k]);
        if (L.bias) add(L.b + i, gz[i]);
      }
    }
    gx_next = gx;
  }
  const std::size_t cols = L.initial_columns();
  for (std::size_t i = 0; i < N; ++i)
    for (std::size_t k = 0; k < cols; ++k) add(L.initial + i * cols + k, gx[i] * s.features[k]);
}

// lambda_l2 R_L2 + weight_decay R_WD is x^T H x / 2: adds H x to out.
void add_quadratic(const ParameterLayout& L, const LossOptions& loss, const Eigen::VectorXd& x, Eigen::VectorXd& out) {
  const double n = static_cast<double>(L.units);
  auto block = [&](std::size_t offset, std::size_t size, double coef) {
    for (std::size_t i = 0; i < size; ++i) out[static_cast<Eigen::Index>(offset + i)] += coef * x[static_cast<Eigen::Index>(offset + i)];
  };
  block(L.W_in, L.units * L.inputs, 2.0 * loss.lambda_l2 / (n * static_cast<double>(L.inputs)));
  if (L.position) block(L.W_out, L.units * 2, 2.0 * loss.lambda_l2 / (n * 2.0));
  if (L.place_cells > 0) block(L.W_place, L.units * L.place_cells, 2.0 * loss.lambda_l2 / (n * static_cast<double>(L.place_cells)));
  if (L.hd_cells > 0) block(L.W_hd, L.units * L.hd_cells, 2.0 * loss.lambda_l2 / (n * static_cast<double>(L.hd_cells)));
  block(L.W_rec, L.units * L.units, 2.0 * loss.weight_decay);
}

double quadratic_value(const ParameterLayout& L, const Eigen::VectorXd& theta, std::size_t offset, std::size_t size) {
  double sum = 0.0;
  for (std::size_t i = 0; i < size; ++i) sum += theta[static_cast<Eigen::Index>(offset + i)] * theta[static_cast<Eigen::Index>(offset + i)];
  (void)L;
  return sum;
}

// z = W u for a K-row head block.
std::vector<double> head_output(const Weights& w, std::size_t offset, std::size_t K, const double* u) {
  std::vector<double> z(K, 0.0);
  for (std::size_t o = 0; o < K; ++o)
    for (std::size_t i = 0; i < w.L.units; ++i) z[o] += w.p[offset + o * w.L.units + i] * u[i];
  return z;
}

std::vector<double> softmax(const std::vector<double>& z) {
  const double largest = *std::max_element(z.begin(), z.end());
  std::vector<double> p(z.size());
  double sum = 0.0;
  for (std::size_t i = 0; i < z.size(); ++i) sum += (p[i] = std::exp(z[i] - largest));
  for (double& v : p) v /= sum;
  return p;
}

}  // namespace

ReferenceResult reference_forward(const ModelOptions& model, const LossOptions& loss,
                                  const MinibatchView& batch, const Eigen::VectorXd& theta,
                                  bool with_gradient) {
  const ParameterLayout L(model);
  const Weights w{L, theta.data()};
  const std::size_t N = model.units, T = batch.steps, B = batch.trials, Kp = L.place_cells, Kh = L.hd_cells;
  const double TM = static_cast<double>(T * B);
  const auto& ro = model.readout;
  const bool targets = !batch.targets.empty();
  const bool place_ce = ro.place_head.loss == PlaceLoss::kCrossEntropy;
  ReferenceResult result;
  result.outputs.assign(T * B * 2, 0.0);
  result.activities.assign(T * B * N, 0.0);
  result.rates.assign(T * B * N, 0.0);
  result.pre_activations.assign((T + 1) * B * N, 0.0);
  if (L.position) result.position.assign(T * B * 2, 0.0);
  result.place.assign(T * B * Kp, 0.0);
  result.head_direction.assign(T * B * Kh, 0.0);
  if (with_gradient) result.gradient = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(L.total));
  double sq_position = 0.0, sq_rate = 0.0, sum_place = 0.0, sum_hd = 0.0, sq_decoded = 0.0;
  std::vector<double> q_place(Kp), q_hd(Kh);
  for (std::size_t m = 0; m < B; ++m) {
    const TrialStates s = trial_forward(model, batch, w, m);
    TrialOutputGradient g{std::vector<double>(T * 2, 0.0), std::vector<double>(T * Kp, 0.0),
                          std::vector<double>(T * Kh, 0.0), std::vector<double>((T + 1) * N, 0.0)};
    for (std::size_t t = 0; t <= T; ++t)
      for (std::size_t i = 0; i < N; ++i) result.pre_activations[(t * B + m) * N + i] = s.x[t * N + i];
    for (std::size_t t = 0; t < T; ++t) {
      const double* u = s.u.data() + (t + 1) * N;
      const std::size_t row = t * B + m;
      const double px = targets ? batch.targets[row * 2] : 0.0, py = targets ? batch.targets[row * 2 + 1] : 0.0;
      double dx = 0.0, dy_ = 0.0;  // decoded position
      if (L.position) {
        const auto y = head_output(w, L.W_out, 2, u);
        result.position[row * 2] = y[0];
        result.position[row * 2 + 1] = y[1];
        dx = y[0];
        dy_ = y[1];
        if (targets)
          for (std::size_t o = 0; o < 2; ++o) {
            const double e = y[o] - batch.targets[row * 2 + o];
            sq_position += e * e;
            g.dy[t * 2 + o] = ro.position_head.weight * 2.0 * e / (TM * 2.0);  // weight dE/dy
          }
      }
      if (ro.place) {
        const auto z = head_output(w, L.W_place, Kp, u);
        std::copy(z.begin(), z.end(), result.place.begin() + static_cast<std::ptrdiff_t>(row * Kp));
        if (!L.position) decode_place(z.data(), ro.place_centres.data(), Kp, dx, dy_);
        if (targets) {
          place_code(ro.place_head, ro.place_centres.data(), px, py, q_place.data());
          if (place_ce) {
            const auto p = softmax(z);
            for (std::size_t o = 0; o < Kp; ++o) {
              sum_place -= q_place[o] * std::log(p[o]);
              g.dz_place[t * Kp + o] = ro.place_head.weight * (p[o] - q_place[o]) / TM;
            }
          } else {
            for (std::size_t o = 0; o < Kp; ++o) {
              const double e = z[o] - q_place[o];
              sum_place += e * e;
              g.dz_place[t * Kp + o] = ro.place_head.weight * 2.0 * e / (TM * static_cast<double>(Kp));
            }
          }
        }
      }
      if (ro.head_direction) {
        const auto z = head_output(w, L.W_hd, Kh, u);
        std::copy(z.begin(), z.end(), result.head_direction.begin() + static_cast<std::ptrdiff_t>(row * Kh));
        if (targets) {
          head_direction_code(ro.head_direction_head, batch.headings[row], q_hd.data());
          const auto p = softmax(z);
          for (std::size_t o = 0; o < Kh; ++o) {
            sum_hd -= q_hd[o] * std::log(p[o]);
            g.dz_hd[t * Kh + o] = ro.head_direction_head.weight * (p[o] - q_hd[o]) / TM;
          }
        }
      }
      result.outputs[row * 2] = dx;
      result.outputs[row * 2 + 1] = dy_;
      if (targets) sq_decoded += (dx - px) * (dx - px) + (dy_ - py) * (dy_ - py);
      for (std::size_t i = 0; i < N; ++i) {
        const double ri = s.r[(t + 1) * N + i];
        result.activities[row * N + i] = u[i];
        result.rates[row * N + i] = ri;
        sq_rate += ri * ri;
        g.direct[(t + 1) * N + i] = loss.lambda_fr * 2.0 * ri / (static_cast<double>(N) * TM);  // d(lambda R_FR)/dr
      }
    }
    if (with_gradient) trial_backward(model, batch, w, m, s, g, result.gradient);
  }
  const double n = static_cast<double>(N);
  double l2 = quadratic_value(L, theta, L.W_in, N * model.inputs) / (n * static_cast<double>(model.inputs));
  if (L.position) l2 += quadratic_value(L, theta, L.W_out, N * 2) / (n * 2.0);
  if (Kp > 0) l2 += quadratic_value(L, theta, L.W_place, N * Kp) / (n * static_cast<double>(Kp));
  if (Kh > 0) l2 += quadratic_value(L, theta, L.W_hd, N * Kh) / (n * static_cast<double>(Kh));
  LossTerms& terms = result.terms;
  terms.position = L.position ? sq_position / (TM * 2.0) : 0.0;
  terms.place = ro.place ? sum_place / (TM * (place_ce ? 1.0 : static_cast<double>(Kp))) : 0.0;
  terms.head_direction = ro.head_direction ? sum_hd / TM : 0.0;
  terms.error = (L.position ? ro.position_head.weight * terms.position : 0.0) +
                (ro.place ? ro.place_head.weight * terms.place : 0.0) +
                (ro.head_direction ? ro.head_direction_head.weight * terms.head_direction : 0.0);
  terms.firing_rate = sq_rate / (TM * n);
  terms.l2 = l2;
  terms.weight_decay = quadratic_value(L, theta, L.W_rec, N * N);
  terms.total = terms.error + loss.lambda_l2 * l2 + loss.lambda_fr * terms.firing_rate + loss.weight_decay * terms.weight_decay;
  terms.position_rms = (L.position || ro.place) ? std::sqrt(sq_decoded / TM) : std::nan("");
  if (with_gradient) add_quadratic(L, loss, theta, result.gradient);
  return result;
}

Eigen::VectorXd reference_gauss_newton(const ModelOptions& model, const LossOptions& loss,
                                       const MinibatchView& batch, const Eigen::VectorXd& theta,
                                       const Eigen::VectorXd& v, double structural_weight,
                                       std::size_t curvature_trials) {
  const ParameterLayout L(model);
  const Weights w{L, theta.data()}, dv{L, v.data()};
  const std::size_t N = model.units, N_in = model.inputs, T = batch.steps, B = batch.trials, Kp = L.place_cells,
                    Kh = L.hd_cells;
  const std::size_t Mc = (curvature_trials == 0 || curvature_trials > B) ? B : curvature_trials;
  const double alpha = model.alpha();
  const auto& ro = model.readout;
  const double McT = static_cast<double>(Mc) * static_cast<double>(T);
  const double h_u = 2.0 * (loss.lambda_fr + structural_weight) / (static_cast<double>(N) * McT);
  Eigen::VectorXd out = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(L.total));
  for (std::size_t m = 0; m < Mc; ++m) {
    const TrialStates s = trial_forward(model, batch, w, m);
    TrialOutputGradient g{std::vector<double>(T * 2, 0.0), std::vector<double>(T * Kp, 0.0),
                          std::vector<double>(T * Kh, 0.0), std::vector<double>((T + 1) * N, 0.0)};
    std::vector<double> rx(N), ru((T + 1) * N);
    for (std::size_t i = 0; i < N; ++i) {
      double r0 = 0.0;
      for (std::size_t k = 0; k < s.features.size(); ++k) r0 += dv.initial(i, k) * s.features[k];
      rx[i] = r0;
      ru[i] = model.initial_state == InitialState::kFromPlaceCode ? r0 : slope_of(model.nonlinearity, s.x[i]) * r0;
    }
    // The R{z} of a K-row head and H R{z}.
    auto r_head = [&](std::size_t offset, std::size_t K, std::size_t t) {
      std::vector<double> rz(K, 0.0);
      for (std::size_t o = 0; o < K; ++o)
        for (std::size_t i = 0; i < N; ++i)
          rz[o] += theta[static_cast<Eigen::Index>(offset + o * N + i)] * ru[(t + 1) * N + i] +
                   v[static_cast<Eigen::Index>(offset + o * N + i)] * s.u[(t + 1) * N + i];
      return rz;
    };
    auto softmax_hessian = [&](std::size_t offset, std::size_t K, std::size_t t, double weight, double* dz) {
      const auto z = head_output(w, offset, K, s.u.data() + (t + 1) * N);
      const auto p = softmax(z);
      const auto rz = r_head(offset, K, t);
      for (std::size_t a = 0; a < K; ++a) {
        double sum = 0.0;
        for (std::size_t b = 0; b < K; ++b) sum += ((a == b ? p[a] : 0.0) - p[a] * p[b]) * rz[b];  // (diag p - p p^T) rz
        dz[a] = weight * sum / McT;
      }
    };
    for (std::size_t t = 0; t < T; ++t) {
      for (std::size_t i = 0; i < N; ++i) {
        double drive = L.bias ? dv.b(i) : 0.0;
        for (std::size_t j = 0; j < N; ++j) drive += w.W_rec(i, j) * ru[t * N + j] + dv.W_rec(i, j) * s.u[t * N + j];
        for (std::size_t k = 0; k < N_in; ++k) drive += dv.W_in(i, k) * batch.inputs[(t * B + m) * N_in + k];
        rx[i] = (1.0 - alpha) * rx[i] + alpha * drive;
      }
      for (std::size_t i = 0; i < N; ++i) {
        ru[(t + 1) * N + i] = slope_of(model.nonlinearity, s.x[(t + 1) * N + i]) * rx[i];
        g.direct[(t + 1) * N + i] = h_u * ru[(t + 1) * N + i];
      }
      if (L.position) {
        const auto ry = r_head(L.W_out, 2, t);
        for (std::size_t o = 0; o < 2; ++o) g.dy[t * 2 + o] = ro.position_head.weight * ry[o] / McT;
      }
      if (ro.place) {
        if (ro.place_head.loss == PlaceLoss::kCrossEntropy) {
          softmax_hessian(L.W_place, Kp, t, ro.place_head.weight, g.dz_place.data() + t * Kp);
        } else {
          const auto rz = r_head(L.W_place, Kp, t);
          for (std::size_t o = 0; o < Kp; ++o) g.dz_place[t * Kp + o] = ro.place_head.weight * 2.0 * rz[o] / (McT * static_cast<double>(Kp));
        }
      }
      if (ro.head_direction) softmax_hessian(L.W_hd, Kh, t, ro.head_direction_head.weight, g.dz_hd.data() + t * Kh);
    }
    trial_backward(model, batch, w, m, s, g, out);
  }
  add_quadratic(L, loss, v, out);
  return out;
}

}  // namespace gridrnn::model::detail

#include "model/detail/avx512_warnings.hpp"  // first: before any Eigen header
#include "gridrnn/model/runner.hpp"

#include <algorithm>
#include <vector>

#include "gridrnn/core/error.hpp"
#include "gridrnn/model/noise.hpp"
#include "model/detail/forward_step.hpp"

namespace gridrnn::model {

namespace {
// 64-byte aligned, as in objective.cpp: Eigen's vectorized tanh peels an unaligned head whose
// length depends on the address, so the buffers (and the two slots of the u ring, at offsets 0
// and B N) must sit where predict()'s do for the results to match bit for bit.
template <typename T>
using AlignedVector = std::vector<T, Eigen::aligned_allocator<T>>;
}  // namespace

struct NetworkRunner::Impl {
  ModelOptions model;
  ParameterLayout layout;
  std::size_t B, N, N_in;
  std::uint64_t noise_seed, noise_index;
  float alpha;
  AlignedVector<float> w;       // theta in float, ParameterLayout order
  AlignedVector<float> W_in_T;  // (N_in, N)
  detail::PackedRhs<float> W_rec_T;  // W_rec^T packed for the per-step product
  detail::PackedRhs<float> W_place_T;  // W_place^T packed (decoding without a position head)
  AlignedVector<float> x;       // (B, N) state
  AlignedVector<float> A;       // (B, N) scratch: drive
  AlignedVector<float> ring;    // (2, B, N): u[t] in slot t % 2, as predict() keeps it
  AlignedVector<float> rate;    // (B, N) r = f(x) with rate noise (u = r + xi)
  AlignedVector<float> z;       // (B, N_p) place logits (decoding without a position head)
  AlignedVector<float> noise;
  std::size_t step = 0;
  bool started = false;

  Impl(const ModelOptions& options, const Eigen::VectorXd& theta, std::size_t trials, std::uint64_t seed,
       std::uint64_t index)
      : model(options), layout(options), B(trials), N(options.units), N_in(options.inputs), noise_seed(seed),
        noise_index(index), alpha(static_cast<float>(options.alpha())) {
    model.validate();
    if (trials < 1) throw_user_error("NetworkRunner: trials = 0: must be >= 1");
    if (static_cast<std::size_t>(theta.size()) != layout.total)
      throw_user_error("parameter vector has {} entries; this network (N = {}, N_in = {}, {}) has {}", theta.size(),
                       N, N_in, to_string(model.initial_state), layout.total);
    w.resize(layout.total);
    for (std::size_t i = 0; i < layout.total; ++i) w[i] = static_cast<float>(theta[static_cast<Eigen::Index>(i)]);
    W_in_T.resize(N * N_in);
    for (std::size_t i = 0; i < N; ++i)
      for (std::size_t k = 0; k < N_in; ++k) W_in_T[k * N + i] = w[layout.W_in + i * N_in + k];
    detail::pack_rhs_transposed(w.data() + layout.W_rec, N, N, W_rec_T);
    x.assign(B * N, 0.0f);
    A.assign(B * N, 0.0f);
    ring.assign(2 * B * N, 0.0f);
    noise.assign(B * N, 0.0f);
    if (model.noise_placement == NoisePlacement::kRate) rate.assign(B * N, 0.0f);
    if (!layout.position && !model.readout.place)
      throw_user_error("NetworkRunner: readout.heads = \"{}\" has no head a position can be decoded from (position or place)",
                       model.readout.heads_name());
    if (!layout.position) {
      z.assign(B * layout.place_cells, 0.0f);
      detail::pack_rhs_transposed(w.data() + layout.W_place, layout.place_cells, N, W_place_T);
    }
  }

  float* u_slot(std::size_t t) { return ring.data() + (t % 2) * B * N; }
};

NetworkRunner::NetworkRunner(const ModelOptions& options, const Eigen::VectorXd& theta, std::size_t trials,
                             std::uint64_t noise_seed, std::uint64_t noise_index)
    : impl_(std::make_unique<Impl>(options, theta, trials, noise_seed, noise_index)) {}
NetworkRunner::~NetworkRunner() = default;
NetworkRunner::NetworkRunner(NetworkRunner&&) noexcept = default;
NetworkRunner& NetworkRunner::operator=(NetworkRunner&&) noexcept = default;

void NetworkRunner::start(std::span<const float> starts) {
  Impl& m = *impl_;
  const auto kind = m.model.initial_state;
  if (kind != InitialState::kLearned && starts.size() != m.B * kOutputs)
    throw_user_error("NetworkRunner::start: {} start values for {} trials; initial_state {} needs (B, 2) = {}",
                     starts.size(), m.B, to_string(kind), m.B * kOutputs);
  std::vector<float> start_values(starts.begin(), starts.end()), codes;
  if (kind == InitialState::kFromPlaceCode) {
    codes.resize(m.B * m.layout.place_cells);
    place_codes(m.model.readout.place_head, m.model.readout.place_centres.data(), starts.data(), m.B, codes.data());
  }
  detail::initial_state_rows(kind, m.w.data() + m.layout.initial, start_values.data(), codes.data(), m.layout.place_cells,
                             m.B, m.N, m.x.data());
  detail::initial_rate(kind, m.model.nonlinearity, m.x.data(), m.u_slot(0), m.B * m.N);
  m.step = 0;
  m.started = true;
}

void NetworkRunner::advance(std::span<const float> inputs, std::size_t steps, std::span<float> outputs,
                            std::span<float> activities) {
  Impl& m = *impl_;
  GRIDRNN_ASSERT(m.started, "NetworkRunner::advance before start()");
  const std::size_t B = m.B, N = m.N;
  if (inputs.size() != steps * B * m.N_in)
    throw_user_error("NetworkRunner::advance: {} input values for {} steps x {} trials x {} inputs = {}",
                     inputs.size(), steps, B, m.N_in, steps * B * m.N_in);
  if (outputs.size() != steps * B * kOutputs)
    throw_user_error("NetworkRunner::advance: output span holds {} values; expected (steps, B, 2) = {}",
                     outputs.size(), steps * B * kOutputs);
  if (!activities.empty() && activities.size() != steps * B * N)
    throw_user_error("NetworkRunner::advance: activity span holds {} values; expected (steps, B, N) = {} or none",
                     activities.size(), steps * B * N);
  const float noise_sd = static_cast<float>(m.model.noise_sd);
  const float* W_out = m.w.data() + m.layout.W_out;
  const float* bias = m.model.bias ? m.w.data() + m.layout.b : nullptr;
  const std::size_t Kp = m.layout.place_cells;
  for (std::size_t local = 0; local < steps; ++local, ++m.step) {
    const std::size_t t = m.step;
    if (noise_sd > 0.0f)
      generate_noise(m.noise_seed, m.noise_index, 0, B, t, N, noise_sd, m.noise.data());
    float* u_next = m.u_slot(t + 1);
    float* r_next = m.rate.empty() ? u_next : m.rate.data();
    detail::forward_step(m.u_slot(t), u_next, r_next, m.x.data(), m.A.data(), noise_sd > 0.0f ? m.noise.data() : nullptr,
                         m.model.noise_placement, m.model.nonlinearity, inputs.data() + local * B * m.N_in,
                         m.W_rec_T, m.W_in_T.data(), bias, m.alpha, B, N, m.N_in);
    if (m.layout.position) {
      for (std::size_t r = 0; r < B; ++r) {
        float y0, y1;
        detail::readout(W_out, u_next + r * N, N, y0, y1);
        outputs[(local * B + r) * kOutputs] = y0;
        outputs[(local * B + r) * kOutputs + 1] = y1;
      }
    } else {  // decoded from the place head, as the objective's predict() does
      detail::multiply_packed(u_next, B, m.W_place_T, m.z.data());  // as the objective's heads_step
      for (std::size_t r = 0; r < B; ++r) {
        double x, y;
        decode_place(m.z.data() + r * Kp, m.model.readout.place_centres.data(), Kp, x, y);
        outputs[(local * B + r) * kOutputs] = static_cast<float>(x);
        outputs[(local * B + r) * kOutputs + 1] = static_cast<float>(y);
      }
    }
    if (!activities.empty()) std::copy(u_next, u_next + B * N, activities.data() + local * B * N);
  }
}

std::size_t NetworkRunner::steps_done() const { return impl_->step; }
std::size_t NetworkRunner::trials() const { return impl_->B; }

}  // namespace gridrnn::model

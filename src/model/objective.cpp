// The CTRNN objective: forward pass, backpropagation through time and the Gauss–Newton product,
// written once for float and double (equations: docs/design.md "## The network").
//
// Memory layout, per chunk of Bc trials (chunk-major, then time-major, then trial, then unit):
//   U      (T+1, Bc, N)   u[t] = tanh(x[t]) of the last stored forward pass
//   GZ     (T, Bc, N)     alpha * dL/dx[t+1]: the gradient w.r.t. the drive of step t
//   RU     (T+1, Bc, N)   R{u[t]} of the last G v (only curvature chunks)
//   DY     (T, Bc, 2)     dL/dy[t] (or H_y R{y[t]} in G v)
//   inputs (T, Bc, N_in), targets (T, Bc, 2), starts (Bc, 2)
// Each step is one (Bc x N)(N x N) product; the weight gradients are single products over all
// T*Bc rows after the backward recurrence (GZ^T U, GZ^T I, DY^T U).
#include "model/detail/avx512_warnings.hpp"  // first: before any Eigen header
#include "gridrnn/model/objective.hpp"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <vector>

#include "gridrnn/core/error.hpp"
#include "gridrnn/core/threads.hpp"
#include "gridrnn/model/noise.hpp"
#include "model/detail/forward_step.hpp"

namespace gridrnn::model {

namespace {

struct ChunkRange {
  std::size_t first = 0, count = 0;
};

// Splits [begin, end) into near-equal chunks of at most `target` trials; an even number of
// chunks when the range holds at least 64 trials, so two threads share the work evenly.
void split_range(std::size_t begin, std::size_t end, std::size_t target,
                 std::vector<ChunkRange>& chunks) {
  const std::size_t size = end - begin;
  if (size == 0) return;
  std::size_t pieces = (size + target - 1) / target;
  if (pieces % 2 == 1 && size >= 64) ++pieces;
  for (std::size_t p = 0; p < pieces; ++p) {
    const std::size_t first = begin + size * p / pieces;
    const std::size_t last = begin + size * (p + 1) / pieces;
    chunks.push_back({first, last - first});
  }
}

// C (rows_c, cols_c) = A^T B for row-major A (depth, rows_c) and B (depth, cols_c), depth large
// (all T*Bc rows of a chunk). OpenBLAS runs these at ~50 GFLOP/s per core here, Eigen's GEMM at
// ~30 (it is faster for the small per-step products, which stay in Eigen). See performance.md.
void gemm_transposed_a(const float* A, const float* B, float* C, std::size_t rows_c, std::size_t cols_c, std::size_t depth) {
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, static_cast<int>(rows_c), static_cast<int>(cols_c),
              static_cast<int>(depth), 1.0f, A, static_cast<int>(rows_c), B, static_cast<int>(cols_c), 0.0f, C,
              static_cast<int>(cols_c));
}
void gemm_transposed_a(const double* A, const double* B, double* C, std::size_t rows_c, std::size_t cols_c, std::size_t depth) {
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, static_cast<int>(rows_c), static_cast<int>(cols_c),
              static_cast<int>(depth), 1.0, A, static_cast<int>(rows_c), B, static_cast<int>(cols_c), 0.0, C,
              static_cast<int>(cols_c));
}

// Our chunks already use every thread: each OpenBLAS call must run in its caller's thread.
void single_threaded_blas() {
  static std::once_flag once;
  std::call_once(once, [] { openblas_set_num_threads(1); });
}

}  // namespace

std::size_t chunk_owner(std::size_t c, std::size_t curvature_chunks, std::size_t chunk_count,
                        std::size_t ranks) {
  // Block b of n items over r ranks: rank = floor(b * r / n) keeps blocks contiguous and sizes
  // within one of each other.
  if (c < curvature_chunks) return c * ranks / curvature_chunks;
  return (c - curvature_chunks) * ranks / (chunk_count - curvature_chunks);
}

// Every buffer is 64-byte aligned: Eigen's vectorized reductions over a Map peel an unaligned
// head whose length depends on the buffer's address, which would make the summation order (and
// the last bits of every result) depend on where malloc put the buffer, i.e. differ run to run.
template <typename T>
using AlignedVector = std::vector<T, Eigen::aligned_allocator<T>>;

template <typename S>
struct CtrnnObjectiveT<S>::Impl {
  using Matrix = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using MatrixMap = Eigen::Map<Matrix>;
  using ConstMatrixMap = Eigen::Map<const Matrix>;
  using Array = Eigen::Array<S, Eigen::Dynamic, 1>;
  using ArrayMap = Eigen::Map<Array>;
  using ConstArrayMap = Eigen::Map<const Array>;
  using Index = Eigen::Index;

  ModelOptions model;
  LossOptions loss;
  ObjectiveSettings settings;
  ParameterLayout layout;
  std::size_t N, N_in;
  S alpha;

  // Minibatch, original layout (kept so chunks can be rebuilt when the curvature count changes).
  std::size_t T = 0, B = 0;
  bool has_targets = false;
  AlignedVector<float> batch_inputs, batch_targets, batch_starts;
  std::uint64_t noise_seed = 0, update_index = 0;
  std::size_t curvature_request = 0;  // 0 = all

  // Chunked copies and states.
  std::vector<ChunkRange> chunks;
  std::size_t curvature_chunks = 0, curvature_trials = 0;
  AlignedVector<S> inputs, targets, starts;
  AlignedVector<S> U, GZ, RU, DY;
  struct Scratch {
    AlignedVector<S> x, A, ring;
    AlignedVector<float> noise, noise_scratch;
    AlignedVector<S> partial;  // per-chunk parameter gradient
    double sum_sq_error = 0.0, sum_sq_rate = 0.0;
  };
  std::vector<Scratch> scratch;
  bool layout_ready = false;

  // Weights in the compute precision, same layout as theta; W_in transposed for the drive loop.
  // w holds the weights of the stored states (the last value_gradient); value() and predict()
  // swap their own weights in for the duration of the call, so G v still finds theta's.
  AlignedVector<S> w, v, W_in_T, vW_in_T, w_eval, W_in_T_eval;
  Eigen::VectorXd stored_theta;
  bool states_valid = false;
  LossTerms terms, gradient_terms;

  // Work split across processes (ChunkExchange); owner[c] is the process that computes chunk c.
  ChunkExchange exchange;
  std::vector<std::size_t> owner;
  std::vector<double> exchange_rows;

  Impl(const ModelOptions& m, const LossOptions& l, const ObjectiveSettings& s)
      : model(m), loss(l), settings(s), layout(m), N(m.units), N_in(m.inputs),
        alpha(static_cast<S>(m.alpha())) {
    model.validate();
    loss.validate();
    single_threaded_blas();
    if (settings.chunk_trials < 1) throw_user_error("chunk_trials = 0: must be >= 1");
  }

  std::size_t u_offset(const ChunkRange& c) const { return c.first * (T + 1) * N; }
  std::size_t gz_offset(const ChunkRange& c) const { return c.first * T * N; }
  std::size_t y_offset(const ChunkRange& c) const { return c.first * T * kOutputs; }

  void build_layout() {
    chunks.clear();
    curvature_trials = (curvature_request == 0 || curvature_request > B) ? B : curvature_request;
    split_range(0, curvature_trials, settings.chunk_trials, chunks);
    curvature_chunks = chunks.size();
    split_range(curvature_trials, B, settings.chunk_trials, chunks);
    inputs.assign(T * B * N_in, S(0));
    targets.assign(T * B * kOutputs, S(0));
    starts.assign(B * kOutputs, S(0));
    scratch.assign(chunks.size(), Scratch{});
    for (std::size_t c = 0; c < chunks.size(); ++c) {
      const auto& ch = chunks[c];
      for (std::size_t t = 0; t < T; ++t) {
        for (std::size_t r = 0; r < ch.count; ++r) {
          const std::size_t m = ch.first + r;
          for (std::size_t k = 0; k < N_in; ++k)
            inputs[ch.first * T * N_in + (t * ch.count + r) * N_in + k] = static_cast<S>(batch_inputs[(t * B + m) * N_in + k]);
          if (has_targets)
            for (std::size_t k = 0; k < kOutputs; ++k)
              targets[y_offset(ch) + (t * ch.count + r) * kOutputs + k] = static_cast<S>(batch_targets[(t * B + m) * kOutputs + k]);
        }
      }
      if (!batch_starts.empty())
        for (std::size_t i = 0; i < ch.count * kOutputs; ++i) starts[ch.first * kOutputs + i] = static_cast<S>(batch_starts[ch.first * kOutputs + i]);
      auto& s = scratch[c];
      s.x.assign(ch.count * N, S(0));
      s.A.assign(ch.count * N, S(0));
      s.ring.assign(2 * ch.count * N, S(0));
      s.noise.assign(ch.count * N, 0.0f);
      s.noise_scratch.assign(noise_scratch_size(ch.count, N), 0.0f);
      s.partial.assign(layout.total, S(0));
    }
    owner.resize(chunks.size());
    for (std::size_t c = 0; c < chunks.size(); ++c)
      owner[c] = chunk_owner(c, curvature_chunks, chunks.size(), exchange.ranks);
    U.clear();
    GZ.clear();
    RU.clear();
    DY.clear();
    layout_ready = true;
    states_valid = false;
  }

  void load_weights(const Eigen::VectorXd& theta, AlignedVector<S>& out, AlignedVector<S>& in_T) const {
    if (static_cast<std::size_t>(theta.size()) != layout.total)
      throw_user_error("parameter vector has {} entries; this network (N = {}, N_in = {}, {}) has {}",
                       theta.size(), N, N_in, to_string(model.initial_state), layout.total);
    out.resize(layout.total);
    for (std::size_t i = 0; i < layout.total; ++i) out[i] = static_cast<S>(theta[static_cast<Index>(i)]);
    in_T.resize(N * N_in);
    for (std::size_t i = 0; i < N; ++i)
      for (std::size_t k = 0; k < N_in; ++k) in_T[k * N + i] = out[layout.W_in + i * N_in + k];
  }

  void require_batch() const {
    if (T == 0) throw InternalError("CtrnnObjective used before set_minibatch");
  }

  // x[0] for the chunk's trials: x0 (learned) or W_init p[0]; `weights` = w (forward) or v (R-pass).
  void initial_state(const ChunkRange& ch, const AlignedVector<S>& weights, S* x) const {
    detail::initial_state_rows(weights.data() + layout.initial, model.initial_state == InitialState::kLearned,
                               starts.data() + ch.first * kOutputs, ch.count, N, x);
  }

  // Forward pass of one chunk. If `store`, u[t] goes to U and dL/dy to DY (for the backward
  // pass); otherwise two alternating slices suffice. Accumulates sum (y - target)^2 and
  // sum_{t>=1} u^2. If outputs/activities are given, copies y and u[1..T] there in (T, B, .).
  void forward_chunk(std::size_t c, bool store, float* outputs, float* activities) {
    const ChunkRange& ch = chunks[c];
    Scratch& s = scratch[c];
    const std::size_t slice = ch.count * N;
    S* u_base = store ? U.data() + u_offset(ch) : s.ring.data();
    auto u_slot = [&](std::size_t t) { return store ? u_base + t * slice : u_base + (t % 2) * slice; };
    const S* W_out = w.data() + layout.W_out;
    const float noise_sd = static_cast<float>(model.noise_sd);
    const double inv_E = 1.0 / (static_cast<double>(B) * static_cast<double>(T));  // dE/dy = (y - target) / (M T)
    S* x = s.x.data();
    initial_state(ch, w, x);
    detail::tanh_into(x, u_slot(0), slice);
    double sum_sq_error = 0.0, sum_sq_rate = 0.0;
    for (std::size_t t = 0; t < T; ++t) {
      if (noise_sd > 0.0f)
        generate_noise(noise_seed, update_index, ch.first, ch.count, t, N, noise_sd, s.noise.data(), s.noise_scratch.data());
      const S* I_t = inputs.data() + ch.first * T * N_in + t * ch.count * N_in;  // (Bc, N_in)
      S* u_next = u_slot(t + 1);
      detail::forward_step(u_slot(t), u_next, x, s.A.data(), noise_sd > 0.0f ? s.noise.data() : nullptr, I_t,
                           w.data() + layout.W_rec, W_in_T.data(), w.data() + layout.b, alpha, ch.count, N, N_in);
      sum_sq_rate += static_cast<double>(ConstArrayMap(u_next, static_cast<Index>(slice)).square().sum());
      // y[t] = W_out u[t+1]
      for (std::size_t r = 0; r < ch.count; ++r) {
        const S* ur = u_next + r * N;
        S y0, y1;
        detail::readout(W_out, ur, N, y0, y1);
        const std::size_t yi = (t * ch.count + r) * kOutputs;
        if (has_targets) {
          const S e0 = y0 - targets[y_offset(ch) + yi], e1 = y1 - targets[y_offset(ch) + yi + 1];
          sum_sq_error += static_cast<double>(e0) * e0 + static_cast<double>(e1) * e1;
          if (store) {
            DY[y_offset(ch) + yi] = static_cast<S>(inv_E * static_cast<double>(e0));
            DY[y_offset(ch) + yi + 1] = static_cast<S>(inv_E * static_cast<double>(e1));
          }
        }
        if (outputs != nullptr) {
          const std::size_t m = ch.first + r;
          outputs[(t * B + m) * kOutputs] = static_cast<float>(y0);
          outputs[(t * B + m) * kOutputs + 1] = static_cast<float>(y1);
          for (std::size_t i = 0; i < N; ++i) activities[(t * B + m) * N + i] = static_cast<float>(ur[i]);
        }
      }
    }
    s.sum_sq_error = sum_sq_error;
    s.sum_sq_rate = sum_sq_rate;
  }

  // Backward pass of one chunk: given DY = dL/dy (T, Bc, 2) and the direct term
  // dL/du[t] += coef * direct[t] (t >= 1), runs the recurrence
  //   gu[t] = W_rec^T GZ[t] + W_out^T DY[t-1] + coef direct[t]
  //   gx[t] = (1 - alpha) gx[t+1] + (1 - u[t]^2) gu[t],   GZ[t-1] = alpha gx[t]
  // and writes the chunk's parameter gradient (J^T of the given output gradients) to s.partial.
  void backward_chunk(std::size_t c, const S* DY_chunk, const S* direct, S coef) {
    const ChunkRange& ch = chunks[c];
    Scratch& s = scratch[c];
    const Index rows = static_cast<Index>(ch.count), n = static_cast<Index>(N);
    const std::size_t slice = ch.count * N;
    const S* Uc = U.data() + u_offset(ch);
    S* GZc = GZ.data() + gz_offset(ch);
    const ConstMatrixMap W_rec(w.data() + layout.W_rec, n, n);
    const S* W_out = w.data() + layout.W_out;
    const S keep = S(1) - alpha;
    S* gx = s.x.data();
    std::fill(gx, gx + slice, S(0));
    MatrixMap G(s.A.data(), rows, n);
    for (std::size_t t = T + 1; t-- > 0;) {
      if (t < T) {
        G.noalias() = ConstMatrixMap(GZc + t * slice, rows, n) * W_rec;  // W_rec^T gz per trial
      } else {
        G.setZero();
      }
      const S* u = Uc + t * slice;
      for (std::size_t r = 0; r < ch.count; ++r) {
        S* gr = s.A.data() + r * N;
        if (t >= 1) {
          const S* dy = DY_chunk + ((t - 1) * ch.count + r) * kOutputs;
          const S* dr = direct + t * slice + r * N;
          for (std::size_t i = 0; i < N; ++i) gr[i] += dy[0] * W_out[i] + dy[1] * W_out[N + i] + coef * dr[i];
        }
        S* gxr = gx + r * N;
        const S* ur = u + r * N;
        for (std::size_t i = 0; i < N; ++i) gxr[i] = keep * gxr[i] + (S(1) - ur[i] * ur[i]) * gr[i];
      }
      if (t >= 1) ArrayMap(GZc + (t - 1) * slice, static_cast<Index>(slice)) = alpha * ConstArrayMap(gx, static_cast<Index>(slice));
    }
    // Weight gradients as single products over all T*Bc rows.
    const Index TB = static_cast<Index>(T * ch.count);
    const ConstMatrixMap GZall(GZc, TB, n);
    std::fill(s.partial.begin(), s.partial.end(), S(0));
    gemm_transposed_a(GZc, Uc, s.partial.data() + layout.W_rec, N, N, T * ch.count);  // GZ^T U[0..T-1]
    MatrixMap(s.partial.data() + layout.W_in, n, static_cast<Index>(N_in)).noalias() =
        GZall.transpose() * ConstMatrixMap(inputs.data() + ch.first * T * N_in, TB, static_cast<Index>(N_in));
    Eigen::Map<Eigen::Matrix<S, 1, Eigen::Dynamic>>(s.partial.data() + layout.b, n) = GZall.colwise().sum();
    MatrixMap(s.partial.data() + layout.W_out, static_cast<Index>(kOutputs), n).noalias() =
        ConstMatrixMap(DY_chunk, TB, static_cast<Index>(kOutputs)).transpose() * ConstMatrixMap(Uc + slice, TB, n);
    const ConstMatrixMap gx0(gx, rows, n);
    if (model.initial_state == InitialState::kLearned) {
      Eigen::Map<Eigen::Matrix<S, 1, Eigen::Dynamic>>(s.partial.data() + layout.initial, n) = gx0.colwise().sum();
    } else {
      MatrixMap(s.partial.data() + layout.initial, n, static_cast<Index>(kOutputs)).noalias() =
          gx0.transpose() * ConstMatrixMap(starts.data() + ch.first * kOutputs, rows, static_cast<Index>(kOutputs));
    }
  }

  // R-operator forward pass of one chunk along v (weights vW in `v`):
  //   R{x}[0] = v_x0 (or v_W_init p);  R{u} = (1 - u^2) R{x}
  //   R{x}[t+1] = (1-alpha) R{x}[t] + alpha (W_rec R{u}[t] + vW_rec u[t] + vW_in I[t] + v_b)
  //   R{y}[t] = W_out R{u}[t+1] + vW_out u[t+1];   DY = h_y R{y}
  void r_forward_chunk(std::size_t c, S h_y) {
    const ChunkRange& ch = chunks[c];
    Scratch& s = scratch[c];
    const Index rows = static_cast<Index>(ch.count), n = static_cast<Index>(N);
    const std::size_t slice = ch.count * N;
    const S* Uc = U.data() + u_offset(ch);
    S* RUc = RU.data() + u_offset(ch);
    S* DYc = DY.data() + y_offset(ch);
    const ConstMatrixMap W_rec(w.data() + layout.W_rec, n, n);
    const ConstMatrixMap vW_rec(v.data() + layout.W_rec, n, n);
    const S* W_out = w.data() + layout.W_out;
    const S* vW_out = v.data() + layout.W_out;
    const S* vb = v.data() + layout.b;
    const S keep = S(1) - alpha;
    S* rx = s.x.data();
    initial_state(ch, v, rx);
    ArrayMap(RUc, static_cast<Index>(slice)) =
        (S(1) - ConstArrayMap(Uc, static_cast<Index>(slice)).square()) * ConstArrayMap(rx, static_cast<Index>(slice));
    for (std::size_t t = 0; t < T; ++t) {
      MatrixMap A(s.A.data(), rows, n);
      A.noalias() = ConstMatrixMap(RUc + t * slice, rows, n) * W_rec.transpose();
      A.noalias() += ConstMatrixMap(Uc + t * slice, rows, n) * vW_rec.transpose();
      const S* I_t = inputs.data() + ch.first * T * N_in + t * ch.count * N_in;
      const S* u_next = Uc + (t + 1) * slice;
      S* ru_next = RUc + (t + 1) * slice;
      for (std::size_t r = 0; r < ch.count; ++r) {
        S* rxr = rx + r * N;
        const S* Ir = I_t + r * N_in;
        const S* ur = u_next + r * N;
        S* rur = ru_next + r * N;
        S ry0 = 0, ry1 = 0;
        S* drive = s.A.data() + r * N;
        for (std::size_t i = 0; i < N; ++i) drive[i] += vb[i];
        for (std::size_t k = 0; k < N_in; ++k) {
          const S input = Ir[k];
          const S* vW_in_k = vW_in_T.data() + k * N;
          for (std::size_t i = 0; i < N; ++i) drive[i] += input * vW_in_k[i];
        }
        for (std::size_t i = 0; i < N; ++i) {
          rxr[i] = keep * rxr[i] + alpha * drive[i];
          rur[i] = (S(1) - ur[i] * ur[i]) * rxr[i];
          ry0 += W_out[i] * rur[i] + vW_out[i] * ur[i];
          ry1 += W_out[N + i] * rur[i] + vW_out[N + i] * ur[i];
        }
        DYc[(t * ch.count + r) * kOutputs] = h_y * ry0;
        DYc[(t * ch.count + r) * kOutputs + 1] = h_y * ry1;
      }
    }
  }

  double l2_term(const Eigen::VectorXd& theta) const {
    const double n = static_cast<double>(N);
    const double in = theta.segment(static_cast<Index>(layout.W_in), static_cast<Index>(N * N_in)).squaredNorm();
    const double out = theta.segment(static_cast<Index>(layout.W_out), static_cast<Index>(N * kOutputs)).squaredNorm();
    return in / (n * static_cast<double>(N_in)) + out / (n * static_cast<double>(kOutputs));
  }

  // Adds H_L2 x, the exact Hessian of lambda_l2 R_L2 applied to x, to out. R_L2 is quadratic,
  // lambda_l2 R_L2 = theta^T H_L2 theta / 2, so its gradient is H_L2 theta:
  //   d/dW_in = 2 lambda_l2 W_in / (N N_in),  d/dW_out = 2 lambda_l2 W_out / (N 2).
  void add_l2_hessian(const Eigen::VectorXd& x, Eigen::VectorXd& out) const {
    const double n = static_cast<double>(N);
    const double c_in = 2.0 * loss.lambda_l2 / (n * static_cast<double>(N_in));
    const double c_out = 2.0 * loss.lambda_l2 / (n * static_cast<double>(kOutputs));
    out.segment(static_cast<Index>(layout.W_in), static_cast<Index>(N * N_in)) += c_in * x.segment(static_cast<Index>(layout.W_in), static_cast<Index>(N * N_in));
    out.segment(static_cast<Index>(layout.W_out), static_cast<Index>(N * kOutputs)) += c_out * x.segment(static_cast<Index>(layout.W_out), static_cast<Index>(N * kOutputs));
  }

  double finish_terms(const Eigen::VectorXd& theta) {
    double sq_error = 0.0, sq_rate = 0.0;
    for (const auto& s : scratch) {  // chunk order: deterministic
      sq_error += s.sum_sq_error;
      sq_rate += s.sum_sq_rate;
    }
    const double TM = static_cast<double>(T) * static_cast<double>(B);
    terms.error = sq_error / (TM * static_cast<double>(kOutputs));
    terms.firing_rate = sq_rate / (TM * static_cast<double>(N));
    terms.l2 = l2_term(theta);
    terms.total = terms.error + loss.lambda_l2 * terms.l2 + loss.lambda_fr * terms.firing_rate;
    terms.position_rms = std::sqrt(sq_error / TM);
    return terms.total;
  }

  void ensure_state_buffers(bool with_curvature) {
    const std::size_t u_size = B * (T + 1) * N;
    if (U.size() != u_size) U.assign(u_size, S(0));
    if (GZ.size() != B * T * N) GZ.assign(B * T * N, S(0));
    if (DY.size() != B * T * kOutputs) DY.assign(B * T * kOutputs, S(0));
    if (with_curvature && RU.size() != curvature_trials * (T + 1) * N) RU.assign(curvature_trials * (T + 1) * N, S(0));
  }

  // A forward pass at theta that leaves the stored states (and their weights) untouched.
  void forward_without_storing(const Eigen::VectorXd& theta, float* outputs, float* activities) {
    load_weights(theta, w_eval, W_in_T_eval);
    std::swap(w, w_eval);
    std::swap(W_in_T, W_in_T_eval);
    if (outputs != nullptr) {  // predict: every chunk here
      parallel_for(chunks.size(), [&](std::size_t c) { forward_chunk(c, false, outputs, activities); });
    } else {
      for_owned_chunks(chunks.size(), [&](std::size_t c) { forward_chunk(c, false, nullptr, nullptr); });
      exchange_partials(chunks.size(), false);
    }
    std::swap(w, w_eval);
    std::swap(W_in_T, W_in_T_eval);
  }

  // Runs body(c) for the chunks in [0, chunk_count) this process owns (all of them alone).
  void for_owned_chunks(std::size_t chunk_count, const std::function<void(std::size_t)>& body) {
    if (exchange.ranks <= 1) {
      parallel_for(chunk_count, body);
      return;
    }
    std::vector<std::size_t> mine;
    for (std::size_t c = 0; c < chunk_count; ++c)
      if (owner[c] == exchange.rank) mine.push_back(c);
    parallel_for(mine.size(), [&](std::size_t i) { body(mine[i]); });
  }

  // After for_owned_chunks: gives every process every chunk's partials (the parameter gradient
  // if with_partial, and the two sums), copied back exactly into the chunk's scratch.
  void exchange_partials(std::size_t chunk_count, bool with_partial) {
    if (exchange.ranks <= 1) return;
    const std::size_t width = 2 + (with_partial ? layout.total : 0);
    exchange_rows.assign(chunk_count * width, 0.0);
    for (std::size_t c = 0; c < chunk_count; ++c) {
      if (owner[c] != exchange.rank) continue;
      double* row = exchange_rows.data() + c * width;
      row[0] = scratch[c].sum_sq_error;
      row[1] = scratch[c].sum_sq_rate;
      if (with_partial)
        for (std::size_t i = 0; i < layout.total; ++i) row[2 + i] = static_cast<double>(scratch[c].partial[i]);
    }
    exchange.all_gather(exchange_rows, width, std::span<const std::size_t>(owner.data(), chunk_count));
    for (std::size_t c = 0; c < chunk_count; ++c) {
      const double* row = exchange_rows.data() + c * width;
      scratch[c].sum_sq_error = row[0];
      scratch[c].sum_sq_rate = row[1];
      if (with_partial)
        for (std::size_t i = 0; i < layout.total; ++i) scratch[c].partial[i] = static_cast<S>(row[2 + i]);
    }
  }

  void reduce_partials(std::size_t chunk_count, Eigen::VectorXd& out) const {
    out.setZero(static_cast<Index>(layout.total));
    for (std::size_t c = 0; c < chunk_count; ++c)
      for (std::size_t i = 0; i < layout.total; ++i) out[static_cast<Index>(i)] += static_cast<double>(scratch[c].partial[i]);
  }
};

template <typename S>
CtrnnObjectiveT<S>::CtrnnObjectiveT(const ModelOptions& model, const LossOptions& loss,
                                    const ObjectiveSettings& settings)
    : impl_(std::make_unique<Impl>(model, loss, settings)) {}
template <typename S>
CtrnnObjectiveT<S>::~CtrnnObjectiveT() = default;
template <typename S>
CtrnnObjectiveT<S>::CtrnnObjectiveT(CtrnnObjectiveT&&) noexcept = default;
template <typename S>
CtrnnObjectiveT<S>& CtrnnObjectiveT<S>::operator=(CtrnnObjectiveT&&) noexcept = default;

template <typename S>
std::size_t CtrnnObjectiveT<S>::num_parameters() const { return impl_->layout.total; }
template <typename S>
const ModelOptions& CtrnnObjectiveT<S>::model_options() const { return impl_->model; }
template <typename S>
const LossOptions& CtrnnObjectiveT<S>::loss_options() const { return impl_->loss; }
template <typename S>
LossTerms CtrnnObjectiveT<S>::last_terms() const { return impl_->terms; }
template <typename S>
LossTerms CtrnnObjectiveT<S>::gradient_terms() const { return impl_->gradient_terms; }

template <typename S>
void CtrnnObjectiveT<S>::set_minibatch(const MinibatchView& batch) {
  Impl& m = *impl_;
  if (batch.steps < 1 || batch.trials < 1)
    throw_user_error("minibatch has {} steps and {} trials: both must be >= 1", batch.steps, batch.trials);
  const std::size_t TB = batch.steps * batch.trials;
  if (batch.inputs.size() != TB * m.N_in)
    throw_user_error("minibatch inputs have {} values; expected (T, B, N_in) = ({}, {}, {}) = {}",
                     batch.inputs.size(), batch.steps, batch.trials, m.N_in, TB * m.N_in);
  if (!batch.targets.empty() && batch.targets.size() != TB * kOutputs)
    throw_user_error("minibatch targets have {} values; expected (T, B, 2) = ({}, {}, 2) = {}",
                     batch.targets.size(), batch.steps, batch.trials, TB * kOutputs);
  if (m.model.initial_state == InitialState::kFromPosition && batch.starts.size() != batch.trials * kOutputs)
    throw_user_error("initial_state = from_position needs start positions (B, 2) = ({}, 2); got {} values",
                     batch.trials, batch.starts.size());
  m.T = batch.steps;
  m.B = batch.trials;
  m.has_targets = !batch.targets.empty();
  m.batch_inputs.assign(batch.inputs.begin(), batch.inputs.end());
  m.batch_targets.assign(batch.targets.begin(), batch.targets.end());
  m.batch_starts.assign(batch.starts.begin(), batch.starts.end());
  m.noise_seed = batch.noise_seed;
  m.update_index = batch.update_index;
  m.build_layout();
}

template <typename S>
void CtrnnObjectiveT<S>::set_curvature_trials(std::size_t count) {
  Impl& m = *impl_;
  if (m.curvature_request == count) return;
  m.curvature_request = count;
  if (m.T > 0) m.build_layout();  // chunk boundaries follow the curvature subset
}

template <typename S>
double CtrnnObjectiveT<S>::value(const Eigen::VectorXd& theta) {
  Impl& m = *impl_;
  m.require_batch();
  m.forward_without_storing(theta, nullptr, nullptr);
  return m.finish_terms(theta);
}

template <typename S>
double CtrnnObjectiveT<S>::value_gradient(const Eigen::VectorXd& theta, Eigen::VectorXd& gradient) {
  Impl& m = *impl_;
  m.require_batch();
  if (!m.has_targets) throw InternalError("value_gradient needs targets in the minibatch");
  m.load_weights(theta, m.w, m.W_in_T);
  m.ensure_state_buffers(false);
  const S rate_coef = static_cast<S>(2.0 * m.loss.lambda_fr /
                                     (static_cast<double>(m.N) * static_cast<double>(m.T) * static_cast<double>(m.B)));
  m.for_owned_chunks(m.chunks.size(), [&](std::size_t c) {
    m.forward_chunk(c, true, nullptr, nullptr);
    const ChunkRange& ch = m.chunks[c];
    m.backward_chunk(c, m.DY.data() + m.y_offset(ch), m.U.data() + m.u_offset(ch), rate_coef);
  });
  m.exchange_partials(m.chunks.size(), true);
  m.reduce_partials(m.chunks.size(), gradient);
  m.add_l2_hessian(theta, gradient);  // R_L2 is quadratic: its gradient is its Hessian times theta
  m.stored_theta = theta;
  m.states_valid = true;
  const double total = m.finish_terms(theta);
  m.gradient_terms = m.terms;
  return total;
}

template <typename S>
void CtrnnObjectiveT<S>::gauss_newton_product(const Eigen::VectorXd& v, double structural_weight,
                                              Eigen::VectorXd& out) {
  Impl& m = *impl_;
  m.require_batch();
  if (m.stored_theta.size() == 0) throw InternalError("gauss_newton_product called before value_gradient");
  if (!(structural_weight >= 0.0)) throw InternalError("structural_weight must be >= 0");
  if (!m.states_valid) {  // value() or a new chunk layout replaced the states: recompute them
    Eigen::VectorXd scratch_gradient;
    const LossTerms saved = m.terms;
    value_gradient(m.stored_theta, scratch_gradient);
    m.terms = saved;
  }
  m.load_weights(v, m.v, m.vW_in_T);
  m.ensure_state_buffers(true);
  const double Mc = static_cast<double>(m.curvature_trials), T = static_cast<double>(m.T);
  const S h_y = static_cast<S>(1.0 / (Mc * T));
  const S h_u = static_cast<S>(2.0 * (m.loss.lambda_fr + structural_weight) / (static_cast<double>(m.N) * T * Mc));
  // RU holds only the curvature chunks, which come first: chunk offsets coincide with U's.
  // Each process runs the curvature chunks it owns, whose states its value_gradient stored.
  m.for_owned_chunks(m.curvature_chunks, [&](std::size_t c) {
    m.r_forward_chunk(c, h_y);
    const ChunkRange& ch = m.chunks[c];
    m.backward_chunk(c, m.DY.data() + m.y_offset(ch), m.RU.data() + m.u_offset(ch), h_u);
  });
  m.exchange_partials(m.curvature_chunks, true);
  m.reduce_partials(m.curvature_chunks, out);
  m.add_l2_hessian(v, out);
  // The backward pass overwrote DY (dL/dy) and GZ; U is intact, so states stay valid for more
  // products at the same theta.
}

template <typename S>
void CtrnnObjectiveT<S>::set_chunk_exchange(ChunkExchange exchange) {
  Impl& m = *impl_;
  if (exchange.ranks < 1 || exchange.rank >= exchange.ranks || (exchange.ranks > 1 && !exchange.all_gather))
    throw InternalError("set_chunk_exchange: rank out of range or no all_gather");
  m.exchange = std::move(exchange);
  if (m.T > 0) m.build_layout();
}

template <typename S>
void CtrnnObjectiveT<S>::predict(const Eigen::VectorXd& theta, std::span<float> outputs,
                                 std::span<float> activities) {
  Impl& m = *impl_;
  m.require_batch();
  if (outputs.size() != m.T * m.B * kOutputs || activities.size() != m.T * m.B * m.N)
    throw InternalError("predict: output spans have the wrong size");
  m.forward_without_storing(theta, outputs.data(), activities.data());
  m.finish_terms(theta);
}

template class CtrnnObjectiveT<float>;
template class CtrnnObjectiveT<double>;

}  // namespace gridrnn::model

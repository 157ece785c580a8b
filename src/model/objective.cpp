// The CTRNN objective: forward pass, backpropagation through time and the Gauss–Newton product,
// written once for float and double (equations: docs/design.md "## The network").
//
// Memory layout, per chunk of Bc trials (chunk-major, then time-major, then trial, then unit):
//   U      (T+1, Bc, N)   u[t] of the last stored forward pass (with rate noise: r[t] + xi)
//   R      (T+1, Bc, N)   r[t] = f(x[t]), only with rate noise (else U is r)
//   GZ     (T, Bc, N)     alpha * dL/dx[t+1]: the gradient w.r.t. the drive of step t; before the
//                         backward pass it holds the cell heads' dL/du[t+1]. Without cell heads
//                         only (2, Bc, N): step t in slot t % 2, as the backward loop needs no more
//                         (100 MB less memory at the paper's size)
//   RU     (T+1, Bc, N)   R{u[t]} of the last G v (only curvature chunks)
//   DY     (T, Bc, 2)     dL/dy[t] of the position head (or H_y R{y[t]} in G v)
//   P, DZ  (T, Bc, K)     per cell head (place, head direction): softmax(z), dL/dz (or H R{z})
//   inputs (T, Bc, N_in), targets (T, Bc, 2), starts (Bc, 2), cell-head targets Q (T, Bc, K)
// (U ends in kReadSlack spare values: the dW_rec product reads whole registers.)
// Each step is one (Bc x N)(N x N) product and one (Bc x N)(N x K) per cell head, with the weights
// packed once per pass (model/detail/small_gemm.hpp). The weight gradients of W_rec, W_in, b and
// W_out accumulate step by step in the backward recurrence (GZ[t]^T U[t] and the rest, while the
// step's rows are in cache); the cell heads' DZ^T U and dL/du = DZ W are single products over
// all T*Bc rows.
#include "model/detail/avx512_warnings.hpp"  // first: before any Eigen header
#include "gridrnn/model/objective.hpp"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <limits>
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

  // A softmax or squared-error head over K cells (place or head direction): z = W u, W (K, N)
  // at theta offset `offset`. Per chunk (chunk-major, as U): targets Q (T, Bc, K); in the stored
  // pass P = softmax(z) (cross-entropy: kept for G v) and DZ = dL/dz (or H R{z} in G v).
  struct CellHead {
    HeadKind kind = HeadKind::kPlace;
    std::size_t K = 0, offset = 0;
    bool cross_entropy = true;
    double weight = 1.0;
    AlignedVector<S> Q, P, DZ;
  };

  ModelOptions model;
  LossOptions loss;
  ObjectiveSettings settings;
  ParameterLayout layout;
  std::size_t N, N_in;
  S alpha;
  Nonlinearity f;
  bool rate_noise;         // noise on the rate: u != r, R stored apart from U
  bool place_initial;      // from_place_code: u[0] = x[0]
  std::vector<CellHead> cell_heads;  // place first, then head direction
  int place_index = -1;    // index of the place head in cell_heads, or -1

  // Minibatch, original layout (kept so chunks can be rebuilt when the curvature count changes).
  std::size_t T = 0, B = 0;
  bool has_targets = false;
  AlignedVector<float> batch_inputs, batch_targets, batch_starts, batch_headings;
  std::uint64_t noise_seed = 0, update_index = 0;
  std::size_t curvature_request = 0;  // 0 = all

  // Chunked copies and states.
  std::vector<ChunkRange> chunks;
  std::size_t curvature_chunks = 0, curvature_trials = 0;
  AlignedVector<S> inputs, targets, starts, start_codes;
  AlignedVector<S> U, R, GZ, RU, DY;
  struct Scratch {
    AlignedVector<S> x, A, ring, rate, z, decoded, exp;
    AlignedVector<float> noise;
    AlignedVector<S> partial;  // per-chunk parameter gradient
    AlignedVector<S> partial_in;  // (N_in, N): the chunk's dL/dW_in, transposed
    double sum_position = 0.0, sum_rate = 0.0, sum_decoded = 0.0;
    std::vector<double> sum_cells;  // per cell head
  };
  std::vector<Scratch> scratch;

  // Weights in the compute precision, same layout as theta; W_in transposed for the drive loop.
  // w holds the weights of the stored states (the last value_gradient); value() and predict()
  // swap their own weights in for the duration of the call, so G v still finds theta's.
  AlignedVector<S> w, v, W_in_T, vW_in_T, w_eval, W_in_T_eval;
  // Weights packed for the products (small_gemm.hpp), per weight set (w, w_eval, v): W_rec^T
  // (forward, R-pass), W_rec (backward), and per cell head W_h^T (z = u W_h^T, R{z}) and W_h
  // (dL/du = dL/dz W_h, backward only).
  struct Packed {
    detail::PackedRhs<S> rec_T, rec;
    std::vector<detail::PackedRhs<S>> head_T, head;
  };
  Packed packed, packed_eval, packed_v;
  Eigen::VectorXd stored_theta;
  bool states_valid = false;
  LossTerms terms, gradient_terms;

  // Work split across processes (ChunkExchange); owner[c] is the process that computes chunk c.
  ChunkExchange exchange;
  std::vector<std::size_t> owner;
  std::vector<double> exchange_rows;

  Impl(const ModelOptions& m, const LossOptions& l, const ObjectiveSettings& s)
      : model(m), loss(l), settings(s), layout(m), N(m.units), N_in(m.inputs),
        alpha(static_cast<S>(m.alpha())), f(m.nonlinearity),
        rate_noise(m.noise_placement == NoisePlacement::kRate && m.noise_sd > 0.0),
        place_initial(m.initial_state == InitialState::kFromPlaceCode) {
    model.validate();
    loss.validate();
    single_threaded_blas();
    if (settings.chunk_trials < 1) throw_user_error("chunk_trials = 0: must be >= 1");
    const auto& ro = model.readout;
    if (ro.place) {
      if (ro.place_centres.size() != 2 * ro.place_head.cells)
        throw_user_error("the place head needs its {} centres ({}, 2); got {} values", ro.place_head.cells,
                         ro.place_head.cells, ro.place_centres.size());
      place_index = static_cast<int>(cell_heads.size());
      cell_heads.push_back({HeadKind::kPlace, layout.place_cells, layout.W_place,
                            ro.place_head.loss == PlaceLoss::kCrossEntropy, ro.place_head.weight, {}, {}, {}});
    }
    if (ro.head_direction)
      cell_heads.push_back({HeadKind::kHeadDirection, layout.hd_cells, layout.W_hd, true, ro.head_direction_head.weight, {}, {}, {}});
  }

  std::size_t u_offset(const ChunkRange& c) const { return c.first * (T + 1) * N; }
  // GZ[t] of chunk c (see the layout at the top): every step with cell heads, else a ring of two.
  bool gz_every_step() const { return !cell_heads.empty(); }
  std::size_t gz_size() const { return B * (gz_every_step() ? T : 2) * N; }
  S* gz_step(const ChunkRange& c, std::size_t t) {
    return gz_every_step() ? GZ.data() + c.first * T * N + t * c.count * N
                           : GZ.data() + c.first * 2 * N + (t % 2) * c.count * N;
  }
  std::size_t y_offset(const ChunkRange& c) const { return c.first * T * kOutputs; }
  std::size_t cell_offset(const ChunkRange& c, std::size_t K) const { return c.first * T * K; }
  std::size_t widest_head() const {
    std::size_t K = 0;
    for (const auto& h : cell_heads) K = std::max(K, h.K);
    return K;
  }
  // Noise-free rates r of the stored pass: U itself unless the noise is on the rate.
  S* rates() { return rate_noise ? R.data() : U.data(); }

  void build_layout() {
    chunks.clear();
    curvature_trials = (curvature_request == 0 || curvature_request > B) ? B : curvature_request;
    split_range(0, curvature_trials, settings.chunk_trials, chunks);
    curvature_chunks = chunks.size();
    split_range(curvature_trials, B, settings.chunk_trials, chunks);
    // The loop below writes every entry of inputs, targets, the targets' codes Q and start_codes:
    // resized, not zeroed (tens of MB a minibatch at the place-cell control's size).
    inputs.resize(T * B * N_in);
    if (has_targets) {
      targets.resize(T * B * kOutputs);
    } else {
      targets.assign(T * B * kOutputs, S(0));  // not written below, and not read without targets
    }
    starts.assign(B * kOutputs, S(0));
    const std::size_t Kp = place_index >= 0 ? cell_heads[static_cast<std::size_t>(place_index)].K : 0;
    start_codes.resize(place_initial ? B * Kp : 0);
    for (auto& h : cell_heads) h.Q.resize(has_targets ? T * B * h.K : 0);
    scratch.resize(chunks.size());
    const double* centres = model.readout.place_centres.data();
    // Chunks fill disjoint rows: in parallel (the place codes are the costly part).
    parallel_for(chunks.size(), [&](std::size_t c) {
      const auto& ch = chunks[c];
      for (std::size_t t = 0; t < T; ++t) {
        for (std::size_t r = 0; r < ch.count; ++r) {
          const std::size_t m = ch.first + r;
          const std::size_t row = t * ch.count + r;
          for (std::size_t k = 0; k < N_in; ++k)
            inputs[ch.first * T * N_in + row * N_in + k] = static_cast<S>(batch_inputs[(t * B + m) * N_in + k]);
          if (!has_targets) continue;
          for (std::size_t k = 0; k < kOutputs; ++k)
            targets[y_offset(ch) + row * kOutputs + k] = static_cast<S>(batch_targets[(t * B + m) * kOutputs + k]);
          for (auto& h : cell_heads)
            if (h.kind == HeadKind::kHeadDirection)
              head_direction_code(model.readout.head_direction_head, static_cast<double>(batch_headings[t * B + m]),
                                  h.Q.data() + cell_offset(ch, h.K) + row * h.K);
        }
        if (has_targets && place_index >= 0) {  // the step's place codes, for the chunk's rows at once
          CellHead& h = cell_heads[static_cast<std::size_t>(place_index)];
          place_codes(model.readout.place_head, centres, batch_targets.data() + (t * B + ch.first) * kOutputs, ch.count,
                      h.Q.data() + cell_offset(ch, h.K) + t * ch.count * h.K);
        }
      }
      if (!batch_starts.empty())
        for (std::size_t i = 0; i < ch.count * kOutputs; ++i) starts[ch.first * kOutputs + i] = static_cast<S>(batch_starts[ch.first * kOutputs + i]);
      if (place_initial)
        place_codes(model.readout.place_head, centres, batch_starts.data() + ch.first * kOutputs, ch.count,
                    start_codes.data() + ch.first * Kp);
      auto& s = scratch[c];
      s.x.assign(ch.count * N, S(0));
      s.A.assign(ch.count * N, S(0));
      s.ring.assign(2 * ch.count * N, S(0));
      s.rate.assign(rate_noise ? ch.count * N : 0, S(0));
      s.z.assign(ch.count * widest_head(), S(0));
      s.decoded.assign(ch.count * kOutputs, S(0));
      s.exp.assign(widest_head(), S(0));
      s.noise.assign(ch.count * N, 0.0f);
      s.partial.resize(layout.total);  // every entry written by backward_chunk
      s.sum_cells.assign(cell_heads.size(), 0.0);
    });
    owner.resize(chunks.size());
    for (std::size_t c = 0; c < chunks.size(); ++c)
      owner[c] = chunk_owner(c, curvature_chunks, chunks.size(), exchange.ranks);
    // U, R, GZ, RU, DY and the heads' P and DZ keep their storage: ensure_state_buffers resizes
    // them when the minibatch's shape changes, and the stored passes write every entry they read.
    states_valid = false;
  }

  // theta in the compute precision into `out`, W_in^T into in_T and the packed products into p
  // (the backward ones only with `backward`).
  void load_weights(const Eigen::VectorXd& theta, AlignedVector<S>& out, AlignedVector<S>& in_T, Packed& p,
                    bool backward) const {
    if (static_cast<std::size_t>(theta.size()) != layout.total)
      throw_user_error("parameter vector has {} entries; this network (N = {}, N_in = {}, {}, heads {}) has {}",
                       theta.size(), N, N_in, to_string(model.initial_state), model.readout.heads_name(), layout.total);
    out.resize(layout.total);
    for_parameter_blocks([&](std::size_t begin, std::size_t end) {
      for (std::size_t i = begin; i < end; ++i) out[i] = static_cast<S>(theta[static_cast<Index>(i)]);
    });
    in_T.resize(N * N_in);
    for (std::size_t i = 0; i < N; ++i)
      for (std::size_t k = 0; k < N_in; ++k) in_T[k * N + i] = out[layout.W_in + i * N_in + k];
    detail::pack_rhs_transposed(out.data() + layout.W_rec, N, N, p.rec_T);
    if (backward) detail::pack_rhs(out.data() + layout.W_rec, N, N, p.rec);
    p.head_T.resize(cell_heads.size());
    p.head.resize(backward ? cell_heads.size() : 0);
    for (std::size_t h = 0; h < cell_heads.size(); ++h) {
      const S* W = out.data() + cell_heads[h].offset;  // (K, N)
      detail::pack_rhs_transposed(W, cell_heads[h].K, N, p.head_T[h]);
      if (backward) detail::pack_rhs(W, cell_heads[h].K, N, p.head[h]);
    }
  }

  void require_batch() const {
    if (T == 0) throw InternalError("CtrnnObjective used before set_minibatch");
  }

  // x[0] for the chunk's trials from the initial block of `weights` (w forward, v in the R-pass).
  void initial_state(const ChunkRange& ch, const AlignedVector<S>& weights, S* x) const {
    const std::size_t Kp = layout.place_cells;
    detail::initial_state_rows(model.initial_state, weights.data() + layout.initial, starts.data() + ch.first * kOutputs,
                               place_initial ? start_codes.data() + ch.first * Kp : nullptr, Kp, ch.count, N, x);
  }

  // The heads on u[t+1] of chunk c (rows (Bc, N)): adds the loss sums to the chunk's scratch; if
  // `store`, writes dL/dy to DY and, per cell head, softmax(z) to P and dL/dz to DZ at rows of
  // step t. Decoded positions and (if given) outputs (T, B, 2) too.
  void heads_step(std::size_t c, std::size_t t, const S* u, bool store, float* outputs) {
    const ChunkRange& ch = chunks[c];
    Scratch& s = scratch[c];
    const double MT = static_cast<double>(B) * static_cast<double>(T);
    const S* tgt = targets.data() + y_offset(ch) + t * ch.count * kOutputs;  // (Bc, 2)
    // Decoded positions of this step, (Bc, 2): from the position head, else the place head.
    S* decoded = s.decoded.data();
    if (layout.position) {
      const S* W_out = w.data() + layout.W_out;
      const double weight = model.readout.position_head.weight;
      for (std::size_t r = 0; r < ch.count; ++r) {
        S y0, y1;
        detail::readout(W_out, u + r * N, N, y0, y1);
        decoded[2 * r] = y0;
        decoded[2 * r + 1] = y1;
        if (!has_targets) continue;
        const S e0 = y0 - tgt[2 * r], e1 = y1 - tgt[2 * r + 1];
        s.sum_position += static_cast<double>(e0) * e0 + static_cast<double>(e1) * e1;
        if (store) {  // dE/dy = (y - target) / (M T)
          S* dy = DY.data() + y_offset(ch) + (t * ch.count + r) * kOutputs;
          dy[0] = static_cast<S>(weight / MT * static_cast<double>(e0));
          dy[1] = static_cast<S>(weight / MT * static_cast<double>(e1));
        }
      }
    }
    for (std::size_t h = 0; h < cell_heads.size(); ++h) {
      CellHead& head = cell_heads[h];
      const std::size_t K = head.K;
      S* z = s.z.data();
      detail::multiply_packed(u, ch.count, packed.head_T[h], z);  // z = u W_h^T  (Bc, K)
      if (head.kind == HeadKind::kPlace && !layout.position) {
        const double* centres = model.readout.place_centres.data();
        for (std::size_t r = 0; r < ch.count; ++r) {
          double x, y;
          decode_place(z + r * K, centres, K, x, y);
          decoded[2 * r] = static_cast<S>(x);
          decoded[2 * r + 1] = static_cast<S>(y);
        }
      }
      if (!has_targets) continue;
      const std::size_t row0 = cell_offset(ch, K) + t * ch.count * K;
      const S* Q = head.Q.data() + row0;
      double sum = 0.0;
      for (std::size_t r = 0; r < ch.count; ++r) {
        const S* zr = z + r * K;
        const S* qr = Q + r * K;
        if (head.cross_entropy) {
          // -sum_i q_i log softmax_i(z) = lse(z) - q . z   (sum_i q_i = 1); vectorized exp
          const ConstArrayMap zv(zr, static_cast<Index>(K)), qv(qr, static_cast<Index>(K));
          const S largest = zv.maxCoeff();
          S* e = s.exp.data();
          ArrayMap ev(e, static_cast<Index>(K));
          // Exponents floored (kSoftmaxExponentFloor): subnormal P would also slow the products
          // that take P - q.
          ev = (zv - largest).max(S(kSoftmaxExponentFloor)).exp();
          const double exp_sum = static_cast<double>(ev.sum());
          const double lse = static_cast<double>(largest) + std::log(exp_sum);
          sum += lse - static_cast<double>((qv * zv).sum());
          if (store) {  // P = softmax(z); dE/dz = (P - q) / (M T)
            ArrayMap pv(head.P.data() + row0 + r * K, static_cast<Index>(K));
            pv = ev * static_cast<S>(1.0 / exp_sum);
            ArrayMap(head.DZ.data() + row0 + r * K, static_cast<Index>(K)) = static_cast<S>(head.weight / MT) * (pv - qv);
          }
        } else {
          double sq = 0.0;
          for (std::size_t i = 0; i < K; ++i) {
            const double e = static_cast<double>(zr[i]) - static_cast<double>(qr[i]);
            sq += e * e;
          }
          sum += sq;
          if (store) {  // dE/dz = 2 (z - q) / (M T K)
            S* dz = head.DZ.data() + row0 + r * K;
            const S scale = static_cast<S>(2.0 * head.weight / (MT * static_cast<double>(K)));
            for (std::size_t i = 0; i < K; ++i) dz[i] = scale * (zr[i] - qr[i]);
          }
        }
      }
      s.sum_cells[h] += sum;
    }
    if (layout.position || place_index >= 0) {
      for (std::size_t r = 0; r < ch.count; ++r) {
        if (has_targets) {
          const double e0 = static_cast<double>(decoded[2 * r]) - static_cast<double>(tgt[2 * r]);
          const double e1 = static_cast<double>(decoded[2 * r + 1]) - static_cast<double>(tgt[2 * r + 1]);
          s.sum_decoded += e0 * e0 + e1 * e1;
        }
        if (outputs != nullptr) {
          const std::size_t m = ch.first + r;
          outputs[(t * B + m) * kOutputs] = static_cast<float>(decoded[2 * r]);
          outputs[(t * B + m) * kOutputs + 1] = static_cast<float>(decoded[2 * r + 1]);
        }
      }
    } else if (outputs != nullptr) {  // head direction only: no position to decode
      for (std::size_t r = 0; r < ch.count; ++r)
        for (std::size_t k = 0; k < kOutputs; ++k)
          outputs[(t * B + ch.first + r) * kOutputs + k] = std::numeric_limits<float>::quiet_NaN();
    }
  }

  // Forward pass of one chunk. If `store`, u[t] goes to U (r[t] to R with rate noise) and the
  // heads' output gradients to DY / DZ (for the backward pass); otherwise two alternating slices
  // suffice. Accumulates the heads' loss sums and sum_{t>=1} r^2. If outputs/activities are
  // given, copies decoded positions and u[1..T] there in (T, B, .).
  void forward_chunk(std::size_t c, bool store, float* outputs, float* activities) {
    const ChunkRange& ch = chunks[c];
    Scratch& s = scratch[c];
    const std::size_t slice = ch.count * N;
    S* u_base = store ? U.data() + u_offset(ch) : s.ring.data();
    auto u_slot = [&](std::size_t t) { return store ? u_base + t * slice : u_base + (t % 2) * slice; };
    auto r_slot = [&](std::size_t t) {
      if (!rate_noise) return u_slot(t);
      return store ? R.data() + u_offset(ch) + t * slice : s.rate.data();
    };
    const float noise_sd = static_cast<float>(model.noise_sd);
    const S* bias = model.bias ? w.data() + layout.b : nullptr;
    S* x = s.x.data();
    s.sum_position = s.sum_rate = s.sum_decoded = 0.0;
    std::fill(s.sum_cells.begin(), s.sum_cells.end(), 0.0);
    initial_state(ch, w, x);
    detail::initial_rate(model.initial_state, f, x, u_slot(0), slice);
    if (rate_noise && store) std::copy(u_slot(0), u_slot(0) + slice, r_slot(0));
    for (std::size_t t = 0; t < T; ++t) {
      if (noise_sd > 0.0f)
        generate_noise(noise_seed, update_index, ch.first, ch.count, t, N, noise_sd, s.noise.data());
      const S* I_t = inputs.data() + ch.first * T * N_in + t * ch.count * N_in;  // (Bc, N_in)
      S* u_next = u_slot(t + 1);
      S* r_next = r_slot(t + 1);
      detail::forward_step(u_slot(t), u_next, r_next, x, s.A.data(), noise_sd > 0.0f ? s.noise.data() : nullptr,
                           model.noise_placement, f, I_t, packed.rec_T, W_in_T.data(), bias, alpha, ch.count, N, N_in);
      s.sum_rate += static_cast<double>(ConstArrayMap(r_next, static_cast<Index>(slice)).square().sum());
      heads_step(c, t, u_next, store, outputs);
      if (activities != nullptr)
        for (std::size_t r = 0; r < ch.count; ++r)
          for (std::size_t i = 0; i < N; ++i) activities[(t * B + ch.first + r) * N + i] = static_cast<float>(u_next[r * N + i]);
    }
  }

  // GZ[0..T) of chunk c = dL/du[1..T] through the cell heads: sum_h DZ_h W_h, one product over
  // all T*Bc rows per head (the position head's 2 columns are added row by row in the backward
  // loop instead). Leaves GZ untouched without cell heads.
  void cell_heads_to_gz(std::size_t c) {
    if (cell_heads.empty()) return;
    const ChunkRange& ch = chunks[c];
    for (std::size_t h = 0; h < cell_heads.size(); ++h)  // GZ (+)= DZ_h W_h over all T Bc rows
      detail::multiply_packed(cell_heads[h].DZ.data() + cell_offset(ch, cell_heads[h].K), T * ch.count, packed.head[h],
                              gz_step(ch, 0), /*accumulate=*/h > 0);
  }

  // Backward pass of one chunk: given DY = dL/dy (T, Bc, 2), the cell heads' dL/du already in GZ
  // (cell_heads_to_gz) and the direct term dL/du[t] += coef * direct[t] (t >= 1), runs
  //   gu[t] = W_rec^T GZ[t] + W_out^T DY[t-1] + (cell heads)[t-1] + coef direct[t]
  //   gx[t] = (1 - alpha) gx[t+1] + f'(x[t]) gu[t],   GZ[t-1] = alpha gx[t]
  // (f' from the stored rate; 1 at t = 0 with from_place_code) and writes the chunk's parameter
  // gradient (J^T of the given output gradients) to s.partial.
  // One trial's backward step t >= 1 (see backward_chunk), fused: G = W_rec^T gz[t] (N) on entry,
  //   gu = G + W_out^T dy + (cell heads' dL/du, in gz on entry) + coef direct
  //   gx = (1 - alpha) gx + f'(x) gu;   gz = alpha gx   (GZ[t-1], over the cell heads' term)
  // and adds the step's terms I gz^T, gz and dy u[t]^T to dW_in^T (N_in, N), db and dW_out.
  // The variants are template arguments (kPosition: dy given, kCells, kBias: db given, F), so the
  // loop has no branches; backward_rows picks the instance.
  template <bool kPosition, bool kCells, bool kBias, Nonlinearity F>
  void backward_row(const S* G, S* gx, S* gz, const S* rate, const S* direct, S coef, const S* dy, const S* W_out,
                    const S* input, const S* u_next, S* dW_in_T, S* db, S* dW_out) const {
    const S keep = S(1) - alpha, a = alpha;
    const S dy0 = kPosition ? dy[0] : S(0), dy1 = kPosition ? dy[1] : S(0);
#pragma omp simd
    for (std::size_t i = 0; i < N; ++i) {
      S g = G[i] + coef * direct[i];
      if constexpr (kPosition) g += dy0 * W_out[i] + dy1 * W_out[N + i];
      if constexpr (kCells) g += gz[i];
      const S x = keep * gx[i] + detail::slope_from_rate(F, rate[i]) * g;
      gx[i] = x;
      const S z = a * x;
      gz[i] = z;
      if constexpr (kBias) db[i] += z;
      if constexpr (kPosition) {
        dW_out[i] = std::fma(dy0, u_next[i], dW_out[i]);
        dW_out[N + i] = std::fma(dy1, u_next[i], dW_out[N + i]);
      }
    }
    for (std::size_t k = 0; k < N_in; ++k) {
      const S in = input[k];
      S* acc = dW_in_T + k * N;
#pragma omp simd
      for (std::size_t i = 0; i < N; ++i) acc[i] = std::fma(in, gz[i], acc[i]);
    }
  }

  // backward_row for the `rows` trials of a step (arrays (rows, N); dy (rows, 2) or nullptr).
  void backward_rows(std::size_t rows, const S* G, S* gx, S* gz, const S* rate, const S* direct, S coef, const S* dy,
                     const S* W_out, bool cells, const S* input, const S* u_next, S* dW_in_T, S* db, S* dW_out) const {
    auto run = [&]<bool kPosition, bool kCells, bool kBias, Nonlinearity F>() {
      for (std::size_t r = 0; r < rows; ++r)
        backward_row<kPosition, kCells, kBias, F>(G + r * N, gx + r * N, gz + r * N, rate + r * N, direct + r * N, coef,
                                                  kPosition ? dy + r * kOutputs : nullptr, W_out, input + r * N_in,
                                                  u_next + r * N, dW_in_T, db, dW_out);
    };
    auto by_nonlinearity = [&]<bool kPosition, bool kCells, bool kBias>() {
      switch (f) {
        case Nonlinearity::kTanh: run.template operator()<kPosition, kCells, kBias, Nonlinearity::kTanh>(); break;
        case Nonlinearity::kRelu: run.template operator()<kPosition, kCells, kBias, Nonlinearity::kRelu>(); break;
        case Nonlinearity::kRetanh: run.template operator()<kPosition, kCells, kBias, Nonlinearity::kRetanh>(); break;
      }
    };
    auto by_bias = [&]<bool kPosition, bool kCells>() {
      if (db != nullptr) by_nonlinearity.template operator()<kPosition, kCells, true>();
      else by_nonlinearity.template operator()<kPosition, kCells, false>();
    };
    const bool position = dy != nullptr;
    if (position && cells) by_bias.template operator()<true, true>();
    else if (position) by_bias.template operator()<true, false>();
    else if (cells) by_bias.template operator()<false, true>();
    else by_bias.template operator()<false, false>();
  }

  void backward_chunk(std::size_t c, const S* direct, S coef) {
    const ChunkRange& ch = chunks[c];
    Scratch& s = scratch[c];
    const Index rows = static_cast<Index>(ch.count), n = static_cast<Index>(N);
    const std::size_t slice = ch.count * N;
    const S* Uc = U.data() + u_offset(ch);
    const S* Rc = rates() + u_offset(ch);
    const S* DYc = DY.data() + y_offset(ch);
    const S* W_out = w.data() + layout.W_out;
    const bool position = layout.position, cells = !cell_heads.empty();
    const S keep = S(1) - alpha;
    S* gx = s.x.data();
    std::fill(gx, gx + slice, S(0));
    // The weight gradients of W_rec, W_in, b and W_out accumulate step by step while GZ[t-1],
    // U[t-1], U[t] and DY[t-1] are still in cache (each entry one chain over t descending, then
    // the trials of the step in order); W_in^T in s.partial_in until the end.
    S* dW_rec = s.partial.data() + layout.W_rec;
    std::fill(dW_rec, dW_rec + N * N, S(0));
    s.partial_in.assign(N_in * N, S(0));
    S* db = model.bias ? s.partial.data() + layout.b : nullptr;
    if (db != nullptr) std::fill(db, db + N, S(0));
    S* dW_out = position ? s.partial.data() + layout.W_out : nullptr;
    if (dW_out != nullptr) std::fill(dW_out, dW_out + kOutputs * N, S(0));
    const S* inputs_c = inputs.data() + ch.first * T * N_in;
    for (std::size_t t = T + 1; t-- > 0;) {
      if (t < T) {
        detail::multiply_packed(gz_step(ch, t), ch.count, packed.rec, s.A.data());  // W_rec^T gz per trial
      } else {
        std::fill(s.A.data(), s.A.data() + slice, S(0));  // no W_rec^T gz at t = T
      }
      const S* rt = Rc + t * slice;
      if (t >= 1) {
        // One pass per trial: gu, gx, GZ[t-1] and the step's dW_in, b and W_out terms.
        S* gz = gz_step(ch, t - 1);
        const S* I_t = inputs_c + (t - 1) * ch.count * N_in;
        const S* u_t = Uc + t * slice;
        backward_rows(ch.count, s.A.data(), gx, gz, rt, direct + t * slice, coef,
                      position ? DYc + (t - 1) * ch.count * kOutputs : nullptr, W_out, cells, I_t, u_t,
                      s.partial_in.data(), db, dW_out);
        detail::add_transposed_product(gz, N, Uc + (t - 1) * slice, ch.count, N, dW_rec);  // += GZ[t-1]^T U[t-1]
        continue;
      }
      // t = 0: no head reads u[0], so gu = G; gx[0] = (1 - alpha) gx + f'(x[0]) gu (gu itself with
      // from_place_code, where u[0] = x[0]).
      for (std::size_t r = 0; r < ch.count; ++r) {
        const S* gr = s.A.data() + r * N;
        S* gxr = gx + r * N;
        const S* rr = rt + r * N;
        for (std::size_t i = 0; i < N; ++i)
          gxr[i] = keep * gxr[i] + (place_initial ? S(1) : detail::slope_from_rate(f, rr[i])) * gr[i];
      }
    }
    for (std::size_t i = 0; i < N; ++i)
      for (std::size_t k = 0; k < N_in; ++k) s.partial[layout.W_in + i * N_in + k] = s.partial_in[k * N + i];
    // Every other block of the layout is written below (the heads, the initial block): no
    // zeroing first.
    for (const CellHead& head : cell_heads)  // dW_h = DZ^T U[1..T]   (K, N)
      gemm_transposed_a(head.DZ.data() + cell_offset(ch, head.K), Uc + slice, s.partial.data() + head.offset, head.K, N,
                        T * ch.count);
    const ConstMatrixMap gx0(gx, rows, n);
    switch (model.initial_state) {
      case InitialState::kLearned:
        Eigen::Map<Eigen::Matrix<S, 1, Eigen::Dynamic>>(s.partial.data() + layout.initial, n) = gx0.colwise().sum();
        break;
      case InitialState::kFromPosition:
        MatrixMap(s.partial.data() + layout.initial, n, static_cast<Index>(kOutputs)).noalias() =
            gx0.transpose() * ConstMatrixMap(starts.data() + ch.first * kOutputs, rows, static_cast<Index>(kOutputs));
        break;
      case InitialState::kFromPlaceCode: {
        const auto Kp = static_cast<Index>(layout.place_cells);
        MatrixMap(s.partial.data() + layout.initial, n, Kp).noalias() =
            gx0.transpose() * ConstMatrixMap(start_codes.data() + ch.first * layout.place_cells, rows, Kp);
        break;
      }
    }
  }

  // R-operator forward pass of one chunk along v (weights vW in `v`):
  //   R{x}[0] = v's initial block applied;  R{u}[t] = f'(x[t]) R{x}[t]  (R{u}[0] = R{x}[0] with
  //   from_place_code; the noise is constant, so R{u} = R{r})
  //   R{x}[t+1] = (1-alpha) R{x}[t] + alpha (W_rec R{u}[t] + vW_rec u[t] + vW_in I[t] + v_b)
  //   R{y}[t] = W_out R{u}[t+1] + vW_out u[t+1];   DY = weight h_y R{y}
  //   R{z}_h  = W_h R{u}[t+1] + vW_h u[t+1];       DZ_h = weight H_h R{z}_h with
  //   H = (diag(P) - P P^T) / (M_c T) (cross-entropy) or 2 / (M_c T K) (squared error).
  void r_forward_chunk(std::size_t c) {
    const ChunkRange& ch = chunks[c];
    Scratch& s = scratch[c];
    const std::size_t slice = ch.count * N;
    const double McT = static_cast<double>(curvature_trials) * static_cast<double>(T);
    const S* Uc = U.data() + u_offset(ch);
    const S* Rc = rates() + u_offset(ch);
    S* RUc = RU.data() + u_offset(ch);
    S* DYc = DY.data() + y_offset(ch);
    const S* W_out = w.data() + layout.W_out;
    const S* vW_out = v.data() + layout.W_out;
    const S* vb = v.data() + layout.b;
    const S h_y = static_cast<S>(model.readout.position_head.weight / McT);
    const S keep = S(1) - alpha;
    S* rx = s.x.data();
    initial_state(ch, v, rx);
    for (std::size_t i = 0; i < slice; ++i)
      RUc[i] = place_initial ? rx[i] : detail::slope_from_rate(f, Rc[i]) * rx[i];
    for (std::size_t t = 0; t < T; ++t) {
      detail::multiply_packed(RUc + t * slice, ch.count, packed.rec_T, s.A.data());
      detail::multiply_packed(Uc + t * slice, ch.count, packed_v.rec_T, s.A.data(), /*accumulate=*/true);
      const S* I_t = inputs.data() + ch.first * T * N_in + t * ch.count * N_in;
      const S* u_next = Uc + (t + 1) * slice;
      const S* r_next = Rc + (t + 1) * slice;
      S* ru_next = RUc + (t + 1) * slice;
      for (std::size_t r = 0; r < ch.count; ++r) {
        S* rxr = rx + r * N;
        const S* Ir = I_t + r * N_in;
        const S* ur = u_next + r * N;
        const S* rr = r_next + r * N;
        S* rur = ru_next + r * N;
        S* drive = s.A.data() + r * N;
        if (model.bias)
          for (std::size_t i = 0; i < N; ++i) drive[i] += vb[i];
        for (std::size_t k = 0; k < N_in; ++k) {
          const S input = Ir[k];
          const S* vW_in_k = vW_in_T.data() + k * N;
          for (std::size_t i = 0; i < N; ++i) drive[i] += input * vW_in_k[i];
        }
        for (std::size_t i = 0; i < N; ++i) {
          rxr[i] = keep * rxr[i] + alpha * drive[i];
          rur[i] = detail::slope_from_rate(f, rr[i]) * rxr[i];
        }
        if (layout.position) {  // R{y} = W_out R{u} + vW_out u
          S a0, a1, b0, b1;
          detail::readout(W_out, rur, N, a0, a1);
          detail::readout(vW_out, ur, N, b0, b1);
          DYc[(t * ch.count + r) * kOutputs] = h_y * (a0 + b0);
          DYc[(t * ch.count + r) * kOutputs + 1] = h_y * (a1 + b1);
        }
      }
    }
    // Cell heads over all T*Bc rows at once: R{z} into DZ, then H in place.
    const std::size_t TB = T * ch.count;
    for (std::size_t h = 0; h < cell_heads.size(); ++h) {
      CellHead& head = cell_heads[h];
      const std::size_t off = cell_offset(ch, head.K);
      S* Rz = head.DZ.data() + off;  // (TB, K) = RU W_h^T + U vW_h^T
      detail::multiply_packed(RUc + slice, TB, packed.head_T[h], Rz);
      detail::multiply_packed(Uc + slice, TB, packed_v.head_T[h], Rz, /*accumulate=*/true);
      if (head.cross_entropy) {
        const S scale = static_cast<S>(head.weight / McT);
        for (std::size_t row = 0; row < TB; ++row) {
          S* rz = Rz + row * head.K;
          const S* p = head.P.data() + off + row * head.K;
          const S pz = detail::dot(p, rz, head.K);
          for (std::size_t i = 0; i < head.K; ++i) rz[i] = scale * p[i] * (rz[i] - pz);
        }
      } else {
        ArrayMap(Rz, static_cast<Index>(TB * head.K)) *= static_cast<S>(2.0 * head.weight / (McT * static_cast<double>(head.K)));
      }
    }
  }

  double l2_term(const Eigen::VectorXd& theta) const {
    const double n = static_cast<double>(N);
    const auto block = [&](std::size_t offset, std::size_t rows) {
      return theta.segment(static_cast<Index>(offset), static_cast<Index>(rows * N)).squaredNorm() / (n * static_cast<double>(rows));
    };
    double sum = theta.segment(static_cast<Index>(layout.W_in), static_cast<Index>(N * N_in)).squaredNorm() /
                 (n * static_cast<double>(N_in));
    if (layout.position) sum += block(layout.W_out, kOutputs);
    for (const CellHead& head : cell_heads) sum += block(head.offset, head.K);
    return sum;
  }

  // Adds H x, the exact Hessian of lambda_l2 R_L2 + weight_decay R_WD applied to x, to out. Both
  // are quadratic (theta^T H theta / 2), so their gradient is H theta:
  //   d/dW_in = 2 lambda_l2 W_in / (N N_in),  d/dW_h = 2 lambda_l2 W_h / (N K_h),
  //   d/dW_rec = 2 weight_decay W_rec.
  void add_quadratic_hessian(const Eigen::VectorXd& x, Eigen::VectorXd& out) const {
    const double n = static_cast<double>(N);
    const auto add = [&](std::size_t offset, std::size_t size, double coef) {
      if (coef == 0.0 || size == 0) return;
      out.segment(static_cast<Index>(offset), static_cast<Index>(size)) += coef * x.segment(static_cast<Index>(offset), static_cast<Index>(size));
    };
    add(layout.W_in, N * N_in, 2.0 * loss.lambda_l2 / (n * static_cast<double>(N_in)));
    if (layout.position) add(layout.W_out, N * kOutputs, 2.0 * loss.lambda_l2 / (n * static_cast<double>(kOutputs)));
    for (const CellHead& head : cell_heads) add(head.offset, N * head.K, 2.0 * loss.lambda_l2 / (n * static_cast<double>(head.K)));
    add(layout.W_rec, N * N, 2.0 * loss.weight_decay);
  }

  double finish_terms(const Eigen::VectorXd& theta) {
    double sum_position = 0.0, sum_rate = 0.0, sum_decoded = 0.0;
    std::vector<double> sum_cells(cell_heads.size(), 0.0);
    for (const auto& s : scratch) {  // chunk order: deterministic
      sum_position += s.sum_position;
      sum_rate += s.sum_rate;
      sum_decoded += s.sum_decoded;
      for (std::size_t h = 0; h < cell_heads.size(); ++h) sum_cells[h] += s.sum_cells[h];
    }
    const double TM = static_cast<double>(T) * static_cast<double>(B);
    terms = LossTerms{};
    terms.position = layout.position ? sum_position / (TM * static_cast<double>(kOutputs)) : 0.0;
    terms.error = layout.position ? model.readout.position_head.weight * terms.position : 0.0;
    for (std::size_t h = 0; h < cell_heads.size(); ++h) {
      const CellHead& head = cell_heads[h];
      const double E = sum_cells[h] / (TM * (head.cross_entropy ? 1.0 : static_cast<double>(head.K)));
      (head.kind == HeadKind::kPlace ? terms.place : terms.head_direction) = E;
      terms.error += head.weight * E;
    }
    terms.firing_rate = sum_rate / (TM * static_cast<double>(N));
    terms.l2 = l2_term(theta);
    terms.weight_decay = theta.segment(static_cast<Index>(layout.W_rec), static_cast<Index>(N * N)).squaredNorm();
    terms.total = terms.error + loss.lambda_l2 * terms.l2 + loss.lambda_fr * terms.firing_rate + loss.weight_decay * terms.weight_decay;
    terms.position_rms = (layout.position || place_index >= 0) ? std::sqrt(sum_decoded / TM) : std::numeric_limits<double>::quiet_NaN();
    return terms.total;
  }

  void ensure_state_buffers(bool with_curvature) {
    const std::size_t u_size = B * (T + 1) * N;
    // kReadSlack: the dW_rec product reads whole registers past a step's last trial (small_gemm.hpp).
    if (U.size() != u_size + detail::kReadSlack) U.assign(u_size + detail::kReadSlack, S(0));
    if (rate_noise && R.size() != u_size) R.assign(u_size, S(0));
    if (GZ.size() != gz_size()) GZ.assign(gz_size(), S(0));
    if (layout.position && DY.size() != B * T * kOutputs) DY.assign(B * T * kOutputs, S(0));
    for (CellHead& head : cell_heads) {
      if (head.DZ.size() != B * T * head.K) head.DZ.assign(B * T * head.K, S(0));
      if (head.cross_entropy && head.P.size() != B * T * head.K) head.P.assign(B * T * head.K, S(0));
    }
    if (with_curvature && RU.size() != curvature_trials * (T + 1) * N) RU.assign(curvature_trials * (T + 1) * N, S(0));
  }

  // A forward pass at theta that leaves the stored states (and their weights) untouched.
  void forward_without_storing(const Eigen::VectorXd& theta, float* outputs, float* activities) {
    load_weights(theta, w_eval, W_in_T_eval, packed_eval, false);
    std::swap(w, w_eval);
    std::swap(W_in_T, W_in_T_eval);
    std::swap(packed, packed_eval);
    if (outputs != nullptr) {  // predict: every chunk here
      parallel_for(chunks.size(), [&](std::size_t c) { forward_chunk(c, false, outputs, activities); });
    } else {
      for_owned_chunks(chunks.size(), [&](std::size_t c) { forward_chunk(c, false, nullptr, nullptr); });
      exchange_partials(chunks.size(), false);
    }
    std::swap(w, w_eval);
    std::swap(W_in_T, W_in_T_eval);
    std::swap(packed, packed_eval);
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

  // The sums a chunk contributes to the loss terms, in a fixed order (for the exchange).
  std::size_t sum_count() const { return 3 + cell_heads.size(); }

  // After for_owned_chunks: gives every process every chunk's partials (the parameter gradient
  // if with_partial, and the loss sums), copied back exactly into the chunk's scratch.
  void exchange_partials(std::size_t chunk_count, bool with_partial) {
    if (exchange.ranks <= 1) return;
    const std::size_t sums = sum_count();
    const std::size_t width = sums + (with_partial ? layout.total : 0);
    exchange_rows.assign(chunk_count * width, 0.0);
    for (std::size_t c = 0; c < chunk_count; ++c) {
      if (owner[c] != exchange.rank) continue;
      double* row = exchange_rows.data() + c * width;
      row[0] = scratch[c].sum_position;
      row[1] = scratch[c].sum_rate;
      row[2] = scratch[c].sum_decoded;
      for (std::size_t h = 0; h < cell_heads.size(); ++h) row[3 + h] = scratch[c].sum_cells[h];
      if (with_partial)
        for (std::size_t i = 0; i < layout.total; ++i) row[sums + i] = static_cast<double>(scratch[c].partial[i]);
    }
    exchange.all_gather(exchange_rows, width, std::span<const std::size_t>(owner.data(), chunk_count));
    for (std::size_t c = 0; c < chunk_count; ++c) {
      const double* row = exchange_rows.data() + c * width;
      scratch[c].sum_position = row[0];
      scratch[c].sum_rate = row[1];
      scratch[c].sum_decoded = row[2];
      for (std::size_t h = 0; h < cell_heads.size(); ++h) scratch[c].sum_cells[h] = row[3 + h];
      if (with_partial)
        for (std::size_t i = 0; i < layout.total; ++i) scratch[c].partial[i] = static_cast<S>(row[sums + i]);
    }
  }

  // out = sum over chunks of their partials, each entry summed in chunk order (so the result does
  // not depend on the thread count); the entries are split into fixed blocks over the threads.
  void reduce_partials(std::size_t chunk_count, Eigen::VectorXd& out) const {
    out.resize(static_cast<Index>(layout.total));
    for_parameter_blocks([&](std::size_t begin, std::size_t end) {
      for (std::size_t i = begin; i < end; ++i) {
        double sum = 0.0;
        for (std::size_t c = 0; c < chunk_count; ++c) sum += static_cast<double>(scratch[c].partial[i]);
        out[static_cast<Index>(i)] = sum;
      }
    });
  }

  // body(begin, end) over [0, layout.total) in fixed blocks, in parallel.
  template <typename Body>
  void for_parameter_blocks(const Body& body) const {
    constexpr std::size_t kBlock = 32768;
    const std::size_t blocks = (layout.total + kBlock - 1) / kBlock;
    parallel_for(blocks, [&](std::size_t b) { body(b * kBlock, std::min(layout.total, (b + 1) * kBlock)); });
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
  if (m.model.initial_state != InitialState::kLearned && batch.starts.size() != batch.trials * kOutputs)
    throw_user_error("initial_state = {} needs start positions (B, 2) = ({}, 2); got {} values",
                     to_string(m.model.initial_state), batch.trials, batch.starts.size());
  if (m.model.readout.head_direction && !batch.targets.empty() && batch.headings.size() != TB)
    throw_user_error("a head-direction head needs the headings (T, B) = ({}, {}) = {}; got {} values", batch.steps,
                     batch.trials, TB, batch.headings.size());
  m.T = batch.steps;
  m.B = batch.trials;
  m.has_targets = !batch.targets.empty();
  m.batch_inputs.assign(batch.inputs.begin(), batch.inputs.end());
  m.batch_targets.assign(batch.targets.begin(), batch.targets.end());
  m.batch_starts.assign(batch.starts.begin(), batch.starts.end());
  m.batch_headings.assign(batch.headings.begin(), batch.headings.end());
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
  m.load_weights(theta, m.w, m.W_in_T, m.packed, true);
  m.ensure_state_buffers(false);
  const S rate_coef = static_cast<S>(2.0 * m.loss.lambda_fr /
                                     (static_cast<double>(m.N) * static_cast<double>(m.T) * static_cast<double>(m.B)));
  m.for_owned_chunks(m.chunks.size(), [&](std::size_t c) {
    m.forward_chunk(c, true, nullptr, nullptr);
    m.cell_heads_to_gz(c);
    m.backward_chunk(c, m.rates() + m.u_offset(m.chunks[c]), rate_coef);
  });
  m.exchange_partials(m.chunks.size(), true);
  m.reduce_partials(m.chunks.size(), gradient);
  m.add_quadratic_hessian(theta, gradient);  // R_L2 and R_WD are quadratic: gradient = Hessian theta
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
  m.load_weights(v, m.v, m.vW_in_T, m.packed_v, false);
  m.ensure_state_buffers(true);
  const double Mc = static_cast<double>(m.curvature_trials), T = static_cast<double>(m.T);
  const S h_u = static_cast<S>(2.0 * (m.loss.lambda_fr + structural_weight) / (static_cast<double>(m.N) * T * Mc));
  // RU holds only the curvature chunks, which come first: chunk offsets coincide with U's.
  // Each process runs the curvature chunks it owns, whose states its value_gradient stored.
  m.for_owned_chunks(m.curvature_chunks, [&](std::size_t c) {
    m.r_forward_chunk(c);
    m.cell_heads_to_gz(c);
    m.backward_chunk(c, m.RU.data() + m.u_offset(m.chunks[c]), h_u);
  });
  m.exchange_partials(m.curvature_chunks, true);
  m.reduce_partials(m.curvature_chunks, out);
  m.add_quadratic_hessian(v, out);
  // The backward pass overwrote DY, DZ (dL/dy, dL/dz) and GZ; U, R and the softmax outputs P
  // are intact, so states stay valid for more products at the same theta.
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

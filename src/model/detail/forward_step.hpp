#pragma once
// The CTRNN's forward step, shared by the objective's forward pass (objective.cpp) and the
// streaming NetworkRunner (runner.cpp), so a streamed run reproduces predict() bit for bit.
// Inline templates: the objective's forward pass is the hot loop of training (out-of-line
// versions measured ~40% slower in BM_CtrnnValue). Each caller is compiled separately, so where
// fusing multiply-add could differ between them the arithmetic is made immune to it (readout);
// tests/model/test_runner.cpp checks that both agree bit for bit.
// Include model/detail/avx512_warnings.hpp before any Eigen header in the including file.
//
//   x[0]   = x0, W_init p[0] or W_enc q(p[0])
//   x[t+1] = (1 - alpha) x[t] + alpha (W_rec u[t] + b + xi_b[t] + W_in I[t])
//   r[t]   = f(x[t]),  u[t] = r[t] + xi_r[t-1]   (ctrnn.hpp)
//   y[t]   = W_out u[t+1]
#include <algorithm>
#include <cmath>
#include <cstddef>

#include <Eigen/Core>

#include "gridrnn/model/ctrnn.hpp"
#include "model/detail/small_gemm.hpp"

namespace gridrnn::model::detail {

// x (rows, N) at t = 0. `init` is the initial block of theta: x0 (N), W_init (N, 2) or W_enc
// (N, K); `starts` (rows, 2) = p[0]; `codes` (rows, K) = q(p[0]) (from_place_code only).
template <typename S>
void initial_state_rows(InitialState kind, const S* init, const S* starts, const S* codes, std::size_t K,
                        std::size_t rows, std::size_t N, S* x) {
  for (std::size_t r = 0; r < rows; ++r) {
    S* row = x + r * N;
    if (kind == InitialState::kLearned) {
      std::copy(init, init + N, row);
    } else if (kind == InitialState::kFromPosition) {  // from_place_code: below
      const S p0 = starts[r * 2], p1 = starts[r * 2 + 1];
      for (std::size_t i = 0; i < N; ++i) row[i] = init[i * 2] * p0 + init[i * 2 + 1] * p1;
    }
  }
  if (kind == InitialState::kFromPlaceCode) {  // x (rows, N) = codes (rows, K) W_enc^T: one product
    using Matrix = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    Eigen::Map<Matrix>(x, static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(N)).noalias() =
        Eigen::Map<const Matrix>(codes, static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(K)) *
        Eigen::Map<const Matrix>(init, static_cast<Eigen::Index>(N), static_cast<Eigen::Index>(K)).transpose();
  }
}

// r = f(x) over `size` values (Eigen's vectorized tanh).
template <typename S>
void rate_into(Nonlinearity f, const S* x, S* r, std::size_t size) {
  using Array = Eigen::Array<S, Eigen::Dynamic, 1>;
  const auto n = static_cast<Eigen::Index>(size);
  const Eigen::Map<const Array> in(x, n);
  Eigen::Map<Array> out(r, n);
  switch (f) {
    case Nonlinearity::kTanh: out = in.tanh(); break;
    case Nonlinearity::kRelu: out = in.max(S(0)); break;
    case Nonlinearity::kRetanh: out = in.tanh().max(S(0)); break;
  }
}

// u[0] = r[0] = f(x[0]), or x[0] itself with from_place_code (the reference sets its hidden state).
template <typename S>
void initial_rate(InitialState kind, Nonlinearity f, const S* x, S* u, std::size_t size) {
  if (kind == InitialState::kFromPlaceCode) {
    std::copy(x, x + size, u);
  } else {
    rate_into(f, x, u, size);
  }
}

// f'(x) from r = f(x) (all three nonlinearities allow it): tanh 1 - r^2; relu [r > 0];
// retanh [r > 0] (1 - r^2).
template <typename S>
inline S slope_from_rate(Nonlinearity f, S r) {
  switch (f) {
    case Nonlinearity::kTanh: return S(1) - r * r;
    case Nonlinearity::kRelu: return r > S(0) ? S(1) : S(0);
    case Nonlinearity::kRetanh: return r > S(0) ? S(1) - r * r : S(0);
  }
  return S(0);
}

// One Euler step of `rows` trials: x (rows, N) advanced in place, r_next = f(x) (rows, N) and
// u_next = r_next + noise (rows, N) with rate noise, else u_next = r_next (then r_next may be
// u_next itself).
//   u_t (rows, N) = u[t]; A (rows, N) scratch; noise (rows, N) = xi[t] already scaled by its SD,
//   or nullptr (no noise); I_t (rows, N_in); W_rec_T = W_rec^T packed (pack_rhs_transposed);
//   W_in_T (N_in, N) = W_in^T; b (N) or nullptr (no bias).
template <typename S>
void forward_step(const S* u_t, S* u_next, S* r_next, S* x, S* A, const float* noise, NoisePlacement placement,
                  Nonlinearity f, const S* I_t, const PackedRhs<S>& W_rec_T, const S* W_in_T, const S* b, S alpha,
                  std::size_t rows, std::size_t N, std::size_t N_in) {
  const S keep = S(1) - alpha;
  const float* bracket_noise = placement == NoisePlacement::kBracket ? noise : nullptr;
  multiply_packed(u_t, rows, W_rec_T, A);  // A = u[t] W_rec^T   (rows, N)
  // x = (1 - alpha) x + alpha (A + b + xi + W_in I): one pass per trial, the variants template
  // arguments (no branch in the loop), explicit fused multiply-adds (the same bits in every caller).
  auto euler = [&]<bool kBias, bool kNoise, int kInputs>() {
    const std::size_t inputs = kInputs > 0 ? static_cast<std::size_t>(kInputs) : N_in;
    for (std::size_t r = 0; r < rows; ++r) {
      S* xr = x + r * N;
      const S* drive = A + r * N;
      const S* Ir = I_t + r * N_in;
      const float* xi = kNoise ? bracket_noise + r * N : nullptr;
#pragma omp simd
      for (std::size_t i = 0; i < N; ++i) {
        S d = drive[i];
        if constexpr (kBias) d += b[i];
        if constexpr (kNoise) d += static_cast<S>(xi[i]);
        for (std::size_t k = 0; k < inputs; ++k) d = std::fma(Ir[k], W_in_T[k * N + i], d);
        xr[i] = std::fma(keep, xr[i], alpha * d);
      }
    }
  };
  auto by_inputs = [&]<bool kBias, bool kNoise>() {
    switch (N_in) {  // the encodings' widths: velocity 2, speed and angle 3
      case 2: euler.template operator()<kBias, kNoise, 2>(); break;
      case 3: euler.template operator()<kBias, kNoise, 3>(); break;
      default: euler.template operator()<kBias, kNoise, 0>(); break;
    }
  };
  if (b != nullptr && bracket_noise != nullptr) by_inputs.template operator()<true, true>();
  else if (b != nullptr) by_inputs.template operator()<true, false>();
  else if (bracket_noise != nullptr) by_inputs.template operator()<false, true>();
  else by_inputs.template operator()<false, false>();
  rate_into(f, x, r_next, rows * N);
  if (placement == NoisePlacement::kRate && noise != nullptr) {
    for (std::size_t i = 0; i < rows * N; ++i) u_next[i] = r_next[i] + static_cast<S>(noise[i]);
  } else if (u_next != r_next) {
    std::copy(r_next, r_next + rows * N, u_next);
  }
}

// y = W_out u for one trial: W_out (2, N), u (N). Explicit fused multiply-adds in a fixed order
// that does not depend on where u lies in memory: lane j of kLanes partial sums takes the entries
// i = j (mod kLanes) in order (the lane loop vectorizes, with unaligned loads), then the lanes
// are added in order. (When this summed with `+=` the compiler fused the products in one caller
// and not in the other, outputs 1 ulp apart; an explicit fma leaves it no choice.)
template <typename S>
void readout(const S* W_out, const S* u, std::size_t N, S& y0, S& y1) {
  constexpr std::size_t kLanes = 16;
  S acc0[kLanes] = {}, acc1[kLanes] = {};
  const S* W1 = W_out + N;
  std::size_t i = 0;
  for (; i + kLanes <= N; i += kLanes)
    for (std::size_t j = 0; j < kLanes; ++j) {
      acc0[j] = std::fma(W_out[i + j], u[i + j], acc0[j]);
      acc1[j] = std::fma(W1[i + j], u[i + j], acc1[j]);
    }
  for (std::size_t j = 0; i + j < N; ++j) {
    acc0[j] = std::fma(W_out[i + j], u[i + j], acc0[j]);
    acc1[j] = std::fma(W1[i + j], u[i + j], acc1[j]);
  }
  S sum0 = 0, sum1 = 0;
  for (std::size_t j = 0; j < kLanes; ++j) {
    sum0 += acc0[j];
    sum1 += acc1[j];
  }
  y0 = sum0;
  y1 = sum1;
}

// a . b over n values in 16 fixed-order lanes (as readout: vectorizes, and the order does not
// depend on where the arrays lie).
template <typename S>
S dot(const S* a, const S* b, std::size_t n) {
  constexpr std::size_t kLanes = 16;
  S acc[kLanes] = {};
  std::size_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (std::size_t j = 0; j < kLanes; ++j) acc[j] = std::fma(a[i + j], b[i + j], acc[j]);
  for (std::size_t j = 0; i + j < n; ++j) acc[j] = std::fma(a[i + j], b[i + j], acc[j]);
  S sum = 0;
  for (std::size_t j = 0; j < kLanes; ++j) sum += acc[j];
  return sum;
}

}  // namespace gridrnn::model::detail

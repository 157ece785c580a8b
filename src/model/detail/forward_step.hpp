#pragma once
// The CTRNN's forward step, shared by the objective's forward pass (objective.cpp) and the
// streaming NetworkRunner (runner.cpp), so a streamed run reproduces predict() bit for bit.
// Inline templates: the objective's forward pass is the hot loop of training (out-of-line
// versions measured ~40% slower in BM_CtrnnValue). Each caller is compiled separately, so where
// fusing multiply-add could differ between them the arithmetic is made immune to it (readout);
// tests/model/test_runner.cpp checks that both agree bit for bit.
// Include model/detail/avx512_warnings.hpp before any Eigen header in the including file.
//
//   x[0]   = x0  or  W_init p[0]
//   x[t+1] = (1 - alpha) x[t] + alpha (W_rec u[t] + b + xi[t] + W_in I[t]),  u[t] = tanh(x[t])
//   y[t]   = W_out u[t+1]
#include <algorithm>
#include <cmath>
#include <cstddef>

#include <Eigen/Core>

namespace gridrnn::model::detail {

// x (rows, N): x0 (N) copied per row, or W_init (N, 2) times p[0] of each row (starts (rows, 2)).
template <typename S>
void initial_state_rows(const S* init, bool learned, const S* starts, std::size_t rows, std::size_t N, S* x) {
  for (std::size_t r = 0; r < rows; ++r) {
    S* row = x + r * N;
    if (learned) {
      std::copy(init, init + N, row);
    } else {
      const S p0 = starts[r * 2], p1 = starts[r * 2 + 1];
      for (std::size_t i = 0; i < N; ++i) row[i] = init[i * 2] * p0 + init[i * 2 + 1] * p1;
    }
  }
}

// u = tanh(x) over `size` values (Eigen's vectorized tanh).
template <typename S>
void tanh_into(const S* x, S* u, std::size_t size) {
  using Array = Eigen::Array<S, Eigen::Dynamic, 1>;
  Eigen::Map<Array>(u, static_cast<Eigen::Index>(size)) = Eigen::Map<const Array>(x, static_cast<Eigen::Index>(size)).tanh();
}

// One Euler step of `rows` trials: x (rows, N) advanced in place, u_next = tanh(x) (rows, N).
//   u_t (rows, N) = u[t]; A (rows, N) scratch; noise (rows, N) = xi[t] already scaled by its SD,
//   or nullptr (no noise); I_t (rows, N_in); W_rec (N, N) row-major; W_in_T (N_in, N) = W_in^T; b (N).
template <typename S>
void forward_step(const S* u_t, S* u_next, S* x, S* A, const float* noise, const S* I_t, const S* W_rec,
                  const S* W_in_T, const S* b, S alpha, std::size_t rows, std::size_t N, std::size_t N_in) {
  using Matrix = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const auto n = static_cast<Eigen::Index>(N);
  const S keep = S(1) - alpha;
  // A = u[t] W_rec^T   (rows, N)
  Eigen::Map<Matrix> drive_all(A, static_cast<Eigen::Index>(rows), n);
  drive_all.noalias() = Eigen::Map<const Matrix>(u_t, static_cast<Eigen::Index>(rows), n) *
                        Eigen::Map<const Matrix>(W_rec, n, n).transpose();
  for (std::size_t r = 0; r < rows; ++r) {  // unit loops innermost: vectorized
    S* xr = x + r * N;
    S* drive = A + r * N;
    const S* Ir = I_t + r * N_in;
    for (std::size_t i = 0; i < N; ++i) drive[i] += b[i];
    if (noise != nullptr) {
      const float* xi = noise + r * N;
      for (std::size_t i = 0; i < N; ++i) drive[i] += static_cast<S>(xi[i]);
    }
    for (std::size_t k = 0; k < N_in; ++k) {
      const S input = Ir[k];
      const S* W_in_k = W_in_T + k * N;
      for (std::size_t i = 0; i < N; ++i) drive[i] += input * W_in_k[i];
    }
    for (std::size_t i = 0; i < N; ++i) xr[i] = keep * xr[i] + alpha * drive[i];
  }
  tanh_into(x, u_next, rows * N);
}

// y = W_out u for one trial: W_out (2, N), u (N). Explicit fused multiply-adds, in order: when
// this summed with `+=` the compiler fused them in one caller and not in the other (outputs 1 ulp
// apart); an explicit fma leaves it no choice (one instruction with -march=native's FMA).
template <typename S>
void readout(const S* W_out, const S* u, std::size_t N, S& y0, S& y1) {
  S sum0 = 0, sum1 = 0;
  for (std::size_t i = 0; i < N; ++i) {
    sum0 = std::fma(W_out[i], u[i], sum0);
    sum1 = std::fma(W_out[N + i], u[i], sum1);
  }
  y0 = sum0;
  y1 = sum1;
}

}  // namespace gridrnn::model::detail

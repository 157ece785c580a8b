#pragma once
// The CTRNN's forward step, shared by the objective's forward pass (objective.cpp) and the
// streaming NetworkRunner (runner.cpp), so a streamed run reproduces predict() bit for bit.
// Defined once in forward_step.cpp (float and double), never inlined into the callers: the
// compiler then cannot contract or schedule the arithmetic differently in each caller, which
// it did for the readout (outputs 1 ulp apart) when these were inline templates.
//
//   x[0]   = x0  or  W_init p[0]
//   x[t+1] = (1 - alpha) x[t] + alpha (W_rec u[t] + b + xi[t] + W_in I[t]),  u[t] = tanh(x[t])
//   y[t]   = W_out u[t+1]
#include <cstddef>

namespace gridrnn::model::detail {

// x (rows, N): x0 (N) copied per row, or W_init (N, 2) times p[0] of each row (starts (rows, 2)).
template <typename S>
void initial_state_rows(const S* init, bool learned, const S* starts, std::size_t rows, std::size_t N, S* x);

// u = tanh(x) over `size` values (Eigen's vectorized tanh).
template <typename S>
void tanh_into(const S* x, S* u, std::size_t size);

// One Euler step of `rows` trials: x (rows, N) advanced in place, u_next = tanh(x) (rows, N).
//   u_t (rows, N) = u[t]; A (rows, N) scratch; noise (rows, N) = xi[t] already scaled by its SD,
//   or nullptr (no noise); I_t (rows, N_in); W_rec (N, N) row-major; W_in_T (N_in, N) = W_in^T; b (N).
template <typename S>
void forward_step(const S* u_t, S* u_next, S* x, S* A, const float* noise, const S* I_t, const S* W_rec,
                  const S* W_in_T, const S* b, S alpha, std::size_t rows, std::size_t N, std::size_t N_in);

// y = W_out u for one trial: W_out (2, N), u (N).
template <typename S>
void readout(const S* W_out, const S* u, std::size_t N, S& y0, S& y1);

}  // namespace gridrnn::model::detail

#include "model/detail/avx512_warnings.hpp"  // first: before any Eigen header
#include "model/detail/forward_step.hpp"

#include <algorithm>

#include <Eigen/Core>

namespace gridrnn::model::detail {

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

template <typename S>
void tanh_into(const S* x, S* u, std::size_t size) {
  using Array = Eigen::Array<S, Eigen::Dynamic, 1>;
  Eigen::Map<Array>(u, static_cast<Eigen::Index>(size)) = Eigen::Map<const Array>(x, static_cast<Eigen::Index>(size)).tanh();
}

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

template <typename S>
void readout(const S* W_out, const S* u, std::size_t N, S& y0, S& y1) {
  y0 = 0;
  y1 = 0;
  for (std::size_t i = 0; i < N; ++i) {
    y0 += W_out[i] * u[i];
    y1 += W_out[N + i] * u[i];
  }
}

#define GRIDRNN_INSTANTIATE(S)                                                                          \
  template void initial_state_rows<S>(const S*, bool, const S*, std::size_t, std::size_t, S*);        \
  template void tanh_into<S>(const S*, S*, std::size_t);                                               \
  template void forward_step<S>(const S*, S*, S*, S*, const float*, const S*, const S*, const S*, const S*, S, \
                                std::size_t, std::size_t, std::size_t);                                \
  template void readout<S>(const S*, const S*, std::size_t, S&, S&);
GRIDRNN_INSTANTIATE(float)
GRIDRNN_INSTANTIATE(double)
#undef GRIDRNN_INSTANTIATE

}  // namespace gridrnn::model::detail

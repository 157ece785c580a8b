// The per-step product with a packed right-hand side (model/detail/small_gemm.hpp).
#include "model/detail/small_gemm.hpp"

#include <algorithm>
#include <cmath>
#include <type_traits>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace gridrnn::model::detail {

namespace {
constexpr std::size_t kLanes = 16;  // floats per 512-bit register; the packed stride's multiple
std::size_t padded(std::size_t n) { return (n + kLanes - 1) / kLanes * kLanes; }

// Any S, any machine: row r of C accumulates A[r][i] * B[i][:] for i in order (one fused
// multiply-add chain per entry, as the kernel below).
template <typename S>
void multiply_loops(const S* A, std::size_t rows, const PackedRhs<S>& B, S* C, bool accumulate) {
  for (std::size_t r = 0; r < rows; ++r) {
    S* c = C + r * B.n;
    if (!accumulate) std::fill(c, c + B.n, S(0));
    const S* a = A + r * B.k;
    for (std::size_t i = 0; i < B.k; ++i) {
      const S ai = a[i];
      const S* b = B.values.data() + i * B.stride;
      for (std::size_t j = 0; j < B.n; ++j) c[j] = std::fma(ai, b[j], c[j]);
    }
  }
}

#if defined(__AVX512F__)
// The operands of one product: op(A)[r][i] = A[r * a_row + i * a_depth] (A itself: a_row = lda,
// a_depth = 1; A^T: a_row = 1, a_depth = lda), B (k, n) with rows ldb apart, each readable to
// n rounded up to 16, C rows ldc apart.
struct Operands {
  const float* A;
  std::size_t a_row, a_depth;
  const float* B;
  std::size_t ldb, k;
  float* C;
  std::size_t ldc;
  bool accumulate;
};

// R rows x V registers of C (16 columns each) in registers; the last register of the block loads
// and stores only the columns of C that `last` selects (masked: nothing past a row's end).
template <int R, int V>
inline void micro_kernel(const Operands& o, const float* A, const float* B, float* C, __mmask16 last) {
  const std::size_t k = o.k, ldb = o.ldb, ldc = o.ldc, a_row = o.a_row, a_depth = o.a_depth;
  __m512 acc[R][V];
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < V; ++v) {
      const __mmask16 m = v == V - 1 ? last : __mmask16(0xFFFF);
      acc[r][v] = o.accumulate ? _mm512_maskz_loadu_ps(m, C + r * ldc + v * kLanes) : _mm512_setzero_ps();
    }
  for (std::size_t i = 0; i < k; ++i) {
    // Whole registers of B, also past column n (PackedRhs: zero padding; else the caller's
    // kReadSlack): those lanes of C are never stored. A masked load here made GCC 12 store all
    // accumulators to the stack on every iteration (2.3x slower).
    __m512 b[V];
    for (int v = 0; v < V; ++v) b[v] = _mm512_loadu_ps(B + i * ldb + v * kLanes);
    for (int r = 0; r < R; ++r) {
      const __m512 a = _mm512_set1_ps(A[static_cast<std::size_t>(r) * a_row + i * a_depth]);
      for (int v = 0; v < V; ++v) acc[r][v] = _mm512_fmadd_ps(a, b[v], acc[r][v]);
    }
  }
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < V; ++v) {
      if (v == V - 1) {
        _mm512_mask_storeu_ps(C + r * ldc + v * kLanes, last, acc[r][v]);
      } else {
        _mm512_storeu_ps(C + r * ldc + v * kLanes, acc[r][v]);
      }
    }
}

// Rows of one column panel of V registers: blocks of R rows, then the remainder one call of
// fewer rows (R - 1 at most; 24 accumulators at most, of the 32 registers).
template <int V>
void panel(const Operands& o, std::size_t rows, const float* B, float* C, __mmask16 last) {
  constexpr int R = 24 / V < 8 ? 24 / V : 8;
  std::size_t r = 0;
  for (; r + R <= rows; r += R) micro_kernel<R, V>(o, o.A + r * o.a_row, B, C + r * o.ldc, last);
  const float* Ar = o.A + r * o.a_row;
  float* Cr = C + r * o.ldc;
  switch (rows - r) {
    case 0: break;
    case 1: micro_kernel<1, V>(o, Ar, B, Cr, last); break;
    case 2: micro_kernel<2, V>(o, Ar, B, Cr, last); break;
    case 3: micro_kernel<3, V>(o, Ar, B, Cr, last); break;
    case 4: micro_kernel<4, V>(o, Ar, B, Cr, last); break;
    case 5: micro_kernel<5, V>(o, Ar, B, Cr, last); break;
    case 6: micro_kernel<6, V>(o, Ar, B, Cr, last); break;
    default: micro_kernel<7, V>(o, Ar, B, Cr, last); break;
  }
}

// C (rows, n) (+)= op(A) B. Column panels of up to 4 registers (64 columns): a panel of B
// (k x 64 floats, 25.6 KB at k = 100) stays in L1 while the rows stream past it.
void multiply_avx512(const Operands& o, std::size_t rows, std::size_t n) {
  for (std::size_t col = 0; col < n; col += 4 * kLanes) {
    const std::size_t width = std::min(n - col, 4 * kLanes);
    const int V = static_cast<int>((width + kLanes - 1) / kLanes);
    const std::size_t tail = width - (static_cast<std::size_t>(V) - 1) * kLanes;  // 1 .. 16
    const auto last = static_cast<__mmask16>(tail == kLanes ? 0xFFFFu : (1u << tail) - 1u);
    switch (V) {
      case 1: panel<1>(o, rows, o.B + col, o.C + col, last); break;
      case 2: panel<2>(o, rows, o.B + col, o.C + col, last); break;
      case 3: panel<3>(o, rows, o.B + col, o.C + col, last); break;
      default: panel<4>(o, rows, o.B + col, o.C + col, last); break;
    }
  }
}
#endif
}  // namespace

template <typename S>
void pack_rhs(const S* W, std::size_t k, std::size_t n, PackedRhs<S>& out) {
  out.k = k;
  out.n = n;
  out.stride = padded(n);
  out.values.assign(k * out.stride, S(0));
  for (std::size_t i = 0; i < k; ++i) std::copy(W + i * n, W + (i + 1) * n, out.values.data() + i * out.stride);
}

template <typename S>
void pack_rhs_transposed(const S* W, std::size_t n, std::size_t k, PackedRhs<S>& out) {
  out.k = k;
  out.n = n;
  out.stride = padded(n);
  out.values.assign(k * out.stride, S(0));
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t i = 0; i < k; ++i) out.values[i * out.stride + j] = W[j * k + i];
}

template <typename S>
void multiply_packed(const S* A, std::size_t rows, const PackedRhs<S>& B, S* C, bool accumulate) {
#if defined(__AVX512F__)
  if constexpr (std::is_same_v<S, float>) {
    multiply_avx512({A, B.k, 1, B.values.data(), B.stride, B.k, C, B.n, accumulate}, rows, B.n);
    return;
  }
#endif
  multiply_loops(A, rows, B, C, accumulate);
}

template <typename S>
void add_transposed_product(const S* A, std::size_t m, const S* B, std::size_t depth, std::size_t n, S* C) {
#if defined(__AVX512F__)
  if constexpr (std::is_same_v<S, float>) {
    multiply_avx512({A, 1, m, B, n, depth, C, n, true}, m, n);
    return;
  }
#endif
  for (std::size_t d = 0; d < depth; ++d)
    for (std::size_t i = 0; i < m; ++i) {
      const S a = A[d * m + i];
      for (std::size_t j = 0; j < n; ++j) C[i * n + j] = std::fma(a, B[d * n + j], C[i * n + j]);
    }
}

template void pack_rhs(const float*, std::size_t, std::size_t, PackedRhs<float>&);
template void pack_rhs(const double*, std::size_t, std::size_t, PackedRhs<double>&);
template void pack_rhs_transposed(const float*, std::size_t, std::size_t, PackedRhs<float>&);
template void pack_rhs_transposed(const double*, std::size_t, std::size_t, PackedRhs<double>&);
template void multiply_packed(const float*, std::size_t, const PackedRhs<float>&, float*, bool);
template void multiply_packed(const double*, std::size_t, const PackedRhs<double>&, double*, bool);
template void add_transposed_product(const float*, std::size_t, const float*, std::size_t, std::size_t, float*);
template void add_transposed_product(const double*, std::size_t, const double*, std::size_t, std::size_t, double*);

}  // namespace gridrnn::model::detail

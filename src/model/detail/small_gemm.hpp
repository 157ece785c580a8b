#pragma once
// The CTRNN's per-step product C (rows, n) = A (rows, k) B (k, n), where B is a weight matrix that
// stays the same over all T steps of a pass (W_rec^T forward, W_rec backward, vW_rec^T in G v).
// B is packed once per pass (PackedRhs: row-major, each row padded to a multiple of 16 values,
// 64-byte aligned), so no step repacks it; A and C are ordinary row-major blocks of trials.
//
// Each C[r][j] is one chain of fused multiply-adds over i = 0 .. k-1 in order, starting from 0,
// whatever the number of rows or where the row lies in a block: a trial's values do not depend on
// how many trials are multiplied together (the streaming NetworkRunner relies on it). With
// AVX-512 (float) the product is a register-blocked kernel that broadcasts A and keeps up to
// 6 x 64 values of C in registers (small_gemm.cpp); otherwise the same arithmetic in plain loops.
// Measured against Eigen's GEMM, which packs both operands on every call: docs/performance.md.
#include <cstddef>
#include <vector>

#include <Eigen/Core>

namespace gridrnn::model::detail {

template <typename S>
struct PackedRhs {
  std::size_t k = 0, n = 0, stride = 0;                // stride = n rounded up to 16
  std::vector<S, Eigen::aligned_allocator<S>> values;  // (k, stride), padding zero
};

// B = W (k, n) for row-major W; or B = W^T for row-major W (n, k).
template <typename S>
void pack_rhs(const S* W, std::size_t k, std::size_t n, PackedRhs<S>& out);
template <typename S>
void pack_rhs_transposed(const S* W, std::size_t n, std::size_t k, PackedRhs<S>& out);

// C (rows, B.n) = A (rows, B.k) B, or C += A B with accumulate (then C's values are the chain's
// starting point: C[r][j] = fma(A[r][k-1], B, ... fma(A[r][0], B, C[r][j]))). A and C row-major
// with leading dimensions B.k and B.n.
template <typename S>
void multiply_packed(const S* A, std::size_t rows, const PackedRhs<S>& B, S* C, bool accumulate = false);

// Values the kernel may read past the end of an unpacked B (never used: those lanes of C are not
// stored); a buffer passed as B to add_transposed_product must extend this far past B's end.
inline constexpr std::size_t kReadSlack = 16;

// C (m, n) += A^T B for row-major A (depth, m) and B (depth, n), B readable kReadSlack values past
// its end: the weight gradient's rank-depth update of one step (GZ[t]^T U[t], read in place),
// added in order of the depth to each entry's chain.
template <typename S>
void add_transposed_product(const S* A, std::size_t m, const S* B, std::size_t depth, std::size_t n, S* C);

}  // namespace gridrnn::model::detail

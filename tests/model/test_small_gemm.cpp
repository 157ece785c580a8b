// The per-step product with a packed right-hand side (model/detail/small_gemm.hpp) against the
// same sums in double, on shapes that exercise every column panel and row remainder of the
// AVX-512 kernel; a row's result is the same bits whatever block of rows it is multiplied in; the
// values read past an unpacked B's end (kReadSlack) never reach C.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "gridrnn/core/rng.hpp"
#include "model/detail/small_gemm.hpp"

namespace gridrnn::model::detail {
namespace {

std::vector<float> random_values(std::size_t size, std::uint64_t index) {
  Rng rng(7, Stream::kTest, index, 0);
  std::vector<float> v(size);
  for (float& x : v) x = static_cast<float>(rng.uniform(-1.0, 1.0));
  return v;
}

// |float sum - double sum| within k float roundings of the sum of |terms| (a bound for any order).
void expect_near_sum(float got, double exact, double magnitude, std::size_t k, const char* what) {
  EXPECT_LE(std::abs(static_cast<double>(got) - exact), 1.2e-7 * static_cast<double>(k + 1) * magnitude + 1e-30)
      << what << ": got " << got << ", exact " << exact;
}

TEST(SmallGemm, PackedProductMatchesDoubleSumsOnEveryPanelAndRowRemainder) {
  for (const std::size_t n : {1u, 15u, 16u, 17u, 48u, 64u, 65u, 100u, 130u}) {
    for (const std::size_t k : {1u, 3u, 100u}) {
      for (const std::size_t rows : {1u, 5u, 7u, 8u, 13u, 125u}) {
        const std::vector<float> A = random_values(rows * k, 1), W = random_values(n * k, 2);
        PackedRhs<float> transposed, plain;
        pack_rhs_transposed(W.data(), n, k, transposed);  // B = W^T, W (n, k)
        std::vector<float> Wt(k * n);
        for (std::size_t j = 0; j < n; ++j)
          for (std::size_t i = 0; i < k; ++i) Wt[i * n + j] = W[j * k + i];
        pack_rhs(Wt.data(), k, n, plain);  // the same B, given as (k, n)
        // Canaries after each row's n values: the masked stores must not touch them.
        std::vector<float> C(rows * n + 16, 42.0f), C2(rows * n + 16, 42.0f), initial = random_values(rows * n, 3);
        multiply_packed(A.data(), rows, transposed, C.data());
        std::copy(initial.begin(), initial.end(), C2.begin());
        multiply_packed(A.data(), rows, plain, C2.data(), /*accumulate=*/true);
        for (std::size_t r = 0; r < rows; ++r)
          for (std::size_t j = 0; j < n; ++j) {
            double exact = 0, magnitude = 0;
            for (std::size_t i = 0; i < k; ++i) {
              exact += static_cast<double>(A[r * k + i]) * W[j * k + i];
              magnitude += std::abs(static_cast<double>(A[r * k + i]) * W[j * k + i]);
            }
            expect_near_sum(C[r * n + j], exact, magnitude, k, "C = A B");
            expect_near_sum(C2[r * n + j], exact + initial[r * n + j], magnitude + std::abs(initial[r * n + j]), k,
                            "C += A B");
          }
        for (std::size_t e = rows * n; e < C.size(); ++e) ASSERT_EQ(C[e], 42.0f) << "wrote past C, n " << n;
        for (std::size_t e = rows * n; e < C2.size(); ++e) ASSERT_EQ(C2[e], 42.0f) << "wrote past C, n " << n;
      }
    }
  }
}

TEST(SmallGemm, ARowGivesTheSameBitsAloneOrInABlock) {
  const std::size_t n = 100, k = 100, rows = 125;
  const std::vector<float> A = random_values(rows * k, 4), W = random_values(n * k, 5);
  PackedRhs<float> B;
  pack_rhs_transposed(W.data(), n, k, B);
  std::vector<float> block(rows * n), alone(n);
  multiply_packed(A.data(), rows, B, block.data());
  for (std::size_t r = 0; r < rows; ++r) {
    multiply_packed(A.data() + r * k, 1, B, alone.data());
    for (std::size_t j = 0; j < n; ++j) ASSERT_EQ(alone[j], block[r * n + j]) << "row " << r << " column " << j;
  }
}

TEST(SmallGemm, TransposedProductAddsATransposeB) {
  for (const std::size_t m : {3u, 17u, 100u}) {
    for (const std::size_t n : {2u, 100u}) {
      const std::size_t depth = 125;
      const std::vector<float> A = random_values(depth * m, 6);
      std::vector<float> Bv = random_values(depth * n, 7);
      Bv.resize(depth * n + kReadSlack, std::numeric_limits<float>::quiet_NaN());  // read, never used
      const std::vector<float> initial = random_values(m * n, 8);
      std::vector<float> C(initial);
      C.resize(m * n + 16, 42.0f);
      add_transposed_product(A.data(), m, Bv.data(), depth, n, C.data());
      for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < n; ++j) {
          double exact = initial[i * n + j], magnitude = std::abs(initial[i * n + j]);
          for (std::size_t d = 0; d < depth; ++d) {
            exact += static_cast<double>(A[d * m + i]) * Bv[d * n + j];
            magnitude += std::abs(static_cast<double>(A[d * m + i]) * Bv[d * n + j]);
          }
          expect_near_sum(C[i * n + j], exact, magnitude, depth, "C += A^T B");
        }
      for (std::size_t e = m * n; e < C.size(); ++e) ASSERT_EQ(C[e], 42.0f);
    }
  }
}

TEST(SmallGemm, DoubleLoopsMatchTheFloatKernelsSums) {
  const std::size_t n = 37, k = 21, rows = 9;
  const std::vector<float> Af = random_values(rows * k, 9), Wf = random_values(n * k, 10);
  const std::vector<double> A(Af.begin(), Af.end()), W(Wf.begin(), Wf.end());
  PackedRhs<double> B;
  pack_rhs_transposed(W.data(), n, k, B);
  std::vector<double> C(rows * n);
  multiply_packed(A.data(), rows, B, C.data());
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t j = 0; j < n; ++j) {
      double exact = 0;
      for (std::size_t i = 0; i < k; ++i) exact += A[r * k + i] * W[j * k + i];
      EXPECT_NEAR(C[r * n + j], exact, 1e-13);
    }
}

}  // namespace
}  // namespace gridrnn::model::detail

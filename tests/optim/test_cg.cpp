// GCC 12 reports a false -Wuninitialized inside avx512fintrin.h for Eigen's matrix-product
// packet transposes at -O1 (GCC bug 105593, as for -Wmaybe-uninitialized in CMakeLists.txt).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "gridrnn/core/error.hpp"
#include "gridrnn/optim/cg.hpp"
#include "optim_test_problems.hpp"

namespace gridrnn::optim {
namespace {

using testing::gaussian_matrix;
using testing::spd_matrix;

LinearOperator matrix_operator(const Eigen::MatrixXd& A) {
  return [&A](const Eigen::VectorXd& v, Eigen::VectorXd& out) { out.noalias() = A * v; };
}

// phi(x) = 1/2 x^T A x - b^T x, computed directly.
double quadratic(const Eigen::MatrixXd& A, const Eigen::VectorXd& b, const Eigen::VectorXd& x) {
  return 0.5 * x.dot(A * x) - b.dot(x);
}

CgOptions exact_options(int max_iterations) {
  CgOptions options;
  options.max_iterations = max_iterations;
  options.residual_tolerance = 1e-11;
  options.progress_tolerance = 0;  // only the residual decides
  return options;
}

TEST(ConjugateGradient, SolvesWellConditionedSpdSystemsWithinNIterations) {
  for (const Eigen::Index n : {1, 2, 3, 5, 8, 13, 21, 34, 50}) {
    Eigen::VectorXd eigenvalues(n);  // spread over [1, 10]: condition number <= 10
    for (Eigen::Index i = 0; i < n; ++i) {
      eigenvalues[i] = 1.0 + 9.0 * static_cast<double>(i) / static_cast<double>(std::max<Eigen::Index>(n - 1, 1));
    }
    const Eigen::MatrixXd A = spd_matrix(eigenvalues, 100 + static_cast<std::uint64_t>(n));
    const Eigen::VectorXd b = gaussian_matrix(n, 1, 200 + static_cast<std::uint64_t>(n));
    Eigen::VectorXd x;
    CgWorkspace workspace;
    const CgResult result =
        conjugate_gradient(matrix_operator(A), b, x, exact_options(static_cast<int>(n)), workspace);
    const double relative_residual = (b - A * x).norm() / b.norm();
    EXPECT_EQ(result.stop, CgStop::kConverged) << "n = " << n;
    EXPECT_LE(result.iterations, n) << "n = " << n;
    EXPECT_LT(relative_residual, 1e-10) << "n = " << n;
    EXPECT_LT(result.relative_residual, 1e-10) << "n = " << n;
    // phi per iteration is the quadratic model and decreases monotonically.
    ASSERT_EQ(result.phi.size(), static_cast<std::size_t>(result.iterations) + 1);
    EXPECT_NEAR(result.phi.back(), quadratic(A, b, x), 1e-10 * std::abs(quadratic(A, b, x)));
    for (std::size_t i = 1; i < result.phi.size(); ++i) {
      EXPECT_LE(result.phi[i], result.phi[i - 1] + 1e-12) << "n = " << n << ", i = " << i;
    }
  }
}

TEST(ConjugateGradient, JacobiPreconditionerFixesBadScaling) {
  const Eigen::Index n = 40;
  // D A0 D with A0 well conditioned and D spanning 1e-3..1e3: plain CG needs far more than n
  // iterations; with the Jacobi preconditioner it converges within n.
  Eigen::VectorXd eigenvalues = Eigen::VectorXd::LinSpaced(n, 1.0, 4.0);
  Eigen::VectorXd scaling(n);
  for (Eigen::Index i = 0; i < n; ++i) scaling[i] = std::pow(10.0, -3.0 + 6.0 * double(i) / double(n - 1));
  const Eigen::MatrixXd A =
      scaling.asDiagonal() * spd_matrix(eigenvalues, 7) * scaling.asDiagonal();
  const Eigen::VectorXd b = gaussian_matrix(n, 1, 8);
  const Eigen::VectorXd diagonal = A.diagonal();
  const LinearOperator jacobi = [&](const Eigen::VectorXd& r, Eigen::VectorXd& z) {
    z = r.cwiseQuotient(diagonal);
  };
  CgWorkspace workspace;
  Eigen::VectorXd plain, preconditioned;
  const CgResult without = conjugate_gradient(matrix_operator(A), b, plain, exact_options(int(n)), workspace);
  const CgResult with =
      conjugate_gradient(matrix_operator(A), b, preconditioned, exact_options(int(n)), workspace, jacobi);
  EXPECT_NE(without.stop, CgStop::kConverged);
  EXPECT_EQ(with.stop, CgStop::kConverged);
  EXPECT_LT((b - A * preconditioned).norm() / b.norm(), 1e-10);
}

TEST(ConjugateGradient, WarmStartAtTheSolutionStopsAtOnce) {
  const Eigen::MatrixXd A = spd_matrix(Eigen::VectorXd::LinSpaced(10, 1.0, 3.0), 11);
  const Eigen::VectorXd b = gaussian_matrix(10, 1, 12);
  Eigen::VectorXd x = A.llt().solve(b);
  CgWorkspace workspace;
  const CgResult result = conjugate_gradient(matrix_operator(A), b, x, exact_options(10), workspace);
  EXPECT_EQ(result.stop, CgStop::kConverged);
  EXPECT_EQ(result.iterations, 0);
}

TEST(ConjugateGradient, StopsAtMaxIterations) {
  const Eigen::MatrixXd A = spd_matrix(Eigen::VectorXd::LinSpaced(50, 1.0, 10.0), 21);
  const Eigen::VectorXd b = gaussian_matrix(50, 1, 22);
  Eigen::VectorXd x;
  CgWorkspace workspace;
  const CgResult result = conjugate_gradient(matrix_operator(A), b, x, exact_options(3), workspace);
  EXPECT_EQ(result.stop, CgStop::kMaxIterations);
  EXPECT_EQ(result.iterations, 3);
}

TEST(ConjugateGradient, StopsOnMartensRelativeProgress) {
  // A large, badly conditioned diagonal system: the residual never gets small, progress in phi
  // flattens out, and the relative-progress rule ends the solve long before max_iterations.
  const Eigen::Index n = 3000;
  Eigen::VectorXd diagonal(n);
  for (Eigen::Index i = 0; i < n; ++i) diagonal[i] = std::pow(10.0, -6.0 * double(i) / double(n - 1));
  const Eigen::VectorXd b = diagonal;  // phi* = -1/2 sum(diagonal): the large eigenvalues dominate
  const LinearOperator apply = [&](const Eigen::VectorXd& v, Eigen::VectorXd& out) {
    out = diagonal.cwiseProduct(v);
  };
  CgOptions options;  // Martens' defaults: 5e-4, k = max(10, ceil(0.1 i)), 250 iterations
  options.residual_tolerance = 1e-14;
  Eigen::VectorXd x;
  CgWorkspace workspace;
  const CgResult result = conjugate_gradient(apply, b, x, options, workspace);
  ASSERT_EQ(result.stop, CgStop::kRelativeProgress) << to_string(result.stop);
  EXPECT_LT(result.iterations, options.max_iterations);
  // The rule really held at the stop and not one iteration earlier.
  const auto rule_holds = [&](int i) {
    const int k = std::max(10, static_cast<int>(std::ceil(0.1 * i)));
    const double phi = result.phi[static_cast<std::size_t>(i)];
    return i > k && phi < 0 && (phi - result.phi[static_cast<std::size_t>(i - k)]) / phi < k * 5e-4;
  };
  EXPECT_TRUE(rule_holds(result.iterations));
  EXPECT_FALSE(rule_holds(result.iterations - 1));
}

TEST(ConjugateGradient, StopsOnNonPositiveCurvatureWithoutMovingX) {
  Eigen::MatrixXd A(2, 2);
  A << 1, 0, 0, -1;  // indefinite: p0 = b = (1, 1) has p^T A p = 0
  const Eigen::VectorXd b = Eigen::VectorXd::Ones(2);
  Eigen::VectorXd x;
  CgWorkspace workspace;
  const CgResult result = conjugate_gradient(matrix_operator(A), b, x, exact_options(10), workspace);
  EXPECT_EQ(result.stop, CgStop::kNonPositiveCurvature);
  EXPECT_EQ(result.iterations, 0);
  EXPECT_TRUE(x.isZero(0));
}

TEST(ConjugateGradient, StopsOnNonFiniteProductKeepingTheLastFiniteIterate) {
  const Eigen::MatrixXd A = spd_matrix(Eigen::VectorXd::LinSpaced(20, 1.0, 10.0), 31);
  const Eigen::VectorXd b = gaussian_matrix(20, 1, 32);
  int calls = 0;
  const LinearOperator broken = [&](const Eigen::VectorXd& v, Eigen::VectorXd& out) {
    out = A * v;
    if (++calls == 4) out[3] = std::nan("");
  };
  Eigen::VectorXd x;
  CgWorkspace workspace;
  const CgResult result = conjugate_gradient(broken, b, x, exact_options(20), workspace);
  EXPECT_EQ(result.stop, CgStop::kNonFinite);
  EXPECT_EQ(result.iterations, 3);
  EXPECT_TRUE(x.allFinite());
  EXPECT_NEAR(result.phi.back(), quadratic(A, b, x), 1e-9);
}

TEST(ConjugateGradient, KeepsTheIteratesMartensBacktrackingNeeds) {
  CgOptions options;
  const std::vector<int> expected{5, 7, 9, 11, 15, 19, 25, 32, 41, 54, 69, 90, 117, 152, 197};  // ceil(5 * 1.3^j) < 250
  EXPECT_EQ(cg_kept_iterations(options), expected);

  // Each kept column equals the iterate of a solve stopped at that iteration.
  const Eigen::Index n = 30;
  const Eigen::MatrixXd A = spd_matrix(Eigen::VectorXd::LinSpaced(n, 1.0, 1000.0), 41);
  const Eigen::VectorXd b = gaussian_matrix(n, 1, 42);
  CgOptions long_run = exact_options(12);
  Eigen::VectorXd x;
  CgWorkspace workspace;
  const CgResult result = conjugate_gradient(matrix_operator(A), b, x, long_run, workspace);
  ASSERT_EQ(result.stop, CgStop::kMaxIterations);
  ASSERT_EQ(result.kept_iterations, (std::vector<int>{5, 7, 9, 11, 12}));
  for (std::size_t j = 0; j < result.kept_iterations.size(); ++j) {
    Eigen::VectorXd short_x;
    CgWorkspace short_workspace;
    conjugate_gradient(matrix_operator(A), b, short_x, exact_options(result.kept_iterations[j]),
                       short_workspace);
    EXPECT_LT((workspace.kept_iterates.col(Eigen::Index(j)) - short_x).norm(), 1e-12 * short_x.norm())
        << "kept iterate " << result.kept_iterations[j];
  }
}

TEST(ConjugateGradient, OptionsValidationNamesTheField) {
  const auto message_of = [](const CgOptions& options) {
    try {
      options.validate();
    } catch (const UserError& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  CgOptions options;
  options.max_iterations = 0;
  EXPECT_NE(message_of(options).find("max_iterations = 0"), std::string::npos) << message_of(options);
  options = {};
  options.backtrack_growth = 1.0;
  EXPECT_NE(message_of(options).find("backtrack_growth"), std::string::npos);
  options = {};
  options.progress_tolerance = -1;
  EXPECT_NE(message_of(options).find("progress_tolerance"), std::string::npos);
}

}  // namespace
}  // namespace gridrnn::optim

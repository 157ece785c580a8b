#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "gridrnn/core/error.hpp"
#include "gridrnn/optim/gradient_check.hpp"
#include "optim_test_problems.hpp"

namespace gridrnn::optim {
namespace {

using testing::LinearLeastSquares;
using testing::Rosenbrock;

// LinearLeastSquares with entry `wrong_index` of the gradient off by `error` (relative).
struct WrongGradient {
  LinearLeastSquares inner;
  Eigen::Index wrong_index;
  double error;
  std::size_t num_parameters() const { return inner.num_parameters(); }
  double value(const Eigen::VectorXd& t) { return inner.value(t); }
  double value_gradient(const Eigen::VectorXd& t, Eigen::VectorXd& g) {
    const double f = inner.value_gradient(t, g);
    g[wrong_index] *= 1.0 + error;
    return f;
  }
};

TEST(GradientCheck, AcceptsCorrectGradients) {
  LinearLeastSquares problem(30, 12, 3);
  const Eigen::VectorXd theta = testing::gaussian_matrix(12, 1, 4);
  const GradientCheckResult result = check_gradient(problem, theta);
  EXPECT_TRUE(result.passed) << result.report();
  EXPECT_EQ(result.indices.size(), 12u);
  EXPECT_LT(result.max_error, 1e-7);

  Rosenbrock rosenbrock;
  Eigen::VectorXd start(2);
  start << -1.2, 1.0;
  EXPECT_TRUE(check_gradient(rosenbrock, start).passed);
}

TEST(GradientCheck, RejectsAGradientWithOneWrongEntry) {
  WrongGradient problem{LinearLeastSquares(30, 12, 3), 7, 1e-4};  // 0.01% off in one entry
  const Eigen::VectorXd theta = testing::gaussian_matrix(12, 1, 4);
  const GradientCheckResult result = check_gradient(problem, theta);
  EXPECT_FALSE(result.passed);
  EXPECT_EQ(result.worst_index, 7u);
  EXPECT_NEAR(result.max_error, 1e-4, 2e-6);
  for (std::size_t k = 0; k < result.indices.size(); ++k) {
    if (result.indices[k] != 7) {
      EXPECT_LT(result.error[Eigen::Index(k)], 1e-6) << k;
    }
  }
  const std::string report = result.report();
  EXPECT_NE(report.find("FAILED"), std::string::npos) << report;
  EXPECT_NE(report.find("entry 7:"), std::string::npos) << report;
  EXPECT_EQ(report.find("entry 6:"), std::string::npos) << report;
}

TEST(GradientCheck, SamplesEvenlySpacedEntriesForLargeModels) {
  EXPECT_EQ(gradient_check_indices(10, 0).size(), 10u);
  EXPECT_EQ(gradient_check_indices(10, 20).size(), 10u);
  const std::vector<std::size_t> sample = gradient_check_indices(1000, 7);
  ASSERT_EQ(sample.size(), 7u);
  EXPECT_EQ(sample.front(), 0u);
  for (std::size_t k = 1; k < sample.size(); ++k) EXPECT_GT(sample[k], sample[k - 1]);
  EXPECT_LT(sample.back(), 1000u);

  WrongGradient problem{LinearLeastSquares(30, 12, 3), 6, 1e-3};
  GradientCheckOptions options;
  options.max_entries = 4;  // entries 0, 3, 6, 9: the wrong one is among them
  const GradientCheckResult result =
      check_gradient(problem, testing::gaussian_matrix(12, 1, 4), options);
  EXPECT_EQ(result.indices, (std::vector<std::size_t>{0, 3, 6, 9}));
  EXPECT_FALSE(result.passed);
  EXPECT_EQ(result.worst_index, 6u);
}

TEST(GradientCheck, ValidatesItsOptions) {
  GradientCheckOptions options;
  options.step = 0;
  LinearLeastSquares problem(5, 3, 1);
  try {
    check_gradient(problem, Eigen::VectorXd::Zero(3), options);
    FAIL() << "step 0 accepted";
  } catch (const UserError& error) {
    EXPECT_NE(std::string(error.what()).find("step = 0"), std::string::npos) << error.what();
  }
}

TEST(CurvatureCheck, AcceptsASymmetricPsdProductAndFlagsBrokenOnes) {
  LinearLeastSquares problem(30, 12, 3);
  const Eigen::VectorXd theta = Eigen::VectorXd::Zero(12);
  const Eigen::VectorXd u = testing::gaussian_matrix(12, 1, 5), v = testing::gaussian_matrix(12, 1, 6);
  const CurvatureCheckResult good = check_curvature(problem, theta, u, v, 0.1);
  EXPECT_TRUE(good.symmetric) << good.asymmetry;
  EXPECT_TRUE(good.positive_semidefinite) << good.min_curvature;

  struct Broken {  // G + an antisymmetric part, minus a multiple of the identity
    LinearLeastSquares& inner;
    std::size_t num_parameters() const { return inner.num_parameters(); }
    double value(const Eigen::VectorXd& t) { return inner.value(t); }
    double value_gradient(const Eigen::VectorXd& t, Eigen::VectorXd& g) {
      return inner.value_gradient(t, g);
    }
    void gauss_newton_product(const Eigen::VectorXd& x, double w, Eigen::VectorXd& out) {
      inner.gauss_newton_product(x, w, out);
      out[0] += x[1];
      out -= 100.0 * x;
    }
  } broken{problem};
  const CurvatureCheckResult bad = check_curvature(broken, theta, u, v);
  EXPECT_FALSE(bad.symmetric);
  EXPECT_FALSE(bad.positive_semidefinite);
}

// f = sum_i sin(3 theta_i): at h = 1e-2 the two-point stencil is off by about (3h)^2 / 6 = 1.5e-4
// relative, the four-point one by (3h)^4 / 30 = 2.7e-9; the floor compares the small entries at
// the gradient's scale.
TEST(GradientCheck, FourPointStencilIsAccurateAtStepsWhereTheTwoPointOneIsNot) {
  const auto f = [](const Eigen::VectorXd& t) { return t.unaryExpr([](double x) { return std::sin(3 * x); }).sum(); };
  const Eigen::VectorXd theta = Eigen::VectorXd::LinSpaced(9, -0.8, 0.8);
  const Eigen::VectorXd gradient = theta.unaryExpr([](double x) { return 3 * std::cos(3 * x); });
  GradientCheckOptions options;
  options.step = 1e-2;
  options.floor_fraction = 1e-4;
  const GradientCheckResult two = check_gradient(f, theta, gradient, options);
  EXPECT_FALSE(two.passed) << two.report();
  EXPECT_GT(two.max_error, 1e-5) << two.report();
  options.stencil = Stencil::kFourPoint;
  const GradientCheckResult four = check_gradient(f, theta, gradient, options);
  EXPECT_TRUE(four.passed) << four.report();
  EXPECT_LT(four.max_error, 1e-7) << four.report();
  // One entry off by 1e-5 relative is caught, and named.
  Eigen::VectorXd wrong = gradient;
  wrong[4] *= 1 + 1e-5;
  const GradientCheckResult caught = check_gradient(f, theta, wrong, options);
  EXPECT_FALSE(caught.passed);
  EXPECT_EQ(caught.worst_index, 4u) << caught.report();
}

}  // namespace
}  // namespace gridrnn::optim

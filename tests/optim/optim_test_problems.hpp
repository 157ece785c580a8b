#pragma once
// Small objectives with known optima for the optimizer tests (all satisfy CurvatureObjective).
#include <cmath>
#include <cstddef>
#include <functional>
#include <vector>

#include <Eigen/Dense>

#include "gridrnn/core/rng.hpp"
#include "gridrnn/optim/objective.hpp"

namespace gridrnn::optim::testing {

// A Gaussian matrix from the test stream (seeded, so every run sees the same problem).
inline Eigen::MatrixXd gaussian_matrix(Eigen::Index rows, Eigen::Index cols, std::uint64_t seed) {
  Rng rng(seed, Stream::kTest, 0, 0);
  Eigen::MatrixXd m(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j) {
    for (Eigen::Index i = 0; i < rows; ++i) m(i, j) = rng.normal();
  }
  return m;
}

// A = Q diag(eigenvalues) Q^T with Q a random orthogonal matrix (QR of a Gaussian matrix).
inline Eigen::MatrixXd spd_matrix(const Eigen::VectorXd& eigenvalues, std::uint64_t seed) {
  const Eigen::Index n = eigenvalues.size();
  const Eigen::HouseholderQR<Eigen::MatrixXd> qr(gaussian_matrix(n, n, seed));
  const Eigen::MatrixXd Q = qr.householderQ() * Eigen::MatrixXd::Identity(n, n);
  return Q * eigenvalues.asDiagonal() * Q.transpose();
}

// f = 1/(2m) ||A theta - b||^2; gradient A^T (A theta - b) / m; G = A^T A / m (exact Hessian).
// The structural term is structural_weight * v (J_h = I, D = I).
struct LinearLeastSquares {
  Eigen::MatrixXd A;  // [m, n]
  Eigen::VectorXd b;  // [m]
  int value_calls = 0, gradient_calls = 0, product_calls = 0;

  LinearLeastSquares(Eigen::Index m, Eigen::Index n, std::uint64_t seed)
      : A(gaussian_matrix(m, n, seed)), b(gaussian_matrix(m, 1, seed + 1)) {}
  std::size_t num_parameters() const { return static_cast<std::size_t>(A.cols()); }
  double value(const Eigen::VectorXd& theta) {
    ++value_calls;
    return 0.5 * (A * theta - b).squaredNorm() / static_cast<double>(A.rows());
  }
  double value_gradient(const Eigen::VectorXd& theta, Eigen::VectorXd& grad) {
    ++gradient_calls;
    const Eigen::VectorXd residual = A * theta - b;
    grad = A.transpose() * residual / static_cast<double>(A.rows());
    return 0.5 * residual.squaredNorm() / static_cast<double>(A.rows());
  }
  void gauss_newton_product(const Eigen::VectorXd& v, double structural_weight,
                            Eigen::VectorXd& out) {
    ++product_calls;
    out = A.transpose() * (A * v) / static_cast<double>(A.rows()) + structural_weight * v;
  }
  Eigen::VectorXd optimum() const { return A.colPivHouseholderQr().solve(b); }
};

// Rosenbrock as least squares: r1 = 10 (y - x^2), r2 = 1 - x, f = r1^2 + r2^2
// = 100 (y - x^2)^2 + (1 - x)^2, minimum 0 at (1, 1). J = [[-20x, 10], [-1, 0]], G = 2 J^T J.
struct Rosenbrock {
  std::size_t num_parameters() const { return 2; }
  double value(const Eigen::VectorXd& t) const {
    const double r1 = 10 * (t[1] - t[0] * t[0]), r2 = 1 - t[0];
    return r1 * r1 + r2 * r2;
  }
  double value_gradient(const Eigen::VectorXd& t, Eigen::VectorXd& grad) {
    at = t;
    const double r1 = 10 * (t[1] - t[0] * t[0]), r2 = 1 - t[0];
    grad.resize(2);
    grad[0] = 2 * (r1 * (-20 * t[0]) + r2 * (-1));
    grad[1] = 2 * (r1 * 10);
    return r1 * r1 + r2 * r2;
  }
  void gauss_newton_product(const Eigen::VectorXd& v, double structural_weight,
                            Eigen::VectorXd& out) const {
    Eigen::Matrix2d J;
    J << -20 * at[0], 10, -1, 0;
    out = 2 * J.transpose() * (J * v) + structural_weight * v;
  }
  Eigen::VectorXd at = Eigen::VectorXd::Zero(2);
};

// f = 1/2 theta^T theta (gradient theta), with a Gauss–Newton product that reports
// curvature_scale * v instead of the true v: the quadratic model is then exact (scale 1) or
// wrong by a known factor, which fixes rho. value() can be made to fail (NaN) on request.
struct ScaledQuadratic {
  std::size_t n = 4;
  double curvature_scale = 1.0;
  std::function<bool(const Eigen::VectorXd&)> value_is_nan = [](const Eigen::VectorXd&) {
    return false;
  };
  bool gradient_is_nan = false;
  std::vector<double> structural_weights;      // every structural_weight seen, in order
  std::vector<Eigen::VectorXd> first_products;  // first v of each update's products
  bool new_update = true;

  std::size_t num_parameters() const { return n; }
  double value(const Eigen::VectorXd& t) const {
    return value_is_nan(t) ? std::nan("") : 0.5 * t.squaredNorm();
  }
  double value_gradient(const Eigen::VectorXd& t, Eigen::VectorXd& grad) {
    new_update = true;
    grad = t;
    if (gradient_is_nan) grad[0] = std::nan("");
    return value(t);
  }
  void gauss_newton_product(const Eigen::VectorXd& v, double structural_weight,
                            Eigen::VectorXd& out) {
    if (new_update) first_products.push_back(v);
    new_update = false;
    structural_weights.push_back(structural_weight);
    out = curvature_scale * v;
  }
};

// ScaledQuadratic that also reports its loss terms (the two halves of 1/2 |theta|^2).
struct QuadraticWithTerms : ScaledQuadratic {
  std::vector<LossTerm> terms;
  double value_gradient(const Eigen::VectorXd& t, Eigen::VectorXd& grad) {
    const double f = ScaledQuadratic::value_gradient(t, grad);
    const double first = 0.5 * t.head(2).squaredNorm();
    terms = {{"first_half", first}, {"second_half", f - first}};
    return f;
  }
  std::vector<LossTerm> loss_terms() const { return terms; }
};

static_assert(CurvatureObjective<LinearLeastSquares>);
static_assert(ReportsLossTerms<QuadraticWithTerms>);
static_assert(!ReportsLossTerms<ScaledQuadratic>);
static_assert(CurvatureObjective<Rosenbrock>);
static_assert(CurvatureObjective<ScaledQuadratic>);

}  // namespace gridrnn::optim::testing

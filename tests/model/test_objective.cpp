#include "model/detail/avx512_warnings.hpp"  // first: before any Eigen header
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <vector>

#include "gridrnn/core/error.hpp"
#include "gridrnn/core/threads.hpp"
#include "gridrnn/optim/gradient_check.hpp"
#include "gridrnn/model/noise.hpp"
#include "gridrnn/model/objective.hpp"
#include "model/detail/reference.hpp"
#include "model_test_data.hpp"

namespace gridrnn::model {
namespace {

using testing::SmallProblem;

double max_relative_difference(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  return (a - b).cwiseAbs().maxCoeff() / std::max(a.cwiseAbs().maxCoeff(), b.cwiseAbs().maxCoeff());
}

// The gradient and G v of every model variant against finite differences and an explicit
// J^T H J: tests/model/test_variants.cpp.

TEST(GradientCheck, RejectsAGradientWithOneWrongEntry) {
  SmallProblem p(7, 13, 3);
  CtrnnObjectiveDouble objective(p.model, p.loss);
  objective.set_minibatch(p.batch);
  Eigen::VectorXd gradient;
  objective.value_gradient(p.theta, gradient);
  const ParameterLayout L(p.model);
  const std::size_t wrong = L.W_rec + 9;
  gradient[static_cast<Eigen::Index>(wrong)] *= 1.0 + 1e-4;
  const auto check = optim::check_gradient([&](const Eigen::VectorXd& t) { return objective.value(t); }, p.theta,
                                           gradient, testing::four_point_check(1e-3));
  EXPECT_FALSE(check.passed) << check.report();
  EXPECT_EQ(check.worst_index, wrong) << check.report();
}

TEST(Objective, LossTermsMatchTheNaiveReference) {
  SmallProblem p(7, 13, 3);
  CtrnnObjectiveDouble objective(p.model, p.loss);
  objective.set_minibatch(p.batch);
  Eigen::VectorXd gradient;
  const double total = objective.value_gradient(p.theta, gradient);
  const auto reference = detail::reference_forward(p.model, p.loss, p.batch, p.theta, true);
  EXPECT_NEAR(total, reference.terms.total, 1e-13);
  EXPECT_NEAR(objective.last_terms().error, reference.terms.error, 1e-13);
  EXPECT_NEAR(objective.last_terms().l2, reference.terms.l2, 1e-13);
  EXPECT_NEAR(objective.last_terms().firing_rate, reference.terms.firing_rate, 1e-13);
  EXPECT_NEAR(objective.last_terms().position_rms, reference.terms.position_rms, 1e-12);
  EXPECT_LT(max_relative_difference(gradient, reference.gradient), 1e-12);
  // value() agrees with value_gradient()'s loss.
  EXPECT_EQ(objective.value(p.theta), total);
}

TEST(Objective, LossNormalizationsByHand) {
  // One unit, one step, one trial, no noise: every term computable by hand.
  ModelOptions model;
  model.units = 1;
  model.inputs = 2;
  model.noise_sd = 0.0;
  model.dt = 0.5;  // alpha = 0.5
  LossOptions loss{0.5, 0.1, 0.0};
  const std::vector<float> inputs{1.0f, 2.0f}, targets{0.25f, -0.5f};
  MinibatchView batch{1, 1, inputs, targets, {}, 0, 0, {}};
  // theta: W_in (1,2) | W_rec (1,1) | b | W_out (2,1) | x0
  Eigen::VectorXd theta(7);
  theta << 0.3, -0.2, 0.7, 0.1, 1.5, -2.0, 0.4;
  const double u0 = std::tanh(0.4);
  const double x1 = 0.4 + 0.5 * (-0.4 + 0.7 * u0 + 0.3 * 1.0 - 0.2 * 2.0 + 0.1);
  const double u1 = std::tanh(x1);
  const double E = (std::pow(1.5 * u1 - 0.25, 2) + std::pow(-2.0 * u1 + 0.5, 2)) / 2.0;
  const double R_L2 = (0.09 + 0.04) / 2.0 + (2.25 + 4.0) / 2.0;
  const double R_FR = u1 * u1;
  CtrnnObjectiveDouble objective(model, loss);
  objective.set_minibatch(batch);
  EXPECT_NEAR(objective.value(theta), E + 0.5 * R_L2 + 0.1 * R_FR, 1e-14);
  EXPECT_NEAR(objective.last_terms().error, E, 1e-14);
  EXPECT_NEAR(objective.last_terms().l2, R_L2, 1e-14);
  EXPECT_NEAR(objective.last_terms().firing_rate, R_FR, 1e-14);
}

TEST(GaussNewton, IsSymmetricAndPositiveSemidefinite) {
  SmallProblem p(7, 13, 4, InitialState::kFromPosition);
  CtrnnObjectiveDouble objective(p.model, p.loss, ObjectiveSettings{2});
  objective.set_minibatch(p.batch);
  Eigen::VectorXd gradient, Gu, Gv;
  objective.value_gradient(p.theta, gradient);
  for (std::uint64_t k = 0; k < 5; ++k) {
    const Eigen::VectorXd u = p.random_vector(2 * k), v = p.random_vector(2 * k + 1);
    objective.gauss_newton_product(u, 0.1, Gu);
    objective.gauss_newton_product(v, 0.1, Gv);
    EXPECT_NEAR(u.dot(Gv), v.dot(Gu), 1e-12 * std::abs(u.dot(Gv)) + 1e-15);
    EXPECT_GE(v.dot(Gv), 0.0);
  }
  // With the loss weights off, v^T G v = |J_y v|^2 / (M T) >= 0 still; and G is exactly PSD on
  // a direction that only moves W_out: v^T G v = sum (vW_out u)^2 / (M T) + L2 part.
}

TEST(GaussNewton, RecomputesStatesAfterValueAndCurvatureChange) {
  SmallProblem p(6, 9, 5);
  CtrnnObjectiveDouble objective(p.model, p.loss, ObjectiveSettings{2});
  objective.set_minibatch(p.batch);
  Eigen::VectorXd gradient, before, after;
  objective.value_gradient(p.theta, gradient);
  const Eigen::VectorXd v = p.random_vector(4);
  objective.gauss_newton_product(v, 0.0, before);
  const LossTerms at_theta = objective.gradient_terms();
  objective.value(p.theta + v);  // a line-search probe must not disturb G v at theta
  EXPECT_EQ(objective.gradient_terms().total, at_theta.total);
  EXPECT_NE(objective.last_terms().total, at_theta.total);
  objective.gauss_newton_product(v, 0.0, after);
  EXPECT_EQ(before, after);
  objective.set_curvature_trials(3);
  objective.gauss_newton_product(v, 0.0, after);
  const auto reference = detail::reference_gauss_newton(p.model, p.loss, p.batch, p.theta, v, 0.0, 3);
  EXPECT_LT(max_relative_difference(after, reference), 1e-12);
}

TEST(Objective, FloatAgreesWithDouble) {
  SmallProblem p(20, 30, 9);
  CtrnnObjectiveDouble exact(p.model, p.loss, ObjectiveSettings{4});
  CtrnnObjective fast(p.model, p.loss, ObjectiveSettings{4});
  exact.set_minibatch(p.batch);
  fast.set_minibatch(p.batch);
  Eigen::VectorXd g_exact, g_fast, Gv_exact, Gv_fast;
  const double l_exact = exact.value_gradient(p.theta, g_exact);
  const double l_fast = fast.value_gradient(p.theta, g_fast);
  EXPECT_NEAR(l_fast, l_exact, 1e-5 * l_exact);
  EXPECT_LT(max_relative_difference(g_fast, g_exact), 1e-4);
  const Eigen::VectorXd v = p.random_vector(1);
  exact.gauss_newton_product(v, 0.05, Gv_exact);
  fast.gauss_newton_product(v, 0.05, Gv_fast);
  EXPECT_LT(max_relative_difference(Gv_fast, Gv_exact), 1e-4);
}

TEST(Objective, ResultsDoNotDependOnThreadCount) {
  SmallProblem p(16, 20, 300);
  CtrnnObjective objective(p.model, p.loss, ObjectiveSettings{40});
  objective.set_minibatch(p.batch);
  const Eigen::VectorXd v = p.random_vector(2);
  Eigen::VectorXd g1, g2, Gv1, Gv2;
  const int saved = thread_count();
  set_thread_count(1);
  const double l1 = objective.value_gradient(p.theta, g1);
  objective.gauss_newton_product(v, 0.1, Gv1);
  set_thread_count(2);
  const double l2 = objective.value_gradient(p.theta, g2);
  objective.gauss_newton_product(v, 0.1, Gv2);
  set_thread_count(saved);
  EXPECT_EQ(l1, l2);
  EXPECT_EQ(g1, g2);
  EXPECT_EQ(Gv1, Gv2);
}

TEST(Objective, NoiseIsReplayableAndKeyedByUpdate) {
  SmallProblem p(8, 10, 3);
  CtrnnObjectiveDouble objective(p.model, p.loss);
  objective.set_minibatch(p.batch);
  const double first = objective.value(p.theta);
  objective.set_minibatch(p.batch);
  EXPECT_EQ(objective.value(p.theta), first);
  auto other = p.batch;
  other.update_index += 1;
  objective.set_minibatch(other);
  EXPECT_NE(objective.value(p.theta), first);
  p.model.noise_sd = 0.0;
  CtrnnObjectiveDouble quiet(p.model, p.loss);
  quiet.set_minibatch(p.batch);
  const double a = quiet.value(p.theta);
  quiet.set_minibatch(other);
  EXPECT_EQ(quiet.value(p.theta), a);
}

// A trial's noise must be the same bits whether it is made alone (the reference forward pass),
// in a chunk of trials (the objective: chunks follow the curvature batch) or in the whole
// minibatch (predict); for unit counts that fill a tile exactly, leave a partial one, or span two.
TEST(Noise, ATrialsValuesDoNotDependOnTheChunkItIsMadeIn) {
  for (const std::size_t units : {1u, 13u, 100u, 128u, 129u, 300u}) {
    constexpr std::size_t kTrials = 7;
    std::vector<float> together(kTrials * units), alone(units);
    generate_noise(11, 3, 5, kTrials, 4, units, 0.5f, together.data());
    for (std::size_t r = 0; r < kTrials; ++r) {
      generate_noise(11, 3, 5 + r, 1, 4, units, 0.5f, alone.data());
      for (std::size_t i = 0; i < units; ++i)
        ASSERT_EQ(alone[i], together[r * units + i]) << "units " << units << ", trial " << r << ", unit " << i;
    }
  }
}

// 0.5 * standard normal: mean and variance of 40,000 values within 4.5 standard errors.
TEST(Noise, IsGaussianWithTheRequestedSd) {
  constexpr std::size_t kUnits = 100, kTrials = 400;
  std::vector<float> xi(kTrials * kUnits);
  generate_noise(2, 0, 0, kTrials, 7, kUnits, 0.5f, xi.data());
  double sum = 0.0, sum_sq = 0.0;
  for (const float v : xi) {
    sum += v;
    sum_sq += static_cast<double>(v) * v;
  }
  const auto n = static_cast<double>(xi.size());
  const double mean = sum / n, variance = sum_sq / n - mean * mean;
  EXPECT_LT(std::abs(mean), 4.5 * 0.5 / std::sqrt(n));
  EXPECT_LT(std::abs(variance - 0.25), 4.5 * 0.25 * std::sqrt(2.0 / n));
}

TEST(Objective, WrongSizesAreUserErrors) {
  SmallProblem p(4, 5, 2, InitialState::kFromPosition);
  CtrnnObjectiveDouble objective(p.model, p.loss);
  auto bad = p.batch;
  bad.inputs = bad.inputs.first(bad.inputs.size() - 1);
  EXPECT_THROW(objective.set_minibatch(bad), UserError);
  bad = p.batch;
  bad.starts = {};
  EXPECT_THROW(objective.set_minibatch(bad), UserError);
  objective.set_minibatch(p.batch);
  EXPECT_THROW(objective.value(Eigen::VectorXd::Zero(3)), UserError);
}

}  // namespace
}  // namespace gridrnn::model

// GCC 12 reports a false -Wuninitialized inside avx512fintrin.h for Eigen's matrix-product
// packet transposes at -O1 (GCC bug 105593, as for -Wmaybe-uninitialized in CMakeLists.txt).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "gridrnn/core/error.hpp"
#include "gridrnn/io/config.hpp"
#include "gridrnn/optim/hessian_free.hpp"
#include "optim_test_problems.hpp"

namespace gridrnn::optim {
namespace {

using testing::LinearLeastSquares;
using testing::Rosenbrock;
using testing::ScaledQuadratic;

std::string validation_message(const HessianFreeOptions& options) {
  try {
    options.validate();
  } catch (const UserError& error) {
    return error.what();
  }
  return "no error";
}

Eigen::VectorXd ramp(Eigen::Index n) { return Eigen::VectorXd::LinSpaced(n, 1.0, 2.0); }

TEST(HessianFree, ReachesTheLinearLeastSquaresOptimumInFewUpdates) {
  LinearLeastSquares problem(60, 20, 5);
  const Eigen::VectorXd optimum = problem.optimum();
  Eigen::VectorXd theta = Eigen::VectorXd::Zero(20);
  HessianFree hf;  // default options, initial lambda 1
  int updates = 0;
  double previous = problem.value(theta);
  while (updates < 100 && (theta - optimum).norm() > 1e-8 * optimum.norm()) {
    const UpdateSummary summary = hf.step(problem, theta);
    ++updates;
    EXPECT_LE(summary.loss_after, previous) << summary.one_line();  // never up on a fixed batch
    previous = summary.loss_after;
  }
  // Measured: 13 updates (rho ~ 1, so lambda shrinks by 2/3 per update).
  EXPECT_LE(updates, 20);
  EXPECT_LT((theta - optimum).norm(), 1e-8 * optimum.norm());
}

TEST(HessianFree, ReachesTheRosenbrockOptimumFromTheClassicStart) {
  Rosenbrock problem;
  Eigen::VectorXd theta(2);
  theta << -1.2, 1.0;
  HessianFree hf;
  int updates = 0;
  while (updates < 200 && (theta - Eigen::Vector2d(1, 1)).norm() > 1e-8) {
    const UpdateSummary summary = hf.step(problem, theta);
    ASSERT_TRUE(theta.allFinite()) << summary.one_line();
    ++updates;
  }
  // Measured: 18 updates (the first three raise lambda: the Gauss–Newton model is poor there).
  EXPECT_LE(updates, 25);
  EXPECT_LT((theta - Eigen::Vector2d(1, 1)).norm(), 1e-8);
}

TEST(HessianFree, ExactModelGivesRhoOneAndLowersLambda) {
  ScaledQuadratic problem;  // G = I exactly: CG solves in one step, rho = 1
  Eigen::VectorXd theta = ramp(4);
  HessianFreeOptions options;
  options.initial_lambda = 0.5;
  HessianFree hf(options);
  const UpdateSummary summary = hf.step(problem, theta);
  EXPECT_TRUE(summary.accepted) << summary.one_line();
  EXPECT_NEAR(summary.rho, 1.0, 1e-12);
  EXPECT_DOUBLE_EQ(summary.lambda, 0.5);
  EXPECT_DOUBLE_EQ(summary.next_lambda, 0.5 * 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(hf.state().lambda, 0.5 * 2.0 / 3.0);
  // p = -theta / (1 + lambda), accepted at rate 1.
  EXPECT_LT((theta - ramp(4) * (1 - 1 / 1.5)).norm(), 1e-12);
}

TEST(HessianFree, OverconfidentModelGivesLowRhoAndRaisesLambda) {
  ScaledQuadratic problem;
  problem.curvature_scale = 0.1;  // the model believes in 10x less curvature: step 5x too long
  Eigen::VectorXd theta = ramp(4);
  HessianFreeOptions options;
  options.initial_lambda = 0.1;
  HessianFree hf(options);
  const UpdateSummary summary = hf.step(problem, theta);
  // s = 1/(c + lambda) = 5: rho = (1/2 (1-s)^2 - 1/2) / (-s + 1/2 c s^2) = 7.5 / -3.75 = -2.
  EXPECT_NEAR(summary.rho, -2.0, 1e-12);
  EXPECT_DOUBLE_EQ(summary.next_lambda, 0.1 * 1.5);
  // The line search still finds a decrease: rate 0.8^k with 5 * rate < 2.
  EXPECT_TRUE(summary.accepted) << summary.one_line();
  EXPECT_LT(summary.line_search_rate, 0.4);
  EXPECT_LT(summary.loss_after, summary.loss_before);
}

TEST(HessianFree, MiddlingRhoLeavesLambdaAlone) {
  ScaledQuadratic problem;
  problem.curvature_scale = 2.0 / 3.0;  // lambda ~ 0: s = 1.5, rho = 2 - s = 0.5
  Eigen::VectorXd theta = ramp(4);
  HessianFreeOptions options;
  options.initial_lambda = 1e-6;
  options.min_lambda = 1e-9;
  HessianFree hf(options);
  const UpdateSummary summary = hf.step(problem, theta);
  EXPECT_NEAR(summary.rho, 0.5, 1e-5);
  EXPECT_DOUBLE_EQ(summary.next_lambda, 1e-6);
}

TEST(HessianFree, LambdaStaysWithinItsBounds) {
  ScaledQuadratic problem;
  Eigen::VectorXd theta = ramp(4);
  HessianFreeOptions options;
  options.initial_lambda = 1e-3;
  options.min_lambda = 1e-3;
  HessianFree hf(options);
  hf.step(problem, theta);  // rho = 1 would lower lambda, but not below min_lambda
  EXPECT_DOUBLE_EQ(hf.state().lambda, 1e-3);
}

TEST(HessianFree, NonFiniteTrialLossRejectsTheStepAndRaisesLambda) {
  ScaledQuadratic problem;
  const Eigen::VectorXd start = ramp(4);
  problem.value_is_nan = [&](const Eigen::VectorXd& t) { return t != start; };  // every move fails
  Eigen::VectorXd theta = start;
  HessianFree hf;
  const UpdateSummary first = hf.step(problem, theta);
  EXPECT_FALSE(first.accepted);
  EXPECT_EQ(theta, start);
  EXPECT_EQ(first.rho, -std::numeric_limits<double>::infinity());
  EXPECT_DOUBLE_EQ(first.next_lambda, 1.5);
  EXPECT_EQ(first.line_search_rate, 0.0);
  EXPECT_EQ(first.loss_after, first.loss_before);
  EXPECT_NE(first.rejection.find("non-finite"), std::string::npos) << first.rejection;
  EXPECT_EQ(hf.state().previous_solution.size(), 0);  // the bad direction is not reused
  const UpdateSummary second = hf.step(problem, theta);
  EXPECT_DOUBLE_EQ(second.lambda, 1.5);
  EXPECT_DOUBLE_EQ(second.next_lambda, 2.25);
  EXPECT_EQ(theta, start);
}

TEST(HessianFree, NonFiniteFarAwayIsAvoidedByTheLineSearch) {
  ScaledQuadratic problem;
  problem.curvature_scale = 0.1;  // full step lands at -4 * theta0: declare that region NaN
  problem.value_is_nan = [](const Eigen::VectorXd& t) { return t.norm() > 5.0; };
  Eigen::VectorXd theta = ramp(4);
  HessianFreeOptions options;
  options.initial_lambda = 0.1;
  HessianFree hf(options);
  const UpdateSummary summary = hf.step(problem, theta);
  EXPECT_TRUE(summary.accepted) << summary.one_line();
  EXPECT_TRUE(std::isfinite(summary.loss_after));
  EXPECT_LT(summary.loss_after, summary.loss_before);
  EXPECT_TRUE(theta.allFinite());
  EXPECT_DOUBLE_EQ(summary.next_lambda, 0.15);
}

TEST(HessianFree, NonFiniteLossOrGradientAtThetaIsRejected) {
  ScaledQuadratic problem;
  Eigen::VectorXd theta = ramp(4);
  HessianFree hf;
  hf.step(problem, theta);  // a good update first: lambda 1 -> 2/3, a warm start is stored
  ASSERT_EQ(hf.state().previous_solution.size(), 4);
  problem.gradient_is_nan = true;
  const Eigen::VectorXd start = theta;
  const UpdateSummary summary = hf.step(problem, theta);
  EXPECT_FALSE(summary.accepted);
  EXPECT_EQ(theta, start);
  EXPECT_DOUBLE_EQ(hf.state().lambda, 1.0);
  EXPECT_EQ(hf.state().previous_solution.size(), 0);
  EXPECT_NE(summary.rejection.find("gradient"), std::string::npos) << summary.rejection;
  EXPECT_NE(summary.one_line().find("rejected"), std::string::npos);
}

TEST(HessianFree, WarmStartsCgFromTheDecayedPreviousSolution) {
  LinearLeastSquares problem(30, 10, 9);
  std::vector<Eigen::VectorXd> first_products;
  Eigen::VectorXd theta = Eigen::VectorXd::Zero(10);
  HessianFree hf;
  hf.step(problem, theta);
  const Eigen::VectorXd previous = hf.state().previous_solution;
  ASSERT_EQ(previous.size(), 10);
  // The first curvature product of the next update is A x0 with x0 = 0.95 * previous.
  struct Recorder {
    LinearLeastSquares& inner;
    std::vector<Eigen::VectorXd>& seen;
    std::size_t num_parameters() const { return inner.num_parameters(); }
    double value(const Eigen::VectorXd& t) { return inner.value(t); }
    double value_gradient(const Eigen::VectorXd& t, Eigen::VectorXd& g) {
      return inner.value_gradient(t, g);
    }
    void gauss_newton_product(const Eigen::VectorXd& v, double w, Eigen::VectorXd& out) {
      seen.push_back(v);
      inner.gauss_newton_product(v, w, out);
    }
  } recorder{problem, first_products};
  hf.step(recorder, theta);
  ASSERT_FALSE(first_products.empty());
  EXPECT_LT((first_products.front() - 0.95 * previous).norm(), 1e-15 * previous.norm());
}

TEST(HessianFree, StructuralDampingIsLambdaTimesMuInCgAndAbsentFromRho) {
  ScaledQuadratic problem;
  Eigen::VectorXd theta = ramp(4);
  HessianFreeOptions options;
  options.initial_lambda = 2.0;
  options.structural_damping_mu = 0.05;
  HessianFree hf(options);
  hf.step(problem, theta);
  ASSERT_GE(problem.structural_weights.size(), 2u);
  for (std::size_t i = 0; i + 1 < problem.structural_weights.size(); ++i) {
    EXPECT_DOUBLE_EQ(problem.structural_weights[i], 0.1);  // lambda * mu during CG
  }
  EXPECT_EQ(problem.structural_weights.back(), 0.0);  // the undamped model for rho
}

TEST(HessianFree, BacktracksToAnEarlierIterateWhenTheLastIsWorse) {
  // Least squares whose Gauss–Newton product reports 0.3x the true curvature, with tiny damping:
  // the CG iterates grow towards 1/0.3 times the true step, so the last overshoots and an earlier
  // kept iterate has a lower loss.
  LinearLeastSquares problem(80, 40, 13);
  struct Misleading {
    LinearLeastSquares& inner;
    std::size_t num_parameters() const { return inner.num_parameters(); }
    double value(const Eigen::VectorXd& t) { return inner.value(t); }
    double value_gradient(const Eigen::VectorXd& t, Eigen::VectorXd& g) {
      return inner.value_gradient(t, g);
    }
    void gauss_newton_product(const Eigen::VectorXd& v, double w, Eigen::VectorXd& out) {
      inner.gauss_newton_product(v, w, out);
      out *= 0.3;
    }
  } misleading{problem};
  Eigen::VectorXd theta = Eigen::VectorXd::Zero(40);
  HessianFreeOptions options;
  options.initial_lambda = 1e-4;
  options.cg_progress_tolerance = 0;  // run CG to the residual rule
  HessianFree hf(options);
  const UpdateSummary summary = hf.step(misleading, theta);
  EXPECT_GT(summary.cg_iterations, 11);
  EXPECT_LT(summary.backtracked_iteration, summary.cg_iterations) << summary.one_line();
  EXPECT_TRUE(summary.accepted);
}

TEST(HessianFree, SummaryCarriesTheLossTermsAtThetaBeforeTheUpdate) {
  testing::QuadraticWithTerms problem;
  Eigen::VectorXd theta = ramp(4);
  HessianFree hf;
  const UpdateSummary summary = hf.step(problem, theta);
  ASSERT_EQ(summary.loss_terms.size(), 2u);
  EXPECT_EQ(summary.loss_terms[0].name, "first_half");
  EXPECT_DOUBLE_EQ(summary.loss_terms[0].value + summary.loss_terms[1].value, summary.loss_before);
  EXPECT_NE(summary.one_line().find("second_half"), std::string::npos) << summary.one_line();
}

TEST(HessianFree, RunUpdatesStopsWhenTheCallbackSaysSo) {
  Rosenbrock problem;
  Eigen::VectorXd theta(2);
  theta << -1.2, 1.0;
  HessianFree hf;
  int seen = 0;
  const auto summaries = run_updates(hf, problem, theta, 100, [&](const UpdateSummary& s) {
    EXPECT_EQ(s.update, seen);
    return ++seen < 3;
  });
  EXPECT_EQ(summaries.size(), 3u);
  EXPECT_EQ(hf.state().updates, 3);
  EXPECT_NE(summary_table_row(summaries[0]).find("converged"), std::string::npos);
}

TEST(HessianFree, OptionsValidationNamesTheFieldValueAndRule) {
  HessianFreeOptions options;
  EXPECT_EQ(validation_message(options), "no error");
  options.initial_lambda = -1;
  EXPECT_NE(validation_message(options).find("hessian_free.initial_lambda = -1"), std::string::npos)
      << validation_message(options);
  options = {};
  options.curvature_fraction = 0;
  EXPECT_NE(validation_message(options).find("curvature_fraction = 0: must be in (0, 1]"),
            std::string::npos)
      << validation_message(options);
  options = {};
  options.max_cg_iterations = 0;
  EXPECT_NE(validation_message(options).find("max_cg_iterations"), std::string::npos);
  options = {};
  options.rho_high = 0.1;  // below rho_low
  EXPECT_NE(validation_message(options).find("rho_high"), std::string::npos);
  options = {};
  options.lambda_decrease = 1.5;
  EXPECT_NE(validation_message(options).find("lambda_decrease"), std::string::npos);
  options = {};
  options.cg_decay = 1.1;
  EXPECT_NE(validation_message(options).find("cg_decay"), std::string::npos);
  options = {};
  options.line_search_max_tries = 0;
  EXPECT_NE(validation_message(options).find("line_search_max_tries"), std::string::npos);
  EXPECT_THROW(HessianFree{options}, UserError);
}

TEST(HessianFree, ReadsItsConfigSection) {
  auto config = io::ConfigReader::from_string(
      "[hessian_free]\ninitial_lambda = 0.5\nmax_cg_iterations = 100\n"
      "structural_damping_mu = 0.1\ncurvature_fraction = 0.2\n",
      "hf.toml");
  const HessianFreeOptions options = HessianFreeOptions::from_config(config.section("hessian_free"));
  config.finish();
  EXPECT_EQ(options.initial_lambda, 0.5);
  EXPECT_EQ(options.max_cg_iterations, 100);
  EXPECT_EQ(options.structural_damping_mu, 0.1);
  EXPECT_EQ(options.curvature_fraction, 0.2);
  EXPECT_EQ(options.cg_decay, HessianFreeOptions{}.cg_decay);
  bool documented = false;
  for (const auto& key : config.described()) {
    if (key.key == "hessian_free.cg_decay") documented = !key.doc.empty();
  }
  EXPECT_TRUE(documented);
}

TEST(HessianFree, BadConfigValuesAreUserErrorsNamingTheKey) {
  const auto message_of = [](const std::string& text) {
    try {
      auto config = io::ConfigReader::from_string(text, "bad.toml");
      HessianFreeOptions::from_config(config.section("hessian_free"));
      config.finish();
    } catch (const UserError& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message_of("[hessian_free]\ncurvature_fraction = 1.5\n").find("curvature_fraction"),
            std::string::npos);
  EXPECT_NE(message_of("[hessian_free]\nlambda = 1.0\n").find("hessian_free.lambda"),
            std::string::npos);
  // Each value in range, but min_lambda above max_lambda: the cross-field rule names max_lambda.
  EXPECT_NE(message_of("[hessian_free]\nmin_lambda = 10.0\nmax_lambda = 1.0\ninitial_lambda = 5.0\n")
                .find("max_lambda"),
            std::string::npos);
}

}  // namespace
}  // namespace gridrnn::optim

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "gridrnn/core/error.hpp"
#include "gridrnn/core/threads.hpp"
#include "gridrnn/io/config.hpp"
#include "gridrnn/optim/adam.hpp"
#include "optim_test_problems.hpp"

namespace gridrnn::optim {
namespace {

using testing::LinearLeastSquares;
using testing::Rosenbrock;
using testing::ScaledQuadratic;

TEST(Adam, ReachesTheLinearLeastSquaresOptimum) {
  LinearLeastSquares problem(60, 20, 5);
  const Eigen::VectorXd optimum = problem.optimum();
  Eigen::VectorXd theta = Eigen::VectorXd::Zero(20);
  AdamOptions options;
  options.learning_rate = 0.01;
  Adam adam(options);
  int updates = 0;
  while (updates < 5000 && (theta - optimum).norm() > 1e-6 * optimum.norm()) {
    adam.step(problem, theta);
    ++updates;
  }
  // Measured: 270 updates.
  EXPECT_LE(updates, 400);
  EXPECT_LT((theta - optimum).norm(), 1e-6 * optimum.norm());
}

TEST(Adam, ReachesTheRosenbrockOptimum) {
  Rosenbrock problem;
  Eigen::VectorXd theta(2);
  theta << -1.2, 1.0;
  AdamOptions options;
  options.learning_rate = 0.01;
  Adam adam(options);
  int updates = 0;
  while (updates < 50000 && (theta - Eigen::Vector2d(1, 1)).norm() > 1e-4) {
    adam.step(problem, theta);
    ++updates;
  }
  // Measured: 4876 updates (Adam creeps along the curved valley; HF needs 18).
  EXPECT_LE(updates, 6000);
  EXPECT_LT((theta - Eigen::Vector2d(1, 1)).norm(), 1e-4);
}

TEST(Adam, FirstUpdateMatchesTheFormula) {
  // t = 1: m_hat = g, v_hat = g^2, so theta -= lr * g / (|g| + eps) entrywise.
  ScaledQuadratic problem;  // gradient = theta
  Eigen::VectorXd theta(4);
  theta << 1.0, -2.0, 0.5, 1e-9;
  const Eigen::VectorXd start = theta;
  AdamOptions options;
  options.learning_rate = 0.1;
  Adam adam(options);
  const UpdateSummary summary = adam.step(problem, theta);
  for (Eigen::Index i = 0; i < 4; ++i) {
    const double g = start[i];
    EXPECT_NEAR(theta[i], start[i] - 0.1 * g / (std::abs(g) + 1e-8), 1e-15) << i;
  }
  EXPECT_EQ(summary.update, 0);
  EXPECT_DOUBLE_EQ(summary.loss_before, 0.5 * start.squaredNorm());
  EXPECT_DOUBLE_EQ(summary.gradient_norm, start.norm());
  EXPECT_TRUE(summary.accepted);
  EXPECT_EQ(adam.state().updates, 1);
  // Second update, by hand: m = b1 m + (1-b1) g, v = b2 v + (1-b2) g^2, bias-corrected.
  const Eigen::VectorXd m1 = 0.1 * start, v1 = 0.001 * start.cwiseAbs2();
  const Eigen::VectorXd g2 = theta;
  const Eigen::VectorXd m2 = 0.9 * m1 + 0.1 * g2, v2 = 0.999 * v1 + 0.001 * g2.cwiseAbs2();
  const Eigen::VectorXd m_hat = m2 / (1 - 0.81), v_hat = v2 / (1 - 0.999 * 0.999);
  const Eigen::VectorXd expected =
      g2 - 0.1 * m_hat.cwiseQuotient((v_hat.cwiseSqrt().array() + 1e-8).matrix());
  adam.step(problem, theta);
  EXPECT_LT((theta - expected).norm(), 1e-14);
}

TEST(Adam, ChunkedUpdateIsTheFormulaForAnyThreadCount) {
  // More parameters than one chunk (the update is split into chunks over the threads): every
  // entry follows the formula, the reported step norm is ||theta_after - theta_before||, and 1
  // and 2 threads give bit-identical parameters, moments and norm.
  const Eigen::Index n = 50001;
  const Eigen::VectorXd gradient = Eigen::VectorXd::LinSpaced(n, -3.0, 2.0).array().sin();
  const Eigen::VectorXd start = Eigen::VectorXd::LinSpaced(n, 1.0, -1.0);
  AdamOptions options;
  options.learning_rate = 0.01;
  const int threads_before = thread_count();
  Eigen::VectorXd results[2];
  AdamState states[2];
  double norms[2] = {0, 0};
  for (int k = 0; k < 2; ++k) {
    set_thread_count(k + 1);
    results[k] = start;
    apply_adam_update(options, states[k], gradient, results[k]);                    // t = 1
    norms[k] = apply_adam_update(options, states[k], gradient, results[k]);  // t = 2
  }
  set_thread_count(threads_before);
  EXPECT_TRUE(results[0] == results[1]);
  EXPECT_TRUE(states[0].first_moment == states[1].first_moment);
  EXPECT_TRUE(states[0].second_moment == states[1].second_moment);
  EXPECT_EQ(norms[0], norms[1]);
  // By hand, t = 1 then t = 2 with the same gradient: m_hat = g both times, v_hat = g^2.
  const Eigen::ArrayXd g = gradient.array();
  const Eigen::ArrayXd one = start.array() - 0.01 * g / (g.abs() + 1e-8);
  const Eigen::ArrayXd m2 = 0.9 * 0.1 * g + 0.1 * g, v2 = 0.999 * 0.001 * g * g + 0.001 * g * g;
  const Eigen::ArrayXd two = one - 0.01 * (m2 / (1 - 0.81)) / ((v2 / (1 - 0.999 * 0.999)).sqrt() + 1e-8);
  EXPECT_LT((results[0].array() - two).abs().maxCoeff(), 1e-14);
  AdamState fresh;
  Eigen::VectorXd theta = start;
  const double norm = apply_adam_update(options, fresh, gradient, theta);
  EXPECT_NEAR(norm, (theta - start).norm(), 1e-12 * norm);
}

TEST(Adam, SummaryCarriesTheLossTerms) {
  testing::QuadraticWithTerms problem;
  Eigen::VectorXd theta = Eigen::VectorXd::Ones(4);
  Adam adam;
  const UpdateSummary summary = adam.step(problem, theta);
  ASSERT_EQ(summary.loss_terms.size(), 2u);
  EXPECT_DOUBLE_EQ(summary.loss_terms[1].value, 1.0);
  EXPECT_EQ(summary_table_row(summary).find("converged"), std::string::npos);  // no CG in Adam
}

TEST(Adam, ClipsTheGradientNormBeforeTheMoments) {
  ScaledQuadratic problem;  // gradient = theta, norm 5 here
  Eigen::VectorXd theta(4);
  theta << 3.0, 4.0, 0.0, 0.0;
  AdamOptions options;
  options.clip_norm = 1.0;
  Adam adam(options);
  const UpdateSummary summary = adam.step(problem, theta);
  EXPECT_TRUE(summary.clipped);
  EXPECT_DOUBLE_EQ(summary.gradient_norm, 5.0);  // reported before clipping
  // m = (1 - beta1) * g * clip / |g|.
  EXPECT_NEAR(adam.state().first_moment[0], 0.1 * 3.0 / 5.0, 1e-15);
  EXPECT_NEAR(adam.state().first_moment[1], 0.1 * 4.0 / 5.0, 1e-15);
  EXPECT_NEAR(adam.state().second_moment[1], 0.001 * 16.0 / 25.0, 1e-15);

  Adam unclipped;  // clip_norm = 0: off
  theta << 3.0, 4.0, 0.0, 0.0;
  EXPECT_FALSE(unclipped.step(problem, theta).clipped);
  EXPECT_NEAR(unclipped.state().first_moment[1], 0.4, 1e-15);
}

TEST(Adam, NonFiniteLossThrowsNamingTheUpdateAndLeavesThetaAlone) {
  ScaledQuadratic problem;
  int calls = 0;
  problem.value_is_nan = [&](const Eigen::VectorXd&) { return ++calls > 3; };
  Eigen::VectorXd theta = Eigen::VectorXd::Ones(4);
  AdamOptions options;
  options.learning_rate = 0.05;
  Adam adam(options);
  for (int k = 0; k < 3; ++k) adam.step(problem, theta);
  const Eigen::VectorXd before = theta;
  try {
    adam.step(problem, theta);
    FAIL() << "no error for a NaN loss";
  } catch (const UserError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("Adam update 3"), std::string::npos) << message;
    EXPECT_NE(message.find("smaller adam.learning_rate (now 0.05"), std::string::npos) << message;
  }
  EXPECT_EQ(theta, before);
  EXPECT_EQ(adam.state().updates, 3);
}

TEST(Adam, NonFiniteGradientThrowsToo) {
  ScaledQuadratic problem;
  problem.gradient_is_nan = true;
  Eigen::VectorXd theta = Eigen::VectorXd::Ones(4);
  Adam adam;
  try {
    adam.step(problem, theta);
    FAIL() << "no error for a NaN gradient";
  } catch (const UserError& error) {
    EXPECT_NE(std::string(error.what()).find("gradient is not finite"), std::string::npos)
        << error.what();
  }
  EXPECT_EQ(theta, Eigen::VectorXd::Ones(4));
}

TEST(Adam, OptionsValidationNamesTheField) {
  const auto message_of = [](const AdamOptions& options) {
    try {
      options.validate();
    } catch (const UserError& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  AdamOptions options;
  EXPECT_EQ(message_of(options), "no error");
  options.learning_rate = 0;
  EXPECT_NE(message_of(options).find("adam.learning_rate = 0: must be"), std::string::npos)
      << message_of(options);
  options = {};
  options.beta2 = 1.0;
  EXPECT_NE(message_of(options).find("adam.beta2 = 1"), std::string::npos);
  options = {};
  options.clip_norm = -1;
  EXPECT_NE(message_of(options).find("adam.clip_norm"), std::string::npos);
  EXPECT_THROW(Adam{options}, UserError);
}

TEST(Adam, ReadsItsConfigSectionAndRefusesBadValues) {
  auto config = io::ConfigReader::from_string("[adam]\nlearning_rate = 0.003\nclip_norm = 5\n",
                                              "adam.toml");
  const AdamOptions options = AdamOptions::from_config(config.section("adam"));
  config.finish();
  EXPECT_EQ(options.learning_rate, 0.003);
  EXPECT_EQ(options.clip_norm, 5.0);
  EXPECT_EQ(options.beta1, 0.9);

  auto bad = io::ConfigReader::from_string("[adam]\nbeta1 = 1.0\n", "bad.toml");
  try {
    AdamOptions::from_config(bad.section("adam"));
    FAIL() << "beta1 = 1 accepted";
  } catch (const UserError& error) {
    EXPECT_NE(std::string(error.what()).find("adam.beta1"), std::string::npos) << error.what();
  }
  auto unknown = io::ConfigReader::from_string("[adam]\nlr = 0.1\n", "unknown.toml");
  AdamOptions::from_config(unknown.section("adam"));
  EXPECT_THROW(unknown.finish(), UserError);
}

}  // namespace
}  // namespace gridrnn::optim

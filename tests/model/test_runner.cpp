// NetworkRunner: streaming a minibatch in unequal chunks of steps reproduces
// CtrnnObjective::predict bit for bit (same code, same noise, same buffer alignment), with noise on
// and off and in both initial-state modes.
#include "model/detail/avx512_warnings.hpp"  // first: before any Eigen header
#include <gtest/gtest.h>

#include <vector>

#include "gridrnn/core/error.hpp"
#include "gridrnn/model/objective.hpp"
#include "gridrnn/model/runner.hpp"
#include "model_test_data.hpp"

namespace gridrnn::model {
namespace {

using testing::SmallProblem;

void expect_streamed_equals_predict(std::size_t N, std::size_t T, std::size_t B, InitialState initial,
                                    double noise_sd) {
  SmallProblem p(N, T, B, initial);
  p.model.noise_sd = noise_sd;
  CtrnnObjective objective(p.model, p.loss);
  objective.set_minibatch(p.batch);
  std::vector<float> expected_y(T * B * 2), expected_u(T * B * N);
  objective.predict(p.theta, expected_y, expected_u);

  NetworkRunner runner(p.model, p.theta, B, p.batch.noise_seed, p.batch.update_index);
  runner.start(p.starts);
  std::vector<float> y(T * B * 2), u(T * B * N);
  const std::size_t chunks[3] = {7, T / 2, T - 7 - T / 2};  // unequal, crossing odd and even steps
  std::size_t done = 0;
  for (std::size_t steps : chunks) {
    runner.advance(std::span<const float>(p.inputs).subspan(done * B * 3, steps * B * 3), steps,
                   std::span<float>(y).subspan(done * B * 2, steps * B * 2),
                   std::span<float>(u).subspan(done * B * N, steps * B * N));
    done += steps;
    EXPECT_EQ(runner.steps_done(), done);
  }
  const std::string context = "N " + std::to_string(N) + " B " + std::to_string(B) + " " + to_string(initial) +
                              " noise " + std::to_string(noise_sd);
  EXPECT_EQ(u, expected_u) << context;
  EXPECT_EQ(y, expected_y) << context;

  // Outputs alone (no activities) are the same; start() rewinds to step 0.
  runner.start(p.starts);
  std::vector<float> y_only(T * B * 2);
  runner.advance(p.inputs, T, y_only);
  EXPECT_EQ(y_only, expected_y) << context;
}

TEST(NetworkRunner, ChunkedRunMatchesPredictBitForBit) {
  for (auto initial : {InitialState::kLearned, InitialState::kFromPosition})
    for (double noise_sd : {0.0, 0.1}) {
      expect_streamed_equals_predict(6, 40, 3, initial, noise_sd);
      expect_streamed_equals_predict(64, 30, 8, initial, noise_sd);
      expect_streamed_equals_predict(100, 20, 1, initial, noise_sd);
    }
}

TEST(NetworkRunner, NoiseDependsOnTheStreamKey) {
  // The comparison above can fail: a different noise index changes the outputs.
  SmallProblem p(6, 20, 2);
  NetworkRunner a(p.model, p.theta, 2, p.batch.noise_seed, p.batch.update_index);
  NetworkRunner b(p.model, p.theta, 2, p.batch.noise_seed, p.batch.update_index + 1);
  std::vector<float> ya(20 * 2 * 2), yb(20 * 2 * 2);
  a.start({});
  b.start({});
  a.advance(p.inputs, 20, ya);
  b.advance(p.inputs, 20, yb);
  EXPECT_NE(ya, yb);
}

TEST(NetworkRunner, BadSizesAreUserErrors) {
  SmallProblem p(6, 10, 2, InitialState::kFromPosition);
  EXPECT_THROW(NetworkRunner(p.model, Eigen::VectorXd::Zero(5), 2, 1, 0), UserError);
  EXPECT_THROW(NetworkRunner(p.model, p.theta, 0, 1, 0), UserError);
  NetworkRunner runner(p.model, p.theta, 2, 1, 0);
  std::vector<float> y(10 * 2 * 2), u(10 * 2 * 6);
  EXPECT_THROW(runner.advance(p.inputs, 10, y), InternalError);  // before start()
  EXPECT_THROW(runner.start({}), UserError);                     // from_position needs p[0]
  runner.start(p.starts);
  EXPECT_THROW(runner.advance(p.inputs, 9, y), UserError);
  EXPECT_THROW(runner.advance(p.inputs, 10, std::span<float>(y).first(8)), UserError);
  EXPECT_THROW(runner.advance(p.inputs, 10, y, std::span<float>(u).first(7)), UserError);
  EXPECT_EQ(runner.steps_done(), 0u);
}

}  // namespace
}  // namespace gridrnn::model

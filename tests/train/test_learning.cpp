// Training actually learns path integration: on a small problem both optimizers bring the
// validation position error below half that of always answering the arena centre. The test
// prints how many updates and how much time each needed (for docs/performance.md).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "gridrnn/io/config.hpp"
#include "gridrnn/train/trainer.hpp"
#include "test_helpers.hpp"

namespace gridrnn {
namespace {

constexpr const char* kSmallProblem = R"(
[task]
steps = 60
trials = 96
validation_trials = 64
encoding = "velocity"
[motion]
v_max = 0.3
[model]
units = 24
[loss]
lambda_l2 = 0.001
lambda_fr = 0.001
[train]
updates = 400
validate_every = 1000
checkpoint_every = 1000
[hessian_free]
max_cg_iterations = 40
[adam]
learning_rate = 0.01
)";

struct Outcome {
  std::int64_t updates = 0;
  double seconds = 0;
  double ratio = 1;
};

Outcome train_until_half(const std::string& optimizer, std::int64_t max_updates) {
  testing::TempDir dir;
  auto config = io::ConfigReader::from_string(kSmallProblem, "small.toml");
  config.apply_override("train.optimizer=\"" + optimizer + "\"");
  const auto experiment = train::Experiment::from_config(config);
  train::Trainer::create_run(dir / "run", experiment, config.to_toml());
  train::Trainer trainer(dir / "run", experiment);
  Outcome outcome;
  const auto start = std::chrono::steady_clock::now();
  while (outcome.updates < max_updates) {
    trainer.run(outcome.updates + 1);
    outcome.updates = trainer.updates_done();
    const auto v = trainer.validate();
    outcome.ratio = v.position_rms / v.baseline_rms;
    if (outcome.ratio <= 0.5) break;
  }
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%s: validation error / centre baseline = %.3f after %lld updates, %.1f s\n",
              optimizer.c_str(), outcome.ratio, static_cast<long long>(outcome.updates),
              outcome.seconds);
  return outcome;
}

TEST(Learning, HessianFreeHalvesThePositionErrorOfTheCentreBaseline) {
  const Outcome hf = train_until_half("hessian_free", 40);
  ::testing::Test::RecordProperty("hessian_free_updates", static_cast<int>(hf.updates));
  EXPECT_LE(hf.ratio, 0.5) << "after " << hf.updates << " updates";
}

TEST(Learning, AdamHalvesThePositionErrorOfTheCentreBaseline) {
  const Outcome adam = train_until_half("adam", 400);
  ::testing::Test::RecordProperty("adam_updates", static_cast<int>(adam.updates));
  EXPECT_LE(adam.ratio, 0.5) << "after " << adam.updates << " updates";
}

}  // namespace
}  // namespace gridrnn

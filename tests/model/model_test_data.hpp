#pragma once
// A small random minibatch and parameter vector for the model tests.
#include <vector>

#include <Eigen/Core>

#include "gridrnn/core/rng.hpp"
#include "gridrnn/model/ctrnn.hpp"

namespace gridrnn::model::testing {

struct SmallProblem {
  ModelOptions model;
  LossOptions loss;
  std::vector<float> inputs, targets, starts;
  MinibatchView batch;
  Eigen::VectorXd theta;

  SmallProblem(std::size_t N, std::size_t T, std::size_t B, InitialState initial = InitialState::kLearned,
               std::uint64_t seed = 7) {
    model.units = N;
    model.inputs = 3;
    model.noise_sd = 0.1;
    model.initial_state = initial;
    Rng rng(seed, Stream::kTest, 1, 0);
    inputs.resize(T * B * 3);
    targets.resize(T * B * 2);
    starts.resize(B * 2);
    for (auto& v : inputs) v = static_cast<float>(rng.normal());
    for (auto& v : targets) v = static_cast<float>(rng.uniform(-1.0, 1.0));
    for (auto& v : starts) v = static_cast<float>(rng.uniform(-1.0, 1.0));
    batch.steps = T;
    batch.trials = B;
    batch.inputs = inputs;
    batch.targets = targets;
    batch.starts = starts;
    batch.noise_seed = seed;
    batch.update_index = 3;
    theta = random_theta(seed);
  }

  // Every parameter random (the paper's W_out = 0 would make most gradients vanish).
  Eigen::VectorXd random_theta(std::uint64_t seed) const {
    const ParameterLayout L(model);
    Eigen::VectorXd t(static_cast<Eigen::Index>(L.total));
    Rng rng(seed, Stream::kTest, 2, 0);
    for (Eigen::Index i = 0; i < t.size(); ++i) t[i] = rng.normal(0.0, 0.5);
    const double rec_sd = 1.2 / std::sqrt(static_cast<double>(model.units));
    for (std::size_t i = 0; i < model.units * model.units; ++i) t[static_cast<Eigen::Index>(L.W_rec + i)] = rng.normal(0.0, rec_sd);
    return t;
  }

  Eigen::VectorXd random_vector(std::uint64_t index) const {
    const ParameterLayout L(model);
    Eigen::VectorXd v(static_cast<Eigen::Index>(L.total));
    Rng rng(99, Stream::kTest, 3, index);
    for (Eigen::Index i = 0; i < v.size(); ++i) v[i] = rng.normal();
    return v;
  }
};

}  // namespace gridrnn::model::testing

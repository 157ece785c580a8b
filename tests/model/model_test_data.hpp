#pragma once
// A small random minibatch and parameter vector for the model tests.
#include <string>
#include <vector>

#include <Eigen/Core>

#include "gridrnn/core/rng.hpp"
#include "gridrnn/model/ctrnn.hpp"
#include "gridrnn/optim/gradient_check.hpp"

namespace gridrnn::model::testing {

// The model's gradient checks: the four-point stencil at step h (large enough for float-free
// double losses, small enough to stay off the kinks of relu and retanh at the chosen points),
// relative error <= 1e-6, entries below 1e-4 of the gradient's scale compared at that scale.
inline optim::GradientCheckOptions four_point_check(double step) {
  optim::GradientCheckOptions o;
  o.step = step;
  o.stencil = optim::Stencil::kFourPoint;
  o.relative_tolerance = 1e-6;
  o.floor_fraction = 1e-4;
  return o;
}

// The model variant a test runs on (the defaults: the paper's CTRNN with a position head).
struct Variant {
  Nonlinearity nonlinearity = Nonlinearity::kTanh;
  NoisePlacement noise = NoisePlacement::kBracket;
  bool position = true, place = false, head_direction = false;
  PlaceLoss place_loss = PlaceLoss::kCrossEntropy;
  PlaceTuning tuning = PlaceTuning::kDifferenceOfSoftmax;
  InitialState initial = InitialState::kLearned;
  bool bias = true;
  std::size_t place_cells = 6, hd_cells = 4;

  // e.g. "relu_rate_place_ce_from_place_code" (a test name: letters, digits and '_')
  std::string name() const {
    std::string n = to_string(nonlinearity);  // appends only: GCC 12 -Wrestrict misfires on a + b + c
    n += '_';
    n += to_string(noise);
    if (position) n += "_position";
    if (place) n += place_loss == PlaceLoss::kCrossEntropy ? "_place_ce" : "_place_se";
    if (place && tuning == PlaceTuning::kGaussian) n += "_gaussian";
    if (head_direction) n += "_hd";
    n += '_';
    n += to_string(initial);
    if (!bias) n += "_nobias";
    return n;
  }
};

struct SmallProblem {
  ModelOptions model;
  LossOptions loss;
  std::vector<float> inputs, targets, starts, headings;
  MinibatchView batch;
  Eigen::VectorXd theta;

  SmallProblem(std::size_t N, std::size_t T, std::size_t B, InitialState initial = InitialState::kLearned,
               std::uint64_t seed = 7)
      : SmallProblem(N, T, B, with_initial(initial), seed) {}

  SmallProblem(std::size_t N, std::size_t T, std::size_t B, const Variant& variant, std::uint64_t seed = 7) {
    model.units = N;
    model.inputs = 3;
    model.noise_sd = 0.1;
    model.noise_placement = variant.noise;
    model.nonlinearity = variant.nonlinearity;
    model.bias = variant.bias;
    model.initial_state = variant.initial;
    auto& ro = model.readout;
    ro.position = variant.position;
    ro.place = variant.place;
    ro.head_direction = variant.head_direction;
    ro.place_head.cells = variant.place_cells;
    ro.place_head.loss = variant.place_loss;
    ro.place_head.tuning = variant.tuning;
    ro.place_head.sigma = 0.5;
    ro.place_head.weight = 0.7;
    ro.head_direction_head.cells = variant.hd_cells;
    ro.head_direction_head.kappa = 2.0;
    ro.head_direction_head.weight = 1.3;
    loss.weight_decay = 0.01;
    Rng rng(seed, Stream::kTest, 1, 0);
    if (ro.place) {
      ro.place_centres.resize(2 * variant.place_cells);
      for (auto& c : ro.place_centres) c = rng.uniform(-1.0, 1.0);
    }
    inputs.resize(T * B * 3);
    targets.resize(T * B * 2);
    starts.resize(B * 2);
    headings.resize(T * B);
    for (auto& v : inputs) v = static_cast<float>(rng.normal());
    for (auto& v : targets) v = static_cast<float>(rng.uniform(-1.0, 1.0));
    for (auto& v : starts) v = static_cast<float>(rng.uniform(-1.0, 1.0));
    for (auto& v : headings) v = static_cast<float>(rng.uniform(-4.0, 4.0));
    batch.steps = T;
    batch.trials = B;
    batch.inputs = inputs;
    batch.targets = targets;
    batch.starts = starts;
    batch.headings = headings;
    batch.noise_seed = seed;
    batch.update_index = 3;
    theta = random_theta(seed);
  }

  static Variant with_initial(InitialState initial) {
    Variant v;
    v.initial = initial;
    return v;
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

#include "gridrnn/train/experiment.hpp"

#include <limits>

#include "gridrnn/core/error.hpp"
#include "gridrnn/train/place_centres.hpp"

namespace gridrnn::train {

TaskOptions TaskOptions::from_config(const io::ConfigReader& section) {
  TaskOptions o;
  o.steps = section.integer("steps", o.steps, 1, 1'000'000,
                            "T: steps per training trial (paper: 500)");
  o.trials = section.integer("trials", o.trials, 1, 1'000'000,
                             "M: fresh trials per update (paper: 500)");
  o.validation_trials = section.integer(
      "validation_trials", o.validation_trials, 1, 1'000'000,
      "trials in the fixed validation set (drawn once from the validation stream)");
  o.encoding = trajectory::parse_encoding(section.choice(
      "encoding", trajectory::encoding_name(o.encoding), trajectory::encoding_names(),
      "network inputs: speed_angle (the paper's), speed_cos_sin, velocity"));
  return o;
}

std::string optimizer_name(OptimizerKind kind) {
  return kind == OptimizerKind::kHessianFree ? "hessian_free" : "adam";
}

TrainOptions TrainOptions::from_config(const io::ConfigReader& section) {
  TrainOptions o;
  o.optimizer = section.choice("optimizer", optimizer_name(o.optimizer), {"hessian_free", "adam"},
                               "hessian_free (the paper's) or adam") == "adam"
                    ? OptimizerKind::kAdam
                    : OptimizerKind::kHessianFree;
  o.updates = section.integer("updates", o.updates, 1, 100'000'000,
                              "number of updates (author's code: 1900)");
  o.seed = static_cast<std::uint64_t>(
      section.integer("seed", static_cast<std::int64_t>(o.seed), 0,
                      std::numeric_limits<std::int64_t>::max(),
                      "keys every random number of the run (paths, noise, initialization)"));
  o.validate_every = section.integer("validate_every", o.validate_every, 1, 100'000'000,
                                     "validation position error every k updates");
  o.checkpoint_every = section.integer("checkpoint_every", o.checkpoint_every, 1, 100'000'000,
                                       "write checkpoint.bin and network/ every k updates");
  o.snapshot_every = section.integer(
      "snapshot_every", o.snapshot_every, 0, 100'000'000,
      "keep a copy of the network every k updates in snapshots/ (0 = none); for development "
      "analyses");
  return o;
}

Experiment Experiment::from_config(const io::ConfigReader& root) {
  Experiment e;
  e.arena = arena::Arena::from_config(root.section("arena"));
  e.motion = trajectory::MotionOptions::from_config(root.section("motion"));
  e.task = TaskOptions::from_config(root.section("task"));
  e.model = model::ModelOptions::from_config(root.section("model"), root.section("readout"),
                                             trajectory::input_size(e.task.encoding));
  e.loss = model::LossOptions::from_config(root.section("loss"));
  e.train = TrainOptions::from_config(root.section("train"));
  // The place-cell centres (a function of the arena, readout.place and the seed), so a lattice
  // that does not fit the arena is refused with the config, before anything is written.
  if (e.model.readout.place) {
    e.model.readout.place_centres = place_centres(e.arena, e.model.readout.place_head, e.train.seed);
  }
  e.hessian_free = optim::HessianFreeOptions::from_config(root.section("hessian_free"));
  e.adam = optim::AdamOptions::from_config(root.section("adam"));
  return e;
}

}  // namespace gridrnn::train

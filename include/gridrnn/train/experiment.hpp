#pragma once
// Everything a training run is made of, read from one TOML config: the arena and motion model
// (what the animal does), the task (path length, trials per update, input encoding), the network
// and its readout heads and loss, and the optimizer. Sections: [arena] [motion] [task] [model]
// [readout] [loss] [train] [hessian_free] [adam]. Every key has a default (the paper's where it gives one; see
// docs/cli.md for each key's default, range and source).
#include <cstdint>
#include <string>
#include <vector>

#include "gridrnn/arena/arena.hpp"
#include "gridrnn/io/config.hpp"
#include "gridrnn/model/ctrnn.hpp"
#include "gridrnn/optim/adam.hpp"
#include "gridrnn/optim/hessian_free.hpp"
#include "gridrnn/trajectory/batch.hpp"
#include "gridrnn/trajectory/motion.hpp"

namespace gridrnn::train {

// [task]: the path-integration task (docs/paper.md "Task").
struct TaskOptions {
  std::int64_t steps = 500;              // T, steps per trial (paper: 500)
  std::int64_t trials = 500;             // M, fresh trials per update (paper: 500)
  std::int64_t validation_trials = 200;  // fixed validation set (Stream::kValidation)
  trajectory::Encoding encoding = trajectory::Encoding::kSpeedAngle;  // paper: (speed, angle)
  static TaskOptions from_config(const io::ConfigReader& section);
};

enum class OptimizerKind { kHessianFree, kAdam };

// [train]: the training loop.
struct TrainOptions {
  OptimizerKind optimizer = OptimizerKind::kHessianFree;  // paper: Hessian-free
  std::int64_t updates = 1900;        // author's code: 1900 updates
  std::uint64_t seed = 1;             // keys every random number of the run
  std::int64_t validate_every = 10;   // validation position error every k updates (and at the end)
  std::int64_t checkpoint_every = 10; // checkpoint.bin + network/ every k updates (and at the end)
  std::int64_t snapshot_every = 0;    // keep snapshots/update_NNNNNN/ networks (0 = none)
  static TrainOptions from_config(const io::ConfigReader& section);
};

std::string optimizer_name(OptimizerKind kind);

struct Experiment {
  arena::Arena arena = arena::Arena::square();
  trajectory::MotionOptions motion;
  TaskOptions task;
  model::ModelOptions model;
  model::LossOptions loss;
  TrainOptions train;
  optim::HessianFreeOptions hessian_free;
  optim::AdamOptions adam;

  // Reads every section above from `root` (absent keys take their defaults). Does not call
  // root.finish(): the caller may read further sections (e.g. [analysis]) first. With a place
  // head, fills model.readout.place_centres from the arena and train.seed (place_centres.hpp);
  // the Trainer fills them too for an experiment built in code without them.
  static Experiment from_config(const io::ConfigReader& root);
};

}  // namespace gridrnn::train

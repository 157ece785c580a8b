#pragma once
// The [simulate] section of a config (`gridrnn simulate`, gridrnn.simulate in Python): how many
// paths of how many steps, from which seed, with which network input encoding.
#include <cstdint>

#include "gridrnn/trajectory/batch.hpp"

namespace gridrnn::io {
class ConfigReader;
}

namespace gridrnn::trajectory {

struct SimulationSettings {
  // Largest batch simulated at once (steps x trials); about 40 bytes per step in memory.
  static constexpr std::int64_t kMaxSteps = 50'000'000;

  std::int64_t steps = 500;   // T; each path has T+1 positions
  std::int64_t trials = 500;  // B
  std::int64_t seed = 1;      // paths are drawn from Rng(seed, paths, 0, m)
  Encoding encoding = Encoding::kSpeedAngle;

  // Reads steps, trials, seed and encoding from the [simulate] section; default_steps and
  // default_encoding apply where it leaves them out (a run config's task.steps, task.encoding).
  static SimulationSettings from_config(const io::ConfigReader& section, std::int64_t default_steps,
                                        Encoding default_encoding);
  // UserError unless steps x trials <= kMaxSteps.
  void check_batch_size() const;
};

// The batch the settings describe (update 0 of the paths stream, as `gridrnn simulate` writes it).
Batch simulate_batch(const arena::Arena& arena, const MotionOptions& motion,
                     const SimulationSettings& settings);

}  // namespace gridrnn::trajectory

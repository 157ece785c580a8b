#include "gridrnn/trajectory/simulation.hpp"

#include <limits>

#include "gridrnn/core/error.hpp"
#include "gridrnn/io/config.hpp"

namespace gridrnn::trajectory {

SimulationSettings SimulationSettings::from_config(const io::ConfigReader& sim, std::int64_t default_steps,
                                                   Encoding default_encoding) {
  SimulationSettings s;
  s.steps = sim.integer("steps", default_steps, 1, kMaxSteps,
                        "steps per path (T); each path has T+1 positions (default with a run config: "
                        "task.steps)");
  s.trials = sim.integer("trials", 500, 1, 1'000'000, "number of paths (B)");
  s.seed = sim.integer("seed", 1, 0, std::numeric_limits<std::int64_t>::max(),
                       "random seed; paths are drawn from Rng(seed, paths, 0, m)");
  s.encoding = parse_encoding(sim.choice(
      "encoding", encoding_name(default_encoding), encoding_names(),
      "network input encoding written to inputs.npy (default with a run config: task.encoding)"));
  return s;
}

void SimulationSettings::check_batch_size() const {
  if (steps * trials > kMaxSteps) {
    throw_user_error("simulate.steps x simulate.trials = {} x {} = {} is too large; allowed: at "
                     "most {} steps in all",
                     steps, trials, steps * trials, kMaxSteps);
  }
}

Batch simulate_batch(const arena::Arena& arena, const MotionOptions& motion,
                     const SimulationSettings& settings) {
  settings.check_batch_size();
  return generate_batch(arena, motion, settings.encoding, static_cast<std::uint64_t>(settings.seed), 0,
                        static_cast<std::size_t>(settings.trials), static_cast<std::size_t>(settings.steps));
}

}  // namespace gridrnn::trajectory

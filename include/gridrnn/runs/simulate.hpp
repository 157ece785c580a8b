#pragma once
// `gridrnn simulate`'s folder: paths generated in an arena (or one recorded path read from a CSV)
// written with the network inputs as NPY files (positions, headings, speeds, inputs with
// inputs.json), the effective config (config.toml: the file, then the request's values as
// overrides) and paths.png. The config may be a whole run config (then steps and encoding default
// to its [task] and every key is validated as `gridrnn train` would). UserError, with nothing
// written, for every mistake; messages name the command-line flags.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "gridrnn/trajectory/recorded.hpp"

namespace gridrnn::runs {

struct SimulateRequest {
  std::string config;    // TOML file; empty: the defaults
  std::vector<std::string> overrides;  // "section.key=value", applied after the file, before the flags
  std::string arena;     // shape (--arena), motion model (--motion), encoding (--encoding); empty: the config's
  std::string motion;
  std::string encoding;
  std::string recorded;  // a recorded path's CSV instead of simulating
  trajectory::RecordedOptions recorded_options;  // --origin
  std::optional<std::int64_t> steps, trials, seed;  // not with recorded
  std::filesystem::path out;  // new folder (absent or empty)
};

struct SimulateResult {
  std::size_t steps = 0, trials = 0, input_size = 0;
  std::string arena, motion, encoding;  // names (motion "recorded" for a recorded path)
  std::vector<std::string> warnings;    // about the recorded path (e.g. points outside the arena)
};

SimulateResult simulate_into(const SimulateRequest& request);

}  // namespace gridrnn::runs

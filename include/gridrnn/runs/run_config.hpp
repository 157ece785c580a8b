#pragma once
// Reading a whole run config: every section any command of a run uses, then refusing unknown keys.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "gridrnn/analysis/population.hpp"
#include "gridrnn/io/config.hpp"
#include "gridrnn/train/experiment.hpp"

namespace gridrnn::runs {

// [evaluation]: the paths `gridrnn analyze` runs a trained network on (Stream::kEvaluation, seed =
// [train] seed). steps defaults to the training length task.steps: a network never saw longer
// paths, and its error grows along them. With the paper's 500 steps, 200 x 500 = 1e5 samples:
// enough for 20 x 20 rate maps (~250 samples a bin) and for 100 shuffles with min_shift 500.
struct EvaluationOptions {
  std::int64_t trials = 200;  // paths
  std::int64_t steps = 500;   // steps per path (samples = trials x steps); default task.steps
  std::int64_t decoded_paths = 6;  // paths drawn in figures/decoded_paths.png
  // Steps at the start of every path left out of rate maps, tuning curves and shuffles: every path
  // starts at the same point, and the first steps are the network's start transient (measured in
  // docs/design.md: gone by step 30 in the quick runs). position_rms uses all steps.
  std::int64_t skip_steps = 30;
  static EvaluationOptions from_config(const io::ConfigReader& section, std::int64_t training_steps);
};

struct RunConfig {
  train::Experiment experiment;
  analysis::AnalysisOptions analysis;  // [analysis]
  EvaluationOptions evaluation;        // [evaluation]
  std::string toml;  // the effective config (file + overrides), as saved in RUN_DIR/config.toml
};

// Reads every section from the file (or built-in defaults if path is empty), applies the
// "section.key=value" overrides, and refuses unknown keys.
RunConfig read_run_config(const std::string& path, const std::vector<std::string>& overrides);
RunConfig read_run_config(io::ConfigReader& reader);

// The run folder of one run of a sweep or reproduction: created from the config (path +
// overrides) when absent or empty; otherwise it must already be a gridrnn run folder, whose own
// config.toml is kept (resuming never changes a run). Returns the folder's config.
RunConfig open_or_create_run(const std::filesystem::path& dir, const std::string& path,
                             const std::vector<std::string>& overrides);

}  // namespace gridrnn::runs

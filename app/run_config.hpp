#pragma once
// Reading a whole run config: every section any command of a run uses, then refusing unknown keys.
#include <string>
#include <vector>

#include "gridrnn/io/config.hpp"
#include "gridrnn/train/experiment.hpp"

namespace gridrnn::app {

struct RunConfig {
  train::Experiment experiment;
  std::string toml;  // the effective config (file + overrides), as saved in RUN_DIR/config.toml
};

// Reads every section from the file (or built-in defaults if path is empty), applies the
// "section.key=value" overrides, and refuses unknown keys.
RunConfig read_run_config(const std::string& path, const std::vector<std::string>& overrides);
RunConfig read_run_config(io::ConfigReader& reader);

}  // namespace gridrnn::app

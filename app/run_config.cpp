#include "run_config.hpp"

namespace gridrnn::app {

RunConfig read_run_config(io::ConfigReader& reader) {
  RunConfig config;
  config.experiment = train::Experiment::from_config(reader);
  reader.finish();
  config.toml = reader.to_toml() + "\n";
  return config;
}

RunConfig read_run_config(const std::string& path, const std::vector<std::string>& overrides) {
  io::ConfigReader reader =
      path.empty() ? io::ConfigReader::empty("<built-in defaults>") : io::ConfigReader::from_file(path);
  for (const auto& assignment : overrides) reader.apply_override(assignment);
  return read_run_config(reader);
}

}  // namespace gridrnn::app

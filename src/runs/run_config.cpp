#include "gridrnn/runs/run_config.hpp"

#include "gridrnn/core/error.hpp"
#include "gridrnn/train/trainer.hpp"

namespace gridrnn::runs {

EvaluationOptions EvaluationOptions::from_config(const io::ConfigReader& section,
                                                 std::int64_t training_steps) {
  EvaluationOptions o;
  o.steps = training_steps;
  o.trials = section.integer("trials", o.trials, 1, 100'000,
                             "evaluation paths `gridrnn analyze` runs the network on "
                             "(Stream::kEvaluation, seed = [train] seed)");
  o.steps = section.integer("steps", o.steps, 1, 100'000,
                            "steps per evaluation path (default: task.steps, the training "
                            "length); samples = trials x steps");
  o.decoded_paths = section.integer("decoded_paths", o.decoded_paths, 0, 6,
                                    "evaluation paths drawn decoded vs true in the report");
  o.skip_steps = section.integer("skip_steps", o.skip_steps, 0, 100'000,
                                 "steps at the start of every evaluation path left out of rate maps "
                                 "and scores (the network's start transient); the position error "
                                 "uses all steps");
  if (o.trials * o.steps > 20'000'000) {
    throw_user_error("evaluation.trials x evaluation.steps = {} x {} = {} samples is too many; "
                     "allowed: at most 20000000",
                     o.trials, o.steps, o.trials * o.steps);
  }
  return o;
}

RunConfig read_run_config(io::ConfigReader& reader) {
  RunConfig config;
  config.experiment = train::Experiment::from_config(reader);
  config.analysis = analysis::AnalysisOptions::from_config(reader.section("analysis"));
  config.analysis.validate();
  config.evaluation =
      EvaluationOptions::from_config(reader.section("evaluation"), config.experiment.task.steps);
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

RunConfig open_or_create_run(const std::filesystem::path& dir, const std::string& path,
                             const std::vector<std::string>& overrides) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(dir, ec) || (fs::is_directory(dir, ec) && fs::is_empty(dir, ec))) {
    const RunConfig config = read_run_config(path, overrides);
    if (fs::exists(dir, ec)) fs::remove(dir, ec);
    train::Trainer::create_run(dir, config.experiment, config.toml);
  } else if (!train::is_run_folder(dir)) {
    throw_user_error("'{}' exists but is not a gridrnn run folder; remove it to rerun this run", dir.string());
  }
  return read_run_config((dir / "config.toml").string(), {});
}

}  // namespace gridrnn::runs

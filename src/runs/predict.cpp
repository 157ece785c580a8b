// Predictions of a saved network (runs/predict.hpp).
#include "gridrnn/runs/predict.hpp"

#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "gridrnn/core/error.hpp"
#include "gridrnn/io/files.hpp"
#include "gridrnn/io/npy.hpp"
#include "gridrnn/model/network_io.hpp"
#include "gridrnn/model/objective.hpp"
#include "gridrnn/runs/run_config.hpp"
#include "gridrnn/train/trainer.hpp"
#include "gridrnn/trajectory/inputs_info.hpp"

namespace gridrnn::runs {
namespace {

// The run folder a network belongs to: RUN/network, RUN/snapshots/update_N (none for a loose folder).
// Spelled from the path as given (run/network -> run/), for messages.
std::optional<std::filesystem::path> run_folder_of(const std::filesystem::path& network_dir) {
  for (const char* up : {"..", "../.."}) {
    const std::filesystem::path candidate = (network_dir / up).lexically_normal();
    if (train::is_run_folder(candidate)) return candidate;
  }
  return std::nullopt;
}

// Refuses inputs simulated with another encoding than the network's (speed_angle and velocity are
// both 2 wide); warns when they cannot be checked, or come from another arena or motion than the
// network's run trained on.
void check_inputs_match(const PredictRequest& o, const model::Network& network, std::size_t steps,
                        std::vector<std::string>& warnings) {
  const std::filesystem::path info_file = trajectory::inputs_info_path(o.inputs);
  const std::optional<trajectory::InputsInfo> info = trajectory::read_inputs_info(o.inputs);
  const std::optional<std::filesystem::path> run = run_folder_of(o.network);
  const std::string run_config = run ? (*run / "config.toml").string() : std::string();
  if (!info) {
    warnings.push_back(fmt::format("'{}' has no '{}' beside it (written by `gridrnn simulate`), so its input "
               "encoding could not be checked; network '{}' expects encoding '{}'{}",
               o.inputs, info_file.filename().string(), o.network, network.encoding,
               run ? fmt::format(" (`gridrnn simulate --config {}` writes matching inputs)", run_config) : ""));
    return;
  }
  if (network.encoding.empty()) {
    warnings.push_back(fmt::format("network '{}' does not record its input encoding; '{}' (encoding '{}') "
               "could not be checked", o.network, o.inputs, info->encoding));
  } else if (info->encoding != network.encoding) {
    throw_user_error("'{}' was simulated with input encoding '{}' (see '{}') but network '{}' was trained on "
                     "'{}'; simulate with --encoding {}{}",
                     o.inputs, info->encoding, info_file.string(), o.network, network.encoding,
                     network.encoding,
                     run ? fmt::format(", or with --config {} for the paths the run trains on", run_config) : "");
  }
  if (!run) return;
  std::vector<std::string> differences;
  try {
    const RunConfig config = read_run_config(run_config, {});
    differences = trajectory::path_differences(*info, config.experiment.arena, config.experiment.motion);
    const auto trained_steps = static_cast<std::size_t>(config.experiment.task.steps);
    if (steps > trained_steps)
      differences.push_back(fmt::format("{} steps per path vs task.steps = {} (its error grows beyond "
                                        "the length it was trained on)", steps, trained_steps));
  } catch (const UserError& error) {
    warnings.push_back(fmt::format("could not compare the paths of '{}' with the training paths of '{}': {}",
               o.inputs, run->string(), error.what()));
    return;
  }
  if (differences.empty()) return;
  std::string list;
  for (const auto& d : differences) list += fmt::format("{}{}", list.empty() ? "" : "; ", d);
  warnings.push_back(fmt::format("the paths of '{}' differ from those network '{}' was trained on ({}): {}; its "
             "predictions there test generalization (`gridrnn simulate --config {}` gives the "
             "training paths)",
             o.inputs, o.network, run_config, list, run_config));
}

}  // namespace

PredictResult predict_into(const PredictRequest& o) {
  PredictResult result;
  const model::Network network = model::load_network(o.network);
  const auto input_array = io::read_npy_finite(o.inputs);
  const std::size_t N_in = network.options.inputs;
  if (input_array.shape.size() != 3 || input_array.shape[2] != N_in || input_array.shape[0] == 0 || input_array.shape[1] == 0)
    throw_user_error("--inputs '{}' has shape {}; expected (T, B, {}) with T, B >= 1: steps, trials and the {} input "
                     "values of encoding '{}' that network '{}' was trained with",
                     o.inputs, io::shape_string(input_array.shape), N_in, N_in, network.encoding, o.network);
  const std::size_t T = input_array.shape[0], B = input_array.shape[1];
  check_inputs_match(o, network, T, result.warnings);
  std::vector<float> inputs(input_array.values.begin(), input_array.values.end());
  std::vector<float> starts;
  const model::InitialState initial = network.options.initial_state;
  if (initial == model::InitialState::kFromPosition || initial == model::InitialState::kFromPlaceCode) {
    if (o.starts.empty())
      throw_user_error("network '{}' starts from {} (initial_state = {}): give --starts starts.npy with shape ({}, 2), "
                       "one start position per trial",
                       o.network,
                       initial == model::InitialState::kFromPosition ? "W_init * start position"
                                                                     : "W_enc * place code of the start position",
                       model::to_string(initial), B);
    const auto start_array = io::read_npy_finite(o.starts);
    if (start_array.shape != std::vector<std::size_t>{B, 2})
      throw_user_error("--starts '{}' has shape {}; expected ({}, 2): one start position per trial of --inputs",
                       o.starts, io::shape_string(start_array.shape), B);
    starts.assign(start_array.values.begin(), start_array.values.end());
  } else if (!o.starts.empty()) {
    throw_user_error("--starts given, but network '{}' has a learned initial state x0 and uses no start positions", o.network);
  }
  model::ModelOptions options = network.options;
  if (!o.noise) options.noise_sd = 0.0;
  model::CtrnnObjective objective(options, model::LossOptions{});
  model::MinibatchView batch;
  batch.steps = T;
  batch.trials = B;
  batch.inputs = inputs;
  batch.starts = starts;
  batch.noise_seed = o.seed;
  objective.set_minibatch(batch);
  std::vector<float> outputs(T * B * model::kOutputs), activities(T * B * options.units);
  io::OutputDir out(o.out, o.force, "--force");
  objective.predict(network.theta, outputs, activities);
  io::write_npy(out / "outputs.npy", std::span<const float>(outputs), {T, B, model::kOutputs});
  io::write_npy(out / "activities.npy", std::span<const float>(activities), {T, B, options.units});
  out.commit();
  result.steps = T;
  result.trials = B;
  result.units = options.units;
  result.noise_sd = o.noise ? network.options.noise_sd : 0.0;
  return result;
}

}  // namespace gridrnn::runs

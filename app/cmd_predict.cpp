// gridrnn predict: runs a saved network on given inputs and writes its outputs and activities.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "command.hpp"
#include "gridrnn/core/error.hpp"
#include "gridrnn/core/threads.hpp"
#include "gridrnn/io/files.hpp"
#include "gridrnn/io/npy.hpp"
#include "gridrnn/model/network_io.hpp"
#include "gridrnn/model/objective.hpp"
#include "gridrnn/train/trainer.hpp"
#include "gridrnn/trajectory/inputs_info.hpp"
#include "run_config.hpp"

namespace {

using namespace gridrnn;

struct PredictOptions {
  std::string network, inputs, starts, out;
  bool noise = false;
  std::uint64_t seed = 0;
  bool force = false;
  int threads = 0;
};

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
void check_inputs_match(const PredictOptions& o, const model::Network& network, std::size_t steps) {
  const std::filesystem::path info_file = trajectory::inputs_info_path(o.inputs);
  const std::optional<trajectory::InputsInfo> info = trajectory::read_inputs_info(o.inputs);
  const std::optional<std::filesystem::path> run = run_folder_of(o.network);
  const std::string run_config = run ? (*run / "config.toml").string() : std::string();
  if (!info) {
    fmt::print(stderr,
               "warning: '{}' has no '{}' beside it (written by `gridrnn simulate`), so its input "
               "encoding could not be checked; network '{}' expects encoding '{}'{}\n",
               o.inputs, info_file.filename().string(), o.network, network.encoding,
               run ? fmt::format(" (`gridrnn simulate --config {}` writes matching inputs)", run_config) : "");
    return;
  }
  if (network.encoding.empty()) {
    fmt::print(stderr, "warning: network '{}' does not record its input encoding; '{}' (encoding '{}') "
               "could not be checked\n", o.network, o.inputs, info->encoding);
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
    const app::RunConfig config = app::read_run_config(run_config, {});
    differences = trajectory::path_differences(*info, config.experiment.arena, config.experiment.motion);
    const auto trained_steps = static_cast<std::size_t>(config.experiment.task.steps);
    if (steps > trained_steps)
      differences.push_back(fmt::format("{} steps per path vs task.steps = {} (its error grows beyond "
                                        "the length it was trained on)", steps, trained_steps));
  } catch (const UserError& error) {
    fmt::print(stderr, "warning: could not compare the paths of '{}' with the training paths of '{}': {}\n",
               o.inputs, run->string(), error.what());
    return;
  }
  if (differences.empty()) return;
  std::string list;
  for (const auto& d : differences) list += fmt::format("{}{}", list.empty() ? "" : "; ", d);
  fmt::print(stderr,
             "warning: the paths of '{}' differ from those network '{}' was trained on ({}): {}; its "
             "predictions there test generalization (`gridrnn simulate --config {}` gives the "
             "training paths)\n",
             o.inputs, o.network, run_config, list, run_config);
}

int run_predict(const PredictOptions& o) {
  set_thread_count(o.threads);
  const model::Network network = model::load_network(o.network);
  const auto input_array = io::read_npy_finite(o.inputs);
  const std::size_t N_in = network.options.inputs;
  if (input_array.shape.size() != 3 || input_array.shape[2] != N_in || input_array.shape[0] == 0 || input_array.shape[1] == 0)
    throw_user_error("--inputs '{}' has shape {}; expected (T, B, {}) with T, B >= 1: steps, trials and the {} input "
                     "values of encoding '{}' that network '{}' was trained with",
                     o.inputs, io::shape_string(input_array.shape), N_in, N_in, network.encoding, o.network);
  const std::size_t T = input_array.shape[0], B = input_array.shape[1];
  check_inputs_match(o, network, T);
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
  io::OutputDir out(o.out, o.force);
  objective.predict(network.theta, outputs, activities);
  io::write_npy(out / "outputs.npy", std::span<const float>(outputs), {T, B, model::kOutputs});
  io::write_npy(out / "activities.npy", std::span<const float>(activities), {T, B, options.units});
  out.commit();
  fmt::print("wrote {} ({}, {}, 2) and activities.npy ({}, {}, {}){}\n",
             (std::filesystem::path(o.out) / "outputs.npy").string(), T, B, T, B,
             options.units, o.noise ? fmt::format(" with noise SD {} (seed {})", network.options.noise_sd, o.seed) : "");
  return 0;
}

gridrnn::app::Registration reg{{"predict", "Run a saved network on given inputs; write outputs.npy and activities.npy", 50,
                                [](CLI::App& sub) -> gridrnn::app::Runner {
  auto o = std::make_shared<PredictOptions>();
  sub.add_option("--network", o->network, "Network folder (network.json, W_in.npy, ...)")->required();
  sub.add_option("--inputs", o->inputs, "Inputs, NPY (T, B, N_in) float: I[t] drives step t. Their encoding is checked against the "
                 "network's with X.json beside X.npy (written by `gridrnn simulate`)")->required();
  sub.add_option("--starts", o->starts, "Start positions, NPY (B, 2); only for networks with initial_state = from_position or from_place_code");
  sub.add_option("--out", o->out, "Output folder (created; must not exist or be empty unless --force)")->required();
  sub.add_flag("--noise", o->noise, "Add the unit noise xi the network was trained with (default: none)");
  sub.add_option("--seed", o->seed, "Noise seed (with --noise): xi of trial m from Rng(seed, noise, 0, m)")->default_val(0);
  sub.add_flag("--force", o->force, "Write into an existing non-empty output folder");
  gridrnn::app::add_threads_option(sub, o->threads);
  return [o]() { return run_predict(*o); };
}}};

}  // namespace

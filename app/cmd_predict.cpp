// gridrnn predict: runs a saved network on given inputs and writes its outputs and activities.
#include <memory>
#include <string>

#include <fmt/format.h>

#include "command.hpp"
#include "gridrnn/core/error.hpp"
#include "gridrnn/core/threads.hpp"
#include "gridrnn/io/files.hpp"
#include "gridrnn/io/npy.hpp"
#include "gridrnn/model/network_io.hpp"
#include "gridrnn/model/objective.hpp"

namespace {

using namespace gridrnn;

struct PredictOptions {
  std::string network, inputs, starts, out;
  bool noise = false;
  std::uint64_t seed = 0;
  bool force = false;
  int threads = 0;
};

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
  fmt::print("wrote {}/outputs.npy ({}, {}, 2) and activities.npy ({}, {}, {}){}\n", o.out, T, B, T, B,
             options.units, o.noise ? fmt::format(" with noise SD {} (seed {})", network.options.noise_sd, o.seed) : "");
  return 0;
}

gridrnn::app::Registration reg{{"predict", "Run a saved network on given inputs; write outputs.npy and activities.npy", 50,
                                [](CLI::App& sub) -> gridrnn::app::Runner {
  auto o = std::make_shared<PredictOptions>();
  sub.add_option("--network", o->network, "Network folder (network.json, W_in.npy, ...)")->required();
  sub.add_option("--inputs", o->inputs, "Inputs, NPY (T, B, N_in) float: I[t] drives step t")->required();
  sub.add_option("--starts", o->starts, "Start positions, NPY (B, 2); only for networks with initial_state = from_position or from_place_code");
  sub.add_option("--out", o->out, "Output folder (created; must not exist or be empty unless --force)")->required();
  sub.add_flag("--noise", o->noise, "Add the unit noise xi the network was trained with (default: none)");
  sub.add_option("--seed", o->seed, "Noise seed (with --noise): xi of trial m from Rng(seed, noise, 0, m)")->default_val(0);
  sub.add_flag("--force", o->force, "Write into an existing non-empty output folder");
  gridrnn::app::add_threads_option(sub, o->threads);
  return [o]() { return run_predict(*o); };
}}};

}  // namespace

// gridrnn predict: runs a saved network on given inputs and writes its outputs and activities
// (runs/predict.hpp).
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "command.hpp"
#include "gridrnn/core/threads.hpp"
#include "gridrnn/runs/predict.hpp"

namespace {

using namespace gridrnn;

struct PredictCommand {
  runs::PredictRequest request;
  int threads = 0;
};

int run_predict(const PredictCommand& command) {
  set_thread_count(command.threads);
  const runs::PredictRequest& o = command.request;
  const runs::PredictResult r = runs::predict_into(o);
  for (const auto& warning : r.warnings) fmt::print(stderr, "warning: {}\n", warning);
  fmt::print("wrote {} ({}, {}, 2) and activities.npy ({}, {}, {}){}\n",
             (std::filesystem::path(o.out) / "outputs.npy").string(), r.steps, r.trials, r.steps, r.trials,
             r.units, o.noise ? fmt::format(" with noise SD {} (seed {})", r.noise_sd, o.seed) : "");
  return 0;
}

gridrnn::app::Registration reg{{"predict", "Run a saved network on given inputs; write outputs.npy and activities.npy", 50,
                                [](CLI::App& sub) -> gridrnn::app::Runner {
  auto command = std::make_shared<PredictCommand>();
  runs::PredictRequest* o = &command->request;
  sub.add_option("--network", o->network, "Network folder (network.json, W_in.npy, ...)")->required();
  sub.add_option("--inputs", o->inputs, "Inputs, NPY (T, B, N_in) float: I[t] drives step t. Their encoding is checked against the "
                 "network's with X.json beside X.npy (written by `gridrnn simulate`)")->required();
  sub.add_option("--starts", o->starts, "Start positions, NPY (B, 2); only for networks with initial_state = from_position or from_place_code");
  sub.add_option("--out", o->out, "Output folder (created; must not exist or be empty unless --force)")->required();
  sub.add_flag("--noise", o->noise, "Add the unit noise xi the network was trained with (default: none)");
  sub.add_option("--seed", o->seed, "Noise seed (with --noise): xi of trial m from Rng(seed, noise, 0, m)")->default_val(0);
  sub.add_flag("--force", o->force, "Write into an existing non-empty output folder");
  gridrnn::app::add_threads_option(sub, command->threads);
  return [command]() { return run_predict(*command); };
}}};

}  // namespace

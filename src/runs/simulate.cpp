// A simulation folder (runs/simulate.hpp): paths generated in an arena, or one recorded path read,
// written with the network inputs as NPY files, the effective config and a figure.
#include "gridrnn/runs/simulate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>

#include <fmt/format.h>

#include "gridrnn/analysis/maps.hpp"
#include "gridrnn/arena/arena.hpp"
#include "gridrnn/core/error.hpp"
#include "gridrnn/io/config.hpp"
#include "gridrnn/io/files.hpp"
#include "gridrnn/io/npy.hpp"
#include "gridrnn/plot/figures.hpp"
#include "gridrnn/runs/run_config.hpp"
#include "gridrnn/runs/run_report.hpp"
#include "gridrnn/train/experiment.hpp"
#include "gridrnn/trajectory/batch.hpp"
#include "gridrnn/trajectory/inputs_info.hpp"
#include "gridrnn/trajectory/motion.hpp"
#include "gridrnn/trajectory/simulation.hpp"

namespace gridrnn::runs {
namespace {

// The sections of a whole run config (`gridrnn train`) beyond [arena], [motion] and [simulate]. A
// config with any of them is read as a run config: simulate's steps and encoding default to the
// run's [task], and every other key is validated as `gridrnn train` would (and then ignored).
const char* const kRunSections[] = {"task", "model", "readout", "loss", "train",
                                    "hessian_free", "adam", "analysis", "evaluation"};

bool is_run_config(const io::ConfigReader& config) {
  for (const char* section : kRunSections)
    if (config.has(section)) return true;
  return false;
}


// paths.png: the first few paths over the arena's outline, and the occupancy of all of them
// (fraction of positions per bin of a 32 x 32 grid over the bounding box; NaN = never visited).
void draw_paths_figure(const std::filesystem::path& file, const arena::Arena& arena,
                       const trajectory::Batch& batch) {
  constexpr int kBins = 32;
  constexpr std::size_t kPathsDrawn = 5;
  const std::size_t T = batch.steps, B = batch.trials;
  const analysis::MapExtent extent = arena_geometry(arena).extent;
  const analysis::SpatialBinning binning =
      analysis::bin_positions(batch.positions, extent, kBins, kBins);  // (T+1)*B (x, y) pairs
  Eigen::MatrixXd occupancy(kBins, kBins);
  const double total = static_cast<double>((T + 1) * B);
  for (int ix = 0; ix < kBins; ++ix)
    for (int iy = 0; iy < kBins; ++iy) {
      const double c = binning.occupancy[static_cast<std::size_t>(ix * kBins + iy)];
      occupancy(ix, iy) = c > 0 ? c / total : std::nan("");
    }
  std::vector<plot::Polyline> paths(std::min(B, kPathsDrawn));
  for (std::size_t m = 0; m < paths.size(); ++m)
    for (std::size_t t = 0; t <= T; ++t)
      paths[m].push_back({batch.positions[2 * (t * B + m)], batch.positions[2 * (t * B + m) + 1]});
  plot::write_paths_figure(file, arena_outline(arena), paths, occupancy,
                           {extent.xmin, extent.xmax, extent.ymin, extent.ymax},
                           fmt::format("{} path(s) in the {} arena: first {} and occupancy", B,
                                       arena.name(), paths.size()));
}

// A recorded path is one path (B = 1) with a step per row and its own motion: the flags that
// shape simulated paths would be ignored, and written to config.toml as if they had been used.
void refuse_simulation_flags_with_recorded(const SimulateRequest& o) {
  const std::pair<bool, const char*> flags[] = {{o.steps.has_value(), "--steps"},
                                                {o.trials.has_value(), "--trials"},
                                                {o.seed.has_value(), "--seed"},
                                                {!o.motion.empty(), "--motion"}};
  for (const auto& [given, name] : flags) {
    if (given) {
      throw_user_error("{} does not apply with --recorded: the recorded path is one path with one "
                       "step per row, and its own motion; leave out {}",
                       name, name);
    }
  }
}

}  // namespace

SimulateResult simulate_into(const SimulateRequest& o) {
  if (!o.recorded.empty()) refuse_simulation_flags_with_recorded(o);
  io::ConfigReader config =
      o.config.empty() ? io::ConfigReader::empty("<command line>") : io::ConfigReader::from_file(o.config);
  for (const auto& assignment : o.overrides) config.apply_override(assignment);
  // Flags become overrides, so the saved config.toml says exactly what was run.
  if (!o.arena.empty()) config.apply_override(fmt::format("arena.shape=\"{}\"", o.arena));
  if (!o.motion.empty()) config.apply_override(fmt::format("motion.model=\"{}\"", o.motion));
  if (!o.encoding.empty()) config.apply_override(fmt::format("simulate.encoding=\"{}\"", o.encoding));
  if (o.steps) config.apply_override(fmt::format("simulate.steps={}", *o.steps));
  if (o.trials) config.apply_override(fmt::format("simulate.trials={}", *o.trials));
  if (o.seed) config.apply_override(fmt::format("simulate.seed={}", *o.seed));

  const arena::Arena arena = arena::Arena::from_config(config.section("arena"));
  const trajectory::MotionOptions motion =
      trajectory::MotionOptions::from_config(config.section("motion"));
  const bool run_config = is_run_config(config);
  // A run config: the paths that run trains on, unless [simulate] or a flag says otherwise.
  const train::TaskOptions task = run_config ? train::TaskOptions::from_config(config.section("task"))
                                             : train::TaskOptions{};
  const trajectory::SimulationSettings settings = trajectory::SimulationSettings::from_config(
      config.section("simulate"), run_config ? task.steps : 500,
      run_config ? task.encoding : trajectory::Encoding::kSpeedAngle);
  if (run_config) {
    read_run_config(config);  // validates the run's other sections and refuses unknown keys
  } else {
    config.finish();
  }
  SimulateResult result;
  trajectory::Batch batch;
  if (o.recorded.empty()) {
    batch = trajectory::simulate_batch(arena, motion, settings);
  } else {
    const auto recorded = trajectory::read_recorded_path(o.recorded, arena, o.recorded_options);
    result.warnings = recorded.warnings;
    trajectory::resize_batch(batch, settings.encoding, 1, recorded.path.steps());
    trajectory::store_path(batch, 0, recorded.path);
  }

  io::OutputDir out(o.out, /*allow_existing=*/false);
  const std::size_t T = batch.steps, B = batch.trials;
  io::write_npy(out / "positions.npy", std::span<const double>(batch.positions), {T + 1, B, 2});
  io::write_npy(out / "headings.npy", std::span<const double>(batch.headings), {T, B});
  io::write_npy(out / "speeds.npy", std::span<const double>(batch.speeds), {T, B});
  io::write_npy(out / "inputs.npy", std::span<const float>(batch.inputs), {T, B, batch.input_size});
  trajectory::write_inputs_info(
      trajectory::inputs_info_path(out / "inputs.npy"),
      trajectory::describe_inputs(batch, arena, o.recorded.empty() ? &motion : nullptr));
  io::write_file_atomic(out / "config.toml", config.to_toml() + "\n");
  draw_paths_figure(out / "paths.png", arena, batch);
  out.commit();
  result.steps = T;
  result.trials = B;
  result.input_size = batch.input_size;
  result.arena = arena.name();
  result.motion = o.recorded.empty() ? trajectory::motion_model_name(motion.model) : "recorded";
  result.encoding = trajectory::encoding_name(settings.encoding);
  return result;
}

}  // namespace gridrnn::runs

// `gridrnn simulate`: generate paths in an arena (or read a recorded one) and write them, with the
// network inputs, as NPY files. Flags override the config file; the effective config is saved.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "command.hpp"
#include "gridrnn/analysis/maps.hpp"
#include "gridrnn/plot/figures.hpp"
#include "run_config.hpp"
#include "run_report.hpp"
#include "gridrnn/arena/arena.hpp"
#include "gridrnn/core/error.hpp"
#include "gridrnn/core/threads.hpp"
#include "gridrnn/io/config.hpp"
#include "gridrnn/io/files.hpp"
#include "gridrnn/io/npy.hpp"
#include "gridrnn/trajectory/batch.hpp"
#include "gridrnn/trajectory/inputs_info.hpp"
#include "gridrnn/trajectory/motion.hpp"
#include "gridrnn/trajectory/recorded.hpp"
#include "gridrnn/trajectory/simulation.hpp"

namespace gridrnn::app {
namespace {

struct SimulateOptions {
  std::string config;
  std::string arena;
  std::string motion;
  std::string encoding;
  std::string recorded;
  std::string origin;  // --origin X,Y (with --recorded)
  std::optional<std::int64_t> steps;
  std::optional<std::int64_t> trials;
  std::optional<std::int64_t> seed;
  std::string out;
  int threads = 0;
};

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

constexpr std::int64_t kMaxSteps = trajectory::SimulationSettings::kMaxSteps;

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
void refuse_simulation_flags_with_recorded(const SimulateOptions& o) {
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

// --origin X,Y: two finite numbers.
trajectory::RecordedOptions recorded_options(const SimulateOptions& o) {
  trajectory::RecordedOptions options;
  if (o.origin.empty()) return options;
  const auto comma = o.origin.find(',');
  double xy[2] = {0.0, 0.0};
  bool ok = comma != std::string::npos;
  for (int k = 0; k < 2 && ok; ++k) {
    const std::string part = k == 0 ? o.origin.substr(0, comma) : o.origin.substr(comma + 1);
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), xy[k]);
    ok = !part.empty() && ec == std::errc() && end == part.data() + part.size() &&
         std::isfinite(xy[k]);
  }
  if (!ok) {
    throw_user_error("--origin '{}': give the arena's centre in the recorded file's coordinates as "
                     "two numbers X,Y, e.g. --origin 50,50",
                     o.origin);
  }
  options.origin = {xy[0], xy[1]};
  return options;
}

int run_simulate(const SimulateOptions& o) {
  set_thread_count(o.threads);
  if (!o.recorded.empty()) refuse_simulation_flags_with_recorded(o);
  io::ConfigReader config =
      o.config.empty() ? io::ConfigReader::empty("<command line>") : io::ConfigReader::from_file(o.config);
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
  trajectory::Batch batch;
  if (o.recorded.empty()) {
    batch = trajectory::simulate_batch(arena, motion, settings);
  } else {
    const auto recorded = trajectory::read_recorded_path(o.recorded, arena, recorded_options(o));
    for (const auto& warning : recorded.warnings)
      std::fprintf(stderr, "gridrnn: warning: %s\n", warning.c_str());
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
  std::printf("simulated %zu path(s) x %zu steps in the %s arena (%s motion, %s inputs)\n", B, T,
              arena.name().c_str(),
              o.recorded.empty() ? trajectory::motion_model_name(motion.model).c_str() : "recorded",
              trajectory::encoding_name(settings.encoding).c_str());
  std::printf("results in %s: positions.npy (T+1, B, 2), headings.npy (T, B), speeds.npy (T, B), "
              "inputs.npy (T, B, %zu) with inputs.json (its encoding, arena and motion), config.toml, "
              "paths.png\n",
              o.out.c_str(), batch.input_size);
  return 0;
}

Registration reg{{"simulate", "Generate paths in an arena and write positions, headings, speeds "
                              "and network inputs (NPY)",
                  20, [](CLI::App& sub) -> Runner {
  auto o = std::make_shared<SimulateOptions>();
  sub.add_option("--config", o->config,
                 "TOML config with [arena], [motion] and [simulate] sections, or a whole run config "
                 "(e.g. RUN/config.toml: the paths that run trains on; see docs/cli.md); flags "
                 "override it")
      ->type_name("FILE");
  sub.add_option("--arena", o->arena,
                 "arena shape with its default size (area 4); overrides [arena] shape")
      ->check(CLI::IsMember(arena::Arena::shape_names()))
      ->default_str("square");
  sub.add_option("--motion", o->motion, "motion model; overrides [motion] model")
      ->check(CLI::IsMember(trajectory::MotionOptions::model_names()))
      ->default_str("paper");
  sub.add_option("--encoding", o->encoding, "network input encoding; overrides [simulate] encoding")
      ->check(CLI::IsMember(trajectory::encoding_names()))
      ->default_str("speed_angle");
  sub.add_option("--steps", o->steps, "steps per path T; overrides [simulate] steps")
      ->check(CLI::Range(std::int64_t{1}, kMaxSteps))
      ->default_str("500");
  sub.add_option("--trials", o->trials, "number of paths B; overrides [simulate] trials")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1'000'000}))
      ->default_str("500");
  sub.add_option("--seed", o->seed, "random seed; overrides [simulate] seed")
      ->check(CLI::NonNegativeNumber)
      ->default_str("1");
  auto* recorded = sub.add_option("--recorded", o->recorded,
                 "instead of simulating, read one recorded path from a CSV (header t,x,y or x,y; "
                 "one row per step) and write its speeds, headings and inputs; --steps, --trials, "
                 "--seed and --motion do not apply")
      ->type_name("CSV");
  sub.add_option("--origin", o->origin,
                 "with --recorded: the arena's centre in the CSV's coordinates, subtracted from "
                 "every point (arenas are centred at 0,0), e.g. 50,50 for a 100 x 100 box tracked "
                 "from its corner")
      ->type_name("X,Y")
      ->needs(recorded);
  sub.add_option("--out", o->out, "output folder (must not exist or be empty)")
      ->required()
      ->type_name("DIR");
  add_threads_option(sub, o->threads);
  return [o]() { return run_simulate(*o); };
}}};

}  // namespace
}  // namespace gridrnn::app

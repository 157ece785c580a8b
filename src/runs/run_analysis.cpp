// Analysis of a trained run (see run_analysis.hpp).
#include "gridrnn/runs/run_analysis.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "gridrnn/analysis/tuning.hpp"
#include "gridrnn/core/error.hpp"
#include "gridrnn/core/progress.hpp"
#include "gridrnn/core/threads.hpp"
#include "gridrnn/io/files.hpp"
#include "gridrnn/io/npy.hpp"
#include "gridrnn/model/objective.hpp"
#include "gridrnn/train/checkpoint.hpp"
#include "gridrnn/train/trainer.hpp"
#include "gridrnn/trajectory/batch.hpp"

namespace gridrnn::runs {
namespace fs = std::filesystem;
namespace {
// Samples kept for the speed-tuning scatter plots (the page draws at most 400 of them).
constexpr std::size_t kSpeedSamples = 2000;
}  // namespace

RunConfig open_run(const fs::path& run_dir, const std::vector<std::string>& overrides) {
  if (!fs::is_directory(run_dir)) {
    throw_user_error("run folder '{}' does not exist; give the --out folder of `gridrnn train`",
                     run_dir.string());
  }
  if (!train::is_run_folder(run_dir)) {
    throw_user_error("'{}' is not a gridrnn run folder (no valid run.json); give the --out folder of "
                     "`gridrnn train`",
                     run_dir.string());
  }
  io::ConfigReader reader = io::ConfigReader::from_file(run_dir / "config.toml");
  for (const auto& assignment : overrides) reader.apply_override(assignment);
  return read_run_config(reader);
}


Evaluation evaluate(const RunConfig& config, const model::Network& network) {
  const train::Experiment& e = config.experiment;
  if (network.encoding != trajectory::encoding_name(e.task.encoding)) {
    throw_user_error("network/network.json says encoding '{}' but config.toml [task] encoding is '{}'",
                     network.encoding, trajectory::encoding_name(e.task.encoding));
  }
  Evaluation ev;
  ev.trials = static_cast<std::size_t>(config.evaluation.trials);
  ev.steps = static_cast<std::size_t>(config.evaluation.steps);
  ev.units = network.options.units;
  const std::size_t T = ev.steps, B = ev.trials, N = ev.units, S = T * B;
  const trajectory::Batch batch = trajectory::generate_batch(
      e.arena, e.motion, e.task.encoding, e.train.seed, 0, B, T, Stream::kEvaluation);
  std::vector<float> starts(2 * B);
  for (std::size_t k = 0; k < 2 * B; ++k) starts[k] = static_cast<float>(batch.positions[k]);
  model::CtrnnObjective objective(network.options, model::LossOptions{});
  model::MinibatchView view;
  view.steps = T;
  view.trials = B;
  view.inputs = batch.inputs;
  view.starts = starts;
  view.noise_seed = e.train.seed;
  view.update_index = kEvaluationNoiseIndex;
  objective.set_minibatch(view);
  std::vector<float> outputs(T * B * 2), activities(T * B * N);  // (T, B, 2), (T, B, N)
  objective.predict(network.theta, outputs, activities);

  ev.positions.resize(2 * S);
  ev.headings.resize(S);
  ev.speeds.resize(S);
  ev.activities.resize(S * N);
  ev.outputs.resize(2 * S);
  const arena::Point centre = e.arena.centre();
  double squared = 0, baseline = 0;
  parallel_for(B, [&](std::size_t m) {
    for (std::size_t t = 0; t < T; ++t) {
      const std::size_t s = m * T + t, tb = t * B + m;
      for (int c = 0; c < 2; ++c) {
        ev.positions[2 * s + c] = batch.positions[2 * ((t + 1) * B + m) + c];
        ev.outputs[2 * s + c] = outputs[2 * tb + c];
      }
      ev.headings[s] = batch.headings[tb];
      ev.speeds[s] = batch.speeds[tb];
      std::copy_n(&activities[tb * N], N, &ev.activities[s * N]);
    }
  });
  for (std::size_t s = 0; s < S; ++s) {
    const double dx = ev.outputs[2 * s] - ev.positions[2 * s], dy = ev.outputs[2 * s + 1] - ev.positions[2 * s + 1];
    const double cx = centre.x - ev.positions[2 * s], cy = centre.y - ev.positions[2 * s + 1];
    squared += dx * dx + dy * dy;
    baseline += cx * cx + cy * cy;
  }
  ev.position_rms = std::sqrt(squared / static_cast<double>(S));
  ev.baseline_rms = std::sqrt(baseline / static_cast<double>(S));
  return ev;
}

void check_analysis_fits(const RunConfig& config, const std::string& remedy) {
  const EvaluationOptions& e = config.evaluation;
  const std::string tail = remedy.empty() ? std::string() : ", " + remedy;
  if (e.skip_steps >= e.steps) {
    throw_user_error("evaluation.skip_steps = {} (the start transient left out; default 30) leaves no step of "
                     "evaluation.steps = {}; lower evaluation.skip_steps below evaluation.steps{}",
                     e.skip_steps, e.steps, tail);
  }
  const std::int64_t scored = e.trials * (e.steps - e.skip_steps);
  if (config.analysis.shuffles > 0 && scored <= 2 * static_cast<std::int64_t>(config.analysis.min_shift)) {
    throw_user_error("evaluation.trials x (evaluation.steps - evaluation.skip_steps) = {} x ({} - {}) = {} scored "
                     "samples must exceed 2 x analysis.min_shift = {} for the shuffle nulls; lower "
                     "analysis.min_shift or evaluation.skip_steps, or raise evaluation.trials or "
                     "evaluation.steps{}",
                     e.trials, e.steps, e.skip_steps, scored, 2 * config.analysis.min_shift, tail);
  }
}

Evaluation without_start(const Evaluation& ev, std::size_t skip_steps) {
  if (skip_steps >= ev.steps) {
    throw InternalError(fmt::format("without_start: skip_steps {} >= steps {} (check_analysis_fits missed it)",
                                    skip_steps, ev.steps));
  }
  Evaluation kept;
  kept.trials = ev.trials;
  kept.steps = ev.steps - skip_steps;
  kept.units = ev.units;
  kept.position_rms = ev.position_rms;
  kept.baseline_rms = ev.baseline_rms;
  // One copy rule for every per-sample array (width values per sample, trial-major): path m's
  // samples skip_steps..steps-1 become kept samples m * kept.steps + 0..kept.steps-1.
  const auto keep = [&](const auto& from, auto& to, std::size_t width) {
    to.resize(kept.trials * kept.steps * width);
    for (std::size_t m = 0; m < ev.trials; ++m) {
      std::copy_n(&from[(m * ev.steps + skip_steps) * width], kept.steps * width, &to[m * kept.steps * width]);
    }
  };
  keep(ev.positions, kept.positions, 2);
  keep(ev.outputs, kept.outputs, 2);
  keep(ev.headings, kept.headings, 1);
  keep(ev.speeds, kept.speeds, 1);
  keep(ev.activities, kept.activities, ev.units);
  return kept;
}

namespace {
// direction_tuning.npy, speed_tuning.npy, speed_samples.npy (over the scored samples, `kept`),
// decoded_paths.npy (whole paths, `ev`), evaluation.json.
void write_extra_arrays(const fs::path& dir, const Evaluation& ev, const Evaluation& kept,
                        const RunConfig& config, const model::Network& network) {
  const std::size_t S = kept.trials * kept.steps, N = kept.units;
  // Direction: mean activity per heading bin, same bins as the analysis (tuning.hpp).
  const std::vector<int> bin_of = analysis::heading_bins(kept.headings, config.analysis.direction_bin_deg);
  const auto bins = static_cast<std::size_t>(std::lround(360.0 / config.analysis.direction_bin_deg));
  std::vector<double> sum(N * bins, 0.0), count(bins, 0.0);
  for (std::size_t s = 0; s < S; ++s) {
    const auto b = static_cast<std::size_t>(bin_of[s]);
    count[b] += 1;
    for (std::size_t n = 0; n < N; ++n) sum[n * bins + b] += kept.activities[s * N + n];
  }
  for (std::size_t n = 0; n < N; ++n)
    for (std::size_t b = 0; b < bins; ++b)
      sum[n * bins + b] = count[b] > 0 ? sum[n * bins + b] / count[b] : std::nan("");
  io::write_npy(dir / kDirectionTuningFile, std::span<const double>(sum), {N, bins});

  // Speed: the linear fit per unit over all samples, and an evenly spaced subset for the scatter.
  std::vector<double> fit(N * 3);
  parallel_for(N, [&](std::size_t n) {
    std::vector<double> activity(S);
    for (std::size_t s = 0; s < S; ++s) activity[s] = kept.activities[s * N + n];
    const analysis::SpeedTuning tuning = analysis::speed_tuning(kept.speeds, std::span<const double>(activity));
    fit[n * 3] = tuning.pearson_r;
    fit[n * 3 + 1] = tuning.slope;
    fit[n * 3 + 2] = tuning.intercept;
  });
  io::write_npy(dir / kSpeedTuningFile, std::span<const double>(fit), {N, 3});
  const std::size_t K = std::min(S, kSpeedSamples);
  std::vector<double> samples(K * (N + 1));
  for (std::size_t k = 0; k < K; ++k) {
    const std::size_t s = k * S / K;
    samples[k * (N + 1)] = kept.speeds[s];
    for (std::size_t n = 0; n < N; ++n) samples[k * (N + 1) + 1 + n] = kept.activities[s * N + n];
  }
  io::write_npy(dir / kSpeedSamplesFile, std::span<const double>(samples), {K, N + 1});

  // Decoded vs true position on the first few evaluation paths.
  const std::size_t P = std::min(ev.trials, static_cast<std::size_t>(config.evaluation.decoded_paths));
  std::vector<double> decoded(P * ev.steps * 4);
  for (std::size_t p = 0; p < P; ++p) {
    for (std::size_t t = 0; t < ev.steps; ++t) {
      const std::size_t s = p * ev.steps + t;
      double* v = &decoded[s * 4];
      v[0] = ev.positions[2 * s];
      v[1] = ev.positions[2 * s + 1];
      v[2] = ev.outputs[2 * s];
      v[3] = ev.outputs[2 * s + 1];
    }
  }
  io::write_npy(dir / kDecodedPathsFile, std::span<const double>(decoded), {P, ev.steps, 4});

  const nlohmann::json j = {{"trials", ev.trials},
                            {"steps", ev.steps},
                            {"samples", ev.trials * ev.steps},
                            {"skip_steps", ev.steps - kept.steps},
                            {"scored_samples", S},
                            {"stream", "evaluation"},
                            {"seed", config.experiment.train.seed},
                            {"noise_sd", network.options.noise_sd},
                            {"position_rms", ev.position_rms},
                            {"baseline_rms", ev.baseline_rms},
                            {"sample_order", "trial-major: sample s = trial * steps + step"}};
  io::write_file_atomic(dir / kEvaluationFile, j.dump(2) + "\n");
}}  // namespace

namespace {
// Scores the samples that are already without their start transient.
analysis::PopulationAnalysis analyze_scored(const RunConfig& config, const Evaluation& kept) {
  return analysis::analyze_population(kept.positions, kept.headings, kept.speeds, kept.activities, kept.units,
                                      arena_geometry(config.experiment.arena), config.analysis);
}
}  // namespace

analysis::PopulationAnalysis analyze_evaluation(const RunConfig& config, const Evaluation& ev) {
  return analyze_scored(config, without_start(ev, static_cast<std::size_t>(config.evaluation.skip_steps)));
}

std::vector<std::pair<std::int64_t, fs::path>> snapshot_networks(const fs::path& run_dir) {
  std::vector<std::pair<std::int64_t, fs::path>> networks;
  std::error_code ec;
  if (fs::is_directory(run_dir / "snapshots", ec)) {
    for (const auto& entry : fs::directory_iterator(run_dir / "snapshots")) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("update_", 0) != 0 || name.size() <= 7 ||
          name.find_first_not_of("0123456789", 7) != std::string::npos)
        continue;
      networks.emplace_back(std::stoll(name.substr(7)), entry.path());
    }
  }
  std::sort(networks.begin(), networks.end());
  return networks;
}

namespace {

SnapshotClasses snapshot_row(std::int64_t update, const Evaluation& ev, const analysis::PopulationAnalysis& p) {
  SnapshotClasses row;
  row.update = update;
  row.position_rms = ev.position_rms;
  row.baseline_rms = ev.baseline_rms;
  row.class_counts = p.class_counts;
  row.distinct_maps = p.distinct_maps;
  row.thresholds = p.thresholds;
  return row;
}

// analysis/snapshots.csv: update, evaluation errors, units per class, the grid thresholds, and
// the grid classes' different maps (a collapsed population has many units and one map).
void write_snapshots_csv(const fs::path& file, const std::vector<SnapshotClasses>& rows) {
  std::string csv = "update,position_rms,baseline_rms";
  for (analysis::UnitClass c : analysis::kUnitClasses) csv += fmt::format(",{}", analysis::to_string(c));
  csv += ",grid_score_60_threshold,grid_score_90_threshold,grid_hexagonal_maps,grid_square_maps\n";
  constexpr int kHexagonal = static_cast<int>(analysis::UnitClass::kGridHexagonal);
  constexpr int kSquare = static_cast<int>(analysis::UnitClass::kGridSquare);
  for (const auto& r : rows) {
    csv += fmt::format("{},{},{}", r.update, r.position_rms, r.baseline_rms);
    for (int count : r.class_counts) csv += fmt::format(",{}", count);
    csv += fmt::format(",{},{},{},{}\n", r.thresholds.grid_60, r.thresholds.grid_90, r.distinct_maps[kHexagonal],
                       r.distinct_maps[kSquare]);
  }
  io::write_file_atomic(file, csv);
}

}  // namespace

AnalyzedRun analyze_run(const fs::path& run_dir, const std::vector<std::string>& overrides, bool figures,
                        bool snapshots) {
  const auto start = std::chrono::steady_clock::now();
  const RunConfig config = open_run(run_dir, overrides);
  check_analysis_fits(config);
  const auto snapshot_list = snapshots ? snapshot_networks(run_dir) : std::vector<std::pair<std::int64_t, fs::path>>{};
  if (snapshots && snapshot_list.empty())
    throw_user_error("'{}' kept no snapshots (snapshots/update_NNNNNN/): train with train.snapshot_every > 0 to "
                     "score the classes along training, or leave out --snapshots",
                     run_dir.string());
  // Load every network first: a broken snapshot is refused before any work.
  std::vector<model::Network> snapshot_nets;
  for (const auto& [update, dir] : snapshot_list) snapshot_nets.push_back(model::load_network(dir));
  const model::Network network = model::load_network(run_dir / "network");
  AnalyzedRun run;
  run.evaluation = evaluate(config, network);
  const auto evaluated = std::chrono::steady_clock::now();
  const Evaluation kept = without_start(run.evaluation, static_cast<std::size_t>(config.evaluation.skip_steps));
  run.population = analyze_scored(config, kept);
  const auto analyzed = std::chrono::steady_clock::now();
  Progress progress("snapshot", static_cast<long>(snapshot_nets.size()));
  for (std::size_t k = 0; k < snapshot_nets.size(); ++k) {
    const Evaluation ev = evaluate(config, snapshot_nets[k]);
    run.snapshots.push_back(snapshot_row(snapshot_list[k].first, ev, analyze_evaluation(config, ev)));
    progress.update(static_cast<long>(k + 1), fmt::format("update {}", snapshot_list[k].first));
  }
  progress.finish();
  if (snapshots) {
    const std::int64_t final_update = train::read_checkpoint(run_dir / "checkpoint.bin").updates_done;
    if (run.snapshots.back().update != final_update) run.snapshots.push_back(snapshot_row(final_update, run.evaluation, run.population));
  }
  const auto snapshots_done = std::chrono::steady_clock::now();
  io::OutputDir out(run_dir, /*allow_existing=*/true);
  const fs::path analysis_dir = out / "analysis";
  fs::create_directories(analysis_dir);
  analysis::write_population_analysis(analysis_dir, run.population);
  if (snapshots) write_snapshots_csv(analysis_dir / "snapshots.csv", run.snapshots);
  write_extra_arrays(analysis_dir, run.evaluation, kept, config, network);
  if (figures) run.drawn = draw_run(run_dir, analysis_dir, out.staging(), config);
  out.commit();
  if (!figures) {
    // figures/ and report.html of an earlier analysis (gridrnn's own: analyze and plot replace them
    // whole) would show other scores beside the new analysis/.
    // Only the figure files (PNG, SVG, PDF) go: anything else a user put in figures/ stays.
    std::error_code ec;
    for (const char* stale : {"figures", "report.html"}) {
      if (!fs::exists(run_dir / stale, ec)) continue;
      if (fs::is_directory(run_dir / stale, ec)) {
        for (const auto& entry : fs::directory_iterator(run_dir / stale, ec)) {
          const std::string extension = entry.path().extension().string();
          if (entry.is_regular_file() && (extension == ".png" || extension == ".svg" || extension == ".pdf"))
            fs::remove(entry.path(), ec);
          if (ec) break;
        }
        if (!ec && fs::is_empty(run_dir / stale, ec)) fs::remove(run_dir / stale, ec);
      } else {
        fs::remove(run_dir / stale, ec);
      }
      if (ec) {
        throw_user_error("analysis/ in '{}' is new, but the earlier {} could not be removed ({}); "
                         "remove it by hand, or redraw it with `gridrnn plot {}`",
                         run_dir.string(), stale, ec.message(), run_dir.string());
      }
      run.removed.push_back(stale);
    }
  }
  const auto end = std::chrono::steady_clock::now();
  auto seconds = [](auto from, auto to) { return std::chrono::duration<double>(to - from).count(); };
  run.seconds_network = seconds(start, evaluated);
  run.seconds_analysis = seconds(evaluated, analyzed);
  run.seconds_snapshots = seconds(analyzed, snapshots_done);
  run.seconds_files = seconds(snapshots_done, end);
  return run;
}

}  // namespace gridrnn::runs

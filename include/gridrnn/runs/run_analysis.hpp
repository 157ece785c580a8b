#pragma once
// Analysis of a trained run, shared by `gridrnn analyze`, `gridrnn sweep` and `gridrnn reproduce`:
// run the network on fresh evaluation paths ([evaluation]), score every unit
// (analysis/population.hpp) and write RUN_DIR/analysis/, figures/ and report.html atomically.
#include <array>
#include <cstdint>
#include <utility>
#include <filesystem>
#include <string>
#include <vector>

#include "gridrnn/analysis/population.hpp"
#include "gridrnn/model/network_io.hpp"
#include "gridrnn/runs/run_config.hpp"
#include "gridrnn/runs/run_report.hpp"

namespace gridrnn::runs {

// Unit noise of the evaluation paths: Rng(train seed, kNoise, this index, trial). Training uses
// indices 0 .. updates-1 and validation ~0, so evaluation noise is never one they saw.
inline constexpr std::uint64_t kEvaluationNoiseIndex = ~std::uint64_t{0} - 1;

// Opens a run folder for analysis (run.json and config.toml must be there) and applies the
// "section.key=value" overrides to its config (config.toml is not changed).
RunConfig open_run(const std::filesystem::path& run_dir, const std::vector<std::string>& overrides);

// Network outputs and activities on the evaluation paths, flattened trial-major: sample
// s = m T + t is trial m after step t, so a circular shift of the pooled samples (the shuffle
// null) moves activity along the same path and on into the next one.
struct Evaluation {
  std::size_t trials = 0, steps = 0, units = 0;
  std::vector<double> positions;  // (S, 2) position after the step (the target)
  std::vector<double> headings;   // (S)
  std::vector<double> speeds;     // (S)
  std::vector<float> activities;  // (S, N)
  std::vector<float> outputs;     // (S, 2) decoded position
  double position_rms = 0, baseline_rms = 0;
};

// Runs network on the [evaluation] paths of config (Stream::kEvaluation, seed = [train] seed).
Evaluation evaluate(const RunConfig& config, const model::Network& network);

// Refuses (UserError naming the keys) an analysis of config that could only fail: skip_steps must
// leave steps of every path, and the shuffle null needs more scored samples than 2 min_shift
// (analysis::analyze_population checks the same, but only after the network ran). `remedy` ends
// the message (e.g. "or set analyze = false in the sweep file"); empty: nothing added. Called
// before any training or evaluation by analyze, sweep and reproduce.
void check_analysis_fits(const RunConfig& config, const std::string& remedy = {});

// The samples the analyses score: every path of ev without its first skip_steps steps (the start
// transient, [evaluation] skip_steps). steps shrinks by skip_steps; position_rms and baseline_rms
// stay those of all steps.
Evaluation without_start(const Evaluation& ev, std::size_t skip_steps);

// Scores every unit of an evaluation with the config's [analysis] options, after leaving out the
// first [evaluation] skip_steps steps of every path (without_start).
analysis::PopulationAnalysis analyze_evaluation(const RunConfig& config, const Evaluation& ev);

// The networks kept along training: snapshots/update_NNNNNN/ of run_dir, by ascending update.
std::vector<std::pair<std::int64_t, std::filesystem::path>> snapshot_networks(const std::filesystem::path& run_dir);

// The classes of one network along training, scored like the final one (same evaluation paths,
// shuffles and thresholds rule): a row of analysis/snapshots.csv.
struct SnapshotClasses {
  std::int64_t update = 0;
  double position_rms = 0, baseline_rms = 0;
  std::array<int, analysis::kUnitClasses.size()> class_counts{};  // indexed like kUnitClasses
  std::array<int, analysis::kUnitClasses.size()> distinct_maps{};  // the classes' different maps
  analysis::ScoreSet thresholds;
};

struct AnalyzedRun {
  Evaluation evaluation;
  analysis::PopulationAnalysis population;
  DrawnRun drawn;  // empty without figures
  std::vector<SnapshotClasses> snapshots;  // with snapshots: each snapshot, then the final network
  double seconds_network = 0, seconds_analysis = 0, seconds_files = 0, seconds_snapshots = 0;
  std::vector<std::string> removed;  // without figures: the earlier figures/, report.html removed
};

// The whole `gridrnn analyze RUN_DIR`: evaluate network/, score, then write analysis/ (+ figures/
// and report.html when figures; without, those of an earlier analysis are removed, so none shows
// other scores than analysis/) into run_dir in one step that leaves nothing half-written. With
// snapshots, every snapshot is scored too (shuffles included) and analysis/snapshots.csv gets one
// row per snapshot and one for the final network (UserError if the run kept no snapshot).
AnalyzedRun analyze_run(const std::filesystem::path& run_dir, const std::vector<std::string>& overrides,
                        bool figures, bool snapshots = false);

}  // namespace gridrnn::runs

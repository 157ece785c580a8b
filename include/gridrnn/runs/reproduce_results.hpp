#pragma once
// The reproduction's folder and results (docs/paper.md "Experiments", `gridrnn reproduce`):
// checking and preparing DIR, training and analyzing each planned run, the development and
// error-correction figures, and DIR/results.md with a verdict per research question computed from
// the numbers by fixed rules (stated in the file). The command calls these in order and prints.
#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gridrnn/analysis/population.hpp"
#include "gridrnn/runs/reproduce.hpp"
#include "gridrnn/runs/run_analysis.hpp"

namespace gridrnn::runs {

// One planned run, trained and analyzed: what results.md reports of it.
struct RunOutcome {
  PlannedRun plan;
  std::array<int, analysis::kUnitClasses.size()> counts{};
  std::size_t units = 0;
  double validation_rms = 0, baseline_rms = 0, train_seconds = 0, analysis_seconds = 0;
  std::int64_t updates = 0;
  double mean_abs_speed_r = 0, mean_direction_mvl = 0;       // over all units
  double speed_pass_fraction = 0, border_speed_abs_r = 0;   // |r| of border units (NaN if none)
  analysis::ScoreSet thresholds;
  double percentile = 95;
  std::filesystem::path report;  // the run's report.html
};

// Every mistake a reproduction could only discover late, checked before anything is written or
// trained: each run's config (and that its analysis can work), square_seed1's snapshot schedule
// (the development analysis needs a snapshot before the end), and the folder: new, empty, or an
// earlier reproduction at the same scale made with the same settings, whose runs/<name> are run
// folders. UserError naming the key or folder.
void check_plan_and_folder(const std::filesystem::path& out, const ReproducePlan& plan);

// Creates the folder (checked by check_plan_and_folder) and its reproduce.json.
void prepare_folder(const std::filesystem::path& out, const ReproducePlan& plan);

// Trains (or resumes; nothing when finished) out/runs/<name>/ and analyzes it with figures.
// `starting`, when given, hears "training", "resuming" or "trained earlier" before training.
RunOutcome train_and_analyze(const std::filesystem::path& out, const PlannedRun& planned, AnalyzedRun& analyzed,
                             const std::function<void(const std::string& state)>& starting = {});

// An update number, or "n/a".
std::string update_text(const std::optional<std::int64_t>& update);

void write_development_figure(const std::filesystem::path& path, const Development& d);
void write_tsne_figure(const std::filesystem::path& path, const Development& d);
void write_error_figure(const std::filesystem::path& path, const ErrorCorrection& e);

// DIR/results.md: the plan, every run's classes and times, development, error correction and the
// verdicts. `runs` in plan order (at least one); development and error correction are absent when
// their run (kDevelopmentRun) was left out by --only, and so are the verdicts that need it.
std::string results_markdown(const ReproducePlan& plan, const std::vector<RunOutcome>& runs,
                             const std::optional<Development>& development, const std::optional<ErrorCorrection>& errors,
                             double total_seconds, int threads);

}  // namespace gridrnn::runs

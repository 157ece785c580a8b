#pragma once
// The experiments of docs/paper.md "Experiments" behind `gridrnn reproduce`: the plan (which runs, at which
// scale), development over snapshots (Fig. 4) and error correction on long paths (Fig. 6).
// Training and the per-run analysis are the ordinary run folders of `train` and `analyze`.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "gridrnn/runs/run_analysis.hpp"
#include "gridrnn/runs/run_config.hpp"

namespace gridrnn::runs {

// One training run of the reproduction: the built-in defaults (the paper's square setup), then
// the scale overrides of the plan, then these overrides, then the user's --set.
struct PlannedRun {
  std::string name;         // folder under DIR/runs/
  std::string group;        // "arena" or "ablation"
  std::string arena;        // square, hexagon, triangle
  std::string condition;    // "full model", "no noise", "no zero-speed periods", "no metabolic cost"
  std::int64_t seed = 1;
  std::vector<std::string> overrides;  // complete list, in order (scale, experiment, user)
};

struct ReproducePlan {
  bool quick = false;
  std::vector<std::string> scale;        // overrides shared by every run (empty for the full run)
  std::vector<std::string> departures;   // human-readable lines: how this scale departs from the paper
  std::vector<std::string> choices;      // settings the paper leaves open, each with its evidence
  std::vector<PlannedRun> runs;          // the runs to do, in plan order (square seed 1 first)
  std::vector<std::string> left_out;     // planned runs not selected by `--only` (results.md says so)
  std::int64_t long_path_factor = 10000; // long path = factor x training path length
  std::size_t error_window = 10000;      // steps per error window (docs/paper.md "Experiment 5")
};

// The run the development and error-correction experiments use (when it is in plan.runs).
inline constexpr const char* kDevelopmentRun = "square_seed1";

// The plan at the full or quick scale. `only` (empty = all) keeps the named runs (plan order);
// UserError naming a name the plan does not have, with the names it has.
ReproducePlan make_plan(bool quick, const std::vector<std::string>& user_overrides,
                        const std::vector<std::string>& only = {});

// ---- development (docs/paper.md "Experiment 3") ----------------------------------------------

struct Development {
  std::vector<std::int64_t> updates;            // (K) snapshot updates, ascending; the last = final
  std::vector<std::vector<double>> border;      // (K)(N) border score of every unit
  std::vector<std::vector<double>> grid;        // (K)(N) the unit's grid score (60 or 90 by final class)
  std::vector<std::string> final_class;         // (N) class in the run's own analysis
  std::optional<std::int64_t> border_90, grid_90;  // median over units of the class (nullopt: none)
  std::size_t border_units = 0, grid_units = 0;    // units the medians are over
  std::optional<std::int64_t> border_mean_90, grid_mean_90;  // 90% update of the population means
  std::vector<double> tsne;                     // (3N, 2) early, intermediate, late maps
  std::array<std::int64_t, 3> tsne_updates{};
  double seconds = 0;
};

// Analyzes every snapshot of run_dir (snapshots/update_*/ and the final network/) on the run's
// evaluation paths (no shuffles: classes come from the run's own analysis).
Development analyze_development(const std::filesystem::path& run_dir, const AnalyzedRun& final_run);

// ---- error correction (docs/paper.md "Experiment 5") -----------------------------------------

struct ErrorCorrection {
  std::size_t steps = 0, window = 0;
  double contact_distance = 0;
  std::vector<double> network_mse, constant_mse;   // per window
  std::vector<double> since_contact_edges, since_contact_mse;
  std::vector<std::int64_t> since_contact_counts;
  double windows_below_constant = 0;  // fraction of windows where the network beats the constant
  double trend_per_window = 0;        // least-squares slope of network_mse per window
  double first_window_mse = 0, last_window_mse = 0, mean_constant_mse = 0;
  double seconds = 0;
};

ErrorCorrection run_error_correction(const std::filesystem::path& run_dir, const RunConfig& config,
                                     std::int64_t factor, std::size_t window);

}  // namespace gridrnn::runs

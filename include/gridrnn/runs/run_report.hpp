#pragma once
// Glue shared by `gridrnn analyze` and `gridrnn plot`: the arena as the analysis and the plots
// need it, and the figures + report.html of a run drawn from its analysis/ folder and
// metrics.jsonl (so `plot` redraws exactly what `analyze` drew, without recomputing anything).
#include <filesystem>
#include <string>
#include <vector>

#include "gridrnn/analysis/spatial_scores.hpp"
#include "gridrnn/arena/arena.hpp"
#include "gridrnn/plot/canvas.hpp"
#include "gridrnn/runs/run_config.hpp"

namespace gridrnn::runs {

// Polygon arenas: walls = the polygon's edges; circles: the exact circle. Extent = bounding box.
analysis::ArenaGeometry arena_geometry(const arena::Arena& arena);
// The arena's closed outline in data coordinates.
plot::Polyline arena_outline(const arena::Arena& arena);

// Extra arrays `analyze` saves next to write_population_analysis's files so that `plot` can
// redraw the tuning and decoding figures (shapes in docs/formats.md).
inline constexpr const char* kDirectionTuningFile = "direction_tuning.npy";  // (N, bins)
inline constexpr const char* kSpeedTuningFile = "speed_tuning.npy";          // (N, 3) r, slope, intercept
inline constexpr const char* kSpeedSamplesFile = "speed_samples.npy";        // (K, 1 + N)
inline constexpr const char* kDecodedPathsFile = "decoded_paths.npy";        // (P, T, 4)
inline constexpr const char* kEvaluationFile = "evaluation.json";

struct DrawnRun {
  std::vector<std::string> class_lines;  // "grid_hexagonal   3   grid_score_60 > 0.41" per class
  std::size_t units = 0;
};

// Training time of a run, all sessions: the sum of metrics.jsonl's per-update seconds (0 when no
// update is done; UserError naming the file for a corrupt line).
double training_seconds(const std::filesystem::path& run_dir);

// Reads analysis_dir (rate_maps.npy, autocorr.npy, units.csv, analysis.json and the files above)
// and run_dir/metrics.jsonl, then writes out_dir/figures/*.png and out_dir/report.html.
// UserError naming the file for anything missing, corrupt or inconsistent.
DrawnRun draw_run(const std::filesystem::path& run_dir, const std::filesystem::path& analysis_dir,
                  const std::filesystem::path& out_dir, const RunConfig& config);

}  // namespace gridrnn::runs

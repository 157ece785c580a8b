#pragma once
// Layer 2 of the plotting layer: the figures of a run (docs/paper.md "Experiments"), each function writing one
// file (.png, .svg or .pdf by extension, atomically). Inputs are plain data — the glue in app/
// copies analysis and training results into these structs — so plot never sees model types.
//
// Map convention everywhere: map(i, j) is the bin at x-index i, y-index j (x right, y up), NaN =
// unvisited; an Extent gives the data range the whole map covers (bin edges, not centres).
#include <Eigen/Core>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "gridrnn/plot/canvas.hpp"

namespace gridrnn::plot {

// ---- units and their classes ----------------------------------------------------------------

// The order classes appear in on every per-unit page (units of an unlisted class come last, in
// alphabetical order of class, then by unit). A class matches an entry when the entry is a prefix
// of it ("grid" matches "grid_hexagonal" and "grid_square"); the first match counts, so
// grid_hexagonal (listed first) and grid_square (through "grid") get colours of their own.
inline const std::vector<std::string> kDefaultClassOrder = {"grid_hexagonal", "grid", "border", "band", "ramp",
                                                            "direction",      "speed", "irregular"};

// The colour of a class on the pages: category_color of its rank in class_order, grey otherwise.
Rgb class_color(const std::string& unit_class, const std::vector<std::string>& class_order);

// Indices of the units in page order: by class rank, then by key score (highest first, NaN last),
// then by unit index. Exposed so the glue can order its own tables the same way.
std::vector<std::size_t> order_by_class(const std::vector<std::string>& unit_classes,
                                        const std::vector<double>& key_scores,
                                        const std::vector<std::string>& class_order);

// "unit 12 · grid · 0.83" (the score part left out when the score is NaN).
std::string unit_title(int unit, const std::string& unit_class, double key_score);

struct UnitMap {
  int unit = 0;            // index of the unit in the network
  std::string unit_class;  // e.g. "grid", "border", "band", "direction", "speed", "irregular"
  double key_score = std::numeric_limits<double>::quiet_NaN();  // the class's defining score
  Eigen::MatrixXd map;  // bins_x x bins_y; rate map or autocorrelogram; NaN = no data
};

struct UnitPageOptions {
  std::string title;  // page title; empty = a default naming the page
  Colormap colormap = Colormap::kJet;
  std::vector<std::string> class_order = kDefaultClassOrder;
  double panel_width = 112.0;  // points per panel cell (the page grows with the unit count)
};

// All units' rate maps on one page (paper Fig. 2), ordered by class, each titled
// "unit 12 · grid · 0.83" in its class's colour with a frame of that colour; each map scaled from
// its own minimum to its own maximum (one page colorbar says so); NaN bins grey; the arena's
// outline (closed polygon, data coordinates) on top of each map.
void write_rate_map_page(const std::filesystem::path& path, const std::vector<UnitMap>& units,
                         const Polyline& outline, const Extent& extent,
                         const UnitPageOptions& options = {});

// All units' spatial autocorrelograms (size (2n−1)², values in [−1, 1]), same order and titles;
// one colour scale from −1 to 1 for all panels. lag_extent: the lags the SAC covers (e.g.
// ±(n−1)·bin width).
void write_autocorrelogram_page(const std::filesystem::path& path,
                                const std::vector<UnitMap>& units, const Extent& lag_extent,
                                const UnitPageOptions& options = {});

struct DirectionTuning {
  int unit = 0;
  std::string unit_class;
  // Mean activity per heading bin; bin k of K is centred at heading (k + 0.5)·2π/K, measured
  // counter-clockwise from +x (east). NaN = heading never visited.
  std::vector<double> tuning;
  double mean_vector_length = std::numeric_limits<double>::quiet_NaN();
  double preferred_direction = std::numeric_limits<double>::quiet_NaN();  // radians, from +x
};

// Polar plot of every unit's direction tuning (paper Fig. 3): radius = activity minus the curve's
// minimum (the quantity whose mean vector length is scored), arrow = preferred direction, title
// "unit 12 · direction · MVL 0.42".
void write_direction_page(const std::filesystem::path& path,
                          const std::vector<DirectionTuning>& units,
                          const UnitPageOptions& options = {});

struct SpeedTuning {
  int unit = 0;
  std::string unit_class;
  std::vector<double> speed, activity;  // paired samples over time (the page draws at most 400)
  double pearson_r = std::numeric_limits<double>::quiet_NaN();
  double slope = std::numeric_limits<double>::quiet_NaN();  // of the linear fit
  double intercept =
      std::numeric_limits<double>::quiet_NaN();  // activity = intercept + slope·speed
};

struct SpeedPageOptions : UnitPageOptions {
  std::string speed_label = "speed (arena units / step)";
  int speed_bins = 10;  // bins of the binned-mean curve
};

// Activity against speed for every unit (paper Fig. 3 / appendix): a sample of points, the mean
// activity in speed bins and the linear fit; title "unit 12 · speed · r = 0.83".
void write_speed_page(const std::filesystem::path& path, const std::vector<SpeedTuning>& units,
                      const SpeedPageOptions& options = {});

// ---- training --------------------------------------------------------------------------------

struct Curve {
  std::string label;
  std::vector<double> update;  // x: update index (same length as value)
  std::vector<double> value;
};

struct TrainingCurves {
  std::vector<Curve> loss_terms;      // e.g. total, position, metabolic, weights (log scale)
  std::vector<Curve> position_error;  // e.g. train, validation (RMS distance, arena units)
  std::vector<Curve> hf_lambda;       // Hessian-free damping λ per update; empty for Adam
  std::vector<Curve> cg_iterations;   // Hessian-free CG iterations per update; empty for Adam
  std::string position_error_label = "position error (RMS, arena units)";
};

// Loss terms and position error against update; for Hessian-free runs also λ (log scale) and CG
// iterations per update. Panels whose curves are all empty are left out.
void write_training_curves(const std::filesystem::path& path, const TrainingCurves& curves,
                           const std::string& title = "Training");

// ---- paths -----------------------------------------------------------------------------------

// `gridrnn simulate`'s figure: left, a few sample paths over the arena's outline; right, the
// occupancy map (fraction of time per bin, NaN = never visited) with outline and colorbar.
void write_paths_figure(const std::filesystem::path& path, const Polyline& outline,
                        const std::vector<Polyline>& sample_paths, const Eigen::MatrixXd& occupancy,
                        const Extent& extent,
                        const std::string& title = "Sample paths and occupancy");

struct DecodedPath {
  Polyline truth;    // the true path (x, y) per time step
  Polyline decoded;  // the network's output (x, y) per time step, same length
};

// One panel per path (at most 6): the true path (black), the decoded one (red, dashed), the start
// (green dot) and the arena's outline.
void write_decoded_paths_figure(const std::filesystem::path& path, const Polyline& outline,
                                const std::vector<DecodedPath>& paths,
                                const std::string& title = "Decoded position vs true position");

// ---- sweeps ----------------------------------------------------------------------------------

// One row per condition of a sweep, one column per (class, seed): cells coloured by the share of
// a network's units in the class (0 to 1, viridis), showing the unit count, framed where the
// count is above its chance bound; NaN cells (a run without a result) grey.
struct ConditionTable {
  std::string title;                   // page title
  std::string rows_are;                // what a row label lists, e.g. "placement · SD · f · λ_FR · readout"
  std::vector<std::string> conditions; // row labels, top to bottom
  std::vector<std::string> columns;    // column labels, left to right
  std::size_t column_group = 0;        // columns per class (the seeds): separated by a wider rule
  Eigen::MatrixXd shares;              // conditions x columns, in [0, 1]; NaN = no result
  std::vector<std::string> counts;     // row-major cell texts (conditions x columns)
  std::vector<bool> above_chance;      // row-major frames (conditions x columns)
};

void write_condition_table(const std::filesystem::path& path, const ConditionTable& table);

}  // namespace gridrnn::plot

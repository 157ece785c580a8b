#pragma once
// Whole-population analysis: rate maps, SACs, every score of docs/paper.md "Analyses" for every unit,
// shuffle nulls (circular shifts of each unit's activity against the path), thresholds from
// the pooled shuffles and a class per unit. Plain arrays in, plain results out: the trained
// network, a recording or a test generator all enter the same way.
#include <array>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "gridrnn/analysis/grid_score.hpp"
#include "gridrnn/analysis/maps.hpp"
#include "gridrnn/analysis/spatial_scores.hpp"

namespace gridrnn::io {
class ConfigReader;
class OutputDir;
}  // namespace gridrnn::io

namespace gridrnn::analysis {

struct AnalysisOptions {
  int bins = 20;                      // rate-map bins per axis
  double smoothing_sigma_bins = 0.0;  // Gaussian smoothing of rate maps (bins); 0 = none
  int shuffles = 100;                 // shuffles per unit for the null distributions
  int min_shift = 500;                // smallest circular shift, in samples
  double percentile = 95.0;           // a unit passes a score above this percentile of the null
  GridConvention convention = GridConvention::kDeepmind;
  GridVariant variant = GridVariant::kMean;
  double direction_bin_deg = 15.0;    // heading bin width
  BorderOptions border;               // field threshold, minimum field area
  std::uint64_t seed = 1;             // shuffle lags: Rng(seed, Stream::kShuffle, unit, shuffle)
  // Smooth-noise null maps per unit for the grid scores (smooth_null.hpp); 0 = shuffle null only.
  int smooth_null_maps = 100;

  // Reads the [analysis] section (keys documented in docs/cli.md); call validate() after.
  static AnalysisOptions from_config(const io::ConfigReader& section);
  void validate() const;  // UserError naming the field, its value and the rule
};

// kRamp (not in docs/paper.md's classes): a map that passes the band score but that a plane a + b x + c y
// explains at least as well as the best plane wave, i.e. a linear position code (a smooth ramp
// across the arena), which waves up to 1.5 arena widths also fit (half a period).
enum class UnitClass { kGridHexagonal, kGridSquare, kBorder, kBand, kRamp, kDirection, kSpeedOnly, kIrregular };
inline constexpr std::array<UnitClass, 8> kUnitClasses = {
    UnitClass::kGridHexagonal, UnitClass::kGridSquare, UnitClass::kBorder,    UnitClass::kBand,
    UnitClass::kRamp,          UnitClass::kDirection,  UnitClass::kSpeedOnly, UnitClass::kIrregular};
// grid_hexagonal, grid_square, border, band, ramp, direction, speed_only, irregular
std::string to_string(UnitClass unit_class);

// One value per score; the order of the null distributions and thresholds.
// kScoreNames: the scores' names in that order (analysis.json "thresholds", units.csv columns).
inline constexpr std::array<const char*, 6> kScoreNames = {"grid_score_60", "grid_score_90", "border_score",
                                                           "band_score",    "direction_mvl", "speed_abs_r"};
struct ScoreSet {
  double grid_60 = 0, grid_90 = 0, border = 0, band = 0, direction_mvl = 0, speed_abs_r = 0;
};

struct UnitScores {
  ScoreSet score;                 // the unit's own scores (speed: |r|)
  double grid_spacing = 0.0;      // arena units (bins x bin width along x)
  double grid_orientation_deg = 0.0;
  double band_wavelength = 0.0;   // arena units
  double band_orientation_deg = 0.0;
  double planar_r2 = 0.0;         // variance explained by the best plane (ramp test, see kRamp)
  double preferred_direction_deg = 0.0;
  double speed_r = 0.0;           // signed Pearson r
  double speed_slope = 0.0;       // activity per unit speed
  double mean_activity = 0.0;
  // Smooth-noise null (smooth_null.hpp): the filter width matched to this unit's SAC peak and
  // the percentile of the noise maps' grid scores; NaN when analysis.smooth_null_maps = 0.
  double smooth_null_sigma_bins = std::numeric_limits<double>::quiet_NaN();
  double grid_60_smooth_threshold = std::numeric_limits<double>::quiet_NaN();
  double grid_90_smooth_threshold = std::numeric_limits<double>::quiet_NaN();
  // 1 where the score exceeds its threshold, else 0; the grid scores must also exceed their
  // smooth-noise thresholds (when the smooth null is on).
  ScoreSet passes;
  UnitClass unit_class = UnitClass::kIrregular;
  // The lowest-numbered earlier unit whose rate map this one repeats (same_map, below), or -1.
  int same_map_as = -1;
};

struct PopulationAnalysis {
  AnalysisOptions options;
  ArenaGeometry geometry;
  std::size_t samples = 0;
  std::vector<Map2D> rate_maps;         // (N) each (bins, bins), the maps that were scored
  std::vector<Map2D> autocorrelograms;  // (N) each (2 bins - 1, 2 bins - 1)
  std::vector<UnitScores> units;        // (N)
  ScoreSet thresholds;                  // percentile of the pooled shuffles, per score
  std::vector<ScoreSet> null_scores;    // (N * shuffles) unit-major: every shuffle's scores
  std::array<int, kUnitClasses.size()> class_counts{};    // indexed like kUnitClasses
  // Per class, how many different maps its units have: units that repeat an earlier unit's map
  // (same_map_as) count once with it. A population that collapsed onto one map (the place-cell
  // RNN on its loss plateau) has hundreds of units in a class and one map.
  std::array<int, kUnitClasses.size()> distinct_maps{};  // indexed like kUnitClasses
};

// Two rate maps are the same map when their Pearson correlation over the bins both visited is
// at least this (independent maps, lattices of one module at other phases and smooth noise of
// matched width correlate far less; docs/design.md "Repeated maps").
inline constexpr double kSameMapCorrelation = 0.95;

// same_map_as for every map, in unit order: unit i repeats the first earlier unit j that itself
// repeats none (j's same_map_as = -1) and whose map correlates with i's at >= kSameMapCorrelation.
// Flat maps (no variance over the shared bins) repeat nothing.
std::vector<int> same_map(const std::vector<Map2D>& maps);

// positions: (S, 2) row-major x, y; headings: (S) radians; speeds: (S); activities: (S, N)
// row-major (sample-major, as a network produces them); units = N. Samples are time steps
// pooled over evaluation paths. UserError for mismatched lengths, non-finite values, or too few
// samples for the shifts (S must exceed 2 min_shift).
PopulationAnalysis analyze_population(std::span<const double> positions,
                                      std::span<const double> headings,
                                      std::span<const double> speeds,
                                      std::span<const float> activities, std::size_t units,
                                      const ArenaGeometry& geometry, const AnalysisOptions& options);

// Band score at or above which a map counts as one plane wave, not a lattice (see classify).
inline constexpr double kBandDominance = 0.6;

// Classification of one unit from its scores, pass flags and thresholds (analyze_population
// passes the larger of the shuffle and smooth-noise thresholds for the grid scores) (precedence in docs/design.md):
// grid (hexagonal or square; not when band >= kBandDominance) > border (only with a border score
// > 0 and planar_r2 < the band score) > band (ramp when planar_r2 >= the band score) > direction >
// speed_only > irregular.
UnitClass classify(const ScoreSet& score, const ScoreSet& passes, const ScoreSet& thresholds,
                   double planar_r2);

// Percentile (linear interpolation between order statistics, numpy's default) of the finite
// values; NaN if none.
double percentile(std::vector<double> values, double q);

// The chance bound of a class count: the most units of a class that `units` units without any
// spatial structure would give in 99% of analyses. Each such unit passes one of `scores` scores
// (grid: 2, the 60 and 90 degree scores; one-score classes: 1) by chance with p <= scores (1 -
// percentile/100) (union bound), so the count is at most Binomial(units, p): its 99th percentile.
int chance_units(std::size_t units, double percentile, int scores);

// Writes rate_maps.npy (N, bins, bins), autocorr.npy (N, 2 bins - 1, 2 bins - 1), units.csv and
// analysis.json into folder (formats: docs/formats.md). Use an io::OutputDir's staging folder so
// nothing half-written is left when a later step fails.
void write_population_analysis(const std::filesystem::path& folder, const PopulationAnalysis& result);
void write_population_analysis(const io::OutputDir& out, const PopulationAnalysis& result);

}  // namespace gridrnn::analysis

#include "gridrnn/analysis/population.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "gridrnn/analysis/smooth_null.hpp"
#include "gridrnn/analysis/tsne.hpp"
#include "gridrnn/analysis/tuning.hpp"
#include "gridrnn/core/error.hpp"
#include "gridrnn/core/rng.hpp"
#include "gridrnn/core/threads.hpp"
#include "gridrnn/io/config.hpp"
#include "gridrnn/io/files.hpp"
#include "gridrnn/io/npy.hpp"

namespace gridrnn::analysis {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kFormatVersion = 1;

// Iterates a ScoreSet's six members in the order of kScoreNames.
double& member(ScoreSet& s, int k) {
  double* fields[6] = {&s.grid_60, &s.grid_90, &s.border, &s.band, &s.direction_mvl, &s.speed_abs_r};
  return *fields[k];
}
double member(const ScoreSet& s, int k) { return member(const_cast<ScoreSet&>(s), k); }

void check_finite(std::span<const double> values, const char* what) {
  for (std::size_t k = 0; k < values.size(); ++k) {
    if (!std::isfinite(values[k])) throw_user_error("{} value {} is {}: must be finite", what, k, values[k]);
  }
}
}  // namespace

std::string to_string(UnitClass unit_class) {
  switch (unit_class) {
    case UnitClass::kGridHexagonal: return "grid_hexagonal";
    case UnitClass::kGridSquare: return "grid_square";
    case UnitClass::kBorder: return "border";
    case UnitClass::kBand: return "band";
    case UnitClass::kRamp: return "ramp";
    case UnitClass::kDirection: return "direction";
    case UnitClass::kSpeedOnly: return "speed_only";
    case UnitClass::kIrregular: return "irregular";
  }
  return "irregular";
}

AnalysisOptions AnalysisOptions::from_config(const io::ConfigReader& section) {
  AnalysisOptions o;
  o.bins = static_cast<int>(section.integer("bins", o.bins, 4, 1000, "rate-map bins per axis"));
  o.smoothing_sigma_bins = section.number("smoothing_sigma_bins", o.smoothing_sigma_bins, 0.0, 100.0,
                                          "Gaussian smoothing of rate maps, standard deviation in bins (0 = none)");
  o.shuffles = static_cast<int>(section.integer("shuffles", o.shuffles, 0, 100000,
                                                "circular-shift shuffles per unit for the null distributions"));
  o.min_shift = static_cast<int>(section.integer("min_shift", o.min_shift, 1, 100000000,
                                                 "smallest circular shift of activity against the path, in samples"));
  o.percentile = section.number("percentile", o.percentile, 50.0, 100.0,
                                "a unit passes a score above this percentile of the pooled shuffles", true);
  o.convention = parse_grid_convention(section.choice("convention", "deepmind", {"deepmind", "sargolini"},
                                                      "grid-score convention: deepmind = scores.py of google-deepmind/grid-cells, "
                                                      "sargolini = grid_score of opexebo 0.7.2 (docs/design.md)"));
  o.variant = parse_grid_variant(section.choice("variant", "mean", {"mean", "min_max"},
                                                "deepmind grid-score variant"));
  o.direction_bin_deg = section.number("direction_bin_deg", o.direction_bin_deg, 1.0, 180.0,
                                       "heading bin width in degrees (must divide 360)");
  o.border.field_threshold = section.number("border_field_threshold", o.border.field_threshold, 0.0, 1.0,
                                            "gridrnn border fields: bins above this fraction of the way from the map's "
                                            "median to its peak",
                                            true);
  o.border.convention = parse_border_convention(section.choice(
      "border_convention", "gridrnn", {"gridrnn", "opexebo"},
      "border-score convention: gridrnn = ours (fields above 0.3 of the way from the map's median to its peak), "
      "opexebo = border_score of kavli-ntnu/opexebo 0.7.2 on the fields of its place_field (-1 without a field on a "
      "wall; docs/design.md)"));
  o.border.min_field_fraction = section.number("border_min_field_fraction", o.border.min_field_fraction, 0.0, 0.99,
                                               "gridrnn border fields: minimum area as a fraction of visited bins");
  o.seed = static_cast<std::uint64_t>(section.integer("seed", 1, 0, std::numeric_limits<std::int64_t>::max(),
                                                      "seed of the shuffle lags and the smooth-noise null maps"));
  o.smooth_null_maps = static_cast<int>(section.integer(
      "smooth_null_maps", o.smooth_null_maps, 0, 100000,
      "smooth-noise maps per unit (rectified Gaussian-filtered noise matched to the unit's SAC peak width); a grid "
      "score must also beat their percentile (0 = shuffle null only)"));
  return o;
}

void AnalysisOptions::validate() const {
  if (bins < 4 || bins > 1000) throw_user_error("analysis.bins = {}: must be in [4, 1000]", bins);
  if (!(smoothing_sigma_bins >= 0) || !std::isfinite(smoothing_sigma_bins)) {
    throw_user_error("analysis.smoothing_sigma_bins = {}: must be finite and >= 0", smoothing_sigma_bins);
  }
  if (shuffles < 0) throw_user_error("analysis.shuffles = {}: must be >= 0", shuffles);
  if (smooth_null_maps < 0) throw_user_error("analysis.smooth_null_maps = {}: must be >= 0", smooth_null_maps);
  if (min_shift < 1) throw_user_error("analysis.min_shift = {}: must be >= 1 sample", min_shift);
  if (!(percentile > 50.0 && percentile < 100.0)) {
    throw_user_error("analysis.percentile = {}: must be in (50, 100), e.g. 95 or 99", percentile);
  }
  const double heading_bins = 360.0 / direction_bin_deg;
  if (!(direction_bin_deg > 0) || std::abs(heading_bins - std::round(heading_bins)) > 1e-9 || heading_bins < 2) {
    throw_user_error("analysis.direction_bin_deg = {}: must divide 360 into at least 2 bins", direction_bin_deg);
  }
  border.validate();
}

int chance_units(std::size_t units, double percentile, int scores) {
  const double p = std::min(1.0, scores * (1.0 - percentile / 100.0));
  const double n = static_cast<double>(units);
  double cumulative = 0.0;
  for (std::size_t k = 0; k <= units; ++k) {
    const double kd = static_cast<double>(k);
    const double log_pmf = std::lgamma(n + 1) - std::lgamma(kd + 1) - std::lgamma(n - kd + 1) + kd * std::log(p) +
                           (n - kd) * std::log1p(-p);
    cumulative += std::exp(log_pmf);
    if (cumulative >= 0.99) return static_cast<int>(k);
  }
  return static_cast<int>(units);
}

double percentile(std::vector<double> values, double q) {
  values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return !std::isfinite(v); }),
               values.end());
  if (values.empty()) return kNaN;
  std::sort(values.begin(), values.end());
  const double position = q / 100.0 * static_cast<double>(values.size() - 1);
  const std::size_t below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(values.size() - 1, below + 1);
  const double fraction = position - static_cast<double>(below);
  return values[below] + fraction * (values[above] - values[below]);
}

UnitClass classify(const ScoreSet& score, const ScoreSet& passes, const ScoreSet& thresholds,
                   double planar_r2) {
  // A lattice is a sum of >= 2 plane waves, so one wave explains at most ~1/3 (hexagonal) or
  // ~1/2 (square) of its variance; a map that one wave explains better is a band even when its
  // stripes lift the grid score above the null (a pure band scores up to ~0.3 at 60 degrees).
  const bool single_wave = score.band >= kBandDominance;
  if ((passes.grid_60 > 0 || passes.grid_90 > 0) && !single_wave) {
    // Both passing: the lattice whose score exceeds its own threshold by more.
    const bool hexagonal = passes.grid_60 > 0 &&
                           (passes.grid_90 == 0 ||
                            score.grid_60 - thresholds.grid_60 >= score.grid_90 - thresholds.grid_90);
    return hexagonal ? UnitClass::kGridHexagonal : UnitClass::kGridSquare;
  }
  // Noise maps mostly have no field at all (border score -1), so any map with a field on a wall
  // beats the border null, bands and ramps included. A border map also has b > 0 (its field
  // covers more of a wall than its normalized mean distance from the walls: stripes crossing the
  // arena score -0.3 to 0.2, wall fields 0.65-0.9) and is not a ramp (a plane explains it at
  // least as well as the best wave, the ramp rule below; a ramp is what a wall field of
  // infinite width would be, and scores ~0.6).
  const bool ramp_like = planar_r2 >= score.band;
  if (passes.border > 0 && score.border > 0 && !ramp_like) return UnitClass::kBorder;
  // One plane wave, unless a plane (no periodicity at all) explains the map as well: a ramp.
  if (passes.band > 0) return planar_r2 >= score.band ? UnitClass::kRamp : UnitClass::kBand;
  if (passes.direction_mvl > 0) return UnitClass::kDirection;
  if (passes.speed_abs_r > 0) return UnitClass::kSpeedOnly;
  return UnitClass::kIrregular;
}

PopulationAnalysis analyze_population(std::span<const double> positions, std::span<const double> headings,
                                      std::span<const double> speeds, std::span<const float> activities,
                                      std::size_t units, const ArenaGeometry& geometry,
                                      const AnalysisOptions& options) {
  options.validate();
  geometry.validate();
  const std::size_t samples = headings.size();
  if (positions.size() != 2 * samples || speeds.size() != samples) {
    throw_user_error("positions ({} values, expected (S, 2) = {}), headings ({}) and speeds ({}) must "
                     "describe the same samples",
                     positions.size(), 2 * samples, samples, speeds.size());
  }
  if (units == 0 || activities.size() != samples * units) {
    throw_user_error("activities have {} values: expected (S, N) = ({}, {}) = {}", activities.size(),
                     samples, units, samples * units);
  }
  if (options.shuffles > 0 && samples <= 2 * static_cast<std::size_t>(options.min_shift)) {
    throw_user_error("{} samples are too few for shuffles with analysis.min_shift = {}: need more than {}",
                     samples, options.min_shift, 2 * options.min_shift);
  }
  check_finite(headings, "heading");
  check_finite(speeds, "speed");
  for (std::size_t k = 0; k < activities.size(); ++k) {
    if (!std::isfinite(activities[k])) {
      throw_user_error("activity of sample {}, unit {} is {}: must be finite", k / units, k % units,
                       activities[k]);
    }
  }

  PopulationAnalysis result;
  result.options = options;
  result.geometry = geometry;
  result.samples = samples;
  const int bins = options.bins;
  const SpatialBinning binning = bin_positions(positions, geometry.extent, bins, bins);
  const std::vector<int> heading_bin = heading_bins(headings, options.direction_bin_deg);
  const int heading_bin_count = static_cast<int>(std::lround(360.0 / options.direction_bin_deg));
  std::vector<double> heading_occupancy(heading_bin_count, 0.0);
  for (int b : heading_bin) heading_occupancy[b] += 1.0;
  double speed_sum = 0, speed_squares = 0;
  for (double v : speeds) {
    speed_sum += v;
    speed_squares += v * v;
  }
  const double n = static_cast<double>(samples);
  const double speed_variance = speed_squares / n - (speed_sum / n) * (speed_sum / n);

  const GridScorer grid_scorer(bins, bins, options.convention, options.variant);
  const UnvisitedBins sac_unvisited = sac_unvisited_bins(options.convention);
  const BorderScorer border_scorer(geometry, bins, bins, options.border);
  const double bin_width = geometry.extent.bin_width_x(bins);
  const int maps_per_unit = 1 + options.shuffles;

  result.rate_maps.resize(units);
  result.autocorrelograms.resize(units);
  result.units.resize(units);
  result.null_scores.resize(units * options.shuffles);
  // The visited mask is the same for every unit (one binning), so the smooth null's table of SAC
  // peak width against filter width is measured once.
  Map2D visited(bins, bins, kNaN);
  for (std::size_t b = 0; b < visited.size(); ++b) visited.values[b] = binning.occupancy[b] > 0 ? 1.0 : kNaN;
  std::optional<SmoothNullCalibration> calibration;
  if (options.smooth_null_maps > 0) calibration.emplace(visited, sac_unvisited, options.seed);

  parallel_for(units, [&](std::size_t unit) {
    AutocorrelogramFft sac_fft(bins, bins);
    BandScorer band_scorer(bins, bins, geometry.extent);
    std::vector<float> activity(samples);  // (S) this unit, contiguous
    double activity_sum = 0, activity_squares = 0;
    for (std::size_t s = 0; s < samples; ++s) {
      activity[s] = activities[s * units + unit];
      activity_sum += activity[s];
      activity_squares += static_cast<double>(activity[s]) * activity[s];
    }
    const double activity_variance = activity_squares / n - (activity_sum / n) * (activity_sum / n);
    std::vector<double> map_sum(binning.occupancy.size()), direction_sum(heading_bin_count);
    Map2D map(bins, bins, kNaN), sac;
    std::vector<double> curve(heading_bin_count);
    for (int shuffle = 0; shuffle < maps_per_unit; ++shuffle) {
      // Shuffle k >= 1 reads activity[(s + lag) mod S] against sample s's position, heading and
      // speed, lag uniform in [min_shift, S - min_shift].
      std::size_t lag = 0;
      if (shuffle > 0) {
        Rng rng(options.seed, Stream::kShuffle, unit, static_cast<std::uint64_t>(shuffle - 1));
        lag = options.min_shift + rng.below(samples - 2 * static_cast<std::size_t>(options.min_shift) + 1);
      }
      std::fill(map_sum.begin(), map_sum.end(), 0.0);
      std::fill(direction_sum.begin(), direction_sum.end(), 0.0);
      double speed_cross = 0.0;
      // Samples [begin, end) read activity from index first onwards.
      auto accumulate = [&](std::size_t begin, std::size_t end, std::size_t first) {
        for (std::size_t s = begin, j = first; s < end; ++s, ++j) {
          const double a = activity[j];
          map_sum[binning.bin_of_sample[s]] += a;
          direction_sum[heading_bin[s]] += a;
          speed_cross += a * speeds[s];
        }
      };
      accumulate(0, samples - lag, lag);        // s + lag < S
      accumulate(samples - lag, samples, 0);    // wrapped: s + lag - S
      for (std::size_t b = 0; b < map_sum.size(); ++b) {
        map.values[b] = binning.occupancy[b] > 0 ? map_sum[b] / binning.occupancy[b] : kNaN;
      }
      const Map2D scored = smooth_map(map, options.smoothing_sigma_bins);
      sac_fft.compute(scored, sac, sac_unvisited);
      const GridScores grid = grid_scorer.score(sac);
      const BorderScore border = border_scorer.score(scored);
      const BandScore band = band_scorer.score(scored);
      for (int b = 0; b < heading_bin_count; ++b) {
        curve[b] = heading_occupancy[b] > 0 ? direction_sum[b] / heading_occupancy[b] : kNaN;
      }
      double mvl = 0, preferred = 0;
      mean_vector(curve, mvl, preferred);
      const double covariance = speed_cross / n - (activity_sum / n) * (speed_sum / n);
      const double speed_r = (speed_variance > 0 && activity_variance > 0)
                                 ? covariance / std::sqrt(speed_variance * activity_variance)
                                 : kNaN;
      ScoreSet scores{grid.score_60, grid.score_90, border.score, band.score, mvl, std::abs(speed_r)};
      if (shuffle == 0) {
        UnitScores& u = result.units[unit];
        u.score = scores;
        u.grid_spacing = grid.spacing_bins * bin_width;
        u.grid_orientation_deg = grid.orientation_deg;
        u.band_wavelength = band.wavelength;
        u.band_orientation_deg = band.orientation_deg;
        u.planar_r2 = band.planar_r2;
        u.preferred_direction_deg = preferred;
        u.speed_r = speed_r;
        u.speed_slope = speed_variance > 0 ? covariance / speed_variance : kNaN;
        u.mean_activity = activity_sum / n;
        result.rate_maps[unit] = scored;
        result.autocorrelograms[unit] = sac;
      } else {
        result.null_scores[unit * options.shuffles + (shuffle - 1)] = scores;
      }
    }
    if (calibration) {
      UnitScores& u = result.units[unit];
      u.smooth_null_sigma_bins = calibration->sigma_for_radius(central_peak_radius(result.autocorrelograms[unit]));
      std::vector<double> null_60(options.smooth_null_maps), null_90(options.smooth_null_maps);
      for (int m = 0; m < options.smooth_null_maps; ++m) {
        const Map2D noise = smooth_noise_map(visited, u.smooth_null_sigma_bins, options.seed, unit,
                                             static_cast<std::uint64_t>(m));
        sac_fft.compute(noise, sac, sac_unvisited);
        const GridScores grid = grid_scorer.score(sac);
        null_60[m] = grid.score_60;
        null_90[m] = grid.score_90;
      }
      u.grid_60_smooth_threshold = percentile(std::move(null_60), options.percentile);
      u.grid_90_smooth_threshold = percentile(std::move(null_90), options.percentile);
    }
  });

  for (int k = 0; k < 6; ++k) {
    std::vector<double> pooled;
    pooled.reserve(result.null_scores.size());
    for (const ScoreSet& s : result.null_scores) pooled.push_back(member(s, k));
    member(result.thresholds, k) = percentile(std::move(pooled), options.percentile);
  }
  for (UnitScores& u : result.units) {
    ScoreSet thresholds = result.thresholds;
    if (calibration) {
      // Both nulls must be beaten; a NaN smooth threshold (every noise map flat) never passes.
      auto larger = [](double a, double b) { return std::isnan(a) || std::isnan(b) ? kNaN : std::max(a, b); };
      thresholds.grid_60 = larger(thresholds.grid_60, u.grid_60_smooth_threshold);
      thresholds.grid_90 = larger(thresholds.grid_90, u.grid_90_smooth_threshold);
    }
    for (int k = 0; k < 6; ++k) {
      // NaN (no shuffles, or a flat map) never passes.
      member(u.passes, k) = member(u.score, k) > member(thresholds, k) ? 1.0 : 0.0;
    }
    u.unit_class = classify(u.score, u.passes, thresholds, u.planar_r2);
    result.class_counts[static_cast<int>(u.unit_class)] += 1;
  }
  const std::vector<int> repeats = same_map(result.rate_maps);
  // A class's maps: its units that repeat no unit of the class, directly or through their map's
  // first unit (a repeated map's units may fall in different classes near a threshold).
  std::vector<std::vector<int>> seen(kUnitClasses.size());
  for (std::size_t i = 0; i < units; ++i) {
    UnitScores& u = result.units[i];
    u.same_map_as = repeats[i];
    const int map = repeats[i] < 0 ? static_cast<int>(i) : repeats[i];
    std::vector<int>& maps = seen[static_cast<int>(u.unit_class)];
    if (std::find(maps.begin(), maps.end(), map) == maps.end()) maps.push_back(map);
  }
  for (std::size_t c = 0; c < kUnitClasses.size(); ++c) result.distinct_maps[c] = static_cast<int>(seen[c].size());
  return result;
}

std::vector<int> same_map(const std::vector<Map2D>& maps) {
  // r = 1 - the correlation distance (tsne.hpp): Pearson over the bins both maps visited; a flat
  // map has distance 1 (r = 0) to everything, so it repeats nothing.
  const std::vector<double> distances = correlation_distances(maps);
  const std::size_t n = maps.size();
  std::vector<int> repeats(n, -1);
  std::vector<std::size_t> firsts;  // units that repeat no earlier unit
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j : firsts) {
      if (1.0 - distances[i * n + j] >= kSameMapCorrelation) {
        repeats[i] = static_cast<int>(j);
        break;
      }
    }
    if (repeats[i] < 0) firsts.push_back(i);
  }
  return repeats;
}

namespace {
std::string csv_number(double v) { return std::isfinite(v) ? fmt::format("{:.6g}", v) : "nan"; }
nlohmann::json json_number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

void write_maps(const std::filesystem::path& path, const std::vector<Map2D>& maps) {
  std::vector<double> flat;
  const std::size_t bx = maps.empty() ? 0 : maps.front().bins_x, by = maps.empty() ? 0 : maps.front().bins_y;
  for (const Map2D& m : maps) flat.insert(flat.end(), m.values.begin(), m.values.end());
  io::write_npy(path, std::span<const double>(flat), {maps.size(), bx, by});
}
}  // namespace

void write_population_analysis(const std::filesystem::path& folder, const PopulationAnalysis& r) {
  write_maps(folder / "rate_maps.npy", r.rate_maps);
  write_maps(folder / "autocorr.npy", r.autocorrelograms);
  std::string csv =
      "unit,class,grid_score_60,grid_score_60_threshold,grid_score_90,grid_score_90_threshold,"
      "grid_spacing,grid_orientation_deg,border_score,border_score_threshold,band_score,"
      "band_score_threshold,band_wavelength,band_orientation_deg,planar_r2,direction_mvl,"
      "direction_mvl_threshold,preferred_direction_deg,speed_r,speed_abs_r_threshold,speed_slope,"
      "mean_activity,smooth_null_sigma_bins,grid_score_60_smooth_threshold,grid_score_90_smooth_threshold,"
      "same_map_as\n";
  const ScoreSet& t = r.thresholds;
  for (std::size_t i = 0; i < r.units.size(); ++i) {
    const UnitScores& u = r.units[i];
    csv += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", i,
                       to_string(u.unit_class), csv_number(u.score.grid_60), csv_number(t.grid_60),
                       csv_number(u.score.grid_90), csv_number(t.grid_90), csv_number(u.grid_spacing),
                       csv_number(u.grid_orientation_deg), csv_number(u.score.border), csv_number(t.border),
                       csv_number(u.score.band), csv_number(t.band), csv_number(u.band_wavelength),
                       csv_number(u.band_orientation_deg), csv_number(u.planar_r2),
                       csv_number(u.score.direction_mvl),
                       csv_number(t.direction_mvl), csv_number(u.preferred_direction_deg),
                       csv_number(u.speed_r), csv_number(t.speed_abs_r), csv_number(u.speed_slope),
                       csv_number(u.mean_activity), csv_number(u.smooth_null_sigma_bins),
                       csv_number(u.grid_60_smooth_threshold), csv_number(u.grid_90_smooth_threshold),
                       u.same_map_as);
  }
  io::write_file_atomic(folder / "units.csv", csv);

  const AnalysisOptions& o = r.options;
  nlohmann::json j;
  j["format_version"] = kFormatVersion;
  j["units"] = r.units.size();
  j["samples"] = r.samples;
  nlohmann::json counts;
  for (UnitClass c : kUnitClasses) counts[to_string(c)] = r.class_counts[static_cast<int>(c)];
  j["counts"] = counts;
  nlohmann::json distinct;
  for (UnitClass c : kUnitClasses) distinct[to_string(c)] = r.distinct_maps[static_cast<int>(c)];
  j["distinct_maps"] = distinct;
  nlohmann::json thresholds;
  for (int k = 0; k < 6; ++k) thresholds[kScoreNames[k]] = json_number(member(t, k));
  j["thresholds"] = thresholds;
  // Per unit, the smooth-noise null's filter width and grid-score thresholds (null when off).
  nlohmann::json smooth = nlohmann::json::array();
  for (const UnitScores& u : r.units) {
    smooth.push_back({{"sigma_bins", json_number(u.smooth_null_sigma_bins)},
                      {"grid_score_60", json_number(u.grid_60_smooth_threshold)},
                      {"grid_score_90", json_number(u.grid_90_smooth_threshold)}});
  }
  j["smooth_null_thresholds"] = smooth;
  j["settings"] = {{"bins", o.bins},
                   {"smoothing_sigma_bins", o.smoothing_sigma_bins},
                   {"shuffles", o.shuffles},
                   {"min_shift", o.min_shift},
                   {"percentile", o.percentile},
                   {"convention", to_string(o.convention)},
                   {"variant", to_string(o.variant)},
                   {"direction_bin_deg", o.direction_bin_deg},
                   {"border_field_threshold", o.border.field_threshold},
                   {"border_min_field_fraction", o.border.min_field_fraction},
                   {"border_convention", to_string(o.border.convention)},
                   {"seed", o.seed},
                   {"smooth_null_maps", o.smooth_null_maps},
                   {"same_map_correlation", kSameMapCorrelation}};
  const MapExtent& e = r.geometry.extent;
  j["map"] = {{"extent", {e.xmin, e.xmax, e.ymin, e.ymax}},
              {"layout", "rate_maps[unit][ix][iy], bin centre x = xmin + (ix + 0.5) (xmax - xmin) / bins"},
              {"unvisited", "NaN"}};
  j["conventions"] = {
      {"grid_score", o.convention == GridConvention::kDeepmind
                         ? "deepmind (google-deepmind/grid-cells scores.py): rings 0.2n < rho <= r1 n, r1 in "
                           "linspace(0.4, 1, 10); cubic-spline rotation; unvisited bins as 0 in the SAC"
                         : "sargolini (kavli-ntnu/opexebo 0.7.2 grid_score): SAC cropped to 1.8n, central "
                           "field by opexebo's place_field, rings r0 < rho < r, bilinear rotation, best mean "
                           "of 3 rings, min-max form; unvisited bins as 0 in the SAC"},
      {"border_score", o.border.convention == BorderConvention::kOpexebo
                           ? "opexebo (kavli-ntnu/opexebo 0.7.2 border_score on the fields of its place_field, "
                             "defaults; -1 without a field on a wall); walls from the arena geometry"
                           : "gridrnn: Solstad 2008 (c_M - d_m) / (c_M + d_m), fields above 0.3 of the way from the "
                             "map's median to its peak"},
      {"band_score", "variance fraction explained by the best plane wave, 2 bins .. 1.5 arena widths"},
      {"direction", "mean vector length of the heading curve minus its minimum"},
      {"speed", "|Pearson r| of activity with speed"},
      {"null", "circular shifts by >= min_shift samples; thresholds: percentile of pooled shuffles"},
      {"smooth_null", "grid scores must also exceed the percentile of smooth_null_maps rectified Gaussian-filtered "
                      "noise maps per unit, filter width matched to the unit's SAC central-peak width"},
      {"distinct_maps", "per class, its units' different maps: a unit whose rate map correlates >= "
                        "same_map_correlation (Pearson, shared visited bins) with an earlier unit's repeats it"},
      {"class_precedence", "grid_hexagonal/grid_square > border (border score > 0, not ramp-like) > band > direction "
                           "> speed_only > irregular"}};
  io::write_file_atomic(folder / "analysis.json", j.dump(2) + "\n");
}

void write_population_analysis(const io::OutputDir& out, const PopulationAnalysis& result) {
  write_population_analysis(out.staging(), result);
}

}  // namespace gridrnn::analysis

// Direction and speed tuning, shuffle nulls on pure noise, classification of planted units, the
// [analysis] config section and the files write_population_analysis produces.
#include <array>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <numbers>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "analysis_test_maps.hpp"
#include "gridrnn/analysis/population.hpp"
#include "gridrnn/analysis/tuning.hpp"
#include "gridrnn/core/error.hpp"
#include "gridrnn/core/rng.hpp"
#include "gridrnn/core/threads.hpp"
#include "gridrnn/io/config.hpp"
#include "gridrnn/io/files.hpp"
#include "gridrnn/io/npy.hpp"
#include "test_helpers.hpp"

namespace gridrnn::analysis {
namespace {

const bool kSanitized = std::getenv("GRIDRNN_SANITIZED") != nullptr;

// Samples with iid uniform positions in [-1.1, 1.1]^2, headings and speeds.
struct Samples {
  std::vector<double> positions, headings, speeds;
};
Samples random_samples(std::size_t count, std::uint64_t seed) {
  Samples s;
  Rng rng(seed, Stream::kTest, 100, 0);
  for (std::size_t k = 0; k < count; ++k) {
    s.positions.push_back(rng.uniform(-1.1, 1.1));
    s.positions.push_back(rng.uniform(-1.1, 1.1));
    s.headings.push_back(rng.uniform(-std::numbers::pi, std::numbers::pi));
    s.speeds.push_back(rng.uniform(0.0, 0.2));
  }
  return s;
}

TEST(DirectionTuning, CosineUnitHasAnalyticMeanVectorLength) {
  const Samples s = random_samples(40000, 1);
  for (double preferred : {0.3, 2.0, 4.4}) {
    std::vector<double> activity;
    for (double h : s.headings) activity.push_back(std::cos(h - preferred) + 0.4);
    const DirectionTuning tuning = direction_tuning(s.headings, std::span<const double>(activity), 15.0);
    // Curve sinc * cos(theta_b - theta0) (bin means), minimum at the bin nearest theta0 + pi:
    // MVL = (sinc B / 2) / (B sinc max_b(-cos(theta_b - theta0))) = 1 / (2 max_b(-cos(...))).
    double deepest = 0.0;
    for (int b = 0; b < 24; ++b) deepest = std::max(deepest, -std::cos((b + 0.5) * std::numbers::pi / 12 - preferred));
    EXPECT_NEAR(tuning.mean_vector_length, 1.0 / (2.0 * deepest), 0.02);
    EXPECT_NEAR(tuning.mean_vector_length, 0.5, 0.02);
    const double error = std::remainder(tuning.preferred_direction_deg - preferred * 180 / std::numbers::pi, 360.0);
    EXPECT_LT(std::abs(error), 15.0);
  }
}

TEST(SpeedTuning, LinearUnitHasHighCorrelationAndItsSlope) {
  const Samples s = random_samples(20000, 2);
  Rng rng(2, Stream::kTest, 101, 0);
  std::vector<double> activity;
  for (double v : s.speeds) activity.push_back(0.3 + 2.0 * v + rng.normal(0.0, 0.01));
  const SpeedTuning tuning = speed_tuning(s.speeds, std::span<const double>(activity));
  EXPECT_GE(tuning.pearson_r, 0.99);
  EXPECT_NEAR(tuning.slope, 2.0, 0.02);
  EXPECT_NEAR(tuning.intercept, 0.3, 0.005);
}

TEST(Tuning, MismatchedLengthsAreUserErrors) {
  std::vector<double> a(10, 0.0), b(9, 0.0);
  EXPECT_THROW(direction_tuning(a, std::span<const double>(b)), UserError);
  EXPECT_THROW(speed_tuning(a, std::span<const double>(b)), UserError);
  EXPECT_THROW(direction_tuning(a, std::span<const double>(a), 7.0), UserError);  // 360 / 7
}

TEST(ShuffleNull, PureNoiseUnitsPassAtTheNominalRate) {
  const std::size_t units = 100;
  const std::size_t count = kSanitized ? 6000 : 20000;
  const Samples s = random_samples(count, 3);
  std::vector<float> activity(count * units);
  Rng rng(3, Stream::kTest, 102, 0);
  for (float& a : activity) a = static_cast<float>(rng.normal());
  AnalysisOptions options;
  options.bins = kSanitized ? 12 : 20;
  options.shuffles = kSanitized ? 10 : 40;
  options.min_shift = 200;
  const PopulationAnalysis result =
      analyze_population(s.positions, s.headings, s.speeds, activity, units,
                         ArenaGeometry::rectangle(-1.1, 1.1, -1.1, 1.1), options);
  const auto [lo, hi] = testing_maps::binomial_99(static_cast<int>(units), 0.05);
  const char* names[6] = {"grid60", "grid90", "border", "band", "direction", "speed"};
  const double ScoreSet::*fields[6] = {&ScoreSet::grid_60, &ScoreSet::grid_90, &ScoreSet::border,
                                       &ScoreSet::band, &ScoreSet::direction_mvl, &ScoreSet::speed_abs_r};
  for (int k = 0; k < 6; ++k) {
    int passing = 0;
    for (const UnitScores& u : result.units) passing += u.passes.*fields[k] > 0 ? 1 : 0;
    EXPECT_GE(passing, lo) << names[k];
    EXPECT_LE(passing, hi) << names[k];
  }
}

// Planted units (grid, square grid, border, band, direction, speed) among noise units.
struct Planted {
  Samples samples;
  std::vector<float> activity;
  std::size_t units = 0;
};
Planted planted_population(std::size_t count, std::size_t noise_units) {
  Planted p;
  p.samples = random_samples(count, 4);
  p.units = 6 + noise_units;
  p.activity.resize(count * p.units);
  Rng rng(4, Stream::kTest, 105, 0);
  const double k_hex = 4 * std::numbers::pi / (std::sqrt(3.0) * 0.55), k_sq = 2 * std::numbers::pi / 0.7;
  for (std::size_t t = 0; t < count; ++t) {
    const double x = p.samples.positions[2 * t], y = p.samples.positions[2 * t + 1];
    double hex = 0, square = 0;
    for (int j = 0; j < 3; ++j) {
      const double a = 0.2 + j * std::numbers::pi / 3;
      hex += std::cos(k_hex * (std::cos(a) * x + std::sin(a) * y));
    }
    for (int j = 0; j < 2; ++j) {
      const double b = 0.3 + j * std::numbers::pi / 2;
      square += std::cos(k_sq * (std::cos(b) * x + std::sin(b) * y));
    }
    const double values[6] = {hex / 3, square / 2, std::exp(-(x + 1.1) * (x + 1.1) / (2 * 0.15 * 0.15)),
                              std::cos(2 * std::numbers::pi / 0.7 * (0.8 * x + 0.6 * y)),
                              std::cos(p.samples.headings[t] - 1.0), p.samples.speeds[t] * 10};
    float* row = &p.activity[t * p.units];
    for (int u = 0; u < 6; ++u) row[u] = static_cast<float>(values[u] + rng.normal(0.0, 0.3));
    for (std::size_t u = 6; u < p.units; ++u) row[u] = static_cast<float>(rng.normal());
  }
  return p;
}

TEST(AnalyzePopulation, ClassifiesPlantedUnitsAndWritesFiles) {
  const Planted p = planted_population(kSanitized ? 20000 : 40000, kSanitized ? 6 : 14);
  AnalysisOptions options;
  options.shuffles = kSanitized ? 5 : 20;
  const ArenaGeometry arena = ArenaGeometry::rectangle(-1.1, 1.1, -1.1, 1.1);
  const PopulationAnalysis result = analyze_population(p.samples.positions, p.samples.headings,
                                                       p.samples.speeds, p.activity, p.units, arena, options);
  EXPECT_EQ(result.units[0].unit_class, UnitClass::kGridHexagonal);
  EXPECT_EQ(result.units[1].unit_class, UnitClass::kGridSquare);
  EXPECT_EQ(result.units[2].unit_class, UnitClass::kBorder);
  EXPECT_EQ(result.units[3].unit_class, UnitClass::kBand);
  // Direction and speed units have random spatial maps, so a spatial score may pass by chance
  // (5% each) and take precedence; require the class only when none did.
  for (int u : {4, 5}) {
    const ScoreSet& passes = result.units[u].passes;
    const bool spatial = passes.grid_60 + passes.grid_90 + passes.border + passes.band > 0;
    if (!spatial) {
      EXPECT_EQ(result.units[u].unit_class, u == 4 ? UnitClass::kDirection : UnitClass::kSpeedOnly);
    }
  }
  EXPECT_GT(result.units[4].passes.direction_mvl, 0);
  EXPECT_GT(result.units[5].passes.speed_abs_r, 0);
  EXPECT_EQ(result.units[5].passes.direction_mvl, 0);
  EXPECT_NEAR(result.units[0].grid_spacing, 0.55, 0.08);
  // Shuffles really break the relation to position: the grid unit's shifted copies are noise.
  ASSERT_EQ(result.null_scores.size(), p.units * options.shuffles);
  for (int k = 0; k < options.shuffles; ++k) EXPECT_LT(result.null_scores[k].grid_60, 0.6) << k;
  EXPECT_NEAR(result.units[3].band_wavelength, 0.7, 0.07);
  EXPECT_NEAR(result.units[4].preferred_direction_deg, 1.0 * 180 / std::numbers::pi, 15.0);
  EXPECT_GT(result.units[5].speed_slope, 5.0);

  testing::TempDir dir;
  {
    io::OutputDir out(dir / "analysis", false);
    write_population_analysis(out, result);
    out.commit();
  }
  const io::NpyArray maps = io::read_npy(dir / "analysis" / "rate_maps.npy");
  EXPECT_EQ(maps.shape, (std::vector<std::size_t>{p.units, 20, 20}));
  const io::NpyArray sacs = io::read_npy(dir / "analysis" / "autocorr.npy");
  EXPECT_EQ(sacs.shape, (std::vector<std::size_t>{p.units, 39, 39}));
  const std::string csv = io::read_file(dir / "analysis" / "units.csv");
  EXPECT_EQ(static_cast<std::size_t>(std::count(csv.begin(), csv.end(), '\n')), p.units + 1);
  EXPECT_NE(csv.find("\n0,grid_hexagonal,"), std::string::npos);
  const auto json = nlohmann::json::parse(io::read_file(dir / "analysis" / "analysis.json"));
  EXPECT_EQ(json["format_version"], 1);
  EXPECT_EQ(json["counts"]["grid_hexagonal"].get<int>(), result.class_counts[0]);
  // The planted units all have maps of their own.
  EXPECT_EQ(result.distinct_maps, result.class_counts);
  EXPECT_EQ(json["distinct_maps"]["band"].get<int>(), result.distinct_maps[3]);
  EXPECT_NE(csv.find(",same_map_as\n"), std::string::npos);
  EXPECT_EQ(json["settings"]["convention"], "deepmind");
  EXPECT_EQ(json["settings"]["border_convention"], "gridrnn");
  EXPECT_TRUE(json["thresholds"]["grid_score_60"].is_number());
}

// same_map: a unit repeats the first earlier map it correlates with at >= 0.95 (scale and offset
// do not matter); lattices of one module at another phase, noise and flat maps repeat nothing.
TEST(SameMap, FindsRepeatedMapsAndNothingElse) {
  using namespace testing_maps;
  const auto lattice = [](double p0, double p1, double p2) {  // three waves 60 degrees apart
    Map2D m(20, 20, 0.0);
    const double phases[3] = {p0, p1, p2};
    for (int w = 0; w < 3; ++w) {
      const Map2D wave = plane_wave_map(0.2 + w * std::numbers::pi / 3, 0.55 * std::sqrt(3.0) / 2, phases[w]);
      for (std::size_t b = 0; b < m.size(); ++b) m.values[b] += wave.values[b];
    }
    return m;
  };
  Rng rng(3, Stream::kTest, 7, 0);
  std::vector<Map2D> maps;
  maps.push_back(lattice(0.3, 0.3, 0.3));                  // 0
  maps.push_back(lattice(0.3, 0.3, 0.3));                  // 1: 0 scaled and offset
  for (double& v : maps[1].values) v = 3.0 * v + 0.5;
  maps.push_back(lattice(0.3, 2.3, 1.3));                  // 2: same module, other phase
  maps.push_back(lattice(0.3, 0.3, 0.3));                  // 3: 0 plus noise of 1/20 its SD
  for (double& v : maps[3].values) v += 0.05 * 1.2 * rng.normal();
  maps.push_back(Map2D(20, 20, 1.0));                      // 4: flat
  maps.push_back(Map2D(20, 20, 0.0));                      // 5: noise
  for (double& v : maps[5].values) v = rng.normal();
  maps.push_back(lattice(0.3, 2.3, 1.3));                  // 6: repeats 2
  maps[6].values[0] = std::numeric_limits<double>::quiet_NaN();                              // unvisited bins are left out
  maps.push_back(Map2D(20, 20, 1.0));                      // 7: flat again: repeats nothing
  maps.push_back(lattice(0.3, 0.3, 0.3));                  // 8: 0 under noise 3/4 its SD: r ~ 0.8
  for (double& v : maps[8].values) v += 0.75 * 1.22 * rng.normal();
  EXPECT_EQ(same_map(maps), (std::vector<int>{-1, 0, -1, 0, -1, -1, 2, -1, -1}));
}

// A population collapsed onto one map (every unit the same grid map plus its own small noise, as
// the place-cell RNN on its loss plateau): dozens of grid units, one map.
TEST(AnalyzePopulation, ACollapsedPopulationIsOneMap) {
  const std::size_t units = 24, samples = 40000;
  const Samples s = random_samples(samples, 11);
  const Map2D grid = testing_maps::hexagonal_map(0.2, 0.55);
  const SpatialBinning binning = bin_positions(s.positions, MapExtent{-1.1, 1.1, -1.1, 1.1}, 20, 20);
  std::vector<float> activity(samples * units);
  Rng rng(5, Stream::kTest, 8, 0);
  for (std::size_t k = 0; k < samples; ++k)
    for (std::size_t u = 0; u < units; ++u)
      activity[k * units + u] = static_cast<float>(grid.values[binning.bin_of_sample[k]] + 0.3 * rng.normal());
  AnalysisOptions options;
  options.shuffles = 5;
  options.smooth_null_maps = 20;
  const auto result = analyze_population(s.positions, s.headings, s.speeds, activity, units,
                                         ArenaGeometry::rectangle(-1.1, 1.1, -1.1, 1.1), options);
  const int hexagonal = static_cast<int>(UnitClass::kGridHexagonal);
  EXPECT_EQ(result.class_counts[hexagonal], static_cast<int>(units));
  EXPECT_EQ(result.distinct_maps[hexagonal], 1);
  EXPECT_EQ(result.units[0].same_map_as, -1);
  for (std::size_t u = 1; u < units; ++u) EXPECT_EQ(result.units[u].same_map_as, 0) << u;
}

TEST(AnalyzePopulation, ResultsDoNotDependOnThreadCount) {
  const Planted p = planted_population(6000, 2);
  AnalysisOptions options;
  options.shuffles = 4;
  options.bins = 10;
  const ArenaGeometry arena = ArenaGeometry::rectangle(-1.1, 1.1, -1.1, 1.1);
  const int before = thread_count();
  set_thread_count(1);
  const auto one = analyze_population(p.samples.positions, p.samples.headings, p.samples.speeds,
                                      p.activity, p.units, arena, options);
  set_thread_count(2);
  const auto two = analyze_population(p.samples.positions, p.samples.headings, p.samples.speeds,
                                      p.activity, p.units, arena, options);
  set_thread_count(before);
  EXPECT_EQ(one.thresholds.grid_60, two.thresholds.grid_60);
  EXPECT_EQ(one.thresholds.band, two.thresholds.band);
  for (std::size_t u = 0; u < p.units; ++u) EXPECT_EQ(one.units[u].score.border, two.units[u].score.border);
}

// A wall field (Gaussian in the distance to one wall, sigma 0.15 and 0.3 of a 2.2-wide arena)
// among pure-noise units, in a square and in a regular hexagon of the same area, positions
// uniform inside the arena: it passes the border null by a wide margin and is classed border.
TEST(BorderNull, WallFieldPassesInSquareAndHexagon) {
  const double radius = std::sqrt(8.0 / (3.0 * std::sqrt(3.0)));
  std::vector<std::array<double, 2>> corners;
  for (int k = 0; k < 6; ++k) {
    corners.push_back({radius * std::cos(k * std::numbers::pi / 3), radius * std::sin(k * std::numbers::pi / 3)});
  }
  const std::size_t count = kSanitized ? 8000 : 30000, noise_units = kSanitized ? 3 : 9;
  const ArenaGeometry arenas[2] = {ArenaGeometry::rectangle(-1.1, 1.1, -1.1, 1.1), ArenaGeometry::polygon(corners)};
  for (const ArenaGeometry& arena : arenas) {
    for (const double sigma : {0.15, 0.3}) {
      const auto& wall = arena.walls[1];
      Samples s;
      Rng rng(6, Stream::kTest, 106, arena.walls.size());
      while (s.headings.size() < count) {
        const double x = rng.uniform(arena.extent.xmin, arena.extent.xmax), y = rng.uniform(arena.extent.ymin, arena.extent.ymax);
        if (!arena.contains(x, y)) continue;
        s.positions.push_back(x);
        s.positions.push_back(y);
        s.headings.push_back(rng.uniform(-std::numbers::pi, std::numbers::pi));
        s.speeds.push_back(rng.uniform(0.0, 0.2));
      }
      const std::size_t units = 1 + noise_units;
      std::vector<float> activity(count * units);
      for (std::size_t t = 0; t < count; ++t) {
        const double x = s.positions[2 * t], y = s.positions[2 * t + 1];
        const double dx = wall[2] - wall[0], dy = wall[3] - wall[1];
        const double d = std::abs((x - wall[0]) * dy - (y - wall[1]) * dx) / std::hypot(dx, dy);
        activity[t * units] = static_cast<float>(std::exp(-d * d / (2 * sigma * sigma)) + rng.normal(0.0, 0.3));
        for (std::size_t u = 1; u < units; ++u) activity[t * units + u] = static_cast<float>(rng.normal());
      }
      AnalysisOptions options;
      options.shuffles = kSanitized ? 10 : 40;
      options.min_shift = 200;
      options.smooth_null_maps = 0;
      const PopulationAnalysis result =
          analyze_population(s.positions, s.headings, s.speeds, activity, units, arena, options);
      // Room between chance and the wall field: noise maps mostly have no field (-1), so the
      // null's 95th percentile stays below 0 (range-normalized fields put it near 0.5) and the wall
      // field beats it by far more than the 0.3 it did then.
      const std::string where = fmt::format("walls {} sigma {}", arena.walls.size(), sigma);
      EXPECT_LT(result.thresholds.border, 0.0) << where;
      EXPECT_GT(result.units[0].score.border, 0.7) << where;
      EXPECT_GT(result.units[0].score.border - result.thresholds.border, 0.75) << where;
      EXPECT_GT(result.units[0].passes.border, 0) << where;
      EXPECT_EQ(result.units[0].unit_class, UnitClass::kBorder) << where;
    }
  }
}

TEST(AnalyzePopulation, BadInputsAreUserErrors) {
  const Samples s = random_samples(1000, 5);
  std::vector<float> activity(1000 * 2, 0.5f);
  const ArenaGeometry arena = ArenaGeometry::rectangle(-1.1, 1.1, -1.1, 1.1);
  AnalysisOptions options;
  options.min_shift = 100;
  std::vector<double> short_speeds(999, 0.1);
  EXPECT_THROW(analyze_population(s.positions, s.headings, short_speeds, activity, 2, arena, options), UserError);
  EXPECT_THROW(analyze_population(s.positions, s.headings, s.speeds, activity, 3, arena, options), UserError);
  options.min_shift = 600;  // 2 * 600 > 1000 samples
  EXPECT_THROW(analyze_population(s.positions, s.headings, s.speeds, activity, 2, arena, options), UserError);
  options.min_shift = 100;
  options.percentile = 120;
  EXPECT_THROW(options.validate(), UserError);
  std::vector<float> with_nan = activity;
  with_nan[7] = std::nanf("");
  options.percentile = 95;
  EXPECT_THROW(analyze_population(s.positions, s.headings, s.speeds, with_nan, 2, arena, options), UserError);
}

TEST(AnalysisOptions, ReadsTheAnalysisSectionAndRefusesUnknownKeys) {
  auto config = io::ConfigReader::from_string(
      "[analysis]\nbins = 30\nconvention = 'sargolini'\npercentile = 99.0\nshuffles = 7\nborder_convention = 'opexebo'\n",
      "test.toml");
  const AnalysisOptions options = AnalysisOptions::from_config(config.section("analysis"));
  config.finish();
  EXPECT_EQ(options.bins, 30);
  EXPECT_EQ(options.convention, GridConvention::kSargolini);
  EXPECT_EQ(options.percentile, 99.0);
  EXPECT_EQ(options.shuffles, 7);
  EXPECT_EQ(options.border.convention, BorderConvention::kOpexebo);
  EXPECT_EQ(AnalysisOptions{}.border.convention, BorderConvention::kGridrnn);
  auto bad_border = io::ConfigReader::from_string("[analysis]\nborder_convention = 'bnt'\n", "bad.toml");
  EXPECT_THROW(AnalysisOptions::from_config(bad_border.section("analysis")), UserError);
  auto bad = io::ConfigReader::from_string("[analysis]\nconvention = 'bnt'\n", "bad.toml");
  EXPECT_THROW(AnalysisOptions::from_config(bad.section("analysis")), UserError);
  auto unknown = io::ConfigReader::from_string("[analysis]\nbinz = 3\n", "unknown.toml");
  AnalysisOptions::from_config(unknown.section("analysis"));
  EXPECT_THROW(unknown.finish(), UserError);
}

TEST(Classify, PrecedenceAndBandDominance) {
  const ScoreSet thresholds{0.3, 0.3, 0.5, 0.05, 0.2, 0.01};
  const ScoreSet none{};
  ScoreSet all{1, 1, 1, 1, 1, 1};
  EXPECT_EQ(classify({1.2, 0.1, 0.6, 0.3, 0.3, 0.5}, all, thresholds, 0.0), UnitClass::kGridHexagonal);
  EXPECT_EQ(classify({0.4, 1.2, 0.6, 0.45, 0.3, 0.5}, all, thresholds, 0.0), UnitClass::kGridSquare);
  // Passing grid scores with one dominant plane wave: a band (stripes lift score60 up to ~0.3).
  EXPECT_EQ(classify({0.35, 0.1, 0.1, 0.95, 0.1, 0.0}, {1, 0, 0, 1, 0, 0}, thresholds, 0.0), UnitClass::kBand);
  // The same band score on a map that a plane explains as well: a ramp (linear code), not a band.
  EXPECT_EQ(classify({0.0, 0.0, 0.1, 0.85, 0.1, 0.0}, {0, 0, 0, 1, 0, 0}, thresholds, 0.9), UnitClass::kRamp);
  EXPECT_EQ(classify({0.0, 0.0, 0.1, 0.85, 0.1, 0.0}, {0, 0, 0, 1, 0, 0}, thresholds, 0.2), UnitClass::kBand);
  EXPECT_EQ(classify({0, 0, 0.8, 0.4, 0.3, 0.5}, {0, 0, 1, 1, 1, 1}, thresholds, 0.0), UnitClass::kBorder);
  // Bands and ramps have fields on the walls and pass a border null at -0.6: stripes score
  // below 0 and stay bands, a ramp (planar_r2 >= band) stays a ramp, a wide wall field (one wave
  // explains most of it, a plane less) stays a border.
  EXPECT_EQ(classify({0, 0, -0.3, 0.99, 0.1, 0.0}, {0, 0, 1, 1, 0, 0}, thresholds, 0.0), UnitClass::kBand);
  EXPECT_EQ(classify({0, 0, 0.6, 0.9, 0.1, 0.0}, {0, 0, 1, 1, 0, 0}, thresholds, 0.97), UnitClass::kRamp);
  EXPECT_EQ(classify({0, 0, 0.65, 0.89, 0.1, 0.0}, {0, 0, 1, 1, 0, 0}, thresholds, 0.81), UnitClass::kBorder);
  EXPECT_EQ(classify({0, 0, 0, 0, 0.3, 0.5}, {0, 0, 0, 0, 1, 1}, thresholds, 0.0), UnitClass::kDirection);
  EXPECT_EQ(classify({0, 0, 0, 0, 0, 0.5}, {0, 0, 0, 0, 0, 1}, thresholds, 0.0), UnitClass::kSpeedOnly);
  EXPECT_EQ(classify({0, 0, 0, 0, 0, 0}, none, thresholds, 0.0), UnitClass::kIrregular);
}

TEST(Percentile, MatchesNumpyLinearInterpolation) {
  // numpy.percentile([1, 2, 3, 4], 95) = 3.85
  EXPECT_NEAR(percentile({4, 1, 3, 2, std::nan("")}, 95.0), 3.85, 1e-12);
}

}  // namespace
}  // namespace gridrnn::analysis

// Analysis speed: the acceptance case of issue 5 (100 units, 1e5 evaluation samples, 100
// shuffles per unit, 20 x 20 bins, deepmind grid scores, border, band, direction, speed) must
// take at most 30 s on 2 cores, end to end.
//   build/release/gridrnn_bench --benchmark_filter=Analysis
#include <algorithm>
#include <numbers>
#include <vector>

#include <benchmark/benchmark.h>

#include "gridrnn/analysis/grid_score.hpp"
#include "gridrnn/analysis/population.hpp"
#include "gridrnn/core/rng.hpp"
#include "gridrnn/core/threads.hpp"

namespace {
using namespace gridrnn;
using namespace gridrnn::analysis;

struct Population {
  std::vector<double> positions, headings, speeds;
  std::vector<float> activities;
};

// A smooth random walk in [-1, 1]^2 (reflecting) and units tuned to random plane-wave mixtures
// plus noise, so maps have structure as trained networks' maps do.
Population make_population(std::size_t samples, std::size_t units) {
  Population p;
  Rng rng(1, Stream::kTest, 900, 0);
  double x = 0, y = 0, heading = 0;
  for (std::size_t s = 0; s < samples; ++s) {
    heading += rng.normal(0.0, 0.3);
    const double speed = rng.bernoulli(0.9) ? 0.0 : rng.uniform(0.0, 0.2);
    x += speed * std::cos(heading);
    y += speed * std::sin(heading);
    if (x < -1 || x > 1) { x = std::clamp(x, -1.0, 1.0); heading = std::numbers::pi - heading; }
    if (y < -1 || y > 1) { y = std::clamp(y, -1.0, 1.0); heading = -heading; }
    p.positions.push_back(x);
    p.positions.push_back(y);
    p.headings.push_back(heading);
    p.speeds.push_back(speed);
  }
  p.activities.resize(samples * units);
  std::vector<double> kx(units), ky(units);
  for (std::size_t u = 0; u < units; ++u) {
    const double angle = rng.uniform(0, std::numbers::pi), k = rng.uniform(3, 15);
    kx[u] = k * std::cos(angle);
    ky[u] = k * std::sin(angle);
  }
  for (std::size_t s = 0; s < samples; ++s) {
    for (std::size_t u = 0; u < units; ++u) {
      p.activities[s * units + u] = static_cast<float>(
          std::tanh(std::cos(kx[u] * p.positions[2 * s] + ky[u] * p.positions[2 * s + 1]) + rng.normal(0.0, 0.5)));
    }
  }
  return p;
}

void BM_AnalyzePopulation100Units(benchmark::State& state) {
  set_thread_count(2);
  const Population p = make_population(100000, 100);
  AnalysisOptions options;  // 20 bins, 100 shuffles, deepmind
  const ArenaGeometry arena = ArenaGeometry::rectangle(-1, 1, -1, 1);
  for (auto _ : state) {
    const PopulationAnalysis result =
        analyze_population(p.positions, p.headings, p.speeds, p.activities, 100, arena, options);
    benchmark::DoNotOptimize(result.thresholds.grid_60);
  }
  state.counters["maps_per_s"] = benchmark::Counter(
      100.0 * 101.0 * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_AnalyzePopulation100Units)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

// One map's grid scores (SAC by FFT + 7 rotations + 10 rings).
void BM_AnalysisGridScoreOneMap(benchmark::State& state) {
  Map2D map(20, 20, 0.0);
  Rng rng(2, Stream::kTest, 901, 0);
  for (double& v : map.values) v = rng.normal();
  const GridScorer scorer(20, 20, GridConvention::kDeepmind, GridVariant::kMean);
  AutocorrelogramFft fft(20, 20);
  Map2D sac;
  for (auto _ : state) {
    fft.compute(map, sac, UnvisitedBins::kZero);
    benchmark::DoNotOptimize(scorer.score(sac).score_60);
  }
}
BENCHMARK(BM_AnalysisGridScoreOneMap)->Unit(benchmark::kMicrosecond);

// The same with the sargolini convention (opexebo's central field, bilinear rotations, spacing).
void BM_AnalysisGridScoreOneMapSargolini(benchmark::State& state) {
  Map2D map(20, 20, 0.0);
  Rng rng(2, Stream::kTest, 901, 0);
  for (double& v : map.values) v = rng.normal();
  const Map2D smooth = smooth_map(map, 1.5);  // a central field of more than 5 bins
  const GridScorer scorer(20, 20, GridConvention::kSargolini, GridVariant::kMean);
  AutocorrelogramFft fft(20, 20);
  Map2D sac;
  for (auto _ : state) {
    fft.compute(smooth, sac, UnvisitedBins::kZero);
    benchmark::DoNotOptimize(scorer.score(sac).score_60);
  }
}
BENCHMARK(BM_AnalysisGridScoreOneMapSargolini)->Unit(benchmark::kMicrosecond);

void BM_AnalysisBandScoreOneMap(benchmark::State& state) {
  Map2D map(20, 20, 0.0);
  Rng rng(3, Stream::kTest, 902, 0);
  for (double& v : map.values) v = rng.normal();
  BandScorer scorer(20, 20, MapExtent{-1, 1, -1, 1});
  for (auto _ : state) benchmark::DoNotOptimize(scorer.score(map).score);
}
BENCHMARK(BM_AnalysisBandScoreOneMap)->Unit(benchmark::kMicrosecond);

// One map's border score in each convention: gridrnn (median baseline, fields by flood fill) on
// noise, as every shuffle is; opexebo (place_field's adaptive thresholds, about 40 flood fills
// per peak) on smoothed noise with a silent background, where it finds several fields.
void BM_AnalysisBorderScoreOneMap(benchmark::State& state) {
  Map2D map(20, 20, 0.0);
  Rng rng(4, Stream::kTest, 903, 0);
  for (double& v : map.values) v = rng.normal();
  const BorderScorer scorer(ArenaGeometry::rectangle(-1, 1, -1, 1), 20, 20);
  for (auto _ : state) benchmark::DoNotOptimize(scorer.score(map).score);
}
BENCHMARK(BM_AnalysisBorderScoreOneMap)->Unit(benchmark::kMicrosecond);

void BM_AnalysisBorderScoreOneMapOpexebo(benchmark::State& state) {
  Map2D map(20, 20, 0.0);
  Rng rng(4, Stream::kTest, 903, 0);
  for (double& v : map.values) v = rng.normal();
  Map2D smooth = smooth_map(map, 1.5);
  for (double& v : smooth.values) v = std::max(0.0, 10.0 * v);
  BorderOptions options;
  options.convention = BorderConvention::kOpexebo;
  const BorderScorer scorer(ArenaGeometry::rectangle(-1, 1, -1, 1), 20, 20, options);
  for (auto _ : state) benchmark::DoNotOptimize(scorer.score(smooth).score);
}
BENCHMARK(BM_AnalysisBorderScoreOneMapOpexebo)->Unit(benchmark::kMicrosecond);

}  // namespace


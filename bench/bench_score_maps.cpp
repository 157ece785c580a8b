// The scoring phase of `gridrnn score` (app/cmd_score.cpp: analysis::score_map over the maps,
// parallel_for) on the maps of an NPY stack named by GRIDRNN_BENCH_MAPS, for the side-by-side
// with the Python module (bench/python_vs_cli_score.py); skipped when the variable is unset.
//   GRIDRNN_BENCH_MAPS=maps.npy build/release/gridrnn_bench --benchmark_filter=ScoreMapsPhase
#include <cstdlib>
#include <vector>

#include <benchmark/benchmark.h>

#include "gridrnn/analysis/map_scores.hpp"
#include "gridrnn/core/threads.hpp"
#include "gridrnn/io/npy.hpp"

namespace {
using namespace gridrnn;

void BM_ScoreMapsPhase(benchmark::State& state) {
  const char* file = std::getenv("GRIDRNN_BENCH_MAPS");
  if (file == nullptr) {
    state.SkipWithError("set GRIDRNN_BENCH_MAPS to an NPY stack of maps (N, bins_x, bins_y)");
    return;
  }
  const io::NpyArray array = io::read_npy(file);
  const std::size_t bx = array.shape.at(1), by = array.shape.at(2);
  std::vector<analysis::Map2D> maps(array.shape.at(0), analysis::Map2D(static_cast<int>(bx), static_cast<int>(by), 0.0));
  for (std::size_t k = 0; k < maps.size(); ++k)
    std::copy_n(array.values.begin() + static_cast<std::ptrdiff_t>(k * bx * by), bx * by, maps[k].values.begin());
  const analysis::MapScoreOptions options;  // gridrnn score's defaults
  std::vector<analysis::MapScores> scores(maps.size());
  for (auto _ : state) {
    parallel_for(maps.size(), [&](std::size_t i) { scores[i] = analysis::score_map(maps[i], options); });
    benchmark::DoNotOptimize(scores.data());
  }
  state.counters["maps"] = static_cast<double>(maps.size());
}
BENCHMARK(BM_ScoreMapsPhase)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

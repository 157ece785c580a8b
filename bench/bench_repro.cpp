// Building blocks of `gridrnn reproduce` (docs/paper.md "Experiment 3" and "Experiment 5"):
// NetworkRunner speed on long paths: steps per second for N = 64 and 100 units, B = 1 and 8
// trials, noise on, inputs (speed, cos, sin); t-SNE of 100 units x 3 stages (n = 300) and
// 200 x 3 (n = 600), 1000 iterations.
//   build/release/gridrnn_bench --benchmark_filter='NetworkRunner|Tsne'
#include <cmath>
#include <vector>

#include <benchmark/benchmark.h>

#include "gridrnn/analysis/tsne.hpp"
#include "gridrnn/core/rng.hpp"
#include "gridrnn/model/runner.hpp"

namespace {
using namespace gridrnn;
using namespace gridrnn::model;

void BM_NetworkRunner(benchmark::State& state) {
  const auto N = static_cast<std::size_t>(state.range(0));
  const auto B = static_cast<std::size_t>(state.range(1));
  const std::size_t chunk = 10000;
  ModelOptions options;
  options.units = N;
  options.inputs = 3;
  options.w_rec_init = RecurrentInit::kGaussian;
  Eigen::VectorXd theta = initial_parameters(options, 1);
  const ParameterLayout layout(options);
  Rng rng(1, Stream::kTest, 950, 0);
  for (std::size_t i = 0; i < 2 * N; ++i) theta[static_cast<Eigen::Index>(layout.W_out + i)] = rng.normal(0.0, 0.1);
  std::vector<float> inputs(chunk * B * 3), outputs(chunk * B * 2);
  for (auto& v : inputs) v = static_cast<float>(rng.uniform(-1.0, 1.0));
  NetworkRunner runner(options, theta, B, 1, 0);
  runner.start({});
  for (auto _ : state) {
    runner.advance(inputs, chunk, outputs);
    benchmark::DoNotOptimize(outputs.data());
  }
  state.counters["steps_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * chunk), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_NetworkRunner)->Args({64, 1})->Args({64, 8})->Args({100, 1})->Args({100, 8})->Unit(benchmark::kMillisecond);

void BM_Tsne(benchmark::State& state) {
  // Points on a noisy 5-D curve: structured, as rate-map distances are.
  const auto n = static_cast<std::size_t>(state.range(0));
  Rng rng(2, Stream::kTest, 951, 0);
  std::vector<double> points(n * 5);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t d = 0; d < 5; ++d)
      points[i * 5 + d] = std::sin(0.05 * static_cast<double>(i) * static_cast<double>(d + 1)) + 0.1 * rng.normal();
  std::vector<double> distances(n * n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      double sq = 0;
      for (std::size_t d = 0; d < 5; ++d) sq += (points[i * 5 + d] - points[j * 5 + d]) * (points[i * 5 + d] - points[j * 5 + d]);
      distances[i * n + j] = std::sqrt(sq);
    }
  for (auto _ : state) benchmark::DoNotOptimize(analysis::tsne_embed(distances, n, analysis::TsneOptions{}));
}
BENCHMARK(BM_Tsne)->Arg(300)->Arg(600)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

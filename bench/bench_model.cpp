// CTRNN benchmarks at the paper's size: N = 100 units, M = 500 trials, T = 500 steps, float,
// 2 threads (set GRIDRNN_BENCH_THREADS to change). One iteration = one minibatch gradient
// (forward + backward) or one Gauss–Newton product. Counters: GFLOP/s of the three big matrix
// products (6 N^2 T M flop per gradient) and the peak resident memory of the process.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <cstdlib>
#include <vector>

#include "gridrnn/core/rng.hpp"
#include "gridrnn/core/threads.hpp"
#include "gridrnn/model/objective.hpp"

namespace {

using namespace gridrnn;

struct PaperBatch {
  std::vector<float> inputs, targets;
  model::MinibatchView view;
  PaperBatch(std::size_t T, std::size_t B) : inputs(T * B * 3), targets(T * B * 2) {
    Rng rng(1, Stream::kTest, 0, 0);
    for (auto& v : inputs) v = static_cast<float>(rng.uniform(0.0, 1.0));
    for (auto& v : targets) v = static_cast<float>(rng.uniform(-1.0, 1.0));
    view.steps = T;
    view.trials = B;
    view.inputs = inputs;
    view.targets = targets;
    view.noise_seed = 1;
  }
};

int bench_threads() {
  const char* env = std::getenv("GRIDRNN_BENCH_THREADS");
  return env ? std::atoi(env) : 2;
}

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

Eigen::VectorXd paper_theta(const model::ModelOptions& options) {
  Eigen::VectorXd theta = model::initial_parameters(options, 1);
  // W_out = 0 at initialization; give it values so the timing is that of a trained network.
  const model::ParameterLayout layout(options);
  Rng rng(2, Stream::kTest, 0, 0);
  for (std::size_t i = 0; i < 2 * options.units; ++i) theta[static_cast<Eigen::Index>(layout.W_out + i)] = rng.normal(0.0, 0.1);
  return theta;
}

void set_counters(benchmark::State& state, double flop_per_iteration) {
  state.counters["GFLOPs"] = benchmark::Counter(flop_per_iteration * 1e-9 * static_cast<double>(state.iterations()),
                                                benchmark::Counter::kIsRate);
  state.counters["peak_rss_MiB"] = peak_rss_mib();
}

void BM_CtrnnGradient(benchmark::State& state) {
  const auto T = static_cast<std::size_t>(state.range(0)), B = static_cast<std::size_t>(state.range(1));
  set_thread_count(bench_threads());
  model::ModelOptions options;
  model::CtrnnObjective objective(options, model::LossOptions{});
  PaperBatch batch(T, B);
  objective.set_minibatch(batch.view);
  const Eigen::VectorXd theta = paper_theta(options);
  Eigen::VectorXd gradient;
  objective.value_gradient(theta, gradient);  // warm-up: first touch of the state buffers
  for (auto _ : state) benchmark::DoNotOptimize(objective.value_gradient(theta, gradient));
  set_counters(state, 6.0 * 100.0 * 100.0 * static_cast<double>(T * B));
}
BENCHMARK(BM_CtrnnGradient)->ArgNames({"T", "B"})->Args({500, 500})->Args({250, 500})->Args({1000, 500})
    ->Args({500, 250})->Args({500, 1000})->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_CtrnnGaussNewton(benchmark::State& state) {
  const auto T = static_cast<std::size_t>(state.range(0)), B = static_cast<std::size_t>(state.range(1));
  set_thread_count(bench_threads());
  model::ModelOptions options;
  model::CtrnnObjective objective(options, model::LossOptions{});
  PaperBatch batch(T, B);
  objective.set_minibatch(batch.view);
  const Eigen::VectorXd theta = paper_theta(options);
  Eigen::VectorXd gradient, product;
  objective.value_gradient(theta, gradient);
  const Eigen::VectorXd v = gradient.normalized();
  objective.gauss_newton_product(v, 0.05, product);  // warm-up: first touch of the R-state buffers
  for (auto _ : state) {
    objective.gauss_newton_product(v, 0.05, product);
    benchmark::DoNotOptimize(product.data());
  }
  set_counters(state, 8.0 * 100.0 * 100.0 * static_cast<double>(T * B));
}
BENCHMARK(BM_CtrnnGaussNewton)->ArgNames({"T", "B"})->Args({500, 500})->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_CtrnnValue(benchmark::State& state) {
  const auto T = static_cast<std::size_t>(state.range(0)), B = static_cast<std::size_t>(state.range(1));
  set_thread_count(bench_threads());
  model::ModelOptions options;
  model::CtrnnObjective objective(options, model::LossOptions{});
  PaperBatch batch(T, B);
  objective.set_minibatch(batch.view);
  const Eigen::VectorXd theta = paper_theta(options);
  objective.value(theta);
  for (auto _ : state) benchmark::DoNotOptimize(objective.value(theta));
  set_counters(state, 2.0 * 100.0 * 100.0 * static_cast<double>(T * B));
}
BENCHMARK(BM_CtrnnValue)->ArgNames({"T", "B"})->Args({500, 500})->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace


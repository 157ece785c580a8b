// CTRNN benchmarks at the paper's size: N = 100 units, M = 500 trials, T = 500 steps, float,
// 2 threads (set GRIDRNN_BENCH_THREADS to change). One iteration = one minibatch gradient
// (forward + backward) or one Gauss–Newton product. Counters: GFLOP/s of the three big matrix
// products (6 N^2 T M flop per gradient) and the peak resident memory of the process.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdlib>
#include <vector>

#include <Eigen/Core>

#include "gridrnn/core/rng.hpp"
#include "gridrnn/core/threads.hpp"
#include "gridrnn/model/noise.hpp"
#include "gridrnn/model/objective.hpp"
#include "model/detail/small_gemm.hpp"

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

// A paper-sized objective with its minibatch and parameters, threads set, states warmed up.
struct PaperProblem {
  model::ModelOptions options;
  model::CtrnnObjective objective{options, model::LossOptions{}};
  PaperBatch batch;
  Eigen::VectorXd theta = paper_theta(options);
  Eigen::VectorXd gradient;
  explicit PaperProblem(const benchmark::State& state)
      : batch(static_cast<std::size_t>(state.range(0)), static_cast<std::size_t>(state.range(1))) {
    set_thread_count(bench_threads());
    objective.set_minibatch(batch.view);
    objective.value_gradient(theta, gradient);  // warm-up: first touch of the state buffers
  }
  double rows() const { return static_cast<double>(batch.view.steps * batch.view.trials); }
};

void BM_CtrnnGradient(benchmark::State& state) {
  PaperProblem p(state);
  for (auto _ : state) benchmark::DoNotOptimize(p.objective.value_gradient(p.theta, p.gradient));
  set_counters(state, 6.0 * 100.0 * 100.0 * p.rows());
}
BENCHMARK(BM_CtrnnGradient)->ArgNames({"T", "B"})->Args({500, 500})->Args({250, 500})->Args({1000, 500})
    ->Args({500, 250})->Args({500, 1000})->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_CtrnnGaussNewton(benchmark::State& state) {
  PaperProblem p(state);
  const Eigen::VectorXd v = p.gradient.normalized();
  Eigen::VectorXd product;
  p.objective.gauss_newton_product(v, 0.05, product);  // warm-up: first touch of the R-states
  for (auto _ : state) {
    p.objective.gauss_newton_product(v, 0.05, product);
    benchmark::DoNotOptimize(product.data());
  }
  set_counters(state, 8.0 * 100.0 * 100.0 * p.rows());
}
BENCHMARK(BM_CtrnnGaussNewton)->ArgNames({"T", "B"})->Args({500, 500})->Unit(benchmark::kMillisecond)->UseRealTime();

// Gradient and G v alternately, timed inside each iteration, so both see the same machine load
// (the separate benchmarks above run seconds apart on a shared machine). Counter
// gv_over_gradient = total G v time / total gradient time.
void BM_CtrnnGaussNewtonOverGradient(benchmark::State& state) {
  PaperProblem p(state);
  const Eigen::VectorXd v = p.gradient.normalized();
  Eigen::VectorXd product;
  p.objective.gauss_newton_product(v, 0.05, product);
  double gradient_seconds = 0.0, product_seconds = 0.0;
  using Clock = std::chrono::steady_clock;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    benchmark::DoNotOptimize(p.objective.value_gradient(p.theta, p.gradient));
    const auto t1 = Clock::now();
    p.objective.gauss_newton_product(v, 0.05, product);
    benchmark::DoNotOptimize(product.data());
    const auto t2 = Clock::now();
    gradient_seconds += std::chrono::duration<double>(t1 - t0).count();
    product_seconds += std::chrono::duration<double>(t2 - t1).count();
  }
  state.counters["gv_over_gradient"] = product_seconds / gradient_seconds;
  state.counters["gradient_s"] = gradient_seconds / static_cast<double>(state.iterations());
  state.counters["gv_s"] = product_seconds / static_cast<double>(state.iterations());
}
BENCHMARK(BM_CtrnnGaussNewtonOverGradient)->ArgNames({"T", "B"})->Args({500, 500})->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_CtrnnValue(benchmark::State& state) {
  PaperProblem p(state);
  for (auto _ : state) benchmark::DoNotOptimize(p.objective.value(p.theta));
  set_counters(state, 2.0 * 100.0 * 100.0 * p.rows());
}
BENCHMARK(BM_CtrnnValue)->ArgNames({"T", "B"})->Args({500, 500})->Unit(benchmark::kMillisecond)->UseRealTime();

// The per-step product of the paper-size forward pass, one thread: (128 x 100)(100 x 100) as
// Eigen's GEMM computes it (packing both operands on each call) and with the right-hand side
// packed once (model/detail/small_gemm.hpp), the objective's way. Counter GFLOPs.
void step_product_inputs(std::vector<float>& a, std::vector<float>& w) {
  Rng rng(1, Stream::kTest, 0, 0);
  a.resize(128 * 100);
  w.resize(100 * 100);
  for (float& x : a) x = static_cast<float>(rng.uniform() - 0.5);
  for (float& x : w) x = static_cast<float>(rng.uniform() - 0.5);
}
void BM_StepProductEigen(benchmark::State& state) {
  using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  std::vector<float> a, w, c(128 * 100);
  step_product_inputs(a, w);
  const Eigen::Map<const Matrix> A(a.data(), 128, 100), W(w.data(), 100, 100);
  Eigen::Map<Matrix> C(c.data(), 128, 100);
  for (auto _ : state) {
    C.noalias() = A * W.transpose();
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["GFLOPs"] = benchmark::Counter(2e-9 * 128 * 100 * 100 * static_cast<double>(state.iterations()),
                                                benchmark::Counter::kIsRate);
}
BENCHMARK(BM_StepProductEigen)->Unit(benchmark::kMicrosecond);
void BM_StepProductPacked(benchmark::State& state) {
  std::vector<float> a, w, c(128 * 100);
  step_product_inputs(a, w);
  model::detail::PackedRhs<float> packed;
  model::detail::pack_rhs_transposed(w.data(), 100, 100, packed);
  for (auto _ : state) {
    model::detail::multiply_packed(a.data(), 128, packed, c.data());
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["GFLOPs"] = benchmark::Counter(2e-9 * 128 * 100 * 100 * static_cast<double>(state.iterations()),
                                                benchmark::Counter::kIsRate);
}
BENCHMARK(BM_StepProductPacked)->Unit(benchmark::kMicrosecond);

// The unit noise of one forward pass at the paper's size, one thread: 100 units x 128 trials per
// call, one call per step (the objective's way). Counter ns per normal.
void BM_GenerateNoise(benchmark::State& state) {
  constexpr std::size_t kTrials = 128, kUnits = 100;
  std::vector<float> out(kTrials * kUnits);
  std::size_t step = 0;
  for (auto _ : state) {
    model::generate_noise(1, 0, 0, kTrials, step++, kUnits, 0.1f, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["ns_per_normal"] = benchmark::Counter(
      static_cast<double>(state.iterations() * kTrials * kUnits) * 1e-9, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_GenerateNoise)->Unit(benchmark::kMicrosecond);

}  // namespace


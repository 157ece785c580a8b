// Optimizer overhead per iteration, separate from the objective's cost: CG vector work per
// iteration and one Adam update, at the paper model's parameter count (N = 100, 3 inputs,
// 2 outputs, learned x0: P = 100*100 + 100*3 + 100 + 2*100 + 100 = 10,700; Adam also at the
// place-cell control's count). The operator is a diagonal, so what is timed is CG's own work
// (4 axpy-like passes and 2 dot products).
#include <benchmark/benchmark.h>

#include <Eigen/Core>

#include "gridrnn/optim/adam.hpp"
#include "gridrnn/optim/cg.hpp"

namespace {

constexpr Eigen::Index kParameters = 10700;
// The place-cell control (512 units, 512 place cells): W_rec, W_in, W_enc, W_place.
constexpr Eigen::Index kPlaceParameters = 512 * (512 + 2 + 512 + 512);  // 787,456

void BM_CgIterationOverhead(benchmark::State& state) {
  const Eigen::VectorXd diagonal = Eigen::VectorXd::LinSpaced(kParameters, 1e-4, 1.0);
  const Eigen::VectorXd b = Eigen::VectorXd::Ones(kParameters);
  const gridrnn::optim::LinearOperator apply = [&](const Eigen::VectorXd& v, Eigen::VectorXd& out) {
    out = diagonal.cwiseProduct(v);
  };
  gridrnn::optim::CgOptions options;
  options.max_iterations = 250;
  options.progress_tolerance = 0;
  options.residual_tolerance = 0;
  gridrnn::optim::CgWorkspace workspace;
  Eigen::VectorXd x;
  std::int64_t iterations = 0;
  for (auto _ : state) {
    x.setZero(kParameters);
    iterations += gridrnn::optim::conjugate_gradient(apply, b, x, options, workspace).iterations;
    benchmark::DoNotOptimize(x.data());
  }
  state.counters["s_per_cg_iteration"] = benchmark::Counter(
      static_cast<double>(iterations), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_CgIterationOverhead)->Unit(benchmark::kMillisecond);

void BM_AdamUpdate(benchmark::State& state) {
  gridrnn::optim::AdamOptions options;
  options.clip_norm = 1.0;
  gridrnn::optim::AdamState adam_state;
  const auto parameters = static_cast<Eigen::Index>(state.range(0));
  const Eigen::VectorXd gradient = Eigen::VectorXd::LinSpaced(parameters, -1.0, 1.0);
  Eigen::VectorXd theta = Eigen::VectorXd::Zero(parameters);
  for (auto _ : state) {
    gridrnn::optim::apply_adam_update(options, adam_state, gradient, theta);
    benchmark::DoNotOptimize(theta.data());
  }
}
BENCHMARK(BM_AdamUpdate)->Arg(kParameters)->Arg(kPlaceParameters)->Unit(benchmark::kMicrosecond);

}  // namespace

// main() comes from benchmark::benchmark_main (see CMakeLists.txt).

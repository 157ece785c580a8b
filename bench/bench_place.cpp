// One training step of the place-cell positive control (configs/place_cells.toml; Sorscher et al.
// setup), as shared/peers/torch_place_rnn.py --bench times it: paths and targets generated, the
// gradient (forward + backward through the place-cell head), one Adam update. Default size 512
// hidden units, 512 place cells, 200 paths x 20 steps; 2 threads (GRIDRNN_BENCH_THREADS).
// Counter GFLOPs: the step's matrix-product work, 6 B T (N^2 + N K) + 4 B N K flop.
// BM_SgemmFloor: OpenBLAS's single-precision GEMM on 2000 x 2000 matrices with as many threads,
// the rate the floor of a step is counted with (docs/performance.md).
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <vector>

#include "gridrnn/arena/arena.hpp"
#include "gridrnn/core/rng.hpp"
#include "gridrnn/core/threads.hpp"
#include "gridrnn/model/objective.hpp"
#include "gridrnn/model/readout.hpp"
#include "gridrnn/optim/adam.hpp"
#include "gridrnn/trajectory/batch.hpp"

namespace {

using namespace gridrnn;

int bench_threads() {
  const char* env = std::getenv("GRIDRNN_BENCH_THREADS");
  return env ? std::atoi(env) : 2;
}

struct PlaceControl {
  std::size_t N, K, B, T;
  arena::Arena arena = arena::Arena::square(2.2);
  trajectory::MotionOptions motion;
  model::ModelOptions options;
  model::LossOptions loss;
  std::optional<model::CtrnnObjective> objective;
  optim::Adam adam{optim::AdamOptions{1e-4, 0.9, 0.999, 1e-8, 0}};
  Eigen::VectorXd theta;
  trajectory::Batch batch;
  std::vector<float> starts;
  std::uint64_t update = 0;

  PlaceControl(std::size_t units, std::size_t cells, std::size_t trials, std::size_t steps)
      : N(units), K(cells), B(trials), T(steps) {
    motion.start = trajectory::StartPosition::kUniform;
    motion.model = trajectory::MotionModel::kRodent;
    options.units = N;
    options.inputs = 2;
    options.dt = options.tau = 1.0;
    options.noise_sd = 0.0;
    options.nonlinearity = model::Nonlinearity::kRelu;
    options.bias = false;
    options.w_rec_init = model::RecurrentInit::kUniform;
    options.w_in_init = model::InputInit::kUniform;
    options.initial_state = model::InitialState::kFromPlaceCode;
    options.readout.position = false;
    options.readout.place = true;
    options.readout.place_head.cells = K;
    Rng rng(3, Stream::kTest, 0, 0);
    options.readout.place_centres.resize(2 * K);
    for (auto& c : options.readout.place_centres) c = rng.uniform(-1.1, 1.1);
    loss.lambda_l2 = loss.lambda_fr = 0.0;
    loss.weight_decay = 1e-4;
    objective.emplace(options, loss);
    theta = model::initial_parameters(options, 1);
    set_thread_count(bench_threads());
  }

  void step() {
    trajectory::generate_batch(batch, arena, motion, trajectory::Encoding::kVelocity, 1, update, B, T);
    starts.resize(B * 2);
    for (std::size_t i = 0; i < B * 2; ++i) starts[i] = static_cast<float>(batch.positions[i]);
    model::MinibatchView view;
    view.steps = T;
    view.trials = B;
    view.inputs = batch.inputs;
    view.targets = batch.targets;
    view.starts = starts;
    view.update_index = update++;
    objective->set_minibatch(view);
    adam.step(*objective, theta);
  }

  double flop() const {
    const double n = static_cast<double>(N), k = static_cast<double>(K), b = static_cast<double>(B);
    return 6.0 * b * static_cast<double>(T) * (n * n + n * k) + 4.0 * b * n * k;
  }
};

void BM_PlaceCellStep(benchmark::State& state) {
  PlaceControl p(static_cast<std::size_t>(state.range(0)), static_cast<std::size_t>(state.range(1)),
                 static_cast<std::size_t>(state.range(2)), static_cast<std::size_t>(state.range(3)));
  p.step();  // warm-up: first touch of the state buffers
  for (auto _ : state) p.step();
  state.counters["GFLOPs"] = benchmark::Counter(p.flop() * 1e-9 * static_cast<double>(state.iterations()),
                                                benchmark::Counter::kIsRate);
  state.counters["GFLOP_per_step"] = p.flop() * 1e-9;
}
BENCHMARK(BM_PlaceCellStep)->ArgNames({"N", "Np", "B", "T"})->Args({512, 512, 200, 20})
    ->Unit(benchmark::kMillisecond)->UseRealTime();

// The place codes of one step's targets alone (200 paths x 21 positions x 512 cells, float, one
// thread): the exp-bound part of BM_PlaceCellStep that is not a matrix product.
void BM_PlaceCodes(benchmark::State& state) {
  const auto cells = static_cast<std::size_t>(state.range(0));
  model::PlaceHeadOptions options;
  options.cells = cells;
  Rng rng(3, Stream::kTest, 0, 0);
  std::vector<double> centres(2 * cells), positions(2 * 4200);
  for (auto& c : centres) c = rng.uniform(-1.1, 1.1);
  for (auto& p : positions) p = rng.uniform(-1.1, 1.1);
  std::vector<float> codes(4200 * cells);
  for (auto _ : state) {
    model::place_codes(options, centres.data(), positions.data(), 4200, codes.data());
    benchmark::DoNotOptimize(codes.data());
  }
}
BENCHMARK(BM_PlaceCodes)->Arg(512)->Unit(benchmark::kMillisecond);

void BM_SgemmFloor(benchmark::State& state) {
  const auto n = static_cast<int>(state.range(0));
  std::vector<float> a(static_cast<std::size_t>(n) * n, 0.5f), b(a.size(), 0.25f), c(a.size());
  openblas_set_num_threads(bench_threads());
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f, c.data(), n);
  for (auto _ : state) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f, c.data(), n);
    benchmark::DoNotOptimize(c.data());
  }
  openblas_set_num_threads(1);
  state.counters["GFLOPs"] = benchmark::Counter(2.0 * n * static_cast<double>(n) * n * 1e-9 * static_cast<double>(state.iterations()),
                                                benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SgemmFloor)->Arg(2000)->Unit(benchmark::kMillisecond)->UseRealTime();

// The same product with Eigen's GEMM, split in row halves over the threads (Eigen is built
// without its own threading here): with OpenBLAS forced to its Haswell kernels (as
// OPENBLAS_CORETYPE may be on these machines) Eigen's AVX-512 kernel can be the faster one, and
// the floor takes the faster.
void BM_EigenGemmFloor(benchmark::State& state) {
  const auto n = static_cast<Eigen::Index>(state.range(0));
  using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const Matrix a = Matrix::Constant(n, n, 0.5f), b = Matrix::Constant(n, n, 0.25f);
  Matrix c(n, n);
  const int threads = std::max(1, bench_threads());
  set_thread_count(threads);
  const auto product = [&] {
    parallel_for(static_cast<std::size_t>(threads), [&](std::size_t part) {
      const Eigen::Index first = n * static_cast<Eigen::Index>(part) / threads, last = n * static_cast<Eigen::Index>(part + 1) / threads;
      c.middleRows(first, last - first).noalias() = a.middleRows(first, last - first) * b;
    });
  };
  product();
  for (auto _ : state) {
    product();
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["GFLOPs"] = benchmark::Counter(2.0 * static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(n) * 1e-9 *
                                                    static_cast<double>(state.iterations()),
                                                benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EigenGemmFloor)->Arg(2000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

// Trajectory generation speed. BM_GeneratePaperBatchHexagon is the paper-sized batch (500 trials x
// 500 steps, hexagon, paper motion, speed_cos_sin inputs, 2 threads) that bench/compare_with_torch.sh
// sets against one gradient step of the PyTorch peer (acceptance: at most 1/10 of it).
#include <benchmark/benchmark.h>

#include "gridrnn/arena/arena.hpp"
#include "gridrnn/core/threads.hpp"
#include "gridrnn/trajectory/batch.hpp"

namespace {

using namespace gridrnn;

void generate(benchmark::State& state, const arena::Arena& arena, trajectory::MotionModel model,
              int threads) {
  set_thread_count(threads);
  trajectory::MotionOptions motion;
  motion.model = model;
  trajectory::Batch batch;
  std::uint64_t update = 0;
  for (auto _ : state) {
    trajectory::generate_batch(batch, arena, motion, trajectory::Encoding::kSpeedCosSin, 1,
                               update++, 500, 500);
    benchmark::DoNotOptimize(batch.inputs.data());
  }
  state.SetItemsProcessed(state.iterations() * 500 * 500);  // steps
}

void BM_GeneratePaperBatchHexagon(benchmark::State& state) {
  generate(state, arena::Arena::named("hexagon"), trajectory::MotionModel::kPaper, 2);
}
BENCHMARK(BM_GeneratePaperBatchHexagon)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_GenerateBatch(benchmark::State& state) {
  static const std::vector<arena::Arena> arenas{
      arena::Arena::named("square"), arena::Arena::named("hexagon"), arena::Arena::named("circle"),
      arena::Arena::polygon({{-1, -1}, {1, -1}, {1, 0}, {-0.6, 0.1}, {-0.6, 1}, {-1, 1}})};
  const auto& arena = arenas[static_cast<std::size_t>(state.range(0))];
  static constexpr trajectory::MotionModel kModels[] = {trajectory::MotionModel::kPaper,
                                                        trajectory::MotionModel::kRodent,
                                                        trajectory::MotionModel::kSorscher};
  const auto model = kModels[state.range(1)];
  state.SetLabel(arena.name() + " " + trajectory::motion_model_name(model) + " 1 thread");
  generate(state, arena, model, 1);
}
BENCHMARK(BM_GenerateBatch)
    ->ArgsProduct({{0, 1, 2, 3}, {0, 1, 2}})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace


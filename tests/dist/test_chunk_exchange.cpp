// The data-parallel split (ChunkExchange) without MPI: K "ranks" are K threads, each with its
// own objective computing only its chunks; all_gather goes through shared memory. Value,
// gradient and G v must be bit-identical to one process's (the property mpirun relies on).
#include <barrier>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "../model/model_test_data.hpp"
#include "gridrnn/model/objective.hpp"

namespace gridrnn::model {
namespace {

struct RankResults {
  double value = 0, value_gradient_loss = 0;
  Eigen::VectorXd gradient, gv;
  LossTerms terms;
  std::size_t chunks_computed = 0;
};

// Runs value, value_gradient and G v on `ranks` cooperating objectives.
std::vector<RankResults> run_split(const testing::SmallProblem& p, std::size_t ranks,
                                   std::size_t curvature, const ObjectiveSettings& settings) {
  std::vector<double> shared;
  std::barrier sync(static_cast<std::ptrdiff_t>(ranks));
  std::vector<RankResults> results(ranks);
  std::vector<std::thread> threads;
  for (std::size_t r = 0; r < ranks; ++r) {
    threads.emplace_back([&, r] {
      CtrnnObjective objective(p.model, p.loss, settings);
      ChunkExchange exchange;
      exchange.rank = r;
      exchange.ranks = ranks;
      exchange.all_gather = [&, r](std::span<double> rows, std::size_t width, std::span<const std::size_t> owner) {
        sync.arrive_and_wait();
        if (r == 0) shared.assign(rows.size(), std::nan(""));
        sync.arrive_and_wait();
        for (std::size_t c = 0; c < owner.size(); ++c)
          if (owner[c] == r) {
            std::copy_n(rows.begin() + static_cast<std::ptrdiff_t>(c * width), width, shared.begin() + static_cast<std::ptrdiff_t>(c * width));
            ++results[r].chunks_computed;
          }
        sync.arrive_and_wait();
        std::copy(shared.begin(), shared.end(), rows.begin());
        sync.arrive_and_wait();
      };
      objective.set_chunk_exchange(exchange);
      objective.set_minibatch(p.batch);
      objective.set_curvature_trials(curvature);
      RankResults& out = results[r];
      out.value = objective.value(p.theta);
      out.terms = objective.last_terms();
      out.value_gradient_loss = objective.value_gradient(p.theta, out.gradient);
      objective.gauss_newton_product(p.random_vector(1), 0.3, out.gv);
    });
  }
  for (auto& t : threads) t.join();
  return results;
}

TEST(ChunkExchange, SplitAcrossRanksIsBitIdenticalToOneProcess) {
  const testing::SmallProblem p(12, 9, 61);
  ObjectiveSettings settings;
  settings.chunk_trials = 8;  // 8+ chunks, so every rank owns several
  const std::size_t curvature = 20;
  CtrnnObjective single(p.model, p.loss, settings);
  single.set_minibatch(p.batch);
  single.set_curvature_trials(curvature);
  const double value = single.value(p.theta);
  const LossTerms terms = single.last_terms();
  Eigen::VectorXd gradient, gv;
  const double loss = single.value_gradient(p.theta, gradient);
  single.gauss_newton_product(p.random_vector(1), 0.3, gv);

  for (const std::size_t ranks : {2u, 3u}) {
    const auto results = run_split(p, ranks, curvature, settings);
    for (std::size_t r = 0; r < ranks; ++r) {
      SCOPED_TRACE("rank " + std::to_string(r) + " of " + std::to_string(ranks));
      const RankResults& got = results[r];
      EXPECT_EQ(got.value, value);  // exact: same partial sums, added in the same order
      EXPECT_EQ(got.terms.position_rms, terms.position_rms);
      EXPECT_EQ(got.terms.firing_rate, terms.firing_rate);
      EXPECT_EQ(got.value_gradient_loss, loss);
      ASSERT_EQ(got.gradient.size(), gradient.size());
      EXPECT_TRUE((got.gradient.array() == gradient.array()).all()) << "max diff " << (got.gradient - gradient).cwiseAbs().maxCoeff();
      EXPECT_TRUE((got.gv.array() == gv.array()).all()) << "max diff " << (got.gv - gv).cwiseAbs().maxCoeff();
      EXPECT_GT(got.chunks_computed, 0u) << "rank " << r << " did no work";
    }
    // Work is shared: every rank computed only part of the chunks in each of the 3 calls.
    std::size_t total = 0;
    for (const auto& got : results) total += got.chunks_computed;
    for (const auto& got : results) EXPECT_LT(got.chunks_computed, total);
  }
}

TEST(ChunkExchange, OwnersAreContiguousBalancedBlocksOfBothChunkKinds) {
  // 4 curvature chunks then 6 others over 3 ranks: [0 0 1 2 | 0 0 1 1 2 2] (curvature blocks
  // 1/1/2 or 2/1/1, others 2/2/2).
  std::vector<std::size_t> count(3, 0), curv(3, 0);
  std::size_t previous = 0;
  for (std::size_t c = 0; c < 10; ++c) {
    const std::size_t o = chunk_owner(c, 4, 10, 3);
    ASSERT_LT(o, 3u);
    if (c != 4) {
      EXPECT_GE(o, previous) << "blocks are contiguous";
    }
    previous = o;
    (c < 4 ? curv : count)[o] += 1;
  }
  for (std::size_t r = 0; r < 3; ++r) {
    EXPECT_EQ(count[r], 2u);
    EXPECT_GE(curv[r], 1u);
  }
  EXPECT_EQ(chunk_owner(0, 1, 1, 4), 0u);  // fewer chunks than ranks: the rest idle, no crash
}

}  // namespace
}  // namespace gridrnn::model

// t-SNE: perplexity calibration, separation of clusters, KL decrease, determinism, the map
// correlation distance and bad input.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

#include "gridrnn/analysis/tsne.hpp"
#include "gridrnn/core/error.hpp"
#include "gridrnn/core/rng.hpp"
#include "gridrnn/core/threads.hpp"

namespace gridrnn::analysis {
namespace {

// `clusters` clusters of `per_cluster` points in 10-D: centres 10 apart along separate axes,
// points N(centre, 1). Returns Euclidean distances (n, n).
std::vector<double> clustered_distances(std::size_t clusters, std::size_t per_cluster, std::uint64_t seed) {
  const std::size_t dims = 10, n = clusters * per_cluster;
  std::vector<double> points(n * dims);
  Rng rng(seed, Stream::kTest, 200, 0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t d = 0; d < dims; ++d) points[i * dims + d] = rng.normal() + (d == i / per_cluster ? 10.0 : 0.0);
  std::vector<double> distances(n * n, 0.0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      double sq = 0.0;
      for (std::size_t d = 0; d < dims; ++d) sq += (points[i * dims + d] - points[j * dims + d]) * (points[i * dims + d] - points[j * dims + d]);
      distances[i * n + j] = std::sqrt(sq);
    }
  return distances;
}

double embedded_distance(const std::vector<double>& Y, std::size_t i, std::size_t j) {
  return std::hypot(Y[2 * i] - Y[2 * j], Y[2 * i + 1] - Y[2 * j + 1]);
}

TEST(Tsne, ConditionalRowsMatchThePerplexity) {
  const std::size_t n = 60;
  const auto distances = clustered_distances(3, 20, 1);
  for (double perplexity : {5.0, 15.0}) {
    const auto P = tsne_conditional_probabilities(distances, n, perplexity);
    for (std::size_t i = 0; i < n; ++i) {
      double sum = 0.0, entropy_bits = 0.0;
      for (std::size_t j = 0; j < n; ++j) {
        const double p = P[i * n + j];
        sum += p;
        if (p > 0.0) entropy_bits -= p * std::log2(p);
      }
      EXPECT_EQ(P[i * n + i], 0.0);
      EXPECT_NEAR(sum, 1.0, 1e-12) << "row " << i;
      EXPECT_NEAR(entropy_bits, std::log2(perplexity), 1e-4) << "row " << i << " perplexity " << perplexity;
    }
  }
  EXPECT_EQ(tsne_effective_perplexity(30.0, 100), 30.0);
  EXPECT_EQ(tsne_effective_perplexity(30.0, 31), 10.0);
}

TEST(Tsne, SeparatesThreeClustersAndLowersTheKl) {
  const std::size_t per_cluster = 20, n = 3 * per_cluster;
  const auto distances = clustered_distances(3, per_cluster, 2);
  TsneOptions options;
  options.perplexity = 10.0;
  options.iterations = 500;
  options.seed = 3;
  const auto Y = tsne_embed(distances, n, options);
  ASSERT_EQ(Y.size(), 2 * n);
  double within = 0.0, between = 0.0, within_count = 0.0, between_count = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t nearest = i;
    double nearest_distance = std::numeric_limits<double>::infinity();
    for (std::size_t j = 0; j < n; ++j) {
      if (j == i) continue;
      const double d = embedded_distance(Y, i, j);
      if (d < nearest_distance) {
        nearest_distance = d;
        nearest = j;
      }
      if (i / per_cluster == j / per_cluster) {
        within += d;
        within_count += 1.0;
      } else {
        between += d;
        between_count += 1.0;
      }
    }
    EXPECT_EQ(nearest / per_cluster, i / per_cluster) << "point " << i << "'s nearest neighbour " << nearest;
  }
  EXPECT_GT((between / between_count) / (within / within_count), 3.0);

  // The optimization lowers KL(P || Q) from the initial positions (iterations = 1 is nearly the
  // initialization: one step of size ~1e-3).
  TsneOptions start = options;
  start.iterations = 1;
  const double kl_start = tsne_kl(distances, n, tsne_embed(distances, n, start), options.perplexity);
  const double kl_final = tsne_kl(distances, n, Y, options.perplexity);
  EXPECT_LT(kl_final, 0.5 * kl_start) << "start " << kl_start << " final " << kl_final;
}

TEST(Tsne, DeterministicForASeedAndThreadCount) {
  const std::size_t n = 30;
  const auto distances = clustered_distances(3, 10, 4);
  TsneOptions options;
  options.iterations = 100;
  const int threads = thread_count();
  set_thread_count(1);
  const auto one = tsne_embed(distances, n, options);
  set_thread_count(2);
  const auto two = tsne_embed(distances, n, options);
  set_thread_count(threads);
  EXPECT_EQ(one, two);
  options.seed = 2;
  EXPECT_NE(tsne_embed(distances, n, options), one);
}

TEST(Tsne, CorrelationDistances) {
  Map2D a(4, 4, 0.0), negated(4, 4, 0.0), constant(4, 4, 2.5), sparse(4, 4, std::nan(""));
  for (int ix = 0; ix < 4; ++ix)
    for (int iy = 0; iy < 4; ++iy) {
      a.at(ix, iy) = std::sin(ix + 2.0 * iy) + 1000.0;  // large offset: the two-pass sums stay exact
      negated.at(ix, iy) = -a.at(ix, iy);
    }
  Map2D with_nan = a;
  with_nan.at(1, 1) = std::nan("");
  with_nan.at(2, 3) = 1e6;  // a bin only this map has would break the correlation...
  a.at(2, 3) = std::nan("");  // ...but it is NaN in a: ignored
  sparse.at(0, 0) = 1.0;
  sparse.at(0, 1) = 2.0;
  const auto D = correlation_distances({a, a, negated, with_nan, constant, sparse});
  const std::size_t n = 6;
  for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(D[i * n + i], 0.0);
  EXPECT_NEAR(D[0 * n + 1], 0.0, 1e-12);  // identical
  EXPECT_NEAR(D[0 * n + 2], 2.0, 1e-12);  // negated (a's NaN bin ignored)
  EXPECT_NEAR(D[0 * n + 3], 0.0, 1e-12);  // same map up to bins NaN in one of them
  EXPECT_EQ(D[0 * n + 4], 1.0);           // constant map
  EXPECT_EQ(D[0 * n + 5], 1.0);           // 2 common bins < 3
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) EXPECT_EQ(D[i * n + j], D[j * n + i]);
  EXPECT_THROW(correlation_distances({a, Map2D(4, 5, 0.0)}), UserError);
}

TEST(Tsne, BadInputIsAUserError) {
  TsneOptions options;
  options.iterations = 10;
  const std::vector<double> one = {0.0};
  EXPECT_THROW(tsne_embed(one, 1, options), UserError);
  auto distances = clustered_distances(1, 6, 5);
  const std::size_t n = 6;
  EXPECT_NO_THROW(tsne_embed(distances, n, options));
  auto asymmetric = distances;
  asymmetric[1 * n + 2] += 0.5;
  EXPECT_THROW(tsne_embed(asymmetric, n, options), UserError);
  auto negative = distances;
  negative[1 * n + 2] = negative[2 * n + 1] = -1.0;
  EXPECT_THROW(tsne_embed(negative, n, options), UserError);
  auto with_nan = distances;
  with_nan[3 * n + 4] = with_nan[4 * n + 3] = std::nan("");
  EXPECT_THROW(tsne_embed(with_nan, n, options), UserError);
  auto diagonal = distances;
  diagonal[2 * n + 2] = 0.1;
  EXPECT_THROW(tsne_embed(diagonal, n, options), UserError);
  EXPECT_THROW(tsne_embed(std::span<const double>(distances).first(30), n, options), UserError);
  TsneOptions bad = options;
  bad.perplexity = 1.0;
  EXPECT_THROW(tsne_embed(distances, n, bad), UserError);
  bad = options;
  bad.iterations = 0;
  EXPECT_THROW(tsne_embed(distances, n, bad), UserError);
  bad = options;
  bad.learning_rate = -1.0;
  EXPECT_THROW(tsne_embed(distances, n, bad), UserError);
  bad = options;
  bad.early_exaggeration = 0.5;
  EXPECT_THROW(tsne_embed(distances, n, bad), UserError);
  try {
    tsne_embed(asymmetric, n, options);
  } catch (const UserError& error) {
    EXPECT_NE(std::string(error.what()).find("symmetric"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace gridrnn::analysis

#pragma once
// Exact t-SNE (van der Maaten & Hinton 2008) on a precomputed distance matrix, and the map
// distance of the development analysis (docs/paper.md "Experiment 3", paper Fig. 4): units of
// early, intermediate and late training embedded together, distance 1 - Pearson r of rate maps.
// O(n^2) memory and work per iteration: meant for n up to a few thousand points.
//
// Equations (d_ij the given distances; squared, as the Gaussian of the original paper is over
// squared Euclidean distance):
//   p_j|i = exp(-beta_i d_ij^2) / sum_{k != i} exp(-beta_i d_ik^2),  beta_i by bisection so that
//           the entropy H_i = -sum_j p_j|i log2 p_j|i = log2(perplexity) (within 1e-5 nats)
//   p_ij  = (p_j|i + p_i|j) / (2 n)
//   q_ij  = (1 + |y_i - y_j|^2)^-1 / sum_{k != l} (1 + |y_k - y_l|^2)^-1
//   KL    = sum_{i != j} p_ij log(p_ij / q_ij)
//   dKL/dy_i = 4 sum_j (p_ij - q_ij) (y_i - y_j) / (1 + |y_i - y_j|^2)
// Optimization as in the paper: gradient descent with momentum 0.5 for the first 250 iterations
// and 0.8 after, per-coordinate gains (+0.2 when the gradient's sign differs from the last
// update's, x0.8 otherwise, at least 0.01), p_ij multiplied by early_exaggeration for the first
// exaggeration_iterations iterations; the embedding is re-centred after every step.
// Deterministic for a seed: initial positions from Rng(seed, Stream::kEmbedding, 0, 0), and every
// sum runs in a fixed order whatever the thread count.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "gridrnn/analysis/maps.hpp"

namespace gridrnn::analysis {

struct TsneOptions {
  // Effective number of neighbours. Clipped to (n - 1) / 3 when n is small (with fewer points a
  // larger perplexity cannot be matched: the entropy of n - 1 neighbours is at most log2(n - 1)).
  double perplexity = 30.0;
  int iterations = 1000;
  // 0 = automatic: max(n / early_exaggeration / 4, 50) (Belkina et al. 2019).
  double learning_rate = 0.0;
  double early_exaggeration = 12.0;
  int exaggeration_iterations = 250;
  std::uint64_t seed = 1;  // initial positions y_i ~ N(0, 1e-4 I)
  // UserError naming field, value and rule: perplexity > 1, iterations >= 1, learning_rate >= 0,
  // early_exaggeration >= 1, exaggeration_iterations >= 0, all finite.
  void validate() const;
};

// The perplexity actually used for n points: min(perplexity, (n - 1) / 3).
double tsne_effective_perplexity(double perplexity, std::size_t n);

// distances: (n, n) row-major, symmetric, zero diagonal, finite, >= 0; n >= 5 (so the effective
// perplexity exceeds 1). UserError otherwise (naming the entry). Returns the embedding (n, 2)
// row-major.
std::vector<double> tsne_embed(std::span<const double> distances, std::size_t n, const TsneOptions& options);

// The conditional probabilities p_j|i (n, n) row-major (rows sum to 1, zero diagonal), calibrated
// to `perplexity` (used as given: clip it with tsne_effective_perplexity first). Same checks.
std::vector<double> tsne_conditional_probabilities(std::span<const double> distances, std::size_t n,
                                                   double perplexity);

// KL(P || Q) of an embedding (n, 2), P from the distances at the effective perplexity of `perplexity`
// (without exaggeration): the objective t-SNE minimizes.
double tsne_kl(std::span<const double> distances, std::size_t n, std::span<const double> embedding,
               double perplexity);

// 1 - Pearson correlation of every pair of maps over the bins finite in both (docs/paper.md "Experiment 3"), in
// [0, 2]; 1 for a pair with fewer than 3 common bins or a map constant over them. Diagonal 0.
// All maps must have the same bins (UserError naming the first that differs). Returns (n, n).
std::vector<double> correlation_distances(const std::vector<Map2D>& maps);

}  // namespace gridrnn::analysis

#include "gridrnn/analysis/tsne.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "gridrnn/core/error.hpp"
#include "gridrnn/core/rng.hpp"
#include "gridrnn/core/threads.hpp"

namespace gridrnn::analysis {

namespace {

constexpr std::size_t kMinPoints = 5;
constexpr double kMinProbability = 1e-12;  // floor of p_ij and q_ij (keeps log finite)
constexpr double kEntropyTolerance = 1e-5; // nats
constexpr int kMaxBisections = 200;
constexpr int kMomentumSwitch = 250;       // momentum 0.5 before, 0.8 from here on

void check_distances(std::span<const double> distances, std::size_t n) {
  if (n < kMinPoints)
    throw_user_error("t-SNE: n = {} points; need at least {} (the perplexity is clipped to (n - 1) / 3)", n,
                     kMinPoints);
  if (distances.size() != n * n)
    throw_user_error("t-SNE: distance matrix holds {} values; expected n * n = {}", distances.size(), n * n);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      const double d = distances[i * n + j];
      if (!std::isfinite(d) || d < 0.0)
        throw_user_error("t-SNE: distance[{}, {}] = {}: distances must be finite and >= 0", i, j, d);
      if (i == j && d != 0.0) throw_user_error("t-SNE: distance[{}, {}] = {}: the diagonal must be 0", i, i, d);
      const double mirror = distances[j * n + i];
      if (std::abs(d - mirror) > 1e-9 * (1.0 + std::abs(d)))
        throw_user_error("t-SNE: distance[{}, {}] = {} but distance[{}, {}] = {}: the matrix must be symmetric", i,
                         j, d, j, i, mirror);
    }
  }
}

// Row i of p_j|i for precision beta; returns the entropy in nats. Exponents are shifted by the
// smallest squared distance so the largest weight is 1 (no underflow of the whole row).
double conditional_row(std::span<const double> distances, std::size_t n, std::size_t i, double beta,
                       double min_sq, double* row) {
  double sum = 0.0, weighted = 0.0;
  for (std::size_t j = 0; j < n; ++j) {
    if (j == i) {
      row[j] = 0.0;
      continue;
    }
    const double d = distances[i * n + j];
    const double shifted = d * d - min_sq;
    row[j] = std::exp(-beta * shifted);
    sum += row[j];
    weighted += row[j] * shifted;
  }
  for (std::size_t j = 0; j < n; ++j) row[j] /= sum;
  // H = log sum + beta <d^2 - min_sq>_p
  return std::log(sum) + beta * weighted / sum;
}

// Symmetrized, normalized P (n, n): p_ij = (p_j|i + p_i|j) / (2n), floored.
std::vector<double> joint_probabilities(std::span<const double> distances, std::size_t n, double perplexity) {
  const std::vector<double> conditional = tsne_conditional_probabilities(distances, n, perplexity);
  std::vector<double> P(n * n, 0.0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      if (i != j)
        P[i * n + j] = std::max((conditional[i * n + j] + conditional[j * n + i]) / (2.0 * static_cast<double>(n)),
                                kMinProbability);
  return P;
}

// Student-t kernel w_ij = 1 / (1 + |y_i - y_j|^2) (n, n) and Z = sum_{i != j} w_ij (rows summed
// in parallel, then added in row order: deterministic for any thread count).
double student_kernel(std::span<const double> Y, std::size_t n, std::vector<double>& W,
                      std::vector<double>& row_sums) {
  parallel_for(n, [&](std::size_t i) {
    double sum = 0.0;
    for (std::size_t j = 0; j < n; ++j) {
      if (j == i) {
        W[i * n + j] = 0.0;
        continue;
      }
      const double dx = Y[2 * i] - Y[2 * j], dy = Y[2 * i + 1] - Y[2 * j + 1];
      W[i * n + j] = 1.0 / (1.0 + dx * dx + dy * dy);
      sum += W[i * n + j];
    }
    row_sums[i] = sum;
  });
  double Z = 0.0;
  for (double s : row_sums) Z += s;
  return Z;
}

double kl_divergence(const std::vector<double>& P, const std::vector<double>& W, double Z, std::size_t n) {
  double kl = 0.0;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      if (i != j) {
        const double p = P[i * n + j];
        kl += p * std::log(p / std::max(W[i * n + j] / Z, kMinProbability));
      }
  return kl;
}

}  // namespace

void TsneOptions::validate() const {
  if (!std::isfinite(perplexity) || perplexity <= 1.0)
    throw_user_error("t-SNE perplexity = {}: must be finite and > 1", perplexity);
  if (iterations < 1) throw_user_error("t-SNE iterations = {}: must be >= 1", iterations);
  if (!std::isfinite(learning_rate) || learning_rate < 0.0)
    throw_user_error("t-SNE learning_rate = {}: must be finite and >= 0 (0 = automatic)", learning_rate);
  if (!std::isfinite(early_exaggeration) || early_exaggeration < 1.0)
    throw_user_error("t-SNE early_exaggeration = {}: must be finite and >= 1", early_exaggeration);
  if (exaggeration_iterations < 0)
    throw_user_error("t-SNE exaggeration_iterations = {}: must be >= 0", exaggeration_iterations);
}

double tsne_effective_perplexity(double perplexity, std::size_t n) {
  return std::min(perplexity, static_cast<double>(n - 1) / 3.0);
}

std::vector<double> tsne_conditional_probabilities(std::span<const double> distances, std::size_t n,
                                                   double perplexity) {
  check_distances(distances, n);
  if (!std::isfinite(perplexity) || perplexity <= 1.0 || perplexity > static_cast<double>(n - 1))
    throw_user_error("t-SNE perplexity = {}: must be in (1, n - 1 = {}]", perplexity, n - 1);
  const double target = std::log(perplexity);  // entropy in nats
  std::vector<double> conditional(n * n, 0.0);
  parallel_for(n, [&](std::size_t i) {
    double min_sq = std::numeric_limits<double>::infinity();
    for (std::size_t j = 0; j < n; ++j)
      if (j != i) min_sq = std::min(min_sq, distances[i * n + j] * distances[i * n + j]);
    // Bisection on beta in (0, inf): the entropy decreases as beta grows. Double/halve until the
    // target is bracketed, then bisect.
    double beta = 1.0, low = 0.0, high = std::numeric_limits<double>::infinity();
    double* row = conditional.data() + i * n;
    for (int step = 0; step < kMaxBisections; ++step) {
      const double entropy = conditional_row(distances, n, i, beta, min_sq, row);
      if (std::abs(entropy - target) < kEntropyTolerance) break;
      if (entropy > target) {
        low = beta;
        beta = std::isinf(high) ? beta * 2.0 : 0.5 * (beta + high);
      } else {
        high = beta;
        beta = 0.5 * (beta + low);
      }
    }
  });
  return conditional;
}

double tsne_kl(std::span<const double> distances, std::size_t n, std::span<const double> embedding,
               double perplexity) {
  if (embedding.size() != 2 * n)
    throw_user_error("t-SNE: embedding holds {} values; expected (n, 2) = {}", embedding.size(), 2 * n);
  const std::vector<double> P = joint_probabilities(distances, n, tsne_effective_perplexity(perplexity, n));
  std::vector<double> W(n * n), row_sums(n);
  const double Z = student_kernel(embedding, n, W, row_sums);
  return kl_divergence(P, W, Z, n);
}

std::vector<double> tsne_embed(std::span<const double> distances, std::size_t n, const TsneOptions& options) {
  options.validate();
  check_distances(distances, n);
  const double nd = static_cast<double>(n);
  std::vector<double> P = joint_probabilities(distances, n, tsne_effective_perplexity(options.perplexity, n));
  const double learning_rate = options.learning_rate > 0.0
                                   ? options.learning_rate
                                   : std::max(nd / options.early_exaggeration / 4.0, 50.0);

  std::vector<double> Y(2 * n);  // (n, 2)
  Rng rng(options.seed, Stream::kEmbedding, 0, 0);
  for (double& y : Y) y = rng.normal(0.0, 1e-2);  // variance 1e-4

  std::vector<double> update(2 * n, 0.0), gains(2 * n, 1.0), gradient(2 * n, 0.0);
  // Per row i: attraction sum_j p_ij w_ij (y_i - y_j) (2), repulsion sum_j w_ij^2 (y_i - y_j) (2)
  // and sum_j w_ij, so one parallel pass per iteration gives the gradient once Z is known:
  //   dKL/dy_i = 4 (e * attraction_i - repulsion_i / Z),  Z = sum_i sum_j w_ij.
  // (One pass, not two: on a busy machine each OpenMP barrier costs more than a row's work.)
  std::vector<double> row_terms(5 * n, 0.0);
  for (int iteration = 0; iteration < options.iterations; ++iteration) {
    const double exaggeration = iteration < options.exaggeration_iterations ? options.early_exaggeration : 1.0;
    const double momentum = iteration < kMomentumSwitch ? 0.5 : 0.8;
    parallel_for(n, [&](std::size_t i) {
      double ax = 0.0, ay = 0.0, rx = 0.0, ry = 0.0, sum = 0.0;
      for (std::size_t j = 0; j < n; ++j) {
        if (j == i) continue;
        const double dx = Y[2 * i] - Y[2 * j], dy = Y[2 * i + 1] - Y[2 * j + 1];
        const double w = 1.0 / (1.0 + dx * dx + dy * dy);
        const double pw = P[i * n + j] * w, ww = w * w;
        ax += pw * dx;
        ay += pw * dy;
        rx += ww * dx;
        ry += ww * dy;
        sum += w;
      }
      double* terms = row_terms.data() + 5 * i;
      terms[0] = ax;
      terms[1] = ay;
      terms[2] = rx;
      terms[3] = ry;
      terms[4] = sum;
    });
    double Z = 0.0;
    for (std::size_t i = 0; i < n; ++i) Z += row_terms[5 * i + 4];  // row order: thread-count free
    for (std::size_t i = 0; i < n; ++i) {
      const double* terms = row_terms.data() + 5 * i;
      gradient[2 * i] = 4.0 * (exaggeration * terms[0] - terms[2] / Z);
      gradient[2 * i + 1] = 4.0 * (exaggeration * terms[1] - terms[3] / Z);
    }
    for (std::size_t k = 0; k < 2 * n; ++k) {
      // update . gradient < 0: the last step went downhill along this gradient too: speed up.
      const bool keeps_direction = update[k] * gradient[k] < 0.0;
      gains[k] = std::max(keeps_direction ? gains[k] + 0.2 : gains[k] * 0.8, 0.01);
      update[k] = momentum * update[k] - learning_rate * gains[k] * gradient[k];
      Y[k] += update[k];
    }
    double mean_x = 0.0, mean_y = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      mean_x += Y[2 * i];
      mean_y += Y[2 * i + 1];
    }
    for (std::size_t i = 0; i < n; ++i) {
      Y[2 * i] -= mean_x / nd;
      Y[2 * i + 1] -= mean_y / nd;
    }
  }
  return Y;
}

std::vector<double> correlation_distances(const std::vector<Map2D>& maps) {
  const std::size_t n = maps.size();
  for (std::size_t a = 1; a < n; ++a)
    if (maps[a].bins_x != maps[0].bins_x || maps[a].bins_y != maps[0].bins_y || maps[a].size() != maps[0].size())
      throw_user_error("correlation_distances: map {} has {} x {} bins but map 0 has {} x {}; all must match", a,
                       maps[a].bins_x, maps[a].bins_y, maps[0].bins_x, maps[0].bins_y);
  std::vector<double> distances(n * n, 0.0);
  const std::size_t bins = n > 0 ? maps[0].size() : 0;
  parallel_for(n, [&](std::size_t a) {
    const auto& A = maps[a].values;
    for (std::size_t b = a + 1; b < n; ++b) {
      const auto& B = maps[b].values;
      // Two passes (means, then centred sums): exact for maps with a large offset.
      double count = 0.0, mean_a = 0.0, mean_b = 0.0;
      double min_a = std::numeric_limits<double>::infinity(), max_a = -min_a, min_b = min_a, max_b = -min_a;
      for (std::size_t k = 0; k < bins; ++k)
        if (std::isfinite(A[k]) && std::isfinite(B[k])) {
          count += 1.0;
          mean_a += A[k];
          mean_b += B[k];
          min_a = std::min(min_a, A[k]);
          max_a = std::max(max_a, A[k]);
          min_b = std::min(min_b, B[k]);
          max_b = std::max(max_b, B[k]);
        }
      double distance = 1.0;
      // A constant map (exactly, over the common bins) has no correlation; rounding in the mean
      // would otherwise leave a tiny spread and an arbitrary r.
      if (count >= 3.0 && max_a > min_a && max_b > min_b) {
        mean_a /= count;
        mean_b /= count;
        double saa = 0.0, sbb = 0.0, sab = 0.0;
        for (std::size_t k = 0; k < bins; ++k)
          if (std::isfinite(A[k]) && std::isfinite(B[k])) {
            const double da = A[k] - mean_a, db = B[k] - mean_b;
            saa += da * da;
            sbb += db * db;
            sab += da * db;
          }
        if (saa > 0.0 && sbb > 0.0) distance = 1.0 - std::clamp(sab / std::sqrt(saa * sbb), -1.0, 1.0);
      }
      // Row a's thread writes both halves of pair (a, b) with b > a: no other row touches them.
      distances[a * n + b] = distance;
      distances[b * n + a] = distance;
    }
  });
  return distances;
}

}  // namespace gridrnn::analysis

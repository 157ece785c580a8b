#include "gridrnn/analysis/error_correction.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "gridrnn/core/error.hpp"

namespace gridrnn::analysis {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Number of steps S after checking both (S, 2) arrays; every value must be finite.
std::size_t checked_steps(const char* caller, std::span<const double> positions, std::span<const float> outputs) {
  if (positions.size() % 2 != 0)
    throw_user_error("{}: positions hold {} values; expected (S, 2) x,y pairs", caller, positions.size());
  if (outputs.size() != positions.size())
    throw_user_error("{}: outputs hold {} values but positions {}; both must be (S, 2)", caller, outputs.size(),
                     positions.size());
  for (std::size_t i = 0; i < positions.size(); ++i) {
    if (!std::isfinite(positions[i]))
      throw_user_error("{}: position of step {} is not finite ({})", caller, i / 2, positions[i]);
    if (!std::isfinite(outputs[i]))
      throw_user_error("{}: network output of step {} is not finite ({})", caller, i / 2, outputs[i]);
  }
  return positions.size() / 2;
}

double squared_error(std::span<const double> positions, std::span<const float> outputs, std::size_t s) {
  const double dx = static_cast<double>(outputs[2 * s]) - positions[2 * s];
  const double dy = static_cast<double>(outputs[2 * s + 1]) - positions[2 * s + 1];
  return dx * dx + dy * dy;
}

}  // namespace

WindowedError windowed_error(std::span<const double> positions, std::span<const float> outputs,
                             std::size_t window) {
  const std::size_t S = checked_steps("windowed_error", positions, outputs);
  if (window == 0) throw_user_error("windowed_error: window = 0: must be >= 1 step");
  WindowedError result;
  result.window = window;
  if (S == 0) return result;
  double sum_x = 0, sum_y = 0;
  for (std::size_t s = 0; s < S; ++s) {
    sum_x += positions[2 * s];
    sum_y += positions[2 * s + 1];
  }
  result.constant_x = sum_x / static_cast<double>(S);
  result.constant_y = sum_y / static_cast<double>(S);
  const std::size_t W = S / window;
  result.network_mse.assign(W, 0.0);
  result.constant_mse.assign(W, 0.0);
  for (std::size_t w = 0; w < W; ++w) {
    double network = 0, constant = 0;
    for (std::size_t s = w * window; s < (w + 1) * window; ++s) {
      network += squared_error(positions, outputs, s);
      const double dx = result.constant_x - positions[2 * s], dy = result.constant_y - positions[2 * s + 1];
      constant += dx * dx + dy * dy;
    }
    result.network_mse[w] = network / static_cast<double>(window);
    result.constant_mse[w] = constant / static_cast<double>(window);
  }
  return result;
}

ErrorSinceContact error_since_contact(std::span<const double> positions, std::span<const float> outputs,
                                      std::span<const std::uint8_t> contact,
                                      std::span<const double> bin_edges) {
  const std::size_t S = checked_steps("error_since_contact", positions, outputs);
  if (contact.size() != S)
    throw_user_error("error_since_contact: contact holds {} flags for {} steps; expected one per step",
                     contact.size(), S);
  if (bin_edges.size() < 2)
    throw_user_error("error_since_contact: {} bin edges; need at least 2 (one bin)", bin_edges.size());
  for (std::size_t k = 0; k < bin_edges.size(); ++k) {
    if (!std::isfinite(bin_edges[k]))
      throw_user_error("error_since_contact: bin_edges[{}] = {} is not finite", k, bin_edges[k]);
    if (k > 0 && !(bin_edges[k] > bin_edges[k - 1]))
      throw_user_error("error_since_contact: bin_edges[{}] = {} after {}: edges must be strictly ascending", k,
                       bin_edges[k], bin_edges[k - 1]);
  }
  const std::size_t K = bin_edges.size() - 1;
  ErrorSinceContact result;
  result.bin_edges.assign(bin_edges.begin(), bin_edges.end());
  result.counts.assign(K, 0);
  std::vector<double> sums(K, 0.0);
  bool touched = false;
  std::size_t last_contact = 0;
  for (std::size_t s = 0; s < S; ++s) {
    if (contact[s] != 0) {
      touched = true;
      last_contact = s;
    }
    if (!touched) continue;
    const double since = static_cast<double>(s - last_contact);
    if (since < bin_edges.front() || since > bin_edges.back()) continue;
    // First edge above `since`: bin k has edges[k] <= since < edges[k+1]; since == last edge -> bin K-1.
    std::size_t k = static_cast<std::size_t>(std::upper_bound(bin_edges.begin(), bin_edges.end(), since) -
                                             bin_edges.begin());
    k = (k > K) ? K - 1 : k - 1;
    sums[k] += squared_error(positions, outputs, s);
    result.counts[k] += 1;
  }
  result.mean_squared_error.resize(K);
  for (std::size_t k = 0; k < K; ++k)
    result.mean_squared_error[k] = result.counts[k] > 0 ? sums[k] / static_cast<double>(result.counts[k]) : kNaN;
  return result;
}

std::vector<double> log_spaced_edges(double first, double last, std::size_t count) {
  if (!(first > 0.0) || !std::isfinite(first))
    throw_user_error("log_spaced_edges: first = {}: must be > 0 and finite", first);
  if (!(last > first) || !std::isfinite(last))
    throw_user_error("log_spaced_edges: last = {}: must be finite and > first = {}", last, first);
  if (count == 0) throw_user_error("log_spaced_edges: count = 0: must be >= 1 bin");
  std::vector<double> edges(count + 1);
  const double log_first = std::log(first), log_last = std::log(last);
  for (std::size_t k = 0; k <= count; ++k)
    edges[k] = std::exp(log_first + (log_last - log_first) * static_cast<double>(k) / static_cast<double>(count));
  edges.front() = first;
  edges.back() = last;
  return edges;
}

double linear_trend(std::span<const double> values) {
  const std::size_t n = values.size();
  if (n < 2) return kNaN;
  const double w_mean = static_cast<double>(n - 1) / 2.0;
  double v_mean = 0;
  for (double v : values) {
    if (!std::isfinite(v)) return kNaN;
    v_mean += v;
  }
  v_mean /= static_cast<double>(n);
  double cross = 0, spread = 0;
  for (std::size_t w = 0; w < n; ++w) {
    const double dw = static_cast<double>(w) - w_mean;
    cross += dw * (values[w] - v_mean);
    spread += dw * dw;
  }
  return cross / spread;
}

}  // namespace gridrnn::analysis

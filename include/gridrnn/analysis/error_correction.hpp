#pragma once
// Error correction by boundary interactions (docs/paper.md "Experiment 5", paper Fig. 6): a network
// trained on T-step paths runs on one path ~10^4 T steps long; its squared position error is
// averaged over windows of steps and compared with the best constant output, and binned by the
// time since the animal last touched a wall. Plain arrays only (positions and readouts), so
// any decoder's output can be scored the same way.
//
// Squared error of step s: e[s] = (y_x[s] - p_x[s])^2 + (y_y[s] - p_y[s])^2 (arena units^2;
// the sum over both coordinates, not their mean).
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace gridrnn::analysis {

struct WindowedError {
  std::size_t window = 10000;        // steps per window
  std::vector<double> network_mse;   // (W) mean of e[s] over window w: steps [w window, (w + 1) window)
  std::vector<double> constant_mse;  // (W) the same for the best constant output c
  // c = the mean position over the whole path (all S steps), which minimizes sum_s |c - p[s]|^2.
  double constant_x = 0, constant_y = 0;
};

// positions (S, 2) row-major double, outputs (S, 2) row-major float (y[s] is the readout for p[s]).
// W = floor(S / window): the last partial window is dropped (its mean would rest on fewer steps).
// UserError if the shapes disagree, window = 0, or a value is not finite (names the step).
WindowedError windowed_error(std::span<const double> positions, std::span<const float> outputs,
                             std::size_t window);

struct ErrorSinceContact {
  std::vector<double> bin_edges;           // (K+1) steps since the last wall contact
  std::vector<double> mean_squared_error;  // (K) mean e[s] of the steps in bin k; NaN for empty bins
  std::vector<std::int64_t> counts;        // (K) steps in bin k
};

// Steps since contact of step s: d[s] = s - (the last step r <= s with contact[r] = 1), so a
// contact step has d = 0. Bin k holds the steps with bin_edges[k] <= d < bin_edges[k+1] (the
// last bin also takes d = bin_edges[K]); steps outside every bin and steps before the first
// contact are excluded. What counts as a contact (e.g. distance to the nearest wall <= some
// contact distance) is the caller's decision.
// contact: (S) 0/1. bin_edges: (K+1), K >= 1, strictly ascending, finite (e.g. log_spaced_edges).
// UserError on mismatched shapes, bad edges or values that are not finite.
ErrorSinceContact error_since_contact(std::span<const double> positions, std::span<const float> outputs,
                                      std::span<const std::uint8_t> contact,
                                      std::span<const double> bin_edges);

// count + 1 edges spaced evenly in log from first to last (first > 0, last > first, count >= 1),
// e.g. log_spaced_edges(1, 1e5, 20) for steps since contact. Ends are exact.
std::vector<double> log_spaced_edges(double first, double last, std::size_t count);

// Least-squares slope of values[w] against w = 0 .. n-1 (error growth per window):
//   slope = sum (w - w_mean)(v_w - v_mean) / sum (w - w_mean)^2.
// NaN when n < 2 or a value is not finite.
double linear_trend(std::span<const double> values);

}  // namespace gridrnn::analysis

// Windowed error against the best constant output, error binned by steps since wall contact and
// the linear trend, on synthetic paths whose answers are analytic (docs/paper.md "Experiment 5").
#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include <gtest/gtest.h>

#include "gridrnn/analysis/error_correction.hpp"
#include "gridrnn/core/error.hpp"

namespace gridrnn::analysis {
namespace {

// A circle of radius 0.6 traversed every 10 steps: the mean position over whole cycles is 0 and
// the best constant output's squared error is 0.36 at every step.
void circle_path(std::size_t steps, std::vector<double>& positions) {
  positions.resize(2 * steps);
  for (std::size_t s = 0; s < steps; ++s) {
    const double angle = 2.0 * std::numbers::pi * static_cast<double>(s % 10) / 10.0;
    positions[2 * s] = 0.6 * std::cos(angle);
    positions[2 * s + 1] = 0.6 * std::sin(angle);
  }
}

TEST(ErrorCorrection, WindowedErrorMatchesAnalyticValues) {
  const std::size_t window = 100, steps = 3 * window + 10;  // 10 steps of a partial window
  std::vector<double> positions;
  circle_path(steps, positions);
  // Output = position + (w / 8, 0) in window w (the partial window has a huge error: dropped).
  std::vector<float> outputs(2 * steps);
  for (std::size_t s = 0; s < steps; ++s) {
    const double offset = s < 3 * window ? static_cast<double>(s / window) / 8.0 : 1000.0;
    outputs[2 * s] = static_cast<float>(positions[2 * s] + offset);
    outputs[2 * s + 1] = static_cast<float>(positions[2 * s + 1]);
  }
  const WindowedError e = windowed_error(positions, outputs, window);
  EXPECT_EQ(e.window, window);
  ASSERT_EQ(e.network_mse.size(), 3u);
  ASSERT_EQ(e.constant_mse.size(), 3u);
  EXPECT_NEAR(e.constant_x, 0.0, 1e-12);
  EXPECT_NEAR(e.constant_y, 0.0, 1e-12);
  for (std::size_t w = 0; w < 3; ++w) {
    const double offset = static_cast<double>(w) / 8.0;
    EXPECT_NEAR(e.network_mse[w], offset * offset, 1e-6) << "window " << w;  // float outputs
    EXPECT_NEAR(e.constant_mse[w], 0.36, 1e-12) << "window " << w;
  }
  // (w/8)^2 for w = 0, 1, 2: 0, 1/64, 4/64: slope 2/64 by least squares.
  EXPECT_NEAR(linear_trend(e.network_mse), 2.0 / 64.0, 1e-6);
}

TEST(ErrorCorrection, BestConstantIsThePathMean) {
  // An off-centre path: the mean moves the constant, and any other constant does worse.
  std::vector<double> positions;
  circle_path(200, positions);
  for (std::size_t s = 0; s < 200; ++s) positions[2 * s] += 0.25;
  const std::vector<float> outputs(400, 0.0f);
  const WindowedError e = windowed_error(positions, outputs, 200);
  EXPECT_NEAR(e.constant_x, 0.25, 1e-12);
  EXPECT_NEAR(e.constant_y, 0.0, 1e-12);
  ASSERT_EQ(e.constant_mse.size(), 1u);
  EXPECT_NEAR(e.constant_mse[0], 0.36, 1e-12);
  EXPECT_NEAR(e.network_mse[0], 0.36 + 0.0625, 1e-12);  // |0 - p|^2 = r^2 + 0.25^2 on average
}

TEST(ErrorCorrection, ErrorSinceContactMatchesAnalyticBins) {
  // Contacts at steps 50, 150, ..., 950 of 1000; output = position + (d / 64, 0), d = steps since
  // contact, so e = d^2 / 4096 exactly in float. Steps 0..49 come before the first contact.
  const std::size_t steps = 1000;
  std::vector<double> positions(2 * steps);
  std::vector<float> outputs(2 * steps);
  std::vector<std::uint8_t> contact(steps, 0);
  for (std::size_t s = 50; s < steps; s += 100) contact[s] = 1;
  for (std::size_t s = 0; s < steps; ++s) {
    positions[2 * s] = 0.5;
    positions[2 * s + 1] = -0.25;
    const double d = s < 50 ? 1000.0 : static_cast<double>((s - 50) % 100);
    outputs[2 * s] = static_cast<float>(0.5 + d / 64.0);
    outputs[2 * s + 1] = -0.25f;
  }
  const std::vector<double> edges = {0, 10, 20, 100};
  const ErrorSinceContact r = error_since_contact(positions, outputs, contact, edges);
  EXPECT_EQ(r.bin_edges, edges);
  // 9 whole periods (d = 0..99) and one of d = 0..49.
  // Bin [0, 10): 10 x 10 steps, mean d^2 = 285 / 10. Bin [10, 20): mean d^2 = 2185 / 10.
  // Bin [20, 100]: 9 x 80 + 30 steps, sum d^2 = 9 x 325880 + 37955.
  ASSERT_EQ(r.counts, (std::vector<std::int64_t>{100, 100, 750}));
  EXPECT_NEAR(r.mean_squared_error[0], 28.5 / 4096.0, 1e-12);
  EXPECT_NEAR(r.mean_squared_error[1], 218.5 / 4096.0, 1e-12);
  EXPECT_NEAR(r.mean_squared_error[2], (9.0 * 325880.0 + 37955.0) / 750.0 / 4096.0, 1e-12);
  // An empty bin is NaN; d = the last edge falls in the last bin.
  const std::vector<double> sparse = {200, 300, 400};
  const ErrorSinceContact empty = error_since_contact(positions, outputs, contact, sparse);
  EXPECT_EQ(empty.counts, (std::vector<std::int64_t>{0, 0}));
  EXPECT_TRUE(std::isnan(empty.mean_squared_error[0]));
  const std::vector<double> to_99 = {90, 99};
  EXPECT_EQ(error_since_contact(positions, outputs, contact, to_99).counts[0], 9 * 10);
}

TEST(ErrorCorrection, LogSpacedEdgesAndTrend) {
  const auto edges = log_spaced_edges(1, 1e4, 4);
  ASSERT_EQ(edges.size(), 5u);
  EXPECT_EQ(edges.front(), 1.0);
  EXPECT_EQ(edges.back(), 1e4);
  EXPECT_NEAR(edges[2], 100.0, 1e-9);
  EXPECT_NEAR(linear_trend(std::vector<double>{3, 5, 7, 9}), 2.0, 1e-12);
  EXPECT_NEAR(linear_trend(std::vector<double>{1, 0, 1, 0}), -0.2, 1e-12);
  EXPECT_TRUE(std::isnan(linear_trend(std::vector<double>{1})));
  EXPECT_TRUE(std::isnan(linear_trend(std::vector<double>{1, std::nan("")})));
}

TEST(ErrorCorrection, BadInputIsAUserError) {
  const std::vector<double> positions(20, 0.0);
  const std::vector<float> outputs(20, 0.0f), short_outputs(18, 0.0f);
  std::vector<float> nan_outputs(20, 0.0f);
  nan_outputs[7] = std::numeric_limits<float>::quiet_NaN();
  const std::vector<std::uint8_t> contact(10, 1), short_contact(9, 1);
  const std::vector<double> edges = {0, 1, 2}, one_edge = {0}, descending = {0, 2, 1};
  EXPECT_THROW(windowed_error(positions, short_outputs, 5), UserError);
  EXPECT_THROW(windowed_error(positions, outputs, 0), UserError);
  try {
    windowed_error(positions, nan_outputs, 5);
    FAIL() << "NaN output accepted";
  } catch (const UserError& error) {
    EXPECT_NE(std::string(error.what()).find("step 3"), std::string::npos) << error.what();
  }
  EXPECT_THROW(error_since_contact(positions, outputs, short_contact, edges), UserError);
  EXPECT_THROW(error_since_contact(positions, outputs, contact, one_edge), UserError);
  EXPECT_THROW(error_since_contact(positions, outputs, contact, descending), UserError);
  EXPECT_THROW(log_spaced_edges(0, 10, 3), UserError);
  EXPECT_THROW(log_spaced_edges(5, 5, 3), UserError);
  EXPECT_THROW(log_spaced_edges(1, 10, 0), UserError);
}

}  // namespace
}  // namespace gridrnn::analysis

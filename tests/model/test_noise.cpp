// The unit noise (gridrnn/model/noise.hpp): the AVX-512 kernel against the portable one bit for
// bit, the Box–Muller arithmetic against the same transform in double precision, and the
// values' distribution. The portable kernel's words come from Random123's own Philox4x32, so
// the bit-for-bit test also holds the hand-written vector Philox to the library's.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <utility>
#include <vector>

#include <Random123/philox.h>
#include <fmt/format.h>

#include "gridrnn/core/rng.hpp"
#include "gridrnn/model/noise.hpp"
#include "model/detail/noise_kernels.hpp"

namespace gridrnn::model {
namespace {

using detail::NoiseKernel;

TEST(Noise, TheAvx512KernelGivesThePortableKernelsBits) {
  if (!detail::noise_kernel_available(NoiseKernel::kAvx512)) GTEST_SKIP() << "this build has no AVX-512 kernel";
  struct Case {
    std::uint64_t seed, update;
    std::size_t first_trial, trials, step, units;
  };
  const std::uint64_t big = ~std::uint64_t{0} - 1;  // the evaluation noise index
  std::vector<Case> cases;
  for (const std::size_t units : {1u, 2u, 3u, 4u, 5u, 13u, 29u, 32u, 33u, 64u, 100u, 129u, 300u})
    for (const std::size_t trials : {1u, 2u, 3u, 7u, 16u})
      cases.push_back({11, 3, 5, trials, 4, units});
  cases.push_back({0, 0, 0, 128, 0, 100});
  cases.push_back({big, big, 4000000000u, 9, 123456, 100});
  cases.push_back({0x123456789abcdefull, 1ull << 40, 77, 33, 4999999, 64});
  for (const Case& c : cases) {
    std::vector<float> portable(c.trials * c.units), vector(c.trials * c.units + 64, -7.0f);
    detail::generate_noise_with(NoiseKernel::kPortable, c.seed, c.update, c.first_trial, c.trials, c.step, c.units,
                                0.3f, portable.data());
    detail::generate_noise_with(NoiseKernel::kAvx512, c.seed, c.update, c.first_trial, c.trials, c.step, c.units,
                                0.3f, vector.data());
    for (std::size_t i = 0; i < portable.size(); ++i)
      ASSERT_EQ(std::bit_cast<std::uint32_t>(portable[i]), std::bit_cast<std::uint32_t>(vector[i]))
          << "units " << c.units << ", trials " << c.trials << ", entry " << i;
    for (std::size_t i = portable.size(); i < vector.size(); ++i) ASSERT_EQ(vector[i], -7.0f) << "written past the end";
  }
}

// The portable kernel is Philox4x32-10 keyed by the seed with counter (update low, update high,
// trial, step * blocks + block), each block's words (w0, w1) and (w2, w3) giving units 4j .. 4j + 3.
TEST(Noise, IsPhilox4x32KeyedBySeedUpdateTrialAndStep) {
  constexpr std::uint64_t kSeed = 0xfeedbeef00000005ull, kUpdate = (7ull << 32) + 9;
  constexpr std::size_t kUnits = 10, kStep = 3, kTrial = 6;
  std::vector<float> out(kUnits);
  generate_noise(kSeed, kUpdate, kTrial, 1, kStep, kUnits, 1.0f, out.data());
  const std::size_t blocks = noise_blocks_per_step(kUnits);
  ASSERT_EQ(blocks, 3u);
  const r123::Philox4x32 philox;
  for (std::size_t j = 0; j < blocks; ++j) {
    const auto w = philox({{9u, 7u, static_cast<std::uint32_t>(kTrial), static_cast<std::uint32_t>(kStep * blocks + j)}},
                          {{0x00000005u, 0xfeedbeefu}});
    float z[4];
    detail::box_muller_pair(w[0], w[1], 1.0f, z[0], z[1]);
    detail::box_muller_pair(w[2], w[3], 1.0f, z[2], z[3]);
    for (std::size_t q = 0; q < 4 && 4 * j + q < kUnits; ++q) EXPECT_EQ(out[4 * j + q], z[q]) << "unit " << 4 * j + q;
  }
}

// The float transform against r cos(2 pi u2), r sin(2 pi u2) in double from the same u1, u2:
// random words and the edge words (u1 = 2^-23 and 1, and m near sqrt(2); u2 at 0, at each multiple of 1/8 where the
// quadrant changes, and just below 1). The error allowed, 4e-7 of the radius, is about 7 float
// roundings of the largest of r cos and r sin.
TEST(Noise, BoxMullerInFloatIsWithinRoundingOfTheExactTransform) {
  // u1 = 1 - f1 2^-23 and u2 = f2 2^-23 with f the word's low 23 bits
  const std::vector<std::uint32_t> edge1 = {0u, 1u, 0x7fffffu, 0x7ffffeu, 0xffffffffu, 0x400000u, 0x3fffffu, 0x257d85u, 0x257d86u, 0x257d87u};
  std::vector<std::uint32_t> edge2 = {0u, 1u, 0x7fffffu, 0xff800000u};
  for (std::uint32_t eighth = 1; eighth < 8; ++eighth)
    for (const std::int64_t d : {-2, -1, 0, 1, 2})
      edge2.push_back(static_cast<std::uint32_t>((static_cast<std::int64_t>(eighth) << 20) + d));
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
  Rng rng(3, Stream::kTest, 0, 0);
  for (const std::uint32_t w1 : edge1)
    for (const std::uint32_t w2 : edge2) pairs.emplace_back(w1, w2);
  for (int i = 0; i < 2000; ++i) {
    const std::uint64_t w = rng.next_u64();
    for (const std::uint32_t w2 : edge2) pairs.emplace_back(static_cast<std::uint32_t>(w), w2);
    for (const std::uint32_t w1 : edge1) pairs.emplace_back(w1, static_cast<std::uint32_t>(w >> 32));
  }
  for (int i = 0; i < 200000; ++i) {
    const std::uint64_t w = rng.next_u64();
    pairs.emplace_back(static_cast<std::uint32_t>(w), static_cast<std::uint32_t>(w >> 32));
  }
  double worst = 0.0;
  for (const auto& [w1, w2] : pairs) {
    float z0, z1;
    detail::box_muller_pair(w1, w2, 1.0f, z0, z1);
    const double u1 = 1.0 - static_cast<double>(w1 & 0x7fffffu) / 8388608.0, u2 = static_cast<double>(w2 & 0x7fffffu) / 8388608.0;
    const double radius = std::sqrt(-2.0 * std::log(u1)), angle = 2.0 * std::numbers::pi * u2;
    const double error = std::max(std::abs(z0 - radius * std::cos(angle)), std::abs(z1 - radius * std::sin(angle)));
    if (radius > 0.0) worst = std::max(worst, error / radius);
    ASSERT_LE(error, 4e-7 * radius) << "words " << w1 << ", " << w2 << ": z = (" << z0 << ", " << z1 << "), exact ("
                                    << radius * std::cos(angle) << ", " << radius * std::sin(angle) << ")";
  }
  RecordProperty("worst_error_over_radius", fmt::format("{:.3g}", worst));
}

// The standard normal CDF, for the Kolmogorov–Smirnov test below.
double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); }

// 200,000 values of one step (2,000 trials x 100 units): the Kolmogorov–Smirnov distance to
// N(0, 1) below its 0.1% critical value 1.95 / sqrt(n); the correlation of neighbouring units
// (which share a pair or a block) and of the same unit in neighbouring trials within 4.5 standard
// errors of 0; the share beyond 3 standard deviations within 4.5 standard errors of 0.0027.
TEST(Noise, IsStandardNormalAndUncorrelatedAcrossUnitsAndTrials) {
  constexpr std::size_t kUnits = 100, kTrials = 2000;
  std::vector<float> xi(kTrials * kUnits);
  generate_noise(2, 5, 0, kTrials, 7, kUnits, 1.0f, xi.data());
  std::vector<double> sorted(xi.begin(), xi.end());
  std::sort(sorted.begin(), sorted.end());
  const auto n = static_cast<double>(sorted.size());
  double distance = 0.0;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    const double cdf = normal_cdf(sorted[i]);
    distance = std::max({distance, static_cast<double>(i + 1) / n - cdf, cdf - static_cast<double>(i) / n});
  }
  EXPECT_LT(distance, 1.95 / std::sqrt(n));
  double units_sum = 0.0, trials_sum = 0.0, beyond = 0.0;
  for (std::size_t r = 0; r < kTrials; ++r)
    for (std::size_t i = 0; i < kUnits; ++i) {
      const double z = xi[r * kUnits + i];
      if (i + 1 < kUnits) units_sum += z * xi[r * kUnits + i + 1];
      if (r + 1 < kTrials) trials_sum += z * xi[(r + 1) * kUnits + i];
      beyond += std::abs(z) > 3.0 ? 1.0 : 0.0;
    }
  const double unit_pairs = static_cast<double>(kTrials * (kUnits - 1)), trial_pairs = static_cast<double>((kTrials - 1) * kUnits);
  EXPECT_LT(std::abs(units_sum / unit_pairs), 4.5 / std::sqrt(unit_pairs));
  EXPECT_LT(std::abs(trials_sum / trial_pairs), 4.5 / std::sqrt(trial_pairs));
  const double tail = 2.0 * normal_cdf(-3.0);
  EXPECT_LT(std::abs(beyond / n - tail), 4.5 * std::sqrt(tail * (1.0 - tail) / n));
}

}  // namespace
}  // namespace gridrnn::model

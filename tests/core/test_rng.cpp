#include <gtest/gtest.h>

#include <set>

#include "gridrnn/core/rng.hpp"
#include "test_helpers.hpp"

namespace gridrnn {
namespace {

TEST(Rng, SameKeyGivesSameSequence) {
  Rng a(42, Stream::kPaths, 3, 7);
  Rng b(42, Stream::kPaths, 3, 7);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(a.next_u64(), b.next_u64());
}

TEST(Rng, DifferentSeedStreamIndexSubindexGiveDifferentSequences) {
  std::set<std::uint64_t> firsts;
  firsts.insert(Rng(1, Stream::kPaths, 0, 0).next_u64());
  firsts.insert(Rng(2, Stream::kPaths, 0, 0).next_u64());
  firsts.insert(Rng(1, Stream::kNoise, 0, 0).next_u64());
  firsts.insert(Rng(1, Stream::kPaths, 1, 0).next_u64());
  firsts.insert(Rng(1, Stream::kPaths, 0, 1).next_u64());
  EXPECT_EQ(firsts.size(), 5u);
}

TEST(Rng, UniformPassesKolmogorovSmirnov) {
  Rng rng(7, Stream::kTest);
  std::vector<double> samples(100000);
  for (auto& s : samples) s = rng.uniform();
  const double d = testing::ks_statistic(samples, [](double x) { return x; });
  EXPECT_GT(testing::ks_p_value(d, samples.size()), 1e-3) << "D = " << d;
}

TEST(Rng, NormalPassesKolmogorovSmirnovAndMoments) {
  Rng rng(11, Stream::kTest);
  std::vector<double> samples(100000);
  double sum = 0, sum2 = 0;
  for (auto& s : samples) {
    s = rng.normal();
    sum += s;
    sum2 += s * s;
  }
  const double n = static_cast<double>(samples.size());
  const double mean = sum / n;
  const double var = sum2 / n - mean * mean;
  EXPECT_LT(std::abs(mean), 4.0 / std::sqrt(n));           // 4 SD of the sample mean
  EXPECT_LT(std::abs(var - 1.0), 4.0 * std::sqrt(2.0 / n));  // 4 SD of the sample variance
  const double d = testing::ks_statistic(samples, testing::normal_cdf);
  EXPECT_GT(testing::ks_p_value(d, samples.size()), 1e-3) << "D = " << d;
}

TEST(Rng, KsCheckRejectsAWrongDistribution) {
  // The check above must be able to fail: uniforms squared are not uniform.
  Rng rng(7, Stream::kTest);
  std::vector<double> samples(10000);
  for (auto& s : samples) s = rng.uniform() * rng.uniform();
  const double d = testing::ks_statistic(samples, [](double x) { return x; });
  EXPECT_LT(testing::ks_p_value(d, samples.size()), 1e-6);
}

TEST(Rng, BelowIsUniformOverItsRange) {
  Rng rng(5, Stream::kTest);
  std::vector<int> counts(10, 0);
  const int n = 100000;
  for (int i = 0; i < n; ++i) ++counts[rng.below(10)];
  // Chi-square with 9 degrees of freedom; 99.9th percentile is 27.88.
  double chi2 = 0;
  for (int c : counts) chi2 += (c - n / 10.0) * (c - n / 10.0) / (n / 10.0);
  EXPECT_LT(chi2, 27.88);
}

}  // namespace
}  // namespace gridrnn

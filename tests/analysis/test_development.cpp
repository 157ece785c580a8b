// update_reaching_fraction: the 90% rule of the development analysis (docs/paper.md "Experiment 3").
#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

#include "gridrnn/analysis/development.hpp"
#include "gridrnn/core/error.hpp"

namespace gridrnn::analysis {
namespace {

const std::vector<std::int64_t> kUpdates = {0, 10, 20, 30, 40, 50};

TEST(Development, MonotoneCurveReachesNinetyPercentWhereItFirstCrosses) {
  // final 1.0, threshold 0.9: 0.95 at update 30 is the first value >= 0.9.
  const std::vector<double> values = {0.0, 0.5, 0.85, 0.95, 0.99, 1.0};
  EXPECT_EQ(update_reaching_fraction(kUpdates, values), 30);
  EXPECT_EQ(update_reaching_fraction(kUpdates, values, 0.5), 10);  // 0.5 >= 0.5: "at or above"
  EXPECT_EQ(update_reaching_fraction(kUpdates, values, 1.0), 50);
}

TEST(Development, CurveThatDipsBelowGivesTheLaterCrossing) {
  // Crosses 0.9 at update 10, dips to 0.8 at update 30, back above from update 40.
  const std::vector<double> values = {0.2, 0.95, 0.92, 0.8, 0.91, 1.0};
  EXPECT_EQ(update_reaching_fraction(kUpdates, values), 40);
  std::vector<double> with_nan = {0.2, 0.95, std::numeric_limits<double>::quiet_NaN(), 0.95, 0.91, 1.0};
  EXPECT_EQ(update_reaching_fraction(kUpdates, with_nan), 30);  // NaN counts as below
}

TEST(Development, UndefinedForNonPositiveFinalValueOrEmptyInput) {
  EXPECT_FALSE(update_reaching_fraction(kUpdates, std::vector<double>{0.5, 0.2, 0.1, 0.0, -0.1, -0.2}));
  EXPECT_FALSE(update_reaching_fraction(kUpdates, std::vector<double>{0.5, 0.2, 0.1, 0.0, 0.1, 0.0}));
  EXPECT_FALSE(update_reaching_fraction({}, {}));
  const std::vector<std::int64_t> one_update = {7};
  EXPECT_EQ(update_reaching_fraction(one_update, std::vector<double>{0.3}), 7);
}

TEST(Development, BadInputIsAUserError) {
  const std::vector<double> values = {1, 2, 3};
  EXPECT_THROW(update_reaching_fraction(kUpdates, values), UserError);
  const std::vector<std::int64_t> unsorted = {0, 20, 10};
  EXPECT_THROW(update_reaching_fraction(unsorted, values), UserError);
  const std::vector<std::int64_t> sorted = {0, 10, 20};
  EXPECT_THROW(update_reaching_fraction(sorted, values, 0.0), UserError);
  EXPECT_THROW(update_reaching_fraction(sorted, values, 1.5), UserError);
}

}  // namespace
}  // namespace gridrnn::analysis

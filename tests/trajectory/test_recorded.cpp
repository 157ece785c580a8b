#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "gridrnn/arena/arena.hpp"
#include "gridrnn/core/error.hpp"
#include "gridrnn/io/files.hpp"
#include "gridrnn/trajectory/recorded.hpp"
#include "test_helpers.hpp"

namespace gridrnn::trajectory {
namespace {

using arena::Arena;

std::string error_of(const std::string& text) {
  try {
    parse_recorded_path(text, "rat.csv", Arena::square(2.0));
  } catch (const UserError& e) {
    return e.what();
  }
  return "<no UserError>";
}

TEST(Recorded, DerivesSpeedAndHeadingByFiniteDifferences) {
  const auto r = parse_recorded_path("t,x,y\n0,0,0\n0.5,0,0\n1,0.3,0.4\n1.5,0.3,0.4\n2,0.3,0.9\n"
                                     "2.5,0.2,0.9\n",
                                     "rat.csv", Arena::square(2.0));
  ASSERT_TRUE(r.has_times);
  ASSERT_EQ(r.path.steps(), 5u);
  EXPECT_EQ(r.times, (std::vector<double>{0, 0.5, 1, 1.5, 2, 2.5}));
  const double first = std::atan2(0.4, 0.3);
  const std::vector<double> speeds{0, 0.5, 0, 0.5, 0.1};
  for (std::size_t t = 0; t < 5; ++t) EXPECT_NEAR(r.path.speeds[t], speeds[t], 1e-12) << t;
  EXPECT_NEAR(r.path.headings[0], first, 1e-12);  // leading stillness takes the first heading
  EXPECT_NEAR(r.path.headings[1], first, 1e-12);
  EXPECT_NEAR(r.path.headings[2], first, 1e-12);  // still: keeps the previous heading
  EXPECT_NEAR(r.path.headings[3], std::numbers::pi / 2, 1e-12);
  EXPECT_NEAR(r.path.headings[4], std::numbers::pi, 1e-12);
  // Positions are reproduced by the speeds and headings.
  for (std::size_t t = 0; t < 5; ++t) {
    EXPECT_NEAR(r.path.positions[t + 1].x,
                r.path.positions[t].x + r.path.speeds[t] * std::cos(r.path.headings[t]), 1e-12);
  }
}

TEST(Recorded, HeadingsAreUnwrappedAndHeaderMayOmitTime) {
  // Circling counter-clockwise crosses the +-pi line; the heading keeps increasing.
  std::string text = "X, Y\r\n";
  for (int k = 0; k <= 40; ++k) {
    const double a = 0.3 * k;
    text += std::to_string(0.5 * std::cos(a)) + "," + std::to_string(0.5 * std::sin(a)) + "\r\n";
  }
  const auto r = parse_recorded_path(text, "circle.csv", Arena::square(2.0));
  EXPECT_FALSE(r.has_times);
  EXPECT_EQ(r.times[3], 3.0);
  for (std::size_t t = 1; t < r.path.steps(); ++t) {
    EXPECT_NEAR(r.path.headings[t] - r.path.headings[t - 1], 0.3, 1e-4);
  }
}

TEST(Recorded, RefusesBadRowsNamingTheRow) {
  EXPECT_NE(error_of("t,x,y\n0,0,0\n1,nan,0\n").find("line 3"), std::string::npos);
  EXPECT_NE(error_of("t,x,y\n0,0,0\n1,nan,0\n").find("not finite"), std::string::npos);
  EXPECT_NE(error_of("t,x,y\n0,0,0\n1,0.1,0\n1,0.2,0\n").find("line 4"), std::string::npos);
  EXPECT_NE(error_of("t,x,y\n0,0,0\n1,0.1,0\n0.5,0.2,0\n").find("does not increase"),
            std::string::npos);
  EXPECT_NE(error_of("x,y\n0,0\n1.5,0\n").find("line 3"), std::string::npos);
  EXPECT_NE(error_of("x,y\n0,0\n1.5,0\n").find("outside"), std::string::npos);
  EXPECT_NE(error_of("x,y\n0,0\n0.1\n").find("expected 2 columns"), std::string::npos);
  EXPECT_NE(error_of("x,y\n0,0\n0.1,abc\n").find("not a number"), std::string::npos);
  EXPECT_NE(error_of("x,y\n0,0\n0.1,\n").find("line 3"), std::string::npos);
  EXPECT_NE(error_of("a,b\n0,0\n").find("header"), std::string::npos);
  EXPECT_NE(error_of("0,0\n0.1,0.1\n").find("header"), std::string::npos);
  EXPECT_NE(error_of("x,y\n0,0\n").find("at least 2"), std::string::npos);
  EXPECT_NE(error_of("").find("header"), std::string::npos);
  testing::TempDir dir;
  EXPECT_THROW(read_recorded_path(dir / "missing.csv", Arena::square(2.0)), UserError);
  io::write_file_atomic(dir / "ok.csv", "x,y\n0,0\n0.1,0\n");
  EXPECT_EQ(read_recorded_path(dir / "ok.csv", Arena::square(2.0)).path.steps(), 1u);
}

}  // namespace
}  // namespace gridrnn::trajectory

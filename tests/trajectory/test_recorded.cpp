#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include <fmt/format.h>

#include "gridrnn/arena/arena.hpp"
#include "gridrnn/core/error.hpp"
#include "gridrnn/core/rng.hpp"
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

TEST(Recorded, AcceptsAByteOrderMarkAndQuotedFieldsAsSpreadsheetsAndRWriteThem) {
  const std::string rows = "0,0,0\n1,0.1,0\n2,0.1,0.1\n";
  const auto plain = parse_recorded_path("t,x,y\n" + rows, "rat.csv", Arena::square(2.0));
  const auto bom = parse_recorded_path("\xEF\xBB\xBFt,x,y\n" + rows, "rat.csv", Arena::square(2.0));
  EXPECT_EQ(bom.path.positions.size(), 3u);
  EXPECT_TRUE(bom.has_times);
  const auto quoted = parse_recorded_path("\"t\",\"x\",\"y\"\n\"0\",\"0\",\"0\"\n1,0.1,0\n2, \"0.1\" ,0.1\n",
                                          "rat.csv", Arena::square(2.0));
  EXPECT_TRUE(quoted.has_times);
  ASSERT_EQ(quoted.path.positions.size(), 3u);
  for (std::size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(quoted.path.positions[k].x, plain.path.positions[k].x) << k;
    EXPECT_EQ(quoted.path.positions[k].y, plain.path.positions[k].y) << k;
  }
  // R's write.csv with its row names: a hint how to write the file without them.
  EXPECT_NE(error_of("\"\",\"t\",\"x\",\"y\"\n\"1\",0,0,0\n").find("row.names = FALSE"),
            std::string::npos);
}

TEST(Recorded, CornerOriginCoordinatesGetTheirSpanAndTheOriginOptionInTheMessage) {
  // A 100 x 100 cm box tracked from its corner: every point is outside an arena centred at 0.
  const std::string text = "x,y\n20,30\n25,30\n80,70\n";
  const std::string message = error_of(text);
  EXPECT_NE(message.find("the points span x in [20, 80], y in [30, 70]"), std::string::npos) << message;
  EXPECT_NE(message.find("--origin X,Y (the middle of the points is 50,50)"), std::string::npos)
      << message;
  RecordedOptions centred;
  centred.origin = {50.0, 50.0};
  const auto r = parse_recorded_path(text, "rat.csv", Arena::square(100.0), centred);
  ASSERT_EQ(r.path.positions.size(), 3u);
  EXPECT_EQ(r.path.positions[0].x, -30.0);
  EXPECT_EQ(r.path.positions[0].y, -20.0);
  EXPECT_EQ(r.path.positions[2].x, 30.0);
  EXPECT_NEAR(r.path.speeds[0], 5.0, 1e-12);
  EXPECT_TRUE(r.warnings.empty());
}

TEST(Recorded, IrregularTimesAndOneStepJumpsAreWarnedWithCountsAndTheWorstRow) {
  std::string text = "t,x,y\n";
  double t = 0.0;
  for (int k = 0; k < 100; ++k) {
    t += (k == 40 || k == 41) ? 0.1 : (k == 70 ? 0.06 : 0.02);  // two dropped-frame gaps and one
    double x = 0.5 * std::cos(0.05 * k), y = 0.5 * std::sin(0.05 * k);
    if (k == 60) x = -0.9, y = 0.9;  // a tracking glitch: out and back
    text += fmt::format("{:.2f},{:.4f},{:.4f}\n", t, x, y);
  }
  const auto r = parse_recorded_path(text, "rat.csv", Arena::square(2.0));
  ASSERT_EQ(r.warnings.size(), 2u);
  EXPECT_NE(r.warnings[0].find("3 of 99 time steps are irregular"), std::string::npos) << r.warnings[0];
  EXPECT_NE(r.warnings[0].find("median step dt = 0.02"), std::string::npos) << r.warnings[0];
  EXPECT_NE(r.warnings[0].find("worst: lines 41 -> 42, t = 0.8 -> 0.9 (dt = 0.1)"), std::string::npos) << r.warnings[0];
  EXPECT_NE(r.warnings[1].find("rat.csv': 2 of 99 steps jump"), std::string::npos) << r.warnings[1];
  EXPECT_NE(r.warnings[1].find("lines 62 -> 63, (-0.9, 0.9)"), std::string::npos) << r.warnings[1];
}

TEST(Recorded, SimulatedPathsOfEveryMotionModelGetNoWarning) {
  for (const std::string& model : MotionOptions::model_names()) {
    MotionOptions motion;
    motion.model = parse_motion_model(model);
    const Arena arena = Arena::square(2.0);
    Rng rng(7, Stream::kTest, 3, 0);
    const Path path = simulate_path(arena, motion, rng, 2000);
    std::string text = "t,x,y\n";
    for (std::size_t k = 0; k < path.positions.size(); ++k) {
      text += fmt::format("{:.3f},{:.6f},{:.6f}\n", 0.02 * static_cast<double>(k),
                          path.positions[k].x, path.positions[k].y);
    }
    const auto r = parse_recorded_path(text, model + ".csv", arena);
    EXPECT_TRUE(r.warnings.empty()) << model << ": " << r.warnings.front();
  }
}

}  // namespace
}  // namespace gridrnn::trajectory

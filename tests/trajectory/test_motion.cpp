#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdlib>
#include <numbers>

#include "gridrnn/arena/arena.hpp"
#include "gridrnn/core/error.hpp"
#include "gridrnn/core/threads.hpp"
#include "gridrnn/io/config.hpp"
#include "gridrnn/trajectory/batch.hpp"
#include "gridrnn/trajectory/motion.hpp"
#include "test_helpers.hpp"

namespace gridrnn::trajectory {
namespace {

using arena::Arena;
constexpr double kPi = std::numbers::pi;

bool sanitized() { return std::getenv("GRIDRNN_SANITIZED") != nullptr; }

MotionOptions options_for(MotionModel model) {
  MotionOptions o;
  o.model = model;
  return o;
}

std::vector<Arena> all_shapes() {
  return {Arena::named("square"), Arena::named("rectangle"), Arena::named("hexagon"),
          Arena::named("triangle"), Arena::named("circle"),
          // concave: an L with a narrow corridor and a spike, area 4-ish
          Arena::polygon({{-1, -1}, {1, -1}, {1, 0}, {-0.6, 0.1}, {-0.6, 1}, {-1, 1}})};
}

// Checks every position and every move of a batch stays inside; returns the number of steps.
std::size_t expect_contained(const Batch& batch, const Arena& arena, const std::string& what) {
  const std::size_t T = batch.steps, B = batch.trials;
  std::size_t outside = 0, bad_moves = 0;
  for (std::size_t m = 0; m < B; ++m) {
    arena::Point previous{batch.positions[m * 2], batch.positions[m * 2 + 1]};
    if (!arena.contains(previous)) ++outside;
    for (std::size_t t = 1; t <= T; ++t) {
      const arena::Point p{batch.positions[(t * B + m) * 2], batch.positions[(t * B + m) * 2 + 1]};
      if (!arena.contains(p)) ++outside;
      if (!arena.segment_inside(previous, p)) ++bad_moves;
      previous = p;
    }
  }
  EXPECT_EQ(outside, 0u) << what;
  EXPECT_EQ(bad_moves, 0u) << what;
  return T * B;
}

constexpr MotionModel kAllModels[] = {MotionModel::kPaper, MotionModel::kRodent,
                                      MotionModel::kSorscher};

TEST(Motion, MillionStepsStayInsideEveryArenaForEveryModel) {
  // sorscher at its defaults: about 0.16% of the reference's moves would leave a 2 m box.
  const std::size_t trials = sanitized() ? 50 : 1000, steps = sanitized() ? 400 : 1000;
  for (const MotionModel model : kAllModels) {
    for (const Arena& arena : all_shapes()) {
      MotionOptions o = options_for(model);
      o.start = StartPosition::kUniform;
      if (model == MotionModel::kRodent) o.rodent.dt = 0.5;  // fast: many wall contacts
      const Batch batch = generate_batch(arena, o, Encoding::kSpeedCosSin, 3, 0, trials, steps);
      const std::size_t checked =
          expect_contained(batch, arena, arena.name() + " " + motion_model_name(model));
      EXPECT_EQ(checked, trials * steps);
    }
  }
}

TEST(Motion, StaysInsideWhenAStepIsLongerThanTheArena) {
  // Steps up to 5 units in a 0.5-wide square and a thin comb: the fallback must end every step.
  MotionOptions o;
  o.paper.v_max = 5.0;
  o.paper.p_still = 0.0;
  for (const Arena& arena :
       {Arena::square(0.5),
        Arena::polygon({{0, 0}, {3, 0}, {3, 1}, {2.9, 1}, {2.9, 0.1}, {0.1, 0.1}, {0.1, 1}, {0, 1}})}) {
    const Batch batch = generate_batch(arena, o, Encoding::kSpeedAngle, 5, 0, 20, 500);
    expect_contained(batch, arena, "long steps");
    o.model = MotionModel::kRodent;
    o.rodent.speed_mean = 20.0;
    expect_contained(generate_batch(arena, o, Encoding::kSpeedAngle, 5, 0, 20, 500), arena,
                     "fast rodent");
    o.model = MotionModel::kSorscher;
    o.sorscher.speed_scale = 100.0;  // Rayleigh scale 2 units per step
    expect_contained(generate_batch(arena, o, Encoding::kSpeedAngle, 5, 0, 20, 500), arena,
                     "fast sorscher");
    o.model = MotionModel::kPaper;
  }
}

TEST(Motion, ZeroSpeedFractionMatchesPStill) {
  const std::size_t trials = sanitized() ? 100 : 1000, steps = 500;
  for (const double p_still : {0.9, 0.5}) {
    MotionOptions o;
    o.paper.p_still = p_still;
    const Batch batch = generate_batch(Arena::named("square"), o, Encoding::kSpeedAngle, 11, 0,
                                       trials, steps);
    double zero = 0;
    std::vector<double> moving;
    for (const double s : batch.speeds) {
      if (s == 0.0) ++zero;
      else moving.push_back(s);
    }
    const double n = static_cast<double>(batch.speeds.size());
    EXPECT_NEAR(zero / n, p_still, 3.0 * std::sqrt(p_still * (1 - p_still) / n));
    // Moving speeds ~ Uniform(0, v_max).
    const double d = testing::ks_statistic(moving, [&](double s) { return s / o.paper.v_max; });
    EXPECT_GT(testing::ks_p_value(d, moving.size()), 0.01);
  }
}

TEST(Motion, PaperTurnIncrementsAreNormalWithTurnSd) {
  // In an arena far larger than the path, no turn is ever re-drawn: increments ~ N(0, turn_sd^2).
  MotionOptions o;
  o.paper.p_still = 0.5;
  Rng rng(21, Stream::kTest, 0, 0);
  const Path path = simulate_path(Arena::square(1e6), o, rng, sanitized() ? 20000 : 100000);
  std::vector<double> turns;
  for (std::size_t t = 1; t < path.steps(); ++t) turns.push_back(path.headings[t] - path.headings[t - 1]);
  const double sd = o.paper.turn_sd;
  const double d = testing::ks_statistic(turns, [&](double x) { return testing::normal_cdf(x / sd); });
  EXPECT_GT(testing::ks_p_value(d, turns.size()), 0.01) << "D = " << d;
  // The test can fail: a wrong SD is rejected.
  const double d_wrong =
      testing::ks_statistic(turns, [&](double x) { return testing::normal_cdf(x / (1.1 * sd)); });
  EXPECT_LT(testing::ks_p_value(d_wrong, turns.size()), 1e-6);
}

TEST(Motion, RodentTurnsAndSpeedsFollowTheirStationaryDistributions) {
  // One sample per independent path (samples within a path are correlated), far from walls.
  const MotionOptions o = options_for(MotionModel::kRodent);
  const RodentMotion& m = o.rodent;
  const std::size_t paths = sanitized() ? 1000 : 4000;
  std::vector<double> turns, speeds, next_turns;
  for (std::size_t i = 0; i < paths; ++i) {
    Rng rng(5, Stream::kTest, 1, i);
    const Path path = simulate_path(Arena::square(1e6), o, rng, 30);
    turns.push_back(path.headings[20] - path.headings[19]);
    next_turns.push_back(path.headings[21] - path.headings[20]);
    speeds.push_back(path.speeds[20]);
  }
  // Turn per step = w dt with w ~ N(0, sd^2) (stationary OU).
  const double turn_sd = m.rotational_velocity_sd * kPi / 180.0 * m.dt;
  double d = testing::ks_statistic(turns, [&](double x) { return testing::normal_cdf(x / turn_sd); });
  EXPECT_GT(testing::ks_p_value(d, turns.size()), 0.01) << "turns D = " << d;
  // Speed per step ~ Rayleigh with mean speed_mean dt: F(s) = 1 - exp(-s^2 / (2 sigma^2)).
  const double sigma = m.speed_mean * m.dt / std::sqrt(kPi / 2);
  d = testing::ks_statistic(speeds, [&](double s) { return 1 - std::exp(-s * s / (2 * sigma * sigma)); });
  EXPECT_GT(testing::ks_p_value(d, speeds.size()), 0.01) << "speeds D = " << d;
  // OU coherence: lag-1 correlation of the turns is exp(-dt / tau).
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < paths; ++i) {
    sxy += turns[i] * next_turns[i];
    sxx += turns[i] * turns[i];
    syy += next_turns[i] * next_turns[i];
  }
  const double expected = std::exp(-m.dt / m.rotational_velocity_coherence_time);
  EXPECT_NEAR(sxy / std::sqrt(sxx * syy), expected, 4.0 * (1 - expected * expected) / std::sqrt(paths));
}

TEST(Motion, RodentWallRepulsionKeepsItOffTheWalls) {
  // With repulsion the animal spends less time within 2 cm of a wall than without.
  MotionOptions o = options_for(MotionModel::kRodent);
  o.start = StartPosition::kUniform;
  const Arena arena = Arena::square(1.0);
  const auto near_wall_fraction = [&](double strength) {
    o.rodent.wall_repel_strength = strength;
    const Batch b = generate_batch(arena, o, Encoding::kVelocity, 9, 0, 50, sanitized() ? 400 : 2000);
    double near = 0;
    for (std::size_t i = 0; i < b.positions.size(); i += 2) {
      if (arena.nearest_wall({b.positions[i], b.positions[i + 1]}).distance < 0.02) ++near;
    }
    return near / static_cast<double>(b.positions.size() / 2);
  };
  EXPECT_LT(near_wall_fraction(1.0), 0.7 * near_wall_fraction(0.0));
}

// Rayleigh CDF with scale sigma.
double rayleigh_cdf(double s, double sigma) {
  return 1.0 - std::exp(-s * s / (2.0 * sigma * sigma));
}

double lag1_correlation(const std::vector<double>& x) {
  double mean = 0;
  for (const double v : x) mean += v;
  mean /= static_cast<double>(x.size());
  double sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxx += (x[i] - mean) * (x[i] - mean);
    if (i + 1 < x.size()) sxy += (x[i] - mean) * (x[i + 1] - mean);
  }
  return sxy / sxx;
}

// One long sorscher path in an arena far larger than it: no step is near a wall. 10^5 steps also
// under sanitizers (cheap), so the power checks keep their power.
Path free_sorscher_path(std::size_t steps) {
  Rng rng(31, Stream::kTest, 2, 0);
  return simulate_path(Arena::square(1e6), options_for(MotionModel::kSorscher), rng, steps);
}

TEST(Motion, SorscherSpeedsAwayFromWallsAreRayleighIidPerStep) {
  const SorscherMotion m;
  const Path path = free_sorscher_path(100000);
  const double sigma = m.speed_scale * m.dt;  // 0.0163 arena units (= m) per step
  const double d =
      testing::ks_statistic(path.speeds, [&](double s) { return rayleigh_cdf(s, sigma); });
  const double p = testing::ks_p_value(d, path.speeds.size());
  ::testing::Test::RecordProperty("speed_ks_D", std::to_string(d));
  ::testing::Test::RecordProperty("speed_ks_p", std::to_string(p));
  EXPECT_GT(p, 0.01) << "D = " << d;
  // The test can fail: a 3% larger scale is rejected.
  const double d_wrong =
      testing::ks_statistic(path.speeds, [&](double s) { return rayleigh_cdf(s, 1.03 * sigma); });
  EXPECT_LT(testing::ks_p_value(d_wrong, path.speeds.size()), 1e-6) << "D = " << d_wrong;
  // i.i.d. per step: no correlation between consecutive speeds (unlike rodent's smooth speed).
  const double r = lag1_correlation(path.speeds);
  ::testing::Test::RecordProperty("speed_lag1", std::to_string(r));
  EXPECT_NEAR(r, 0.0, 4.0 / std::sqrt(static_cast<double>(path.steps())));
}

TEST(Motion, SorscherTurnsAwayFromWallsAreNormalIidPerStep) {
  const SorscherMotion m;
  const Path path = free_sorscher_path(100000);
  std::vector<double> turns;
  for (std::size_t t = 1; t < path.steps(); ++t)
    turns.push_back(path.headings[t] - path.headings[t - 1]);
  const double sd = m.angular_velocity_sd * m.dt;  // 0.2304 rad per step
  const double n = static_cast<double>(turns.size());
  double mean = 0, square = 0;
  for (const double x : turns) {
    mean += x;
    square += x * x;
  }
  mean /= n;
  const double measured_sd = std::sqrt(square / n - mean * mean);
  ::testing::Test::RecordProperty("turn_mean", std::to_string(mean));
  ::testing::Test::RecordProperty("turn_sd", std::to_string(measured_sd));
  EXPECT_NEAR(mean, 0.0, 4.0 * sd / std::sqrt(n));
  EXPECT_NEAR(measured_sd, sd, 4.0 * sd / std::sqrt(2.0 * n));
  const double d =
      testing::ks_statistic(turns, [&](double x) { return testing::normal_cdf(x / sd); });
  const double p = testing::ks_p_value(d, turns.size());
  ::testing::Test::RecordProperty("turn_ks_D", std::to_string(d));
  ::testing::Test::RecordProperty("turn_ks_p", std::to_string(p));
  EXPECT_GT(p, 0.01) << "D = " << d;
  // The test can fail: a 5% larger SD is rejected (KS is less sharp for a scale than the SD is).
  const double d_wrong =
      testing::ks_statistic(turns, [&](double x) { return testing::normal_cdf(x / (1.05 * sd)); });
  EXPECT_LT(testing::ks_p_value(d_wrong, turns.size()), 1e-6) << "D = " << d_wrong;
  const double r = lag1_correlation(turns);
  ::testing::Test::RecordProperty("turn_lag1", std::to_string(r));
  EXPECT_NEAR(r, 0.0, 4.0 / std::sqrt(n));
}

TEST(Motion, SorscherSlowsToAQuarterAndTurnsAwayWhenFacingANearWall) {
  // Every step of many paths is classified here from the path alone: p[t] within border_region
  // of its nearest wall and h[t] heading towards it (angle a to the direction of the wall's
  // closest point, |a| < pi/2). Those steps must turn h[t+1] - h[t] = sign(a) (pi/2 - |a|) +
  // N(0, (sd dt)^2) and have speed ~ Rayleigh(sigma / 4); the other steps full Rayleigh(sigma).
  // Speeds are checked only where a move of 6 scales (a draw above it has probability 1.5e-8)
  // along h[t] stays inside: closer to a wall, the larger draws bounce off it and the bounce
  // changes h[t], so the steps classified by h[t] would lack them.
  MotionOptions o = options_for(MotionModel::kSorscher);
  o.start = StartPosition::kUniform;
  const SorscherMotion& m = o.sorscher;
  const double sigma = m.speed_scale * m.dt, sd = m.angular_velocity_sd * m.dt;
  const std::size_t trials = sanitized() ? 40 : 200, steps = sanitized() ? 500 : 2000;
  for (const Arena& arena : all_shapes()) {
    std::vector<double> facing_speeds, facing_residuals, facing_raw_turns, other_speeds;
    std::size_t facing = 0;
    for (std::size_t trial = 0; trial < trials; ++trial) {
      Rng path_rng(8, Stream::kTest, 4, trial);
      const Path path = simulate_path(arena, o, path_rng, steps);
      for (std::size_t t = 0; t + 1 < path.steps(); ++t) {
        const arena::Point p = path.positions[t];
        const arena::WallDistance wall = arena.nearest_wall(p);
        const double h = path.headings[t];
        const auto fits = [&](double reach) {
          return arena.segment_inside(p, {p.x + reach * std::cos(h), p.y + reach * std::sin(h)});
        };
        if (wall.distance < 1e-9) continue;  // on the wall: direction from the wall's normal
        const double theta = std::atan2(wall.closest.y - p.y, wall.closest.x - p.x);
        const double a = std::remainder(h - theta, 2.0 * kPi);
        if (wall.distance >= m.border_region || std::abs(a) >= kPi / 2) {
          if (fits(6.0 * sigma)) other_speeds.push_back(path.speeds[t]);
          continue;
        }
        ++facing;
        const double turn = path.headings[t + 1] - h;
        const double sign = a > 0 ? 1.0 : -1.0;
        facing_residuals.push_back(turn - sign * (kPi / 2 - std::abs(a)));
        facing_raw_turns.push_back(turn);
        if (fits(0.25 * 6.0 * sigma)) facing_speeds.push_back(path.speeds[t]);
      }
    }
    const std::string what = arena.name() + ": " + std::to_string(facing) +
                             " steps facing a near wall, " + std::to_string(facing_speeds.size()) +
                             " with speeds checked";
    ASSERT_GT(facing_speeds.size(), sanitized() ? 200u : 2000u) << what;
    const auto rayleigh = [](double scale) {
      return [scale](double s) { return rayleigh_cdf(s, scale); };
    };
    const auto normal = [sd](double x) { return testing::normal_cdf(x / sd); };
    const double d_speed = testing::ks_statistic(facing_speeds, rayleigh(0.25 * sigma));
    const double d_turn = testing::ks_statistic(facing_residuals, normal);
    const double d_other = testing::ks_statistic(other_speeds, rayleigh(sigma));
    ::testing::Test::RecordProperty(arena.name() + "_facing_steps", std::to_string(facing));
    ::testing::Test::RecordProperty(arena.name() + "_facing_speeds_checked",
                                    std::to_string(facing_speeds.size()));
    ::testing::Test::RecordProperty(arena.name() + "_facing_speed_ks_D", std::to_string(d_speed));
    ::testing::Test::RecordProperty(arena.name() + "_facing_turn_ks_D", std::to_string(d_turn));
    ::testing::Test::RecordProperty(arena.name() + "_other_speed_ks_D", std::to_string(d_other));
    const double p_speed = testing::ks_p_value(d_speed, facing_speeds.size());
    const double p_turn = testing::ks_p_value(d_turn, facing_residuals.size());
    const double p_other = testing::ks_p_value(d_other, other_speeds.size());
    ::testing::Test::RecordProperty(arena.name() + "_facing_speed_ks_p", std::to_string(p_speed));
    ::testing::Test::RecordProperty(arena.name() + "_facing_turn_ks_p", std::to_string(p_turn));
    ::testing::Test::RecordProperty(arena.name() + "_other_speed_ks_p", std::to_string(p_other));
    // 18 checks at a fixed seed, hence the loose level.
    EXPECT_GT(p_speed, 0.001) << what << ", D = " << d_speed;
    EXPECT_GT(p_turn, 0.001) << what << ", D = " << d_turn;
    EXPECT_GT(p_other, 0.001) << what << ", D = " << d_other;
    // The test can fail: full speed at the wall, or no turn away, is rejected.
    EXPECT_LT(testing::ks_p_value(testing::ks_statistic(facing_speeds, rayleigh(sigma)),
                                  facing_speeds.size()),
              1e-6)
        << what;
    EXPECT_LT(testing::ks_p_value(testing::ks_statistic(facing_raw_turns, normal),
                                  facing_raw_turns.size()),
              1e-6)
        << what;
  }
}

TEST(Motion, StepsMatchSpeedsAndHeadings) {
  for (const MotionModel model : kAllModels) {
    for (const Arena& arena : all_shapes()) {
      Rng rng(2, Stream::kTest, 3, 4);
      const Path path = simulate_path(arena, options_for(model), rng, 2000);
      for (std::size_t t = 0; t < path.steps(); ++t) {
        const auto& p = path.positions[t];
        const auto& q = path.positions[t + 1];
        ASSERT_NEAR(q.x, p.x + path.speeds[t] * std::cos(path.headings[t]), 1e-12) << arena.name();
        ASSERT_NEAR(q.y, p.y + path.speeds[t] * std::sin(path.headings[t]), 1e-12) << arena.name();
        ASSERT_GE(path.speeds[t], 0.0);
      }
    }
  }
}

TEST(Motion, CentreStartAndUniformStart) {
  const Arena hex = Arena::named("hexagon");
  MotionOptions o;
  const Batch centre = generate_batch(hex, o, Encoding::kSpeedAngle, 1, 0, 10, 5);
  for (std::size_t m = 0; m < 10; ++m) {
    EXPECT_NEAR(centre.positions[m * 2], 0.0, 1e-12);
    EXPECT_NEAR(centre.positions[m * 2 + 1], 0.0, 1e-12);
  }
  o.start = StartPosition::kUniform;
  const Batch uniform = generate_batch(hex, o, Encoding::kSpeedAngle, 1, 0, 10, 5);
  EXPECT_NE(uniform.positions[0], uniform.positions[2]);
}

TEST(Batch, SameTrialWhateverTheThreadCountAndKeyedByUpdateAndTrial) {
  const Arena arena = Arena::named("triangle");
  const MotionOptions o;
  set_thread_count(1);
  const Batch one = generate_batch(arena, o, Encoding::kSpeedCosSin, 42, 7, 33, 200);
  set_thread_count(2);
  const Batch two = generate_batch(arena, o, Encoding::kSpeedCosSin, 42, 7, 33, 200);
  set_thread_count(0);
  EXPECT_EQ(one.positions, two.positions);
  EXPECT_EQ(one.inputs, two.inputs);
  EXPECT_EQ(one.targets, two.targets);
  // Trial m of update k is Rng(seed, kPaths, k, m), independent of the batch size.
  Rng rng(42, Stream::kPaths, 7, 5);
  const Path path5 = simulate_path(arena, o, rng, 200);
  for (std::size_t t = 0; t < 200; ++t) EXPECT_EQ(one.speeds[t * 33 + 5], path5.speeds[t]);
  const Batch other_update = generate_batch(arena, o, Encoding::kSpeedCosSin, 42, 8, 33, 200);
  EXPECT_NE(one.positions, other_update.positions);
  const Batch validation =
      generate_batch(arena, o, Encoding::kSpeedCosSin, 42, 7, 33, 200, Stream::kValidation);
  EXPECT_NE(one.positions, validation.positions);
}

TEST(Batch, EncodingsAndTargets) {
  const Arena arena = Arena::named("square");
  MotionOptions o;
  o.paper.p_still = 0.3;
  for (const Encoding e : {Encoding::kSpeedAngle, Encoding::kSpeedCosSin, Encoding::kVelocity}) {
    const Batch b = generate_batch(arena, o, e, 3, 0, 8, 300);
    ASSERT_EQ(b.input_size, input_size(e));
    ASSERT_EQ(b.inputs.size(), 300u * 8u * b.input_size);
    for (std::size_t i = 0; i < 300 * 8; ++i) {
      const double s = b.speeds[i], h = b.headings[i];
      const float* in = &b.inputs[i * b.input_size];
      if (e == Encoding::kSpeedAngle) {
        EXPECT_FLOAT_EQ(in[0], static_cast<float>(s));
        EXPECT_GE(in[1], 0.0f);
        EXPECT_LT(in[1], static_cast<float>(2 * kPi));
        EXPECT_NEAR(std::cos(in[1]), std::cos(h), 1e-6);
        EXPECT_NEAR(std::sin(in[1]), std::sin(h), 1e-6);
      } else if (e == Encoding::kSpeedCosSin) {
        EXPECT_FLOAT_EQ(in[1], static_cast<float>(std::cos(h)));
        EXPECT_FLOAT_EQ(in[2], static_cast<float>(std::sin(h)));
      } else {
        EXPECT_FLOAT_EQ(in[0], static_cast<float>(s * std::cos(h)));
        EXPECT_FLOAT_EQ(in[1], static_cast<float>(s * std::sin(h)));
      }
      // target at step t is the position after the step: positions[t+1].
      EXPECT_EQ(b.targets[i * 2], static_cast<float>(b.positions[(i + 8) * 2]));
      EXPECT_EQ(b.targets[i * 2 + 1], static_cast<float>(b.positions[(i + 8) * 2 + 1]));
    }
  }
  float out[2];
  encode_step(Encoding::kSpeedAngle, 0.1, -kPi / 2, out);
  EXPECT_FLOAT_EQ(out[1], static_cast<float>(1.5 * kPi));
  encode_step(Encoding::kSpeedAngle, 0.1, 4 * kPi + 0.25, out);
  EXPECT_NEAR(out[1], 0.25, 1e-6);
  EXPECT_EQ(parse_encoding("velocity"), Encoding::kVelocity);
  EXPECT_THROW(parse_encoding("polar"), UserError);
}

TEST(MotionOptions, ConfigAndValidation) {
  auto read = [](const std::string& text) {
    auto config = io::ConfigReader::from_string(text, "m.toml");
    MotionOptions o = MotionOptions::from_config(config.section("motion"));
    config.finish();
    return o;
  };
  EXPECT_EQ(read("").model, MotionModel::kPaper);
  EXPECT_DOUBLE_EQ(read("[motion]\np_still = 0.5\nstart = \"uniform\"\n").paper.p_still, 0.5);
  EXPECT_EQ(read("[motion]\nstart = \"uniform\"\n").start, StartPosition::kUniform);
  EXPECT_DOUBLE_EQ(read("[motion]\nmodel = \"rodent\"\ndt = 0.1\n").rodent.dt, 0.1);
  const auto message = [&](const std::string& text) {
    try {
      read(text);
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string("<no UserError>");
  };
  EXPECT_NE(message("[motion]\np_still = 1.5\n").find("motion.p_still"), std::string::npos);
  EXPECT_NE(message("[motion]\np_still = 1.5\n").find("1.5"), std::string::npos);
  EXPECT_NE(message("[motion]\nmodel = \"bee\"\n").find("rodent"), std::string::npos);
  EXPECT_NE(message("[motion]\nv_max = true\n").find("must be a number"), std::string::npos);
  EXPECT_NE(message("[motion]\nmodel = \"rodent\"\np_still = 0.5\n").find("motion.p_still"),
            std::string::npos);  // a paper key under the rodent model is unknown
  EXPECT_NE(message("[motion]\nturn_sdd = 0.1\n").find("unknown key"), std::string::npos);
  MotionOptions bad;
  bad.paper.v_max = -1;
  EXPECT_THROW(bad.validate(), UserError);
  bad = MotionOptions{};
  bad.rodent.wall_repel_strength = 2;
  EXPECT_THROW(bad.validate(), UserError);
}

TEST(MotionOptions, SorscherKeysAreReadAndABadValueNamesTheKey) {
  auto read = [](const std::string& text) {
    auto config =
        io::ConfigReader::from_string("[motion]\nmodel = \"sorscher\"\n" + text, "m.toml");
    MotionOptions o = MotionOptions::from_config(config.section("motion"));
    config.finish();
    return o;
  };
  const MotionOptions defaults = read("");
  EXPECT_EQ(defaults.model, MotionModel::kSorscher);
  EXPECT_EQ(motion_model_name(defaults.model), "sorscher");
  EXPECT_DOUBLE_EQ(defaults.sorscher.dt, 0.02);
  EXPECT_DOUBLE_EQ(defaults.sorscher.speed_scale, 0.13 * 2 * kPi);
  EXPECT_DOUBLE_EQ(defaults.sorscher.angular_velocity_sd, 11.52);
  EXPECT_DOUBLE_EQ(defaults.sorscher.border_region, 0.03);
  EXPECT_DOUBLE_EQ(defaults.sorscher.border_speed_factor, 0.25);
  EXPECT_DOUBLE_EQ(defaults.sorscher.units_per_metre, 1.0);
  const MotionOptions set = read(
      "dt = 0.01\nspeed_scale = 0.5\nangular_velocity_sd = 6\nborder_region = 0.05\n"
      "border_speed_factor = 0.5\nunits_per_metre = 2\nstart = \"uniform\"\n");
  EXPECT_DOUBLE_EQ(set.sorscher.dt, 0.01);
  EXPECT_DOUBLE_EQ(set.sorscher.speed_scale, 0.5);
  EXPECT_DOUBLE_EQ(set.sorscher.angular_velocity_sd, 6.0);
  EXPECT_DOUBLE_EQ(set.sorscher.border_region, 0.05);
  EXPECT_DOUBLE_EQ(set.sorscher.border_speed_factor, 0.5);
  EXPECT_DOUBLE_EQ(set.sorscher.units_per_metre, 2.0);
  EXPECT_EQ(set.start, StartPosition::kUniform);
  const auto message = [&](const std::string& text) {
    try {
      read(text);
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string("<no UserError>");
  };
  for (const auto& [text, key, value] : std::vector<std::array<std::string, 3>>{
           {"dt = 0\n", "motion.dt", "0"},
           {"dt = 61\n", "motion.dt", "61"},
           {"speed_scale = -0.1\n", "motion.speed_scale", "-0.1"},
           {"angular_velocity_sd = -1\n", "motion.angular_velocity_sd", "-1"},
           {"border_region = -0.03\n", "motion.border_region", "-0.03"},
           {"border_speed_factor = 1.5\n", "motion.border_speed_factor", "1.5"},
           {"units_per_metre = 0\n", "motion.units_per_metre", "0"},
           {"speed_scale = \"fast\"\n", "motion.speed_scale", "must be a number"}}) {
    const std::string m = message(text);
    EXPECT_NE(m.find(key), std::string::npos) << text << " -> " << m;
    EXPECT_NE(m.find(value), std::string::npos) << text << " -> " << m;
  }
  // Keys of the other models are unknown under sorscher (rodent's rotational_velocity_sd is in
  // degrees/s; sorscher's angular_velocity_sd in rad/s).
  EXPECT_NE(message("rotational_velocity_sd = 660\n").find("unknown key"), std::string::npos);
  EXPECT_NE(message("p_still = 0.5\n").find("motion.p_still"), std::string::npos);
  // validate() names the field and the model.
  MotionOptions bad;
  bad.sorscher.border_speed_factor = 2;
  try {
    bad.validate();
    ADD_FAILURE() << "no UserError";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("border_speed_factor"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("sorscher"), std::string::npos) << e.what();
  }
  bad = MotionOptions{};
  bad.sorscher.dt = std::nan("");
  EXPECT_THROW(bad.validate(), UserError);
}

}  // namespace
}  // namespace gridrnn::trajectory

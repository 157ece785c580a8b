#include "gridrnn/trajectory/motion.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "gridrnn/core/error.hpp"
#include "gridrnn/io/config.hpp"

namespace gridrnn::trajectory {

namespace {

constexpr double kPi = std::numbers::pi;

// The heading h' equivalent to `angle` that is closest to h, so headings stay unwrapped.
double turn_to(double h, double angle) {
  return h + std::remainder(angle - h, 2.0 * kPi);
}

Point start_point(const arena::Arena& arena, StartPosition start, Rng& rng) {
  return start == StartPosition::kCentre ? arena.centre() : arena.sample_uniform(rng);
}

Point step_to(Point p, double speed, double heading) {
  return {p.x + speed * std::cos(heading), p.y + speed * std::sin(heading)};
}

void simulate_paper(Path& path, const arena::Arena& arena, const MotionOptions& options, Rng& rng,
                    std::size_t steps) {
  const PaperMotion& m = options.paper;
  Point p = start_point(arena, options.start, rng);
  double heading = rng.uniform(0.0, 2.0 * kPi);
  path.positions[0] = p;
  for (std::size_t t = 0; t < steps; ++t) {
    // Fixed draw order per step (turn, still?, speed) keeps paths reproducible.
    const double turn = m.turn_sd * rng.normal();
    double speed = rng.bernoulli(m.p_still) ? 0.0 : rng.uniform(0.0, m.v_max);
    double next_heading = heading + turn;
    Point q = p;
    if (speed > 0.0) {
      q = step_to(p, speed, next_heading);
      if (!arena.segment_inside(p, q)) {
        bool fits = false;
        double sd = m.turn_sd;
        for (int k = 1; k <= m.max_redraws && !fits; ++k) {
          sd *= m.redraw_growth;
          next_heading = heading + sd * rng.normal();
          q = step_to(p, speed, next_heading);
          fits = arena.segment_inside(p, q);
        }
        // Deterministic fallback: evenly spaced headings, smallest turns first.
        for (int j = 1; j <= PaperMotion::kFallbackHeadings / 2 && !fits; ++j) {
          for (const int sign : {+1, -1}) {
            next_heading = heading + sign * j * (2.0 * kPi / PaperMotion::kFallbackHeadings);
            q = step_to(p, speed, next_heading);
            fits = arena.segment_inside(p, q);
            if (fits) break;
          }
        }
        if (!fits) {  // no direction fits one step: stay put this step
          speed = 0.0;
          next_heading = heading + turn;
          q = p;
        }
      }
    }
    heading = next_heading;
    p = q;
    path.headings[t] = heading;
    path.speeds[t] = speed;
    path.positions[t + 1] = p;
  }
}

// Inward unit normal of the arena's nearest wall at p.
Point inward_normal(const arena::Arena& arena, Point p, const arena::WallDistance& wall) {
  if (wall.distance > 1e3 * arena.tolerance()) {
    const double sign = arena.contains(p) ? 1.0 : -1.0;
    return {sign * (p.x - wall.closest.x) / wall.distance,
            sign * (p.y - wall.closest.y) / wall.distance};
  }
  if (arena.is_circle()) return {-wall.closest.x / arena.radius(), -wall.closest.y / arena.radius()};
  const arena::Segment& s = arena.walls()[wall.wall];
  const double length = std::hypot(s.b.x - s.a.x, s.b.y - s.a.y);
  return {-(s.b.y - s.a.y) / length, (s.b.x - s.a.x) / length};
}

// The hard guarantee of the rodent model (and the sorscher model's fallback), for a move v from p
// (inside) whose end point p + v is outside or whose segment crosses a wall: v is reflected off the
// wall nearest to the attempted end point and the heading turns to it; if the move still leaves,
// v is halved up to kMaxHalvings times, then set to zero. Returns the new end point p + v.
constexpr int kMaxHalvings = 30;

Point keep_inside(const arena::Arena& arena, Point p, Point& v, double& heading) {
  const arena::WallDistance hit = arena.nearest_wall({p.x + v.x, p.y + v.y});
  const Point n = inward_normal(arena, hit.closest, {0.0, hit.wall, hit.closest});
  const double along = v.x * n.x + v.y * n.y;
  if (along < 0.0) v = {v.x - 2.0 * along * n.x, v.y - 2.0 * along * n.y};
  if (v.x != 0.0 || v.y != 0.0) heading = turn_to(heading, std::atan2(v.y, v.x));
  Point q{p.x + v.x, p.y + v.y};
  for (int halvings = 0; halvings < kMaxHalvings && !arena.segment_inside(p, q); ++halvings) {
    v = {0.5 * v.x, 0.5 * v.y};
    q = {p.x + v.x, p.y + v.y};
  }
  if (!arena.segment_inside(p, q)) {
    v = {0.0, 0.0};
    q = p;
  }
  return q;
}

void simulate_rodent(Path& path, const arena::Arena& arena, const MotionOptions& options, Rng& rng,
                     std::size_t steps) {
  const RodentMotion& m = options.rodent;
  const double rotation_sd = m.rotational_velocity_sd * kPi / 180.0;  // rad/s
  const double decay_rotation = std::exp(-m.dt / m.rotational_velocity_coherence_time);
  const double kick_rotation = rotation_sd * std::sqrt(1.0 - decay_rotation * decay_rotation);
  const double decay_speed = std::exp(-m.dt / m.speed_coherence_time);
  const double kick_speed = std::sqrt(1.0 - decay_speed * decay_speed);
  // Rayleigh with scale sigma has mean sigma sqrt(pi/2); in arena units per step.
  const double rayleigh_scale =
      m.speed_mean / std::sqrt(kPi / 2.0) * m.units_per_metre * m.dt;
  const double repel_distance = m.wall_repel_distance * m.units_per_metre;

  Point p = start_point(arena, options.start, rng);
  double heading = rng.uniform(0.0, 2.0 * kPi);
  double rotation = rotation_sd * rng.normal();  // stationary start
  double speed_z = rng.normal();
  path.positions[0] = p;
  for (std::size_t t = 0; t < steps; ++t) {
    rotation = decay_rotation * rotation + kick_rotation * rng.normal();
    speed_z = decay_speed * speed_z + kick_speed * rng.normal();
    heading += rotation * m.dt;
    // speed = F^{-1}(Phi(z)) with F the Rayleigh CDF: sigma sqrt(-2 ln(1 - Phi(z))), and
    // 1 - Phi(z) = erfc(z / sqrt 2) / 2 computed directly (no cancellation for large z).
    const double tail = 0.5 * std::erfc(std::min(speed_z, 8.0) / std::numbers::sqrt2);
    const double speed = rayleigh_scale * std::sqrt(-2.0 * std::log(tail));
    Point v{speed * std::cos(heading), speed * std::sin(heading)};

    const arena::WallDistance wall = arena.nearest_wall(p);
    if (repel_distance > 0.0 && wall.distance < repel_distance && speed > 0.0) {
      const Point n = inward_normal(arena, p, wall);
      const double toward = -(v.x * n.x + v.y * n.y);
      if (toward > 0.0) {
        const double factor = m.wall_repel_strength * (1.0 - wall.distance / repel_distance);
        v = {v.x + factor * toward * n.x, v.y + factor * toward * n.y};
        if (v.x != 0.0 || v.y != 0.0) heading = turn_to(heading, std::atan2(v.y, v.x));
      }
    }
    Point q{p.x + v.x, p.y + v.y};
    if (!arena.segment_inside(p, q)) q = keep_inside(arena, p, v, heading);
    path.speeds[t] = std::sqrt(v.x * v.x + v.y * v.y);
    path.headings[t] = heading;
    path.positions[t + 1] = q;
    p = q;
  }
}

// Wall avoidance of the sorscher model at p with heading h, given p's nearest wall: whether p is
// within `border` of it and heading towards it, and if so the turn away, sign(a) (pi/2 - |a|),
// where a is the angle from the direction towards the wall to h (the reference's rule).
struct WallAvoidance {
  bool facing = false;
  double turn = 0.0;
};

WallAvoidance avoid_wall(const arena::Arena& arena, Point p, double heading,
                         const arena::WallDistance& wall, double border) {
  if (!(wall.distance < border)) return {};
  const Point n = inward_normal(arena, p, wall);
  const double c = std::cos(heading), s = std::sin(heading);
  // Direction towards the wall u = -n; a = atan2(u x h, u . h).
  const double along = -(n.x * c + n.y * s);
  if (!(along > 0.0)) return {};  // |a| >= pi/2: heading along or away from the wall
  const double a = std::atan2(-(n.x * s - n.y * c), along);
  const double sign = static_cast<double>((a > 0.0) - (a < 0.0));  // as numpy's sign: 0 at 0
  return {true, sign * (kPi / 2.0 - std::abs(a))};
}

void simulate_sorscher(Path& path, const arena::Arena& arena, const MotionOptions& options,
                       Rng& rng, std::size_t steps) {
  const SorscherMotion& m = options.sorscher;
  const double rayleigh_scale = m.speed_scale * m.dt * m.units_per_metre;  // arena units per step
  const double turn_sd = m.angular_velocity_sd * m.dt;                     // radians per step
  const double border = m.border_region * m.units_per_metre;

  Point p = start_point(arena, options.start, rng);
  double heading = rng.uniform(0.0, 2.0 * kPi);
  path.positions[0] = p;
  for (std::size_t t = 0; t < steps; ++t) {
    // Fixed draw order per step (speed, turn noise) keeps paths reproducible.
    double speed = rayleigh_scale * std::sqrt(-2.0 * std::log(rng.uniform()));
    const double noise = turn_sd * rng.normal();
    const arena::WallDistance wall = arena.nearest_wall(p);
    WallAvoidance avoid = avoid_wall(arena, p, heading, wall, border);
    if (avoid.facing) speed *= m.border_speed_factor;
    Point q = step_to(p, speed, heading);
    if (!arena.segment_inside(p, q)) {
      // Bounce: an end point outside is mirrored back across the wall nearest to it (where a
      // specular bounce at that wall would end), and the step becomes the straight move from p
      // to there.
      if (!arena.contains(q)) {
        const arena::WallDistance hit = arena.nearest_wall(q);
        const Point n = inward_normal(arena, hit.closest, {0.0, hit.wall, hit.closest});
        const double depth = (hit.closest.x - q.x) * n.x + (hit.closest.y - q.y) * n.y;
        q = {q.x + 2.0 * depth * n.x, q.y + 2.0 * depth * n.y};
      }
      Point v{q.x - p.x, q.y - p.y};
      if (v.x != 0.0 || v.y != 0.0) heading = turn_to(heading, std::atan2(v.y, v.x));
      // Still leaving (a corner, a concave polygon, a step longer than the arena): rodent's rule.
      if (!arena.segment_inside(p, q)) q = keep_inside(arena, p, v, heading);
      speed = std::sqrt(v.x * v.x + v.y * v.y);
      // The wall turn is decided again for the heading actually moved along.
      avoid.turn = avoid_wall(arena, p, heading, wall, border).turn;
    }
    path.speeds[t] = speed;
    path.headings[t] = heading;
    path.positions[t + 1] = q;
    p = q;
    heading += avoid.turn + noise;
  }
}

}  // namespace

const std::vector<std::string>& MotionOptions::model_names() {
  static const std::vector<std::string> names{"paper", "rodent", "sorscher"};
  return names;
}

MotionModel parse_motion_model(const std::string& name) {
  if (name == "paper") return MotionModel::kPaper;
  if (name == "rodent") return MotionModel::kRodent;
  if (name == "sorscher") return MotionModel::kSorscher;
  throw_user_error("unknown motion model '{}'; allowed: paper, rodent, sorscher", name);
}

std::string motion_model_name(MotionModel model) {
  switch (model) {
    case MotionModel::kPaper: return "paper";
    case MotionModel::kRodent: return "rodent";
    case MotionModel::kSorscher: return "sorscher";
  }
  return "?";
}

void MotionOptions::validate() const {
  const auto check = [](bool ok, const char* field, double value, const char* rule) {
    if (!ok) throw_user_error("motion option {} = {} is invalid: must be {}", field, value, rule);
  };
  const auto finite = [](double v) { return std::isfinite(v); };
  check(finite(paper.turn_sd) && paper.turn_sd >= 0.0, "turn_sd", paper.turn_sd, ">= 0");
  check(paper.p_still >= 0.0 && paper.p_still <= 1.0, "p_still", paper.p_still, "in [0, 1]");
  check(finite(paper.v_max) && paper.v_max > 0.0, "v_max", paper.v_max, "> 0");
  check(finite(paper.redraw_growth) && paper.redraw_growth >= 1.0 && paper.redraw_growth <= 10.0,
        "redraw_growth", paper.redraw_growth, "in [1, 10]");
  check(paper.max_redraws >= 0 && paper.max_redraws <= 1000, "max_redraws", paper.max_redraws,
        "in [0, 1000]");
  check(finite(rodent.dt) && rodent.dt > 0.0, "dt", rodent.dt, "> 0 seconds");
  check(finite(rodent.speed_mean) && rodent.speed_mean > 0.0, "speed_mean", rodent.speed_mean,
        "> 0 m/s");
  check(finite(rodent.speed_coherence_time) && rodent.speed_coherence_time > 0.0,
        "speed_coherence_time", rodent.speed_coherence_time, "> 0 s");
  check(finite(rodent.rotational_velocity_sd) && rodent.rotational_velocity_sd >= 0.0,
        "rotational_velocity_sd", rodent.rotational_velocity_sd, ">= 0 degrees/s");
  check(finite(rodent.rotational_velocity_coherence_time) &&
            rodent.rotational_velocity_coherence_time > 0.0,
        "rotational_velocity_coherence_time", rodent.rotational_velocity_coherence_time, "> 0 s");
  check(finite(rodent.wall_repel_distance) && rodent.wall_repel_distance >= 0.0,
        "wall_repel_distance", rodent.wall_repel_distance, ">= 0 m");
  check(rodent.wall_repel_strength >= 0.0 && rodent.wall_repel_strength <= 1.0,
        "wall_repel_strength", rodent.wall_repel_strength, "in [0, 1]");
  check(finite(rodent.units_per_metre) && rodent.units_per_metre > 0.0, "units_per_metre",
        rodent.units_per_metre, "> 0");
  // The sorscher keys dt and units_per_metre share their names with rodent's: say whose.
  const auto check_sorscher = [](bool ok, const char* field, double value, const char* rule) {
    if (!ok) {
      throw_user_error("motion option {} = {} (model sorscher) is invalid: must be {}", field,
                       value, rule);
    }
  };
  const SorscherMotion& s = sorscher;
  check_sorscher(finite(s.dt) && s.dt > 0.0, "dt", s.dt, "> 0 seconds");
  check_sorscher(finite(s.speed_scale) && s.speed_scale > 0.0, "speed_scale", s.speed_scale,
                 "> 0 m/s");
  check_sorscher(finite(s.angular_velocity_sd) && s.angular_velocity_sd >= 0.0,
                 "angular_velocity_sd", s.angular_velocity_sd, ">= 0 rad/s");
  check_sorscher(finite(s.border_region) && s.border_region >= 0.0, "border_region",
                 s.border_region, ">= 0 m");
  check_sorscher(s.border_speed_factor >= 0.0 && s.border_speed_factor <= 1.0,
                 "border_speed_factor", s.border_speed_factor, "in [0, 1]");
  check_sorscher(finite(s.units_per_metre) && s.units_per_metre > 0.0, "units_per_metre",
                 s.units_per_metre, "> 0");
}

MotionOptions MotionOptions::from_config(const io::ConfigReader& section) {
  MotionOptions o;
  constexpr double kBig = 1e6;
  o.model = parse_motion_model(section.choice("model", "paper", model_names(),
                                              "motion model: paper (Cueva & Wei's generator), "
                                              "rodent (RatInABox-like) or sorscher (Sorscher "
                                              "et al.'s place-cell RNN generator)"));
  o.start = section.choice("start", "centre", {"centre", "uniform"},
                           "start position: the arena's centre, or uniform inside") == "centre"
                ? StartPosition::kCentre
                : StartPosition::kUniform;
  if (o.model == MotionModel::kPaper) {
    PaperMotion& m = o.paper;
    m.turn_sd = section.number("turn_sd", m.turn_sd, 0.0, 2.0 * kPi,
                               "SD of the heading turn per step (radians)");
    m.p_still = section.number("p_still", m.p_still, 0.0, 1.0,
                               "probability that a step has speed zero");
    m.v_max = section.number("v_max", m.v_max, 0.0, kBig,
                             "moving speed ~ Uniform(0, v_max), arena units per step", true);
    m.redraw_growth = section.number("redraw_growth", m.redraw_growth, 1.0, 10.0,
                                     "factor by which the turn SD grows per re-draw at a wall");
    m.max_redraws = static_cast<int>(section.integer(
        "max_redraws", m.max_redraws, 0, 1000,
        "random re-draws at a wall before the deterministic fallback (72 evenly spaced headings)"));
  } else if (o.model == MotionModel::kRodent) {
    RodentMotion& m = o.rodent;
    m.dt = section.number("dt", m.dt, 0.0, 60.0, "seconds per network step", true);
    m.speed_mean = section.number("speed_mean", m.speed_mean, 0.0, kBig,
                                  "mean speed, m/s (Rayleigh distributed)", true);
    m.speed_coherence_time = section.number("speed_coherence_time", m.speed_coherence_time, 0.0,
                                            kBig, "speed correlation time, s", true);
    m.rotational_velocity_sd = section.number("rotational_velocity_sd", m.rotational_velocity_sd,
                                              0.0, 1e5, "SD of the rotational velocity, degrees/s");
    m.rotational_velocity_coherence_time =
        section.number("rotational_velocity_coherence_time", m.rotational_velocity_coherence_time,
                       0.0, kBig, "rotational velocity correlation time, s", true);
    m.wall_repel_distance = section.number("wall_repel_distance", m.wall_repel_distance, 0.0,
                                           kBig, "walls closer than this repel, m");
    m.wall_repel_strength = section.number("wall_repel_strength", m.wall_repel_strength, 0.0, 1.0,
                                           "0 = no repulsion, 1 = no velocity into a wall at contact");
    m.units_per_metre = section.number("units_per_metre", m.units_per_metre, 0.0, kBig,
                                       "arena units per metre", true);
  } else {
    // Defaults: trajectory_generator.py of ganguli-lab/grid-pattern-formation (Sorscher et al.).
    SorscherMotion& m = o.sorscher;
    m.dt =
        section.number("dt", m.dt, 0.0, 60.0, "seconds per network step (reference: 0.02)", true);
    m.speed_scale = section.number("speed_scale", m.speed_scale, 0.0, kBig,
                                   "Rayleigh scale of the speed, m/s, drawn i.i.d. per step "
                                   "(reference: 0.13 * 2 pi)",
                                   true);
    m.angular_velocity_sd = section.number(
        "angular_velocity_sd", m.angular_velocity_sd, 0.0, 1e5,
        "SD of the rotational velocity, rad/s, i.i.d. per step; turn = dt * that (reference: "
        "5.76 * 2)");
    m.border_region = section.number("border_region", m.border_region, 0.0, kBig,
                                     "closer than this to the nearest wall and heading towards "
                                     "it: slow down and turn away, m (reference: 0.03)");
    m.border_speed_factor = section.number(
        "border_speed_factor", m.border_speed_factor, 0.0, 1.0,
        "speed factor in the border region when heading towards the wall (reference: 0.25)");
    m.units_per_metre = section.number("units_per_metre", m.units_per_metre, 0.0, kBig,
                                       "arena units per metre", true);
  }
  o.validate();
  return o;
}

void simulate_path(Path& path, const arena::Arena& arena, const MotionOptions& options, Rng& rng,
                   std::size_t steps) {
  path.positions.resize(steps + 1);
  path.headings.resize(steps);
  path.speeds.resize(steps);
  switch (options.model) {
    case MotionModel::kPaper: simulate_paper(path, arena, options, rng, steps); break;
    case MotionModel::kRodent: simulate_rodent(path, arena, options, rng, steps); break;
    case MotionModel::kSorscher: simulate_sorscher(path, arena, options, rng, steps); break;
  }
}

Path simulate_path(const arena::Arena& arena, const MotionOptions& options, Rng& rng,
                   std::size_t steps) {
  Path path;
  simulate_path(path, arena, options, rng, steps);
  return path;
}

}  // namespace gridrnn::trajectory

#pragma once
// Motion models: how the simulated animal moves through an arena (docs/paper.md "Task").
//
// Time convention (docs/design.md, "Arenas and motion"): a path of T steps has positions
// p[0..T] (p[0] the start); step t (0..T-1) moves p[t] -> p[t+1] = p[t] + s[t] (cos h[t], sin h[t])
// with speed s[t] (arena units per step) and heading h[t] (radians, unwrapped). The network input
// at step t encodes (s[t], h[t]) and its target is p[t+1]. Every position and every straight move
// between consecutive positions lies inside the arena, whatever the model.
#include <cstddef>
#include <numbers>
#include <string>
#include <vector>

#include "gridrnn/arena/arena.hpp"
#include "gridrnn/core/rng.hpp"

namespace gridrnn::io {
class ConfigReader;
}

namespace gridrnn::trajectory {

using arena::Point;

enum class MotionModel { kPaper, kRodent, kSorscher };
enum class StartPosition { kCentre, kUniform };

// `paper`: the author's generator for Cueva & Wei (2018). Per step: turn ~ N(0, turn_sd^2) added
// to the heading; speed = 0 with probability p_still, else Uniform(0, v_max). If the move would
// leave the arena, the turn is re-drawn from N(0, (turn_sd * redraw_growth^k)^2) for k = 1 ..
// max_redraws; if none fits, the headings h + j * 2pi/72 are tried in order of increasing |turn|
// (j = +1, -1, +2, -2, ...); if still none fits (an arena smaller than one step) the animal stays
// put for that step. So a step costs at most max_redraws + 72 tries: it can never loop forever.
struct PaperMotion {
  double turn_sd = 1.0 / 3.0;   // radians per step (author's code)
  double p_still = 0.9;         // zero-speed fraction (paper: "e.g. 90% of the time")
  double v_max = 0.2;           // arena units per step (author's code, square [-1, 1]^2)
  double redraw_growth = 1.25;  // SD factor per re-draw at a wall
  int max_redraws = 40;
  static constexpr int kFallbackHeadings = 72;
};

// `rodent`: RatInABox-like (George et al. 2024), in physical units; one network step = dt
// seconds and one arena unit = 1 / units_per_metre metres.
// - rotational velocity w: Ornstein-Uhlenbeck, mean 0, SD rotational_velocity_sd, coherence time
//   tau_w, sampled exactly: w <- w e^{-dt/tau_w} + sd sqrt(1 - e^{-2 dt/tau_w}) N(0,1);
//   heading h <- h + w dt.
// - speed: z follows the same OU form with SD 1 and coherence speed_coherence_time; speed =
//   F_Rayleigh^{-1}(Phi(z)) with Rayleigh scale speed_mean / sqrt(pi/2), so the speed is smooth
//   and exactly Rayleigh-distributed with mean speed_mean.
// - soft wall repulsion: within wall_repel_distance of the nearest wall, the velocity component
//   towards it is reduced by the factor 1 - wall_repel_strength (1 - d / wall_repel_distance)
//   (with strength 1: none left at contact, the animal slides along the wall) and the heading turns
//   to the new velocity.
// - hard guarantee: a move that would still leave the arena is reflected off the nearest wall;
//   if that fails too the step is halved up to 30 times, then the animal stays put.
struct RodentMotion {
  double dt = 0.05;                                  // seconds per network step
  double speed_mean = 0.08;                          // m/s (RatInABox default)
  double speed_coherence_time = 0.7;                 // s
  double rotational_velocity_sd = 120.0;             // degrees/s
  double rotational_velocity_coherence_time = 0.08;  // s
  double wall_repel_distance = 0.1;                  // m
  double wall_repel_strength = 1.0;                  // 0 = no repulsion, 1 = full stop at the wall
  double units_per_metre = 1.0;                      // arena units per metre
};

// `sorscher`: the trajectory generator of the place-cell RNN code of Sorscher et al.
// (ganguli-lab/grid-pattern-formation, trajectory_generator.py), in physical units; one network
// step = dt seconds and one arena unit = 1 / units_per_metre metres. Per step t, in this order of
// random draws:
// - speed v ~ Rayleigh(speed_scale) m/s and rotational velocity w ~ N(0, angular_velocity_sd^2)
//   rad/s, both i.i.d. per step (no coherence). (angular_velocity_sd is named apart from rodent's
//   rotational_velocity_sd, which is in degrees/s.)
// - wall avoidance, decided from p[t] and h[t]: d = distance to the arena's nearest wall, a = the
//   angle from the direction towards that wall (towards its closest point; on the wall, its
//   outward normal) to h[t], in (-pi, pi]. If d < border_region and |a| < pi/2 (heading towards
//   the wall), the step is slowed, s[t] = border_speed_factor v dt, and the next heading turns
//   away, h[t+1] = h[t] + sign(a) (pi/2 - |a|) + w dt (parallel to the wall, plus noise);
//   otherwise s[t] = v dt and h[t+1] = h[t] + w dt. As in the reference, the slowed step still
//   moves along h[t]: the turn takes effect from the next step.
// - hard guarantee (the reference has none: about 0.16% of its moves leave a 2 m box): an end
//   point outside the arena is mirrored back across the wall nearest to it (where a specular
//   bounce would end) and the step becomes the straight move from p[t] there, h[t] its direction
//   (the wall turn is then decided again for it). If that move still leaves (corners, concave
//   polygons, steps longer than the arena), rodent's guarantee follows: reflect the move off the
//   wall nearest to its end, halve it up to 30 times, then stay put for that step.
struct SorscherMotion {
  double dt = 0.02;                                   // seconds per network step
  double speed_scale = 0.13 * 2.0 * std::numbers::pi;  // m/s, Rayleigh scale (mean 1.02 m/s)
  double angular_velocity_sd = 11.52;                 // rad/s (reference: sigma = 5.76 * 2)
  double border_region = 0.03;                        // m
  double border_speed_factor = 0.25;                  // speed factor facing a near wall
  double units_per_metre = 1.0;                       // arena units per metre
};

struct MotionOptions {
  MotionModel model = MotionModel::kPaper;
  StartPosition start = StartPosition::kCentre;
  PaperMotion paper;
  RodentMotion rodent;
  SorscherMotion sorscher;

  // Throws UserError naming the field, its value and the rule.
  void validate() const;
  // Reads a `[motion]` config section: model, start, and the chosen model's keys.
  static MotionOptions from_config(const io::ConfigReader& section);
  static const std::vector<std::string>& model_names();  // "paper", "rodent", "sorscher"
};

MotionModel parse_motion_model(const std::string& name);  // UserError listing the names
std::string motion_model_name(MotionModel model);

// One trial's path (see the time convention above).
struct Path {
  std::vector<Point> positions;  // (T+1) positions, positions[0] the start
  std::vector<double> headings;  // (T) radians, unwrapped (cumulative turns)
  std::vector<double> speeds;    // (T) arena units per step, >= 0
  std::size_t steps() const { return speeds.size(); }
};

// Simulates `steps` steps; all randomness comes from rng (key it by what the path is for).
// `path` is resized and overwritten (pass the same object to reuse its memory).
void simulate_path(Path& path, const arena::Arena& arena, const MotionOptions& options, Rng& rng,
                   std::size_t steps);
Path simulate_path(const arena::Arena& arena, const MotionOptions& options, Rng& rng,
                   std::size_t steps);

}  // namespace gridrnn::trajectory

// `gridrnn simulate`: generate paths in an arena (or read a recorded one) and write them, with the
// network inputs, as NPY files (runs/simulate.hpp). Flags override the config file; the effective
// config is saved.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <memory>
#include <string>

#include "command.hpp"
#include "gridrnn/arena/arena.hpp"
#include "gridrnn/core/error.hpp"
#include "gridrnn/core/threads.hpp"
#include "gridrnn/runs/simulate.hpp"
#include "gridrnn/trajectory/motion.hpp"
#include "gridrnn/trajectory/simulation.hpp"

namespace gridrnn::app {
namespace {

struct SimulateCommand {
  runs::SimulateRequest request;
  std::string origin;  // --origin X,Y (with --recorded)
  int threads = 0;
};

constexpr std::int64_t kMaxSteps = trajectory::SimulationSettings::kMaxSteps;

// --origin X,Y: two finite numbers.
trajectory::RecordedOptions recorded_options(const std::string& origin) {
  trajectory::RecordedOptions options;
  if (origin.empty()) return options;
  const auto comma = origin.find(',');
  double xy[2] = {0.0, 0.0};
  bool ok = comma != std::string::npos;
  for (int k = 0; k < 2 && ok; ++k) {
    const std::string part = k == 0 ? origin.substr(0, comma) : origin.substr(comma + 1);
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), xy[k]);
    ok = !part.empty() && ec == std::errc() && end == part.data() + part.size() &&
         std::isfinite(xy[k]);
  }
  if (!ok) {
    throw_user_error("--origin '{}': give the arena's centre in the recorded file's coordinates as "
                     "two numbers X,Y, e.g. --origin 50,50",
                     origin);
  }
  options.origin = {xy[0], xy[1]};
  return options;
}

int run_simulate(const SimulateCommand& command) {
  set_thread_count(command.threads);
  runs::SimulateRequest request = command.request;
  request.recorded_options = recorded_options(command.origin);
  const runs::SimulateResult r = runs::simulate_into(request);
  for (const auto& warning : r.warnings) std::fprintf(stderr, "gridrnn: warning: %s\n", warning.c_str());
  std::printf("simulated %zu path(s) x %zu steps in the %s arena (%s motion, %s inputs)\n", r.trials, r.steps,
              r.arena.c_str(), r.motion.c_str(), r.encoding.c_str());
  std::printf("results in %s: positions.npy (T+1, B, 2), headings.npy (T, B), speeds.npy (T, B), "
              "inputs.npy (T, B, %zu) with inputs.json (its encoding, arena and motion), config.toml, "
              "paths.png\n",
              request.out.c_str(), r.input_size);
  return 0;
}

Registration reg{{"simulate", "Generate paths in an arena and write positions, headings, speeds "
                              "and network inputs (NPY)",
                  20, [](CLI::App& sub) -> Runner {
  auto command = std::make_shared<SimulateCommand>();
  runs::SimulateRequest* o = &command->request;
  sub.add_option("--config", o->config,
                 "TOML config with [arena], [motion] and [simulate] sections, or a whole run config "
                 "(e.g. RUN/config.toml: the paths that run trains on; see docs/cli.md); flags "
                 "override it")
      ->type_name("FILE");
  sub.add_option("--arena", o->arena,
                 "arena shape with its default size (area 4); overrides [arena] shape")
      ->check(CLI::IsMember(arena::Arena::shape_names()))
      ->default_str("square");
  sub.add_option("--motion", o->motion, "motion model; overrides [motion] model")
      ->check(CLI::IsMember(trajectory::MotionOptions::model_names()))
      ->default_str("paper");
  sub.add_option("--encoding", o->encoding, "network input encoding; overrides [simulate] encoding")
      ->check(CLI::IsMember(trajectory::encoding_names()))
      ->default_str("speed_angle");
  sub.add_option("--steps", o->steps, "steps per path T; overrides [simulate] steps")
      ->check(CLI::Range(std::int64_t{1}, kMaxSteps))
      ->default_str("500");
  sub.add_option("--trials", o->trials, "number of paths B; overrides [simulate] trials")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1'000'000}))
      ->default_str("500");
  sub.add_option("--seed", o->seed, "random seed; overrides [simulate] seed")
      ->check(CLI::NonNegativeNumber)
      ->default_str("1");
  auto* recorded = sub.add_option("--recorded", o->recorded,
                 "instead of simulating, read one recorded path from a CSV (header t,x,y or x,y; "
                 "one row per step) and write its speeds, headings and inputs; --steps, --trials, "
                 "--seed and --motion do not apply")
      ->type_name("CSV");
  sub.add_option("--origin", command->origin,
                 "with --recorded: the arena's centre in the CSV's coordinates, subtracted from "
                 "every point (arenas are centred at 0,0), e.g. 50,50 for a 100 x 100 box tracked "
                 "from its corner")
      ->type_name("X,Y")
      ->needs(recorded);
  sub.add_option("--out", o->out, "output folder (must not exist or be empty)")
      ->required()
      ->type_name("DIR");
  add_threads_option(sub, command->threads);
  return [command]() { return run_simulate(*command); };
}}};

}  // namespace
}  // namespace gridrnn::app

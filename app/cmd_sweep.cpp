// `gridrnn sweep SWEEP.toml --out DIR`: the sweep itself is runs/sweep.hpp; this file parses the
// options and prints the sweep's progress lines.
#include <cstdio>
#include <memory>
#include <string>

#include "command.hpp"
#include "gridrnn/core/threads.hpp"
#include "gridrnn/runs/sweep.hpp"

namespace gridrnn::app {
namespace {

struct SweepCommand {
  std::string sweep_file;
  std::string out;
  int threads = 0;
};

int run_sweep(const SweepCommand& o) {
  set_thread_count(o.threads);
  return runs::run_sweep(o.sweep_file, o.out, [](const std::string& line) {
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  });
}

Registration reg{{"sweep", "Train a grid of config overrides x seeds (one run folder each; MPI: runs "
                           "spread over ranks) and summarize them in summary.csv",
                  35, [](CLI::App& sub) -> Runner {
  auto o = std::make_shared<SweepCommand>();
  sub.add_option("sweep", o->sweep_file,
                 "sweep TOML: base = \"config.toml\" (relative to the sweep file), seeds = [1, 2], "
                 "[set] overrides for every run, [grid] key = [values...] (see docs/scaling.md)")
      ->required()
      ->type_name("SWEEP.toml");
  sub.add_option("--out", o->out, "sweep folder: a run folder per run, status/, summary.csv "
                                  "(an earlier sweep's folder: finished runs are skipped)")
      ->required()
      ->type_name("DIR");
  add_threads_option(sub, o->threads);
  return [o]() { return run_sweep(*o); };
}}};

}  // namespace
}  // namespace gridrnn::app

// `gridrnn reproduce [--quick] --out DIR`: the experiments of docs/paper.md "Experiments" in one command.
// Trains every planned run (DIR/runs/<name>/, ordinary run folders: analyze/plot work on them),
// analyzes each, then the development (Fig. 4) and error-correction (Fig. 6) experiments on the
// square's first seed, and writes DIR/results.md with the tables, figures and a verdict per
// research question computed from the numbers by fixed rules (stated in the file). Running it
// again on the same DIR skips finished runs and resumes interrupted ones.
// The plan, the folder, the figures and results.md are runs/reproduce.hpp and
// runs/reproduce_results.hpp; this file parses the options, runs them in order and prints.
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "command.hpp"
#include "gridrnn/analysis/population.hpp"
#include "gridrnn/core/threads.hpp"
#include "gridrnn/io/files.hpp"
#include "gridrnn/runs/reproduce.hpp"
#include "gridrnn/runs/reproduce_results.hpp"
#include "gridrnn/runs/run_analysis.hpp"
#include "gridrnn/runs/run_config.hpp"
#include "gridrnn/train/trainer.hpp"

namespace gridrnn::app {
namespace {
namespace fs = std::filesystem;

struct ReproduceCommand {
  std::string out;
  bool quick = false;
  bool prepare = false;
  std::vector<std::string> overrides;
  std::vector<std::string> only;
  int threads = 0;
};

int run_reproduce(const ReproduceCommand& o) {
  set_thread_count(o.threads);
  const auto start = std::chrono::steady_clock::now();
  const runs::ReproducePlan plan = runs::make_plan(o.quick, o.overrides, o.only);
  const fs::path out(o.out);
  runs::check_plan_and_folder(out, plan);
  runs::prepare_folder(out, plan);
  std::printf("reproducing the experiments of docs/paper.md (%s scale) into %s: %zu training runs\n", o.quick ? "quick" : "full",
              out.c_str(), plan.runs.size());
  for (const auto& name : plan.left_out) std::printf("  left out (--only): %s\n", name.c_str());
  for (const auto& line : plan.departures) std::printf("  departs from the paper: %s\n", line.c_str());
  for (const auto& line : plan.choices) std::printf("  choice: %s\n", line.c_str());
  std::fflush(stdout);
  if (o.prepare) {  // the run folders only, to be trained elsewhere (e.g. one cluster job each)
    std::printf("run folders ready; train each (in any order, anywhere that sees the folder):\n");
    for (const runs::PlannedRun& planned : plan.runs) {
      const fs::path dir = out / "runs" / planned.name;
      const runs::RunConfig config = runs::open_or_create_run(dir, "", planned.overrides);
      const bool done = train::Trainer(dir, config.experiment).updates_done() >= config.experiment.train.updates;
      std::printf("  gridrnn train --resume %s%s\n", dir.c_str(), done ? "   (already trained)" : "");
    }
    std::string sets;
    for (const auto& assignment : o.overrides) sets += " --set '" + assignment + "'";
    for (const auto& name : o.only) sets += " --only " + name;
    std::printf("(or `mpirun -np K gridrnn train --resume ...` with the MPI build), then write results.md with:\n"
                "  gridrnn reproduce%s --out %s%s\n",
                o.quick ? " --quick" : "", out.c_str(), sets.c_str());
    return 0;
  }

  std::vector<runs::RunOutcome> outcomes;
  std::optional<runs::Development> development;
  std::optional<runs::ErrorCorrection> errors;
  for (const runs::PlannedRun& planned : plan.runs) {
    runs::AnalyzedRun analyzed;
    const runs::RunOutcome r = runs::train_and_analyze(out, planned, analyzed, [&](const std::string& state) {
      std::printf("== %s (%s, %s, seed %lld): %s\n", planned.name.c_str(), planned.arena.c_str(),
                  planned.condition.c_str(), static_cast<long long>(planned.seed), state.c_str());
      std::fflush(stdout);
    });
    std::printf("   validation position error %.4f (centre %.4f, ratio %.3f); classes:", r.validation_rms,
                r.baseline_rms, r.validation_rms / r.baseline_rms);
    for (analysis::UnitClass c : analysis::kUnitClasses)
      std::printf(" %s %d", analysis::to_string(c).c_str(), r.counts[static_cast<std::size_t>(c)]);
    std::printf("\n   train %.0f s, analysis %.0f s; report: %s\n", r.train_seconds, r.analysis_seconds,
                r.report.c_str());
    std::fflush(stdout);
    outcomes.push_back(r);
    if (planned.name == runs::kDevelopmentRun) {  // square, seed 1: development and error correction
      const fs::path dir = out / "runs" / planned.name;
      std::printf("== development: analyzing the snapshots of %s\n", planned.name.c_str());
      std::fflush(stdout);
      development = runs::analyze_development(dir, analyzed);
      std::printf("   border units reach 90%% of their final score at update %s (median of %zu), grid units at %s "
                  "(median of %zu)\n",
                  runs::update_text(development->border_90).c_str(), development->border_units,
                  runs::update_text(development->grid_90).c_str(), development->grid_units);
      runs::write_development_figure(out / "figures" / "development.png", *development);
      runs::write_tsne_figure(out / "figures" / "tsne.png", *development);
      const runs::RunConfig config = runs::open_run(dir, {});
      std::printf("== error correction: one path of %lld x %lld steps\n", static_cast<long long>(plan.long_path_factor),
                  static_cast<long long>(config.experiment.task.steps));
      std::fflush(stdout);
      errors = runs::run_error_correction(dir, config, plan.long_path_factor, plan.error_window);
      std::printf("   network below the best constant output in %.1f%% of %zu windows (%.0f s)\n",
                  100 * errors->windows_below_constant, errors->network_mse.size(), errors->seconds);
      runs::write_error_figure(out / "figures" / "error_correction.png", *errors);
    }
  }
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::string md = runs::results_markdown(plan, outcomes, development, errors, total, thread_count());
  io::write_file_atomic(out / "results.md", md);
  std::printf("\n%s\nresults: %s\n", md.c_str(), (out / "results.md").c_str());
  return 0;
}

Registration reg{{"reproduce", "Run the paper's experiments (arenas, ablations, development, error correction) "
                               "and write DIR/results.md",
                  60, [](CLI::App& sub) -> Runner {
  auto o = std::make_shared<ReproduceCommand>();
  sub.add_option("--out", o->out, "folder for runs/, figures/ and results.md (new, empty, or an earlier "
                                  "reproduction at the same scale: finished runs are skipped)")
      ->required()
      ->type_name("DIR");
  sub.add_flag("--quick", o->quick, "reduced scale: 16.5 minutes measured on 2 quiet cores (departures "
                                    "from the paper are printed and written to results.md)");
  sub.add_flag("--prepare", o->prepare,
               "only create the run folders and print a `gridrnn train --resume` command for each (to train them "
               "elsewhere, e.g. in parallel on a cluster); rerun without --prepare to analyze them and write results.md");
  sub.add_option("--set", o->overrides, "override a config key in every run, after the plan's own (repeatable)")
      ->type_name("SECTION.KEY=VALUE");
  sub.add_option("--only", o->only,
                 "do only this run of the plan (repeatable; square_seed1, hexagon_seed1, triangle_seed1, "
                 "no_noise_seed1, no_still_seed1, no_metabolic_seed1, square_seed2, square_seed3): results.md "
                 "gives the verdicts its runs allow and says \"not run\" for the others; square_seed1 carries the "
                 "development and error-correction experiments")
      ->type_name("NAME");
  add_threads_option(sub, o->threads);
  return [o]() { return run_reproduce(*o); };
}}};

}  // namespace
}  // namespace gridrnn::app

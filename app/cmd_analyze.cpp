// `gridrnn analyze RUN_DIR`: run a trained network on fresh evaluation paths, score every unit
// (analysis/population.hpp), and write RUN_DIR/analysis/, RUN_DIR/figures/ and RUN_DIR/report.html
// in one step that leaves nothing half-written (io::OutputDir on the run folder).
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "command.hpp"
#include "gridrnn/analysis/population.hpp"
#include "gridrnn/core/threads.hpp"
#include "gridrnn/runs/run_analysis.hpp"

namespace gridrnn::app {
namespace {
namespace fs = std::filesystem;

struct AnalyzeCommand {
  std::string run_dir;
  std::vector<std::string> overrides;
  bool no_figures = false;
  bool snapshots = false;
  int threads = 0;
};


int run_analyze(const AnalyzeCommand& o) {
  set_thread_count(o.threads);
  const runs::AnalyzedRun run = runs::analyze_run(o.run_dir, o.overrides, !o.no_figures, o.snapshots);
  const runs::Evaluation& ev = run.evaluation;
  const analysis::PopulationAnalysis& result = run.population;
  const analysis::AnalysisOptions& options = result.options;
  const fs::path run_dir = o.run_dir;
  const runs::DrawnRun& drawn = run.drawn;
  const double total = run.seconds_network + run.seconds_analysis + run.seconds_snapshots + run.seconds_files;
  std::printf("analyzed %zu units on %zu evaluation paths x %zu steps (first %zu left out: %zu scored samples, "
              "%d shuffles per unit) in %.1f s (network %.1f s, analysis %.1f s, files and figures %.1f s)\n",
              ev.units, ev.trials, ev.steps, ev.steps - result.samples / ev.trials, result.samples,
              options.shuffles, total, run.seconds_network, run.seconds_analysis, run.seconds_files);
  std::printf("evaluation position RMS %.4g (baseline, always the arena centre: %.4g)\n", ev.position_rms,
              ev.baseline_rms);
  std::printf("units per class (thresholds: %gth percentile of the pooled shuffles):\n", options.percentile);
  if (drawn.class_lines.empty()) {
    for (analysis::UnitClass c : analysis::kUnitClasses) {
      const int count = result.class_counts[static_cast<int>(c)], maps = result.distinct_maps[static_cast<int>(c)];
      std::printf("  %-15s %4d", analysis::to_string(c).c_str(), count);
      if (maps != count) std::printf(" (%d different map%s)", maps, maps == 1 ? "" : "s");
      std::printf("\n");
    }
  } else {
    for (const std::string& line : drawn.class_lines) std::printf("%s\n", line.c_str());
  }
  if (!run.snapshots.empty()) {
    std::printf("units per class along training (%zu snapshots scored in %.1f s; analysis/snapshots.csv):\n",
                run.snapshots.size() - 1, run.seconds_snapshots);
    std::printf("  %8s %8s", "update", "error");
    for (analysis::UnitClass c : analysis::kUnitClasses) std::printf(" %*s", static_cast<int>(analysis::to_string(c).size()), analysis::to_string(c).c_str());
    std::printf("  (different maps: hexagonal square)\n");
    for (const auto& row : run.snapshots) {
      std::printf("  %8lld %8.4g", static_cast<long long>(row.update), row.position_rms);
      for (std::size_t k = 0; k < analysis::kUnitClasses.size(); ++k)
        std::printf(" %*d", static_cast<int>(analysis::to_string(analysis::kUnitClasses[k]).size()), row.class_counts[k]);
      std::printf("  (%d %d)\n", row.distinct_maps[static_cast<int>(analysis::UnitClass::kGridHexagonal)],
                  row.distinct_maps[static_cast<int>(analysis::UnitClass::kGridSquare)]);
    }
  }
  std::printf("results in %s: analysis/ (rate_maps.npy, autocorr.npy, units.csv, analysis.json, ...)%s\n",
              run_dir.string().c_str(), o.no_figures ? "" : ", figures/");
  if (!o.no_figures) std::printf("report: %s\n", (run_dir / "report.html").string().c_str());
  for (const std::string& stale : run.removed)
    std::printf("removed the earlier %s%s (it showed the previous analysis; `gridrnn plot %s` draws it anew)\n",
                stale.c_str(), stale == "figures" ? "/" : "", run_dir.string().c_str());
  return 0;
}

Registration reg{{"analyze", "Score every unit of a trained run (grid, border, band, direction, speed) "
                             "and write analysis/, figures/ and report.html",
                  40, [](CLI::App& sub) -> Runner {
  auto o = std::make_shared<AnalyzeCommand>();
  sub.add_option("run_dir", o->run_dir, "run folder written by `gridrnn train`")->required()->type_name("RUN_DIR");
  sub.add_option("--set", o->overrides,
                 "override a key of the run's config for this analysis, e.g. analysis.shuffles=20 or "
                 "evaluation.trials=50 (repeatable; config.toml is not changed)")
      ->type_name("SECTION.KEY=VALUE");
  sub.add_flag("--no-figures", o->no_figures,
               "write analysis/ only (no figures/ nor report.html; those of an earlier analysis are "
               "removed)");
  sub.add_flag("--snapshots", o->snapshots,
               "also score every snapshot the run kept (snapshots/update_NNNNNN/, train.snapshot_every), "
               "shuffles included, and write the units per class along training to analysis/snapshots.csv. "
               "Every analyze replaces analysis/ as a whole (a later run without --snapshots drops "
               "snapshots.csv; its --set values apply to the final network too): run last the "
               "analysis whose numbers you keep");
  add_threads_option(sub, o->threads);
  return [o]() { return run_analyze(*o); };
}}};

}  // namespace
}  // namespace gridrnn::app

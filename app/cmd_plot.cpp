// `gridrnn plot RUN_DIR`: redraw RUN_DIR/figures/ and RUN_DIR/report.html from the saved
// RUN_DIR/analysis/ and metrics.jsonl, without recomputing the analysis (e.g. after training
// went on, or to change nothing but the pictures).
#include <cstdio>
#include <memory>
#include <string>

#include "command.hpp"
#include "gridrnn/core/error.hpp"
#include "gridrnn/io/files.hpp"
#include "gridrnn/train/trainer.hpp"
#include "gridrnn/runs/run_config.hpp"
#include "gridrnn/runs/run_report.hpp"

namespace gridrnn::app {
namespace {
namespace fs = std::filesystem;

struct PlotCommand {
  std::string run_dir;
};

int run_plot(const PlotCommand& o) {
  const fs::path run_dir = o.run_dir;
  if (!fs::is_directory(run_dir) || !train::is_run_folder(run_dir)) {
    throw_user_error("'{}' is not a gridrnn run folder (no valid run.json); give the --out folder of "
                     "`gridrnn train`",
                     run_dir.string());
  }
  if (!fs::is_directory(run_dir / "analysis")) {
    throw_user_error("'{}' has no analysis/ folder: run `gridrnn analyze {}` first",
                     run_dir.string(), run_dir.string());
  }
  io::ConfigReader reader = io::ConfigReader::from_file(run_dir / "config.toml");
  const runs::RunConfig config = runs::read_run_config(reader);
  io::OutputDir out(run_dir, /*allow_existing=*/true);
  const runs::DrawnRun drawn = runs::draw_run(run_dir, run_dir / "analysis", out.staging(), config);
  out.commit();
  std::printf("redrew the figures of %zu units from %s/analysis; units per class:\n", drawn.units,
              run_dir.string().c_str());
  for (const std::string& line : drawn.class_lines) std::printf("%s\n", line.c_str());
  std::printf("figures in %s\nreport: %s\n", (run_dir / "figures").string().c_str(),
              (run_dir / "report.html").string().c_str());
  return 0;
}

Registration reg{{"plot", "Redraw a run's figures/ and report.html from its analysis/ (no recomputation)", 45,
                  [](CLI::App& sub) -> Runner {
  auto o = std::make_shared<PlotCommand>();
  sub.add_option("run_dir", o->run_dir, "run folder analyzed by `gridrnn analyze`")->required()->type_name("RUN_DIR");
  return [o]() { return run_plot(*o); };
}}};

}  // namespace
}  // namespace gridrnn::app

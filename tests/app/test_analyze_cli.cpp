// `gridrnn analyze`, `gridrnn plot` and simulate's figure on a tiny trained run.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "gridrnn/io/files.hpp"
#include "gridrnn/io/npy.hpp"
#include "test_helpers.hpp"

namespace gridrnn {
namespace {

namespace fs = std::filesystem;
using testing::run_gridrnn;
using testing::TempDir;

// 8 units, 2 updates; the analysis keys make analyze fast (12 x 50 samples, 240 scored from step 30
// on; 8 x 8 maps, 4 shuffles).
constexpr const char* kTinyRun = R"(
[task]
steps = 30
trials = 16
validation_trials = 8
encoding = "velocity"
[model]
units = 8
initial_state = "from_position"
[train]
updates = 2
[evaluation]
trials = 12
steps = 50
decoded_paths = 3
[analysis]
bins = 8
shuffles = 4
min_shift = 100
)";

class AnalyzeCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    trained_ = std::make_unique<TempDir>();
    io::write_file_atomic(*trained_ / "c.toml", kTinyRun);
    const auto r = run_gridrnn("train --config " + (*trained_ / "c.toml").string() + " --out " +
                               (*trained_ / "run").string());
    ASSERT_EQ(r.status, 0) << r.output;
  }
  static void TearDownTestSuite() { trained_.reset(); }
  // A fresh copy of the trained run for one test.
  fs::path copy_run(const std::string& name = "run") const {
    const fs::path run = dir_ / name;
    fs::copy(*trained_ / "run", run, fs::copy_options::recursive);
    return run;
  }
  static std::unique_ptr<TempDir> trained_;
  TempDir dir_;
};
std::unique_ptr<TempDir> AnalyzeCli::trained_;

std::size_t count_lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST_F(AnalyzeCli, WritesAnalysisFiguresAndReportWithTheDocumentedShapes) {
  const fs::path run = copy_run();
  const auto r = run_gridrnn("analyze " + run.string() + " --threads 2");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("grid_hexagonal"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("grid_score_60 >"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find((run / "report.html").string()), std::string::npos) << r.output;
  const fs::path a = run / "analysis";
  EXPECT_EQ(io::read_npy(a / "rate_maps.npy").shape, (std::vector<std::size_t>{8, 8, 8}));
  EXPECT_EQ(io::read_npy(a / "autocorr.npy").shape, (std::vector<std::size_t>{8, 15, 15}));
  EXPECT_EQ(io::read_npy(a / "direction_tuning.npy").shape, (std::vector<std::size_t>{8, 24}));
  EXPECT_EQ(io::read_npy(a / "speed_tuning.npy").shape, (std::vector<std::size_t>{8, 3}));
  // Scored samples: 12 paths x (50 - 30) steps; evaluation.skip_steps = 30 by default.
  EXPECT_EQ(io::read_npy(a / "speed_samples.npy").shape, (std::vector<std::size_t>{240, 9}));
  EXPECT_EQ(io::read_npy(a / "decoded_paths.npy").shape, (std::vector<std::size_t>{3, 50, 4}));
  // Decoded paths are consecutive steps of one path each (no trial/step mix-up): inside the
  // square arena [-1, 1]^2, successive true positions at most one step (< 0.5) apart.
  const io::NpyArray decoded = io::read_npy(a / "decoded_paths.npy");
  for (std::size_t p = 0; p < 3; ++p) {
    for (std::size_t t = 0; t < 50; ++t) {
      const double* v = &decoded.values[(p * 50 + t) * 4];
      EXPECT_LE(std::abs(v[0]), 1.0 + 1e-9);
      EXPECT_LE(std::abs(v[1]), 1.0 + 1e-9);
      if (t > 0) {
        EXPECT_LT(std::hypot(v[0] - v[-4], v[1] - v[-3]), 0.5) << p << " " << t;
      }
    }
  }
  const std::string units = io::read_file(a / "units.csv");
  EXPECT_EQ(count_lines(units), 9u) << units;  // header + one row per unit
  EXPECT_NE(io::read_file(a / "analysis.json").find("\"samples\": 240"), std::string::npos);
  const std::string evaluation = io::read_file(a / "evaluation.json");
  EXPECT_NE(evaluation.find("\"trials\": 12"), std::string::npos) << evaluation;
  EXPECT_NE(evaluation.find("\"samples\": 600"), std::string::npos) << evaluation;
  EXPECT_NE(evaluation.find("\"skip_steps\": 30"), std::string::npos) << evaluation;
  EXPECT_NE(evaluation.find("\"scored_samples\": 240"), std::string::npos) << evaluation;
  const std::string report = io::read_file(run / "report.html");
  for (const char* figure : {"rate_maps", "autocorrelograms", "direction_tuning", "speed_tuning",
                             "training", "decoded_paths"}) {
    EXPECT_TRUE(fs::exists(run / "figures" / (std::string(figure) + ".png"))) << figure;
  }
  std::size_t images = 0;
  for (std::size_t at = report.find("data:image/png;base64,"); at != std::string::npos;
       at = report.find("data:image/png;base64,", at + 1))
    ++images;
  EXPECT_EQ(images, 6u);
  EXPECT_NE(report.find("validation position RMS"), std::string::npos);
  EXPECT_NE(report.find("shuffles = 4"), std::string::npos);  // the config, verbatim
  // Nothing left behind next to the run (no staging folder).
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_.path())) ++entries;
  EXPECT_EQ(entries, 1u);
}

TEST_F(AnalyzeCli, SameRunGivesTheSameAnalysisWithOneAndTwoThreads) {
  const fs::path one = copy_run("one"), two = copy_run("two");
  ASSERT_EQ(run_gridrnn("analyze --no-figures --threads 1 " + one.string()).status, 0);
  ASSERT_EQ(run_gridrnn("analyze --no-figures --threads 2 " + two.string()).status, 0);
  EXPECT_FALSE(fs::exists(one / "report.html"));
  for (const char* file : {"rate_maps.npy", "units.csv", "analysis.json", "speed_tuning.npy"}) {
    EXPECT_EQ(io::read_file(one / "analysis" / file), io::read_file(two / "analysis" / file)) << file;
  }
}

TEST_F(AnalyzeCli, NoFiguresRemovesTheFiguresAndReportOfAnEarlierAnalysis) {
  const fs::path run = copy_run();
  ASSERT_EQ(run_gridrnn("analyze " + run.string()).status, 0);
  ASSERT_TRUE(fs::exists(run / "report.html"));
  const auto again = run_gridrnn("analyze --no-figures --set analysis.shuffles=2 " + run.string());
  ASSERT_EQ(again.status, 0) << again.output;
  // They showed the first analysis' scores beside the new analysis/.
  EXPECT_FALSE(fs::exists(run / "figures"));
  EXPECT_FALSE(fs::exists(run / "report.html"));
  // A file of the user's in figures/ is kept (and so is the folder), the figures still go.
  ASSERT_EQ(run_gridrnn("plot " + run.string()).status, 0);
  io::write_file_atomic(run / "figures" / "mine.txt", "notes\n");
  const auto kept = run_gridrnn("analyze --no-figures --set analysis.shuffles=2 " + run.string());
  ASSERT_EQ(kept.status, 0) << kept.output;
  EXPECT_EQ(io::read_file(run / "figures" / "mine.txt"), "notes\n");
  for (const auto& entry : fs::directory_iterator(run / "figures")) EXPECT_EQ(entry.path().filename(), "mine.txt");
  EXPECT_FALSE(fs::exists(run / "report.html"));
  EXPECT_NE(again.output.find("removed the earlier figures/"), std::string::npos) << again.output;
  EXPECT_NE(again.output.find("removed the earlier report.html"), std::string::npos) << again.output;
  EXPECT_TRUE(fs::exists(run / "analysis" / "units.csv"));
  // `gridrnn plot` draws them anew from the new analysis.
  EXPECT_EQ(run_gridrnn("plot " + run.string()).status, 0);
  EXPECT_TRUE(fs::exists(run / "report.html"));
}

// The start transient: the scored samples are exactly the steps t >= skip_steps of every path, in
// trial-major order (same network, same evaluation paths and noise with and without skipping).
TEST_F(AnalyzeCli, SkipStepsLeavesOutTheFirstStepsOfEveryPath) {
  const fs::path all = copy_run("all"), skipped = copy_run("skipped");
  ASSERT_EQ(run_gridrnn("analyze --no-figures --set evaluation.skip_steps=0 " + all.string()).status, 0);
  ASSERT_EQ(run_gridrnn("analyze --no-figures --set evaluation.skip_steps=20 " + skipped.string()).status, 0);
  const io::NpyArray a = io::read_npy(all / "analysis/speed_samples.npy");
  const io::NpyArray b = io::read_npy(skipped / "analysis/speed_samples.npy");
  ASSERT_EQ(a.shape, (std::vector<std::size_t>{600, 9}));
  ASSERT_EQ(b.shape, (std::vector<std::size_t>{360, 9}));
  for (std::size_t m = 0; m < 12; ++m) {
    for (std::size_t t = 20; t < 50; ++t) {
      for (std::size_t c = 0; c < 9; ++c) {
        ASSERT_EQ(b.values[(m * 30 + t - 20) * 9 + c], a.values[(m * 50 + t) * 9 + c]) << m << " " << t << " " << c;
      }
    }
  }
  // The position error is over all steps either way.
  const auto rms = [](const fs::path& run) {
    const std::string j = io::read_file(run / "analysis/evaluation.json");
    return j.substr(j.find("\"position_rms\""), 40);
  };
  EXPECT_EQ(rms(all), rms(skipped));
  EXPECT_NE(io::read_file(all / "analysis/rate_maps.npy"), io::read_file(skipped / "analysis/rate_maps.npy"));
}

// skip_steps is checked where an analysis happens, not when a config is read: a run with
// evaluation paths no longer than the default skip trains (and resumes) as before.
TEST_F(AnalyzeCli, ShortEvaluationPathsTrainAndOnlyTheirAnalysisIsRefused) {
  io::write_file_atomic(dir_ / "c.toml", kTinyRun);
  const fs::path run = dir_ / "short";
  const auto trained = run_gridrnn("train --config " + (dir_ / "c.toml").string() +
                                   " --set evaluation.steps=20 --set train.updates=1 --out " + run.string());
  ASSERT_EQ(trained.status, 0) << trained.output;
  const auto resumed = run_gridrnn("train --resume " + run.string());
  EXPECT_EQ(resumed.status, 0) << resumed.output;
  const auto analyzed = run_gridrnn("analyze " + run.string());
  EXPECT_EQ(analyzed.status, 2) << analyzed.output;
  EXPECT_NE(analyzed.output.find("evaluation.skip_steps = 30"), std::string::npos) << analyzed.output;
  EXPECT_NE(analyzed.output.find("evaluation.steps = 20"), std::string::npos) << analyzed.output;
  EXPECT_TRUE(run_gridrnn("analyze --set evaluation.skip_steps=5 --set analysis.min_shift=50 " + run.string()).status == 0);
}

// Without evaluation.steps, the evaluation paths are as long as the training paths (task.steps):
// a network evaluated on longer paths than it saw drifts and looks broken.
TEST_F(AnalyzeCli, EvaluationPathsDefaultToTheTrainingLength) {
  std::string config = kTinyRun;
  config.erase(config.find("steps = 50\n"), std::string("steps = 50\n").size());
  io::write_file_atomic(dir_ / "c.toml", config);
  const fs::path run = dir_ / "default_length";
  const auto trained = run_gridrnn("train --config " + (dir_ / "c.toml").string() +
                                   " --set train.updates=1 --out " + run.string());
  ASSERT_EQ(trained.status, 0) << trained.output;
  const auto analyzed = run_gridrnn("analyze --no-figures --set evaluation.skip_steps=5 --set analysis.min_shift=50 " +
                                    run.string());
  ASSERT_EQ(analyzed.status, 0) << analyzed.output;
  EXPECT_NE(analyzed.output.find("12 evaluation paths x 30 steps"), std::string::npos) << analyzed.output;
  const auto evaluation = nlohmann::json::parse(io::read_file(run / "analysis/evaluation.json"));
  EXPECT_EQ(evaluation.at("steps"), 30);
  // An explicit evaluation.steps still wins.
  const auto longer = run_gridrnn("analyze --no-figures --set evaluation.steps=40 --set analysis.min_shift=50 " +
                                  run.string());
  ASSERT_EQ(longer.status, 0) << longer.output;
  EXPECT_NE(longer.output.find("12 evaluation paths x 40 steps"), std::string::npos) << longer.output;
}

TEST_F(AnalyzeCli, PlotRedrawsFiguresAndReportFromTheSavedAnalysis) {
  const fs::path run = copy_run();
  ASSERT_EQ(run_gridrnn("analyze " + run.string()).status, 0);
  const std::string csv = io::read_file(run / "analysis/units.csv");
  fs::remove_all(run / "figures");
  fs::remove(run / "report.html");
  const auto r = run_gridrnn("plot " + run.string());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("report.html"), std::string::npos) << r.output;
  EXPECT_TRUE(fs::exists(run / "figures/rate_maps.png"));
  EXPECT_TRUE(fs::exists(run / "figures/decoded_paths.png"));
  EXPECT_NE(io::read_file(run / "report.html").find("data:image/png;base64,"), std::string::npos);
  EXPECT_EQ(io::read_file(run / "analysis/units.csv"), csv);  // not recomputed
}

TEST_F(AnalyzeCli, BadInputsExitWithStatus2AndWriteNothing) {
  const auto missing = run_gridrnn("analyze " + (dir_ / "nope").string());
  EXPECT_EQ(missing.status, 2) << missing.output;
  EXPECT_NE(missing.output.find("does not exist"), std::string::npos) << missing.output;

  const fs::path no_network = copy_run("no_network");
  fs::remove_all(no_network / "network");
  const auto r1 = run_gridrnn("analyze " + no_network.string());
  EXPECT_EQ(r1.status, 2) << r1.output;
  EXPECT_NE(r1.output.find("network"), std::string::npos) << r1.output;
  EXPECT_FALSE(fs::exists(no_network / "analysis"));

  const fs::path bad_key = copy_run("bad_key");
  const auto r2 = run_gridrnn("analyze --set analysis.shufles=3 " + bad_key.string());
  EXPECT_EQ(r2.status, 2) << r2.output;
  EXPECT_NE(r2.output.find("analysis.shufles"), std::string::npos) << r2.output;
  EXPECT_FALSE(fs::exists(bad_key / "analysis"));

  const fs::path too_many = copy_run("too_many");
  const auto r6 = run_gridrnn("analyze --set evaluation.skip_steps=50 " + too_many.string());
  EXPECT_EQ(r6.status, 2) << r6.output;
  EXPECT_NE(r6.output.find("evaluation.skip_steps = 50"), std::string::npos) << r6.output;
  EXPECT_NE(r6.output.find("evaluation.steps = 50"), std::string::npos) << r6.output;
  EXPECT_FALSE(fs::exists(too_many / "analysis"));

  // Too few scored samples for the shuffles: 12 x (40 - 30) = 120 <= 2 x 100, refused before the
  // network runs, naming every key that sets the count.
  const fs::path few = copy_run("few");
  const auto r7 = run_gridrnn("analyze --set evaluation.steps=40 " + few.string());
  EXPECT_EQ(r7.status, 2) << r7.output;
  for (const char* key : {"evaluation.trials", "evaluation.steps", "evaluation.skip_steps", "analysis.min_shift",
                          "= 120 scored samples"})
    EXPECT_NE(r7.output.find(key), std::string::npos) << key << "\n" << r7.output;
  EXPECT_FALSE(fs::exists(few / "analysis"));

  const fs::path not_analyzed = copy_run("not_analyzed");
  const auto r3 = run_gridrnn("plot " + not_analyzed.string());
  EXPECT_EQ(r3.status, 2) << r3.output;
  EXPECT_NE(r3.output.find("gridrnn analyze"), std::string::npos) << r3.output;

  // Corrupt rate_maps.npy: plot refuses, and the figures and report of the earlier analysis stay.
  const fs::path corrupt = copy_run("corrupt");
  ASSERT_EQ(run_gridrnn("analyze " + corrupt.string()).status, 0);
  const std::string report = io::read_file(corrupt / "report.html");
  const std::string maps = io::read_file(corrupt / "analysis/rate_maps.npy");
  io::write_file_atomic(corrupt / "analysis/rate_maps.npy", maps.substr(0, maps.size() / 2));
  const auto r4 = run_gridrnn("plot " + corrupt.string());
  EXPECT_EQ(r4.status, 2) << r4.output;
  EXPECT_NE(r4.output.find("rate_maps.npy"), std::string::npos) << r4.output;
  EXPECT_EQ(io::read_file(corrupt / "report.html"), report);
  io::write_file_atomic(corrupt / "analysis/rate_maps.npy", maps);
  io::write_npy(corrupt / "analysis/rate_maps.npy", std::span<const double>(std::vector<double>(7 * 64)),
                {7, 8, 8});
  const auto r5 = run_gridrnn("plot " + corrupt.string());
  EXPECT_EQ(r5.status, 2) << r5.output;
  EXPECT_NE(r5.output.find("(7, 8, 8)"), std::string::npos) << r5.output;
  // No staging folder anywhere.
  for (const auto& e : fs::directory_iterator(dir_.path()))
    EXPECT_EQ(e.path().filename().string().find(".partial"), std::string::npos) << e.path();
}

TEST(SimulateFigure, SimulateDrawsPathsPng) {
  TempDir dir;
  const auto r = run_gridrnn("simulate --arena circle --steps 40 --trials 6 --out " + (dir / "out").string());
  ASSERT_EQ(r.status, 0) << r.output;
  const std::string png = io::read_file(dir / "out/paths.png");
  ASSERT_GT(png.size(), 1000u);
  EXPECT_EQ(png.substr(1, 3), "PNG");
}

}  // namespace
}  // namespace gridrnn

namespace gridrnn {
namespace {

// --snapshots scores every kept network like the final one: one row per snapshot and one for the
// final network in analysis/snapshots.csv, the last row equal to the run's own class counts.
TEST(AnalyzeSnapshots, ScoresEverySnapshotAndTheFinalNetwork) {
  testing::TempDir dir;
  std::string config = kTinyRun;
  config.replace(config.find("updates = 2"), 11, "updates = 3\nsnapshot_every = 1");
  io::write_file_atomic(dir / "c.toml", config);
  auto r = testing::run_gridrnn("train --config " + (dir / "c.toml").string() + " --out " + (dir / "run").string());
  ASSERT_EQ(r.status, 0) << r.output;
  r = testing::run_gridrnn("analyze " + (dir / "run").string() + " --snapshots --no-figures");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("units per class along training"), std::string::npos) << r.output;
  const std::string csv = io::read_file(dir / "run" / "analysis" / "snapshots.csv");
  std::vector<std::string> lines;
  for (std::size_t at = 0, end; (end = csv.find('\n', at)) != std::string::npos; at = end + 1) lines.push_back(csv.substr(at, end - at));
  ASSERT_EQ(lines.size(), 4u) << csv;  // header, updates 1, 2 (snapshots), 3 (snapshot = final)
  EXPECT_EQ(lines[0].rfind("update,position_rms,baseline_rms,grid_hexagonal,", 0), 0u) << lines[0];
  EXPECT_EQ(lines[1].rfind("1,", 0), 0u);
  EXPECT_EQ(lines[3].rfind("3,", 0), 0u);
  // The final row's counts are those of the final network's own classification (units.csv).
  const std::string units = io::read_file(dir / "run" / "analysis" / "units.csv");
  const char* classes[] = {"grid_hexagonal", "grid_square", "border", "band", "ramp", "direction", "speed_only", "irregular"};
  std::string expected;
  for (const char* c : classes) {
    int n = 0;
    for (std::size_t at = 0; (at = units.find(std::string(",") + c + ",", at)) != std::string::npos; ++at) ++n;
    expected += "," + std::to_string(n);
  }
  std::vector<std::string> cells;
  for (std::size_t at = 0, end = 0; end != std::string::npos; at = end + 1) {
    end = lines[3].find(',', at);
    cells.push_back(lines[3].substr(at, end == std::string::npos ? std::string::npos : end - at));
  }
  ASSERT_EQ(cells.size(), 3u + 8u + 2u + 2u) << lines[3];
  std::string got;
  for (std::size_t k = 3; k < 11; ++k) got += "," + cells[k];
  EXPECT_EQ(got, expected) << lines[3];
}

TEST(AnalyzeSnapshots, ARunWithoutSnapshotsIsRefusedBeforeAnythingIsWritten) {
  testing::TempDir dir;
  io::write_file_atomic(dir / "c.toml", kTinyRun);
  auto r = testing::run_gridrnn("train --config " + (dir / "c.toml").string() + " --out " + (dir / "run").string());
  ASSERT_EQ(r.status, 0) << r.output;
  r = testing::run_gridrnn("analyze " + (dir / "run").string() + " --snapshots");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("snapshot_every"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "run" / "analysis"));
}

}  // namespace
}  // namespace gridrnn

// `gridrnn reproduce --quick` end to end, shrunk by --set to seconds: every table, figure and
// verdict is produced, a second invocation skips the finished runs, and mistakes exit 2.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "gridrnn/io/files.hpp"
#include "test_helpers.hpp"

namespace gridrnn {
namespace {

namespace fs = std::filesystem;
using testing::run_gridrnn;
using testing::TempDir;

// 8 units, 20-step paths, 4 updates with a snapshot every 2 (development needs >= 1 snapshot);
// long path 10^4 x 20 = 2e5 steps (20 windows).
const std::string kTiny =
    " --set model.units=8 --set task.steps=20 --set task.trials=8 --set task.validation_trials=8"
    " --set train.updates=4 --set train.snapshot_every=2 --set train.checkpoint_every=2"
    " --set train.validate_every=2 --set hessian_free.max_cg_iterations=5"
    " --set evaluation.steps=50 --set evaluation.trials=24 --set evaluation.decoded_paths=2"
    " --set analysis.bins=8 --set analysis.shuffles=4 --set analysis.min_shift=100 --threads 2";

TEST(ReproduceCli, QuickProducesEveryTableFigureAndVerdictAndResumes) {
  TempDir dir;
  const fs::path out = dir.path() / "repro";
  const auto first = run_gridrnn("reproduce --quick --out " + out.string() + kTiny);
  ASSERT_EQ(first.status, 0) << first.output;
  EXPECT_NE(first.output.find("departs from the paper"), std::string::npos) << first.output;
  const std::string md = io::read_file(out / "results.md");
  for (const char* needle :
       {"## Counts per class", "## Direction and speed tuning", "## Development", "## Error correction",
        "## Verdicts", "## Wall-clock time", "| RQ1", "| RQ2", "| RQ3", "| RQ4", "| RQ5", "square_seed1",
        "square_seed2", "square_seed3", "hexagon_seed1", "triangle_seed1", "no_noise_seed1",
        "no_still_seed1", "no_metabolic_seed1", "200000 steps", "| 20 |"}) {
    EXPECT_NE(md.find(needle), std::string::npos) << needle << "\n" << md;
  }
  for (const char* figure : {"development.png", "tsne.png", "error_correction.png"})
    EXPECT_GT(fs::file_size(out / "figures" / figure), 1000u) << figure;
  for (const char* run : {"square_seed1", "hexagon_seed1", "no_metabolic_seed1", "square_seed3"}) {
    EXPECT_TRUE(fs::exists(out / "runs" / run / "report.html")) << run;
    EXPECT_TRUE(fs::exists(out / "runs" / run / "analysis" / "units.csv")) << run;
  }
  // The printed tables are the file's.
  EXPECT_NE(first.output.find(md.substr(0, 200)), std::string::npos);

  // Again on the same folder: nothing is retrained, the counts are the same.
  const auto second = run_gridrnn("reproduce --quick --out " + out.string() + kTiny);
  ASSERT_EQ(second.status, 0) << second.output;
  EXPECT_NE(second.output.find("trained earlier"), std::string::npos);
  EXPECT_EQ(second.output.find(": training"), std::string::npos) << second.output;
  const std::string again = io::read_file(out / "results.md");
  const auto table = [](const std::string& text) {
    const auto from = text.find("## Counts per class");
    return text.substr(from, text.find("error ratio =", from) - from);
  };
  const auto strip_times = [](std::string t) {  // the last two columns are seconds
    std::string result;
    std::size_t pos = 0;
    while (pos < t.size()) {
      std::size_t end = t.find('\n', pos);
      if (end == std::string::npos) end = t.size();
      std::string line = t.substr(pos, end - pos);
      for (int k = 0; k < 3 && line.rfind('|') != std::string::npos; ++k) line = line.substr(0, line.rfind('|'));
      result += line + "\n";
      pos = end + 1;
    }
    return result;
  };
  EXPECT_EQ(strip_times(table(again)), strip_times(table(md)));

  // The other scale on the same folder is refused.
  const auto other = run_gridrnn("reproduce --out " + out.string() + kTiny);
  EXPECT_EQ(other.status, 2) << other.output;
  EXPECT_NE(other.output.find("other scale"), std::string::npos) << other.output;
}

// The full plan, shrunk in size but keeping its own snapshot schedule (every 100 updates): every
// run trains, and the development analysis finds its snapshots.
TEST(ReproduceCli, FullPlanRunsWithItsOwnSnapshotSchedule) {
  TempDir dir;
  const fs::path out = dir.path() / "full";
  const auto r = run_gridrnn(
      "reproduce --out " + out.string() +
      " --set model.units=8 --set task.steps=20 --set task.trials=8 --set task.validation_trials=8"
      " --set train.updates=200 --set train.checkpoint_every=100 --set train.validate_every=100"
      " --set hessian_free.max_cg_iterations=3 --set evaluation.steps=50 --set evaluation.trials=24"
      " --set evaluation.decoded_paths=2 --set analysis.bins=8 --set analysis.shuffles=4"
      " --set analysis.min_shift=100 --threads 2");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("none in size"), std::string::npos) << r.output;
  const std::string md = io::read_file(out / "results.md");
  EXPECT_NE(md.find("Snapshots at updates 100, 200"), std::string::npos) << md;
  EXPECT_TRUE(fs::exists(out / "runs/square_seed1/snapshots/update_000100")) << r.output;
}

// --prepare creates the 8 run folders and trains nothing; each trains on its own with `gridrnn
// train --resume`, and a later reproduce only analyzes them.
TEST(ReproduceCli, PrepareCreatesRunFoldersThatTrainElsewhere) {
  TempDir dir;
  const fs::path out = dir.path() / "prepared";
  const auto prepared = run_gridrnn("reproduce --quick --prepare --out " + out.string() + kTiny);
  ASSERT_EQ(prepared.status, 0) << prepared.output;
  for (const char* run : {"square_seed1", "hexagon_seed1", "triangle_seed1", "no_noise_seed1", "no_still_seed1",
                          "no_metabolic_seed1", "square_seed2", "square_seed3"}) {
    const fs::path run_dir = out / "runs" / run;
    EXPECT_NE(prepared.output.find("gridrnn train --resume " + run_dir.string()), std::string::npos) << run;
    EXPECT_EQ(io::read_file(run_dir / "metrics.jsonl"), "") << run;  // created, nothing trained
    const auto trained = run_gridrnn("train --resume " + run_dir.string() + " --threads 1");
    ASSERT_EQ(trained.status, 0) << run << "\n" << trained.output;
  }
  EXPECT_FALSE(fs::exists(out / "results.md"));
  const auto analyzed = run_gridrnn("reproduce --quick --out " + out.string() + kTiny);
  ASSERT_EQ(analyzed.status, 0) << analyzed.output;
  EXPECT_EQ(analyzed.output.find(": training"), std::string::npos) << analyzed.output;
  EXPECT_NE(analyzed.output.find("trained earlier"), std::string::npos) << analyzed.output;
  EXPECT_TRUE(fs::exists(out / "results.md"));
}

// --only does part of the plan: only those run folders, the verdicts they allow, "not run" for
// the others; a later --only on the same folder keeps the earlier runs' settings in reproduce.json.
TEST(ReproduceCli, OnlyDoesPartOfThePlanAndSaysWhatWasNotRun) {
  TempDir dir;
  const fs::path out = dir.path() / "part";
  const auto hexagon = run_gridrnn("reproduce --quick --only hexagon_seed1 --out " + out.string() + kTiny);
  ASSERT_EQ(hexagon.status, 0) << hexagon.output;
  EXPECT_NE(hexagon.output.find("left out (--only): square_seed1"), std::string::npos) << hexagon.output;
  EXPECT_EQ(std::distance(fs::directory_iterator(out / "runs"), fs::directory_iterator{}), 1);
  EXPECT_TRUE(fs::exists(out / "runs/hexagon_seed1/report.html"));
  EXPECT_FALSE(fs::exists(out / "figures/development.png"));
  std::string md = io::read_file(out / "results.md");
  for (const char* needle : {"--only hexagon_seed1", "not run here square_seed1, triangle_seed1",
                             "| RQ3 grids need noise, zero-speed periods and the metabolic cost | not run |",
                             "| RQ4 border units develop early, grid units late | not run |",
                             "| RQ5 boundary interactions correct errors on long paths | not run |",
                             "square: not run", "Not run: square_seed1 is not among the runs done"}) {
    EXPECT_NE(md.find(needle), std::string::npos) << needle << "\n" << md;
  }
  EXPECT_EQ(md.find("| RQ1 grid-like units emerge, lattice by arena | reproduced"), std::string::npos) << md;

  const auto square = run_gridrnn("reproduce --quick --only square_seed1 --out " + out.string() + kTiny);
  ASSERT_EQ(square.status, 0) << square.output;
  md = io::read_file(out / "results.md");
  EXPECT_NE(md.find("Snapshots at updates 2, 4"), std::string::npos) << md;
  EXPECT_NE(md.find("200000 steps"), std::string::npos) << md;
  EXPECT_EQ(md.find("| RQ4 border units develop early, grid units late | not run |"), std::string::npos) << md;
  EXPECT_TRUE(fs::exists(out / "figures/development.png"));
  const std::string marker = io::read_file(out / "reproduce.json");
  EXPECT_NE(marker.find("hexagon_seed1"), std::string::npos) << marker;
  EXPECT_NE(marker.find("square_seed1"), std::string::npos) << marker;
  // The hexagon was made with these settings: other ones are still refused for it.
  const auto other = run_gridrnn("reproduce --quick --only hexagon_seed1 --prepare --out " + out.string() + kTiny +
                                 " --set model.units=6");
  EXPECT_EQ(other.status, 2) << other.output;
  EXPECT_NE(other.output.find("hexagon_seed1"), std::string::npos) << other.output;

  const fs::path fresh = dir.path() / "fresh";
  const auto unknown = run_gridrnn("reproduce --quick --only circle_seed1 --out " + fresh.string() + kTiny);
  EXPECT_EQ(unknown.status, 2) << unknown.output;
  EXPECT_NE(unknown.output.find("--only 'circle_seed1' is not a run of the plan"), std::string::npos) << unknown.output;
  EXPECT_NE(unknown.output.find("no_metabolic_seed1"), std::string::npos) << unknown.output;
  EXPECT_FALSE(fs::exists(fresh));
}

TEST(ReproduceCli, MistakesExitTwoAndWriteNothing) {
  TempDir dir;
  const fs::path out = dir.path() / "repro";
  const auto bad_key = run_gridrnn("reproduce --quick --out " + out.string() + " --set model.unitz=8");
  EXPECT_EQ(bad_key.status, 2) << bad_key.output;
  EXPECT_NE(bad_key.output.find("unitz"), std::string::npos) << bad_key.output;
  EXPECT_FALSE(fs::exists(out));
  const auto bad_value = run_gridrnn("reproduce --quick --out " + out.string() + " --set model.units=-3");
  EXPECT_EQ(bad_value.status, 2) << bad_value.output;
  EXPECT_FALSE(fs::exists(out));

  // Mistakes only the end of a long run would show are refused up front.
  const auto no_snapshots = run_gridrnn("reproduce --quick --out " + out.string() + kTiny +
                                        " --set train.snapshot_every=0");
  EXPECT_EQ(no_snapshots.status, 2) << no_snapshots.output;
  EXPECT_NE(no_snapshots.output.find("train.snapshot_every = 0"), std::string::npos) << no_snapshots.output;
  const auto few_samples = run_gridrnn("reproduce --quick --prepare --out " + out.string() + kTiny +
                                       " --set evaluation.trials=3");
  EXPECT_EQ(few_samples.status, 2) << few_samples.output;
  EXPECT_NE(few_samples.output.find("scored samples"), std::string::npos) << few_samples.output;
  EXPECT_FALSE(fs::exists(out));

  // A folder made with other --set values is refused (its runs would keep their own settings).
  ASSERT_EQ(run_gridrnn("reproduce --quick --prepare --out " + out.string() + kTiny).status, 0);
  const std::string marker = io::read_file(out / "reproduce.json");
  const auto other_settings = run_gridrnn("reproduce --quick --prepare --out " + out.string() + kTiny +
                                          " --set model.units=6");
  EXPECT_EQ(other_settings.status, 2) << other_settings.output;
  EXPECT_NE(other_settings.output.find("model.units=6"), std::string::npos) << other_settings.output;
  EXPECT_EQ(io::read_file(out / "reproduce.json"), marker);
  // A foreign folder in place of a run: refused before anything is written.
  fs::remove_all(out / "runs" / "triangle_seed1");
  fs::create_directories(out / "runs" / "triangle_seed1");
  io::write_file_atomic(out / "runs" / "triangle_seed1" / "mine.txt", "x\n");
  fs::remove_all(out / "runs" / "square_seed1");
  const auto foreign = run_gridrnn("reproduce --quick --prepare --out " + out.string() + kTiny);
  EXPECT_EQ(foreign.status, 2) << foreign.output;
  EXPECT_NE(foreign.output.find("triangle_seed1"), std::string::npos) << foreign.output;
  EXPECT_FALSE(fs::exists(out / "runs" / "square_seed1"));
  fs::remove_all(out);

  fs::create_directories(out);
  io::write_file_atomic(out / "notes.txt", "mine\n");
  const auto not_ours = run_gridrnn("reproduce --quick --out " + out.string() + kTiny);
  EXPECT_EQ(not_ours.status, 2) << not_ours.output;
  EXPECT_NE(not_ours.output.find("reproduce.json"), std::string::npos) << not_ours.output;
  EXPECT_EQ(std::distance(fs::directory_iterator(out), fs::directory_iterator{}), 1);
}

}  // namespace
}  // namespace gridrnn

// `gridrnn sweep` without MPI: the grid x seeds expansion, summary.csv, a broken run marked
// failed while the others finish, re-running skips finished runs and resumes interrupted ones,
// and sweep-file mistakes write nothing. (The MPI runs are checked by scripts/mpi-check.sh.)
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "gridrnn/io/files.hpp"
#include "gridrnn/train/checkpoint.hpp"
#include "gridrnn/train/trainer.hpp"
#include "test_helpers.hpp"

namespace gridrnn {
namespace {

using testing::run_gridrnn;
using testing::TempDir;

constexpr const char* kTinyBase = R"(
[task]
steps = 20
trials = 16
validation_trials = 16
encoding = "speed_cos_sin"
[model]
units = 6
[train]
updates = 2
optimizer = "adam"
)";

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string row_of(const std::vector<std::string>& rows, const std::string& run) {
  for (const auto& row : rows)
    if (row.rfind(run + ",", 0) == 0) return row;
  return "";
}

TEST(SweepCli, GridTimesSeedsGivesOneRowPerRunAndMarksABrokenRunFailed) {
  TempDir dir;
  io::write_file_atomic(dir / "base.toml", kTinyBase);
  // model.units = 0 is out of range: that run fails, the other three train.
  io::write_file_atomic(dir / "sweep.toml", R"(
base = "base.toml"
seeds = [1, 2]
[set]
"train.checkpoint_every" = 1
[grid]
"model.units" = [6, 0]
)");
  const auto out = dir / "out";
  const auto r = run_gridrnn("sweep " + (dir / "sweep.toml").string() + " --out " + out.string() + " --threads 1");
  EXPECT_EQ(r.status, 1) << r.output;  // 1: the sweep finished, but a run failed
  const auto rows = lines_of(io::read_file(out / "summary.csv"));
  ASSERT_EQ(rows.size(), 5u) << io::read_file(out / "summary.csv");
  EXPECT_EQ(rows[0].rfind("run,status,seed,model.units,updates_done,validation_position_rms", 0), 0u) << rows[0];
  for (const char* ok : {"model.units=6_seed=1", "model.units=6_seed=2"}) {
    const std::string row = row_of(rows, ok);
    EXPECT_NE(row.find(",done,"), std::string::npos) << row;
    EXPECT_NE(row.find(",2,"), std::string::npos) << "2 updates: " << row;
    EXPECT_TRUE(train::is_run_folder(out / ok));
  }
  for (const char* bad : {"model.units=0_seed=1", "model.units=0_seed=2"}) {
    const std::string row = row_of(rows, bad);
    EXPECT_NE(row.find(",failed,"), std::string::npos) << row;
    EXPECT_NE(row.find("units"), std::string::npos) << "message names the key: " << row;
  }
  // Seeds differ, so the two good runs differ.
  EXPECT_NE(io::read_file(out / "model.units=6_seed=1" / "network" / "W_rec.npy"),
            io::read_file(out / "model.units=6_seed=2" / "network" / "W_rec.npy"));

  // Again: finished runs are skipped (their files untouched), the failed ones retried.
  const auto before = std::filesystem::last_write_time(out / "model.units=6_seed=1" / "checkpoint.bin");
  const auto again = run_gridrnn("sweep " + (dir / "sweep.toml").string() + " --out " + out.string() + " --threads 1");
  EXPECT_EQ(again.status, 1) << again.output;
  EXPECT_EQ(std::filesystem::last_write_time(out / "model.units=6_seed=1" / "checkpoint.bin"), before);
  const auto rows2 = lines_of(io::read_file(out / "summary.csv"));
  EXPECT_NE(row_of(rows2, "model.units=6_seed=1").find(",finished earlier,"), std::string::npos);
  EXPECT_NE(row_of(rows2, "model.units=0_seed=1").find(",failed,"), std::string::npos);
}

TEST(SweepCli, ResumesAnInterruptedRunToTheSameParametersAsAStraightOne) {
  TempDir dir;
  io::write_file_atomic(dir / "base.toml", kTinyBase);
  io::write_file_atomic(dir / "sweep.toml", "base = \"base.toml\"\n[set]\n\"train.updates\" = 4\n\"train.checkpoint_every\" = 1\n");
  const std::string sweep = (dir / "sweep.toml").string();
  ASSERT_EQ(run_gridrnn("sweep " + sweep + " --out " + (dir / "straight").string()).status, 0);
  // Interrupted after 2 of 4 updates: train the run folder only that far, then sweep again.
  const auto out = dir / "resumed";
  ASSERT_EQ(run_gridrnn("sweep " + sweep + " --out " + out.string()).status, 0);
  const auto run = out / "seed=1";
  ASSERT_TRUE(train::is_run_folder(run));
  std::filesystem::remove_all(run);
  std::filesystem::remove(out / "summary.csv");
  const auto partial = run_gridrnn("train --config " + (dir / "base.toml").string() +
                                   " --set train.updates=4 --set train.checkpoint_every=1 --set train.seed=1 --until 2 --out " + run.string());
  ASSERT_EQ(partial.status, 0) << partial.output;
  EXPECT_EQ(train::read_checkpoint(run / "checkpoint.bin").updates_done, 2);
  const auto resumed = run_gridrnn("sweep " + sweep + " --out " + out.string());
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_NE(io::read_file(out / "summary.csv").find(",resumed,"), std::string::npos) << io::read_file(out / "summary.csv");
  EXPECT_EQ(train::read_checkpoint(run / "checkpoint.bin").updates_done, 4);
  EXPECT_EQ(io::read_file(run / "network" / "W_rec.npy"), io::read_file(dir / "straight" / "seed=1" / "network" / "W_rec.npy"));
}

TEST(SweepCli, SweepFileMistakesAreUserErrorsAndWriteNothing) {
  TempDir dir;
  io::write_file_atomic(dir / "base.toml", kTinyBase);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"base = \"missing.toml\"\n", "missing.toml"},
      {"base = \"base.toml\"\nseeds = [1, -2]\n", "seeds"},
      {"base = \"base.toml\"\n[grid]\n\"model.units\" = []\n", "model.units"},
      {"base = \"base.toml\"\n[grid]\n\"model.units\" = 6\n", "non-empty list"},
      {"base = \"base.toml\"\ngird = 1\n", "gird"},
      {"base = \"base.toml\"\n[set]\n\"train.seed\" = 3\n", "seeds"},
      {"base = \"base.toml\"\n[grid\n", "line"},
  };
  for (const auto& [text, expected] : cases) {
    io::write_file_atomic(dir / "sweep.toml", text);
    const auto out = dir / "out";
    const auto r = run_gridrnn("sweep " + (dir / "sweep.toml").string() + " --out " + out.string());
    EXPECT_EQ(r.status, 2) << text << r.output;
    EXPECT_NE(r.output.find(expected), std::string::npos) << text << r.output;
    EXPECT_FALSE(std::filesystem::exists(out)) << text;
  }
  // --out holding something that is not a sweep.
  io::write_file_atomic(dir / "busy" / "x.txt", "x");
  io::write_file_atomic(dir / "sweep.toml", "base = \"base.toml\"\n");
  const auto r = run_gridrnn("sweep " + (dir / "sweep.toml").string() + " --out " + (dir / "busy").string());
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("not empty"), std::string::npos) << r.output;
  EXPECT_EQ(io::read_file(dir / "busy" / "x.txt"), "x");
}

}  // namespace
}  // namespace gridrnn

// simulate -> predict: inputs.npy carries its encoding, arena and motion in inputs.json, predict
// refuses inputs of another encoding than the network's, and simulate reads whole run configs.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "gridrnn/io/config.hpp"
#include "gridrnn/io/files.hpp"
#include "gridrnn/io/npy.hpp"
#include "gridrnn/train/experiment.hpp"
#include "test_helpers.hpp"

namespace gridrnn {
namespace {

namespace fs = std::filesystem;
using testing::run_gridrnn;
using testing::TempDir;

// A velocity network in the default square: 8 units, 2 updates of 8 paths of 20 steps.
constexpr const char* kTinyRun = R"(
[task]
steps = 20
trials = 8
validation_trials = 4
encoding = "velocity"
[model]
units = 8
[train]
updates = 2
)";

class SimulatePredictCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    trained_ = std::make_unique<TempDir>();
    io::write_file_atomic(*trained_ / "c.toml", kTinyRun);
    const auto r = run_gridrnn("train --config " + (*trained_ / "c.toml").string() + " --out " +
                               run().string());
    ASSERT_EQ(r.status, 0) << r.output;
  }
  static void TearDownTestSuite() { trained_.reset(); }
  static fs::path run() { return *trained_ / "run"; }
  std::string predict(const fs::path& inputs, const std::string& out) const {
    return "predict --network " + (run() / "network").string() + " --inputs " + inputs.string() +
           " --out " + (out_dir_ / out).string();
  }
  static std::unique_ptr<TempDir> trained_;
  TempDir dir_, out_dir_;
};
std::unique_ptr<TempDir> SimulatePredictCli::trained_;

TEST_F(SimulatePredictCli, InputsOfAnotherEncodingAreRefusedNamingBothAndWriteNothing) {
  // speed_angle (simulate's own default) is 2 wide like the network's velocity inputs.
  auto r = run_gridrnn("simulate --steps 20 --trials 3 --out " + (dir_ / "paths").string());
  ASSERT_EQ(r.status, 0) << r.output;
  const auto info = nlohmann::json::parse(io::read_file(dir_ / "paths/inputs.json"));
  EXPECT_EQ(info["format"], "gridrnn-inputs");
  EXPECT_EQ(info["encoding"], "speed_angle");
  r = run_gridrnn(predict(dir_ / "paths/inputs.npy", "pred"));
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("input encoding 'speed_angle'"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("trained on 'velocity'"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("--encoding velocity"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("--config " + (run() / "config.toml").string()), std::string::npos) << r.output;
  EXPECT_EQ(out_dir_.entry_count(), 0u);
}

TEST_F(SimulatePredictCli, PathsSimulatedFromTheRunConfigArePredictedWithoutAWarning) {
  // No --steps: a run config gives the run's task.steps (20) and encoding (velocity).
  auto r = run_gridrnn("simulate --config " + (run() / "config.toml").string() + " --trials 3 --out " +
                       (dir_ / "paths").string());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("velocity inputs"), std::string::npos) << r.output;
  EXPECT_EQ(io::read_npy(dir_ / "paths/inputs.npy").shape, (std::vector<std::size_t>{20, 3, 2}));
  r = run_gridrnn(predict(dir_ / "paths/inputs.npy", "pred"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output.find("warning"), std::string::npos) << r.output;
  EXPECT_EQ(io::read_npy(out_dir_ / "pred/outputs.npy").shape, (std::vector<std::size_t>{20, 3, 2}));
}

TEST_F(SimulatePredictCli, PathsOfAnotherArenaArePredictedWithAWarningNamingBoth) {
  auto r = run_gridrnn("simulate --config " + (run() / "config.toml").string() +
                       " --arena hexagon --trials 2 --out " + (dir_ / "paths").string());
  ASSERT_EQ(r.status, 0) << r.output;
  r = run_gridrnn(predict(dir_ / "paths/inputs.npy", "pred"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("warning"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("hexagon arena (area 4) vs the square arena (area 4)"), std::string::npos)
      << r.output;
  // Longer paths than the network was trained on (task.steps = 20): named too.
  r = run_gridrnn("simulate --config " + (run() / "config.toml").string() + " --steps 30 --trials 2 --out " +
                  (dir_ / "long").string());
  ASSERT_EQ(r.status, 0) << r.output;
  r = run_gridrnn(predict(dir_ / "long/inputs.npy", "long"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("30 steps per path vs task.steps = 20"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("arena"), std::string::npos) << r.output;
}

TEST_F(SimulatePredictCli, ARecordedPathIsCheckedForItsEncodingAndArenaButNotItsMotion) {
  io::write_file_atomic(dir_ / "rat.csv", "x,y\n0,0\n0.1,0\n0.1,0.1\n0.2,0.1\n");
  auto r = run_gridrnn("simulate --recorded " + (dir_ / "rat.csv").string() + " --config " +
                       (run() / "config.toml").string() + " --out " + (dir_ / "rec").string());
  ASSERT_EQ(r.status, 0) << r.output;
  const auto info = nlohmann::json::parse(io::read_file(dir_ / "rec/inputs.json"));
  EXPECT_EQ(info["source"], "recorded");
  EXPECT_EQ(info["encoding"], "velocity");
  EXPECT_TRUE(info["motion"].is_null());
  r = run_gridrnn(predict(dir_ / "rec/inputs.npy", "pred"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output.find("warning"), std::string::npos) << r.output;
  r = run_gridrnn("simulate --recorded " + (dir_ / "rat.csv").string() + " --out " + (dir_ / "rec_sa").string());
  ASSERT_EQ(r.status, 0) << r.output;
  r = run_gridrnn(predict(dir_ / "rec_sa/inputs.npy", "pred_sa"));
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("input encoding 'speed_angle'"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(out_dir_ / "pred_sa"));
}

TEST_F(SimulatePredictCli, HandMadeInputsWarnThatTheEncodingWasNotChecked) {
  io::write_npy(dir_ / "mine.npy", std::span<const float>(std::vector<float>(5 * 2 * 2, 0.01f)), {5, 2, 2});
  const auto r = run_gridrnn(predict(dir_ / "mine.npy", "pred"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("warning: '" + (dir_ / "mine.npy").string() + "' has no 'mine.json'"),
            std::string::npos) << r.output;
  EXPECT_NE(r.output.find("could not be checked"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("expects encoding 'velocity'"), std::string::npos) << r.output;
}

TEST_F(SimulatePredictCli, ABrokenDescriptionIsRefusedNamingIt) {
  io::write_npy(dir_ / "mine.npy", std::span<const float>(std::vector<float>(5 * 2 * 2, 0.01f)), {5, 2, 2});
  io::write_file_atomic(dir_ / "mine.json", "{\"format\": \"gridrnn-inputs\", \"format_version\": 1}");
  const auto r = run_gridrnn(predict(dir_ / "mine.npy", "pred"));
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find((dir_ / "mine.json").string()), std::string::npos) << r.output;
  EXPECT_EQ(out_dir_.entry_count(), 0u);
}

TEST_F(SimulatePredictCli, ARunConfigStillRefusesUnknownKeys) {
  const std::string config = io::read_file(run() / "config.toml");
  io::write_file_atomic(dir_ / "typo_key.toml", config + "\n[simulate]\nstepz = 3\n");
  io::write_file_atomic(dir_ / "typo_section.toml", config + "\n[simulat]\nsteps = 3\n");
  io::write_file_atomic(dir_ / "typo_task.toml", "[task]\nstepz = 3\n");
  for (const auto& [file, key] : {std::pair{"typo_key.toml", "'simulate.stepz'"},
                                  std::pair{"typo_section.toml", "'simulat.steps'"},
                                  std::pair{"typo_task.toml", "'task.stepz'"}}) {
    const auto r = run_gridrnn("simulate --config " + (dir_ / file).string() + " --trials 2 --out " +
                               (out_dir_ / "paths").string());
    EXPECT_EQ(r.status, 2) << file << "\n" << r.output;
    EXPECT_NE(r.output.find(key), std::string::npos) << r.output;
  }
  EXPECT_EQ(out_dir_.entry_count(), 0u);
}

// Every preset: simulate gives the paths its run trains on (encoding, steps; arena and motion are
// the file's own sections).
TEST(SimulateCliPresets, EveryPresetConfigIsAcceptedAndGivesItsRunsInputs) {
  TempDir dir;
  std::size_t presets = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(GRIDRNN_SOURCE_DIR) / "configs")) {
    if (entry.path().extension() != ".toml" || entry.path().filename().string().ends_with(".sweep.toml")) continue;
    ++presets;
    const fs::path out = dir / entry.path().stem().string();
    const auto r = run_gridrnn("simulate --config " + entry.path().string() + " --trials 2 --out " +
                               out.string());
    ASSERT_EQ(r.status, 0) << entry.path() << "\n" << r.output;
    auto reader = io::ConfigReader::from_file(entry.path());
    const train::TaskOptions task = train::TaskOptions::from_config(reader.section("task"));
    const bool run_config = reader.has("task");
    const auto info = nlohmann::json::parse(io::read_file(out / "inputs.json"));
    EXPECT_EQ(info["encoding"], run_config ? trajectory::encoding_name(task.encoding) : "speed_angle")
        << entry.path();
    EXPECT_EQ(info["steps"], run_config ? task.steps : 500) << entry.path();
    const std::string shape = reader.section("arena").text("shape", "square", "");
    EXPECT_EQ(info["arena"]["shape"], shape) << entry.path();
    const std::string motion = reader.section("motion").text("model", "paper", "");
    EXPECT_EQ(info["motion"]["model"], motion) << entry.path();
  }
  EXPECT_GE(presets, 9u);
}

}  // namespace
}  // namespace gridrnn

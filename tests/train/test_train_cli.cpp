// The training loop through the `gridrnn train` command: exact resume, interruption, bad inputs,
// and that training actually learns path integration.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "gridrnn/arena/arena.hpp"
#include "gridrnn/io/files.hpp"
#include "gridrnn/io/npy.hpp"
#include "gridrnn/train/checkpoint.hpp"
#include "gridrnn/train/experiment.hpp"
#include "gridrnn/train/place_centres.hpp"
#include "test_helpers.hpp"

namespace gridrnn {
namespace {

using testing::run_gridrnn;
using testing::TempDir;

// A tiny path-integration problem: 12 units, 40-step paths.
constexpr const char* kTinyConfig = R"(
[task]
steps = 40
trials = 48
validation_trials = 32
encoding = "speed_cos_sin"
[model]
units = 12
[train]
updates = 6
validate_every = 2
checkpoint_every = 2
)";

std::string write_config(const TempDir& dir, const std::string& text, const char* name = "c.toml") {
  io::write_file_atomic(dir / name, text);
  return (dir / name).string();
}

std::string network_bytes(const std::filesystem::path& run) {
  std::string all;
  for (const char* name : {"W_in.npy", "W_rec.npy", "b.npy", "W_out.npy", "x0.npy"}) {
    all += io::read_file(run / "network" / name);
  }
  return all;
}

std::vector<nlohmann::json> metrics(const std::filesystem::path& run) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(io::read_file(run / "metrics.jsonl"));
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

TEST(TrainCli, StoppedAndResumedRunEndsByteIdenticalToAStraightRun) {
  TempDir dir;
  const std::string config = write_config(dir, kTinyConfig);
  auto straight = run_gridrnn("train --config " + config + " --out " + (dir / "straight").string());
  ASSERT_EQ(straight.status, 0) << straight.output;
  auto first = run_gridrnn("train --config " + config + " --out " + (dir / "resumed").string() +
                           " --until 3");
  ASSERT_EQ(first.status, 0) << first.output;
  EXPECT_EQ(train::read_checkpoint(dir / "resumed" / "checkpoint.bin").updates_done, 3);
  auto second = run_gridrnn("train --resume " + (dir / "resumed").string());
  ASSERT_EQ(second.status, 0) << second.output;
  EXPECT_EQ(network_bytes(dir / "straight"), network_bytes(dir / "resumed"));
  EXPECT_EQ(io::read_file(dir / "straight" / "checkpoint.bin"),
            io::read_file(dir / "resumed" / "checkpoint.bin"));
  const auto lines = metrics(dir / "resumed");
  ASSERT_EQ(lines.size(), 6u);
  for (std::size_t i = 0; i < lines.size(); ++i) EXPECT_EQ(lines[i]["update"], i + 1);
}

// Resuming a finished run trains nothing and says so (not "updates 7..6 of 6").
TEST(TrainCli, ResumingAFinishedRunSaysThereIsNothingToTrain) {
  TempDir dir;
  const std::string config = write_config(dir, kTinyConfig);
  ASSERT_EQ(run_gridrnn("train --config " + config + " --out " + (dir / "run").string()).status, 0);
  const auto before = io::read_file(dir / "run" / "checkpoint.bin");
  const auto again = run_gridrnn("train --resume " + (dir / "run").string());
  EXPECT_EQ(again.status, 0) << again.output;
  EXPECT_NE(again.output.find("nothing to train"), std::string::npos) << again.output;
  EXPECT_NE(again.output.find("--updates N"), std::string::npos) << again.output;
  EXPECT_EQ(again.output.find("training "), std::string::npos) << again.output;
  EXPECT_EQ(io::read_file(dir / "run" / "checkpoint.bin"), before);
}

// A checkpoint from before the noise stream changed (no "noise_stream" record: stream 1) cannot
// be trained on: exit 2 naming both streams, nothing written. Finished, it still opens.
TEST(TrainCli, ARunTrainedOnAnotherNoiseStreamIsNotResumedButStillOpensFinished) {
  TempDir dir;
  const std::string config = write_config(dir, kTinyConfig);  // model.noise_sd: 0.1 by default
  const std::string run = (dir / "run").string();
  ASSERT_EQ(run_gridrnn("train --config " + config + " --out " + run + " --until 2").status, 0);
  auto old = train::read_checkpoint(dir / "run" / "checkpoint.bin");
  ASSERT_EQ(old.scalars.at("noise_stream"), 2.0);
  old.scalars.erase("noise_stream");
  train::write_checkpoint(dir / "run" / "checkpoint.bin", old);
  const auto checkpoint = io::read_file(dir / "run" / "checkpoint.bin");
  const auto metrics_before = io::read_file(dir / "run" / "metrics.jsonl");
  const auto refused = run_gridrnn("train --resume " + run);
  EXPECT_EQ(refused.status, 2) << refused.output;
  EXPECT_NE(refused.output.find("unit-noise stream 1"), std::string::npos) << refused.output;
  EXPECT_NE(refused.output.find("draws stream 2"), std::string::npos) << refused.output;
  EXPECT_EQ(io::read_file(dir / "run" / "checkpoint.bin"), checkpoint);
  EXPECT_EQ(io::read_file(dir / "run" / "metrics.jsonl"), metrics_before);
  // Finished (its updates lowered to those done): nothing to train, no refusal.
  const auto finished = run_gridrnn("train --resume " + run + " --updates 2");
  EXPECT_EQ(finished.status, 0) << finished.output;
  EXPECT_NE(finished.output.find("nothing to train"), std::string::npos) << finished.output;
}

TEST(TrainCli, AdamRunResumesExactlyToo) {
  TempDir dir;
  const std::string config =
      write_config(dir, std::string(kTinyConfig) + "optimizer = \"adam\"\n[adam]\nlearning_rate = 0.01\n");
  ASSERT_EQ(run_gridrnn("train --config " + config + " --out " + (dir / "a").string()).status, 0);
  ASSERT_EQ(run_gridrnn("train --config " + config + " --out " + (dir / "b").string() + " --until 4").status, 0);
  ASSERT_EQ(run_gridrnn("train --resume " + (dir / "b").string()).status, 0);
  EXPECT_EQ(network_bytes(dir / "a"), network_bytes(dir / "b"));
}

TEST(TrainCli, ResultsDoNotDependOnTheThreadCount) {
  TempDir dir;
  const std::string config = write_config(dir, kTinyConfig);
  ASSERT_EQ(run_gridrnn("train --config " + config + " --threads 1 --out " + (dir / "one").string()).status, 0);
  ASSERT_EQ(run_gridrnn("train --config " + config + " --threads 2 --out " + (dir / "two").string()).status, 0);
  EXPECT_EQ(network_bytes(dir / "one"), network_bytes(dir / "two"));
}

TEST(TrainCli, RunFolderHoldsNetworkMetricsCheckpointAndConfig) {
  TempDir dir;
  const std::string config = write_config(dir, kTinyConfig);
  auto result = run_gridrnn("train --config " + config + " --out " + (dir / "run").string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("validation position error"), std::string::npos) << result.output;
  for (const char* name : {"run.json", "config.toml", "checkpoint.bin", "metrics.jsonl",
                           "network/W_rec.npy", "network/network.json"}) {
    EXPECT_TRUE(std::filesystem::exists(dir / "run" / name)) << name;
  }
  const auto lines = metrics(dir / "run");
  ASSERT_EQ(lines.size(), 6u);
  for (const char* key : {"loss", "error", "l2", "firing_rate", "position_rms", "lambda", "rho",
                          "cg_iterations", "accepted", "seconds", "position", "place",
                          "head_direction", "weight_decay"}) {
    EXPECT_TRUE(lines[0].contains(key)) << key;
  }
  EXPECT_TRUE(lines[1].contains("validation_position_rms"));
  EXPECT_EQ(io::read_npy(dir / "run" / "network" / "W_rec.npy").shape,
            (std::vector<std::size_t>{12, 12}));
}

TEST(TrainCli, NonEmptyFolderIsRefusedUnlessForce) {
  TempDir dir;
  const std::string config = write_config(dir, kTinyConfig);
  std::filesystem::create_directories(dir / "busy");
  io::write_file_atomic(dir / "busy" / "notes.txt", "mine");
  auto refused = run_gridrnn("train --config " + config + " --out " + (dir / "busy").string());
  EXPECT_EQ(refused.status, 2);
  EXPECT_NE(refused.output.find("not empty"), std::string::npos) << refused.output;
  // --force replaces only a gridrnn run folder, never someone's files.
  auto forced = run_gridrnn("train --config " + config + " --force --out " + (dir / "busy").string());
  EXPECT_EQ(forced.status, 2) << forced.output;
  EXPECT_EQ(io::read_file(dir / "busy" / "notes.txt"), "mine");
  ASSERT_EQ(run_gridrnn("train --config " + config + " --out " + (dir / "run").string() + " --until 1").status, 0);
  EXPECT_EQ(run_gridrnn("train --config " + config + " --force --out " + (dir / "run").string()).status, 0);
  EXPECT_EQ(metrics(dir / "run").size(), 6u);
}

TEST(TrainCli, BadInputsExitWithStatus2AndWriteNothing) {
  TempDir dir;
  const std::string bad_key = write_config(dir, "[train]\nupdatez = 5\n", "k.toml");
  const std::string bad_value = write_config(dir, "[model]\nunits = 0\n", "v.toml");
  const std::string bad_type = write_config(dir, "[task]\nsteps = \"long\"\n", "t.toml");
  const std::string bad_arena = write_config(dir, "[arena]\nshape = \"pentagon\"\n", "a.toml");
  struct Case {
    std::string arguments, expected;
  } cases[] = {
      {"--config " + bad_key, "train.updatez"},
      {"--config " + bad_value, "model.units"},
      {"--config " + bad_type, "task.steps"},
      {"--config " + bad_arena, "pentagon"},
      {"--config " + (dir / "missing.toml").string(), "missing.toml"},
      {"--set train.updates=-3", "train.updates"},
  };
  for (const auto& c : cases) {
    auto result = run_gridrnn("train " + c.arguments + " --out " + (dir / "out").string());
    EXPECT_EQ(result.status, 2) << c.arguments << "\n" << result.output;
    EXPECT_NE(result.output.find(c.expected), std::string::npos) << result.output;
    EXPECT_FALSE(std::filesystem::exists(dir / "out")) << c.arguments;
  }
  auto missing = run_gridrnn("train --resume " + (dir / "nowhere").string());
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.output.find("nowhere"), std::string::npos) << missing.output;
  // Only the config files remain.
  EXPECT_EQ(dir.entry_count(), 4u);
}

TEST(TrainCli, ReadoutMistakesExitWithStatus2NamingTheKeyAndWriteNothing) {
  TempDir dir;
  struct Case {
    std::string config, expected;
  } cases[] = {
      {"[readout]\nheads = \"head_direction\"\n[readout.place]\ncells = 64\n", "readout.place.cells"},
      {"[readout]\nheads = \"place\"\n[readout.place]\ncells = 0\n", "readout.place.cells"},
      {"[readout]\nheads = \"place\"\n[readout.place]\nsurround_ratio = 1\n", "readout.place.surround_ratio"},
      {"[model]\ninitial_state = \"from_place_code\"\n[readout]\nheads = \"position\"\n", "model.initial_state"},
      {"[readout]\nheads = \"position+grid\"\n", "readout.heads"},
      {"[readout]\nheads = \"position+position\"\n", "readout.heads"},
      {"[arena]\nshape = \"hexagon\"\n[readout]\nheads = \"place\"\n[readout.place]\ncentres = \"lattice\"\n",
       "readout.place.centres"},
      {"[readout]\nheads = \"place\"\n[readout.place]\ncells = 7\ncentres = \"lattice\"\n", "readout.place.cells"},
      {"[readout]\nheads = \"place\"\n[readout.place]\ncentres = \"file\"\n", "readout.place.centres_file"},
      {"[readout]\nheads = \"place\"\n[readout.place]\ncentres_file = \"c.npy\"\n",
       "readout.place.centres_file = \""},
      {"[readout]\nheads = \"place\"\n[readout.place]\ncentres = \"file\"\ncentres_file = \"none.npy\"\n",
       "none.npy\": no such file"},
      {"[loss]\nweight_decay = -1\n", "loss.weight_decay"},
      {"[model]\nnonlinearity = \"sigmoid\"\n", "model.nonlinearity"},
  };
  int index = 0;
  for (const auto& c : cases) {
    std::string name = std::to_string(index++);  // (not "r" + ...: GCC 12's -Wrestrict false positive)
    name += ".toml";
    const std::string config = write_config(dir, c.config, name.c_str());
    for (const std::string& command : {"train --config " + config + " --out " + (dir / "out").string(),
                                      "config --config " + config}) {
      auto result = run_gridrnn(command);
      EXPECT_EQ(result.status, 2) << c.config << "\n" << result.output;
      EXPECT_NE(result.output.find(c.expected), std::string::npos) << c.config << "\n" << result.output;
    }
    EXPECT_FALSE(std::filesystem::exists(dir / "out")) << c.config;
  }
  EXPECT_EQ(dir.entry_count(), static_cast<std::size_t>(index));  // only the config files
}

TEST(ConfigCli, DescribeListsEveryModelReadoutAndLossKey) {
  const auto result = run_gridrnn("config --describe");
  ASSERT_EQ(result.status, 0) << result.output;
  for (const char* key : {"model.nonlinearity", "model.noise_placement", "model.bias", "model.w_in_init",
                          "model.w_rec_init", "model.initial_state", "readout.heads", "readout.position.weight",
                          "readout.place.cells", "readout.place.sigma", "readout.place.surround_ratio",
                          "readout.place.tuning", "readout.place.loss", "readout.place.centres",
                          "readout.place.centres_file",
                          "readout.place.weight", "readout.head_direction.cells",
                          "readout.head_direction.kappa", "readout.head_direction.weight",
                          "loss.weight_decay"}) {
    EXPECT_NE(result.output.find(std::string("\n") + key + " "), std::string::npos) << key << "\n" << result.output;
  }
  // With a place head chosen, the place keys are in the main list and not repeated below.
  const auto place = run_gridrnn("config --describe --set 'readout.heads=\"place\"'");
  ASSERT_EQ(place.status, 0) << place.output;
  const auto first = place.output.find("\nreadout.place.cells ");
  ASSERT_NE(first, std::string::npos) << place.output;
  EXPECT_EQ(place.output.find("\nreadout.place.cells ", first + 1), std::string::npos) << place.output;
  EXPECT_LT(first, place.output.find("not in readout.heads"));
}

// A tiny place-cell network as the reference builds it (see configs/place_cells.toml).
constexpr const char* kTinyPlaceConfig = R"(
[arena]
shape = "square"
side = 2.2
[motion]
start = "uniform"
[task]
steps = 10
trials = 16
validation_trials = 16
encoding = "velocity"
[model]
units = 10
dt = 1.0
tau = 1.0
nonlinearity = "relu"
bias = false
noise_sd = 0.0
w_rec_init = "uniform"
w_in_init = "uniform"
initial_state = "from_place_code"
[readout]
heads = "place+head_direction"
[readout.place]
cells = 24
[readout.head_direction]
cells = 6
[loss]
lambda_l2 = 0.0
lambda_fr = 0.0
weight_decay = 1e-4
[train]
optimizer = "adam"
updates = 4
seed = 3
validate_every = 2
checkpoint_every = 2
[adam]
learning_rate = 1e-4
)";

TEST(ConfigCli, PrintWithoutAConfigGivesEveryKeyAsATemplateThatReadsBack) {
  TempDir dir;
  auto printed = run_gridrnn("config --print");
  ASSERT_EQ(printed.status, 0) << printed.output;
  for (const char* line : {"[arena]\n", "shape = \"square\"\n", "[train]\n", "updates = 1900\n",
                           "seed = 1\n", "[hessian_free]\n", "[evaluation]\n", "skip_steps = 30\n",
                           "[readout.position]\n", "# number of updates"}) {
    EXPECT_NE(printed.output.find(line), std::string::npos) << line << " in:\n" << printed.output;
  }
  // Read back, the template is a valid config with the same values.
  const std::string file = write_config(dir, printed.output, "template.toml");
  auto valid = run_gridrnn("config --config " + file);
  EXPECT_EQ(valid.status, 0) << valid.output;
  auto again = run_gridrnn("config --print --config " + file);
  ASSERT_EQ(again.status, 0) << again.output;
  EXPECT_EQ(again.output.substr(again.output.find('\n')), printed.output.substr(printed.output.find('\n')));
  // A config's own and --set values replace the defaults.
  auto set = run_gridrnn("config --print --config " + write_config(dir, kTinyConfig) +
                         " --set model.units=20");
  ASSERT_EQ(set.status, 0) << set.output;
  EXPECT_NE(set.output.find("\nunits = 20\n"), std::string::npos) << set.output;
  EXPECT_NE(set.output.find("\nsteps = 40\n"), std::string::npos) << set.output;
  EXPECT_NE(set.output.find("\nupdates = 6\n"), std::string::npos) << set.output;
}

// Shapes whose size is set by one of two keys (area, or side / radius), and presets that set one:
// the printed config reads back (the key not given stays a comment) and prints the same again.
TEST(ConfigCli, PrintedConfigOfEveryArenaShapeAndPresetReadsBack) {
  TempDir dir;
  std::vector<std::string> arguments;
  for (const char* shape : {"square", "rectangle", "hexagon", "triangle", "circle"})
    arguments.push_back(std::string("--set arena.shape=") + shape);
  arguments.push_back("--set arena.shape=circle --set arena.radius=1.5");
  arguments.push_back("--set arena.shape=hexagon --set arena.area=9");
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(GRIDRNN_SOURCE_DIR) / "configs"))
    if (!entry.path().filename().string().ends_with(".sweep.toml"))  // sweep files: `gridrnn sweep`
      arguments.push_back("--config " + entry.path().string());
  int n = 0;
  for (const auto& args : arguments) {
    auto printed = run_gridrnn("config --print " + args);
    ASSERT_EQ(printed.status, 0) << args << ": " << printed.output;
    const std::string name = "printed" + std::to_string(n++) + ".toml";
    const std::string file = write_config(dir, printed.output, name.c_str());
    auto again = run_gridrnn("config --print --config " + file);
    ASSERT_EQ(again.status, 0) << args << ": " << again.output;
    EXPECT_EQ(again.output.substr(again.output.find('\n')), printed.output.substr(printed.output.find('\n'))) << args;
  }
}

TEST(TrainCli, PlaceCellRunSavesItsCentresAndResumesWithTheSameOnes) {
  TempDir dir;
  const std::string config = write_config(dir, kTinyPlaceConfig);
  const auto run = dir / "run";
  auto first = run_gridrnn("train --config " + config + " --out " + run.string() + " --until 2");
  ASSERT_EQ(first.status, 0) << first.output;
  const auto net = run / "network";
  for (const char* name : {"W_in.npy", "W_rec.npy", "W_place.npy", "W_hd.npy", "W_enc.npy", "place_centres.npy"})
    EXPECT_TRUE(std::filesystem::exists(net / name)) << name;
  for (const char* name : {"b.npy", "W_out.npy", "x0.npy", "W_init.npy"}) EXPECT_FALSE(std::filesystem::exists(net / name)) << name;
  const auto centres = io::read_npy(net / "place_centres.npy");
  EXPECT_EQ(centres.shape, (std::vector<std::size_t>{24, 2}));
  model::PlaceHeadOptions place;
  place.cells = 24;
  EXPECT_EQ(centres.values, train::place_centres(arena::Arena::square(2.2), place, 3));  // train.seed
  EXPECT_EQ(io::read_npy(net / "W_enc.npy").shape, (std::vector<std::size_t>{10, 24}));
  const auto json = nlohmann::json::parse(io::read_file(net / "network.json"));
  EXPECT_EQ(json["nonlinearity"], "relu");
  EXPECT_EQ(json["bias"], false);
  EXPECT_EQ(json["readout"]["heads"], "place+head_direction");
  EXPECT_EQ(json["readout"]["place"]["cells"], 24);
  const std::string centres_bytes = io::read_file(net / "place_centres.npy");
  auto second = run_gridrnn("train --resume " + run.string());
  ASSERT_EQ(second.status, 0) << second.output;
  EXPECT_EQ(io::read_file(net / "place_centres.npy"), centres_bytes);
  const auto lines = metrics(run);
  ASSERT_EQ(lines.size(), 4u);
  for (const char* key : {"position", "place", "head_direction", "weight_decay", "error", "position_rms"})
    EXPECT_TRUE(lines[3].contains(key)) << key;
  EXPECT_EQ(lines[3]["position"], 0.0);  // no position head
  EXPECT_TRUE(lines[3].contains("validation_position_rms"));
  // config.toml edited to another seed (which would also swap the centres under the trained
  // network) is refused by the seed the checkpoint holds.
  const std::string original = io::read_file(run / "config.toml");
  std::string edited = original;
  const auto at = edited.find("seed = 3");
  ASSERT_NE(at, std::string::npos) << edited;
  edited.replace(at, 8, "seed = 4");
  io::write_file_atomic(run / "config.toml", edited);
  auto refused = run_gridrnn("train --resume " + run.string());
  EXPECT_EQ(refused.status, 2) << refused.output;
  EXPECT_NE(refused.output.find("train.seed = 4, but the run was trained with train.seed = 3"),
            std::string::npos)
      << refused.output;
  // Another arena size would too: refused naming the saved centres.
  edited = original;
  const auto side = edited.find("side = 2.2");
  ASSERT_NE(side, std::string::npos) << edited;
  edited.replace(side, 10, "side = 2.3");
  io::write_file_atomic(run / "config.toml", edited);
  auto other_arena = run_gridrnn("train --resume " + run.string());
  EXPECT_EQ(other_arena.status, 2) << other_arena.output;
  EXPECT_NE(other_arena.output.find("place_centres.npy"), std::string::npos) << other_arena.output;
}

// Centres from a file (a relative path is taken from the config file's folder): the run saves
// them as its own, its config.toml names that copy, and it resumes after the file is gone.
TEST(TrainCli, FileCentresBecomeTheRunsOwnAndTheRunResumesWithoutTheFile) {
  TempDir dir;
  std::filesystem::create_directory(dir / "layout");
  std::vector<double> centres(48);
  for (std::size_t i = 0; i < centres.size(); ++i) centres[i] = 1.05 * std::sin(0.7 * static_cast<double>(i) + 0.3);
  io::write_npy(dir / "layout" / "centres.npy", std::span<const double>(centres), {24, 2});
  std::string text = kTinyPlaceConfig;
  const auto at = text.find("cells = 24\n");
  ASSERT_NE(at, std::string::npos);
  text.insert(at + 11, "centres = \"file\"\ncentres_file = \"centres.npy\"\n");
  const std::string config = write_config(dir, text, "layout/c.toml");
  const auto run = dir / "run";
  auto first = run_gridrnn("train --config " + config + " --out " + run.string() + " --until 2");
  ASSERT_EQ(first.status, 0) << first.output;
  EXPECT_EQ(io::read_npy(run / "network" / "place_centres.npy").values, centres);
  const std::string saved = io::read_file(run / "config.toml");
  EXPECT_NE(saved.find("centres_file = \"network/place_centres.npy\""), std::string::npos) << saved;
  EXPECT_EQ(nlohmann::json::parse(io::read_file(run / "network" / "network.json"))["readout"]["place"]["centres"], "file");
  // run.json keeps where they came from.
  EXPECT_EQ(nlohmann::json::parse(io::read_file(run / "run.json"))["place_centres_from"],
            (dir / "layout" / "centres.npy").string());
  std::filesystem::remove_all(dir / "layout");
  auto second = run_gridrnn("train --resume " + run.string());
  ASSERT_EQ(second.status, 0) << second.output;
  EXPECT_EQ(metrics(run).size(), 4u);
  EXPECT_EQ(io::read_npy(run / "network" / "place_centres.npy").values, centres);
  EXPECT_EQ(nlohmann::json::parse(io::read_file(run / "run.json"))["place_centres_from"],
            (dir / "layout" / "centres.npy").string());
  // The run trained exactly as one that never stopped, from the same file.
  std::filesystem::create_directory(dir / "layout");
  io::write_npy(dir / "layout" / "centres.npy", std::span<const double>(centres), {24, 2});
  write_config(dir, text, "layout/c.toml");
  auto straight = run_gridrnn("train --config " + config + " --out " + (dir / "straight").string());
  ASSERT_EQ(straight.status, 0) << straight.output;
  for (const char* name : {"W_rec.npy", "W_place.npy", "W_enc.npy"})
    EXPECT_EQ(io::read_file(run / "network" / name), io::read_file(dir / "straight" / "network" / name)) << name;
}

TEST(Presets, PlaceCellsConfigIsValidAndHoldsTheReferenceSetup) {
  const std::string path = std::string(GRIDRNN_SOURCE_DIR) + "/configs/place_cells.toml";
  const auto checked = run_gridrnn("config --config " + path);
  ASSERT_EQ(checked.status, 0) << checked.output;
  const auto e = train::Experiment::from_config(io::ConfigReader::from_file(path));
  EXPECT_EQ(e.arena.name(), "square");
  EXPECT_DOUBLE_EQ(e.arena.bounding_box().width(), 2.2);
  EXPECT_EQ(e.motion.start, trajectory::StartPosition::kUniform);
  EXPECT_EQ(e.task.steps, 20);
  EXPECT_EQ(e.task.trials, 200);
  EXPECT_EQ(e.task.encoding, trajectory::Encoding::kVelocity);
  EXPECT_EQ(e.model.units, 512u);
  EXPECT_DOUBLE_EQ(e.model.alpha(), 1.0);
  EXPECT_EQ(e.model.nonlinearity, model::Nonlinearity::kRelu);
  EXPECT_FALSE(e.model.bias);
  EXPECT_EQ(e.model.noise_sd, 0.0);
  EXPECT_EQ(e.model.w_rec_init, model::RecurrentInit::kUniform);
  EXPECT_EQ(e.model.w_in_init, model::InputInit::kUniform);
  EXPECT_EQ(e.model.initial_state, model::InitialState::kFromPlaceCode);
  EXPECT_EQ(e.model.readout.heads_name(), "place");
  const auto& place = e.model.readout.place_head;
  EXPECT_EQ(place.cells, 512u);
  EXPECT_DOUBLE_EQ(place.sigma, 0.12);
  EXPECT_DOUBLE_EQ(place.surround_ratio, 2.0);
  EXPECT_EQ(place.tuning, model::PlaceTuning::kDifferenceOfSoftmax);
  EXPECT_EQ(place.loss, model::PlaceLoss::kCrossEntropy);
  EXPECT_EQ(place.centres, model::CentreLayout::kReference);  // numpy's np.random.seed(0) layout
  EXPECT_EQ(e.model.readout.place_centres.size(), 1024u);
  EXPECT_EQ(e.model.readout.place_centres[0], 0.10738970864011455);  // numpy's first x
  EXPECT_EQ(e.loss.lambda_l2, 0.0);
  EXPECT_EQ(e.loss.lambda_fr, 0.0);
  EXPECT_DOUBLE_EQ(e.loss.weight_decay, 1e-4);
  EXPECT_EQ(e.train.optimizer, train::OptimizerKind::kAdam);
  EXPECT_DOUBLE_EQ(e.adam.learning_rate, 5e-4);  // the reference's 1e-4 stays on its plateau at 10^4 updates
  EXPECT_EQ(e.motion.model, trajectory::MotionModel::kSorscher);
  EXPECT_DOUBLE_EQ(e.motion.sorscher.dt, 0.02);
  EXPECT_DOUBLE_EQ(e.motion.sorscher.angular_velocity_sd, 11.52);
  EXPECT_EQ(e.train.snapshot_every, 500);
}

TEST(TrainCli, CorruptedOrTruncatedCheckpointIsRefusedOnResume) {
  TempDir dir;
  const std::string config = write_config(dir, kTinyConfig);
  ASSERT_EQ(run_gridrnn("train --config " + config + " --out " + (dir / "run").string() + " --until 2").status, 0);
  const auto checkpoint = dir / "run" / "checkpoint.bin";
  const std::string good = io::read_file(checkpoint);
  std::filesystem::resize_file(checkpoint, good.size() / 2);
  auto truncated = run_gridrnn("train --resume " + (dir / "run").string());
  EXPECT_EQ(truncated.status, 2);
  EXPECT_NE(truncated.output.find("checkpoint.bin"), std::string::npos) << truncated.output;
  std::string altered = good;
  altered[altered.size() - 20] ^= 0x10;
  io::write_file_atomic(checkpoint, altered);
  auto corrupted = run_gridrnn("train --resume " + (dir / "run").string());
  EXPECT_EQ(corrupted.status, 2);
  EXPECT_NE(corrupted.output.find("checksum"), std::string::npos) << corrupted.output;
  // The refused resumes did not touch the run: restoring the checkpoint lets it continue.
  io::write_file_atomic(checkpoint, good);
  EXPECT_EQ(run_gridrnn("train --resume " + (dir / "run").string()).status, 0);
}

TEST(TrainCli, SigintWritesACheckpointAndTheRunResumes) {
  TempDir dir;
  const std::string config = write_config(
      dir, std::string(kTinyConfig).replace(std::string(kTinyConfig).find("updates = 6"), 11,
                                            "updates = 100000"));
  const std::string run = (dir / "run").string();
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::execl(GRIDRNN_BINARY, GRIDRNN_BINARY, "train", "--config", config.c_str(), "--out",
            run.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Wait until a few updates are logged, then interrupt.
  for (int i = 0; i < 600; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::error_code ec;
    if (std::filesystem::exists(dir / "run" / "metrics.jsonl", ec) &&
        std::filesystem::file_size(dir / "run" / "metrics.jsonl", ec) > 1000) {
      break;
    }
  }
  ::kill(child, SIGINT);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  const auto checkpoint = train::read_checkpoint(dir / "run" / "checkpoint.bin");
  EXPECT_GT(checkpoint.updates_done, 0);
  EXPECT_EQ(metrics(dir / "run").size(), static_cast<std::size_t>(checkpoint.updates_done));
  auto resumed = run_gridrnn("train --resume " + run + " --until " +
                             std::to_string(checkpoint.updates_done + 2));
  EXPECT_EQ(resumed.status, 0) << resumed.output;
}

TEST(TrainCli, UntilOutsideTheUpdatesLeftIsRefusedNamingTheRange) {
  TempDir dir;
  const std::string config = write_config(dir, kTinyConfig);
  const std::string run = (dir / "run").string();
  // Past [train] updates = 6: refused, not silently capped, and no run folder made.
  auto past = run_gridrnn("train --config " + config + " --out " + run + " --until 10");
  EXPECT_EQ(past.status, 2) << past.output;
  EXPECT_NE(past.output.find("--until 10 is past [train] updates = 6"), std::string::npos) << past.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "run"));
  // 0: a plain message, not CLI11's "not in range 0.000000 to 1797...".
  auto zero = run_gridrnn("train --config " + config + " --out " + run + " --until 0");
  EXPECT_EQ(zero.status, 2) << zero.output;
  EXPECT_NE(zero.output.find("--until 0: give the number of updates to stop after, a whole number "
                             "from 1 to 6"),
            std::string::npos)
      << zero.output;
  EXPECT_EQ(zero.output.find("1797"), std::string::npos) << zero.output;
  // Stopping early says so (not "done") and tells how to continue.
  auto first = run_gridrnn("train --config " + config + " --out " + run + " --until 3");
  ASSERT_EQ(first.status, 0) << first.output;
  EXPECT_NE(first.output.find("stopped (--until) after 3 updates"), std::string::npos) << first.output;
  EXPECT_NE(first.output.find("stopped after 3 of 6 updates as asked; continue with: gridrnn train "
                              "--resume"),
            std::string::npos)
      << first.output;
  // At or below the updates already done: refused, not "updates 4..1 of 6".
  const std::string checkpoint = io::read_file(dir / "run" / "checkpoint.bin");
  auto below = run_gridrnn("train --resume " + run + " --until 1");
  EXPECT_EQ(below.status, 2) << below.output;
  EXPECT_NE(below.output.find("--until 1: the run has already done 3 updates; give 4 to 6"),
            std::string::npos)
      << below.output;
  EXPECT_EQ(below.output.find("updates 4..1"), std::string::npos) << below.output;
  EXPECT_EQ(io::read_file(dir / "run" / "checkpoint.bin"), checkpoint);
  auto rest = run_gridrnn("train --resume " + run);
  ASSERT_EQ(rest.status, 0) << rest.output;
  EXPECT_NE(rest.output.find("done after 6 updates"), std::string::npos) << rest.output;
}

TEST(TrainCli, ResumeWithUpdatesTrainsLongerExactlyAsAStraightRun) {
  TempDir dir;
  const std::string config = write_config(dir, kTinyConfig);
  const std::string run = (dir / "run").string();
  auto straight = run_gridrnn("train --config " + config + " --set train.updates=8 --out " +
                              (dir / "straight").string());
  ASSERT_EQ(straight.status, 0) << straight.output;
  ASSERT_EQ(run_gridrnn("train --config " + config + " --out " + run).status, 0);
  auto longer = run_gridrnn("train --resume " + run + " --updates 8");
  ASSERT_EQ(longer.status, 0) << longer.output;
  EXPECT_NE(longer.output.find("updates 7..8 of 8"), std::string::npos) << longer.output;
  EXPECT_EQ(train::read_checkpoint(dir / "run" / "checkpoint.bin").updates_done, 8);
  // config.toml says what the run now is: a plain resume continues to 8, and the files match a
  // run that asked for 8 updates from the start.
  EXPECT_EQ(io::read_file(dir / "run" / "config.toml"), io::read_file(dir / "straight" / "config.toml"));
  EXPECT_EQ(network_bytes(dir / "run"), network_bytes(dir / "straight"));
  EXPECT_EQ(metrics(dir / "run").size(), 8u);
  // Documented in --help.
  auto help = run_gridrnn("train --help");
  EXPECT_NE(help.output.find("--updates"), std::string::npos) << help.output;
}

TEST(TrainCli, ResumeWithFewerUpdatesThanDoneOrANewSeedIsRefusedAndChangesNothing) {
  TempDir dir;
  const std::string config = write_config(dir, kTinyConfig);
  const std::string run = (dir / "run").string();
  ASSERT_EQ(run_gridrnn("train --config " + config + " --out " + run + " --until 4").status, 0);
  const std::string toml = io::read_file(dir / "run" / "config.toml");
  const std::string checkpoint = io::read_file(dir / "run" / "checkpoint.bin");
  auto fewer = run_gridrnn("train --resume " + run + " --updates 3");
  EXPECT_EQ(fewer.status, 2) << fewer.output;
  EXPECT_NE(fewer.output.find("--updates 3: the run in '" + run + "' has already done 4 updates; "
                              "give at least 4"),
            std::string::npos)
      << fewer.output;
  auto zero = run_gridrnn("train --resume " + run + " --updates 0");
  EXPECT_EQ(zero.status, 2) << zero.output;
  // --until past the new updates: refused before config.toml is rewritten.
  auto until = run_gridrnn("train --resume " + run + " --updates 5 --until 7");
  EXPECT_EQ(until.status, 2) << until.output;
  EXPECT_NE(until.output.find("--until 7 is past [train] updates = 5"), std::string::npos) << until.output;
  // --updates belongs to --resume (a new run sets it with --set train.updates=N).
  auto no_resume = run_gridrnn("train --config " + config + " --out " + (dir / "b").string() +
                               " --updates 9");
  EXPECT_EQ(no_resume.status, 2) << no_resume.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "b"));
  // A new seed would change the validation set: refused naming the key and both values.
  auto seed = run_gridrnn("train --resume " + run + " --set train.seed=7");
  EXPECT_EQ(seed.status, 2) << seed.output;
  EXPECT_NE(seed.output.find("--set train.seed=7 with --resume: the run in '" + run +
                             "' has train.seed = 1"),
            std::string::npos)
      << seed.output;
  EXPECT_NE(seed.output.find("validation set"), std::string::npos) << seed.output;
  auto units = run_gridrnn("train --resume " + run + " --set model.units=20");
  EXPECT_EQ(units.status, 2) << units.output;
  EXPECT_NE(units.output.find("has model.units = 12"), std::string::npos) << units.output;
  EXPECT_EQ(io::read_file(dir / "run" / "config.toml"), toml);
  EXPECT_EQ(io::read_file(dir / "run" / "checkpoint.bin"), checkpoint);
  // The run's own seed repeated is no change.
  auto same = run_gridrnn("train --resume " + run + " --set train.seed=1 --until 5");
  EXPECT_EQ(same.status, 0) << same.output;
  EXPECT_EQ(io::read_file(dir / "run" / "config.toml"), toml);
  // A seed edited into config.toml by hand: the checkpoint knows the run's.
  ASSERT_NE(toml.find("[train]\n"), std::string::npos) << toml;
  std::string edited = toml;
  edited.replace(edited.find("[train]\n"), 8, "[train]\nseed = 7\n");
  io::write_file_atomic(dir / "run" / "config.toml", edited);
  const std::string resumed_checkpoint = io::read_file(dir / "run" / "checkpoint.bin");
  auto hand = run_gridrnn("train --resume " + run);
  EXPECT_EQ(hand.status, 2) << hand.output;
  EXPECT_NE(hand.output.find("has train.seed = 7, but the run was trained with train.seed = 1"),
            std::string::npos)
      << hand.output;
  EXPECT_EQ(io::read_file(dir / "run" / "checkpoint.bin"), resumed_checkpoint);
}

TEST(TrainCli, ALogGetsAPlainProgressLineEveryIntervalWithLossAndTimeLeft) {
  TempDir dir;
  const std::string config = write_config(dir, kTinyConfig);
  // stderr is a pipe here, as in a log; an interval of 0 s prints a line after every update but
  // the last (the end message reports that one).
  // CI sets GRIDRNN_NO_PROGRESS; lift it for this test.
  const char* no_progress = std::getenv("GRIDRNN_NO_PROGRESS");
  const std::string saved = no_progress != nullptr ? no_progress : "";
  ::unsetenv("GRIDRNN_NO_PROGRESS");
  ::setenv("GRIDRNN_PROGRESS_INTERVAL", "0", 1);
  auto result = run_gridrnn("train --config " + config + " --out " + (dir / "run").string());
  ::unsetenv("GRIDRNN_PROGRESS_INTERVAL");
  auto quiet = run_gridrnn("train --config " + config + " --out " + (dir / "quiet").string());
  if (no_progress != nullptr) ::setenv("GRIDRNN_NO_PROGRESS", saved.c_str(), 1);
  ASSERT_EQ(result.status, 0) << result.output;
  for (int k = 1; k < 6; ++k) {
    EXPECT_NE(result.output.find("update " + std::to_string(k) + "/6  loss "), std::string::npos)
        << result.output;
  }
  EXPECT_EQ(result.output.find("update 6/6"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find(" left\n"), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("\033[K"), std::string::npos) << result.output;
  // The default interval (a minute) prints nothing in a run this short.
  ASSERT_EQ(quiet.status, 0) << quiet.output;
  EXPECT_EQ(quiet.output.find("update 1/6"), std::string::npos) << quiet.output;
}

TEST(TrainCli, ResumingAFinishedRunWhoseNetworkWasDeletedRebuildsIt) {
  TempDir dir;
  const std::string config = write_config(dir, kTinyConfig);
  const std::string run = (dir / "run").string();
  ASSERT_EQ(run_gridrnn("train --config " + config + " --out " + run).status, 0);
  const std::string trained = network_bytes(dir / "run");
  std::filesystem::remove_all(dir / "run" / "network");
  auto resumed = run_gridrnn("train --resume " + run);
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("was missing or unreadable: rebuilt from checkpoint.bin (update 6)"),
            std::string::npos)
      << resumed.output;
  ASSERT_TRUE(std::filesystem::is_directory(dir / "run" / "network")) << resumed.output;
  EXPECT_EQ(network_bytes(dir / "run"), trained);
}

TEST(TrainCli, ForceRefusesARunFolderHoldingTheUsersOwnFiles) {
  TempDir dir;
  const std::string config = write_config(dir, kTinyConfig);
  const std::string run = (dir / "run").string();
  ASSERT_EQ(run_gridrnn("train --config " + config + " --out " + run + " --until 1").status, 0);
  io::write_file_atomic(dir / "run" / "notes.txt", "mine");
  std::filesystem::create_directories(dir / "run" / "data");
  io::write_file_atomic(dir / "run" / "data" / "x.csv", "1,2");
  auto forced = run_gridrnn("train --config " + config + " --force --out " + run);
  EXPECT_EQ(forced.status, 2) << forced.output;
  EXPECT_NE(forced.output.find("also holds data/, notes.txt"), std::string::npos) << forced.output;
  EXPECT_EQ(io::read_file(dir / "run" / "notes.txt"), "mine");
  EXPECT_EQ(io::read_file(dir / "run" / "data" / "x.csv"), "1,2");
  EXPECT_TRUE(std::filesystem::is_regular_file(dir / "run" / "checkpoint.bin"));
  // With only gridrnn's files (training and analysis outputs) --force replaces the run.
  std::filesystem::remove(dir / "run" / "notes.txt");
  std::filesystem::remove_all(dir / "run" / "data");
  std::filesystem::create_directories(dir / "run" / "analysis");
  io::write_file_atomic(dir / "run" / "report.html", "<html></html>");
  auto replaced = run_gridrnn("train --config " + config + " --force --out " + run);
  EXPECT_EQ(replaced.status, 0) << replaced.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "run" / "report.html"));
}

TEST(TrainCli, ASecondTrainingOfTheSameRunFolderIsRefusedNamingTheFirstsPid) {
  TempDir dir;
  const std::string config = write_config(
      dir, std::string(kTinyConfig).replace(std::string(kTinyConfig).find("updates = 6"), 11,
                                            "updates = 100000"));
  const std::string run = (dir / "run").string();
  ASSERT_EQ(run_gridrnn("train --config " + config + " --out " + run + " --until 1").status, 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::execl(GRIDRNN_BINARY, GRIDRNN_BINARY, "train", "--resume", run.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Wait until the first job trains (past update 1), then start a second on the same folder.
  for (int i = 0; i < 600; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::error_code ec;
    if (std::filesystem::file_size(dir / "run" / "metrics.jsonl", ec) > 1000 && !ec) break;
  }
  // Time-bounded: with a broken lock the second job would train its 100000 updates (killed after
  // 30 s: status 137 via timeout -s KILL), and a first job deaf to SIGINT is killed after 30 s.
  auto second = testing::run_gridrnn_within(30, "train --resume " + run);
  ::kill(child, SIGINT);
  int status = 0;
  pid_t waited = 0;
  for (int i = 0; i < 300 && waited == 0; ++i) {
    waited = ::waitpid(child, &status, WNOHANG);
    if (waited == 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (waited == 0) {
    ::kill(child, SIGKILL);
    ::waitpid(child, &status, 0);
    ADD_FAILURE() << "the first job did not stop within 30 s of SIGINT";
  }
  EXPECT_EQ(second.status, 2) << second.output;
  EXPECT_NE(second.output.find("in use by another `gridrnn train` (pid " + std::to_string(child) + ")"),
            std::string::npos)
      << second.output;
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  // The lock went with the first job: the folder resumes again.
  auto third = run_gridrnn("train --resume " + run + " --until " +
                           std::to_string(train::read_checkpoint(dir / "run" / "checkpoint.bin").updates_done + 1));
  EXPECT_EQ(third.status, 0) << third.output;
}

#ifndef GRIDRNN_WITH_MPI
TEST(TrainCli, SeveralLauncherProcessesWithoutMpiAreRefused) {
  TempDir dir;
  const std::string config = write_config(dir, kTinyConfig);
  // What mpirun -np 2 sets in each process's environment.
  ::setenv("OMPI_COMM_WORLD_SIZE", "2", 1);
  auto result = run_gridrnn("train --config " + config + " --out " + (dir / "run").string());
  ::unsetenv("OMPI_COMM_WORLD_SIZE");
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find("cmake --preset mpi, see docs/scaling.md"), std::string::npos)
      << result.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "run"));
}
#endif

}  // namespace
}  // namespace gridrnn

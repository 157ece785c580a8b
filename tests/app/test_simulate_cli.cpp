#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "gridrnn/io/files.hpp"
#include "gridrnn/io/npy.hpp"
#include "test_helpers.hpp"

namespace gridrnn {
namespace {

using testing::run_gridrnn;
using testing::TempDir;

TEST(SimulateCli, WritesArraysWithTheDocumentedShapes) {
  TempDir dir;
  const auto r = run_gridrnn("simulate --arena hexagon --steps 50 --trials 4 --encoding "
                             "speed_cos_sin --seed 3 --out " + (dir / "out").string());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find((dir / "out").string()), std::string::npos) << r.output;
  EXPECT_EQ(io::read_npy(dir / "out/positions.npy").shape, (std::vector<std::size_t>{51, 4, 2}));
  EXPECT_EQ(io::read_npy(dir / "out/headings.npy").shape, (std::vector<std::size_t>{50, 4}));
  EXPECT_EQ(io::read_npy(dir / "out/speeds.npy").shape, (std::vector<std::size_t>{50, 4}));
  const auto inputs = io::read_npy(dir / "out/inputs.npy");
  EXPECT_EQ(inputs.dtype, io::DType::kFloat32);
  EXPECT_EQ(inputs.shape, (std::vector<std::size_t>{50, 4, 3}));
  const std::string config = io::read_file(dir / "out/config.toml");
  EXPECT_NE(config.find("hexagon"), std::string::npos) << config;
  EXPECT_NE(config.find("steps = 50"), std::string::npos) << config;
}

TEST(SimulateCli, SameSeedGivesByteIdenticalFilesWithOneAndTwoThreads) {
  TempDir dir;
  for (const char* threads : {"1", "2"}) {
    const auto r = run_gridrnn(std::string("simulate --arena triangle --motion rodent --steps 300 "
                                           "--trials 37 --seed 9 --threads ") +
                               threads + " --out " + (dir / threads).string());
    ASSERT_EQ(r.status, 0) << r.output;
  }
  for (const char* file : {"positions.npy", "headings.npy", "speeds.npy", "inputs.npy"}) {
    const std::string one = io::read_file(dir / "1" / file);
    EXPECT_GT(one.size(), 1000u);
    EXPECT_EQ(one, io::read_file(dir / "2" / file)) << file;
  }
  const auto r = run_gridrnn("simulate --arena triangle --motion rodent --steps 300 --trials 37 "
                             "--seed 10 --out " + (dir / "other").string());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(io::read_file(dir / "1/positions.npy"), io::read_file(dir / "other/positions.npy"));
}

TEST(SimulateCli, ConfigFileAndRecordedPath) {
  TempDir dir;
  io::write_file_atomic(dir / "l.toml",
                        "[arena]\nshape = \"polygon\"\nvertices = [[0,0],[2,0],[2,1],[1,1],[1,2],"
                        "[0,2]]\n[motion]\nstart = \"uniform\"\n[simulate]\nsteps = 20\ntrials = 2\n");
  auto r = run_gridrnn("simulate --config " + (dir / "l.toml").string() + " --out " +
                       (dir / "out").string());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(io::read_npy(dir / "out/positions.npy").shape, (std::vector<std::size_t>{21, 2, 2}));
  io::write_file_atomic(dir / "rat.csv", "t,x,y\n0,0,0\n1,0.1,0\n2,0.1,0.1\n");
  r = run_gridrnn("simulate --recorded " + (dir / "rat.csv").string() + " --encoding velocity --out " +
                  (dir / "rec").string());
  ASSERT_EQ(r.status, 0) << r.output;
  const auto inputs = io::read_npy(dir / "rec/inputs.npy");
  ASSERT_EQ(inputs.shape, (std::vector<std::size_t>{2, 1, 2}));
  EXPECT_NEAR(inputs.values[0], 0.1, 1e-7);
  EXPECT_NEAR(inputs.values[3], 0.1, 1e-7);
}

TEST(SimulateCli, SorscherModelFromAConfig) {
  TempDir dir;
  io::write_file_atomic(dir / "s.toml",
                        "[arena]\nshape = \"circle\"\n[motion]\nmodel = \"sorscher\"\n"
                        "start = \"uniform\"\n[simulate]\nsteps = 200\ntrials = 3\n");
  const auto r = run_gridrnn("simulate --config " + (dir / "s.toml").string() + " --out " +
                             (dir / "out").string());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("sorscher motion"), std::string::npos) << r.output;
  EXPECT_EQ(io::read_npy(dir / "out/speeds.npy").shape, (std::vector<std::size_t>{200, 3}));
  EXPECT_NE(io::read_file(dir / "out/config.toml").find("sorscher"), std::string::npos);
}

struct BadCase {
  std::string config;  // TOML text, or empty
  std::string flags;
  std::vector<std::string> expected;  // substrings of the message
};

TEST(SimulateCli, BadInputExitsWithStatus2NamingTheProblemAndWritesNothing) {
  const std::vector<BadCase> cases{
      {"[arena]\nshape = \"blob\"\n", "", {"arena.shape", "blob", "hexagon"}},
      {"[arena]\nsidee = 2\n", "", {"unknown key", "arena.sidee", "arena.side"}},
      {"[motion]\np_still = \"lots\"\n", "", {"motion.p_still", "must be a number", "lots"}},
      {"[motion]\np_still = 1.2\n", "", {"motion.p_still", "1.2", ">= 0, <= 1"}},
      {"[motion]\nmodel = \"sorscher\"\nborder_region = -0.03\n", "",
       {"motion.border_region", "-0.03"}},
      {"[motion]\nmodel = \"sorscher\"\nborder_speed_factor = 4\n", "",
       {"motion.border_speed_factor", "4", "<= 1"}},
      {"[simulate]\nseed = -4\n", "", {"simulate.seed", "-4", ">= 0"}},
      {"[simulate]\nencoding = \"polar\"\n", "", {"simulate.encoding", "polar", "velocity"}},
      {"[arena]\nshape = \"polygon\"\nvertices = [[0,0],[1,1],[1,0],[0,1]]\n", "",
       {"arena.vertices", "intersects"}},
      {"[arena\nshape = 1\n", "", {"cannot parse", "line 1"}},
      {"", "--arena blob", {"--arena", "blob"}},
      {"", "--motion bee", {"--motion", "bee"}},
      {"", "--steps 0", {"--steps"}},
      {"", "--arena polygon", {"polygon", "vertices"}},
      {"", "--recorded RAT", {"line 3", "not finite"}},
      {"", "--recorded MISSING", {"does not exist"}},
      {"", "--config MISSING", {"does not exist"}},
  };
  for (const auto& c : cases) {
    TempDir dir;
    std::string flags = c.flags;
    if (!c.config.empty()) {
      io::write_file_atomic(dir / "bad.toml", c.config);
      flags += " --config " + (dir / "bad.toml").string();
    }
    io::write_file_atomic(dir / "rat.csv", "x,y\n0,0\nnan,0\n");
    const auto replace = [&](const std::string& key, const std::string& value) {
      if (auto at = flags.find(key); at != std::string::npos) flags.replace(at, key.size(), value);
    };
    replace("RAT", (dir / "rat.csv").string());
    replace("MISSING", (dir / "missing").string());
    const std::size_t before = dir.entry_count();
    // --steps and --trials do not apply to a recorded path (refused with it).
    const std::string sizes =
        flags.find("--recorded") == std::string::npos ? "--steps 10 --trials 2 " : "";
    const auto r = run_gridrnn("simulate " + sizes + flags + " --out " + (dir / "out").string());
    EXPECT_EQ(r.status, 2) << flags << "\n" << r.output;
    for (const auto& e : c.expected) {
      EXPECT_NE(r.output.find(e), std::string::npos) << "expected '" << e << "' in: " << r.output;
    }
    EXPECT_EQ(dir.entry_count(), before) << "something was written for " << flags;
  }
}

TEST(SimulateCli, RecordedPathFromASpreadsheetOrRWithACornerOrigin) {
  TempDir dir;
  // Excel's "CSV UTF-8" (a byte-order mark) and R's write.csv(row.names = FALSE) (quoted header).
  io::write_file_atomic(dir / "bom.csv", "\xEF\xBB\xBFt,x,y\n0,0,0\n1,0.1,0\n2,0.1,0.1\n");
  io::write_file_atomic(dir / "r.csv", "\"t\",\"x\",\"y\"\n0,0,0\n1,0.1,0\n2,0.1,0.1\n");
  for (const char* file : {"bom.csv", "r.csv"}) {
    const auto r = run_gridrnn("simulate --recorded " + (dir / file).string() + " --out " +
                               (dir / (std::string(file) + ".out")).string());
    ASSERT_EQ(r.status, 0) << file << ": " << r.output;
    EXPECT_EQ(io::read_npy(dir / (std::string(file) + ".out") / "speeds.npy").shape,
              (std::vector<std::size_t>{2, 1}));
  }
  // Centimetres from the box's corner: refused with the span and --origin named; accepted with
  // --origin and the box's size in the same units.
  io::write_file_atomic(dir / "cm.csv", "x,y\n20,30\n25,30\n80,70\n");
  const auto outside = run_gridrnn("simulate --recorded " + (dir / "cm.csv").string() + " --out " +
                                   (dir / "no").string());
  EXPECT_EQ(outside.status, 2) << outside.output;
  EXPECT_NE(outside.output.find("the points span x in [20, 80], y in [30, 70]"), std::string::npos)
      << outside.output;
  EXPECT_NE(outside.output.find("--origin X,Y"), std::string::npos) << outside.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "no"));
  io::write_file_atomic(dir / "box.toml", "[arena]\nside = 100\n");
  const auto centred = run_gridrnn("simulate --config " + (dir / "box.toml").string() +
                                   " --recorded " + (dir / "cm.csv").string() +
                                   " --origin 50,50 --out " + (dir / "cm").string());
  ASSERT_EQ(centred.status, 0) << centred.output;
  const auto positions = io::read_npy(dir / "cm" / "positions.npy");
  ASSERT_EQ(positions.values.size(), 6u);
  EXPECT_EQ(positions.values[0], -30.0);
  EXPECT_EQ(positions.values[1], -20.0);
  const auto bad_origin = run_gridrnn("simulate --recorded " + (dir / "cm.csv").string() +
                                      " --origin 50 --out " + (dir / "bad").string());
  EXPECT_EQ(bad_origin.status, 2) << bad_origin.output;
  EXPECT_NE(bad_origin.output.find("--origin '50'"), std::string::npos) << bad_origin.output;
}

TEST(SimulateCli, RecordedPathWarnsOfIrregularTimesAndJumpsOnStderr) {
  TempDir dir;
  std::string text = "t,x,y\n";
  for (int k = 0; k < 60; ++k) {
    const double t = 0.02 * k + (k >= 30 ? 0.2 : 0.0);  // one gap of 0.22 s
    const double x = k == 45 ? 0.9 : 0.01 * k - 0.3, y = k == 45 ? -0.9 : 0.0;  // one glitch
    text += std::to_string(t) + "," + std::to_string(x) + "," + std::to_string(y) + "\n";
  }
  io::write_file_atomic(dir / "rat.csv", text);
  const std::string command = std::string(GRIDRNN_BINARY) + " simulate --recorded " +
                              (dir / "rat.csv").string() + " --out " + (dir / "out").string() +
                              " 2>" + (dir / "err.txt").string() + " >/dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0);
  const std::string err = io::read_file(dir / "err.txt");
  EXPECT_NE(err.find("warning: recorded path '" + (dir / "rat.csv").string() +
                     "': 1 of 59 time steps are irregular"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("worst: lines 31 -> 32"), std::string::npos) << err;
  EXPECT_NE(err.find("2 of 59 steps jump"), std::string::npos) << err;
}

TEST(SimulateCli, SimulationFlagsWithARecordedPathAreRefusedNotIgnored) {
  TempDir dir;
  io::write_file_atomic(dir / "rat.csv", "x,y\n0,0\n0.1,0\n");
  for (const char* flag : {"--steps 100", "--trials 3", "--seed 4", "--motion rodent"}) {
    const auto r = run_gridrnn("simulate --recorded " + (dir / "rat.csv").string() + " " + flag +
                               " --out " + (dir / "out").string());
    EXPECT_EQ(r.status, 2) << flag << ": " << r.output;
    const std::string name = std::string(flag).substr(0, std::string(flag).find(' '));
    EXPECT_NE(r.output.find(name + " does not apply with --recorded"), std::string::npos)
        << r.output;
    EXPECT_FALSE(std::filesystem::exists(dir / "out")) << flag;
  }
  const auto origin = run_gridrnn("simulate --origin 1,1 --out " + (dir / "out").string());
  EXPECT_EQ(origin.status, 2) << origin.output;
  EXPECT_NE(origin.output.find("--origin requires --recorded"), std::string::npos) << origin.output;
}

TEST(SimulateCli, RefusesANonEmptyOutputFolder) {
  TempDir dir;
  io::write_file_atomic(dir / "out/keep.txt", "mine");
  const auto r = run_gridrnn("simulate --steps 5 --trials 1 --out " + (dir / "out").string());
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_EQ(io::read_file(dir / "out/keep.txt"), "mine");
}

TEST(SimulateCli, HelpExplainsEveryOptionWithItsDefault) {
  const auto r = run_gridrnn("simulate --help");
  EXPECT_EQ(r.status, 0);
  for (const char* option : {"--config", "--arena", "--motion", "--steps", "--trials", "--seed",
                             "--encoding", "--recorded", "--out", "--threads", "=square", "=paper",
                             "=500", "=1", "all cores"}) {
    EXPECT_NE(r.output.find(option), std::string::npos) << option;
  }
  EXPECT_NE(run_gridrnn("--help").output.find("simulate"), std::string::npos);
}

}  // namespace
}  // namespace gridrnn

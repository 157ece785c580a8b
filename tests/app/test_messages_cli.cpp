// Messages a researcher meets in the first hour: --set examples that work as typed in bash (a bare
// word is a string), an unknown command or key with a "did you mean", a folder where a file is
// expected, an output folder hint that offers --force only where the command has it, running out
// of memory, --threads 0, and a sweep's bad [set] or [grid] value refused before any run starts.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "gridrnn/core/error.hpp"
#include "gridrnn/io/files.hpp"
#include "test_helpers.hpp"

namespace gridrnn {
namespace {

using testing::CommandResult;
using testing::run_gridrnn;
using testing::TempDir;

bool has(const CommandResult& r, const std::string& text) { return r.output.find(text) != std::string::npos; }

// Every `--set KEY=VALUE` example in the help of config and train works when typed in bash (the
// test runs them through the shell, which eats double quotes as bash does).
TEST(MessagesCli, SetExamplesOfTheHelpWorkAsTypedInAShell) {
  std::vector<std::string> examples;
  for (const char* command : {"config", "train"}) {
    const auto help = run_gridrnn(std::string(command) + " --help");
    ASSERT_EQ(help.status, 0) << help.output;
    const std::regex example(R"(--set ([a-z_]+\.[a-z_.]+=\S+?)[;,)]?(\s|$))");
    for (std::sregex_iterator it(help.output.begin(), help.output.end(), example), end; it != end; ++it) {
      examples.push_back((*it)[1]);
    }
  }
  ASSERT_GE(examples.size(), 3u);
  for (const auto& assignment : examples) {
    const auto r = run_gridrnn("config --set " + assignment);
    EXPECT_EQ(r.status, 0) << assignment << ": " << r.output;
  }
}

TEST(MessagesCli, ABareWordIsAStringForAStringKey) {
  for (const char* typed : {"arena.shape=hexagon", "arena.shape=\"hexagon\"", "'arena.shape=\"hexagon\"'"}) {
    const auto r = run_gridrnn(std::string("config --print --set ") + typed);
    ASSERT_EQ(r.status, 0) << typed << ": " << r.output;
    EXPECT_TRUE(has(r, "shape = \"hexagon\"\n")) << typed << ": " << r.output;
  }
  // A string key given what reads as another TOML type takes the text as typed.
  const auto number = run_gridrnn("config --set model.nonlinearity=1");
  EXPECT_EQ(number.status, 2) << number.output;
  EXPECT_TRUE(has(number, "'model.nonlinearity' = \"1\" is not allowed")) << number.output;
  // A misspelt choice names the nearest one.
  const auto typo = run_gridrnn("config --set arena.shape=hexgon");
  EXPECT_EQ(typo.status, 2) << typo.output;
  EXPECT_TRUE(has(typo, "did you mean \"hexagon\"")) << typo.output;
  // A bare word for a number key is still refused, as a string.
  const auto word = run_gridrnn("config --set model.units=many");
  EXPECT_EQ(word.status, 2) << word.output;
  EXPECT_TRUE(has(word, "'model.units' must be an integer")) << word.output;
}

TEST(MessagesCli, BrokenTomlValueSuggestsAFormThatWorksInAShell) {
  const auto r = run_gridrnn("config --set 'arena.vertices=[[0, 0], [1, 0]'");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_TRUE(has(r, "not valid TOML")) << r.output;
  const std::regex suggestion(R"(--set ('arena\.vertices=[^']*'))");
  std::smatch match;
  ASSERT_TRUE(std::regex_search(r.output, match, suggestion)) << r.output;
  const auto again = run_gridrnn("config --set arena.shape=polygon --set " + match[1].str());
  EXPECT_EQ(again.status, 0) << match[1] << ": " << again.output;
}

TEST(MessagesCli, UnknownCommandNamesItAndListsTheCommands) {
  const auto r = run_gridrnn("trian --out x");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_TRUE(has(r, "unknown command 'trian'")) << r.output;
  EXPECT_TRUE(has(r, "did you mean 'train'")) << r.output;
  for (const char* command : {"simulate", "train", "sweep", "analyze", "config"}) {
    EXPECT_TRUE(has(r, command)) << command << ": " << r.output;
  }
  EXPECT_FALSE(has(r, "A subcommand is required")) << r.output;
  const auto none = run_gridrnn("");
  EXPECT_EQ(none.status, 2) << none.output;
  EXPECT_TRUE(has(none, "a command is required; commands: simulate, train")) << none.output;
  const auto far = run_gridrnn("frobnicate");
  EXPECT_EQ(far.status, 2) << far.output;
  EXPECT_TRUE(has(far, "unknown command 'frobnicate'; commands: ")) << far.output;  // no far-fetched guess
  EXPECT_EQ(run_gridrnn("--version").status, 0);
}

TEST(MessagesCli, UnknownKeySuggestsTheNearestAndListsItsSectionOnly) {
  const auto r = run_gridrnn("config --set model.unts=3");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_TRUE(has(r, "unknown key 'model.unts'")) << r.output;
  EXPECT_TRUE(has(r, "did you mean 'model.units'")) << r.output;
  EXPECT_TRUE(has(r, "model.tau")) << r.output;
  EXPECT_FALSE(has(r, "hessian_free.cg_decay")) << r.output;  // not every key of every section
  // The right name in the wrong section, and an unknown section.
  const auto moved = run_gridrnn("config --set train.units=3");
  EXPECT_EQ(moved.status, 2) << moved.output;
  EXPECT_TRUE(has(moved, "did you mean 'model.units'")) << moved.output;
  const auto section = run_gridrnn("config --set modle.units=3");
  EXPECT_EQ(section.status, 2) << section.output;
  EXPECT_TRUE(has(section, "did you mean 'model.units'")) << section.output;
  EXPECT_TRUE(has(section, "[model]")) << section.output;
  EXPECT_FALSE(has(section, "model.tau")) << section.output;
}

TEST(MessagesCli, AFolderWhereAFileIsExpectedIsCalledAFolder) {
  TempDir dir;
  std::filesystem::create_directories(dir / "configs");
  const std::string folder = (dir / "configs").string();
  for (const std::string& arguments : {"config --config " + folder,
                                       "train --config " + folder + " --out " + (dir / "run").string(),
                                       "sweep " + folder + " --out " + (dir / "sweep").string()}) {
    const auto r = run_gridrnn(arguments);
    EXPECT_EQ(r.status, 2) << arguments << ": " << r.output;
    EXPECT_TRUE(has(r, "'" + folder + "' is a folder, not a file")) << arguments << ": " << r.output;
  }
  io::write_file_atomic(dir / "s.toml", "base = \"configs\"\n");
  const auto base = run_gridrnn("sweep " + (dir / "s.toml").string() + " --out " + (dir / "sweep").string());
  EXPECT_EQ(base.status, 2) << base.output;
  EXPECT_TRUE(has(base, "is a folder, not a file")) << base.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "run"));
  EXPECT_FALSE(std::filesystem::exists(dir / "sweep"));
  const auto maps = run_gridrnn("score " + folder);
  EXPECT_EQ(maps.status, 2) << maps.output;
  EXPECT_TRUE(has(maps, "'" + folder + "': it is a folder, not a file")) << maps.output;
  // A run folder given as a config: its config.toml is offered.
  io::write_file_atomic(dir / "configs" / "config.toml", "[model]\nunits = 4\n");
  const auto run_folder = run_gridrnn("config --config " + folder);
  EXPECT_EQ(run_folder.status, 2) << run_folder.output;
  EXPECT_TRUE(has(run_folder, "did you mean its run config '" + (dir / "configs" / "config.toml").string() + "'"))
      << run_folder.output;
}

TEST(MessagesCli, ReadingAFolderAsAFileSaysSo) {
  TempDir dir;
  try {
    (void)io::read_file(dir.path());
    FAIL() << "read_file of a folder returned";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("is a folder, not a file"), std::string::npos) << e.what();
  }
}

TEST(MessagesCli, NonEmptyOutputOffersForceOnlyWhereTheCommandHasIt) {
  TempDir dir;
  io::write_file_atomic(dir / "out" / "keep.txt", "x");
  const auto r = run_gridrnn("simulate --steps 5 --trials 1 --out " + (dir / "out").string());
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_TRUE(has(r, "is not empty")) << r.output;
  EXPECT_FALSE(has(r, "--force")) << r.output;  // simulate has no --force
  EXPECT_EQ(io::read_file(dir / "out" / "keep.txt"), "x");
}

TEST(MessagesCli, OutOfMemoryIsReportedAsSuchWithWhatToShrink) {
  // AddressSanitizer reserves terabytes of shadow address space at start, so under a cap of the
  // address space the sanitized binary cannot start at all.
  if (std::getenv("GRIDRNN_SANITIZED") != nullptr) GTEST_SKIP() << "ulimit -v and AddressSanitizer do not mix";
  TempDir dir;
  // 1e7 path steps (the most simulate takes) need ~1 GB; the address space is capped at 600 MB.
  const std::string command = std::string("sh -c 'ulimit -v 600000 && exec ") + GRIDRNN_BINARY +
                              " simulate --steps 100000 --trials 100 --threads 1 --out " +
                              (dir / "out").string() + "' 2>&1";
  const CommandResult r = testing::run_shell(command);
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_TRUE(has(r, "out of memory")) << r.output;
  EXPECT_TRUE(has(r, "--trials")) << r.output;
  EXPECT_TRUE(has(r, "--threads")) << r.output;
  EXPECT_FALSE(has(r, "internal error")) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "out"));
}

TEST(MessagesCli, ThreadsSaysWhatZeroMeansAndWhatIsAccepted) {
  const auto help = run_gridrnn("simulate --help");
  ASSERT_EQ(help.status, 0) << help.output;
  EXPECT_TRUE(has(help, "0 (the default) uses all cores")) << help.output;
  for (const char* bad : {"-1", "1025", "two"}) {
    const auto r = run_gridrnn(std::string("simulate --steps 5 --trials 1 --out /nonexistent/x --threads ") + bad);
    EXPECT_EQ(r.status, 2) << bad << ": " << r.output;
    EXPECT_TRUE(has(r, "give 1 to 1024 threads, or 0 for all cores")) << bad << ": " << r.output;
  }
  TempDir dir;
  const auto zero = run_gridrnn("simulate --steps 5 --trials 1 --threads 0 --out " + (dir / "out").string());
  EXPECT_EQ(zero.status, 0) << zero.output;
}

TEST(MessagesCli, SweepRefusesABadSetOrGridValueBeforeAnyRunStarts) {
  TempDir dir;
  io::write_file_atomic(dir / "base.toml", "[task]\nsteps = 20\ntrials = 16\nvalidation_trials = 16\n"
                                           "[model]\nunits = 6\n[train]\nupdates = 1\noptimizer = \"adam\"\n");
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"base = \"base.toml\"\n[set]\n\"model.units\" = -1\n", {"[set] model.units = -1", "out of range"}},
      {"[set]\n\"model.units\" = -1\n", {"[set] model.units = -1", "built-in defaults"}},
      {"base = \"base.toml\"\n[set]\n\"model.unts\" = 4\n", {"[set] model.unts = 4", "did you mean 'model.units'"}},
      {"base = \"base.toml\"\n[grid]\n\"model.units\" = [6, 0]\n", {"[grid] model.units = 0", "out of range"}},
      {"base = \"base.toml\"\n[grid]\n\"arena.shape\" = [\"square\", \"hexgon\"]\n",
       {"[grid] arena.shape = \"hexgon\"", "not allowed"}},
  };
  for (const auto& [text, expected] : cases) {
    io::write_file_atomic(dir / "sweep.toml", "analyze = false\n" + text);
    const auto r = run_gridrnn("sweep " + (dir / "sweep.toml").string() + " --out " + (dir / "out").string());
    EXPECT_EQ(r.status, 2) << text << r.output;
    EXPECT_TRUE(has(r, "sweep file '" + (dir / "sweep.toml").string() + "'")) << text << r.output;
    for (const auto& part : expected) EXPECT_TRUE(has(r, part)) << text << part << "\n" << r.output;
    EXPECT_FALSE(has(r, "<built-in defaults>")) << text << r.output;
    EXPECT_FALSE(std::filesystem::exists(dir / "out")) << text;
  }
  // A mistake of no single key (the analysis would not fit) is refused before any run, too.
  io::write_file_atomic(dir / "sweep.toml", "base = \"base.toml\"\n");
  const auto r = run_gridrnn("sweep " + (dir / "sweep.toml").string() + " --out " + (dir / "out").string());
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_TRUE(has(r, "evaluation.skip_steps")) << r.output;
  EXPECT_TRUE(has(r, "no run was started")) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "out"));
}

}  // namespace
}  // namespace gridrnn

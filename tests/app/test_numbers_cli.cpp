// Numbers as a person typed them (io::toml_value_text): 0.1 stays 0.1, never 0.10000000000000001,
// in `gridrnn config --print`, a run's config.toml, a sweep's run folder names, its summary.csv
// and a run's report.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "gridrnn/io/files.hpp"
#include "test_helpers.hpp"

namespace gridrnn {
namespace {

using testing::run_gridrnn;
using testing::TempDir;

constexpr const char* kTiny = R"(
[task]
steps = 20
trials = 16
validation_trials = 16
encoding = "speed_cos_sin"
[model]
units = 6
[train]
updates = 1
optimizer = "adam"
[evaluation]
trials = 4
steps = 100
[analysis]
bins = 8
shuffles = 4
min_shift = 50
)";

// No 17-digit spelling of 0.1 or 0.3 (what printing with %.17g gives).
void expect_as_typed(const std::string& text, const std::string& where) {
  EXPECT_EQ(text.find("0.1000000"), std::string::npos) << where << ":\n" << text;
  EXPECT_EQ(text.find("0.2999999"), std::string::npos) << where << ":\n" << text;
}

TEST(NumbersCli, ConfigPrintShowsNumbersAsTyped) {
  TempDir dir;
  io::write_file_atomic(dir / "c.toml", "[loss]\nlambda_l2 = 0.1\n[adam]\nbeta1 = 1e-05\n");
  const auto r = run_gridrnn("config --print --config " + (dir / "c.toml").string() +
                             " --set adam.learning_rate=0.3 --set model.tau=10.0");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("lambda_l2 = 0.1\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("learning_rate = 0.3\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("beta1 = 1e-05\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("tau = 10.0\n"), std::string::npos) << r.output;  // still a float
  expect_as_typed(r.output, "config --print");
}

TEST(NumbersCli, RunConfigTomlShowsNumbersAsTyped) {
  TempDir dir;
  io::write_file_atomic(dir / "c.toml", kTiny);
  const auto r = run_gridrnn("train --config " + (dir / "c.toml").string() +
                             " --set loss.lambda_l2=0.1 --set adam.learning_rate=0.3 --threads 1 --out " +
                             (dir / "run").string());
  ASSERT_EQ(r.status, 0) << r.output;
  const std::string config = io::read_file(dir / "run" / "config.toml");
  EXPECT_NE(config.find("lambda_l2 = 0.1\n"), std::string::npos) << config;
  EXPECT_NE(config.find("learning_rate = 0.3\n"), std::string::npos) << config;
  expect_as_typed(config, "config.toml");
}

TEST(NumbersCli, SweepFolderNamesSummaryAndReportShowNumbersAsTyped) {
  TempDir dir;
  io::write_file_atomic(dir / "base.toml", kTiny);
  io::write_file_atomic(dir / "sweep.toml", "base = \"base.toml\"\n[set]\n\"adam.learning_rate\" = 0.3\n"
                                            "[grid]\n\"loss.lambda_l2\" = [0.1]\n");
  const auto out = dir / "out";
  const auto r = run_gridrnn("sweep " + (dir / "sweep.toml").string() + " --out " + out.string() + " --threads 1");
  ASSERT_EQ(r.status, 0) << r.output;
  const auto run = out / "loss.lambda-l2=0.1_seed=1";  // '_' is '-' in folder names
  ASSERT_TRUE(std::filesystem::is_directory(run)) << r.output;
  const std::string summary = io::read_file(out / "summary.csv");
  EXPECT_EQ(summary.find("run,status,seed,loss.lambda_l2,"), 0u) << summary;
  EXPECT_NE(summary.find("\nloss.lambda-l2=0.1_seed=1,done,1,0.1,"), std::string::npos) << summary;
  expect_as_typed(summary, "summary.csv");
  const std::string config = io::read_file(run / "config.toml");
  EXPECT_NE(config.find("lambda_l2 = 0.1\n"), std::string::npos) << config;
  EXPECT_NE(config.find("learning_rate = 0.3\n"), std::string::npos) << config;
  expect_as_typed(config, "the run's config.toml");
  const std::string report = io::read_file(run / "report.html");
  EXPECT_NE(report.find("lambda_l2 = 0.1\n"), std::string::npos);
  expect_as_typed(report, "report.html");
}

}  // namespace
}  // namespace gridrnn

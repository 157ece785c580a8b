// `gridrnn sweep` without MPI: the grid x seeds expansion, summary.csv (errors and units per
// class of each run's analysis), a broken run marked failed while the others finish, an analysis
// failure marking its run failed, re-running skips finished runs, analyzes unanalyzed ones and
// resumes interrupted ones, and sweep-file mistakes write nothing. (The MPI runs are checked by
// scripts/mpi-check.sh.)
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
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
[evaluation]
trials = 4
steps = 100
[analysis]
bins = 8
shuffles = 4
min_shift = 50
)";

// Every column after these is one per unit class, in analysis::kUnitClasses order.
const std::vector<std::string> kClassColumns = {"n_grid_hexagonal", "n_grid_square", "n_border", "n_band", "n_ramp",
                                                "n_direction",      "n_speed_only",  "n_irregular"};

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

// One CSV line's fields ("..." quoting with "" inside, as summary.csv writes them).
std::vector<std::string> fields_of(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      fields.back() += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

// summary.csv of a sweep folder as run name -> column name -> value.
std::map<std::string, std::map<std::string, std::string>> summary_of(const std::filesystem::path& out) {
  const auto rows = lines_of(io::read_file(out / "summary.csv"));
  std::map<std::string, std::map<std::string, std::string>> table;
  if (rows.empty()) return table;
  const auto header = fields_of(rows[0]);
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const auto fields = fields_of(rows[r]);
    EXPECT_EQ(fields.size(), header.size()) << rows[r];
    for (std::size_t c = 0; c < header.size() && c < fields.size(); ++c) table[fields[0]][header[c]] = fields[c];
  }
  return table;
}

// The class counts of a summary row are non-negative integers that add up to its units column.
void expect_counts_add_up(const std::map<std::string, std::string>& row, int units) {
  ASSERT_EQ(row.at("units"), std::to_string(units));
  int total = 0;
  for (const auto& column : kClassColumns) {
    const std::string& text = row.at(column);
    ASSERT_FALSE(text.empty()) << column;
    ASSERT_EQ(text.find_first_not_of("0123456789"), std::string::npos) << column << " = " << text;
    total += std::stoi(text);
  }
  EXPECT_EQ(total, units);
  EXPECT_GT(std::stod(row.at("evaluation_position_rms")), 0.0);
  EXPECT_EQ(row.at("percentile"), "95");
}

TEST(SweepCli, GridTimesSeedsGivesOneRowPerRunAndMarksABrokenRunFailed) {
  TempDir dir;
  io::write_file_atomic(dir / "base.toml", kTinyBase);
  // The model.units = 7 runs find a folder in the way that is not a run folder: they fail, the
  // other two train. (A value no config accepts, such as model.units = 0, stops the sweep before
  // any run: SweepFileMistakesAreUserErrorsAndWriteNothing.)
  const std::string sweep_text = R"(
base = "base.toml"
seeds = [1, 2]
[set]
"train.checkpoint_every" = 1
[grid]
"model.units" = [6, 7]
)";
  io::write_file_atomic(dir / "sweep.toml", sweep_text);
  const auto out = dir / "out";
  io::write_file_atomic(out / "sweep.toml", sweep_text);
  for (const char* bad : {"model.units=7_seed=1", "model.units=7_seed=2"}) io::write_file_atomic(out / bad / "notes.txt", "mine");
  const auto r = run_gridrnn("sweep " + (dir / "sweep.toml").string() + " --out " + out.string() + " --threads 1");
  EXPECT_EQ(r.status, 1) << r.output;  // 1: the sweep finished, but a run failed
  const auto rows = lines_of(io::read_file(out / "summary.csv"));
  ASSERT_EQ(rows.size(), 5u) << io::read_file(out / "summary.csv");
  EXPECT_EQ(rows[0].rfind("run,status,seed,model.units,updates_done,validation_position_rms", 0), 0u) << rows[0];
  std::string class_columns;
  for (const auto& column : kClassColumns) class_columns += "," + column;
  EXPECT_NE(rows[0].find(",evaluation_position_rms,units" + class_columns + ",percentile,threshold_grid_score_60,"),
            std::string::npos) << rows[0];
  const auto table = summary_of(out);
  for (const char* ok : {"model.units=6_seed=1", "model.units=6_seed=2"}) {
    const std::string row = row_of(rows, ok);
    EXPECT_NE(row.find(",done,"), std::string::npos) << row;
    EXPECT_NE(row.find(",2,"), std::string::npos) << "2 updates: " << row;
    EXPECT_TRUE(train::is_run_folder(out / ok));
    expect_counts_add_up(table.at(ok), 6);
    EXPECT_TRUE(std::filesystem::is_regular_file(out / ok / "analysis" / "units.csv")) << ok;
    EXPECT_TRUE(std::filesystem::is_regular_file(out / ok / "report.html")) << "figures default to on: " << ok;
  }
  for (const char* bad : {"model.units=7_seed=1", "model.units=7_seed=2"}) {
    const std::string row = row_of(rows, bad);
    EXPECT_NE(row.find(",failed,"), std::string::npos) << row;
    EXPECT_NE(row.find("not a gridrnn run folder"), std::string::npos) << "message says why: " << row;
    EXPECT_EQ(io::read_file(out / bad / "notes.txt"), "mine");
    EXPECT_EQ(table.at(bad).at("n_irregular"), "") << row;
  }
  // The condition figure: one row per condition, a column per class and seed.
  ASSERT_TRUE(std::filesystem::is_regular_file(out / "summary.png"));
  const std::string figure = io::read_file(out / "summary.png");
  EXPECT_EQ(figure.substr(1, 3), "PNG");
  // Seeds differ, so the two good runs differ.
  EXPECT_NE(io::read_file(out / "model.units=6_seed=1" / "network" / "W_rec.npy"),
            io::read_file(out / "model.units=6_seed=2" / "network" / "W_rec.npy"));

  // Again: finished runs are skipped (their files untouched), the failed ones retried.
  // Their analysis is found, not redone, and still in the summary.
  const auto run1 = out / "model.units=6_seed=1";
  const auto before = std::filesystem::last_write_time(run1 / "checkpoint.bin");
  const auto analyzed = std::filesystem::last_write_time(run1 / "analysis" / "analysis.json");
  const auto again = run_gridrnn("sweep " + (dir / "sweep.toml").string() + " --out " + out.string() + " --threads 1");
  EXPECT_EQ(again.status, 1) << again.output;
  EXPECT_EQ(std::filesystem::last_write_time(run1 / "checkpoint.bin"), before);
  EXPECT_EQ(std::filesystem::last_write_time(run1 / "analysis" / "analysis.json"), analyzed);
  const auto rows2 = lines_of(io::read_file(out / "summary.csv"));
  EXPECT_NE(row_of(rows2, "model.units=6_seed=1").find(",finished earlier,"), std::string::npos);
  EXPECT_NE(row_of(rows2, "model.units=7_seed=1").find(",failed,"), std::string::npos);
  EXPECT_EQ(io::read_file(out / "summary.png"), figure) << "a rerun draws the same condition figure";
  const auto table2 = summary_of(out);
  expect_counts_add_up(table2.at("model.units=6_seed=1"), 6);
  for (const auto& column : kClassColumns)
    EXPECT_EQ(table2.at("model.units=6_seed=1").at(column), table.at("model.units=6_seed=1").at(column)) << column;
  for (const char* column : {"validation_position_rms", "baseline_position_rms", "error_ratio"})
    EXPECT_EQ(table2.at("model.units=6_seed=1").at(column), table.at("model.units=6_seed=1").at(column)) << column;

  // A finished run's validation is the one it recorded at its last update (metrics.jsonl), not
  // recomputed by whichever gridrnn opens it: a value written there by hand comes back.
  std::string metrics = io::read_file(run1 / "metrics.jsonl");
  const std::string key = "\"validation_position_rms\":";
  const auto at = metrics.rfind(key);
  ASSERT_NE(at, std::string::npos) << metrics;
  metrics.replace(at + key.size(), metrics.find(',', at) - at - key.size(), "0.123456");
  io::write_file_atomic(run1 / "metrics.jsonl", metrics);
  const auto third = run_gridrnn("sweep " + (dir / "sweep.toml").string() + " --out " + out.string() + " --threads 1");
  EXPECT_EQ(third.status, 1) << third.output;
  EXPECT_EQ(summary_of(out).at("model.units=6_seed=1").at("validation_position_rms"), "0.123456");
}

TEST(SweepCli, AnalyzesFinishedRunsOnARerunAndMarksAFailedAnalysisFailed) {
  TempDir dir;
  io::write_file_atomic(dir / "base.toml", kTinyBase);
  const std::string sweep = (dir / "sweep.toml").string();
  const auto out = dir / "out";
  // Trained without analysis: the analysis columns are empty, no analysis/ folder.
  io::write_file_atomic(dir / "sweep.toml", "base = \"base.toml\"\nseeds = [1, 2]\nanalyze = false\n");
  const auto trained = run_gridrnn("sweep " + sweep + " --out " + out.string() + " --threads 1");
  ASSERT_EQ(trained.status, 0) << trained.output;
  const auto table = summary_of(out);
  ASSERT_EQ(table.size(), 2u);
  EXPECT_EQ(table.at("seed=1").at("updates_done"), "2");
  EXPECT_EQ(table.at("seed=1").at("n_irregular"), "");
  EXPECT_EQ(table.at("seed=1").at("units"), "");
  EXPECT_FALSE(std::filesystem::exists(out / "seed=1" / "analysis"));

  // Again with analysis (no figures): seed=1 is analyzed without training; seed=2 fails in its
  // analysis, because a file stands where its analysis/ folder would go (a damaged network/ would
  // not do: training rebuilds it from checkpoint.bin): failed, with a message that says so and
  // names the path, and the file is left as it was.
  io::write_file_atomic(out / "seed=2" / "analysis", "not a folder\n");
  io::write_file_atomic(dir / "sweep.toml", "base = \"base.toml\"\nseeds = [1, 2]\nfigures = false\n");
  const auto analyzed = run_gridrnn("sweep " + sweep + " --out " + out.string() + " --threads 1");
  EXPECT_EQ(analyzed.status, 1) << analyzed.output;
  const auto table2 = summary_of(out);
  EXPECT_EQ(table2.at("seed=1").at("status"), "finished earlier");
  expect_counts_add_up(table2.at("seed=1"), 6);
  EXPECT_TRUE(std::filesystem::is_regular_file(out / "seed=1" / "analysis" / "analysis.json"));
  EXPECT_FALSE(std::filesystem::exists(out / "seed=1" / "report.html")) << "figures = false";
  EXPECT_TRUE(std::filesystem::is_regular_file(out / "summary.png")) << "the sweep's own figure, also with figures = false";
  const auto& failed = table2.at("seed=2");
  EXPECT_EQ(failed.at("status"), "failed");
  EXPECT_EQ(failed.at("message").rfind("analysis: ", 0), 0u) << failed.at("message");
  EXPECT_NE(failed.at("message").find("'analysis'"), std::string::npos) << failed.at("message");
  EXPECT_EQ(failed.at("updates_done"), "2") << "the training part of a run whose analysis failed is kept";
  EXPECT_EQ(failed.at("n_irregular"), "");
  EXPECT_EQ(io::read_file(out / "seed=2" / "analysis"), "not a folder\n") << "nothing half-written";
  for (const auto& entry : std::filesystem::directory_iterator(out))
    EXPECT_EQ(entry.path().filename().string().find(".partial"), std::string::npos) << entry.path() << " left behind";

  // An analysis that could only fail (400 evaluation samples, min_shift 500) stops the sweep
  // before any run starts.
  io::write_file_atomic(dir / "early.toml", "base = \"base.toml\"\nfigures = false\n[set]\n\"analysis.min_shift\" = 500\n");
  const auto early = run_gridrnn("sweep " + (dir / "early.toml").string() + " --out " + (dir / "early").string() + " --threads 1");
  EXPECT_EQ(early.status, 2) << early.output;
  EXPECT_NE(early.output.find("analysis.min_shift"), std::string::npos) << early.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "early")) << "not trained, nothing written";
}

TEST(SweepCli, ResumesAnInterruptedRunToTheSameParametersAsAStraightOne) {
  TempDir dir;
  io::write_file_atomic(dir / "base.toml", kTinyBase);
  io::write_file_atomic(dir / "sweep.toml", "base = \"base.toml\"\nfigures = false\n[set]\n\"train.updates\" = 4\n\"train.checkpoint_every\" = 1\n");
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

// A table value links keys: both set together, shown as key=value pairs, named by the values.
TEST(SweepCli, ATableValueSetsItsKeysTogether) {
  TempDir dir;
  io::write_file_atomic(dir / "base.toml", kTinyBase);
  io::write_file_atomic(dir / "sweep.toml", "base = \"base.toml\"\nanalyze = false\n[grid]\n"
                                            "\"readout\" = [{heads = \"position\"}, {heads = \"position+place\", place = {cells = 3}}]\n");
  const auto out = dir / "out";
  const auto r = run_gridrnn("sweep " + (dir / "sweep.toml").string() + " --out " + out.string() + " --threads 1");
  ASSERT_EQ(r.status, 0) << r.output;
  const auto table = summary_of(out);
  ASSERT_EQ(table.size(), 2u);
  EXPECT_EQ(table.at("readout=position_seed=1").at("readout"), "heads=position");
  const auto& place = table.at("readout=position+place-3_seed=1");
  EXPECT_EQ(place.at("readout"), "heads=position+place place.cells=3");
  const std::string config = io::read_file(out / "readout=position+place-3_seed=1" / "config.toml");
  EXPECT_NE(config.find("heads = \"position+place\""), std::string::npos) << config;
  EXPECT_NE(config.find("cells = 3"), std::string::npos) << config;
  EXPECT_EQ(io::read_file(out / "readout=position_seed=1" / "config.toml").find("cells"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(out / "summary.png")) << "analyze = false: no condition figure";
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
      {"base = \"base.toml\"\nanalyze = 1\n", "analyze must be true or false"},
      {"base = \"base.toml\"\nfigures = \"no\"\n", "figures must be true or false"},
      {"base = \"base.toml\"\n[grid]\n\"model.units\" = [6, 0]\n", "[grid] model.units = 0"},
      {"base = \"base.toml\"\n[grid]\n\"readout\" = [{heads = \"position\"}, {}]\n", "empty table"},
      {"base = \"base.toml\"\n[grid]\n\"train\" = [{seed = 4}]\n", "seeds list"},
      {"base = \"base.toml\"\n[grid]\n\"readout\" = [{place = {cells = 3}}]\n", "readout.place.cells"},
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

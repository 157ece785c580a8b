// `gridrnn score`: worked values through the command line, stacks, JSON, and bad inputs (exit 2,
// a message naming the file).
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../analysis/analysis_test_maps.hpp"
#include "gridrnn/io/files.hpp"
#include "gridrnn/io/npy.hpp"
#include "test_helpers.hpp"

namespace gridrnn {
namespace {

using analysis::testing_maps::hexagonal_map;
using analysis::testing_maps::square_lattice_map;

TEST(ScoreCli, ScoresMapsAndStacksAsJsonAndTable) {
  testing::TempDir dir;
  const auto hex = hexagonal_map(0.2, 0.55);
  io::write_npy(dir / "hex.npy", std::span<const double>(hex.values), {20, 20});
  std::vector<double> stack = hex.values;
  const auto square = square_lattice_map(0.3, 0.7);
  stack.insert(stack.end(), square.values.begin(), square.values.end());
  io::write_npy(dir / "stack.npy", std::span<const double>(stack), {2, 20, 20});
  const auto result = testing::run_gridrnn(
      "score " + (dir / "hex.npy").string() + " " + (dir / "stack.npy").string() +
      " --json --extent -1.1 1.1 -1.1 1.1");
  ASSERT_EQ(result.status, 0) << result.output;
  const auto json = nlohmann::json::parse(result.output);
  ASSERT_EQ(json.size(), 3u);
  EXPECT_NEAR(json[0]["grid_score_60"].get<double>(), 1.408, 0.01);
  EXPECT_NEAR(json[0]["grid_score_90"].get<double>(), 0.240, 0.01);
  EXPECT_NEAR(json[0]["grid_spacing"].get<double>(), 0.55, 0.06);
  EXPECT_NEAR(json[2]["grid_score_90"].get<double>(), 1.384, 0.01);
  EXPECT_EQ(json[2]["unit"], 1);
  const auto min_max = testing::run_gridrnn("score " + (dir / "stack.npy").string() + " --variant min_max");
  ASSERT_EQ(min_max.status, 0) << min_max.output;
  EXPECT_NE(min_max.output.find("score60"), std::string::npos);
  EXPECT_NE(min_max.output.find("-0.948"), std::string::npos) << min_max.output;
}

TEST(ScoreCli, BorderConventionOpexeboGivesOpexebosNumbers) {
  // tests/analysis/reference_scores: opexebo 0.7.2 border_score(place_field(map)) = 0.8243 on
  // wall_west_cut_n32 and -1 (no field: no zero bin) on hex_s050_o00_n20; the gridrnn convention
  // scores the same wall field differently and is the default.
  const std::string folder = std::string(GRIDRNN_SOURCE_DIR) + "/tests/analysis/reference_scores/";
  const std::string maps = folder + "wall_west_cut_n32.npy " + folder + "hex_s050_o00_n20.npy";
  const auto opexebo = testing::run_gridrnn("score " + maps + " --json --border-convention opexebo");
  ASSERT_EQ(opexebo.status, 0) << opexebo.output;
  const auto json = nlohmann::json::parse(opexebo.output);
  ASSERT_EQ(json.size(), 2u);
  EXPECT_NEAR(json[0]["border_score"].get<double>(), 0.8243, 1e-4);
  EXPECT_EQ(json[1]["border_score"].get<double>(), -1.0);
  EXPECT_EQ(json[0]["border_convention"], "opexebo");
  const auto ours = testing::run_gridrnn("score " + maps + " --json");
  ASSERT_EQ(ours.status, 0) << ours.output;
  const auto ours_json = nlohmann::json::parse(ours.output);
  EXPECT_EQ(ours_json[0]["border_convention"], "gridrnn");
  EXPECT_GT(std::abs(ours_json[0]["border_score"].get<double>() - 0.8243), 0.01);
  const auto table = testing::run_gridrnn("score " + maps + " --border-convention opexebo");
  ASSERT_EQ(table.status, 0) << table.output;
  EXPECT_NE(table.output.find("border score: opexebo convention"), std::string::npos) << table.output;
  const auto help = testing::run_gridrnn("score --help");
  EXPECT_NE(help.output.find("opexebo 0.7.2 (commit 41bea83) border_score"), std::string::npos) << help.output;
}

// The scores are scale-free: a map times 1e300 (whose squares overflow) or 1e-300 (below the
// constant-map floor) scores like the map itself, not all NaN.
TEST(ScoreCli, MapsOfAnyScaleScoreAlike) {
  testing::TempDir dir;
  const auto hex = hexagonal_map(0.2, 0.55);
  std::vector<double> stack = hex.values;
  for (const double scale : {1e300, 1e-300, 37.5}) {
    for (const double v : hex.values) stack.push_back(v * scale);
  }
  io::write_npy(dir / "scaled.npy", std::span<const double>(stack), {4, 20, 20});
  const auto result = testing::run_gridrnn("score " + (dir / "scaled.npy").string() + " --json");
  ASSERT_EQ(result.status, 0) << result.output;
  const auto json = nlohmann::json::parse(result.output);
  ASSERT_EQ(json.size(), 4u);
  for (std::size_t m = 1; m < 4; ++m) {
    for (const char* key : {"grid_score_60", "grid_score_90", "grid_spacing", "band_score",
                            "band_wavelength", "border_score"}) {
      ASSERT_TRUE(json[m][key].is_number()) << m << " " << key << ": " << json[m][key];
      EXPECT_NEAR(json[m][key].get<double>(), json[0][key].get<double>(), 1e-9) << m << " " << key;
    }
  }
}

TEST(ScoreCli, BadInputsExitTwoNamingTheFile) {
  testing::TempDir dir;
  std::vector<double> line(20, 1.0);
  io::write_npy(dir / "line.npy", std::span<const double>(line), {20});
  std::vector<double> empty(400, std::nan(""));
  io::write_npy(dir / "empty.npy", std::span<const double>(empty), {20, 20});
  std::vector<double> four_d(2 * 2 * 10 * 10, 1.0);
  io::write_npy(dir / "fourd.npy", std::span<const double>(four_d), {2, 2, 10, 10});
  // Trailing bytes after the data (e.g. another array appended), and an .npz archive.
  io::write_npy(dir / "ok.npy", std::span<const double>(empty), {20, 20});
  io::write_file_atomic(dir / "trailing.npy", io::read_file(dir / "ok.npy") + "tail");
  io::write_file_atomic(dir / "maps.npz", std::string("PK\x03\x04\x14\0\0\0", 8) + "maps.npy");
  const std::size_t entries = dir.entry_count();
  struct Case {
    std::string arguments, expected;
  };
  const std::vector<Case> cases = {
      {(dir / "line.npy").string(), "line.npy"},
      {(dir / "empty.npy").string(), "all NaN"},
      {(dir / "fourd.npy").string(), "fourd.npy"},
      {(dir / "missing.npy").string(), "missing.npy"},
      {(dir / "empty.npy").string() + " --convention bnt", "bnt"},
      {(dir / "line.npy").string() + " --border-convention bnt", "--border-convention"},
      {(dir / "line.npy").string() + " --extent 1 0 0 1", "extent"},
      {(dir / "trailing.npy").string(),
       "trailing.npy' is not a valid .npy file: 4 bytes after the data: shape (20, 20) needs 3200 "
       "bytes of data, the file has 3204"},
      {(dir / "maps.npz").string(), "maps.npz' is an .npz file (a zip archive of .npy arrays"},
  };
  for (const auto& c : cases) {
    const auto result = testing::run_gridrnn("score " + c.arguments);
    EXPECT_EQ(result.status, 2) << c.arguments << "\n" << result.output;
    EXPECT_NE(result.output.find(c.expected), std::string::npos) << c.arguments << "\n" << result.output;
  }
  EXPECT_EQ(dir.entry_count(), entries);  // nothing written
}

}  // namespace
}  // namespace gridrnn

// `gridrnn score MAP.npy...`: grid, band and border scores of any 2D rate maps (NPY, NaN for
// unvisited bins), e.g. from recordings; a fixed-width table or JSON on stdout.
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "gridrnn/analysis/map_scores.hpp"
#include "gridrnn/core/error.hpp"
#include "gridrnn/core/threads.hpp"
#include "gridrnn/io/npy.hpp"

namespace gridrnn::app {
namespace {

struct ScoreOptions {
  std::vector<std::string> files;
  std::string convention = "deepmind";
  std::string variant = "mean";
  std::string border_convention = "gridrnn";
  std::vector<double> extent = {-1.0, 1.0, -1.0, 1.0};
  bool json = false;
  int threads = 0;
};

struct ScoredMap {
  std::string file;
  std::size_t unit = 0;
  analysis::Map2D map;
  analysis::MapScores scores;
};

// Loads every map of every file, refusing anything that is not a 2D map or a 3D stack of maps,
// and maps that analysis::check_rate_map refuses (infinite values, all NaN).
std::vector<ScoredMap> load_maps(const std::vector<std::string>& files) {
  std::vector<ScoredMap> maps;
  for (const std::string& file : files) {
    const io::NpyArray array = io::read_npy(file);
    const auto& shape = array.shape;
    if (shape.size() != 2 && shape.size() != 3) {
      throw_user_error("'{}' has shape {}: expected a 2D rate map (bins_x, bins_y) or a stack of "
                       "maps (N, bins_x, bins_y)",
                       file, io::shape_string(shape));
    }
    const std::size_t count = shape.size() == 3 ? shape[0] : 1;
    const std::size_t bx = shape[shape.size() - 2], by = shape[shape.size() - 1];
    if (count == 0 || bx < 4 || by < 4) {
      throw_user_error("'{}' has shape {}: need at least one map of at least 4 x 4 bins", file,
                       io::shape_string(shape));
    }
    for (std::size_t unit = 0; unit < count; ++unit) {
      ScoredMap entry;
      entry.file = file;
      entry.unit = unit;
      entry.map = analysis::Map2D(static_cast<int>(bx), static_cast<int>(by), 0.0);
      std::copy_n(array.values.begin() + static_cast<std::ptrdiff_t>(unit * bx * by), bx * by,
                  entry.map.values.begin());
      analysis::check_rate_map(entry.map, fmt::format("'{}' map {}", file, unit));
      maps.push_back(std::move(entry));
    }
  }
  return maps;
}

std::string cell(double v, int width, int precision) {
  return std::isfinite(v) ? fmt::format("{:>{}.{}f}", v, width, precision) : fmt::format("{:>{}}", "nan", width);
}
nlohmann::json json_value(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

int run_score(const ScoreOptions& options) {
  set_thread_count(options.threads);
  analysis::MapScoreOptions score_options;
  score_options.convention = analysis::parse_grid_convention(options.convention);
  score_options.variant = analysis::parse_grid_variant(options.variant);
  score_options.border_convention = analysis::parse_border_convention(options.border_convention);
  score_options.extent = {options.extent[0], options.extent[1], options.extent[2], options.extent[3]};
  score_options.validate();
  const analysis::MapExtent& extent = score_options.extent;
  std::vector<ScoredMap> maps = load_maps(options.files);
  parallel_for(maps.size(), [&](std::size_t i) { maps[i].scores = analysis::score_map(maps[i].map, score_options); });
  if (options.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const ScoredMap& m : maps) {
      out.push_back({{"file", m.file},
                     {"unit", m.unit},
                     {"convention", options.convention},
                     {"variant", options.variant},
                     {"border_convention", options.border_convention},
                     {"grid_score_60", json_value(m.scores.grid.score_60)},
                     {"grid_score_90", json_value(m.scores.grid.score_90)},
                     {"grid_spacing", json_value(m.scores.grid.spacing_bins)},
                     {"grid_orientation_deg", json_value(m.scores.grid.orientation_deg)},
                     {"band_score", json_value(m.scores.band.score)},
                     {"band_wavelength", json_value(m.scores.band.wavelength)},
                     {"band_orientation_deg", json_value(m.scores.band.orientation_deg)},
                     {"planar_r2", json_value(m.scores.band.planar_r2)},
                     {"border_score", json_value(m.scores.border.score)}});
    }
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  std::size_t name_width = 4;
  for (const ScoredMap& m : maps) name_width = std::max(name_width, m.file.size());
  std::printf("%s\n", fmt::format("{:<{}} {:>5} {:>8} {:>8} {:>8} {:>7} {:>8} {:>8} {:>7} {:>8}", "file",
                                  name_width, "unit", "score60", "score90", "spacing", "orient", "band",
                                  "wavelen", "b_orient", "border")
                          .c_str());
  for (const ScoredMap& m : maps) {
    std::printf("%s\n", fmt::format("{:<{}} {:>5} {} {} {} {} {} {} {} {}", m.file, name_width, m.unit,
                                    cell(m.scores.grid.score_60, 8, 3), cell(m.scores.grid.score_90, 8, 3),
                                    cell(m.scores.grid.spacing_bins, 8, 3), cell(m.scores.grid.orientation_deg, 7, 1),
                                    cell(m.scores.band.score, 8, 3), cell(m.scores.band.wavelength, 8, 3),
                                    cell(m.scores.band.orientation_deg, 7, 1), cell(m.scores.border.score, 8, 3))
                            .c_str());
  }
  const std::string form = score_options.convention == analysis::GridConvention::kDeepmind ? options.variant : "min_max";
  std::printf("# grid scores: %s convention (%s); spacing and wavelength in extent units, extent "
              "[%g, %g] x [%g, %g]; border score: %s convention, rectangular arena on that extent\n",
              options.convention.c_str(), form.c_str(), extent.xmin, extent.xmax, extent.ymin,
              extent.ymax, options.border_convention.c_str());
  return 0;
}

Registration reg{{"score", "Score 2D rate maps (NPY, NaN = unvisited): grid, band and border scores", 60,
                  [](CLI::App& sub) -> Runner {
                    auto options = std::make_shared<ScoreOptions>();
                    sub.add_option("maps", options->files,
                                   "NPY files: a 2D map (bins_x, bins_y), first axis x, or a stack (N, bins_x, bins_y)")
                        ->required();
                    sub.add_option("--convention", options->convention,
                                   "grid-score convention: deepmind = google-deepmind/grid-cells scores.py "
                                   "(commit d1a2304); sargolini = kavli-ntnu/opexebo 0.7.2 grid_score and "
                                   "grid_spacing (the BNT gridness score; score90 is ours). Both equal those "
                                   "programs on the 68 maps of tests/analysis/reference_scores and read "
                                   "unvisited bins as 0 in the SAC, as they do")
                        ->check(CLI::IsMember({"deepmind", "sargolini"}))
                        ->capture_default_str();
                    sub.add_option("--variant", options->variant, "deepmind grid-score variant")
                        ->check(CLI::IsMember({"mean", "min_max"}))
                        ->capture_default_str();
                    sub.add_option("--border-convention", options->border_convention,
                                   "border-score convention: opexebo = kavli-ntnu/opexebo 0.7.2 (commit 41bea83) border_score "
                                   "on the fields of its place_field, both at their defaults (Solstad et al. 2008 as the "
                                   "BNT computes it), equal to it on the 68 maps of tests/analysis/reference_scores; "
                                   "-1 where no field touches a wall, and place_field finds none on most maps without "
                                   "zero bins. gridrnn = ours, reproduces no program: fields above 0.3 of the way from "
                                   "the map's median to its peak, offset and scale invariant")
                        ->check(CLI::IsMember({"gridrnn", "opexebo"}))
                        ->capture_default_str();
                    sub.add_option("--extent", options->extent,
                                   "map extent XMIN XMAX YMIN YMAX in arena units (walls of the rectangular arena "
                                   "for the border score; units of spacing and wavelength)")
                        ->expected(4)
                        ->capture_default_str();
                    sub.add_flag("--json", options->json, "print JSON instead of a table");
                    add_threads_option(sub, options->threads);
                    return [options]() { return run_score(*options); };
                  }}};

}  // namespace
}  // namespace gridrnn::app

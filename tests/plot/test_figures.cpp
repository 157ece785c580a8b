// Renders every Layer-2 figure from synthetic data with known structure (hexagonal grids, wall
// fields, bands, direction- and speed-tuned units), so the figures are exercised without training.
// Set GRIDRNN_PLOT_DEMO_DIR=/some/folder to keep the figures and look at them.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <numbers>

#include "gridrnn/core/error.hpp"
#include "gridrnn/core/rng.hpp"
#include "gridrnn/plot/figures.hpp"
#include "gridrnn/plot/report.hpp"
#include "gridrnn/plot/run_figures.hpp"
#include "plot/plot_test_helpers.hpp"
#include "test_helpers.hpp"

namespace gridrnn {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kHalfWidth = 1.1;  // the square arena [-1.1, 1.1]² of docs/paper.md "Worked values"
constexpr int kBins = 20;

double bin_centre(int i) { return (i + 0.5) * 2 * kHalfWidth / kBins - kHalfWidth; }

plot::Polyline square_outline() {
  return {{-kHalfWidth, -kHalfWidth},
          {kHalfWidth, -kHalfWidth},
          {kHalfWidth, kHalfWidth},
          {-kHalfWidth, kHalfWidth}};
}

// A map from f(x, y) over the bin centres, with the two top corners' bins unvisited (NaN).
template <typename F>
Eigen::MatrixXd make_map(F f) {
  Eigen::MatrixXd map(kBins, kBins);
  for (int i = 0; i < kBins; ++i)
    for (int j = 0; j < kBins; ++j) map(i, j) = f(bin_centre(i), bin_centre(j));
  map(0, kBins - 1) = kNaN;
  map(kBins - 1, kBins - 1) = kNaN;
  return map;
}

// Hexagonal grid (the worked map of docs/paper.md "Worked values"), with a spacing and phase per unit.
Eigen::MatrixXd hexagonal_map(double spacing, double phase_x, double angle) {
  const double k = 4 * std::numbers::pi / (std::sqrt(3.0) * spacing);
  return make_map([&](double x, double y) {
    double sum = 0.0;
    for (int j = 0; j < 3; ++j) {
      const double a = angle + j * std::numbers::pi / 3;
      sum += std::cos(k * (std::cos(a) * (x - phase_x) + std::sin(a) * (y + 0.05)));
    }
    return sum;
  });
}

// Spatial autocorrelogram (as docs/paper.md defines it): Pearson correlation over bins valid in both copies.
Eigen::MatrixXd autocorrelogram(const Eigen::MatrixXd& map) {
  const int n = static_cast<int>(map.rows());
  Eigen::MatrixXd sac = Eigen::MatrixXd::Constant(2 * n - 1, 2 * n - 1, kNaN);
  for (int dx = -(n - 1); dx < n; ++dx) {
    for (int dy = -(n - 1); dy < n; ++dy) {
      double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0, count = 0;
      for (int i = std::max(0, -dx); i < std::min(n, n - dx); ++i) {
        for (int j = std::max(0, -dy); j < std::min(n, n - dy); ++j) {
          const double a = map(i, j), b = map(i + dx, j + dy);
          if (!std::isfinite(a) || !std::isfinite(b)) continue;
          sa += a, sb += b, saa += a * a, sbb += b * b, sab += a * b, count += 1;
        }
      }
      if (count < 20) continue;
      const double cov = sab / count - sa * sb / (count * count);
      const double va = saa / count - sa * sa / (count * count);
      const double vb = sbb / count - sb * sb / (count * count);
      if (va > 1e-12 && vb > 1e-12) sac(dx + n - 1, dy + n - 1) = cov / std::sqrt(va * vb);
    }
  }
  return sac;
}

struct SyntheticUnits {
  std::vector<plot::UnitMap> rate_maps, sacs;
  std::vector<plot::DirectionTuning> directions;
  std::vector<plot::SpeedTuning> speeds;
};

// units of six classes, interleaved so the pages must sort them.
SyntheticUnits synthetic_units(int count) {
  SyntheticUnits out;
  const char* classes[] = {"band", "grid", "border", "irregular", "direction", "speed"};
  for (int unit = 0; unit < count; ++unit) {
    const std::string unit_class = classes[unit % 6];
    Rng rng(7, Stream::kTest, static_cast<std::uint64_t>(unit));
    Eigen::MatrixXd map;
    double score = kNaN;
    if (unit_class == "grid") {
      map = hexagonal_map(0.45 + 0.05 * (unit % 5), 0.1 * unit, 0.2 + 0.1 * unit);
      score = 1.2 - 0.01 * unit;
    } else if (unit_class == "border") {
      const int wall = (unit / 6) % 4;  // field along the left, bottom, right or top wall
      map = make_map([&](double x, double y) {
        const double d = wall == 0   ? x + kHalfWidth
                         : wall == 1 ? y + kHalfWidth
                         : wall == 2 ? kHalfWidth - x
                                     : kHalfWidth - y;
        return std::exp(-d / 0.15);
      });
      score = 0.7;
    } else if (unit_class == "band") {
      const double a = 0.3 * unit;
      map = make_map([&](double x, double y) {
        return std::cos(2 * std::numbers::pi / 0.6 * (std::cos(a) * x + std::sin(a) * y));
      });
      score = 0.9;
    } else {
      std::vector<double> weights(12);
      for (double& w : weights) w = rng.normal();
      map = make_map([&](double x, double y) {
        double v = 0.0;
        for (int k = 0; k < 4; ++k)
          v += weights[3 * k] * std::exp(-(std::pow(x - weights[3 * k + 1], 2) +
                                           std::pow(y - weights[3 * k + 2], 2)));
        return v;
      });
    }
    out.rate_maps.push_back({unit, unit_class, score, map});
    out.sacs.push_back(
        {unit, unit_class, unit_class == "grid" ? score : kNaN, autocorrelogram(map)});

    plot::DirectionTuning direction{unit, unit_class, std::vector<double>(24), kNaN, kNaN};
    const double preferred = 0.7 * unit;
    const double concentration = unit_class == "direction" ? 3.0 : 0.2;
    for (int b = 0; b < 24; ++b) {
      const double heading = (b + 0.5) * 2 * std::numbers::pi / 24;
      direction.tuning[b] =
          std::exp(concentration * std::cos(heading - preferred)) + 0.1 * rng.normal();
    }
    direction.mean_vector_length = unit_class == "direction" ? 0.6 : 0.1;
    direction.preferred_direction = preferred;
    out.directions.push_back(direction);

    plot::SpeedTuning speed{unit, unit_class, {}, {}, kNaN, kNaN, kNaN};
    const double slope = unit_class == "speed" ? 20.0 : 0.5;
    for (int s = 0; s < 1500; ++s) {
      const double v = rng.uniform(0.0, 0.05);
      speed.speed.push_back(v);
      speed.activity.push_back(0.1 + slope * v + 0.1 * rng.normal());
    }
    speed.slope = slope;
    speed.intercept = 0.1;
    speed.pearson_r = unit_class == "speed" ? 0.94 : 0.07;
    out.speeds.push_back(speed);
  }
  return out;
}

plot::TrainingCurves synthetic_training() {
  // Training curves of a Hessian-free run: loss terms falling, λ adapting, CG iterations.
  plot::TrainingCurves curves;
  plot::Curve total{"total", {}, {}}, position{"position", {}, {}}, metabolic{"metabolic", {}, {}};
  plot::Curve train{"train", {}, {}}, validation{"validation", {}, {}};
  plot::Curve lambda{"λ", {}, {}}, cg{"CG iterations", {}, {}};
  for (int update = 0; update <= 200; ++update) {
    const double u = update;
    position.update.push_back(u);
    position.value.push_back(0.5 * std::exp(-u / 40) + 0.01);
    metabolic.update.push_back(u);
    metabolic.value.push_back(0.02 * (1 - std::exp(-u / 30)) + 1e-4);
    total.update.push_back(u);
    total.value.push_back(position.value.back() + metabolic.value.back());
    train.update.push_back(u);
    train.value.push_back(std::sqrt(position.value.back()));
    if (update % 10 == 0) {
      validation.update.push_back(u);
      validation.value.push_back(1.1 * std::sqrt(position.value.back()));
    }
    lambda.update.push_back(u);
    lambda.value.push_back(std::pow(10.0, std::sin(u / 30)));
    cg.update.push_back(u);
    cg.value.push_back(std::min(250.0, 10 + u));
  }
  curves.loss_terms = {total, position, metabolic};
  curves.position_error = {train, validation};
  curves.hf_lambda = {lambda};
  curves.cg_iterations = {cg};
  return curves;
}

struct SyntheticPaths {
  std::vector<plot::Polyline> paths;
  std::vector<plot::DecodedPath> decoded;
  Eigen::MatrixXd occupancy;
};

SyntheticPaths synthetic_paths() {
  // Paths: random walks reflecting off the walls, and a decoded copy with a drifting error.
  SyntheticPaths out;
  auto& paths = out.paths;
  auto& decoded = out.decoded;
  auto& occupancy = out.occupancy;
  occupancy = Eigen::MatrixXd::Zero(kBins, kBins);
  double total_steps = 0;
  for (int p = 0; p < 5; ++p) {
    Rng rng(11, Stream::kTest, 100 + static_cast<std::uint64_t>(p));
    plot::Polyline path{{rng.uniform(-1, 1), rng.uniform(-1, 1)}};
    plot::DecodedPath dp;
    double heading = rng.uniform(0, 2 * std::numbers::pi);
    double drift_x = 0, drift_y = 0;
    for (int s = 0; s < 400; ++s) {
      heading += 0.3 * rng.normal();
      auto next = path.back();
      next[0] += 0.03 * std::cos(heading);
      next[1] += 0.03 * std::sin(heading);
      for (double& c : next) {
        if (std::abs(c) > kHalfWidth) {
          c = std::copysign(2 * kHalfWidth - std::abs(c), c);
          heading += std::numbers::pi / 2;
        }
      }
      path.push_back(next);
      drift_x += 0.003 * rng.normal();
      drift_y += 0.003 * rng.normal();
      dp.truth.push_back(next);
      dp.decoded.push_back({next[0] + drift_x, next[1] + drift_y});
      const int i = std::clamp(static_cast<int>((next[0] + kHalfWidth) / (2 * kHalfWidth) * kBins),
                               0, kBins - 1);
      const int j = std::clamp(static_cast<int>((next[1] + kHalfWidth) / (2 * kHalfWidth) * kBins),
                               0, kBins - 1);
      occupancy(i, j) += 1;
      total_steps += 1;
    }
    paths.push_back(path);
    decoded.push_back(dp);
  }
  occupancy /= total_steps;
  for (int i = 0; i < kBins; ++i)
    for (int j = 0; j < kBins; ++j)
      if (occupancy(i, j) == 0.0) occupancy(i, j) = kNaN;
  return out;
}

// Folder for the figures: GRIDRNN_PLOT_DEMO_DIR if set (kept), else a temporary one.
struct FigureFolder {
  testing::TempDir temporary;
  std::filesystem::path path;
  FigureFolder() {
    const char* keep = std::getenv("GRIDRNN_PLOT_DEMO_DIR");
    path = keep != nullptr ? std::filesystem::path(keep) : temporary.path();
    std::filesystem::create_directories(path);
  }
};

int unit_count() { return std::getenv("GRIDRNN_SANITIZED") != nullptr ? 12 : 36; }

TEST(Figures, OrderByClassPutsClassesInOrderThenScoreDescending) {
  const std::vector<std::string> classes{"band", "grid-square", "zebra", "grid", "border", "grid"};
  const std::vector<double> scores{0.9, 0.5, 1.0, 0.3, 0.6, kNaN};
  const auto order = plot::order_by_class(classes, scores, plot::kDefaultClassOrder);
  // grid (0.3), grid (NaN) come before grid-square? No: "grid" < "grid-square" alphabetically,
  // inside the same rank; then border, band, and the unknown class last.
  EXPECT_EQ(order, (std::vector<std::size_t>{3, 5, 1, 4, 0, 2}));
  EXPECT_EQ(plot::unit_title(12, "grid", 0.8349), "unit 12 · grid · 0.83");
  EXPECT_EQ(plot::unit_title(3, "irregular", kNaN), "unit 3 · irregular");
}

TEST(Figures, RateMapPageShowsEveryUnitInClassOrderWithNanBinsGrey) {
  FigureFolder folder;
  const auto units = synthetic_units(unit_count());
  const plot::Extent extent{-kHalfWidth, kHalfWidth, -kHalfWidth, kHalfWidth};
  plot::write_rate_map_page(folder.path / "rate_maps.png", units.rate_maps, square_outline(),
                            extent);
  testing::PngImage image(folder.path / "rate_maps.png");
  ASSERT_TRUE(image.ok());
  const int cols = static_cast<int>(std::ceil(std::sqrt(unit_count())));
  EXPECT_NEAR(image.width(), 2 * (cols * 112 + 12), 2);
  // The first panel is the best grid unit (unit 1), the top-left corner bin of its map is NaN.
  // Rebuild the page's layout to find it: a Figure with the same cells.
  const double cell_height = (112.0 - 6.0) + 19.0;
  const int rows = (unit_count() + cols - 1) / cols;
  const auto size =
      plot::Figure::page_size_for_cells(rows, cols, 112, cell_height, true, true, true);
  EXPECT_NEAR(image.height(), std::ceil(2 * size[1]), 1);
  plot::Figure layout(size[0], size[1], rows, cols);
  layout.set_title("t");
  layout.set_page_legend({{"grid", plot::kBlack}});
  layout.set_page_colorbar(plot::Colormap::kJet, 0, 1, "l");
  layout.heatmap(0, 0, {}, Eigen::MatrixXd::Zero(kBins, kBins), extent, {});
  const auto t = layout.plot_area(0, 0);
  const double bin = t.area.width / kBins;
  const auto nan_pixel = image.at_point(t.area.x + 0.5 * bin, t.area.y + 0.5 * bin, 2.0);
  EXPECT_LE(testing::color_distance(nan_pixel, testing::to_8bit(plot::kNanColor)), 1);
  // The frame of the first panel has the grid class's colour.
  const auto cell = layout.cell(0, 0);
  const auto frame = image.at_point(cell.x + 1.5, cell.y + 0.5 * cell.height, 2.0);
  EXPECT_LE(testing::color_distance(
                frame, testing::to_8bit(plot::class_color("grid", plot::kDefaultClassOrder))),
            2);
  // Also as SVG and PDF.
  plot::write_rate_map_page(folder.path / "rate_maps.svg", units.rate_maps, square_outline(),
                            extent);
  plot::write_rate_map_page(folder.path / "rate_maps.pdf", units.rate_maps, square_outline(),
                            extent);
  EXPECT_EQ(testing::file_head(folder.path / "rate_maps.pdf", 5), "%PDF-");
}

TEST(Figures, HexagonalArenaMapsAreGreyOutsideTheWallsAndOutlined) {
  // A regular hexagon of circumradius 1.1; bins whose centre lies outside are NaN (never visited).
  FigureFolder folder;
  plot::Polyline hexagon;
  for (int k = 0; k < 6; ++k) {
    const double a = k * std::numbers::pi / 3;
    hexagon.push_back({kHalfWidth * std::cos(a), kHalfWidth * std::sin(a)});
  }
  const double apothem = kHalfWidth * std::sqrt(3.0) / 2;
  const auto inside = [&](double x, double y) {
    for (int k = 0; k < 6; ++k) {
      const double a = (k + 0.5) * std::numbers::pi / 3;
      if (std::cos(a) * x + std::sin(a) * y > apothem) return false;
    }
    return true;
  };
  std::vector<plot::UnitMap> units;
  for (int unit = 0; unit < 4; ++unit) {
    Eigen::MatrixXd map = hexagonal_map(0.5, 0.1 * unit, 0.3 * unit);
    for (int i = 0; i < kBins; ++i)
      for (int j = 0; j < kBins; ++j)
        if (!inside(bin_centre(i), bin_centre(j))) map(i, j) = kNaN;
    units.push_back({unit, unit % 2 ? "grid" : "band", 0.5, map});
  }
  // The bins cover [-1.1, 1.1] x [-apothem, apothem]: a wide extent, so the page keeps its aspect.
  Eigen::MatrixXd wide(kBins, 16);
  for (int i = 0; i < kBins; ++i)
    for (int j = 0; j < 16; ++j) {
      const double x = bin_centre(i), y = (j + 0.5) * 2 * apothem / 16 - apothem;
      wide(i, j) = inside(x, y) ? std::cos(6 * x) * std::cos(6 * y) : kNaN;
    }
  units.push_back({9, "border", 0.4, wide});
  const plot::Extent extent{-kHalfWidth, kHalfWidth, -apothem, apothem};
  plot::write_rate_map_page(folder.path / "hexagon_rate_maps.png", {units.back()}, hexagon, extent);
  testing::PngImage image(folder.path / "hexagon_rate_maps.png");
  ASSERT_TRUE(image.ok());
  // The page keeps the extent's aspect: a cell is (width - 6) / aspect + 19 points high, where a
  // lone panel is widened to 348 points so the page's texts stay readable.
  const double aspect = 2 * kHalfWidth / (2 * apothem);
  const auto size =
      plot::Figure::page_size_for_cells(1, 1, 348, 342 / aspect + 19, true, true, true);
  EXPECT_NEAR(image.width(), std::ceil(2 * size[0]), 1);
  EXPECT_NEAR(image.height(), std::ceil(2 * size[1]), 1);
  units.pop_back();
  const plot::Extent square{-kHalfWidth, kHalfWidth, -kHalfWidth, kHalfWidth};
  plot::write_rate_map_page(folder.path / "hexagon_rate_maps_4.png", units, hexagon, square);
  EXPECT_TRUE(testing::PngImage(folder.path / "hexagon_rate_maps_4.png").ok());
}

TEST(Figures, EveryRunFigureRendersFromSyntheticData) {
  FigureFolder folder;
  const auto units = synthetic_units(unit_count());
  const double lag = (kBins - 1) * 2 * kHalfWidth / kBins + kHalfWidth / kBins;
  plot::write_autocorrelogram_page(folder.path / "autocorrelograms.png", units.sacs,
                                   {-lag, lag, -lag, lag});
  plot::write_direction_page(folder.path / "direction_tuning.png", units.directions);
  plot::write_speed_page(folder.path / "speed_tuning.png", units.speeds);

  plot::TrainingCurves curves = synthetic_training();
  plot::write_training_curves(folder.path / "training.png", curves, "Training (Hessian-free)");
  curves.hf_lambda.clear();
  curves.cg_iterations.clear();
  plot::write_training_curves(folder.path / "training_adam.png", curves, "Training (Adam)");

  const SyntheticPaths walks = synthetic_paths();
  const auto& paths = walks.paths;
  const auto& decoded = walks.decoded;
  const auto& occupancy = walks.occupancy;
  const plot::Extent extent{-kHalfWidth, kHalfWidth, -kHalfWidth, kHalfWidth};
  plot::write_paths_figure(folder.path / "paths.png", square_outline(), paths, occupancy, extent);
  plot::write_decoded_paths_figure(folder.path / "decoded_paths.png", square_outline(), decoded);

  for (const char* name : {"autocorrelograms.png", "direction_tuning.png", "speed_tuning.png",
                           "training.png", "training_adam.png", "paths.png", "decoded_paths.png"}) {
    testing::PngImage image(folder.path / name);
    EXPECT_TRUE(image.ok()) << name;
    EXPECT_GT(image.width(), 300) << name;
  }
  // Empty inputs still give a page that says so, rather than no file.
  plot::write_rate_map_page(folder.path / "empty.png", {}, square_outline(), extent);
  EXPECT_TRUE(testing::PngImage(folder.path / "empty.png").ok());
}

TEST(Figures, DegenerateInputsStillGiveAPage) {
  // An all-NaN map (unit never recorded), a constant map, NaN tuning, no speed samples, a NaN and
  // a zero in a log-scale curve: each page is drawn, nothing throws.
  testing::TempDir dir;
  const plot::Extent extent{-1, 1, -1, 1};
  plot::write_rate_map_page(dir / "maps.png",
                            {{0, "grid", kNaN, Eigen::MatrixXd::Constant(5, 5, kNaN)},
                             {1, "band", 0.2, Eigen::MatrixXd::Constant(5, 5, 2.0)}},
                            square_outline(), extent);
  plot::write_direction_page(dir / "direction.png",
                             {{0, "direction", std::vector<double>(12, kNaN), kNaN, kNaN}});
  plot::write_speed_page(dir / "speed.png", {{0, "speed", {}, {}, kNaN, kNaN, kNaN}});
  plot::TrainingCurves curves;
  curves.loss_terms = {{"total", {0, 1, 2, 3}, {1.0, kNaN, 0.0, 1e-3}}};
  curves.position_error = {{"train", {0, 1}, {0.5, 0.5}}};
  plot::write_training_curves(dir / "training.png", curves);
  plot::write_training_curves(dir / "no_training.png", {});
  plot::write_decoded_paths_figure(dir / "decoded.png", square_outline(), {});
  for (const char* name : {"maps.png", "direction.png", "speed.png", "training.png",
                           "no_training.png", "decoded.png"}) {
    EXPECT_TRUE(testing::PngImage(dir / name).ok()) << name;
  }
}

TEST(RunFigures, WritesEveryFigureOfARunAndItsReport) {
  FigureFolder folder;
  const auto units = synthetic_units(unit_count());
  plot::RunPlotData data;
  data.outline = square_outline();
  data.extent = {-kHalfWidth, kHalfWidth, -kHalfWidth, kHalfWidth};
  data.rate_maps = units.rate_maps;
  data.autocorrelograms = units.sacs;
  const double lag = (kBins - 0.5) * 2 * kHalfWidth / kBins;
  data.autocorrelogram_extent = {-lag, lag, -lag, lag};
  data.direction = units.directions;
  data.speed = units.speeds;
  data.training = synthetic_training();
  data.decoded_paths = synthetic_paths().decoded;
  const auto figures = plot::write_run_figures(folder.path / "figures", data);
  ASSERT_EQ(figures.size(), 6u);
  for (const auto& figure : figures) {
    EXPECT_TRUE(testing::PngImage(figure.file).ok()) << figure.file;
    EXPECT_FALSE(figure.caption.empty());
  }
  plot::ReportContent content;
  content.title = "gridrnn run: synthetic units (square arena)";
  content.config_toml = "[arena]\nshape = \"square\"\nhalf_width = 1.1\n";
  content.training_summary = {{"optimizer", "hessian-free"}, {"updates", "200"}};
  content.class_table_header = {"class", "units"};
  content.class_table_rows = {{"grid", "6"}, {"border", "6"}, {"band", "6"}};
  content.figures = figures;
  plot::write_report_html(folder.path / "report.html", content);
  EXPECT_GT(std::filesystem::file_size(folder.path / "report.html"), 10000u);

  // An unknown format is a UserError that writes nothing.
  testing::TempDir empty;
  EXPECT_THROW(plot::write_run_figures(empty / "figures", data, ".gif"), UserError);
  EXPECT_EQ(empty.entry_count(), 0u);
}

}  // namespace
}  // namespace gridrnn

namespace gridrnn {
namespace {

// Every unit class has a colour of its own on the pages (grid_hexagonal and grid_square shared
// one while the order listed only "grid").
TEST(ClassColors, EveryUnitClassHasItsOwnColour) {
  const char* classes[] = {"grid_hexagonal", "grid_square", "border", "band", "ramp", "direction", "speed_only", "irregular"};
  for (const char* a : classes)
    for (const char* b : classes) {
      if (std::string(a) == b) continue;
      const plot::Rgb ca = plot::class_color(a, plot::kDefaultClassOrder), cb = plot::class_color(b, plot::kDefaultClassOrder);
      EXPECT_FALSE(ca.r == cb.r && ca.g == cb.g && ca.b == cb.b) << a << " and " << b;
    }
}

}  // namespace
}  // namespace gridrnn

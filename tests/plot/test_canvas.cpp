#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "gridrnn/core/error.hpp"
#include "gridrnn/plot/canvas.hpp"
#include "plot/plot_test_helpers.hpp"
#include "test_helpers.hpp"

namespace gridrnn {
namespace {

using plot::Colormap;
using testing::color_distance;
using testing::to_8bit;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Page point of data point (x, y) in a plotting area, computed here (not with the library's
// transform) so that a flipped axis in the library shows up: x right, y UP.
std::array<double, 2> page_point(const plot::DataTransform& t, double x, double y) {
  const plot::Extent& e = t.extent;
  return {t.area.x + (x - e.x_min) / (e.x_max - e.x_min) * t.area.width,
          t.area.y + t.area.height - (y - e.y_min) / (e.y_max - e.y_min) * t.area.height};
}

TEST(Colormap, EndpointsAreTheMapsTwoEnds) {
  const plot::Rgb jet0 = plot::colormap_color(Colormap::kJet, 0.0);
  const plot::Rgb jet1 = plot::colormap_color(Colormap::kJet, 1.0);
  EXPECT_DOUBLE_EQ(jet0.r, 0.0);
  EXPECT_DOUBLE_EQ(jet0.g, 0.0);
  EXPECT_DOUBLE_EQ(jet0.b, 0.5);
  EXPECT_DOUBLE_EQ(jet1.r, 0.5);
  EXPECT_DOUBLE_EQ(jet1.g, 0.0);
  EXPECT_DOUBLE_EQ(jet1.b, 0.0);
  const plot::Rgb v0 = plot::colormap_color(Colormap::kViridis, 0.0);
  const plot::Rgb v1 = plot::colormap_color(Colormap::kViridis, 1.0);
  EXPECT_NEAR(v0.r, 0.267004, 1e-6);
  EXPECT_NEAR(v0.g, 0.004874, 1e-6);
  EXPECT_NEAR(v0.b, 0.329415, 1e-6);
  EXPECT_NEAR(v1.r, 0.993248, 1e-6);
  EXPECT_NEAR(v1.g, 0.906157, 1e-6);
  EXPECT_NEAR(v1.b, 0.143936, 1e-6);
  // Entry 128 of the published table, hit exactly at t = 128/255.
  const plot::Rgb v128 = plot::colormap_color(Colormap::kViridis, 128.0 / 255.0);
  EXPECT_NEAR(v128.r, 0.127568, 1e-6);
  EXPECT_NEAR(v128.g, 0.566949, 1e-6);
  EXPECT_NEAR(v128.b, 0.550556, 1e-6);
  // jet's middle is the green-yellow knee; out-of-range values clamp; NaN gets the NaN colour.
  EXPECT_NEAR(plot::colormap_color(Colormap::kJet, 0.5).g, 1.0, 1e-12);
  EXPECT_DOUBLE_EQ(plot::colormap_color(Colormap::kJet, 7.0).r, 0.5);
  EXPECT_DOUBLE_EQ(plot::colormap_color(Colormap::kJet, kNaN).g, plot::kNanColor.g);
}

TEST(Colormap, NanColorIsFarFromEveryColormapColor) {
  for (Colormap map : {Colormap::kJet, Colormap::kViridis}) {
    for (int k = 0; k <= 1000; ++k) {
      const auto c = to_8bit(plot::colormap_color(map, k / 1000.0));
      EXPECT_GT(color_distance(c, to_8bit(plot::kNanColor)), 40) << plot::colormap_name(map) << k;
    }
  }
}

TEST(Colormap, UnknownNameIsAUserErrorListingTheChoices) {
  EXPECT_EQ(plot::parse_colormap("viridis"), Colormap::kViridis);
  try {
    plot::parse_colormap("hot");
    FAIL() << "no error";
  } catch (const UserError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("'hot'"), std::string::npos) << message;
    EXPECT_NE(message.find("jet"), std::string::npos) << message;
    EXPECT_NE(message.find("viridis"), std::string::npos) << message;
  }
}

TEST(Ticks, NiceStepsAndLabels) {
  const auto ticks = plot::nice_ticks(0.0, 1.0, 5);
  ASSERT_EQ(ticks.size(), 6u);
  EXPECT_NEAR(ticks[3], 0.6, 1e-12);
  EXPECT_EQ(plot::tick_label(0.1 + 0.2, 0.1), "0.3");
  EXPECT_EQ(plot::tick_label(-1e-17, 0.5), "0");
  EXPECT_EQ(plot::tick_label(2500, 500), "2500");
  const auto wide = plot::nice_ticks(-1.1, 1.1, 4);
  EXPECT_DOUBLE_EQ(wide.front(), -1.0);
  EXPECT_DOUBLE_EQ(wide.back(), 1.0);
}

// A 10 x 8 ramp, map(i, j) = i + 10 j: lowest bin bottom-left, highest top-right (y up), one NaN.
struct RampFixture {
  static constexpr int kBinsX = 10, kBinsY = 8;
  Eigen::MatrixXd map{kBinsX, kBinsY};
  plot::Extent extent{-1.0, 1.5, -1.0, 1.0};
  RampFixture() {
    for (int i = 0; i < kBinsX; ++i)
      for (int j = 0; j < kBinsY; ++j) map(i, j) = i + 10.0 * j;
    map(3, 2) = kNaN;
  }
  // Page point at the centre of bin (i, j).
  static std::array<double, 2> bin_centre(const plot::DataTransform& t, const plot::Extent& e,
                                          int i, int j) {
    const double x = e.x_min + (i + 0.5) * (e.x_max - e.x_min) / kBinsX;
    const double y = e.y_min + (j + 0.5) * (e.y_max - e.y_min) / kBinsY;
    return page_point(t, x, y);
  }
};

TEST(Heatmap, RampEndsGetColormapEndsAndNanBinsGetNanColor) {
  for (Colormap map : {Colormap::kJet, Colormap::kViridis}) {
    testing::TempDir dir;
    RampFixture ramp;
    plot::Figure figure(300, 260, 1, 1);
    plot::HeatmapStyle style;
    style.colormap = map;
    style.colorbar = true;
    style.colorbar_label = "activity";
    style.axes = true;
    figure.heatmap(0, 0, {"ramp"}, ramp.map, ramp.extent, style);
    figure.save(dir / "ramp.png");
    testing::PngImage image(dir / "ramp.png");
    ASSERT_TRUE(image.ok());
    EXPECT_EQ(image.width(), 600);
    EXPECT_EQ(image.height(), 520);
    const auto t = figure.plot_area(0, 0);
    // The map keeps the extent's aspect ratio (2.5 : 2).
    EXPECT_NEAR(t.area.width / t.area.height, 1.25, 1e-9);
    const double s = figure.pixels_per_point();
    const auto low = RampFixture::bin_centre(t, ramp.extent, 0, 0);
    const auto high = RampFixture::bin_centre(t, ramp.extent, 9, 7);
    const auto nan_bin = RampFixture::bin_centre(t, ramp.extent, 3, 2);
    const auto bottom_right = RampFixture::bin_centre(t, ramp.extent, 9, 0);
    EXPECT_LE(
        color_distance(image.at_point(low[0], low[1], s), to_8bit(plot::colormap_color(map, 0.0))),
        1);
    EXPECT_LE(color_distance(image.at_point(high[0], high[1], s),
                             to_8bit(plot::colormap_color(map, 1.0))),
              1);
    EXPECT_LE(color_distance(image.at_point(nan_bin[0], nan_bin[1], s), to_8bit(plot::kNanColor)),
              1);
    // x to the right, y up: bin (9, 0) has value 9 of 0..79.
    EXPECT_LE(color_distance(image.at_point(bottom_right[0], bottom_right[1], s),
                             to_8bit(plot::colormap_color(map, 9.0 / 79.0))),
              1);
  }
}

TEST(Heatmap, FixedScaleClampsAndConstantMapIsMidScale) {
  testing::TempDir dir;
  RampFixture ramp;
  plot::Figure figure(400, 200, 1, 2);
  plot::HeatmapStyle fixed;
  fixed.value_min = 10.0;
  fixed.value_max = 20.0;
  figure.heatmap(0, 0, {}, ramp.map, ramp.extent, fixed);
  figure.heatmap(0, 1, {}, Eigen::MatrixXd::Constant(4, 4, 3.0), {}, {});
  figure.save(dir / "fixed.png");
  testing::PngImage image(dir / "fixed.png");
  const double s = figure.pixels_per_point();
  const auto t = figure.plot_area(0, 0);
  const auto below = RampFixture::bin_centre(t, ramp.extent, 2, 0);   // 2 < 10: clamps low
  const auto above = RampFixture::bin_centre(t, ramp.extent, 5, 5);   // 55 > 20: clamps high
  const auto inside = RampFixture::bin_centre(t, ramp.extent, 5, 1);  // 15: middle
  EXPECT_LE(color_distance(image.at_point(below[0], below[1], s),
                           to_8bit(plot::colormap_color(Colormap::kJet, 0.0))),
            1);
  EXPECT_LE(color_distance(image.at_point(above[0], above[1], s),
                           to_8bit(plot::colormap_color(Colormap::kJet, 1.0))),
            1);
  EXPECT_LE(color_distance(image.at_point(inside[0], inside[1], s),
                           to_8bit(plot::colormap_color(Colormap::kJet, 0.5))),
            1);
  const auto c = figure.plot_area(0, 1);
  const auto centre = page_point(c, 0.0, 0.0);
  EXPECT_LE(color_distance(image.at_point(centre[0], centre[1], s),
                           to_8bit(plot::colormap_color(Colormap::kJet, 0.5))),
            1);
}

TEST(Table, CellsTakeTheirColourNanCellsGreyAndMarkedCellsAFrame) {
  testing::TempDir dir;
  plot::Figure figure(400, 200, 1, 1);
  plot::TableCells cells;
  cells.values.resize(2, 3);
  cells.values << 0.0, 0.5, 1.0, std::nan(""), 0.25, 2.0;  // 2.0 clamps to the top of the scale
  cells.row_labels = {"first", "second"};
  cells.column_labels = {"a", "b", "c"};
  cells.marked = {false, false, false, false, true, false};
  figure.table(0, 0, {"table"}, cells, {});
  figure.save(dir / "table.png");
  testing::PngImage image(dir / "table.png");
  ASSERT_TRUE(image.ok());
  const double s = figure.pixels_per_point();
  const auto t = figure.plot_area(0, 0);
  const double w = t.area.width / 3, h = t.area.height / 2;
  const auto at = [&](int row, int col, double fx, double fy) {  // fraction (fx, fy) into the cell
    return image.at_point(t.area.x + (col + fx) * w, t.area.y + (row + fy) * h, s);
  };
  const auto viridis = [](double v) { return to_8bit(plot::colormap_color(Colormap::kViridis, v)); };
  EXPECT_LE(color_distance(at(0, 0, 0.5, 0.5), viridis(0.0)), 1);  // row 0 at the top
  EXPECT_LE(color_distance(at(0, 1, 0.5, 0.5), viridis(0.5)), 1);
  EXPECT_LE(color_distance(at(0, 2, 0.5, 0.5), viridis(1.0)), 1);
  EXPECT_LE(color_distance(at(1, 0, 0.5, 0.5), to_8bit(plot::kNanColor)), 1);
  EXPECT_LE(color_distance(at(1, 2, 0.5, 0.5), viridis(1.0)), 1);
  // The marked cell: its frame near the edge, its own colour inside; an unmarked cell has no frame.
  const plot::TableStyle style;
  EXPECT_LE(color_distance(at(1, 1, 0.5, 1.5 / h), to_8bit(style.mark_color)), 2);
  EXPECT_LE(color_distance(at(1, 1, 0.5, 0.5), viridis(0.25)), 1);
  EXPECT_LE(color_distance(at(0, 1, 0.5, 1.5 / h), viridis(0.5)), 1);
}

TEST(Heatmap, OutlineLiesWhereTheWallsAre) {
  // A right triangle (-1,-1), (1,-1), (-1,1) in the extent [-1.2, 1.2]²: walls at y = -1 (bottom),
  // x = -1 (left) and the hypotenuse x + y = 0. A flipped y axis would put the wall at the top.
  testing::TempDir dir;
  const plot::Extent extent{-1.2, 1.2, -1.2, 1.2};
  const Eigen::MatrixXd map = Eigen::MatrixXd::Constant(12, 12, 1.0);
  plot::HeatmapStyle style;
  style.outlines = {{{-1.0, -1.0}, {1.0, -1.0}, {-1.0, 1.0}}};
  style.outline_width = 2.0;
  style.outline_color = plot::Rgb{1.0, 0.0, 1.0};  // magenta: in neither colormap
  plot::Figure figure(220, 220, 1, 1);
  figure.heatmap(0, 0, {"triangle"}, map, extent, style);
  figure.save(dir / "outline.png");
  testing::PngImage image(dir / "outline.png");
  const double s = figure.pixels_per_point();
  const auto t = figure.plot_area(0, 0);
  const auto magenta = to_8bit(style.outline_color);
  const auto fill = to_8bit(plot::colormap_color(Colormap::kJet, 0.5));
  const auto pixel = [&](double x, double y) {
    const auto p = page_point(t, x, y);
    return image.at_point(p[0], p[1], s);
  };
  for (double u : {-0.6, 0.0, 0.6}) {
    EXPECT_LE(color_distance(pixel(u, -1.0), magenta), 2) << "bottom wall at x = " << u;
    EXPECT_LE(color_distance(pixel(-1.0, u), magenta), 2) << "left wall at y = " << u;
    EXPECT_LE(color_distance(pixel(u, -u), magenta), 2) << "hypotenuse at x = " << u;
    EXPECT_LE(color_distance(pixel(u, 1.0), fill), 1) << "no wall at the top, x = " << u;
    EXPECT_LE(color_distance(pixel(1.0, u), fill), 1) << "no wall at the right, y = " << u;
  }
  EXPECT_LE(color_distance(pixel(-0.5, -0.5), fill), 1);
}

TEST(Figure, WritesPngSvgAndPdfWithTheirMagicBytes) {
  testing::TempDir dir;
  plot::Figure figure(320, 200, 1, 2);
  figure.set_title("formats");
  plot::AxesStyle axes;
  axes.x_label = "update";
  axes.y_label = "loss";
  axes.log_y = true;
  figure.lines(0, 0, {"lines"}, {{"a", {1, 2, 3}, {1, 0.1, 0.01}}}, axes);
  plot::PolarStyle polar;
  polar.radial_label = "activity";
  figure.polar(0, 1, {"polar"}, {0.0, 2.0, 4.0}, {1.0, 2.0, 0.5}, polar);
  figure.save(dir / "f.png");
  figure.save(dir / "f.svg");
  figure.save(dir / "f.pdf");
  EXPECT_EQ(testing::file_head(dir / "f.png", 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(testing::file_head(dir / "f.pdf", 5), "%PDF-");
  const std::string svg = testing::file_head(dir / "f.svg", 400);
  EXPECT_NE(svg.find("<svg"), std::string::npos) << svg;
  EXPECT_NE(svg.find("width=\"320"), std::string::npos) << svg;
  EXPECT_GT(std::filesystem::file_size(dir / "f.pdf"), 1000u);
  EXPECT_EQ(dir.entry_count(), 3u);  // no temporary files left behind
}

TEST(Figure, UnknownExtensionIsAUserErrorAndWritesNothing) {
  testing::TempDir dir;
  plot::Figure figure(100, 100, 1, 1);
  figure.text(0, 0, {"t"}, {"hello"});
  try {
    figure.save(dir / "figure.jpg");
    FAIL() << "no error";
  } catch (const UserError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("figure.jpg"), std::string::npos) << message;
    EXPECT_NE(message.find(".png, .svg or .pdf"), std::string::npos) << message;
  }
  EXPECT_EQ(dir.entry_count(), 0u);
}

TEST(Figure, PageSizeForCellsGivesCellsTheAskedSize) {
  const auto size = plot::Figure::page_size_for_cells(3, 4, 100, 80, true, true, true);
  plot::Figure figure(size[0], size[1], 3, 4);
  figure.set_title("t");
  figure.set_page_legend({{"grid", plot::kBlack}});
  figure.set_page_colorbar(Colormap::kJet, 0, 1, "label");
  const plot::Rect cell = figure.cell(2, 3);
  EXPECT_NEAR(cell.width, 100.0, 1e-9);
  EXPECT_NEAR(cell.height, 80.0, 1e-9);
}

TEST(Figure, PanelsAreCheckedAsBugs) {
  plot::Figure figure(100, 100, 1, 1);
  EXPECT_THROW(figure.text(1, 0, {}, {}), InternalError);
  plot::HeatmapStyle unlabelled;
  unlabelled.colorbar = true;
  EXPECT_THROW(figure.heatmap(0, 0, {}, Eigen::MatrixXd::Zero(2, 2), {}, unlabelled),
               InternalError);
  EXPECT_THROW(figure.lines(0, 0, {}, {}, plot::AxesStyle{}), InternalError);  // no axis labels
}

}  // namespace
}  // namespace gridrnn

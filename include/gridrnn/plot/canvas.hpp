#pragma once
// Layer 1 of the plotting layer: a page (Figure) of W x H points holding a grid of panels —
// heatmaps, line/scatter plots and polar plots — drawn with Cairo and written as PNG, SVG or PDF
// (chosen by the file's extension). Plot renders plain data only (no model/analysis types).
//
// Coordinates: page points, origin at the top-left, y down (Cairo's). Data coordinates of a panel
// have y UP. A heatmap's map(i, j) is the bin at x-index i (left to right) and y-index j (bottom to
// top), i.e. the analysis convention M[i][j] at (x = c_i, y = c_j) of docs/design.md "Analysis conventions".
//
// Layout is a pure function of the page size, the grid and each panel's kind (fixed margins in
// points, no text measurement), so tests can compute where a bin or a wall lands on the page
// (Figure::plot_area) and read the pixel back.
#include <Eigen/Core>
#include <array>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace gridrnn::plot {

struct Rgb {
  double r = 0.0, g = 0.0, b = 0.0;  // each in [0, 1]
};

inline constexpr Rgb kBlack{0.0, 0.0, 0.0};
inline constexpr Rgb kWhite{1.0, 1.0, 1.0};
// Unvisited (NaN) bins: a light grey that neither jet nor viridis contains (both are saturated),
// and that differs from the white page, so "never visited" is not mistaken for "silent".
inline constexpr Rgb kNanColor{0.86, 0.86, 0.86};

enum class Colormap { kJet, kViridis };

// Colour of t in [0, 1] (clamped; NaN gives kNanColor). jet is matplotlib's piecewise-linear jet
// (jet(0) = (0, 0, 0.5), jet(1) = (0.5, 0, 0)); viridis is the published 256-entry table of
// van der Walt & Smith (CC0), linearly interpolated (viridis(0) = (0.267004, 0.004874, 0.329415),
// viridis(1) = (0.993248, 0.906157, 0.143936)).
Rgb colormap_color(Colormap colormap, double t);
std::string_view colormap_name(Colormap colormap);
// "jet" or "viridis"; anything else is a UserError naming the value and the accepted names.
Colormap parse_colormap(std::string_view name);

// A categorical palette (Okabe–Ito, readable by colour-blind readers) for series and classes.
Rgb category_color(int index);

using Polyline = std::vector<std::array<double, 2>>;  // (x, y) points in data coordinates

struct Extent {
  double x_min = -1.0, x_max = 1.0, y_min = -1.0, y_max = 1.0;
};

struct Rect {
  double x = 0.0, y = 0.0, width = 0.0, height = 0.0;  // page points, (x, y) = top-left corner
};

// Maps data coordinates of a panel to page points (y flipped).
struct DataTransform {
  Rect area;      // the plotting area on the page
  Extent extent;  // the data range it shows (for log_y: log10 of the values)
  bool log_y = false;
  std::array<double, 2> to_page(double x, double y) const;
};

// Every panel's header: a title (shrunk to fit the panel's width) and an optional coloured frame
// (used to mark a unit's class at a glance).
struct PanelHeader {
  PanelHeader() = default;
  PanelHeader(std::string title_text)
      : title(std::move(title_text)) {}  // NOLINT: implicit on purpose
  PanelHeader(std::string title_text, Rgb color, std::optional<Rgb> frame)
      : title(std::move(title_text)), title_color(color), frame_color(frame) {}
  std::string title;
  Rgb title_color = kBlack;
  std::optional<Rgb> frame_color;  // a 2-pt frame around the whole panel
};

struct HeatmapStyle {
  Colormap colormap = Colormap::kJet;
  // Colour scale; NaN = from the map's finite values (min and max).
  double value_min = std::numeric_limits<double>::quiet_NaN();
  double value_max = std::numeric_limits<double>::quiet_NaN();
  std::vector<Polyline> outlines;  // drawn on top, closed, in data coordinates (the arena's walls)
  Rgb outline_color = kBlack;
  double outline_width = 1.5;  // points
  bool colorbar = false;       // a vertical colorbar at the right of the panel
  std::string
      colorbar_label;  // required when colorbar is on (a colorbar without a label is refused)
  bool axes = false;   // ticks, tick labels and axis labels around the map
  std::string x_label = "x", y_label = "y";
};

struct Series {
  enum class Style { kLine, kDashed, kMarkers, kLineAndMarkers };
  std::string label;         // empty: left out of the legend
  std::vector<double> x, y;  // same length; non-finite points break the line
  Rgb color = kBlack;
  Style style = Style::kLine;
  double line_width = 1.5;     // points
  double marker_radius = 2.0;  // points
  double alpha = 1.0;
};

struct AxesStyle {
  std::string x_label, y_label;  // both required (an unlabelled axis is refused)
  bool log_y = false;            // non-positive y values are left out
  std::optional<std::array<double, 2>> x_range, y_range;  // default: from the data, y padded
  bool pad_x = false;  // pad the data's x range too (scatter plots: no marker on the frame)
  bool equal_aspect = false;       // one data unit is as long on x as on y (paths in an arena)
  bool legend = true;              // drawn when at least one series has a label
  std::vector<Polyline> outlines;  // closed polylines drawn under the series (arena walls)
};

struct PolarStyle {
  Rgb color = category_color(0);
  std::string radial_label;           // what the radius is (required), shown under the plot
  std::optional<double> arrow_angle;  // radians; an arrow from the centre (preferred direction)
};

// A table of coloured cells under column labels and beside row labels (e.g. one row per condition
// of a sweep). values(i, j) colours the cell in row i (top to bottom) and column j; NaN cells are
// kNanColor. texts and marked are row-major (rows x cols) or empty: a text is drawn centred in its
// cell (white on dark cells, black on light), a marked cell gets a 2-pt frame of mark_color.
struct TableCells {
  Eigen::MatrixXd values;
  std::vector<std::string> texts;
  std::vector<bool> marked;
  std::vector<std::string> row_labels, column_labels;
};

struct TableStyle {
  Colormap colormap = Colormap::kViridis;
  double value_min = 0.0, value_max = 1.0;  // colour scale (values outside are clamped)
  double row_label_width = 160.0;           // points left of the cells for the row labels
  double column_label_height = 16.0;        // points above the cells for the column labels
  Rgb mark_color{0.835, 0.369, 0.0};        // Okabe–Ito vermillion
  std::size_t column_group = 0;             // > 0: a wider white rule after every this many columns
};

class Figure {
 public:
  // A page of width x height points with rows x cols equal panel cells.
  Figure(double width_pt, double height_pt, int rows, int cols);
  // The page size that gives each of rows x cols cells the size cell_width x cell_height once the
  // title band (has_title), legend row (has_legend) and page colorbar (has_colorbar) are added.
  static std::array<double, 2> page_size_for_cells(int rows, int cols, double cell_width,
                                                   double cell_height, bool has_title,
                                                   bool has_legend, bool has_colorbar);

  void set_title(std::string title);  // a title band across the top of the page
  // A horizontal colorbar across the bottom of the page, shared by the panels that say so.
  void set_page_colorbar(Colormap colormap, double value_min, double value_max, std::string label,
                         std::string low_text = {}, std::string high_text = {});
  // A row of coloured keys under the page title (e.g. the classes of the units).
  void set_page_legend(std::vector<std::pair<std::string, Rgb>> keys);
  // PNG resolution (default 2 pixels per point); SVG and PDF are vector and ignore it.
  void set_pixels_per_point(double pixels_per_point);

  // map: bins_x x bins_y, map(i, j) at x-index i, y-index j; NaN = unvisited (drawn kNanColor).
  void heatmap(int row, int col, PanelHeader header, Eigen::MatrixXd map, Extent extent,
               HeatmapStyle style);
  void lines(int row, int col, PanelHeader header, std::vector<Series> series, AxesStyle style);
  // angles: radians, counter-clockwise from east (0 = +x); radii >= 0 (negative are clamped to 0).
  // The curve is closed (last point joins the first).
  void polar(int row, int col, PanelHeader header, std::vector<double> angles,
             std::vector<double> radii, PolarStyle style);
  // A panel with a few lines of text (e.g. "no units in this class").
  void text(int row, int col, PanelHeader header, std::vector<std::string> lines);
  // A table of coloured cells (TableCells); its plot_area is the rectangle of the cells.
  void table(int row, int col, PanelHeader header, TableCells cells, TableStyle style);

  // Where a panel's data is drawn; for a heatmap the rectangle of the map (its extent) exactly.
  // InternalError if the cell is empty.
  DataTransform plot_area(int row, int col) const;
  Rect cell(int row, int col) const;  // the whole cell of a panel, page points

  double width() const { return width_; }
  double height() const { return height_; }
  double pixels_per_point() const { return pixels_per_point_; }

  // Writes the page; the format follows the extension (.png, .svg, .pdf; anything else is a
  // UserError naming the path and the accepted extensions). Atomic: a reader never sees half a
  // file.
  void save(const std::filesystem::path& path) const;

 private:
  struct HeatmapPanel {
    Eigen::MatrixXd map;
    Extent extent;
    HeatmapStyle style;
  };
  struct LinesPanel {
    std::vector<Series> series;
    AxesStyle style;
  };
  struct PolarPanel {
    std::vector<double> angles, radii;
    PolarStyle style;
  };
  struct TextPanel {
    std::vector<std::string> lines;
  };
  struct TablePanel {
    TableCells cells;
    TableStyle style;
  };
  struct Panel {
    int row = 0, col = 0;
    PanelHeader header;
    std::variant<HeatmapPanel, LinesPanel, PolarPanel, TextPanel, TablePanel> content;
  };
  struct PageColorbar {
    Colormap colormap;
    double value_min, value_max;
    std::string label, low_text, high_text;
  };

  Panel& place(int row, int col);
  const Panel* find(int row, int col) const;
  Rect grid_area() const;
  DataTransform layout(const Panel& panel) const;
  void draw(void* cairo_context) const;  // cairo_t*, kept out of the public header

  double width_, height_;
  int rows_, cols_;
  double pixels_per_point_ = 2.0;
  std::string title_;
  std::optional<PageColorbar> page_colorbar_;
  std::vector<std::pair<std::string, Rgb>> page_legend_;
  std::vector<Panel> panels_;
};

// "Nice" tick positions covering [lo, hi] (steps of 1, 2 or 5 x 10^k), about `target` of them.
std::vector<double> nice_ticks(double lo, double hi, int target = 5);
// A tick label: no trailing zeros, scientific for very large or small magnitudes.
std::string tick_label(double value, double step);

}  // namespace gridrnn::plot

#include "gridrnn/plot/canvas.hpp"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <fmt/format.h>
#include <fontconfig/fontconfig.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <numbers>

#include "gridrnn/core/error.hpp"
#include "gridrnn/io/files.hpp"
#include "plot/detail/viridis_table.hpp"

namespace gridrnn::plot {

namespace {

// ---- layout constants (points) ------------------------------------------------------------
constexpr double kPageMargin = 6.0;
constexpr double kPageTitleHeight = 24.0;
constexpr double kPageLegendHeight = 16.0;
constexpr double kPageColorbarHeight = 46.0;
constexpr double kCellPadding = 3.0;
constexpr double kPanelTitleHeight = 13.0;
constexpr double kTitleFontSize = 9.0;
constexpr double kTickFontSize = 7.0;
constexpr double kLabelFontSize = 8.0;
constexpr double kHeatmapColorbarWidth = 48.0;  // gap + bar + tick labels + rotated label
constexpr double kHeatmapAxesLeft = 34.0, kHeatmapAxesBottom = 26.0;
constexpr double kLinesLeft = 46.0, kLinesBottom = 30.0, kLinesRight = 8.0, kLinesTop = 3.0;
constexpr double kPolarLabelMargin = 13.0, kPolarBottom = 13.0;

constexpr Rgb kAxisColor{0.25, 0.25, 0.25};
constexpr Rgb kGridColor{0.88, 0.88, 0.88};

double lerp(double a, double b, double t) { return a + (b - a) * t; }

// matplotlib's jet: piecewise-linear (position, value) knots per channel.
struct Knot {
  double position, value;
};
constexpr Knot kJetRed[] = {{0.0, 0.0}, {0.35, 0.0}, {0.66, 1.0}, {0.89, 1.0}, {1.0, 0.5}};
constexpr Knot kJetGreen[] = {{0.0, 0.0},  {0.125, 0.0}, {0.375, 1.0},
                              {0.64, 1.0}, {0.91, 0.0},  {1.0, 0.0}};
constexpr Knot kJetBlue[] = {{0.0, 0.5}, {0.11, 1.0}, {0.34, 1.0}, {0.65, 0.0}, {1.0, 0.0}};

template <std::size_t K>
double piecewise(const Knot (&knots)[K], double t) {
  for (std::size_t k = 1; k < K; ++k) {
    if (t <= knots[k].position) {
      const double span = knots[k].position - knots[k - 1].position;
      return lerp(knots[k - 1].value, knots[k].value, (t - knots[k - 1].position) / span);
    }
  }
  return knots[K - 1].value;
}

void set_color(cairo_t* cr, Rgb color, double alpha = 1.0) {
  cairo_set_source_rgba(cr, color.r, color.g, color.b, alpha);
}

void select_font(cairo_t* cr, double size, bool bold) {
  cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
}

// A pixel of a CAIRO_FORMAT_RGB24 image (native-endian 0xFFRRGGBB).
std::uint32_t rgb24_pixel(Rgb c) {
  const auto channel = [](double v) { return static_cast<std::uint32_t>(std::lround(v * 255)); };
  return (0xFFu << 24) | (channel(c.r) << 16) | (channel(c.g) << 8) | channel(c.b);
}

// Draws text with its anchor at (x, y): halign 0 = left, 0.5 = centre, 1 = right; valign 0 = top,
// 0.5 = middle, 1 = bottom (font ascent/descent, so lines of mixed text align); angle in radians
// (counter-clockwise on the page, e.g. pi/2 for a y-axis label).
void draw_text(cairo_t* cr, const std::string& text, double x, double y, double size, double halign,
               double valign, Rgb color = kBlack, double angle = 0.0, bool bold = false) {
  if (text.empty()) return;
  cairo_save(cr);
  select_font(cr, size, bold);
  cairo_text_extents_t te;
  cairo_text_extents(cr, text.c_str(), &te);
  cairo_font_extents_t fe;
  cairo_font_extents(cr, &fe);
  cairo_translate(cr, x, y);
  cairo_rotate(cr, -angle);
  const double baseline = lerp(fe.ascent, -fe.descent, valign);
  cairo_move_to(cr, -halign * te.x_advance, baseline);
  set_color(cr, color);
  cairo_show_text(cr, text.c_str());
  cairo_restore(cr);
}

double text_width(cairo_t* cr, const std::string& text, double size, bool bold = false) {
  cairo_save(cr);
  select_font(cr, size, bold);
  cairo_text_extents_t te;
  cairo_text_extents(cr, text.c_str(), &te);
  cairo_restore(cr);
  return te.x_advance;
}

// The largest font size <= size at which text fits in width (never below 5 pt).
double fitting_size(cairo_t* cr, const std::string& text, double size, double width,
                    bool bold = false) {
  const double w = text_width(cr, text, size, bold);
  if (w <= width || w <= 0.0) return size;
  return std::max(5.0, size * width / w);
}

// [lo, hi] of the finite values (log10 of the positive ones for log scales); nullopt if none.
std::optional<std::array<double, 2>> finite_range(const std::vector<double>& values, bool log) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (double v : values) {
    if (!std::isfinite(v) || (log && v <= 0.0)) continue;
    const double w = log ? std::log10(v) : v;
    lo = std::min(lo, w);
    hi = std::max(hi, w);
  }
  if (!(lo <= hi)) return std::nullopt;
  return std::array<double, 2>{lo, hi};
}

// Widens a degenerate range and pads a proper one by `fraction` of its span on each side.
std::array<double, 2> padded(std::array<double, 2> range, double fraction) {
  if (range[1] - range[0] <= 1e-12 * std::max(1.0, std::abs(range[0]))) {
    const double half = std::max(0.5, 0.1 * std::abs(range[0]));
    return {range[0] - half, range[1] + half};
  }
  const double pad = fraction * (range[1] - range[0]);
  return {range[0] - pad, range[1] + pad};
}

Rect inset(Rect r, double left, double top, double right, double bottom) {
  return {r.x + left, r.y + top, std::max(1.0, r.width - left - right),
          std::max(1.0, r.height - top - bottom)};
}

// The largest rectangle of the given data aspect (width / height) centred in `available`.
Rect fit_aspect(Rect available, double aspect) {
  double w = available.width, h = available.height;
  if (w / h > aspect) {
    w = h * aspect;
  } else {
    h = w / aspect;
  }
  return {available.x + 0.5 * (available.width - w), available.y + 0.5 * (available.height - h), w,
          h};
}

// Ticks for a log10 axis spanning [lo, hi] (in decades): the powers of ten inside, or, when the
// range covers less than about two decades, nice linear ticks of the values themselves. Returns
// log10 positions.
std::vector<double> log_ticks(double lo, double hi) {
  std::vector<double> ticks;
  if (hi - lo >= 1.5) {
    const int step = std::max(1, static_cast<int>(std::ceil((hi - lo) / 6.0)));
    for (int k = static_cast<int>(std::ceil(lo)); k <= static_cast<int>(std::floor(hi)); k += step)
      ticks.push_back(k);
    return ticks;
  }
  for (double v : nice_ticks(std::pow(10.0, lo), std::pow(10.0, hi), 4))
    if (v > 0.0) ticks.push_back(std::log10(v));
  return ticks;
}

std::string log_tick_label(double log_value) {
  const double value = std::pow(10.0, log_value);
  const double rounded_log = std::round(log_value);
  if (std::abs(log_value - rounded_log) < 1e-9 && (rounded_log < -3 || rounded_log > 4))
    return fmt::format("1e{}", static_cast<int>(rounded_log));
  return tick_label(value, value / 10.0);
}

void stroke_polyline(cairo_t* cr, const DataTransform& t, const Polyline& line, bool close) {
  bool pen_down = false;
  for (const auto& p : line) {
    if (!std::isfinite(p[0]) || !std::isfinite(p[1])) {
      pen_down = false;
      continue;
    }
    const auto q = t.to_page(p[0], p[1]);
    if (pen_down) {
      cairo_line_to(cr, q[0], q[1]);
    } else {
      cairo_move_to(cr, q[0], q[1]);
      pen_down = true;
    }
  }
  if (close && pen_down) cairo_close_path(cr);
  cairo_stroke(cr);
}

// A vertical (horizontal = false) or horizontal gradient bar of the colormap filling `bar`.
void draw_gradient_bar(cairo_t* cr, Rect bar, Colormap colormap, bool horizontal) {
  constexpr int kSteps = 256;
  cairo_surface_t* image = cairo_image_surface_create(CAIRO_FORMAT_RGB24, horizontal ? kSteps : 1,
                                                      horizontal ? 1 : kSteps);
  cairo_surface_flush(image);
  unsigned char* data = cairo_image_surface_get_data(image);
  const int stride = cairo_image_surface_get_stride(image);
  for (int k = 0; k < kSteps; ++k) {
    // Horizontal: low values on the left; vertical: low values at the bottom.
    const double t = static_cast<double>(k) / (kSteps - 1);
    const Rgb c = colormap_color(colormap, horizontal ? t : 1.0 - t);
    auto* pixel = reinterpret_cast<std::uint32_t*>(data + (horizontal ? 0 : k * stride)) +
                  (horizontal ? k : 0);
    *pixel = rgb24_pixel(c);
  }
  cairo_surface_mark_dirty(image);
  cairo_save(cr);
  cairo_rectangle(cr, bar.x, bar.y, bar.width, bar.height);
  cairo_clip(cr);
  cairo_translate(cr, bar.x, bar.y);
  cairo_scale(cr, bar.width / (horizontal ? kSteps : 1), bar.height / (horizontal ? 1 : kSteps));
  cairo_set_source_surface(cr, image, 0, 0);
  cairo_pattern_set_extend(cairo_get_source(cr), CAIRO_EXTEND_PAD);
  cairo_paint(cr);
  cairo_restore(cr);
  cairo_surface_destroy(image);
  cairo_set_line_width(cr, 0.6);
  set_color(cr, kAxisColor);
  cairo_rectangle(cr, bar.x, bar.y, bar.width, bar.height);
  cairo_stroke(cr);
}

// Cairo keeps font faces (and through them fontconfig patterns) in static caches, and fontconfig
// its parsed configuration, for the life of the process; releasing both at exit keeps
// LeakSanitizer's report to real leaks. Safe then: no cairo object outlives save().
void release_cairo_caches_at_exit() {
  static const bool registered = [] {
    std::atexit([] {
      cairo_debug_reset_static_data();
      FcFini();
    });
    return true;
  }();
  (void)registered;
}

cairo_status_t append_to_string(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace

// ---- colours -------------------------------------------------------------------------------

Rgb colormap_color(Colormap colormap, double t) {
  if (std::isnan(t)) return kNanColor;
  t = std::clamp(t, 0.0, 1.0);
  switch (colormap) {
    case Colormap::kJet:
      return {piecewise(kJetRed, t), piecewise(kJetGreen, t), piecewise(kJetBlue, t)};
    case Colormap::kViridis: {
      const auto& table = detail::kViridisTable;
      const double position = t * static_cast<double>(table.size() - 1);
      const std::size_t k = std::min(static_cast<std::size_t>(position), table.size() - 2);
      const double f = position - static_cast<double>(k);
      return {lerp(table[k][0], table[k + 1][0], f), lerp(table[k][1], table[k + 1][1], f),
              lerp(table[k][2], table[k + 1][2], f)};
    }
  }
  GRIDRNN_ASSERT(false, "unknown colormap");
}

std::string_view colormap_name(Colormap colormap) {
  return colormap == Colormap::kJet ? "jet" : "viridis";
}

Colormap parse_colormap(std::string_view name) {
  if (name == "jet") return Colormap::kJet;
  if (name == "viridis") return Colormap::kViridis;
  throw_user_error("colormap '{}' is not known: use \"jet\" (as in the paper) or \"viridis\"",
                   name);
}

Rgb category_color(int index) {
  // Okabe & Ito (2008), "Color Universal Design", without black and yellow (too light on white),
  // and a dark red as an eighth colour (one per unit class).
  static constexpr Rgb kPalette[] = {
      {0.000, 0.447, 0.698}, {0.835, 0.369, 0.000}, {0.000, 0.620, 0.451}, {0.800, 0.475, 0.655},
      {0.337, 0.706, 0.914}, {0.902, 0.624, 0.000}, {0.400, 0.400, 0.400}, {0.600, 0.100, 0.150}};
  constexpr int kCount = static_cast<int>(std::size(kPalette));
  return kPalette[((index % kCount) + kCount) % kCount];
}

// ---- ticks -----------------------------------------------------------------------------------

std::vector<double> nice_ticks(double lo, double hi, int target) {
  std::vector<double> ticks;
  if (!std::isfinite(lo) || !std::isfinite(hi)) return ticks;
  if (hi < lo) std::swap(lo, hi);
  if (hi - lo <= 0.0) return {lo};
  const double raw = (hi - lo) / std::max(1, target);
  double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  // The smallest step of 1, 2, 5 x 10^k not below the raw step; smaller ones while fewer than two
  // ticks fall inside (a range like [0.00003, 0.04998] would otherwise get none).
  constexpr double kMantissas[] = {1.0, 2.0, 5.0};
  int m = 0;
  while (m < 2 && kMantissas[m] * magnitude < raw) ++m;
  if (kMantissas[m] * magnitude < raw) {
    m = 0;
    magnitude *= 10.0;
  }
  for (int attempt = 0; attempt < 6; ++attempt) {
    const double step = kMantissas[m] * magnitude;
    ticks.clear();
    const double first = std::ceil(lo / step - 1e-9) * step;
    for (double v = first; v <= hi + 1e-9 * step && ticks.size() <= 100; v += step)
      ticks.push_back(std::abs(v) < 1e-9 * step ? 0.0 : v);
    if (ticks.size() >= 2) break;
    if (--m < 0) {
      m = 2;
      magnitude /= 10.0;
    }
  }
  return ticks;
}

std::string tick_label(double value, double step) {
  if (value == 0.0 || std::abs(value) < 1e-9 * std::abs(step)) return "0";
  const double magnitude = std::abs(value);
  if (magnitude >= 1e5 || magnitude < 1e-4) return fmt::format("{:.2g}", value);
  const int decimals =
      std::clamp(static_cast<int>(-std::floor(std::log10(std::abs(step)) + 1e-9)), 0, 6);
  std::string text = fmt::format("{:.{}f}", value, decimals);
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  if (text == "-0") text = "0";
  return text;
}

// ---- transforms and layout ----------------------------------------------------------------

std::array<double, 2> DataTransform::to_page(double x, double y) const {
  const double yv = log_y ? std::log10(y) : y;
  return {area.x + (x - extent.x_min) / (extent.x_max - extent.x_min) * area.width,
          area.y + area.height - (yv - extent.y_min) / (extent.y_max - extent.y_min) * area.height};
}

Figure::Figure(double width_pt, double height_pt, int rows, int cols)
    : width_(width_pt), height_(height_pt), rows_(rows), cols_(cols) {
  GRIDRNN_ASSERT(width_pt >= 10.0 && height_pt >= 10.0 && rows >= 1 && cols >= 1,
                 fmt::format("figure {}x{} pt with {}x{} panels", width_pt, height_pt, rows, cols));
}

void Figure::set_title(std::string title) { title_ = std::move(title); }

void Figure::set_page_colorbar(Colormap colormap, double value_min, double value_max,
                               std::string label, std::string low_text, std::string high_text) {
  GRIDRNN_ASSERT(!label.empty(), "a colorbar needs a label");
  page_colorbar_ = PageColorbar{colormap,         value_min,           value_max,
                                std::move(label), std::move(low_text), std::move(high_text)};
}

void Figure::set_page_legend(std::vector<std::pair<std::string, Rgb>> keys) {
  page_legend_ = std::move(keys);
}

void Figure::set_pixels_per_point(double pixels_per_point) {
  GRIDRNN_ASSERT(pixels_per_point > 0.0 && pixels_per_point <= 8.0);
  pixels_per_point_ = pixels_per_point;
}

Figure::Panel& Figure::place(int row, int col) {
  GRIDRNN_ASSERT(row >= 0 && row < rows_ && col >= 0 && col < cols_,
                 fmt::format("panel ({}, {}) outside a {}x{} grid", row, col, rows_, cols_));
  GRIDRNN_ASSERT(find(row, col) == nullptr, fmt::format("panel ({}, {}) drawn twice", row, col));
  Panel& panel = panels_.emplace_back();
  panel.row = row;
  panel.col = col;
  return panel;
}

const Figure::Panel* Figure::find(int row, int col) const {
  for (const Panel& panel : panels_)
    if (panel.row == row && panel.col == col) return &panel;
  return nullptr;
}

void Figure::heatmap(int row, int col, PanelHeader header, Eigen::MatrixXd map, Extent extent,
                     HeatmapStyle style) {
  GRIDRNN_ASSERT(map.rows() >= 1 && map.cols() >= 1, "empty heatmap");
  GRIDRNN_ASSERT(extent.x_max > extent.x_min && extent.y_max > extent.y_min, "empty extent");
  GRIDRNN_ASSERT(!style.colorbar || !style.colorbar_label.empty(), "colorbar without a label");
  Panel& panel = place(row, col);
  panel.header = std::move(header);
  panel.content = HeatmapPanel{std::move(map), extent, std::move(style)};
}

void Figure::lines(int row, int col, PanelHeader header, std::vector<Series> series,
                   AxesStyle style) {
  GRIDRNN_ASSERT(!style.x_label.empty() && !style.y_label.empty(), "unlabelled axis");
  for (const Series& s : series) GRIDRNN_ASSERT(s.x.size() == s.y.size(), s.label);
  Panel& panel = place(row, col);
  panel.header = std::move(header);
  panel.content = LinesPanel{std::move(series), std::move(style)};
}

void Figure::polar(int row, int col, PanelHeader header, std::vector<double> angles,
                   std::vector<double> radii, PolarStyle style) {
  GRIDRNN_ASSERT(angles.size() == radii.size() && !angles.empty(), "polar curve sizes");
  GRIDRNN_ASSERT(!style.radial_label.empty(), "polar plot without a radial label");
  Panel& panel = place(row, col);
  panel.header = std::move(header);
  panel.content = PolarPanel{std::move(angles), std::move(radii), std::move(style)};
}

void Figure::text(int row, int col, PanelHeader header, std::vector<std::string> lines) {
  Panel& panel = place(row, col);
  panel.header = std::move(header);
  panel.content = TextPanel{std::move(lines)};
}

void Figure::table(int row, int col, PanelHeader header, TableCells cells, TableStyle style) {
  const auto rows = static_cast<std::size_t>(cells.values.rows()), cols = static_cast<std::size_t>(cells.values.cols());
  GRIDRNN_ASSERT(rows > 0 && cols > 0, "empty table");
  GRIDRNN_ASSERT(cells.row_labels.size() == rows && cells.column_labels.size() == cols, "table label counts");
  GRIDRNN_ASSERT(cells.texts.empty() || cells.texts.size() == rows * cols, "table text count");
  GRIDRNN_ASSERT(cells.marked.empty() || cells.marked.size() == rows * cols, "table mark count");
  GRIDRNN_ASSERT(style.value_max > style.value_min, "table colour scale");
  Panel& panel = place(row, col);
  panel.header = std::move(header);
  panel.content = TablePanel{std::move(cells), style};
}

Rect Figure::grid_area() const {
  double top = kPageMargin, bottom = kPageMargin;
  if (!title_.empty()) top += kPageTitleHeight;
  if (!page_legend_.empty()) top += kPageLegendHeight;
  if (page_colorbar_) bottom += kPageColorbarHeight;
  return inset({0.0, 0.0, width_, height_}, kPageMargin, top, kPageMargin, bottom);
}

std::array<double, 2> Figure::page_size_for_cells(int rows, int cols, double cell_width,
                                                  double cell_height, bool has_title,
                                                  bool has_legend, bool has_colorbar) {
  const double bands = (has_title ? kPageTitleHeight : 0.0) +
                       (has_legend ? kPageLegendHeight : 0.0) +
                       (has_colorbar ? kPageColorbarHeight : 0.0);
  return {cols * cell_width + 2 * kPageMargin, rows * cell_height + 2 * kPageMargin + bands};
}

Rect Figure::cell(int row, int col) const {
  const Rect grid = grid_area();
  const double w = grid.width / cols_, h = grid.height / rows_;
  return {grid.x + col * w, grid.y + row * h, w, h};
}

DataTransform Figure::layout(const Panel& panel) const {
  const Rect content = inset(cell(panel.row, panel.col), kCellPadding,
                             kCellPadding + kPanelTitleHeight, kCellPadding, kCellPadding);
  DataTransform t;
  if (const auto* heat = std::get_if<HeatmapPanel>(&panel.content)) {
    Rect available = content;
    if (heat->style.colorbar) available = inset(available, 0, 0, kHeatmapColorbarWidth, 0);
    if (heat->style.axes) available = inset(available, kHeatmapAxesLeft, 2, 4, kHeatmapAxesBottom);
    const Extent& e = heat->extent;
    t.area = fit_aspect(available, (e.x_max - e.x_min) / (e.y_max - e.y_min));
    t.extent = e;
  } else if (const auto* plot = std::get_if<LinesPanel>(&panel.content)) {
    const AxesStyle& style = plot->style;
    std::vector<double> xs, ys;
    for (const Series& s : plot->series) {
      xs.insert(xs.end(), s.x.begin(), s.x.end());
      ys.insert(ys.end(), s.y.begin(), s.y.end());
    }
    for (const Polyline& line : style.outlines) {
      for (const auto& p : line) {
        xs.push_back(p[0]);
        ys.push_back(p[1]);
      }
    }
    std::array<double, 2> x_range = style.x_range.value_or(
        padded(finite_range(xs, false).value_or(std::array<double, 2>{0.0, 1.0}), style.pad_x ? 0.04 : 0.0));
    std::array<double, 2> y_range;
    if (style.y_range) {
      y_range = *style.y_range;
      if (style.log_y) y_range = {std::log10(y_range[0]), std::log10(y_range[1])};
    } else {
      y_range =
          padded(finite_range(ys, style.log_y).value_or(std::array<double, 2>{0.0, 1.0}), 0.05);
    }
    if (style.equal_aspect && !style.x_range && !style.y_range) {
      x_range = padded(x_range, 0.03);
      y_range = padded(y_range, 0.03);
    }
    Rect available = inset(content, kLinesLeft, kLinesTop, kLinesRight, kLinesBottom);
    if (style.equal_aspect && !style.log_y) {
      available = fit_aspect(available, (x_range[1] - x_range[0]) / (y_range[1] - y_range[0]));
    }
    t.area = available;
    t.extent = {x_range[0], x_range[1], y_range[0], y_range[1]};
    t.log_y = style.log_y;
  } else if (const auto* table = std::get_if<TablePanel>(&panel.content)) {
    t.area = inset(content, table->style.row_label_width, table->style.column_label_height, 0, 0);
    t.extent = {0.0, static_cast<double>(table->cells.values.cols()), 0.0, static_cast<double>(table->cells.values.rows())};
  } else if (std::holds_alternative<PolarPanel>(panel.content)) {
    const Rect available = inset(content, kPolarLabelMargin + 6, kPolarLabelMargin,
                                 kPolarLabelMargin + 6, kPolarLabelMargin + kPolarBottom);
    t.area = fit_aspect(available, 1.0);
    t.extent = {-1.0, 1.0, -1.0, 1.0};
  } else {
    t.area = content;
    t.extent = {0.0, 1.0, 0.0, 1.0};
  }
  return t;
}

DataTransform Figure::plot_area(int row, int col) const {
  const Panel* panel = find(row, col);
  GRIDRNN_ASSERT(panel != nullptr, fmt::format("no panel at ({}, {})", row, col));
  return layout(*panel);
}

// ---- drawing ---------------------------------------------------------------------------------

namespace {

// The cells of a table panel in area, its row labels to the left and column labels above.
void draw_table(cairo_t* cr, const TableCells& cells, const TableStyle& style, const Rect& area) {
  const auto rows = static_cast<std::size_t>(cells.values.rows()), cols = static_cast<std::size_t>(cells.values.cols());
  const double w = area.width / static_cast<double>(cols), h = area.height / static_cast<double>(rows);
  const double text_size = std::min(kTickFontSize + 1, 0.7 * h);
  for (std::size_t i = 0; i < rows; ++i) {
    const double y = area.y + static_cast<double>(i) * h;
    const std::string& label = cells.row_labels[i];
    draw_text(cr, label, area.x - 4, y + h / 2, fitting_size(cr, label, text_size, style.row_label_width - 8), 1.0,
              0.5);
    for (std::size_t j = 0; j < cols; ++j) {
      const double x = area.x + static_cast<double>(j) * w;
      const double value = cells.values(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
      const Rgb color = std::isfinite(value)
                            ? colormap_color(style.colormap, (value - style.value_min) / (style.value_max - style.value_min))
                            : kNanColor;
      set_color(cr, color);
      cairo_rectangle(cr, x, y, w, h);
      cairo_fill(cr);
      const std::size_t k = i * cols + j;
      if (!cells.texts.empty()) {
        const bool dark = 0.299 * color.r + 0.587 * color.g + 0.114 * color.b < 0.5;
        draw_text(cr, cells.texts[k], x + w / 2, y + h / 2, fitting_size(cr, cells.texts[k], text_size, w - 4), 0.5,
                  0.5, dark ? kWhite : kBlack);
      }
    }
  }
  // White rules between the cells: thin, wider after every column_group columns.
  set_color(cr, kWhite);
  cairo_set_line_width(cr, 0.5);
  for (std::size_t i = 1; i < rows; ++i) {
    cairo_move_to(cr, area.x, area.y + static_cast<double>(i) * h);
    cairo_line_to(cr, area.x + area.width, area.y + static_cast<double>(i) * h);
  }
  cairo_stroke(cr);
  for (std::size_t j = 1; j < cols; ++j) {
    const bool group_end = style.column_group > 0 && j % style.column_group == 0;
    cairo_set_line_width(cr, group_end ? 3.0 : 0.5);
    cairo_move_to(cr, area.x + static_cast<double>(j) * w, area.y);
    cairo_line_to(cr, area.x + static_cast<double>(j) * w, area.y + area.height);
    cairo_stroke(cr);
  }
  if (!cells.marked.empty()) {
    cairo_set_line_width(cr, 2.0);
    set_color(cr, style.mark_color);
    for (std::size_t k = 0; k < rows * cols; ++k) {
      if (!cells.marked[k]) continue;
      const double x = area.x + static_cast<double>(k % cols) * w, y = area.y + static_cast<double>(k / cols) * h;
      cairo_rectangle(cr, x + 1, y + 1, w - 2, h - 2);
    }
    cairo_stroke(cr);
  }
  for (std::size_t j = 0; j < cols; ++j) {
    const std::string& label = cells.column_labels[j];
    draw_text(cr, label, area.x + (static_cast<double>(j) + 0.5) * w, area.y - 3,
              fitting_size(cr, label, kTickFontSize + 1, w - 2), 0.5, 1.0);
  }
}

void draw_heatmap_cells(cairo_t* cr, const Eigen::MatrixXd& map, const DataTransform& t,
                        Colormap colormap, double value_min, double value_max) {
  const int bins_x = static_cast<int>(map.rows()), bins_y = static_cast<int>(map.cols());
  cairo_surface_t* image = cairo_image_surface_create(CAIRO_FORMAT_RGB24, bins_x, bins_y);
  cairo_surface_flush(image);
  unsigned char* data = cairo_image_surface_get_data(image);
  const int stride = cairo_image_surface_get_stride(image);
  const double span = value_max - value_min;
  for (int i = 0; i < bins_x; ++i) {
    for (int j = 0; j < bins_y; ++j) {
      const double v = map(i, j);
      Rgb c = kNanColor;
      if (std::isfinite(v)) c = colormap_color(colormap, span > 0.0 ? (v - value_min) / span : 0.5);
      // Image row 0 is the top of the page, where the largest y-index lies (y up).
      auto* pixel = reinterpret_cast<std::uint32_t*>(data + (bins_y - 1 - j) * stride) + i;
      *pixel = rgb24_pixel(c);
    }
  }
  cairo_surface_mark_dirty(image);
  cairo_save(cr);
  cairo_rectangle(cr, t.area.x, t.area.y, t.area.width, t.area.height);
  cairo_clip(cr);
  cairo_translate(cr, t.area.x, t.area.y);
  cairo_scale(cr, t.area.width / bins_x, t.area.height / bins_y);
  cairo_set_source_surface(cr, image, 0, 0);
  // Bins are bins: no interpolation between them (PDF viewers get /Interpolate false too).
  cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
  cairo_pattern_set_extend(cairo_get_source(cr), CAIRO_EXTEND_PAD);
  cairo_paint(cr);
  cairo_restore(cr);
  cairo_surface_destroy(image);
}

// The y ticks of a plotting area (log10 positions on log axes), shared by grid lines and labels.
std::vector<double> y_axis_ticks(const DataTransform& t) {
  if (t.log_y) return log_ticks(t.extent.y_min, t.extent.y_max);
  return nice_ticks(t.extent.y_min, t.extent.y_max,
                    std::max(3, static_cast<int>(t.area.height / 28.0)));
}

// Ticks with labels along the bottom (x) and left (y) edges of t.area, and the axis labels.
void draw_axes(cairo_t* cr, const DataTransform& t, const std::string& x_label,
               const std::string& y_label, double label_offset_y) {
  const Rect& a = t.area;
  cairo_set_line_width(cr, 0.6);
  set_color(cr, kAxisColor);
  const int x_target = std::max(3, static_cast<int>(a.width / 45.0));
  const auto xt = nice_ticks(t.extent.x_min, t.extent.x_max, x_target);
  const double x_step = xt.size() > 1 ? xt[1] - xt[0] : 1.0;
  for (double v : xt) {
    const double px = t.to_page(v, t.log_y ? 1.0 : t.extent.y_min)[0];
    cairo_move_to(cr, px, a.y + a.height);
    cairo_line_to(cr, px, a.y + a.height + 3);
    cairo_stroke(cr);
    draw_text(cr, tick_label(v, x_step), px, a.y + a.height + 4, kTickFontSize, 0.5, 0.0,
              kAxisColor);
  }
  const auto yt = y_axis_ticks(t);
  const double y_step = yt.size() > 1 ? yt[1] - yt[0] : 1.0;
  for (double v : yt) {
    const double py =
        a.y + a.height - (v - t.extent.y_min) / (t.extent.y_max - t.extent.y_min) * a.height;
    cairo_move_to(cr, a.x, py);
    cairo_line_to(cr, a.x - 3, py);
    cairo_stroke(cr);
    draw_text(cr, t.log_y ? log_tick_label(v) : tick_label(v, y_step), a.x - 4, py, kTickFontSize,
              1.0, 0.5, kAxisColor);
  }
  draw_text(cr, x_label, a.x + 0.5 * a.width, a.y + a.height + 14, kLabelFontSize, 0.5, 0.0);
  draw_text(cr, y_label, a.x - label_offset_y, a.y + 0.5 * a.height, kLabelFontSize, 0.5, 0.0,
            kBlack, std::numbers::pi / 2);
}

void draw_vertical_colorbar(cairo_t* cr, const Rect& map_area, Colormap colormap, double lo,
                            double hi, const std::string& label) {
  const Rect bar{map_area.x + map_area.width + 6, map_area.y, 8, map_area.height};
  draw_gradient_bar(cr, bar, colormap, false);
  const auto ticks = nice_ticks(lo, hi, std::max(2, static_cast<int>(bar.height / 28.0)));
  const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 1.0;
  cairo_set_line_width(cr, 0.6);
  for (double v : ticks) {
    const double py =
        hi > lo ? bar.y + bar.height - (v - lo) / (hi - lo) * bar.height : bar.y + 0.5 * bar.height;
    set_color(cr, kAxisColor);
    cairo_move_to(cr, bar.x + bar.width, py);
    cairo_line_to(cr, bar.x + bar.width + 2, py);
    cairo_stroke(cr);
    draw_text(cr, tick_label(v, step), bar.x + bar.width + 3, py, kTickFontSize - 0.5, 0.0, 0.5,
              kAxisColor);
  }
  const double fitted = fitting_size(cr, label, kTickFontSize, bar.height);
  draw_text(cr, label, bar.x + bar.width + 38, bar.y + 0.5 * bar.height, fitted, 0.5, 0.5, kBlack,
            std::numbers::pi / 2);
}

void draw_legend(cairo_t* cr, const DataTransform& t, const std::vector<Series>& series) {
  std::vector<const Series*> shown;
  double widest = 0.0;
  for (const Series& s : series) {
    if (s.label.empty()) continue;
    shown.push_back(&s);
    widest = std::max(widest, text_width(cr, s.label, kTickFontSize));
  }
  if (shown.empty()) return;
  const double row_height = 10.0, key_width = 16.0;
  const double box_w = widest + key_width + 10;
  const double box_h = row_height * static_cast<double>(shown.size()) + 4;
  const double x0 = t.area.x + t.area.width - box_w - 3, y0 = t.area.y + 3;
  cairo_rectangle(cr, x0, y0, box_w, box_h);
  set_color(cr, kWhite, 0.85);
  cairo_fill_preserve(cr);
  cairo_set_line_width(cr, 0.5);
  set_color(cr, kGridColor);
  cairo_stroke(cr);
  for (std::size_t k = 0; k < shown.size(); ++k) {
    const Series& s = *shown[k];
    const double cy = y0 + 2 + row_height * (static_cast<double>(k) + 0.5);
    set_color(cr, s.color);
    if (s.style == Series::Style::kMarkers) {
      cairo_arc(cr, x0 + 3 + key_width / 2, cy, 2.2, 0, 2 * std::numbers::pi);
      cairo_fill(cr);
    } else {
      cairo_set_line_width(cr, s.line_width);
      if (s.style == Series::Style::kDashed) {
        const double dash[] = {3.0, 2.0};
        cairo_set_dash(cr, dash, 2, 0);
      }
      cairo_move_to(cr, x0 + 3, cy);
      cairo_line_to(cr, x0 + 3 + key_width, cy);
      cairo_stroke(cr);
      cairo_set_dash(cr, nullptr, 0, 0);
    }
    draw_text(cr, s.label, x0 + 6 + key_width, cy, kTickFontSize, 0.0, 0.5);
  }
}

void draw_series(cairo_t* cr, const DataTransform& t, const Series& s) {
  const bool lines = s.style != Series::Style::kMarkers;
  const bool markers =
      s.style == Series::Style::kMarkers || s.style == Series::Style::kLineAndMarkers;
  set_color(cr, s.color, s.alpha);
  if (lines) {
    cairo_set_line_width(cr, s.line_width);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    if (s.style == Series::Style::kDashed) {
      const double dash[] = {4.0, 2.5};
      cairo_set_dash(cr, dash, 2, 0);
    }
    Polyline line;
    line.reserve(s.x.size());
    for (std::size_t k = 0; k < s.x.size(); ++k) {
      const bool ok = std::isfinite(s.x[k]) && std::isfinite(s.y[k]) && (!t.log_y || s.y[k] > 0);
      line.push_back(ok ? std::array<double, 2>{s.x[k], s.y[k]}
                        : std::array<double, 2>{std::numeric_limits<double>::quiet_NaN(), 0.0});
    }
    stroke_polyline(cr, t, line, false);
    cairo_set_dash(cr, nullptr, 0, 0);
  }
  if (markers) {
    for (std::size_t k = 0; k < s.x.size(); ++k) {
      if (!std::isfinite(s.x[k]) || !std::isfinite(s.y[k]) || (t.log_y && s.y[k] <= 0)) continue;
      const auto p = t.to_page(s.x[k], s.y[k]);
      cairo_new_sub_path(cr);
      cairo_arc(cr, p[0], p[1], s.marker_radius, 0, 2 * std::numbers::pi);
    }
    cairo_fill(cr);
  }
}

}  // namespace

void Figure::draw(void* context) const {
  auto* cr = static_cast<cairo_t*>(context);
  set_color(cr, kWhite);
  cairo_paint(cr);
  double top = kPageMargin;
  if (!title_.empty()) {
    const double size = fitting_size(cr, title_, 13.0, width_ - 2 * kPageMargin, true);
    draw_text(cr, title_, width_ / 2, top + kPageTitleHeight / 2, size, 0.5, 0.5, kBlack, 0.0,
              true);
    top += kPageTitleHeight;
  }
  if (!page_legend_.empty()) {
    // One row of keys, centred; the font shrinks (not below 5 pt) when the row is wider than the
    // page.
    double size = 9.0;
    const auto row_width = [&](double font) {
      double total = 0.0;
      for (const auto& key : page_legend_)
        total += text_width(cr, key.first, font, true) + 2.9 * font;
      return total;
    };
    const double available = width_ - 2 * kPageMargin;
    if (row_width(size) > available) size = std::max(5.0, size * available / row_width(size));
    double x = std::max(kPageMargin, 0.5 * (width_ - row_width(size)));
    const double cy = top + kPageLegendHeight / 2;
    for (const auto& [name, color] : page_legend_) {
      cairo_rectangle(cr, x, cy - 0.55 * size, 1.55 * size, 1.1 * size);
      set_color(cr, color);
      cairo_fill(cr);
      draw_text(cr, name, x + 2.0 * size, cy, size, 0.0, 0.5, color, 0.0, true);
      x += text_width(cr, name, size, true) + 2.9 * size;
    }
  }
  if (page_colorbar_) {
    const PageColorbar& cb = *page_colorbar_;
    const double bar_width = std::min(320.0, 0.5 * width_);
    const Rect bar{0.5 * (width_ - bar_width), height_ - kPageMargin - kPageColorbarHeight + 6,
                   bar_width, 10};
    draw_gradient_bar(cr, bar, cb.colormap, true);
    const auto ticks = nice_ticks(cb.value_min, cb.value_max, 5);
    const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 1.0;
    const double span = cb.value_max - cb.value_min;
    cairo_set_line_width(cr, 0.6);
    for (double v : ticks) {
      const double px = bar.x + (span > 0 ? (v - cb.value_min) / span : 0.5) * bar.width;
      set_color(cr, kAxisColor);
      cairo_move_to(cr, px, bar.y + bar.height);
      cairo_line_to(cr, px, bar.y + bar.height + 3);
      cairo_stroke(cr);
      draw_text(cr, tick_label(v, step), px, bar.y + bar.height + 4, kTickFontSize, 0.5, 0.0,
                kAxisColor);
    }
    draw_text(cr, cb.low_text, bar.x - 6, bar.y + bar.height / 2, kLabelFontSize, 1.0, 0.5);
    draw_text(cr, cb.high_text, bar.x + bar.width + 6, bar.y + bar.height / 2, kLabelFontSize, 0.0,
              0.5);
    draw_text(cr, cb.label, width_ / 2, bar.y + bar.height + 16,
              fitting_size(cr, cb.label, 9.0, width_ - 2 * kPageMargin), 0.5, 0.0);
  }

  for (const Panel& panel : panels_) {
    const Rect c = cell(panel.row, panel.col);
    const DataTransform t = layout(panel);
    if (panel.header.frame_color) {
      cairo_set_line_width(cr, 2.0);
      set_color(cr, *panel.header.frame_color);
      cairo_rectangle(cr, c.x + 1.5, c.y + 1.5, c.width - 3, c.height - 3);
      cairo_stroke(cr);
    }
    if (!panel.header.title.empty()) {
      const double size =
          fitting_size(cr, panel.header.title, kTitleFontSize, c.width - 2 * kCellPadding - 4);
      draw_text(cr, panel.header.title, c.x + c.width / 2,
                c.y + kCellPadding + kPanelTitleHeight / 2, size, 0.5, 0.5,
                panel.header.title_color);
    }

    if (const auto* heat = std::get_if<HeatmapPanel>(&panel.content)) {
      const HeatmapStyle& style = heat->style;
      double lo = style.value_min, hi = style.value_max;
      if (std::isnan(lo) || std::isnan(hi)) {
        const Eigen::ArrayXd values = heat->map.reshaped().array();
        double data_lo = std::numeric_limits<double>::infinity(), data_hi = -data_lo;
        for (double v : values) {
          if (!std::isfinite(v)) continue;
          data_lo = std::min(data_lo, v);
          data_hi = std::max(data_hi, v);
        }
        if (!(data_lo <= data_hi)) data_lo = data_hi = 0.0;
        if (std::isnan(lo)) lo = data_lo;
        if (std::isnan(hi)) hi = data_hi;
      }
      draw_heatmap_cells(cr, heat->map, t, style.colormap, lo, hi);
      cairo_set_line_join(cr, CAIRO_LINE_JOIN_MITER);
      cairo_set_line_width(cr, style.outline_width);
      set_color(cr, style.outline_color);
      for (const Polyline& outline : style.outlines) stroke_polyline(cr, t, outline, true);
      if (style.axes) draw_axes(cr, t, style.x_label, style.y_label, kHeatmapAxesLeft - 4);
      if (style.colorbar)
        draw_vertical_colorbar(cr, t.area, style.colormap, lo, hi, style.colorbar_label);
    } else if (const auto* plot = std::get_if<LinesPanel>(&panel.content)) {
      // Grid lines first, then walls and series clipped to the area, then the frame and axes.
      const Rect& a = t.area;
      cairo_set_line_width(cr, 0.5);
      set_color(cr, kGridColor);
      for (double v : y_axis_ticks(t)) {
        const double py =
            a.y + a.height - (v - t.extent.y_min) / (t.extent.y_max - t.extent.y_min) * a.height;
        cairo_move_to(cr, a.x, py);
        cairo_line_to(cr, a.x + a.width, py);
      }
      cairo_stroke(cr);
      cairo_save(cr);
      cairo_rectangle(cr, a.x, a.y, a.width, a.height);
      cairo_clip(cr);
      cairo_set_line_width(cr, 1.5);
      set_color(cr, kBlack);
      for (const Polyline& outline : plot->style.outlines) stroke_polyline(cr, t, outline, true);
      for (const Series& s : plot->series) draw_series(cr, t, s);
      cairo_restore(cr);
      cairo_set_line_width(cr, 0.7);
      set_color(cr, kAxisColor);
      cairo_rectangle(cr, a.x, a.y, a.width, a.height);
      cairo_stroke(cr);
      draw_axes(cr, t, plot->style.x_label, plot->style.y_label, kLinesLeft - 6);
      if (plot->style.legend) draw_legend(cr, t, plot->series);
    } else if (const auto* polar = std::get_if<PolarPanel>(&panel.content)) {
      const Rect& a = t.area;
      const double cx = a.x + a.width / 2, cy = a.y + a.height / 2, radius = a.width / 2;
      double r_max = 0.0;
      for (double r : polar->radii)
        if (std::isfinite(r)) r_max = std::max(r_max, r);
      // The outer circle is the curve's maximum; inner rings at nice values below it.
      const double r_outer = r_max > 0 ? r_max : 1.0;
      const auto rings = nice_ticks(0.0, r_outer, 3);
      const double scale = radius / r_outer;
      cairo_set_line_width(cr, 0.5);
      set_color(cr, kGridColor);
      for (double r : rings) {
        if (r <= 0 || r >= r_outer * 0.98) continue;
        cairo_new_sub_path(cr);
        cairo_arc(cr, cx, cy, r * scale, 0, 2 * std::numbers::pi);
      }
      for (int k = 0; k < 4; ++k) {
        const double angle = k * std::numbers::pi / 4;
        cairo_move_to(cr, cx - radius * std::cos(angle), cy + radius * std::sin(angle));
        cairo_line_to(cr, cx + radius * std::cos(angle), cy - radius * std::sin(angle));
      }
      cairo_stroke(cr);
      set_color(cr, kAxisColor);
      cairo_set_line_width(cr, 0.7);
      cairo_arc(cr, cx, cy, radius, 0, 2 * std::numbers::pi);
      cairo_stroke(cr);
      draw_text(cr, "0°", cx + radius + 2, cy, kTickFontSize, 0.0, 0.5, kAxisColor);
      draw_text(cr, "90°", cx, cy - radius - 1, kTickFontSize, 0.5, 1.0, kAxisColor);
      draw_text(cr, "180°", cx - radius - 2, cy, kTickFontSize, 1.0, 0.5, kAxisColor);
      draw_text(cr, "270°", cx, cy + radius + 1, kTickFontSize, 0.5, 0.0, kAxisColor);
      // The curve, closed, filled lightly.
      for (std::size_t k = 0; k < polar->angles.size(); ++k) {
        const double r = std::isfinite(polar->radii[k]) ? std::max(0.0, polar->radii[k]) : 0.0;
        const double px = cx + r * scale * std::cos(polar->angles[k]);
        const double py = cy - r * scale * std::sin(polar->angles[k]);
        if (k == 0) {
          cairo_move_to(cr, px, py);
        } else {
          cairo_line_to(cr, px, py);
        }
      }
      cairo_close_path(cr);
      set_color(cr, polar->style.color, 0.25);
      cairo_fill_preserve(cr);
      set_color(cr, polar->style.color);
      cairo_set_line_width(cr, 1.3);
      cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
      cairo_stroke(cr);
      if (polar->style.arrow_angle && std::isfinite(*polar->style.arrow_angle)) {
        const double angle = *polar->style.arrow_angle;
        const double tip_x = cx + 0.9 * radius * std::cos(angle);
        const double tip_y = cy - 0.9 * radius * std::sin(angle);
        set_color(cr, kBlack);
        cairo_set_line_width(cr, 1.2);
        cairo_move_to(cr, cx, cy);
        cairo_line_to(cr, tip_x, tip_y);
        cairo_stroke(cr);
        const double head = std::min(6.0, 0.2 * radius);
        for (double side : {-0.45, 0.45}) {
          cairo_move_to(cr, tip_x, tip_y);
          cairo_line_to(cr, tip_x - head * std::cos(angle + side),
                        tip_y + head * std::sin(angle + side));
        }
        cairo_stroke(cr);
      }
      const std::string ring_text =
          fmt::format("{} (outer circle {})", polar->style.radial_label,
                      r_max > 0 ? fmt::format("{:.2g}", r_max) : std::string("0"));
      const double size = fitting_size(cr, ring_text, kTickFontSize, c.width - 8);
      draw_text(cr, ring_text, cx, a.y + a.height + kPolarLabelMargin + 1, size, 0.5, 0.0,
                kAxisColor);
    } else if (const auto* table = std::get_if<TablePanel>(&panel.content)) {
      draw_table(cr, table->cells, table->style, t.area);
    } else if (const auto* text_panel = std::get_if<TextPanel>(&panel.content)) {
      double y = t.area.y + 4;
      for (const std::string& line : text_panel->lines) {
        const double size = fitting_size(cr, line, 9.0, t.area.width - 8);
        draw_text(cr, line, t.area.x + 4, y, size, 0.0, 0.0);
        y += 13;
      }
    }
  }
}

void Figure::save(const std::filesystem::path& path) const {
  std::string extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  release_cairo_caches_at_exit();
  std::string bytes;
  cairo_surface_t* surface = nullptr;
  if (extension == ".png") {
    surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32,
                                         static_cast<int>(std::ceil(width_ * pixels_per_point_)),
                                         static_cast<int>(std::ceil(height_ * pixels_per_point_)));
  } else if (extension == ".svg") {
    surface = cairo_svg_surface_create_for_stream(append_to_string, &bytes, width_, height_);
  } else if (extension == ".pdf") {
    surface = cairo_pdf_surface_create_for_stream(append_to_string, &bytes, width_, height_);
  } else {
    throw_user_error(
        "cannot write figure '{}': the extension '{}' is not a known format "
        "(use .png, .svg or .pdf)",
        path.string(), extension);
  }
  cairo_t* cr = cairo_create(surface);
  if (extension == ".png") cairo_scale(cr, pixels_per_point_, pixels_per_point_);
  draw(cr);
  const cairo_status_t drawn = cairo_status(cr);
  cairo_destroy(cr);
  cairo_status_t written = CAIRO_STATUS_SUCCESS;
  if (extension == ".png") {
    written = cairo_surface_write_to_png_stream(surface, append_to_string, &bytes);
  } else {
    cairo_surface_finish(surface);
    written = cairo_surface_status(surface);
  }
  cairo_surface_destroy(surface);
  GRIDRNN_ASSERT(drawn == CAIRO_STATUS_SUCCESS && written == CAIRO_STATUS_SUCCESS,
                 fmt::format("cairo failed drawing '{}': {} / {}", path.string(),
                             cairo_status_to_string(drawn), cairo_status_to_string(written)));
  io::write_file_atomic(path, bytes);
}

}  // namespace gridrnn::plot

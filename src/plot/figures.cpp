#include "gridrnn/plot/figures.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>

#include "gridrnn/core/error.hpp"

namespace gridrnn::plot {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPanelTitleAndPadding = 19.0;  // title band + cell padding (canvas layout)
constexpr Rgb kDecodedColor{0.85, 0.1, 0.1};
constexpr Rgb kStartColor{0.0, 0.6, 0.3};

// Rank of a class in class_order (first entry that is a prefix of the class), or the order's size.
std::size_t class_rank(const std::string& unit_class, const std::vector<std::string>& class_order) {
  for (std::size_t k = 0; k < class_order.size(); ++k)
    if (unit_class.starts_with(class_order[k])) return k;
  return class_order.size();
}

// A grid of about square shape for n panels: cols = ceil(sqrt(n)), rows = ceil(n / cols).
std::array<int, 2> grid_for(std::size_t count) {
  const int n = static_cast<int>(std::max<std::size_t>(count, 1));
  const int cols = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(n))));
  return {(n + cols - 1) / cols, cols};
}

// The page legend of the classes present, in page order.
std::vector<std::pair<std::string, Rgb>> class_legend(const std::vector<std::string>& classes,
                                                      const std::vector<std::size_t>& order,
                                                      const std::vector<std::string>& class_order) {
  std::vector<std::pair<std::string, Rgb>> keys;
  for (std::size_t index : order) {
    const std::string& name = classes[index];
    const bool seen =
        std::any_of(keys.begin(), keys.end(), [&](const auto& key) { return key.first == name; });
    if (!seen) keys.emplace_back(name, class_color(name, class_order));
  }
  return keys;
}

// Where each unit of a page goes, in page order.
struct UnitGrid {
  int rows = 1, cols = 1;
  std::vector<std::array<int, 2>> cells;  // (row, col) of the k-th unit in page order
};

// Each class starts on a new row, so the classes read as blocks; when that would make the page
// much taller (many small classes), the units simply flow row by row.
UnitGrid unit_grid(const std::vector<std::string>& classes, const std::vector<std::size_t>& order) {
  const auto [plain_rows, cols] = grid_for(order.size());
  UnitGrid grouped{1, cols, {}}, flowing{plain_rows, cols, {}};
  int row = 0, col = 0;
  for (std::size_t k = 0; k < order.size(); ++k) {
    if (k > 0 && (col == cols || classes[order[k]] != classes[order[k - 1]])) {
      ++row;
      col = 0;
    }
    grouped.cells.push_back({row, col++});
    const int position = static_cast<int>(k);
    flowing.cells.push_back({position / cols, position % cols});
  }
  grouped.rows = row + 1;
  return grouped.rows <= plain_rows + std::max(1, plain_rows / 2) ? grouped : flowing;
}

std::string unit_count_text(std::size_t count) {
  return count == 1 ? std::string("1 unit") : fmt::format("{} units", count);
}

// Cells are at least wide enough that a page is 360 points wide, so the title, the class keys
// and the colorbar label of a page with few units stay readable.
double unit_cell_width(const UnitGrid& grid, double requested) {
  return std::max(requested, 348.0 / grid.cols);
}

// A page of unit panels: rows x cols cells of cell_width x cell_height with title, class legend
// and an optional page colorbar.
Figure unit_page(const UnitGrid& grid, double cell_width, double cell_height,
                 const std::string& title, bool has_colorbar) {
  const auto size = Figure::page_size_for_cells(grid.rows, grid.cols, cell_width, cell_height, true,
                                                true, has_colorbar);
  Figure figure(size[0], size[1], grid.rows, grid.cols);
  figure.set_title(title);
  return figure;
}

PanelHeader unit_header(int unit, const std::string& unit_class, const std::string& detail,
                        const std::vector<std::string>& class_order) {
  const Rgb color = class_color(unit_class, class_order);
  std::string title = fmt::format("unit {} · {}", unit, unit_class);
  if (!detail.empty()) title += " · " + detail;
  return {title, color, color};
}

void write_empty_page(const std::filesystem::path& path, const std::string& title,
                      const std::string& message) {
  Figure figure(360, 120, 1, 1);
  figure.set_title(title);
  figure.text(0, 0, {}, {message});
  figure.save(path);
}

// Common body of the rate-map and autocorrelogram pages.
void write_map_page(const std::filesystem::path& path, const std::vector<UnitMap>& units,
                    const std::vector<Polyline>& outlines, const Extent& extent,
                    const UnitPageOptions& options, const std::string& title, bool per_unit_scale,
                    const std::string& colorbar_label, std::string low_text,
                    std::string high_text) {
  if (units.empty()) {
    write_empty_page(path, title, "no units to show");
    return;
  }
  std::vector<std::string> classes;
  std::vector<double> scores;
  for (const UnitMap& u : units) {
    GRIDRNN_ASSERT(u.map.rows() >= 1 && u.map.cols() >= 1,
                   fmt::format("unit {}: empty map", u.unit));
    classes.push_back(u.unit_class);
    scores.push_back(u.key_score);
  }
  const auto order = order_by_class(classes, scores, options.class_order);
  const UnitGrid grid = unit_grid(classes, order);
  const double aspect = (extent.x_max - extent.x_min) / (extent.y_max - extent.y_min);
  const double cell_width = unit_cell_width(grid, options.panel_width);
  const double cell_height = (cell_width - 6.0) / aspect + kPanelTitleAndPadding;
  Figure figure = unit_page(grid, cell_width, cell_height, title, true);
  figure.set_page_legend(class_legend(classes, order, options.class_order));
  for (std::size_t k = 0; k < order.size(); ++k) {
    const UnitMap& u = units[order[k]];
    HeatmapStyle style;
    style.colormap = options.colormap;
    style.outlines = outlines;
    if (!per_unit_scale) {
      style.value_min = -1.0;
      style.value_max = 1.0;
    }
    const std::string detail = std::isfinite(u.key_score) ? fmt::format("{:.2f}", u.key_score) : "";
    figure.heatmap(grid.cells[k][0], grid.cells[k][1],
                   unit_header(u.unit, u.unit_class, detail, options.class_order), u.map, extent,
                   std::move(style));
  }
  figure.set_page_colorbar(options.colormap, per_unit_scale ? 0.0 : -1.0, 1.0, colorbar_label,
                           std::move(low_text), std::move(high_text));
  figure.save(path);
}

}  // namespace

Rgb class_color(const std::string& unit_class, const std::vector<std::string>& class_order) {
  const std::size_t rank = class_rank(unit_class, class_order);
  return rank < class_order.size() ? category_color(static_cast<int>(rank)) : Rgb{0.45, 0.45, 0.45};
}

std::vector<std::size_t> order_by_class(const std::vector<std::string>& unit_classes,
                                        const std::vector<double>& key_scores,
                                        const std::vector<std::string>& class_order) {
  GRIDRNN_ASSERT(unit_classes.size() == key_scores.size());
  std::vector<std::size_t> order(unit_classes.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const std::size_t rank_a = class_rank(unit_classes[a], class_order);
    const std::size_t rank_b = class_rank(unit_classes[b], class_order);
    if (rank_a != rank_b) return rank_a < rank_b;
    if (unit_classes[a] != unit_classes[b]) return unit_classes[a] < unit_classes[b];
    const double score_a = key_scores[a], score_b = key_scores[b];
    if (std::isnan(score_a) != std::isnan(score_b)) return std::isnan(score_b);
    if (!std::isnan(score_a) && score_a != score_b) return score_a > score_b;
    return a < b;
  });
  return order;
}

std::string unit_title(int unit, const std::string& unit_class, double key_score) {
  if (std::isnan(key_score)) return fmt::format("unit {} · {}", unit, unit_class);
  return fmt::format("unit {} · {} · {:.2f}", unit, unit_class, key_score);
}

void write_rate_map_page(const std::filesystem::path& path, const std::vector<UnitMap>& units,
                         const Polyline& outline, const Extent& extent,
                         const UnitPageOptions& options) {
  const std::string title = options.title.empty() ? fmt::format("Rate maps of {}, ordered by class",
                                                                unit_count_text(units.size()))
                                                  : options.title;
  write_map_page(path, units, {outline}, extent, options, title, true,
                 "mean activity, each map scaled from its own min to its own max "
                 "(grey: bin never visited)",
                 "min", "max");
}

void write_autocorrelogram_page(const std::filesystem::path& path,
                                const std::vector<UnitMap>& units, const Extent& lag_extent,
                                const UnitPageOptions& options) {
  const std::string title = options.title.empty()
                                ? fmt::format("Spatial autocorrelograms of {} (title: grid score)",
                                              unit_count_text(units.size()))
                                : options.title;
  write_map_page(path, units, {}, lag_extent, options, title, false,
                 "Pearson correlation of the map with its shifted copy (grey: no overlap)", "", "");
}

void write_direction_page(const std::filesystem::path& path,
                          const std::vector<DirectionTuning>& units,
                          const UnitPageOptions& options) {
  const std::string title = options.title.empty()
                                ? fmt::format("Direction tuning of {} (arrow: preferred direction)",
                                              unit_count_text(units.size()))
                                : options.title;
  if (units.empty()) {
    write_empty_page(path, title, "no units to show");
    return;
  }
  std::vector<std::string> classes;
  std::vector<double> scores;
  for (const DirectionTuning& u : units) {
    GRIDRNN_ASSERT(!u.tuning.empty(), fmt::format("unit {}: empty direction tuning", u.unit));
    classes.push_back(u.unit_class);
    scores.push_back(u.mean_vector_length);
  }
  // Direction pages put the most direction-tuned units of each class first.
  const auto order = order_by_class(classes, scores, options.class_order);
  const UnitGrid grid = unit_grid(classes, order);
  const double cell_width = unit_cell_width(grid, options.panel_width);
  Figure figure = unit_page(grid, cell_width, cell_width + 14.0, title, false);
  figure.set_page_legend(class_legend(classes, order, options.class_order));
  for (std::size_t k = 0; k < order.size(); ++k) {
    const DirectionTuning& u = units[order[k]];
    const std::size_t bins = u.tuning.size();
    double minimum = std::numeric_limits<double>::infinity();
    for (double v : u.tuning)
      if (std::isfinite(v)) minimum = std::min(minimum, v);
    std::vector<double> angles(bins), radii(bins);
    for (std::size_t b = 0; b < bins; ++b) {
      angles[b] =
          (static_cast<double>(b) + 0.5) * 2.0 * std::numbers::pi / static_cast<double>(bins);
      radii[b] = std::isfinite(u.tuning[b]) ? u.tuning[b] - minimum : 0.0;
    }
    PolarStyle style;
    style.color = class_color(u.unit_class, options.class_order);
    style.radial_label = "activity − min";
    if (std::isfinite(u.preferred_direction)) style.arrow_angle = u.preferred_direction;
    const std::string detail =
        std::isfinite(u.mean_vector_length) ? fmt::format("MVL {:.2f}", u.mean_vector_length) : "";
    figure.polar(grid.cells[k][0], grid.cells[k][1],
                 unit_header(u.unit, u.unit_class, detail, options.class_order), std::move(angles),
                 std::move(radii), std::move(style));
  }
  figure.save(path);
}

void write_speed_page(const std::filesystem::path& path, const std::vector<SpeedTuning>& units,
                      const SpeedPageOptions& options) {
  const std::string title =
      options.title.empty()
          ? fmt::format("Speed tuning of {} (title: Pearson r of activity and speed)",
                        unit_count_text(units.size()))
          : options.title;
  if (units.empty()) {
    write_empty_page(path, title, "no units to show");
    return;
  }
  GRIDRNN_ASSERT(options.speed_bins >= 1);
  std::vector<std::string> classes;
  std::vector<double> scores;
  for (const SpeedTuning& u : units) {
    GRIDRNN_ASSERT(u.speed.size() == u.activity.size(),
                   fmt::format("unit {}: {} speeds but {} activities", u.unit, u.speed.size(),
                               u.activity.size()));
    classes.push_back(u.unit_class);
    scores.push_back(std::abs(u.pearson_r));
  }
  const auto order = order_by_class(classes, scores, options.class_order);
  const UnitGrid grid = unit_grid(classes, order);
  const double cell_width = unit_cell_width(grid, std::max(options.panel_width, 150.0));
  Figure figure = unit_page(grid, cell_width, 0.85 * cell_width, title, false);
  // The page legend names the classes; the glyphs are described in the title band's subtitle.
  auto legend = class_legend(classes, order, options.class_order);
  legend.emplace_back("dots: samples · line: binned mean · dashed: linear fit", kBlack);
  figure.set_page_legend(std::move(legend));
  for (std::size_t k = 0; k < order.size(); ++k) {
    const SpeedTuning& u = units[order[k]];
    const Rgb color = class_color(u.unit_class, options.class_order);
    const std::size_t n = u.speed.size();
    // At most 400 evenly strided samples keep the page light; the binned mean uses them all.
    const std::size_t stride = std::max<std::size_t>(1, (n + 399) / 400);
    Series samples{"", {}, {}, color, Series::Style::kMarkers, 1.0, 1.0, 0.35};
    double speed_lo = std::numeric_limits<double>::infinity(), speed_hi = -speed_lo;
    for (std::size_t s = 0; s < n; ++s) {
      if (!std::isfinite(u.speed[s]) || !std::isfinite(u.activity[s])) continue;
      speed_lo = std::min(speed_lo, u.speed[s]);
      speed_hi = std::max(speed_hi, u.speed[s]);
      if (s % stride == 0) {
        samples.x.push_back(u.speed[s]);
        samples.y.push_back(u.activity[s]);
      }
    }
    std::vector<Series> series{samples};
    if (speed_lo < speed_hi) {
      const int bins = options.speed_bins;
      std::vector<double> sum(bins, 0.0), count(bins, 0.0);
      const double width = (speed_hi - speed_lo) / bins;
      for (std::size_t s = 0; s < n; ++s) {
        if (!std::isfinite(u.speed[s]) || !std::isfinite(u.activity[s])) continue;
        const int b = std::min(bins - 1, static_cast<int>((u.speed[s] - speed_lo) / width));
        sum[b] += u.activity[s];
        count[b] += 1.0;
      }
      Series binned{"", {}, {}, kBlack, Series::Style::kLineAndMarkers, 1.4, 1.8, 1.0};
      for (int b = 0; b < bins; ++b) {
        if (count[b] == 0.0) continue;
        binned.x.push_back(speed_lo + (b + 0.5) * width);
        binned.y.push_back(sum[b] / count[b]);
      }
      series.push_back(std::move(binned));
      if (std::isfinite(u.slope) && std::isfinite(u.intercept)) {
        series.push_back(
            Series{"",
                   {speed_lo, speed_hi},
                   {u.intercept + u.slope * speed_lo, u.intercept + u.slope * speed_hi},
                   Rgb{0.8, 0.1, 0.1},
                   Series::Style::kDashed,
                   1.3,
                   0.0,
                   1.0});
      }
    }
    AxesStyle style;
    style.x_label = options.speed_label;
    style.y_label = "activity";
    style.legend = false;
    const std::string detail =
        std::isfinite(u.pearson_r) ? fmt::format("r = {:.2f}", u.pearson_r) : "";
    figure.lines(grid.cells[k][0], grid.cells[k][1],
                 unit_header(u.unit, u.unit_class, detail, options.class_order), std::move(series),
                 std::move(style));
  }
  figure.save(path);
}

void write_training_curves(const std::filesystem::path& path, const TrainingCurves& curves,
                           const std::string& title) {
  struct PanelSpec {
    const std::vector<Curve>* curves;
    std::string title, y_label;
    bool log_if_positive;
    Series::Style style;
  };
  const auto has_data = [](const std::vector<Curve>& list) {
    return std::any_of(list.begin(), list.end(), [](const Curve& c) { return !c.value.empty(); });
  };
  std::vector<PanelSpec> specs;
  if (has_data(curves.loss_terms))
    specs.push_back({&curves.loss_terms, "Loss terms", "loss", true, Series::Style::kLine});
  if (has_data(curves.position_error))
    specs.push_back({&curves.position_error, "Position error", curves.position_error_label, true,
                     Series::Style::kLine});
  if (has_data(curves.hf_lambda))
    specs.push_back(
        {&curves.hf_lambda, "Hessian-free damping λ", "λ", true, Series::Style::kLineAndMarkers});
  if (has_data(curves.cg_iterations))
    specs.push_back({&curves.cg_iterations, "CG iterations per update", "CG iterations", false,
                     Series::Style::kLineAndMarkers});
  if (specs.empty()) {
    write_empty_page(path, title, "no training curves recorded");
    return;
  }
  const int cols = specs.size() == 1 ? 1 : 2;
  const int rows = static_cast<int>((specs.size() + 1) / 2);
  const auto size = Figure::page_size_for_cells(rows, cols, 380, 260, true, false, false);
  Figure figure(size[0], size[1], rows, cols);
  figure.set_title(title);
  for (std::size_t k = 0; k < specs.size(); ++k) {
    const PanelSpec& spec = specs[k];
    std::vector<Series> series;
    bool all_positive = true;
    double lo = std::numeric_limits<double>::infinity(), hi = 0.0;
    for (std::size_t c = 0; c < spec.curves->size(); ++c) {
      const Curve& curve = (*spec.curves)[c];
      GRIDRNN_ASSERT(curve.update.size() == curve.value.size(), curve.label);
      for (double v : curve.value) {
        if (!std::isfinite(v)) continue;
        if (v <= 0.0) all_positive = false;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
      // Markers only while they stay apart; a long run reads better as a plain line.
      const Series::Style style = curve.value.size() <= 60 ? spec.style : Series::Style::kLine;
      Series s{curve.label, curve.update, curve.value, category_color(static_cast<int>(c)),
               style,       1.4,          1.6,         1.0};
      series.push_back(std::move(s));
    }
    AxesStyle style;
    style.x_label = "update";
    style.y_label = spec.y_label;
    // Log scale when the values are positive and span more than a factor of 10.
    style.log_y = spec.log_if_positive && all_positive && lo > 0.0 && hi / lo > 10.0;
    if (style.log_y) style.y_label += " (log scale)";
    figure.lines(static_cast<int>(k) / cols, static_cast<int>(k) % cols, {spec.title},
                 std::move(series), std::move(style));
  }
  figure.save(path);
}

void write_paths_figure(const std::filesystem::path& path, const Polyline& outline,
                        const std::vector<Polyline>& sample_paths, const Eigen::MatrixXd& occupancy,
                        const Extent& extent, const std::string& title) {
  const double aspect = (extent.x_max - extent.x_min) / (extent.y_max - extent.y_min);
  const double cell_width = 330.0;
  const double cell_height = std::clamp((cell_width - 110.0) / aspect + 50.0, 160.0, 600.0);
  const auto size = Figure::page_size_for_cells(1, 2, cell_width, cell_height, true, false, false);
  Figure figure(size[0], size[1], 1, 2);
  figure.set_title(title);
  std::vector<Series> series;
  for (std::size_t k = 0; k < sample_paths.size(); ++k) {
    Series s;
    s.color = category_color(static_cast<int>(k));
    s.line_width = 1.0;
    for (const auto& p : sample_paths[k]) {
      s.x.push_back(p[0]);
      s.y.push_back(p[1]);
    }
    series.push_back(std::move(s));
  }
  AxesStyle axes;
  axes.x_label = "x";
  axes.y_label = "y";
  axes.equal_aspect = true;
  // A little room around the extent so walls on its edge are not hidden by the frame.
  const double pad = 0.03 * std::max(extent.x_max - extent.x_min, extent.y_max - extent.y_min);
  axes.x_range = std::array<double, 2>{extent.x_min - pad, extent.x_max + pad};
  axes.y_range = std::array<double, 2>{extent.y_min - pad, extent.y_max + pad};
  axes.outlines = {outline};
  figure.lines(0, 0, {fmt::format("{} sample paths", sample_paths.size())}, std::move(series),
               std::move(axes));
  HeatmapStyle heat;
  heat.colormap = Colormap::kViridis;
  heat.outlines = {outline};
  heat.colorbar = true;
  heat.colorbar_label = "fraction of time in bin";
  heat.axes = true;
  figure.heatmap(0, 1, {"Occupancy (grey: never visited)"}, occupancy, extent, std::move(heat));
  figure.save(path);
}

void write_decoded_paths_figure(const std::filesystem::path& path, const Polyline& outline,
                                const std::vector<DecodedPath>& paths, const std::string& title) {
  if (paths.empty()) {
    write_empty_page(path, title, "no paths to show");
    return;
  }
  const std::size_t shown = std::min<std::size_t>(paths.size(), 6);
  const int cols = static_cast<int>(std::min<std::size_t>(shown, 3));
  const int rows = static_cast<int>((shown + 2) / 3);
  const auto size_with_legend =
      Figure::page_size_for_cells(rows, cols, 260, 250, true, true, false);
  Figure figure(size_with_legend[0], size_with_legend[1], rows, cols);
  figure.set_title(title);
  figure.set_page_legend(
      {{"true path", kBlack}, {"decoded (dashed)", kDecodedColor}, {"start", kStartColor}});
  for (std::size_t k = 0; k < shown; ++k) {
    const DecodedPath& p = paths[k];
    GRIDRNN_ASSERT(
        p.truth.size() == p.decoded.size(),
        fmt::format("path {}: {} true points but {} decoded", k, p.truth.size(), p.decoded.size()));
    Series truth{"true", {}, {}, kBlack, Series::Style::kLine, 1.4, 0.0, 1.0};
    Series decoded{"decoded", {}, {}, kDecodedColor, Series::Style::kDashed, 1.2, 0.0, 1.0};
    double squared_error = 0.0;
    for (std::size_t s = 0; s < p.truth.size(); ++s) {
      truth.x.push_back(p.truth[s][0]);
      truth.y.push_back(p.truth[s][1]);
      decoded.x.push_back(p.decoded[s][0]);
      decoded.y.push_back(p.decoded[s][1]);
      squared_error += std::pow(p.truth[s][0] - p.decoded[s][0], 2) +
                       std::pow(p.truth[s][1] - p.decoded[s][1], 2);
    }
    std::vector<Series> series{std::move(truth), std::move(decoded)};
    if (!p.truth.empty()) {
      series.push_back(Series{"start",
                              {p.truth[0][0]},
                              {p.truth[0][1]},
                              kStartColor,
                              Series::Style::kMarkers,
                              1.0,
                              3.5,
                              1.0});
    }
    AxesStyle axes;
    axes.x_label = "x";
    axes.y_label = "y";
    axes.equal_aspect = true;
    axes.outlines = {outline};
    axes.legend = false;  // the page legend names the three glyphs
    const double rms =
        p.truth.empty() ? kNaN : std::sqrt(squared_error / static_cast<double>(p.truth.size()));
    figure.lines(static_cast<int>(k) / cols, static_cast<int>(k) % cols,
                 {fmt::format("path {} · RMS error {:.3f}", k, rms)}, std::move(series),
                 std::move(axes));
  }
  figure.save(path);
}

// ---- sweeps ----------------------------------------------------------------------------------

void write_condition_table(const std::filesystem::path& path, const ConditionTable& table) {
  const auto rows = static_cast<int>(table.conditions.size()), cols = static_cast<int>(table.columns.size());
  GRIDRNN_ASSERT(table.shares.rows() == rows && table.shares.cols() == cols, "condition table size");
  constexpr double kRowHeight = 13.0, kColumnWidth = 44.0, kLabelWidth = 190.0, kHeader = 16.0 + 13.0 + 6.0 + 2.0;
  const auto page = Figure::page_size_for_cells(1, 1, kLabelWidth + cols * kColumnWidth + 8.0,
                                                kHeader + rows * kRowHeight, true, false, true);
  Figure figure(std::max(page[0], 420.0), page[1], 1, 1);
  figure.set_title(table.title);
  TableCells cells{table.shares, table.counts, table.above_chance, table.conditions, table.columns};
  TableStyle style;
  style.row_label_width = kLabelWidth;
  style.column_group = table.column_group;
  figure.table(0, 0, PanelHeader(fmt::format("rows: {}", table.rows_are)), std::move(cells), style);
  figure.set_page_colorbar(Colormap::kViridis, 0.0, 1.0, "share of the network's units in the class (cell: units)");
  figure.save(path);
}

}  // namespace gridrnn::plot

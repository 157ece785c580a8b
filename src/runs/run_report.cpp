#include "gridrnn/runs/run_report.hpp"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <numbers>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "gridrnn/analysis/population.hpp"
#include "gridrnn/core/error.hpp"
#include "gridrnn/io/files.hpp"
#include "gridrnn/io/npy.hpp"
#include "gridrnn/plot/run_figures.hpp"

namespace gridrnn::runs {
namespace fs = std::filesystem;
using nlohmann::json;

analysis::ArenaGeometry arena_geometry(const arena::Arena& arena) {
  if (arena.is_circle()) {
    return analysis::ArenaGeometry::circle(arena.centre().x, arena.centre().y, arena.radius());
  }
  std::vector<std::array<double, 2>> vertices;
  for (const arena::Point& p : arena.vertices()) vertices.push_back({p.x, p.y});
  return analysis::ArenaGeometry::polygon(vertices);
}

plot::Polyline arena_outline(const arena::Arena& arena) {
  plot::Polyline outline;
  for (const arena::Point& p : arena.outline()) outline.push_back({p.x, p.y});
  return outline;
}

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The score that defines each class (title of its panels), as named in units.csv.
std::string key_score_column(const std::string& unit_class) {
  static const std::map<std::string, std::string> columns = {
      {"grid_hexagonal", "grid_score_60"}, {"grid_square", "grid_score_90"},
      {"border", "border_score"},          {"band", "band_score"},
      {"ramp", "planar_r2"},
      {"direction", "direction_mvl"},      {"speed_only", "speed_r"}};
  const auto it = columns.find(unit_class);
  return it == columns.end() ? "" : it->second;
}

// units.csv: header row, one row per unit; numbers or "nan".
struct UnitsTable {
  std::vector<std::string> classes;
  std::map<std::string, std::vector<double>> columns;
  const std::vector<double>& column(const fs::path& file, const std::string& name) const {
    const auto it = columns.find(name);
    if (it == columns.end()) throw_user_error("'{}' has no column '{}'", file.string(), name);
    return it->second;
  }
};

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream stream(line);
  std::string cell;
  while (std::getline(stream, cell, ',')) cells.push_back(cell);
  if (!line.empty() && line.back() == ',') cells.emplace_back();
  return cells;
}

UnitsTable read_units_csv(const fs::path& file) {
  if (!fs::exists(file)) throw_user_error("'{}' is missing: run `gridrnn analyze` first", file.string());
  std::stringstream text(io::read_file(file));
  std::string line;
  std::getline(text, line);
  const std::vector<std::string> header = split_csv(line);
  if (header.size() < 2 || header[0] != "unit" || header[1] != "class") {
    throw_user_error("'{}' does not start with the header 'unit,class,...' of units.csv", file.string());
  }
  UnitsTable table;
  std::size_t row = 1;
  while (std::getline(text, line)) {
    ++row;
    if (line.empty()) continue;
    const std::vector<std::string> cells = split_csv(line);
    if (cells.size() != header.size()) {
      throw_user_error("'{}' line {} has {} values; expected {} (one per header column)", file.string(),
                       row, cells.size(), header.size());
    }
    table.classes.push_back(cells[1]);
    for (std::size_t c = 2; c < header.size(); ++c) {
      char* end = nullptr;
      const double v = std::strtod(cells[c].c_str(), &end);
      if (cells[c].empty() || *end != '\0') {
        throw_user_error("'{}' line {} column '{}': '{}' is not a number", file.string(), row, header[c],
                         cells[c]);
      }
      table.columns[header[c]].push_back(v);
    }
  }
  return table;
}

json read_json_file(const fs::path& file) {
  if (!fs::exists(file)) throw_user_error("'{}' is missing: run `gridrnn analyze` first", file.string());
  try {
    return json::parse(io::read_file(file));
  } catch (const json::exception& e) {
    throw_user_error("'{}' is not valid JSON: {}", file.string(), e.what());
  }
}

double json_double(const json& j) { return j.is_number() ? j.get<double>() : kNaN; }

io::NpyArray read_array(const fs::path& file, const std::vector<std::size_t>& expected,
                        const std::string& meaning) {
  if (!fs::exists(file)) throw_user_error("'{}' is missing: run `gridrnn analyze` first", file.string());
  io::NpyArray array = io::read_npy(file);
  bool ok = array.shape.size() == expected.size();
  for (std::size_t k = 0; ok && k < expected.size(); ++k) ok = expected[k] == 0 || expected[k] == array.shape[k];
  if (!ok) {
    std::vector<std::string> dims;
    for (std::size_t d : expected) dims.push_back(d == 0 ? "any" : std::to_string(d));
    throw_user_error("'{}' has shape {}; expected ({}): {}", file.string(), io::shape_string(array.shape),
                     fmt::join(dims, ", "), meaning);
  }
  return array;
}

std::vector<plot::UnitMap> unit_maps(const io::NpyArray& array, const std::vector<std::string>& classes,
                                     const std::vector<double>& key_scores) {
  const std::size_t N = array.shape[0], bx = array.shape[1], by = array.shape[2];
  std::vector<plot::UnitMap> maps(N);
  for (std::size_t n = 0; n < N; ++n) {
    maps[n].unit = static_cast<int>(n);
    maps[n].unit_class = classes[n];
    maps[n].key_score = key_scores[n];
    maps[n].map.resize(static_cast<Eigen::Index>(bx), static_cast<Eigen::Index>(by));
    for (std::size_t i = 0; i < bx; ++i)
      for (std::size_t j = 0; j < by; ++j)
        maps[n].map(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = array.values[(n * bx + i) * by + j];
  }
  return maps;
}

struct TrainingLog {
  plot::TrainingCurves curves;
  double seconds = 0;  // sum of the per-update seconds
  std::vector<std::pair<std::string, std::string>> summary;
};

std::string number_text(double v) { return std::isfinite(v) ? fmt::format("{:.4g}", v) : "n/a"; }

// metrics.jsonl: one JSON object per update (train/trainer.hpp). Missing file = no curves.
TrainingLog read_training_log(const fs::path& file) {
  TrainingLog log;
  if (!fs::exists(file)) {
    log.summary.emplace_back("training", "no metrics.jsonl in the run folder");
    return log;
  }
  plot::Curve loss{"total loss", {}, {}}, error{"error E", {}, {}}, l2{"R_L2 (unweighted)", {}, {}},
      rate{"R_FR (unweighted)", {}, {}};
  plot::Curve train_rms{"train (minibatch)", {}, {}}, validation{"validation", {}, {}},
      baseline{"baseline (arena centre)", {}, {}}, lambda{"lambda", {}, {}}, cg{"CG iterations", {}, {}};
  auto add = [](plot::Curve& curve, double update, const json& line, const char* key) {
    if (line.contains(key) && line[key].is_number()) {
      curve.update.push_back(update);
      curve.value.push_back(line[key].get<double>());
    }
  };
  std::stringstream text(io::read_file(file));
  std::string line_text;
  json last, last_validation;
  double& seconds = log.seconds;
  std::size_t row = 0;
  while (std::getline(text, line_text)) {
    ++row;
    if (line_text.empty()) continue;
    json line;
    try {
      line = json::parse(line_text);
    } catch (const json::exception& e) {
      throw_user_error("'{}' line {} is not valid JSON: {}", file.string(), row, e.what());
    }
    const double update = json_double(line.value("update", json()));
    add(loss, update, line, "loss");
    add(error, update, line, "error");
    add(l2, update, line, "l2");
    add(rate, update, line, "firing_rate");
    add(train_rms, update, line, "position_rms");
    add(validation, update, line, "validation_position_rms");
    add(baseline, update, line, "baseline_position_rms");
    add(lambda, update, line, "lambda");
    add(cg, update, line, "cg_iterations");
    seconds += json_double(line.value("seconds", json(0.0)));
    if (line.contains("validation_position_rms")) last_validation = line;
    last = line;
  }
  log.curves.loss_terms = {loss, error, l2, rate};
  log.curves.position_error = {train_rms, validation, baseline};
  if (!lambda.value.empty()) log.curves.hf_lambda = {lambda};
  if (!cg.value.empty()) log.curves.cg_iterations = {cg};
  if (last.is_null()) {
    log.summary.emplace_back("training", "metrics.jsonl is empty (no update done)");
    return log;
  }
  log.summary.emplace_back("updates", fmt::format("{}", last.value("update", 0)));
  log.summary.emplace_back("optimizer", last.value("optimizer", std::string("?")));
  log.summary.emplace_back("final loss", number_text(json_double(last.value("loss_after", last.value("loss", json())))));
  log.summary.emplace_back("final minibatch position RMS", number_text(json_double(last.value("position_rms", json()))));
  if (!last_validation.is_null()) {
    log.summary.emplace_back(
        fmt::format("validation position RMS (update {})", last_validation.value("update", 0)),
        fmt::format("{} (baseline: always answering the arena centre, {})",
                    number_text(json_double(last_validation["validation_position_rms"])),
                    number_text(json_double(last_validation.value("baseline_position_rms", json())))));
  }
  log.summary.emplace_back("training time", fmt::format("{:.1f} s", seconds));
  return log;
}

}  // namespace

double training_seconds(const fs::path& run_dir) { return read_training_log(run_dir / "metrics.jsonl").seconds; }

DrawnRun draw_run(const fs::path& run_dir, const fs::path& analysis_dir, const fs::path& out_dir,
                  const RunConfig& config) {
  const fs::path units_file = analysis_dir / "units.csv";
  const UnitsTable units = read_units_csv(units_file);
  const std::size_t N = units.classes.size();
  if (N == 0) throw_user_error("'{}' lists no unit", units_file.string());
  const json summary = read_json_file(analysis_dir / "analysis.json");
  if (summary.value("units", json(0)) != json(N)) {
    throw_user_error("'{}' says {} units but '{}' lists {}", (analysis_dir / "analysis.json").string(),
                     summary.value("units", json(0)).dump(), units_file.string(), N);
  }
  const io::NpyArray rate_maps =
      read_array(analysis_dir / "rate_maps.npy", {N, 0, 0}, "one rate map (bins, bins) per unit of units.csv");
  const std::size_t bins_x = rate_maps.shape[1], bins_y = rate_maps.shape[2];
  const io::NpyArray sacs = read_array(analysis_dir / "autocorr.npy", {N, 2 * bins_x - 1, 2 * bins_y - 1},
                                       "one autocorrelogram (2 bins - 1, 2 bins - 1) per unit");
  for (const double v : rate_maps.values) {
    if (std::isinf(v)) throw_user_error("'{}' holds an infinite value (NaN marks unvisited bins)",
                                        (analysis_dir / "rate_maps.npy").string());
  }

  std::vector<double> key_scores(N, kNaN);
  for (std::size_t n = 0; n < N; ++n) {
    const std::string column = key_score_column(units.classes[n]);
    if (!column.empty()) key_scores[n] = units.column(units_file, column)[n];
  }

  plot::RunPlotData data;
  data.outline = arena_outline(config.experiment.arena);
  const analysis::MapExtent e = arena_geometry(config.experiment.arena).extent;
  data.extent = {e.xmin, e.xmax, e.ymin, e.ymax};
  data.rate_maps = unit_maps(rate_maps, units.classes, key_scores);
  data.autocorrelograms = unit_maps(sacs, units.classes, key_scores);
  // SAC pixel k is the lag k - (bins - 1) bins; its edges lie half a bin further out.
  const double wx = e.bin_width_x(static_cast<int>(bins_x)), wy = e.bin_width_y(static_cast<int>(bins_y));
  const double half_x = (static_cast<double>(bins_x) - 0.5) * wx, half_y = (static_cast<double>(bins_y) - 0.5) * wy;
  data.autocorrelogram_extent = {-half_x, half_x, -half_y, half_y};

  const io::NpyArray direction = read_array(analysis_dir / kDirectionTuningFile, {N, 0},
                                            "mean activity per heading bin, one row per unit");
  const std::vector<double>& mvl = units.column(units_file, "direction_mvl");
  const std::vector<double>& preferred = units.column(units_file, "preferred_direction_deg");
  const std::size_t heading_bins = direction.shape[1];
  for (std::size_t n = 0; n < N; ++n) {
    plot::DirectionTuning d;
    d.unit = static_cast<int>(n);
    d.unit_class = units.classes[n];
    d.tuning.assign(direction.values.begin() + static_cast<std::ptrdiff_t>(n * heading_bins),
                    direction.values.begin() + static_cast<std::ptrdiff_t>((n + 1) * heading_bins));
    d.mean_vector_length = mvl[n];
    d.preferred_direction = preferred[n] * std::numbers::pi / 180.0;
    data.direction.push_back(std::move(d));
  }

  const io::NpyArray speed_fit = read_array(analysis_dir / kSpeedTuningFile, {N, 3},
                                            "per unit: Pearson r, slope and intercept of activity vs speed");
  const io::NpyArray speed_samples = read_array(analysis_dir / kSpeedSamplesFile, {0, N + 1},
                                                "per sample: speed, then the N activities");
  const std::size_t K = speed_samples.shape[0];
  for (std::size_t n = 0; n < N; ++n) {
    plot::SpeedTuning s;
    s.unit = static_cast<int>(n);
    s.unit_class = units.classes[n];
    for (std::size_t k = 0; k < K; ++k) {
      s.speed.push_back(speed_samples.values[k * (N + 1)]);
      s.activity.push_back(speed_samples.values[k * (N + 1) + 1 + n]);
    }
    s.pearson_r = speed_fit.values[n * 3];
    s.slope = speed_fit.values[n * 3 + 1];
    s.intercept = speed_fit.values[n * 3 + 2];
    data.speed.push_back(std::move(s));
  }

  const io::NpyArray decoded = read_array(analysis_dir / kDecodedPathsFile, {0, 0, 4},
                                          "per path and step: true x, y, decoded x, y");
  for (std::size_t p = 0; p < decoded.shape[0]; ++p) {
    plot::DecodedPath path;
    const std::size_t T = decoded.shape[1];
    for (std::size_t t = 0; t < T; ++t) {
      const double* v = &decoded.values[(p * T + t) * 4];
      path.truth.push_back({v[0], v[1]});
      path.decoded.push_back({v[2], v[3]});
    }
    data.decoded_paths.push_back(std::move(path));
  }

  TrainingLog training = read_training_log(run_dir / "metrics.jsonl");
  data.training = training.curves;

  const std::vector<plot::ReportFigure> figures = plot::write_run_figures(out_dir / "figures", data);

  plot::ReportContent report;
  report.title = fmt::format("gridrnn run: {} ({} arena, {} units)", fs::absolute(run_dir).filename().string(),
                             config.experiment.arena.name(), N);
  report.config_toml = config.toml;
  report.training_summary = training.summary;
  const fs::path evaluation_file = analysis_dir / kEvaluationFile;
  if (fs::exists(evaluation_file)) {
    const json ev = read_json_file(evaluation_file);
    report.training_summary.emplace_back(
        "evaluation position RMS",
        fmt::format("{} on {} paths x {} steps (training paths: {} steps; baseline {}; unit noise SD {})",
                    number_text(json_double(ev.value("position_rms", json()))), ev.value("trials", 0),
                    ev.value("steps", 0), config.experiment.task.steps,
                    number_text(json_double(ev.value("baseline_rms", json()))),
                    number_text(json_double(ev.value("noise_sd", json())))));
  }
  const json settings = summary.value("settings", json::object());
  report.training_summary.emplace_back(
      "analysis", fmt::format("{} samples; {} shuffles per unit; thresholds at the {}th percentile of the "
                              "pooled shuffles; grid convention {}",
                              summary.value("samples", json(0)).dump(), settings.value("shuffles", json(0)).dump(),
                              number_text(json_double(settings.value("percentile", json()))),
                              settings.value("convention", std::string("?"))));

  // Counts per class with the rule that puts a unit there.
  const json counts = summary.value("counts", json::object());
  const json distinct = summary.value("distinct_maps", json::object());  // absent before 2026-12
  const json thresholds = summary.value("thresholds", json::object());
  auto threshold = [&](const char* score) { return number_text(json_double(thresholds.value(score, json()))); };
  const std::map<std::string, std::string> rules = {
      {"grid_hexagonal", fmt::format("grid_score_60 > {} (and band_score < {})", threshold("grid_score_60"),
                                     analysis::kBandDominance)},
      {"grid_square", fmt::format("grid_score_90 > {} (and band_score < {})", threshold("grid_score_90"),
                                  analysis::kBandDominance)},
      {"border", fmt::format("border_score > {} and > 0 (and planar_r2 < band_score)", threshold("border_score"))},
      {"band", fmt::format("band_score > {} (and planar_r2 < band_score)", threshold("band_score"))},
      {"ramp", fmt::format("band_score > {} and planar_r2 >= band_score (a plane fits as well)", threshold("band_score"))},
      {"direction", fmt::format("direction_mvl > {}", threshold("direction_mvl"))},
      {"speed_only", fmt::format("|speed_r| > {}", threshold("speed_abs_r"))},
      {"irregular", "none of the above"}};
  report.class_table_header = {"class", "units", "rule (first match in this order)"};
  DrawnRun drawn;
  drawn.units = N;
  for (analysis::UnitClass c : analysis::kUnitClasses) {
    const std::string name = analysis::to_string(c);
    const std::string count = counts.value(name, json(0)).dump();
    // A class whose units share maps says how many different maps they have.
    std::string maps;
    if (distinct.contains(name) && distinct[name] != counts.value(name, json(0)))
      maps = fmt::format(" ({} different {})", distinct[name].dump(), distinct[name] == 1 ? "map" : "maps");
    report.class_table_rows.push_back({name, count + maps, rules.at(name)});
    drawn.class_lines.push_back(fmt::format("  {:<15} {:>4}{}   {}", name, count, maps, rules.at(name)));
  }
  report.figures = figures;
  plot::write_report_html(out_dir / "report.html", report);
  return drawn;
}

}  // namespace gridrnn::runs

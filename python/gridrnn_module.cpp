// `import gridrnn`: the library's scores, rate maps and path simulation on numpy arrays, and runs
// (simulate, train, resume, predict, analyze, read a run folder). Bindings only: every number and
// file comes from the same library functions as the `gridrnn` command (docs/python.md). Arrays in:
// float32 or float64 (converted to float64), NaN = unvisited bin. A gridrnn UserError becomes
// ValueError with the same message; long calls release the GIL, and Ctrl-C during train/resume
// stops at the next update with a checkpoint written (KeyboardInterrupt; the run resumes).
#include <array>
#include <cmath>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <memory>
#include <span>
#include <sstream>
#include <string>
#include <initializer_list>
#include <tuple>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "gridrnn/analysis/map_scores.hpp"
#include "gridrnn/analysis/population.hpp"
#include "gridrnn/arena/arena.hpp"
#include "gridrnn/core/error.hpp"
#include "gridrnn/core/threads.hpp"
#include "gridrnn/dist/mpi.hpp"
#include "gridrnn/io/config.hpp"
#include "gridrnn/io/files.hpp"
#include "gridrnn/io/npy.hpp"
#include "gridrnn/runs/predict.hpp"
#include "gridrnn/runs/run_analysis.hpp"
#include "gridrnn/runs/simulate.hpp"
#include "gridrnn/runs/training_job.hpp"
#include "gridrnn/train/trainer.hpp"
#include "gridrnn/trajectory/simulation.hpp"

namespace py = pybind11;
using namespace gridrnn;

namespace {

using DoubleArray = py::array_t<double, py::array::c_style | py::array::forcecast>;

analysis::MapExtent to_extent(const std::array<double, 4>& e) {
  const analysis::MapExtent extent{e[0], e[1], e[2], e[3]};
  extent.validate();
  return extent;
}

analysis::MapScoreOptions score_options(const std::string& convention, const std::string& variant,
                                        const std::string& border_convention,
                                        const std::array<double, 4>& extent) {
  analysis::MapScoreOptions options;
  options.convention = analysis::parse_grid_convention(convention);
  options.variant = analysis::parse_grid_variant(variant);
  options.border_convention = analysis::parse_border_convention(border_convention);
  options.extent = to_extent(extent);
  return options;
}

// The maps of a (bins_x, bins_y) array or an (N, bins_x, bins_y) stack, each checked as
// `gridrnn score` checks the maps of a file ("map k" names map k of the stack).
std::vector<analysis::Map2D> read_maps(const DoubleArray& array, bool allow_stack) {
  if (array.ndim() != 2 && !(allow_stack && array.ndim() == 3)) {
    throw_user_error("maps has {} dimension(s): expected a 2D rate map (bins_x, bins_y){}", array.ndim(),
                     allow_stack ? " or a stack of maps (N, bins_x, bins_y)" : "");
  }
  const auto nd = static_cast<std::size_t>(array.ndim());
  const std::size_t count = nd == 3 ? static_cast<std::size_t>(array.shape(0)) : 1;
  const auto bx = static_cast<int>(array.shape(nd - 2)), by = static_cast<int>(array.shape(nd - 1));
  if (count == 0) throw_user_error("maps is an empty stack: need at least one map");
  std::vector<analysis::Map2D> maps(count, analysis::Map2D(bx, by, 0.0));
  const double* data = array.data();
  for (std::size_t k = 0; k < count; ++k) {
    std::memcpy(maps[k].values.data(), data + k * maps[k].size(), maps[k].size() * sizeof(double));
    analysis::check_rate_map(maps[k], nd == 3 ? fmt::format("map {}", k) : std::string("the map"));
  }
  return maps;
}

analysis::Map2D read_map(const DoubleArray& array) { return std::move(read_maps(array, false).front()); }

py::array_t<double> to_numpy(const analysis::Map2D& map) {
  py::array_t<double> out({map.bins_x, map.bins_y});
  std::memcpy(out.mutable_data(), map.values.data(), map.size() * sizeof(double));
  return out;
}

template <typename T>
py::array_t<T> to_numpy(const std::vector<T>& values, const std::vector<py::ssize_t>& shape) {
  py::array_t<T> out(shape);
  std::memcpy(out.mutable_data(), values.data(), values.size() * sizeof(T));
  return out;
}

py::dict dict_of(std::initializer_list<std::pair<const char*, py::object>> items) {
  py::dict d;
  for (const auto& [key, value] : items) d[key] = value;
  return d;
}

py::dict grid_dict(const analysis::GridScores& g) {
  return dict_of({{"score_60", py::float_(g.score_60)}, {"score_90", py::float_(g.score_90)},
                  {"spacing", py::float_(g.spacing_bins)}, {"orientation_deg", py::float_(g.orientation_deg)},
                  {"ring_60", py::float_(g.ring_60)}, {"ring_90", py::float_(g.ring_90)}});
}

py::dict band_dict(const analysis::BandScore& b) {
  return dict_of({{"score", py::float_(b.score)}, {"wavelength", py::float_(b.wavelength)},
                  {"orientation_deg", py::float_(b.orientation_deg)}, {"planar_r2", py::float_(b.planar_r2)}});
}

py::dict border_dict(const analysis::BorderScore& b) {
  return dict_of({{"score", py::float_(b.score)}, {"coverage", py::float_(b.coverage)},
                  {"mean_distance", py::float_(b.mean_distance)}, {"best_wall", py::int_(b.best_wall)}});
}

// The fields of `gridrnn score --json`, one value per map.
constexpr const char* kScoreKeys[] = {"grid_score_60", "grid_score_90", "grid_spacing",
                                      "grid_orientation_deg", "band_score", "band_wavelength",
                                      "band_orientation_deg", "planar_r2", "border_score"};
std::array<double, 9> score_fields(const analysis::MapScores& s) {
  return {s.grid.score_60,  s.grid.score_90,   s.grid.spacing_bins,   s.grid.orientation_deg,
          s.band.score,     s.band.wavelength, s.band.orientation_deg, s.band.planar_r2,
          s.border.score};
}

py::dict score_maps(const DoubleArray& maps_array, const std::string& convention, const std::string& variant,
                    const std::string& border_convention, const std::array<double, 4>& extent, int threads) {
  const analysis::MapScoreOptions options = score_options(convention, variant, border_convention, extent);
  const std::vector<analysis::Map2D> maps = read_maps(maps_array, true);
  std::vector<analysis::MapScores> scores(maps.size());
  {
    py::gil_scoped_release release;
    set_thread_count(threads);
    parallel_for(maps.size(), [&](std::size_t i) { scores[i] = analysis::score_map(maps[i], options); });
  }
  py::dict out;
  for (std::size_t f = 0; f < std::size(kScoreKeys); ++f) {
    if (maps_array.ndim() == 2) {
      out[kScoreKeys[f]] = score_fields(scores[0])[f];
      continue;
    }
    py::array_t<double> column(static_cast<py::ssize_t>(scores.size()));
    for (std::size_t i = 0; i < scores.size(); ++i) column.mutable_at(static_cast<py::ssize_t>(i)) = score_fields(scores[i])[f];
    out[kScoreKeys[f]] = column;
  }
  return out;
}

// "a.b" = value as a config override: strings quoted (TOML basic string), booleans and numbers
// as TOML, lists element by element.
std::string toml_text(const py::handle& value) {
  if (py::isinstance<py::bool_>(value)) return value.cast<bool>() ? "true" : "false";
  if (py::isinstance<py::int_>(value)) return std::to_string(value.cast<long long>());
  if (py::isinstance<py::float_>(value)) return py::repr(value).cast<std::string>();
  if (py::isinstance<py::str>(value)) {
    std::string text = "\"";
    for (const char c : value.cast<std::string>()) {
      if (c == '"' || c == '\\') text += '\\';
      text += c;
    }
    return text + "\"";
  }
  if (py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value)) {
    std::string text = "[";
    for (const py::handle item : value) text += fmt::format("{}{}", text.size() > 1 ? ", " : "", toml_text(item));
    return text + "]";
  }
  throw_user_error("config value {} has type {}: give a bool, int, float, str or list", py::repr(value).cast<std::string>(),
                   py::str(value.get_type().attr("__name__")).cast<std::string>());
}

// A config reader holding dict entries as "prefix.key=value" overrides.
io::ConfigReader config_from(const py::object& config, const py::dict& overrides, const std::string& prefix = "") {
  io::ConfigReader reader = config.is_none() ? io::ConfigReader::empty("<python>")
                                             : io::ConfigReader::from_file(py::str(config).cast<std::string>());
  for (const auto& [key, value] : overrides) {
    reader.apply_override(fmt::format("{}{}={}", prefix, py::str(key).cast<std::string>(), toml_text(value)));
  }
  return reader;
}

py::dict simulate(const py::object& config, const py::dict& overrides, int threads) {
  io::ConfigReader reader = config_from(config, overrides);
  const arena::Arena arena = arena::Arena::from_config(reader.section("arena"));
  const trajectory::MotionOptions motion = trajectory::MotionOptions::from_config(reader.section("motion"));
  const trajectory::SimulationSettings settings = trajectory::SimulationSettings::from_config(
      reader.section("simulate"), 500, trajectory::Encoding::kSpeedAngle);
  reader.finish();
  trajectory::Batch batch;
  {
    py::gil_scoped_release release;
    set_thread_count(threads);
    batch = trajectory::simulate_batch(arena, motion, settings);
  }
  const auto T = static_cast<py::ssize_t>(batch.steps), B = static_cast<py::ssize_t>(batch.trials);
  py::dict out;
  out["positions"] = to_numpy(batch.positions, {T + 1, B, 2});
  out["headings"] = to_numpy(batch.headings, {T, B});
  out["speeds"] = to_numpy(batch.speeds, {T, B});
  out["inputs"] = to_numpy(batch.inputs, {T, B, static_cast<py::ssize_t>(batch.input_size)});
  out["arena"] = arena.name();
  out["encoding"] = trajectory::encoding_name(batch.encoding);
  out["config"] = reader.to_toml();
  return out;
}

py::array_t<double> rate_maps(const DoubleArray& positions, const DoubleArray& activities, int bins,
                              const std::array<double, 4>& extent, double smoothing_sigma_bins) {
  if (positions.ndim() != 2 || positions.shape(1) != 2) {
    throw_user_error("positions must have shape (S, 2), one (x, y) per sample; got {} dimension(s)",
                     positions.ndim());
  }
  const py::ssize_t S = positions.shape(0);
  if (activities.ndim() < 1 || activities.ndim() > 2 || activities.shape(0) != S) {
    throw_user_error("activities must have shape (S,) or (S, N) with S = {} samples, as positions", S);
  }
  if (!(smoothing_sigma_bins >= 0.0)) {
    throw_user_error("smoothing_sigma_bins = {}: must be >= 0", smoothing_sigma_bins);
  }
  const analysis::MapExtent map_extent = to_extent(extent);
  const std::size_t units = activities.ndim() == 2 ? static_cast<std::size_t>(activities.shape(1)) : 1;
  std::vector<analysis::Map2D> maps(units);
  const std::span<const double> xy(positions.data(), static_cast<std::size_t>(2 * S));
  const double* activity_data = activities.data();  // (S, N) row-major
  {
    py::gil_scoped_release release;
    const analysis::SpatialBinning binning = analysis::bin_positions(xy, map_extent, bins, bins);
    parallel_for(units, [&](std::size_t n) {
      std::vector<double> activity(static_cast<std::size_t>(S));  // column n
      for (std::size_t s = 0; s < activity.size(); ++s) activity[s] = activity_data[s * units + n];
      maps[n] = analysis::smooth_map(analysis::rate_map(binning, activity), smoothing_sigma_bins);
    });
  }
  if (activities.ndim() == 1) return to_numpy(maps[0]);
  py::array_t<double> out({static_cast<py::ssize_t>(units), static_cast<py::ssize_t>(bins), static_cast<py::ssize_t>(bins)});
  for (std::size_t n = 0; n < units; ++n) {
    std::memcpy(out.mutable_data() + n * maps[n].size(), maps[n].values.data(), maps[n].size() * sizeof(double));
  }
  return out;
}

// The arena as the analyses take it: a rectangle (extent), a polygon (vertices) or a circle.
analysis::ArenaGeometry arena_geometry(const std::array<double, 4>& extent, const py::object& vertices,
                                       const py::object& circle) {
  if (!vertices.is_none() && !circle.is_none()) throw_user_error("give vertices or circle, not both");
  analysis::ArenaGeometry geometry =
      !vertices.is_none() ? analysis::ArenaGeometry::polygon(vertices.cast<std::vector<std::array<double, 2>>>())
      : !circle.is_none()
          ? std::apply(analysis::ArenaGeometry::circle, circle.cast<std::array<double, 3>>())
          : analysis::ArenaGeometry::rectangle(extent[0], extent[1], extent[2], extent[3]);
  geometry.validate();
  return geometry;
}

py::array_t<double> stack_to_numpy(const std::vector<analysis::Map2D>& maps) {
  const auto bx = maps.empty() ? 0 : maps[0].bins_x, by = maps.empty() ? 0 : maps[0].bins_y;
  py::array_t<double> out({static_cast<py::ssize_t>(maps.size()), static_cast<py::ssize_t>(bx), static_cast<py::ssize_t>(by)});
  for (std::size_t n = 0; n < maps.size(); ++n) {
    std::memcpy(out.mutable_data() + n * maps[n].size(), maps[n].values.data(), maps[n].size() * sizeof(double));
  }
  return out;
}

std::array<double, 6> score_set(const analysis::ScoreSet& s) {
  return {s.grid_60, s.grid_90, s.border, s.band, s.direction_mvl, s.speed_abs_r};
}

py::dict score_set_dict(const analysis::ScoreSet& s) {
  py::dict d;
  for (std::size_t k = 0; k < analysis::kScoreNames.size(); ++k) d[analysis::kScoreNames[k]] = score_set(s)[k];
  return d;
}

py::dict analyze_population(const DoubleArray& positions, const DoubleArray& headings, const DoubleArray& speeds,
                            const py::array_t<float, py::array::c_style | py::array::forcecast>& activities,
                            const py::dict& options, const std::array<double, 4>& extent,
                            const py::object& vertices, const py::object& circle) {
  if (activities.ndim() != 2) {
    throw_user_error("activities must have shape (S, N), one row per sample; got {} dimension(s)", activities.ndim());
  }
  io::ConfigReader reader = config_from(py::none(), options, "analysis.");
  analysis::AnalysisOptions analysis_options = analysis::AnalysisOptions::from_config(reader.section("analysis"));
  reader.finish();
  analysis_options.validate();
  const analysis::ArenaGeometry geometry = arena_geometry(extent, vertices, circle);
  const auto span = [](const auto& a) { return std::span(a.data(), static_cast<std::size_t>(a.size())); };
  analysis::PopulationAnalysis result;
  {
    py::gil_scoped_release release;
    result = analysis::analyze_population(span(positions), span(headings), span(speeds), span(activities),
                                          static_cast<std::size_t>(activities.shape(1)), geometry,
                                          analysis_options);
  }
  const auto N = static_cast<py::ssize_t>(result.units.size());
  py::dict units;
  const auto column = [&](const char* name, auto value_of) {
    py::array_t<double> values(N);
    for (py::ssize_t n = 0; n < N; ++n) values.mutable_at(n) = value_of(result.units[static_cast<std::size_t>(n)]);
    units[name] = values;
  };
  for (std::size_t k = 0; k < analysis::kScoreNames.size(); ++k) {
    column(analysis::kScoreNames[k], [k](const analysis::UnitScores& u) { return score_set(u.score)[k]; });
  }
  column("grid_spacing", [](const analysis::UnitScores& u) { return u.grid_spacing; });
  column("grid_orientation_deg", [](const analysis::UnitScores& u) { return u.grid_orientation_deg; });
  column("band_wavelength", [](const analysis::UnitScores& u) { return u.band_wavelength; });
  column("band_orientation_deg", [](const analysis::UnitScores& u) { return u.band_orientation_deg; });
  column("planar_r2", [](const analysis::UnitScores& u) { return u.planar_r2; });
  column("preferred_direction_deg", [](const analysis::UnitScores& u) { return u.preferred_direction_deg; });
  column("speed_r", [](const analysis::UnitScores& u) { return u.speed_r; });
  column("speed_slope", [](const analysis::UnitScores& u) { return u.speed_slope; });
  column("mean_activity", [](const analysis::UnitScores& u) { return u.mean_activity; });
  column("grid_60_smooth_threshold", [](const analysis::UnitScores& u) { return u.grid_60_smooth_threshold; });
  column("grid_90_smooth_threshold", [](const analysis::UnitScores& u) { return u.grid_90_smooth_threshold; });
  py::list classes;
  for (const analysis::UnitScores& u : result.units) classes.append(analysis::to_string(u.unit_class));
  units["class"] = classes;
  py::array_t<double> nulls({static_cast<py::ssize_t>(result.null_scores.size()),
                             static_cast<py::ssize_t>(analysis::kScoreNames.size())});
  for (std::size_t i = 0; i < result.null_scores.size(); ++i) {
    const auto row = score_set(result.null_scores[i]);
    std::copy(row.begin(), row.end(), nulls.mutable_data() + i * row.size());
  }
  py::dict counts;
  for (std::size_t c = 0; c < analysis::kUnitClasses.size(); ++c) {
    counts[analysis::to_string(analysis::kUnitClasses[c]).c_str()] = result.class_counts[c];
  }
  py::dict out;
  out["units"] = units;
  out["thresholds"] = score_set_dict(result.thresholds);
  out["class_counts"] = counts;
  out["null_scores"] = nulls;
  out["rate_maps"] = stack_to_numpy(result.rate_maps);
  out["autocorrelograms"] = stack_to_numpy(result.autocorrelograms);
  out["samples"] = result.samples;
  return out;
}

// ---- runs ----------------------------------------------------------------------------------------

std::string path_text(const py::object& path) { return py::str(py::module_::import("os").attr("fspath")(path)).cast<std::string>(); }

std::vector<std::string> assignments(const py::dict& overrides) {
  std::vector<std::string> out;
  for (const auto& [key, value] : overrides) out.push_back(fmt::format("{}={}", py::str(key).cast<std::string>(), toml_text(value)));
  return out;
}

py::dict run_training(const runs::TrainRequest& request, int threads) {
  train::TrainResult result;
  std::string run_dir;
  {
    py::gil_scoped_release release;
    set_thread_count(threads);
    runs::TrainingJob job(request, dist::Session::instance());
    run_dir = job.run_dir().string();
    // Ctrl-C stops after the current update (checkpoint written), as in `gridrnn train`.
    const runs::StopOnSignals interrupt({SIGINT});
    result = job.run(interrupt.flag());
  }
  if (result.interrupted) {
    PyErr_SetString(PyExc_KeyboardInterrupt,
                    fmt::format("training of '{}' interrupted after {} updates; the checkpoint is written: "
                                "gridrnn.resume('{}') continues it", run_dir, result.updates_done, run_dir).c_str());
    throw py::error_already_set();
  }
  return dict_of({{"run", py::str(run_dir)},
                  {"updates_done", py::int_(result.updates_done)},
                  {"validation_position_rms", py::float_(result.validation_position_rms)},
                  {"baseline_position_rms", py::float_(result.baseline_position_rms)},
                  {"seconds", py::float_(result.seconds)}});
}

py::dict train_run(const py::object& out, const py::object& config, const py::dict& overrides, bool force,
               const py::object& until, int threads) {
  runs::TrainRequest request;
  request.out = path_text(out);
  if (!config.is_none()) request.config = path_text(config);
  request.overrides = assignments(overrides);
  request.force = force;
  if (!until.is_none()) {
    request.until = until.cast<std::int64_t>();
    request.until_given = true;
  }
  return run_training(request, threads);
}

py::dict resume(const py::object& run, const py::object& updates, const py::object& until, int threads) {
  runs::TrainRequest request;
  request.resume = path_text(run);
  if (!updates.is_none()) {
    request.updates = updates.cast<std::int64_t>();
    request.updates_given = true;
  }
  if (!until.is_none()) {
    request.until = until.cast<std::int64_t>();
    request.until_given = true;
  }
  return run_training(request, threads);
}

py::object read_npy_array(const std::filesystem::path& file) {
  const io::NpyArray a = io::read_npy(file);
  std::vector<py::ssize_t> shape(a.shape.begin(), a.shape.end());
  py::array_t<double> out(shape);
  std::copy(a.values.begin(), a.values.end(), out.mutable_data());
  return out;
}

py::object json_file(const std::filesystem::path& file) {
  return py::module_::import("json").attr("loads")(io::read_file(file));
}

py::dict simulate_folder(const py::object& out, const py::object& config, const py::dict& overrides, int threads) {
  runs::SimulateRequest request;
  request.out = path_text(out);
  if (!config.is_none()) request.config = path_text(config);
  request.overrides = assignments(overrides);
  runs::SimulateResult result;
  {
    py::gil_scoped_release release;
    set_thread_count(threads);
    result = runs::simulate_into(request);
  }
  py::dict d;
  const std::filesystem::path dir(request.out);
  for (const char* name : {"positions", "headings", "speeds", "inputs"}) d[name] = read_npy_array(dir / fmt::format("{}.npy", name));
  d["arena"] = result.arena;
  d["motion"] = result.motion;
  d["encoding"] = result.encoding;
  d["warnings"] = result.warnings;
  return d;
}

py::dict predict(const py::object& network, const py::object& inputs, const py::object& out, const py::object& starts,
                 bool noise, std::uint64_t seed, bool force, int threads) {
  runs::PredictRequest request;
  request.network = path_text(network);
  request.inputs = path_text(inputs);
  request.out = path_text(out);
  if (!starts.is_none()) request.starts = path_text(starts);
  request.noise = noise;
  request.seed = seed;
  request.force = force;
  runs::PredictResult result;
  {
    py::gil_scoped_release release;
    set_thread_count(threads);
    result = runs::predict_into(request);
  }
  py::dict d;
  d["outputs"] = read_npy_array(std::filesystem::path(request.out) / "outputs.npy");
  d["activities"] = read_npy_array(std::filesystem::path(request.out) / "activities.npy");
  d["warnings"] = result.warnings;
  return d;
}

py::dict read_run(const py::object& run);

py::dict analyze(const py::object& run, const py::dict& overrides, bool figures, bool snapshots, int threads) {
  const std::string dir = path_text(run);
  const std::vector<std::string> sets = assignments(overrides);
  {
    py::gil_scoped_release release;
    set_thread_count(threads);
    runs::analyze_run(dir, sets, figures, snapshots);
  }
  return read_run(py::str(dir));
}

// A run folder as Python objects; parts a run does not have yet (no analysis, no snapshots) are None.
py::dict read_run(const py::object& run) {
  const std::filesystem::path dir(path_text(run));
  if (!train::is_run_folder(dir))
    throw_user_error("'{}' is not a gridrnn run folder (no run.json): train one with gridrnn.train(out=...)", dir.string());
  py::dict d;
  d["run"] = dir.string();
  d["config"] = io::read_file(dir / "config.toml");
  py::list metrics;
  {
    std::istringstream lines(io::read_file(dir / "metrics.jsonl"));
    const py::object loads = py::module_::import("json").attr("loads");
    for (std::string line; std::getline(lines, line);)
      if (!line.empty()) metrics.append(loads(line));
  }
  d["metrics"] = metrics;
  std::error_code ec;
  const std::filesystem::path network = dir / "network";
  if (std::filesystem::is_regular_file(network / "network.json", ec)) {
    py::dict weights;
    for (const auto& entry : std::filesystem::directory_iterator(network))
      if (entry.path().extension() == ".npy") weights[entry.path().stem().string().c_str()] = read_npy_array(entry.path());
    d["network"] = json_file(network / "network.json");
    d["weights"] = weights;
  } else {
    d["network"] = py::none();
    d["weights"] = py::none();
  }
  const std::filesystem::path analysis = dir / "analysis";
  if (std::filesystem::is_regular_file(analysis / "analysis.json", ec)) {
    py::dict a = json_file(analysis / "analysis.json").cast<py::dict>();
    a["evaluation"] = json_file(analysis / runs::kEvaluationFile);
    const py::object csv = py::module_::import("csv"), io_module = py::module_::import("io");
    py::dict units;
    const py::list rows = py::list(csv.attr("DictReader")(io_module.attr("StringIO")(io::read_file(analysis / "units.csv"))));
    if (!rows.empty()) {
      for (const auto& key : rows[0].cast<py::dict>()) {
        py::list column;
        for (const auto& row : rows) {
          const py::object text = row.cast<py::dict>()[key.first];
          try {
            column.append(py::float_(text));
          } catch (const py::error_already_set&) {
            column.append(text);
          }
        }
        units[key.first] = column;
      }
    }
    a["units"] = units;
    a["rate_maps"] = read_npy_array(analysis / "rate_maps.npy");
    d["analysis"] = a;
  } else {
    d["analysis"] = py::none();
  }
  return d;
}

const std::array<double, 4> kUnitSquare = {-1.0, 1.0, -1.0, 1.0};

}  // namespace

PYBIND11_MODULE(gridrnn, m) {
  m.doc() = "gridrnn: grid, border and band scores of rate maps, spatial autocorrelograms, rate maps "
            "and simulated animal paths, on numpy arrays (NaN = unvisited bin). The same library and "
            "numbers as the `gridrnn` command; see docs/python.md.";
  m.attr("__version__") = GRIDRNN_VERSION;
  py::register_exception_translator([](std::exception_ptr failure) {
    try {
      if (failure) std::rethrow_exception(failure);
    } catch (const UserError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const InternalError& e) {
      PyErr_SetString(PyExc_RuntimeError, fmt::format("{} (a bug in gridrnn: please report it)", e.what()).c_str());
    }
  });

  m.def("score_maps", &score_maps, py::arg("maps"), py::arg("convention") = "deepmind",
        py::arg("variant") = "mean", py::arg("border_convention") = "gridrnn", py::arg("extent") = kUnitSquare,
        py::arg("threads") = 0,
        R"(Grid, band and border scores of rate maps, as `gridrnn score --json` reports them.

maps: (bins_x, bins_y) or a stack (N, bins_x, bins_y), float32/float64, first axis x, NaN = unvisited;
  at least 4 x 4 bins, no infinite value, at least one visited bin per map.
convention: 'deepmind' or 'sargolini' grid score; variant: 'mean' or 'min_max' (deepmind only);
border_convention: 'gridrnn' or 'opexebo'; extent: (xmin, xmax, ymin, ymax) in arena units (the
  rectangular arena's walls; units of spacing and wavelength); threads: 0 = all cores.
Returns a dict with grid_score_60, grid_score_90, grid_spacing, grid_orientation_deg, band_score,
band_wavelength, band_orientation_deg, planar_r2, border_score: floats for one map, (N,) arrays
for a stack (NaN where `gridrnn score --json` prints null). ValueError on bad input.)");

  m.def(
      "grid_scores",
      [](const DoubleArray& map, const std::string& convention, const std::string& variant,
         const std::array<double, 4>& extent) {
        const analysis::MapScoreOptions options = score_options(convention, variant, "gridrnn", extent);
        const analysis::Map2D rate_map = read_map(map);
        analysis::GridScores grid;
        {
          py::gil_scoped_release release;
          grid = analysis::map_grid_scores(rate_map, options);
        }
        return grid_dict(grid);
      },
      py::arg("map"), py::arg("convention") = "deepmind", py::arg("variant") = "mean",
      py::arg("extent") = kUnitSquare,
      R"(Grid scores of one rate map (bins_x, bins_y), NaN = unvisited.

convention: 'deepmind' (google-deepmind/grid-cells) or 'sargolini' (opexebo, the BNT's gridness);
variant: 'mean' or 'min_max' (deepmind only); extent: (xmin, xmax, ymin, ymax), the units of spacing.
Returns {score_60, score_90, spacing (arena units), orientation_deg ([0, 60)), ring_60, ring_90
(best ring's radius in SAC bins)}; score_60/90 are NaN for a map without structure.)");

  m.def(
      "border_score",
      [](const DoubleArray& map, const std::string& convention, const std::array<double, 4>& extent) {
        const analysis::MapScoreOptions options = score_options("deepmind", "mean", convention, extent);
        const analysis::Map2D rate_map = read_map(map);
        analysis::BorderScore border;
        {
          py::gil_scoped_release release;
          border = analysis::map_border_score(rate_map, options);
        }
        return border_dict(border);
      },
      py::arg("map"), py::arg("convention") = "gridrnn", py::arg("extent") = kUnitSquare,
      R"(Border score (Solstad et al. 2008) of one rate map (bins_x, bins_y) in the rectangular arena extent.

convention: 'gridrnn' (offset and scale invariant fields) or 'opexebo' (opexebo 0.7.2's
place_field + border_score; rates as given, -1 where no field touches a wall).
Returns {score, coverage (c_M), mean_distance (d_m), best_wall (index of the wall of c_M)}.)");

  m.def(
      "band_score",
      [](const DoubleArray& map, const std::array<double, 4>& extent) {
        const analysis::MapScoreOptions options = score_options("deepmind", "mean", "gridrnn", extent);
        const analysis::Map2D rate_map = read_map(map);
        analysis::BandScore band;
        {
          py::gil_scoped_release release;
          band = analysis::map_band_score(rate_map, options);
        }
        return band_dict(band);
      },
      py::arg("map"), py::arg("extent") = kUnitSquare,
      R"(Band score of one rate map (bins_x, bins_y): the best single plane wave's fraction of variance.

Returns {score, wavelength (arena units of extent), orientation_deg ([0, 180), across the bands),
planar_r2 (variance a plane explains: a map with planar_r2 >= score is a ramp, not a band)}.)");

  m.def(
      "autocorrelogram",
      [](const DoubleArray& map, const std::string& unvisited) {
        if (unvisited != "excluded" && unvisited != "zero") {
          throw_user_error("unvisited = '{}': expected 'excluded' or 'zero'", unvisited);
        }
        const analysis::Map2D rate_map = read_map(map);
        analysis::Map2D sac;
        {
          py::gil_scoped_release release;
          sac = analysis::autocorrelogram(rate_map, unvisited == "zero" ? analysis::UnvisitedBins::kZero
                                                                        : analysis::UnvisitedBins::kExcluded);
        }
        return to_numpy(sac);
      },
      py::arg("map"), py::arg("unvisited") = "excluded",
      R"(Spatial autocorrelogram of a rate map (bins_x, bins_y): (2 bins_x - 1, 2 bins_y - 1), lag 0 at the centre.

Each lag is the Pearson correlation of the map with its shifted copy over the overlap; unvisited
(NaN) bins are left out ('excluded') or read as rate 0 ('zero', as the grid-score programs do).)");

  m.def("rate_maps", &rate_maps, py::arg("positions"), py::arg("activities"), py::arg("bins") = 20,
        py::arg("extent") = kUnitSquare, py::arg("smoothing_sigma_bins") = 0.0,
        R"(Occupancy-normalized rate maps: the mean activity of the samples in each bin, NaN where unvisited.

positions: (S, 2) (x, y) per sample; activities: (S,) for one unit or (S, N) for N units (from a
simulate() path: positions[1:].reshape(-1, 2) with activities of shape (T*B, N));
bins: bins per axis over extent (xmin, xmax, ymin, ymax), samples outside clamped to the edge bins;
smoothing_sigma_bins: NaN-aware Gaussian smoothing (0 = none).
Returns (bins, bins) for (S,) activities, (N, bins, bins) for (S, N); first axis x.)");

  m.def("simulate", &simulate, py::arg("config") = py::none(), py::arg("overrides") = py::dict(),
        py::arg("threads") = 0,
        R"(Simulated animal paths, as `gridrnn simulate` writes them.

config: a TOML file with [arena], [motion] and [simulate] sections (None: all defaults);
overrides: {'arena.shape': 'hexagon', 'simulate.trials': 10, ...}, applied on top (keys as in
`gridrnn config --describe`); threads: 0 = all cores.
Returns a dict: positions (T+1, B, 2), headings (T, B) radians, speeds (T, B) arena units per step,
inputs (T, B, N_in) float32 network inputs, arena (its name), encoding, config (the effective TOML).)");

  m.def("analyze_population", &analyze_population, py::arg("positions"), py::arg("headings"), py::arg("speeds"),
        py::arg("activities"), py::arg("options") = py::dict(), py::arg("extent") = kUnitSquare,
        py::arg("vertices") = py::none(), py::arg("circle") = py::none(),
        R"(Every score of every unit, shuffle nulls, thresholds and a class per unit, as `gridrnn analyze` computes them.

positions: (S, 2) x, y; headings: (S,) radians; speeds: (S,); activities: (S, N), one row per
sample (time steps pooled over paths; S must exceed 2 min_shift).
options: keys of the config's [analysis] section ({'shuffles': 100, 'bins': 20, 'convention':
'sargolini', 'smooth_null_maps': 0, ...}; `gridrnn config --describe`), defaults otherwise.
The arena: the rectangle extent (xmin, xmax, ymin, ymax), or vertices [[x, y], ...] of a polygon,
or circle (centre_x, centre_y, radius).
Returns a dict: units (a dict of (N,) arrays: grid_score_60, grid_score_90, border_score,
band_score, direction_mvl, speed_abs_r, grid_spacing, ..., and class, a list of class names),
thresholds (per score, the percentile of the pooled shuffles), class_counts, null_scores
(N * shuffles, 6) unit-major in the order of thresholds, rate_maps (N, bins, bins),
autocorrelograms (N, 2 bins - 1, 2 bins - 1), samples.)");
  m.def("simulate_folder", &simulate_folder, py::arg("out"), py::arg("config") = py::none(),
        py::arg("overrides") = py::dict(), py::arg("threads") = 0,
        R"(Simulated paths written to a folder, as `gridrnn simulate --config CONFIG --out OUT` writes it.

out: a new folder (absent or empty); config: a TOML path (an [arena]/[motion]/[simulate] config or a
whole run config, e.g. RUN/config.toml) or None; overrides: {'simulate.trials': 10, ...}.
Writes positions.npy, headings.npy, speeds.npy, inputs.npy with inputs.json, config.toml, paths.png.
Returns the arrays (positions (T+1, B, 2), headings, speeds, inputs (T, B, N_in)), arena, motion,
encoding and warnings (about a recorded path).)");

  m.def("train", &train_run, py::arg("out"), py::arg("config") = py::none(), py::arg("overrides") = py::dict(),
        py::arg("force") = false, py::arg("until") = py::none(), py::arg("threads") = 0,
        R"(Trains a network into a new run folder, as `gridrnn train --config CONFIG --out OUT`.

out: the run folder (absent or empty; force=True replaces an earlier run folder); config: a TOML path or
None (the built-in defaults, the paper's square setup); overrides: {'train.updates': 50, 'model.units':
20, ...}, keys as in `gridrnn config --describe`; until: stop after this many updates (resume later).
Ctrl-C stops after the current update with a checkpoint written and raises KeyboardInterrupt;
gridrnn.resume(out) continues it, ending with the same bytes as a run that never stopped.
Returns {run, updates_done, validation_position_rms, baseline_position_rms, seconds}.)");

  m.def("resume", &resume, py::arg("run"), py::arg("updates") = py::none(), py::arg("until") = py::none(),
        py::arg("threads") = 0,
        R"(Continues a run folder from its checkpoint, as `gridrnn train --resume RUN`.

updates: train to this many updates in all (sets [train] updates in RUN/config.toml); until: stop after
this many. Returns what train() returns; KeyboardInterrupt on Ctrl-C, as train().)");

  m.def("predict", &predict, py::arg("network"), py::arg("inputs"), py::arg("out"), py::arg("starts") = py::none(),
        py::arg("noise") = false, py::arg("seed") = 0, py::arg("force") = false, py::arg("threads") = 0,
        R"(Runs a saved network on given inputs, as `gridrnn predict`.

network: a network folder (RUN/network or a snapshot); inputs: an NPY (T, B, N_in), e.g. a simulate_folder()
folder's inputs.npy (its inputs.json is checked against the network's encoding: ValueError if they
differ); out: folder for outputs.npy and activities.npy; starts: NPY (B, 2) for networks that start from
the start position. Returns {outputs (T, B, 2), activities (T, B, N), warnings}.)");

  m.def("analyze", &analyze, py::arg("run"), py::arg("overrides") = py::dict(), py::arg("figures") = true,
        py::arg("snapshots") = false, py::arg("threads") = 0,
        R"(Analyzes a trained run, as `gridrnn analyze RUN`: writes RUN/analysis/ (and figures/, report.html).

overrides: {'analysis.shuffles': 20, 'evaluation.trials': 50, ...} (config.toml is not changed);
snapshots: score every snapshot too (analysis/snapshots.csv). Returns read_run(run).)");

  m.def("read_run", &read_run, py::arg("run"),
        R"(A run folder as Python objects.

Returns {run, config (config.toml text), metrics (one dict per update, metrics.jsonl), network
(network.json) and weights ({'W_rec': array, ...}; None before the first save), analysis (analysis.json
with evaluation, units (units.csv as {column: list}) and rate_maps (N, bins, bins); None before
gridrnn.analyze)}.)");
}

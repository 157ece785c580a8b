// A sweep (`gridrnn sweep SWEEP.toml --out DIR`, runs/sweep.hpp): trains a grid of config overrides times seeds, one
// normal run folder per combination (DIR/<run-name>/), and writes DIR/summary.csv with one row
// per run. Under MPI (mpirun -np K gridrnn sweep ...) rank 0 hands out run indices dynamically
// and each run trains on one rank; without MPI the runs go one after another. After training,
// the rank that trained a run analyzes it (run_analysis.hpp: evaluation error, units per class),
// unless the sweep file says analyze = false. A run that fails (training or analysis) is marked
// failed (with its message) and the sweep goes on; running the sweep again skips finished runs,
// analyzes finished runs that have no analysis, and resumes interrupted ones from their
// checkpoints. See docs/scaling.md.
#include "gridrnn/runs/sweep.hpp"

#include <array>
#include <cmath>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include "gridrnn/analysis/population.hpp"
#include "gridrnn/core/error.hpp"
#include "gridrnn/dist/mpi.hpp"
#include "gridrnn/io/files.hpp"
#include "gridrnn/plot/figures.hpp"
#include "gridrnn/runs/run_analysis.hpp"
#include "gridrnn/runs/run_config.hpp"
#include "gridrnn/train/trainer.hpp"

namespace gridrnn::runs {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// A value of a grid axis: the overrides it makes and how the summary shows it. A scalar or
// array value sets the axis key itself; an inline table sets each of its keys under the axis key
// (linked values: {heads = "position+place", place = {cells = 128}} on axis "readout" sets
// readout.heads and readout.place.cells together).
struct AxisValue {
  std::vector<std::string> assignments;  // "key=TOML text", in the table's key order
  std::string shown;                      // summary.csv: the value, or "heads=position+place place.cells=128"
  std::string label;                      // folder names and figure rows: the values only, space-separated
};

// One grid axis: a dotted config key and its values.
struct Axis {
  std::string key;
  std::vector<AxisValue> values;
};

struct Sweep {
  std::string base;                  // config file (absolute or empty = built-in defaults)
  std::vector<std::string> fixed;    // "key=value" overrides of every run ([set])
  std::vector<Axis> grid;            // [grid]
  std::vector<std::int64_t> seeds;   // train.seed values
  bool analyze = true;               // analyze each trained run (analysis/, class counts)
  bool figures = true;               // ... with figures/ and report.html (~1-2 s a run)
};

struct RunSpec {
  std::string name;                          // folder name under DIR
  std::vector<std::string> overrides;        // fixed, then this run's grid values, then the seed
  std::vector<const AxisValue*> grid_values;  // one per axis (into Sweep::grid)
  std::int64_t seed = 1;
};

// Leaves of a table as dotted keys: [set] "train.updates" = 3 and [set.train] updates = 3 alike.
void flatten(const toml::table& table, const std::string& prefix,
             std::vector<std::pair<std::string, const toml::node*>>& out) {
  for (const auto& [key, node] : table) {
    const std::string path = prefix.empty() ? std::string(key.str()) : prefix + "." + std::string(key.str());
    if (const auto* sub = node.as_table()) {
      flatten(*sub, path, out);
    } else {
      out.emplace_back(path, &node);
    }
  }
}

// A TOML value as the summary shows it: strings without their quotes.
std::string plain_value(const std::string& value) {
  const bool quoted = value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front();
  return quoted ? value.substr(1, value.size() - 2) : value;
}

AxisValue axis_value(const std::string& key, const toml::node& value) {
  AxisValue out;
  const auto* table = value.as_table();
  if (table == nullptr) {
    const std::string text = io::toml_value_text(value);
    out.assignments.push_back(key + "=" + text);
    out.shown = out.label = plain_value(text);
    return out;
  }
  std::vector<std::pair<std::string, const toml::node*>> leaves;
  flatten(*table, "", leaves);
  for (const auto& [sub, leaf] : leaves) {
    const std::string text = io::toml_value_text(*leaf);
    out.assignments.push_back(key + "." + sub + "=" + text);
    out.shown += (out.shown.empty() ? "" : " ") + sub + "=" + plain_value(text);
    out.label += (out.label.empty() ? "" : " ") + plain_value(text);
  }
  return out;
}

Sweep read_sweep(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw_user_error("sweep file '{}' is a folder, not a file (expected a sweep TOML, see docs/scaling.md)", path.string());
  if (!fs::is_regular_file(path, ec)) throw_user_error("sweep file '{}' does not exist", path.string());
  toml::table root;
  try {
    root = toml::parse_file(path.string());
  } catch (const toml::parse_error& e) {
    throw_user_error("sweep file '{}' line {}, column {}: {}", path.string(), e.source().begin.line,
                     e.source().begin.column, e.description());
  }
  Sweep sweep;
  for (const auto& [key, node] : root) {
    const std::string name(key.str());
    if (name == "base") {
      const auto* text = node.as_string();
      if (text == nullptr) throw_user_error("sweep file '{}': base must be a string (a config file path relative to the sweep file)", path.string());
      fs::path base(text->get());
      if (base.is_relative()) base = path.parent_path() / base;
      if (fs::is_directory(base, ec)) throw_user_error("sweep file '{}': base config '{}' is a folder, not a file", path.string(), base.string());
      if (!fs::is_regular_file(base, ec)) throw_user_error("sweep file '{}': base config '{}' does not exist", path.string(), base.string());
      sweep.base = base.string();
    } else if (name == "analyze" || name == "figures") {
      const auto* flag = node.as_boolean();
      if (flag == nullptr) throw_user_error("sweep file '{}': {} must be true or false; got {}", path.string(), name, io::toml_value_text(node));
      (name == "analyze" ? sweep.analyze : sweep.figures) = flag->get();
    } else if (name == "seeds") {
      const auto* list = node.as_array();
      if (list == nullptr || list->empty()) throw_user_error("sweep file '{}': seeds must be a non-empty list of integers >= 0, e.g. seeds = [1, 2, 3]", path.string());
      for (const auto& seed : *list) {
        const auto* value = seed.as_integer();
        if (value == nullptr || value->get() < 0) throw_user_error("sweep file '{}': seeds must be integers >= 0; got {}", path.string(), io::toml_value_text(seed));
        sweep.seeds.push_back(value->get());
      }
    } else if (name == "set" || name == "grid") {
      const auto* table = node.as_table();
      if (table == nullptr) throw_user_error("sweep file '{}': [{}] must be a table of config keys", path.string(), name);
      std::vector<std::pair<std::string, const toml::node*>> leaves;
      flatten(*table, "", leaves);
      for (const auto& [leaf, value] : leaves) {
        if (leaf == "train.seed") throw_user_error("sweep file '{}': set train.seed through the top-level seeds list, not [{}]", path.string(), name);
        if (name == "set") {
          sweep.fixed.push_back(leaf + "=" + io::toml_value_text(*value));
          continue;
        }
        const auto* list = value->as_array();
        if (list == nullptr || list->empty()) throw_user_error("sweep file '{}': [grid] \"{}\" must be a non-empty list of values, e.g. [0.0, 0.1]", path.string(), leaf);
        Axis axis{leaf, {}};
        for (const auto& v : *list) {
          axis.values.push_back(axis_value(leaf, v));
          const auto& made = axis.values.back().assignments;
          if (made.empty()) throw_user_error("sweep file '{}': [grid] \"{}\" has an empty table {{}} among its values; a table value sets each of its keys under \"{}\", e.g. {{heads = \"position\"}}", path.string(), leaf, leaf);
          for (const auto& assignment : made)
            if (assignment.rfind("train.seed=", 0) == 0) throw_user_error("sweep file '{}': set train.seed through the top-level seeds list, not [grid]", path.string());
        }
        sweep.grid.push_back(std::move(axis));
      }
    } else {
      throw_user_error("sweep file '{}': unknown key '{}'; accepted: base, seeds, analyze, figures, [set], [grid]", path.string(), name);
    }
  }
  if (sweep.seeds.empty()) sweep.seeds.push_back(1);
  return sweep;
}

// Folder-name form of a value: quotes dropped, anything but [A-Za-z0-9.+-] replaced by '-'.
std::string name_part(std::string text) {
  std::string out;
  for (const char c : text) {
    if (c == '"' || c == '\'') continue;
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '+' || c == '-';
    out += keep ? c : '-';
  }
  return out;
}

// Every combination of the grid values (first axis slowest), times the seeds (fastest).
std::vector<RunSpec> expand(const Sweep& sweep) {
  std::vector<RunSpec> runs;
  std::vector<std::size_t> at(sweep.grid.size(), 0);
  while (true) {
    for (const std::int64_t seed : sweep.seeds) {
      RunSpec run;
      run.seed = seed;
      run.overrides = sweep.fixed;
      for (std::size_t a = 0; a < sweep.grid.size(); ++a) {
        const AxisValue& value = sweep.grid[a].values[at[a]];
        run.overrides.insert(run.overrides.end(), value.assignments.begin(), value.assignments.end());
        run.grid_values.push_back(&value);
        run.name += name_part(sweep.grid[a].key) + "=" + name_part(value.label) + "_";
      }
      run.overrides.push_back(fmt::format("train.seed={}", seed));
      run.name += fmt::format("seed={}", seed);
      runs.push_back(std::move(run));
    }
    std::size_t a = sweep.grid.size();
    while (a > 0 && ++at[a - 1] == sweep.grid[a - 1].values.size()) at[--a] = 0;
    if (a == 0) break;
  }
  return runs;
}

// Reads every run's config (base + [set] + its grid values + its seed) before any run starts, so a
// bad value stops the sweep (exit 2) naming the sweep file and the key instead of failing each run.
void check_runs(const Sweep& sweep, const fs::path& path, const std::vector<RunSpec>& runs) {
  for (const auto& run : runs) {
    try {
      const RunConfig config = runs::read_run_config(sweep.base, run.overrides);
      if (sweep.analyze) check_analysis_fits(config, "or set analyze = false in the sweep file");
    } catch (const UserError& e) {
      std::string message = e.what();
      const std::string prefix = fmt::format("config '{}': ", sweep.base.empty() ? "<built-in defaults>" : sweep.base);
      // The sweep's own key the message names: [set] ones first, then [grid] ones.
      std::string culprit;
      for (std::size_t i = 0; i < run.overrides.size() && culprit.empty(); ++i) {
        const std::string& assignment = run.overrides[i];
        const std::string key = assignment.substr(0, assignment.find('='));
        // "'K' = 7 is out of range", "'K' must be", "unknown key 'K'", "override 'K=v'" (not "did you mean 'K'?").
        const bool named = message.find("'" + key + "' ") != std::string::npos || message.find("'" + key + "=") != std::string::npos ||
                           message.find("unknown key '" + key + "'") != std::string::npos;
        if (!named) continue;
        const char* table = i < sweep.fixed.size() ? "[set]" : i + 1 < run.overrides.size() ? "[grid]" : "seeds:";
        culprit = fmt::format("{} {} = {}: ", table, key, assignment.substr(assignment.find('=') + 1));
      }
      if (culprit.empty()) {
        throw_user_error("sweep file '{}': run {}: {}; no run was started", path.string(), run.name, message);
      }
      if (message.rfind(prefix, 0) == 0) message = message.substr(prefix.size());
      throw_user_error("sweep file '{}': {}{} (base config: {}); no run was started", path.string(), culprit,
                       message, sweep.base.empty() ? "the built-in defaults" : sweep.base);
    }
  }
}

// The analysis of run_dir is there (and its report when figures are wanted).
bool has_analysis(const fs::path& run_dir, bool figures) {
  std::error_code ec;
  return fs::is_regular_file(run_dir / "analysis" / "analysis.json", ec) &&
         fs::is_regular_file(run_dir / "analysis" / runs::kEvaluationFile, ec) &&
         (!figures || fs::is_regular_file(run_dir / "report.html", ec));
}

// Copies what summary.csv shows of the run's analysis (analysis.json, evaluation.json) into status.
void record_analysis(const fs::path& run_dir, json& status) {
  const json analysis = json::parse(io::read_file(run_dir / "analysis" / "analysis.json"));
  const json evaluation = json::parse(io::read_file(run_dir / "analysis" / runs::kEvaluationFile));
  status["units"] = analysis.at("units");
  status["class_counts"] = analysis.at("counts");
  status["thresholds"] = analysis.at("thresholds");  // null where a score had no finite null
  status["percentile"] = analysis.at("settings").at("percentile");
  status["shuffles"] = analysis.at("settings").at("shuffles");
  status["evaluation_position_rms"] = evaluation.at("position_rms");
  status["evaluation_baseline_rms"] = evaluation.at("baseline_rms");
}

// Trains (or resumes, or skips) one run, analyzes it, and records its outcome in
// DIR/status/<name>.json.
void run_one(const Sweep& sweep, const RunSpec& spec, const fs::path& out, std::size_t rank,
             const std::function<void()>& between_updates, const Report& report) {
  const fs::path dir = out / spec.name;
  json status{{"run", spec.name}, {"rank", rank}};
  std::string phase;  // prefix of a failure's message: which step failed
  try {
    const RunConfig config = open_or_create_run(dir, sweep.base, spec.overrides);
    if (sweep.analyze) check_analysis_fits(config, "or set analyze = false in the sweep file");
    train::TrainerHooks hooks;
    hooks.after_update = between_updates;
    train::Trainer trainer(dir, config.experiment, hooks);
    const std::int64_t before = trainer.updates_done();
    const train::TrainResult result = trainer.run(config.experiment.train.updates);
    status["status"] = before >= config.experiment.train.updates ? "finished earlier"
                       : before > 0                               ? "resumed"
                                                                  : "done";
    status["updates_done"] = result.updates_done;
    status["validation_position_rms"] = result.validation_position_rms;
    status["baseline_position_rms"] = result.baseline_position_rms;
    status["seconds"] = result.seconds;
    std::string analyzed = "not analyzed (analyze = false)";
    if (sweep.analyze) {
      phase = "analysis: ";
      // A run trained now is analyzed now; one finished earlier only if its analysis is missing.
      const bool again = before < config.experiment.train.updates || !has_analysis(dir, sweep.figures);
      if (again) analyze_run(dir, {}, sweep.figures);
      record_analysis(dir, status);
      analyzed = fmt::format("{} units per class:", again ? "analyzed," : "analysis found,");
      for (const analysis::UnitClass c : analysis::kUnitClasses) {
        const std::string name = analysis::to_string(c);
        analyzed += fmt::format(" {} {}", name, status["class_counts"].value(name, 0));
      }
    }
    report(fmt::format("[rank {}] {}: {}, {} updates, validation position error {:.4f} (centre {:.4f}); {}", rank,
                       spec.name, status["status"].get<std::string>(), result.updates_done,
                       result.validation_position_rms, result.baseline_position_rms, analyzed));
  } catch (const std::exception& e) {
    status["status"] = "failed";
    status["message"] = phase + e.what();
    report(fmt::format("[rank {}] {}: FAILED: {}{}", rank, spec.name, phase, e.what()));
  }
  io::write_file_atomic(out / "status" / (spec.name + ".json"), status.dump(2) + "\n");
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c == '\n' ? ' ' : c);
  return quoted + "\"";
}

// A number of a status file; none when absent or null (a failed run's, a NaN written as null).
std::optional<double> number_of(const json& object, const std::string& key) {
  if (!object.is_object() || !object.contains(key) || !object.at(key).is_number()) return std::nullopt;
  return object.at(key).get<double>();
}

// The same as CSV text: integers as integers, "" when there is none.
std::string csv_number(const json& object, const std::string& key, const char* format = "{:.6g}") {
  const std::optional<double> value = number_of(object, key);
  if (!value) return "";
  if (object.at(key).is_number_integer()) return std::to_string(object.at(key).get<std::int64_t>());
  return fmt::format(fmt::runtime(format), *value);
}

// The status file of every run, in sweep order (a missing or unreadable one as a failure).
std::vector<json> read_statuses(const std::vector<RunSpec>& runs, const fs::path& out) {
  std::vector<json> statuses;
  for (const auto& run : runs) {
    try {
      statuses.push_back(json::parse(io::read_file(out / "status" / (run.name + ".json"))));
    } catch (const std::exception& e) {
      statuses.push_back(json{{"status", "failed"}, {"message", std::string("no status recorded: ") + e.what()}});
    }
  }
  return statuses;
}

// summary.csv: one row per run, in sweep order, from the status files. Columns a run did not
// reach (a failed run's, or the analysis columns with analyze = false) are empty. Returns the
// failures.
std::size_t write_summary(const Sweep& sweep, const std::vector<RunSpec>& runs, const std::vector<json>& statuses,
                          const fs::path& out) {
  std::string csv = "run,status,seed";
  for (const auto& axis : sweep.grid) csv += "," + csv_field(axis.key);
  csv += ",updates_done,validation_position_rms,baseline_position_rms,error_ratio,seconds,evaluation_position_rms,units";
  for (const analysis::UnitClass c : analysis::kUnitClasses) csv += ",n_" + analysis::to_string(c);
  csv += ",percentile";
  for (const char* score : analysis::kScoreNames) csv += fmt::format(",threshold_{}", score);
  csv += ",message\n";
  std::size_t failed = 0;
  for (std::size_t r = 0; r < runs.size(); ++r) {
    const RunSpec& run = runs[r];
    const json& status = statuses[r];
    const std::string state = status.value("status", "failed");
    if (state == "failed") ++failed;
    const auto field = [&csv](const std::string& text) {  // (not "," + text: GCC 12's -Wrestrict false positive)
      csv += ',';
      csv += text;
    };
    csv += csv_field(run.name);
    field(csv_field(state));
    field(std::to_string(run.seed));
    for (const AxisValue* value : run.grid_values) field(csv_field(value->shown));
    const std::optional<double> val = number_of(status, "validation_position_rms"),
                                base = number_of(status, "baseline_position_rms");
    field(csv_number(status, "updates_done"));
    field(csv_number(status, "validation_position_rms"));
    field(csv_number(status, "baseline_position_rms"));
    field(val && base && *base > 0 ? fmt::format("{:.6g}", *val / *base) : "");
    field(csv_number(status, "seconds", "{:.3f}"));
    field(csv_number(status, "evaluation_position_rms"));
    field(csv_number(status, "units"));
    const json counts = status.value("class_counts", json::object());
    for (const analysis::UnitClass c : analysis::kUnitClasses) field(csv_number(counts, analysis::to_string(c)));
    field(csv_number(status, "percentile"));
    const json thresholds = status.value("thresholds", json::object());
    for (const char* score : analysis::kScoreNames) field(csv_number(thresholds, score));
    field(csv_field(status.value("message", "")));
    csv += '\n';
  }
  io::write_file_atomic(out / "summary.csv", csv);
  return failed;
}

// summary.png: a row per condition (seeds merged), per class and seed the units of that class,
// framed where the count is above its chance bound (analysis::chance_units: grid, hexagonal or
// square, with 2 scores; border and band with 1; ramps are not tested against a null).
void write_condition_figure(const Sweep& sweep, const std::vector<RunSpec>& runs, const std::vector<json>& statuses,
                            const fs::path& out) {
  struct Column {
    std::string label;
    std::vector<std::string> classes;
    int scores;  // 0: no chance bound
  };
  const std::vector<Column> kinds = {{"grid", {"grid_hexagonal", "grid_square"}, 2},
                                     {"border", {"border"}, 1},
                                     {"band", {"band"}, 1},
                                     {"ramp", {"ramp"}, 0}};
  const std::size_t seeds = sweep.seeds.size(), conditions = runs.size() / seeds;
  plot::ConditionTable table;
  std::vector<std::string> keys;
  for (const auto& axis : sweep.grid) keys.push_back(axis.key.substr(axis.key.rfind('.') + 1));
  table.rows_are = keys.empty() ? std::string("the sweep's one condition") : fmt::format("{}", fmt::join(keys, " · "));
  for (const auto& kind : kinds)
    for (const std::int64_t seed : sweep.seeds) table.columns.push_back(fmt::format("{} s{}", kind.label, seed));
  table.column_group = seeds;
  const auto cols = static_cast<Eigen::Index>(table.columns.size());
  table.shares = Eigen::MatrixXd::Constant(static_cast<Eigen::Index>(conditions), cols, std::nan(""));
  table.counts.assign(conditions * table.columns.size(), "–");
  table.above_chance.assign(conditions * table.columns.size(), false);
  std::string bounds;
  for (std::size_t c = 0; c < conditions; ++c) {
    std::vector<std::string> values;
    for (const AxisValue* value : runs[c * seeds].grid_values) values.push_back(value->label);
    table.conditions.push_back(values.empty() ? std::string("all runs") : fmt::format("{}", fmt::join(values, " · ")));
    for (std::size_t s = 0; s < seeds; ++s) {
      const json& status = statuses[c * seeds + s];
      const std::optional<double> units = number_of(status, "units"), percentile = number_of(status, "percentile");
      if (!units || !percentile || !status.contains("class_counts") || *units <= 0) continue;
      const auto n = static_cast<std::size_t>(*units);
      const std::array<int, 3> bound = {0, analysis::chance_units(n, *percentile, 1),
                                        analysis::chance_units(n, *percentile, 2)};  // by score count
      if (bounds.empty()) bounds = fmt::format("grid > {}, border or band > {} of {} units", bound[2], bound[1], n);
      for (std::size_t k = 0; k < kinds.size(); ++k) {
        int count = 0;
        for (const auto& name : kinds[k].classes) count += status.at("class_counts").value(name, 0);
        const std::size_t j = k * seeds + s, cell = c * table.columns.size() + j;
        table.shares(static_cast<Eigen::Index>(c), static_cast<Eigen::Index>(j)) = count / *units;
        table.counts[cell] = std::to_string(count);
        table.above_chance[cell] = kinds[k].scores > 0 && count > bound[static_cast<std::size_t>(kinds[k].scores)];
      }
    }
  }
  if (bounds.empty()) return;  // no run analyzed: nothing to show
  table.title = fmt::format("Units per class and seed; framed: above the chance bound ({})", bounds);
  plot::write_condition_table(out / "summary.png", table);
}

// Creates DIR (new, empty, or an earlier sweep's folder) with sweep.toml and status/.
void prepare_folder(const fs::path& sweep_path, const fs::path& out, std::size_t runs, std::size_t ranks,
                    const Report& report) {
  std::error_code ec;
  const bool is_sweep = fs::is_regular_file(out / "sweep.toml", ec);
  if (fs::exists(out, ec) && !fs::is_empty(out, ec) && !is_sweep) {
    throw_user_error("--out '{}' is not empty and holds no sweep (no sweep.toml); choose a new folder "
                     "or the folder of an earlier run of this sweep",
                     out.string());
  }
  fs::create_directories(out / "status", ec);
  if (ec) throw_user_error("cannot create the sweep folder '{}': {}", out.string(), ec.message());
  io::write_file_atomic(out / "sweep.toml", io::read_file(sweep_path));
  report(fmt::format("sweep of {} runs into {} over {} rank(s)", runs, out.string(), ranks));
}

}  // namespace

int run_sweep(const fs::path& sweep_path, const fs::path& out, const Report& report) {
  dist::Session& session = dist::Session::instance();
  // Sweep-file mistakes stop the sweep before anything is written (the same on every rank).
  const Sweep sweep = read_sweep(sweep_path);
  const std::vector<RunSpec> runs = expand(sweep);
  check_runs(sweep, sweep_path, runs);
  bool prepared = false;
  try {
    if (session.is_root()) prepare_folder(sweep_path, out, runs.size(), session.ranks(), report);
    prepared = true;
  } catch (...) {
    session.all(false);  // the other ranks stop too
    throw;
  }
  if (!session.all(prepared)) throw_user_error("rank 0 could not prepare the sweep folder '{}'", out.string());

  const std::size_t n = runs.size();
  if (session.ranks() == 1) {
    for (std::size_t i = 0; i < n; ++i) run_one(sweep, runs[i], out, 0, {}, report);
  } else if (session.is_root()) {
    // Rank 0 trains too, and answers the other ranks' requests between its own updates.
    std::size_t next = 0, active = session.ranks() - 1;
    const auto hand_out = [&](int to) {
      const bool more = next < n;
      session.answer(to, more ? static_cast<std::int64_t>(next++) : -1);
      if (!more) --active;
    };
    const std::function<void()> serve = [&] {
      int from = 0;
      while (session.poll_request(from)) hand_out(from);
    };
    while (true) {
      serve();
      if (next >= n) break;
      const std::size_t mine = next++;
      run_one(sweep, runs[mine], out, 0, serve, report);
    }
    while (active > 0) hand_out(session.wait_request());
  } else {
    for (std::int64_t i = session.request_index(); i >= 0; i = session.request_index())
      run_one(sweep, runs[static_cast<std::size_t>(i)], out, session.rank(), {}, report);
  }
  session.barrier();
  std::size_t failed = 0;
  if (session.is_root()) {
    const std::vector<json> statuses = read_statuses(runs, out);
    failed = write_summary(sweep, runs, statuses, out);
    if (sweep.analyze) write_condition_figure(sweep, runs, statuses, out);
    report(fmt::format("sweep done: {} of {} runs ok, {} failed; summary in {}", n - failed, n, failed,
                       (out / "summary.csv").string()));
  }
  const bool any_failed = session.any(failed > 0);
  session.finalize();
  return any_failed ? 1 : 0;
}

}  // namespace gridrnn::runs

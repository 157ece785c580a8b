// The reproduction's folder, figures and results.md (runs/reproduce_results.hpp).
#include "gridrnn/runs/reproduce_results.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "gridrnn/core/error.hpp"
#include "gridrnn/io/files.hpp"
#include "gridrnn/plot/canvas.hpp"
#include "gridrnn/plot/figures.hpp"
#include "gridrnn/runs/run_config.hpp"
#include "gridrnn/train/trainer.hpp"

namespace gridrnn::runs {
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr int kFormatVersion = 1;

int count(const RunOutcome& o, analysis::UnitClass c) { return o.counts[static_cast<std::size_t>(c)]; }
int grid_count(const RunOutcome& o) {
  return count(o, analysis::UnitClass::kGridHexagonal) + count(o, analysis::UnitClass::kGridSquare);
}
std::string num(double v, int digits = 3) { return std::isfinite(v) ? fmt::format("{:.{}g}", v, digits) : "n/a"; }

std::string class_header() {
  std::string h = "| run | arena | condition | seed |";
  std::string rule = "|---|---|---|---|";
  for (analysis::UnitClass c : analysis::kUnitClasses) {
    h += fmt::format(" {} |", analysis::to_string(c));
    rule += "---|";
  }
  return fmt::format("{} error ratio | train s | analysis s |\n{}---|---|---|\n", h, rule);
}

std::string class_row(const RunOutcome& o) {
  std::string row = fmt::format("| {} | {} | {} | {} |", o.plan.name, o.plan.arena, o.plan.condition, o.plan.seed);
  for (analysis::UnitClass c : analysis::kUnitClasses) row += fmt::format(" {} |", count(o, c));
  return row + fmt::format(" {} | {:.0f} | {:.0f} |\n", num(o.validation_rms / o.baseline_rms), o.train_seconds,
                           o.analysis_seconds);
}

struct Verdict {
  std::string question, verdict, evidence;
};

// RQ4: border units reach 90% of their final score before grid units; testable only when the
// run has more border and more grid units than chance (else the medians are over noise).
Verdict development_verdict(const Development& d, const RunOutcome* full, double percentile) {
  std::string rq4;
  const bool classes_real = full && d.border_units > static_cast<std::size_t>(analysis::chance_units(full->units, percentile, 1)) &&
                            d.grid_units > static_cast<std::size_t>(analysis::chance_units(full->units, percentile, 2));
  if (!classes_real) rq4 = "not testable here (no more border and grid units than chance in square_seed1)";
  else if (d.border_90 && d.grid_90) rq4 = *d.border_90 < *d.grid_90 ? "reproduced" : "not reproduced";
  else rq4 = "not testable here (no 90% update for border or grid units)";
  return {"RQ4 border units develop early, grid units late", rq4,
          fmt::format("median update reaching 90% of the final score: border units {} (n = {}), grid units {} "
                      "(n = {}); population means: border {}, grid {}",
                      update_text(d.border_90), d.border_units, update_text(d.grid_90), d.grid_units,
                      update_text(d.border_mean_90), update_text(d.grid_mean_90))};
}

// RQ5: accurate on a path 10^4 x longer (below the constant in >= 99% of windows), and the error
// grows with the time since the last wall contact.
Verdict error_verdict(const ErrorCorrection& e) {
  double first = std::nan(""), last = std::nan("");
  for (std::size_t k = 0; k < e.since_contact_mse.size(); ++k) {
    if (e.since_contact_counts[k] < 100) continue;
    if (!std::isfinite(first)) first = e.since_contact_mse[k];
    last = e.since_contact_mse[k];
  }
  const bool accurate = e.windows_below_constant >= 0.99;
  const bool grows = std::isfinite(first) && last > first;
  return {"RQ5 boundary interactions correct errors on long paths",
          accurate && grows ? "reproduced" : accurate || grows ? "partly" : "not reproduced",
          fmt::format("{} steps: network below the best constant in {:.1f}% of {}-step windows (mean squared "
                      "error first window {}, last {}, constant {}; trend {} per window); error right after a "
                      "wall contact {} vs {} at the longest populated time since contact",
                      e.steps, 100 * e.windows_below_constant, e.window, num(e.first_window_mse),
                      num(e.last_window_mse), num(e.mean_constant_mse), num(e.trend_per_window), num(first),
                      num(last))};
}

// Fixed rules from the numbers (stated in results.md); no human judgement enters them.
std::vector<Verdict> verdicts(const std::vector<RunOutcome>& runs, const std::optional<Development>& development,
                              const std::optional<ErrorCorrection>& errors, double percentile) {
  std::vector<Verdict> v;
  auto find = [&](const std::string& name) -> const RunOutcome* {
    for (const auto& r : runs)
      if (r.plan.name == name) return &r;
    return nullptr;
  };
  // RQ1: grid units in every arena; hexagon/triangle more hexagonal than square lattices.
  // A run shows grid units only when it has more than chance would give (chance_units).
  int arenas_with_grids = 0, total_grids = 0, arenas_run = 0;
  std::vector<std::string> evidence;
  for (const char* arena : {"square", "hexagon", "triangle"}) {
    int grids = 0, hex = 0, sq = 0, above_chance = 0, chance = 0, arena_runs = 0;
    for (const auto& r : runs) {
      if (r.plan.group != "arena" || r.plan.arena != arena) continue;
      ++arena_runs;
      grids += grid_count(r);
      hex += count(r, analysis::UnitClass::kGridHexagonal);
      sq += count(r, analysis::UnitClass::kGridSquare);
      chance = analysis::chance_units(r.units, percentile, 2);
      above_chance += grid_count(r) > chance ? 1 : 0;
    }
    if (arena_runs == 0) {
      evidence.push_back(fmt::format("{}: not run", arena));
      continue;
    }
    ++arenas_run;
    arenas_with_grids += above_chance > 0 ? 1 : 0;
    total_grids += above_chance > 0 ? grids : 0;
    evidence.push_back(fmt::format("{}: {} grid units ({} hexagonal, {} square; chance level per run <= {})", arena,
                                   grids, hex, sq, chance));
  }
  v.push_back({"RQ1 grid-like units emerge, lattice by arena",
               arenas_run == 0          ? "not run"
               : arenas_with_grids == 3 ? "reproduced"
               : total_grids > 0        ? "partly"
               : arenas_run < 3         ? "not reproduced in the arenas run"
                                        : "not reproduced",
               fmt::format("{}", fmt::join(evidence, "; "))});
  // RQ2: border and band units (full model, square seeds).
  int border = 0, band = 0, ramp = 0, border_runs = 0, band_runs = 0, arena_runs = 0, chance = 0;
  for (const auto& r : runs) {
    if (r.plan.group != "arena") continue;
    ++arena_runs;
    chance = analysis::chance_units(r.units, percentile, 1);
    border += count(r, analysis::UnitClass::kBorder);
    band += count(r, analysis::UnitClass::kBand);
    ramp += count(r, analysis::UnitClass::kRamp);
    border_runs += count(r, analysis::UnitClass::kBorder) > chance ? 1 : 0;
    band_runs += count(r, analysis::UnitClass::kBand) > chance ? 1 : 0;
  }
  v.push_back({"RQ2 border and band units emerge",
               arena_runs == 0                     ? "not run"
               : border_runs > 0 && band_runs > 0 ? "reproduced"
               : border_runs + band_runs > 0      ? "partly"
                                                  : "not reproduced",
               fmt::format("arena runs: {} border, {} band units in all ({} ramps: planar codes, not bands); runs above "
                           "chance (> {} units): border {} of {}, band {} of {}",
                           border, band, ramp, chance, border_runs, arena_runs, band_runs, arena_runs)});
  // RQ3: grids only with all three ingredients; without the metabolic cost mostly border units.
  const RunOutcome* full = find("square_seed1");
  const RunOutcome* no_noise = find("no_noise_seed1");
  const RunOutcome* no_still = find("no_still_seed1");
  const RunOutcome* no_metabolic = find("no_metabolic_seed1");
  if (full && no_noise && no_still && no_metabolic) {
    const auto above_chance = [&](const RunOutcome& r) { return grid_count(r) > analysis::chance_units(r.units, percentile, 2); };
    const bool grids_full = above_chance(*full);
    const bool none_without = !above_chance(*no_noise) && !above_chance(*no_still) && !above_chance(*no_metabolic);
    const bool border_up = count(*no_metabolic, analysis::UnitClass::kBorder) * 2 > static_cast<int>(no_metabolic->units);
    v.push_back({"RQ3 grids need noise, zero-speed periods and the metabolic cost",
                 !grids_full               ? "not reproduced (no more grid units than chance in the full model)"
                 : none_without && border_up ? "reproduced"
                                             : "partly",
                 fmt::format("grid units: full {}, no noise {}, no zero-speed {}, no metabolic {}; border units "
                             "without metabolic cost {} of {}",
                             grid_count(*full), grid_count(*no_noise), grid_count(*no_still), grid_count(*no_metabolic),
                             count(*no_metabolic, analysis::UnitClass::kBorder), no_metabolic->units)});
  } else {
    v.push_back({"RQ3 grids need noise, zero-speed periods and the metabolic cost", "not run",
                 "needs square_seed1, no_noise_seed1, no_still_seed1 and no_metabolic_seed1"});
  }
  const std::string not_run = fmt::format("{} was not run (--only)", kDevelopmentRun);
  v.push_back(development ? development_verdict(*development, full, percentile)
                          : Verdict{"RQ4 border units develop early, grid units late", "not run", not_run});
  v.push_back(errors ? error_verdict(*errors)
                     : Verdict{"RQ5 boundary interactions correct errors on long paths", "not run", not_run});
  return v;
}

}  // namespace

void check_plan_and_folder(const fs::path& out, const ReproducePlan& plan) {
  for (const PlannedRun& r : plan.runs) {
    const RunConfig config = read_run_config("", r.overrides);
    check_analysis_fits(config, fmt::format("with --set (run {})", r.name));
    if (r.name == kDevelopmentRun) {
      const auto& t = config.experiment.train;
      if (t.snapshot_every < 1 || t.snapshot_every >= t.updates) {
        throw_user_error("the development analysis of {} needs a snapshot before the end: train.snapshot_every = "
                         "{} with train.updates = {}; allowed: 1 <= snapshot_every < updates (set both with --set)",
                         r.name, t.snapshot_every, t.updates);
      }
    }
  }
  std::error_code ec;
  const fs::path marker = out / "reproduce.json";
  if (!fs::exists(out, ec) || fs::is_empty(out, ec)) return;
  if (!fs::is_regular_file(marker, ec)) {
    throw_user_error("--out '{}' is not empty and holds no reproduction (no reproduce.json); choose a new "
                     "folder or the folder of an earlier `gridrnn reproduce`",
                     out.string());
  }
  const json earlier = json::parse(io::read_file(marker), nullptr, false);
  if (earlier.is_discarded() || earlier.value("quick", !plan.quick) != plan.quick) {
    throw_user_error("--out '{}' holds a reproduction at the other scale ({}); use another folder",
                     out.string(), plan.quick ? "the full run" : "--quick");
  }
  const json runs = earlier.value("runs", json::array());
  for (const PlannedRun& r : plan.runs) {
    const fs::path dir = out / "runs" / r.name;
    if (fs::exists(dir, ec) && !fs::is_empty(dir, ec) && !train::is_run_folder(dir)) {
      throw_user_error("'{}' exists but is not a gridrnn run folder; remove it to rerun this run", dir.string());
    }
    for (const json& e : runs) {
      if (e.value("name", "") != r.name) continue;
      const auto before = e.value("overrides", std::vector<std::string>{});
      if (before != r.overrides) {
        throw_user_error("--out '{}' was made with other settings: run {} had [{}], this invocation asks for [{}]; "
                         "rerun with the --set values it was made with (reproduce.json lists every run's), "
                         "or choose another --out",
                         out.string(), r.name, fmt::join(before, ", "), fmt::join(r.overrides, ", "));
      }
    }
  }
}

// Creates the folder (checked by check_plan_and_folder) and its reproduce.json.
void prepare_folder(const fs::path& out, const ReproducePlan& plan) {
  std::error_code ec;
  fs::create_directories(out / "runs", ec);
  fs::create_directories(out / "figures", ec);
  if (ec) throw_user_error("cannot create '{}': {}", out.string(), ec.message());
  json j = {{"format_version", kFormatVersion}, {"quick", plan.quick}, {"scale", plan.scale},
            {"departures", plan.departures}, {"choices", plan.choices}};
  json runs = json::array();
  for (const PlannedRun& r : plan.runs) runs.push_back({{"name", r.name}, {"overrides", r.overrides}});
  // Runs an earlier invocation did and this one leaves out (--only) keep their entries.
  const fs::path marker = out / "reproduce.json";
  if (fs::is_regular_file(marker, ec)) {
    for (const json& e : json::parse(io::read_file(marker)).value("runs", json::array())) {
      const std::string name = e.value("name", "");
      if (std::none_of(plan.runs.begin(), plan.runs.end(), [&](const PlannedRun& r) { return r.name == name; }))
        runs.push_back(e);
    }
  }
  j["runs"] = runs;
  io::write_file_atomic(out / "reproduce.json", j.dump(2) + "\n");
}

RunOutcome train_and_analyze(const fs::path& out, const PlannedRun& planned, AnalyzedRun& analyzed,
                              const std::function<void(const std::string& state)>& starting) {
  const fs::path dir = out / "runs" / planned.name;
  const RunConfig saved = open_or_create_run(dir, "", planned.overrides);
  train::Trainer trainer(dir, saved.experiment);
  const std::int64_t before = trainer.updates_done();
  if (starting)
    starting(before >= saved.experiment.train.updates ? "trained earlier" : before > 0 ? "resuming" : "training");
  const train::TrainResult trained = trainer.run(saved.experiment.train.updates);
  analyzed = analyze_run(dir, {}, /*figures=*/true);

  RunOutcome o;
  o.plan = planned;
  o.counts = analyzed.population.class_counts;
  o.units = analyzed.population.units.size();
  o.validation_rms = trained.validation_position_rms;
  o.baseline_rms = trained.baseline_position_rms;
  o.updates = trained.updates_done;
  // Training time of the whole run (all sessions, also when trained by an earlier invocation):
  // the sum of metrics.jsonl's per-update seconds.
  o.train_seconds = training_seconds(dir);
  o.analysis_seconds = analyzed.seconds_network + analyzed.seconds_analysis + analyzed.seconds_files;
  double speed = 0, mvl = 0, border_speed = 0;
  std::size_t passes = 0, border_units = 0;
  for (const auto& u : analyzed.population.units) {
    speed += std::abs(u.speed_r);
    mvl += u.score.direction_mvl;
    passes += u.passes.speed_abs_r > 0 ? 1 : 0;
    if (u.unit_class == analysis::UnitClass::kBorder) {
      border_speed += std::abs(u.speed_r);
      ++border_units;
    }
  }
  const double n = static_cast<double>(std::max<std::size_t>(o.units, 1));
  o.mean_abs_speed_r = speed / n;
  o.mean_direction_mvl = mvl / n;
  o.speed_pass_fraction = static_cast<double>(passes) / n;
  o.border_speed_abs_r = border_units > 0 ? border_speed / static_cast<double>(border_units) : std::nan("");
  o.thresholds = analyzed.population.thresholds;
  o.percentile = analyzed.population.options.percentile;
  o.report = dir / "report.html";
  return o;
}

std::string update_text(const std::optional<std::int64_t>& u) { return u ? std::to_string(*u) : "n/a"; }


// ---- figures ---------------------------------------------------------------------------------------

void write_development_figure(const fs::path& path, const Development& d) {
  plot::Figure figure(760, 320, 1, 2);
  figure.set_title("Development along training (square, seed 1)");
  const std::size_t K = d.updates.size(), N = d.final_class.size();
  std::vector<double> x(d.updates.begin(), d.updates.end());
  auto mean_of = [&](const std::vector<std::vector<double>>& scores, auto&& keep) {
    std::vector<double> mean(K, std::nan(""));
    for (std::size_t k = 0; k < K; ++k) {
      double sum = 0;
      std::size_t used = 0;
      for (std::size_t n = 0; n < N; ++n) {
        if (keep(n) && std::isfinite(scores[k][n])) {
          sum += scores[k][n];
          ++used;
        }
      }
      if (used > 0) mean[k] = sum / static_cast<double>(used);
    }
    return mean;
  };
  auto is = [&](const char* prefix) { return [&, prefix](std::size_t n) { return d.final_class[n].rfind(prefix, 0) == 0; }; };
  auto all = [](std::size_t) { return true; };
  plot::AxesStyle style;
  style.x_label = "update";
  style.y_label = "border score";
  figure.lines(0, 0, plot::PanelHeader("border score"),
               {{fmt::format("final border units ({})", d.border_units), x, mean_of(d.border, is("border")),
                 plot::category_color(1), plot::Series::Style::kLineAndMarkers},
                {"all units", x, mean_of(d.border, all), plot::kBlack, plot::Series::Style::kDashed}},
               style);
  style.y_label = "grid score (60°, or 90° for square grids)";
  figure.lines(0, 1, plot::PanelHeader("grid score"),
               {{fmt::format("final grid units ({})", d.grid_units), x, mean_of(d.grid, is("grid")),
                 plot::category_color(0), plot::Series::Style::kLineAndMarkers},
                {"all units", x, mean_of(d.grid, all), plot::kBlack, plot::Series::Style::kDashed}},
               style);
  figure.save(path);
}

void write_tsne_figure(const fs::path& path, const Development& d) {
  plot::Figure figure(760, 380, 1, 2);
  figure.set_title("t-SNE of rate maps (distance 1 - r), square, seed 1");
  const std::size_t N = d.final_class.size();
  std::vector<plot::Series> by_stage, by_class;
  const std::array<const char*, 3> stage_names = {"early", "intermediate", "late"};
  for (std::size_t s = 0; s < 3; ++s) {
    plot::Series series{fmt::format("{} (update {})", stage_names[s], d.tsne_updates[s]), {}, {},
                        plot::category_color(static_cast<int>(s) + 3), plot::Series::Style::kMarkers};
    for (std::size_t n = 0; n < N; ++n) {
      series.x.push_back(d.tsne[2 * (s * N + n)]);
      series.y.push_back(d.tsne[2 * (s * N + n) + 1]);
    }
    by_stage.push_back(std::move(series));
  }
  std::map<std::string, plot::Series> classes;
  for (std::size_t s = 0; s < 3; ++s) {
    for (std::size_t n = 0; n < N; ++n) {
      const std::string& c = d.final_class[n];
      auto [it, fresh] = classes.try_emplace(c);
      if (fresh) {
        it->second.label = "final " + c;
        it->second.color = plot::class_color(c, plot::kDefaultClassOrder);
        it->second.style = plot::Series::Style::kMarkers;
      }
      it->second.x.push_back(d.tsne[2 * (s * N + n)]);
      it->second.y.push_back(d.tsne[2 * (s * N + n) + 1]);
    }
  }
  for (auto& [name, series] : classes) by_class.push_back(std::move(series));
  plot::AxesStyle style;
  style.x_label = "t-SNE 1";
  style.y_label = "t-SNE 2";
  style.pad_x = true;
  figure.lines(0, 0, plot::PanelHeader("by training stage"), std::move(by_stage), style);
  figure.lines(0, 1, plot::PanelHeader("by the unit's final class (all stages)"), std::move(by_class), style);
  figure.save(path);
}

void write_error_figure(const fs::path& path, const ErrorCorrection& e) {
  plot::Figure figure(760, 320, 1, 2);
  figure.set_title(fmt::format("Error correction on one path of {} steps (square, seed 1)", e.steps));
  std::vector<double> w(e.network_mse.size());
  for (std::size_t k = 0; k < w.size(); ++k) w[k] = static_cast<double>(k + 1);
  plot::AxesStyle style;
  style.x_label = fmt::format("window of {} steps", e.window);
  style.y_label = "mean squared error (arena units²)";
  style.log_y = true;
  figure.lines(0, 0, plot::PanelHeader("squared error per window"),
               {{"network", w, e.network_mse, plot::category_color(0), plot::Series::Style::kLine},
                {"best constant output", w, e.constant_mse, plot::kBlack, plot::Series::Style::kDashed}},
               style);
  std::vector<double> x, y;
  for (std::size_t k = 0; k + 1 < e.since_contact_edges.size(); ++k) {
    if (e.since_contact_counts[k] == 0) continue;
    x.push_back(std::log10(std::sqrt(e.since_contact_edges[k] * e.since_contact_edges[k + 1])));
    y.push_back(e.since_contact_mse[k]);
  }
  style.x_label = "log10(steps since the last wall contact)";
  style.pad_x = true;
  figure.lines(0, 1, plot::PanelHeader("error vs time since a wall contact"),
               {{"network", x, y, plot::category_color(0), plot::Series::Style::kLineAndMarkers}}, style);
  figure.save(path);
}

// ---- results.md ----------------------------------------------------------------------------------

namespace {

std::string development_section(const Development& d) {
  std::string md;
  md += fmt::format("Snapshots at updates {}; t-SNE stages at updates {}, {}, {}.\n\n",
                    fmt::join(d.updates, ", "), d.tsne_updates[0], d.tsne_updates[1], d.tsne_updates[2]);
  md += "| units | n | median update reaching 90% of the final score | same for the population mean |\n|---|---|---|---|\n";
  md += fmt::format("| border | {} | {} | {} |\n", d.border_units, update_text(d.border_90), update_text(d.border_mean_90));
  md += fmt::format("| grid | {} | {} | {} |\n\n", d.grid_units, update_text(d.grid_90), update_text(d.grid_mean_90));
  md += "90% rule: the first snapshot from which the score stays at or above 0.9 x its final value.\n\n"
        "![development](figures/development.png)\n\n![t-SNE](figures/tsne.png)\n\n";
  return md;
}

std::string error_section(const ReproducePlan& plan, const ErrorCorrection& e) {
  std::string md;
  md += fmt::format("One path of {} steps ({} x the training "
                    "length), windows of {} steps; wall contact = within {} (the longest step) of a wall.\n\n",
                    e.steps, plan.long_path_factor, e.window, num(e.contact_distance));
  md += "| windows | network below constant | MSE first window | MSE last window | constant MSE (mean) | trend per window |\n"
        "|---|---|---|---|---|---|\n";
  md += fmt::format("| {} | {:.1f}% | {} | {} | {} | {} |\n\n", e.network_mse.size(), 100 * e.windows_below_constant,
                    num(e.first_window_mse), num(e.last_window_mse), num(e.mean_constant_mse), num(e.trend_per_window));
  md += "![error correction](figures/error_correction.png)\n\n";
  return md;
}

}  // namespace

std::string results_markdown(const ReproducePlan& plan, const std::vector<RunOutcome>& runs,
                             const std::optional<Development>& development, const std::optional<ErrorCorrection>& errors,
                             double total_seconds, int threads) {
  std::string md = fmt::format("# gridrnn reproduce{}: results\n\n", plan.quick ? " --quick" : "");
  md += fmt::format("Written by `gridrnn reproduce{} --out DIR` ({} thread(s), {:.1f} min in all for this "
                    "invocation). Scale: {}.\n\n",
                    plan.quick ? " --quick" : "", threads, total_seconds / 60.0,
                    plan.quick ? "reduced (--quick)" : "the paper's");
  if (!plan.left_out.empty()) {
    std::vector<std::string> done;
    for (const auto& r : runs) done.push_back(r.plan.name);
    md += fmt::format("Only part of the plan was run (--only {}): not run here {}. The verdicts that need a run not "
                      "done say \"not run\".\n\n",
                      fmt::join(done, " --only "), fmt::join(plan.left_out, ", "));
  }
  md += "Departures from the paper at this scale:\n";
  for (const auto& line : plan.departures) md += fmt::format("- {}\n", line);
  md += "\nChoices where the paper is silent, with their evidence:\n";
  for (const auto& line : plan.choices) md += fmt::format("- {}\n", line);
  md += "\nEvery threshold comes from shuffle nulls (95th percentile of the pooled circular shifts, per score); "
        "class precedence and the `ramp` class (band-passing maps that a plane explains as well: linear codes) "
        "are defined in docs/design.md.\n\n";
  md += "## Counts per class (paper Fig. 2 and Fig. 5)\n\n";
  md += class_header();
  for (const auto& r : runs) md += class_row(r);
  md += "\nerror ratio = validation position RMS / RMS of always answering the arena centre. Thresholds of " +
        fmt::format("{}: grid60 {}, grid90 {}, border {}, band {}, direction MVL {}, |speed r| {}.\n\n",
                    runs.front().plan.name,
                    num(runs.front().thresholds.grid_60), num(runs.front().thresholds.grid_90),
                    num(runs.front().thresholds.border), num(runs.front().thresholds.band),
                    num(runs.front().thresholds.direction_mvl), num(runs.front().thresholds.speed_abs_r));
  md += "Rate maps (paper Fig. 2): ";
  for (const auto& r : runs) md += fmt::format("[{}](runs/{}/figures/rate_maps.png) ", r.plan.name, r.plan.name);
  md += "\n\n## Direction and speed tuning (paper Fig. 3)\n\n"
        "| run | mean abs speed r | units passing speed | abs speed r of border units | mean direction MVL |\n"
        "|---|---|---|---|---|\n";
  for (const auto& r : runs)
    md += fmt::format("| {} | {} | {:.0f}% | {} | {} |\n", r.plan.name, num(r.mean_abs_speed_r),
                      100 * r.speed_pass_fraction, num(r.border_speed_abs_r), num(r.mean_direction_mvl));
  md += "\nPer-unit figures: runs/<run>/figures/direction_tuning.png and speed_tuning.png.\n\n";
  md += "## Development (paper Fig. 4), square seed 1\n\n";
  const std::string not_run = fmt::format("Not run: {} is not among the runs done (--only).\n\n", kDevelopmentRun);
  md += development ? development_section(*development) : not_run;
  md += "## Error correction (paper Fig. 6), square seed 1\n\n";
  md += errors ? error_section(plan, *errors) : not_run;
  md += "## Verdicts (fixed rules, see below)\n\n| question | verdict | evidence |\n|---|---|---|\n";
  for (const Verdict& v : verdicts(runs, development, errors, runs.front().percentile)) md += fmt::format("| {} | {} | {} |\n", v.question, v.verdict, v.evidence);
  md += "\nRules: RQ1 reproduced if every arena has more grid units than chance (the 99th percentile of "
        "Binomial(N, 2 (1 - percentile/100)): units without spatial structure passing a grid score) (partly: "
        "some arenas); RQ2 if some run has more border units than chance (Binomial(N, 1 - percentile/100)) and "
        "some run more band units (partly: one kind); RQ3 if the full model has more grid units than chance, no ablation has and without "
        "the metabolic cost most units are border units; RQ4 if square_seed1 has more border and grid units than chance and the median border unit "
        "reaches 90% of its final score before the median grid unit; RQ5 if the network beats the best constant output in "
        ">= 99% of windows and the error right after a wall contact is below the error long after one.\n\n";
  md += "## Wall-clock time\n\n| run | train s | analysis s |\n|---|---|---|\n";
  for (const auto& r : runs) md += fmt::format("| {} | {:.0f} | {:.0f} |\n", r.plan.name, r.train_seconds, r.analysis_seconds);
  if (development) md += fmt::format("| development (all snapshots) | | {:.0f} |\n", development->seconds);
  if (errors) md += fmt::format("| error correction | | {:.0f} |\n", errors->seconds);
  md += "\nTraining seconds are the sum of each run's per-update times (metrics.jsonl), also for runs trained by "
        "an earlier invocation on this folder.\n";
  return md;
}

}  // namespace gridrnn::runs

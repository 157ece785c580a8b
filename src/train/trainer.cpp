#include "gridrnn/train/trainer.hpp"

#include <chrono>
#include <cmath>
#include <fstream>
#include <numbers>
#include <optional>
#include <tuple>
#include <utility>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "gridrnn/core/error.hpp"
#include "gridrnn/core/progress.hpp"
#include "gridrnn/io/config.hpp"
#include "gridrnn/io/files.hpp"
#include "gridrnn/io/npy.hpp"
#include "gridrnn/model/network_io.hpp"
#include "gridrnn/model/noise.hpp"
#include "gridrnn/model/objective.hpp"
#include "gridrnn/train/checkpoint.hpp"
#include "gridrnn/train/place_centres.hpp"

namespace gridrnn::train {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// The validation set's noise is keyed like an update whose index no run reaches.
constexpr std::uint64_t kValidationNoiseIndex = ~std::uint64_t{0};

std::vector<float> start_positions(const trajectory::Batch& batch) {
  std::vector<float> starts(batch.trials * 2);  // (B, 2) = positions[0]
  for (std::size_t i = 0; i < starts.size(); ++i) starts[i] = static_cast<float>(batch.positions[i]);
  return starts;
}

// (T, B) headings h[t] for a head-direction head, wrapped to [-pi, pi] before the cast to float
// (the batch's are unwrapped and may drift far from 0, where float keeps fewer digits).
std::vector<float> headings_of(const trajectory::Batch& batch) {
  std::vector<float> headings(batch.headings.size());
  for (std::size_t i = 0; i < headings.size(); ++i)
    headings[i] = static_cast<float>(std::remainder(batch.headings[i], 2.0 * std::numbers::pi));
  return headings;
}

model::MinibatchView view_of(const trajectory::Batch& batch, const std::vector<float>& starts,
                             const std::vector<float>& headings, std::uint64_t seed,
                             std::uint64_t update_index) {
  model::MinibatchView view;
  view.steps = batch.steps;
  view.trials = batch.trials;
  view.inputs = batch.inputs;
  view.targets = batch.targets;
  view.starts = starts;
  view.headings = headings;
  view.noise_seed = seed;
  view.update_index = update_index;
  return view;
}

json run_marker() {
  return json{{"format", "gridrnn-run"}, {"format_version", kRunFormatVersion},
              {"gridrnn_version", GRIDRNN_VERSION}};
}

double finite_or_null_guard(double v) { return std::isfinite(v) ? v : -1.0; }

json number_or_null(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

// The experiment with its place-cell centres, when it has a place head and the caller gave none:
// a pure function of the arena, readout.place and train.seed, so a resumed run (whose experiment
// comes from config.toml) gets the same centres as the run it continues.
Experiment with_place_centres(Experiment e) {
  auto& readout = e.model.readout;
  if (readout.place && readout.place_centres.empty())
    readout.place_centres = place_centres(e.arena, readout.place_head, e.train.seed);
  return e;
}

// The run's config.toml. Centres read from a file are the run's own from then on: its config.toml
// names the copy the run saves (network/place_centres.npy, relative to the run folder, where a
// resume reads its config), so the run does not depend on the file it started from.
std::string run_config_toml(const Experiment& e, const std::string& config_toml) {
  const auto& readout = e.model.readout;
  if (!readout.place || readout.place_head.centres != model::CentreLayout::kFile) return config_toml;
  io::ConfigReader reader = io::ConfigReader::from_string(config_toml, "config.toml");
  reader.apply_override(fmt::format("readout.place.centres_file=\"network/{}\"", model::kPlaceCentresFile));
  return reader.to_toml() + "\n";
}

}  // namespace

bool is_run_folder(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_regular_file(dir / "run.json", ec)) return false;
  try {
    const json marker = json::parse(io::read_file(dir / "run.json"));
    return marker.value("format", "") == "gridrnn-run";
  } catch (const std::exception&) {
    return false;
  }
}

struct Trainer::Impl {
  fs::path run_dir;
  Experiment experiment;
  Eigen::VectorXd theta;
  std::int64_t updates_done = 0;
  model::CtrnnObjective objective;
  std::optional<model::CtrnnObjective> validation_objective;
  std::optional<optim::HessianFree> hessian_free;
  std::optional<optim::Adam> adam;
  trajectory::Batch batch;
  std::vector<float> starts, headings;
  trajectory::Batch validation_batch;
  std::vector<float> validation_starts, validation_headings;
  double baseline_rms = 0;
  // The noise stream the run trains with (model/noise.hpp): this build's for a new run, the
  // checkpoint's for one it continues (1 where the checkpoint predates the record).
  int noise_stream = model::kNoiseStreamVersion;
  TrainerHooks hooks;

  Impl(fs::path dir, Experiment e, TrainerHooks h = {})
      : run_dir(std::move(dir)), experiment(with_place_centres(std::move(e))),
        objective(experiment.model, experiment.loss), hooks(std::move(h)) {
    if (hooks.exchange.ranks > 1) objective.set_chunk_exchange(hooks.exchange);
  }

  Checkpoint checkpoint() const {
    Checkpoint c;
    c.updates_done = updates_done;
    c.optimizer = optimizer_name(experiment.train.optimizer);
    c.theta = theta;
    // The seed the run trains with, in two exact halves (a double holds 53 bits): a resume
    // refuses a config.toml whose train.seed was edited (another validation set and paths).
    c.scalars["train_seed_high"] = static_cast<double>(experiment.train.seed >> 32);
    c.scalars["train_seed_low"] = static_cast<double>(experiment.train.seed & 0xffffffffu);
    c.scalars["noise_stream"] = noise_stream;
    if (hessian_free) {
      c.scalars["lambda"] = hessian_free->state().lambda;
      c.scalars["updates"] = static_cast<double>(hessian_free->state().updates);
      c.vectors["previous_solution"] = hessian_free->state().previous_solution;
    } else {
      c.scalars["updates"] = static_cast<double>(adam->state().updates);
      c.vectors["first_moment"] = adam->state().first_moment;
      c.vectors["second_moment"] = adam->state().second_moment;
    }
    return c;
  }

  void restore(const Checkpoint& c) {
    const auto expected = optimizer_name(experiment.train.optimizer);
    if (c.optimizer != expected) {
      throw_user_error("checkpoint in '{}' was written by the {} optimizer but config.toml asks "
                       "for {}; restore the run's config.toml",
                       run_dir.string(), c.optimizer, expected);
    }
    if (static_cast<std::size_t>(c.theta.size()) != objective.num_parameters()) {
      throw_user_error("checkpoint in '{}' holds {} parameters but the network of config.toml "
                       "has {}; restore the run's config.toml",
                       run_dir.string(), c.theta.size(), objective.num_parameters());
    }
    const auto high = c.scalars.find("train_seed_high"), low = c.scalars.find("train_seed_low");
    if (high != c.scalars.end() && low != c.scalars.end()) {  // absent in older checkpoints
      const std::uint64_t trained = (static_cast<std::uint64_t>(high->second) << 32) |
                                    static_cast<std::uint64_t>(low->second);
      if (trained != experiment.train.seed) {
        throw_user_error("config.toml in '{}' has train.seed = {}, but the run was trained with "
                         "train.seed = {} (checkpoint.bin): the seed keys the validation set and "
                         "every training path, so a resumed run cannot change it; restore "
                         "train.seed = {} in config.toml, or start a new run with --out",
                         run_dir.string(), experiment.train.seed, trained, trained);
      }
    }
    const auto stream = c.scalars.find("noise_stream");
    noise_stream = stream == c.scalars.end() ? 1 : static_cast<int>(stream->second);
    const auto scalar = [&](const char* name) {
      const auto it = c.scalars.find(name);
      if (it == c.scalars.end()) {
        throw_user_error("checkpoint in '{}' lacks the optimizer value '{}'", run_dir.string(), name);
      }
      return it->second;
    };
    const auto vector = [&](const char* name) {
      const auto it = c.vectors.find(name);
      if (it == c.vectors.end()) {
        throw_user_error("checkpoint in '{}' lacks the optimizer vector '{}'", run_dir.string(), name);
      }
      return it->second;
    };
    theta = c.theta;
    updates_done = c.updates_done;
    if (hessian_free) {
      hessian_free->state().lambda = scalar("lambda");
      hessian_free->state().updates = static_cast<std::int64_t>(scalar("updates"));
      hessian_free->state().previous_solution = vector("previous_solution");
    } else {
      adam->state().updates = static_cast<std::int64_t>(scalar("updates"));
      adam->state().first_moment = vector("first_moment");
      adam->state().second_moment = vector("second_moment");
    }
  }

  bool rebuilt_network = false;

  void save_state() {
    if (!hooks.write_files) return;
    write_checkpoint(run_dir / "checkpoint.bin", checkpoint());
    model::save_network(run_dir / "network", experiment.model, theta,
                        trajectory::encoding_name(experiment.task.encoding));
  }

  // Keeps the metrics lines of updates 1..updates_done (a resumed run rewrites the rest).
  void trim_metrics() {
    const fs::path path = run_dir / "metrics.jsonl";
    std::error_code ec;
    if (!fs::exists(path, ec)) return;
    std::istringstream in(io::read_file(path));
    std::string kept;
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      try {
        if (json::parse(line).value("update", std::int64_t{0}) > updates_done) continue;
      } catch (const std::exception&) {
        continue;  // a line cut by a crash
      }
      kept += line + "\n";
    }
    io::write_file_atomic(path, kept);
  }

  void prepare_validation() {
    if (validation_objective) return;
    const auto& e = experiment;
    trajectory::generate_batch(validation_batch, e.arena, e.motion, e.task.encoding, e.train.seed,
                               0, static_cast<std::size_t>(e.task.validation_trials),
                               static_cast<std::size_t>(e.task.steps), Stream::kValidation);
    validation_starts = start_positions(validation_batch);
    validation_headings = headings_of(validation_batch);
    validation_objective.emplace(e.model, e.loss);
    if (hooks.exchange.ranks > 1) validation_objective->set_chunk_exchange(hooks.exchange);
    validation_objective->set_minibatch(
        view_of(validation_batch, validation_starts, validation_headings, e.train.seed,
                kValidationNoiseIndex));
    // Best constant answer as the issue defines it: always the arena centre.
    const arena::Point centre = e.arena.centre();
    double sum = 0;
    const auto& targets = validation_batch.targets;
    for (std::size_t i = 0; i < targets.size(); i += 2) {
      const double dx = targets[i] - centre.x, dy = targets[i + 1] - centre.y;
      sum += dx * dx + dy * dy;
    }
    baseline_rms = std::sqrt(sum / static_cast<double>(targets.size() / 2));
  }

  // A resumed run recomputes its place-cell centres from config.toml; they must be the ones its
  // network was trained with (network/place_centres.npy), or config.toml was edited.
  void check_place_centres() const {
    const auto& readout = experiment.model.readout;
    const fs::path path = run_dir / "network" / model::kPlaceCentresFile;
    std::error_code ec;
    if (!readout.place || !fs::is_regular_file(path, ec)) return;
    const io::NpyArray saved = io::read_npy_finite(path);
    if (saved.values != readout.place_centres) {
      throw_user_error("'{}' holds other place-cell centres than config.toml gives (arena, readout.place and "
                       "train.seed choose them); restore the run's config.toml",
                       path.string());
    }
  }

  // The validation metrics.jsonl recorded at the run's last update, if it recorded one.
  std::optional<std::pair<double, double>> recorded_validation() const {
    const fs::path path = run_dir / "metrics.jsonl";
    std::error_code ec;
    if (!fs::exists(path, ec)) return std::nullopt;
    std::optional<std::pair<double, double>> found;
    std::istringstream in(io::read_file(path));
    for (std::string line; std::getline(in, line);) {
      try {
        const json j = json::parse(line);
        if (j.value("update", std::int64_t{-1}) != updates_done) continue;
        const auto& rms = j.find("validation_position_rms");
        const auto& baseline = j.find("baseline_position_rms");
        if (rms != j.end() && rms->is_number() && baseline != j.end() && baseline->is_number())
          found = std::make_pair(rms->get<double>(), baseline->get<double>());
      } catch (const std::exception&) {
        continue;  // a line cut by a crash
      }
    }
    return found;
  }

  Validation validate() {
    prepare_validation();
    Validation v;
    validation_objective->value(theta);
    v.terms = validation_objective->last_terms();
    v.position_rms = v.terms.position_rms;
    v.baseline_rms = baseline_rms;
    return v;
  }
};

void Trainer::create_run(const fs::path& run_dir, const Experiment& experiment,
                         const std::string& config_toml) {
  io::OutputDir out(run_dir, /*allow_existing=*/false);
  json marker = run_marker();
  const auto& place = experiment.model.readout.place_head;
  if (experiment.model.readout.place && place.centres == model::CentreLayout::kFile)
    marker["place_centres_from"] = place.centres_file;  // provenance: config.toml names the run's copy
  io::write_file_atomic(out / "run.json", marker.dump(2) + "\n");
  io::write_file_atomic(out / "config.toml", run_config_toml(experiment, config_toml));
  io::write_file_atomic(out / "metrics.jsonl", "");
  Impl impl(out.staging(), experiment);
  if (experiment.train.optimizer == OptimizerKind::kHessianFree) {
    impl.hessian_free.emplace(experiment.hessian_free);
    impl.hessian_free->state().lambda = experiment.hessian_free.initial_lambda;
  } else {
    impl.adam.emplace(experiment.adam);
  }
  impl.theta = model::initial_parameters(impl.experiment.model, experiment.train.seed);
  impl.save_state();
  out.commit();
}

Trainer::Trainer(const fs::path& run_dir, Experiment experiment, TrainerHooks hooks)
    : impl_(std::make_unique<Impl>(run_dir, std::move(experiment), std::move(hooks))) {
  auto& e = impl_->experiment;
  if (e.train.optimizer == OptimizerKind::kHessianFree) {
    impl_->hessian_free.emplace(e.hessian_free);
    const auto curvature = static_cast<std::size_t>(
        std::ceil(e.hessian_free.curvature_fraction * static_cast<double>(e.task.trials)));
    impl_->objective.set_curvature_trials(curvature);
  } else {
    impl_->adam.emplace(e.adam);
  }
  impl_->restore(read_checkpoint(run_dir / "checkpoint.bin"));
  impl_->check_place_centres();
  if (impl_->hooks.write_files) {
    impl_->trim_metrics();
    // network/ is derived from checkpoint.bin: one deleted or damaged by hand is written anew.
    bool readable = true;
    try {
      (void)model::load_network(run_dir / "network");
    } catch (const std::exception&) {
      readable = false;
    }
    if (!readable) {
      impl_->save_state();
      impl_->rebuilt_network = true;
    }
  }
}

Trainer::~Trainer() = default;

std::int64_t Trainer::updates_done() const { return impl_->updates_done; }

bool Trainer::rebuilt_network() const { return impl_->rebuilt_network; }

Validation Trainer::validate() { return impl_->validate(); }

TrainResult Trainer::run(std::int64_t until, const std::atomic<bool>* stop) {
  Impl& s = *impl_;
  const Experiment& e = s.experiment;
  until = std::min(until, e.train.updates);
  const bool trains = s.updates_done < until;
  // Training on would draw its unit noise from another stream than the updates before: the run
  // would no longer be the one it started as, nor equal a straight run. A finished run still
  // opens (for validation and analysis, whose noise is a fresh sample anyway).
  if (trains && e.model.noise_sd > 0.0 && s.noise_stream != model::kNoiseStreamVersion) {
    throw_user_error("the run in '{}' was trained with unit-noise stream {} (gridrnn before December 2026 "
                     "drew its noise from Philox4x64); this gridrnn draws stream {} (Philox4x32), so "
                     "resuming it would continue on other noise than it started with and would not "
                     "be the run it was; finish it with the gridrnn that started it, or train it "
                     "anew into another folder (--out)",
                     s.run_dir.string(), s.noise_stream, model::kNoiseStreamVersion);
  }
  const auto started = std::chrono::steady_clock::now();
  TrainResult result;
  std::ofstream metrics;
  if (s.hooks.write_files) {
    metrics.open(s.run_dir / "metrics.jsonl", std::ios::app);
    if (!metrics) throw_user_error("cannot append to '{}'", (s.run_dir / "metrics.jsonl").string());
  }
  Progress progress("update", until);
  double last_validation = std::nan("");
  while (s.updates_done < until) {
    bool stop_now = stop != nullptr && stop->load();
    if (s.hooks.agree_stop) stop_now = s.hooks.agree_stop(stop_now);  // every rank stops together
    if (stop_now) {
      result.interrupted = true;
      break;
    }
    const auto k = static_cast<std::uint64_t>(s.updates_done);
    trajectory::generate_batch(s.batch, e.arena, e.motion, e.task.encoding, e.train.seed, k,
                               static_cast<std::size_t>(e.task.trials),
                               static_cast<std::size_t>(e.task.steps), Stream::kPaths);
    s.starts = start_positions(s.batch);
    s.headings = headings_of(s.batch);
    s.objective.set_minibatch(view_of(s.batch, s.starts, s.headings, e.train.seed, k));
    const optim::UpdateSummary summary = s.hessian_free ? s.hessian_free->step(s.objective, s.theta)
                                                        : s.adam->step(s.objective, s.theta);
    s.updates_done += 1;
    const model::LossTerms terms = s.objective.gradient_terms();
    json line{{"update", s.updates_done},
              {"optimizer", optimizer_name(e.train.optimizer)},
              {"loss", number_or_null(summary.loss_before)},
              {"loss_after", number_or_null(summary.loss_after)},
              {"error", terms.error},
              {"l2", terms.l2},
              {"firing_rate", terms.firing_rate},
              {"weight_decay", terms.weight_decay},
              {"position", terms.position},
              {"place", terms.place},
              {"head_direction", terms.head_direction},
              {"position_rms", terms.position_rms},
              {"gradient_norm", number_or_null(summary.gradient_norm)},
              {"accepted", summary.accepted},
              {"seconds", summary.seconds}};
    if (s.hessian_free) {
      line["lambda"] = number_or_null(summary.lambda);
      line["rho"] = number_or_null(summary.rho);
      line["cg_iterations"] = summary.cg_iterations;
      line["cg_stop"] = optim::to_string(summary.cg_stop);
      line["line_search_rate"] = number_or_null(summary.line_search_rate);
      if (!summary.rejection.empty()) line["rejection"] = summary.rejection;
    }
    const bool at_end = s.updates_done == until;
    if (s.updates_done % e.train.validate_every == 0 || at_end) {
      const Validation v = s.validate();
      last_validation = v.position_rms;
      line["validation_position_rms"] = number_or_null(v.position_rms);
      line["baseline_position_rms"] = v.baseline_rms;
    }
    if (s.hooks.write_files) metrics << line.dump() << "\n" << std::flush;
    if (s.updates_done % e.train.checkpoint_every == 0 || at_end) s.save_state();
    if (s.hooks.write_files && e.train.snapshot_every > 0 && s.updates_done % e.train.snapshot_every == 0) {
      model::save_network(s.run_dir / "snapshots" / fmt::format("update_{:06}", s.updates_done),
                          e.model, s.theta, trajectory::encoding_name(e.task.encoding));
    }
    if (s.hooks.after_update) s.hooks.after_update();
    if (s.hooks.write_files) progress.update(s.updates_done,
                    fmt::format("loss {:.4g}  pos.err {:.3g}  val {:.3g}{}", summary.loss_before,
                                terms.position_rms, finite_or_null_guard(last_validation),
                                s.hessian_free ? fmt::format("  lambda {:.3g}  cg {}", summary.lambda,
                                                             summary.cg_iterations)
                                               : std::string{}));
  }
  progress.finish();
  if (result.interrupted) s.save_state();
  result.updates_done = s.updates_done;
  // A run that trains nothing now reports the validation it recorded at its last update, so a
  // finished run's numbers (a sweep's summary, reproduce's table) do not depend on the gridrnn
  // that opens it, whose noise stream or last bits may differ; computed where none was recorded.
  const auto recorded = trains ? std::nullopt : s.recorded_validation();
  if (recorded) {
    std::tie(result.validation_position_rms, result.baseline_position_rms) = *recorded;
  } else {
    const Validation v = s.validate();
    result.validation_position_rms = v.position_rms;
    result.baseline_position_rms = v.baseline_rms;
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace gridrnn::train

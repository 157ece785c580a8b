// `gridrnn train`: train a network on path integration (docs/paper.md "Training") into a run folder,
// or resume one. SIGINT/SIGTERM write a checkpoint and exit with status 130.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "command.hpp"
#include "gridrnn/core/error.hpp"
#include "gridrnn/core/threads.hpp"
#include "gridrnn/dist/mpi.hpp"
#include "gridrnn/train/trainer.hpp"
#include "run_config.hpp"

namespace gridrnn::app {
namespace {

std::atomic<bool> g_stop{false};
extern "C" void request_stop(int) { g_stop.store(true); }

struct TrainCommand {
  std::string config;
  std::vector<std::string> overrides;
  std::string out;
  std::string resume;
  bool force = false;
  std::int64_t until = 0;
  int threads = 0;
};

// Creates the run folder (rank 0 only under MPI: the others wait for it and fail with it).
void create_run_folder(const TrainCommand& o, const std::filesystem::path& run_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const bool non_empty = fs::exists(run_dir, ec) && fs::is_directory(run_dir, ec) &&
                         !fs::is_empty(run_dir, ec);
  // Validate everything before touching the folder.
  const RunConfig config = read_run_config(o.config, o.overrides);
  if (non_empty) {
    if (!o.force) {
      throw_user_error("run folder '{}' is not empty; use --resume {} to continue it, --force "
                       "to replace it, or another --out",
                       run_dir.string(), run_dir.string());
    }
    if (!train::is_run_folder(run_dir)) {
      throw_user_error("--force replaces only gridrnn run folders, and '{}' has no run.json; "
                       "choose another --out",
                       run_dir.string());
    }
    fs::remove_all(run_dir);
  }
  train::Trainer::create_run(run_dir, config.experiment, config.toml);
}

int run_train(const TrainCommand& o) {
  namespace fs = std::filesystem;
  set_thread_count(o.threads);
  dist::Session& session = dist::Session::instance();
  fs::path run_dir;
  if (!o.resume.empty()) {
    run_dir = o.resume;
    if (!train::is_run_folder(run_dir)) {
      throw_user_error("cannot resume '{}': it is not a gridrnn run folder (no run.json); start a "
                       "run with `gridrnn train --out DIR`",
                       run_dir.string());
    }
  } else {
    run_dir = o.out;
    if (session.ranks() == 1) {
      create_run_folder(o, run_dir);
    } else {
      read_run_config(o.config, o.overrides);  // the same config errors on every rank
      bool created = false;
      try {
        if (session.is_root()) create_run_folder(o, run_dir);
        created = true;
      } catch (...) {
        session.all(false);
        throw;
      }
      if (!session.all(created)) {
        throw_user_error("rank 0 could not create the run folder '{}' (see its message)", run_dir.string());
      }
    }
  }
  io::ConfigReader reader = io::ConfigReader::from_file(run_dir / "config.toml");
  const RunConfig config = read_run_config(reader);
  train::TrainerHooks hooks;
  hooks.exchange = session.chunk_exchange();
  hooks.write_files = session.is_root();
  if (session.ranks() > 1) hooks.agree_stop = [&session](bool stop) { return session.any(stop); };
  train::Trainer trainer(run_dir, config.experiment, hooks);
  const auto& e = config.experiment;
  const std::int64_t until = o.until > 0 ? std::min(o.until, e.train.updates) : e.train.updates;
  const bool print = session.is_root();
  if (print)
    std::printf("training %zu units (readout: %s) in the %s arena: %s, %lld trials x %lld steps per update, "
              "updates %lld..%lld of %lld\n",
              e.model.units, e.model.readout.heads_name().c_str(), e.arena.name().c_str(),
              train::optimizer_name(e.train.optimizer).c_str(),
              static_cast<long long>(e.task.trials), static_cast<long long>(e.task.steps),
              static_cast<long long>(trainer.updates_done() + 1), static_cast<long long>(until),
              static_cast<long long>(e.train.updates));
  if (print && session.ranks() > 1)
    std::printf("data-parallel over %zu MPI ranks (each minibatch's chunks split between them)\n",
                session.ranks());
  std::fflush(stdout);
  g_stop = false;
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  const train::TrainResult result = trainer.run(until, &g_stop);
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  session.finalize();
  if (!print) return result.interrupted ? 130 : 0;
  std::printf("%s after %lld updates (%.1f s): validation position error %.4f (RMS distance); "
              "best constant answer (the arena centre) %.4f; ratio %.3f\n",
              result.interrupted ? "interrupted" : "done",
              static_cast<long long>(result.updates_done), result.seconds,
              result.validation_position_rms, result.baseline_position_rms,
              result.validation_position_rms / result.baseline_position_rms);
  std::printf("results in %s: network/ (NPY), metrics.jsonl, checkpoint.bin, config.toml\n",
              run_dir.c_str());
  if (result.interrupted) {
    std::printf("checkpoint written; continue with: gridrnn train --resume %s\n", run_dir.c_str());
    return 130;
  }
  return 0;
}

Registration reg{{"train", "Train a network to path-integrate (Hessian-free or Adam) into a run "
                           "folder, or resume one",
                  30, [](CLI::App& sub) -> Runner {
  auto o = std::make_shared<TrainCommand>();
  sub.add_option("--config", o->config,
                 "TOML config (sections [arena] [motion] [task] [model] [readout] [loss] [train] "
                 "[hessian_free] [adam]; see configs/ and `gridrnn config --describe`); default: "
                 "the built-in defaults (the paper's square arena)")
      ->type_name("FILE");
  sub.add_option("--set", o->overrides,
                 "override one config key, e.g. --set train.updates=50 --set arena.shape=\"hexagon\" "
                 "(value in TOML syntax); repeatable")
      ->type_name("KEY=VALUE");
  auto* out = sub.add_option("--out", o->out, "new run folder (absent or empty)")->type_name("RUN_DIR");
  auto* resume = sub.add_option("--resume", o->resume,
                                "continue the run in this folder from its checkpoint, with its "
                                "config.toml")
                     ->type_name("RUN_DIR");
  auto* force = sub.add_flag("--force", o->force, "replace an existing run folder given by --out");
  out->excludes(resume);
  resume->excludes("--config")->excludes("--set")->excludes(force);
  sub.add_option("--until", o->until,
                 "stop after this many updates in all (checkpoint written; resume later); default: "
                 "[train] updates")
      ->check(CLI::PositiveNumber);
  add_threads_option(sub, o->threads);
  return [o, out, resume]() {
    if (out->count() == 0 && resume->count() == 0) {
      throw_user_error("train needs --out RUN_DIR (a new run) or --resume RUN_DIR");
    }
    return run_train(*o);
  };
}}};

}  // namespace
}  // namespace gridrnn::app

// `gridrnn train`: train a network on path integration (docs/paper.md "Training") into a run folder,
// or resume one (the checks, the folder and its lock: runs/training_job.hpp). SIGINT/SIGTERM write
// a checkpoint and exit with status 130.
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "command.hpp"
#include "gridrnn/core/threads.hpp"
#include "gridrnn/dist/mpi.hpp"
#include "gridrnn/runs/training_job.hpp"

namespace gridrnn::app {
namespace {

struct TrainCommand {
  runs::TrainRequest request;
  int threads = 0;
};

int run_train(const TrainCommand& command) {
  set_thread_count(command.threads);
  dist::Session& session = dist::Session::instance();
  runs::TrainingJob job(command.request, session);
  const auto& e = job.config().experiment;
  const auto& trainer = job.trainer();
  const std::filesystem::path& run_dir = job.run_dir();
  const std::int64_t until = job.until();
  const bool print = session.is_root();
  if (print && trainer.rebuilt_network())
    std::printf("network/ in %s was missing or unreadable: rebuilt from checkpoint.bin (update %lld)\n",
                run_dir.c_str(), static_cast<long long>(trainer.updates_done()));
  if (print && trainer.updates_done() >= until)
    std::printf("%s has done all %lld of its updates: nothing to train (to train longer: gridrnn train "
                "--resume %s --updates N)\n",
                run_dir.c_str(), static_cast<long long>(trainer.updates_done()), run_dir.c_str());
  else if (print)
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
  train::TrainResult result;
  {
    const runs::StopOnSignals stop({SIGINT, SIGTERM});
    result = job.run(stop.flag());
  }
  if (!print) return result.interrupted ? 130 : 0;
  std::printf("%s after %lld updates (%.1f s): validation position error %.4f (RMS distance); "
              "best constant answer (the arena centre) %.4f; ratio %.3f\n",
              result.interrupted                       ? "interrupted"
              : result.updates_done < e.train.updates ? "stopped (--until)"
                                                       : "done",
              static_cast<long long>(result.updates_done), result.seconds,
              result.validation_position_rms, result.baseline_position_rms,
              result.validation_position_rms / result.baseline_position_rms);
  std::printf("results in %s: network/ (NPY), metrics.jsonl, checkpoint.bin, config.toml\n",
              run_dir.c_str());
  if (result.interrupted) {
    std::printf("checkpoint written; continue with: gridrnn train --resume %s\n", run_dir.c_str());
    return 130;
  }
  if (result.updates_done < e.train.updates) {
    std::printf("stopped after %lld of %lld updates as asked; continue with: gridrnn train --resume %s\n",
                static_cast<long long>(result.updates_done), static_cast<long long>(e.train.updates),
                run_dir.c_str());
  }
  return 0;
}

Registration reg{{"train", "Train a network to path-integrate (Hessian-free or Adam) into a run "
                           "folder, or resume one",
                  30, [](CLI::App& sub) -> Runner {
  auto command = std::make_shared<TrainCommand>();
  runs::TrainRequest* o = &command->request;
  sub.add_option("--config", o->config,
                 "TOML config (sections [arena] [motion] [task] [model] [readout] [loss] [train] "
                 "[hessian_free] [adam]; see configs/ and `gridrnn config --describe`); default: "
                 "the built-in defaults (the paper's square arena)")
      ->type_name("FILE");
  sub.add_option("--set", o->overrides,
                 "override one config key, e.g. --set train.updates=50 --set arena.shape=\"hexagon\" "
                 "(value in TOML syntax); repeatable. With --resume only the run's own values are "
                 "accepted (a resumed run keeps its config.toml)")
      ->type_name("KEY=VALUE");
  auto* out = sub.add_option("--out", o->out, "new run folder (absent or empty)")->type_name("RUN_DIR");
  auto* resume = sub.add_option("--resume", o->resume,
                                "continue the run in this folder from its checkpoint, with its "
                                "config.toml")
                     ->type_name("RUN_DIR");
  auto* force = sub.add_flag("--force", o->force, "replace an existing run folder given by --out");
  auto* updates = sub.add_option("--updates", o->updates,
                                 "with --resume: train to N updates in all, setting [train] updates "
                                 "= N in RUN_DIR/config.toml (N at least the updates already done)")
                      ->type_name("N")
                      ->needs(resume);
  out->excludes(resume);
  resume->excludes("--config")->excludes(force);
  auto* until = sub.add_option("--until", o->until,
                 "stop after this many updates in all (checkpoint written; resume later); default: "
                 "[train] updates (from the updates done + 1 to [train] updates)");
  add_threads_option(sub, command->threads);
  return [command, o, until, updates]() {
    o->until_given = until->count() > 0;
    o->updates_given = updates->count() > 0;
    return run_train(*command);
  };
}}};

}  // namespace
}  // namespace gridrnn::app

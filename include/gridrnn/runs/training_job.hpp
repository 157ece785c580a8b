#pragma once
// A training job on a run folder, what `gridrnn train` (and the Python module's train/resume)
// runs: every check before anything is written (the config, --until and --updates against the
// updates done, --set with --resume only repeating the run's own values, --force replacing only
// what gridrnn wrote), then the run folder created or opened, locked against a second job
// (RUN/.train.lock holds the holder's pid), and the trainer built. Under MPI rank 0 creates,
// locks and amends the folder and the other ranks fail with it. Messages name the command-line
// options (--out, --resume, --until, --updates, --force, --set).
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gridrnn/dist/mpi.hpp"
#include "gridrnn/runs/run_config.hpp"
#include "gridrnn/train/trainer.hpp"

namespace gridrnn::runs {

struct TrainRequest {
  std::string config;                  // TOML file; empty: the built-in defaults (new runs)
  std::vector<std::string> overrides;  // "section.key=value"; with resume only the run's own values
  std::filesystem::path out;           // a new run folder (absent or empty; or a run, with force)
  std::filesystem::path resume;        // or the run folder to continue
  bool force = false;                  // replace the run folder `out`
  std::int64_t until = 0;              // stop after this many updates in all
  bool until_given = false;
  std::int64_t updates = 0;            // with resume: set [train] updates to this in config.toml
  bool updates_given = false;
};

class RunLock;

// While alive, the given signals (e.g. SIGINT, SIGTERM) set flag() instead of ending the process,
// so a training job run with it stops after the current update with its checkpoint written; the
// handlers that were there before (the default, or Python's) come back when it goes. One at a
// time per process.
class StopOnSignals {
 public:
  explicit StopOnSignals(std::initializer_list<int> signals);
  ~StopOnSignals();
  StopOnSignals(const StopOnSignals&) = delete;
  StopOnSignals& operator=(const StopOnSignals&) = delete;
  const std::atomic<bool>* flag() const;

 private:
  std::vector<std::pair<int, void (*)(int)>> previous_;
};

class TrainingJob {
 public:
  // Checks, creates or opens, locks and amends (UserError, exit status 2 in the command, before
  // anything is written for every mistake it can see); the lock is held until the job is gone.
  TrainingJob(const TrainRequest& request, dist::Session& session);
  ~TrainingJob();
  TrainingJob(const TrainingJob&) = delete;
  TrainingJob& operator=(const TrainingJob&) = delete;

  const std::filesystem::path& run_dir() const { return run_dir_; }
  const RunConfig& config() const { return config_; }
  const train::Trainer& trainer() const { return *trainer_; }
  std::int64_t until() const { return until_; }  // the update count this job stops at

  // Trains to until() updates (or until *stop: checkpoint written, interrupted = true) and
  // finalizes the session.
  train::TrainResult run(const std::atomic<bool>* stop = nullptr);

 private:
  dist::Session& session_;
  std::filesystem::path run_dir_;
  std::unique_ptr<RunLock> lock_;
  RunConfig config_;
  std::unique_ptr<train::Trainer> trainer_;
  std::int64_t until_ = 0;
};

}  // namespace gridrnn::runs

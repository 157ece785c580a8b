#pragma once
// The training loop (docs/paper.md "Training"): each update draws M fresh trials (update k, trial m
// from Rng(seed, paths, k, m)), holds them and their unit noise fixed, and asks the optimizer
// for one step. A run folder holds:
//   run.json          marker: format, version, gridrnn version
//   config.toml       the effective config (the run's only input; resume reads it)
//   checkpoint.bin    the latest checkpoint (train/checkpoint.hpp), written atomically
//   network/          the latest network as NPY (model/network_io.hpp), for predict and numpy
//   metrics.jsonl     one JSON object per update (loss terms, position errors, optimizer state)
//   snapshots/update_NNNNNN/   networks along training, if [train] snapshot_every > 0
// Resuming from checkpoint.bin reproduces a straight run bit for bit (same thread count or
// not: the model's reductions do not depend on it).
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "gridrnn/model/objective.hpp"
#include "gridrnn/train/experiment.hpp"

namespace gridrnn::train {

inline constexpr int kRunFormatVersion = 1;

struct TrainResult {
  std::int64_t updates_done = 0;
  bool interrupted = false;           // stopped by a signal (checkpoint written)
  double validation_position_rms = 0; // RMS distance of the decoded from the true position
  double baseline_position_rms = 0;   // the same for the best constant answer: the arena centre
  double seconds = 0;
};

// Validation error of theta on the experiment's fixed validation set, and the baseline.
struct Validation {
  double position_rms = 0;
  double baseline_rms = 0;
  model::LossTerms terms;
};

// How a run shares its work with other processes (the dist module fills these in; the default
// is one process). All processes run the same optimizer on the same reduced numbers, so they
// keep identical parameters; only the one with write_files writes the run folder.
struct TrainerHooks {
  model::ChunkExchange exchange;          // data-parallel split of every minibatch
  bool write_files = true;                // false on every MPI rank but 0
  std::function<bool(bool)> agree_stop;   // combines each process's stop request (any)
  std::function<void()> after_update;     // called after every update (e.g. serve a dispatcher)
};

class Trainer {
 public:
  // Creates the run folder's contents for a new run. run_dir must be absent or empty;
  // config_toml is saved as config.toml.
  static void create_run(const std::filesystem::path& run_dir, const Experiment& experiment,
                         const std::string& config_toml);

  // Opens an existing run (reads checkpoint.bin; the experiment must come from its config.toml).
  Trainer(const std::filesystem::path& run_dir, Experiment experiment, TrainerHooks hooks = {});
  ~Trainer();

  std::int64_t updates_done() const;
  // True when network/ was missing or unreadable at resume and was rebuilt from checkpoint.bin.
  bool rebuilt_network() const;
  // Runs updates until `until` updates are done (at most experiment.train.updates), or until
  // *stop becomes true (then checkpoints and returns with interrupted = true).
  TrainResult run(std::int64_t until, const std::atomic<bool>* stop = nullptr);
  Validation validate();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// True if dir holds a gridrnn run (run.json with the right format).
bool is_run_folder(const std::filesystem::path& dir);

}  // namespace gridrnn::train

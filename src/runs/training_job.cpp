// A training job on a run folder (runs/training_job.hpp): the checks of `gridrnn train`, the
// run folder's creation or resumption, its lock and the trainer.
#include "gridrnn/runs/training_job.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "gridrnn/core/error.hpp"
#include "gridrnn/io/config.hpp"
#include "gridrnn/io/files.hpp"
#include "gridrnn/train/checkpoint.hpp"

namespace gridrnn::runs {

namespace {

// The range of [train] updates (TrainOptions::from_config).
constexpr std::int64_t kMaxUpdates = 100'000'000;

// --until must lie past the updates already done and within [train] updates: refused otherwise,
// before anything is written (no silent capping, no "updates 3..1 of 6").
void check_until(const TrainRequest& o, std::int64_t updates, std::int64_t done,
                 const std::string& config_name) {
  if (!o.until_given) return;
  if (o.until < 1) {
    throw_user_error("--until {}: give the number of updates to stop after, a whole number from "
                     "{} to {} ([train] updates in {})",
                     o.until, done + 1, updates, config_name);
  }
  if (o.until > updates) {
    throw_user_error("--until {} is past [train] updates = {} in {}; give at most {}, or raise "
                     "[train] updates to train longer (--resume RUN_DIR --updates {})",
                     o.until, updates, config_name, updates, o.until);
  }
  if (o.until <= done) {
    throw_user_error("--until {}: the run has already done {} updates; give {} to {}, or leave out "
                     "--until to train to [train] updates = {}",
                     o.until, done, done + 1, updates, updates);
  }
}

// The value of a dotted key in a config as TOML text; a key the file leaves out has its default.
std::string key_value_text(const std::string& toml_text, const std::string& key,
                           const std::vector<io::KeyDoc>& described) {
  const toml::table table = toml::parse(toml_text);
  if (const toml::node* node = table.at_path(key).node()) return io::toml_value_text(*node);
  for (const auto& doc : described) {
    if (doc.key == key) return doc.fallback;
  }
  return "(absent)";
}

// `--set` with `--resume`: a resumed run keeps its config.toml, so an override may only repeat a
// value the run already has. A different value is refused, naming the key and both values (a new
// train.seed would change the validation set and every training path).
void refuse_changed_keys(const TrainRequest& o, const std::filesystem::path& config_file) {
  const RunConfig run = read_run_config(config_file.string(), {});
  io::ConfigReader reader = io::ConfigReader::from_file(config_file);
  for (const auto& assignment : o.overrides) reader.apply_override(assignment);
  const RunConfig asked = read_run_config(reader);  // refuses unknown keys and bad values
  for (const auto& assignment : o.overrides) {
    std::string key = assignment.substr(0, assignment.find('='));
    key.erase(0, key.find_first_not_of(" \t"));
    key.erase(key.find_last_not_of(" \t") + 1);
    const std::string had = key_value_text(run.toml, key, reader.described());
    const std::string wants = key_value_text(asked.toml, key, reader.described());
    if (had == wants) continue;
    if (key == "train.seed") {
      throw_user_error("--set train.seed={} with --resume: the run in '{}' has train.seed = {} "
                       "({}), and a resumed run cannot change it: the seed keys the validation "
                       "set and every training path; leave out --set, or start a new run with "
                       "--out",
                       wants, o.resume.string(), had, config_file.string());
    }
    throw_user_error("--set {}={} with --resume: the run in '{}' has {} = {} ({}), and a resumed "
                     "run keeps its config; {}",
                     key, wants, o.resume.string(), key, had, config_file.string(),
                     key == "train.updates"
                         ? fmt::format("to train to {} updates give --updates {}", wants, wants)
                         : std::string("start a new run with --out to change it"));
  }
  // Every key repeats the run's value (given or default): nothing changes, nothing is written.
}

// `--resume RUN_DIR --updates N`: sets [train] updates of the run to N in RUN_DIR/config.toml
// (atomically, and only after every check passed). N below the updates already done is refused.
void amend_run_config(const TrainRequest& o, const std::filesystem::path& run_dir) {
  const std::filesystem::path config_file = run_dir / "config.toml";
  if (!o.overrides.empty()) refuse_changed_keys(o, config_file);
  if (!o.updates_given) return;
  const std::int64_t done = train::read_checkpoint(run_dir / "checkpoint.bin").updates_done;
  if (o.updates < 1 || o.updates > kMaxUpdates) {
    throw_user_error("--updates {}: give the number of updates to train in all, a whole number "
                     "from {} (the updates already done) to {}",
                     o.updates, std::max<std::int64_t>(done, 1), kMaxUpdates);
  }
  if (o.updates < done) {
    throw_user_error("--updates {}: the run in '{}' has already done {} updates; give at least {}",
                     o.updates, o.resume.string(), done, done);
  }
  const RunConfig amended =
      read_run_config(config_file.string(), {fmt::format("train.updates={}", o.updates)});
  check_until(o, o.updates, done, config_file.string());
  if (amended.toml != io::read_file(config_file)) io::write_file_atomic(config_file, amended.toml);
}

constexpr const char* kLockFile = ".train.lock";



// The entries of a run folder that no gridrnn command writes (train, analyze, plot), sorted;
// folders end in '/'. Leftover temporaries of an interrupted write (".NAME.tmp-…",
// ".NAME.partial-…") count as gridrnn's.
std::vector<std::string> files_gridrnn_did_not_write(const std::filesystem::path& run_dir) {
  namespace fs = std::filesystem;
  static const std::set<std::string> kWritten = {"run.json",      "config.toml", "checkpoint.bin",
                                                 "metrics.jsonl", "network",     "snapshots",
                                                 "analysis",      "figures",     "report.html",
                                                 kLockFile};
  std::vector<std::string> foreign;
  for (const auto& entry : fs::directory_iterator(run_dir)) {
    const std::string name = entry.path().filename().string();
    const bool temporary = name.starts_with(".") && (name.find(".tmp-") != std::string::npos ||
                                                     name.find(".partial-") != std::string::npos);
    if (kWritten.contains(name) || temporary) continue;
    std::error_code ec;
    foreign.push_back(fs::is_directory(entry.path(), ec) ? name + "/" : name);
  }
  std::sort(foreign.begin(), foreign.end());
  return foreign;
}

// Creates the run folder (rank 0 only under MPI: the others wait for it and fail with it).
void create_run_folder(const TrainRequest& o, const std::filesystem::path& run_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const bool non_empty = fs::exists(run_dir, ec) && fs::is_directory(run_dir, ec) &&
                         !fs::is_empty(run_dir, ec);
  // Validate everything before touching the folder.
  const RunConfig config = read_run_config(o.config, o.overrides);
  check_until(o, config.experiment.train.updates, 0, o.config);
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
    const std::vector<std::string> foreign = files_gridrnn_did_not_write(run_dir);
    if (!foreign.empty()) {
      throw_user_error("--force replaces only what gridrnn wrote, and '{}' also holds {}; move "
                       "them out of the folder, or choose another --out",
                       run_dir.string(), fmt::format("{}", fmt::join(foreign, ", ")));
    }
    fs::remove_all(run_dir);
  }
  train::Trainer::create_run(run_dir, config.experiment, config.toml);
}

// Runs `work` on rank 0 only; every rank learns whether it succeeded. Rank 0 rethrows its own
// error (with its message); the other ranks fail with one that points to it.
template <class Work>
void on_root_for_all(const dist::Session& session, const char* what, const std::filesystem::path& run_dir, Work&& work) {
  bool done = false;
  try {
    if (session.is_root()) work();
    done = true;
  } catch (...) {
    session.all(false);
    throw;
  }
  if (!session.all(done)) {
    throw_user_error("rank 0 could not {} the run folder '{}' (see its message)", what, run_dir.string());
  }
}

}  // namespace

// One `gridrnn train` at a time per run folder: an flock on RUN/.train.lock, which holds the pid
// of its holder. The kernel drops the lock when the process ends, even by a crash.
class RunLock {
 public:
  explicit RunLock(const std::filesystem::path& run_dir) {
    const std::filesystem::path path = run_dir / kLockFile;
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      throw_user_error("cannot open the lock file '{}': {}", path.string(), std::strerror(errno));
    }
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      char text[32] = {};
      const ssize_t n = ::pread(fd_, text, sizeof text - 1, 0);
      ::close(fd_);
      fd_ = -1;
      const std::string pid = n > 0 ? std::string(text, static_cast<std::size_t>(n)) : "unknown";
      throw_user_error("'{}' is in use by another `gridrnn train` (pid {}); wait for it to end or "
                       "stop it (its checkpoint is kept), then resume",
                       run_dir.string(), pid.substr(0, pid.find_first_of("\n")));
    }
    const std::string pid = fmt::format("{}\n", ::getpid());
    if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, pid.data(), pid.size(), 0) < 0) {
      // The lock holds without the pid; a second job then names no pid.
    }
  }
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;
  ~RunLock() {
    if (fd_ >= 0) ::close(fd_);
  }

 private:
  int fd_ = -1;
};

namespace {
std::atomic<bool> g_stop{false};
extern "C" void request_stop(int) { g_stop.store(true); }
}  // namespace

StopOnSignals::StopOnSignals(std::initializer_list<int> signals) {
  g_stop = false;
  for (const int s : signals) previous_.emplace_back(s, std::signal(s, request_stop));
}

StopOnSignals::~StopOnSignals() {
  for (const auto& [s, handler] : previous_)
    if (handler != SIG_ERR) std::signal(s, handler);
}

const std::atomic<bool>* StopOnSignals::flag() const { return &g_stop; }

TrainingJob::TrainingJob(const TrainRequest& o, dist::Session& session) : session_(session) {
  namespace fs = std::filesystem;
  if (o.out.empty() && o.resume.empty()) throw_user_error("train needs --out RUN_DIR (a new run) or --resume RUN_DIR");
  if (dist::several_processes_without_mpi()) {
    throw_user_error("started by an MPI launcher as one of several processes, but this gridrnn was "
                     "built without MPI, so each would train alone into the same folder; build it "
                     "with MPI (cmake --preset mpi, see docs/scaling.md) or run a single process");
  }
  if (!o.resume.empty()) {
    run_dir_ = o.resume;
    if (!train::is_run_folder(run_dir_)) {
      throw_user_error("cannot resume '{}': it is not a gridrnn run folder (no run.json); start a "
                       "run with `gridrnn train --out DIR`",
                       run_dir_.string());
    }
  } else {
    run_dir_ = o.out;
    if (session.ranks() == 1) {
      create_run_folder(o, run_dir_);
    } else {
      // the same config errors on every rank
      check_until(o, read_run_config(o.config, o.overrides).experiment.train.updates, 0, o.config);
      on_root_for_all(session, "create", run_dir_, [&] { create_run_folder(o, run_dir_); });
    }
  }
  // Rank 0 holds the lock for the whole job; the other ranks fail with it.
  on_root_for_all(session, "lock", run_dir_, [&] { lock_ = std::make_unique<RunLock>(run_dir_); });
  if (!o.resume.empty() && (o.updates_given || !o.overrides.empty())) {
    on_root_for_all(session, "update", run_dir_, [&] { amend_run_config(o, run_dir_); });
  }
  io::ConfigReader reader = io::ConfigReader::from_file(run_dir_ / "config.toml");
  config_ = read_run_config(reader);
  train::TrainerHooks hooks;
  hooks.exchange = session.chunk_exchange();
  hooks.write_files = session.is_root();
  if (session.ranks() > 1) hooks.agree_stop = [&session](bool stop) { return session.any(stop); };
  trainer_ = std::make_unique<train::Trainer>(run_dir_, config_.experiment, hooks);
  check_until(o, config_.experiment.train.updates, trainer_->updates_done(), (run_dir_ / "config.toml").string());
  until_ = o.until_given ? o.until : config_.experiment.train.updates;
}

TrainingJob::~TrainingJob() = default;

train::TrainResult TrainingJob::run(const std::atomic<bool>* stop) {
  const train::TrainResult result = trainer_->run(until_, stop);
  session_.finalize();
  return result;
}

}  // namespace gridrnn::runs

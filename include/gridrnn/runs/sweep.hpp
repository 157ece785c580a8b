#pragma once
// A sweep: a grid of config overrides times seeds, one ordinary run folder per combination
// (DIR/<run-name>/), trained, analyzed (unless the sweep file says analyze = false) and summarized
// in DIR/summary.csv, one row per run. Under MPI rank 0 hands out run indices and each run trains
// on one rank. A failed run is marked failed (with its message) and the sweep goes on; running it
// again skips finished runs, analyzes finished runs without an analysis and resumes interrupted
// ones. The sweep file's format is in docs/scaling.md.
#include <filesystem>
#include <functional>
#include <string>

namespace gridrnn::runs {

// Where a sweep's progress lines go (one line each, no newline); `gridrnn sweep` prints them.
using Report = std::function<void(const std::string& line)>;

// Runs the sweep file into out on every rank of the session (dist/mpi.hpp) and finalizes the
// session. Sweep-file and config mistakes are UserErrors before anything is written. Returns 1 if
// any run failed (on every rank), else 0.
int run_sweep(const std::filesystem::path& sweep_file, const std::filesystem::path& out, const Report& report);

}  // namespace gridrnn::runs

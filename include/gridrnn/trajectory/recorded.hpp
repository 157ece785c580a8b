#pragma once
// Recorded paths: real trajectories from a CSV file, turned into the same Path as the simulators
// produce so they can drive a network (store_path + encode_step) or an analysis.
//
// Format: a header line naming the columns, "t,x,y" or "x,y" (case-insensitive, spaces allowed,
// fields may be quoted as R writes them, a UTF-8 byte-order mark is skipped), then one row per
// sample. Each row is one network step: speed and heading come from finite
// differences of consecutive positions, s[t] = |p[t+1] - p[t]| (arena units per step) and
// h[t] = atan2 of that displacement (a zero displacement keeps the previous heading; leading
// zero displacements take the first non-zero one). Refused, with the file and row (1-based line
// number) named: a missing or unknown header, a wrong number of columns, a non-number, NaN or
// Inf, a time not strictly increasing, a point outside the arena (after subtracting
// RecordedOptions::origin; the message gives the span of the points), fewer than 2 samples.
// Warned about (RecordedPath::warnings, with counts and the worst row): time steps more than 1.5
// times off the median one, and one-step jumps (over 10 times the median moving step and over 2%
// of the arena's larger side).
#include <filesystem>
#include <string>
#include <vector>

#include "gridrnn/arena/arena.hpp"
#include "gridrnn/trajectory/motion.hpp"

namespace gridrnn::trajectory {

struct RecordedPath {
  Path path;                  // positions (T+1), headings (T), speeds (T), in arena coordinates
  std::vector<double> times;  // (T+1) the t column; 0, 1, 2, ... when the file has none
  bool has_times = false;
  std::vector<std::string> warnings;  // irregular times, jumps: for the caller to print
};

struct RecordedOptions {
  // The arena's centre in the file's coordinates, subtracted from every point (e.g. (50, 50) for
  // a 100 x 100 box tracked from its corner); arenas are centred at the origin.
  Point origin{0.0, 0.0};
};

RecordedPath read_recorded_path(const std::filesystem::path& csv, const arena::Arena& arena,
                                const RecordedOptions& options = {});
// The same from text already in memory; `source` names it in error messages.
RecordedPath parse_recorded_path(const std::string& text, const std::string& source,
                                 const arena::Arena& arena, const RecordedOptions& options = {});

}  // namespace gridrnn::trajectory

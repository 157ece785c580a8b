#pragma once
// Recorded paths: real trajectories from a CSV file, turned into the same Path as the simulators
// produce so they can drive a network (store_path + encode_step) or an analysis.
//
// Format: a header line naming the columns, "t,x,y" or "x,y" (case-insensitive, spaces allowed),
// then one row per sample. Each row is one network step: speed and heading come from finite
// differences of consecutive positions, s[t] = |p[t+1] - p[t]| (arena units per step) and
// h[t] = atan2 of that displacement (a zero displacement keeps the previous heading; leading
// zero displacements take the first non-zero one). Refused, with the file and row (1-based line
// number) named: a missing or unknown header, a wrong number of columns, a non-number, NaN or
// Inf, a time not strictly increasing, a point outside the arena, fewer than 2 samples.
#include <filesystem>
#include <vector>

#include "gridrnn/arena/arena.hpp"
#include "gridrnn/trajectory/motion.hpp"

namespace gridrnn::trajectory {

struct RecordedPath {
  Path path;                  // positions (T+1), headings (T), speeds (T)
  std::vector<double> times;  // (T+1) the t column; 0, 1, 2, ... when the file has none
  bool has_times = false;
};

RecordedPath read_recorded_path(const std::filesystem::path& csv, const arena::Arena& arena);
// The same from text already in memory; `source` names it in error messages.
RecordedPath parse_recorded_path(const std::string& text, const std::string& source,
                                 const arena::Arena& arena);

}  // namespace gridrnn::trajectory

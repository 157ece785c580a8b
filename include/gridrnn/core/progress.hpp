#pragma once
// Progress for long work: a live, self-overwriting line on a terminal (stderr is a TTY), and
// nothing at all in logs or pipes, so CI output stays readable.
#include <chrono>
#include <string>

namespace gridrnn {

class Progress {
 public:
  // total: number of steps; label: what is counted ("update", "path").
  Progress(std::string label, long total);
  ~Progress();
  // Shows "label k/total  detail  elapsed  ~left"; rate-limited to 10 redraws per second.
  void update(long done, const std::string& detail = {});
  void finish();
  static bool enabled();  // stderr is a terminal and GRIDRNN_NO_PROGRESS is unset

 private:
  std::string label_;
  long total_;
  bool active_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

std::string format_duration(double seconds);

}  // namespace gridrnn

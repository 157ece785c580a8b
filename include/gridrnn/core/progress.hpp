#pragma once
// Progress for long work: a live, self-overwriting line on a terminal (stderr is a TTY); in logs
// and pipes a plain line (with newline) about once a minute, so an hours-long run shows it is alive
// without flooding CI output. GRIDRNN_PROGRESS_INTERVAL=SECONDS changes that interval (tests use 0);
// GRIDRNN_NO_PROGRESS turns both off.
#include <chrono>
#include <string>

namespace gridrnn {

class Progress {
 public:
  // total: number of steps; label: what is counted ("update", "path").
  Progress(std::string label, long total);
  ~Progress();
  // Shows "label k/total  detail  elapsed  ~left"; on a terminal rate-limited to 10 redraws per
  // second, in a log one line per interval (none for the last step: the caller reports the end).
  void update(long done, const std::string& detail = {});
  void finish();
  static bool enabled();  // stderr is a terminal and GRIDRNN_NO_PROGRESS is unset

 private:
  std::string label_;
  long total_;
  bool active_;
  bool log_;                   // plain lines every interval_ (stderr is not a terminal)
  std::chrono::duration<double> interval_;
  long base_ = -1;             // steps already done before this process's first update
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

std::string format_duration(double seconds);

}  // namespace gridrnn

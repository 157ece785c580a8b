#include "gridrnn/core/progress.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

namespace gridrnn {

bool Progress::enabled() {
  return ::isatty(STDERR_FILENO) == 1 && std::getenv("GRIDRNN_NO_PROGRESS") == nullptr;
}

std::string format_duration(double seconds) {
  if (seconds < 0) seconds = 0;
  const auto s = static_cast<long>(seconds + 0.5);
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
}

namespace {

// Seconds between log lines: GRIDRNN_PROGRESS_INTERVAL if it is a number >= 0, else 60.
double log_interval_seconds() {
  const char* text = std::getenv("GRIDRNN_PROGRESS_INTERVAL");
  if (text == nullptr || *text == '\0') return 60.0;
  char* end = nullptr;
  const double seconds = std::strtod(text, &end);
  return (*end == '\0' && seconds >= 0.0) ? seconds : 60.0;
}

}  // namespace

Progress::Progress(std::string label, long total)
    : label_(std::move(label)), total_(total), active_(enabled()),
      log_(!active_ && std::getenv("GRIDRNN_NO_PROGRESS") == nullptr),
      interval_(log_ ? log_interval_seconds() : 0.0), start_(std::chrono::steady_clock::now()),
      last_draw_(log_ ? start_ : std::chrono::steady_clock::time_point{}) {
  if (log_) active_ = true;
}

Progress::~Progress() { finish(); }

void Progress::update(long done, const std::string& detail) {
  if (!active_) return;
  if (base_ < 0) base_ = done - 1;  // a resumed run starts counting where it left off
  const auto now = std::chrono::steady_clock::now();
  if (log_) {
    if (done >= total_ || now - last_draw_ < interval_) return;
  } else if (done < total_ && now - last_draw_ < std::chrono::milliseconds(100)) {
    return;
  }
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const long here = done - base_;
  const double left =
      here > 0 ? elapsed * static_cast<double>(total_ - done) / static_cast<double>(here) : 0.0;
  std::fprintf(stderr, "%s%s %ld/%ld  %s  %s elapsed, ~%s left%s", log_ ? "" : "\r\033[K",
               label_.c_str(), done, total_, detail.c_str(), format_duration(elapsed).c_str(),
               format_duration(left).c_str(), log_ ? "\n" : "");
  std::fflush(stderr);
}

void Progress::finish() {
  if (!active_) return;
  if (!log_) std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  active_ = false;
}

}  // namespace gridrnn

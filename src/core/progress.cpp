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

Progress::Progress(std::string label, long total)
    : label_(std::move(label)), total_(total), active_(enabled()),
      start_(std::chrono::steady_clock::now()), last_draw_() {}

Progress::~Progress() { finish(); }

void Progress::update(long done, const std::string& detail) {
  if (!active_) return;
  const auto now = std::chrono::steady_clock::now();
  if (done < total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double left = done > 0 ? elapsed * static_cast<double>(total_ - done) / static_cast<double>(done) : 0.0;
  std::fprintf(stderr, "\r\033[K%s %ld/%ld  %s  %s elapsed, ~%s left", label_.c_str(), done,
               total_, detail.c_str(), format_duration(elapsed).c_str(),
               format_duration(left).c_str());
  std::fflush(stderr);
}

void Progress::finish() {
  if (!active_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  active_ = false;
}

}  // namespace gridrnn

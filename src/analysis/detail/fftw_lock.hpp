#pragma once
// FFTW's planner is not thread-safe: every plan in gridrnn is created and destroyed under this
// lock; executing a plan on new arrays (fftw_execute_dft_*) is thread-safe and needs no lock.
#include <mutex>

namespace gridrnn::analysis::detail {
std::mutex& fftw_planner_mutex();
}  // namespace gridrnn::analysis::detail

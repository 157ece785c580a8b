#pragma once
// FFTW's planner is not thread-safe: every plan in gridrnn is created and destroyed under this
// lock; executing a plan on new arrays (fftw_execute_dft_*) is thread-safe and needs no lock.
#include <initializer_list>
#include <mutex>

#include <fftw3.h>

namespace gridrnn::analysis::detail {
std::mutex& fftw_planner_mutex();
// Destroys the plans (under the planner lock) and frees the fftw_alloc_* buffers.
void destroy_fftw(std::initializer_list<fftw_plan> plans, std::initializer_list<void*> buffers);
}  // namespace gridrnn::analysis::detail

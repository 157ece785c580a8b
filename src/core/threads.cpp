#include "gridrnn/core/threads.hpp"

#include <omp.h>

#include <exception>
#include <thread>

namespace gridrnn {

namespace {
int g_threads = 0;
}

int hardware_threads() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

int set_thread_count(int threads) {
  g_threads = threads > 0 ? threads : hardware_threads();
  omp_set_num_threads(g_threads);
  return g_threads;
}

int thread_count() { return g_threads > 0 ? g_threads : hardware_threads(); }

void parallel_for(std::size_t count, const std::function<void(std::size_t)>& body) {
  std::exception_ptr failure;
  const auto n = static_cast<long long>(count);
#pragma omp parallel for schedule(static) num_threads(thread_count())
  for (long long i = 0; i < n; ++i) {
    try {
      body(static_cast<std::size_t>(i));
    } catch (...) {
#pragma omp critical(gridrnn_parallel_for_failure)
      if (!failure) failure = std::current_exception();
    }
  }
  if (failure) std::rethrow_exception(failure);
}

}  // namespace gridrnn

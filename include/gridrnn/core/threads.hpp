#pragma once
// Threading policy: work is split into items whose results depend only on the item's index
// (and counter-based random numbers keyed by it), never on which thread ran it; reductions
// over items are done in a fixed order after the parallel part. So results are bit-identical
// for any thread count. Parallelism is OpenMP; Eigen's own threading is off.
#include <cstddef>
#include <functional>

namespace gridrnn {

// Number of threads for parallel loops; 0 or negative = all cores. Returns the value in force.
int set_thread_count(int threads);
int thread_count();
int hardware_threads();

// Calls body(i) for i in [0, count), spread over the threads (static chunks). body must write
// only to item i's outputs.
void parallel_for(std::size_t count, const std::function<void(std::size_t)>& body);

}  // namespace gridrnn

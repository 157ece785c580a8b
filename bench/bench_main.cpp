// The one main() of gridrnn_bench (the CMake target links benchmark, not benchmark_main).
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();

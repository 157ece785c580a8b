#pragma once
// The two implementations of generate_noise (gridrnn/model/noise.hpp), exposed for the tests
// that hold them to each other bit for bit: the portable one (Random123's Philox4x32 and scalar
// float arithmetic, on any machine) and the AVX-512 one (16 lanes at a time, written by hand).
// generate_noise uses the AVX-512 kernel where the build has it.
#include <cstddef>
#include <cstdint>

namespace gridrnn::model::detail {

enum class NoiseKernel { kPortable, kAvx512 };

// True if this build has the kernel (kPortable always; kAvx512 with -march flags that include
// AVX-512F/DQ/VL, as -march=native gives on such a machine).
bool noise_kernel_available(NoiseKernel kernel);

// generate_noise with a chosen kernel; throws std::logic_error for one the build lacks.
void generate_noise_with(NoiseKernel kernel, std::uint64_t seed, std::uint64_t update_index,
                         std::size_t first_trial, std::size_t trial_count, std::size_t step,
                         std::size_t units, float sd, float* out);

// The two standard normals (times sd) of one pair of 32-bit words, by the portable arithmetic:
// z0 = r cos(2 pi u2), z1 = r sin(2 pi u2), r = sd sqrt(-2 ln u1), with
// u1 = 1 - f1 2^-23 in (0, 1] and u2 = f2 2^-23 in [0, 1), f the word's low 23 bits.
void box_muller_pair(std::uint32_t w1, std::uint32_t w2, float sd, float& z0, float& z1);

}  // namespace gridrnn::model::detail

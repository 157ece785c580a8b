#pragma once
// Unit noise xi for the CTRNN, generated fast and replayably.
//
// Trial m of update k uses the word sequence of Rng(seed, Stream::kNoise, k, m), i.e. Philox4x64
// with key (seed, kNoise) and counter (k, m, block, 0). Step t uses the blocks
// t * blocks_per_step(N) ... (t + 1) * blocks_per_step(N) - 1, so any step can be generated
// without the ones before it. Each 64-bit word gives two 32-bit uniforms in (0, 1); a pair of
// uniforms (u1, u2) gives two standard normals by Box–Muller in float:
//   r = sqrt(-2 ln u1), z0 = r cos(2 pi u2), z1 = r sin(2 pi u2).
// The values depend only on (seed, k, m, t, unit), never on the thread count or on which
// precision the model runs in (the double model casts these floats).
#include <cstddef>
#include <cstdint>

namespace gridrnn::model {

// Philox blocks per step: each block yields 8 normals.
constexpr std::size_t noise_blocks_per_step(std::size_t units) { return (units + 7) / 8; }

// Writes sd * xi[t] for trials first_trial .. first_trial + trial_count - 1 into
// out (trial_count, units), row-major. A trial's values are the same bits whichever chunk of
// trials it is generated with (see noise.cpp).
void generate_noise(std::uint64_t seed, std::uint64_t update_index, std::size_t first_trial,
                    std::size_t trial_count, std::size_t step, std::size_t units, float sd,
                    float* out);

}  // namespace gridrnn::model

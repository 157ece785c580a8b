#pragma once
// Unit noise xi for the CTRNN, generated fast and replayably.
//
// Trial m of update k, step t: Philox4x32-10 (Salmon et al. 2011, as Random123 defines it) with
// the 64-bit seed as its key and the counter (k mod 2^32, k / 2^32, m, t * B + j) for the
// step's blocks j = 0 .. B - 1, B = ceil(N / 4), so any step can be made without the ones before
// it. Block j's four 32-bit words (w0, w1, w2, w3) give units 4j .. 4j + 3 by Box–Muller in float
// on the pairs (w0, w1) and (w2, w3):
//   u1 = 1 - f 2^-23 in (0, 1],  u2 = f' 2^-23 in [0, 1)  (f, f' the words' low 23 bits),
//   r = sqrt(-2 ln u1),  z0 = r cos(2 pi u2),  z1 = r sin(2 pi u2),
// with ln, sin and cos by series written out in noise.cpp (within 4e-7 r of the exact transform;
// |z| <= 5.65). The values depend only on (seed, k, m, t, unit), never on the thread count, the
// chunk of trials they are made in, or the precision the model runs in (the double model casts
// these floats). Until December 2026 gridrnn drew another stream (1: Philox4x64); a checkpoint
// records the stream its run trained with, and training on across the change is refused
// (train/trainer.cpp).
#include <cstddef>
#include <cstdint>

namespace gridrnn::model {

// The noise stream's version, kept in checkpoints: 2 is the stream above.
inline constexpr int kNoiseStreamVersion = 2;

// Philox blocks per step: each block yields 4 normals.
constexpr std::size_t noise_blocks_per_step(std::size_t units) { return (units + 3) / 4; }

// Writes sd * xi[t] for trials first_trial .. first_trial + trial_count - 1 into
// out (trial_count, units), row-major. Trials and steps are limited to 2^32 and 2^32 / B.
void generate_noise(std::uint64_t seed, std::uint64_t update_index, std::size_t first_trial,
                    std::size_t trial_count, std::size_t step, std::size_t units, float sd,
                    float* out);

}  // namespace gridrnn::model

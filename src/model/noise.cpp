#include "model/detail/avx512_warnings.hpp"  // first: before any Eigen header
#include "gridrnn/model/noise.hpp"

#include <algorithm>
#include <numbers>

#include <Eigen/Core>
#include <Random123/philox.h>

#include "gridrnn/core/rng.hpp"

namespace gridrnn::model {

namespace {

// Pairs per tile: the transcendental functions run on fixed-size, 64-byte-aligned tiles, so every
// entry goes through Eigen's packet code (SSE, AVX and AVX-512 packets all divide 64). A dynamic
// array's last entries would go through scalar code, whose results differ in the last bit, and
// then a trial's noise would depend on which chunk of trials, or which buffer, it was made in.
constexpr int kTile = 64;

}  // namespace

void generate_noise(std::uint64_t seed, std::uint64_t update_index, std::size_t first_trial,
                    std::size_t trial_count, std::size_t step, std::size_t units, float sd,
                    float* out) {
  const std::size_t blocks = noise_blocks_per_step(units);
  const std::size_t pairs_per_trial = blocks * 4;
  const r123::Philox4x64 philox;
  const r123::Philox4x64::key_type key = {{seed, static_cast<std::uint64_t>(Stream::kNoise)}};
  // 24 high bits of a 32-bit word -> uniform in (0, 1), never 0 (log) and never 1.
  const auto to_uniform = [](std::uint32_t word) {
    return (static_cast<float>(word >> 8) + 0.5f) * 0x1.0p-24f;
  };
  using Tile = Eigen::Array<float, kTile, 1>;
  alignas(64) float u1[kTile], u2[kTile], cosine[kTile];
  Eigen::Map<Tile, Eigen::Aligned64> radius(u1), angle(u2), cos_angle(cosine);
  for (std::size_t r = 0; r < trial_count; ++r) {
    r123::Philox4x64::ctr_type counter = {{update_index, first_trial + r, step * blocks, 0}};
    float* row = out + r * units;
    for (std::size_t tile_start = 0; tile_start < pairs_per_trial; tile_start += kTile) {
      const std::size_t tile_pairs = std::min<std::size_t>(kTile, pairs_per_trial - tile_start);
      for (std::size_t p = 0; p < tile_pairs; p += 4, ++counter[2]) {
        const auto words = philox(counter, key);
        for (std::size_t w = 0; w < 4; ++w) {
          u1[p + w] = to_uniform(static_cast<std::uint32_t>(words[w]));
          u2[p + w] = to_uniform(static_cast<std::uint32_t>(words[w] >> 32));
        }
      }
      std::fill(u1 + tile_pairs, u1 + kTile, 0.5f);  // unused lanes: any value log accepts
      std::fill(u2 + tile_pairs, u2 + kTile, 0.5f);
      radius = (-2.0f * radius.log()).sqrt() * sd;
      angle *= static_cast<float>(2.0 * std::numbers::pi);
      cos_angle = angle.cos();
      angle = angle.sin();
      // Units 2p and 2p + 1 of the tile get r cos and r sin of pair p: whole pairs first, then
      // the last unit alone when the step's units are odd.
      float* tile_row = row + 2 * tile_start;
      const std::size_t tile_units = std::min(units - 2 * tile_start, 2 * tile_pairs);
      const auto whole_pairs = static_cast<Eigen::Index>(tile_units / 2);
      for (Eigen::Index p = 0; p < whole_pairs; ++p) {
        tile_row[2 * p] = radius[p] * cos_angle[p];
        tile_row[2 * p + 1] = radius[p] * angle[p];
      }
      if (tile_units % 2 == 1) tile_row[tile_units - 1] = radius[whole_pairs] * cos_angle[whole_pairs];
    }
  }
}

}  // namespace gridrnn::model

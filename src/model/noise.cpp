#include "model/detail/avx512_warnings.hpp"  // first: before any Eigen header
#include "gridrnn/model/noise.hpp"

#include <algorithm>
#include <numbers>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

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

// The 24 high bits of a 32-bit word -> a uniform in (0, 1), never 0 (log) and never 1: u1 from
// each 64-bit word's low half, u2 from its high half. Exact arithmetic (24-bit integers), so the
// AVX-512 loop gives the scalar loop's bits.
void to_uniforms(const std::uint64_t* words, std::size_t count, float* u1, float* u2) {
  std::size_t p = 0;
#if defined(__AVX512F__)
  const __m512 half = _mm512_set1_ps(0.5f), scale = _mm512_set1_ps(0x1.0p-24f);
  for (; p + 16 <= count; p += 16) {
    const __m512i a = _mm512_load_si512(words + p), b = _mm512_load_si512(words + p + 8);
    const __m512i low = _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtepi64_epi32(a)), _mm512_cvtepi64_epi32(b), 1);
    const __m512i high = _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtepi64_epi32(_mm512_srli_epi64(a, 32))),
                                            _mm512_cvtepi64_epi32(_mm512_srli_epi64(b, 32)), 1);
    _mm512_store_ps(u1 + p, _mm512_mul_ps(_mm512_add_ps(_mm512_cvtepi32_ps(_mm512_srli_epi32(low, 8)), half), scale));
    _mm512_store_ps(u2 + p, _mm512_mul_ps(_mm512_add_ps(_mm512_cvtepi32_ps(_mm512_srli_epi32(high, 8)), half), scale));
  }
#endif
  const auto to_uniform = [](std::uint32_t word) { return (static_cast<float>(word >> 8) + 0.5f) * 0x1.0p-24f; };
  for (; p < count; ++p) {
    u1[p] = to_uniform(static_cast<std::uint32_t>(words[p]));
    u2[p] = to_uniform(static_cast<std::uint32_t>(words[p] >> 32));
  }
}

}  // namespace

void generate_noise(std::uint64_t seed, std::uint64_t update_index, std::size_t first_trial,
                    std::size_t trial_count, std::size_t step, std::size_t units, float sd,
                    float* out) {
  const std::size_t blocks = noise_blocks_per_step(units);
  const std::size_t pairs_per_trial = blocks * 4;
  const r123::Philox4x64 philox;
  const r123::Philox4x64::key_type key = {{seed, static_cast<std::uint64_t>(Stream::kNoise)}};
  using Tile = Eigen::Array<float, kTile, 1>;
  alignas(64) float u1[kTile], u2[kTile], cosine[kTile];
  alignas(64) std::uint64_t words[kTile];
  Eigen::Map<Tile, Eigen::Aligned64> radius(u1), angle(u2), cos_angle(cosine);
  for (std::size_t r = 0; r < trial_count; ++r) {
    r123::Philox4x64::ctr_type counter = {{update_index, first_trial + r, step * blocks, 0}};
    float* row = out + r * units;
    for (std::size_t tile_start = 0; tile_start < pairs_per_trial; tile_start += kTile) {
      const std::size_t tile_pairs = std::min<std::size_t>(kTile, pairs_per_trial - tile_start);
      for (std::size_t p = 0; p < tile_pairs; p += 4, ++counter[2]) {
        const auto block = philox(counter, key);
        for (std::size_t w = 0; w < 4; ++w) words[p + w] = block[w];
      }
      to_uniforms(words, tile_pairs, u1, u2);
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

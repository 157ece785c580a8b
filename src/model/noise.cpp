#include "model/detail/avx512_warnings.hpp"  // first: before any Eigen header
#include "gridrnn/model/noise.hpp"

#include <numbers>

#include <Eigen/Core>
#include <Random123/philox.h>

#include "gridrnn/core/rng.hpp"

namespace gridrnn::model {

std::size_t noise_scratch_size(std::size_t trial_count, std::size_t units) {
  // Per trial and step: 4 pairs per block; three arrays (u1 -> radius, u2 -> angle, cosine).
  return 3 * trial_count * noise_blocks_per_step(units) * 4;
}

void generate_noise(std::uint64_t seed, std::uint64_t update_index, std::size_t first_trial,
                    std::size_t trial_count, std::size_t step, std::size_t units, float sd,
                    float* out, float* scratch) {
  const std::size_t blocks = noise_blocks_per_step(units);
  const std::size_t pairs_per_trial = blocks * 4;
  const std::size_t pairs = trial_count * pairs_per_trial;
  float* u1 = scratch;
  float* u2 = scratch + pairs;
  float* cosine = scratch + 2 * pairs;
  const r123::Philox4x64 philox;
  const r123::Philox4x64::key_type key = {{seed, static_cast<std::uint64_t>(Stream::kNoise)}};
  // 24 high bits of a 32-bit word -> uniform in (0, 1), never 0 (log) and never 1.
  const auto to_uniform = [](std::uint32_t word) {
    return (static_cast<float>(word >> 8) + 0.5f) * 0x1.0p-24f;
  };
  for (std::size_t r = 0; r < trial_count; ++r) {
    r123::Philox4x64::ctr_type counter = {{update_index, first_trial + r, step * blocks, 0}};
    std::size_t p = r * pairs_per_trial;
    for (std::size_t block = 0; block < blocks; ++block, ++counter[2]) {
      const auto words = philox(counter, key);
      for (int w = 0; w < 4; ++w, ++p) {
        u1[p] = to_uniform(static_cast<std::uint32_t>(words[w]));
        u2[p] = to_uniform(static_cast<std::uint32_t>(words[w] >> 32));
      }
    }
  }
  using Array = Eigen::Array<float, Eigen::Dynamic, 1>;
  const auto n = static_cast<Eigen::Index>(pairs);
  Eigen::Map<Array> radius(u1, n), angle(u2, n), cos_angle(cosine, n);
  radius = (-2.0f * radius.log()).sqrt() * sd;
  angle *= static_cast<float>(2.0 * std::numbers::pi);
  cos_angle = angle.cos();
  angle = angle.sin();
  for (std::size_t r = 0; r < trial_count; ++r) {
    const std::size_t base = r * pairs_per_trial;
    float* row = out + r * units;
    for (std::size_t i = 0; i < units; ++i) {
      const std::size_t p = base + i / 2;
      row[i] = radius[static_cast<Eigen::Index>(p)] * ((i % 2 == 0) ? cos_angle[static_cast<Eigen::Index>(p)] : angle[static_cast<Eigen::Index>(p)]);
    }
  }
}

}  // namespace gridrnn::model

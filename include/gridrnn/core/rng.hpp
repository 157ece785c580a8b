#pragma once
// Counter-based random numbers (Random123 Philox4x64-10). Every random number in gridrnn (the unit
// noise too, which has its own vectorized Philox4x32 stream: model/noise.hpp) is a
// pure function of (seed, stream, index, position within that index's sequence), so results
// never depend on how work is split over threads or MPI ranks: trial m of update k draws from
// Rng(seed, Stream::kPaths, k, m) whoever computes it.
//
// Philox key = (seed, stream); counter = (index, subindex, block, 0). One block gives four
// 64-bit words. A generator is cheap to construct (no state but the counter).
#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>

#include <Random123/philox.h>

namespace gridrnn {

// Named streams keep independent uses of one seed apart. Append new ones at the end only:
// changing a value changes every result that used it.
enum class Stream : std::uint64_t {
  kPaths = 1,           // training trajectories: index = update, subindex = trial
  kNoise = 2,           // unit noise xi: index = update, subindex = trial
  kInit = 3,            // parameter initialization
  kValidation = 4,      // fixed validation set: index = 0, subindex = trial
  kEvaluation = 5,      // analysis paths
  kShuffle = 6,         // shuffle nulls: index = unit, subindex = shuffle
  kTest = 7,            // tests and benchmarks
  kCurvature = 8,       // curvature minibatch selection in Hessian-free
  kEmbedding = 9,       // t-SNE initial positions: index = 0, subindex = 0
  kPlaceCentres = 10,   // random place-cell centres: index = 0, subindex = 0
  kSmoothNull = 11,     // smooth-noise null maps: index = unit (or calibration sigma), subindex = map
};

class Rng {
 public:
  Rng(std::uint64_t seed, Stream stream, std::uint64_t index = 0, std::uint64_t subindex = 0)
      : Rng(seed, static_cast<std::uint64_t>(stream), index, subindex) {}
  Rng(std::uint64_t seed, std::uint64_t stream, std::uint64_t index, std::uint64_t subindex) {
    key_ = {{seed, stream}};
    counter_ = {{index, subindex, 0, 0}};
  }

  // Uniform 64-bit word.
  std::uint64_t next_u64() {
    if (used_ == 4) refill();
    return block_[used_++];
  }
  // Uniform in the open interval (0, 1), 53-bit resolution.
  double uniform() { return (static_cast<double>(next_u64() >> 11) + 0.5) * 0x1.0p-53; }
  double uniform(double low, double high) { return low + (high - low) * uniform(); }
  // Standard normal by Box–Muller (both values used).
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double radius = std::sqrt(-2.0 * std::log(uniform()));
    const double angle = 2.0 * std::numbers::pi * uniform();
    spare_ = radius * std::sin(angle);
    has_spare_ = true;
    return radius * std::cos(angle);
  }
  double normal(double mean, double sd) { return mean + sd * normal(); }
  // Uniform integer in [0, n), n >= 1 (Lemire's multiply-shift; bias below 2^-64 * n).
  std::uint64_t below(std::uint64_t n) {
    __extension__ using uint128 = unsigned __int128;
    return static_cast<std::uint64_t>((static_cast<uint128>(next_u64()) * n) >> 64);
  }
  bool bernoulli(double p) { return uniform() < p; }

 private:
  void refill() {
    const auto out = r123::Philox4x64()(counter_, key_);
    block_ = {{out[0], out[1], out[2], out[3]}};
    counter_[2] += 1;
    used_ = 0;
  }

  r123::Philox4x64::key_type key_{};
  r123::Philox4x64::ctr_type counter_{};
  std::array<std::uint64_t, 4> block_{};
  int used_ = 4;
  bool has_spare_ = false;
  double spare_ = 0.0;
};

}  // namespace gridrnn

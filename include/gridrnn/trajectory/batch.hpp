#pragma once
// Minibatches of paths for training and evaluation: B trials x T steps, laid out time-major
// (T, B, ...) as the network consumes them. Trial m of update k is drawn from
// Rng(seed, stream, k, m), so a batch is the same whatever the thread count.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "gridrnn/arena/arena.hpp"
#include "gridrnn/core/rng.hpp"
#include "gridrnn/trajectory/motion.hpp"

namespace gridrnn::trajectory {

// Network input encodings (docs/paper.md "Network"), per step t with speed s and heading h:
//   speed_angle   (s, h wrapped to [0, 2pi))     N_in = 2  (the paper's)
//   speed_cos_sin (s, cos h, sin h)              N_in = 3
//   velocity      (s cos h, s sin h)             N_in = 2
enum class Encoding { kSpeedAngle, kSpeedCosSin, kVelocity };

std::size_t input_size(Encoding encoding);
Encoding parse_encoding(const std::string& name);  // UserError listing the names
std::string encoding_name(Encoding encoding);
const std::vector<std::string>& encoding_names();

// Writes the N_in inputs of one step to out[0..N_in).
void encode_step(Encoding encoding, double speed, double heading, float* out);

struct Batch {
  std::size_t steps = 0;       // T
  std::size_t trials = 0;      // B
  std::size_t input_size = 0;  // N_in
  Encoding encoding = Encoding::kSpeedAngle;
  std::vector<double> positions;  // (T+1, B, 2) x, y; positions[0] are the starts
  std::vector<double> headings;   // (T, B) radians, unwrapped
  std::vector<double> speeds;     // (T, B) arena units per step
  std::vector<float> inputs;      // (T, B, N_in) encode_step(speeds, headings)
  std::vector<float> targets;     // (T, B, 2) = positions[1..T]
};

// Fills `batch` (reusing its memory) with `trials` paths of `steps` steps; trial m is simulated
// from Rng(seed, stream, update_index, m), in parallel over trials (parallel_for).
void generate_batch(Batch& batch, const arena::Arena& arena, const MotionOptions& motion,
                    Encoding encoding, std::uint64_t seed, std::uint64_t update_index,
                    std::size_t trials, std::size_t steps, Stream stream = Stream::kPaths);
Batch generate_batch(const arena::Arena& arena, const MotionOptions& motion, Encoding encoding,
                     std::uint64_t seed, std::uint64_t update_index, std::size_t trials,
                     std::size_t steps, Stream stream = Stream::kPaths);

// Copies one path into trial `trial` of a batch already sized for it (used for recorded paths).
void store_path(Batch& batch, std::size_t trial, const Path& path);
// Allocates a batch of the given size and encoding (all values zero).
void resize_batch(Batch& batch, Encoding encoding, std::size_t trials, std::size_t steps);

}  // namespace gridrnn::trajectory

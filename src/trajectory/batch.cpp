#include "gridrnn/trajectory/batch.hpp"

#include <cmath>
#include <numbers>

#include "gridrnn/core/error.hpp"
#include "gridrnn/core/threads.hpp"

namespace gridrnn::trajectory {

const std::vector<std::string>& encoding_names() {
  static const std::vector<std::string> names{"speed_angle", "speed_cos_sin", "velocity"};
  return names;
}

std::size_t input_size(Encoding encoding) { return encoding == Encoding::kSpeedCosSin ? 3 : 2; }

Encoding parse_encoding(const std::string& name) {
  if (name == "speed_angle") return Encoding::kSpeedAngle;
  if (name == "speed_cos_sin") return Encoding::kSpeedCosSin;
  if (name == "velocity") return Encoding::kVelocity;
  throw_user_error("unknown input encoding '{}'; allowed: speed_angle, speed_cos_sin, velocity",
                   name);
}

std::string encoding_name(Encoding encoding) {
  switch (encoding) {
    case Encoding::kSpeedAngle: return "speed_angle";
    case Encoding::kSpeedCosSin: return "speed_cos_sin";
    case Encoding::kVelocity: return "velocity";
  }
  GRIDRNN_ASSERT(false, "unknown encoding");
}

void encode_step(Encoding encoding, double speed, double heading, float* out) {
  switch (encoding) {
    case Encoding::kSpeedAngle: {
      constexpr double kTwoPi = 2.0 * std::numbers::pi;
      double wrapped = std::fmod(heading, kTwoPi);
      if (wrapped < 0.0) wrapped += kTwoPi;
      // Rounding to float can give exactly 2pi; keep the range half-open.
      float angle = static_cast<float>(wrapped);
      if (angle >= static_cast<float>(kTwoPi)) angle = 0.0f;
      out[0] = static_cast<float>(speed);
      out[1] = angle;
      return;
    }
    case Encoding::kSpeedCosSin:
      out[0] = static_cast<float>(speed);
      out[1] = static_cast<float>(std::cos(heading));
      out[2] = static_cast<float>(std::sin(heading));
      return;
    case Encoding::kVelocity:
      out[0] = static_cast<float>(speed * std::cos(heading));
      out[1] = static_cast<float>(speed * std::sin(heading));
      return;
  }
}

void resize_batch(Batch& batch, Encoding encoding, std::size_t trials, std::size_t steps) {
  batch.steps = steps;
  batch.trials = trials;
  batch.encoding = encoding;
  batch.input_size = input_size(encoding);
  batch.positions.assign((steps + 1) * trials * 2, 0.0);
  batch.headings.assign(steps * trials, 0.0);
  batch.speeds.assign(steps * trials, 0.0);
  batch.inputs.assign(steps * trials * batch.input_size, 0.0f);
  batch.targets.assign(steps * trials * 2, 0.0f);
}

void store_path(Batch& batch, std::size_t trial, const Path& path) {
  const std::size_t T = batch.steps, B = batch.trials, n_in = batch.input_size;
  GRIDRNN_ASSERT(trial < B && path.steps() == T && path.positions.size() == T + 1,
                 "path does not fit the batch");
  for (std::size_t t = 0; t <= T; ++t) {
    batch.positions[(t * B + trial) * 2 + 0] = path.positions[t].x;
    batch.positions[(t * B + trial) * 2 + 1] = path.positions[t].y;
  }
  for (std::size_t t = 0; t < T; ++t) {
    const std::size_t i = t * B + trial;
    batch.headings[i] = path.headings[t];
    batch.speeds[i] = path.speeds[t];
    encode_step(batch.encoding, path.speeds[t], path.headings[t], &batch.inputs[i * n_in]);
    batch.targets[i * 2 + 0] = static_cast<float>(path.positions[t + 1].x);
    batch.targets[i * 2 + 1] = static_cast<float>(path.positions[t + 1].y);
  }
}

void generate_batch(Batch& batch, const arena::Arena& arena, const MotionOptions& motion,
                    Encoding encoding, std::uint64_t seed, std::uint64_t update_index,
                    std::size_t trials, std::size_t steps, Stream stream) {
  motion.validate();
  if (batch.trials != trials || batch.steps != steps || batch.encoding != encoding ||
      batch.inputs.size() != steps * trials * input_size(encoding)) {
    resize_batch(batch, encoding, trials, steps);
  }
  parallel_for(trials, [&](std::size_t trial) {
    thread_local Path path;  // reused scratch; its contents depend only on the trial's Rng
    Rng rng(seed, stream, update_index, trial);
    simulate_path(path, arena, motion, rng, steps);
    store_path(batch, trial, path);
  });
}

Batch generate_batch(const arena::Arena& arena, const MotionOptions& motion, Encoding encoding,
                     std::uint64_t seed, std::uint64_t update_index, std::size_t trials,
                     std::size_t steps, Stream stream) {
  Batch batch;
  generate_batch(batch, arena, motion, encoding, seed, update_index, trials, steps, stream);
  return batch;
}

}  // namespace gridrnn::trajectory

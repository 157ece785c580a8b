#pragma once
// What a file of network inputs was made from: `gridrnn simulate` writes inputs.npy and, beside
// it, inputs.json (docs/formats.md): the input encoding, the arena and the motion model. `gridrnn
// predict` reads it back to refuse inputs of another encoding than the network's (two encodings
// are 2 wide, so the width alone cannot tell them apart) and to say when the paths come from
// another arena or motion than the network was trained on.
//   {"format": "gridrnn-inputs", "format_version": 1, "encoding": "velocity", "input_size": 2,
//    "steps": T, "trials": B, "source": "simulated" | "recorded",
//    "arena": {"shape", "area", "vertices" | "radius"},
//    "motion": {"model", "start", the model's parameters} (null for a recorded path)}
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "gridrnn/arena/arena.hpp"
#include "gridrnn/trajectory/batch.hpp"
#include "gridrnn/trajectory/motion.hpp"

namespace gridrnn::trajectory {

inline constexpr int kInputsInfoFormatVersion = 1;

struct InputsInfo {
  std::string encoding;  // encoding_name(), e.g. "velocity"
  std::size_t input_size = 0;
  std::size_t steps = 0;
  std::size_t trials = 0;
  bool recorded = false;   // one recorded path (then motion is null)
  nlohmann::ordered_json arena;   // describe_arena()
  nlohmann::ordered_json motion;  // describe_motion(), or null
};

// inputs.npy -> inputs.json (the file name with its extension replaced by .json).
std::filesystem::path inputs_info_path(const std::filesystem::path& inputs_file);

// What simulate writes: the encoding, sizes, arena and (unless recorded) motion of a batch.
InputsInfo describe_inputs(const Batch& batch, const arena::Arena& arena, const MotionOptions* motion);
// Writes info as JSON to `file`, atomically.
void write_inputs_info(const std::filesystem::path& file, const InputsInfo& info);
// Reads the description beside `inputs_file`; nullopt when there is none. A file that is there but
// is not a valid description is a UserError naming it.
std::optional<InputsInfo> read_inputs_info(const std::filesystem::path& inputs_file);

// The settings that shape the inputs, as JSON: for comparisons and for the description.
nlohmann::ordered_json describe_arena(const arena::Arena& arena);
nlohmann::ordered_json describe_motion(const MotionOptions& motion);

// Human-readable differences between the inputs' arena and motion and the given ones, e.g.
// "arena: hexagon (area 4) vs square (area 4)", "motion.v_max: 0.4 vs 0.2". Empty if they agree
// (up to a relative 1e-9). The motion of recorded inputs is not compared.
std::vector<std::string> path_differences(const InputsInfo& info, const arena::Arena& arena,
                                          const MotionOptions& motion);

}  // namespace gridrnn::trajectory

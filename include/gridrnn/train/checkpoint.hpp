#pragma once
// Training checkpoints: one binary file holding everything needed to continue a run exactly —
// the parameters, the optimizer's state and the number of updates done. Random numbers need no
// state (counter-based: update k's trials and noise are keyed by k).
//
// Layout (little-endian): magic "GRNNCKPT" (8 bytes), format version (u32), payload length (u64),
// payload, FNV-1a 64-bit checksum of the payload (u64). Payload: update (i64), optimizer name,
// then named scalars and named vectors (each: name length u32, name bytes, then f64 or
// length u64 + f64 values). Written atomically (temporary file, then rename); a truncated or
// altered file is refused with a UserError naming the file and what is wrong.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include <Eigen/Core>

namespace gridrnn::train {

inline constexpr std::uint32_t kCheckpointFormatVersion = 1;

struct Checkpoint {
  std::int64_t updates_done = 0;
  std::string optimizer;                           // "adam" or "hessian_free"
  Eigen::VectorXd theta;                           // flat parameters
  std::map<std::string, double> scalars;           // e.g. lambda, adam step count
  std::map<std::string, Eigen::VectorXd> vectors;  // e.g. adam moments, HF previous solution
};

void write_checkpoint(const std::filesystem::path& path, const Checkpoint& checkpoint);
Checkpoint read_checkpoint(const std::filesystem::path& path);

// FNV-1a, 64 bit: detects truncation and accidental alteration (not an adversary).
std::uint64_t fnv1a64(const void* data, std::size_t size);

}  // namespace gridrnn::train

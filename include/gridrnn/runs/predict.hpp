#pragma once
// `gridrnn predict`: a saved network (a network/ folder, or a snapshot) run on given inputs
// (T, B, N_in), writing outputs.npy (T, B, 2: decoded positions) and activities.npy (T, B, N).
// Refused (UserError, nothing written) when the inputs' encoding (inputs.json, written by
// `gridrnn simulate`) is not the network's, the shapes do not fit, or start positions are missing
// for a network that needs them; warned about when the inputs cannot be checked or their paths
// differ from the ones the network's run trained on. Noise off unless asked.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace gridrnn::runs {

struct PredictRequest {
  std::string network;   // folder with network.json
  std::string inputs;    // NPY (T, B, N_in)
  std::string starts;    // NPY (B, 2), for networks that start from the start position
  std::string out;       // folder for outputs.npy and activities.npy
  bool noise = false;    // the network's unit noise, seeded by `seed`
  std::uint64_t seed = 0;
  bool force = false;    // replace an existing out
};

struct PredictResult {
  std::size_t steps = 0, trials = 0, units = 0;
  double noise_sd = 0;                // 0 without noise
  std::vector<std::string> warnings;  // what could not be checked, or differs from training
};

PredictResult predict_into(const PredictRequest& request);

}  // namespace gridrnn::runs

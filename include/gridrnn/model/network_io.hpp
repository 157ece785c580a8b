#pragma once
// Networks on disk, readable by numpy: a folder with (float64, C order; docs/formats.md)
//   W_in.npy (N, N_in)  W_rec.npy (N, N)  b.npy (N,)          (b only with bias)
//   W_out.npy (2, N)    W_place.npy (N_p, N)  W_hd.npy (N_h, N)   (one per readout head)
//   x0.npy (N,)  or  W_init.npy (N, 2)  or  W_enc.npy (N, N_p)    (the initial state)
//   place_centres.npy (N_p, 2)                                    (with a place head; fixed)
//   network.json  {"format": "gridrnn-network", "format_version": 2, model settings,
//                  "readout": {"heads", one object per head}, "encoding"}
// The encoding name (e.g. "speed_cos_sin") is an opaque string chosen by the caller.
// Version 1 folders (written before the readout heads existed: no nonlinearity, noise_placement,
// bias, w_in_init or readout in network.json) still load, as tanh, bracket noise, with a bias,
// Gaussian W_in and a position head: what every network of that version was.
#include <filesystem>
#include <string>

#include <Eigen/Core>

#include "gridrnn/model/ctrnn.hpp"

namespace gridrnn::model {

// The file in a network folder that holds its place-cell centres, (N_p, 2).
inline constexpr const char* kPlaceCentresFile = "place_centres.npy";

inline constexpr int kNetworkFormatVersion = 2;

struct Network {
  ModelOptions options;   // readout.place_centres filled from place_centres.npy
  std::string encoding;
  Eigen::VectorXd theta;  // layout: ParameterLayout(options)
};

// Writes the files into dir (created if needed; each file written atomically) and removes block
// files of an earlier network in dir that this one does not have (e.g. b.npy of a network with
// a bias). A place head needs options.readout.place_centres. Callers that need all-or-nothing
// output stage dir with io::OutputDir.
void save_network(const std::filesystem::path& dir, const ModelOptions& options,
                  const Eigen::VectorXd& theta, const std::string& encoding);

// Reads and validates a network folder: missing or corrupt files, shapes that disagree with
// network.json, NaN/Inf values and unknown format versions are UserErrors naming the file.
Network load_network(const std::filesystem::path& dir);

}  // namespace gridrnn::model

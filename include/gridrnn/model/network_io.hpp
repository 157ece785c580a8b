#pragma once
// Networks on disk, readable by numpy: a folder with
//   W_in.npy (N, N_in)  W_rec.npy (N, N)  b.npy (N,)  W_out.npy (2, N)
//   x0.npy (N,)  or  W_init.npy (N, 2)          (float64, C order)
//   network.json  {"format": "gridrnn-network", "format_version": 1, model settings, "encoding"}
// The encoding name (e.g. "speed_cos_sin") is an opaque string chosen by the caller.
#include <filesystem>
#include <string>

#include <Eigen/Core>

#include "gridrnn/model/ctrnn.hpp"

namespace gridrnn::model {

inline constexpr int kNetworkFormatVersion = 1;

struct Network {
  ModelOptions options;
  std::string encoding;
  Eigen::VectorXd theta;  // layout: ParameterLayout(options)
};

// Writes the files into dir (created if needed; each file written atomically). Callers that
// need all-or-nothing output stage dir with io::OutputDir.
void save_network(const std::filesystem::path& dir, const ModelOptions& options,
                  const Eigen::VectorXd& theta, const std::string& encoding);

// Reads and validates a network folder: missing or corrupt files, shapes that disagree with
// network.json, NaN/Inf values and unknown format versions are UserErrors naming the file.
Network load_network(const std::filesystem::path& dir);

}  // namespace gridrnn::model

#include "gridrnn/model/network_io.hpp"

#include <nlohmann/json.hpp>

#include "gridrnn/core/error.hpp"
#include "gridrnn/io/files.hpp"
#include "gridrnn/io/npy.hpp"

namespace gridrnn::model {

namespace {

struct Block {
  const char* file;
  std::size_t offset;
  std::vector<std::size_t> shape;
};

std::vector<Block> blocks_of(const ParameterLayout& L) {
  std::vector<Block> blocks = {{"W_in.npy", L.W_in, {L.units, L.inputs}},
                               {"W_rec.npy", L.W_rec, {L.units, L.units}},
                               {"b.npy", L.b, {L.units}},
                               {"W_out.npy", L.W_out, {kOutputs, L.units}}};
  if (L.initial_state == InitialState::kLearned) {
    blocks.push_back({"x0.npy", L.initial, {L.units}});
  } else {
    blocks.push_back({"W_init.npy", L.initial, {L.units, kOutputs}});
  }
  return blocks;
}

std::size_t product(const std::vector<std::size_t>& shape) {
  std::size_t n = 1;
  for (auto s : shape) n *= s;
  return n;
}

}  // namespace

void save_network(const std::filesystem::path& dir, const ModelOptions& options,
                  const Eigen::VectorXd& theta, const std::string& encoding) {
  options.validate();
  const ParameterLayout L(options);
  GRIDRNN_ASSERT(static_cast<std::size_t>(theta.size()) == L.total, "theta size does not match the network");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw_user_error("cannot create network folder '{}': {}", dir.string(), ec.message());
  for (const auto& block : blocks_of(L)) {
    io::write_npy(dir / block.file, std::span<const double>(theta.data() + block.offset, product(block.shape)), block.shape);
  }
  const nlohmann::ordered_json json = {
      {"format", "gridrnn-network"},
      {"format_version", kNetworkFormatVersion},
      {"units", options.units},
      {"inputs", options.inputs},
      {"tau", options.tau},
      {"dt", options.dt},
      {"noise_sd", options.noise_sd},
      {"w_rec_init", to_string(options.w_rec_init)},
      {"w_rec_gain", options.w_rec_gain},
      {"initial_state", to_string(options.initial_state)},
      {"encoding", encoding},
  };
  io::write_file_atomic(dir / "network.json", json.dump(2) + "\n");
}

Network load_network(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    throw_user_error("network folder '{}' does not exist (expected a folder written by `gridrnn train` with network.json and W_*.npy)", dir.string());
  const auto json_path = dir / "network.json";
  if (!std::filesystem::is_regular_file(json_path, ec))
    throw_user_error("network folder '{}' has no network.json (expected network.json, W_in.npy, W_rec.npy, b.npy, W_out.npy and x0.npy or W_init.npy)", dir.string());
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(io::read_file(json_path));
  } catch (const nlohmann::json::exception& error) {
    throw_user_error("'{}' is not valid JSON: {}", json_path.string(), error.what());
  }
  Network network;
  try {
    if (json.value("format", std::string{}) != "gridrnn-network")
      throw_user_error("'{}': \"format\" must be \"gridrnn-network\"", json_path.string());
    const int version = json.at("format_version").get<int>();
    if (version != kNetworkFormatVersion)
      throw_user_error("'{}': format_version {} is not supported (this gridrnn reads version {})", json_path.string(), version, kNetworkFormatVersion);
    auto& o = network.options;
    o.units = json.at("units").get<std::size_t>();
    o.inputs = json.at("inputs").get<std::size_t>();
    o.tau = json.at("tau").get<double>();
    o.dt = json.at("dt").get<double>();
    o.noise_sd = json.at("noise_sd").get<double>();
    o.w_rec_init = recurrent_init_from_string(json.at("w_rec_init").get<std::string>());
    o.w_rec_gain = json.at("w_rec_gain").get<double>();
    o.initial_state = initial_state_from_string(json.at("initial_state").get<std::string>());
    network.encoding = json.value("encoding", std::string{});
  } catch (const nlohmann::json::exception& error) {
    throw_user_error("'{}': missing or mistyped setting: {}", json_path.string(), error.what());
  } catch (const UserError& error) {
    throw_user_error("'{}': {}", json_path.string(), error.what());
  }
  try {
    network.options.validate();
  } catch (const UserError& error) {
    throw_user_error("'{}': {}", json_path.string(), error.what());
  }
  const ParameterLayout L(network.options);
  network.theta.resize(static_cast<Eigen::Index>(L.total));
  for (const auto& block : blocks_of(L)) {
    const auto path = dir / block.file;
    if (!std::filesystem::is_regular_file(path, ec))
      throw_user_error("network folder '{}' lacks {} (network.json says N = {}, N_in = {}, initial_state = {})", dir.string(), block.file,
                       L.units, L.inputs, to_string(L.initial_state));
    const auto array = io::read_npy_finite(path);
    if (array.shape != block.shape)
      throw_user_error("'{}' has shape {}; network.json (N = {}, N_in = {}) requires {}", path.string(), io::shape_string(array.shape),
                       L.units, L.inputs, io::shape_string(block.shape));
    for (std::size_t i = 0; i < array.values.size(); ++i) network.theta[static_cast<Eigen::Index>(block.offset + i)] = array.values[i];
  }
  return network;
}

}  // namespace gridrnn::model

#include "gridrnn/model/network_io.hpp"

#include <algorithm>
#include <array>

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

// The blocks of theta that exist for this layout, in theta's order.
std::vector<Block> blocks_of(const ParameterLayout& L) {
  std::vector<Block> blocks = {{"W_in.npy", L.W_in, {L.units, L.inputs}},
                               {"W_rec.npy", L.W_rec, {L.units, L.units}}};
  if (L.bias) blocks.push_back({"b.npy", L.b, {L.units}});
  if (L.position) blocks.push_back({"W_out.npy", L.W_out, {kOutputs, L.units}});
  if (L.place_cells > 0) blocks.push_back({"W_place.npy", L.W_place, {L.place_cells, L.units}});
  if (L.hd_cells > 0) blocks.push_back({"W_hd.npy", L.W_hd, {L.hd_cells, L.units}});
  switch (L.initial_state) {
    case InitialState::kLearned: blocks.push_back({"x0.npy", L.initial, {L.units}}); break;
    case InitialState::kFromPosition: blocks.push_back({"W_init.npy", L.initial, {L.units, kOutputs}}); break;
    case InitialState::kFromPlaceCode: blocks.push_back({"W_enc.npy", L.initial, {L.units, L.place_cells}}); break;
  }
  return blocks;
}

// Files a network may hold besides W_in.npy, W_rec.npy and network.json (some networks only).
constexpr std::array<const char*, 8> kOptionalFiles = {"b.npy",     "W_out.npy",  "W_place.npy", "W_hd.npy",
                                                       "x0.npy",    "W_init.npy", "W_enc.npy",   kPlaceCentresFile};

std::size_t product(const std::vector<std::size_t>& shape) {
  std::size_t n = 1;
  for (auto s : shape) n *= s;
  return n;
}

nlohmann::ordered_json readout_json(const ReadoutOptions& r) {
  nlohmann::ordered_json j = {{"heads", r.heads_name()}};
  if (r.position) j["position"] = {{"weight", r.position_head.weight}};
  if (r.place) {
    const auto& p = r.place_head;
    j["place"] = {{"cells", p.cells},
                  {"sigma", p.sigma},
                  {"surround_ratio", p.surround_ratio},
                  {"tuning", to_string(p.tuning)},
                  {"loss", to_string(p.loss)},
                  {"centres", to_string(p.centres)},
                  {"weight", p.weight}};
  }
  if (r.head_direction) {
    const auto& h = r.head_direction_head;
    j["head_direction"] = {{"cells", h.cells}, {"kappa", h.kappa}, {"weight", h.weight}};
  }
  return j;
}

// The "readout" object of network.json (format version 2). nlohmann exceptions for missing or
// mistyped values; UserErrors for unknown names.
ReadoutOptions readout_from_json(const nlohmann::json& j) {
  ReadoutOptions r;
  r.position = false;
  const std::string heads = j.at("heads").get<std::string>();
  std::size_t begin = 0;
  while (begin <= heads.size()) {
    const std::size_t end = std::min(heads.find('+', begin), heads.size());
    const std::string head = heads.substr(begin, end - begin);
    bool* flag = head == "position" ? &r.position : head == "place" ? &r.place : head == "head_direction" ? &r.head_direction : nullptr;
    if (flag == nullptr || *flag)
      throw_user_error("readout.heads = \"{}\": {} head \"{}\" (heads are position, place and head_direction, joined by '+')", heads,
                       flag == nullptr ? "unknown" : "repeated", head);
    *flag = true;
    begin = end + 1;
  }
  for (const auto& [key, value] : j.items()) {
    const bool known = key == "heads" || (key == "position" && r.position) || (key == "place" && r.place) ||
                       (key == "head_direction" && r.head_direction);
    if (!known) throw_user_error("readout.{}: not a setting of readout.heads = \"{}\"", key, heads);
  }
  if (r.position) r.position_head.weight = j.at("position").at("weight").get<double>();
  if (r.place) {
    const auto& p = j.at("place");
    auto& h = r.place_head;
    h.cells = p.at("cells").get<std::size_t>();
    h.sigma = p.at("sigma").get<double>();
    h.surround_ratio = p.at("surround_ratio").get<double>();
    h.tuning = place_tuning_from_string(p.at("tuning").get<std::string>());
    h.loss = place_loss_from_string(p.at("loss").get<std::string>());
    h.centres = centre_layout_from_string(p.at("centres").get<std::string>());
    h.weight = p.at("weight").get<double>();
  }
  if (r.head_direction) {
    const auto& p = j.at("head_direction");
    auto& h = r.head_direction_head;
    h.cells = p.at("cells").get<std::size_t>();
    h.kappa = p.at("kappa").get<double>();
    h.weight = p.at("weight").get<double>();
  }
  return r;
}

}  // namespace

void save_network(const std::filesystem::path& dir, const ModelOptions& options,
                  const Eigen::VectorXd& theta, const std::string& encoding) {
  options.validate();
  const ParameterLayout L(options);
  GRIDRNN_ASSERT(static_cast<std::size_t>(theta.size()) == L.total, "theta size does not match the network");
  GRIDRNN_ASSERT(!options.readout.place || options.readout.place_centres.size() == 2 * options.readout.place_head.cells,
                 "a network with a place head is saved without its place-cell centres");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw_user_error("cannot create network folder '{}': {}", dir.string(), ec.message());
  std::vector<std::string> written;
  for (const auto& block : blocks_of(L)) {
    io::write_npy(dir / block.file, std::span<const double>(theta.data() + block.offset, product(block.shape)), block.shape);
    written.emplace_back(block.file);
  }
  if (options.readout.place) {
    io::write_npy(dir / kPlaceCentresFile, std::span<const double>(options.readout.place_centres), {L.place_cells, 2});
    written.emplace_back(kPlaceCentresFile);
  }
  // A folder rewritten with another kind of network keeps no file of the old one.
  for (const char* name : kOptionalFiles)
    if (std::find(written.begin(), written.end(), name) == written.end()) std::filesystem::remove(dir / name, ec);
  const nlohmann::ordered_json json = {
      {"format", "gridrnn-network"},
      {"format_version", kNetworkFormatVersion},
      {"units", options.units},
      {"inputs", options.inputs},
      {"tau", options.tau},
      {"dt", options.dt},
      {"noise_sd", options.noise_sd},
      {"noise_placement", to_string(options.noise_placement)},
      {"nonlinearity", to_string(options.nonlinearity)},
      {"bias", options.bias},
      {"w_rec_init", to_string(options.w_rec_init)},
      {"w_rec_gain", options.w_rec_gain},
      {"w_in_init", to_string(options.w_in_init)},
      {"initial_state", to_string(options.initial_state)},
      {"readout", readout_json(options.readout)},
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
    throw_user_error("network folder '{}' has no network.json (expected network.json, W_in.npy, W_rec.npy and the files it names; docs/formats.md)", dir.string());
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(io::read_file(json_path));
  } catch (const nlohmann::json::exception& error) {
    throw_user_error("'{}' is not valid JSON: {}", json_path.string(), error.what());
  }
  Network network;
  try {
    if (!json.is_object() || json.value("format", std::string{}) != "gridrnn-network")
      throw_user_error("'{}': \"format\" must be \"gridrnn-network\"", json_path.string());
    const int version = json.at("format_version").get<int>();
    if (version != 1 && version != kNetworkFormatVersion)
      throw_user_error("'{}': format_version {} is not supported (this gridrnn reads versions 1 and {})", json_path.string(), version,
                       kNetworkFormatVersion);
    auto& o = network.options;
    o.units = json.at("units").get<std::size_t>();
    o.inputs = json.at("inputs").get<std::size_t>();
    o.tau = json.at("tau").get<double>();
    o.dt = json.at("dt").get<double>();
    o.noise_sd = json.at("noise_sd").get<double>();
    o.w_rec_init = recurrent_init_from_string(json.at("w_rec_init").get<std::string>());
    o.w_rec_gain = json.at("w_rec_gain").get<double>();
    o.initial_state = initial_state_from_string(json.at("initial_state").get<std::string>());
    if (version == 1) {
      // Written before these settings existed: the only network there was (ModelOptions'
      // defaults: tanh, noise in the bracket, a bias, Gaussian W_in, one position head).
      o.noise_placement = NoisePlacement::kBracket;
      o.nonlinearity = Nonlinearity::kTanh;
      o.bias = true;
      o.w_in_init = InputInit::kGaussian;
      o.readout = ReadoutOptions{};
    } else {
      o.noise_placement = noise_placement_from_string(json.at("noise_placement").get<std::string>());
      o.nonlinearity = nonlinearity_from_string(json.at("nonlinearity").get<std::string>());
      o.bias = json.at("bias").get<bool>();
      o.w_in_init = input_init_from_string(json.at("w_in_init").get<std::string>());
      o.readout = readout_from_json(json.at("readout"));
    }
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
  const auto read_block = [&](const char* file, const std::vector<std::size_t>& shape) {
    const auto path = dir / file;
    if (!std::filesystem::is_regular_file(path, ec))
      throw_user_error("network folder '{}' lacks {} (network.json says N = {}, N_in = {}, bias = {}, readout.heads = \"{}\", initial_state = {})",
                       dir.string(), file, L.units, L.inputs, L.bias, network.options.readout.heads_name(), to_string(L.initial_state));
    auto array = io::read_npy_finite(path);
    if (array.shape != shape)
      throw_user_error("'{}' has shape {}; network.json (N = {}, N_in = {}, N_p = {}, N_h = {}) requires {}", path.string(),
                       io::shape_string(array.shape), L.units, L.inputs, L.place_cells, L.hd_cells, io::shape_string(shape));
    return array;
  };
  network.theta.resize(static_cast<Eigen::Index>(L.total));
  for (const auto& block : blocks_of(L)) {
    const auto array = read_block(block.file, block.shape);
    for (std::size_t i = 0; i < array.values.size(); ++i) network.theta[static_cast<Eigen::Index>(block.offset + i)] = array.values[i];
  }
  if (network.options.readout.place) network.options.readout.place_centres = read_block(kPlaceCentresFile, {L.place_cells, 2}).values;
  return network;
}

}  // namespace gridrnn::model

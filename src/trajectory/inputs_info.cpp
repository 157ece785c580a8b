#include "gridrnn/trajectory/inputs_info.hpp"

#include <cmath>
#include <iterator>
#include <system_error>

#include <fmt/format.h>

#include "gridrnn/core/error.hpp"
#include "gridrnn/io/files.hpp"

namespace gridrnn::trajectory {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace {

constexpr double kRelativeTolerance = 1e-9;

bool close(double a, double b) {
  return std::abs(a - b) <= kRelativeTolerance * std::max({1.0, std::abs(a), std::abs(b)});
}

// JSON values equal up to kRelativeTolerance for numbers (arrays element by element).
bool same(const json& a, const json& b) {
  if (a.is_number() && b.is_number()) return close(a.get<double>(), b.get<double>());
  if (a.is_array() && b.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!same(a[i], b[i])) return false;
    return true;
  }
  return a == b;
}

std::string value_text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number()) return fmt::format("{}", value.get<double>());  // shortest round trip
  if (value.is_null()) return "none";
  return value.dump();
}

// The area is derived (e.g. from a hexagon's side): 10 significant digits drop the rounding noise.
std::string arena_text(const json& arena) {
  const json area = arena.value("area", json());
  return fmt::format("the {} arena (area {})", value_text(arena.value("shape", json())),
                     area.is_number() ? fmt::format("{:.10g}", area.get<double>()) : value_text(area));
}

}  // namespace

fs::path inputs_info_path(const fs::path& inputs_file) {
  fs::path info = inputs_file;
  info.replace_extension(".json");
  return info;
}

json describe_arena(const arena::Arena& arena) {
  json out = {{"shape", arena.name()}, {"area", arena.area()}};
  if (arena.is_circle()) {
    out["radius"] = arena.radius();
  } else {
    json vertices = json::array();
    for (const auto& v : arena.vertices()) vertices.push_back({v.x, v.y});
    out["vertices"] = vertices;
  }
  return out;
}

json describe_motion(const MotionOptions& motion) {
  json out = {{"model", motion_model_name(motion.model)},
              {"start", motion.start == StartPosition::kCentre ? "centre" : "uniform"}};
  switch (motion.model) {
    case MotionModel::kPaper: {
      const PaperMotion& m = motion.paper;
      out.update({{"turn_sd", m.turn_sd}, {"p_still", m.p_still}, {"v_max", m.v_max},
                  {"redraw_growth", m.redraw_growth}, {"max_redraws", m.max_redraws}});
      break;
    }
    case MotionModel::kRodent: {
      const RodentMotion& m = motion.rodent;
      out.update({{"dt", m.dt}, {"speed_mean", m.speed_mean},
                  {"speed_coherence_time", m.speed_coherence_time},
                  {"rotational_velocity_sd", m.rotational_velocity_sd},
                  {"rotational_velocity_coherence_time", m.rotational_velocity_coherence_time},
                  {"wall_repel_distance", m.wall_repel_distance},
                  {"wall_repel_strength", m.wall_repel_strength},
                  {"units_per_metre", m.units_per_metre}});
      break;
    }
    case MotionModel::kSorscher: {
      const SorscherMotion& m = motion.sorscher;
      out.update({{"dt", m.dt}, {"speed_scale", m.speed_scale},
                  {"angular_velocity_sd", m.angular_velocity_sd},
                  {"border_region", m.border_region},
                  {"border_speed_factor", m.border_speed_factor},
                  {"units_per_metre", m.units_per_metre}});
      break;
    }
  }
  return out;
}

InputsInfo describe_inputs(const Batch& batch, const arena::Arena& arena, const MotionOptions* motion) {
  InputsInfo info;
  info.encoding = encoding_name(batch.encoding);
  info.input_size = batch.input_size;
  info.steps = batch.steps;
  info.trials = batch.trials;
  info.recorded = motion == nullptr;
  info.arena = describe_arena(arena);
  info.motion = motion == nullptr ? json() : describe_motion(*motion);
  return info;
}

void write_inputs_info(const fs::path& file, const InputsInfo& info) {
  const json out = {{"format", "gridrnn-inputs"},
                    {"format_version", kInputsInfoFormatVersion},
                    {"encoding", info.encoding},
                    {"input_size", info.input_size},
                    {"steps", info.steps},
                    {"trials", info.trials},
                    {"source", info.recorded ? "recorded" : "simulated"},
                    {"arena", info.arena},
                    {"motion", info.motion}};
  // One key a line, each value compact (an arena's vertices on one line).
  std::string text = "{\n";
  for (auto it = out.begin(); it != out.end(); ++it)
    text += fmt::format(" {}: {}{}\n", json(it.key()).dump(), it.value().dump(),
                        std::next(it) == out.end() ? "" : ",");
  io::write_file_atomic(file, text + "}\n");
}

std::optional<InputsInfo> read_inputs_info(const fs::path& inputs_file) {
  const fs::path file = inputs_info_path(inputs_file);
  std::error_code ec;
  if (!fs::exists(file, ec)) return std::nullopt;
  const auto bad = [&](const std::string& why) {
    throw_user_error("'{}' (the description of '{}' written by `gridrnn simulate`) {}; remove it to "
                     "use '{}' unchecked, or simulate the inputs again",
                     file.string(), inputs_file.string(), why, inputs_file.string());
  };
  json in;
  try {
    in = json::parse(io::read_file(file));
  } catch (const std::exception& error) {
    bad(fmt::format("cannot be read as JSON ({})", error.what()));
  }
  if (!in.is_object() || in.value("format", json()) != "gridrnn-inputs")
    bad("is not a gridrnn inputs description (\"format\": \"gridrnn-inputs\")");
  if (in.value("format_version", 0) != kInputsInfoFormatVersion)
    bad(fmt::format("has format_version {}; this gridrnn reads version {}",
                    value_text(in.value("format_version", json())), kInputsInfoFormatVersion));
  InputsInfo info;
  try {
    info.encoding = in.at("encoding").get<std::string>();
    info.input_size = in.at("input_size").get<std::size_t>();
    info.steps = in.at("steps").get<std::size_t>();
    info.trials = in.at("trials").get<std::size_t>();
    info.recorded = in.at("source").get<std::string>() == "recorded";
    info.arena = in.at("arena");
    info.motion = in.at("motion");
  } catch (const json::exception& error) {
    bad(fmt::format("is incomplete ({})", error.what()));
  }
  return info;
}

std::vector<std::string> path_differences(const InputsInfo& info, const arena::Arena& arena,
                                          const MotionOptions& motion) {
  std::vector<std::string> out;
  const json expected_arena = describe_arena(arena);
  if (!same(info.arena, expected_arena)) {
    const std::string a = arena_text(info.arena), b = arena_text(expected_arena);
    out.push_back(a != b ? fmt::format("arena: {} vs {}", a, b)
                         : fmt::format("arena: {} with other vertices", a));
  }
  if (info.recorded || !info.motion.is_object()) return out;
  const json expected_motion = describe_motion(motion);
  if (info.motion.value("model", json()) != expected_motion["model"]) {
    out.push_back(fmt::format("motion.model: {} vs {}", value_text(info.motion.value("model", json())),
                              value_text(expected_motion["model"])));
    return out;
  }
  for (const auto& [key, value] : expected_motion.items()) {
    const json mine = info.motion.value(key, json());
    if (!same(mine, value))
      out.push_back(fmt::format("motion.{}: {} vs {}", key, value_text(mine), value_text(value)));
  }
  return out;
}

}  // namespace gridrnn::trajectory

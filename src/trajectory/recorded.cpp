#include "gridrnn/trajectory/recorded.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <numbers>
#include <sstream>

#include "gridrnn/core/error.hpp"
#include "gridrnn/io/files.hpp"

namespace gridrnn::trajectory {

namespace {

std::string trim(std::string s) {
  const auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, ',')) fields.push_back(trim(field));
  if (!line.empty() && line.back() == ',') fields.emplace_back();
  return fields;
}

}  // namespace

RecordedPath parse_recorded_path(const std::string& text, const std::string& source,
                                 const arena::Arena& arena) {
  std::istringstream in(text);
  std::string line;
  std::size_t line_number = 0;
  std::vector<std::string> header;
  while (header.empty() && std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim(line).empty()) continue;
    header = split_fields(line);
    for (auto& name : header) {
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    }
  }
  const bool with_time = header == std::vector<std::string>{"t", "x", "y"};
  if (!with_time && header != std::vector<std::string>{"x", "y"}) {
    throw_user_error("recorded path '{}', line {}: the header must be 't,x,y' or 'x,y', got '{}'",
                     source, line_number, line);
  }
  const std::size_t columns = header.size();
  RecordedPath out;
  out.has_times = with_time;
  std::vector<Point>& positions = out.path.positions;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim(line).empty()) continue;
    const auto fields = split_fields(line);
    if (fields.size() != columns) {
      throw_user_error("recorded path '{}', line {}: expected {} columns ({}), got {}: '{}'",
                       source, line_number, columns, with_time ? "t,x,y" : "x,y", fields.size(),
                       line);
    }
    double values[3] = {0.0, 0.0, 0.0};
    for (std::size_t c = 0; c < columns; ++c) {
      const std::string& f = fields[c];
      const auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), values[c]);
      if (f.empty() || ec != std::errc() || end != f.data() + f.size()) {
        throw_user_error("recorded path '{}', line {}: column '{}' = '{}' is not a number",
                         source, line_number, header[c], f);
      }
      if (!std::isfinite(values[c])) {
        throw_user_error("recorded path '{}', line {}: column '{}' = '{}' is not finite (NaN and "
                         "Inf are refused)",
                         source, line_number, header[c], f);
      }
    }
    const double t = with_time ? values[0] : static_cast<double>(positions.size());
    const Point p{values[columns - 2], values[columns - 1]};
    if (with_time && !out.times.empty() && !(t > out.times.back())) {
      throw_user_error("recorded path '{}', line {}: time t = {} does not increase (previous row "
                       "has t = {}); times must be strictly increasing",
                       source, line_number, t, out.times.back());
    }
    if (!arena.contains(p)) {
      throw_user_error("recorded path '{}', line {}: point ({}, {}) lies outside the {} arena "
                       "(bounding box x in [{}, {}], y in [{}, {}])",
                       source, line_number, p.x, p.y, arena.name(), arena.bounding_box().x_min,
                       arena.bounding_box().x_max, arena.bounding_box().y_min,
                       arena.bounding_box().y_max);
    }
    out.times.push_back(t);
    positions.push_back(p);
  }
  if (positions.size() < 2) {
    throw_user_error("recorded path '{}': needs at least 2 samples (rows after the header), got {}",
                     source, positions.size());
  }
  // Finite differences: step t moves positions[t] -> positions[t+1].
  const std::size_t steps = positions.size() - 1;
  out.path.speeds.resize(steps);
  out.path.headings.resize(steps);
  double heading = 0.0;
  bool have_heading = false;
  std::size_t first_moving = steps;
  for (std::size_t t = 0; t < steps; ++t) {
    const double dx = positions[t + 1].x - positions[t].x, dy = positions[t + 1].y - positions[t].y;
    out.path.speeds[t] = std::hypot(dx, dy);
    if (out.path.speeds[t] > 0.0) {
      const double angle = std::atan2(dy, dx);
      // Unwrapped like the simulators' headings: the turn is taken in (-pi, pi].
      heading = have_heading ? heading + std::remainder(angle - heading, 2.0 * std::numbers::pi)
                             : angle;
      if (!have_heading) first_moving = t;
      have_heading = true;
    }
    out.path.headings[t] = heading;
  }
  for (std::size_t t = 0; t < first_moving && t < steps; ++t) {
    out.path.headings[t] = have_heading ? out.path.headings[first_moving] : 0.0;
  }
  return out;
}

RecordedPath read_recorded_path(const std::filesystem::path& csv, const arena::Arena& arena) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(csv, ec)) {
    throw_user_error("recorded path '{}' does not exist or is not a file (expected a CSV with a "
                     "header 't,x,y' or 'x,y')",
                     csv.string());
  }
  return parse_recorded_path(io::read_file(csv), csv.string(), arena);
}

}  // namespace gridrnn::trajectory
